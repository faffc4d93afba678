"""`briefer check`: the checker as an API and a command, on drafts, Markdown and JSONL batches."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer, Scenario

import briefer
from briefer.checker import CheckResult, check, parse_draft, read_pairs, render_table
from briefer.cli.app import cli
from briefer.core.errors import InputError
from briefer.sources import load

ROOT = Path(__file__).resolve().parent.parent
STORM = ROOT / "tests" / "fixtures" / "storm"
EVAL = ROOT.parent / "shared" / "eval"

SOURCE = (
    "Governor Paolo Bianchi declared a state of emergency on Tuesday after Storm Elena flooded Ravenna, "
    "leaving 40,000 homes without power. Officials said the dam near Lugo did not fail."
)
SECOND = "The regional rail operator suspended all trains between Ravenna and Bologna until Friday."


def one(draft: str, sources: list = [SOURCE, SECOND]):  # noqa: B006 - read-only default
    result = check(draft, sources)
    assert len(result.sentences) == 1
    return result.sentences[0]


# --- verdicts ----------------------------------------------------------------------------------------


def test_faithful_sentence_is_supported():
    s = one("Governor Paolo Bianchi declared a state of emergency after Storm Elena flooded Ravenna. [1]")
    assert s.label == "supported" and s.score > 0.8 and s.reasons == []
    assert s.citations == [1] and s.evidence and s.evidence.source == 1


def test_sentence_with_unsourced_additions_is_partially_supported():
    s = one("Storm Elena flooded Ravenna, leaving homes without power and damaging crops and vineyards. [1]")
    assert s.label == "partially_supported"
    assert any("crops" in r for r in s.reasons)


def test_invented_name_is_unsupported():
    s = one("Governor Bianchi declared an emergency in Genoa. [1]")
    assert s.label == "unsupported" and any('"Genoa"' in r for r in s.reasons)


def test_changed_number_is_contradicted():
    s = one("Storm Elena flooded Ravenna, leaving 45,000 homes without power. [1]")
    assert s.label == "contradicted" and any("45000" in r for r in s.reasons)


def test_removed_negation_is_contradicted():
    s = one("Officials said the dam near Lugo failed. [1]")
    assert s.label == "contradicted" and "negation mismatch" in s.reasons


def test_sentence_unrelated_to_every_source_is_unsupported():
    s = one("The central bank raised interest rates to curb inflation.")
    assert s.label == "unsupported" and s.score == 0.0 and s.evidence is None


def test_overall_label_is_the_worst_and_score_the_weakest():
    result = check(
        "Storm Elena flooded Ravenna, leaving 40,000 homes without power. [1] "
        "Storm Elena flooded Ravenna, leaving 45,000 homes without power. [1]",
        [SOURCE],
    )
    assert [s.label for s in result.sentences] == ["supported", "contradicted"]
    assert result.label == "contradicted" and not result.supported
    assert result.score == min(s.score for s in result.sentences)
    assert result.counts["supported"] == 1 and result.counts["contradicted"] == 1


# --- citations and retrieval -----------------------------------------------------------------------------


def test_citations_choose_the_source_and_unknown_numbers_are_reasons():
    s = one("The rail operator suspended trains between Ravenna and Bologna until Friday. [2]")
    assert s.label == "supported" and s.evidence.source == 2
    wrong = one("The rail operator suspended trains between Ravenna and Bologna until Friday. [1]")
    assert wrong.label != "supported"  # the cited source does not say it
    missing = one("The rail operator suspended trains between Ravenna and Bologna until Friday. [7]")
    assert missing.label == "unsupported"
    assert any("[7]" in r and "2 source(s)" in r for r in missing.reasons)


def test_sentence_without_citations_is_checked_against_retrieved_spans():
    s = one("Trains between Ravenna and Bologna were suspended until Friday by the rail operator.")
    assert s.citations == [] and s.label == "supported"
    assert s.evidence.source == 2 and s.evidence.quote == SECOND
    assert s.candidates[0].source == 2  # the best BM25 match comes first


def test_evidence_quotes_are_exact_spans_of_the_sources(tmp_path):
    docs = load([STORM]).documents
    texts = [d.text for d in docs]
    draft = (
        "Storm Elena made landfall near Ravenna on Monday night. [1]\n\n"
        "Regional governor Paolo Bianchi declared a state of emergency on Tuesday morning.\n"
    )
    for sources in (docs, texts):
        result = check(draft, sources)
        spans = [c for s in result.sentences for c in s.candidates]
        assert spans
        for span in spans:
            assert texts[span.source - 1][span.start : span.end] == span.quote
        for s in result.sentences:
            assert s.evidence in s.candidates
    path = tmp_path / "a.txt"
    path.write_text(SOURCE, encoding="utf-8")
    span = check("Officials said the dam near Lugo did not fail.", [path]).sentences[0].evidence
    assert span.path == str(path) and SOURCE[span.start : span.end] == span.quote


# --- Markdown drafts -----------------------------------------------------------------------------------------


MARKDOWN = """# Storm Elena hits Ravenna [1]

