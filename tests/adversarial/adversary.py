"""Shared tools of the adversarial suite: a model server that misbehaves on cue, a CLI runner, and the
checks every adversarial run ends with (nothing half-written, nothing unverified printed as fact).

`FaultServer` answers like `tests/fixture_server.py` (it reuses its authored answers) until a script
says otherwise: for request number n of stage s, the script may return a `Reply` that sends malformed
JSON, nonsense that fits the schema, invented ids, no choices, a cut-off answer, a refusal, an HTTP
error, nothing for a while (a timeout) or half a response before hanging up. Everything stays on
127.0.0.1; no test here reaches a real model.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fixture_server import BackgroundServer, JSONHandler, Scenario, answer, completion, stage_of

from briefer.cli.app import cli
from briefer.core.models import Brief, Document
from briefer.verify import verify_sentence

REPO = Path(__file__).resolve().parents[2]
STORM = REPO / "tests" / "fixtures" / "storm"
LOCAL_ONLY = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

Reply = Callable[["_Handler", dict[str, Any], str], None]
Script = Callable[[int, str, dict[str, Any]], Reply | None]


# --- replies ---------------------------------------------------------------------------------------


def normal(h: _Handler, body: dict[str, Any], stage: str) -> None:
    """The fixture server's authored answer."""
    stage, content = answer(body, Scenario())
    h.send_json(200, completion(body, stage, content))


def structured(make: Callable[[str, dict[str, Any]], dict[str, Any]]) -> Reply:
    """An answer of the right shape whose content `make(stage, body)` writes."""

    def reply(h: _Handler, body: dict[str, Any], stage: str) -> None:
        h.send_json(200, completion(body, stage, make(stage, body)))

    return reply


def text_answer(text: str, finish: str = "stop") -> Reply:
    """`text` where the structured answer belongs (tool-call arguments, or message content)."""

    def reply(h: _Handler, body: dict[str, Any], stage: str) -> None:
        response = completion(body, stage, {})
        message = response["choices"][0]["message"]
        if message.get("tool_calls"):
            message["tool_calls"][0]["function"]["arguments"] = text
        else:
            message["content"] = text
        response["choices"][0]["finish_reason"] = finish
        h.send_json(200, response)

    return reply


