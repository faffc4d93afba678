"""`briefer batch CONFIG.toml`: brief many topics on a schedule (cron, a systemd timer, CI).

Why it is shaped this way:

* The whole config is validated before anything runs, and every problem is reported with the file,
  the line and the key, because a scheduled job's mistakes are read the next morning.
* Topics run one after another, each on its own: one topic's failure is recorded and logged, and the
  next topic still runs. A topic's outputs and its record of published claims (for "New since last
  brief", `briefer.history`) are staged together and renamed into place only when all are written, so
  a failed or killed run leaves the previous brief exactly as it was.
* One manifest per run (JSON, written atomically at the end) records per topic what a person
  debugging a bad brief, or a cost report, needs: times, engine, model, prompt hash, documents used
  and skipped, verification figures, calls, cache hits, tokens, cost, outcome and error.
* An exclusive `flock` on `<manifest>.lock` refuses a second run of the same batch while one is
  running (exit 75); the kernel releases it when the process ends, however it ends.

Exit codes: 0 every topic succeeded, 1 every topic failed, 4 some failed, 2 invalid config, 75 another
run holds the lock.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from briefer.core.errors import BrieferError, ConfigError, InputError
from briefer.runs import context
from briefer.runs.batchconfig import BatchConfig, Topic, read_config
from briefer.runs.collisions import output_problems
from briefer.runs.manifest import Manifest, TopicRecord, total
from briefer.runs.topics import HISTORY_SUFFIX

log = logging.getLogger("briefer")

EXIT_OK, EXIT_ALL_FAILED, EXIT_CONFIG, EXIT_SOME_FAILED, EXIT_LOCKED = 0, 1, 2, 4, 75
_GLOB = re.compile(r"[*?\[]")


class AlreadyRunning(BrieferError):
    """Another `briefer batch` holds this batch's lock (EX_TEMPFAIL: try again later)."""

    exit_code = EXIT_LOCKED


@dataclass(frozen=True)
class Options:
    """What the command line adds to the config."""

    manifest: Path | None = None
    cache_dir: Path | None = None
    cache: Literal["on", "refresh", "off"] = "on"
    jobs: int | None = None  # topics briefed side by side (None: [batch] jobs, default 1)
    concurrency: int | None = None  # model requests in flight across the whole run
    cluster: str | None = None  # a Dask scheduler's address: brief the topics on that cluster
    batch_api: bool = False  # send the model requests through the provider's Batch API


def manifest_path(config_path: Path, config: BatchConfig, options: Options) -> Path:
    """--manifest, else [batch] manifest (relative to the config), else `<config>.manifest.json`."""
    if options.manifest:
        return options.manifest.expanduser().resolve()
    if config.batch.manifest:
        return (config_path.parent / Path(config.batch.manifest).expanduser()).resolve()
    return config_path.with_name(config_path.stem + ".manifest.json").resolve()


def resolve_sources(sources: list[str], base: Path) -> list[str]:
    """Source paths relative to `base` (the config's folder), globs expanded. A folder or file that is
    gone, or a pattern matching nothing, fails the topic: a brief silently missing a source misleads.
    URLs pass as they are: one that fails to fetch is a skipped source, reported with its reason."""
    from briefer.sources import is_url

    found: list[str] = []
    missing: list[str] = []
    for source in sources:
        if is_url(source):
            found.append(source)
            continue
        expanded = os.path.expanduser(source)
        if _GLOB.search(expanded):
            matches = sorted(glob.glob(expanded, root_dir=base, recursive=True))
            if not matches:
                missing.append(f"{source} matches no files")
            found.extend(matches)
        elif not (base / expanded).exists():
            missing.append(f"{source} does not exist")
        else:
            found.append(expanded)
    if missing:
        raise InputError(f"sources not found (relative to {base}): {'; '.join(missing)}")
    return found


