"""Test isolation and the cassette configuration (pytest-recording / vcrpy).

Every test runs without the developer's keys, endpoints or config file, so `--engine auto` is
offline unless a test configures otherwise. Cassettes replay only (`record_mode: none`) and match on
method, path and the canonical JSON body, so changing a prompt without re-recording fails loudly.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
SCRUBBED_HEADERS = [
    "authorization",
    "api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
    "x-api-key",
]
VOLATILE_HEADERS = [
    "host",
    "date",
    "server",
    "x-stainless-os",
    "x-stainless-arch",
    "x-stainless-runtime-version",
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFER_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("platformdirs.user_config_path", lambda name, *a, **k: tmp_path / "config" / name)
    monkeypatch.setenv("BRIEFER_RETRY_BASE_DELAY", "0.01")  # keep backoff tiny; Retry-After still honoured


def canonical_body(body: Any) -> Any:
    """JSON with sorted keys; pydantic's versioned error-doc URLs (inside re-ask messages) masked."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        text = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return body
    return re.sub(r"https://errors\.pydantic\.dev/[^/]+/", "https://errors.pydantic.dev/_/", text)


def json_body(r1: Any, r2: Any) -> None:
    assert canonical_body(r1.body) == canonical_body(r2.body), "request body differs from the cassette"


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SCRUBBED_HEADERS + VOLATILE_HEADERS:
            del headers[name]
    return response


def _stable_request(request: Any) -> Any:
    """The fixture server's random port recorded as the fixed replay port, so re-records diff cleanly."""
    request.uri = re.sub(r"^http://127\.0\.0\.1:\d+/", "http://127.0.0.1:8765/", request.uri)
    return request


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", json_body)


@pytest.fixture
def vcr_config(record_mode: str) -> dict[str, Any]:
    return {
        "filter_headers": SCRUBBED_HEADERS + VOLATILE_HEADERS,
        "before_record_request": _stable_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "record_mode": record_mode,  # "none" unless --record-mode is given
        "match_on": ["method", "path", "json_body"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)
