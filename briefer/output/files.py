"""Writing outputs so that readers, and a run killed half-way, never see half a file, and so that `-o`
never replaces what is not ours to replace.

What `-o PATH` does depends on what is at PATH (`target`):

* nothing, or a regular file: written via a temporary file in the same folder and a rename, so a
  reader never sees half a brief and a failed run leaves the previous file as it was;
* a symlink to a regular file: the *target* is replaced the same way, and the link stays a link;
* a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe), or anything reached through
  `/proc` (`/dev/stdout` when stdout is a file): written directly, never renamed over;
* a folder, a dangling symlink, a socket or a block device: refused with a one-line error.

A batch topic has several outputs (Markdown, JSON, its published-claims record); `write_together`
stages every one of them first and renames only once all are on disk, so a failure while writing
leaves every previous file as it was. Staged files are removed on any exception, including the one
the CLI raises on SIGTERM (library code installs no signal handler).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefer.core.errors import BrieferError, InputError
from briefer.core.paths import shown

NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_TMP_EXTRA = len(".") + 1 + 8 + len(".tmp")  # ".{name}.{8 hex}.tmp"


@dataclass(frozen=True)
class Target:
    """Where the bytes of an output go, and how: `replace` via a temporary file and a rename,
    `direct` by opening the existing device or FIFO for writing."""

    given: Path  # the user's spelling, for messages
    path: Path  # what is written (a symlink's target when replacing through a link)
    how: Literal["replace", "direct"]


def target(given: Path) -> Target:
    """How `given` will be written, or BrieferError saying why it cannot be (see the module doc)."""
    path = given.expanduser()
    name = shown(given)
    try:
        info = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(
                f"cannot write {name}: it is a symlink to {shown(os.readlink(path))}, which does not exist"
            ) from None
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"cannot write {name}: folder {shown(folder)} does not exist") from None
        return Target(given, path, "replace")
    except OSError as e:
        raise InputError(f"cannot write {name}: {e.strerror or e}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot write {name}: it is a folder")
    real = Path(os.path.realpath(path))
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode) or str(real).startswith("/proc/"):
        return Target(given, path, "direct")
    if stat.S_ISREG(info.st_mode):
        return Target(given, real, "replace")
    raise InputError(f"cannot write {name}: not a regular file, character device or FIFO")


def check_writable(given: Path) -> None:
    """Fail before any work if `given` cannot be written: a missing folder, a folder as the path, a
    dangling link, or no write permission on the file or its folder."""
    t = target(given)
    probe = t.path if t.how == "direct" else (t.path.parent if str(t.path.parent) else Path("."))
    if not os.access(probe, os.W_OK):
        raise InputError(f"cannot write {shown(given)}: permission denied")


def temporary_name(name: str) -> str:
    """`.{name}.{8 hex}.tmp`, its name shortened when needed so it fits NAME_MAX bytes: a 250-byte
    output name is valid, so its temporary file must be too."""
    raw = os.fsencode(name)
    room = NAME_MAX - _TMP_EXTRA
    if len(raw) > room:
        name = os.fsdecode(raw[:room])  # may split a character: surrogateescape keeps the bytes
    return f".{name}.{secrets.token_hex(4)}.tmp"


def _create(directory: Path, name: str) -> tuple[int, Path]:
    """A new, empty temporary file in `directory`, opened for writing. Created with mode 0666 so the
    process's umask applies exactly as for any new file (mkstemp would make it private, and reading the
    umask means setting it, process-wide)."""
    while True:
        tmp = directory / temporary_name(name)
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _stage(path: Path, data: bytes) -> Path:
    """The bytes, fsynced, in a temporary file next to `path` (same filesystem, so rename is atomic)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = _create(directory, path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            if path.exists():  # a replaced file keeps its mode
                os.fchmod(f.fileno(), path.stat().st_mode & 0o7777)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_direct(path: Path, data: bytes) -> None:
    """Write into an existing device or FIFO: never created, truncated or renamed over."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()


def encode(text: str) -> bytes:
    """UTF-8; a lone surrogate (an undecodable file name that reached the text) becomes `\\xNN`."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode("utf-8")


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a brief."""
    write_together([(path, text)])


def write_together(files: Sequence[tuple[Path, str]]) -> None:
    """Stage every file, then rename them all into place: nothing is replaced unless all were written.
    Devices and FIFOs are written last, directly. Errors name the user's path, never a temporary one."""
    targets = [(target(path), encode(text)) for path, text in files]
    staged: list[tuple[Path, Target]] = []
    current: Target | None = None
    try:
        for t, data in targets:
            current = t
            if t.how == "replace":
                staged.append((_stage(t.path, data), t))
        for tmp, t in staged:
            current = t
            os.replace(tmp, t.path)
        for directory in {t.path.parent for _, t in staged}:
            _sync_directory(directory)
        for t, data in targets:
            current = t
            if t.how == "direct":
                _write_direct(t.path, data)
    except OSError as e:
        name = shown(current.given) if current else "output"
        raise BrieferError(f"cannot write {name}: {e.strerror or e}") from None
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
