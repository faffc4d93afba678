"""URL sources over HTTP, against a local server on 127.0.0.1 started here: the User-Agent, limits
(size, redirects, timeout), a clear reason per failed URL, conditional requests with a 304 reusing
the stored body, and a scheduled two-topic batch whose second run over unchanged feeds downloads no
feed body and makes no model call, while a feed that times out fails alone."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer
from test_formats import ARTICLE, ATOM, RSS

from briefer.cli.app import cli
from briefer.sources import FetchOptions, load
from briefer.sources.fetch import fetch

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
pytestmark = LOCAL

PAGE = (
    "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
    + "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines()[1:])
    + "</article></body></html>"
)


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe: expected, not news


class Server:
    """Feeds and pages with validators; counts full (200) and conditional (304) answers per path."""

    def __init__(self) -> None:
        self.full: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.agents: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.agents.append(self.headers.get("User-Agent", ""))
                path = self.path
                if path == "/slow.rss":
                    time.sleep(3)
                if path == "/loop":
                    return self._send(302, b"", {"Location": "/loop"})
                if path == "/moved.rss":
                    return self._send(301, b"", {"Location": "/harbour.rss"})
                if path == "/big":
                    return self._send(200, b"x" * 5000, {"Content-Type": "text/plain"})
                routes = {
                    "/harbour.rss": (RSS, "application/rss+xml", {"ETag": '"v1"'}),
                    "/slow.rss": (RSS, "application/rss+xml", {"ETag": '"s1"'}),
                    "/coast": (
                        ATOM,
                        "application/atom+xml",
                        {"Last-Modified": "Thu, 03 Apr 2025 06:00:00 GMT"},
                    ),
                    "/article": (PAGE, "text/html; charset=utf-8", {"ETag": '"p1"'}),
                }
                if path not in routes:
                    return self._send(404, b"not here", {})
                body, media, validators = routes[path]
                etag, modified = validators.get("ETag"), validators.get("Last-Modified")
                if (etag and self.headers.get("If-None-Match") == etag) or (
                    modified and self.headers.get("If-Modified-Since") == modified
                ):
                    outer.not_modified[path] += 1
                    return self._send(304, b"", validators)
                outer.full[path] += 1
                self._send(200, body.encode("utf-8"), {"Content-Type": media, **validators})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    with Server() as s:
        yield s


def test_user_agent_conditional_request_and_reuse(server: Server, tmp_path: Path) -> None:
    options = FetchOptions(cache_dir=tmp_path / "http", timeout=5)
    first = fetch(f"{server.url}/harbour.rss", options)
    assert not isinstance(first, str) and not first.reused and first.media_type == "application/rss+xml"
    assert server.agents[0].startswith("briefer/") and "(" in server.agents[0]
    second = fetch(f"{server.url}/harbour.rss", options)
    assert not isinstance(second, str) and second.reused and second.body == first.body
    assert server.full["/harbour.rss"] == 1 and server.not_modified["/harbour.rss"] == 1
    coast1, coast2 = (
        fetch(f"{server.url}/coast", options),
        fetch(f"{server.url}/coast", options),
    )  # Last-Modified only
    assert not isinstance(coast2, str) and coast2.reused and not isinstance(coast1, str)
    assert server.full["/coast"] == 1 and server.not_modified["/coast"] == 1
    without_cache = FetchOptions(cache_dir=None, timeout=5)
    assert not isinstance(fetch(f"{server.url}/harbour.rss", without_cache), str)
    assert server.full["/harbour.rss"] == 2  # nothing stored, so nothing to revalidate


def test_limits_and_reasons(server: Server) -> None:
    options = FetchOptions(timeout=1, max_bytes=1000, max_redirects=3)
    assert fetch(f"{server.url}/missing", options) == "HTTP 404 Not Found"
    assert fetch(f"{server.url}/loop", options) == "too many redirects (more than 3)"
    big = fetch(f"{server.url}/big", options)
    assert isinstance(big, str) and big.startswith("too large (5,000 bytes")
    assert fetch(f"{server.url}/slow.rss", options) == "timed out after 1s"
    refused = fetch("http://127.0.0.1:9/", options)  # nothing listens: a reason, not a raise
    assert isinstance(refused, str) and refused.startswith("cannot connect")
    moved = fetch(f"{server.url}/moved.rss", options)
    assert not isinstance(moved, str) and moved.url.endswith("/harbour.rss")


def test_load_urls_feed_items_and_article(server: Server, tmp_path: Path) -> None:
    result = load(
        [f"{server.url}/harbour.rss", f"{server.url}/article", f"{server.url}/missing"],
        fetching=FetchOptions(cache_dir=tmp_path, timeout=5),
    )
    paths = [d.path for d in result.documents]
    assert paths == [
        f"{server.url}/article",
        f"{server.url}/harbour.rss#item-1",
        f"{server.url}/harbour.rss#item-2",
    ]
    article = result.documents[0]
    assert article.format == "html" and "42 ships had waited offshore" in article.text
    assert result.documents[1].meta.outlet == "Harbour Times"
    assert [(s.path, s.reason) for s in result.skipped] == [(f"{server.url}/missing", "HTTP 404 Not Found")]


def test_run_cli_with_urls_respects_cache_dir(server: Server, tmp_path: Path) -> None:
    args = [
        "run",
        f"{server.url}/harbour.rss",
        f"{server.url}/slow.rss",
        "--engine",
        "offline",
        "--format",
        "json",
    ]
    args += ["--cache-dir", str(tmp_path / "c"), "--fetch-timeout", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {s["path"]: s["reason"] for s in out["report"]["documents_skipped"]} == {
        f"{server.url}/slow.rss": "timed out after 1s"
    }
    assert list((tmp_path / "c" / "http").glob("*.json"))
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert server.full["/harbour.rss"] == 1 and server.not_modified["/harbour.rss"] == 1


BATCH = """\
[batch]
manifest = "out/manifest.json"
engine = "{engine}"
cache_dir = "cache"
fetch_timeout = 1

