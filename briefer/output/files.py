"""Writing outputs so that readers, and a run killed half-way, never see half a file.

`write_atomically` writes one file via a temporary file in the same folder and a rename. A batch topic
has several outputs (Markdown, JSON, its published-claims record); `write_together` stages every one
of them first and renames only once all are on disk, so a failure while writing leaves every previous
file as it was.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from briefer.core.errors import BrieferError


def _create(directory: Path, name: str) -> tuple[int, Path]:
    """A new, empty temporary file in `directory`, opened for writing. Created with mode 0666 so the
    process's umask applies exactly as for any new file (mkstemp would make it private, and reading the
    umask means setting it, process-wide)."""
    while True:
        tmp = directory / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _stage(path: Path, text: str) -> Path:
    """The text, fsynced, in a temporary file next to `path` (same filesystem, so rename is atomic)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise BrieferError(f"cannot write {path}: folder {directory} does not exist")
    fd, tmp = _create(directory, path.name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            if path.exists():  # a replaced file keeps its mode
                os.fchmod(f.fileno(), path.stat().st_mode & 0o7777)
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
