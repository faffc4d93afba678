"""A local OpenAI-compatible server whose answers we author, deterministically, from each request.

It is what the shipped cassettes were recorded against (no machine here reaches a model API) and what
you can point the CLI at by hand:

    python tests/fixture_server.py --port 8765
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=x python -m briefer run seeds/

It reads briefer's prompts the way a model would: for extraction it takes the numbered sentences and
returns claims citing real sentence numbers (with exact quotes, straightened so the client must map
curly quotes back to offsets); for composition it cites the claim ids it was given; the judge labels
each sentence; repair rewrites a sentence as its first evidence span. `Scenario` scripts the faults
the tests need: an invalid citation before a valid one, 429 with Retry-After, 500 forever, a judge
that rejects sentences. Answers come back as tool calls or as JSON content, matching the request's
mode, with token counts in `usage`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

STAGES = ("Extraction", "Composition", "Judgements", "Rewrites")


@dataclass
class Scenario:
    invalid_citation_first: bool = False  # first extraction answer has a bad quote and an unknown id
    invalid_citation_always: bool = False  # ... and so does every re-ask (the bad claims get dropped)
    rate_limit_first: int = 0  # the first N requests get 429 with Retry-After
    fail_always: bool = False  # every request gets 500
    judge_rejects: tuple[str, ...] = ()  # sentence ids the judge labels unsupported
    judge_rejects_repairs: bool = False  # ... and it rejects their rewrites too
    # the work the judge shows for a sentence marked show-work="yes": "none"; "whole" (the whole
    # sentence as one part, quoting its first evidence whole); "invented" (a quote in no evidence)
    judge_work: str = "none"


@dataclass
class Log:
    """What the server saw, for tests that assert on calls."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, stage: str, status: int, body: dict[str, Any]) -> int:
        with self.lock:
            self.requests.append({"stage": stage, "status": status, "body": body})
            return len(self.requests)


# --- reading briefer's prompts ---------------------------------------------------------------------


def stage_of(body: dict[str, Any]) -> str:
    for tool in body.get("tools") or []:
        return str(tool["function"]["name"])
    schema = (body.get("response_format") or {}).get("json_schema")
    if schema:
        return str(schema["name"])
    system = next((str(m.get("content")) for m in body["messages"] if m["role"] == "system"), "")
    for name in STAGES:
        if f'"title": "{name}"' in system:
            return name
    return "unknown"


def first_user(body: dict[str, Any]) -> str:
    return next(str(m["content"]) for m in body["messages"] if m["role"] == "user")


def is_reask(body: dict[str, Any]) -> bool:
    return any(m["role"] == "tool" or m["role"] == "assistant" for m in body["messages"])


def numbered_sentences(prompt: str) -> list[tuple[int, str]]:
    inside = prompt.split("<document", 1)[1].split("</document>", 1)[0]
    return [(int(n), t) for n, t in re.findall(r"^\[(\d+)\] (.*)$", inside, re.MULTILINE)]


def claim_lines(prompt: str) -> list[dict[str, Any]]:
    inside = prompt.split("<claims>", 1)[1].split("</claims>", 1)[0]
    rows = []
    for line in inside.strip().splitlines():
        parts = [p.strip() for p in line.split(" | ")]
        rows.append(
            {
                "id": parts[0],
                "source": int(parts[1].split()[-1]),
                "kind": parts[2],
                "speaker": next((p[9:] for p in parts if p.startswith("speaker: ")), None),
                "anonymous": "unnamed source" in parts,
                "hedged": "hedged" in parts,
                "text": parts[-1],
            }
        )
    return rows


