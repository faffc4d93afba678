"""One topic of a batch, in two halves: briefing it (anywhere: the main thread, a worker thread, a
cluster worker) and publishing it (only ever in the process that was started, one topic at a time).

Why split: topics run side by side (`--jobs`, `--cluster`), but the user's files must still be written
atomically and together, by one writer, and never by a cluster worker. `brief_topic` therefore
returns what it would write (the rendered outputs and the published-claims record) inside a
`TopicResult`, and `publish` writes it. Both halves fail a topic alone and never raise for it.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.core.errors import BrieferError
from briefer.output import formats
from briefer.output.formats import FormatName
from briefer.runs import context
from briefer.runs.batchconfig import BatchConfig, Topic
from briefer.runs.manifest import OutputRecord, TopicRecord, UsedDocument, Verification

if TYPE_CHECKING:
    from briefer.engines.llm.cache import AnswerStore
    from briefer.runs.history import Published
    from briefer.sources import FetchOptions

log = logging.getLogger("briefer")


@dataclass(frozen=True)
class TopicResult:
    """A briefed topic, not yet written: its manifest record and the files to write (path, text).
    Picklable, so a cluster worker can send it back. `answers` are model answers a worker got that
    the driver's response cache lacks (key -> body); `used` the cache keys the topic asked for."""

    record: TopicRecord
    files: list[tuple[Path, str]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)


HISTORY_SUFFIX = ".published.json"  # a topic's history file: its first output's name + this


def history_path(first_output: Path) -> Path:
    """Where a topic's published claims are kept: next to its first output, so they travel with it."""
    return first_output.with_name(first_output.name + HISTORY_SUFFIX)


def output_paths(topic: Topic, base: Path) -> list[tuple[Path, FormatName]]:
    return [((base / Path(o.path).expanduser()).resolve(), o.format) for o in topic.outputs]


def previous_claims(topic: Topic, base: Path) -> Published | None:
    """The claims the topic's last brief published (read by the driver, sent to wherever it runs)."""
    from briefer.runs.history import read_published

    return read_published(history_path(output_paths(topic, base)[0][0]))


def _now() -> datetime:
    return datetime.now(UTC)


def brief_topic(
    topic: Topic,
    config: BatchConfig,
    base: Path,
    settings: Any,
    *,
    previous: Published | None = None,
    limiter: AbstractContextManager[Any] | None = None,
    cache: AnswerStore | None = None,
    through_batch_api: bool = False,
    fetching: FetchOptions | None = None,
) -> TopicResult:
    """Brief one topic and render its files, writing none of the user's files; never raises for the
    topic's failure. `fetching`: limits for `http(s)://` sources and where their conditional-request
    records are kept."""
    with context.topic(topic.name):
        return _brief(topic, config, base, settings, previous, limiter, cache, through_batch_api, fetching)


def _brief(
    topic: Topic,
    config: BatchConfig,
    base: Path,
    settings: Any,
    previous: Published | None,
    limiter: AbstractContextManager[Any] | None,
    cache: AnswerStore | None,
    through_batch_api: bool,
    fetching: FetchOptions | None,
) -> TopicResult:
    from briefer.runs.batch import resolve_sources
    from briefer.runs.history import published
    from briefer.runs.pipeline import choose_engine
    from briefer.runs.pipeline import run as run_pipeline

    started, clock = _now(), time.perf_counter()
    engine = topic.engine or config.batch.engine
    outputs = output_paths(topic, base)
    record: dict[str, Any] = {"name": topic.name, "engine": engine}
    files: list[tuple[Path, str]] = []
    chosen = None
    try:
        sources = resolve_sources(topic.sources, base)
        chosen = choose_engine(engine, settings, cache=cache, limiter=limiter)

        def run() -> Any:
            return run_pipeline(
                sources,
                engine=engine,
                max_words=topic.max_words or config.batch.max_words,
                settings=settings,
                since=previous,
                chosen=chosen,
                root=base,
                fetching=fetching,
            )

        brief = _through_batch_api(chosen[0], run) if through_batch_api else run()
        files = [(p, formats.render(brief, f)) for p, f in outputs]
        files.append(
            (history_path(outputs[0][0]), published(brief, topic.name).model_dump_json(indent=1) + "\n")
        )
        r = brief.report
        record.update(
            outcome="success",
            documents_used=[UsedDocument(path=d.path, id=d.id) for d in brief.documents],
            documents_skipped=r.documents_skipped,
            verification=Verification(**r.model_dump(include=set(Verification.model_fields))),
            new_since={"since": brief.new_since.since.isoformat(), "points": len(brief.new_since.points)}
            if brief.new_since
            else None,
        )
    except BrieferError as e:
        record.update(outcome="failure", error=str(e))
    except Exception as e:  # a bug in one topic must not stop the others
        log.debug("topic %s failed", topic.name, exc_info=True)
        record.update(outcome="failure", error=f"internal error: {type(e).__name__}: {e}")
    if chosen is not None:
        impl, reason = chosen
        impl.close()  # the topic's own cache connection (the engine opened it)
        record.update(
            usage=impl.usage,
            model=impl.model,
            prompt_hash=impl.prompt_hash,
            engine=impl.name,
            engine_reason=reason,
        )
    record["outputs"] = [OutputRecord(path=str(p), format=f, written=False) for p, f in outputs]
    done = TopicRecord(
        **record, started_at=started, finished_at=_now(), seconds=round(time.perf_counter() - clock, 3)
    )
    if done.outcome == "failure":
        files = []
    return TopicResult(done, files)


def _through_batch_api(impl: Any, run: Any) -> Any:
    """Run the pipeline with its model requests sent through the provider's Batch API."""
    from briefer.engines.llm.batchapi import through_batch_api

    client = getattr(impl, "client", None)
    if client is None:  # the offline engine makes no model requests
        return run()

    def round_() -> Any:
        impl.claims_dropped = 0  # counted afresh by each round, which re-runs the whole pipeline
        return run()

    return through_batch_api(client, round_)


def publish(result: TopicResult) -> TopicRecord:
    """Write a briefed topic's files atomically and together; a write that fails fails the topic
    (and leaves its previous files as they were). Only the process that was started calls this."""
    from briefer.output.files import write_together

    record = result.record
    if record.outcome == "failure" or not result.files:
        return record
    try:
        for path, _ in result.files:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_together(result.files)
    except (BrieferError, OSError) as e:
        return record.model_copy(update={"outcome": "failure", "error": f"cannot write the outputs: {e}"})
    written = [o.model_copy(update={"written": True}) for o in record.outputs]
    return record.model_copy(update={"outputs": written})
