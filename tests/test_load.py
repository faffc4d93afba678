"""Tests for the load stage: walking, decoding, HTML extraction, metadata and page furniture."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from briefer.core.errors import InputError
from briefer.core.models import Document
from briefer.sources import LoadResult, load
from briefer.sources.bylines import byline as _byline
from briefer.sources.dates import find_date as _find_date
from briefer.sources.dates import to_datetime as _to_datetime
from briefer.sources.furniture import _repeats_title

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
IST = timezone(timedelta(hours=5, minutes=30))

BODY_1 = (
    "The city council approved a new budget on Tuesday after a debate that lasted more than six hours, "
    "with members split over spending on public transport."
)
BODY_2 = (
    "Officials said the plan would add 40 buses to the fleet next year, although opposition members "
    "questioned whether the money would be available."
)


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def non_blank_lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip().strip("\ufeff\u200b")
        if stripped:
            start = pos + line.index(stripped)
            out.append((start, start + len(stripped)))
        pos += len(line) + 1
    return out


def check_invariants(doc: Document) -> None:
    """Spans in bounds, sorted, disjoint and trimmed; every non-blank line is body or furniture."""
    n = len(doc.text)
    spans = sorted([(s.start, s.end) for s in doc.body] + [(f.start, f.end) for f in doc.furniture])
    for start, end in spans:
        assert 0 <= start < end <= n
        assert doc.text[start:end] == doc.text[start:end].strip()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, "spans overlap"
    assert [(s.start, s.end) for s in doc.body] == sorted((s.start, s.end) for s in doc.body)
    for start, end in non_blank_lines(doc.text):
        assert any(s <= start and end <= e for s, e in spans), f"line not covered: {doc.text[start:end]!r}"
    assert doc.body


def body_texts(doc: Document) -> list[str]:
    return [doc.text[s.start : s.end] for s in doc.body]


def furniture(doc: Document) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in doc.furniture:
        out.setdefault(f.reason, []).append(doc.text[f.start : f.end])
    return out


def load_one(path: Path) -> Document:
    result = load([path])
    assert len(result.documents) == 1, result.skipped
    check_invariants(result.documents[0])
    return result.documents[0]


# --- walking, skipping and errors -----------------------------------------------------------------


def test_loads_folder_recursively_sorted_with_stable_ids(tmp_path: Path) -> None:
    write(tmp_path / "b" / "story.txt", f"{BODY_1}\n")
    write(tmp_path / "a" / "story.txt", f"{BODY_2}\n")  # same name, other folder, other content
    write(tmp_path / "a" / "deep" / "er" / "note.md", f"{BODY_1} Again.\n")
    result = load([tmp_path])
    assert isinstance(result, LoadResult)
    paths = [d.path for d in result.documents]
    assert paths == sorted(paths)
    assert paths == [
        os.path.join(str(tmp_path), "a", "deep", "er", "note.md"),
        os.path.join(str(tmp_path), "a", "story.txt"),
        os.path.join(str(tmp_path), "b", "story.txt"),
    ]
    raw = (tmp_path / "a" / "story.txt").read_bytes()
    assert result.documents[1].id == "d" + hashlib.sha256(raw).hexdigest()[:10]
    assert [d.id for d in load([tmp_path]).documents] == [d.id for d in result.documents]
    assert result.skipped == []


def test_single_file_path_is_shown_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / "one.txt", BODY_1)
    doc = load_one(path)
    assert doc.path == str(path) and doc.format == "txt"


def test_skips_with_reasons_and_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "good.txt", BODY_1)
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "blank.md", " \n\t\r\n  \n")
    write(tmp_path / "nul.txt", b"abc\x00def\x00" * 20)
    write(tmp_path / "noise.txt", bytes(range(128, 256)) * 4)
    write(tmp_path / "image.png", b"\x89PNG")
    write(tmp_path / "notes.odt", b"PK")
    write(tmp_path / ".hidden.txt", BODY_2)
    write(tmp_path / ".git" / "story.txt", BODY_2)
    write(tmp_path / "big.txt", "word " * 200)
    with caplog.at_level(logging.WARNING, logger="briefer"):
        result = load([tmp_path], max_bytes=600)
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert [Path(d.path).name for d in result.documents] == ["good.txt"]
    assert reasons["empty.txt"].startswith("empty")
    assert "whitespace" in reasons["blank.md"]
    assert "binary" in reasons["nul.txt"]
    assert "binary" in reasons["noise.txt"] or "undecodable" in reasons["noise.txt"]
    assert "unsupported" in reasons["image.png"] and "unsupported" in reasons["notes.odt"]
    assert reasons[".hidden.txt"] == "hidden" and reasons[".git"] == "hidden"
    assert "too large" in reasons["big.txt"] and "600" in reasons["big.txt"]
    logged = [r.getMessage() for r in caplog.records if r.name == "briefer"]
    assert len(logged) == len(result.skipped)
    assert all(any(s.path in m and s.reason in m for m in logged) for s in result.skipped)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "good.txt", BODY_1)
    locked = write(tmp_path / "locked.txt", BODY_2)
    real_open = Path.open

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    result = load([tmp_path])
    assert len(result.documents) == 1
    assert result.skipped[0].path.endswith("locked.txt")
    assert "unreadable" in result.skipped[0].reason and "Permission denied" in result.skipped[0].reason


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_by_permissions(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", BODY_1)
    locked = write(tmp_path / "locked.txt", BODY_2)
    locked.chmod(0)
    try:
        result = load([tmp_path])
    finally:
        locked.chmod(0o644)
    assert "unreadable" in result.skipped[0].reason


def test_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match=f"no such file or directory: {missing}"):
        load([missing])


def test_nothing_loadable_raises_naming_paths(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "x.pdf", b"%PDF")
    with pytest.raises(InputError, match="no readable documents in") as info:
        load([tmp_path])
    assert str(tmp_path) in str(info.value)
    with pytest.raises(InputError, match="no readable documents"):
        load([])


def test_duplicate_content_kept_once_whatever_the_argument_order(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", f"{BODY_1}\n\n{BODY_2}\n")
    b = write(tmp_path / "copy" / "b.txt", f"{BODY_1}\n\n{BODY_2}\n")
    for args in ([tmp_path], [b, a], [a, b]):
        result = load(args)
        assert [d.path for d in result.documents] == [str(a)]
        assert [(s.path, s.reason) for s in result.skipped] == [(str(b), f"duplicate of {a}")]


def test_same_text_in_other_encoding_is_a_duplicate(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", f"{BODY_1}\n", "utf-8")
    write(tmp_path / "b.txt", f"{BODY_1}\r\n", "utf-16")
    result = load([tmp_path])
    assert len(result.documents) == 1 and result.skipped[0].reason.startswith("duplicate of")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "sub" / "story.txt", BODY_1)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(root / "sub", target_is_directory=True)
    result = load([root])
    assert [Path(d.path).name for d in result.documents] == ["story.txt"]
    assert any("already visited" in s.reason for s in result.skipped)


# --- decoding and newlines ------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_text_equals_universal_newline_read(tmp_path: Path, newline: str) -> None:
    content = f"Council approves budget\n\n{BODY_1}\n\n{BODY_2}\n".replace("\n", newline)
    path = write(tmp_path / "story.txt", content)
    doc = load_one(path)
    assert doc.encoding == "utf-8"
    with open(path, encoding=doc.encoding, newline=None) as handle:
        assert handle.read() == doc.text
    for span in doc.body:
        with open(path, encoding=doc.encoding) as handle:
            assert handle.read()[span.start : span.end] == doc.text[span.start : span.end]
    assert "\r" not in doc.text and body_texts(doc) == [BODY_1, BODY_2]


def test_mixed_newlines_and_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", f"\ufeffCouncil approves budget\r\n\r{BODY_1}\r\n{BODY_2}\n")
    doc = load_one(path)
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == doc.text
    assert doc.text.startswith("\ufeff") and doc.meta.title == "Council approves budget"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_western_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Café owners in São Paulo were naïve, said Müller.\r\nThe façade was repaired.\r\n"
    if encoding == "cp1252":
        text = "“Quoted” — " + text
    path = write(tmp_path / "story.txt", text, encoding)
    doc = load_one(path)
    assert doc.encoding == "cp1252"  # a superset of Latin-1's printable range
    assert doc.text == text.replace("\r\n", "\n")
    with open(path, encoding=doc.encoding) as handle:
        assert handle.read() == doc.text


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = f"Grüße aus Köln\r\n\r\n{BODY_1}\r\n"
    path = write(tmp_path / "story.txt", text, "utf-16")
    doc = load_one(path)
    assert doc.encoding.replace("_", "-").startswith("utf-16")
    assert doc.text == text.replace("\r\n", "\n")
    with open(path, encoding=doc.encoding) as handle:
        assert handle.read() == doc.text
    assert doc.meta.title == "Grüße aus Köln"


# --- HTML -----------------------------------------------------------------------------------------

ARTICLE_HTML = """<!doctype html>
<html><head><title>Harbour bridge reopens after storm | The Coastal Ledger</title>
<meta name="author" content="Maria Lopez"><meta property="og:site_name" content="The Coastal Ledger">
<meta property="article:published_time" content="2024-03-03T10:00:00Z">
<style>.lead {{ color: red }} STYLETEXT</style>
<script>var tracking = "SCRIPTTEXT";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World NAVTEXT</a></li></ul></nav>
<article>
<h1>Harbour bridge reopens after storm</h1>
<p>{b1}</p>
<p>{b2}</p>
<div style="display: none">HIDDENTEXT should never reach the text of the document at all.</div>
<p hidden>HIDDENATTR should never reach the text of the document either, hidden attribute.</p>
<p>"We are relieved," said Tom Baker, a ferry operator who lost business during the closure.</p>
<script>document.write("INLINESCRIPT")</script>
</article>
<section class="comments"><h3>Comments</h3><p>COMMENTTEXT Great article, thanks!</p></section>
<footer><p>FOOTERTEXT About us | Careers</p><p>© 2024 The Coastal Ledger. All rights reserved.</p></footer>
</body></html>
"""


def test_html_extraction_drops_script_nav_footer_hidden(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", ARTICLE_HTML.format(b1=BODY_1, b2=BODY_2))
    doc = load_one(path)
    assert doc.format == "html"
    for marker in (
        "SCRIPTTEXT",
        "STYLETEXT",
        "INLINESCRIPT",
        "NAVTEXT",
        "HIDDEN",
        "FOOTERTEXT",
        "COMMENTTEXT",
    ):
        assert marker not in doc.text
    assert BODY_1 in body_texts(doc) and BODY_2 in body_texts(doc)
    assert doc.meta.title == "Harbour bridge reopens after storm"
    assert doc.meta.author == "Maria Lopez" and doc.meta.outlet == "The Coastal Ledger"
    assert doc.meta.published_at is not None and doc.meta.published_at.date().isoformat() == "2024-03-03"
    assert "Harbour bridge reopens after storm" not in body_texts(doc)


def test_html_fallback_for_pages_trafilatura_rejects(tmp_path: Path) -> None:
    html = (
        "<html><body><nav>Menu NAVTEXT</nav><div hidden>HIDDENTEXT</div>"
        "<p>Short council note.</p><p>Meeting moved to Friday.</p><script>SCRIPTTEXT</script></body></html>"
    )
    doc = load_one(write(tmp_path / "short.htm", html))
    assert "Short council note." in doc.text and "Meeting moved to Friday." in doc.text
    for marker in ("NAVTEXT", "HIDDENTEXT", "SCRIPTTEXT"):
        assert marker not in doc.text


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", BODY_1)
    write(
        tmp_path / "empty.html",
        "<html><head><script>var a = 1;</script></head><body><nav>x</nav></body></html>",
    )
    result = load([tmp_path])
    assert len(result.documents) == 1
    assert result.skipped[0].path.endswith("empty.html") and "no text" in result.skipped[0].reason


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_front_matter_and_heading(tmp_path: Path) -> None:
    content = (
        '---\ntitle: "Budget passes after long debate"\nsource: Valley Courier\nauthor: Sam Reyes\n'
        f"published: 2024-05-02\ntags: [a, b]\n---\n\n# Budget passes after long debate\n\n{BODY_1}\n\n"
        f"* * *\n\n## What happens next\n\n{BODY_2}\n"
    )
    doc = load_one(write(tmp_path / "story.markdown", content))
    assert doc.format == "md"
    assert doc.meta.title == "Budget passes after long debate"
    assert doc.meta.outlet == "Valley Courier" and doc.meta.author == "Sam Reyes"
    assert doc.meta.published == "2024-05-02" and doc.meta.published_at == datetime(2024, 5, 2)
    found = furniture(doc)
    assert found["front matter"][0].startswith("---") and found["front matter"][0].endswith("---")
    assert found["repeated title"] == ["# Budget passes after long debate"]
    assert found["separator"] == ["* * *"]
    assert body_texts(doc) == [BODY_1, "## What happens next", BODY_2]


def test_markdown_heading_gives_title(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "story.md", f"# Rail strike called off\n{BODY_1}\n"))
    assert doc.meta.title == "Rail strike called off" and furniture(doc)["title"] == [
        "# Rail strike called off"
    ]


# --- furniture and metadata on invented articles --------------------------------------------------

WIRE_STYLE = f"""Oil prices climb as supply worries mount