[[topic]]
name = "harbour"
sources = ["{url}/harbour.rss", "{url}/slow.rss"]
outputs = ["out/harbour.md", "out/harbour.json"]

[[topic]]
name = "coast"
sources = ["{url}/coast", "{url}/article"]
outputs = ["out/coast.md"]
"""


FEEDS = ("/harbour.rss", "/coast", "/article")


@pytest.mark.parametrize("engine", ["offline", "llm"])
def test_scheduled_batch_second_run_costs_nothing(
    server: Server, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two topics over a local feed server; with the LLM engine the model is the fixture server."""
    config = tmp_path / "briefs.toml"
    config.write_text(BATCH.format(url=server.url, engine=engine))
    model = contextlib.ExitStack()
    llm = model.enter_context(FixtureServer()) if engine == "llm" else None
    if llm is not None:
        monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-fixture-fetch-0000000000")
    runs, sent = [], []
    with model:
        for _ in range(2):
            result = CliRunner().invoke(cli, ["batch", str(config)])
            assert result.exit_code == 0, result.output
            runs.append(json.loads((tmp_path / "out" / "manifest.json").read_text()))
            sent.append(len(llm.log.requests) if llm else 0)
            served = {path: (server.full[path], server.not_modified[path]) for path in FEEDS}
            if len(runs) == 1:  # the first run downloads each feed and page once
                assert served == {path: (1, 0) for path in FEEDS}
    # the second run: every feed and page answered 304 Not Modified, no body downloaded again
    assert served == {path: (1, 1) for path in FEEDS}
    # ... and no model call: the same documents, so every answer comes from the response cache
    assert runs[1]["usage"]["calls"] == 0 and sent[1] == sent[0]
    if llm is not None:
        assert runs[0]["usage"]["calls"] == sent[0] > 0 and runs[1]["usage"]["cache_hits"] == sent[0]
    for manifest in runs:
        assert manifest["outcome"] == "success"
        harbour = next(t for t in manifest["topics"] if t["name"] == "harbour")
        assert [(s["path"], s["reason"]) for s in harbour["documents_skipped"]] == [
            (f"{server.url}/slow.rss", "timed out after 1s")
        ]
    ids = [[d["id"] for t in m["topics"] for d in t["documents_used"]] for m in runs]
    assert ids[0] == ids[1] and len(ids[0]) == 4
    assert list((tmp_path / "cache" / "http").glob("*.body"))


def test_cache_stats_and_clear_cover_stored_responses(server: Server, tmp_path: Path) -> None:
    options = FetchOptions(cache_dir=tmp_path / "c" / "http", timeout=5)
    assert not isinstance(fetch(f"{server.url}/harbour.rss", options), str)
    assert not isinstance(fetch(f"{server.url}/coast", options), str)
    stats = CliRunner().invoke(
        cli, ["cache", "stats", "--cache-dir", str(tmp_path / "c"), "--format", "json"]
    )
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["http"]["responses"] == 2
    cleared = CliRunner().invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path / "c")])
    assert cleared.exit_code == 0 and "removed 2 stored HTTP responses" in cleared.stdout
    assert not list((tmp_path / "c" / "http").iterdir())
    again = fetch(f"{server.url}/harbour.rss", options)
    assert not isinstance(again, str) and not again.reused and server.full["/harbour.rss"] == 2
