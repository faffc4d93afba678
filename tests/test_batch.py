"""`briefer batch`: config validation, topics failing alone, the manifest, the cache across runs, a
killed run, an overlapping run, and the scheduling examples in docs/SCHEDULING.md.

LLM runs talk to the fixture server (tests/fixture_server.py) started in the test on 127.0.0.1.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from fixture_server import FixtureServer
from invariants import assert_json_invariants, assert_markdown_invariants
from test_since import NEW_FACTS, UPDATE, section, source_number

from briefer.cli.app import cli
from briefer.engines.llm.cache import ResponseCache
from briefer.runs.batch import exclusive
from briefer.runs.batchconfig import BatchConfig, key_line

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
ROOT = Path(__file__).resolve().parent.parent
ALLSIDES = ROOT.parent / "shared" / "eval" / "allsides_neus" / "val.source"
FAKE_KEY = "sk-fixture-batch-0000000000"

CONFIG = """\
# two topics, paths relative to this file
[batch]
manifest = "out/manifest.json"
engine = "{engine}"
cache_dir = "cache"

[[topic]]
name = "seeds"
sources = ["seeds/"]
outputs = ["out/seeds.md", "out/seeds.json"]

[[topic]]
name = "second"
sources = ["second/"]
outputs = [{{path = "out/second.md", format = "md"}}]
max_words = 300
"""


def allsides_cluster(folder: Path) -> None:
    """One real three-outlet cluster from ../shared/eval, written as three files."""
    line = ALLSIDES.read_text(encoding="utf-8").splitlines()[3]
    for j, article in enumerate(line.split(" [SEP] ")):
        title, _, body = article.partition(". ARTICLE=> ")
        (folder / f"outlet{j}.txt").write_text(
            f"{title.removeprefix('TITLE=> ')}\n\n{body}\n", encoding="utf-8"
        )


@pytest.fixture(params=["storm", pytest.param("allsides", marks=pytest.mark.eval)])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A folder holding the batch config, `seeds/` and a second topic's articles."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    if request.param == "storm":
        shutil.copytree(ROOT / "tests" / "fixtures" / "storm", tmp_path / "second")
    else:
        if not ALLSIDES.exists():
            pytest.skip("../shared/eval/allsides_neus is not present")
        (tmp_path / "second").mkdir()
        allsides_cluster(tmp_path / "second")
    return tmp_path


@pytest.fixture
def storm_workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "tests" / "fixtures" / "storm", tmp_path / "second")
    return tmp_path


def write_config(folder: Path, engine: str = "offline", text: str | None = None) -> Path:
    path = folder / "briefs.toml"
    path.write_text(text if text is not None else CONFIG.format(engine=engine), encoding="utf-8")
    return path


def batch(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["batch", str(config), *args])


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "out" / "manifest.json").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


class SlowServer(FixtureServer):
    """The fixture server, answering after `delay` seconds; `arrived` counts requests as they come in."""

    delay = 0.0
    arrived = 0

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Slow(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                server.arrived += 1
                time.sleep(server.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a killed client
                    super().do_POST()

        return Slow


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowServer]:
    with SlowServer() as s:
        monkeypatch.setenv("OPENAI_BASE_URL", s.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        yield s


# --- config --------------------------------------------------------------------------------------


BAD_CONFIG = """\
colour = "blue"

[batch]
engine = "fast"

[[topic]]
name = "one"
sources = "news/"
outputs = ["out/one.txt"]
frequency = "daily"

