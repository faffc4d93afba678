"""What a log line should say about where it comes from: the batch topic being briefed.

A context variable rather than a module-level dict, so topics briefed side by side (threads or tasks)
each tag their own lines, and nothing outlives the `with topic(...)` block. The LLM engine runs its
calls in worker threads inside a copy of the caller's context, so their lines are tagged too. The CLI's
log filter (`briefer.cli.logs`) reads it; library code never installs handlers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

TOPIC: ContextVar[str | None] = ContextVar("briefer_topic", default=None)


@contextlib.contextmanager
def topic(name: str) -> Iterator[None]:
    """Tag every log record made inside the block (in this context) with the topic `name`."""
    token = TOPIC.set(name)
    try:
        yield
    finally:
        TOPIC.reset(token)
