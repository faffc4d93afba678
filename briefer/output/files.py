"""Writing outputs so that readers, and a run killed half-way, never see half a file.

`write_atomically` writes one file via a temporary file in the same folder and a rename. A batch topic
has several outputs (Markdown, JSON, its published-claims record); `write_together` stages every one
of them first and renames only once all are on disk, so a failure while writing leaves every previous
file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from briefer.core.errors import BrieferError

_UMASK = os.umask(0o022)  # read once, at import, in the main thread (os.umask can only be read by setting it)
os.umask(_UMASK)


def _stage(path: Path, text: str) -> Path:
    """The text, fsynced, in a temporary file next to `path` (same filesystem, so rename is atomic)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise BrieferError(f"cannot write {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            # mkstemp makes the file private (0600): give it the replaced file's mode, or the usual one
            os.fchmod(f.fileno(), path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_UMASK)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a brief."""
    write_together([(path, text)])


def write_together(files: Sequence[tuple[Path, str]]) -> None:
    """Stage every file, then rename them all into place: nothing is replaced unless all were written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            path = path.expanduser()
            staged.append((_stage(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
        for directory in {path.parent for _, path in staged}:
            _sync_directory(directory)
    except OSError as e:
        raise BrieferError(f"cannot write {e.filename or 'output'}: {e.strerror or e}") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def _sync_directory(directory: Path) -> None:
    """Make the renames durable across a power cut, where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
