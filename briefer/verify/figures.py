"""The number check's reading of figures against evidence: qualified figures as ranges, the
source sentences whose figures count as support, and spelled-out counts the writer made.

Split from `verify.signals`, which applies them: a figure must be in a source sentence that carries
the sentence's wording (or has the figure among the same words), a qualified figure ("more than
100") admits a range, and a small count written as a word is the writer's unless the sources count
the same thing otherwise.
"""

from __future__ import annotations

from briefer.core import lexicon
from briefer.core.figures import counts, figure_windows
from briefer.core.text import content_terms
from briefer.verify.evidence import Evidence, sentence_info

_SMALL_WORDS = {w: v for w, v in lexicon.pairs("number_units")}


def admit(
    x: str, bounds: tuple[float, float], values: frozenset[str], qualified: frozenset[str]
) -> frozenset[str]:
    """`values`, plus `x` when an exact one of them lies within the bounds a qualifier gave it.

    A source figure that is itself a bound does not count: "at least 12" and "at least 15" are two
    counts of one toll, a dispute to show, not one figure rounded.
    """
    low, high = bounds
    return values | {x} if any(low <= float(v) <= high for v in values - qualified) else values


def numbers_near(
    sentence: str, evidence: Evidence, context: Evidence | None
) -> tuple[frozenset[str], frozenset[str]]:
    """The figures (and those the text qualifies, "at least 12") of the source sentences that carry
    the sentence's wording: in the evidence, or anywhere in the sources when they are given, those
    sharing at least half as many content words with it as the best one does. A figure that sits only
    in an unrelated sentence ("March 15" for "15 were killed", a byline's "08:15") is no support; one
    from another sentence about the same thing (a sentence fusing several figures) is."""
    pools = [evidence] if context is None else [evidence, context]
    if len(pools) == 1 and len(evidence.sentences) <= 1:
        return evidence.numbers, evidence.bounded
    terms = set(content_terms(sentence))
    candidates = [
        (text, len(terms & cand))
        for e in pools
        for text, cand in zip(e.sentences, e.sentence_terms, strict=True)
    ]
    need = max(1.0, max((n for _, n in candidates), default=0) / 2)
    near = [sentence_info(text) for text, n in candidates if n >= need]
    return frozenset(x for info in near for x in info.numbers), frozenset(
        x for info in near for x in info.bounded
    )


CARRIED_WORDS = 1  # content words a figure's source sentence must share around it
CARRIED_WINDOW = 2  # content words either side of it (see docs/VERIFIER.md for the choice)


def carried(value: str, sentence: str, ctx: Evidence) -> bool:
    """Whether a source sentence has the figure with some of the same words around it as the sentence
    has ("UKIP's spending was 68p per vote" and "UKIP's campaign spending works out at 68p for each of
    their ... votes"): a sentence fusing figures from several source sentences rests on each, though
    retrieval's three passages cannot hold them all. Only a figure of the same kind carries: "March
    15" is a day and a byline's "08:15" a time, never the count in "15 people were killed"."""
    mine = {k: v for k, v in figure_windows(sentence, CARRIED_WINDOW).items() if k[0] == value}
    if not any(mine.values()):
        return False
    for text in ctx.sentences:
        if value in sentence_info(text).numbers:
            theirs = figure_windows(text, CARRIED_WINDOW)
            for key, around in mine.items():
                if len(around & theirs.get(key, frozenset())) >= min(CARRIED_WORDS, len(around)):
                    return True
    return False


def counted_otherwise(value: str, unit: str, source_text: str) -> bool:
    """Whether the sources give another figure for what a spelled-out count counts ("four children"
    for the sentence's "three children"): then the count is a changed figure, not one inferred."""
    return bool(unit) and any(u == unit and v != value for v, u in counts(source_text))


def spelled_word(value: str) -> str:
    return next((w for w, v in _SMALL_WORDS.items() if v == value), value)
