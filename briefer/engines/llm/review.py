"""Pure helpers for the LLM engine's review stage: combining verdicts, and putting sentences back.

The judge and the deterministic verifier each label a sentence; the sentence passes only when both
say `supported`, and the worse label is the one kept. Sentences that pass (first time or after
repair) go back to the section and position the composer gave them.
"""

from __future__ import annotations

import re
from typing import Any

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


_SECTIONS = {"b": "bottom_line", "k": "key_points", "q": "open_questions"}  # by the composer's id prefix


def slots(draft: Draft, dropped: list[SummarySentence]) -> dict[str, Slot]:
    """Where each sentence under review sits, so a repaired one can go back to the same place.

    Derived from what review is given, not remembered from compose: the composer's ids name the
    section and the open question (`b0`, `k3`, `q1.0`), and the draft gives each open question's
    kind. A sentence that failed verification is no longer in the draft, but its id still places it;
    only an open question none of whose sentences passed has lost its kind (`rebuild` then uses
    its default)."""
    where: dict[str, Slot] = {s.id: ("bottom_line", 0, None) for s in draft.bottom_line}
    where.update({s.id: ("key_points", 0, None) for s in draft.key_points})
    for q in draft.open_questions:
        where.update({s.id: ("open_questions", _question(s.id), q.kind) for s in q.sentences})
    kinds = {index: kind for section, index, kind in where.values() if section == "open_questions"}
    for s in dropped:
        section = _SECTIONS.get(s.id[:1], "key_points")
        index = _question(s.id) if section == "open_questions" else 0
        where.setdefault(s.id, (section, index, kinds.get(index) if section == "open_questions" else None))
    return where


def _question(sid: str) -> int:
    """The open-question index in a composer id like `q1.0`."""
    m = re.match(r"q(\d+)\.", sid)
    return int(m.group(1)) if m else 0


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
        return sum(len(s.text.split()) for s in sentences)

    while words() > max_words and (draft.key_points or len(draft.open_questions) > 3):
        if draft.key_points:
            draft = draft.model_copy(update={"key_points": draft.key_points[:-1]})
        else:
            draft = draft.model_copy(update={"open_questions": draft.open_questions[:-1]})
    return draft