def tagged(prompt: str) -> list[dict[str, Any]]:
    """The <sentence> items of a judge or repair prompt with their <evidence>."""
    items: list[dict[str, Any]] = []
    for m in re.finditer(r'<(sentence|evidence) id="([^"]+)"([^>]*)>(.*?)</\1>', prompt):
        if m.group(1) == "sentence":
            work = 'show-work="yes"' in m.group(3)
            items.append({"id": m.group(2), "text": m.group(4), "evidence": [], "work": work})
        elif items:
            items[-1]["evidence"].append({"id": m.group(2), "text": m.group(4)})
    return items


# --- authored answers ------------------------------------------------------------------------------

_HEDGE = re.compile(
    r"\b(could|may|might|expected|likely|uncertain|unclear|remains|set to|poised|potential)\b", re.I
)
_ANON = re.compile(r"\b(unnamed|anonymous|sources said|an official|a senior official)\b", re.I)
_SPEECH = re.compile(
    r"\b(said|stated|told|warned|added|accused|denounced|condemned|claimed|emphasized|read)\b"
)
_BACKGROUND = re.compile(r"\b(has long|historically|has consistently|since \d{4}|in (?:19|20)\d\d)\b")
_ASSESS = re.compile(r"\b(analysts?|experts?|signals?|underscores?|reflects?|seen as|framed)\b", re.I)
_CONNECTIVE = re.compile(r"^(However|Meanwhile|Still|Moreover|Additionally|Furthermore|In addition), (.+)$")
_SPEAKER = re.compile(
    r"\b(?:according to|said|stated) ((?:[A-Z][\w.'\u2019-]*\s?){1,4})|((?:[A-Z][\w'\u2019-]+ ){0,3}[A-Z][\w'\u2019-]+) (?:said|stated|told|warned)\b"
)


def straighten(text: str) -> str:
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}))


def author_claim(index: int, text: str) -> dict[str, Any]:
    hedged = bool(_HEDGE.search(text))
    quoted = bool(re.search(r"[\"\u201c].{12,}[\"\u201d]", text))
    speaker_match = _SPEAKER.search(text)
    speaker = (speaker_match.group(1) or speaker_match.group(2)).strip() if speaker_match else None
    kind = (
        "quote"
        if quoted
        else "prediction"
        if hedged
        else "background"
        if _BACKGROUND.search(text)
        else "statement"
        if _SPEECH.search(text)
        else "assessment"
        if _ASSESS.search(text)
        else "figure"
        if re.search(r"\d", text)
        else "event"
    )
    claim: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "speaker": speaker,
        "anonymous": bool(_ANON.search(text)),
        "hedged": hedged,
        "sentence_ids": [index],
        "quote": straighten(text) if quoted else None,
    }
    lead = _CONNECTIVE.match(text)
    if lead:  # cite the clause without its connective, by exact quote
        rest = lead.group(2)
        claim["text"] = rest[0].upper() + rest[1:]
        claim["quote"] = straighten(rest)
    return claim


def extraction(prompt: str, scenario: Scenario, reask: bool) -> dict[str, Any]:
    limit = int(re.search(r"at most (\d+) claims", prompt).group(1))  # type: ignore[union-attr]
    claims = [author_claim(i, t) for i, t in numbered_sentences(prompt) if len(t.split()) >= 6][:limit]
    if claims and (scenario.invalid_citation_always or (scenario.invalid_citation_first and not reask)):
        claims[0] = {**claims[0], "quote": "words that appear nowhere in this sentence at all"}
        claims.append({**claims[-1], "sentence_ids": [9999], "quote": None})
    return {"claims": claims}


