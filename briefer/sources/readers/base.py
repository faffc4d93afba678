"""What every reader shares: the format names, what a reader returns, and a registry entry.

One file usually makes one document. A container (an e-mail with attachments, a feed with items)
makes several: its reader returns `Part`s, each named by a fragment that is unique within the file
(``attachment-2``, ``item-3``; ``""`` is the file itself, e.g. an e-mail's body). The loader shows a
part as ``<path>#<name>`` and derives its id from the file's bytes and the name, so ids stay stable
across runs while the file is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefer.core.models import DocumentFormat, Furniture, Page

Format = DocumentFormat  # a new reader adds its name to DocumentFormat in briefer.core.models


@dataclass(frozen=True)
class Extracted:
    """What a reader made of a file: `text` is what citations index, so it is kept exactly."""

    text: str
    encoding: str
    meta: dict[str, Any] = field(default_factory=dict)  # DocumentMeta fields the reader found
    furniture: tuple[Furniture, ...] = ()  # regions the reader recognised: front matter, HTML comments
    pages: tuple[Page, ...] = ()  # paginated formats (PDF): each page's span of `text`


@dataclass(frozen=True)
class Part:
    """One document of a container file: its fragment name, what was read (or why it is unusable),
    and the format that read it when that is not the container's (a PDF attached to an e-mail)."""

    name: str  # "" for the file itself; else unique within the file: "attachment-2", "item-3"
    content: Extracted | str
    format: Format | None = None


# A reader: a file's raw bytes and its path in; what it extracted, the documents of a container, or
# why the file is unusable, out.
ReadFn = Callable[[bytes, Path], Extracted | list[Part] | str]


@dataclass(frozen=True)
class Reader:
    """A registry entry: the format name a reader produces and the file suffixes it is chosen for."""

    format: Format
    suffixes: tuple[str, ...]  # lower case, with the dot
    read: ReadFn
