"""The LLM engine's call budget and wall time against a model that takes 1 s per call.

    python bench/llm_calls.py [--latency 1.0] [--sizes 1,5,20] [--also 20] [--sequential-up-to 20]

A real endpoint's latency, not our code, dominates an LLM run, so what matters is how many calls a
brief takes and how many of them overlap. This starts `tests/fixture_server.py` (the local
OpenAI-compatible server whose answers we wrote) in this process, with every chat completion held
for `--latency` seconds first, and runs `python -m briefer run DIR --engine llm --format json` on
1, 5 and 20 real articles (`bench/corpus.py`), once with `--concurrency 1` (sequential) and once with
the default concurrency (`--also N` adds more settings). Every run gets a fresh server and an empty
response cache, so it is always a first run. Calls and tokens come from the brief's own usage report
and from the server's request log (which also says which kind of call each was); wall time is the
whole process, start-up and imports included. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import articles  # noqa: E402
from fixture_server import FixtureServer  # noqa: E402

SIZES = (1, 5, 20)
TARGET_SECONDS_20 = 6.0
EXTRA_CALLS = 3  # the budget: calls <= documents + 3, plus repairs


class SlowFixtureServer(FixtureServer):
    """The fixture server with a fixed delay before every chat completion, as a remote model has.

    The delay sleeps in the request's own thread (the server is threaded), so parallel calls overlap
    exactly as they would against a real endpoint.
    """

    def __init__(self, latency: float, **kwargs: Any) -> None:
        self.latency = latency  # before super().__init__, which builds the handler
        super().__init__(**kwargs)

    def _handler(self) -> type:
        base = super()._handler()
        latency = self.latency

        class Slow(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                time.sleep(latency)
                super().do_POST()

        return Slow


def default_concurrency() -> int:
    """The engine's default, read from its settings so this table never goes stale."""
    from briefer.engines.llm.settings import Settings

    return int(Settings.model_fields["concurrency"].default)


def run_case(folder: Path, latency: float, concurrency: int | None) -> dict[str, Any]:
    """One brief of folder through a fresh slow server; the figures of that run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFER_", "OPENAI_", "AZURE_"))}
    cmd = [
        sys.executable,
        "-m",
        "briefer",
        "run",
        str(folder),
        "--engine",
        "llm",
        "--format",
        "json",
        "-q",
        "--no-cache",
    ]
    if concurrency is not None:
        cmd += ["--concurrency", str(concurrency)]
    with SlowFixtureServer(latency) as server, tempfile.TemporaryDirectory(prefix="briefer-cache-") as cache:
        # a fresh, empty response cache per run: every case is a first run, never served from disk
        env |= {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "bench", "BRIEFER_CACHE_DIR": cache}
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - started
        stages = Counter(r["stage"] for r in server.log.requests)
        largest = max((request_tokens(r["body"]) for r in server.log.requests), default=0)
        statuses = Counter(r["status"] for r in server.log.requests)
    if done.returncode:
        return {"error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}", "wall": wall}
    report = json.loads(done.stdout)["report"]
    usage = report.get("usage") or {}
    return {
        "wall": wall,
        "pipeline_seconds": report.get("seconds"),
        "calls": usage.get("calls"),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "server_requests": sum(stages.values()),
        "stages": dict(stages),
        "non_200": sum(n for s, n in statuses.items() if s != 200),
        "docs": report.get("documents_used"),
        "largest": largest,
    }


def request_tokens(body: dict[str, Any]) -> int:
    """A request's size as the issue measures it: characters / 4 of the JSON body, plus the answer's
    budget (`max_tokens`), to compare with the model's context window."""
    answer = int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
    return -(-len(json.dumps(body, ensure_ascii=False)) // 4) + answer


def window() -> int:
    from briefer.engines.llm.tokens import context_window

    return context_window("gpt-4o-mini")


def repair_calls(stages: dict[str, int]) -> int:
    """Calls the issue allows on top of documents + 3: the repair and the re-judge of its rewrites."""
    rewrites = stages.get("Rewrites", 0)
    return rewrites + (max(0, stages.get("Judgements", 0) - 1) if rewrites else 0)


def table(rows: list[dict[str, Any]]) -> str:
    head = [
        "docs",
        "concurrency",
        "calls (usage)",
        "server requests: extract / compose / judge / repair",
        "prompt tokens",
        "completion tokens",
        "wall s (process)",
        "pipeline s",
        f"largest request, tokens (window {window():,})",
        "calls beyond extraction",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['n']} | {r['concurrency']} | error: {r['error']} |" + " |" * 6)
            continue
        st = r["stages"]
        split = " / ".join(str(st.get(k, 0)) for k in ("Extraction", "Composition", "Judgements", "Rewrites"))
        beyond = r["server_requests"] - st.get("Extraction", 0)
        fits = "fits" if r["largest"] <= window() else "OVER"
        lines.append(
            f"| {r['n']} | {r['concurrency']} | {r['calls']} | {split} | {r['prompt_tokens']:,} | "
            f"{r['completion_tokens']:,} | {r['wall']:.2f} | {r['pipeline_seconds']:.2f} | "
            f"{r['largest']:,} ({fits}) | {beyond} ({beyond / r['n']:.1%} of N) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the server holds each call")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="document counts")
    parser.add_argument(
        "--also",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="also measure --concurrency N (repeatable), e.g. 20 to see the floor with every call in parallel",
    )
    parser.add_argument(
        "--sequential-up-to",
        type=int,
        default=10**9,
        metavar="N",
        help="measure --concurrency 1 only up to N documents (1,000 sequential calls take 17 minutes)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    texts = articles()
    if len(texts) < max(sizes):
        raise SystemExit("not enough article texts in ../shared/eval for these sizes")
    default = default_concurrency()
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefer-llm-bench-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            for i, text in enumerate(texts[:n]):
                (folder / f"article{i:02d}.txt").write_text(text, encoding="utf-8")
            settings = [(1, "1 (sequential)")] if n <= args.sequential_up_to else []
            settings += [(None, f"{default} (default)")]
            settings += [(c, str(c)) for c in args.also if c not in (1, default)]
            for concurrency, label in settings:
                print(f"  {n} docs, concurrency {label} ...", file=sys.stderr, flush=True)
                rows.append({"n": n, "concurrency": label, **run_case(folder, args.latency, concurrency)})
    print(f"## LLM engine against the fixture server, {args.latency:g} s per call\n")
    print(table(rows))
    last = [r for r in rows if r["n"] == 20 and "default" in r["concurrency"] and "error" not in r]
    if last:
        ok = "pass" if last[0]["wall"] < TARGET_SECONDS_20 else "FAIL"
        print(
            f"\n- 20 documents, default concurrency: {last[0]['wall']:.2f} s wall "
            f"(target < {TARGET_SECONDS_20:.0f} s): {ok}"
        )


if __name__ == "__main__":
    main()
