"""API keys never leave the process: not in logs at any verbosity, errors, JSON output, the response
cache, a batch manifest or a recorded cassette, even when the server echoes the key back.

Each test sets a recognisable fake key, runs against the local fault server (which checks the key did
arrive, so the test is not vacuous) and then searches everything the run could have written: stdout,
stderr and every file under the test's folder, where the output, the cache, the config and the
temporary directory all live.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import vcr
from adversary import LOCAL_ONLY, REPO, FaultServer, briefer, storm
from click.testing import CliRunner
from conftest import SCRUBBED_HEADERS, VOLATILE_HEADERS

from briefer.cli.app import cli

pytestmark = LOCAL_ONLY


def fake_key() -> str:
    return f"sk-test-LEAKCHECK-{secrets.token_hex(12)}"


def leaks(key: str, texts: list[str], folder: Path) -> list[str]:
    """Where the key (or its random part) shows up: in the given texts or any file under `folder`."""
    needles = (key, key.rsplit("-", 1)[1])
    found = [f"text {i}" for i, t in enumerate(texts) if any(n in t for n in needles)]
    for path in folder.rglob("*"):
        if path.is_file() and any(n.encode() in path.read_bytes() for n in needles):
            found.append(str(path))
    return found


def echo_key(status: int) -> Any:
    """An error reply that repeats the key it was sent, as OpenAI's 401 message does (in part)."""

    def reply(h: Any, body: dict[str, Any], stage: str) -> None:
        key = h.headers.get("Authorization", "").removeprefix("Bearer ")
        message = f"Incorrect API key provided: {key}. You can find your API key at https://example.invalid."
        h.send_json(status, {"error": {"message": message, "type": "invalid_request_error"}})

    return reply


