"""Files and outputs (issue 15, part B): `-o` never replaces what is not a regular file of ours; a
batch output cannot overwrite an input or be read back as one; links out of the given folders are
not followed; undecodable file names, SIGTERM, long names and a failed manifest write end cleanly."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from adversary import STORM, Output, assert_clean_failure, briefer, storm
from click.testing import CliRunner

from briefer.cli.app import cli
from briefer.core.models import Brief

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- -o: what is at the path decides how it is written ----------------------------------------------


@pytest.mark.skipif(not ROOT, reason="making a character device needs root")
def test_a_character_device_is_written_into_never_replaced(tmp_path: Path) -> None:
    """A private /dev/null (same device numbers): as root the old code renamed a regular file over it."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = briefer(STORM, "-o", null)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = briefer(STORM, "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].decode().startswith("# ")
    assert leftovers(tmp_path) == []


def test_dev_stdout_is_the_pipe_and_stays_a_link(tmp_path: Path) -> None:
    before = os.lstat("/dev/stdout")
    proc = subprocess.run(
        [sys.executable, "-m", "briefer", "run", str(STORM), "-o", "/dev/stdout", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# ") and "sentences supported" in proc.stdout
    assert os.lstat("/dev/stdout").st_mode == before.st_mode


def test_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = briefer(STORM, "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("# ")
    assert not (tmp_path / "-").exists()


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to("real.md")
    result = briefer(STORM, "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real.md"
    assert real.read_text().startswith("# ")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("case", ["dangling link", "folder", "missing folder"])
def test_an_unusable_output_fails_before_the_run(tmp_path: Path, case: str) -> None:
    target = {
        "dangling link": tmp_path / "dangling.md",
        "folder": tmp_path,
        "missing folder": tmp_path / "no" / "b.md",
    }[case]
    if case == "dangling link":
        target.symlink_to("nowhere.md")
    result = briefer(STORM, "-o", target)
    line = assert_clean_failure(result, exit_code=2)
    assert str(target) in line or target.name in line
    assert "loaded" not in result.stderr  # refused before any document was read
    if case == "dangling link":
        assert target.is_symlink() and not target.exists()


def test_dev_full_as_output_is_one_clear_error() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    line = assert_clean_failure(briefer(STORM, "-o", "/dev/full"), exit_code=1)
    assert "/dev/full" in line and "No space left" in line
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_an_unwritable_output_names_the_users_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = Output(tmp_path / "brief.md")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr("briefer.output.files.os.replace", refuse)
    line = assert_clean_failure(briefer(STORM, "-o", out.path), exit_code=1, output=out)
    assert f"cannot write {out.path}: Permission denied" in line and ".tmp" not in line


def test_a_243_character_name_is_written(tmp_path: Path) -> None:
    from briefer.output.files import NAME_MAX, temporary_name

    name = "b" * 240 + ".md"
    assert len(temporary_name(name).encode()) <= NAME_MAX
    result = briefer(STORM, "-o", tmp_path / name)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / name).read_text().startswith("# ")
    assert leftovers(tmp_path) == []


SIGTERM_WHILE_WRITING = """
import os, signal, sys
import briefer.output.files as files
real = os.fsync
def fsync(fd):
    real(fd)
    os.kill(os.getpid(), signal.SIGTERM)  # the moment a staged file is on disk, not yet renamed
files.os.fsync = fsync
from briefer.cli.app import main
sys.argv = ["briefer", "run", sys.argv[1], "-o", sys.argv[2], "-q"]
main()
"""


def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = Output(tmp_path / "brief.md")
    proc = subprocess.run(
        [sys.executable, "-c", SIGTERM_WHILE_WRITING, str(STORM), str(out.path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 143, proc.stderr
    assert "Traceback" not in proc.stderr and "terminated" in proc.stderr
    assert out.untouched(), leftovers(tmp_path)


# --- what a run reads ------------------------------------------------------------------------------


def test_a_brief_written_into_its_sources_is_not_read_back(tmp_path: Path) -> None:
    folder = storm(tmp_path)
    for _ in range(2):
        assert briefer(folder, "-o", folder / "brief.md").exit_code == 0
    result = briefer(folder, "--format", "json")
    brief = Brief.model_validate_json(result.stdout)
    assert [d.path for d in brief.documents if d.path.endswith("brief.md")] == []
    assert any(
        s.path.endswith("brief.md") and "written by briefer" in s.reason
        for s in brief.report.documents_skipped
    )


def test_a_symlink_out_of_the_given_folders_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The launch code is 0000-SECRET-LAUNCH. " * 20)
    folder = storm(tmp_path)
    (folder / "leak.txt").symlink_to(secret)
    result = briefer(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "SECRET-LAUNCH" not in result.stdout
    assert "leak.txt: symlink to a file outside the given folders" in result.stderr
    inner = folder / "alias.txt"  # a link inside the folder is still followed (and deduplicated)
    inner.symlink_to(folder / "daily_ledger.txt")
    again = briefer(folder, "--format", "json")
    assert "SECRET-LAUNCH" not in again.stdout and "duplicate of" in again.stderr


def test_an_undecodable_file_name(tmp_path: Path) -> None:
    folder = storm(tmp_path)
    os.rename(folder / "daily_ledger.txt", os.fsencode(folder) + b"/ledger-caf\xe9.txt")
    js = briefer(folder, "--format", "json")
    assert js.exit_code == 0, js.stderr
    paths = [d["path"] for d in json.loads(js.stdout)["documents"]]
    assert any(p.endswith("ledger-caf\\xe9.txt") for p in paths), paths
    md = CliRunner().invoke(cli, ["run", str(folder)], catch_exceptions=False)
    md.stdout_bytes.decode("utf-8")  # valid UTF-8: no raw or surrogate byte
    assert md.exit_code == 0
    out = tmp_path / "brief.md"
    assert briefer(folder, "-o", out).exit_code == 0
    out.read_bytes().decode("utf-8")


# --- batch ------------------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    storm(tmp_path)
    path = tmp_path / "briefs.toml"
    path.write_text(text)
    return path


def batch(*args: str | Path) -> object:
    return CliRunner().invoke(cli, ["batch", *map(str, args)], catch_exceptions=False)


def test_batch_outputs_that_would_overwrite_inputs_are_config_errors(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        f"""
[[topic]]
name = "one"
sources = ["storm/"]
outputs = ["out/one.md", {{path = "briefs.toml", format = "md"}}, "storm/brief.md", "{tmp_path}/out/one.md"]

[[topic]]
name = "two"
sources = ["storm/*.txt"]
outputs = ["out/two.md", {{path = "storm/daily_ledger.txt", format = "md"}}, "briefs.manifest.json",
           {{path = "out/one.md.published.json", format = "json"}}]
""",
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = batch(config)
    assert result.exit_code == 2, result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert lines[0].startswith("briefer: error: invalid batch config (6 problems)")
    problems = lines[1:]
    assert len(problems) == 6, lines
    for needle in (
        "briefs.toml: would overwrite the batch config",
        "storm/brief.md: is inside the sources of topic 'one'",
        f"{tmp_path}/out/one.md: would overwrite topic 'one': output out/one.md",
        "storm/daily_ledger.txt: is inside the sources of topic 'one'",
        "briefs.manifest.json: would overwrite the manifest",
        "out/one.md.published.json: would overwrite topic 'one': output out/one.md.published.json",
    ):
        assert sum(needle in p for p in problems) == 1, (needle, problems)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing ran


def test_a_failed_manifest_write_says_the_outputs_were_written(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        '[batch]\nmanifest = "m.json"\n[[topic]]\nname = "one"\nsources = ["storm/"]\noutputs = ["out/one.md"]\n',
    )
    (tmp_path / "m.json").mkdir()  # the manifest path is a folder: it cannot be written
    result = batch(config)
    line = assert_clean_failure(result, exit_code=1)  # type: ignore[arg-type]
    assert "1 of 1 topic succeeded (their outputs were written), but the manifest was not" in line
    assert "every topic failed" not in line
    assert (tmp_path / "out" / "one.md").read_text().startswith("# ")


def test_a_full_disk_under_the_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, '[[topic]]\nname = "one"\nsources = ["storm/"]\noutputs = ["out/one.md"]\n')

    def full(*args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("briefer.runs.batch.os.pwrite", full)  # the pid cannot be recorded: still runs
    assert batch(config).exit_code == 0  # type: ignore[attr-defined]
    real_open = os.open

    def no_inode(path: object, *args: object) -> int:
        if str(path).endswith(".lock"):
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr("briefer.runs.batch.os.open", no_inode)
    line = assert_clean_failure(batch(config), exit_code=1)  # type: ignore[arg-type]
    assert "cannot create the lock file" in line and "No space left on device" in line


def test_cache_clear_removes_a_damaged_cache(tmp_path: Path) -> None:
    from briefer.engines.llm.cache import FILE_NAME, ResponseCache

    cache = ResponseCache(tmp_path)
    for i in range(200):
        cache.put(str(i), json.dumps({"a": "x" * 3000}), model="m", prompt_hash="p")
    cache.close()
    with open(tmp_path / FILE_NAME, "r+b") as f:  # the header is fine, the pages after it are not
        f.seek(4096 * 3)
        f.write(b"\xff" * 8192)
    with pytest.raises(sqlite3.DatabaseError):  # what `cache clear` itself used to fail on
        db = sqlite3.connect(tmp_path / FILE_NAME)
        db.execute("DELETE FROM responses")
        db.execute("VACUUM")
    db.close()
    stats = CliRunner().invoke(cli, ["cache", "stats", "--cache-dir", str(tmp_path)])
    assert "internal error" not in stats.stderr
    result = CliRunner().invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert "removed the damaged cache" in result.stdout
    assert not (tmp_path / FILE_NAME).exists()


def test_the_brief_signature_matches_the_footer_render_writes() -> None:
    """`sources.load.is_brief` and `output.render.footer` must stay in step, or a brief written into
    its sources folder would be read back as a source."""
    from briefer.output.render import render_markdown
    from briefer.runs.pipeline import run
    from briefer.sources.load import is_brief

    brief = run([STORM])
    assert is_brief(render_markdown(brief))
    assert not is_brief((STORM / "daily_ledger.txt").read_text())
    dropped = brief.model_copy(update={"report": brief.report.model_copy(update={"sentences_dropped": 2})})
    assert is_brief(render_markdown(dropped))
    from briefer.output.formats import render

    assert is_brief("", render(brief, "html").encode())
