"""`briefer batch --cluster tcp://HOST:PORT`: the topics of a batch as tasks on a Dask cluster.

Why Dask (distributed, BSD-3): a mostly pure-Python install of about 37 MB with its dependencies (Ray's wheel
alone is 79 MB), a scheduler and workers that start from the command line or from Python on
127.0.0.1 in about a second, and futures that fit a batch of independent topics exactly. It is an
optional extra (`pip install 'briefer[cluster]'`): nothing imports it unless `--cluster` is given.

* The driver (the process that was started) validates the config, reads each topic's last published
  claims, and sends each topic as one task. The worker briefs it and returns a `TopicResult`: the
  rendered outputs, the published-claims record and the manifest record. The driver writes every
  file and the manifest (`topics.publish`); a worker never writes the user's files.
* The response cache stays with the driver. Each task carries the answers its topic used on its
  last run (`ResponseCache.answers_for`) in a `MemoryStore`; the worker returns the answers it had to
  ask for and the keys it used, the driver stores them. So a second run over unchanged sources makes
  no model calls on the cluster either, and workers need neither the cache file nor a shared disk
  for it. (Workers do need the sources at the same paths, e.g. a shared folder.)
* A worker that dies mid-topic: the scheduler runs the task again elsewhere; when that worker dies
  too, the scheduler gives up (`KilledWorker`) and the topic fails alone, with that reason in the
  manifest. "Retried once" is the scheduler's `distributed.scheduler.allowed-failures = 1`; the driver
  warns when the scheduler allows a different number.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.core.errors import ConfigError
from briefer.runs import context
from briefer.runs.batchconfig import BatchConfig, Topic
from briefer.runs.manifest import OutputRecord, TopicRecord
from briefer.runs.topics import TopicResult, brief_topic, output_paths

if TYPE_CHECKING:
    from briefer.engines.llm.cache import ResponseCache
    from briefer.runs.batch import Options
    from briefer.runs.history import Published

log = logging.getLogger("briefer")

CONNECT_TIMEOUT_S = 30
RETRIES = 1  # the scheduler's allowed-failures we expect: a topic is retried once on another worker


def brief_on_worker(
    topic: Topic,
    config: BatchConfig,
    base: Path,
    settings: Any,
    previous: Published | None,
    answers: dict[str, str] | None,
) -> TopicResult:
    """The task: brief one topic on a worker, with the driver's answers in memory (`answers` None:
    no cache). Writes nothing; returns the files to write and the answers the driver lacks."""
    from briefer.engines.llm.cache import MemoryStore
    from briefer.sources import FetchOptions

    store = MemoryStore(answers) if answers is not None else None
    # URLs are fetched on the worker without conditional-request records: those live in the driver's
    # cache folder, which a worker does not write.
    fetching = FetchOptions(cache_dir=None, timeout=config.batch.fetch_timeout)
    result = brief_topic(topic, config, base, settings, previous=previous, cache=store, fetching=fetching)
    if store is None:
        return result
    return TopicResult(result.record, result.files, answers=dict(store.new), used=sorted(store.used))


def topic_id(config: BatchConfig, base: Path, topic: Topic) -> str:
    """The cache's name for a topic: its config folder and name (two configs may share a name)."""
    return f"{base}::{topic.name}"


def run_on_cluster(
    address: str,
    config: BatchConfig,
    base: Path,
    settings: dict[str, Any],
    previous: dict[str, Published | None],
    options: Options,
) -> Iterator[tuple[int, TopicResult]]:
    """(index, result) of each topic as the cluster finishes it; the caller writes them."""
    try:  # imported by name: an optional extra, absent (and untyped) in most installs
        dask = importlib.import_module("distributed")
    except ImportError:
        raise ConfigError("--cluster needs the optional Dask extra: pip install 'briefer[cluster]'") from None
    cache = _driver_cache(settings, options)
    try:
        client = dask.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        if cache is not None:
            cache.close()
        raise ConfigError(f"--cluster: cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        yield from _run(dask, client, address, config, base, settings, previous, options, cache)
    finally:
        client.close()
        if cache is not None:
            cache.close()


def _run(
    dask: Any,
    client: Any,
    address: str,
    config: BatchConfig,
    base: Path,
    settings: dict[str, Any],
    previous: dict[str, Published | None],
    options: Options,
    cache: ResponseCache | None,
) -> Iterator[tuple[int, TopicResult]]:
    with client.as_current():  # this client, for this block only (it is not made the default)
        _check_retries(client)
        run = secrets.token_hex(4)
        futures = {}
        for index, topic in enumerate(config.topic):
            tid = topic_id(config, base, topic)
            answers = None if options.cache == "off" or cache is None else cache.answers_for(tid)
            future = client.submit(
                brief_on_worker,
                topic,
                config,
                base,
                settings[topic.name],
                previous[topic.name],
                answers,
                key=f"briefer-{run}-{index}-{topic.name}",
                pure=False,
            )
            futures[future] = (index, topic, tid)
        log.info("cluster %s: %d topic%s sent", address, len(futures), "s" * (len(futures) != 1))
        for future in dask.as_completed(list(futures)):
            index, topic, tid = futures[future]
            try:
                result: TopicResult = future.result()
            except Exception as e:
                result = _lost(topic, base, _why(e))
            if cache is not None and result.record.outcome == "success":
                for key, body in result.answers.items():
                    cache.put(
                        key,
                        body,
                        model=result.record.model or "",
                        prompt_hash=result.record.prompt_hash or "",
                    )
                cache.set_topic_keys(tid, result.used)
            yield index, result


def _driver_cache(settings: dict[str, Any], options: Options) -> ResponseCache | None:
    if options.cache == "off":
        return None
    from briefer.engines.llm.cache import open_cache

    folder = next((s.cache_dir for s in settings.values() if s is not None), None)
    return open_cache(folder)


def _check_retries(client: Any) -> None:
    """Warn when the scheduler would retry a topic whose worker died more (or less) than once."""
    try:
        allowed = client.run_on_scheduler(_allowed_failures)
    except Exception:  # an older scheduler, or a restricted one: nothing to check
        return
    if allowed != RETRIES:
        log.warning(
            "the Dask scheduler retries a task whose worker died %s time%s; start it with "
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1 to retry a topic once",
            allowed,
            "s" * (allowed != 1),
        )


def _allowed_failures(dask_scheduler: Any) -> int:
    return int(dask_scheduler.allowed_failures)


def _why(error: Exception) -> str:
    name = type(error).__name__
    if name == "KilledWorker":
        return (
            "a cluster worker died while briefing this topic, and again when it was retried on another "
            f"worker; not retried again ({' '.join(str(error).split())[:200]})"
        )
    return f"the cluster could not brief this topic: {name}: {' '.join(str(error).split())[:200]}"


def _lost(topic: Topic, base: Path, why: str) -> TopicResult:
    now = datetime.now(UTC)
    with context.topic(topic.name):
        record = TopicRecord(
            name=topic.name,
            outcome="failure",
            error=why,
            started_at=now,
            finished_at=now,
            seconds=0.0,
            outputs=[
                OutputRecord(path=str(p), format=f, written=False) for p, f in output_paths(topic, base)
            ],
        )
    return TopicResult(record)
