"""Figures in context: the counts a sentence states and what they count, and the words around each
figure, which tell a count from a day of the month or a clock time.

The verifier's number check (`verify.figures`) reads these: a spelled-out count the sources do not
give ("two individuals") is the writer's own counting unless the sources count the same thing
otherwise, and a figure found outside the retrieved passages is support only where a source sentence
has it among the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from briefer.core.text import (
    MONTHS,
    NUMBER_RE,
    SMALL_NUMBERS,
    SPELLED_RE,
    is_content_word,
    normalize,
    numbers,
    stem,
    words,
)


def spelled_counts(text: str, limit: int = 10) -> dict[str, str]:
    """Small counts written as words ("two individuals", "three groups"), value -> the stem of the
    word counted (the next content word, "" when none): the counts a summariser infers by counting
    what the source lists, which a figure in digits rarely is."""
    norm = normalize(text)
    out: dict[str, str] = {}
    for m in SPELLED_RE.finditer(norm):
        parts = re.split(r"[\s-]+", m.group(0).lower())
        if len(parts) != 1 or parts[0] not in SMALL_NUMBERS or not 2 <= SMALL_NUMBERS[parts[0]] <= limit:
            continue
        out[str(SMALL_NUMBERS[parts[0]])] = _unit(norm, m.end())
    return out


def _unit(norm: str, end: int) -> str:
    """The stem of the word a figure ending at `end` counts: the first content word among the next
    three, within its clause ("four of his children" -> "children"); "" when there is none."""
    clause = re.split(r"[,.;:()\[\]!?]", norm[end : end + 60], maxsplit=1)[0]
    following = [w for w in words(clause)[:3] if is_content_word(w)][:1]
    return stem(following[0]) if following else ""


def counts(text: str) -> set[tuple[str, str]]:
    """(value, stem of the word counted) for every figure but years, in digits or words: "4 children"
    and "four children" both give ("4", "children")."""
    norm = normalize(text)
    out: set[tuple[str, str]] = set()
    for pattern in (NUMBER_RE, SPELLED_RE):
        for m in pattern.finditer(norm):
            if re.fullmatch(r"(?:1[5-9]|20)\d\d", m.group(0)):
                continue  # a year dates things, it counts none
            for value in numbers(m.group(0)):
                out.add((value, _unit(norm, m.end())))
    return out


def figure_windows(text: str, window: int = 3) -> dict[tuple[str, str], frozenset[str]]:
    """Each figure of the text, with its kind -> the content words nearest it (`window` on either
    side, figures left out, stems cut to five letters so that "collected" meets "collection"): what a
    figure is about, for telling "15 people were killed" from "March 15" in another sentence.

    The kind is "day" next to a month name ("March 15", "15 March"), "time" in a clock time ("08:15"),
    else "": a day of the month or a time is never the count of something.
    """
    norm = normalize(text)
    out: dict[tuple[str, str], set[str]] = {}
    for pattern in (NUMBER_RE, SPELLED_RE):
        for m in pattern.finditer(norm):
            before, after = words(norm[: m.start()]), words(norm[m.end() :])
            kind = _figure_kind(norm, m.start(), m.end(), before[-1:], after[:1])
            around = {stem(w)[:5] for w in _content(reversed(before), window) + _content(after, window)}
            for value in numbers(m.group(0)):
                out.setdefault((value, kind), set()).update(around)
    return {k: frozenset(v) for k, v in out.items()}


def _content(tokens: Iterable[str], n: int) -> list[str]:
    """The first `n` content words of `tokens` that are not figures."""
    out: list[str] = []
    for w in tokens:
        if len(out) == n:
            break
        if is_content_word(w) and not w[:1].isdigit():
            out.append(w)
    return out


def _figure_kind(norm: str, start: int, end: int, before: list[str], after: list[str]) -> str:
    if re.match(r":\d\d", norm[end : end + 3]) or re.search(r"\d:$", norm[max(0, start - 3) : start]):
        return "time"
    if before[-1:] and before[-1] in MONTHS or after[:1] and after[0] in MONTHS:
        return "day"
    return ""
