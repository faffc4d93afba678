"""Readers for PDF, .docx, .eml and RSS/Atom, and `-` for standard input: text extracted, metadata
read, page spans kept, container parts named ``path#name``, citations exact on the extracted text,
and the seeds converted to PDF, .docx and .eml briefed to the same key facts as the text files.

Every input is made here (tests/fixtures/make_pdf.py and make_docx.py are small writers of our own;
e-mail through the standard library), so the tests need no converter and no network."""

from __future__ import annotations

import json
import logging
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from invariants import assert_json_invariants

import briefer
from briefer.cli.app import cli
from briefer.core.models import Brief
from briefer.sources import load
from briefer.sources.readers import reader_for, sniff

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

import sys  # noqa: E402  (the fixture writers are scripts in tests/fixtures, not a package)

sys.path.insert(0, str(FIXTURES))
from make_docx import make_docx  # noqa: E402
from make_pdf import SAMPLE, make_pdf, page_lines, text_pdf  # noqa: E402

ARTICLE = (
    "Harbour reopens after storm\n"
    "The port of Example reopened on Tuesday after a storm closed it for three days, the harbour authority said.\n"
    "Officials said 42 ships had waited offshore while crews cleared debris from the main channel.\n"
    '"We expect normal traffic by Friday," said Dana Reyes, the harbour master, who added that no one was hurt.\n'
)


def _citations_exact(brief: Brief) -> int:
    docs = {d.id: d for d in brief.documents}
    n = 0
    for s in brief.bottom_line + brief.key_points:
        for c in s.citations:
            assert docs[c.doc_id].text[c.start : c.end] == c.quote
            n += 1
    assert n
    return n


def _mail(
    body: str,
    *,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    subject: str = "Harbour reopens after storm",
) -> bytes:
    message = EmailMessage()
    message["From"] = "Dana Reyes <dana@harbour.example>"
    message["To"] = "desk@news.example"
    message["Subject"] = subject
    message["Date"] = "Wed, 02 Apr 2025 19:30:00 +0000"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_text_pages_and_metadata(tmp_path: Path) -> None:
    long = ARTICLE + "\n".join(
        f"Paragraph {i} says the harbour handled {i * 10} ships last year." for i in range(80)
    )
    (tmp_path / "a.pdf").write_bytes(
        text_pdf(long, title="Harbour reopens", author="Ana Lopez", date="D:20250402193000Z")
    )
    doc = load([tmp_path]).documents[0]
    assert doc.format == "pdf"
    assert doc.meta.title == "Harbour reopens" and doc.meta.author == "Ana Lopez"
    assert (
        doc.meta.published_at is not None and doc.meta.published_at.isoformat() == "2025-04-02T19:30:00+00:00"
    )
    # wrapped lines are rejoined: each paragraph is one line of the text
    assert (
        "The port of Example reopened on Tuesday after a storm closed it for three days, the harbour authority said."
        in doc.text.split("\n")
    )
    assert len(doc.pages) >= 2 and [p.page for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    assert doc.page_at(doc.text.index("The port")) == 1
    assert doc.page_at(doc.text.index("Paragraph 79 says")) == len(doc.pages)
    for page in doc.pages:
        assert doc.text[page.start : page.end].strip()


def test_pdf_without_text_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[], []]))
    (tmp_path / "a.txt").write_text(ARTICLE)
    with caplog.at_level(logging.WARNING, logger="briefer"):
        result = load([tmp_path])
    assert [d.path for d in result.documents] == [str(tmp_path / "a.txt")]
    (skipped,) = result.skipped
    assert "without a text layer" in skipped.reason and "OCR" in skipped.reason
    assert "scan.pdf: PDF without a text layer" in caplog.text


def test_pdf_broken_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    (tmp_path / "a.txt").write_text(ARTICLE)
    (skipped,) = load([tmp_path]).skipped
    assert skipped.reason.startswith(("unreadable PDF", "PDF without a text layer"))


