"""The `briefer` command: parse arguments, run the pipeline, print the brief. No business logic here.

Only the brief goes to stdout; progress, warnings and errors go to stderr. Exit codes: 0 success,
1 runtime failure, 2 bad usage or bad input. Errors are one line, never a traceback (unless -vv).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from briefer import __version__
from briefer.cli.logs import ContextFilter, error_line, formatter
from briefer.core.errors import BrieferError
from briefer.output.files import write_atomically

log = logging.getLogger("briefer")

EXIT_CODES_HELP = "Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input."
SECRET_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text safe for one line of stderr: any API key from the environment masked, and control
    characters (line breaks, terminal escapes, bidi overrides from a file name, a document or a
    model's answer) shown as escapes, so a message is always the one line it claims to be."""
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= 8:
            text = text.replace(secret, "***")
    return _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else ascii(m.group())[1:-1], text)


class _OneLine(logging.Filter):
    """Applies `one_line` to every record's message (never filters anything out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):  # a malformed log call: left to logging's own error handling
            record.msg, record.args = one_line(record.getMessage()), None
        return True


def setup_logging(verbosity: int, log_format: str = "text") -> None:
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))  # `briefer: message`, or one JSON object per line
    handler.addFilter(ContextFilter())
    handler.addFilter(_OneLine())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    for noisy in ("httpx", "httpx2", "openai", "instructor", "trafilatura", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.ERROR)
    quiet = logging.getLogger("instructor")  # its error logs repeat our one-line errors
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a one-line message and the documented exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbosity = kwargs.get("verbose", 0) - kwargs.get("quiet", 0)
        log_format = kwargs.get("log_format") or "text"
        try:
            return fn(*args, **kwargs)
        except BrieferError as e:
            click.echo(error_line(f"error: {one_line(str(e))}", log_format), err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo(error_line("interrupted", log_format), err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: still one line unless asked for the traceback
            if verbosity >= 2:
                raise
            message = f"internal error: {type(e).__name__}: {one_line(str(e))} (run with -vv for details)"
            click.echo(error_line(message, log_format), err=True)
            sys.exit(1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP + " `batch` and `check` add their own (see their --help).",
)
@click.version_option(__version__, prog_name="briefer")
def cli() -> None:
    """Turn a folder of news articles into a one-page brief whose every sentence is checked against
    the source spans it cites."""


def _cache_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--cache-dir, --refresh, --no-cache: the LLM response cache (`briefer.cache`)."""
    fn = click.option("--no-cache", is_flag=True, help="Neither read nor write the response cache.")(fn)
    fn = click.option(
        "--refresh", is_flag=True, help="Ask the model again even when cached; store the new answers."
    )(fn)
    return click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="LLM response cache folder; env BRIEFER_CACHE_DIR; default: the user cache folder.",
    )(fn)


def _log_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """-v, -q and --log-format, shared by the commands that log."""
    fn = click.option("-q", "--quiet", count=True, help="Only warnings and errors on stderr.")(fn)
    fn = click.option(
        "-v", "--verbose", count=True, help="More detail on stderr (-vv: debug and tracebacks)."
    )(fn)
    return click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="json: one JSON object per line on stderr, for log collectors.",
    )(fn)


def _cache_flags(cache_dir: Path | None, refresh: bool, no_cache: bool) -> dict[str, Any]:
    if refresh and no_cache:
        raise click.UsageError("--refresh and --no-cache exclude each other")
    flags: dict[str, Any] = {"cache": "off" if no_cache else "refresh" if refresh else "on"}
    if cache_dir is not None:
        flags["cache_dir"] = str(cache_dir.expanduser().resolve())
    return flags


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the brief here (atomically).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option(
    "--max-words",
    type=click.IntRange(min=80),
    default=450,
    show_default=True,
    help="Word budget for the brief's content; the whole page never exceeds max(650, this).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "offline", "llm"]),
    default="auto",
    show_default=True,
    help="auto: the LLM engine when an endpoint is configured, else the offline engine.",
)
@click.option("--model", help="Model (Azure: deployment) name; env BRIEFER_MODEL; default gpt-4o-mini.")
@click.option("--base-url", help="OpenAI-compatible endpoint URL; env OPENAI_BASE_URL.")
@click.option(
    "--llm-mode",
    type=click.Choice(["tools", "json_schema", "json"]),
    help="How the model returns structured answers; default tools for OpenAI/Azure, json_schema elsewhere.",
)
@click.option("--concurrency", type=click.IntRange(1, 64), help="Parallel extraction calls (default 20).")
@click.option("--timeout", type=click.FloatRange(min=1), help="Seconds per model call (default 120).")
@click.option("--max-cost", type=click.FloatRange(min=0), help="Stop before the run could cost more (USD).")
@click.option(
    "--price-table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML or JSON prices in USD per 1M tokens, overriding the built-in table.",
)
@click.option(
    "--since-brief",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier --format json brief of this topic: add a 'New since last brief' section.",
)
@_cache_options
@_log_options
@guarded
def run(
    paths: tuple[Path, ...],
    output: Path | None,
    fmt: str,
    max_words: int,
    engine: str,
    since_brief: Path | None,
    cache_dir: Path | None,
    refresh: bool,
    no_cache: bool,
    log_format: str,
    verbose: int,
    quiet: int,
    **llm_flags: Any,
) -> None:
    """Brief the documents in PATHS (folders or .txt/.md/.html files)."""
    setup_logging(verbose - quiet, log_format)
    from briefer.engines.llm.settings import load_settings
    from briefer.output.render import render_json, render_markdown
    from briefer.runs.pipeline import run as run_pipeline

    flags = {("mode" if k == "llm_mode" else k): v for k, v in llm_flags.items()}
    flags.update(_cache_flags(cache_dir, refresh, no_cache))
    settings = None if engine == "offline" else load_settings(flags)
    since = None
    if since_brief is not None:
        from briefer.runs.history import from_brief_file

        since = from_brief_file(since_brief)
    brief = run_pipeline(paths, engine=engine, max_words=max_words, settings=settings, since=since)
    text = render_json(brief) if fmt == "json" else render_markdown(brief)
    r = brief.report
    log.info(
        "%d/%d sentences supported, %d withheld; %d documents; %.2fs",
        r.sentences_supported,
        r.sentences_checked,
        r.sentences_dropped,
        r.documents_used,
        r.seconds,
    )
    if output:
        write_atomically(output, text)
        log.info("wrote %s", output)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


