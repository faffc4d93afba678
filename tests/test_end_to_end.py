"""End-to-end runs of the offline engine: the seeds, and real multi-outlet clusters from ../shared/eval."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from invariants import assert_json_invariants, assert_markdown_invariants, content_lines

from briefer.output.render import render_json, render_markdown
from briefer.runs.pipeline import run as run_pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ALLSIDES = ROOT.parent / "shared" / "eval" / "allsides_neus" / "val.source"
FURNITURE_MARKERS = (
    "Copyright",
    "©",
    "rights reserved",
    "reprint",
    "comments posted",
    "Image credit",
    "@",
    "Contact",
)


def brief(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "BRIEFER_"))}
    return subprocess.run(
        [sys.executable, "-m", "briefer", "run", "-q", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def seeds_md() -> str:
    r = brief(str(SEEDS))
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_seeds_brief_meets_the_page_rules(seeds_md):
    assert_markdown_invariants(seeds_md)
    questions = seeds_md.split("## Open questions", 1)[1].split("## Sources", 1)[0]
    assert questions.count("\n- ") >= 3


def test_seeds_brief_keeps_no_page_furniture(seeds_md):
    body = seeds_md.split("## Sources", 1)[0]
    for marker in FURNITURE_MARKERS:
        assert marker not in body, marker


def test_seeds_brief_cites_both_sources_and_their_metadata(seeds_md):
    sources = seeds_md.split("## Sources", 1)[1]
    assert "1. " in sources and "2. " in sources
    assert "[2]" in seeds_md or "[1, 2]" in seeds_md


def test_seeds_json_citations_match_the_files():
    r = brief(str(SEEDS), "--format", "json")
    assert r.returncode == 0
    data = assert_json_invariants(r.stdout)
    for doc in data["documents"]:
        assert doc["text"] == Path(ROOT / doc["path"]).read_text(encoding="utf-8")
    report = data["report"]
    assert report["sentences_supported"] == report["sentences_checked"]


def _clusters(n: int):
    lines = ALLSIDES.read_text(encoding="utf-8").splitlines()[:n]
    for i, line in enumerate(lines):
        articles = []
        for art in line.split(" [SEP] "):
            title, _, body = art.partition(". ARTICLE=> ")
            articles.append((title.removeprefix("TITLE=> ").strip(), body.strip()))
        yield i, articles


@pytest.mark.eval
@pytest.mark.skipif(not ALLSIDES.exists(), reason="../shared/eval/allsides_neus is not present")
def test_twenty_real_news_clusters(tmp_path):
    """In-process (the CLI itself is covered above): twenty events, three outlets each."""
    for i, articles in _clusters(20):
        folder = tmp_path / f"cluster{i:02d}"
        folder.mkdir()
        for j, (title, body) in enumerate(articles):
            (folder / f"outlet{j}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        result = run_pipeline([folder], engine="offline")
        markdown = render_markdown(result)
        assert_markdown_invariants(markdown)
        data = assert_json_invariants(render_json(result))
        assert len(data["documents"]) == len(articles)
        assert content_lines(markdown)


def test_brief_is_deterministic():
    a, b = brief(str(SEEDS), "--format", "json"), brief(str(SEEDS), "--format", "json")
    strip = lambda s: {k: v for k, v in json.loads(s).items() if k != "report"}  # noqa: E731
    assert strip(a.stdout) == strip(b.stdout)


def test_a_run_closes_the_engine_it_made_and_leaves_a_callers_engine_open(monkeypatch) -> None:
    """Caches and connections are scoped to a run: the engine `run` chose is closed when it ends,
    even when it fails; an engine the caller made (`briefer batch`) is the caller's to close."""
    from briefer.engines.offline import OfflineEngine
    from briefer.runs import pipeline

    closed: list[OfflineEngine] = []

    class Tracked(OfflineEngine):
        def close(self) -> None:
            closed.append(self)

    monkeypatch.setattr(pipeline, "choose_engine", lambda *a, **k: (Tracked(), "test"))
    pipeline.run([ROOT / "seeds"])
    assert len(closed) == 1
    mine = Tracked()
    pipeline.run([ROOT / "seeds"], chosen=(mine, "test"))
    assert closed == [closed[0]]

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("compose failed")

    monkeypatch.setattr(Tracked, "compose", boom)
    with pytest.raises(RuntimeError):
        pipeline.run([ROOT / "seeds"])
    assert len(closed) == 2