def test_pdf_citations_exact_and_on_a_page(tmp_path: Path) -> None:
    for seed in SEEDS.glob("*.txt"):
        (tmp_path / f"{seed.stem}.pdf").write_bytes(text_pdf(seed.read_text(encoding="utf-8")))
    brief = briefer.run([tmp_path], engine="offline")
    assert _citations_exact(brief) >= 3
    docs = {d.id: d for d in brief.documents}
    assert all(docs[c.doc_id].page_at(c.start) for s in brief.key_points for c in s.citations)
    data = assert_json_invariants(briefer.render_json(brief))
    assert all(d["pages"] and d["format"] == "pdf" for d in data["documents"])


def test_committed_sample_pdf_is_what_its_script_makes(tmp_path: Path) -> None:
    made = make_pdf(
        page_lines(SAMPLE, width=60),
        title="Harbour reopens after storm",
        author="Ana Lopez",
        date="D:20250402193000Z",
    )
    assert (FIXTURES / "sample.pdf").read_bytes() == made
    doc = load([FIXTURES / "sample.pdf"]).documents[0]
    assert "42 ships had waited offshore" in doc.text and doc.meta.author == "Ana Lopez"


# --- Word --------------------------------------------------------------------------------------


def test_docx_paragraphs_table_and_core_properties(tmp_path: Path) -> None:
    data = make_docx(
        ARTICLE,
        title="Harbour reopens",
        author="Ana Lopez",
        created="2025-04-02T19:30:00Z",
        table=[["Ships", "42"], ["Days closed", "3"]],
    )
    (tmp_path / "a.docx").write_bytes(data)
    doc = load([tmp_path]).documents[0]
    assert doc.format == "docx"
    lines = doc.text.split("\n")
    assert (
        "Officials said 42 ships had waited offshore while crews cleared debris from the main channel."
        in lines
    )
    assert "Ships\t42" in lines
    assert doc.meta.title == "Harbour reopens" and doc.meta.author == "Ana Lopez"
    assert doc.meta.published_at is not None and doc.meta.published_at.year == 2025