def composition(prompt: str) -> dict[str, Any]:
    max_words = int(re.search(r"under (\d+) words", prompt).group(1))  # type: ignore[union-attr]
    claims = claim_lines(prompt)
    used: set[str] = set()
    words = 0

    def take(c: dict[str, Any]) -> dict[str, Any]:
        nonlocal words
        used.add(c["id"])
        words += len(c["text"].split())
        return {"text": c["text"], "claim_ids": [c["id"]]}

    def plain(c: dict[str, Any]) -> bool:
        return (
            c["id"] not in used
            and c["kind"] in ("event", "statement", "figure")
            and not (c["hedged"] or c["anonymous"])
            and len(c["text"].split()) <= 45
        )

    sources = sorted({c["source"] for c in claims})
    bottom = []
    for s in (sources * 2)[:2]:
        pick = next((c for c in claims if c["source"] == s and plain(c)), None)
        if pick:
            bottom.append(take(pick))
    questions: list[dict[str, Any]] = []

    def ask(kind: str, pattern: str | None = None, test: Any = None) -> None:
        for c in claims:
            if (
                c["id"] in used
                or (pattern and not re.search(pattern, c["text"], re.I))
                or (test and not test(c))
            ):
                continue
            if words + len(c["text"].split()) > max_words * 0.8:
                continue
            questions.append({"kind": kind, "sentences": [take(c)]})
            return

    ask("unconfirmed_sourcing", test=lambda c: c["anonymous"])
    ask("speculative", test=lambda c: c["hedged"] or c["kind"] == "prediction")
    ask("sources_disagree", r"misleading|denied|rejects?|strictly defensive")
    ask("information_missing", r"uncertain|unclear|not known|remains to be seen")
    while len(questions) < 3 and len(used) < len(claims):
        before = len(questions)
        ask("single_source", test=lambda c: c["source"] == sources[-1])
        if len(questions) == before:
            ask("single_source")
        if len(questions) == before:
            break
    points = []
    for c in claims:
        if len(points) < 6 and plain(c) and words + len(c["text"].split()) <= max_words * 0.9:
            points.append(take(c))
    return {"bottom_line": bottom, "key_points": points, "open_questions": questions}


def verdict_on(item: dict[str, Any], supported: bool, reason: str) -> dict[str, Any]:
    """A judge's verdict on one <sentence> item, citing all its evidence (the replay server's too)."""
    return {
        "sentence_id": item["id"],
        "label": "supported" if supported else "unsupported",
        "evidence_ids": [e["id"] for e in item["evidence"]],
        "reason": reason,
    }


def judgements(prompt: str, scenario: Scenario) -> dict[str, Any]:
    repaired = "rewrites of sentences that failed" in prompt
    verdicts = []
    for item in tagged(prompt):
        reject = item["id"] in scenario.judge_rejects and (not repaired or scenario.judge_rejects_repairs)
        reason = (
            "The evidence does not say this. It says something else."
            if reject
            else "The evidence states this."
        )
        verdict = verdict_on(item, not reject, reason)
        if item["work"] and not reject and item["evidence"] and scenario.judge_work != "none":
            first = item["evidence"][0]
            quote = first["text"] if scenario.judge_work == "whole" else "words found in no evidence"
            verdict["support"] = [{"part": item["text"], "evidence_id": first["id"], "quote": quote}]
        verdicts.append(verdict)
    return {"verdicts": verdicts}


def rewrite(item: dict[str, Any]) -> str:
    """The first evidence span; if that is the sentence already, its first clause."""
    if not item["evidence"]:
        return ""
    text = item["evidence"][0]["text"]
    clause = re.split(r",\s", text)[0].rstrip(".") + "."
    return clause if text == item["text"] and len(clause.split()) >= 5 else text


def rewrites(prompt: str) -> dict[str, Any]:
    return {"rewrites": [{"sentence_id": item["id"], "text": rewrite(item)} for item in tagged(prompt)]}


def answer(body: dict[str, Any], scenario: Scenario) -> tuple[str, dict[str, Any]]:
    stage = stage_of(body)
    prompt = first_user(body)
    if stage == "Extraction":
        return stage, extraction(prompt, scenario, is_reask(body))
    if stage == "Composition":
        return stage, composition(prompt)
    if stage == "Judgements":
        return stage, judgements(prompt, scenario)
    if stage == "Rewrites":
        return stage, rewrites(prompt)
    raise ValueError(f"unknown request: {stage}")