@contextlib.contextmanager
def exclusive(lock: Path, config_path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole run, or raise AlreadyRunning at once."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no overlap protection
        log.warning("cannot lock %s on this platform; overlapping runs are not prevented", lock)
        yield
        return
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise BrieferError(f"cannot create the lock file {lock}: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise AlreadyRunning(
                f"another `briefer batch` is already running for {config_path}"
                f"{f' (pid {holder})' if holder.isdigit() else ''}; it holds {lock}. "
                "Not starting a second run."
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as e:  # a full disk: the lock is held all the same, only the pid is not recorded
            log.warning("cannot record the pid in %s: %s", lock, e.strerror or e)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _now() -> datetime:
    return datetime.now(UTC)


def _cache_dir(config: BatchConfig, options: Options, base: Path) -> Path | None:
    """--cache-dir, else [batch] cache_dir (relative to the config), else None: the user cache folder."""
    return options.cache_dir or (
        base / Path(config.batch.cache_dir).expanduser() if config.batch.cache_dir else None
    )


def _settings_flags(topic: Topic, config: BatchConfig, options: Options, base: Path) -> dict[str, Any]:
    cache_dir = _cache_dir(config, options, base)
    flags: dict[str, Any] = {"cache": options.cache, "model": topic.model or config.batch.model}
    if options.concurrency is not None:
        flags["concurrency"] = options.concurrency
    if cache_dir is not None:
        flags["cache_dir"] = str(cache_dir.expanduser().resolve())
    return flags


def preflight(config: BatchConfig, options: Options, base: Path) -> dict[str, Any]:
    """Each topic's LLM settings, loaded before any work: an engine that cannot run (`engine = "llm"`
    with no endpoint, a bad BRIEFER_* value) is a config error (exit 2), not a topic failure."""
    from briefer.engines.llm.settings import load_settings

    settings: dict[str, Any] = {}
    problems: list[str] = []
    for topic in config.topic:
        engine = topic.engine or config.batch.engine
        if engine == "offline":
            settings[topic.name] = None
            continue
        try:
            s = load_settings(_settings_flags(topic, config, options, base))
        except ConfigError as e:
            problems.append(f"topic {topic.name!r}: {e}")
            continue
        if engine == "llm" and not s.configured:
            problems.append(
                f'topic {topic.name!r}: engine = "llm" needs a model endpoint (OPENAI_API_KEY, '
                "OPENAI_BASE_URL or AZURE_OPENAI_ENDPOINT)"
            )
        settings[topic.name] = s
    if problems:
        raise ConfigError("cannot run the batch:\n  " + "\n  ".join(problems))
    return settings


def _log_topic(record: TopicRecord) -> None:
    u = record.usage
    data = {
        "outcome": record.outcome,
        "seconds": record.seconds,
        "calls": u.calls,
        "cache_hits": u.cache_hits,
        "cost_usd": u.cost_usd,
    }
    with context.topic(record.name):
        if record.outcome == "failure":
            log.error("failed: %s", record.error, extra={"data": {**data, "error": record.error}})
            return
        v = record.verification
        log.info(
            "done in %.1fs: %d/%d sentences supported, %d documents; %d call%s, %d from the cache, $%.4f; "
            "wrote %s",
            record.seconds,
            v.sentences_supported if v else 0,
            v.sentences_checked if v else 0,
            len(record.documents_used),
            u.calls,
            "s" * (u.calls != 1),
            u.cache_hits,
            u.cost_usd,
            ", ".join(o.path for o in record.outputs),
            extra={"data": data},
        )


def _run_topics(
    config: BatchConfig, base: Path, settings: dict[str, Any], options: Options
) -> list[TopicRecord]:
    """Brief every topic (one after another, `--jobs N` side by side in threads, or on a cluster) and
    publish each as it finishes, here, in this thread: the one writer of the user's files."""
    from briefer.runs.topics import brief_topic, previous_claims, publish
    from briefer.sources import FetchOptions, cache_folder

    previous = {}
    for t in config.topic:
        with context.topic(t.name):
            previous[t.name] = previous_claims(t, base)
    records: list[TopicRecord | None] = [None] * len(config.topic)
    if options.cluster:
        from briefer.runs.cluster import run_on_cluster

        finished = run_on_cluster(options.cluster, config, base, settings, previous, options)
    else:
        from briefer.runs.local import run_local

        jobs = options.jobs or config.batch.jobs
        if jobs > 1 and any(s is not None and s.configured for s in settings.values()):
            from briefer.engines.llm.client import import_sdks

            import_sdks()
        from briefer.engines.llm.deadline import RunLimit

        limiter = RunLimit(_concurrency(settings, options))  # also the run's stop signal
        cache_dir = _cache_dir(config, options, base)
        fetching = FetchOptions(
            cache_dir=None if options.cache == "off" else cache_folder(cache_dir),
            timeout=config.batch.fetch_timeout,
        )
        work = [
            partial(
                brief_topic,
                t,
                config,
                base,
                settings[t.name],
                previous=previous[t.name],
                limiter=limiter,
                through_batch_api=options.batch_api,
                fetching=fetching,
            )
            for t in config.topic
        ]
        finished = run_local(work, jobs, cancel=limiter.cancel)
    for index, result in finished:
        record = publish(result)
        _log_topic(record)
        records[index] = record
    return [r for r in records if r is not None]


def _concurrency(settings: dict[str, Any], options: Options) -> int:
    """The run's one limit on model requests in flight: --concurrency, else the (first) LLM topic's
    setting (BRIEFER_CONCURRENCY, the config file), shared by every topic briefed side by side."""
    if options.concurrency is not None:
        return options.concurrency
    return next((int(s.concurrency) for s in settings.values() if s is not None), 1)


def run_batch(config_path: Path, options: Options) -> tuple[Manifest, Path]:
    """Validate, lock, run every topic, write the manifest. ConfigError before anything runs."""
    from briefer.engines.llm.cache import default_dir
    from briefer.output.files import write_atomically

    config_path = config_path.expanduser().resolve()
    config = read_config(config_path)
    base = config_path.parent
    if options.batch_api and options.cache == "off":
        raise ConfigError("--batch-api keeps the Batch API's answers in the response cache; drop --no-cache")
    if options.batch_api and options.cluster:
        raise ConfigError("--batch-api and --cluster do not combine: the Batch API needs no cluster")
    manifest_file = manifest_path(config_path, config, options)
    clashes = output_problems(config, config_path, manifest_file, HISTORY_SUFFIX)
    if clashes:
        raise ConfigError(
            f"invalid batch config ({len(clashes)} problem{'s' * (len(clashes) != 1)}):\n  "
            + "\n  ".join(clashes)
        )
    settings = preflight(config, options, base)
    lock = manifest_file.with_name(manifest_file.name + ".lock")
    with exclusive(lock, config_path):
        started, clock = _now(), time.perf_counter()
        log.info("batch %s: %d topic%s", config_path, len(config.topic), "s" * (len(config.topic) != 1))
        records = _run_topics(config, base, settings, options)
        failed = sum(r.outcome == "failure" for r in records)
        outcome: Literal["success", "failure", "partial"] = (
            "success" if not failed else "failure" if failed == len(records) else "partial"
        )
        exit_code = {"success": EXIT_OK, "failure": EXIT_ALL_FAILED, "partial": EXIT_SOME_FAILED}[outcome]
        cache_dir = options.cache_dir or (base / config.batch.cache_dir if config.batch.cache_dir else None)
        manifest = Manifest(
            config=str(config_path),
            started_at=started,
            finished_at=_now(),
            seconds=round(time.perf_counter() - clock, 3),
            outcome=outcome,
            exit_code=exit_code,
            cache={"mode": options.cache, "dir": str(cache_dir or default_dir())},
            usage=total([r.usage for r in records]),
            topics=records,
        )
        try:
            manifest_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(manifest_file, manifest.model_dump_json(indent=2) + "\n")
        except (OSError, BrieferError) as e:
            written = len(records) - failed
            raise BrieferError(
                f"{written} of {len(records)} topic{'s' * (len(records) != 1)} succeeded (their outputs "
                f"were written), but the manifest was not: {e}"
            ) from None
    log.info(
        "batch %s: %d of %d topics succeeded; %d calls, %d from the cache, $%.4f; manifest %s",
        outcome,
        len(records) - failed,
        len(records),
        manifest.usage.calls,
        manifest.usage.cache_hits,
        manifest.usage.cost_usd,
        manifest_file,
        extra={"data": {"outcome": outcome, "exit_code": exit_code, "manifest": str(manifest_file)}},
    )
    return manifest, manifest_file
