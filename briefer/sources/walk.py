"""Walking folders and files: sorted, depth-first, safe against symlink loops and any depth; hidden
files and unsupported types skipped with a reason; bounded reads; the skipped-files summary."""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from briefer.core.models import Skipped
from briefer.core.paths import shown as display
from briefer.sources.readers import Reader, reader_for

log = logging.getLogger("briefer")

MAX_SKIP_LINES = 10  # beyond this, skipped files are summarised by reason instead of listed


def warn_skipped(skipped: list[Skipped]) -> None:
    """One warning per skipped file, or, for many (a folder of copies), a count per reason: a cron log
    should not drown in thousands of lines. Every skip stays in the run report and JSON output."""
    if len(skipped) <= MAX_SKIP_LINES:
        for s in skipped:
            log.warning("skipping %s: %s", s.path, s.reason)
    else:
        log.warning("%s; -v lists them, --format json records each", skip_summary(skipped)[2:-1])


def skip_summary(skipped: list[Skipped]) -> str:
    """`` (2 files skipped: 1 empty file, 1 binary file)`` for the one-line error when nothing loads."""
    if not skipped:
        return ""
    kinds: dict[str, int] = {}
    for s in skipped:
        kind = re.sub(r" \([^)]*\d[^)]*\)$|^(duplicate) of .*", r"\1", s.reason)  # sizes, paths: too varied
        kinds[kind] = kinds.get(kind, 0) + 1
    shown = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4])
    more = ", ..." if len(kinds) > 4 else ""
    return f" ({len(skipped)} skipped: {shown}{more})"


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether the real location of `path` is one of `roots` or under one (roots are real paths)."""
    real = Path(os.path.realpath(path))
    return any(real == root or root in real.parents for root in roots)


def walk(
    path: Path,
    shown: str,
    visited: set[tuple[int, int]],
    skip: Callable[[str, str], None],
    roots: Sequence[Path] = (),
) -> Iterator[tuple[str, Path, Reader]]:
    """Supported files under `path` in sorted (depth-first) order, each with the reader its suffix is
    registered to (`readers.py` alone decides what is supported); directories are tracked by device
    and inode so symlinked directories cannot loop. An explicit stack rather than recursion, so any
    depth of nesting works, and an entry the OS refuses (a name too long, a vanished file) is
    skipped with its reason instead of stopping the run.

    A symlink found inside a folder whose target is outside every one of `roots` (the real paths of
    what the user gave) is skipped unread: a link to `~/.ssh/id_rsa` or `/etc/passwd` dropped into a
    news folder must not be read, sent to a model or embedded in the JSON. Names are shown with
    `core.paths.shown`, so an undecodable file name never reaches a brief as invalid UTF-8."""
    stack = [(path, shown)]
    while stack:
        path, shown = stack.pop()
        try:
            info = path.stat() if path.is_dir() else None  # one call, not realpath's one per level
        except OSError as exc:
            skip(shown, f"unreadable ({exc.strerror or exc})")
            continue
        if info is None:
            if (reader := reader_for(path)) is None:
                skip(shown, f"unsupported file type ({path.suffix or 'no extension'})")
            else:
                yield shown, path, reader
            continue
        if (info.st_dev, info.st_ino) in visited:
            skip(shown, "directory already visited (symlink loop or repeated path)")
            continue
        visited.add((info.st_dev, info.st_ino))
        try:
            names = sorted(os.listdir(path))
        except OSError as exc:
            skip(shown, f"unreadable directory ({exc.strerror or exc})")
            continue
        children = []
        for name in names:
            child = os.path.join(shown, display(name))
            if name.startswith("."):
                skip(child, "hidden")
            elif roots and os.path.islink(path / name) and not inside(path / name, roots):
                skip(child, "symlink to a file outside the given folders")
            else:
                children.append((path / name, child))
        stack.extend(reversed(children))  # popped in sorted order


def read_file(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes (never more than max_bytes are read), or the reason it cannot be used."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > max_bytes:
            return _too_large(info.st_size, max_bytes)
        raw = _read_at_most(path, max_bytes)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if len(raw) > max_bytes:  # it grew after the size check
        return _too_large(len(raw), max_bytes)
    return raw if raw else "empty file"


def _read_at_most(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes, so a file that grows while it is read cannot exhaust memory."""
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large ({_size(size)}; files over {_size(max_bytes)} are skipped)"


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1_000_000:.3g} MB"