def completion(
    body: dict[str, Any], stage: str, content: dict[str, Any], server: str = "fixture"
) -> dict[str, Any]:
    """A chat.completion in the request's mode, with deterministic ids and token counts (`server`
    names who answered, in the id and the default model: the replay model of bench/ shares this)."""
    arguments = json.dumps(content, ensure_ascii=False)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    if body.get("tools"):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{digest[:8]}",
                    "type": "function",
                    "function": {"name": stage, "arguments": arguments},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": arguments}, "stop"
    prompt_tokens = math.ceil(len(json.dumps(body["messages"], ensure_ascii=False)) / 4)
    completion_tokens = math.ceil(len(arguments) / 4)
    return {
        "id": f"chatcmpl-{server}-{digest}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", server),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


# --- the HTTP server -------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when many extraction calls arrive at once.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up
        pass


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet request handler that answers with JSON, as an OpenAI-compatible server does."""

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def send_bytes(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), headers)

    def chat_request(self) -> dict[str, Any] | None:
        """The JSON body of a POST to `/chat/completions`; None (after answering 404) for any other path."""
        length = int(self.headers.get("Content-Length") or 0)
        body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.split("?")[0].endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return None
        return body


class BackgroundServer:
    """A threaded HTTP server on a loopback port, serving from a daemon thread during a `with` block.

    `stopping` is set when the block ends, so a handler that is made to wait (a slow or stalled model)
    can give up at once instead of holding the shutdown.
    """

    def _serve(self, handler: type[BaseHTTPRequestHandler], port: int = 0, name: str = "test-server") -> None:
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", port), handler)
        self._thread = threading.Thread(
            target=partial(self._httpd.serve_forever, poll_interval=0.05), name=name, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class FixtureServer(BackgroundServer):
    """`with FixtureServer(Scenario(...)) as server: server.base_url` -> http://127.0.0.1:<port>/v1"""

    def __init__(self, scenario: Scenario | None = None, port: int = 0) -> None:
        self.scenario = scenario or Scenario()
        self.log = Log()
        self._serve(self._handler(), port, name="fixture-server")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self.send_json(200, {"object": "list", "data": [{"id": "fixture", "object": "model"}]})
                else:
                    self.send_json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                body = self.chat_request()
                if body is None:
                    return
                stage = stage_of(body)
                scenario = server.scenario
                if scenario.fail_always:
                    server.log.add(stage, 500, body)
                    self.send_json(
                        500,
                        {
                            "error": {
                                "message": "The server had an error while processing your request.",
                                "type": "server_error",
                            }
                        },
                    )
                    return
                number = server.log.add(stage, 200, body)
                if number <= scenario.rate_limit_first:
                    server.log.requests[number - 1]["status"] = 429
                    self.send_json(
                        429,
                        {
                            "error": {
                                "message": "Rate limit reached for requests",
                                "type": "requests",
                                "code": "rate_limit_exceeded",
                            }
                        },
                        {"Retry-After": "1", "retry-after-ms": "50"},
                    )
                    return
                try:
                    stage, content = answer(body, scenario)
                except (ValueError, KeyError, IndexError, AttributeError) as e:
                    self.send_json(400, {"error": {"message": f"fixture server cannot answer: {e}"}})
                    return
                self.send_json(200, completion(body, stage, content))

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--judge-rejects", default="", help="comma-separated sentence ids, e.g. k0,b1")
    parser.add_argument("--rate-limit-first", type=int, default=0)
    args = parser.parse_args()
    scenario = Scenario(
        judge_rejects=tuple(filter(None, args.judge_rejects.split(","))),
        rate_limit_first=args.rate_limit_first,
    )
    with FixtureServer(scenario, port=args.port) as server:
        print(f"fixture server at {server.base_url} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
        for r in server.log.requests:
            print(r["stage"], r["status"])


if __name__ == "__main__":
    main()
