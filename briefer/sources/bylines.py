"""Bylines and datelines: who wrote a piece, for which outlet, and when, read from a short line
near the top (`By X`, `X | Outlet | date`, `Updated <date>`)."""

from __future__ import annotations

import re
from typing import Any

from briefer.core import lexicon
from briefer.sources.dates import find_date, to_datetime

# fmt: off
_PARTICLES = {"de", "da", "di", "du", "van", "vanden", "von", "der", "den", "del", "ter", "la", "le", "bin", "al", "el", "ibn", "dos"}
_ROLES = re.compile(r"\b(?:correspondent|editor|reporter|writer|staff|contributor|columnist|bureau|chief)\b",
                    re.I)
_OUTLET_WORDS = re.compile(r"\b(?:news|press|times|post|journal|herald|tribune|agency|media|daily|gazette"
                           r"|telegraph|guardian|wire|network|tv|radio|live|reuters|bloomberg|today|magazine"
                           r"|chronicle|examiner|inquirer|courier|ledger|dispatch|observer|bulletin|weekly"
                           r"|insider|monitor|review|report|newshour|federalist|economist|register"
                           r"|independent|spectator|atlantic|politico|axios|breitbart|intercept|business|caller|blaze"
                           r"|standard|sentinel|digest|quarterly|(?<=\w\s)cent(?:er|re)|institute|foundation|university)\b", re.I)
_DATE_PREFIX = re.compile(r"^\s*(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)|date)"
                          r"(?:\s+on)?\s*:?", re.I)
# fmt: on
_ARTICLES = frozenset("Al El La Le Les Il Lo Der Die Das De Het".split())  # they open outlets' names
_ACRONYM = re.compile(r"[A-Z]{2,6}")  # "AP", "PBS": an outlet's, never a person's name
_BY = re.compile(r"^\s*by\s+(?=(?-i:[A-Z]))", re.I)
_BY_PART = re.compile(r"^by\s+(?=(?-i:[A-Z]))", re.I)  # "... — by Jane Doe": a by-part after the outlet
# "Outlet (Opinion) | date": a short capitalised label in brackets right after the outlet's name
_LABEL = re.compile(r"\s*\((?P<label>(?-i:[A-Z])[A-Za-z\-]+(?: [A-Za-z\-]+){0,2})\)")
_EMPHASIS = re.compile(r"^[*_\s]+|[*_\s]+$")  # Markdown `*Outlet — date — by Name*`


_CONNECTORS = frozenset("of for on and the".split())  # inside a body's name: "Voice of America"


def is_name(part: str) -> bool:
    """1-5 capitalised words (particles allowed), no digits: a person or an outlet. A connector
    ("of", "for", "on") may join two capitalised words ("Voice of America", "Council on Foreign
    Relations"); it never opens or closes a name."""
    words = part.replace("&", "and").split()
    joined = [w for i, w in enumerate(words) if 0 < i < len(words) - 1 and w in _CONNECTORS]
    return (
        0 < len(words) <= 5 + len(joined)
        and not re.search(r"\d", part)
        and all(w[0].isupper() or w.lower() in _PARTICLES or w in joined for w in words)
    )


def _uncap(name: str) -> str:
    """`JANE DOE and JOHN ROE` -> `Jane Doe and John Roe`; mixed-case names are left alone."""
    words = name.split()
    if not all(w.isupper() for w in words if w.lower() != "and"):
        return name
    return " ".join(w.lower() if w.lower() == "and" else w.title() for w in words)


def is_outlet(part: str, piped: bool) -> bool:
    """An outlet's name, not a person's: an outlet word ("Times", "Review"), an acronym ("AP", "PBS
    NewsHour"), a name opened by "The" or another language's article ("Al Jazeera", "Le Monde"),
    joined by "&" ("The Federalist", "AP Politics & Fact Check") or by "of", "for" or "on" ("Voice of
    America"), or one word beside a pipe."""
    words = part.split()
    acronym = bool(words) and bool(_ACRONYM.fullmatch(words[0]))
    return bool(
        _OUTLET_WORDS.search(part)
        or (words[:1] and words[0] in _ARTICLES and len(words) <= 3)  # "Al Jazeera", "Le Monde", "El País"
        or (acronym and (len(words) == 1 or not all(w.isupper() for w in words)))  # not "JANE DOE"
        or words[:1] == ["The"]
        or "&" in part
        or bool(re.search(r"\s(?:of|for|on)\s", part))  # "Voice of America": a body's name, no person's
        or (piped and " " not in part)
    )


