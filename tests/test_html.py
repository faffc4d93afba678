"""The HTML brief: escaped, self-contained, every citation's marked span exactly its quote.

The browser test drives Debian's Chromium (/usr/bin/chromium, installed by .ci/run) through
playwright's Python client over the DevTools protocol, with no browser download; it is skipped, with
the reason, only where Chromium or playwright is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefer.core.models import Brief, Citation, SummarySentence
from briefer.output import formats
from briefer.output.html import pieces, render_html
from briefer.output.render import printed_sentences
from briefer.runs.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCREENSHOT = ROOT / "docs" / "img" / "seeds-brief.png"
ASTRAL = "\U0001f1ef\U0001f1f5"  # a flag: two code points, four UTF-16 units


@pytest.fixture(scope="module")
def seeds_brief() -> Brief:
    return run([SEEDS], engine="offline")


@pytest.fixture(scope="module")
def emoji_brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    """The seeds with an emoji after every "Japan", so most citations start after astral characters."""
    folder = tmp_path_factory.mktemp("emoji")
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8").replace("Japan", f"Japan {ASTRAL}")
        (folder / path.name).write_text(text, encoding="utf-8")
    return run([folder], engine="offline")


def test_pieces_of_overlapping_spans_read_back_as_each_span():
    text = f"ab{ASTRAL}cdefgh"
    spans = [(1, 6, "c1"), (3, 9, "c2"), (0, 2, "c3")]
    got = pieces(text, spans)
    assert "".join(p.text for p in got) == text
    for s, e, key in spans:
        assert "".join(p.text for p in got if key in p.cites) == text[s:e]
        assert sum(key in p.starts for p in got) == 1


def test_source_text_is_escaped_and_the_page_requests_nothing(seeds_brief: Brief):
    doc = seeds_brief.documents[0]
    hostile = '<script>alert(1)</script><img src="http://evil.example/x.png"> \u202eevil'
    brief = seeds_brief.model_copy(deep=True)
    brief.documents[0] = doc.model_copy(update={"text": doc.text + hostile})
    brief.title = "<b>title</b> & co"
    page = render_html(brief)
    assert "<script>alert" not in page and "<img" not in page and "\u202e" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;title&lt;/b&gt; &amp; co" in page
    assert page.count("<script>") == 1  # ours, allowed by hash in the Content Security Policy
    assert "default-src &#39;none&#39;" in page and "script-src &#39;sha256-" in page
    for attribute in ('src="', "url(", "@import"):
        assert attribute not in page.replace(hostile, "")


def test_disputes_side_by_side_and_every_marker_has_its_tooltip(seeds_brief: Brief):
    brief = seeds_brief.model_copy(deep=True)
    disputed = [q for q in brief.open_questions if q.kind == "sources_disagree"]
    assert disputed, "the seeds brief has a dispute"
    # a dispute shows its accounts side by side; one whose accusation the page prints as a point
    # shows only the answer, which is no side of anything
    two_sided = disputed[0].model_copy(update={"sentences": [*brief.key_points[:1], *disputed[0].sentences]})
    brief.open_questions = [two_sided if q is disputed[0] else q for q in brief.open_questions]
    page = render_html(brief)
    sides = [q for q in brief.open_questions if q.kind == "sources_disagree" and len(q.sentences) > 1]
    assert page.count('class="question dispute"') == len(sides) >= 1
    assert page.count('class="side"') == sum(len(q.sentences) for q in sides)
    markers = page.count('class="cite"')
    assert markers >= len(brief.bottom_line) + len(brief.key_points)
    assert page.count('role="tooltip"') == markers == page.count('class="start"')
    for landmark in ("<header>", '<main id="main"', "<footer>", 'class="skip"'):
        assert landmark in page


def test_run_picks_html_from_the_output_extension(tmp_path: Path):
    out = tmp_path / "brief.html"
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "run", str(SEEDS), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert formats.from_extension("x.HTM") == "html" and formats.from_extension("x.json") == "json"


# --- in a real browser -------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_or_skip() -> str:
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright (a test dependency) is not installed")
    return CHROMIUM


def _open_every_citation(html: Path, profile: Path, screenshot: Path | None = None) -> dict[str, object]:
    """Load the page in headless Chromium, follow every citation marker by keyboard, and report what
    the page lit, its tooltips, console messages and every request it made."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=_browser_or_skip(), headless=True, args=FLAGS
        )
        try:
            page = context.new_page()
            requests: list[str] = []
            console: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.set_viewport_size({"width": 1000, "height": 1300})
            page.goto(html.as_uri())
            keys = page.eval_on_selector_all("a.cite", "els => els.map(e => e.dataset.cite)")
            tab_order = []
            for _ in range(3):  # the skip link, then the citations in reading order
                page.keyboard.press("Tab")
                tab_order.append(page.evaluate("document.activeElement.className"))
            page.hover(f"a.cite[data-cite='{keys[-1]}']")
            hover_tip = page.is_visible(f"#tip-{keys[-1]}")
            page.mouse.move(0, 0)
            if screenshot is not None:  # the first marker focused, so its tooltip shows
                page.focus(f"a.cite[data-cite='{keys[0]}']")
                page.screenshot(path=str(screenshot))
            seen = {}
            for key in keys:
                page.focus(f"a.cite[data-cite='{key}']")
                tip_shown = page.is_visible(f"#tip-{key}")
                page.keyboard.press("Enter")
                lit = page.eval_on_selector_all("mark.on", "els => els.map(e => e.textContent).join('')")
                opened = page.evaluate(
                    "k => document.getElementById(k).closest('details').open && "
                    "document.activeElement.matches('mark.on')",
                    key,
                )
                seen[key] = (page.text_content(f"#tip-{key}"), lit, tip_shown, opened)
            return {
                "seen": seen,
                "requests": requests,
                "console": console,
                "tab_order": tab_order,
                "hover_tip": hover_tip,
            }
        finally:
            context.close()


