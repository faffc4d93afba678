"""The bounded parallel runner behind the LLM engine's concurrent calls (extraction, one per window).

One small module on purpose: how many calls may be in flight, and what happens to queued work when
one fails, is one policy in one place.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any


class _NotStarted(Exception):
    """A task skipped because an earlier one failed."""


def run_bounded(tasks: list[Callable[[], Any]], workers: int) -> list[Any]:
    """Run tasks on a bounded pool. After the first failure no further task starts (tasks already
    running finish), and that failure is raised: the run stops at once and deterministically."""
    if len(tasks) <= 1:
        return [t() for t in tasks]
    stop = threading.Event()

    def guarded(task: Callable[[], Any]) -> Any:
        if stop.is_set():
            raise _NotStarted
        try:
            return task()
        except BaseException:
            stop.set()
            raise

    with ThreadPoolExecutor(max_workers=min(workers, len(tasks)), thread_name_prefix="briefer-llm") as pool:
        # each task in a copy of the caller's context, so what it logs is tagged as the caller's is
        futures = [pool.submit(contextvars.copy_context().run, guarded, t) for t in tasks]
        wait(futures, return_when=FIRST_EXCEPTION)
        if stop.is_set():
            wait(futures)
            raise next(e for f in futures if (e := f.exception()) and not isinstance(e, _NotStarted))
        return [f.result() for f in futures]
