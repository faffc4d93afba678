"""The bounded parallel runner behind the LLM engine's concurrent calls (extraction, one per window).

One small module on purpose: how many calls may be in flight, what happens to queued work when one
fails, and what happens when the run is stopped, is one policy in one place.

* A task that fails stops the rest: no queued task starts, running ones finish, the failure is raised.
* A run that is stopped (the caller's thread gets KeyboardInterrupt, e.g. from SIGINT or the CLI's
  SIGTERM handler) sets `cancel`, drops every queued task at once (`cancel_futures=True`) and raises
  without waiting: the tasks in flight see `cancel` before their next request and abandon the one in
  flight within `deadline.POLL` seconds. This module installs no signal handler; the CLI does.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any


class _NotStarted(Exception):
    """A task skipped because an earlier one failed or the run was stopped."""


def run_bounded(
    tasks: list[Callable[[], Any]], workers: int, cancel: threading.Event | None = None
) -> list[Any]:
    """Run tasks on a bounded pool; the results in task order (see the module's policy)."""
    cancel = cancel or threading.Event()
    if len(tasks) <= 1:
        return [t() for t in tasks]
    stop = threading.Event()

    def guarded(task: Callable[[], Any]) -> Any:
        if stop.is_set() or cancel.is_set():
            raise _NotStarted
        try:
            return task()
        except BaseException:
            stop.set()
            raise

    pool = ThreadPoolExecutor(max_workers=min(workers, len(tasks)), thread_name_prefix="briefer-llm")
    try:
        # each task in a copy of the caller's context, so what it logs is tagged as the caller's is
        futures = [pool.submit(contextvars.copy_context().run, guarded, t) for t in tasks]
        while wait(futures, timeout=0.1, return_when=FIRST_EXCEPTION).not_done and not stop.is_set():
            pass  # short waits, so a signal reaches this thread at once
        if stop.is_set():
            wait(futures)
            raise next(e for f in futures if (e := f.exception()) and not isinstance(e, _NotStarted))
        return [f.result() for f in futures]
    except BaseException as e:
        if not isinstance(e, Exception):  # stopped: KeyboardInterrupt, SystemExit
            cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=False)