def is_person(part: str) -> bool:
    """A person's name, not an outlet's: two to four words opened by a common given name
    (`core/data/given_names.txt`), with no outlet word, acronym or "&" ("Julian Zelizer", "Katrina
    vanden Heuvel"; not "Washington Free Beacon", "Al Jazeera", "Miami Herald")."""
    words = part.split()
    return (
        2 <= len(words) <= 4
        and words[0].lower() in lexicon.words("given_names")
        and not _OUTLET_WORDS.search(part)
        and "&" not in part
        and not any(_ACRONYM.fullmatch(w) for w in words)
    )


def _person_of_outlet(part: str) -> list[str]:
    """ "Jane Doe of the Daily Herald" as the person and the outlet, in that order; any other part
    as it is ("Voice of America")."""
    m = re.fullmatch(r"(?P<who>.+?)\s+of\s+(?P<outlet>(?:the\s+|The\s+)?.+)", part)
    if m and is_person(m.group("who")):
        return [m.group("who"), m.group("outlet").removeprefix("the ")]
    return [part]


def byline(line: str) -> dict[str, Any] | None:
    """Author/outlet/published of a short byline or dateline (`By X`, `X | Outlet | date`, `Updated
    <date>`), or None for anything else: a line qualifies only by a `By` prefix or a date, with every
    other part name-like, so ordinary sentences never match."""
    if len(line.split()) > 20:
        return None
    meta: dict[str, Any] = {}
    line = _EMPHASIS.sub("", line)
    labelled: str | None = None  # the name a bracketed label follows: an outlet, never a person
    if label := _LABEL.search(line):
        meta["label"] = label.group("label")
        before = re.split(r"[|•·,;]|\s[-–—]\s", line[: label.start()])[-1]
        labelled = None if _BY.match(before) else before.strip(" .:")
        line = line[: label.start()] + line[label.end() :]
    rest = line
    if date := find_date(line):
        meta["published"] = date.group(0).strip(" ,")
        meta["published_at"] = to_datetime(date)
        rest = line[: date.start()] + "|" + line[date.end() :]
    rest = _DATE_PREFIX.sub("", rest) if date else rest
    by = _BY.match(rest)
    if not (date or by):
        return None
    piped = bool(re.search(r"[|•·]", line))
    parts = [p.strip(" .:") for p in re.split(r"[|•·,;]|\s[-–—]\s", rest[by.end() :] if by else rest)]
    parts = [p for p in parts if p and not re.fullmatch(r"\d+\s*min(?:ute)?s?\s+read", p, re.I)]
    # "Outlet — date — by Name": a later part opened by "by" names the author, so the first part
    # (which no "By" opened) is the outlet, whatever its name ("Valley Courier")
    by_later = not by and any(i > 0 and _BY_PART.match(p) for i, p in enumerate(parts))
    parts = [_BY_PART.sub("", p) if i > 0 else p for i, p in enumerate(parts)]
    parts = [q for p in parts for q in _person_of_outlet(p)]
    if not all(is_name(p) for p in parts):
        return None
    authors: list[str] = []
    for i, part in enumerate(parts):
        if (
            part == labelled
            and "outlet" not in meta
            and not is_person(part)  # "Julian Zelizer (Opinion)": a columnist, who wrote the piece
            or (i > 0 or not by)
            and "outlet" not in meta
            and (is_outlet(part, piped) or (i == 0 and by_later and not _ROLES.search(part)))
        ):
            meta["outlet"] = part
            if i > 0 and _ROLES.search(parts[i - 1]) and not _OUTLET_WORDS.search(part):
                # "Guest Writer - Center (Opinion)": a role before the name files the piece under
                # both ("Center" alone is no outlet)
                meta["outlet"] = f"{parts[i - 1]} - {part}"
        elif not _ROLES.search(part) and (i == 0 or len(part.split()) > 1):  # skip roles and places
            authors.append(_uncap(part))
    if authors:
        meta["author"] = " and ".join(authors)
    return meta
