"""PDF files: the text layer, with each page's span kept so a citation can say which page it is on.

pypdf (BSD-3) reads the text in its layout mode, which keeps a blank line where the page has a
vertical gap: that is how paragraphs are told from wrapped lines. Each paragraph's lines are joined
with a space (a line ending in a hyphen before a lower-case letter is joined without one), so a
sentence wrapped across lines is one line of `text`, as the line-based furniture rules and the
segmenter expect. Paragraphs are separated by a blank line, pages by a blank line too; `pages` maps
each page to its span. A PDF whose pages carry no text (a scan) is refused with that reason rather
than read as empty. Multi-column layouts are read across the columns: a known limit.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from briefer.core.models import Page
from briefer.sources.decode import visible
from briefer.sources.readers.base import Extracted

_GAP = re.compile(r"\n[ \t]*\n\s*")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
MAX_PAGES = 2000  # a bound on work for a hostile file; longer documents are cut with a warning


def read(raw: bytes, path: Path) -> Extracted | str:
    """The text of every page, paragraphs rejoined, with page spans and the document's /Info fields."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return "encrypted PDF (needs a password)"
        pages = [_page_text(page) for page in reader.pages[:MAX_PAGES]]
        info = _info(reader.metadata)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        return f"unreadable PDF ({type(exc).__name__}: {str(exc)[:80]})"
    except RecursionError:
        return "unreadable PDF (nested too deeply)"
    if not any(visible(p) for p in pages):
        return (
            f"PDF without a text layer ({len(pages)} page{'s' * (len(pages) != 1)} of images?); run OCR first"
        )
    text, spans = _join(pages)
    return Extracted(text=text, encoding="pdf", meta=info, pages=spans)


def _page_text(page: Any) -> str:
    """One page's paragraphs, each on one line, separated by blank lines."""
    try:
        laid_out = page.extract_text(extraction_mode="layout")
    except Exception:  # layout mode is stricter about odd fonts: fall back to the plain text flow
        laid_out = page.extract_text()
    paragraphs = [_one_line(p) for p in _GAP.split(laid_out.replace("\r", "\n"))]
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(paragraph: str) -> str:
    """A paragraph's wrapped lines as one line; layout padding collapsed to single spaces."""
    out = ""
    for line in (_SPACES.sub(" ", raw).strip() for raw in paragraph.split("\n")):
        if not line:
            continue
        if out.endswith("-") and line[:1].islower():
            out += line
        else:
            out += (" " if out else "") + line
    return out


def _join(pages: list[str]) -> tuple[str, tuple[Page, ...]]:
    """All pages' text and each page's span; an empty page keeps an empty span at its place. A
    paragraph running on to the next page (no sentence end before the break, lower case after it)
    is joined with a space, so the sentence across the break stays one sentence."""
    text, spans = "", []
    for number, page in enumerate(pages, 1):
        if text and page:
            text += " " if _runs_on(text, page) else "\n\n"
        spans.append(Page(start=len(text), end=len(text) + len(page), page=number))
        text += page
    return text + "\n", tuple(spans)


def _runs_on(before: str, after: str) -> bool:
    return (
        not before.rstrip().endswith((".", "!", "?", ":", '"', "\u201d", "'", "\u2019"))
        and after[:1].islower()
    )


def _info(metadata: Any) -> dict[str, Any]:
    """Title, author and creation date from the /Info dictionary, when they are set and not blank."""
    if metadata is None:
        return {}
    meta: dict[str, Any] = {}
    for field, value in (("title", metadata.title), ("author", metadata.author)):
        if isinstance(value, str) and value.strip():
            meta[field] = " ".join(value.split())
    try:
        created = metadata.creation_date
    except ValueError:  # a malformed date string
        created = None
    if isinstance(created, datetime):
        meta["published"] = created.isoformat()
        meta["published_at"] = created
    return meta