def test_docx_not_word_and_not_zip(tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    (tmp_path / "a.docx").write_bytes(buffer.getvalue())
    (tmp_path / "b.docx").write_bytes(b"plain text, not a zip")
    (tmp_path / "c.txt").write_text(ARTICLE)
    reasons = {Path(s.path).name: s.reason for s in load([tmp_path]).skipped}
    assert reasons["a.docx"] == "not a Word document (no word/document.xml)"
    assert reasons["b.docx"].startswith("unreadable .docx")


# --- e-mail ------------------------------------------------------------------------------------


def test_eml_body_headers_and_attachments(tmp_path: Path) -> None:
    attached_pdf = text_pdf(
        "Storm report\nThe storm brought winds of 140 kilometres an hour to the coast on Saturday, forecasters said."
    )
    attached_docx = make_docx(
        "Cargo note\nShipping lines said 12 container vessels were diverted to the northern terminal."
    )
    raw = _mail(
        ARTICLE,
        attachments=[
            ("photo.png", b"\x89PNG....", "image/png"),
            ("report.pdf", attached_pdf, "application/pdf"),
            (
                "note.docx",
                attached_docx,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ],
    )
    (tmp_path / "mail.eml").write_bytes(raw)
    docs = {Path(d.path).name: d for d in load([tmp_path]).documents}
    assert sorted(docs) == ["mail.eml", "mail.eml#attachment-2", "mail.eml#attachment-3"]
    body = docs["mail.eml"]
    assert body.format == "eml" and "42 ships had waited offshore" in body.text
    assert body.meta.author == "Dana Reyes" and body.meta.title == "Harbour reopens after storm"
    assert (
        body.meta.published_at is not None
        and body.meta.published_at.isoformat() == "2025-04-02T19:30:00+00:00"
    )
    assert docs["mail.eml#attachment-2"].format == "pdf" and docs["mail.eml#attachment-2"].pages
    assert "140 kilometres an hour" in docs["mail.eml#attachment-2"].text
    assert (
        docs["mail.eml#attachment-3"].format == "docx"
        and "12 container vessels" in docs["mail.eml#attachment-3"].text
    )
    assert len({d.id for d in docs.values()}) == 3
    again = {Path(d.path).name: d.id for d in load([tmp_path]).documents}
    assert again == {name: d.id for name, d in docs.items()}  # ids are stable while the file is


def test_eml_html_only_body_goes_through_the_html_reader(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "desk@news.example"
    message["Subject"] = "Harbour"
    message.set_content(
        "<html><body><p>" + ARTICLE.replace("\n", "</p><p>") + "</p><script>alert(1)</script></body></html>",
        subtype="html",
    )
    (tmp_path / "m.eml").write_bytes(bytes(message))
    doc = load([tmp_path]).documents[0]
    assert "42 ships had waited offshore" in doc.text and "<p>" not in doc.text and "alert" not in doc.text
    assert doc.meta.author == "desk@news.example"


# --- feeds -------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Harbour Times</title><link>https://harbour.example/</link>
<item><title>Harbour reopens after storm</title><link>https://harbour.example/a</link>
<pubDate>Wed, 02 Apr 2025 19:30:00 GMT</pubDate><author>ana@harbour.example (Ana Lopez)</author>
<description>&lt;p&gt;The port of Example reopened on Tuesday after a storm closed it for three days, the harbour authority said.&lt;/p&gt;&lt;p&gt;Officials said 42 ships had waited offshore.&lt;/p&gt;</description></item>
<item><title>Storm damage counted</title><link>https://harbour.example/b</link>
<pubDate>Thu, 03 Apr 2025 08:00:00 GMT</pubDate>
<description>Insurers said the storm caused damage worth 3 million euros along the coast, according to early estimates.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Wire</title><id>urn:x</id><updated>2025-04-03T00:00:00Z</updated>
<entry><title>Ferries resume</title><id>urn:1</id><link href="https://coast.example/1"/><updated>2025-04-03T06:00:00Z</updated>
<author><name>Li Wei</name></author>
<content type="html">&lt;p&gt;Ferry services resumed on Wednesday morning after the storm, the operator said in a statement.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_items_are_documents(tmp_path: Path) -> None:
    (tmp_path / "harbour.rss").write_text(RSS)
    (tmp_path / "coast.xml").write_text(ATOM)
    docs = {Path(d.path).name: d for d in load([tmp_path]).documents}
    assert sorted(docs) == ["coast.xml#item-1", "harbour.rss#item-1", "harbour.rss#item-2"]
    first = docs["harbour.rss#item-1"]
    assert first.format == "feed" and first.meta.outlet == "Harbour Times"
    assert (
        first.meta.title == "Harbour reopens after storm" and first.meta.link == "https://harbour.example/a"
    )
    assert (
        first.meta.published_at is not None
        and first.meta.published_at.isoformat() == "2025-04-02T19:30:00+00:00"
    )
    assert "42 ships had waited offshore" in first.text and "<p>" not in first.text
    assert "3 million euros" in docs["harbour.rss#item-2"].text
    atom = docs["coast.xml#item-1"]
    assert (
        atom.meta.outlet == "Coast Wire"
        and atom.meta.author == "Li Wei"
        and "Ferry services resumed" in atom.text
    )


def test_xml_that_is_not_a_feed_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "data.xml").write_text("<?xml version='1.0'?><config><a>1</a></config>")
    (tmp_path / "a.txt").write_text(ARTICLE)
    (skipped,) = load([tmp_path]).skipped
    assert skipped.reason in {"not an RSS or Atom feed", "feed without items"}


# --- standard input ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["txt", "pdf", "eml", "rss"])
def test_stdin_is_a_source(tmp_path: Path, kind: str) -> None:
    data = {"txt": ARTICLE.encode(), "pdf": text_pdf(ARTICLE), "eml": _mail(ARTICLE), "rss": RSS.encode()}[
        kind
    ]
    result = CliRunner().invoke(cli, ["run", "-", "--engine", "offline", "--format", "json"], input=data)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    paths = [d["path"] for d in out["documents"]]
    assert paths[0] == "-" or paths[0].startswith("-#item-")
    assert out["documents"][0]["format"] == {"txt": "txt", "pdf": "pdf", "eml": "eml", "rss": "feed"}[kind]
    assert_json_invariants(result.stdout)


def test_sniffing() -> None:
    assert sniff(b"%PDF-1.7 ...").format == "pdf"
    assert sniff(b"PK\x03\x04...").format == "docx"
    assert sniff(RSS.encode()).format == "feed" and sniff(ATOM.encode()).format == "feed"
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>").format == "html"
    assert sniff(_mail("hi")).format == "eml"
    assert sniff(b"From the harbour, a report.\nNo headers here.").format == "txt"
    assert reader_for(Path("x.PDF")) is not None and reader_for(Path("x.docx")) is not None


# --- the seeds in other formats ----------------------------------------------------------------


def test_seeds_as_pdf_docx_eml_give_the_same_key_facts(tmp_path: Path) -> None:
    """The printed sentences of the brief (bottom line and key points) are the same from the text
    files and from their PDF, .docx and .eml conversions, and so are the claims."""
    sets = {}
    for fmt in ("txt", "pdf", "docx", "eml"):
        folder = tmp_path / fmt
        folder.mkdir()
        for seed in sorted(SEEDS.glob("*.txt")):
            text = seed.read_text(encoding="utf-8")
            target = folder / f"{seed.stem}.{fmt}"
            if fmt == "txt":
                shutil.copy(seed, target)
            elif fmt == "pdf":
                target.write_bytes(text_pdf(text))
            elif fmt == "docx":
                target.write_bytes(make_docx(text))
            else:
                target.write_bytes(_mail(text, subject=text.split("\n", 1)[0].strip()))
        brief = briefer.run([folder], engine="offline")
        _citations_exact(brief)
        printed = [s.text for s in brief.bottom_line + brief.key_points]
        claims = {" ".join(c.text.split()) for c in brief.claims}
        sets[fmt] = (printed, claims)
    printed_txt, claims_txt = sets["txt"]
    for fmt in ("pdf", "docx", "eml"):
        printed, claims = sets[fmt]
        # "How the outlets frame it" takes its words from the page first, and each format may read
        # the headline a little differently (the .eml's is its Subject), so the framing lines may
        # differ in length: the same facts in the same order, as far as the shorter page goes
        shorter = min(len(printed), len(printed_txt))
        assert shorter >= 5 and printed[:shorter] == printed_txt[:shorter], fmt
        assert claims == claims_txt, fmt


# --- hostile containers ------------------------------------------------------------------------


def test_docx_part_inflating_past_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefer.sources.readers import docx

    monkeypatch.setattr(docx, "MAX_PART_BYTES", 10_000)
    (tmp_path / "bomb.docx").write_bytes(make_docx(ARTICLE * 40))
    (tmp_path / "a.txt").write_text(ARTICLE)
    (skipped,) = load([tmp_path]).skipped
    assert skipped.reason.startswith("too large (word/document.xml inflates to")


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETVALUE")
    entity = f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "evil.rss").write_text(
        RSS.replace("<rss ", entity + "<rss ").replace("Harbour Times", "Harbour &x; Times")
    )
    doc_xml = make_docx(ARTICLE)
    (tmp_path / "feeds" / "a.docx").write_bytes(doc_xml)
    result = load([tmp_path / "feeds"])
    everything = json.dumps([d.model_dump(mode="json") for d in result.documents])
    assert "TOPSECRETVALUE" not in everything


def test_text_without_headers_is_not_mail(tmp_path: Path) -> None:
    (tmp_path / "x.eml").write_bytes(b"just some words, no header block at all")
    (tmp_path / "a.txt").write_text(ARTICLE)
    (skipped,) = load([tmp_path]).skipped
    assert skipped.reason == "not an e-mail message (no headers)"


REAL_PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")  # Debian's shared-mime-info


@pytest.mark.skipif(not REAL_PDF.is_file(), reason="Debian's shared-mime-info documentation is not installed")
def test_a_real_pdf_from_a_real_toolchain(tmp_path: Path) -> None:
    """A PDF made by DocBook tools (not by our writer): title, date, pages, and exact citations.
    Read in place from the Debian package's documentation, so nothing of its licence is copied here."""
    doc = load([REAL_PDF]).documents[0]
    assert doc.meta.title and doc.meta.title.startswith("Shared MIME-info Database")
    assert doc.meta.published_at is not None and len(doc.pages) > 5
    assert "This is version" in doc.text and doc.page_at(doc.text.index("This is version")) == 1
    brief = briefer.run([REAL_PDF], engine="offline")
    _citations_exact(brief)