BATCH_EXIT_CODES = (
    "Exit codes: 0 every topic succeeded, 1 every topic failed, 4 some topics failed (the others were "
    "written; see the manifest), 2 invalid config or usage (nothing ran), 75 another run of this batch "
    "is in progress (nothing ran)."
)


@cli.command(epilog=BATCH_EXIT_CODES)
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the run manifest here (default: [batch] manifest, else CONFIG's name + .manifest.json).",
)
@_cache_options
@_log_options
@guarded
def batch(
    config: Path,
    manifest: Path | None,
    cache_dir: Path | None,
    refresh: bool,
    no_cache: bool,
    log_format: str,
    verbose: int,
    quiet: int,
) -> None:
    """Brief every topic in CONFIG, a TOML file, for cron, systemd timers and CI.

    \b
        [batch]                        # optional: defaults for every topic
        manifest = "out/manifest.json"
        engine = "auto"                # auto | offline | llm
        [[topic]]
        name = "storm"
        sources = ["news/storm/", "wires/*storm*.html"]
        outputs = ["out/storm.md", "out/storm.json"]
        max_words = 300                # also engine, model

    Paths are relative to CONFIG. Each topic runs on its own; a failed topic keeps its previous
    outputs. Each brief lists what is new since the topic's last brief. See docs/SCHEDULING.md.
    """
    setup_logging(verbose - quiet, log_format)
    from briefer.runs.batch import Options, run_batch

    flags = _cache_flags(cache_dir, refresh, no_cache)
    options = Options(
        manifest=manifest,
        cache_dir=Path(flags["cache_dir"]) if "cache_dir" in flags else None,
        cache=flags["cache"],
    )
    result, _ = run_batch(config, options)
    if result.exit_code:
        sys.exit(result.exit_code)


@cli.group("cache")
def cache_group() -> None:
    """Inspect or empty the LLM response cache (SQLite, in the user cache folder or --cache-dir)."""


def _cache_folder(cache_dir: Path | None) -> Path:
    from briefer.engines.llm.cache import default_dir
    from briefer.engines.llm.settings import load_settings

    if cache_dir is not None:
        return cache_dir.expanduser()
    configured = load_settings().cache_dir  # BRIEFER_CACHE_DIR or the config file
    return Path(configured).expanduser() if configured else default_dir()


_cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cache folder; env BRIEFER_CACHE_DIR; default: the user cache folder.",
)


@cache_group.command("stats")
@_cache_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def cache_stats(cache_dir: Path | None, fmt: str) -> None:
    """How many answers are cached, for which models, and the size on disk."""
    from datetime import UTC, datetime

    from briefer.engines.llm.cache import FILE_NAME, CacheUnavailable, ResponseCache

    def when(ts: float | None) -> str | None:
        return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None

    folder = _cache_folder(cache_dir)
    if not (folder / FILE_NAME).exists():
        stats = {"path": str(folder / FILE_NAME), "entries": 0, "bytes": 0, "models": {}}
    else:
        try:
            cache = ResponseCache(folder)
        except CacheUnavailable as e:
            raise BrieferError(f"{e}; `briefer cache clear` removes it") from None
        found = cache.stats()
        cache.close()
        stats = {
            "path": str(found.path),
            "entries": found.entries,
            "bytes": found.bytes,
            "models": found.models,
            "oldest": when(found.oldest),
            "newest": when(found.newest),
        }
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    models = ", ".join(f"{m}: {n}" for m, n in stats["models"].items())
    click.echo(f"cache: {stats['path']}")
    click.echo(f"entries: {stats['entries']}" + (f" ({models})" if models else ""))
    click.echo(f"size: {stats['bytes'] / 1e6:.2f} MB")
    if stats.get("oldest"):
        click.echo(f"oldest: {stats['oldest']}, newest: {stats['newest']}")


