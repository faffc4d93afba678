"""What every reader shares: the format names, what a reader returns, and a registry entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefer.core.models import DocumentFormat, Furniture

Format = DocumentFormat  # a new reader adds its name to DocumentFormat in briefer.core.models


@dataclass(frozen=True)
class Extracted:
    """What a reader made of a file: `text` is what citations index, so it is kept exactly."""

    text: str
    encoding: str
    meta: dict[str, Any] = field(default_factory=dict)  # DocumentMeta fields the reader found
    furniture: tuple[Furniture, ...] = ()  # regions the reader recognised: front matter, HTML comments


# A reader: a file's raw bytes and its path in, what it extracted (or why the file is unusable) out.
ReadFn = Callable[[bytes, Path], Extracted | str]


@dataclass(frozen=True)
class Reader:
    """A registry entry: the format name a reader produces and the file suffixes it is chosen for."""

    format: Format
    suffixes: tuple[str, ...]  # lower case, with the dot
    read: ReadFn
