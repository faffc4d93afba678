"""A hard bound on one HTTP attempt, and the stop signal every request checks first.

The SDK's timeout is per socket operation: a server that drip-feeds one byte every half second never
trips it. So each attempt runs on a daemon thread while the caller waits on a clock: at `seconds` the
caller stops waiting and the attempt is abandoned (its socket closes with the thread or the process;
being a daemon it never holds up exit). The same wait wakes every 0.1 s to look at a `Cancel` event,
so a stopped run abandons requests in flight within a fraction of a second.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from briefer.core.errors import BrieferError

T = TypeVar("T")

POLL = 0.1  # seconds between looks at the clock and the cancel event


class AttemptTimeout(Exception):
    """An attempt ran past its whole-attempt deadline (`--timeout`): retried like an HTTP timeout."""


class Cancelled(BrieferError):
    """The run was stopped (SIGINT or SIGTERM): no further request is sent."""

    exit_code = 130


def bounded(call: Callable[[], T], seconds: float, cancel: threading.Event | None = None) -> T:
    """`call()`'s result, or `AttemptTimeout` once `seconds` have passed, or `Cancelled` as soon as
    `cancel` is set; the abandoned call finishes (or not) on its own daemon thread."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("stopped before the request was sent")
    done = threading.Event()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as e:  # handed to the waiting caller
            box["error"] = e
        finally:
            done.set()

    context = contextvars.copy_context()  # log lines from the attempt keep the caller's tags (batch topic)
    threading.Thread(target=context.run, args=(target,), name="briefer-attempt", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.wait(max(0.0, min(POLL, deadline - time.monotonic()))):
        if cancel is not None and cancel.is_set():
            raise Cancelled("stopped while a request was in flight")
        if time.monotonic() >= deadline:
            raise AttemptTimeout(f"no complete answer within {seconds:g}s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def interruptible_sleep(cancel: threading.Event) -> Callable[[float], None]:
    """A backoff sleep that ends early, with `Cancelled`, when the run is stopped."""

    def sleep(seconds: float) -> None:
        if cancel.wait(seconds):
            raise Cancelled("stopped while waiting to retry")

    return sleep


def retry_after(e: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `Retry-After` seconds or HTTP date)."""
    headers = getattr(getattr(e, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class RunLimit:
    """The limit on requests in flight shared by every topic of a `briefer batch --jobs N` run, and
    that run's stop signal: each topic's client takes `cancel` from it, so one stop (the batch runner
    sets it when the main thread is interrupted) halts every topic's requests, queued and in flight."""

    def __init__(self, slots: int) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.cancel = threading.Event()

    def __enter__(self) -> RunLimit:
        while not self._slots.acquire(timeout=POLL):
            if self.cancel.is_set():
                raise Cancelled("stopped while waiting for a free request slot")
        return self

    def __exit__(self, *exc: object) -> None:
        self._slots.release()
