"""The FaithBench replay model (bench/replay_server.py) and the gate benchmark's data rules.

The replay tests read ../shared/eval/faithbench (marked `eval`, skipped when absent) and drive briefer
only through its CLI, as bench/gate.py does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import faithbench as fb  # noqa: E402

HAVE_DATA = fb.DEFAULT_DATA.is_file()


def test_preamble_is_cut_and_content_is_kept():
    text, offset = fb.strip_preamble(
        "Here is a concise summary of the passage:\n\nThe film grossed $1 million."
    )
    assert text == "The film grossed $1 million." and offset == len(
        "Here is a concise summary of the passage:\n\n"
    )
    based = (
        "Based on the provided passage, here is a concise summary covering the core information:\n\nX won."
    )
    assert fb.strip_preamble(based)[0] == "X won."
    # a first line that states something is not a preamble, even when it mentions a summary
    claim = "There is no information about Brooks in the passage. Here is a concise summary:\n\nX won."
    assert fb.strip_preamble(claim) == (claim, 0)
    assert fb.strip_preamble("The passage provides information about two entities:\n- A\n- B")[1] == 0


def test_sentence_labels_follow_the_spans():
    sample = fb.Sample(
        key="b/1",
        sample_id=1,
        source="src",
        summary="A is true. B is made up. C is odd.",
        text="A is true. B is made up. C is odd.",
        offset=0,
        summarizer="m",
        spans=[fb.Span(14, 21, "unwanted"), fb.Span(25, 33, "questionable")],
        label="hallucinated",
        metadata={},
    )
    labels = fb.label_sentences(sample, ["A is true.", "B is made up.", "C is odd.", "Not there."])
    assert [x.label for x in labels] == ["clean", "hallucinated", "left_out", "unlocated"]


@pytest.mark.eval
@pytest.mark.skipif(not HAVE_DATA, reason="../shared/eval/faithbench is not present")
def test_folds_split_passages_in_two_halves():
    samples = fb.load()
    folds: dict[str, set[int]] = {}
    for s in samples:
        folds.setdefault(fb.passage_key(s.source), set()).add(s.fold)
    assert all(len(f) == 1 for f in folds.values())  # a passage never straddles the folds
    sizes = [sum(1 for f in folds.values() if f == {k}) for k in (0, 1)]
    assert abs(sizes[0] - sizes[1]) <= 1
    assert len({s.key for s in samples}) == len(samples)


@pytest.fixture(scope="module")
def replay() -> Iterator[str]:
    if not HAVE_DATA:
        pytest.skip("../shared/eval/faithbench is not present")
    import replay_server

    httpd = replay_server.serve(replay_server.Replay(fb.load(), {}, "empty", 3), 0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _run(base_url: str, folder: Path, model: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "replay"}
    env.pop("BRIEFER_CONFIG", None)
    cmd = [sys.executable, "-m", "briefer", "run", str(folder), "--engine", "llm", "--format", "json"]
    return subprocess.run(
        [*cmd, "--no-cache", "--model", model, *extra], capture_output=True, text=True, env=env, timeout=120
    )


def _passage(tmp_path: Path, sample: fb.Sample) -> Path:
    (tmp_path / "passage.txt").write_text(sample.source + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.eval
@pytest.mark.parametrize("mode", ["tools", "json_schema", "json"])
def test_the_pipeline_prints_only_the_summary_s_own_sentences(replay, tmp_path, mode):
    samples = fb.load()
    # GPT-4o called it consistent, so only the deterministic checks can withhold a sentence
    sample = next(s for s in samples if s.consistent("GPT-4o") and s.summarizer == "openai/gpt-4o")
    r = _run(replay, _passage(tmp_path, sample), f"replay:{sample.key}", "--llm-mode", mode)
    assert r.returncode in (0, 1), r.stderr
    if r.returncode == 1:
        assert "no summary sentence passed verification" in r.stderr
        return
    brief = json.loads(r.stdout)
    printed = [s["text"] for s in brief["bottom_line"] + brief["key_points"]]
    own = {" ".join(t.split()) for t in fb.split_sentences(sample.text)}
    assert printed and set(printed) <= own
    # every claim is a copied passage sentence, cited by its own number
    for claim in brief["claims"]:
        (citation,) = claim["citations"]
        assert claim["text"] == " ".join(citation["quote"].split())


@pytest.mark.eval
def test_a_summary_gpt_4o_rejected_is_never_printed_as_fact(replay, tmp_path):
    sample = next(s for s in fb.load() if s.consistent("GPT-4o") is False)
    r = _run(replay, _passage(tmp_path, sample), f"replay:{sample.key}")
    if r.returncode == 0:
        brief = json.loads(r.stdout)
        assert brief["bottom_line"] == [] and brief["key_points"] == []
    else:
        assert r.returncode == 1 and "no summary sentence passed verification" in r.stderr


@pytest.mark.eval
def test_a_summarizer_name_picks_its_summary_of_the_passage(replay, tmp_path):
    sample = next(s for s in fb.load() if s.summarizer == "openai/gpt-4o" and s.consistent("GPT-4o"))
    r = _run(replay, _passage(tmp_path, sample), "openai/gpt-4o")
    assert r.returncode in (0, 1), r.stderr
    if r.returncode == 0:
        own = {" ".join(t.split()) for t in fb.split_sentences(sample.text)}
        brief = json.loads(r.stdout)
        assert {s["text"] for s in brief["bottom_line"] + brief["key_points"]} <= own


@pytest.mark.eval
def test_an_unknown_model_or_a_wrong_passage_is_refused(replay, tmp_path):
    samples = fb.load()
    r = _run(replay, _passage(tmp_path, samples[0]), "gpt-4o-mini")
    assert r.returncode != 0 and "names no FaithBench sample" in r.stderr
    other = next(s for s in samples if fb.passage_key(s.source) != fb.passage_key(samples[0].source))
    r = _run(replay, _passage(tmp_path, samples[0]), f"replay:{other.key}")
    assert r.returncode != 0 and "is not the passage of sample" in r.stderr
