"""Hard limits against an endpoint that stalls, lies about usage or sends answers that cannot be
encoded (issue 14, item 5). Every server is `adversary.FaultServer` on 127.0.0.1.

- `--timeout` bounds each attempt's whole duration, however slowly the server drip-feeds it;
- usage that is missing, negative or absurd is counted at the call's worst case against `--max-cost`;
- a lone-surrogate escape or a tool call under another name is an invalid answer, re-asked.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from adversary import (
    LOCAL_ONLY,
    FaultServer,
    assert_clean_failure,
    assert_published_is_verified,
    briefer,
    first,
    llm_args,
    on_stage,
    storm,
)
from fixture_server import Scenario, answer, completion, is_reask

from briefer.core.models import Brief

pytestmark = LOCAL_ONLY


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-limits-0000000000")


def one_attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transport attempt per call, so the run's length is the attempt's."""
    config = tmp_path / "config.toml"
    config.write_text("max_attempts = 1\n")
    monkeypatch.setenv("BRIEFER_CONFIG", str(config))


# --- --timeout bounds the whole attempt ----------------------------------------------------------


def drip_body(h: Any, body: dict[str, Any], stage: str) -> None:
    """Headers at once, then the answer one byte every half second (each read is quick)."""
    stage, content = answer(body, Scenario())
    data = json.dumps(completion(body, stage, content)).encode()
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    for i in range(len(data)):
        if h.fault.stopping.wait(0.5):
            return
        h.wfile.write(data[i : i + 1])
        h.wfile.flush()


def drip_headers(h: Any, body: dict[str, Any], stage: str) -> None:
    """The status line and headers themselves, one byte every half second."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 200
    for i in range(len(head)):
        if h.fault.stopping.wait(0.5):
            return
        h.wfile.write(head[i : i + 1])
        h.wfile.flush()


@pytest.mark.parametrize("reply", [drip_body, drip_headers], ids=["body", "headers"])
def test_timeout_bounds_a_drip_fed_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: Any
) -> None:
    one_attempt(tmp_path, monkeypatch)
    arrived: list[float] = []
    with FaultServer(lambda n, stage, body: arrived.append(time.monotonic()) or reply) as server:
        result = briefer(storm(tmp_path), *llm_args(server, "--timeout", "2", "--concurrency", "1"))
        elapsed = time.monotonic() - arrived[0]
    error = assert_clean_failure(result)
    assert "timed out" in error and "--timeout 2s" in error
    assert len(server.requests) == 1
    assert elapsed < 3.0, (elapsed, result.stderr)  # the attempt ended within 3 s of reaching the server


# --- usage that cannot be believed ---------------------------------------------------------------


def with_usage(usage: Any) -> Any:
    def reply(h: Any, body: dict[str, Any], stage: str) -> None:
        stage, content = answer(body, Scenario())
        response = completion(body, stage, content)
        if usage is None:
            del response["usage"]
        else:
            response["usage"] = usage
        h.send_json(200, response)

    return reply


BUDGET = "0.004"  # one extraction's worst case (~1,000 prompt + 4,096 output tokens) fits; two do not


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": -5_000_000, "completion_tokens": -5_000_000, "total_tokens": -10_000_000},
        None,
        {"prompt_tokens": 10**12, "completion_tokens": 10**12, "total_tokens": 2 * 10**12},
    ],
    ids=["negative", "missing", "absurd"],
)
def test_unbelievable_usage_counts_at_its_worst_case(tmp_path: Path, usage: Any) -> None:
    with FaultServer(lambda n, stage, body: with_usage(usage)) as server:
        result = briefer(
            storm(tmp_path), *llm_args(server, "--concurrency", "1", "--max-cost", BUDGET, "--format", "json")
        )
    error = assert_clean_failure(result)
    assert "stopped before the extract call" in error and f"--max-cost ${float(BUDGET):.4f}" in error
    assert len(server.requests) == 1  # the first call's worst case leaves no room for a second
    assert "counted at its worst case" in result.stderr


def test_believable_usage_leaves_room_under_the_same_budget(tmp_path: Path) -> None:
    """The control: honest small counts let more calls through the same budget."""
    with FaultServer() as server:
        briefer(storm(tmp_path), *llm_args(server, "--concurrency", "1", "--max-cost", BUDGET))
    assert len(server.requests) > 1


# --- answers that cannot be encoded, or call the wrong tool --------------------------------------


def with_surrogate(h: Any, body: dict[str, Any], stage: str) -> None:
    """A lone `\\ud800` escape in the answer's text and in the completion id."""
    stage, content = answer(body, Scenario())
    response = completion(body, stage, content)
    response["id"] = "chatcmpl-\ud800"
    message = response["choices"][0]["message"]
    if message.get("tool_calls"):
        call = message["tool_calls"][0]["function"]
        call["arguments"] = call["arguments"].replace('"text": "', '"text": "\ud800', 1)
    else:
        message["content"] = message["content"].replace('"text": "', '"text": "\ud800', 1)
    h.send_bytes(200, json.dumps(response).encode())  # json.dumps writes the surrogate as \ud800


def wrong_tool(h: Any, body: dict[str, Any], stage: str) -> None:
    stage, content = answer(body, Scenario())
    response = completion(body, stage, content)
    response["choices"][0]["message"]["tool_calls"][0]["function"]["name"] = "delete_everything"
    h.send_json(200, response)


@pytest.mark.parametrize("mode", ["tools", "json_schema"])
@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
def test_a_lone_surrogate_is_an_invalid_answer_not_a_crash(tmp_path: Path, mode: str, cache: bool) -> None:
    with FaultServer(first(1, with_surrogate)) as server:
        args = llm_args(server, "--llm-mode", mode, "--concurrency", "1", "--format", "json")
        if cache:
            args = [a for a in args if a != "--no-cache"] + ["--cache-dir", str(tmp_path / "cache")]
        result = briefer(storm(tmp_path), *args)
    assert result.exit_code == 0, result.stderr[-2000:]
    assert is_reask(server.requests[1]["body"])  # the bad answer was re-asked
    assert "lone surrogate" in json.dumps(server.requests[1]["body"]["messages"])
    assert_published_is_verified(Brief.model_validate_json(result.stdout))


def test_a_tool_call_under_another_name_is_re_asked(tmp_path: Path) -> None:
    with FaultServer(on_stage("Extraction", wrong_tool, times=1)) as server:
        result = briefer(storm(tmp_path), *llm_args(server, "--llm-mode", "tools", "--concurrency", "1"))
    assert result.exit_code == 0, result.stderr[-2000:]
    assert server.stages()[:2] == ["Extraction", "Extraction"] and is_reask(server.requests[1]["body"])
    assert "delete_everything" in json.dumps(server.requests[1]["body"]["messages"])
