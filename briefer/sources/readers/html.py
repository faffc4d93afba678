"""HTML pages: the main text, one line per block, as `briefer.sources.html` extracts it."""

from __future__ import annotations

from pathlib import Path

from briefer.sources.decode import decode_text, visible
from briefer.sources.html import extract_html
from briefer.sources.readers.base import Extracted


def read(raw: bytes, path: Path) -> Extracted | str:
    """The page's main text (one line per block) and the metadata the page declares."""
    decoded = decode_text(raw)
    if isinstance(decoded, str):
        return decoded
    text, meta = extract_html(decoded[0])
    if not visible(text):
        return "no text found in HTML"
    return Extracted(text=text, encoding=decoded[1], meta=meta)
