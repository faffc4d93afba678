"""`briefer batch --jobs N` against a model that takes 1 s per call: wall time and identical outputs.

    python bench/batch_jobs.py [--topics 20] [--jobs 1,4] [--latency 1.0] [--docs 3]

Writes a batch config of `--topics` topics, each over `--docs` distinct real articles
(`bench/corpus.py`; when ../shared/eval is absent, copies of seeds/ and the storm fixture told apart
by a last sentence), starts `tests/fixture_server.py` in this process with every chat completion held
for `--latency` seconds, and runs `python -m briefer batch CONFIG --jobs N` once per N, each with an
empty response cache and its own output folder. Wall time is the whole process. Then it compares
every output and history file of each run with the first run's, byte for byte after blanking the
timestamps (`generated_at`, `seconds`). Prints a Markdown table; exits 1 if outputs differ.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import articles  # noqa: E402
from llm_calls import SlowFixtureServer  # noqa: E402

STAMPS = re.compile(r'"(generated_at|seconds)": ("[^"]*"|[0-9.e-]+)')


def sources(folder: Path, topics: int, docs: int) -> str:
    texts = articles()
    for i in range(topics):
        src = folder / f"src{i}"
        src.mkdir()
        if len(texts) >= topics * docs:
            for j in range(docs):
                (src / f"a{j}.txt").write_text(texts[i * docs + j], encoding="utf-8")
            continue
        shutil.copytree(ROOT / ("seeds" if i % 2 else "tests/fixtures/storm"), src, dirs_exist_ok=True)
        for f in sorted(src.iterdir()):
            text = f.read_text(encoding="utf-8").rstrip("\n")
            f.write_text(f"{text}\n\nThe news desk number {i} filed this report for the morning edition.\n")
    return "real articles (bench/corpus.py)" if len(texts) >= topics * docs else "seed copies"


def config(folder: Path, topics: int, out: str) -> Path:
    lines = ["[batch]", 'engine = "llm"', f'manifest = "{out}/manifest.json"', ""]
    for i in range(topics):
        lines += [
            "[[topic]]",
            f'name = "topic{i}"',
            f'sources = "src{i}/"',
            f'outputs = ["{out}/topic{i}.md", "{out}/topic{i}.json"]',
            "",
        ]
    path = folder / f"{out}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def outputs(folder: Path) -> dict[str, str]:
    return {
        p.name: STAMPS.sub(r'"\1": X', p.read_text(encoding="utf-8"))
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith("manifest")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--jobs", default="1,4")
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFER_", "OPENAI_", "AZURE_"))}
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefer-jobs-") as tmp:
        folder = Path(tmp)
        kind = sources(folder, args.topics, args.docs)
        first: dict[str, str] | None = None
        server = SlowFixtureServer(args.latency).__enter__()  # one server: the same endpoint for every run
        for jobs in [int(j) for j in args.jobs.split(",")]:
            out = f"out{jobs}"
            cfg = config(folder, args.topics, out)
            run_env = env | {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "bench"}
            cmd = [sys.executable, "-m", "briefer", "batch", str(cfg), "--jobs", str(jobs)]
            cmd += ["--cache-dir", str(folder / f"cache{jobs}")]  # empty: every request is sent
            before = len(server.log.requests)
            started = time.perf_counter()
            done = subprocess.run(cmd, env=run_env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
            wall = time.perf_counter() - started
            requests = len(server.log.requests) - before
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
            manifest = json.loads((folder / out / "manifest.json").read_text(encoding="utf-8"))
            files = outputs(folder / out)
            first = first if first is not None else files
            same = files == first
            rows.append((jobs, requests, manifest["usage"]["calls"], len(files), wall, same))
        server.__exit__(None, None, None)
    base = rows[0][4]
    print(
        f"{args.topics} topics x {args.docs} documents ({kind}), fixture server at {args.latency:g} s per call\n"
    )
    print(
        "| --jobs | server requests | calls (manifest) | files compared | wall s | vs --jobs 1 | identical to --jobs 1 |"
    )
    print("|---|---|---|---|---|---|---|")
    for jobs, requests, calls, n, wall, same in rows:
        print(
            f"| {jobs} | {requests} | {calls} | {n} | {wall:.1f} | {wall / base:.2f} | {'yes' if same else 'NO'} |"
        )
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
