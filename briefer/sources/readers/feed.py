"""RSS and Atom feeds: each item a document (``feed.xml#item-3``, numbered from 1 in feed order),
with the item's title, the feed's title as outlet, its author, date and link as metadata, and its
content (else its summary) read through the HTML reader.

feedparser (BSD-2) parses the feed from the bytes given (never from a URL: fetching is
`briefer.sources.fetch`'s job, with its limits) and sanitises the item HTML. Only the item's own
text is briefed; the linked article is not fetched, so a feed of headlines with one-line summaries
gives short documents, which the loader skips when nothing but furniture is left.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefer.sources.decode import visible
from briefer.sources.readers import html
from briefer.sources.readers.base import Extracted, Part

MAX_ITEMS = 500


def read(raw: bytes, path: Path) -> list[Part] | str:
    """One part per item; the reason when the bytes are not a feed or it has no items."""
    import feedparser

    parsed = feedparser.parse(raw, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            return "not an RSS or Atom feed"
        return "feed without items"
    outlet = " ".join(str(parsed.feed.get("title", "")).split()) or None
    return [
        Part(name=f"item-{number}", content=_item(entry, outlet, path))
        for number, entry in enumerate(parsed.entries[:MAX_ITEMS], 1)
    ]


def _item(entry: Any, outlet: str | None, path: Path) -> Extracted | str:
    """An item's text and metadata; plain-text content is kept as it is, HTML goes through the reader."""
    meta: dict[str, Any] = {}
    for field, key in (
        ("title", "title"),
        ("author", "author"),
        ("link", "link"),
        ("published", "published"),
    ):
        if value := " ".join(str(entry.get(key, "")).split()):
            meta[field] = value
    if name := " ".join(str((entry.get("author_detail") or {}).get("name", "")).split()):
        meta["author"] = name  # `Ana Lopez`, not RSS's `ana@example.org (Ana Lopez)`
    if "published" not in meta and (updated := entry.get("updated")):
        meta["published"] = str(updated)
    if when := entry.get("published_parsed") or entry.get("updated_parsed"):
        meta["published_at"] = datetime.fromtimestamp(calendar.timegm(when), UTC)
    if outlet:
        meta["outlet"] = outlet
    value, kind = _content(entry)
    if not visible(value):
        return "feed item without text"
    if "html" not in kind:
        return Extracted(text=value.strip() + "\n", encoding="utf-8", meta=meta)
    extracted = html.read(value.encode("utf-8"), path)
    if isinstance(extracted, str):
        return extracted
    return Extracted(text=extracted.text, encoding="utf-8", meta={**extracted.meta, **meta})


def _content(entry: Any) -> tuple[str, str]:
    """The item's fullest text (content before summary) and its media type."""
    for content in entry.get("content") or []:
        if visible(str(content.get("value", ""))):
            return str(content["value"]), str(content.get("type", "text/html"))
    detail = entry.get("summary_detail") or {}
    return str(entry.get("summary", "")), str(detail.get("type", "text/html"))
