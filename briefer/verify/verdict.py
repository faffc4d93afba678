"""The verdict: a label, a score and the reasons for one sentence, and for every sentence of a draft.

A sentence is printed as fact only when its label is `supported`: every hard check passes, nothing
contradicts the evidence, and both its content coverage and its support score reach the thresholds.
"""

from __future__ import annotations

from functools import lru_cache

from briefer.core.attribution import unattributed
from briefer.core.models import (
    TO_A_MODEL,
    Citation,
    Document,
    Draft,
    Label,
    OpenQuestion,
    SummarySentence,
    Verdict,
    citation_problem,
)
from briefer.core.segment import split_sentences
from briefer.verify.evidence import Evidence, analyse, coverage
from briefer.verify.scorer import scorer
from briefer.verify.signals import PARTIAL_COVERAGE, SUPPORTED_COVERAGE, signals

HARD_PENALTY = 0.5  # each failed hard check halves the score...
CONTRADICTION_PENALTY = 0.3  # ...and each contradiction keeps less than a third of it


def check_text(sentence: str, evidence: Evidence, *, context: Evidence | None = None) -> Verdict:
    """Label one sentence against already-analysed evidence, with a reason for every failed signal.

    `context` is the whole text the evidence was drawn from, when that is more than the evidence.
    """
    sig = signals(sentence, evidence, context)
    model = scorer()
    raw = model(sig.features) if model else sig.coverage
    supported_at = model.supported if model else 0.0
    partial_at = model.partial if model else 0.0
    shown = model.scaled(raw) if model else raw
    score = shown * HARD_PENALTY ** len(sig.hard) * CONTRADICTION_PENALTY ** len(sig.contradictions)
    label: Label
    if sig.contradictions:
        label = "contradicted"
    elif sig.hard:
        label = "unsupported"
    elif sig.coverage >= SUPPORTED_COVERAGE and raw >= supported_at:
        label = "supported"
    elif sig.coverage >= PARTIAL_COVERAGE and raw >= partial_at:
        label = "partially_supported"
    else:
        label = "unsupported"
    reasons = sig.contradictions + sig.hard
    if sig.coverage < SUPPORTED_COVERAGE:
        where = "cited spans" if context is None else "best-matching source passages"
        reasons.append(f"only {sig.coverage:.0%} of its content words are in the {where}")
    if label != "supported":
        reasons.extend(sig.soft)
        if not reasons:
            reasons.append(f"its wording follows the sources only loosely (score {raw:.2f})")
    vetoed = bool(sig.contradictions or sig.hard)
    return Verdict(label=label, score=round(min(1.0, score), 4), reasons=reasons, vetoed=vetoed)


def verify_sentence(sentence: SummarySentence, docs: dict[str, Document]) -> Verdict:
    """Resolve the citations, then check the text against the source sentences they sit in.

    A citation may quote only part of a sentence; the check reads the whole sentence, so the frame
    around a quoted clause ("Rumours that X has resigned are false, his office said") is always seen."""
    problems = [p for c in sentence.citations if (p := citation_problem(c, docs))]
    if problems:
        return Verdict(label="unsupported", score=0.0, reasons=problems, vetoed=True)
    spans = dict.fromkeys(widened(c, docs[c.doc_id]) for c in sentence.citations)
    # A view's attribution ("In an opinion piece, Fox News writes: ") is checked exactly: it must be
    # the one the cited documents' own metadata gives; the sentence after it is checked as usual.
    cited = [docs[d] for d in sentence.doc_ids]
    return check_text(unattributed(sentence.text, cited), analyse(list(spans)))


def widened(citation: Citation, doc: Document) -> str:
    """The text of the source sentences a citation overlaps (the quote itself when it lies outside
    the body, e.g. a title)."""
    bounds = _sentence_bounds(doc.text, tuple((b.start, b.end) for b in doc.body))
    inside = [(s, e) for s, e in bounds if s < citation.end and e > citation.start]
    if not inside:
        return citation.quote
    start, end = min(citation.start, inside[0][0]), max(citation.end, inside[-1][1])
    return doc.text[start:end]


@lru_cache(maxsize=256)
def _sentence_bounds(text: str, body: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Sentence spans of a document's body, in order (as `core.segment.segment` finds them)."""
    return tuple((b + s, b + e) for b, end in body for s, e in split_sentences(text[b:end]))


def echoes_instructions(sentence: str, docs: dict[str, Document]) -> bool:
    """Whether a sentence says what the documents' text addressed to a model says (a model that obeyed
    an injection it should never have seen): such a sentence is not shown even as unverified."""
    said = [d.text[f.start : f.end] for d in docs.values() for f in d.furniture if f.reason == TO_A_MODEL]
    return bool(said) and coverage(sentence, analyse(said)) >= SUPPORTED_COVERAGE


def _checked(sentence: SummarySentence, docs: dict[str, Document]) -> SummarySentence:
    return sentence.model_copy(update={"verdict": verify_sentence(sentence, docs)})


def verify_draft(draft: Draft, docs: dict[str, Document]) -> tuple[Draft, list[SummarySentence]]:
    """Attach a verdict to every sentence; keep only supported ones, return the rest as dropped."""
    dropped: list[SummarySentence] = []

    def keep(sentences: list[SummarySentence]) -> list[SummarySentence]:
        kept: list[SummarySentence] = []
        for s in (_checked(s, docs) for s in sentences):
            (kept if s.verdict and s.verdict.label == "supported" else dropped).append(s)
        return kept

    questions: list[OpenQuestion] = []
    for q in draft.open_questions:
        sentences = keep(q.sentences)
        if sentences:
            questions.append(q.model_copy(update={"sentences": sentences}))
    verified = Draft(
        bottom_line=keep(draft.bottom_line), key_points=keep(draft.key_points), open_questions=questions
    )
    return verified, dropped
