"""The LLM response cache: one SQLite file in the user's cache folder (or `--cache-dir`).

Why: a scheduled brief re-reads mostly the same articles every morning. The model's answer to an
identical request is reused, so an unchanged document is never sent twice and a second run over
unchanged sources makes no calls at all (and costs nothing).

* Key: sha256 of canonical JSON (sorted keys) of the model, the prompt hash, the settings that change
  an answer without appearing in the request (endpoint, structured-output mode) and the exact request
  body (messages, schema or tools, token limit, temperature). Any change to any of them is a miss.
* Concurrency: WAL mode (readers never block the writer), a busy timeout so a second process waits
  for a lock instead of failing, and every write is one short transaction. Within a process one
  connection per folder is shared by the extraction threads behind a lock.
* Crash safety: SQLite's journal makes each write all-or-nothing, so a process killed mid-write
  leaves the previous state. On top of that every row stores a sha256 of its body and the body is
  JSON-parsed on read; a row that fails either check is treated as a miss and deleted, never served.
* The cache never fails a run: an unreadable file or a failed write is logged and the call is made.

This module knows nothing about openai; `briefer.llm` turns the stored JSON back into a response.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import platformdirs
from pydantic import BaseModel

log = logging.getLogger("briefer")

FILE_NAME = "responses.sqlite3"
KEY_VERSION = 1  # bump when the key's ingredients change, so old rows simply stop matching
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    checksum TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""
# Which answers a batch topic used on its last run, so a cluster worker can be sent exactly those.
_TOPIC_SCHEMA = """
CREATE TABLE IF NOT EXISTS topic_keys (
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (topic, key)
)
"""


def default_dir() -> Path:
    """`~/.cache/briefer` on Linux (honours XDG_CACHE_HOME), the platform's cache folder elsewhere."""
    return platformdirs.user_cache_path("briefer")


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON")