def truncated(h: _Handler, body: dict[str, Any], stage: str) -> None:
    """The real answer cut in half at the token limit (`finish_reason: length`)."""
    stage, content = answer(body, Scenario())
    arguments = json.dumps(content)
    text_answer(arguments[: len(arguments) // 2], finish="length")(h, body, stage)


def no_choices(h: _Handler, body: dict[str, Any], stage: str) -> None:
    response = completion(body, stage, {})
    response["choices"] = []
    h.send_json(200, response)


def refusal(h: _Handler, body: dict[str, Any], stage: str) -> None:
    """What OpenAI sends when the model declines: no content, no tool call, a `refusal` string."""
    response = completion(body, stage, {})
    response["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "refusal": "I'm sorry, but I can't help with that request.",
    }
    response["choices"][0]["finish_reason"] = "stop"
    h.send_json(200, response)


def raw(data: bytes, status: int = 200) -> Reply:
    """Bytes that are not a chat completion at all (e.g. an HTML error page from a proxy)."""

    def reply(h: _Handler, body: dict[str, Any], stage: str) -> None:
        h.send_bytes(status, data)

    return reply


def http_error(status: int, retry_after: str | None = None) -> Reply:
    def reply(h: _Handler, body: dict[str, Any], stage: str) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        h.send_json(status, {"error": {"message": f"fault server says {status}", "type": "fault"}}, headers)

    return reply


def hang(seconds: float) -> Reply:
    """Say nothing for `seconds` (longer than the client's timeout), then answer normally."""

    def reply(h: _Handler, body: dict[str, Any], stage: str) -> None:
        if not h.fault.stopping.wait(seconds):
            normal(h, body, stage)

    return reply


def hang_up(h: _Handler, body: dict[str, Any], stage: str) -> None:
    """Promise a full answer, send a fifth of it, then close the connection."""
    stage, content = answer(body, Scenario())
    data = json.dumps(completion(body, stage, content)).encode()
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data[: len(data) // 5])
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


# --- scripts ---------------------------------------------------------------------------------------


def always(reply: Reply) -> Script:
    return lambda n, stage, body: reply


def first(k: int, reply: Reply) -> Script:
    """The first k requests get `reply`, the rest the normal answer."""
    return lambda n, stage, body: reply if n <= k else None


def per_call(k: int, reply: Reply) -> Script:
    """The first k attempts of every distinct request get `reply`: a storm every call must ride out."""
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def script(n: int, stage: str, body: dict[str, Any]) -> Reply | None:
        key = json.dumps(body["messages"], sort_keys=True)
        with lock:
            seen[key] = seen.get(key, 0) + 1
            return reply if seen[key] <= k else None

    return script


def on_stage(stage_name: str, reply: Reply, times: int | None = None) -> Script:
    """Requests of one stage (Extraction, Composition, Judgements, Rewrites) get `reply`, `times`
    times at most (every time when None)."""
    seen: list[int] = []
    lock = threading.Lock()

    def script(n: int, stage: str, body: dict[str, Any]) -> Reply | None:
        if stage != stage_name:
            return None
        with lock:
            seen.append(n)
            return reply if times is None or len(seen) <= times else None

    return script


# --- the server ------------------------------------------------------------------------------------


class _Handler(JSONHandler):
    fault: FaultServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        stage = stage_of(body)
        n = self.fault.record(stage, body, {k.lower(): v for k, v in self.headers.items()})
        reply = self.fault.script(n, stage, body) or normal
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            reply(self, body, stage)


@dataclass
class FaultServer(BackgroundServer):
    """`with FaultServer(first(2, http_error(500))) as server: ... server.base_url`"""

    script: Script = field(default=lambda n, stage, body: None)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._serve(type("Handler", (_Handler,), {"fault": self}), name="fault-server")

    def record(self, stage: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        with self._lock:
            self.requests.append({"stage": stage, "body": body, "headers": headers})
            return len(self.requests)

    def stages(self) -> list[str]:
        return [r["stage"] for r in self.requests]


# --- running the command ---------------------------------------------------------------------------


def storm(tmp_path: Path) -> Path:
    """A private copy of the three-article storm corpus."""
    folder = tmp_path / "storm"
    shutil.copytree(STORM, folder)
    return folder


def briefer(*args: str | Path) -> Result:
    """`briefer run ARGS` in process, stdout and stderr captured apart."""
    return CliRunner().invoke(cli, ["run", *map(str, args)], catch_exceptions=False)


def llm_args(server: FaultServer, *extra: str) -> list[str]:
    return ["--engine", "llm", "--base-url", server.base_url, "--no-cache", *extra]


@dataclass
class Output:
    """An `-o` target that already holds a previous brief: a failed run must leave it as it was."""

    path: Path
    previous: str = "# the previous brief\n"

    def __post_init__(self) -> None:
        self.path.write_text(self.previous, encoding="utf-8")

    def untouched(self) -> bool:
        leftovers = [p for p in self.path.parent.iterdir() if p.name.startswith(f".{self.path.name}.")]
        return self.path.read_text(encoding="utf-8") == self.previous and not leftovers


def assert_clean_failure(result: Result, exit_code: int = 1, output: Output | None = None) -> str:
    """Exit code as documented, nothing on stdout, one `briefer: error:` line and no traceback; the
    `-o` target (if any) untouched. Returns the error line."""
    assert result.exit_code == exit_code, (result.exit_code, result.stderr[-2000:])
    assert result.stdout == "", result.stdout[:500]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("briefer: error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    assert "internal error" not in result.stderr
    if output is not None:
        assert output.untouched(), "a failed run changed the -o target"
    return errors[0]


def assert_published_is_verified(brief: Brief, forbidden: tuple[str, ...] = ()) -> None:
    """What the brief states as fact (bottom line, key points, non-unverified open questions) is
    supported, cites exact spans of the documents, passes the deterministic verifier again here, and
    contains none of the `forbidden` phrases (invented or injected text)."""
    docs: dict[str, Document] = {d.id: d for d in brief.documents}
    facts = [*brief.bottom_line, *brief.key_points] + [
        s for q in brief.open_questions if q.kind != "unverified" for s in q.sentences
    ]
    assert brief.bottom_line or brief.key_points
    for s in facts:
        assert s.verdict is not None and s.verdict.label == "supported", (s.text, s.verdict)
        for c in s.citations:
            assert docs[c.doc_id].text[c.start : c.end] == c.quote
        assert verify_sentence(s, docs).label == "supported", s.text
        for phrase in forbidden:
            assert phrase.lower() not in s.text.lower(), s.text
    for claim in brief.claims:
        for c in claim.citations:
            assert docs[c.doc_id].text[c.start : c.end] == c.quote
    stated = [" ".join(s.text.casefold().split()) for s in [*brief.bottom_line, *brief.key_points]]
    assert len(stated) == len(set(stated)), "a sentence is printed twice"


def fact_lines(markdown: str) -> Iterator[str]:
    """Lines of a Markdown brief that state something as fact: everything before Sources except
    headings and lines labelled unverified."""
    for line in markdown.split("\n## Sources", 1)[0].splitlines():
        if line.strip() and not line.startswith("#") and "Unverified, not stated as fact" not in line:
            yield line


# Inline ways a page hides an element from readers (the nine issue 15 found missed, and three more):
# none of them may turn into body text.
HIDING = [
    'class="hidden"',
    'class="story d-none"',
    'aria-hidden="TRUE"',
    "hidden",
    'style="display: none !important"',
    'style="visibility:collapse"',
    'style="position:absolute; clip: rect(0 0 0 0)"',
    'style="clip-path: inset(50%)"',
    'style="height:0; overflow:hidden"',
    'style="width: 0px; overflow: hidden"',
    'style="transform: scale(0)"',
    'style="color: transparent"',
]
