"""Pure helpers for the LLM engine's review stage: combining verdicts, and putting sentences back.

The judge and the deterministic verifier each label a sentence; the sentence passes only when both
say `supported`, and the worse label is the one kept. Sentences that pass (first time or after
repair) go back to the section and position the composer gave them.
"""

from __future__ import annotations

import re
from typing import Any

from briefer.core.budget import word_count
from briefer.core.models import Draft, Label, OpenQuestion, QuestionKind, SummarySentence, Verdict, worst
from briefer.engines.llm.answers import Judgement

Slot = tuple[str, int, QuestionKind | None]  # section, open-question index, open-question kind


def merge_verdicts(deterministic: Verdict | None, judged: Judgement | None) -> Verdict:
    """The worse of the two labels; the judge's reason first, as one short phrase."""
    base = deterministic or Verdict(label="supported", score=1.0)
    if judged is None:
        label: Label = "unsupported"
        reasons = ["judge: gave no verdict", *base.reasons]
    else:
        label = worst([base.label, judged.label])
        mine = (
            []
            if judged.label == "supported"
            else [f"judge: {judged.label.replace('_', ' ')}: {phrase(judged.reason)}"]
        )
        reasons = mine + base.reasons
    return Verdict(label=label, score=base.score, reasons=reasons, checked_by=["deterministic", "judge"])


def phrase(text: str, limit: int = 100) -> str:
    """A reason as a short phrase: the brief prints it in parentheses, so never two sentences."""
    first = re.split(r"(?<=[.!?])\s+", " ".join(text.split()), maxsplit=1)[0].rstrip(".!?;: ")
    return (first if len(first) <= limit else first[: limit - 3].rstrip() + "...") or "no reason given"


def evidence_items(sentences: list[SummarySentence]) -> list[dict[str, Any]]:
    """Sentences with their cited spans as numbered evidence, for the judge and repair prompts."""
    return [
        {
            "id": s.id,
            "text": s.text,
            "problem": "; ".join(s.verdict.reasons[:2])
            if s.verdict and s.verdict.reasons
            else "not supported",
            "evidence": [{"id": f"{s.id}.e{k}", "text": c.quote} for k, c in enumerate(s.citations, 1)],
        }
        for s in sentences
    ]


def slots(composed: Draft) -> dict[str, Slot]:
    """Where each composed sentence sits (section, open question, its kind), so a sentence repaired
    after failing verification goes back to the same place. Computed from the composed draft, which
    the pipeline hands to review with the verified one: no state is kept between stages."""
    where: dict[str, Slot] = {s.id: ("bottom_line", 0, None) for s in composed.bottom_line}
    where.update({s.id: ("key_points", 0, None) for s in composed.key_points})
    for i, q in enumerate(composed.open_questions):
        where.update({s.id: ("open_questions", i, q.kind) for s in q.sentences})
    return where


def rebuild(where: dict[str, Slot], passed: dict[str, SummarySentence]) -> Draft:
    """A draft of only the sentences that passed, each in its original section and order."""

    def order(sid: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", sid))

    def slot(sid: str) -> Slot:
        return where.get(sid, ("key_points", 0, None))

    def section(name: str) -> list[SummarySentence]:
        return [passed[sid] for sid in sorted(passed, key=order) if slot(sid)[0] == name]

    questions: dict[int, OpenQuestion] = {}
    for s in section("open_questions"):
        _, index, kind = slot(s.id)
        if index in questions:
            questions[index].sentences.append(s)
        else:
            questions[index] = OpenQuestion(kind=kind or "information_missing", sentences=[s])
    return Draft(
        bottom_line=section("bottom_line"),
        key_points=section("key_points"),
        open_questions=[questions[i] for i in sorted(questions)],
    )


def within_words(draft: Draft, max_words: int) -> Draft:
    """Drop trailing key points, then open questions beyond three, until the draft fits `max_words`."""

    def words() -> int:
        sentences = [
            *draft.bottom_line,
            *draft.key_points,
            *(s for q in draft.open_questions for s in q.sentences),
        ]
        return sum(word_count(s.text) for s in sentences)

    while words() > max_words and (draft.key_points or len(draft.open_questions) > 3):
        if draft.key_points:
            draft = draft.model_copy(update={"key_points": draft.key_points[:-1]})
        else:
            draft = draft.model_copy(update={"open_questions": draft.open_questions[:-1]})
    return draft
