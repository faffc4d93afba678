"""Plain text files."""

from __future__ import annotations

from pathlib import Path

from briefer.sources.decode import decode_text
from briefer.sources.readers.base import Extracted


def read(raw: bytes, path: Path) -> Extracted | str:
    """Plain text: the decoded file with universal newlines, nothing else."""
    decoded = decode_text(raw)
    return decoded if isinstance(decoded, str) else Extracted(text=decoded[0], encoding=decoded[1])
