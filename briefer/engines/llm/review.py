"""Pure helpers for the LLM engine's review stage: combining verdicts, and putting sentences back.

The judge and the deterministic verifier each label a sentence; the sentence passes only when both
say `supported`, and the worse label is the one kept. Sentences that pass (first time or after
repair) go back to the section and position the composer gave them.
"""

from __future__ import annotations

import re
from typing import Any

from briefer.core.budget import word_count
from briefer.core.models import Draft, OpenQuestion, QuestionKind, SummarySentence, Verdict, worst
from briefer.engines.llm.answers import Judgement
from briefer.verify.grounding import work_problems

Slot = tuple[str, int, QuestionKind | None]  # section, open-question index, open-question kind


def merge_verdicts(sentence: SummarySentence, judged: Judgement | None) -> Verdict:
    """The one gate for model prose: the deterministic verdict on `sentence` and the judge's, combined.

    - A vetoed sentence (a hard check failed, or the evidence contradicts it) never passes, whatever
      the judge says; nor does one the judge did not pass: the worse label is kept.
    - A sentence the verifier passed and the judge passed is printed.
    - One that fails only the soft, word-level support is the judge's to decide: paraphrase in the
      model's own words scores low on shared words however true it is. With at least partial
      word-level support the judge's `supported` prints it; below that, the judge must show its work
      (`Judgement.support`) and the work must check out (`verify.grounding.work_problems`).
    """
    base = sentence.verdict or Verdict(label="supported", score=1.0)
    by = ["deterministic", "judge"]
    if judged is None:
        reasons = ["judge: gave no verdict", *base.reasons]
        return Verdict(
            label="unsupported", score=base.score, reasons=reasons, checked_by=by, vetoed=base.vetoed
        )
    if judged.label != "supported" or base.vetoed or base.label == "supported":
        label = worst([base.label, judged.label])
        mine = (
            []
            if judged.label == "supported"
            else [f"judge: {judged.label.replace('_', ' ')}: {phrase(judged.reason)}"]
        )
        return Verdict(
            label=label, score=base.score, reasons=mine + base.reasons, checked_by=by, vetoed=base.vetoed
        )
    if base.label == "partially_supported":
        note = "passed by the judge; the word-level support is partial"
        return Verdict(label="supported", score=base.score, reasons=[note, *base.reasons], checked_by=by)
    evidence = {f"{sentence.id}.e{k}": c.quote for k, c in enumerate(sentence.citations, 1)}
    shown = [(g.part, g.evidence_id, g.quote) for g in judged.support]
    if problems := work_problems(sentence.text, shown, evidence):
        return Verdict(
            label="unsupported",
            score=base.score,
            reasons=[f"judge: {problems[0]}", *base.reasons],
            checked_by=by,
        )
    note = (
        "passed by the judge, whose shown evidence for each part checks out; the word-level support is weak"
    )
    return Verdict(label="supported", score=base.score, reasons=[note, *base.reasons], checked_by=by)


def needs_work(verdict: Verdict | None) -> bool:
    """Whether the judge must show its work to pass a sentence: it fails no hard check, but its
    word-level support is below `partially_supported`."""
    return verdict is not None and not verdict.vetoed and verdict.label == "unsupported"


def judgeable(verdict: Verdict | None) -> bool:
    """Whether the judge may decide a sentence the verifier did not pass: nothing vetoed it."""
    return (
        verdict is not None and not verdict.vetoed and verdict.label in ("partially_supported", "unsupported")
    )


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
            "show_work": needs_work(s.verdict),
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
