"""The evidence a sentence is checked against: cited text analysed once into sets and lookups.

Every signal of the verifier is a set or dictionary lookup on an `Evidence`: its words, content stems,
numbers, dates, names, negated words, and for alignment the stems of every word in order, per sentence
and per position. Source sentences are analysed once each (`sentence_info`, cached), since retrieval,
evidence and context all look at the same sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from briefer.core.segment import split_sentences
from briefer.core.text import (
    MONTHS,
    NEGATIONS,
    STOPWORDS,
    WEEKDAYS,
    bounded_numbers,
    content_terms,
    is_content_word,
    is_figure_word,
    may_negate,
    months,
    names,
    negated_terms,
    normalize,
    numbers,
    stem,
    words,
)

_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS | NEGATIONS)


@dataclass(frozen=True)
class Evidence:
    """The cited text, pre-analysed once so each signal is a set or dictionary lookup."""

    text: str
    terms: frozenset[str]
    numbers: frozenset[str]
    months: frozenset[str]
    names: frozenset[str]
    words: frozenset[str]
    normalized: str
    sentences: tuple[str, ...]
    negated: frozenset[str]
    weekdays: frozenset[str] = frozenset()
    bounded: frozenset[str] = frozenset()  # numbers the text itself qualifies ("at least 12")
    # Alignment: the stems of every word in order, and per sentence.
    tokens: tuple[str, ...] = ()
    sentence_tokens: tuple[tuple[str, ...], ...] = ()
    sentence_terms: tuple[frozenset[str], ...] = ()
    positions: Mapping[str, Sequence[int]] = field(default_factory=dict)  # stem -> token positions
    bigrams: frozenset[tuple[str, str]] = frozenset()
    term_sentences: Mapping[str, frozenset[int]] = field(default_factory=dict)  # stem -> sentences
    term_positions: Mapping[str, Sequence[int]] = field(default_factory=dict)  # among content words
    prefixes: frozenset[str] = frozenset()  # 5-letter prefixes of content stems: word variants
    cased: bool = True  # False for lower-cased text, where capitals cannot mark names
    spoken: str = ""  # words with contractions spelled out, for comparing quotations


def _with_parts(terms: list[str]) -> frozenset[str]:
    """Content terms plus the parts of hyphenated ones, so "co-owner" and "co - owner" meet."""
    return frozenset(terms) | {stem(p) for t in terms if "-" in t for p in t.split("-") if len(p) > 1}


def token_stems(ws: Sequence[str]) -> tuple[str, ...]:
    """Stems of every word, for comparing wording: word pairs and copied fragments.

    A hyphenated word counts as its parts, since detokenised text writes "long - term". A figure,
    however written ("40,000", "forty thousand"), is one `#`: figures are the number check's business,
    and "leaving forty thousand homes" follows "leaving 40,000 homes" word for word.
    """
    out: list[str] = []
    for w in ws:
        for p in w.split("-") if "-" in w else (w,):
            if not p:
                continue
            t = "#" if is_figure_word(p) else stem(p)
            if t != "#" or not out or out[-1] != "#":
                out.append(t)
    return tuple(out)


@dataclass(frozen=True)
class SentenceInfo:
    """One source sentence, analysed once: a check's evidence and context reuse the same sentences."""

    words: tuple[str, ...]
    tokens: tuple[str, ...]  # `token_stems`: hyphenated words as their parts, figures as "#"
    terms: frozenset[str]
    numbers: frozenset[str]
    bounded: frozenset[str]
    months: frozenset[str]
    names: frozenset[str]
    negated: frozenset[str]


@lru_cache(maxsize=65536)
def sentence_info(text: str) -> SentenceInfo:
    """A source sentence's words, stems, terms, figures and names; cached, since retrieval, evidence
    and context all look at the same sentences."""
    ws = tuple(words(text))
    tokens = token_stems(ws)
    despaced = _SPACED_SEPARATOR.sub(r"\1\2\3", text)  # "235, 000", "98. 7" in detokenised text
    return SentenceInfo(
        words=ws,
        tokens=tokens,
        terms=_with_parts([stem(w) for w in ws if is_content_word(w)]),
        numbers=frozenset(numbers(text) | (numbers(despaced) if despaced != text else set())),
        bounded=frozenset(bounded_numbers(despaced)),
        months=frozenset(months(text)) if MONTHS.intersection(ws) else frozenset(),
        names=frozenset(names(text)),
        negated=(frozenset(negated_terms(text)) if may_negate(ws) else frozenset()),
    )


