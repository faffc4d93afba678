"""Hostile and odd input: every case ends in a correct brief or one clear line and exit 2, never a
traceback, and offsets keep indexing the text exactly whatever the encoding or line endings.

Most runs are in process (CliRunner, offline engine); the 100 MB file runs in a child process so its
peak memory can be measured on its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from adversary import REPO, STORM, assert_clean_failure, briefer
from click.testing import Result
from invariants import assert_json_invariants, assert_markdown_invariants

from briefer.core.models import Brief
from briefer.core.segment import segment, split_sentences
from briefer.runs.pipeline import run
from briefer.sources import load

ARTICLE = (STORM / "coastal_herald.txt").read_text(encoding="utf-8")


def offline(*args: str | Path) -> Result:
    return briefer(*args, "--engine", "offline")


def offline_json(*paths: Path) -> dict[str, Any]:
    result = offline(*paths, "--format", "json", "-q")
    assert result.exit_code == 0, result.stderr
    return assert_json_invariants(result.stdout)


def printed(brief: Brief | dict[str, Any]) -> list[str]:
    """The text of every printed sentence, for comparing two briefs."""
    data = brief.model_dump() if isinstance(brief, Brief) else brief
    return [s["text"] for s in data["bottom_line"] + data["key_points"]] + [
        s["text"] for q in data["open_questions"] for s in q["sentences"]
    ]


def folder_with(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return folder


# --- files that cannot be briefed: one line, exit 2 ------------------------------------------------

UNUSABLE = {
    "empty": (b"", "empty file"),
    "whitespace only": (b"  \n\t\r\n \r  \n", "whitespace only"),
    "binary with a .txt name": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "binary"),
    "binary without NUL bytes": (bytes(range(128, 256)) * 40, "binary"),
    "NUL bytes inside text": (ARTICLE[:400].encode() + b"\x00\x00" + ARTICLE[400:].encode(), "binary"),
    "control characters": (("\x1b[2J\x07" * 60 + ARTICLE).encode(), "control characters"),
    "only page furniture": (
        b"Advertisement\n\nFollow us on Twitter\n\n(c) 2024 Example News. All rights reserved.\n",
        "no body text",
    ),
    "UTF-16 without a BOM": (ARTICLE.encode("utf-16-le"), "binary"),
}


@pytest.mark.parametrize("case", list(UNUSABLE), ids=list(UNUSABLE))
def test_unusable_file_gives_one_clear_line_and_exit_2(tmp_path: Path, case: str) -> None:
    content, reason = UNUSABLE[case]
    result = offline(folder_with(tmp_path, "story.txt", content), "-q")
    error = assert_clean_failure(result, exit_code=2)
    assert "no readable documents" in error and reason in error, error


def test_only_hidden_and_unsupported_files_name_what_was_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / ".hidden.txt").write_text(ARTICLE)
    (folder / "story.odt").write_bytes(b"PK\x03\x04")  # OpenDocument: not read
    error = assert_clean_failure(offline(folder), exit_code=2)
    assert "2 skipped" in error and "hidden" in error and "unsupported file type" in error


def test_a_huge_file_is_refused_by_its_size_without_being_read(tmp_path: Path) -> None:
    """A 100 MB file next to a normal article: the brief comes from the article, the big file is
    skipped with its size in the warning, and the run's peak memory stays below the file's size
    (the size is checked before a byte is read). Peak RSS is measured in a child of a fresh
    interpreter, so no earlier subprocess of this test session can inflate it."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(STORM / "coastal_herald.txt", folder / "article.txt")
    size = 100_000_000
    line = (ARTICLE.replace("\n", " ") + "\n").encode()
    with open(folder / "huge.txt", "wb") as f:
        for _ in range(size // len(line) + 1):
            f.write(line)
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(r.stdout)\n"
        "sys.stderr.write(r.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, file=sys.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "BRIEFER_"))}
    command = [sys.executable, "-c", probe, sys.executable, "-m", "briefer", "run", str(folder)]
    try:
        r = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    finally:
        (folder / "huge.txt").unlink()  # pytest keeps recent tmp folders: leave no 100 MB behind
    *log, peak = r.stderr.strip().splitlines()
    assert r.returncode == 0, r.stderr
    assert_markdown_invariants(r.stdout)
    assert "huge.txt: too large (100 MB; files over 20 MB are skipped)" in "\n".join(log)
    assert int(peak) < size * 0.8, f"peak RSS {int(peak) / 1e6:.0f} MB for a {size / 1e6:.0f} MB file"


def test_a_file_that_grows_after_the_size_check_is_still_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stat() says 5 KB, the file holds 50 KB by the time it is read: the read stops one byte past
    the limit and the file is skipped as too large, so memory never depends on a stale size."""
    folder = folder_with(tmp_path, "growing.txt", b"y " * 25_000)
    (folder / "ok.txt").write_text(ARTICLE)
    real_stat = Path.stat

    def stale_stat(self: Path, *args: Any, **kwargs: Any) -> Any:
        info = real_stat(self, *args, **kwargs)
        if self.name != "growing.txt":
            return info
        return os.stat_result((*info[:6], 5_000, *info[7:]))

    monkeypatch.setattr(Path, "stat", stale_stat)
    result = load([folder], max_bytes=10_000)
    assert [Path(d.path).name for d in result.documents] == ["ok.txt"]
    assert result.skipped[0].reason == "too large (10,001 bytes; files over 10,000 bytes are skipped)"


# --- encodings and line endings: the same brief, offsets still exact -------------------------------

# The storm articles in characters every encoding below can carry, plus some that need it (é, ü, ß).
PLAIN = {
    p.name: p.read_text(encoding="utf-8")
    .translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2014": "-", "\u2022": "*"}))
    .replace("Ravenna", "Ravennà")
    .replace("emergency centre", "Notfallzentrum in Gießen-Süd")
    for p in sorted(STORM.iterdir())
}
VARIANTS = {
    "utf-8": ("utf-8", "\n"),
    "utf-8 with BOM": ("utf-8-sig", "\n"),
    "utf-16 with BOM": ("utf-16", "\n"),
    "utf-16-be with BOM": ("utf-16-be", "\n"),
    "latin-1": ("latin-1", "\n"),
    "windows-1252": ("cp1252", "\n"),
    "CRLF": ("utf-8", "\r\n"),
    "lone CR": ("utf-8", "\r"),
    "windows-1252 + CRLF": ("cp1252", "\r\n"),
}


def write_variant(folder: Path, encoding: str, newline: str) -> Path:
    folder.mkdir(parents=True)
    for name, text in PLAIN.items():
        data = text.replace("\n", newline)
        raw = ("\ufeff" + data).encode("utf-16-be") if encoding == "utf-16-be" else data.encode(encoding)
        (folder / name).write_bytes(raw)
    return folder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = write_variant(tmp_path_factory.mktemp("baseline") / "in", "utf-8", "\n")
    return printed(run([folder], engine="offline"))


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_encodings_and_line_endings_give_the_same_brief_with_exact_offsets(
    tmp_path: Path, variant: str, baseline: list[str]
) -> None:
    encoding, newline = VARIANTS[variant]
    folder = write_variant(tmp_path / "in", encoding, newline)
    brief = run([folder], engine="offline")
    assert printed(brief) == baseline
    for doc in brief.documents:
        raw = (folder / Path(doc.path).name).read_bytes()
        python = "utf-16" if encoding == "utf-16-be" else encoding
        decoded = raw.decode(python).replace("\r\n", "\n").replace("\r", "\n")
        assert doc.text.lstrip("\ufeff") == decoded.lstrip("\ufeff")  # what open() would give
        assert "\r" not in doc.text
        for span in [*doc.body, *doc.furniture, *segment(doc)]:
            assert 0 <= span.start < span.end <= len(doc.text)
    assert_json_invariants(brief.model_dump_json())


# --- size and shape --------------------------------------------------------------------------------


def test_ten_thousand_small_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"{i:05d}.txt").write_text(
            f"River rises in district {i}\n\n"
            f"The river rose by {i} centimetres in district {i} on Monday, the agency said.\n"
        )
    started = time.perf_counter()
    brief = run([folder], engine="offline")
    elapsed = time.perf_counter() - started
    assert brief.report.documents_used == 10_000
    assert elapsed < 60, f"{elapsed:.1f}s"
    from briefer.output.render import render_markdown

    assert_markdown_invariants(render_markdown(brief))


def test_a_two_megabyte_line_is_segmented_in_linear_time(tmp_path: Path) -> None:
    """Segmentation used to copy and regex-search the paragraph up to every full stop: a 200 KB line
    took 10 s, 2 MB about 1,000 s. Now 2 MB segments in well under a second; the bound is loose."""
    sentence = "The council approved 12 million euros for the harbour on Monday, Mr. Rossi said. "
    line = sentence * (2_000_000 // len(sentence))
    started = time.perf_counter()
    spans = split_sentences(line)
    assert time.perf_counter() - started < 5
    assert len(spans) == line.count(" said. ")
    assert all(line[s:e].endswith("said.") for s, e in spans)


def test_a_two_megabyte_single_line_article_is_briefed(tmp_path: Path) -> None:
    sentence = "The council approved a budget of 12 million euros for the harbour repairs on Monday. "
    folder = folder_with(tmp_path, "long.txt", ("Harbour budget\n\n" + sentence * 24_000).encode())
    brief = offline_json(folder)
    assert brief["bottom_line"][0]["text"] == sentence.strip()


def test_a_long_line_without_spaces_or_stops(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "blob.txt", ("x" * 2_000_000 + "\n\n" + ARTICLE).encode())
    offline_json(folder)


def test_deeply_nested_folders(tmp_path: Path) -> None:
    """Deeper than Python's recursion limit: the walk uses its own stack."""
    depth = sys.getrecursionlimit() + 100
    leaf = tmp_path / "deep"
    leaf.mkdir()
    for _ in range(depth):
        leaf = leaf / "d"
        leaf.mkdir()
    shutil.copy(STORM / "coastal_herald.txt", leaf / "story.txt")
    try:
        brief = offline_json(tmp_path / "deep")
        assert brief["documents"][0]["path"].split("/").count("d") == depth
    finally:  # bottom up: shutil.rmtree (and so pytest's cleanup) recurses, and fails at this depth
        (leaf / "story.txt").unlink()
        while leaf != tmp_path:
            leaf.rmdir()
            leaf = leaf.parent


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops_and_self_links(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(STORM, folder)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a link to itself: ELOOP on open
    (folder / "alias.txt").symlink_to(folder / "coastal_herald.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    result = offline(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    brief = assert_json_invariants(result.stdout)
    assert brief["report"]["documents_used"] == 3
    reasons = {Path(s["path"]).name: s["reason"] for s in brief["report"]["documents_skipped"]}
    assert "already visited" in reasons["loop"] and "already visited" in reasons["up"]
    assert reasons["coastal_herald.txt"] == f"duplicate of {folder / 'alias.txt'}"  # sorted: alias first
    assert "unreadable" in reasons["self.txt"] and "unreadable" in reasons["dangling.txt"]


def test_unreadable_files_and_folders_are_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated, because the suite may run as root (who can read anything)."""
    folder = tmp_path / "in"
    shutil.copytree(STORM, folder)
    (folder / "locked").mkdir()
    (folder / "locked" / "a.txt").write_text(ARTICLE)
    real_open, real_listdir = Path.open, os.listdir

    def deny_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "daily_ledger.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    def deny_listdir(path: Any) -> list[str]:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_listdir(path)

    monkeypatch.setattr(Path, "open", deny_open)
    monkeypatch.setattr(os, "listdir", deny_listdir)
    brief = offline_json(folder)
    reasons = {Path(s["path"]).name: s["reason"] for s in brief["report"]["documents_skipped"]}
    assert reasons == {
        "daily_ledger.txt": "unreadable (Permission denied)",
        "locked": "unreadable directory (Permission denied)",
    }
    assert brief["report"]["documents_used"] == 2


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_by_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(STORM, folder)
    (folder / "daily_ledger.txt").chmod(0)
    try:
        brief = offline_json(folder)
    finally:
        (folder / "daily_ledger.txt").chmod(0o644)
    assert brief["report"]["documents_used"] == 2


_PARAGRAPH = (
    "<p>Storm Elena made landfall near Ravenna on Monday night, leaving 40,000 homes without power, "
    "the utility said.</p>"
)
HOSTILE_HTML = {
    "20,000 nested divs": "<html><body>"
    + "<div>" * 20_000
    + _PARAGRAPH
    + "</div>" * 20_000
    + "</body></html>",
    "15,000 unclosed tags": "<html><body>" + "<div><span><b>" * 5_000 + _PARAGRAPH,
    "entity definitions": '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    f"<html><body><p>&b;&b;&b;</p>{_PARAGRAPH}</body></html>",
    "an XML declaration and a hidden paragraph": '<?xml version="1.0" encoding="utf-8"?>'
    '<html xmlns="http://www.w3.org/1999/xhtml"><body><p style="display:none">HIDDEN Storm text that '
    f"nobody sees on the page.</p>{_PARAGRAPH}</body></html>",
    "a hidden root element": f'<html style="display:none"><body><p hidden>x</p>{_PARAGRAPH}</body></html>',
    "a script and nothing else": "<script>" + "var a = 1;" * 10_000 + "</script>",
    "no body at all": "<html><head><title>Storm</title></head></html>",
}


@pytest.mark.parametrize("case", list(HOSTILE_HTML), ids=list(HOSTILE_HTML))
def test_hostile_html(tmp_path: Path, case: str) -> None:
    result = offline(folder_with(tmp_path, "page.html", HOSTILE_HTML[case].encode()), "--format", "json")
    if "Storm Elena" in HOSTILE_HTML[case]:
        assert result.exit_code == 0, result.stderr
        brief = assert_json_invariants(result.stdout)
        assert brief["bottom_line"][0]["text"].startswith("Storm Elena made landfall")
        assert all("HIDDEN" not in d["text"] for d in brief["documents"])
    else:
        assert "no text found in HTML" in assert_clean_failure(result, exit_code=2)


# --- duplicates ----------------------------------------------------------------------------------


def test_the_same_article_twice_counts_once(tmp_path: Path) -> None:
    """An exact copy, and a syndicated copy with its own headline, byline, footer and Windows line
    endings: both are the same reporting, so neither may corroborate the original."""
    folder = tmp_path / "in"
    shutil.copytree(STORM, folder)
    (folder / "copy").mkdir()
    shutil.copy(STORM / "coastal_herald.txt", folder / "copy" / "coastal_herald.txt")
    body = ARTICLE.split("(Photo: Reuters)\n", 1)[1].split("Copyright", 1)[0]
    syndicated = f"Storm hits the coast\n\nBy Wire Staff | March 5, 2024\n\n{body}\nShare this article\n"
    (folder / "syndicated.txt").write_bytes(syndicated.replace("\n", "\r\n").encode())
    brief = offline_json(folder)
    assert brief["report"]["documents_used"] == 3
    skipped = {Path(s["path"]).name: s["reason"] for s in brief["report"]["documents_skipped"]}
    assert skipped["coastal_herald.txt"].startswith("duplicate of")
    assert skipped["syndicated.txt"].startswith("duplicate of")
    assert sorted(Path(d["path"]).name for d in brief["documents"]) == sorted(p.name for p in STORM.iterdir())
    assert all("/copy/" not in d["path"] for d in brief["documents"])


def test_duplicate_file_names_in_subfolders_stay_apart(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for outlet, source in (("herald", "coastal_herald.txt"), ("ledger", "daily_ledger.txt")):
        (folder / outlet).mkdir(parents=True)
        shutil.copy(STORM / source, folder / outlet / "story.txt")
    result = offline(folder)
    assert result.exit_code == 0, result.stderr
    assert_markdown_invariants(result.stdout)
    sources = result.stdout.split("## Sources", 1)[1]
    assert "herald/story.txt" in sources and "ledger/story.txt" in sources
    brief = offline_json(folder)
    texts = {d["path"]: d["text"] for d in brief["documents"]}
    assert len(texts) == 2 and len({d["id"] for d in brief["documents"]}) == 2
    assert texts[str(folder / "herald" / "story.txt")] == (STORM / "coastal_herald.txt").read_text()


# --- names and text that try to break the terminal or the one-line promise -------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="such names are not allowed there")
def test_file_names_with_line_breaks_and_terminal_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(STORM, folder)
    (folder / "evil\x1b[2J\nbriefer: error: fake.txt").write_bytes(b"")
    result = offline(folder)
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout
    assert [line for line in result.stderr.splitlines() if line.startswith("briefer: error")] == []
    skipped = [line for line in result.stderr.splitlines() if "skipping" in line]
    assert len(skipped) == 1 and "\\x1b[2J" in skipped[0] and "empty file" in skipped[0]


def test_source_text_with_terminal_escapes_prints_none(tmp_path: Path) -> None:
    doctored = ARTICLE.replace(
        "Storm Elena made landfall", "Storm \x1b]0;pwned\x07Elena\x1b[8m made landfall"
    )
    folder = folder_with(tmp_path, "story.txt", doctored.encode())
    result = offline(folder)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Storm \\]0;pwnedElena\\[8m made landfall" in result.stdout


def test_loading_never_loses_a_line_it_keeps(tmp_path: Path) -> None:
    """Body and furniture spans of every file above stay exact, disjoint and inside the text."""
    docs = load([STORM, REPO / "seeds"]).documents
    for doc in docs:
        spans = sorted([(s.start, s.end) for s in doc.body] + [(f.start, f.end) for f in doc.furniture])
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start
        covered = " ".join(doc.text[s:e] for s, e in spans)
        assert len(covered.split()) == len(doc.text.split())  # nothing outside a span but whitespace
    json.dumps([d.model_dump(mode="json") for d in docs])