By Jane Doe and John Roe
Example News Service

LONDON, March 3 (Wire) - {BODY_1}

Advertisement

{BODY_2}

Read more: Why fuel costs keep rising

(Reporting by Jane Doe; Additional reporting by John Roe; Editing by Ann Lee)
"""

AGENCY_STYLE = f"""Storm knocks out power to thousands

By JANE DOE and JOHN ROE
Updated 7:05 p.m. EST, March 3, 2024

WASHINGTON — {BODY_1}
Photo by Sam Lee/Getty Images
{BODY_2}

Copyright 2024 The Example Press. All rights reserved. This material may not be published or redistributed.
"""

BROADCAST_STYLE = f"""Ferry services resume after strike

Published: 3 March 2024 10:02 GMT

Share this article

{BODY_1}

Image: Kim Park

{BODY_2}

Follow us on social media for the latest updates

© 2024 Northfield Broadcasting. Northfield is not responsible for the content of external sites.
"""

NEWSPAPER_STYLE = f"""Council approves ‘historic’ transport budget
Sun 3 Mar 2024 10.02 GMT
Council approves 'historic' transport budget — update
COUNCIL APPROVES 'HISTORIC' TRANSPORT BUDGET
{BODY_1}
Protesters gather outside the town hall. Photograph: Kim Park/Reuters
{BODY_2}
Comments are moderated. Views expressed in comments do not reflect the views of The Valley Standard.
"""

PIPE_STYLE = f"""Schools to reopen next week

