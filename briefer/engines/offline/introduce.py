"""Who someone is, the first time the page names them: a surname the page uses alone ("During
Hegseth's visit, ...") is given its full form from the sources ("During Defense Secretary Pete
Hegseth's visit, ...") when no earlier line of the page gives it.

The full form is taken from a body sentence of a cited document, and that sentence is added to the
printed sentence's citations, so the verifier checks the added words against a span that carries
them, as it checks every other word. A surname that more than one full name ends with in the sources
("Gates" of "Bill Gates" and "Melinda Gates") is left as it is: the page must not guess who is meant.
Words only ever go in where the short form stood; nothing else in the sentence changes.
"""

from __future__ import annotations

import re
from collections import defaultdict

from briefer.core.budget import word_count
from briefer.core.models import Citation, Document, SummarySentence, cite
from briefer.core.segment import segment
from briefer.core.text import MONTHS, WEEKDAYS, month_start
from briefer.engines.offline.coverage import alone_at, full_names

Forms = dict[str, dict[str, dict[str, Citation]]]  # surname -> full form -> document id -> citation


def _full_forms(documents: list[Document]) -> Forms:
    """Surname -> full form -> the citation of the first body sentence of each document that gives
    it, over all the documents (so that an ambiguous surname is seen as such even when one document
    is cited)."""
    forms: Forms = defaultdict(lambda: defaultdict(dict))
    for doc in documents:
        for sentence in segment(doc):
            if sentence.kind != "body":
                continue
            for run in full_names(sentence.text):
                if _calendar(run, sentence.text):
                    continue
                found = forms[run[-1]][" ".join(run)]
                found.setdefault(doc.id, cite(doc, sentence.start, sentence.end))
    return forms


def _calendar(run: list[str], sentence: str) -> bool:
    """A run of capitalised words that holds a day or a date is no one's name: "wrote on Twitter
    Friday" gives no full form of "Friday", nor "Effective Nov. 8" of "Nov" ("Theresa May" is a
    name; "May 3" is a date)."""
    for word in run:
        w = word.lower()
        if w in WEEKDAYS or (w in MONTHS and w != "may"):
            return True
        if month_start(w) and re.search(rf"\b{re.escape(word)}\.?\s+\d", sentence):
            return True
    return False


def _longest(forms: dict[str, dict[str, Citation]], cited: list[str]) -> tuple[str, Citation] | None:
    """The one person the forms name: each shorter form is contained in the longest ("Pete Hegseth"
    in "Defense Secretary Pete Hegseth"); None when two forms disagree ("Bill Gates", "Melinda Gates").
    Its citation comes from a document the sentence already cites (None when none gives the form):
    another outlet's citation would make it seem to carry the sentence's fact, and add a source."""
    longest = max(forms, key=len)
    if not all(f in longest for f in forms):
        return None
    where = forms[longest]
    doc = next((d for d in cited if d in where), None)
    return (longest, where[doc]) if doc is not None else None


def _group(short: str, before: str) -> bool:
    """A plural after a lower-case word ("already worried Democrats") names a group, not a person
    whose surname ends in s; "said Jones" still names a person."""
    words = before.split()
    return short.endswith("s") and bool(words) and words[-1].islower() and words[-1] not in _SAYS


def _modifier(before: str) -> bool:
    """A surname right after an article modifies a noun ("the Trump administration", "a Biden
    aide"): it names a government or a camp, and the full form would misname it."""
    return bool(re.search(r"\b(?:the|a|an)\s$", before, re.IGNORECASE))


_SAYS = frozenset("said says told wrote writes added asked".split())


def introduce_names(
    sentences: list[SummarySentence], documents: list[Document], room: int
) -> list[SummarySentence]:
    """The page's sentences (in page order) with each surname used alone before its full form given
    in full at its first use, spending at most `room` more words on the page."""
    forms = _full_forms(documents)
    out: list[SummarySentence] = []
    said = ""
    for s in sentences:
        text, citations = s.text, list(s.citations)
        for surname, named in forms.items():
            # the substring test first: a regex per surname of every document, for every line, was a
            # compile each (thousands of names overflow the regex cache)
            if not named or surname not in text or not re.search(rf"\b{re.escape(surname)}\b", text):
                continue
            one = _longest(named, [c.doc_id for c in s.citations])
            if one is None:
                continue
            full, where = one
            known = any(f in said or f in text for f in named)
            alone = [
                m
                for m in alone_at(surname, text)
                if not _group(surname, text[: m.start()]) and not _modifier(text[: m.start()])
            ]
            cost = word_count(full) - 1
            if known or not alone or cost > room:
                continue
            m = alone[0]
            text = text[: m.start()] + full + text[m.end() :]
            room -= cost
            if where not in citations:
                citations.append(where)
        said += " " + text
        out.append(s if text == s.text else s.model_copy(update={"text": text, "citations": citations}))
    return out


_PRONOUN_SUBJECT = re.compile(r"(?P<pronoun>He|She|His|Her)\s+(?=[a-z])")


def _persons(text: str, corpus: str) -> list[str]:
    """The surnames of the people `text` names in full: runs of capitalised words (`full_names`) whose
    last word the sources also use alone and without an article, as news refers to a person after
    the first mention ("Powell said"); "the House" or "the Court" is no one's surname."""
    found: list[str] = []
    for run in full_names(text):
        surname = run[-1]
        # the six characters before a match hold any article before it and the character before that
        alone = [
            m for m in alone_at(surname, corpus) if not _modifier(corpus[max(0, m.start() - 6) : m.start()])
        ]
        if alone and surname not in found:
            found.append(surname)
    return found


def named_subject(text: str, before: str, corpus: str) -> str | None:
    """`text` with its opening pronoun ("He was fully vaccinated", "His family said") replaced by the
    surname of the one person the source's sentence just before it names ("Colin Powell died ..."),
    so the sentence stands alone; None when that sentence names no one or more than one person (the
    page must not guess who is meant). `corpus` is the sources' text, read to tell a person's surname
    from a place or a body."""
    m = _PRONOUN_SUBJECT.match(text)
    if m is None:
        return None
    people = _persons(before, corpus)
    if len(people) != 1:
        return None
    name = people[0] + ("'s" if m.group("pronoun") in ("His", "Her") else "")
    return name + text[m.end("pronoun") :]