def _check_in_browser(brief: Brief, tmp_path: Path, screenshot: Path | None = None) -> int:
    html = tmp_path / "brief.html"
    html.write_text(render_html(brief), encoding="utf-8")
    result = _open_every_citation(html, tmp_path / "profile", screenshot)
    quotes = [c.quote for c in _citations(brief)]
    seen = result["seen"]
    assert isinstance(seen, dict) and seen
    for key, (tip, lit, tip_shown, opened) in seen.items():
        assert tip_shown, f"{key}: tooltip not shown on focus"
        assert opened, f"{key}: source not opened at the span"
        assert lit in quotes, f"{key}: lit {lit!r} is no citation's quote"
        assert tip.endswith(f"\u201c{lit}\u201d"), f"{key}: tooltip {tip!r} is not the lit span {lit!r}"
    assert result["console"] == []
    assert result["tab_order"] == ["skip", "cite", "cite"]
    assert result["hover_tip"] is True
    assert result["requests"] == [html.as_uri()]
    return len(seen)


def _printed(brief: Brief) -> list[SummarySentence]:
    return printed_sentences(brief)


def _citations(brief: Brief) -> list[Citation]:
    """Every citation on the page: the sentences', then the framing lines' ("How the outlets frame it")."""
    return [c for s in _printed(brief) for c in s.citations] + [x.citation for x in brief.framing]


def test_seeds_brief_in_chromium(seeds_brief: Brief, tmp_path: Path):
    _browser_or_skip()
    shot = tmp_path / "seeds-brief.png"
    checked = _check_in_browser(seeds_brief, tmp_path, screenshot=shot)
    assert checked == len(_citations(seeds_brief))
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # refresh the README's copy on purpose only
        shutil.copyfile(shot, SCREENSHOT)
    assert SCREENSHOT.exists(), "docs/img/seeds-brief.png (referenced from the README) is missing"


