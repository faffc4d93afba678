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
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from briefer import __version__
from briefer.core.errors import BrieferError, ConfigError, InputError
from briefer.core.models import Skipped, Usage
from briefer.output import formats
from briefer.output.formats import FormatName
from briefer.runs import context

log = logging.getLogger("briefer")

EXIT_OK, EXIT_ALL_FAILED, EXIT_CONFIG, EXIT_SOME_FAILED, EXIT_LOCKED = 0, 1, 2, 4, 75
EXIT_CODES_HELP = (
    "Exit codes: 0 every topic succeeded, 1 every topic failed, 4 some topics failed (see the manifest), "
    "2 invalid config or usage (nothing ran), 75 another run of this batch is in progress (nothing ran)."
)
EngineName = Literal["auto", "offline", "llm"]
_GLOB = re.compile(r"[*?\[]")


class AlreadyRunning(BrieferError):
    """Another `briefer batch` holds this batch's lock (EX_TEMPFAIL: try again later)."""

    exit_code = EXIT_LOCKED


# --- the config ----------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(_Strict):
    path: str = Field(min_length=1)
    format: FormatName

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, value: Any) -> Any:
        """`"out/storm.md"` is short for `{path = "out/storm.md", format = "md"}`."""
        if isinstance(value, str):
            fmt = formats.from_extension(value)
            if fmt is None:
                raise ValueError(
                    f"cannot tell the format of {value!r} from its extension (.md or .json); "
                    f'write {{path = "{value}", format = "md"}}'
                )
            return {"path": value, "format": fmt}
        if isinstance(value, dict) and "path" in value and "format" not in value:
            return {**value, "format": formats.from_extension(str(value["path"])) or ""}
        return value


class Topic(_Strict):
    name: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)  # folders, files or glob patterns
    outputs: list[Output] = Field(min_length=1)
    engine: EngineName | None = None
    model: str | None = Field(default=None, min_length=1)
    max_words: int | None = Field(default=None, ge=80)

    @field_validator("sources", mode="before")
    @classmethod
    def _one_source(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Defaults(_Strict):
    """The `[batch]` table: where the manifest goes and defaults for every topic."""

    manifest: str | None = None
    cache_dir: str | None = None
    engine: EngineName = "auto"
    model: str | None = Field(default=None, min_length=1)
    max_words: int = Field(default=450, ge=80)


class BatchConfig(_Strict):
    batch: Defaults = Defaults()
    topic: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> BatchConfig:
        names = [t.name for t in self.topic]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"topic names must be distinct: {', '.join(twice)} appear more than once")
        paths = [os.path.normpath(o.path) for t in self.topic for o in t.outputs]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise ValueError(f"two outputs write the same file: {', '.join(twice)}")
        return self


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")


def key_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line (1-based) of the key a validation error points at, found by scanning the TOML text
    (tomllib reports no positions). `loc` is pydantic's: ("topic", 1, "engine"), ("batch", "model"),
    ("colour",). A missing key points at its table's header; a nested value at the key holding it."""
    if loc and loc[0] == "topic" and len(loc) > 1 and isinstance(loc[1], int):
        table: tuple[str | int, ...] = ("topic", loc[1])
        rest = loc[2:]
    elif loc and loc[0] == "batch" and len(loc) > 1:
        table, rest = ("batch",), loc[1:]
    else:
        table, rest = (), loc
    key = str(rest[0]) if rest else None
    current: tuple[str | int, ...] = ()
    counts: dict[str, int] = {}
    header_line = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip().strip("\"'")
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                current = (name, counts[name])
            else:
                current = (name,)
            if current == table:
                header_line = number
            if not table and key is not None and name == key:
                return number  # an unknown table such as [topics]
            continue
        found = _KEY.match(line)
        if found and current == table and key is not None and found.group(1) == key:
            return number
    return header_line


