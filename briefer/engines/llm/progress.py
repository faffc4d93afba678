"""Progress of a pool of model calls, as log events: what is done, calls, tokens, spend, time left.

Library code only logs (`extra={"data": {"event": "progress", ...}}`, so JSON logs carry the fields);
the CLI decides where the lines go: on a terminal they show at the default verbosity, `-q` hides them,
and a text log that is not a terminal drops them (`cli.common`). At most one line a second, plus the last.
"""

from __future__ import annotations

import logging
import threading
import time

from briefer.engines.llm.ledger import Ledger

log = logging.getLogger("briefer")

EVERY = 1.0  # seconds between progress lines


class Progress:
    def __init__(self, ledger: Ledger, total: int, what: str) -> None:
        self.ledger, self.total, self.what = ledger, total, what
        self.done = 0
        self._started = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()

    def tick(self) -> None:
        """One task finished; log a line if a second has passed (or it was the last)."""
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if now - self._last < EVERY and self.done < self.total:
                return
            self._last = now
            done, elapsed = self.done, now - self._started
        left = elapsed / done * (self.total - done) if done else 0.0
        u = self.ledger.usage
        tokens = u.prompt_tokens + u.completion_tokens
        cost = f"${u.cost_usd:.4f}" if self.ledger.priced else "cost unknown"
        log.info(
            "progress: %d/%d %s; %d calls, %s tokens, %s so far; about %.0fs left",
            done,
            self.total,
            self.what,
            u.calls,
            f"{tokens:,}",
            cost,
            left,
            extra={
                "data": {
                    "event": "progress",
                    "done": done,
                    "total": self.total,
                    "what": self.what,
                    "calls": u.calls,
                    "tokens": tokens,
                    "cost_usd": u.cost_usd,
                    "eta_seconds": round(left, 1),
                }
            },
        )
