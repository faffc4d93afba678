"""Which facts fill the page: budgeted greedy coverage of weighted concepts (Gillick & Favre, 2009).

A brief of a few outlets should say as many of the story's distinct things as its word budget holds.
Each candidate fact (a group of claims across outlets, printed once) is a set of *concepts*: its
content-word stems with the wordings outlets vary mapped to one concept (`facts.concepts`), and its
figures. A concept weighs more the more outlets carry it (what several newsrooms chose to report is the
story), and more again when a headline or an article's first sentence carries it (inverted pyramid).
The page is filled greedily by the fact that adds the most not-yet-covered weight per word
(diminishing returns: a concept is bought once, so a second telling of a fact gains little), among the
facts and their shorter clause-trimmed forms that still fit; so when the next best fact does not fit,
a smaller one, or the clause of it that carries the new concepts, is tried.

The parameters are named constants, chosen on one half of the bench's clusters (a hash of the cluster
id) and checked on the other (docs/BRIEF_QUALITY.md). Nothing here reads a particular story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from briefer.core.models import Claim, Document
from briefer.core.text import numbers
from briefer.engines.offline.facts import concepts, is_duplicate

CORROBORATION_BASE = 2.0
"""A concept carried by k outlets weighs CORROBORATION_BASE ** (k - 1): a fact all three outlets carry
outweighs one outlet's detail four to one, yet a unique detail still fills space nothing better fits."""

MAX_CARRIERS = 4
"""Outlets counted per concept at most: past four, more carriers add no weight (and 10,000 documents
do not overflow the power)."""

LEAD_BONUS = 0.5
"""Extra weight (as a share) for a concept in a headline or an article's first sentence: the lead
states what the story is about."""

COST_EXPONENT = 0.5
"""Gain is divided by words ** COST_EXPONENT (the cost scaling of Lin & Bilmes' budgeted greedy): 1 buys
the most new weight per word and favours short fragments, 0 buys the most weight per pick and spends a
small page on one long sentence; the square root sits between. On the bench 0 and 0.5 measure within
a point of each other on either half (docs/BRIEF_QUALITY.md)."""

MAX_POOL = 400
"""Facts considered per pick, the most salient first: bounded work on very large inputs."""

T = TypeVar("T")


def concepts_of(text: str) -> frozenset[str]:
    """The concepts a printed text covers: its concepts and its figures (as `#N`)."""
    return concepts(text) | frozenset(f"#{n}" for n in numbers(text))


@dataclass(frozen=True)
class Weights:
    """Concept weights of one set of documents."""

    table: dict[str, float]

    def gain(self, concepts_: Iterable[str], covered: set[str]) -> float:
        """Weight of the concepts not covered yet."""
        return sum(self.table.get(c, 1.0) for c in concepts_ if c not in covered)


def weigh(documents: Sequence[Document], claims: Sequence[Claim]) -> Weights:
    """Weights by the number of outlets carrying each concept and whether a lead carries it.

    A document's concepts are those of its claims and its headline; its lead is its headline and its
    first claim (the earliest span).
    """
    carriers: dict[str, set[str]] = defaultdict(set)
    lead: set[str] = set()
    first: dict[str, Claim] = {}
    for claim in claims:
        doc = claim.citations[0].doc_id
        for c in concepts_of(claim.text):
            carriers[c].add(doc)
        if doc not in first or claim.citations[0].start < first[doc].citations[0].start:
            first[doc] = claim
    for d in documents:
        title = concepts_of(d.meta.title or "")
        for c in title:
            carriers[c].add(d.id)
        lead |= title
    for claim in first.values():
        lead |= concepts_of(claim.text)
    table = {
        c: CORROBORATION_BASE ** (min(len(docs), MAX_CARRIERS) - 1)
        * (1.0 + (LEAD_BONUS if c in lead else 0.0))
        for c, docs in carriers.items()
    }
    return Weights(table)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One way to print a fact: the fact, the text and what it costs on the page."""

    item: T
    text: str
    cost: int
    concepts: frozenset[str]
    claims: tuple[Claim, ...]  # what the printed text cites
    factor: float = 1.0  # how much the fact's kind counts (a background sentence less than an event)


def best(
    options: Iterable[Option[T]], weights: Weights, covered: set[str], room: int
) -> tuple[float, Option[T]] | None:
    """The option that fits in `room` words with the most new weight per word (ties: the first)."""
    top: tuple[float, Option[T]] | None = None
    for o in options:
        if o.cost > room or o.cost <= 0:
            continue
        gain = weights.gain(o.concepts, covered) * o.factor
        if gain <= 0:
            continue
        score = gain / o.cost**COST_EXPONENT
        if top is None or score > top[0]:
            top = (score, o)
    return top


def fill(
    options: Sequence[Option[T]],
    weights: Weights,
    covered: set[str],
    chosen: list[frozenset[str]],
    budget: int,
    limit: int,
    *,
    in_order: bool = False,
) -> list[Option[T]]:
    """Greedy budgeted coverage: the best option (`best`) while one fits, at most one per item and
    `limit` in all, skipping near-duplicates of what is chosen (`facts.is_duplicate`: each fact once).
    With `in_order`, the first option (in the caller's order: most salient first) that fits and adds
    something new is taken instead: the bottom line leads with the most central fact, not the densest.
    `covered` and `chosen` are updated, so later sections do not buy the same concepts again."""
    picked: list[Option[T]] = []
    taken: set[int] = set()
    spent = 0
    while len(picked) < limit:
        live = (o for o in options if id(o.item) not in taken and not is_duplicate(o.text, chosen)[0])
        if in_order:
            room = budget - spent
            first = next(
                (o for o in live if 0 < o.cost <= room and weights.gain(o.concepts, covered) > 0), None
            )
            top = (0.0, first) if first is not None else None
        else:
            top = best(live, weights, covered, budget - spent)
        if top is None:
            break
        option = top[1]
        spent += option.cost
        chosen.append(is_duplicate(option.text, chosen)[1])
        covered |= option.concepts
        taken.add(id(option.item))
        picked.append(option)
    return picked
