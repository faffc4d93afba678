"""The reader seam: one registry of readers, keyed by file suffix and by format name.

A reader takes a file's raw bytes (and its path) and returns what it extracted (`Extracted`: the text
citations will index, its encoding, the metadata it found, any leading furniture it recognised, page
spans for a paginated format), the documents of a container (`Part`s: an e-mail's body and
attachments, a feed's items; see readers/base.py for how they are named), or the reason the file
cannot be used. Readers of text formats call the decoder themselves; a reader of a
binary format (PDF, .docx) gets the bytes untouched. The walker accepts exactly the suffixes in
`READERS`, and `Document.format` is the name of the reader that made the document.

To add a format: write ``readers/x.py`` with ``read(raw: bytes, path: Path) -> Extracted | str`` (or
``list[Part]``), add
a row to `READERS`, and add ``"x"`` to `Format` (readers/base.py) and to `Document.format`
(briefer.core.models). Sources without a suffix (a URL, stdin) pick their reader with `reader_named` (from a declared
media type) or `sniff` (from the first bytes).
"""

from __future__ import annotations

import re
from pathlib import Path

from briefer.sources.readers import docx, eml, feed, html, md, pdf, txt
from briefer.sources.readers.base import Extracted, Format, Part, Reader, ReadFn

READERS: tuple[Reader, ...] = (
    Reader(format="txt", suffixes=(".txt",), read=txt.read),
    Reader(format="md", suffixes=(".md", ".markdown"), read=md.read),
    Reader(format="html", suffixes=(".html", ".htm"), read=html.read),
    Reader(format="pdf", suffixes=(".pdf",), read=pdf.read),
    Reader(format="docx", suffixes=(".docx",), read=docx.read),
    Reader(format="eml", suffixes=(".eml",), read=eml.read),
    Reader(format="feed", suffixes=(".rss", ".atom", ".xml"), read=feed.read),
)

# Media types (as a server declares them) to format names; the first matching fragment wins.
# fmt: off
_MEDIA = (("pdf", "pdf"), ("wordprocessingml", "docx"), ("rfc822", "eml"), ("rss", "feed"),
          ("atom", "feed"), ("html", "html"), ("xml", "feed"), ("markdown", "md"), ("text/plain", "txt"))
# fmt: on
_FEED_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype html|html|head|body)\b", re.S | re.I
)
_MAIL_START = re.compile(
    rb"\A(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version):[^\n]*\n)+", re.I
)


def _index(readers: tuple[Reader, ...]) -> tuple[dict[str, Reader], dict[str, Reader]]:
    """Readers by suffix and by format name; a suffix or name claimed twice is a mistake, not a choice."""
    by_suffix: dict[str, Reader] = {}
    by_format: dict[str, Reader] = {}
    for reader in readers:
        for key, table in [(suffix, by_suffix) for suffix in reader.suffixes] + [(reader.format, by_format)]:
            if table.setdefault(key, reader) is not reader:
                raise ValueError(f"two readers registered for {key}")
    return by_suffix, by_format


_BY_SUFFIX, _BY_FORMAT = _index(READERS)


def reader_for(path: Path) -> Reader | None:
    """The reader registered for the file's suffix (case-insensitive), or None: not supported."""
    return _BY_SUFFIX.get(path.suffix.lower())


def reader_named(fmt: str) -> Reader | None:
    """The reader registered under a format name, for sources without a suffix (a URL, stdin)."""
    return _BY_FORMAT.get(fmt)


def reader_for_media(media_type: str) -> Reader | None:
    """The reader for a declared media type (`Content-Type` without parameters), or None."""
    media = media_type.split(";")[0].strip().lower()
    return next((_BY_FORMAT[fmt] for key, fmt in _MEDIA if key in media), None)


def sniff(raw: bytes) -> Reader:
    """The reader the first bytes point at, for stdin and URLs that declare nothing useful: PDF and
    zip (.docx) by magic number, feeds and HTML by their first element, mail by its header block;
    anything else is read as plain text."""
    head = raw[:4096]
    if head.startswith(b"%PDF-"):
        return _BY_FORMAT["pdf"]
    if head.startswith(b"PK\x03\x04"):
        return _BY_FORMAT["docx"]
    if _FEED_START.match(head):
        return _BY_FORMAT["feed"]
    if _HTML_START.match(head):
        return _BY_FORMAT["html"]
    if _MAIL_START.match(head.replace(b"\r\n", b"\n")) and b"\n\n" in head.replace(b"\r\n", b"\n"):
        return _BY_FORMAT["eml"]
    return _BY_FORMAT["txt"]


__all__ = [
    "READERS",
    "Extracted",
    "Format",
    "Part",
    "ReadFn",
    "Reader",
    "reader_for",
    "reader_for_media",
    "reader_named",
    "sniff",
]