_CONTRACTED = {"n't": "not", "ca": "can", "wo": "will"}


def spoken_text(ws: Sequence[str]) -> str:
    """Words only, contractions spelled out: "didn't get" and "did not get" quote the same words."""
    out = [
        _CONTRACTED[w] if w in _CONTRACTED and (w == "n't" or (i + 1 < len(ws) and ws[i + 1] == "n't")) else w
        for i, w in enumerate(ws)
    ]
    return " " + " ".join(out) + " "


def analyse(spans: list[str]) -> Evidence:
    """Analyse cited spans (each split into sentences) as one body of evidence."""
    sentences = tuple(span[s:e] for span in spans for s, e in split_sentences(span) if e > s) or tuple(spans)
    return analyse_sentences(sentences, "\n".join(spans))


def analyse_sentences(sentences: Sequence[str], text: str | None = None) -> Evidence:
    """Evidence from text already split into sentences (`briefer check` splits sources once)."""
    infos = [sentence_info(s) for s in sentences]
    text = "\n".join(sentences) if text is None else text
    tokens = tuple(t for info in infos for t in info.tokens)
    positions: dict[str, list[int]] = {}
    for i, t in enumerate(tokens):
        positions.setdefault(t, []).append(i)
    term_sentences: dict[str, set[int]] = {}
    for i, info in enumerate(infos):
        for t in info.terms:
            term_sentences.setdefault(t, set()).add(i)
    term_positions: dict[str, list[int]] = {}
    for i, t in enumerate(t for t in tokens if t not in _STOP_STEMS):
        term_positions.setdefault(t, []).append(i)
    all_words = frozenset(w for info in infos for w in info.words)
    terms = frozenset(t for info in infos for t in info.terms)
    return Evidence(
        text=text,
        terms=terms,
        numbers=frozenset(n for info in infos for n in info.numbers),
        bounded=frozenset(n for info in infos for n in info.bounded),
        months=frozenset(m for info in infos for m in info.months),
        names=frozenset(n for info in infos for n in info.names),
        words=all_words,
        normalized=normalize(text).lower(),
        spoken=spoken_text([w for info in infos for w in info.words]),
        sentences=tuple(sentences),
        negated=frozenset(n for info in infos for n in info.negated),
        weekdays=frozenset(all_words & WEEKDAYS),
        tokens=tokens,
        sentence_tokens=tuple(info.tokens for info in infos),
        sentence_terms=tuple(info.terms for info in infos),
        positions=positions,
        bigrams=frozenset(zip(tokens, tokens[1:], strict=False)),
        term_sentences={t: frozenset(s) for t, s in term_sentences.items()},
        term_positions=term_positions,
        prefixes=frozenset(t[:5] for t in terms if len(t) >= 5),
        cased=any(c.isupper() for c in text),
    )


_SPACED_SEPARATOR = re.compile(r"(\d)([.,]) (\d{1,3})(?!\d)")


def has_term(term: str, terms: frozenset[str]) -> bool:
    """A content term is present as is, or as all the parts of a hyphenated word ("co-owner")."""
    if term in terms:
        return True
    parts = [p for p in term.split("-") if len(p) > 1 and is_content_word(p)] if "-" in term else []
    return bool(parts) and all(stem(p) in terms for p in parts)


def coverage(sentence: str, evidence: Evidence) -> float:
    terms = content_terms(sentence)
    if not terms:
        return 1.0
    return sum(1 for t in terms if has_term(t, evidence.terms)) / len(terms)


def best_index(terms: set[str], evidence: Evidence) -> tuple[int, float]:
    """The evidence sentence sharing the most content words with the sentence, and that share."""
    best, best_score = -1, 0.0
    for i, cand in enumerate(evidence.sentence_terms):
        overlap = len(terms & cand) / max(1, len(terms))
        if overlap > best_score:
            best, best_score = i, overlap
    return best, best_score
