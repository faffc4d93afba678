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
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Brief this many topics side by side (default: [batch] jobs, else 1).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    help="At most this many model requests in flight across the whole run (default: BRIEFER_CONCURRENCY, else 20).",
)
@click.option(
    "--cluster",
    metavar="tcp://HOST:PORT",
    help="Brief the topics on this Dask cluster (pip install 'briefer[cluster]'); this process writes every file.",
)
@click.option(
    "--batch-api",
    is_flag=True,
    help="Send the model requests through the provider's Batch API (half price; answers can take hours).",
)
@cache_options
@log_options
@guarded
def batch(
    config: Path,
    manifest: Path | None,
    jobs: int | None,
    concurrency: int | None,
    cluster: str | None,
    batch_api: bool,
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
        jobs=jobs,
        concurrency=concurrency,
        cluster=cluster,
        batch_api=batch_api,
    )
    result, _ = run_batch(config, options)
    if result.exit_code:
        sys.exit(result.exit_code)