def test_emoji_brief_in_chromium(emoji_brief: Brief, tmp_path: Path):
    _browser_or_skip()
    docs = {d.id: d for d in emoji_brief.documents}
    citations = [c for s in _printed(emoji_brief) for c in s.citations]
    after_astral = [c for c in citations if ASTRAL in docs[c.doc_id].text[: c.start]]
    assert len(after_astral) >= len(citations) // 2  # so UTF-16 offsets would have missed them
    assert any(ASTRAL in c.quote for c in citations)
    assert _check_in_browser(emoji_brief, tmp_path) == len(_citations(emoji_brief))


def test_batch_outputs_take_html_from_the_extension_and_the_api_exports_it():
    import briefer
    from briefer.runs.batchconfig import Output

    assert Output.model_validate("out/storm.html").format == "html"
    assert Output.model_validate({"path": "out/storm.htm"}).format == "html"
    assert briefer.render_html is render_html


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_pass_wcag_aa_contrast():
    import re

    css = (ROOT / "briefer" / "output" / "static" / "brief.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z]+):(#[0-9a-f]{6})", css))
    pairs = [
        (var["ink"], var["paper"]),
        (var["muted"], var["paper"]),
        (var["link"], var["paper"]),
        (var["ink"], var["mark"]),
        (var["ink"], var["on"]),
        ("#ffffff", "#1a1a1a"),  # the tooltip
        ("#5c3d00", "#faf7f0"),  # a dispute's side label
        (var["link"], "#e6eefc"),  # a focused citation
    ]
    for fg, bg in pairs:
        assert fg in css and bg in css
        assert _contrast(fg, bg) >= 4.5, (fg, bg, _contrast(fg, bg))


def test_seeds_brief_reads_with_javascript_off(seeds_brief: Brief, tmp_path: Path):
    """Without the script, a focused marker still shows its quote, and following it opens the source
    at the span (the browser opens a <details> holding the target), whose first piece starts the quote."""
    chromium = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    html = tmp_path / "brief.html"
    html.write_text(render_html(seeds_brief), encoding="utf-8")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=True,
            args=FLAGS,
            java_script_enabled=False,
        )
        try:
            page = context.new_page()
            page.goto(html.as_uri())
            key = page.eval_on_selector_all("a.cite", "els => els.map(e => e.dataset.cite)")[-1]
            page.focus(f"a.cite[data-cite='{key}']")
            assert page.is_visible(f"#tip-{key}")
            tip = page.text_content(f"#tip-{key}") or ""
            page.keyboard.press("Enter")
            page.wait_for_url(f"**#{key}")
            target = page.locator(f"[id='{key}'] ~ mark").first
            assert target.is_visible()
            first_piece = target.text_content() or ""
            assert first_piece and tip.split("\u201c", 1)[1].startswith(first_piece)
        finally:
            context.close()


def test_single_source_and_new_since_sections(tmp_path: Path):
    from click.testing import CliRunner

    from briefer.cli.app import cli

    storm = ROOT / "tests" / "fixtures" / "storm"
    one = CliRunner().invoke(cli, ["run", str(storm / "coastal_herald.txt"), "--format", "html", "-q"])
    assert one.exit_code == 0 and "rests on a single source" in one.stdout
    previous = tmp_path / "previous.json"
    assert CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(previous), "-q"]).exit_code == 0
    later = CliRunner().invoke(
        cli, ["run", str(SEEDS), str(storm), "--since-brief", str(previous), "--format", "html", "-q"]
    )
    assert later.exit_code == 0 and '<h2 id="h-new">New since last brief (' in later.stdout
    new = later.stdout.split('id="h-new"', 1)[1].split("</section>", 1)[0]
    assert new.count("<li>") >= 1 and new.count('class="cite"') >= new.count("<li>")
