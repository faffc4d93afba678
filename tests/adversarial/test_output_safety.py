"""The page itself: source text printed in a brief cannot become Markdown structure, HTML, a link, an
image, a terminal escape or a citation of ours. The HTML brief's template is autoescaped (a test here
keeps it so) and hostile source text in it stays text: no tag, attribute or script of its own. And the
page is never lost or half-written: a full disk or an interrupt leaves the previous `-o` file as it was.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from adversary import STORM, Output, assert_clean_failure, briefer
from jinja2 import DictLoader

from briefer.output.render import _environment, md

HOSTILE = {
    "link": "See [the official report](http://evil.example/report) for details.",
    "image": "![tracking pixel](http://evil.example/p.png) loaded.",
    "autolink": "Write to <http://evil.example> or <evil@example.com>.",
    "raw HTML": '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="http://evil.example">x</a>',
    "HTML comment": "Visible <!-- hidden --> text.",
    "reference definition": "[1]: http://evil.example/ref",
    "heading": "# Breaking: everything is fine",
    "setext heading": "Breaking\n===",
    "block quote": "> quoted authority",
    "list": "- one\n- two",
    "ordered list": "1. first",
    "code fence": "```\ncode\n```",
    "tilde fence": "~~~ swallowed the rest of the page",
    "inline code": "`rm -rf /`",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "emphasis": "**bold** and _italic_ and ~~gone~~",
    "math": "costs $x^2$ and $5 to $10",
    "entity": "&lt;b&gt;not bold&lt;/b&gt;",
    "line break": "one  \ntwo\\\nthree",
}


def render_html(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("where", ["line start", "list item", "after text"])
def test_source_text_renders_as_one_plain_paragraph(case: str, where: str) -> None:
    """Wherever the template puts a sentence (a bottom line starts a line, key points are list items),
    the escaped text renders as plain text inside one paragraph: no tag but <p> (and <ul><li> that
    the template itself made)."""
    text = md(HOSTILE[case])
    markdown = {"line start": text, "list item": f"- {text}", "after text": f"Said: {text}"}[where]
    html = render_html(markdown)
    allowed = {"<p>", "</p>", "<ul>", "</ul>", "<li>", "</li>"}
    tags = set(re.findall(r"</?[a-z][a-z0-9]*[^>]*>", html))
    assert tags <= allowed, (case, html)
    assert "\n" not in text


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Officials confirmed it [3].", "Officials confirmed it (3)."),
        ("All verified [1][2][3].", "All verified (1)(2)(3)."),
        ("See sources [1, 2] and [4–6].", "See sources (1, 2) and (4–6)."),
        ("The [editor's note] stays.", "The \\[editor's note\\] stays."),
    ],
)
def test_a_sources_own_bracketed_numbers_cannot_pose_as_citations(text: str, shown: str) -> None:
    assert md(text) == shown


def test_control_characters_and_bidi_overrides_are_dropped() -> None:
    text = "Storm\x1b[2J\x07 Elena\u202e txet desrever\u2066 \x9b31m hit\x00 the coast"
    out = md(text)
    assert not any(
        ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        for c in out
    )
    assert out.startswith("Storm\\[2J Elena txet desrever")


def test_html_templates_would_be_autoescaped_and_markdown_ones_are_not() -> None:
    env = _environment().overlay(loader=DictLoader({"page.html.j2": "{{ x }}", "page.md.j2": "{{ x | md }}"}))
    assert env.get_template("page.html.j2").render(x="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert env.get_template("page.md.j2").render(x="<b>") == "\\<b\\>"


def test_the_html_output_format_uses_an_autoescaped_template() -> None:
    """The HTML brief (`--format html`) is the one output a browser renders: its template must be
    autoescaped by name (the test above), and every template it uses must be one of those."""
    from briefer.output import formats

    assert "html" in formats.NAMES
    environment = _environment()
    assert callable(environment.autoescape) and environment.autoescape("brief.html.j2")
    html_templates = [t for t in environment.list_templates() if "html" in t]
    assert html_templates == ["brief.html.j2"]


HTML_HOSTILE = [
    *HOSTILE.values(),
    "</script><script>alert(3)</script>",
    '" onmouseover="alert(4)" x="',
    "</textarea></details></main><iframe src=//evil.example></iframe>",
    "<svg onload=alert(5)>",
    "]]> --> <![CDATA[",
]


def test_hostile_source_text_stays_text_in_the_html_brief(tmp_path: Path) -> None:
    """Every hostile string, put in a source whose text the HTML brief prints whole: the page parsed
    by a real HTML parser has only the template's own elements and attributes, one script (ours)."""
    from html.parser import HTMLParser

    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(STORM.glob("*.txt")):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    first = sorted(folder.glob("*.txt"))[0]
    first.write_text(
        first.read_text(encoding="utf-8") + "\n" + "\n".join(HTML_HOSTILE) + "\n", encoding="utf-8"
    )
    result = briefer(folder, "--engine", "offline", "--format", "html", "-q")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert "alert(3)" in page  # the hostile text is on the page, as text

    seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            seen.append((tag, attrs))

    Collect().feed(page)
    template_tags = {
        "html", "head", "meta", "link", "title", "style", "body", "a", "header", "h1", "h2", "h3", "p", "main",
        "section", "ul", "li", "span", "strong", "div", "blockquote", "ol", "cite", "details", "summary",
        "mark", "footer", "script",
    }  # fmt: skip
    template_attributes = {
        "lang", "charset", "http-equiv", "content", "name", "rel", "href", "class", "id", "tabindex",
        "aria-labelledby", "aria-describedby", "aria-label", "role", "data-cite", "data-cites",
        "data-source", "value",
    }  # fmt: skip
    assert {tag for tag, _ in seen} <= template_tags
    assert {name for _, attrs in seen for name, _ in attrs} <= template_attributes
    assert [tag for tag, _ in seen].count("script") == 1
    assert all(
        not (v or "").startswith(("http", "//", "javascript")) for _, a in seen for k, v in a if k == "href"
    )


# --- outputs are never lost or half-written ----------------------------------------------------------


def test_a_disk_that_fills_up_mid_write_leaves_the_previous_brief(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Output(tmp_path / "brief.md")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = briefer(STORM, "--engine", "offline", "-o", str(target.path))
    error = assert_clean_failure(result, exit_code=1, output=target)
    assert "No space left on device" in error


def test_an_interrupted_run_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = Output(tmp_path / "brief.md")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("briefer.runs.pipeline.verify_draft", interrupted)
    result = briefer(STORM, "--engine", "offline", "-o", str(target.path))
    assert result.exit_code == 130 and result.stdout == "" and target.untouched()
    assert result.stderr.strip().splitlines()[-1] == "briefer: interrupted"
