"""When two sentences state one fact: concepts (content terms with the wording outlets vary mapped to
one concept) and their overlap. Used only to spot repeats and other outlets' coverage, never to verify."""

from __future__ import annotations

import math
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.models import Claim
from briefer.core.text import content_terms, numbers
from briefer.engines.offline.standalone import clean

DUPLICATE_CONTAINMENT = 0.4  # share of the shorter point's (weighted) concepts found in a chosen point


@lru_cache(maxsize=65536)
def terms(text: str) -> tuple[str, ...]:
    """Content terms of a claim's text, computed once: vectors, duplicates and questions all need them."""
    return tuple(content_terms(text))


# News wording that varies between outlets for the same act; used only to spot repeats, never to verify.
SYNONYMS = lexicon.table("synonyms")


def concepts(text: str) -> frozenset[str]:
    return frozenset(SYNONYMS.get(t, t) for t in terms(text))


CORE_CONCEPTS = frozenset(SYNONYMS.values())  # what outlets reword is a fact's core: it weighs double


TOPIC_WEIGHT = 0.5
"""How much a story's topic concept counts towards a repeat. 0 (set aside) reads 2 points higher in
roundup recall on the bench but lets seeds/ say the KCNA statement twice (a key point and an unnamed-
source question); 1 is no discount (docs/BRIEF_QUALITY.md)."""


def _weight(terms: frozenset[str], topic: frozenset[str] = frozenset()) -> float:
    return sum((2 if t in CORE_CONCEPTS else 1) * (TOPIC_WEIGHT if t in topic else 1.0) for t in terms)


def is_duplicate(
    text: str, chosen: list[frozenset[str]], topic: frozenset[str] = frozenset()
) -> tuple[bool, frozenset[str]]:
    """Whether most of this point's concepts are already in a chosen point (or it in this one).

    Concepts that outlets commonly reword ("condemned"/"denounced", "deal"/"agreement", a capital for
    its country) weigh double, so a reworded repeat of the same act by the same actor is caught. The
    story's `topic` concepts (`coverage.topic_concepts`) weigh less on both sides: every fact of the
    story names its subject, so two facts do not become one by naming it.
    """
    mine = concepts(text)
    for other in chosen:
        shared = _weight(mine & other, topic)
        least = min(_weight(mine, topic), _weight(other, topic))
        if mine and other and shared / least >= DUPLICATE_CONTAINMENT:
            return True, mine
    return False, mine


SPREAD_CONTAINMENT = 0.5  # share of a claim's concepts another document has anywhere: it carries the fact


def carried_elsewhere(claim: Claim, others: dict[str, list[str]]) -> bool:
    """Whether another document carries this claim, so that "only one source reports it" would be
    false: one of its sentences (or its headline) shares at least 40% of the claim's content terms and
    figures as printed (and three or more), or the document as a whole has at least half of them (an
    outlet spreads one fact over a quote and the sentence naming its speaker)."""
    printed = clean(claim.text)
    mine = concepts(printed) | numbers(printed)
    need = max(3, math.ceil(0.4 * len(mine)))
    spread = max(3, math.ceil(SPREAD_CONTAINMENT * len(mine)))
    doc = claim.citations[0].doc_id
    for d, texts in others.items():
        if d == doc:
            continue
        found = [mine & (concepts(text) | numbers(text)) for text in texts]
        if any(len(f) >= need for f in found) or len(frozenset().union(*found)) >= spread:
            return True
    return False


def says_again(text: str, said: list[frozenset[str]]) -> bool:
    """Whether most of this sentence's own concepts (weighted as in `is_duplicate`) are in one thing
    the page already says: then it adds nothing. Unlike `is_duplicate` this reads from the new
    sentence's side only, so a long sentence that answers a printed fact (a rebuttal, an unknown
    about it) still adds something."""
    mine = concepts(text)
    return bool(mine) and any(
        _weight(mine & other) / _weight(mine) >= DUPLICATE_CONTAINMENT for other in said
    )
