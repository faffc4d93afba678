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

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from briefer.core.models import Claim, Document
from briefer.core.text import capitalised_by_position, numbers
from briefer.engines.offline.facts import concepts, is_duplicate, recurring_pairs

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

TOPIC_SHARE = 0.25
"""A concept in at least this share of a story's claims is the story's topic, not a fact's: chosen on
half 0 of the bench's clusters from 0.25, 0.35 and 0.5 (docs/BRIEF_QUALITY.md)."""

TOPIC_MIN_CLAIMS = 3

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
    topic: frozenset[str] = frozenset()  # `topic_concepts`: shared by so many facts they tell none apart

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
    return Weights(table, topic_concepts(claims))


def topic_concepts(claims: Sequence[Claim]) -> frozenset[str]:
    """The names the story is about: a name's concepts in at least TOPIC_SHARE of the claims (and
    three). Every fact of a story about the Trump Organization's investigation names it, so sharing
    the name does not make two facts one (`facts.is_duplicate` weighs them less). Names only: in a
    short story the event's own words ("arrested", "charged") are in most claims too, and two
    tellings of the arrest must stay one fact."""
    freq: dict[str, int] = defaultdict(int)
    for claim in claims:
        for c in concepts(" ".join(_names_in(claim.text))):
            freq[c] += 1
    need = max(TOPIC_MIN_CLAIMS, TOPIC_SHARE * len(claims))
    return frozenset(c for c, n in freq.items() if n >= need) | recurring_pairs(claims)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One way to print a fact: the fact, the text and what it costs on the page."""

    item: T
    text: str
    cost: int
    concepts: frozenset[str]
    claims: tuple[Claim, ...]  # what the printed text cites
    factor: float = 1.0  # how much the fact's kind counts (a background sentence less than an event)
    form: str = ""  # the source's words as printed, without the attribution briefer adds (repeats)
    parts: tuple[str, ...] = ()  # a passage's sentences, each a fact of its own (repeats)

    @property
    def said(self) -> str:
        """What is compared for repeats: the source's words, never briefer's attribution (two lines
        of one opinion piece do not become one fact by both opening "In an opinion piece, X writes")."""
        return self.form or self.text


def repeats(option: Option[T], chosen: list[frozenset[str]], topic: frozenset[str]) -> bool:
    """Whether the option tells again a fact the page has (`facts.is_duplicate`). A passage (a
    sentence printed after the one it points back to) is read whole and sentence by sentence: its
    first sentence printed again is a repeat, whatever detail the second adds."""
    return any(is_duplicate(text, chosen, topic)[0] for text in (option.said, *option.parts))


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
        live = (o for o in options if id(o.item) not in taken and not repeats(o, chosen, weights.topic))
        if in_order:
            room = budget - spent
            first = next(
                (o for o in live if 0 < o.cost <= room and weights.gain(o.concepts, covered) > 0), None
            )
            # the most salient fact first, told in whichever of its tellings and forms buys the most
            top = (
                best(
                    (o for o in options if o.item is first.item and not repeats(o, chosen, weights.topic)),
                    weights,
                    covered,
                    room,
                )
                if first is not None
                else None
            )
        else:
            top = best(live, weights, covered, budget - spent)
        if top is None:
            break
        option = top[1]
        spent += option.cost
        chosen.append(is_duplicate(option.said, chosen, weights.topic)[1])
        covered |= option.concepts
        taken.add(id(option.item))
        picked.append(option)
    return picked


_NAME_WORD = r"(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"  # McKenzie, O'Brien, Ocasio-Cortez
_NAME_RUN = re.compile(rf"\b(?:{_NAME_WORD}\s+){{1,3}}{_NAME_WORD}\b")
_CAPITALISED = re.compile(r"\b[A-Z][\w.'\u2019-]*")


def _names_in(text: str) -> list[str]:
    """The capitalised words of a sentence, its first word left out unless it is no common opener."""
    words = [m.group(0) for m in _CAPITALISED.finditer(text)]
    opener = bool(words) and capitalised_by_position(words[0])
    if opener and text.lstrip(" \"'\u201c\u2018(").startswith(words[0]):
        words = words[1:]
    return words


def full_names(text: str) -> list[list[str]]:
    """Runs of two to four capitalised words ("Kim Jong Un", "Defense Secretary Pete Hegseth"), the
    sentence's first word left out."""
    text = text.lstrip(" \"'\u201c\u2018(-")
    runs: list[list[str]] = []
    for m in _NAME_RUN.finditer(text):
        run = m.group(0).split()
        # a first word capitalised by position only ("As Washington ...", "Beyond ...", and after a
        # colon "...: The Donald Trump ...") is no name
        while run and capitalised_by_position(run[0]):
            run = run[1:]
        if len(run) >= 2:
            runs.append(run)
    return runs


