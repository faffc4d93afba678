"""New since last brief: matching claims by meaning, the section in the brief, `run --since-brief`."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from invariants import assert_json_invariants, assert_markdown_invariants, content_lines

from briefer.cli.app import cli
from briefer.core.models import Brief
from briefer.output.render import render_markdown
from briefer.runs.history import (
    KnownClaims,
    Published,
    PublishedClaim,
    from_brief_file,
    new_claims,
    published,
)
from briefer.runs.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
STORM = ROOT / "tests" / "fixtures" / "storm"
# A follow-up article: two facts the earlier sources did not carry, one they did (reworded), and an
# updated figure.
UPDATE = """Ravenna begins to rebuild after Storm Elena

The regional government approved a reconstruction fund of 50 million euros for the flooded villages.
Storm Elena came ashore near Ravenna on Monday night, flooding streets and cutting power to 40,000 homes.
Rescue teams said at least 19 people were killed in the flooding.
Volunteers from Bologna cleared mud from the main hospital in Ravenna on Thursday.
"""
NEW_FACTS = ("reconstruction fund", "at least 19 people", "Volunteers from Bologna")
KNOWN_FACT = "came ashore near Ravenna"


def section(markdown: str) -> list[str]:
    """The lines of the "New since last brief" section, or [] when there is none."""
    m = re.search(r"^## New since last brief \((\d{4}-\d{2}-\d{2})\)\n\n(.*?)\n\n## ", markdown, re.S | re.M)
    return [line for line in m.group(2).splitlines() if line.strip()] if m else []


def source_number(markdown: str, name: str) -> int:
    sources = markdown.split("\n## Sources", 1)[1]
    found = re.search(rf"^(\d+)\. .*{re.escape(name)}", sources, re.M)
    assert found, f"{name} is not among the sources"
    return int(found.group(1))


def test_reworded_claims_are_known_and_changed_figures_are_new() -> None:
    known = KnownClaims(
        [
            "Storm Elena made landfall near the port city of Ravenna on Monday night, leaving 40,000 homes "
            "without power.",
            "Officials said at least 12 people were killed in the flooding.",
        ]
    )
    assert known.knows(
        "Storm Elena made landfall near Ravenna on Monday night and left 40,000 homes without power."
    )
    assert known.knows("officials said at least 12 people were killed in the flooding")
    assert not known.knows("Officials said at least 15 people were killed in the flooding.")  # a new figure
    assert not known.knows("The water authority denied the accusations and called them misleading.")
    assert not known.knows("Volunteers cleared mud from the hospital.")


def test_second_brief_of_the_same_sources_has_no_section() -> None:
    first = run([STORM], engine="offline")
    again = run([STORM], engine="offline", since=published(first))
    assert again.new_since is None
    assert "New since last brief" not in render_markdown(again)
    assert list(new_claims(again.claims, published(first))) == []


def test_added_article_yields_its_new_claims_and_only_those(tmp_path: Path) -> None:
    folder = tmp_path / "storm"
    shutil.copytree(STORM, folder)
    first = run([folder], engine="offline")
    (folder / "zz-update.txt").write_text(UPDATE, encoding="utf-8")
    brief = run([folder], engine="offline", since=published(first))
    markdown = render_markdown(brief)
    assert_markdown_invariants(markdown)
    assert_json_invariants(brief.model_dump_json())
    lines = section(markdown)
    assert lines, markdown
    new = source_number(markdown, "zz-update.txt")
    for line in lines:
        assert line in content_lines(markdown)
        assert line.endswith(f"[{new}]"), f"cites something other than the new article: {line}"
    text = "\n".join(lines)
    assert all(fact in text for fact in NEW_FACTS), text
    assert KNOWN_FACT not in text, "a reworded known fact is not new"
    assert brief.new_since and brief.new_since.since == first.report.generated_at
    for point in brief.new_since.points:
        assert point.verdict and point.verdict.label == "supported"
    assert brief.report.sentences_supported == brief.report.sentences_checked


def test_run_since_brief_reads_an_earlier_json_brief(tmp_path: Path) -> None:
    folder = tmp_path / "storm"
    shutil.copytree(STORM, folder)
    previous = tmp_path / "previous.json"
    first = CliRunner().invoke(cli, ["run", str(folder), "--format", "json", "-o", str(previous), "-q"])
    assert first.exit_code == 0, first.output
    (folder / "zz-update.txt").write_text(UPDATE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(folder), "--since-brief", str(previous), "-q"])
    assert result.exit_code == 0, result.output
    date = datetime.fromisoformat(json.loads(previous.read_text())["report"]["generated_at"])
    heading = f"## New since last brief ({date.astimezone().date().isoformat()})"
    assert heading in result.stdout
    assert all(fact in "\n".join(section(result.stdout)) for fact in NEW_FACTS)
    unchanged = CliRunner().invoke(
        cli, ["run", str(folder), "--since-brief", str(previous), "--format", "json"]
    )
    assert json.loads(unchanged.stdout)["new_since"]["points"]


def test_since_brief_errors_are_bad_input(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["run", str(STORM), "--since-brief", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "--since-brief: no such file" in missing.stderr
    (tmp_path / "brief.md").write_text("# not json\n")
    wrong = CliRunner().invoke(cli, ["run", str(STORM), "--since-brief", str(tmp_path / "brief.md")])
    assert wrong.exit_code == 2 and "is not a brief written with --format json" in wrong.stderr


def test_briefs_written_before_the_section_existed_still_load(tmp_path: Path) -> None:
    """Backwards compatible: no `new_since`, no `generated_at`, no `cache_hits` in an older brief."""
    data = json.loads(run([STORM], engine="offline").model_dump_json())
    del data["new_since"], data["report"]["generated_at"], data["report"]["usage"]["cache_hits"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    assert Brief.model_validate(data).new_since is None
    record = from_brief_file(old)  # dated by the file's modification time
    assert abs((record.generated_at - datetime.fromtimestamp(old.stat().st_mtime, UTC)).total_seconds()) < 1


def test_damaged_record_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from briefer.runs.history import read_published

    assert read_published(tmp_path / "none.json") is None
    (tmp_path / "bad.json").write_text("{")
    assert read_published(tmp_path / "bad.json") is None and "ignoring" in caplog.text
    ok = Published(generated_at=datetime.now(UTC), claims=[PublishedClaim(text="A claim about a storm.")])
    (tmp_path / "ok.json").write_text(ok.model_dump_json())
    assert read_published(tmp_path / "ok.json") == ok
