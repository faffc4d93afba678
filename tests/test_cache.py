"""The LLM response cache: keys, damaged rows, two processes at once, the engine's use of it, the CLI.

HTTP goes only to the in-process fixture server on 127.0.0.1.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer

from briefer.cli.app import cli
from briefer.engines.llm import cache as cache_module
from briefer.engines.llm.cache import ResponseCache, open_cache, request_key
from briefer.engines.llm.settings import load_settings
from briefer.runs.pipeline import run

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "temperature": 0}
WHERE = {"endpoint": "http://127.0.0.1:1/v1", "mode": "tools"}


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as s:
        yield s


def key(**changes: object) -> str | None:
    request = {**REQUEST, **{k: v for k, v in changes.items() if k in REQUEST}}
    where = {**WHERE, **{k: v for k, v in changes.items() if k in WHERE}}
    prompt_hash = str(changes.get("prompt_hash", "abc"))
    return request_key(request, prompt_hash=prompt_hash, settings=where)


def test_key_is_canonical_and_covers_model_prompts_settings_and_request() -> None:
    reordered = dict(reversed(list(REQUEST.items())))
    assert request_key(reordered, prompt_hash="abc", settings=WHERE) == key()
    variants = [
        key(model="m2"),
        key(prompt_hash="abd"),
        key(endpoint="http://other/v1"),
        key(mode="json"),
        key(messages=[{"role": "user", "content": "hi!"}]),
        key(max_tokens=6),
    ]
    assert key() not in variants and len(set(variants)) == len(variants)
    assert request_key({"x": object()}, prompt_hash="a", settings={}) is None  # not JSON: not cached


def test_put_get_and_damaged_rows_are_misses(tmp_path: Path) -> None:
    c = ResponseCache(tmp_path)
    c.put("k1", '{"a": 1}', model="m", prompt_hash="p")
    assert c.get("k1") == '{"a": 1}' and c.get("k2") is None
    with sqlite3.connect(c.path) as db:  # a torn or edited row: checksum no longer matches
        db.execute("UPDATE responses SET body = '{\"a\": 2}' WHERE key = 'k1'")
    assert c.get("k1") is None
    assert c.stats().entries == 0, "the damaged row is deleted, not served"
    body = '{"a": '  # checksum right, JSON wrong (cannot happen via put; still never served)
    with sqlite3.connect(c.path) as db:
        db.execute(
            "INSERT INTO responses VALUES ('k3', 'm', 'p', ?, ?, 0)", (body, cache_module.checksum(body))
        )
    assert c.get("k3") is None
    assert c.integrity() == "ok"


def test_unreadable_cache_file_costs_calls_not_the_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / cache_module.FILE_NAME).write_bytes(b"this is not a database" * 100)
    assert open_cache(tmp_path) is None
    assert "cannot open the response cache" in caplog.text
    result = CliRunner().invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0 and "damaged" in result.output
    assert open_cache(tmp_path) is not None


WRITER = """
import sys
import time
from briefer.engines.llm.cache import ResponseCache
c = ResponseCache(__import__("pathlib").Path(sys.argv[1]))
for i in range(150):
    c.put(f"{sys.argv[2]}-{i}", '{"n": %d}' % i, model="m", prompt_hash="p")
    assert c.get(f"{sys.argv[2]}-{i}") == '{"n": %d}' % i
"""


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name], cwd=ROOT, stderr=subprocess.PIPE
        )
        for name in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    c = ResponseCache(tmp_path)
    assert c.stats().entries == 300 and c.integrity() == "ok"
    assert c._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def llm_settings(server: FixtureServer, tmp_path: Path, **flags: object):
    return load_settings({"base_url": server.base_url, "cache_dir": str(tmp_path / "c"), **flags}, env={})


@LOCAL
def test_second_run_is_served_from_the_cache(server: FixtureServer, tmp_path: Path) -> None:
    first = run([SEEDS], engine="llm", settings=llm_settings(server, tmp_path, cache="on"))
    sent = len(server.log.requests)
    assert first.report.usage.calls == sent == 4 and first.report.usage.cache_hits == 0

    # Hits cost nothing, so even a budget far below one call's worst case is enough.
    again = run([SEEDS], engine="llm", settings=llm_settings(server, tmp_path, cache="on", max_cost=0.000001))
    assert len(server.log.requests) == sent, "no request reached the server"
    u = again.report.usage
    assert (u.calls, u.prompt_tokens, u.completion_tokens, u.cost_usd, u.cache_hits) == (0, 0, 0, 0.0, 4)
    strip = {"report"}
    assert again.model_dump(exclude=strip) == first.model_dump(exclude=strip)

    refreshed = run([SEEDS], engine="llm", settings=llm_settings(server, tmp_path, cache="refresh"))
    assert refreshed.report.usage.calls == 4 and len(server.log.requests) == sent + 4
    off = run([SEEDS], engine="llm", settings=llm_settings(server, tmp_path, cache="off"))
    assert off.report.usage.cache_hits == 0 and off.report.usage.calls == 4


@LOCAL
def test_cli_run_uses_the_cache_and_reports_hits(server: FixtureServer, tmp_path: Path) -> None:
    args = ["run", str(SEEDS), "--base-url", server.base_url, "--cache-dir", str(tmp_path / "c")]
    first = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, [*args, "--format", "json", "--log-format", "json"])
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["report"]["usage"]["cache_hits"] == 4
    lines = [json.loads(line) for line in second.stderr.splitlines()]
    assert any("usage: 0 calls, 4 answers from the cache" in line["message"] for line in lines)
    assert {line["level"] for line in lines} <= {"info", "warning"}

    stats = CliRunner().invoke(
        cli, ["cache", "stats", "--cache-dir", str(tmp_path / "c"), "--format", "json"]
    )
    assert stats.exit_code == 0 and json.loads(stats.output)["entries"] == 4
    assert json.loads(stats.output)["models"] == {"gpt-4o-mini": 4}
    cleared = CliRunner().invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path / "c")])
    assert cleared.exit_code == 0 and "removed 4 entries" in cleared.output
    text = CliRunner().invoke(cli, ["cache", "stats", "--cache-dir", str(tmp_path / "c")])
    assert "entries: 0" in text.output
    both = CliRunner().invoke(cli, [*args, "--refresh", "--no-cache"])
    assert both.exit_code == 2


def test_default_cache_folder_is_the_user_cache_dir(tmp_path: Path) -> None:
    # conftest points XDG_CACHE_HOME at tmp_path/cache
    assert cache_module.default_dir() == tmp_path / "cache" / "briefer"
    result = CliRunner().invoke(cli, ["cache", "stats"])
    assert result.exit_code == 0 and str(tmp_path / "cache" / "briefer") in result.output


HAMMER = """
import sys
import time
from briefer.engines.llm.cache import ResponseCache
c = ResponseCache(__import__("pathlib").Path(sys.argv[1]))
print("ready", flush=True)
i = 0
while True:
    c.put(f"k{i % 500}", '{"n": %d, "pad": "%s"}' % (i, "x" * 20000), model="m", prompt_hash="p")
    i += 1
"""


def test_a_writer_killed_mid_write_leaves_a_usable_cache(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HAMMER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.4)  # hundreds of writes in flight
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    c = ResponseCache(tmp_path)
    assert c.integrity() == "ok"
    keys = [k for (k,) in c._db.execute("SELECT key FROM responses")]
    assert keys and all(c.get(k) is not None for k in keys), "every stored row verifies"
    c.put("after", "{}", model="m", prompt_hash="p")
    assert c.get("after") == "{}"
