"""`briefer batch --jobs N`: topics side by side give the same files as one after another, one limit
on requests in flight holds across the whole run, and every log line names its topic.

LLM runs talk to the fixture server (tests/fixture_server.py) on 127.0.0.1, holding each answer a
little so that topics really overlap.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer

from briefer.cli.app import cli

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
ROOT = Path(__file__).resolve().parent.parent
FAKE_KEY = "sk-fixture-jobs-0000000000"
STAMPS = re.compile(r'"(generated_at|seconds)": ("[^"]*"|[0-9.e-]+)')


class CountingServer(FixtureServer):
    """The fixture server, holding each answer `delay` seconds and recording the most requests that
    were in flight at once."""

    def __init__(self, delay: float) -> None:
        self.delay, self.in_flight, self.most = delay, 0, 0
        self.count_lock = threading.Lock()
        super().__init__()

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Counting(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                # Counted from arrival until just before the answer is written: the client's limit
                # covers send to receipt, so it encloses this window. Counting until after the
                # write would race a client that already received its answer and sent the next one.
                with server.count_lock:
                    server.in_flight += 1
                    server.most = max(server.most, server.in_flight)
                try:
                    time.sleep(server.delay)
                finally:
                    with server.count_lock:
                        server.in_flight -= 1
                super().do_POST()

        return Counting


def topics_config(folder: Path, n: int, out: str) -> Path:
    """`n` topics over distinct sources (the seeds and the storm fixture, each copy told apart by a
    last sentence, so no topic's requests are another's), writing into `out/`."""
    lines = ["[batch]", 'engine = "llm"', f'manifest = "{out}/manifest.json"', ""]
    for i in range(n):
        src = folder / f"src{i}"
        if not src.exists():
            shutil.copytree(ROOT / ("seeds" if i % 2 else "tests/fixtures/storm"), src)
            for f in sorted(src.iterdir()):
                text = f.read_text(encoding="utf-8").rstrip("\n")
                f.write_text(
                    f"{text}\n\nThe news desk number {i} filed this report for the morning edition.\n"
                )
        lines += [
            "[[topic]]",
            f'name = "topic{i}"',
            f'sources = "src{i}/"',
            f'model = "gpt-4o-mini-snapshot{i}"',  # no two topics send the same request (judge calls could)
            f'outputs = ["{out}/topic{i}.md", "{out}/topic{i}.json"]',
            "",
        ]
    path = folder / f"{out}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def outputs(folder: Path) -> dict[str, str]:
    """Every output and history file, timestamps aside."""
    return {
        p.name: STAMPS.sub(r'"\1": X', p.read_text(encoding="utf-8"))
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith("manifest")
    }


@LOCAL
def test_jobs_4_writes_what_jobs_1_writes_within_one_concurrency_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with CountingServer(delay=0.15) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        one = topics_config(tmp_path, 6, "one")
        four = topics_config(tmp_path, 6, "four")
        first = CliRunner().invoke(
            cli, ["batch", str(one), "--jobs", "1", "--cache-dir", str(tmp_path / "c1")]
        )
        assert first.exit_code == 0, first.output
        sequential_requests = len(server.log.requests)
        server.most = 0
        result = CliRunner().invoke(
            cli,
            ["batch", str(four), "--jobs", "4", "--concurrency", "2", "--log-format", "json"]
            + ["--cache-dir", str(tmp_path / "c4")],
        )
        assert result.exit_code == 0, result.output
        assert len(server.log.requests) == 2 * sequential_requests  # a fresh cache: every request again
        assert server.most == 2, "--concurrency 2 holds across the four topics in flight"

    a, b = outputs(tmp_path / "one"), outputs(tmp_path / "four")
    assert len(a) == 18 and a == b  # 6 topics x (md, json, published claims)

    m = json.loads((tmp_path / "four" / "manifest.json").read_text())
    assert [t["name"] for t in m["topics"]] == [f"topic{i}" for i in range(6)]  # config order
    assert all(t["outcome"] == "success" and t["outputs"][0]["written"] for t in m["topics"])
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    done = [r for r in records if r["message"].startswith("done in")]
    assert sorted(r["topic"] for r in done) == sorted(f"topic{i}" for i in range(6))
    extracted = [r for r in records if r["message"].startswith("extracted")]
    assert len(extracted) == 6 and all(r["topic"] for r in extracted), "worker threads tag their lines"


@LOCAL
def test_a_failing_topic_fails_alone_with_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with CountingServer(delay=0.0) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        config = topics_config(tmp_path, 3, "out")
        shutil.rmtree(tmp_path / "src1")
        result = CliRunner().invoke(
            cli, ["batch", str(config), "--jobs", "3", "--cache-dir", str(tmp_path / "c")]
        )
    assert result.exit_code == 4, result.output
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [t["outcome"] for t in m["topics"]] == ["success", "failure", "success"]
    assert "src1/ does not exist" in m["topics"][1]["error"]
    assert not (tmp_path / "out" / "topic1.md").exists() and (tmp_path / "out" / "topic2.md").exists()


def test_jobs_is_a_config_key_and_bad_values_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "b.toml"
    config.write_text('[batch]\njobs = 0\n[[topic]]\nname = "a"\nsources = "a/"\noutputs = ["a.md"]\n')
    result = CliRunner().invoke(cli, ["batch", str(config)])
    assert result.exit_code == 2 and "b.toml:2: batch.jobs:" in result.stderr, result.stderr
    result = CliRunner().invoke(cli, ["batch", str(config), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.stderr


def test_a_stopped_batch_does_not_wait_on_a_topic_that_misses_the_stop() -> None:
    """`briefer batch --jobs N` stopped by Ctrl-C: the topics in flight are cancelled and given a
    moment to end; one that does not see the stop (stuck in a call that never looks at it) does not
    hold the stop up (`runs.local.STOP_GRACE`), so the CLI can leave within its two seconds."""
    from typing import cast

    from briefer.runs.local import STOP_GRACE, run_local
    from briefer.runs.topics import TopicResult

    release = threading.Event()
    cancel = threading.Event()

    def quick() -> TopicResult:
        return cast(TopicResult, "quick")  # run_local hands results back as they are

    def stuck() -> TopicResult:
        release.wait(20)  # never looks at `cancel`
        return cast(TopicResult, "stuck")

    results = run_local([quick, stuck], jobs=2, cancel=cancel)
    try:
        next(results)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            results.throw(KeyboardInterrupt())
        waited = time.monotonic() - started
    finally:
        release.set()
    assert cancel.is_set()
    assert STOP_GRACE - 0.2 <= waited < STOP_GRACE + 1.0, waited
