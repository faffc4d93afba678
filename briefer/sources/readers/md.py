"""Markdown files, kept as written (citations index the Markdown source), with front matter read as
metadata and HTML comments marked as furniture (a reader never sees them; a model must not either)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from briefer.core.models import Furniture
from briefer.sources.dates import find_date, to_datetime
from briefer.sources.decode import decode_text
from briefer.sources.furniture import merge, trim
from briefer.sources.readers.base import Extracted

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$", re.S | re.M)
# fmt: off
_FRONT_KEYS = {"title": "title", "author": "author", "by": "author", "date": "published",
               "published": "published", "outlet": "outlet", "source": "outlet", "publication": "outlet",
               "site": "outlet"}
# fmt: on
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # an unclosed comment runs to the end, as in HTML


def read(raw: bytes, path: Path) -> Extracted | str:
    """Markdown, kept as written; a front matter block gives metadata and is marked as furniture."""
    decoded = decode_text(raw)
    if isinstance(decoded, str):
        return decoded
    text, encoding = decoded
    meta: dict[str, Any] = {}
    marked: list[Furniture] = []
    if front := _FRONT.match(text):
        merge(meta, _front_matter(front.group(1)))
        start, end = trim(text, 0, front.end())
        marked.append(Furniture(start=start, end=end, reason="front matter"))
    for comment in _COMMENT.finditer(text, front.end() if front else 0):
        marked.append(Furniture(start=comment.start(), end=comment.end(), reason="HTML comment"))
    return Extracted(text=text, encoding=encoding, meta=meta, furniture=tuple(marked))


def _front_matter(block: str) -> dict[str, Any]:
    """`key: value` pairs of a Markdown front matter block mapped onto metadata fields."""
    meta: dict[str, Any] = {}
    for key, _, value in (line.partition(":") for line in block.split("\n")):
        field, value = _FRONT_KEYS.get(key.strip().lower()), value.strip().strip("'\"")
        if field and value and field not in meta:
            meta[field] = value
            if field == "published" and (date := find_date(value)):
                meta["published_at"] = to_datetime(date)
    return meta
