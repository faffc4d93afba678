"""Open-question kinds are named in one place: the type lists them, one data table words them."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from briefer.core.models import (
    Citation,
    ComposedKind,
    OpenQuestion,
    QuestionKind,
    SummarySentence,
    question_kind_labels,
)
from briefer.output.render import render_markdown
from briefer.runs.pipeline import run

STORM = Path(__file__).resolve().parent / "fixtures" / "storm"


def _flat(kind: object) -> set[str]:
    return {a for arg in get_args(kind) for a in (_flat(arg) if get_args(arg) else {arg})}


def test_every_kind_has_one_wording_and_no_wording_lacks_a_kind() -> None:
    assert set(question_kind_labels()) == _flat(QuestionKind)
    assert _flat(ComposedKind) == _flat(QuestionKind) - {"unverified"}


def test_a_two_sentence_question_of_any_kind_renders() -> None:
    """Only disputes have a joiner word; two sentences of another kind are printed side by side."""
    brief = run([STORM], engine="offline")
    doc = brief.documents[0]
    cite = Citation(doc_id=doc.id, start=0, end=5, quote=doc.text[:5])
    for kind in sorted(_flat(QuestionKind)):
        pair = [SummarySentence(id=f"q{i}", text=f"Sentence {i}.", citations=[cite]) for i in range(2)]
        question = OpenQuestion(kind=kind, sentences=pair)  # type: ignore[arg-type]
        page = render_markdown(brief.model_copy(update={"open_questions": [question]}))
        label = question_kind_labels()[kind].label
        assert f"**{label}" in page and "Sentence 0. [" in page and "Sentence 1. [" in page
