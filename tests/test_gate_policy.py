"""The gate for model prose (issue 13): hard checks veto, the judge decides what only the soft,
word-level support doubts, and where that support is weak the judge must show its work, which is
checked word for word. One policy for `briefer run --engine llm` and `briefer check --engine llm`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_server import FixtureServer, Scenario

from briefer.cli.app import cli
from briefer.core.models import Document, Draft, SummarySentence, Verdict, cite
from briefer.engines.llm.answers import Grounding, Judgement
from briefer.engines.llm.engine import LLMEngine
from briefer.engines.llm.review import merge_verdicts
from briefer.engines.llm.settings import load_settings
from briefer.sources import load
from briefer.verify import verify_draft, verify_sentence
from briefer.verify.grounding import work_problems

SOURCE = """Council closes bridge

The city council voted 5-2 on Monday to close the Old Mill Road bridge for six weeks of repairs.
The repairs will cost $1.2 million, most of it paid by a state grant.
Drivers will be sent over Route 9 while the bridge is shut.
"""
VOTE = "The city council voted 5-2 on Monday to close the Old Mill Road bridge for six weeks of repairs."
PARAPHRASE = (
    "The lawmakers backed shutting the Old Mill Road crossing so it can be mended."  # true, new words
)


@pytest.fixture
def doc(tmp_path: Path) -> Document:
    (tmp_path / "bridge.txt").write_text(SOURCE, encoding="utf-8")
    return load([tmp_path / "bridge.txt"]).documents[0]


def _sentence(doc: Document, text: str, label: str, *, vetoed: bool = False) -> SummarySentence:
    start = doc.text.index(VOTE)
    return SummarySentence(
        id="k0",
        text=text,
        citations=[cite(doc, start, start + len(VOTE))],
        verdict=Verdict(label=label, score=0.4, vetoed=vetoed),  # type: ignore[arg-type]
    )


def _passes(doc: Document, text: str, label: str, judged: Judgement | None, vetoed: bool = False) -> str:
    return merge_verdicts(_sentence(doc, text, label, vetoed=vetoed), judged).label


SUPPORTED = Judgement(sentence_id="k0", label="supported")


# --- the policy, verdict by verdict -------------------------------------------------------------------


def test_a_veto_stands_whatever_the_judge_says(doc: Document) -> None:
    assert _passes(doc, VOTE, "unsupported", SUPPORTED, vetoed=True) == "unsupported"
    assert _passes(doc, VOTE, "contradicted", SUPPORTED, vetoed=True) == "contradicted"


def test_the_judge_can_reject_what_the_verifier_passed(doc: Document) -> None:
    assert _passes(doc, VOTE, "supported", Judgement(sentence_id="k0", label="unsupported")) == "unsupported"
    assert _passes(doc, VOTE, "supported", None) == "unsupported"  # no verdict vouches for nothing


def test_the_judge_decides_a_sentence_with_partial_word_level_support(doc: Document) -> None:
    merged = merge_verdicts(_sentence(doc, PARAPHRASE, "partially_supported"), SUPPORTED)
    assert merged.label == "supported" and merged.checked_by == ["deterministic", "judge"]
    assert "partial" in merged.reasons[0]
    rejected = Judgement(sentence_id="k0", label="partially_supported", reason="No reason.")
    assert _passes(doc, PARAPHRASE, "partially_supported", rejected) == "partially_supported"


def test_on_weak_support_the_judge_must_show_work_that_checks_out(doc: Document) -> None:
    assert _passes(doc, PARAPHRASE, "unsupported", SUPPORTED) == "unsupported"  # no work shown
    work = [
        Grounding(part="The lawmakers backed shutting", evidence_id="k0.e1", quote="The city council voted"),
        Grounding(
            part="the Old Mill Road crossing", evidence_id="k0.e1", quote="close the Old Mill Road bridge"
        ),
        Grounding(part="so it can be mended", evidence_id="k0.e1", quote="for six weeks of repairs"),
    ]
    shown = SUPPORTED.model_copy(update={"support": work})
    assert _passes(doc, PARAPHRASE, "unsupported", shown) == "supported"
    invented = [w.model_copy(update={"quote": "the council approved the closure"}) for w in work]
    assert (
        _passes(doc, PARAPHRASE, "unsupported", shown.model_copy(update={"support": invented}))
        == "unsupported"
    )
    half = shown.model_copy(update={"support": work[1:2]})  # evidence for only a third of the sentence
    assert _passes(doc, PARAPHRASE, "unsupported", half) == "unsupported"


def test_shown_work_must_carry_the_parts_figures_names_and_negation() -> None:
    evidence = {"e1": "The council voted 5-2 on Monday to close the bridge."}
    assert (
        work_problems(
            "The council voted 5-2 on Monday.",
            [("The council voted 5-2 on Monday", "e1", "The council voted 5-2 on Monday")],
            evidence,
        )
        == []
    )
    figure = work_problems(
        "The council voted 4-3.", [("The council voted 4-3", "e1", "The council voted 5-2")], evidence
    )
    assert figure and "figure 4" in figure[0]
    name = work_problems("Mayor Ruiz voted.", [("Mayor Ruiz voted", "e1", "The council voted")], evidence)
    assert name and "Ruiz" in name[0]
    negation = work_problems(
        "The council did not vote.", [("The council did not vote", "e1", "The council voted")], evidence
    )
    assert negation and "negation" in negation[0]
    elsewhere = work_problems(
        "The council voted.", [("The council voted", "e2", "The council voted")], evidence
    )
    assert elsewhere and "not in evidence e2" in elsewhere[0]
    not_said = work_problems(
        "The council voted.", [("The mayor resigned", "e1", "The council voted")], evidence
    )
    assert not_said and "not in the sentence" in not_said[0]


# --- the pipeline's review on a live local server ---------------------------------------------------------


def _review(doc: Document, text: str, scenario: Scenario) -> tuple[Draft, list[SummarySentence]]:
    start = doc.text.index(VOTE)
    sentence = SummarySentence(id="k0", text=text, citations=[cite(doc, start, start + len(VOTE))])
    draft = Draft(bottom_line=[], key_points=[sentence], open_questions=[])
    verified, dropped = verify_draft(draft, {doc.id: doc})
    with FixtureServer(scenario) as server:
        engine = LLMEngine(
            load_settings({"base_url": server.base_url, "api_key": "test-key", "cache": "off"}, env={})
        )
        try:
            return engine.review(verified, dropped, [doc], composed=draft)
        finally:
            engine.close()


def test_run_prints_a_true_paraphrase_the_judge_passes_with_shown_work(doc: Document) -> None:
    assert verify_sentence(_sentence(doc, PARAPHRASE, "unsupported"), {doc.id: doc}).label == "unsupported"
    printed, withheld = _review(doc, PARAPHRASE, Scenario(judge_work="whole"))
    assert [s.text for s in printed.key_points] == [PARAPHRASE] and not withheld
    assert printed.key_points[0].verdict is not None
    assert printed.key_points[0].verdict.checked_by == ["deterministic", "judge"]


def test_run_withholds_a_weak_paraphrase_whose_work_is_not_shown_or_invented(doc: Document) -> None:
    for work in ("none", "invented"):
        printed, _ = _review(doc, PARAPHRASE, Scenario(judge_work=work))
        # it goes to repair, whose rewrite (here: the evidence itself) is verified like any other
        assert [s.text for s in printed.key_points] == [VOTE], work


def test_run_never_prints_a_vetoed_sentence_the_judge_would_pass(doc: Document) -> None:
    wrong = "The city council voted 4-3 on Monday to close the Old Mill Road bridge for six weeks of repairs."
    printed, _ = _review(doc, wrong, Scenario(judge_work="whole"))
    assert wrong not in [s.text for s in printed.key_points]


# --- the same policy through `briefer check --engine llm` ---------------------------------------------


def test_check_engine_llm_applies_the_same_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bridge.txt").write_text(SOURCE, encoding="utf-8")
    wrong = "The city council voted 4-3 on Monday to close the Old Mill Road bridge."
    weak = "The lawmakers backed shutting the bridge so it can be mended."  # one word in common
    (tmp_path / "draft.md").write_text(f"{PARAPHRASE}\n\n{weak}\n\n{wrong}\n", encoding="utf-8")

    def labels(scenario: Scenario) -> list[str]:
        with FixtureServer(scenario) as server:
            monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
            monkeypatch.setenv("OPENAI_API_KEY", "test-key")
            monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path / scenario.judge_work))  # a cache each
            args = ["check", str(tmp_path / "draft.md"), "--sources", str(tmp_path / "bridge.txt")]
            r = CliRunner().invoke(cli, [*args, "--engine", "llm", "--format", "json"])
        assert r.exit_code in (0, 3), r.output
        return [s["label"] for s in json.loads(r.stdout)["sentences"]]

    offline = CliRunner().invoke(
        cli,
        ["check", str(tmp_path / "draft.md"), "--sources", str(tmp_path / "bridge.txt"), "--format", "json"],
    )
    alone = [s["label"] for s in json.loads(offline.stdout)["sentences"]]
    assert alone == ["partially_supported", "unsupported", "contradicted"]
    assert labels(Scenario(judge_work="whole")) == ["supported", "supported", "contradicted"]
    assert labels(Scenario(judge_work="none")) == ["supported", "unsupported", "contradicted"]
    assert labels(Scenario(judge_work="invented")) == ["supported", "unsupported", "contradicted"]