[[topic]]
name = "two"
outputs = ["out/two.md"]
max_words = 10
"""


def test_config_problems_are_reported_with_file_line_and_key_before_any_work(tmp_path: Path) -> None:
    config = write_config(tmp_path, text=BAD_CONFIG)
    result = batch(config)
    assert result.exit_code == 2
    err = result.stderr
    assert err.startswith("briefer: error: invalid batch config (6 problems):")
    for line, where in [
        (1, "colour: unknown key (known: batch, topic)"),
        (4, "batch.engine: Input should be 'auto', 'offline' or 'llm'"),
        (9, "topic[1] 'one': outputs.0: cannot tell the format of 'out/one.txt'"),
        (10, "topic[1] 'one': frequency: unknown key (known: engine, max_words, model, name, outputs"),
        (12, "topic[2] 'two': sources: missing (required)"),
        (15, "topic[2] 'two': max_words: Input should be greater than or equal to 80"),
    ]:
        assert f"{config}:{line}: {where}" in err, err
    assert "topic names must be distinct" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs.toml"], "nothing written, not even a lock"


def test_config_level_problems(tmp_path: Path) -> None:
    broken = write_config(tmp_path, text="[[topic]\nname = 1\n")
    result = batch(broken)
    assert result.exit_code == 2 and "not valid TOML" in result.stderr and "line 1" in result.stderr
    twice = CONFIG.format(engine="offline").replace('name = "second"', 'name = "seeds"')
    result = batch(write_config(tmp_path, text=twice))
    assert result.exit_code == 2 and "topic names must be distinct: seeds" in result.stderr
    result = batch(tmp_path / "missing.toml")
    assert result.exit_code == 2 and "no such config file" in result.stderr
    result = batch(write_config(tmp_path, text=""))
    assert result.exit_code == 2 and "topic: missing (required)" in result.stderr


def test_key_line_finds_keys_in_tables_and_arrays_of_tables() -> None:
    text = BAD_CONFIG
    assert key_line(text, ("topic", 1, "max_words")) == 15
    assert key_line(text, ("topic", 0, "outputs", 0)) == 9
    assert key_line(text, ("topic", 1, "sources")) == 12  # missing: the table's header
    assert key_line(text, ("batch", "engine")) == 4
    assert key_line('[topics]\nname = "x"\n', ("topics",)) == 1


def test_llm_topic_without_an_endpoint_is_a_config_error(storm_workspace: Path) -> None:
    result = batch(write_config(storm_workspace, engine="llm"))
    assert result.exit_code == 2
    assert "topic 'seeds': engine = \"llm\" needs a model endpoint" in result.stderr
    assert not (storm_workspace / "out").exists()


def test_help_documents_the_config_and_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["batch", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in (
        "[[topic]]",
        "0 every topic succeeded",
        "1 every topic failed",
        "4 some topics failed",
        "75",
    ):
        assert words in text


# --- runs ----------------------------------------------------------------------------------------


def test_two_topics_run_and_the_manifest_records_each(storm_workspace: Path) -> None:
    config = write_config(storm_workspace)
    started_in = Path.cwd()
    result = batch(config, "--log-format", "json")
    assert result.exit_code == 0, result.output
    assert Path.cwd() == started_in != storm_workspace  # documents are read relative to the config, no chdir
    out = storm_workspace / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "manifest.json.lock",
        "second.md",
        "second.md.published.json",
        "seeds.json",
        "seeds.md",
        "seeds.md.published.json",
    ]
    assert_markdown_invariants((out / "seeds.md").read_text())
    assert_markdown_invariants((out / "second.md").read_text(), max_words=650)
    assert_json_invariants((out / "seeds.json").read_text())
    m = manifest(storm_workspace)
    assert (m["outcome"], m["exit_code"], m["config"]) == ("success", 0, str(config))
    seeds, second = m["topics"]
    assert seeds["name"] == "seeds" and seeds["outcome"] == "success" and seeds["error"] is None
    assert seeds["engine"] == "offline" and seeds["model"] is None
    assert [d["path"] for d in seeds["documents_used"]] == [
        "seeds/000_dae282321fcd5384.txt",
        "seeds/002_291906e243f0f9e1.txt",
    ]
    v = seeds["verification"]
    assert v["sentences_supported"] == v["sentences_checked"] > 0 and v["claims_extracted"] > 10
    assert seeds["usage"] == {
        "calls": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cost_usd": 0.0,
        "cache_hits": 0,
    }
    assert seeds["started_at"] <= seeds["finished_at"] <= second["started_at"]
    assert [o["written"] for o in seeds["outputs"]] == [True, True]
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert {line.get("topic") for line in lines} == {None, "seeds", "second"}
    done = [line for line in lines if line.get("outcome")]
    assert [(d.get("topic"), d["outcome"]) for d in done] == [
        ("seeds", "success"),
        ("second", "success"),
        (None, "success"),
    ]


def test_a_topic_whose_sources_vanish_fails_alone(storm_workspace: Path) -> None:
    config = write_config(storm_workspace)
    assert batch(config).exit_code == 0
    out = storm_workspace / "out"
    before = snapshot(out)
    shutil.rmtree(storm_workspace / "second")
    (out / "seeds.md").unlink()  # so we can see it written again
    result = batch(config)
    assert result.exit_code == 4, result.output
    assert (
        f"briefer: [second] failed: sources not found (relative to {storm_workspace}): second/ does not exist"
        in result.stderr
    )
    assert "briefer: batch partial: 1 of 2 topics succeeded" in result.stderr
    after = snapshot(out)
    assert after["second.md"] == before["second.md"]
    assert after["second.md.published.json"] == before["second.md.published.json"]
    assert after["seeds.md"] == before["seeds.md"], "the other topic's brief is written again"
    m = manifest(storm_workspace)
    assert (m["outcome"], m["exit_code"]) == ("partial", 4)
    failed = m["topics"][1]
    assert failed["outcome"] == "failure" and "second/ does not exist" in failed["error"]
    assert [o["written"] for o in failed["outputs"]] == [False]
    assert [p for p in out.iterdir() if p.name.endswith(".tmp")] == []

    shutil.rmtree(storm_workspace / "seeds")
    result = batch(config)
    assert result.exit_code == 1 and manifest(storm_workspace)["outcome"] == "failure"
    assert snapshot(out)["seeds.md"] == before["seeds.md"]


def test_an_added_document_is_listed_as_new_since_the_last_brief(storm_workspace: Path) -> None:
    config = write_config(storm_workspace)
    assert batch(config).exit_code == 0
    assert "New since last brief" not in (storm_workspace / "out" / "second.md").read_text()
    assert batch(config).exit_code == 0  # nothing changed: nothing new
    assert "New since last brief" not in (storm_workspace / "out" / "second.md").read_text()
    (storm_workspace / "second" / "zz-update.txt").write_text(UPDATE, encoding="utf-8")
    assert batch(config).exit_code == 0
    markdown = (storm_workspace / "out" / "second.md").read_text()
    assert_markdown_invariants(markdown)
    lines = section(markdown)
    new = source_number(markdown, "zz-update.txt")
    assert lines and all(line.endswith(f"[{new}]") for line in lines), markdown
    assert all(fact in "\n".join(lines) for fact in NEW_FACTS)
    assert "New since last brief" not in (storm_workspace / "out" / "seeds.md").read_text()
    m = manifest(storm_workspace)
    assert m["topics"][0]["new_since"] is None and m["topics"][1]["new_since"]["points"] == 3


@LOCAL
def test_second_identical_run_makes_no_llm_calls(workspace: Path, server: SlowServer) -> None:
    config = write_config(workspace, engine="llm")
    first = batch(config)
    assert first.exit_code == 0, first.output
    sent = len(server.log.requests)
    m1 = manifest(workspace)
    assert m1["usage"]["calls"] == sent > 0 and m1["usage"]["cache_hits"] == 0
    for topic in m1["topics"]:
        assert topic["engine"] == "llm" and topic["model"] == "gpt-4o-mini" and topic["prompt_hash"]
    out = workspace / "out"
    briefs = snapshot(out)

    second = batch(config)
    assert second.exit_code == 0, second.output
    assert len(server.log.requests) == sent, "the second run sent nothing"
    m2 = manifest(workspace)
    assert m2["usage"]["calls"] == 0 and m2["usage"]["cost_usd"] == 0.0
    assert m2["usage"]["cache_hits"] == sent
    again = snapshot(out)
    assert again["seeds.md"] == briefs["seeds.md"] and again["second.md"] == briefs["second.md"]
    drop = lambda raw: {k: v for k, v in json.loads(raw).items() if k != "report"}  # noqa: E731
    assert drop(again["seeds.json"]) == drop(briefs["seeds.json"])
    assert "0 calls, 4 from the cache" in second.stderr

    # One more article: only it is sent for extraction (unchanged ones are answered from the cache).
    (workspace / "second" / "zz-update.txt").write_text(UPDATE, encoding="utf-8")
    third = batch(config)
    assert third.exit_code == 0, third.output
    stages = [r["stage"] for r in server.log.requests[sent:]]
    assert stages.count("Extraction") == 1 and stages.count("Composition") == 1, stages
    m3 = manifest(workspace)
    assert m3["topics"][0]["usage"]["calls"] == 0
    lines = section((out / "second.md").read_text())
    assert lines and "reconstruction fund" in "\n".join(lines)


@LOCAL
def test_killed_run_keeps_every_output_and_the_cache_and_an_overlap_is_refused(
    storm_workspace: Path, server: SlowServer
) -> None:
    config = write_config(storm_workspace, engine="llm")
    assert batch(config).exit_code == 0
    out = storm_workspace / "out"
    before = snapshot(out)
    cached = len(server.log.requests)  # every answer of the first run is in the cache

    server.delay = 0.5
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_", "AZURE_"))}
    env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY, PYTHONPATH=str(ROOT))
    arrived = server.arrived
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefer", "batch", str(config), "--refresh"],
        cwd=storm_workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while server.arrived < arrived + 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert proc.poll() is None, proc.communicate()

        overlap = batch(config)  # the first run holds the lock while it waits for the model
        assert overlap.exit_code == 75
        assert re.search(
            rf"error: another `briefer batch` is already running for {re.escape(str(config))} "
            rf"\(pid {proc.pid}\); it holds {re.escape(str(out / 'manifest.json.lock'))}\. Not starting",
            overlap.stderr,
        ), overlap.stderr

        # answers from now on take longer than a loaded machine can take to notice the third request
        # and kill the run: the compose call is still in flight when the kill lands
        server.delay = 5.0
        while server.arrived < arrived + 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)  # extraction answers are back (and cached); the compose call is in flight
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    after = snapshot(out)
    assert after.pop("manifest.json.lock") == f"{proc.pid}\n".encode()  # the only change: who last ran
    before.pop("manifest.json.lock")
    assert after == before, "every previous output, record of published claims and manifest is intact"
    cache = ResponseCache(storm_workspace / "cache")
    assert cache.integrity() == "ok" and cache.stats().entries == cached
    cache.close()

    server.delay = 0.0
    sent = len(server.log.requests)
    rerun = batch(config)  # the lock died with the process; the cache answers everything
    assert rerun.exit_code == 0, rerun.output
    assert len(server.log.requests) == sent and manifest(storm_workspace)["usage"]["calls"] == 0


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    lock = tmp_path / "m.json.lock"
    with exclusive(lock, tmp_path / "c.toml"):
        with pytest.raises(Exception, match="already running") as info, exclusive(lock, tmp_path / "c.toml"):
            pass
        assert getattr(info.value, "exit_code", None) == 75
    with exclusive(lock, tmp_path / "c.toml"):
        assert lock.read_text().strip() == str(os.getpid())


# --- docs/SCHEDULING.md --------------------------------------------------------------------------


def code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.S | re.M)


CRON_FIELD = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(text)
    return parser


def test_scheduling_examples_parse(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "SCHEDULING.md").read_text(encoding="utf-8")

    (config,) = code_blocks(doc, "toml")
    BatchConfig.model_validate(tomllib.loads(config))

    cron = [line for block in code_blocks(doc, "crontab") for line in block.splitlines()]
    entries = [
        line for line in cron if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert entries
    for entry in entries:
        fields = entry.split(None, 5)
        assert all(re.fullmatch(CRON_FIELD, f) for f in fields[:5]), entry
        assert "briefer batch" in fields[5] and "%" not in fields[5]  # cron reads % as a newline

    units = {block.splitlines()[0].removeprefix("# "): block for block in code_blocks(doc, "ini")}
    assert sorted(units) == ["briefer-batch.service", "briefer-batch.timer"]
    service, timer = ini(units["briefer-batch.service"]), ini(units["briefer-batch.timer"])
    assert {"Unit", "Service"} <= set(service.sections()) and {"Unit", "Timer", "Install"} <= set(
        timer.sections()
    )
    assert service["Service"]["Type"] == "oneshot"
    assert "briefer batch" in service["Service"]["ExecStart"]
    if shutil.which("systemd-analyze"):  # a real check; the executable is swapped for one that exists
        executable = service["Service"]["ExecStart"].split()[0]
        for name, text in units.items():
            (tmp_path / name).write_text(text.replace(executable, "/bin/true"))
        check = subprocess.run(
            ["systemd-analyze", "verify", *(str(tmp_path / n) for n in units)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode == 0 and "Unknown" not in check.stderr, check.stderr
        calendar = subprocess.run(
            ["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]], capture_output=True, timeout=30
        )
        assert calendar.returncode == 0

    (workflow,) = code_blocks(doc, "yaml")
    data = yaml.safe_load(workflow)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert all(re.fullmatch(CRON_FIELD, f) for f in triggers["schedule"][0]["cron"].split())
    steps = [step for job in data["jobs"].values() for step in job["steps"]]
    assert any("briefer batch" in step.get("run", "") for step in steps)
    assert any(step.get("uses", "").startswith("actions/cache") for step in steps)
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    assert any("git push" in step.get("run", "") for step in steps)
