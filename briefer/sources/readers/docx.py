"""Word .docx files: the paragraphs of the main document part, one per line, and the core properties
(title, author, created) as metadata.

Read with the standard library's zipfile and lxml (already a dependency through trafilatura) rather
than python-docx: only text is needed, and the XML is parsed with entities, DTDs and network access
off. Each part's declared size is checked before it is inflated, so a zip bomb is refused unread.
Tables are read row by row (cells separated by a tab); headers, footers, comments and notes are not
the article and are left out.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from briefer.sources.dates import find_date, to_datetime
from briefer.sources.decode import visible
from briefer.sources.readers.base import Extracted

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    "{http://purl.org/dc/terms/}created": "published",
}
MAX_PART_BYTES = 50_000_000  # inflated size of one XML part


def read(raw: bytes, path: Path) -> Extracted | str:
    """The document's paragraphs (one per line) and its core properties."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            body = _part(archive, "word/document.xml")
            if body is None:
                return "not a Word document (no word/document.xml)"
            core = _part(archive, "docProps/core.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        return f"unreadable .docx ({exc})"
    except _TooLarge as exc:
        return str(exc)
    try:
        text = "\n".join(_paragraphs(_parse(body)))
        meta = _core(_parse(core)) if core else {}
    except ValueError as exc:  # lxml's XMLSyntaxError is a ValueError
        return f"unreadable .docx (bad XML: {str(exc)[:80]})"
    if not visible(text):
        return "no text found in .docx"
    return Extracted(text=text + "\n", encoding="docx", meta=meta)


class _TooLarge(Exception):
    pass


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise _TooLarge(f"too large ({name} inflates to {info.file_size:,} bytes)")
    return archive.read(info)


def _parse(xml: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(xml, parser)


def _paragraphs(root: Any) -> list[str]:
    """The text of each top-level paragraph and table row of the body, in order; empty ones dropped."""
    out: list[str] = []
    body = root.find(f"{W}body")
    if body is None:
        return out
    for block in body:
        if block.tag == f"{W}p":
            out.append(" ".join(_runs(block).split()))
        elif block.tag == f"{W}tbl":
            for row in block.iter(f"{W}tr"):
                cells = [
                    " ".join(_runs(p) for p in cell.iter(f"{W}p")).strip() for cell in row.iter(f"{W}tc")
                ]
                out.append("\t".join(c for c in cells if c))
    return [line for line in out if line.strip()]


def _runs(paragraph: Any) -> str:
    """A paragraph's text: its runs' text, tabs and line breaks as spaces (a paragraph is one line)."""
    parts: list[str] = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append(" ")
    return "".join(parts)


def _core(root: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for child in root:
        field = _CORE.get(child.tag)
        value = " ".join((child.text or "").split())
        if field and value:
            meta[field] = value
            if field == "published":
                meta["published_at"] = _when(value)
    return meta


def _when(value: str) -> datetime | None:
    """dcterms:created is W3C date-time (`2025-04-02T19:30:00Z`); anything else as the date finder reads it."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        date = find_date(value)
        return to_datetime(date) if date else None