def canonical(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, Unicode kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def request_key(request: Mapping[str, Any], *, prompt_hash: str, settings: Mapping[str, Any]) -> str | None:
    """The cache key of one HTTP request, or None when the request cannot be spelled as JSON (then it
    is simply not cached)."""
    try:
        text = canonical(
            {
                "v": KEY_VERSION,
                "model": request.get("model"),
                "prompt_hash": prompt_hash,
                "settings": dict(settings),
                "request": dict(request),
            }
        )
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checksum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Stats:
    path: Path
    entries: int
    bytes: int
    models: dict[str, int]
    oldest: float | None
    newest: float | None


class AnswerStore(Protocol):
    """What the client needs of a cache: the SQLite `ResponseCache`, or a `MemoryStore`."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, body: str, *, model: str, prompt_hash: str) -> None: ...

    def discard(self, key: str) -> None: ...

    def close(self) -> None: ...


class MemoryStore:
    """A cache held in memory: what a cluster worker uses. It starts from the answers the driver sent
    (those its topic used last time) and remembers which were used and which are new, so the driver can
    store the new ones in its SQLite file: workers never write to the driver's cache or disk."""

    def __init__(self, answers: Mapping[str, str] | None = None) -> None:
        self._answers = dict(answers or {})
        self.used: set[str] = set()
        self.new: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            body = self._answers.get(key)
            if body is not None:
                self.used.add(key)
            return body

    def put(self, key: str, body: str, *, model: str, prompt_hash: str) -> None:
        with self._lock:
            self._answers[key] = self.new[key] = body
            self.used.add(key)

    def discard(self, key: str) -> None:
        with self._lock:
            self._answers.pop(key, None)
            self.new.pop(key, None)

    def close(self) -> None:
        """Nothing to release: the answers stay readable for the task that returns them."""


class CacheUnavailable(Exception):
    """The cache file cannot be opened or is not a database."""


class ResponseCache:
    """Get and put response bodies (JSON text) by key. Thread-safe; safe across processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.expanduser()
        self.path = self.folder / FILE_NAME
        self._lock = threading.Lock()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._set_up()
        except (OSError, sqlite3.Error) as e:
            raise CacheUnavailable(f"cannot open the response cache {self.path}: {e}") from None

    def _set_up(self) -> None:
        """WAL mode and the schema. When two processes create the same new cache at once, SQLite can
        answer the switch to WAL with "database is locked" at once, without waiting out the busy
        timeout; that answer is retried here, for the same time the busy timeout allows."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")  # with WAL: crash-safe, fewer fsyncs
                self._db.execute(_SCHEMA)
                self._db.execute(_TOPIC_SCHEMA)
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def get(self, key: str) -> str | None:
        """The stored body, or None on a miss. A row whose checksum or JSON is wrong counts as a miss
        and is deleted, so a damaged entry is re-fetched rather than served."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT body, checksum FROM responses WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as e:
            log.warning("response cache read failed (%s); asking the model", e)
            return None
        if row is None:
            return None
        body, stored = row
        if isinstance(body, str) and checksum(body) == stored and _parses(body):
            return body
        log.warning("response cache entry %s… is damaged; discarding it", key[:12])
        self.discard(key)
        return None

    def put(self, key: str, body: str, *, model: str, prompt_hash: str) -> None:
        """Store one body in one transaction (all or nothing, even if the process dies)."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses (key, model, prompt_hash, body, checksum, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, model, prompt_hash, body, checksum(body), time.time()),
                )
        except sqlite3.Error as e:
            log.warning("response cache write failed (%s); continuing without caching this answer", e)

    def answers_for(self, topic: str) -> dict[str, str]:
        """The stored answers `topic` used on its last run (key -> body), damaged rows left out."""
        try:
            with self._lock:
                rows = self._db.execute(
                    "SELECT r.key, r.body, r.checksum FROM topic_keys t JOIN responses r ON r.key = t.key "
                    "WHERE t.topic = ?",
                    (topic,),
                ).fetchall()
        except sqlite3.Error as e:
            log.warning("response cache read failed (%s); the topic's answers are asked again", e)
            return {}
        return {k: b for k, b, c in rows if isinstance(b, str) and checksum(b) == c and _parses(b)}

    def set_topic_keys(self, topic: str, keys: list[str]) -> None:
        """Record the answers `topic` used on this run (replacing the last run's), in one transaction."""
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("DELETE FROM topic_keys WHERE topic = ?", (topic,))
                    self._db.executemany(
                        "INSERT OR IGNORE INTO topic_keys (topic, key) VALUES (?, ?)",
                        [(topic, k) for k in keys],
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as e:
            log.warning("response cache write failed (%s); continuing", e)

    def discard(self, key: str) -> None:
        try:
            with self._lock:
                self._db.execute("DELETE FROM responses WHERE key = ?", (key,))
        except sqlite3.Error:
            pass

    def stats(self) -> Stats:
        try:
            with self._lock:
                entries, oldest, newest = self._db.execute(
                    "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM responses"
                ).fetchone()
                models = dict(
                    self._db.execute(
                        "SELECT model, COUNT(*) FROM responses GROUP BY model ORDER BY COUNT(*) DESC"
                    ).fetchall()
                )
        except sqlite3.Error as e:
            raise CacheUnavailable(f"the response cache {self.path} is damaged: {e}") from None
        size = sum(p.stat().st_size for p in self.folder.glob(FILE_NAME + "*") if p.is_file())
        return Stats(self.path, entries, size, models, oldest, newest)

    def clear(self) -> int:
        """Delete every entry (the file stays, so another process holding it open is unaffected).
        CacheUnavailable when the file opens but its pages are damaged (the caller removes it)."""
        try:
            with self._lock:
                (removed,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
                self._db.execute("DELETE FROM responses")
                self._db.execute("DELETE FROM topic_keys")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.execute("VACUUM")
        except sqlite3.Error as e:
            raise CacheUnavailable(f"the response cache {self.path} is damaged: {e}") from None
        return int(removed)

    def integrity(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _parses(body: str) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def open_cache(folder: Path | str | None = None) -> ResponseCache | None:
    """The cache in `folder` (default: the user cache folder) for one run, or None with a warning when
    it cannot be opened: a broken cache costs calls, never the run. Each run opens its own connection
    and closes it when done (`LLMClient.close`); SQLite's WAL lets several share the file."""
    path = Path(folder).expanduser() if folder else default_dir()
    try:
        return ResponseCache(path)
    except CacheUnavailable as e:
        log.warning("%s; running without it (`briefer cache clear` resets it)", e)
        return None


def remove_files(folder: Path | str | None = None) -> list[Path]:
    """Delete the cache file and its WAL/shared-memory companions (for a file too damaged to open)."""
    path = Path(folder).expanduser() if folder else default_dir()
    removed = [p for p in path.glob(FILE_NAME + "*") if p.is_file()]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed
