"""`briefer check DRAFT --sources PATH...`: verify any draft, sentence by sentence, against its sources."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from briefer.cli.common import (
    guarded,
    setup_logging,
)
from briefer.core.paths import shown

if TYPE_CHECKING:
    from briefer.checker import Pair

log = logging.getLogger("briefer")

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


@click.command("check", epilog=CHECK_EXIT_CODES)
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
    from briefer.checker import check, read_pairs, render_table
    from briefer.core.errors import InputError

    if engine == "llm":
        from briefer.engines.llm import engine as llm

        llm.engine_from_settings(None, required=True)  # nothing configured: exit 2 before any work
    if jsonl is not None:
        if draft is not None or sources:
            raise InputError("--jsonl takes its documents from the file; give no DRAFT or --sources")
        pairs = _read_pairs(jsonl, read_pairs)
        _check_pairs(pairs, engine == "llm")
        log.info("checked %d summaries", len(pairs))
        return
    if draft is None and len(sources) >= 2:
        # `check --sources DIR DRAFT`: the greedy option took the draft too; the last value is it
        *rest, draft = sources
        sources = tuple(rest)
    if draft is None:
        raise InputError("give a DRAFT to check (or --jsonl FILE)")
    if not sources:
        raise InputError("give the draft's sources with --sources PATH...")
    from briefer.checker.retrieve import load_sources
    from briefer.core.models import Document

    slots = load_sources(list(sources))
    result = check(_read_text(draft), slots)
    if engine == "llm":
        from briefer.checker.judged import judge

        result = judge(result, [d for d in slots if isinstance(d, Document)])
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_table(result, shutil.get_terminal_size((100, 24)).columns))
    sys.stdout.flush()
    if not result.supported:
        sys.exit(3)


def _check_pairs(pairs: list[Pair], with_judge: bool) -> None:
    """One result line per pair on stdout; with the judge, one engine (and cache) for the batch."""
    from briefer.checker import pair_result

    if not with_judge:
        for pair in pairs:
            sys.stdout.write(json.dumps(pair_result(pair), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    from briefer.checker.judged import judge
    from briefer.engines.llm.engine import engine_from_settings

    chosen = engine_from_settings(None, required=True)
    assert chosen is not None  # required=True raises ConfigError instead
    try:
        for pair in pairs:
            line = pair_result(pair, refine=lambda r: judge(r, engine=chosen[0]))
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        chosen[0].close()


def _read_pairs(path: Path, read_pairs: Callable[[BinaryIO, str], Any]) -> Any:
    """The JSONL batch at `path` (or stdin for `-`), read line by line with each line bounded."""
    from briefer.core.errors import InputError

    if str(path) == "-":
        return read_pairs(sys.stdin.buffer, "stdin")
    try:
        with path.open("rb") as stream:
            return read_pairs(stream, shown(path))
    except FileNotFoundError as e:
        raise InputError(f"no such file: {shown(path)}") from e
    except OSError as e:
        raise InputError(f"cannot read {shown(path)}: {e.strerror or e}") from e


def _read_text(path: Path) -> str:
    """A UTF-8 text file, or stdin for `-`, of at most `limits.MAX_DRAFT_BYTES` (never more is read:
    `/dev/zero` as a draft is refused, not a MemoryError); a missing or unreadable file is bad input."""
    from briefer.core import limits
    from briefer.core.errors import InputError

    bound = limits.MAX_DRAFT_BYTES
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(bound + 1)
        else:
            with path.open("rb") as f:
                raw = f.read(bound + 1)
    except FileNotFoundError as e:
        raise InputError(f"no such file: {shown(path)}") from e
    except OSError as e:
        raise InputError(f"cannot read {shown(path)}: {e.strerror or e}") from e
    if len(raw) > bound:
        raise InputError(
            f"the draft {shown(path)} is larger than {limits.size(bound)} (the limit for a draft)"
        )
    try:
        return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as e:
        raise InputError(f"cannot read {shown(path)}: not UTF-8 ({e.reason} at byte {e.start})") from e
