"""`briefer cache stats|clear`: inspect or empty the LLM response cache."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from briefer.cli.common import (
    guarded,
)
from briefer.core.errors import BrieferError

log = logging.getLogger("briefer")


@click.group("cache")
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
        stats: dict[str, Any] = {"path": str(folder / FILE_NAME), "entries": 0, "bytes": 0, "models": {}}
    else:
        try:
            cache = ResponseCache(folder)
        except CacheUnavailable as e:
            raise BrieferError(f"{e}; `briefer cache clear` removes it") from None
        try:
            found = cache.stats()
        except CacheUnavailable as e:
            raise BrieferError(f"{e}; `briefer cache clear` removes it") from None
        finally:
            cache.close()
        stats = {
            "path": str(found.path),
            "entries": found.entries,
            "bytes": found.bytes,
            "models": found.models,
            "oldest": when(found.oldest),
            "newest": when(found.newest),
        }
    from briefer.sources.fetch import cache_folder, stored

    responses, size = stored(cache_folder(folder))
    stats["http"] = {"path": str(cache_folder(folder)), "responses": responses, "bytes": size}
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    models = ", ".join(f"{m}: {n}" for m, n in stats["models"].items())
    click.echo(f"cache: {stats['path']}")
    click.echo(f"entries: {stats['entries']}" + (f" ({models})" if models else ""))
    click.echo(f"size: {stats['bytes'] / 1e6:.2f} MB")
    if stats.get("oldest"):
        click.echo(f"oldest: {stats['oldest']}, newest: {stats['newest']}")
    click.echo(f"stored HTTP responses (for conditional requests): {responses}, {size / 1e6:.2f} MB")


@cache_group.command("clear")
@_cache_dir_option
@guarded
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached answer (a damaged cache file is removed) and every stored HTTP response."""
    from briefer.engines.llm.cache import FILE_NAME, CacheUnavailable, ResponseCache, remove_files
    from briefer.sources.fetch import cache_folder, clear_stored

    folder = _cache_folder(cache_dir)
    if responses := clear_stored(cache_folder(folder)):
        click.echo(f"cache: removed {responses} stored HTTP response{'s' * (responses != 1)}")
    if not (folder / FILE_NAME).exists():
        click.echo(f"cache: {folder / FILE_NAME} is already empty")
        return
    try:
        cache = ResponseCache(folder)
    except CacheUnavailable:
        removed = remove_files(folder)
        click.echo(f"cache: removed the damaged cache ({', '.join(p.name for p in removed)})")
        return
    try:
        count = cache.clear()
    except CacheUnavailable:
        cache.close()
        removed = remove_files(folder)
        click.echo(f"cache: removed the damaged cache ({', '.join(p.name for p in removed)})")
        return
    cache.close()
    click.echo(f"cache: removed {count} entr{'y' if count == 1 else 'ies'} from {cache.path}")