Asha Rao | Valley Times | Apr 02, 2025, 19:30 IST

{BODY_1}

{BODY_2}

Contact Us:
Email: newsdesk@example.org
Phone: +1 555 010 2030
12 Harbour Road, Floor 3, Springfield 560001

desk@example.org
https://example.org/newsletter
"""


def _load_text(tmp_path: Path, content: str, name: str = "story.txt") -> Document:
    return load_one(write(tmp_path / name, content))


def test_wire_style(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, WIRE_STYLE)
    found = furniture(doc)
    assert found["title"] == ["Oil prices climb as supply worries mount"]
    assert found["byline"] == ["By Jane Doe and John Roe", "Example News Service"]
    assert doc.meta.author == "Jane Doe and John Roe" and doc.meta.outlet == "Example News Service"
    assert set(found["boilerplate"]) == {
        "Advertisement",
        "Read more: Why fuel costs keep rising",
        "(Reporting by Jane Doe; Additional reporting by John Roe; Editing by Ann Lee)",
    }
    assert body_texts(doc) == [f"LONDON, March 3 (Wire) - {BODY_1}", BODY_2]


def test_agency_style(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, AGENCY_STYLE)
    found = furniture(doc)
    assert found["byline"] == ["By JANE DOE and JOHN ROE", "Updated 7:05 p.m. EST, March 3, 2024"]
    assert doc.meta.author == "Jane Doe and John Roe"
    assert doc.meta.published == "7:05 p.m. EST, March 3, 2024"
    assert doc.meta.published_at == datetime(2024, 3, 3, 19, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert found["image credit"] == ["Photo by Sam Lee/Getty Images"]
    assert len(found["copyright"]) == 1 and doc.meta.outlet == "The Example Press"
    assert body_texts(doc) == [f"WASHINGTON — {BODY_1}", BODY_2]


def test_broadcast_style(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, BROADCAST_STYLE)
    found = furniture(doc)
    assert found["byline"] == ["Published: 3 March 2024 10:02 GMT"]
    assert doc.meta.published == "3 March 2024 10:02 GMT"
    assert doc.meta.published_at == datetime(2024, 3, 3, 10, 2, tzinfo=UTC)
    assert doc.meta.author is None
    assert found["image credit"] == ["Image: Kim Park"]
    assert set(found["boilerplate"]) == {
        "Share this article",
        "Follow us on social media for the latest updates",
    }
    assert doc.meta.outlet == "Northfield Broadcasting"
    assert body_texts(doc) == [BODY_1, BODY_2]


def test_newspaper_style_repeated_titles_and_comment_disclaimer(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, NEWSPAPER_STYLE, "story.md")
    found = furniture(doc)
    assert doc.meta.title == "Council approves ‘historic’ transport budget"
    assert found["byline"] == ["Sun 3 Mar 2024 10.02 GMT"]
    assert doc.meta.published_at == datetime(2024, 3, 3, 10, 2, tzinfo=UTC)
    assert found["repeated title"] == ["COUNCIL APPROVES 'HISTORIC' TRANSPORT BUDGET"]
    assert found["image credit"] == ["Protesters gather outside the town hall. Photograph: Kim Park/Reuters"]
    assert len(found["comment disclaimer"]) == 1 and doc.meta.outlet == "The Valley Standard"
    # a near-repeat of the title (with extra words) is content, not furniture
    assert body_texts(doc) == ["Council approves 'historic' transport budget — update", BODY_1, BODY_2]


def test_pipe_byline_and_contact_block(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, PIPE_STYLE)
    found = furniture(doc)
    assert found["byline"] == ["Asha Rao | Valley Times | Apr 02, 2025, 19:30 IST"]
    assert doc.meta.author == "Asha Rao" and doc.meta.outlet == "Valley Times"
    assert doc.meta.published == "Apr 02, 2025, 19:30 IST"
    assert doc.meta.published_at == datetime(2025, 4, 2, 19, 30, tzinfo=IST)
    assert found["contact block"][:4] == [
        "Contact Us:",
        "Email: newsdesk@example.org",
        "Phone: +1 555 010 2030",
        "12 Harbour Road, Floor 3, Springfield 560001",
    ]
    assert "desk@example.org" in found["contact block"]
    assert "https://example.org/newsletter" in found["contact block"]
    assert body_texts(doc) == [BODY_1, BODY_2]


def test_ordinary_sentences_are_not_furniture(tmp_path: Path) -> None:
    lines = [
        "Council votes on budget",
        "On March 3, 2024, the council met to vote on the transport budget for next year.",
        "By the end of the day, officials had left the building without comment.",
        "In comments posted on social media, the mayor said the views of residents mattered.",
        "The band won a copyright case against the label in 2019, the court said.",
        "Subscribers to the service rose by 4% in the quarter.",
        "Contact between the two sides resumed in April.",
        "Shares of Getty Images rose 5% on Monday",
        "Photo agencies said demand was strong: Getty Images",
        BODY_1,
    ]
    doc = _load_text(tmp_path, "\n".join(lines) + "\n")
    assert body_texts(doc) == lines[1:]
    assert doc.meta.title == "Council votes on budget" and doc.meta.published is None


def test_single_paragraph_is_body_not_title(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, "Meeting moved to Friday\n")
    assert body_texts(doc) == ["Meeting moved to Friday"] and doc.meta.title is None


def test_file_with_only_furniture_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", BODY_1)
    write(tmp_path / "furniture.txt", "Advertisement\nShare this article\n© 2024 Example Media\n")
    result = load([tmp_path])
    assert len(result.documents) == 1 and "no body text" in result.skipped[0].reason


def test_hashtag_is_not_a_heading(tmp_path: Path) -> None:
    doc = _load_text(tmp_path, f"#MeToo campaign reaches parliament\n\n{BODY_1}\n")
    assert doc.meta.title == "#MeToo campaign reaches parliament"


@pytest.mark.parametrize(
    ("line", "title", "repeats"),
    [
        ("Bridge reopens", "Bridge reopens", True),
        ("BRIDGE  REOPENS", "Bridge reopens", True),
        ("Mayor’s “plan” – approved", 'Mayor\'s "plan" - approved', True),
        ("## Bridge reopens", "Bridge reopens", True),
        ("Bridge reopens", "Bridge reopens | The Coastal Ledger", True),
        ("Bridge reopens after storm", "Bridge reopens", False),
        ("Bridge", "Bridge reopens", False),
    ],
)
def test_repeats_title(line: str, title: str, repeats: bool) -> None:
    assert _repeats_title(line, title) is repeats


@pytest.mark.parametrize(
    ("line", "author", "outlet", "published", "published_at"),
    [
        ("By Jane Doe", "Jane Doe", None, None, None),
        ("By Jane Doe, Chief Economics Correspondent", "Jane Doe", None, None, None),
        ("By Jane Doe, Example News", "Jane Doe", "Example News", None, None),
        ("BY MARIA DE LA CRUZ", "Maria De La Cruz", None, None, None),
        ("Jane Doe | Wire | March 3, 2024", "Jane Doe", "Wire", "March 3, 2024", datetime(2024, 3, 3)),
        ("Jane Doe • 4 min read • 2 April 2025", "Jane Doe", None, "2 April 2025", datetime(2025, 4, 2)),
        ("March 3, 2024", None, None, "March 3, 2024", datetime(2024, 3, 3)),
        ("Updated March 3, 2024", None, None, "March 3, 2024", datetime(2024, 3, 3)),
        ("2024-03-03T10:00:00Z", None, None, "2024-03-03T10:00:00Z", datetime(2024, 3, 3, 10, tzinfo=UTC)),
        ("Posted on Mar. 3rd, 2024 at 8:15 am PDT", None, None, "Mar. 3rd, 2024 at 8:15 am PDT",
         datetime(2024, 3, 3, 8, 15, tzinfo=timezone(timedelta(hours=-7)))),
        ("Jane Doe, 3 March 2024 12:00 XYZ", "Jane Doe", None, "3 March 2024 12:00 XYZ",
         datetime(2024, 3, 3, 12)),  # unknown zone: naive
    ],
)  # fmt: skip
def test_byline_formats(
    line: str, author: str | None, outlet: str | None, published: str | None, published_at: datetime | None
) -> None:
    meta = _byline(line)
    assert meta is not None
    assert meta.get("author") == author
    assert meta.get("outlet") == outlet
    assert meta.get("published") == published
    assert meta.get("published_at") == published_at


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the day, officials had left.",
        "By Tuesday, the army had retreated from the town.",
        "On March 3, 2024 the council voted to approve the budget.",
        "Home | World | Sport",
        "The meeting is on 3 March 2024 at the town hall.",
    ],
)
def test_not_a_byline(line: str) -> None:
    assert _byline(line) is None


def test_date_parsing_edge_cases() -> None:
    def parse(text: str) -> datetime | None:
        match = _find_date(text)
        assert match is not None
        return _to_datetime(match)

    assert parse("12:30 a.m. GMT, 1 Jan 2024") == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert parse("Feb 30, 2024") is None  # not a real date: kept as text only
    assert parse("2024-03-03 10:00+05:30") == datetime(2024, 3, 3, 10, tzinfo=IST)
    cest = timezone(timedelta(hours=2))
    assert parse("Thursday, 4 July 2024 18:45 CEST") == datetime(2024, 7, 4, 18, 45, tzinfo=cest)


# --- the real seed articles -----------------------------------------------------------------------


def test_seeds() -> None:
    result = load([SEEDS])
    assert len(result.documents) == 2 and result.skipped == []
    first, second = result.documents
    for doc in result.documents:
        check_invariants(doc)
        with open(doc.path, encoding="utf-8") as handle:
            assert handle.read() == doc.text

    found = furniture(first)
    assert set(found) >= {"title", "byline", "repeated title", "image credit", "contact block", "copyright"}
    assert first.meta.title == "U.S. and Japan bolster defense ties amid North Korean backlash"
    assert first.meta.author == "Pranjal Chandra"
    assert first.meta.published == "Apr 02, 2025, 19:30 IST"
    assert first.meta.published_at == datetime(2025, 4, 2, 19, 30, tzinfo=IST)
    assert first.meta.outlet == "The TOI News"  # the brand after the notice, not the company holding it
    assert len(found["contact block"]) == 3

    found = furniture(second)
    assert set(found) == {"title", "repeated title", "comment disclaimer"}
    assert second.meta.title and second.meta.title.startswith("North Korea Condemns")
    assert second.meta.outlet == "Cnews Live"

    for doc in result.documents:
        body = "\n".join(body_texts(doc))
        for marker in ("©", "@", "Image credit", "comments posted", "Contact", "Sector 16A", " | "):
            assert marker not in body
        assert doc.meta.title not in body_texts(doc)


def test_a_hard_wrapped_paragraph_is_one_body_span_and_its_sentences_whole(tmp_path: Path) -> None:
    (tmp_path / "wrapped.txt").write_text(
        "Council closes bridge\n\n"
        "Millbrook's council approved a six-week closure of the Old Mill Road bridge on Tuesday in a 5-2 vote,\n"
        "with work to begin on March 3. Shop owners on Mill Street\n"
        "said they would lose customers.\n\n"
        "- Route 9 takes the traffic\n"
        "- the ferry runs every hour\n",
        encoding="utf-8",
    )
    from briefer.core.segment import segment

    doc = load([tmp_path]).documents[0]
    body = [s.text for s in segment(doc) if s.kind == "body"]
    assert body[0].endswith("in a 5-2 vote,\nwith work to begin on March 3."), body
    assert body[1] == "Shop owners on Mill Street\nsaid they would lose customers.", body
    assert not any(t.startswith("with work") for t in body)
    assert sum("Route 9" in t or "ferry" in t for t in body) <= 2 and not any(
        "Route 9" in t and "ferry" in t for t in body
    ), "list items stay apart"


def test_a_case_name_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "court.txt").write_text(
        "Court rules\n\nThe case, Sanchez v. Mayorkas, No. 20-315, could affect thousands of people. It was brought in 2019.\n",
        encoding="utf-8",
    )
    from briefer.core.segment import segment

    body = [s.text for s in segment(load([tmp_path]).documents[0]) if s.kind == "body"]
    assert body[0] == "The case, Sanchez v. Mayorkas, No. 20-315, could affect thousands of people.", body


def test_a_long_tabloid_headline_is_still_the_title(tmp_path: Path) -> None:
    """A first line of 30-odd words without end punctuation, a paragraph of its own, is the headline
    (the Daily Mail's kind); a first paragraph that ends with a full stop is body text."""
    headline = (
        "Ferry crossings are FALLING for the first time since June - signalling an end to the summer "
        "strike at the port of Ellis - as the city counts its losses and unions meet again"
    )
    (tmp_path / "a.txt").write_text(f"{headline}\n\nEllis Daily | 2021-09-07\n\n{BODY_1}\n", encoding="utf-8")
    (doc,) = load([tmp_path]).documents
    assert doc.meta.title == headline
    (tmp_path / "a.txt").write_text(f"{BODY_1} {BODY_1}\n\n{BODY_1}\n", encoding="utf-8")
    (doc,) = load([tmp_path]).documents
    assert doc.meta.title != BODY_1 + " " + BODY_1


def test_an_offline_run_of_text_files_loads_no_network_html_or_model_library(tmp_path: Path) -> None:
    """httpx, trafilatura, lxml and the model SDKs are imported where they are needed: a run of text
    files with the offline engine starts without them (a third of a second of every run's start-up)."""
    import subprocess

    (tmp_path / "a.txt").write_text("Ferry\n\nThe Ellis ferry carried 2.1 million people last year.\n")
    code = (
        "import sys, briefer; briefer.run([sys.argv[1]], engine='offline'); "
        "print(sorted(m for m in ('httpx', 'trafilatura', 'lxml', 'openai', 'instructor', 'tenacity') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize(
    ("line", "author", "outlet", "label"),
    [
        ("Julian Zelizer (Opinion) | 2021-09-01", "Julian Zelizer", None, "Opinion"),
        ("Katrina vanden Heuvel (Opinion) | 2021-09-01", "Katrina vanden Heuvel", None, "Opinion"),
        ("Washington Free Beacon (Opinion) | 2021-09-01", None, "Washington Free Beacon", "Opinion"),
        ("Mother Jones (Opinion) | 2021-09-01", None, "Mother Jones", "Opinion"),
        ("Miami Herald (Editorial) | 2021-09-01", None, "Miami Herald", "Editorial"),
        ("Al Jazeera | 2021-07-07", None, "Al Jazeera", None),
        ("Pew Research Center | 2021-09-02", None, "Pew Research Center", None),
        ("Guest Writer - Center (Opinion) | 2021-09-10", None, "Guest Writer - Center", "Opinion"),
        ("Jane Doe | 2021-07-07", "Jane Doe", None, None),
        ("PolitiFact (Fact Check) | 2021-07-07", None, "PolitiFact", "Fact Check"),
    ],
)  # fmt: skip
def test_a_columnist_before_a_label_is_the_writer_not_the_outlet(
    line: str, author: str | None, outlet: str | None, label: str | None
) -> None:
    """Aggregators name a column by its writer ("Julian Zelizer (Opinion) | date"): a name opened by a
    common given name, with no outlet word, is the writer (issue 12 item 8); an outlet's name stays
    the outlet, also one that reads like a name ("Mother Jones") or opens with an article ("Al")."""
    meta = _byline(line)
    assert meta is not None
    assert (meta.get("author"), meta.get("outlet"), meta.get("label")) == (author, outlet, label)


def test_a_caption_closed_by_its_agency_credit_is_furniture(tmp_path: Path) -> None:
    """A photo caption ("Demolition teams bring down ..., late Sunday, July 4, 2021, in Surfside,
    Florida. (Associated Press)") describes a picture the brief does not show: its closing credit
    marks the line as furniture, never a fact; a sentence naming the agency in its text stays body."""
    caption = "Crews bring down the north pier of the Ellis ferry terminal, late Sunday, July 4, 2021. (Associated Press)"
    body = (
        "The Associated Press reported that the ferry terminal was closed on Monday after the pier came down."
    )
    doc = _load_text(tmp_path, f"Pier demolished\n\n{caption}\n\n{body}\n")
    assert furniture(doc)["image credit"] == [caption]
    assert body_texts(doc) == [body]
