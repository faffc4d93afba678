"""Inputs that gave "internal error" or worse (issue 15, part B), the resource bounds of a run, and
offsets for other languages: each ends in a correct result or one clear line and a documented exit
code, within bounded memory and time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from adversary import STORM, assert_clean_failure, briefer, storm
from click.testing import CliRunner, Result

from briefer.cli.app import cli

DRAFT = "Storm Elena made landfall. [1]\n"


def check(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", *map(str, args)], input=stdin, catch_exceptions=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the model endpoint ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["not-a-url", "http://host:port/v1", "ftp://example.org/v1", "http:///v1"])
def test_a_malformed_base_url_fails_at_once(url: str) -> None:
    started = time.monotonic()
    line = assert_clean_failure(briefer(STORM, "--engine", "llm", "--base-url", url), exit_code=2)
    assert time.monotonic() - started < 5  # no retries
    assert f"invalid base_url from --base-url: {url!r}" in line and "None" not in line


def test_a_dead_endpoint_prints_one_retry_line_per_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    article = (STORM / "daily_ledger.txt").read_text()
    for i in range(30):
        (folder / f"{i:02}.txt").write_text(f"Council vote {i} on item {i * 7}.\n\n{article} Number {i}.\n")
    monkeypatch.setenv("BRIEFER_RETRY_BASE_DELAY", "0.001")
    port = closed_port()
    result = briefer(folder, "--engine", "llm", "--base-url", f"http://127.0.0.1:{port}/v1", "--no-cache")
    assert_clean_failure(result, exit_code=1)
    retries = [line for line in result.stderr.splitlines() if "retrying" in line]
    assert len(retries) == 1, retries


# --- check -------------------------------------------------------------------------------------------


def test_jsonl_with_a_raw_line_separator_inside_a_string(tmp_path: Path) -> None:
    line = json.dumps({"summary": "The storm hit\u2028the coast.", "document": "The storm hit the coast."})
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps(json.loads(line), ensure_ascii=False) + "\n", encoding="utf-8")
    assert "\u2028" in pairs.read_text(encoding="utf-8")
    result = check("--jsonl", pairs)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.rstrip("\n").split("\n")) == 1  # JSON Lines: split on newlines only


def test_a_skipped_duplicate_keeps_its_number(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text((STORM / "daily_ledger.txt").read_text())
    (folder / "b.txt").write_text((STORM / "daily_ledger.txt").read_text())  # a copy of [1]
    (folder / "c.txt").write_text((STORM / "coastal_herald.txt").read_text())
    herald = next(line for line in (STORM / "coastal_herald.txt").read_text().splitlines() if len(line) > 80)
    first = herald.split(". ")[0].rstrip(".") + ". [3]\n"
    draft = tmp_path / "draft.md"
    draft.write_text(first)
    result = check(draft, "--sources", folder, "--format", "json")
    data = json.loads(result.stdout)
    assert [(s["number"], s["path"].rsplit("/", 1)[-1], s["chars"] > 0) for s in data["sources"]] == [
        (1, "a.txt", True),
        (2, "b.txt", False),
        (3, "c.txt", True),
    ]
    evidence = data["sentences"][0]["evidence"]
    assert evidence["source"] == 3 and evidence["path"].endswith("c.txt")
    cites_two = tmp_path / "two.md"
    cites_two.write_text("Storm Elena made landfall. [2]\n")
    reasons = json.loads(check(cites_two, "--sources", folder, "--format", "json").stdout)["sentences"][0][
        "reasons"
    ]
    assert any("which was skipped: duplicate of" in r for r in reasons), reasons


def test_sources_then_draft_takes_the_last_value_as_the_draft(tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT)
    result = check("--sources", STORM, draft, "--format", "json")
    assert result.exit_code in (0, 3), result.stderr
    data = json.loads(result.stdout)
    assert len(data["sources"]) == 3 and data["sentences"][0]["citations"] == [1]


def test_dev_zero_as_an_input_is_refused_without_reading_it(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    assert "unsupported file type" in assert_clean_failure(briefer("/dev/zero"), exit_code=2)
    folder = storm(tmp_path)
    (folder / "zero.txt").symlink_to("/dev/zero")
    assert briefer(folder).exit_code == 0
    (folder / "zero.txt").unlink()
    os.mkfifo(folder / "fifo.txt")
    assert "fifo.txt: not a regular file" in briefer(folder).stderr
    # as a draft, in a process whose memory is capped: bounded read, never a MemoryError
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31)); "
        "from briefer.cli.app import main; sys.argv = ['briefer', 'check', '/dev/zero', '--sources', sys.argv[1]]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(STORM)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert (
        "larger than" in proc.stderr
        and "Traceback" not in proc.stderr
        and "internal error" not in proc.stderr
    )


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_extreme_dates_in_an_earlier_brief(tmp_path: Path, when: str) -> None:
    one = tmp_path / "one"
    one.mkdir()
    (one / "wire.md").write_text((STORM / "morning_wire.md").read_text())
    previous = json.loads(briefer(one, "--format", "json").stdout)  # so the full run has news
    previous["report"]["generated_at"] = when
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(previous))
    result = briefer(STORM, "--since-brief", path)
    assert result.exit_code == 0, result.stderr
    assert f"## New since last brief ({when[:10]})" in result.stdout


# --- batch config ------------------------------------------------------------------------------------


def test_several_config_problems_are_one_per_line(tmp_path: Path) -> None:
    config = tmp_path / "briefs.toml"
    config.write_text('[batch]\ncolour = "red"\n[[topic]]\nname = "x"\nengine = "gpt"\n')
    result = CliRunner().invoke(cli, ["batch", str(config)], catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "briefer: error: invalid batch config (4 problems):", lines
    assert len(lines) == 5 and all(line.startswith(f"briefer:   {config}:") for line in lines[1:]), lines


# --- resource bounds ---------------------------------------------------------------------------------


def test_too_many_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefer.core.limits.MAX_FILES", 20)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(25):
        (folder / f"{i}.txt").write_text(f"Article {i} says the council met on day {i}.")
    line = assert_clean_failure(briefer(folder), exit_code=2)
    assert "too many files" in line and "more than 20 (the limit per run)" in line


def test_too_much_input_in_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "briefer.core.limits.MAX_TOTAL_BYTES", 2_000
    )  # the three storm articles are 2,251 bytes
    line = assert_clean_failure(briefer(STORM), exit_code=2)
    assert "too much input" in line and "(the limit per run)" in line


def test_a_draft_over_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefer.core.limits.MAX_DRAFT_BYTES", 1_000)
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT * 100)
    result = check(draft, "--sources", STORM)
    assert result.exit_code == 2 and "larger than 1,000 bytes (the limit for a draft)" in result.stderr


def test_a_jsonl_line_over_the_bound_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("briefer.core.limits.MAX_JSONL_LINE_BYTES", 10_000)
    pairs = tmp_path / "pairs.jsonl"
    ok = json.dumps({"summary": "The storm hit.", "document": "The storm hit the coast."})
    pairs.write_text(ok + "\n" + json.dumps({"summary": "x", "document": "word " * 5_000}) + "\n")
    result = check("--jsonl", pairs)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{pairs}:2: line longer than 10,000 bytes (the limit per JSON line)" in result.stderr


def test_check_work_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefer.core.limits.MAX_CHECK_PAIRS", 100)
    draft = tmp_path / "draft.md"
    draft.write_text("Storm Elena made landfall. The river rose. Schools closed. Power failed.\n" * 3)
    result = check(draft, "--sources", STORM)
    assert (
        result.exit_code == 2
        and "too much to check" in result.stderr
        and "(the limit per check)" in result.stderr
    )


# --- offsets for other languages ---------------------------------------------------------------------


def test_json_citations_carry_utf16_offsets_that_javascript_can_slice(tmp_path: Path) -> None:
    folder = tmp_path / "emoji"
    folder.mkdir()
    for f in STORM.iterdir():  # an emoji (two UTF-16 code units) before every sentence
        text = f.read_text(encoding="utf-8").replace(". ", ". \U0001f30a ")
        (folder / f.name).write_text("\U0001f4f0 " + text, encoding="utf-8")
    result = briefer(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    texts = {d["id"]: d["text"] for d in data["documents"]}
    citations = [c for s in data["key_points"] + data["bottom_line"] for c in s["citations"]]
    assert citations
    shifted = 0
    for c in citations:
        text = texts[c["doc_id"]]
        assert text[c["start"] : c["end"]] == c["quote"]  # code points, as in Python
        utf16 = text.encode("utf-16-le")
        assert utf16[2 * c["start_utf16"] : 2 * c["end_utf16"]].decode("utf-16-le") == c["quote"]
        shifted += c["start_utf16"] != c["start"]
    assert shifted == len(citations)  # every span comes after the leading emoji
    from briefer.core.models import Brief

    assert Brief.model_validate_json(result.stdout).key_points  # and the JSON reads back
