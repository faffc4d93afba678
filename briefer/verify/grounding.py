"""The judge's shown work, checked deterministically.

When the word-level evidence for a sentence is weak (below `partially_supported`) but it fails no
hard check, only a model judge can tell a faithful paraphrase from an invention. A judge that passes
such a sentence must show its work: for each part of the sentence, the words of one evidence span
that state it. This module checks that work without trusting it: every part is words of the
sentence, every quote is words of the span it names, the parts together cover the sentence's
content, and what a part states that a paraphrase cannot change (figures, names, a negation) is in
its quote. A judge that points at nothing, at text that is not there, or at evidence without the
part's figures has not shown that the sentence is supported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from briefer.core.text import content_terms, negated_heads, normalize, numbers, words
from briefer.verify.evidence import sentence_info
from briefer.verify.signals import SUPPORTED_COVERAGE, claimed_names

Shown = tuple[str, str, str]  # (part of the sentence, evidence id, words of that evidence)


def _fold(text: str) -> str:
    return normalize(text).casefold().strip(" .,;:!?\"'")


def _pair_problem(part: str, quote: str, names: set[str]) -> str | None:
    """Why a (part, quote) pair does not show the part: a figure, name or negation the quote lacks.
    `names` are the sentence's names (read in the whole sentence, where a capital that only opens
    it is no name)."""
    info = sentence_info(quote)
    missing = sorted(numbers(part) - info.numbers)
    if missing:
        return f'"{part[:40]}" has the figure {missing[0]}, its evidence does not'
    in_part = {w.lower().removesuffix("'s") for w in words(part)}
    for name in sorted(n for n in names if n.rstrip("#") in in_part):
        if name not in info.names and name not in info.words and name.rstrip("#") not in info.words:
            return f'"{part[:40]}" names {name.rstrip("#").title()}, its evidence does not'
    if bool(negated_heads(part)) != bool(negated_heads(quote)):
        return f'"{part[:40]}" and its evidence differ in negation'
    return None


def work_problems(sentence: str, shown: Sequence[Shown], evidence: Mapping[str, str]) -> list[str]:
    """What is wrong with the work a judge showed for `sentence` (empty: the work holds).

    `evidence` maps each evidence id the judge was given to its text. A pair whose part is not in the
    sentence or whose quote is not in the named evidence counts for nothing; the pairs that hold must
    together cover at least `SUPPORTED_COVERAGE` of the sentence's content words.
    """
    if not shown:
        return ["the judge passed it on weak word-level evidence without showing which evidence says it"]
    problems: list[str] = []
    covered: set[str] = set()
    folded_sentence = _fold(sentence)
    names = claimed_names(sentence, " ".join(evidence.values()))
    for part, evidence_id, quote in shown:
        span = evidence.get(evidence_id)
        if not _fold(part) or _fold(part) not in folded_sentence:
            problems.append(f'the judge\'s part "{part[:40]}" is not in the sentence')
        elif span is None or not _fold(quote) or _fold(quote) not in _fold(span):
            problems.append(f'the judge\'s quote "{quote[:40]}" is not in evidence {evidence_id}')
        elif not content_terms(quote):
            problems.append(f'the judge\'s quote "{quote[:40]}" says nothing')
        elif problem := _pair_problem(part, quote, names):
            problems.append(problem)
        else:
            covered.update(content_terms(part))
    terms = content_terms(sentence)
    share = sum(1 for t in terms if t in covered) / len(terms) if terms else 1.0
    if share < SUPPORTED_COVERAGE:
        problems.append(f"the judge's work shows evidence for only {share:.0%} of its content words")
    return problems