@cache_group.command("clear")
@_cache_dir_option
@guarded
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached answer (a damaged cache file is removed)."""
    from briefer.engines.llm.cache import FILE_NAME, CacheUnavailable, ResponseCache, remove_files

    folder = _cache_folder(cache_dir)
    if not (folder / FILE_NAME).exists():
        click.echo(f"cache: {folder / FILE_NAME} is already empty")
        return
    try:
        cache = ResponseCache(folder)
    except CacheUnavailable:
        removed = remove_files(folder)
        click.echo(f"cache: removed the damaged cache ({', '.join(p.name for p in removed)})")
        return
    count = cache.clear()
    cache.close()
    click.echo(f"cache: removed {count} entr{'y' if count == 1 else 'ies'} from {cache.path}")


CHECK_EXIT_CODES = (
    "Exit codes: 0 every sentence supported, 3 some sentence is not, 2 bad input (missing files, empty "
    "draft, malformed JSONL), 1 runtime failure. --jsonl exits 0 once every line is checked."
)


class _Greedy(click.Option):
    """An option that takes every value up to the next option: `--sources a.txt b.txt c.txt`.

    Click has no variadic options; this wraps the parser's handling of the option so each following
    bare argument is stored as one more value (`multiple=True` keeps repeated `--sources` working).
    """

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = getattr(parser, "_long_opt", {}).get(name) or getattr(parser, "_short_opt", {}).get(name)
            if option is None:
                continue
            store = option.process

            def process(value: Any, state: Any, store: Callable[[Any, Any], None] = store) -> None:
                store(value, state)
                while state.rargs and not state.rargs[0].startswith("-"):
                    store(state.rargs.pop(0), state)

            option.process = process


@cli.command("check", epilog=CHECK_EXIT_CODES)
@click.argument("draft", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "-s",
    "--sources",
    cls=_Greedy,
    multiple=True,
    type=click.Path(path_type=Path),
    help="Source files or folders, in the order the draft numbers them: [1] is the first file.",
)
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option(
    "--jsonl",
    type=click.Path(path_type=Path, allow_dash=True),
    help='Batch mode: lines with "summary" and "document" (or "documents"); one JSON result per line.',
)
@click.option(
    "--engine",
    type=click.Choice(["offline", "llm"]),
    default="offline",
    show_default=True,
    help="llm: add the model judge (needs an endpoint); offline needs no key.",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug and tracebacks).")
@click.option("-q", "--quiet", count=True, help="Only warnings and errors on stderr.")
@guarded
def check_command(
    draft: Path | None,
    sources: tuple[Path, ...],
    fmt: str,
    jsonl: Path | None,
    engine: str,
    verbose: int,
    quiet: int,
) -> None:
    """Check every sentence of DRAFT (Markdown or plain text, `-` for stdin) against its sources.

    Bracketed numbers such as [1], [1, 2] or [2][3] cite sources by position; a sentence without them is
    checked against the best-matching passages of all sources.
    """
    setup_logging(verbose - quiet)
    from briefer.checker.checker import check, pair_result, read_pairs, render_table
    from briefer.core.errors import InputError

    if engine == "llm":
        from briefer.engines.llm import engine as llm

        llm.engine_from_settings(None, required=True)  # nothing configured: exit 2 before any work
    if jsonl is not None:
        if draft is not None or sources:
            raise InputError("--jsonl takes its documents from the file; give no DRAFT or --sources")
        pairs = read_pairs(_read_text(jsonl), str(jsonl))
        for pair in pairs:
            sys.stdout.write(json.dumps(pair_result(pair), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        log.info("checked %d summaries", len(pairs))
        return
    if draft is None:
        raise InputError("give a DRAFT to check (or --jsonl FILE)")
    if not sources:
        raise InputError("give the draft's sources with --sources PATH...")
    from briefer.sources.load import load

    documents = [doc for path in sources for doc in load([path]).documents]
    result = check(_read_text(draft), documents)
    if engine == "llm":
        from briefer.checker.judged import judge

        result = judge(result, documents)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_table(result, shutil.get_terminal_size((100, 24)).columns))
    sys.stdout.flush()
    if not result.supported:
        sys.exit(3)


def _read_text(path: Path) -> str:
    """A UTF-8 text file, or stdin for `-`; a missing or unreadable file is bad input (exit 2)."""
    from briefer.core.errors import InputError

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(f"no such file: {path}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e


def main() -> None:
    cli(prog_name="briefer")