def run_process(
    tmp_path: Path, key: str, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m briefer run ...` in a child with only this test's folders: config, cache and temp
    files all land under tmp_path. OPENAI_LOG=debug turns on the openai client's own debug logging."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "BRIEFER_", "XDG_"))}
    for name in ("config", "cache", "tmp"):
        (tmp_path / name).mkdir(exist_ok=True)
    env.update(
        OPENAI_API_KEY=key,
        OPENAI_LOG="debug",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path / "tmp"),
        BRIEFER_RETRY_BASE_DELAY="0.01",
    )
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "briefer", "run", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_a_successful_run_at_full_verbosity_writes_the_key_nowhere(tmp_path: Path) -> None:
    key = fake_key()
    corpus = storm(tmp_path)
    with FaultServer() as server:
        json_run = run_process(
            tmp_path, key, str(corpus), "--engine", "llm", "--base-url", server.base_url, "-vv",
            "--format", "json", "-o", str(tmp_path / "brief.json"),
        )  # fmt: skip
        md_run = run_process(tmp_path, key, str(corpus), "--base-url", server.base_url, "-vv")
    assert json_run.returncode == 0 and md_run.returncode == 0, json_run.stderr[-2000:]
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {key}"  # the key was really used
    assert (tmp_path / "brief.json").stat().st_size > 0 and md_run.stdout.startswith("# ")
    assert any((tmp_path / "cache").rglob("*.sqlite3")), "the response cache should have been written"
    assert "DEBUG" in json_run.stderr or "HTTP Request" in json_run.stderr  # the debug logs did run
    outputs = [json_run.stdout, json_run.stderr, md_run.stdout, md_run.stderr]
    assert leaks(key, outputs, tmp_path) == []


@pytest.mark.parametrize("status", [401, 500])
def test_a_server_that_echoes_the_key_in_its_error_does_not_leak_it(tmp_path: Path, status: int) -> None:
    key = fake_key()
    with FaultServer(lambda n, stage, body: echo_key(status)) as server:
        result = run_process(
            tmp_path, key, str(storm(tmp_path)), "--base-url", server.base_url, "-vv",
            "--format", "json", "-o", str(tmp_path / "brief.json"),
        )  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert f"HTTP {status}" in result.stderr
    if status != 401:  # a 401 is reported as "rejected the API key", without the server's words
        assert "Incorrect API key provided: ***" in result.stderr
    assert not (tmp_path / "brief.json").exists()
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == []


def test_a_batch_manifest_holds_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One topic succeeds, one fails with the key echoed back: the manifest records both outcomes and
    neither the key nor its random part."""
    key = fake_key()
    corpus = storm(tmp_path)

    def script(n: int, stage: str, body: dict[str, Any]) -> Any:
        return echo_key(401) if body.get("model") == "reject-me" else None

    with FaultServer(script) as server:
        config = tmp_path / "batch.toml"
        config.write_text(
            '[batch]\nmanifest = "out/manifest.json"\nengine = "llm"\ncache_dir = "cache"\n\n'
            f'[[topic]]\nname = "good"\nsources = ["{corpus}"]\noutputs = ["out/good.json"]\n\n'
            f'[[topic]]\nname = "bad"\nmodel = "reject-me"\nsources = ["{corpus}"]\noutputs = ["out/bad.md"]\n'
        )
        monkeypatch.setenv("OPENAI_API_KEY", key)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = CliRunner().invoke(cli, ["batch", str(config), "-vv"])
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert result.exit_code == 4, result.stderr[-2000:]
    assert '"good"' in manifest and '"bad"' in manifest and "401" in manifest
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == []


def test_a_recorded_cassette_holds_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record a run with the suite's own vcr settings (tests/conftest.py) and search the cassette: the
    Authorization header is filtered, and no body carries the key."""
    key = fake_key()
    monkeypatch.setenv("OPENAI_API_KEY", key)
    recorder = vcr.VCR(
        filter_headers=SCRUBBED_HEADERS + VOLATILE_HEADERS,
        record_mode="all",
        decode_compressed_response=True,
    )
    cassette = tmp_path / "cassette.yaml"
    with FaultServer() as server, recorder.use_cassette(str(cassette)):
        result = briefer(storm(tmp_path), "--engine", "llm", "--base-url", server.base_url, "--no-cache")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {key}"
    text = cassette.read_text()
    assert "chat/completions" in text and "authorization" not in text.lower()
    assert leaks(key, [text, result.stdout, result.stderr], tmp_path) == []


def test_the_shipped_cassettes_hold_no_credentials() -> None:
    for cassette in sorted((REPO / "cassettes").glob("*.yaml")):
        text = cassette.read_text(encoding="utf-8")
        lowered = text.lower()
        for header in ("authorization:", "api-key:", "bearer ", "openai-organization:", "set-cookie:"):
            assert header not in lowered, (cassette.name, header)


def test_error_paths_mask_the_key_even_when_it_is_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Belt and braces in the CLI: whatever error text reaches stderr is masked against the key in
    the environment, here through a 429 whose message (echoed by a careless proxy) holds it."""
    key = fake_key()
    monkeypatch.setenv("OPENAI_API_KEY", key)

    def reply(h: Any, body: dict[str, Any], stage: str) -> None:
        h.send_json(429, {"error": {"message": f"slow down {key}"}}, {"Retry-After": "0"})

    with FaultServer(lambda n, stage, body: reply) as server:
        result = briefer(storm(tmp_path), "--engine", "llm", "--base-url", server.base_url, "-vv")
    assert result.exit_code == 1 and "slow down ***" in result.stderr
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == []


# --- issue 14: credentials in the base URL, an echoing answer, a key with a stray \r -----------------


def echo_in_answer(h: Any, body: dict[str, Any], stage: str) -> None:
    """A normal answer that repeats the key it was sent (and the Basic credentials, if any) inside
    the structured answer, where it would reach claims, sentences, the JSON output and the cache."""
    from fixture_server import Scenario, answer, completion

    auth = h.headers.get("Authorization", "")
    secret = auth.removeprefix("Bearer ")
    if auth.startswith("Basic "):
        import base64

        secret = base64.b64decode(auth.removeprefix("Basic ")).decode().split(":", 1)[1]
    stage, content = answer(body, Scenario())
    echoed = json.loads(json.dumps(content).replace("The evidence states", f"{secret}: the evidence states"))
    for claim in echoed.get("claims", []):
        claim["speaker"] = f"key {secret}"
    response = completion(body, stage, echoed)
    response["id"] = f"chatcmpl-{secret}"
    h.send_json(200, response)


def test_an_answer_that_echoes_the_key_is_scrubbed(tmp_path: Path) -> None:
    key = fake_key()
    with FaultServer(lambda n, stage, body: echo_in_answer) as server:
        result = run_process(
            tmp_path, key, str(storm(tmp_path)), "--engine", "llm", "--base-url", server.base_url, "-vv",
            "--format", "json", "-o", str(tmp_path / "brief.json"),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {key}"
    assert any((tmp_path / "cache").rglob("*.sqlite3"))
    assert "***" in (tmp_path / "brief.json").read_text()  # the echo arrived and was masked
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == []


@pytest.mark.parametrize("level", ["info", "debug"])
def test_credentials_in_the_base_url_reach_no_log_line(tmp_path: Path, level: str) -> None:
    """`user:password@` in the base URL is sent as Basic auth, and printed by no logger (openai's
    and httpx's own included, at OPENAI_LOG=info or debug) nor stored in the cache or the output."""
    password = f"pw-{secrets.token_hex(10)}"
    with FaultServer(lambda n, stage, body: echo_in_answer) as server:
        url = server.base_url.replace("http://", f"http://alice:{password}@")
        env_level = {"OPENAI_LOG": level}
        result = run_process(
            tmp_path, fake_key(), str(storm(tmp_path)), "--engine", "llm", "--base-url", url, "-vv",
            "--format", "json", "-o", str(tmp_path / "brief.json"), extra_env=env_level,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert server.requests[0]["headers"]["authorization"].startswith("Basic ")  # the credentials were used
    assert "HTTP Request" in result.stderr or "Request options" in result.stderr  # the SDK loggers ran
    assert password not in result.stderr and password not in result.stdout
    found = [str(p) for p in tmp_path.rglob("*") if p.is_file() and password.encode() in p.read_bytes()]
    assert found == []


def test_a_cassette_recorded_with_url_credentials_keeps_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = f"pw-{secrets.token_hex(10)}"
    monkeypatch.setenv("OPENAI_API_KEY", fake_key())
    recorder = vcr.VCR(
        filter_headers=SCRUBBED_HEADERS + VOLATILE_HEADERS, record_mode="all", decode_compressed_response=True
    )
    cassette = tmp_path / "cassette.yaml"
    with FaultServer() as server, recorder.use_cassette(str(cassette)):
        url = server.base_url.replace("http://", f"http://bob:{password}@")
        result = briefer(storm(tmp_path), "--engine", "llm", "--base-url", url, "--no-cache")
    assert result.exit_code == 0, result.stderr[-2000:]
    text = cassette.read_text()
    assert "uri: http://127.0.0.1" in text and password not in text and "bob" not in text


@pytest.mark.parametrize("stray", ["\r", "\n", " \r\n"])
def test_a_key_with_a_stray_line_ending_is_stripped(tmp_path: Path, stray: str) -> None:
    key = fake_key()
    with FaultServer() as server:
        result = run_process(
            tmp_path,
            key + stray,
            str(storm(tmp_path)),
            "--base-url",
            server.base_url,
            "-vv",
            "--format",
            "json",
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {key}"
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == []


def test_a_key_with_a_control_character_inside_is_refused_without_showing_it(tmp_path: Path) -> None:
    key = fake_key()
    broken = key[:10] + "\r" + key[10:]
    with FaultServer() as server:
        result = run_process(tmp_path, broken, str(storm(tmp_path)), "--base-url", server.base_url, "-vv")
    assert result.returncode == 2 and server.requests == []
    assert "OPENAI_API_KEY holds a space or control character" in result.stderr
    assert leaks(key, [result.stdout, result.stderr], tmp_path) == [] and key[10:] not in result.stderr