def _message(err: dict[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "missing (required)"
    return str(err["msg"]).removeprefix("Value error, ")


def _where(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """`topic[2] "storm": engine` rather than pydantic's `topic.1.engine`."""
    if loc and loc[0] == "topic" and len(loc) > 1 and isinstance(loc[1], int):
        topics = data.get("topic") if isinstance(data.get("topic"), list) else []
        name = (
            topics[loc[1]].get("name") if loc[1] < len(topics) and isinstance(topics[loc[1]], dict) else None
        )
        head = f"topic[{loc[1] + 1}]" + (f" {name!r}" if isinstance(name, str) else "")
        rest = ".".join(str(x) for x in loc[2:])
        return f"{head}: {rest}" if rest else head
    return ".".join(str(x) for x in loc) or "(top level)"


KNOWN_KEYS = {
    "top level": ["batch", "topic"],
    "batch": sorted(Defaults.model_fields),
    "topic": sorted(Topic.model_fields),
    "outputs": sorted(Output.model_fields),
}


def read_config(path: Path) -> BatchConfig:
    """The validated config, or ConfigError listing every problem as `file:line: key: problem`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such config file: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    try:
        return BatchConfig.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(err["loc"])
            line = key_line(text, loc)
            message = _message(err)
            if message == "unknown key":
                parent = next((str(x) for x in reversed(loc[:-1]) if isinstance(x, str)), "top level")
                known = KNOWN_KEYS.get(parent)
                message += f" (known: {', '.join(known)})" if known else ""
            problems.append(f"{path}{f':{line}' if line else ''}: {_where(loc, data)}: {message}")
        raise ConfigError(
            f"invalid batch config ({len(problems)} problem{'s' * (len(problems) != 1)}):\n  "
            + "\n  ".join(problems)
        ) from None


# --- one run -------------------------------------------------------------------------------------


class Verification(BaseModel):
    claims_extracted: int
    claims_dropped: int
    sentences_checked: int
    sentences_supported: int
    sentences_dropped: int


class UsedDocument(BaseModel):
    path: str
    id: str


class OutputRecord(BaseModel):
    path: str
    format: str
    written: bool


class TopicRecord(BaseModel):
    """One topic's line in the manifest."""

    name: str
    outcome: Literal["success", "failure"]
    error: str | None = None
    started_at: datetime
    finished_at: datetime
    seconds: float
    engine: str | None = None
    engine_reason: str | None = None
    model: str | None = None
    prompt_hash: str | None = None
    documents_used: list[UsedDocument] = []
    documents_skipped: list[Skipped] = []
    verification: Verification | None = None
    usage: Usage = Usage()
    new_since: dict[str, Any] | None = None  # {"since": date of the last brief, "points": n}
    outputs: list[OutputRecord] = []


class Manifest(BaseModel):
    briefer_version: str = __version__
    config: str
    started_at: datetime
    finished_at: datetime
    seconds: float
    outcome: Literal["success", "partial", "failure"]
    exit_code: int
    cache: dict[str, Any]
    usage: Usage  # totals over the topics
    topics: list[TopicRecord]


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


def history_path(first_output: Path) -> Path:
    """Where a topic's published claims are kept: next to its first output, so they travel with it."""
    return first_output.with_name(first_output.name + ".published.json")


def resolve_sources(sources: list[str], base: Path) -> list[str]:
    """Source paths relative to `base` (the config's folder), globs expanded. A folder or file that is
    gone, or a pattern matching nothing, fails the topic: a brief silently missing a source misleads."""
    found: list[str] = []
    missing: list[str] = []
    for source in sources:
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
def working_directory(path: Path) -> Iterator[None]:
    """Run a topic from the config's folder, so its documents are shown as the config names them
    (`news/storm/a.txt`, not an absolute path) wherever cron starts the job. Topics run one at a
    time in the main thread, so changing the process's directory is safe here."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def exclusive(lock: Path, config_path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole run, or raise AlreadyRunning at once."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no overlap protection
        log.warning("cannot lock %s on this platform; overlapping runs are not prevented", lock)
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
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
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _now() -> datetime:
    return datetime.now(UTC)


def _settings_flags(topic: Topic, config: BatchConfig, options: Options, base: Path) -> dict[str, Any]:
    cache_dir = options.cache_dir or (
        base / Path(config.batch.cache_dir).expanduser() if config.batch.cache_dir else None
    )
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


def run_topic(topic: Topic, config: BatchConfig, base: Path, settings: Any) -> TopicRecord:
    """Brief one topic and write its outputs; never raises for a topic's own failure."""
    with context.topic(topic.name):
        return _run_topic(topic, config, base, settings)


def _run_topic(topic: Topic, config: BatchConfig, base: Path, settings: Any) -> TopicRecord:
    from briefer.output.files import write_together
    from briefer.runs.history import published, read_published
    from briefer.runs.pipeline import choose_engine
    from briefer.runs.pipeline import run as run_pipeline

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
        with working_directory(base):
            brief = run_pipeline(
                sources,
                engine=engine,
                max_words=topic.max_words or config.batch.max_words,
                settings=settings,
                since=previous,
                chosen=chosen,
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
    settings = preflight(config, options, base)
    lock = manifest_file.with_name(manifest_file.name + ".lock")
    with exclusive(lock, config_path):
        started, clock = _now(), time.perf_counter()
        log.info("batch %s: %d topic%s", config_path, len(config.topic), "s" * (len(config.topic) != 1))
        records = []
        for topic in config.topic:
            record = run_topic(topic, config, base, settings[topic.name])
            _log_topic(record)
            records.append(record)
        failed = sum(r.outcome == "failure" for r in records)
        outcome = "success" if not failed else "failure" if failed == len(records) else "partial"
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
            usage=_total([r.usage for r in records]),
            topics=records,
        )
        manifest_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(manifest_file, manifest.model_dump_json(indent=2) + "\n")
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


def _total(usages: list[Usage]) -> Usage:
    return Usage(
        calls=sum(u.calls for u in usages),
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        cost_usd=round(sum(u.cost_usd for u in usages), 6),
        cache_hits=sum(u.cache_hits for u in usages),
    )
