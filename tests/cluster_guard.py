"""Loaded into each Dask worker of tests/test_cluster.py (`dask worker --preload`): refuses, and
records, any write under $BRIEFER_TEST_NO_WRITES_UNDER, so the test can show that workers never write
the user's files (the driver does). An audit hook sees every `open` and rename in the process."""

from __future__ import annotations

import os
import sys
from typing import Any

GUARDED = os.environ.get("BRIEFER_TEST_NO_WRITES_UNDER", "")
WRITES: list[str] = []
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _inside(path: Any) -> bool:
    try:
        text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
    except TypeError:
        return False
    return bool(GUARDED and text and os.path.abspath(text).startswith(GUARDED))


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & _WRITING)
        if writing and _inside(path):
            WRITES.append(f"open {path}")
            raise PermissionError(f"a cluster worker may not write {path}")
    elif event in ("os.rename", "os.replace", "os.remove", "os.mkdir") and any(_inside(a) for a in args[:2]):
        WRITES.append(f"{event} {args[:2]}")
        raise PermissionError(f"a cluster worker may not change {args[:2]}")


if GUARDED:
    sys.addaudithook(_hook)


def writes() -> tuple[str, list[str]]:
    """What this worker guards (proof the hook is on) and the writes it refused."""
    return GUARDED, list(WRITES)


def dask_setup(worker: Any) -> None:  # the preload entry point; the hook is installed on import
    pass
