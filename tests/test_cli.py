"""The command as a user meets it: exit codes, stdout holding only the brief, atomic -o."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from invariants import assert_json_invariants, assert_markdown_invariants

from briefer.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
STORM = ROOT / "tests" / "fixtures" / "storm"


def run(*args: str, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "briefer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_help_lists_commands_and_exit_codes():
    r = CliRunner().invoke(cli, ["run", "--help"])
    assert r.exit_code == 0
    assert "--max-words" in r.output and "Exit codes" in r.output


def test_brief_on_stdout_logs_on_stderr():
    r = run("run", str(STORM))
    assert r.returncode == 0
    assert r.stdout.startswith("# ")
    assert "briefer:" not in r.stdout
    assert "engine: offline" in r.stderr
    assert_markdown_invariants(r.stdout)


def test_json_format_round_trips():
    r = run("run", str(STORM), "--format", "json", "-q")
    assert r.returncode == 0 and r.stderr == ""
    brief = assert_json_invariants(r.stdout)
    assert brief["report"]["engine"] == "offline"


def test_missing_path_is_bad_input(tmp_path):
    r = run("run", str(tmp_path / "nope"))
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "no such file" in r.stderr
    assert "Traceback" not in r.stderr


def test_folder_without_documents_is_bad_input(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "empty.txt").write_text("   \n")
    r = run("run", str(tmp_path))
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr


def test_bad_usage_exits_2():
    assert run("run").returncode == 2
    assert run("run", str(STORM), "--format", "pdf").returncode == 2


def test_llm_engine_without_configuration_exits_2():
    env = {
        k: "" for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT")
    }
    r = run("run", str(STORM), "--engine", "llm", env=env)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr


def test_output_file_is_written_atomically(tmp_path):
    out = tmp_path / "brief.md"
    r = run("run", str(STORM), "-o", str(out), "-q")
    assert r.returncode == 0 and r.stdout == ""
    assert_markdown_invariants(out.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"], "no temporary files left behind"


def test_failed_run_leaves_previous_output_untouched(tmp_path):
    out = tmp_path / "brief.md"
    out.write_text("previous brief\n")
    r = run("run", str(tmp_path / "missing"), "-o", str(out))
    assert r.returncode == 2
    assert out.read_text() == "previous brief\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


def test_single_document_says_it_rests_on_one_source():
    r = run("run", str(STORM / "coastal_herald.txt"), "-q")
    assert r.returncode == 0
    assert "single source" in r.stdout
    assert_markdown_invariants(r.stdout)


@pytest.mark.parametrize("max_words", ["120", "300"])
def test_max_words_shrinks_the_brief(max_words):
    small = run("run", str(STORM), "--max-words", max_words, "-q").stdout
    full = run("run", str(STORM), "-q").stdout
    assert len(small.split()) <= len(full.split())
    assert_markdown_invariants(small)


def test_hidden_and_unsupported_files_are_skipped_with_a_warning(tmp_path):
    for f in STORM.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / ".draft.txt").write_text("secret draft\n")
    (tmp_path / "data.csv").write_text("a,b\n")
    r = run("run", str(tmp_path), "--format", "json")
    assert r.returncode == 0
    assert "data.csv" in r.stderr
    brief = json.loads(r.stdout)
    assert {Path(d["path"]).name for d in brief["documents"]} == {f.name for f in STORM.iterdir()}


def test_outputs_get_the_umask_mode_and_replaced_files_keep_theirs(tmp_path: Path) -> None:
    """New outputs are created like any new file (0666 less the umask); a replaced one keeps its mode.
    The umask is set in the child process only: reading it in library code would mean setting it."""
    import stat

    new, kept = tmp_path / "new.md", tmp_path / "kept.md"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o600)
    for out in (new, kept):
        subprocess.run(
            [sys.executable, "-m", "briefer", "run", str(ROOT / "seeds"), "-q", "-o", str(out)],
            check=True,
            preexec_fn=lambda: os.umask(0o027),
        )
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text(encoding="utf-8").startswith("# ")


def test_importing_briefer_leaves_the_process_alone() -> None:
    """No umask, working directory or logging handler changes from importing the library."""
    code = (
        "import logging, os; os.umask(0o077); before = (os.getcwd(), logging.getLogger('briefer').handlers[:]);"
        "import briefer, briefer.runs.pipeline, briefer.runs.batch, briefer.output.files, briefer.checker;"
        "assert os.umask(0o077) == 0o077; assert (os.getcwd(), logging.getLogger('briefer').handlers) == before"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_names_are_exported_and_listed() -> None:
    import briefer

    assert set(briefer.__all__) - {"__version__"} == set(briefer._EXPORTS)
    for name in briefer.__all__:
        assert getattr(briefer, name) is not None
