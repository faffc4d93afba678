"""Topics side by side on one machine (`briefer batch --jobs N`): a pool of threads.

Threads, not processes: a topic's time goes to waiting on model calls (I/O, the GIL released), the
response cache is one SQLite connection per process guarded by a lock, and the run's one limit on
requests in flight (`--concurrency`) is a plain semaphore. Each topic runs inside a copy of the
caller's context, so its log lines carry its name (`briefer.runs.context`). Results come back as
each topic finishes; the caller, in the main thread, writes them.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed, wait

from briefer.runs.topics import TopicResult


def run_local(
    work: Sequence[Callable[[], TopicResult]], jobs: int, cancel: threading.Event | None = None
) -> Iterator[tuple[int, TopicResult]]:
    """(index, result) of each topic as it finishes: in order when `jobs` is 1, else as they come.
    `work` never raises for a topic's own failure (`topics.brief_topic`). When the main thread is
    stopped (SIGINT/SIGTERM arrive as KeyboardInterrupt), `cancel` is set, so every topic's requests
    stop, and topics not yet started never start."""
    if jobs <= 1 or len(work) <= 1:
        for index, brief in enumerate(work):
            yield index, brief()
        return
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(work)), thread_name_prefix="briefer-topic")
    futures = {pool.submit(contextvars.copy_context().run, brief): i for i, brief in enumerate(work)}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException as e:
        stopped = cancel is not None and not isinstance(e, Exception)
        if stopped and cancel is not None:
            cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        # the topics in flight end within a second once cancelled; a stopped run does not wait on one
        # that does not (the CLI then leaves without it): stopping must never hang
        wait(futures, timeout=STOP_GRACE if stopped else None)
        raise
    pool.shutdown(wait=True)


STOP_GRACE = 1.5  # seconds a stopped batch waits for its topics in flight to end
