"""The resource bounds of one run, in one place, each with the message that names it.

Per file (`sources.load`, 20 MB) was the only bound; these close what hostile or careless input could
still do: many files (50,000 small files took 1 GB), a huge total, a huge draft, a huge JSON Lines
line (a 50 MB line took 2.1 GB), and `check`'s sentence-by-window work. Each is refused with one clear
line and exit 2, never by running out of memory. The figures are documented in README and
docs/RELIABILITY.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from briefer.core.paths import shown

MAX_FILES = 20_000  # supported files found under the given paths, per run
MAX_TOTAL_BYTES = 200_000_000  # bytes read from all input files together, per run
MAX_DRAFT_BYTES = 5_000_000  # a `briefer check` draft
MAX_JSONL_LINE_BYTES = 20_000_000  # one line of `briefer check --jsonl`
MAX_CHECK_PAIRS = 5_000_000  # draft sentences x source sentences that one `briefer check` may compare


def _where(paths: Sequence[str | Path]) -> str:
    return ", ".join(shown(p) for p in paths) or "(no paths)"


def too_many_files(paths: Sequence[str | Path]) -> str:
    return (
        f"too many files in {_where(paths)}: more than {MAX_FILES:,} (the limit per run); brief fewer at once"
    )


def too_much_input(paths: Sequence[str | Path]) -> str:
    return (
        f"too much input in {_where(paths)}: more than {MAX_TOTAL_BYTES / 1e6:,.0f} MB in all "
        "(the limit per run); brief fewer files at once"
    )


def size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1_000_000:.3g} MB"
