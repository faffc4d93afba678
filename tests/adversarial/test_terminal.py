"""What reaches a terminal or a text log is inert: escape sequences from sources, drafts, file names
and batch topic names are shown as escapes (`briefer.core.terminal.one_line`, the one place), never
sent raw, and no value can start a line of its own (forging `briefer: error: ...`)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from adversary import REPO, STORM
from click.testing import CliRunner

from briefer.cli.app import cli
from briefer.cli.logs import JsonFormatter, TextFormatter, error_line
from briefer.core.terminal import escape_controls, one_line
from briefer.runs.context import TOPIC

# Set the window title, hide text, write the clipboard (OSC 52), an 8-bit CSI, a bidi override, BEL.
ESCAPES = [
    "\x1b]0;pwned\x07",
    "\x1b[8m",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "\x9b2J",
    "\u202e",
    "\x07",
    "\U000e0041",
]
RAW = ("\x1b", "\x9b", "\x07", "\u202e", "\U000e0041")


def _inert(text: str) -> bool:
    return not any(ch in text for ch in RAW)


@pytest.mark.parametrize("escape", ESCAPES)
def test_one_line_escapes_every_control(escape: str) -> None:
    shown = one_line(f"before{escape}after\nbriefer: error: forged")
    assert _inert(shown) and "\n" not in shown
    assert shown.startswith("before") and escape_controls(shown) == shown  # escaping twice changes nothing


def test_check_table_shows_escapes_from_the_draft_and_the_sources(tmp_path: Path) -> None:
    """`briefer check` printed source and draft text raw: a draft or article could retitle the
    terminal, hide text or write the clipboard."""
    sources = tmp_path / "src"
    shutil.copytree(STORM, sources)
    herald = sources / "coastal_herald.txt"
    herald.write_text(
        herald.read_text(encoding="utf-8").replace(
            "Storm Elena made landfall", "Storm \x1b]0;pwned\x07Elena made landfall"
        ),
        encoding="utf-8",
    )
    draft = tmp_path / "draft.md"
    draft.write_text(
        "Storm Elena made landfall near Ravenna \x1b]52;c;ZXZpbA==\x07on Monday. [1]\n\n"
        "The dam \x9b2J\u202ecollapsed after \x1b[8msabotage, killing 300 people. [1]\n",
        encoding="utf-8",
    )
    result = CliRunner(env={"COLUMNS": "240"}).invoke(cli, ["check", str(draft), "--sources", str(sources)])
    assert result.exit_code in (0, 3), result.stderr
    assert _inert(result.stdout) and _inert(result.stderr)
    assert "\\x1b]52" in result.stdout and "\\x9b" in result.stdout


def test_file_names_with_escapes_reach_stderr_escaped_in_check(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    shutil.copytree(STORM, sources)
    (sources / "evil\x1b]0;x\x07\nbriefer: error: forged.txt").write_bytes(b"")
    draft = tmp_path / "draft.md"
    draft.write_text("Storm Elena made landfall near Ravenna on Monday night. [1]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(draft), "--sources", str(sources)])
    assert _inert(result.stderr) and _inert(result.stdout)
    assert not [line for line in result.stderr.splitlines() if line.startswith("briefer: error")]


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("briefer", logging.INFO, __file__, 0, message, None, None)


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_a_topic_name_cannot_forge_a_log_line(formatter: logging.Formatter) -> None:
    token = TOPIC.set("storm\nbriefer: error: every topic failed\x1b[2J\x9b")
    try:
        record = _record("wrote out/storm.md")
        from briefer.cli.logs import ContextFilter

        ContextFilter().filter(record)
        line = formatter.format(record)
    finally:
        TOPIC.reset(token)
    assert "\n" not in line and _inert(line)
    if isinstance(formatter, JsonFormatter):
        assert json.loads(line)["topic"].startswith("storm briefer: error")
    else:
        assert line.startswith("briefer: [storm briefer: error: every topic failed\\x1b[2J\\x9b] wrote")


def test_error_lines_are_one_line_in_both_formats() -> None:
    for fmt in ("text", "json"):
        line = error_line("error: bad\nbriefer: error: forged\x1b]0;t\x07", fmt)
        assert "\n" not in line and _inert(line)


def test_batch_topic_names_are_escaped_in_text_logs(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "storm", tmp_path / "storm")
    config = tmp_path / "briefs.toml"
    config.write_text(
        '[batch]\nmanifest = "out/manifest.json"\nengine = "offline"\n\n[[topic]]\n'
        'name = "storm\\nbriefer: error: forged\\u001b]0;title\\u0007"\nsources = ["storm/"]\n'
        'outputs = ["out/storm.md"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["batch", str(config)])
    assert result.exit_code in (0, 2), result.stderr
    assert _inert(result.stderr)
    assert not [line for line in result.stderr.splitlines() if line.startswith("briefer: error: forged")]
