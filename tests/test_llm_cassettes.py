"""The LLM engine end to end through the CLI, replayed from cassettes (no network, no key).

The cassettes are real HTTP exchanges between the openai client and `tests/fixture_server.py`
(answers we authored), recorded with `--record-mode=rewrite`; see cassettes/README.md. Replay uses
a fixed fake base URL: requests match on method, path and body, never on host or port.

Re-record against the fixture server:  pytest tests/test_llm_cassettes.py --record-mode=rewrite
Re-record against a live endpoint:     BRIEFER_RECORD_LIVE=1 OPENAI_API_KEY=... \
                                       pytest tests/test_llm_cassettes.py --record-mode=rewrite
(the fault scenarios cannot be provoked on a live endpoint, so they keep their fixture recordings).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fixture_server import FixtureServer, Scenario
from invariants import assert_json_invariants, assert_markdown_invariants

from briefer.cli.app import cli
from briefer.core.models import Brief
from briefer.output.render import render_markdown

pytestmark = pytest.mark.block_network  # replay never reaches a socket; recording is exempt

REPO = Path(__file__).resolve().parent.parent
CASSETTES = REPO / "cassettes"
REPLAY_BASE_URL = "http://127.0.0.1:8765/v1"
FAKE_KEY = "sk-fixture-0a1b2c3d4e5f6a7b8c9d"  # secret-shaped on purpose: the scrub test looks for it
# Read at import, before the autouse fixture clears the environment: only for live re-recording.
LIVE = os.environ.get("BRIEFER_RECORD_LIVE") == "1"
# Not the model: replay always sends the default (gpt-4o-mini), so a live recording must use it too.
LIVE_ENV = {k: v for k, v in os.environ.items() if k.startswith("OPENAI_")}

Start = Callable[..., list[str]]
# A skipif runs before pytest-recording's rewrite mode deletes the cassette; a skip inside the test would not.
fixture_only = pytest.mark.skipif(LIVE, reason="fault scenarios are recorded against the fixture server only")


@pytest.fixture
def endpoint(record_mode: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Start]:
    """CLI arguments and environment for this test's endpoint: the fake replay URL, or, when
    recording, a fixture server running `scenario` (or the live endpoint for plain scenarios)."""
    monkeypatch.chdir(REPO)  # the prompts must not depend on where pytest was started
    servers: list[FixtureServer] = []

    def start(scenario: Scenario | None = None) -> list[str]:
        if record_mode == "none":
            monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
            return ["--base-url", REPLAY_BASE_URL]
        if LIVE:
            assert scenario is None, "mark fault-scenario tests @fixture_only"
            for k, v in LIVE_ENV.items():
                monkeypatch.setenv(k, v)
            return []
        server = FixtureServer(scenario or Scenario()).__enter__()
        servers.append(server)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        return ["--base-url", server.base_url]

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def brief_run(args: list[str], tmp_path: Path) -> tuple[Result, Path]:
    out = tmp_path / "brief.json"
    result = CliRunner().invoke(
        cli, ["run", "seeds/", "--engine", "llm", "--format", "json", "-o", str(out), *args]
    )
    return result, out


def assert_invariants(brief: Brief) -> None:
    """The same checks as the offline brief's (tests/invariants.py), plus three open questions."""
    assert_markdown_invariants(render_markdown(brief))
    assert_json_invariants(brief.model_dump_json())
    for s in brief.dropped:
        for c in s.citations:
            assert next(d for d in brief.documents if d.id == c.doc_id).text[c.start : c.end] == c.quote
    assert len(brief.open_questions) >= 3


def load_brief(path: Path) -> Brief:
    return Brief.model_validate_json(path.read_text(encoding="utf-8"))


@pytest.mark.vcr
@pytest.mark.parametrize("mode", ["tools", "json_schema", "json"])
def test_seeds_end_to_end(endpoint: Start, tmp_path: Path, mode: str, vcr: Any) -> None:
    result, out = brief_run([*endpoint(), "--llm-mode", mode], tmp_path)
    assert result.exit_code == 0, result.output
    for request in vcr.requests:  # the structured-output mechanism each mode asks for
        body = json.loads(request.body)
        assert ("tools" in body) == (mode == "tools")
        expected = {"tools": None, "json_schema": "json_schema", "json": "json_object"}[mode]
        assert body.get("response_format", {}).get("type") == expected
    brief = load_brief(out)
    assert_invariants(brief)
    r = brief.report
    assert (r.engine, r.model, r.documents_used) == ("llm", "gpt-4o-mini", 2)
    assert r.prompt_hash and re.fullmatch(r"[0-9a-f]{12}", r.prompt_hash)
    assert r.claims_extracted > 10
    assert r.usage.calls >= 4 and r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.cost_usd > 0
    assert "usage: " in result.stderr and "engine: llm" in result.stderr
    assert FAKE_KEY not in out.read_text() + result.output


