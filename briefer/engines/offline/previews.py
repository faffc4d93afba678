"""Previews overtaken by the news: a sentence that announces an event for a day ("will testify before
the Senate on Tuesday") beside another outlet's report of that day's event ("told lawmakers on Tuesday
that ...").

Outlets publish at different hours: one outlet's morning preview and another's afternoon report of
the same hearing are both in the folder. The preview is no open question (the event has happened: it
is no forecast a reader must wait on), and it does not lead the brief when a report of the event is
there to lead it. It may still be printed as a key point, for what it adds (the next day's hearing).

A preview is a sentence whose main clause looks ahead (`will` + verb, "is set/expected/scheduled to")
to a weekday it names. It is overtaken when another document reports that weekday's news (a sentence
naming the day that does not look ahead) and tells at least `SHARED_CONCEPTS` of the preview's other
concepts (`facts.concepts`) in sentences that do not look ahead: outlets word one hearing
differently in each sentence, so the document is read as a whole.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.models import Claim
from briefer.core.text import WEEKDAYS, stem, weekdays
from briefer.engines.offline.extract import forecasts, main_clause
from briefer.engines.offline.facts import concepts

SHARED_CONCEPTS = 3  # concepts besides the day the reporting document shares with the preview: one event
_AHEAD = re.compile(
    r"\bwill\s+(?:not\s+)?(?:\w+ly\s+)?[a-z]{3,}\b|\b(?:is|are)\s+(?:set|expected|scheduled|due|slated)\s+to\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:said|says|say|told|tells|announced|announces|warned|warns|vowed|vows|wrote|writes|pledged|"
    r"promised|according to)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"\b(?:" + "|".join(sorted(WEEKDAYS)) + r")\b", re.IGNORECASE)  # a cheap test first
_DAY_STEMS = frozenset(stem(d) for d in WEEKDAYS) | WEEKDAYS


@lru_cache(maxsize=65536)  # every Reports of a brief reads each sentence once more
def looks_ahead(text: str) -> bool:
    """Whether a sentence's main clause announces what is still to happen, in the writer's own voice:
    "will testify on Tuesday", not what someone said will happen ("Yellen told Congress that the U.S.
    will run out ...", "Taiwan will not bow to pressure, President Tsai said"), which is a statement
    made, reported as such."""
    if not _AHEAD.search(text):  # main_clause only takes words away
        return forecasts(text) and not _REPORTED.search(main_clause(text))
    clause = main_clause(text)
    return not _REPORTED.search(clause) and (bool(_AHEAD.search(clause)) or forecasts(text))


def _days_ahead(text: str) -> set[str]:
    """The weekdays of what a sentence announces: named in its main clause after the look-ahead and
    before the clause ends ("will testify ... on Tuesday"; not "will soon have a warning ..., it was
    revealed Monday", whose Monday is the day of the news)."""
    if not _AHEAD.search(text):  # main_clause only takes words away
        return set()
    clause = main_clause(text)
    m = _AHEAD.search(clause)
    if m is None or _REPORTED.search(clause):
        return set()
    return weekdays(re.split(r"[,;:]|\s(?:after|because|since|as)\s", clause[m.start() :], maxsplit=1)[0])


_AHEAD_VERB = re.compile(
    r"\b(?:will|(?:is|are)\s+(?:set|expected|scheduled|due|slated)\s+to)\s+(?:\w+ly\s+)?([a-z]{3,})\b",
    re.IGNORECASE,
)


def _verb_ahead(text: str) -> frozenset[str]:
    """The concept of the verb a forecast's main clause looks ahead to ("are expected to resume the
    search": resum), empty when the clause names none or only "be", "have" and the like."""
    m = _AHEAD_VERB.search(main_clause(text))
    if m is None or m.group(1).lower() in lexicon.words("frames/no_event_verbs"):
        return frozenset()
    return concepts(m.group(1))


def _event(text: str) -> frozenset[str]:
    return concepts(text) - _DAY_STEMS


@dataclass
class Reports:
    """Which documents report a weekday's event (a sentence naming the day that does not look ahead),
    read once per brief, and what each of them reports (`told`)."""

    by_day: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    claims: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    _told: dict[str, frozenset[str]] = field(default_factory=dict)
    _reported: dict[str, list[tuple[str, str]]] | None = None  # concept -> (doc, sentence)

    @classmethod
    def of(cls, claims: list[Claim]) -> Reports:
        out = cls()
        for c in claims:
            doc = c.citations[0].doc_id
            out.claims[doc].append(c)
            days = weekdays(c.text) if _WEEKDAY.search(c.text) else set()
            if days and not looks_ahead(c.text):
                for day in days:
                    out.by_day[day].add(doc)
        return out

    def told(self, doc: str) -> frozenset[str]:
        """The concepts of a document's sentences that do not look ahead, read on first use: only the
        documents that report a preview's day are read."""
        if doc not in self._told:
            self._told[doc] = frozenset().union(
                *(_event(c.text) for c in self.claims[doc] if not looks_ahead(c.text))
            )
        return self._told[doc]

    def overtaken(self, claim: Claim) -> bool:
        """Whether `claim` previews an event of a weekday that another document reports: that
        document reports something on that day and tells `SHARED_CONCEPTS` of the preview's concepts
        ("will testify before the Senate Armed Services Committee on Tuesday" beside "America's top
        general on Tuesday vehemently defended ..." and "Testifying before the Senate Armed Services
        Committee, Army Gen. Mark A. Milley ...")."""
        days = _days_ahead(claim.text)
        if not days:
            return self._done(claim)
        own, mine = claim.citations[0].doc_id, _event(claim.text)
        return any(
            doc != own and len(mine & self.told(doc)) >= SHARED_CONCEPTS
            for day in days
            for doc in self.by_day.get(day, ())
        )

    def _done(self, claim: Claim) -> bool:
        """Whether another document reports, in one sentence that does not look ahead, the very
        event a forecast with no day looks ahead to: its verb and `SHARED_CONCEPTS` more of its
        concepts ("Rescue teams are expected to resume the search ... once the demolition is
        complete" beside "Search crews resumed their work after ... the condo building ... was
        brought down")."""
        verb = _verb_ahead(claim.text)
        if not verb or not looks_ahead(claim.text):
            return False
        own, mine = claim.citations[0].doc_id, _event(claim.text) - verb
        return any(
            doc != own and verb <= told and len(mine & told) >= SHARED_CONCEPTS
            for doc, told in self._reporting(next(iter(verb)))
        )

    def _reporting(self, concept: str) -> list[tuple[str, frozenset[str]]]:
        """The sentences that do not look ahead and tell `concept`, each as (document, concepts),
        from an index of every sentence's concepts built on first use: a forecast reads only the
        sentences that share its verb, and only those are asked whether they look ahead."""
        if self._reported is None:
            self._reported = defaultdict(list)
            for doc, cs in self.claims.items():
                for c in cs:
                    for t in _event(c.text):
                        self._reported[t].append((doc, c.text))
        return [(doc, _event(text)) for doc, text in self._reported.get(concept, []) if not looks_ahead(text)]
