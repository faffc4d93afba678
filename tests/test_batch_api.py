"""`briefer batch --batch-api`: a run's requests through the provider's Batch API, against a local fake
of it (tests/batch_api_server.py): the brief equals the live run's, the ledger bills the batch price,
and what a batch leaves unanswered (expired, failed lines, the max wait) is asked live.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from batch_api_server import BatchAPIServer, BatchScenario
from click.testing import CliRunner, Result

from briefer.cli.app import cli
from briefer.engines.llm.ledger import DEFAULT_PRICES, batch_price_for

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
ROOT = Path(__file__).resolve().parent.parent
FAKE_KEY = "sk-fixture-batchapi-0000000000"
STAMPS = re.compile(r'"(generated_at|seconds)": ("[^"]*"|[0-9.e-]+)')


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "tests" / "fixtures" / "storm", tmp_path / "storm")
    return tmp_path


def config(folder: Path, out: str) -> Path:
    path = folder / f"{out}.toml"
    path.write_text(
        f'[batch]\nengine = "llm"\nmanifest = "{out}/manifest.json"\n\n'
        f'[[topic]]\nname = "seeds"\nsources = "seeds/"\noutputs = ["{out}/seeds.md", "{out}/seeds.json"]\n\n'
        f'[[topic]]\nname = "storm"\nsources = "storm/"\noutputs = ["{out}/storm.md"]\n',
        encoding="utf-8",
    )
    return path


def run(server: BatchAPIServer, cfg: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("BRIEFER_BATCH_POLL_INTERVAL", "0.01")
    cache = cfg.parent / f"cache-{cfg.stem}"
    return CliRunner().invoke(cli, ["batch", str(cfg), "--cache-dir", str(cache), *args])


def briefs(folder: Path) -> dict[str, Any]:
    """The briefs, timestamps aside; the JSON brief without its usage report (its cost differs)."""
    files: dict[str, Any] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix == ".md":
            files[p.name] = p.read_text(encoding="utf-8")
        elif p.name == "seeds.json":
            data = json.loads(p.read_text(encoding="utf-8"))
            data["report"].pop("usage")
            files[p.name] = re.sub(r"127\.0\.0\.1:\d+", "HOST", STAMPS.sub("X", json.dumps(data)))
    return files


def live_baseline(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any], int]:
    with BatchAPIServer() as server:
        result = run(server, config(folder, "live"), monkeypatch)
        assert result.exit_code == 0, result.output
        calls = server.live_requests()
    return briefs(folder / "live"), json.loads((folder / "live" / "manifest.json").read_text()), calls


@LOCAL
def test_batch_api_brief_equals_the_live_one_at_the_batch_price(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, live_manifest, live_calls = live_baseline(folder, monkeypatch)
    with BatchAPIServer() as server:
        result = run(server, config(folder, "viabatch"), monkeypatch, "--batch-api")
        assert result.exit_code == 0, result.output
        assert server.live_requests() == 0, "every answer came through the Batch API"
        first_manifest = (folder / "viabatch" / "manifest.json").read_text()
        assert len(server.batch_lines) == live_calls
        stages = [{stage(line) for line in server.files_lines(b)} for b in server.batches.values()]
        # A second run finds every answer in the response cache: no batch, no call.
        again = run(server, config(folder, "viabatch"), monkeypatch, "--batch-api")
        assert again.exit_code == 0, again.output
        assert len(server.batches) == 6 and server.live_requests() == 0
        assert json.loads((folder / "viabatch" / "manifest.json").read_text())["usage"]["calls"] == 0
    assert briefs(folder / "viabatch") == live
    # Each stage's requests form one batch: extraction, composition, judging, for each topic.
    assert stages == [{"Extraction"}, {"Composition"}, {"Judgements"}] * 2

    m = json.loads(first_manifest)
    live_usage = live_manifest["usage"]
    assert m["usage"]["calls"] == live_usage["calls"] and m["usage"]["cache_hits"] == 0
    assert m["usage"]["prompt_tokens"] == live_usage["prompt_tokens"]
    list_price, batch_price = (
        DEFAULT_PRICES["gpt-4o-mini"],
        batch_price_for("gpt-4o-mini", DEFAULT_PRICES["gpt-4o-mini"]),
    )
    assert batch_price is not None and batch_price.input == list_price.input / 2
    assert m["usage"]["cost_usd"] == pytest.approx(live_usage["cost_usd"] / 2, abs=2e-6)
    assert "through the Batch API at $0.075/$0.3 per 1M tokens" in result.stderr
    for said in ("requests queued as batch_1", "in_progress, 0 of 2 done", "completed, 2 answered, 0 not"):
        assert said in result.stderr, result.stderr


def stage(line: dict[str, Any]) -> str:
    from fixture_server import stage_of

    return stage_of(line["body"])


@LOCAL
def test_an_expired_batch_and_failed_lines_complete_through_live_calls(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, _, _ = live_baseline(folder, monkeypatch)
    scenario = BatchScenario(expire_batches=(1,), expired_answers=1, fail_stage="Composition")
    with BatchAPIServer(scenario) as server:
        result = run(server, config(folder, "faults"), monkeypatch, "--batch-api")
        assert result.exit_code == 0, result.output
        live_stages = [r["stage"] for r in server.log.requests]
    assert briefs(folder / "faults") == live
    # Batch 1 (the seeds' two extractions) expired with one answered; both compositions failed.
    assert sorted(live_stages) == ["Composition", "Composition", "Extraction"]
    assert "1 of 2 requests not answered (the batch expired); asking for them live" in result.stderr
    assert "The batch worker failed this line." in result.stderr


@LOCAL
def test_a_batch_past_its_max_wait_is_cancelled_and_asked_live_within_max_cost(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, _, _ = live_baseline(folder, monkeypatch)
    monkeypatch.setenv("BRIEFER_BATCH_MAX_WAIT", "0.05")
    with BatchAPIServer(BatchScenario(never_finish=True)) as server:
        result = run(server, config(folder, "slow"), monkeypatch, "--batch-api")
        assert result.exit_code == 0, result.output
        assert all(b.status == "cancelled" for b in server.batches.values())
    assert briefs(folder / "slow") == live
    assert "not done after 0s; cancelling batch_1" in result.stderr

    monkeypatch.setenv("BRIEFER_MAX_COST", "0.0001")  # less than one live extraction's worst case
    with BatchAPIServer(BatchScenario(never_finish=True)) as server:
        result = run(server, config(folder, "broke"), monkeypatch, "--batch-api")
        assert server.live_requests() == 0
    assert result.exit_code == 1
    m = json.loads((folder / "broke" / "manifest.json").read_text())
    assert all("past --max-cost" in t["error"] for t in m["topics"]), m["topics"]


def test_batch_api_needs_the_cache(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(config(folder, "x")), "--batch-api", "--no-cache"])
    assert result.exit_code == 2 and "--batch-api" in result.stderr
