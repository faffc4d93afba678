"""CLI start-up cost: `briefer --help` and `briefer run` on one small file, as whole processes.

    python bench/startup.py [--runs 10] [--file seeds/000_*.txt]

Start-up is what a user pays on every call, and it is dominated by imports: `--help` should import
almost nothing (openai and instructor only when the LLM engine actually runs). Each command is run
`--runs` times after one untimed warm-up (so the page cache, not the disk, is measured); the minimum
is the cost without noise from other processes, the median what a user typically sees. Uses the
installed `briefer` console script when one is on PATH or beside this interpreter, otherwise
`python -m briefer`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_HELP_SECONDS = 0.3


def briefer_command() -> tuple[list[str], str]:
    """The console script a user would run, or the module form when none is installed."""
    beside = Path(sys.executable).parent / "briefer"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)], f"console script {beside}"
    found = shutil.which("briefer")
    if found:
        return [found], f"console script {found}"
    return [sys.executable, "-m", "briefer"], f"{sys.executable} -m briefer (no console script installed)"


def default_file() -> Path:
    """The smallest seed article: start-up, not work, should dominate."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"), key=lambda p: p.stat().st_size)
    if not seeds:
        raise SystemExit(f"no seed articles in {ROOT / 'seeds'}")
    return seeds[0]


def wall_times(cmd: list[str], runs: int) -> list[float]:
    """Wall seconds of `runs` runs of cmd, after one untimed warm-up; offline, output discarded."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}

    def once() -> float:
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
        return seconds

    once()
    return [once() for _ in range(runs)]


def heaviest_imports(cmd: list[str], limit: int = 8) -> list[tuple[float, str]]:
    """The slowest imports of one run (`python -X importtime`), top three levels, cumulative seconds.

    Import timing adds its own overhead, so these are for ranking, not for adding up to the wall time.
    """
    if cmd[0] != sys.executable:  # a console script: run the same entry point through the module
        cmd = [sys.executable, "-m", "briefer", *cmd[1:]]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd[1:]],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 2:
            found.append((int(parts[1]) / 1e6, name.strip()))
    return sorted(found, reverse=True)[:limit]


def row(label: str, times: list[float]) -> str:
    return (
        f"| {label} | {len(times)} | {min(times):.3f} | {statistics.median(times):.3f} | {max(times):.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--file", type=Path, help="the small article for `briefer run` (default: smallest seed)"
    )
    args = parser.parse_args()
    base, how = briefer_command()
    article = args.file or default_file()
    commands = [
        ("`briefer --help`", [*base, "--help"]),
        (
            f"`briefer run {article.relative_to(ROOT) if article.is_relative_to(ROOT) else article}`",
            [*base, "run", str(article), "-q"],
        ),
        ("`python -c pass` (interpreter floor)", [sys.executable, "-c", "pass"]),
    ]
    print(f"## CLI start-up ({how})\n")
    print("| command | runs | min s | median s | max s |")
    print("|---|---|---|---|---|")
    results = {}
    for label, cmd in commands:
        results[label] = wall_times(cmd, args.runs)
        print(row(label, results[label]), flush=True)
    for label, cmd in commands[:2]:
        top = heaviest_imports(cmd)
        print(f"\nHeaviest imports of {label} (cumulative s under -X importtime): ", end="")
        print(", ".join(f"{name} {seconds:.2f}" for seconds, name in top))
    help_median = statistics.median(results["`briefer --help`"])
    ok = "pass" if help_median < TARGET_HELP_SECONDS else "FAIL"
    print(f"\n- `briefer --help` median {help_median:.3f} s (target < {TARGET_HELP_SECONDS} s): {ok}")


if __name__ == "__main__":
    main()