@fixture_only
@pytest.mark.vcr
def test_reask_after_invalid_citation(endpoint: Start, tmp_path: Path) -> None:
    result, out = brief_run(
        [*endpoint(Scenario(invalid_citation_first=True)), "--llm-mode", "tools"], tmp_path
    )
    assert result.exit_code == 0, result.output
    r = load_brief(out).report
    assert r.usage.calls == 2 * 2 + 2  # each document re-asked once, then compose and judge
    assert r.claims_dropped == 0
    assert "extract answer failed validation on attempt 1" in result.stderr
    assert "2 re-asks" in result.stderr


@fixture_only
@pytest.mark.vcr
def test_claims_that_stay_invalid_are_dropped_and_counted(endpoint: Start, tmp_path: Path) -> None:
    result, out = brief_run(
        [*endpoint(Scenario(invalid_citation_always=True)), "--llm-mode", "tools"], tmp_path
    )
    assert result.exit_code == 0, result.output
    brief = load_brief(out)
    assert brief.report.claims_dropped == 4  # two bad claims per document, after 3 attempts each
    assert brief.report.usage.calls == 2 * 3 + 2
    assert "dropped 2 claims from seeds/" in result.stderr
    assert_invariants(brief)


@fixture_only
@pytest.mark.vcr
def test_rate_limit_then_success(endpoint: Start, tmp_path: Path) -> None:
    args = endpoint(Scenario(rate_limit_first=1))
    result, out = brief_run([*args, "--llm-mode", "tools", "--concurrency", "1"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "HTTP 429" in result.stderr and "retrying in 0.05s" in result.stderr  # retry-after-ms honoured
    assert load_brief(out).report.usage.calls == 5  # the 429 attempt is counted too


@fixture_only
@pytest.mark.vcr
def test_server_error_exhausts_retries(endpoint: Start, tmp_path: Path) -> None:
    args = endpoint(Scenario(fail_always=True))
    result, out = brief_run([*args, "--llm-mode", "tools", "--concurrency", "1"], tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert not out.exists()
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert errors == [
        f"briefer: error: the model endpoint failed after 4 attempts: HTTP 500 from {args[1]}: "
        "The server had an error while processing your request."
    ]


@fixture_only
@pytest.mark.vcr
def test_judge_rejection_is_repaired(endpoint: Start, tmp_path: Path) -> None:
    result, out = brief_run([*endpoint(Scenario(judge_rejects=("k0",))), "--llm-mode", "tools"], tmp_path)
    assert result.exit_code == 0, result.output
    brief = load_brief(out)
    assert brief.report.usage.calls == 2 + 1 + 1 + 1 + 1  # extract x2, compose, judge, repair, re-judge
    k0 = next(s for s in brief.key_points if s.id == "k0")
    assert k0.verdict and k0.verdict.checked_by == ["deterministic", "judge"]
    assert k0.text == "North Korea condemned the deal."  # the rewrite, from its cited span only
    assert not brief.dropped
    assert_invariants(brief)


@fixture_only
@pytest.mark.vcr
def test_judge_rejection_that_survives_repair_becomes_unverified(endpoint: Start, tmp_path: Path) -> None:
    scenario = Scenario(judge_rejects=("k0",), judge_rejects_repairs=True)
    result, out = brief_run([*endpoint(scenario), "--llm-mode", "tools"], tmp_path)
    assert result.exit_code == 0, result.output
    brief = load_brief(out)
    assert [s.id for s in brief.dropped] == ["k0"]
    assert "k0" not in [s.id for s in brief.key_points]
    unverified = [q for q in brief.open_questions if q.kind == "unverified"]
    assert unverified and unverified[0].note and unverified[0].note.startswith("judge: unsupported")
    assert_invariants(brief)


@fixture_only
@pytest.mark.vcr
def test_max_cost_stops_the_run_before_it_is_exceeded(endpoint: Start, tmp_path: Path) -> None:
    args = endpoint(Scenario())
    result, out = brief_run(
        [*args, "--llm-mode", "tools", "--concurrency", "1", "--max-cost", "0.005"], tmp_path
    )
    assert result.exit_code == 1
    assert result.stdout == "" and not out.exists()
    assert "error: stopped before the judge call" in result.stderr
    assert "--max-cost $0.0050" in result.stderr


def test_cassettes_hold_no_secrets() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 9
    leaks = re.compile(
        r"sk-[A-Za-z0-9_\-]{8,}|Bearer\s+\S+|" + re.escape(FAKE_KEY) + r"|^\s*(?:authorization|api-key|"
        r"openai-organization|openai-project|cookie|set-cookie|x-api-key):",
        re.IGNORECASE | re.MULTILINE,
    )
    for path in files:
        found = leaks.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name} holds {found.group(0)!r}"


def test_every_cassette_is_used() -> None:
    """A renamed test must not leave a stale cassette behind."""
    names = {p.stem for p in CASSETTES.glob("*.yaml")}
    tests = {n for n in globals() if n.startswith("test_")}
    expected = {f"test_seeds_end_to_end[{m}]" for m in ("tools", "json_schema", "json")} | {
        n for n in tests if n != "test_seeds_end_to_end" and "cassette" not in n
    }
    assert names == expected
