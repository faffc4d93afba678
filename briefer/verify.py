"""Stage 4: check every summary sentence against the spans it cites, deterministically.

Both engines share this verifier, and it runs before any model judge. A sentence is printed as fact
only when its label is `supported`. The signals, in the order they are checked:

1. every citation resolves: the document exists and its text at [start:end] equals the quote;
2. numbers, months, names and quoted strings in the sentence occur in the cited spans (after the
   normalisation in `briefer.text`: Unicode quotes and dashes, `U.S.`/`US`, spelled-out numbers);
3. negation and antonyms agree with the best-aligned source sentence;
4. content coverage: the share of the sentence's content words found in the spans.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefer.models import Document, Draft, Label, OpenQuestion, SummarySentence, Verdict, citation_problem
from briefer.text import (
    content_terms,
    months,
    names,
    negated_terms,
    normalize,
    numbers,
    quotations,
    split_sentences,
    stem,
    words,
)

SUPPORTED_COVERAGE = 0.8
PARTIAL_COVERAGE = 0.5

ANTONYMS = {
    a: b
    for pair in [
        ("increase", "decrease"),
        ("rise", "fall"),
        ("raise", "lower"),
        ("gain", "loss"),
        ("win", "lose"),
        ("won", "lost"),
        ("accept", "reject"),
        ("approve", "reject"),
        ("support", "oppose"),
        ("allow", "ban"),
        ("before", "after"),
        ("more", "less"),
        ("higher", "lower"),
        ("up", "down"),
        ("majority", "minority"),
        ("guilty", "innocent"),
        ("confirm", "deny"),
        ("open", "close"),
        ("expand", "shrink"),
        ("strengthen", "weaken"),
        ("first", "last"),
        ("maximum", "minimum"),
        ("male", "female"),
        ("north", "south"),
        ("east", "west"),
        ("inside", "outside"),
        ("import", "export"),
        ("buy", "sell"),
        ("hire", "fire"),
        ("victory", "defeat"),
        ("positive", "negative"),
        ("success", "failure"),
        ("legal", "illegal"),
    ]
    for a, b in (pair, pair[::-1])
}


@dataclass(frozen=True)
class Evidence:
    """The cited text, pre-analysed once so each signal is a set lookup."""

    text: str
    terms: frozenset[str]
    numbers: frozenset[str]
    months: frozenset[str]
    names: frozenset[str]
    words: frozenset[str]
    normalized: str
    sentences: tuple[str, ...]
    negated: frozenset[str]


def analyse(spans: list[str]) -> Evidence:
    text = "\n".join(spans)
    return Evidence(
        text=text,
        terms=frozenset(content_terms(text)),
        numbers=frozenset(numbers(text)),
        months=frozenset(months(text)),
        names=frozenset(names(text)),
        words=frozenset(words(text)),
        normalized=normalize(text).lower(),
        sentences=tuple(span[s:e] for span in spans for s, e in split_sentences(span) if e > s)
        or tuple(spans),
        negated=frozenset(negated_terms(text)),
    )


def coverage(sentence: str, evidence: Evidence) -> float:
    terms = content_terms(sentence)
    if not terms:
        return 1.0
    return sum(1 for t in terms if t in evidence.terms) / len(terms)


def _best_aligned(sentence: str, evidence: Evidence) -> tuple[str, float]:
    """The source sentence sharing the most content words with the summary sentence."""
    terms = set(content_terms(sentence))
    best, best_score = "", 0.0
    for cand in evidence.sentences:
        overlap = len(terms & set(content_terms(cand))) / max(1, len(terms))
        if overlap > best_score:
            best, best_score = cand, overlap
    return best, best_score


def _name_found(name: str, evidence: Evidence) -> bool:
    return name in evidence.names or name.rstrip("#") in evidence.words or name in evidence.words


def check_text(sentence: str, evidence: Evidence, *, context: Evidence | None = None) -> Verdict:
    """Label one sentence against already-analysed evidence, with a reason for every failed signal."""
    hard: list[str] = []
    contradictions: list[str] = []

    missing_numbers = sorted(numbers(sentence) - evidence.numbers)
    for n in missing_numbers:
        (contradictions if evidence.numbers else hard).append(f"number {n} not in cited span")
    for m in sorted(months(sentence) - evidence.months):
        (contradictions if evidence.months else hard).append(f'date "{m.title()}" not in cited span')
    for name in sorted(names(sentence)):
        if not _name_found(name, evidence):
            hard.append(
                f'name "{name.rstrip("#").upper() if name.endswith("#") else name.title()}" not in cited span'
            )
    for q in quotations(sentence):
        if normalize(q).lower() not in evidence.normalized:
            hard.append(f'quotation "{q[:40]}" not in cited span')

    aligned, overlap = _best_aligned(sentence, evidence)
    sentence_terms = set(content_terms(sentence))
    inserted = negated_terms(sentence) - evidence.negated
    removed = (negated_terms(aligned) & sentence_terms) - negated_terms(sentence)
    if (inserted & evidence.terms) or (overlap >= 0.5 and removed):
        contradictions.append("negation mismatch")
    if overlap >= 0.5:
        sentence_stems = {stem(w) for w in words(sentence)}
        aligned_stems = {stem(w) for w in words(aligned)}
        for w in sorted(sentence_stems - aligned_stems):
            opposite = ANTONYMS.get(w)
            if opposite and stem(opposite) in aligned_stems:
                contradictions.append(f'"{w}" where the source says "{opposite}"')

    cov = coverage(sentence, evidence)
    score = cov * (0.5 ** len(hard)) * (0.3 ** len(contradictions))
    label: Label
    if contradictions:
        label = "contradicted"
    elif hard:
        label = "unsupported"
    elif cov >= SUPPORTED_COVERAGE:
        label = "supported"
    elif cov >= PARTIAL_COVERAGE:
        label = "partially_supported"
    else:
        label = "unsupported"
    reasons = contradictions + hard
    if cov < SUPPORTED_COVERAGE:
        reasons.append(f"only {cov:.0%} of its content words are in the cited spans")
    return Verdict(label=label, score=round(min(1.0, score), 4), reasons=reasons)


def verify_sentence(sentence: SummarySentence, docs: dict[str, Document]) -> Verdict:
    """Resolve the citations, then check the text against the quotes they carry."""
    problems = [p for c in sentence.citations if (p := citation_problem(c, docs))]
    if problems:
        return Verdict(label="unsupported", score=0.0, reasons=problems)
    return check_text(sentence.text, analyse([c.quote for c in sentence.citations]))


def _checked(sentence: SummarySentence, docs: dict[str, Document]) -> SummarySentence:
    return sentence.model_copy(update={"verdict": verify_sentence(sentence, docs)})


def verify_draft(draft: Draft, docs: dict[str, Document]) -> tuple[Draft, list[SummarySentence]]:
    """Attach a verdict to every sentence; keep only supported ones, return the rest as dropped."""
    dropped: list[SummarySentence] = []

    def keep(sentences: list[SummarySentence]) -> list[SummarySentence]:
        kept = []
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
