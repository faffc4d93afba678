"""What every command shares: one-line errors and exit codes, logging set-up on stderr, and the
cache and log options. Only the brief goes to stdout; progress, warnings and errors go to stderr."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from briefer.cli.logs import ContextFilter, error_line, formatter
from briefer.core.errors import BrieferError
from briefer.core.paths import shown
from briefer.core.terminal import SECRET_VARIABLES, one_line

log = logging.getLogger("briefer")

EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input, 130/143 stopped by SIGINT/SIGTERM."
)
__all__ = ["SECRET_VARIABLES", "one_line"]  # re-exported: `briefer.core.terminal` is the one place
SDK_LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "httpcore2")


class _OneLine(logging.Filter):
    """Applies `one_line` to every record's message (never filters anything out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):  # a malformed log call: left to logging's own error handling
            record.msg, record.args = one_line(shown(record.getMessage())), None  # shown: no lone surrogate
        return True


class _Progress(logging.Filter):
    """Progress events (`engines.llm.progress`) show on a terminal and in JSON logs; a text log that
    goes to a file or a pipe keeps only the lines worth keeping."""

    def __init__(self, show: bool) -> None:
        super().__init__()
        self.show = show

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        return self.show or not (isinstance(data, dict) and data.get("event") == "progress")


def setup_logging(verbosity: int, log_format: str = "text") -> None:
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))  # `briefer: message`, or one JSON object per line
    handler.addFilter(ContextFilter())
    handler.addFilter(_OneLine())
    handler.addFilter(_Progress(show=log_format == "json" or sys.stderr.isatty()))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    for noisy in ("httpx", "httpx2", "openai", "instructor", "trafilatura", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.ERROR)
    for name in SDK_LOGGERS:  # their records pass our redaction, whatever OPENAI_LOG sets up later
        sdk = logging.getLogger(name)
        sdk.handlers[:] = [handler]
        sdk.propagate = False
    quiet = logging.getLogger("instructor")  # its error logs repeat our one-line errors: shown at -vv only
    quiet.handlers[:] = [handler if verbosity >= 2 else logging.NullHandler()]
    quiet.propagate = False


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so one path stops the run."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def stoppable() -> Any:
    """SIGINT and SIGTERM stop the command: KeyboardInterrupt (or `Terminated`) in the main thread,
    which the LLM runner turns into "cancel everything queued, abandon what is in flight". Installed
    by the CLI only (library code never touches signals) and put back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _leave(code: int) -> None:
    """Exit a stopped run with `code`. Everything the run writes is written (atomically) by the main
    thread, which is here; a worker thread still running (a batch topic that did not see the stop in
    time) would hold the interpreter's exit until it ends, so then the process leaves without it."""
    lingering = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if not lingering:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def error_lines(message: str) -> list[str]:
    """A message as its lines, each made safe by `one_line`: a config with three problems is three
    lines (the first says what failed, each further line one problem), not one squashed line."""
    return [one_line(shown(line)) for line in message.split("\n") if line.strip()] or [""]


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a one-line message (one line per problem) and the documented exit
    code; a stopped run (SIGINT, SIGTERM) exits 130 or 143 having written nothing."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbosity = kwargs.get("verbose", 0) - kwargs.get("quiet", 0)
        log_format = kwargs.get("log_format") or "text"
        try:
            with stoppable():
                return fn(*args, **kwargs)
        except BrieferError as e:
            first, *rest = error_lines(str(e))
            click.echo(error_line(f"error: {first}", log_format), err=True)
            for line in rest:
                click.echo(error_line(f"  {line.strip()}", log_format), err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt as e:
            code = 143 if isinstance(e, Terminated) else 130
            message = "interrupted: terminated by SIGTERM" if code == 143 else "interrupted"
            click.echo(error_line(message, log_format), err=True)
            _leave(code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: still one line unless asked for the traceback
            if verbosity >= 2:
                raise
            message = (
                f"internal error: {type(e).__name__}: {one_line(shown(str(e)))} (run with -vv for details)"
            )
            click.echo(error_line(message, log_format), err=True)
            sys.exit(1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def cache_options(fn: Callable[..., Any]) -> Callable[..., Any]:
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


def log_options(fn: Callable[..., Any]) -> Callable[..., Any]:
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


def cache_flags(cache_dir: Path | None, refresh: bool, no_cache: bool) -> dict[str, Any]:
    if refresh and no_cache:
        raise click.UsageError("--refresh and --no-cache exclude each other")
    flags: dict[str, Any] = {"cache": "off" if no_cache else "refresh" if refresh else "on"}
    if cache_dir is not None:
        flags["cache_dir"] = str(cache_dir.expanduser().resolve())
    return flags
