"""The reader seam: one registry of readers, keyed by file suffix and by format name.

A reader takes a file's raw bytes (and its path) and returns what it extracted (`Extracted`: the text
citations will index, its encoding, the metadata it found, any leading furniture it recognised) or the
reason the file cannot be used. Readers of text formats call the decoder themselves; a reader of a
binary format (PDF, .docx) gets the bytes untouched. The walker accepts exactly the suffixes in
`READERS`, and `Document.format` is the name of the reader that made the document.

To add a format: write ``readers/x.py`` with ``read(raw: bytes, path: Path) -> Extracted | str``, add
a row to `READERS`, and add ``"x"`` to `Format` (readers/base.py) and to `Document.format`
(briefer.core.models). Sources without a suffix (a URL, stdin) pick their reader with `reader_named`.
"""

from __future__ import annotations

from pathlib import Path

from briefer.sources.readers import html, md, txt
from briefer.sources.readers.base import Extracted, Format, Reader, ReadFn

READERS: tuple[Reader, ...] = (
    Reader(format="txt", suffixes=(".txt",), read=txt.read),
    Reader(format="md", suffixes=(".md", ".markdown"), read=md.read),
    Reader(format="html", suffixes=(".html", ".htm"), read=html.read),
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


__all__ = ["READERS", "Extracted", "Format", "ReadFn", "Reader", "reader_for", "reader_named"]
