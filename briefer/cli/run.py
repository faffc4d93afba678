"""`briefer run PATH...`: brief the documents in folders and files, to stdout or atomically to a file."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from briefer.cli.common import (
    EXIT_CODES_HELP,
    cache_flags,
    cache_options,
    guarded,
    log_options,
    setup_logging,
)
from briefer.core import budget
from briefer.core.paths import shown
from briefer.engines import EngineChoice
from briefer.output import formats
from briefer.output.files import check_writable, write_atomically

log = logging.getLogger("briefer")


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    help="Write the brief here (atomically; a device or FIFO directly; - is stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.NAMES),
    help="Default: from the extension of -o FILE (.md, .json, .html), else md.",
)
@click.option(
    "--max-words",
    type=click.IntRange(min=60),
    default=budget.DEFAULT_WORDS,
    show_default=True,
    help=(
        "Word budget for the brief's sentences (citation markers, headings and Sources not counted);"
        f" the whole page never exceeds max({budget.HARD_CAP_WORDS}, this)."
    ),
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
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    help="Seconds an attempt of a model call may take in all, connect to last byte (default 120).",
)
@click.option(
    "--context-window",
    type=click.IntRange(min=1024),
    help="The model's context window in tokens; known for OpenAI's models, default 16384 for others.",
)
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
@click.option(
    "--fetch-timeout",
    type=click.FloatRange(min=0.1),
    default=20.0,
    show_default=True,
    help="Seconds to fetch one http(s):// source; a source that takes longer is skipped.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the planned model calls, estimated tokens and worst-case cost; send nothing, write nothing.",
)
@cache_options
@log_options
@guarded
def run(
    paths: tuple[str, ...],
    output: Path | None,
    fmt: formats.FormatName | None,
    max_words: int,
    engine: EngineChoice,
    since_brief: Path | None,
    fetch_timeout: float,
    dry_run: bool,
    cache_dir: Path | None,
    refresh: bool,
    no_cache: bool,
    log_format: str,
    verbose: int,
    quiet: int,
    **llm_flags: Any,
) -> None:
    """Brief the documents in PATHS: folders; .txt, .md, .html, .pdf, .docx, .eml, .rss/.atom/.xml
    files; http(s):// URLs of feeds, pages or files; `-` for standard input."""
    setup_logging(verbose - quiet, log_format)
    from briefer.engines.llm.settings import load_settings
    from briefer.runs.pipeline import run as run_pipeline

    if output is not None and str(output) == "-":
        output = None  # `-o -` is stdout
    if output is not None:
        check_writable(output)  # a missing folder or a folder as -o: fail before the run, not after
    flags = {("mode" if k == "llm_mode" else k): v for k, v in llm_flags.items()}
    flags.update(cache_flags(cache_dir, refresh, no_cache))
    settings = None if engine == "offline" else load_settings(flags)
    from briefer.sources import FetchOptions, cache_folder

    folder = flags.get("cache_dir") or (
        settings.cache_dir if settings else os.environ.get("BRIEFER_CACHE_DIR")
    )
    fetching = FetchOptions(cache_dir=None if no_cache else cache_folder(folder), timeout=fetch_timeout)
    if dry_run:
        _dry_run(paths, engine, settings, fmt, fetching)
        return
    since = None
    if since_brief is not None:
        from briefer.runs.history import from_brief_file

        since = from_brief_file(since_brief)
    brief = run_pipeline(
        paths, engine=engine, max_words=max_words, settings=settings, since=since, fetching=fetching
    )
    text = formats.render(brief, fmt or (output and formats.from_extension(output)) or "md")
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
        log.info("wrote %s", shown(output))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _dry_run(
    paths: tuple[str, ...], engine: EngineChoice, settings: Any, fmt: str | None, fetching: Any
) -> None:
    """`--dry-run`: the plan on stdout (JSON with --format json); no call is sent, nothing written."""
    import json

    from briefer.runs.pipeline import plan_run

    name, reason, plan = plan_run(paths, engine=engine, settings=settings, fetching=fetching)
    if fmt == "json":
        data = {"dry_run": True, "engine": name, "engine_reason": reason}
        if plan is not None:
            data |= plan.model_dump() | {"total_calls": plan.total_calls}  # type: ignore[attr-defined]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    lines = ["dry run: nothing sent, nothing written", f"engine: {name} ({reason})"]
    if plan is None:
        lines.append("no model calls: the offline engine costs nothing")
    else:
        p: Any = plan
        lines += [
            f"documents: {p.documents:,}; model {p.model}, context window {p.window:,} tokens",
            "planned calls: "
            + ", ".join(f"{stage} {n:,}" for stage, n in p.calls.items())
            + f" (total {p.total_calls:,})",
            f"estimated tokens: {p.prompt_tokens:,} prompt, up to {p.output_tokens:,} output; largest request {p.largest_request:,}",
            "worst-case cost: "
            + (
                f"${p.worst_cost_usd:.4f} (every call using its full output budget); ${p.ceiling_usd:.4f} if every call is re-asked"
                if p.worst_cost_usd is not None
                else "unknown (no price for this model; see --price-table)"
            ),
        ]
    sys.stdout.write("\n".join(lines) + "\n")
