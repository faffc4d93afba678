"""The LLM engine at real scale (issue 14, items 1 and 2), against `tests/fixture_server.py` on 127.0.0.1.

- Requests that fit: every request the server receives, measured there (characters / 4 of the JSON
  body plus the answer's budget), is within the model's context window, at 1,000 documents; the
  claims are composed hierarchically when they do not fit one call.
- Runs you can stop: SIGINT at a known moment against 1 s per call sends at most `--concurrency`
  requests after the signal, exits 130 and writes nothing; the answers received stay cached.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer

from briefer.cli.app import cli
from briefer.core.models import Brief, Claim, cite
from briefer.core.segment import segment
from briefer.engines.llm import compose
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.settings import Settings
from briefer.engines.llm.tokens import context_window
from briefer.sources import load

REPO = Path(__file__).resolve().parents[1]
TOWNS = ["Ravenna", "Lugo", "Faenza", "Cesena", "Forli", "Imola", "Rimini", "Cervia", "Bagnacavallo"]


def corpus(folder: Path, n: int, sentences: int = 10) -> Path:
    """n short synthetic news articles, every sentence a distinct checkable fact."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        town = f"{TOWNS[i % len(TOWNS)]} district {i}"
        lines = [
            f"Officials in {town} said {100 + i * 7 + k} homes were flooded on Monday after river {k} rose."
            for k in range(sentences)
        ]
        (folder / f"article{i:04d}.txt").write_text(f"Flooding in {town}\n\n" + " ".join(lines) + "\n")
    return folder


def request_tokens(body: dict[str, Any]) -> int:
    """What the server measures: characters / 4 of the whole JSON body, plus the answer's budget."""
    answer = int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
    return math.ceil(len(json.dumps(body, ensure_ascii=False)) / 4) + answer


def test_compose_at_1000_documents_fits_the_window_in_a_few_calls(tmp_path: Path) -> None:
    loaded = load([corpus(tmp_path / "docs", 1000)])
    docs = loaded.documents
    claims = [
        Claim(id=f"{d.id}:c{k}", kind="event", text=s.text, citations=[cite(d, s.start, s.end)])
        for d in docs
        for k, s in enumerate(x for x in segment(d) if x.kind == "body")
    ]
    with FixtureServer() as server:
        settings = Settings(base_url=server.base_url, api_key="x" * 12, mode="tools")
        client = LLMClient(settings)
        window = client.window
        assert window == context_window("gpt-4o-mini") == 128_000
        one_call = client.prompt_tokens("compose.j2", compose._variables(claims, {}, len(docs), 400))
        assert one_call > window  # the whole folder in one call would not fit
        draft = compose.compose(client, docs, claims, 400)
        sizes = [request_tokens(r["body"]) for r in server.log.requests]
    assert sizes and max(sizes) <= window, (max(sizes), window)
    assert 2 < len(sizes) <= 1000 // 50  # a few group calls and the final one: a small fraction of N
    assert draft.bottom_line
    real = {c.id for c in claims}
    for s in [*draft.bottom_line, *draft.key_points]:
        assert s.claim_ids and set(s.claim_ids) <= real  # real claim ids, never the groups' stand-ins
        for c in s.citations:
            doc = next(d for d in docs if d.id == c.doc_id)
            assert doc.text[c.start : c.end] == c.quote


def test_a_run_with_a_small_window_sends_nothing_larger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end through the CLI with `--context-window 8192`: extraction, the hierarchical compose,
    the judge and repair all stay inside it, and the brief prints verified."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-scale-000000000")
    folder = corpus(tmp_path / "docs", 60, sentences=12)
    with FixtureServer() as server:
        result = CliRunner().invoke(
            cli,
            ["run", str(folder), "--engine", "llm", "--base-url", server.base_url, "--no-cache",
             "--context-window", "8192", "--format", "json"],
        )  # fmt: skip
        sizes = [(r["stage"], request_tokens(r["body"])) for r in server.log.requests]
    assert result.exit_code == 0, result.stderr[-2000:]
    assert max(n for _, n in sizes) <= 8192, max(sizes, key=lambda x: x[1])
    assert sum(1 for stage, _ in sizes if stage == "Composition") > 1  # composed in groups
    brief = Brief.model_validate_json(result.stdout)
    assert brief.bottom_line and all(s.verdict and s.verdict.label == "supported" for s in brief.bottom_line)


# --- stopping a run -------------------------------------------------------------------------------