## Bottom line

**Storm Elena** flooded *Ravenna*, leaving 40,000 homes without power. [1] The regional rail
operator suspended all trains to [Bologna](https://example.org/bologna) until Friday [2].

- **Disputed:** Officials said the dam near Lugo did not fail. [1][2]
- Governor Bianchi declared a state of emergency on Tuesday [1, 2].

## Sources

1. Coastal Herald · storm.txt
2. Rail news · rail.txt

---
2/2 sentences supported by their cited spans · engine: offline · 2 documents read
"""


def test_markdown_is_parsed_into_cited_sentences():
    sentences = parse_draft(MARKDOWN)
    assert [s.text for s in sentences] == [
        "Storm Elena flooded Ravenna, leaving 40,000 homes without power.",
        "The regional rail operator suspended all trains to Bologna until Friday.",
        "Officials said the dam near Lugo did not fail.",
        "Governor Bianchi declared a state of emergency on Tuesday.",
    ]
    assert [s.citations for s in sentences] == [(1,), (2,), (1, 2), (1, 2)]
    first = sentences[0]
    assert MARKDOWN[first.start : first.end].startswith("Storm Elena** flooded *Ravenna*")
    assert MARKDOWN[first.start : first.end].endswith("power.")


def test_markdown_draft_checks_clean():
    result = check(MARKDOWN, [SOURCE, SECOND])
    assert len(result.sentences) == 4 and result.label == "supported", render_table(result)


def test_citation_forms_and_plain_text_mode():
    sentences = parse_draft("One claim here [1-3]. Another claim there [2; 4].")
    assert [s.citations for s in sentences] == [(1, 2, 3), (2, 4)]
    plain = parse_draft("# 64 a ticket was the price . fans left the stadium .", markdown=False)
    assert [s.text for s in plain] == ["# 64 a ticket was the price .", "fans left the stadium ."]


def test_empty_draft_is_bad_input():
    with pytest.raises(InputError):
        check("   \n", [SOURCE])
    with pytest.raises(InputError):
        check("A sentence.", [])
    assert check("## Only a heading", [SOURCE]).sentences == []


def test_package_exposes_check_lazily():
    result = briefer.check("Officials said the dam near Lugo did not fail. [1]", [SOURCE])
    assert isinstance(result, CheckResult) and result.supported
    out = subprocess.run(
        [sys.executable, "-c", "import sys, briefer; print('briefer.checker' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_check_takes_what_the_command_takes(tmp_path):
    """Folders and files are loaded as `briefer check --sources` loads them; text and Documents as given."""
    docs = load([STORM]).documents
    draft = (
        "Storm Elena made landfall near Ravenna on Monday night. [1]\n\n"
        "Governor Paolo Bianchi declared a state of emergency on Tuesday. [3]\n"
    )
    expected = check(draft, docs)
    assert check(draft, [STORM]) == expected  # a folder: one source per document, in the loader's order
    assert check(draft, [Path(d.path) for d in docs]) == expected  # its files, one by one
    mixed = check(draft, [Path(docs[0].path), docs[1].text, docs[2]])
    assert [(s.number, s.doc_id) for s in mixed.sources] == [
        (1, docs[0].id),
        (2, "source-2"),
        (3, docs[2].id),
    ]
    extra = tmp_path / "rail.txt"
    extra.write_text(SECOND + "\n", encoding="utf-8")
    both = check(
        "The rail operator suspended trains between Ravenna and Bologna until Friday. [4]", [STORM, extra]
    )
    assert len(both.sources) == 4 and both.supported and both.sentences[0].evidence.path == str(extra)
    with pytest.raises(InputError):
        check(draft, [tmp_path / "missing"])
    path = tmp_path / "draft.md"
    path.write_text(draft, encoding="utf-8")
    shown = CliRunner().invoke(cli, ["check", str(path), "--sources", str(STORM), "--format", "json"])
    assert shown.stdout == expected.model_dump_json(indent=2) + "\n"


# --- the command -------------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {"source": tmp_path / "storm.txt", "rail": tmp_path / "rail.txt"}
    out["source"].write_text(SOURCE + "\n", encoding="utf-8")
    out["rail"].write_text(SECOND + "\n", encoding="utf-8")
    out["good"] = tmp_path / "good.md"
    out["good"].write_text(MARKDOWN, encoding="utf-8")
    out["bad"] = tmp_path / "bad.md"
    out["bad"].write_text("Storm Elena left 45,000 homes without power. [1]\n", encoding="utf-8")
    return out


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["check", *args], input=stdin)


def test_exit_0_when_every_sentence_is_supported(files):
    r = invoke(str(files["good"]), "--sources", str(files["source"]), str(files["rail"]))
    assert r.exit_code == 0, r.output
    assert "4/4 sentences supported" in r.output


def test_exit_3_when_a_sentence_is_not_supported(files):
    r = invoke(str(files["bad"]), "--sources", str(files["source"]))
    assert r.exit_code == 3
    assert "contradicted" in r.output and "number 45000" in r.output


def test_json_format(files):
    r = invoke(str(files["bad"]), "-s", str(files["source"]), "--format", "json")
    assert r.exit_code == 3
    data = json.loads(r.stdout)
    assert data["label"] == "contradicted" and data["sentences"][0]["evidence"]["source"] == 1
    assert data["sources"][0]["path"].endswith("storm.txt")


@pytest.mark.parametrize(
    "args",
    [
        ("missing.md", "--sources", "SOURCE"),  # missing draft
        ("GOOD", "--sources", "missing.txt"),  # missing source
        ("GOOD",),  # no sources
        ("EMPTY", "--sources", "SOURCE"),  # empty draft
        (),  # nothing at all
    ],
)
def test_exit_2_on_bad_input(files, tmp_path, args):
    empty = tmp_path / "empty.md"
    empty.write_text("\n", encoding="utf-8")
    names = {"SOURCE": str(files["source"]), "GOOD": str(files["good"]), "EMPTY": str(empty)}
    r = invoke(*[names.get(a, str(tmp_path / a) if a.endswith((".md", ".txt")) else a) for a in args])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output


def test_draft_from_stdin_and_sources_repeated(files):
    r = invoke("-", "-s", str(files["source"]), "-s", str(files["rail"]), stdin=MARKDOWN)
    assert r.exit_code == 0, r.output


def test_engine_llm_without_an_endpoint_says_what_to_set(files):
    r = invoke(str(files["good"]), "--sources", str(files["source"]), "--engine", "llm")
    assert r.exit_code == 2 and "OPENAI_API_KEY" in r.output and "Traceback" not in r.output


def _with_judge(files, monkeypatch, scenario: Scenario):
    """`briefer check --engine llm` against the local fixture server (one judge call for the draft)."""
    with FixtureServer(scenario) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        r = invoke(
            str(files["good"]),
            "--sources",
            str(files["source"]),
            str(files["rail"]),
            "--engine",
            "llm",
            "--format",
            "json",
        )
        stages = [q["stage"] for q in server.log.requests]
    return r, stages


def test_engine_llm_judge_can_reject_what_the_offline_check_supports(files, monkeypatch):
    r, stages = _with_judge(files, monkeypatch, Scenario(judge_rejects=("s1",)))
    assert stages == ["Judgements"]  # one judge call for the whole draft
    assert r.exit_code == 3, r.output
    result = json.loads(r.stdout)
    second = result["sentences"][1]
    assert second["label"] == "unsupported" and second["reasons"][0].startswith("judge:")
    assert all(s["label"] == "supported" for i, s in enumerate(result["sentences"]) if i != 1)


def test_engine_llm_judge_that_agrees_keeps_the_labels(files, monkeypatch):
    r, stages = _with_judge(files, monkeypatch, Scenario())
    assert stages == ["Judgements"] and r.exit_code == 0, r.output
    assert json.loads(r.stdout)["label"] == "supported"


def test_jsonl_batch_mode(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {
            "id": "a",
            "document": SOURCE,
            "summary": "Storm Elena flooded Ravenna. Officials said the dam did not fail.",
        },
        {"documents": [SOURCE, SECOND], "summary": "Storm Elena left 45,000 homes without power."},
        {"document": SOURCE, "summary": ""},
    ]
    pairs.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    r = invoke("--jsonl", str(pairs))
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3]
    assert out[0]["id"] == "a" and out[0]["label"] == "supported" and len(out[0]["sentences"]) == 2
    assert out[1]["label"] == "contradicted" and 0 <= out[1]["score"] < out[0]["score"] <= 1
    assert {"text", "label", "score", "reasons"} <= set(out[1]["sentences"][0])
    assert out[2]["sentences"] == [] and out[2]["label"] == "supported"


def test_jsonl_with_engine_llm_applies_the_judge_to_every_line(tmp_path, monkeypatch):
    """The same gate as a single draft (and `briefer run --engine llm`): one judge call per summary,
    the worse label kept; it used to ignore --engine llm silently."""
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {
            "id": "a",
            "document": SOURCE,
            "summary": "Storm Elena flooded Ravenna. Officials said the dam did not fail.",
        },
        {"id": "b", "document": SOURCE, "summary": "Storm Elena flooded Ravenna."},
    ]
    pairs.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with FixtureServer(Scenario(judge_rejects=("s1",))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        r = invoke("--jsonl", str(pairs), "--engine", "llm")
        stages = [q["stage"] for q in server.log.requests]
    assert r.exit_code == 0, r.output
    assert stages == ["Judgements", "Judgements"]
    a, b = (json.loads(line) for line in r.stdout.splitlines())
    assert a["label"] == "unsupported" and a["sentences"][1]["reasons"][0].startswith("judge:")
    assert a["sentences"][0]["label"] == "supported"
    assert b["label"] == "supported"  # a one-sentence summary: the judge rejects only sentence s1


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '["a list"]',
        '{"summary": "x"}',
        '{"document": "d", "summary": 3}',
        '{"documents": [], "summary": "x"}',
    ],
)
def test_jsonl_bad_lines_are_bad_input(tmp_path, line):
    with pytest.raises(InputError, match=":1:"):
        read_pairs(line, "pairs.jsonl")
    path = tmp_path / "pairs.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    assert invoke("--jsonl", str(path)).exit_code == 2


def test_a_briefer_brief_checks_clean_against_its_sources(tmp_path):
    """The pipeline's own output, read back as Markdown: every sentence it prints must pass."""
    from briefer.output.render import render_markdown, source_numbers
    from briefer.runs.pipeline import run

    brief = run([STORM], engine="offline", max_words=450)
    numbers = source_numbers(brief)
    by_id = {d.id: d for d in brief.documents}
    ordered = [by_id[d] for d, _ in sorted(numbers.items(), key=lambda x: x[1])]
    result = check(render_markdown(brief), ordered)
    assert result.sentences and result.label == "supported", render_table(result)


def test_command_runs_as_a_subprocess(files):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefer",
            "check",
            str(files["bad"]),
            "--sources",
            str(files["source"]),
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=120,
    )
    assert r.returncode == 3 and "contradicted" in r.stdout and r.stderr == ""


