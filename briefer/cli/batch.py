"""`briefer batch CONFIG.toml`: brief every topic of a config, for cron, systemd timers and CI."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from briefer.cli.common import (
    cache_flags,
    cache_options,
    guarded,
    log_options,
    setup_logging,
)

log = logging.getLogger("briefer")

BATCH_EXIT_CODES = (
    "Exit codes: 0 every topic succeeded, 1 every topic failed, 4 some topics failed (the others were "
    "written; see the manifest), 2 invalid config or usage (nothing ran), 75 another run of this batch "
    "is in progress (nothing ran)."
)


@click.command(epilog=BATCH_EXIT_CODES)
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the run manifest here (default: [batch] manifest, else CONFIG's name + .manifest.json).",
)
@cache_options
@log_options
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

    flags = cache_flags(cache_dir, refresh, no_cache)
    options = Options(
        manifest=manifest,
        cache_dir=Path(flags["cache_dir"]) if "cache_dir" in flags else None,
        cache=flags["cache"],
    )
    result, _ = run_batch(config, options)
    if result.exit_code:
        sys.exit(result.exit_code)