class SlowServer(FixtureServer):
    """The fixture server, holding every chat completion `latency` seconds (a remote model's pace);
    each request's arrival time is recorded."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.arrivals: list[float] = []
        super().__init__()

    def _handler(self) -> type:
        base = super()._handler()
        outer = self

        class Slow(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                outer.arrivals.append(time.time())
                if not outer.stopping.wait(outer.latency):
                    super().do_POST()

        return Slow


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_stopped_run_sends_nothing_new_exits_and_writes_nothing(
    tmp_path: Path, sig: int, code: int
) -> None:
    folder = corpus(tmp_path / "docs", 40)
    out = tmp_path / "brief.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_", "AZURE_"))}
    env |= {"OPENAI_API_KEY": "sk-test-stop-000000000", "BRIEFER_CACHE_DIR": str(tmp_path / "cache")}
    concurrency = 4
    with SlowServer(latency=1.0) as server:
        env["OPENAI_BASE_URL"] = server.base_url
        cmd = [sys.executable, "-m", "briefer", "run", str(folder), "--engine", "llm", "-o", str(out),
               "--concurrency", str(concurrency)]  # fmt: skip
        child = subprocess.Popen(
            cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.time() + 30
        while len(server.arrivals) < 2 * concurrency + 1 and time.time() < deadline:
            time.sleep(0.02)  # wait until the second wave of calls is in flight: answers are cached
        signalled = time.time()
        child.send_signal(sig)
        try:
            stdout, stderr = child.communicate(timeout=10)
        finally:
            child.kill()  # only if it is still running: a failed test leaves no process behind
        ended = time.time()
        time.sleep(1.5)  # anything still queued would arrive now
        after = [t for t in server.arrivals if t > signalled]
        written = out.exists() or bool(list(tmp_path.glob(".brief.md.*")))
        answered = len(server.log.requests)  # answers the server completed (stopped ones never are)
        server.latency = 0.0
        server.log.requests.clear()
        rerun = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
        resent = len(server.log.requests)
    assert child.returncode == code, stderr[-2000:]
    assert ended - signalled < 2.0  # requests in flight abandoned at once, not waited for
    assert len(after) <= concurrency, (len(after), len(server.arrivals))
    assert stdout == "" and not written
    assert "interrupted" in stderr and "Traceback" not in stderr
    # what was answered before the signal stayed cached: the rerun resumes, asking only for the rest
    assert rerun.returncode == 0 and out.exists(), rerun.stderr[-2000:]
    assert answered >= concurrency and resent <= 40 + 4 - answered + concurrency, (answered, resent)


# --- runs you can see and preview -----------------------------------------------------------------


def cli_run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["run", *args])


def test_dry_run_prints_the_plan_and_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dry-000000000")
    folder = corpus(tmp_path / "docs", 30)
    out = tmp_path / "brief.md"
    with FixtureServer() as server:
        text = cli_run(str(folder), "--base-url", server.base_url, "--dry-run", "-o", str(out))
        js = cli_run(str(folder), "--base-url", server.base_url, "--dry-run", "--format", "json")
        assert server.log.requests == []  # nothing sent
    assert text.exit_code == 0 and js.exit_code == 0, text.stderr
    assert not out.exists()
    assert "planned calls: extract 30, compose 1" in text.stdout and "worst-case cost: $" in text.stdout
    plan = json.loads(js.stdout)
    assert plan["dry_run"] and plan["engine"] == "llm" and plan["calls"]["extract"] == 30
    assert 0 < plan["worst_cost_usd"] < plan["ceiling_usd"] and plan["largest_request"] <= plan["window"]
    offline = cli_run(str(folder), "--engine", "offline", "--dry-run")
    assert offline.exit_code == 0 and "the offline engine costs nothing" in offline.stdout


def test_auto_says_it_picked_the_llm_engine_with_the_estimate_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-auto-000000000")
    folder = corpus(tmp_path / "docs", 3)
    with FixtureServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        for quiet in ([], ["-q"]):
            result = cli_run(str(folder), "--no-cache", *quiet)
            assert result.exit_code == 0, result.stderr
            first = result.stderr.splitlines()[0]
            assert first.startswith("briefer: engine: llm (OPENAI_BASE_URL is set; model gpt-4o-mini")
            assert (
                "about 7 calls (3 extract + 1 compose + 2 judge + 1 repair)" in first
                and "worst case $" in first
            )


def test_progress_is_an_event_in_json_logs_and_quiet_with_q(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-progress-000000000")
    folder = corpus(tmp_path / "docs", 12)
    with FixtureServer() as server:
        args = [str(folder), "--engine", "llm", "--base-url", server.base_url, "--no-cache"]
        logged = cli_run(*args, "--log-format", "json")
        quiet = cli_run(*args, "--log-format", "json", "-q")
        text = cli_run(*args)  # stderr is not a terminal here: no progress lines in a text log
    events = [json.loads(line) for line in logged.stderr.splitlines()]
    progress = [e for e in events if e.get("event") == "progress"]
    assert progress and progress[-1]["done"] == progress[-1]["total"] == 12
    assert {"calls", "tokens", "cost_usd", "eta_seconds"} <= set(progress[-1])
    assert progress[-1]["calls"] >= 12 and progress[-1]["tokens"] > 0
    assert "progress" not in quiet.stderr and "progress:" not in text.stderr


def test_context_windows_and_a_pluggable_estimate(tmp_path: Path) -> None:
    from briefer.engines.llm.settings import load_settings

    assert context_window("gpt-4o-mini-2024-07-18") == 128_000 and context_window("gpt-4.1-mini") == 1_047_576
    assert context_window("llama3.1:8b") == 16_384 and context_window("llama3.1:8b", 32_768) == 32_768
    config = tmp_path / "config.toml"
    config.write_text("context_window = 65536\n")
    env = {"BRIEFER_CONFIG": str(config), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    assert load_settings(env=env).context_window == 65_536
    assert load_settings({"context_window": 8192}, env=env).context_window == 8192  # the flag wins
    settings = Settings(base_url="http://127.0.0.1:9/v1", model="local-model", context_window=8192)
    by_chars = LLMClient(settings, cache=None)
    by_words = LLMClient(settings, cache=None, estimator=lambda text: len(text.split()))
    variables = {"title": "t", "part": None, "sentences": [], "max_claims": 5}
    assert by_chars.window == 8192
    assert by_words.prompt_tokens("extract.j2", variables) < by_chars.prompt_tokens("extract.j2", variables)


def test_a_request_over_the_window_is_never_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard behind the stages: one document whose single sentence is bigger than the window
    gives no claims (the request is refused unsent), and nothing reaches the server."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-guard-000000000")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "huge.txt").write_text("Officials said " + " ".join(["river"] * 6000) + " rose on Monday.\n")
    with FixtureServer() as server:
        result = cli_run(str(folder), "--engine", "llm", "--base-url", server.base_url, "--no-cache",
                         "--context-window", "2048")  # fmt: skip
        assert server.log.requests == []
    assert result.exit_code == 1 and "would not fit the context window" in result.stderr


def test_a_stopped_batch_with_jobs_stops_every_topic(tmp_path: Path) -> None:
    """`briefer batch --jobs 2`: SIGINT stops both topics' requests (they share the run's stop
    signal through its request limit), exits 130 within 2 s and publishes nothing."""
    topics = [corpus(tmp_path / f"t{i}", 20) for i in range(2)]
    config = tmp_path / "batch.toml"
    config.write_text(
        '[batch]\nmanifest = "out/manifest.json"\nengine = "llm"\ncache_dir = "cache"\n\n'
        + "".join(
            f'[[topic]]\nname = "t{i}"\nsources = ["{folder}"]\noutputs = ["out/t{i}.md"]\n\n'
            for i, folder in enumerate(topics)
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_", "AZURE_"))}
    env["OPENAI_API_KEY"] = "sk-test-batch-stop-000000000"
    concurrency = 4
    with SlowServer(latency=1.0) as server:
        env["OPENAI_BASE_URL"] = server.base_url
        cmd = [sys.executable, "-m", "briefer", "batch", str(config), "--jobs", "2",
               "--concurrency", str(concurrency)]  # fmt: skip
        child = subprocess.Popen(
            cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.time() + 30
        while len(server.arrivals) < concurrency + 1 and time.time() < deadline:
            time.sleep(0.02)
        signalled = time.time()
        child.send_signal(signal.SIGINT)
        try:
            _, stderr = child.communicate(timeout=10)
        finally:
            child.kill()
        ended = time.time()
        time.sleep(1.5)
        after = [t for t in server.arrivals if t > signalled]
    assert child.returncode == 130, stderr[-2000:]
    assert ended - signalled < 2.0
    assert len(after) <= concurrency, len(after)
    assert not list((tmp_path / "out").glob("t*.md"))
