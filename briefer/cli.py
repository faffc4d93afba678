"""The `briefer` command: parse arguments, run the pipeline, print the brief. No business logic here.

Only the brief goes to stdout; progress, warnings and errors go to stderr. Exit codes: 0 success,
1 runtime failure, 2 bad usage or bad input. Errors are one line, never a traceback (unless -vv).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from briefer import __version__
from briefer.errors import BrieferError

log = logging.getLogger("briefer")

EXIT_CODES_HELP = "Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input."


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("briefer: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    for noisy in ("httpx", "httpx2", "openai", "instructor", "trafilatura", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.ERROR)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a brief."""
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise BrieferError(f"cannot write {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a one-line message and the documented exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbosity = kwargs.get("verbose", 0) - kwargs.get("quiet", 0)
        try:
            return fn(*args, **kwargs)
        except BrieferError as e:
            click.echo(f"briefer: error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("briefer: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: still one line unless asked for the traceback
            if verbosity >= 2:
                raise
            click.echo(
                f"briefer: internal error: {type(e).__name__}: {e} (run with -vv for details)", err=True
            )
            sys.exit(1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="briefer")
def cli() -> None:
    """Turn a folder of news articles into a one-page brief whose every sentence is checked against
    the source spans it cites."""


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
@click.option("--concurrency", type=click.IntRange(1, 64), help="Parallel extraction calls (default 8).")
@click.option("--timeout", type=click.FloatRange(min=1), help="Seconds per model call (default 120).")
@click.option("--max-cost", type=click.FloatRange(min=0), help="Stop before the run could cost more (USD).")
@click.option(
    "--price-table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML or JSON prices in USD per 1M tokens, overriding the built-in table.",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug and tracebacks).")
@click.option("-q", "--quiet", count=True, help="Only warnings and errors on stderr.")
@guarded
def run(
    paths: tuple[Path, ...],
    output: Path | None,
    fmt: str,
    max_words: int,
    engine: str,
    verbose: int,
    quiet: int,
    **llm_flags: Any,
) -> None:
    """Brief the documents in PATHS (folders or .txt/.md/.html files)."""
    setup_logging(verbose - quiet)
    from briefer.pipeline import run as run_pipeline
    from briefer.render import render_json, render_markdown
    from briefer.settings import load_settings

    flags = {("mode" if k == "llm_mode" else k): v for k, v in llm_flags.items()}
    settings = None if engine == "offline" else load_settings(flags)
    brief = run_pipeline(paths, engine=engine, max_words=max_words, settings=settings)
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
    from briefer.check import check, pair_result, read_pairs, render_table
    from briefer.errors import ConfigError, InputError

    if engine == "llm":
        from briefer import llm

        if not hasattr(llm, "judge"):
            raise ConfigError("--engine llm is not available for `briefer check` yet; use --engine offline")
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
    from briefer.load import load

    documents = [doc for path in sources for doc in load([path]).documents]
    result = check(_read_text(draft), documents)
    if engine == "llm":
        result = llm.judge(result, documents)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_table(result, shutil.get_terminal_size((100, 24)).columns))
    sys.stdout.flush()
    if not result.supported:
        sys.exit(3)


def _read_text(path: Path) -> str:
    """A UTF-8 text file, or stdin for `-`; a missing or unreadable file is bad input (exit 2)."""
    from briefer.errors import InputError

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