# --- the benchmark (reads ../shared/eval; skipped when it is absent) ------------------------------------------


@pytest.mark.eval
def test_benchmark_beats_word_overlap_on_qags_xsum():
    if not (EVAL / "qags" / "mturk_xsum.jsonl").is_file():
        pytest.skip(f"{EVAL} not available")
    sys.path.insert(0, str(ROOT / "bench"))
    import verifier

    ds = next(d for d in verifier.datasets(EVAL) if d.name == "qags-xsum")
    row = verifier.evaluate(ds, ds.load(EVAL), verifier.SEED)
    assert row.n_test > 100
    assert row.checker_auc > row.baseline_auc
    assert 0.5 < row.checker.balanced_accuracy <= 1


def test_benchmark_splits_a_subset_as_its_parent_set():
    # FRANK's CNN/DM rows must hold back exactly the articles FRANK holds back: the scorer is trained
    # on FRANK's tuning half, and a subset split on its own would put trained-on summaries in its test.
    sys.path.insert(0, str(ROOT / "bench"))
    import verifier

    def example(key: str) -> verifier.Example:
        return verifier.Example("x", key, ["article"], "summary", 1)

    parent = [example(f"doc{i}") for i in range(40)]
    subset = parent[::3]
    tune, test = verifier.split(parent)
    sub_tune, sub_test = verifier.split(subset, keys=[e.doc_key for e in parent])
    assert {e.doc_key for e in sub_tune} == {e.doc_key for e in subset} & {e.doc_key for e in tune}
    assert {e.doc_key for e in sub_test} == {e.doc_key for e in subset} & {e.doc_key for e in test}
    alone, _ = verifier.split(subset)
    assert {e.doc_key for e in alone} != {e.doc_key for e in sub_tune}  # splitting alone would differ
