"""The provider's Batch API (`--batch-api`): a run's model requests sent as batch files, for runs that
can wait (OpenAI-compatible `/v1/files` and `/v1/batches`; OpenAI bills them at half the list price).

How it fits the pipeline without changing it: the pipeline is staged (extract -> compose -> judge ->
repair), and each stage needs the previous stage's answers. So the run goes in rounds. In a round the
whole pipeline runs with the client in *gathering* mode: an answer in the response cache (or given
by an earlier batch of this run) is used as always; a request with no answer is gathered instead of
sent, and the stage stops (`Deferred`) once all its requests were tried. The gathered requests go
up as one batch file, the batch is polled (`batch_poll_interval`) for at most `batch_max_wait`
seconds, and each answer goes into the response cache. The next round then gets that far from the
cache and gathers the next stage's requests, until a round needs nothing: the brief is assembled
exactly as from live answers, because it *is* assembled from the same answers by the same code.

* Price: each answered request is a call in the ledger, billed at the batch price (`[batch]` in
  providers.toml). Before a batch goes up its worst case is reserved against `--max-cost`.
* Faults: a request the batch did not answer (the batch expired, failed or was cancelled at the
  max wait, or its line is in the error file, or the answer is cut off or does not parse) is asked
  live in the next round, through the normal path with its retries and `--max-cost` check.
* Progress: stderr says what was queued, how the batch is doing (status, done / failed of total)
  and what came back.

This module does not import openai: it drives the client's SDK object (`LLMClient.sdk`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from briefer.core.errors import BrieferError, ProviderError
from briefer.engines.llm.cache import canonical
from briefer.engines.llm.parallel import run_bounded

if TYPE_CHECKING:
    from briefer.engines.llm.client import LLMClient

log = logging.getLogger("briefer")

T = TypeVar("T")
ENDPOINT = "/v1/chat/completions"
TERMINAL = {"completed", "failed", "expired", "cancelled"}
MAX_ROUNDS = 40  # extract, compose, judge, repair, re-judge, each with re-asks: far fewer in practice


class Deferred(BrieferError):
    """A request was gathered for the Batch API instead of sent: the round stops here."""


class _Skipped:
    """What a gathered task returns in place of its answer."""


class BatchQueue:
    """The requests of one round, the answers batches gave this run, and what must go live."""

    def __init__(self, client: LLMClient, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self._sleep = sleep
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (stage, request)
        self._answers: dict[str, str] = {}
        self._live: set[str] = set()
        self._lock = threading.Lock()
        self.batches = 0

    # --- called by the client ------------------------------------------------------------------

    def answered(self, key: str) -> str | None:
        """The answer a batch of this run gave for `key` (already counted when it came back)."""
        with self._lock:
            return self._answers.get(key)

    def defer(self, stage: str, key: str, request: dict[str, Any]) -> None:
        """Gather this request for the next batch and stop (raise `Deferred`), unless a batch already
        failed to answer it: then it goes live (return)."""
        with self._lock:
            if key in self._live:
                return
            self._pending.setdefault(key, (stage, request))
        raise Deferred(f"{stage} request gathered for the Batch API")

    def gather(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        """Run every task of a stage (so one batch holds all its requests), then stop the round if any
        request was gathered."""

        def tried(task: Callable[[], Any]) -> Any:
            try:
                return task()
            except Deferred:
                return _Skipped()

        results = run_bounded([partial(tried, t) for t in tasks], self.client.settings.concurrency)
        if any(isinstance(r, _Skipped) for r in results):
            raise Deferred("requests gathered for the Batch API")
        return results

    # --- one batch -----------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def submit(self) -> None:
        """Send the gathered requests as one batch, wait for it (bounded), keep its answers; what it
        did not answer is marked to go live."""
        from briefer.engines.llm.sizing import worst_case

        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            raise ProviderError("the Batch API round gathered no requests; cannot make progress")
        ledger = self.client.ledger
        stages = ", ".join(dict.fromkeys(stage for stage, _ in pending.values()))
        reserved = 0.0
        try:
            for stage, request in pending.values():
                reserved += ledger.reserve(stage, *worst_case(request), batch=True)
            answers, problems = self._run(stages, pending)
        finally:
            ledger.release(reserved)
        missing = [key for key in pending if key not in answers]
        with self._lock:
            self._answers.update(answers)
            self._live.update(missing)
        if missing:
            why = "; ".join(dict.fromkeys(problems.values())) or "no answer"
            log.warning(
                "batch API: %s: %d of %d requests not answered (%s); asking for them live",
                stages,
                len(missing),
                len(pending),
                why[:200],
            )

    def _run(
        self, stages: str, pending: dict[str, tuple[str, dict[str, Any]]]
    ) -> tuple[dict[str, str], dict[str, str]]:
        from briefer.engines.llm.client import cacheable, parse_completion

        sdk, s = self.client.sdk, self.client.settings
        lines = "".join(
            canonical({"custom_id": key, "method": "POST", "url": ENDPOINT, "body": request}) + "\n"
            for key, (_, request) in pending.items()
        )
        self.batches += 1
        try:
            upload = sdk.files.create(file=("briefer-batch.jsonl", lines.encode("utf-8")), purpose="batch")
            batch = sdk.batches.create(input_file_id=upload.id, endpoint=ENDPOINT, completion_window="24h")
        except Exception as e:  # the endpoint has no Batch API, or refused: everything goes live
            log.warning("batch API: cannot submit the %s requests (%s); asking live", stages, _short(e))
            return {}, {key: "submission failed" for key in pending}
        log.info(
            "batch API: %s: %d request%s queued as %s",
            stages,
            len(pending),
            "s" * (len(pending) != 1),
            batch.id,
        )
        batch = self._wait(sdk, batch, stages, s.batch_poll_interval, s.batch_max_wait)
        answers: dict[str, str] = {}
        problems: dict[str, str] = {}
        for row in self._rows(sdk, getattr(batch, "output_file_id", None)):
            key, response = row.get("custom_id"), row.get("response") or {}
            if key not in pending:
                continue
            body = response.get("body")
            completion = parse_completion(json.dumps(body)) if isinstance(body, dict) else None
            if response.get("status_code") != 200 or completion is None or not cacheable(completion):
                problems[key] = (
                    f"HTTP {response.get('status_code')}"
                    if response.get("status_code") != 200
                    else "an incomplete answer"
                )
                continue
            text = completion.model_dump_json()
            usage = getattr(completion, "usage", None)
            self.client.ledger.add_batch_answer(
                getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0
            )
            self.client.remember(key, text)
            answers[key] = text
        for row in self._rows(sdk, getattr(batch, "error_file_id", None)):
            key = row.get("custom_id")
            if key in pending and key not in answers:
                error = row.get("error") or (row.get("response") or {}).get("body", {}).get("error") or {}
                problems[key] = (
                    str(error.get("message") or error.get("code") or "failed")
                    if isinstance(error, dict)
                    else "failed"
                )
        if batch.status != "completed":
            for key in pending:
                if key not in answers:
                    problems.setdefault(key, f"the batch {batch.status}")
        log.info(
            "batch API: %s: %s, %d answered, %d not",
            stages,
            batch.status,
            len(answers),
            len(pending) - len(answers),
        )
        return answers, problems

    def _wait(self, sdk: Any, batch: Any, stages: str, interval: float, max_wait: float) -> Any:
        """Poll until the batch ends or `max_wait` passes (then cancel it and take what it has)."""
        deadline = time.monotonic() + max_wait
        said = None
        while batch.status not in TERMINAL:
            counts = getattr(batch, "request_counts", None)
            line = (batch.status, getattr(counts, "completed", 0), getattr(counts, "failed", 0))
            if line != said:
                total = getattr(counts, "total", 0) or 0
                log.info(
                    "batch API: %s: %s, %d of %d done, %d failed", stages, line[0], line[1], total, line[2]
                )
                said = line
            if time.monotonic() >= deadline:
                log.warning("batch API: %s: not done after %.0fs; cancelling %s", stages, max_wait, batch.id)
                try:
                    sdk.batches.cancel(batch.id)
                    batch = sdk.batches.retrieve(batch.id)
                except Exception as e:
                    log.warning("batch API: cannot cancel %s (%s)", batch.id, _short(e))
                return batch
            self._sleep(min(interval, max(0.0, deadline - time.monotonic())))
            try:
                batch = sdk.batches.retrieve(batch.id)
            except Exception as e:  # a failed poll is retried at the next interval
                log.info("batch API: status of %s unavailable (%s); polling again", batch.id, _short(e))
        return batch

    def _rows(self, sdk: Any, file_id: str | None) -> list[dict[str, Any]]:
        """The JSON lines of a batch's output or error file (none when it has no such file)."""
        if not file_id:
            return []
        try:
            text = sdk.files.content(file_id).text
        except Exception as e:
            log.warning("batch API: cannot read file %s (%s)", file_id, _short(e))
            return []
        rows = []
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict):
                rows.append(row)
        return rows


def _short(e: Exception) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:160]


def through_batch_api(
    client: LLMClient, run: Callable[[], T], sleep: Callable[[float], None] = time.sleep
) -> T:
    """`run()` (the pipeline) with its model requests answered through the Batch API, in rounds."""
    queue = BatchQueue(client, sleep)
    client.batch = queue
    try:
        for _ in range(MAX_ROUNDS):
            try:
                return run()
            except Deferred:
                queue.submit()
        raise ProviderError(f"the Batch API run did not finish in {MAX_ROUNDS} rounds")
    finally:
        client.batch = None
