"""Topics side by side on one machine (`briefer batch --jobs N`): a pool of threads.

Threads, not processes: a topic's time goes to waiting on model calls (I/O, the GIL released), the
response cache is one SQLite connection per process guarded by a lock, and the run's one limit on
requests in flight (`--concurrency`) is a plain semaphore. Each topic runs inside a copy of the
caller's context, so its log lines carry its name (`briefer.runs.context`). Results come back as
each topic finishes; the caller, in the main thread, writes them.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from briefer.runs.topics import TopicResult


def run_local(work: Sequence[Callable[[], TopicResult]], jobs: int) -> Iterator[tuple[int, TopicResult]]:
    """(index, result) of each topic as it finishes: in order when `jobs` is 1, else as they come.
    `work` never raises for a topic's own failure (`topics.brief_topic`)."""
    if jobs <= 1 or len(work) <= 1:
        for index, brief in enumerate(work):
            yield index, brief()
        return
    with ThreadPoolExecutor(max_workers=min(jobs, len(work)), thread_name_prefix="briefer-topic") as pool:
        futures = {pool.submit(contextvars.copy_context().run, brief): i for i, brief in enumerate(work)}
        for future in as_completed(futures):
            yield futures[future], future.result()
