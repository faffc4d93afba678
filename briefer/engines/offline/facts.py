"""When two sentences state one fact: concepts (content terms with the wording outlets vary mapped to
one concept) and their overlap. Used only to spot repeats and other outlets' coverage, never to verify."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.models import Claim
from briefer.core.text import (
    SPEECH_VERBS,
    STOPWORDS,
    capitalised_by_position,
    content_terms,
    is_year,
    month_start,
    numbers,
)
from briefer.engines.offline.standalone import clean

DUPLICATE_CONTAINMENT = 0.4  # share of the shorter point's (weighted) concepts found in a chosen point


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@lru_cache(maxsize=65536)
def terms(text: str) -> tuple[str, ...]:
    """Content terms of a claim's text, computed once: vectors, duplicates and questions all need them.
    A number keeps its thousands ("136,000" is one term, not "136" and a "000" that every figure in
    thousands would share)."""
    return tuple(content_terms(_THOUSANDS.sub("", text)))


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


_REACTION = re.compile(
    r"\b" + lexicon.alternation(lexicon.entries("reaction_verbs"), r"\s+") + r"\b",
    re.IGNORECASE,
)
_QUOTATION = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")
_NAME_RUN = re.compile(r"[A-Z][\w.\-]*(?:['\u2019]s)?(?:\s+[A-Z][\w.\-]*(?:['\u2019]s)?)*")
_ASIDE = re.compile(r",[^,]*,")
REACTION = "@reaction:"  # marks, in a chosen point's concepts, whose reaction it reports
FIGURE = "@figure:"  # marks, in a chosen point's concepts, the figures it gives (years aside)
FIGURE_CONTAINMENT = 0.15
"""With all its figures in a chosen point, this much shared is a repeat: two long tellings of "$3.5
trillion ... early Wednesday" share little else. At 0.15 and 0.25 the bench's recall is the same on
both halves; 0.1 costs 0.3 points."""


@lru_cache(maxsize=65536)
def figures_of(text: str) -> frozenset[str]:
    """The distinctive figures a sentence gives, as `FIGURE` markers: "voted 67-32" and "the 67-32
    vote" give the same. Years, small counts ("two lawsuits", "six hours") and numbers that may be a
    day of the month are left out: many facts of one story share those. A count from 10 to 31 in
    digits before what it counts ("13 US troops") is kept (`_a_count`)."""
    text = _AGE.sub(",", text)  # "Mohammad Anwar, 66, ...": a person's age describes, it is no fact's figure
    tallies = frozenset(
        f"{FIGURE}{m.group(1)}-{m.group(2)}" for m in _TALLY.finditer(text) if not is_year(m.group(1))
    )
    shares = frozenset(FIGURE + n + "%" for m in _PERCENT.finditer(text) for n in numbers(m.group(1)))
    counts = frozenset(FIGURE + m.group(1) for m in _COUNT.finditer(text) if _a_count(text, m))
    return (
        tallies
        | shares
        | counts
        | frozenset(FIGURE + n for n in numbers(text) if not is_year(n) and _distinctive(n))
    )


_COUNT = re.compile(r"(?<![\w.,:/$\u2013\u2014-])([12]\d|3[01])\s+([A-Za-z][\w.'\u2019-]*)")
"""A number from 10 to 31 in digits before a word ("13 US troops", "killed 10 civilians"): news style
spells counts below ten, so these are counts or days of a month, which `_a_count` tells apart."""

_TIME_UNITS = lexicon.words("time_units")


def _a_count(text: str, m: re.Match[str]) -> bool:
    """Whether a `_COUNT` match counts things: not a day ("Aug. 13 the", "on the 13"), not a span of
    time ("15 weeks"), not "17 were" in "July 3 to 17 were", and not a clock ("10 a.m."). A toll of
    13 troops is one fact however each outlet words it."""
    word = m.group(2).lower().rstrip(".")
    function_word = word in STOPWORDS and not m.group(2).isupper()  # "17 were", but "13 US troops"
    if word in _TIME_UNITS or function_word or month_start(word) or word in ("a.m", "p.m", "am", "pm"):
        return False
    before = text[: m.start()].split()[-1:]
    return not (before and month_start(before[0].strip(".,").lower()))


_PERCENT = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)
"""A share ("fell by 25%", "9 percent"): however small, no day of the month."""


_TALLY = re.compile(r"(?<![\d.,\u2013\u2014-])(\d{1,4})(?:-to-|[\u2013\u2014-])(\d{1,3})(?![\d.,]*\d)")
"""A vote or a score ("67-32", "5-4", "19\u20130", "19-to-0"): one story's tally is one fact, however
small its numbers, however an outlet writes it."""


def _tally(marker: str) -> bool:
    return "-" in marker[len(FIGURE) :]


_AGE = re.compile(r",\s*\d{1,3}\s*,")


def _distinctive(number: str) -> bool:
    try:
        value = float(number)
    except ValueError:
        return True
    return value >= MIN_FIGURE or not value.is_integer()


MIN_FIGURE = 32  # past any day of a month


def key(text: str) -> frozenset[str]:
    """What the page remembers of a printed sentence to spot repeats: its concepts, the side whose
    reaction it reports, its figures and its word pairs (`is_duplicate`, `says_again`)."""
    return (
        concepts(text)
        | reaction_of(text)
        | request_of(text)
        | figures_of(text)
        | pairs_of(text)
        | dates_of(text)
    )


DATE = "@date:"  # marks, in a chosen point's concepts, the days of a month it gives
_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+([1-9]|[12]\d|3[01])(?![\d,.:]*\d|\s*(?:a\.?m|p\.?m)\b)")


@lru_cache(maxsize=65536)
def dates_of(text: str) -> frozenset[str]:
    """The days of a month a sentence gives, as `DATE` markers ("Oct. 7", "November 4"): a story's
    steps are told by their dates ("begins Oct. 7" and "by Nov. 4, full vaccination will be
    mandatory"), which `figures_of` leaves out as numbers many facts share."""
    return frozenset(
        f"{DATE}{m.group(1)[:3].lower()}-{m.group(2)}"
        for m in _DATE.finditer(text)
        if month_start(m.group(1))
    )


PAIR = "@pair:"  # marks, in a chosen point's concepts, two concepts said close together
PAIR_WINDOW = 3  # concepts after a concept that pair with it ("outage lasted (nearly) six hours")
PAIR_MIN = 2  # word pairs two tellings share, beyond the story's topic names, to be one fact...
PAIR_CONTAINMENT = 0.25  # ...when they share this much of their concepts too


@lru_cache(maxsize=65536)
def pairs_of(text: str) -> frozenset[str]:
    """Concepts said close together, in order, as `PAIR` markers: "the outage lasted nearly six
    hours" and "an outage that lasted almost six hours" share (outage, last) and (last, hour). Two
    tellings of one fact keep its words together; two facts of one story share single words."""
    said = reported(text)
    names = concepts(" ".join(_NAME_RUN.findall(said)))  # a name's words go together anyway
    seq = [SYNONYMS.get(t, t) for t in terms(said)]
    return frozenset(
        f"{PAIR}{a}|{b}"
        for i, a in enumerate(seq)
        for b in seq[i + 1 : i + 1 + PAIR_WINDOW]
        if a != b and not (a in names and b in names)
    )


def recurring_pairs(claims: Sequence[Claim]) -> frozenset[str]:
    """Word pairs an article says in two or more of its sentences ("air-to-air missiles", "regional
    security"): a story's terms, not one fact's words; an article tells each fact once."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for claim in claims:
        seen[claim.citations[0].doc_id].update(pairs_of(claim.text))
    return frozenset(p for counts in seen.values() for p, n in counts.items() if n >= 2)


def _shared_pairs(mine: frozenset[str], point: frozenset[str], topic: frozenset[str]) -> int:
    """Pairs both say, but not the story's terms (`recurring_pairs`, in `topic`) or its names."""
    return sum(1 for p in mine & point if p not in topic and not set(p[len(PAIR) :].split("|")) & topic)


ATTRIBUTION_CONCEPTS = frozenset(c for v in lexicon.entries("attribution_verbs") for c in concepts(v))
""""said", "reported", "told": who says a thing is no part of the fact, so two facts that share only
their attribution verbs are not one (`core/data/attribution_verbs.txt`)."""


NEW_FIGURE_CONTAINMENT = 0.7
"""A point whose figures are none of a chosen point's, nor near one, reports another quantity ("four
chains wasted more than 1 million doses each" beside "15 million doses were wasted"): it repeats that
point only when it shares this much of its concepts."""
NEAR_FIGURE = 0.15
"""Figures within this share of each other may be one quantity told loosely ("15.1 million", "more
than 15 million"): no other quantity."""
ROUNDING = 0.02
"""Figures this close are one figure rounded ("9.21 million" / "9.2 million")."""


def _close(a: float, b: float, share: float) -> bool:
    return abs(a - b) <= share * max(abs(a), abs(b))


def _new_dates(dates: frozenset[str], point: frozenset[str]) -> bool:
    """Whether a point gives days of a month, none of them one a chosen point gives: another step."""
    return bool(dates) and not dates & point


def _new_figures(figures: frozenset[str], point: frozenset[str]) -> bool:
    """Whether a point gives figures, and all of them are far from every figure of a chosen point."""
    theirs = [v for f in point if f.startswith(FIGURE) and (v := _value(f)) is not None]
    mine = [v for f in figures if (v := _value(f)) is not None]
    return bool(mine) and not any(_close(a, b, NEAR_FIGURE) for a in mine for b in theirs)


def _given(figure: str, point: frozenset[str]) -> bool:
    """Whether a chosen point gives `figure`, exactly or rounded (a share only exactly)."""
    if figure in point:
        return True
    value = _value(figure)
    if value is None or figure.endswith("%"):
        return False
    return any(
        (v := _value(f)) is not None and not f.endswith("%") and _close(v, value, ROUNDING)
        for f in point
        if f.startswith(FIGURE)
    )


def gives_figures(lead: str, other: str) -> bool:
    """Whether `other` gives every distinctive figure of `lead`, exactly or rounded: an outlet that
    gives no figure, or another one, is not cited for a sentence's "$1.2 trillion" (`groups.corroborates`)."""
    theirs = figures_of(other)
    return all(_given(f, theirs) for f in figures_of(lead))


def _value(marker: str) -> float | None:
    try:
        return float(marker[len(FIGURE) :].rstrip("%"))
    except ValueError:
        return None  # a tally ("67-32") has no one value


@lru_cache(maxsize=65536)
def _plain(point: frozenset[str]) -> frozenset[str]:
    return frozenset(c for c in point if not c.startswith(("@",)) and c not in ATTRIBUTION_CONCEPTS)


def _same_figures(
    figures: frozenset[str], mine: frozenset[str], point: frozenset[str], topic: frozenset[str]
) -> bool:
    """The same figure said of the same thing: the same tally (a vote or a score), or all of a
    sentence's figures in a chosen point that shares some of its concepts too ("cost about $1.2
    million" / "the $1.2 million bill")."""
    if any(_tally(f) for f in figures & point):
        return True  # the same vote or score: "In a 67-32 vote, ..." / "Senators voted 67-32 to ..."
    if not figures or not all(_given(f, point) for f in figures):
        return False
    other = _plain(point)
    least = min(_weight(mine, topic), _weight(other, topic)) or 1.0
    return _weight(mine & other, topic) / least >= FIGURE_CONTAINMENT


@lru_cache(maxsize=65536)
def reaction_of(text: str) -> frozenset[str]:
    """Who reacts, when the sentence reports one side's reaction ("North Korea condemned the deal",
    "Pyongyang has warned ..."): the concepts of the last name before the first reaction verb
    (`core/data/reaction_verbs.txt`), outside quotations, as `REACTION` markers; empty otherwise. A
    capital and its country are one concept (`SYNONYMS`), so "Pyongyang" and "North Korea" match."""
    plain = _QUOTATION.sub(" ", text)
    verb = _REACTION.search(plain)
    if verb is None:
        return frozenset()
    names = []
    # an aside between commas names no reactor ("A senior official, as reported by KCNA, expressed
    # concerns": the official's side reacts, not the agency that reported it)
    subject = _ASIDE.sub(" ", plain[: verb.start()])
    for m in _NAME_RUN.finditer(subject.lstrip(" \"'\u201c\u2018(")):
        words = m.group(0).split()
        if m.start() == 0 and capitalised_by_position(words[0]):
            words = words[1:]  # capitalised by position only ("The", "As")
        if words:
            names.append(" ".join(words))
    return frozenset(REACTION + c for c in concepts(names[-1])) if names else frozenset()


_SAID = re.compile(
    rf",\s+(?:[^,]*?\s)?{SPEECH_VERBS}\b[^,]*$",
    re.IGNORECASE,
)
MAX_SAID_WORDS = 12  # a trailing clause this short naming a speaker is attribution ("his family said ...")
_ACCORDING = re.compile(r",\s+according\s+to\b[^,]*$", re.IGNORECASE)
MAX_ACCORDING_WORDS = 30  # "..., according to data released Tuesday by the CDC ..." names the source only


def reported(text: str) -> str:
    """What a sentence reports, its trailing attribution left out: "Powell was fully vaccinated, his
    family said in a statement" reports that Powell was fully vaccinated. Who said it is no fact of its
    own, so a telling that adds only its speaker repeats the fact."""
    if _QUOTATION.search(text):
        return text
    stripped = text.rstrip(' ."\u201d')
    m = _ACCORDING.search(stripped)
    if m is not None and len(m.group(0).split()) <= MAX_ACCORDING_WORDS:
        return text[: m.start()]
    m = _SAID.search(stripped)
    if m is None or len(m.group(0).split()) > MAX_SAID_WORDS:
        return text
    return text[: m.start()]


REQUEST = "@request:"  # marks, in a chosen point's concepts, whom the request it reports is made to
_REQUEST = re.compile(
    r"\b"
    + lexicon.alternation(lexicon.entries("request_verbs"), r"\s+")
    + r"\s+(?P<to>(?:[A-Z][\w.'\u2019-]*\s+){0,4}[A-Z][\w'\u2019-]*)(?:\s*\([^)]*\))?\s+to\b"
)


@lru_cache(maxsize=65536)
def request_of(text: str) -> frozenset[str]:
    """Whom the sentence reports a request to, as `REQUEST` markers: "the group asked McCarthy to
    file ...", "is urging Kevin McCarthy to try ..." and "pressed Minority Leader Kevin McCarthy
    (R-Calif.) to force ..." all ask McCarthy (the addressee's last name), outside quotations. One
    side's demand to one person is one fact however each outlet names who asks."""
    m = _REQUEST.search(_QUOTATION.sub(" ", text))
    return frozenset(REQUEST + c for c in concepts(m.group("to").split()[-1])) if m else frozenset()


_DESCRIBED_SUBJECT = re.compile(
    r"^(?P<subject>[^,]{3,80}?),\s+(?:a|an|the|who|whose|which)\s.+,\s+"
    r"(?P<predicate>(?:(?:has|have|had|is|was|were|are|will)\s+)?[a-z]+ed\b.*)$",
    re.DOTALL,
)
CORE_MIN = 3  # concepts a sentence's core must hold to be read on its own
CORE_CONTAINMENT = 0.75  # share of the core found in a chosen point: the same event of the same subject


def core(text: str) -> str:
    """The sentence without the description set between its subject and its verb: "Rep. Elijah
    Cummings, a Baltimore attorney ... who served in Maryland's legislature ..., has died" reports
    that Rep. Elijah Cummings has died. "" when there is no such aside."""
    m = _DESCRIBED_SUBJECT.match(reported(text).strip())
    return f"{m.group('subject')} {m.group('predicate')}" if m else ""


@lru_cache(maxsize=65536)  # every pick reads each option again
def _reading(
    text: str, topic: frozenset[str]
) -> tuple[
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    float,
    frozenset[str],
    frozenset[str],
]:
    """What `is_duplicate` reads of a point, once per point: every pick of the page tests every
    option against what is chosen so far, and every question candidate against every document."""
    reaction, figures, pairs = reaction_of(text) | request_of(text), figures_of(text), pairs_of(text)
    mine = _plain(concepts(reported(text)))
    inner = _plain(concepts(c)) if (c := core(text)) else frozenset()
    if len(inner) < CORE_MIN:
        inner = frozenset()
    dates = dates_of(text)
    remembered = mine | reaction | figures | pairs | dates
    return reaction, figures, pairs, mine, remembered, _weight(mine, topic), inner, dates


def is_duplicate(
    text: str, chosen: list[frozenset[str]], topic: frozenset[str] = frozenset()
) -> tuple[bool, frozenset[str]]:
    """Whether most of this point's concepts are already in a chosen point (or it in this one).

    Concepts that outlets commonly reword ("condemned"/"denounced", "deal"/"agreement", a capital for
    its country) weigh double, so a reworded repeat of the same act by the same actor is caught. The
    story's `topic` concepts (`coverage.topic_concepts`) weigh less on both sides: every fact of the
    story names its subject, so two facts do not become one by naming it. One side's reaction
    (`reaction_of`: "North Korea condemned ...", "Pyongyang has warned ...") is one fact, however it is
    worded, and so is one side's request to one person (`request_of`): the returned concepts carry
    their markers, so a later telling of either is a repeat. So is the same tally, and a telling
    that shares the fact's word pairs (`pairs_of`) with some of its concepts, and one whose subject
    and verb (`core`: a long description between them left out) a chosen point tells. The point is
    read by what it reports (`reported`: its trailing attribution aside).
    """
    reaction, figures, pairs, mine, remembered, weight, inner, dates = _reading(text, topic)
    for chosen_point in chosen:
        if remembered.isdisjoint(chosen_point):
            continue  # nothing in common: every test below needs a shared concept or marker
        if reaction & chosen_point or _same_figures(figures, mine, chosen_point, topic):
            return True, remembered  # the same side's reaction, or the same figure, told again
        other = _plain(chosen_point)
        if not (mine and other):
            continue
        share = _weight(mine & other, topic) / min(weight, _weight(other, topic))
        if share < PAIR_CONTAINMENT:
            continue  # below the least share either test below asks for: the common case, read first
        new_figures = _new_figures(figures, chosen_point) or _new_dates(dates, chosen_point)
        if share >= (NEW_FIGURE_CONTAINMENT if new_figures else DUPLICATE_CONTAINMENT):
            return True, remembered
        if (
            inner
            and not new_figures
            and _weight(inner & other, topic) >= CORE_CONTAINMENT * _weight(inner, topic)
        ):
            return True, remembered  # its subject and verb, past the aside between them, told again
        if not new_figures and _shared_pairs(pairs, chosen_point, topic) >= PAIR_MIN:
            return True, remembered  # the fact's words said together again, in other words around them
    return False, remembered


SPREAD_CONTAINMENT = 0.5  # share of a claim's concepts another document has anywhere: it carries the fact


@lru_cache(maxsize=65536)
def _terms_and_numbers(text: str) -> frozenset[str]:
    """A sentence's concepts and numbers, read once: every single-source candidate reads every other
    document's sentences."""
    return concepts(text) | frozenset(numbers(text))


def carried_elsewhere(claim: Claim, others: dict[str, list[str]]) -> bool:
    """Whether another document carries this claim, so that "only one source reports it" would be
    false: one of its sentences (or its headline) shares at least 40% of the claim's content terms and
    figures as printed (and three or more), or the document as a whole has at least half of them (an
    outlet spreads one fact over a quote and the sentence naming its speaker), or one of its sentences
    gives all the claim's figures (years aside) beside a word of the claim's."""
    printed = clean(claim.text)
    figures = frozenset(n for n in numbers(printed) if not is_year(n))
    mine = concepts(printed) | numbers(printed)
    need = max(3, math.ceil(0.4 * len(mine)))
    spread = max(3, math.ceil(SPREAD_CONTAINMENT * len(mine)))
    doc = claim.citations[0].doc_id
    for d, texts in others.items():
        if d == doc:
            continue
        shared = mine & _document_terms(d, tuple(texts))  # what all its sentences share with the claim
        if len(shared) >= spread:
            return True
        if len(shared) < need and not (figures and figures <= shared):
            continue  # no one sentence can share more than the whole document: nothing to read
        found = [mine & _terms_and_numbers(text) for text in texts]
        if any(len(f) >= need for f in found):
            return True
        if figures and any(figures <= f and len(f - figures) >= 1 for f in found):
            return True  # its figures, said of the same thing ("cost about $1.2 million")
    return False


@lru_cache(maxsize=4096)
def _document_terms(doc: str, texts: tuple[str, ...]) -> frozenset[str]:
    """The concepts and numbers of all of a document's sentences (`_terms_and_numbers`), read once
    for all the single-source candidates that ask about it."""
    return frozenset().union(*(_terms_and_numbers(t) for t in texts))


def says_again(text: str, said: list[frozenset[str]]) -> bool:
    """Whether most of this sentence's own concepts (weighted as in `is_duplicate`) are in one thing
    the page already says: then it adds nothing. Unlike `is_duplicate` this reads from the new
    sentence's side only, so a long sentence that answers a printed fact (a rebuttal, an unknown
    about it) still adds something; all its figures in one thing said (with some of its concepts)
    is saying it again."""
    mine, figures = concepts(text), figures_of(text)
    return bool(mine) and any(
        _weight(mine & _plain(other)) / _weight(mine) >= DUPLICATE_CONTAINMENT
        or _same_figures(figures, mine, other, frozenset())
        for other in said
    )
