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
from pathlib import Path
from typing import Any, Literal

from briefer.core.errors import BrieferError, ConfigError, InputError
from briefer.output import formats
from briefer.runs import context
from briefer.runs.batchconfig import BatchConfig, Topic, read_config
from briefer.runs.collisions import output_problems
from briefer.runs.manifest import Manifest, OutputRecord, TopicRecord, UsedDocument, Verification, total

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


def manifest_path(config_path: Path, config: BatchConfig, options: Options) -> Path:
    """--manifest, else [batch] manifest (relative to the config), else `<config>.manifest.json`."""
    if options.manifest:
        return options.manifest.expanduser().resolve()
    if config.batch.manifest:
        return (config_path.parent / Path(config.batch.manifest).expanduser()).resolve()
    return config_path.with_name(config_path.stem + ".manifest.json").resolve()


HISTORY_SUFFIX = ".published.json"


def history_path(first_output: Path) -> Path:
    """Where a topic's published claims are kept: next to its first output, so they travel with it."""
    return first_output.with_name(first_output.name + HISTORY_SUFFIX)


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


def run_topic(
    topic: Topic, config: BatchConfig, base: Path, settings: Any, options: Options | None = None
) -> TopicRecord:
    """Brief one topic and write its outputs; never raises for a topic's own failure."""
    with context.topic(topic.name):
        return _run_topic(topic, config, base, settings, options or Options())


def _run_topic(topic: Topic, config: BatchConfig, base: Path, settings: Any, options: Options) -> TopicRecord:
    from briefer.output.files import write_together
    from briefer.runs.history import published, read_published
    from briefer.runs.pipeline import choose_engine
    from briefer.runs.pipeline import run as run_pipeline
    from briefer.sources import FetchOptions, cache_folder

    started, clock = _now(), time.perf_counter()
    engine = topic.engine or config.batch.engine
    outputs = [((base / Path(o.path).expanduser()).resolve(), o.format) for o in topic.outputs]
    record: dict[str, Any] = {"name": topic.name, "engine": engine}
    chosen = None
    try:
        sources = resolve_sources(topic.sources, base)
        store = history_path(outputs[0][0])
        previous = read_published(store)
        chosen = choose_engine(engine, settings)
        cache_dir = _cache_dir(config, options, base)
        fetching = FetchOptions(
            cache_dir=None if options.cache == "off" else cache_folder(cache_dir),
            timeout=config.batch.fetch_timeout,
        )
        brief = run_pipeline(
            sources,
            engine=engine,
            max_words=topic.max_words or config.batch.max_words,
            settings=settings,
            since=previous,
            chosen=chosen,
            root=base,
            fetching=fetching,
        )
        files = [(p, formats.render(brief, f)) for p, f in outputs]
        files.append((store, published(brief, topic.name).model_dump_json(indent=1) + "\n"))
        for path, _ in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_together(files)
        r = brief.report
        record.update(
            outcome="success",
            engine=r.engine,
            engine_reason=r.engine_reason,
            model=r.model,
            prompt_hash=r.prompt_hash,
            documents_used=[UsedDocument(path=d.path, id=d.id) for d in brief.documents],
            documents_skipped=r.documents_skipped,
            verification=Verification(**r.model_dump(include=set(Verification.model_fields))),
            new_since={"since": brief.new_since.since.isoformat(), "points": len(brief.new_since.points)}
            if brief.new_since
            else None,
            outputs=[OutputRecord(path=str(p), format=f, written=True) for p, f in outputs],
        )
    except BrieferError as e:
        record.update(outcome="failure", error=str(e))
    except Exception as e:  # a bug in one topic must not stop the others
        log.debug("topic %s failed", topic.name, exc_info=True)
        record.update(outcome="failure", error=f"internal error: {type(e).__name__}: {e}")
    if chosen is not None:
        impl, reason = chosen
        impl.close()
        record.update(
            usage=impl.usage,
            model=impl.model,
            prompt_hash=impl.prompt_hash,
            engine=impl.name,
            engine_reason=reason,
        )
    if record["outcome"] == "failure":
        record["outputs"] = [OutputRecord(path=str(p), format=f, written=False) for p, f in outputs]
    finished = _now()
    return TopicRecord(
        **record, started_at=started, finished_at=finished, seconds=round(time.perf_counter() - clock, 3)
    )


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


def run_batch(config_path: Path, options: Options) -> tuple[Manifest, Path]:
    """Validate, lock, run every topic, write the manifest. ConfigError before anything runs."""
    from briefer.engines.llm.cache import default_dir
    from briefer.output.files import write_atomically

    config_path = config_path.expanduser().resolve()
    config = read_config(config_path)
    base = config_path.parent
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
        records = []
        for topic in config.topic:
            record = run_topic(topic, config, base, settings[topic.name], options)
            _log_topic(record)
            records.append(record)
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