def short_alone(short: str, text: str) -> bool:
    """`short` stands in `text` as a name of its own: no capitalised word right beside it (a comma
    or other punctuation between them separates them)."""
    return bool(alone_at(short, text))


_WORD_BEFORE = re.compile(r"[A-Z][\w'\u2019.-]*\s$")  # a capitalised word just before a name
_WORD_CHAR = re.compile(r"[\w'\u2019.-]")
_LEADING = re.compile(r"[ \"'\u201c\u2018(]*")  # what `_by_position` strips off a sentence's head
_WORD_AFTER = re.compile(r"(?:['\u2019]s)?\s[A-Z]")  # a capitalised word just after it


def alone_at(short: str, text: str) -> list[re.Match[str]]:
    """Where `short` stands in `text` as a name of its own (`short_alone`). Each match reads only
    the words beside it, so a long text costs a pass, not a copy of its head per match."""
    found = []
    for m in re.finditer(rf"\b{re.escape(short)}\b", text):
        start = _word_start(text, m.start())
        before = _WORD_BEFORE.search(text[start : m.start()])
        if (
            before
            and _LEADING.fullmatch(text, 0, start)
            and _by_position(text[: m.start()], before.group(0).strip())
        ):
            before = None  # "During Hegseth's visit": "During" is capitalised by position only
        after = _WORD_AFTER.match(text, m.end())
        if not before and not after:
            found.append(m)
    return found


def _word_start(text: str, end: int) -> int:
    """Where the word before `end` starts, past up to two white-space characters (`_WORD_BEFORE`'s
    "\\s$" may end before a final newline): every match of `_WORD_BEFORE` in `text[:end]` starts
    there or later."""
    i = end
    while i > max(0, end - 2) and text[i - 1].isspace():
        i -= 1
    while i > 0 and _WORD_CHAR.match(text, i - 1):
        i -= 1
    return i


def _by_position(head: str, word: str) -> bool:
    """Whether `word`, the last word of `head`, is a sentence's first word that is no name."""
    return head.strip(" \"'\u201c\u2018(") == word and capitalised_by_position(word)


def _introduces(later: str, here: str) -> bool:
    """Whether `later` gives the full form of a name that `here` uses only in short: the last word
    ("Hegseth"), or for a name of two or three words the first ("Kim" of "Kim Jong Un")."""
    for name in full_names(later):
        if len(name) < 2 or " ".join(name) in here:
            continue
        shorts = [name[-1]] + ([name[0]] if len(name) <= 3 else [])
        if any(short_alone(w, here) for w in shorts):
            return True
    return False


def full_names_first(points: list[T], text: Callable[[T], str]) -> list[T]:
    """The points reordered so that a name's full form ("Kim Jong Un", "Pete Hegseth") is printed
    before a point that uses only a short form of it ("Kim ordered", "Hegseth said"): a reader meets
    who someone is before the short form. Each point moves at most once, so the coverage order
    otherwise stands."""
    out = list(points)
    moved: set[int] = set()
    i = 0
    while i < len(out):
        here = text(out[i])
        later = next(
            (
                j
                for j in range(i + 1, len(out))
                if id(out[j]) not in moved and _introduces(text(out[j]), here)
            ),
            None,
        )
        if later is None:
            i += 1
            continue
        moved.add(id(out[later]))
        out.insert(i, out.pop(later))
    return out
