"""Stage 4: check every summary sentence against the spans it cites, deterministically.

Both engines share this verifier, and it runs before any model judge; `briefer check` runs it on
drafts written elsewhere. A sentence is printed as fact only when its label is `supported`.

The signals (docs/VERIFIER.md says what each one catches and misses):

1. every citation resolves: the document exists and its text at [start:end] equals the quote;
2. numbers, dates (months, weekdays), names and quoted strings in the sentence occur in the evidence
   (after the normalisation in `briefer.text`: Unicode quotes and dashes, `U.S.`/`US`, spelled-out
   numbers); a different figure where the evidence gives one is a contradiction;
3. negation and antonyms (a general list plus `un-`/`non-` prefixes) agree with the best-aligned
   source sentence;
4. content: the share of the sentence's content words in the evidence, in the single best-aligned
   sentence, and anywhere in the sources; words found nowhere (not even as a variant);
5. alignment: whether the sentence's wording follows the source (shared word pairs, copied
   fragments) and whether words that sit together in it also sit together in one source sentence:
   the signal for the commonest error of extractive systems, true fragments spliced into a false claim;
6. framing: a claim taken out of a source frame that denies or doubts it ("rumours that X are false",
   "critics claim X", "the alleged X") is not a fact; a plain "said" is no such frame.

A small logistic model (weights in `weights.json`, trained by `bench/train_verifier.py` on
the tuning halves of human-labelled benchmarks only) turns the signals into the support score; the
label also needs every hard check to pass.

`check_text(sentence, evidence)` judges against cited spans (the pipeline); `briefer check` also
passes `context`, the whole text of the cited sources, so a name that is in the article but not in the
best-matching passage lowers the score instead of failing the sentence outright.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from briefer.core.models import (
    Document,
    Draft,
    Label,
    OpenQuestion,
    SummarySentence,
    Verdict,
    citation_problem,
)
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
    negated_heads,
    negated_terms,
    normalize,
    numbers,
    quotations,
    split_sentences,
    stem,
    words,
)

SUPPORTED_COVERAGE = 0.8
PARTIAL_COVERAGE = 0.5
HARD_PENALTY = 0.5  # each failed hard check halves the score...
CONTRADICTION_PENALTY = 0.3  # ...and each contradiction keeps less than a third of it

# General-purpose opposites (both directions are added). Words whose other sense is common in news
# ("left", "right", "light", "back", "over") are left out: a false contradiction costs a true sentence.
ANTONYM_PAIRS = [
    ("increase", "decrease"),
    ("increase", "decline"),
    ("increase", "drop"),
    ("increase", "reduce"),
    ("increase", "cut"),
    ("rise", "fall"),
    ("rose", "fell"),  # irregular forms do not stem together
    ("rose", "drop"),
    ("rose", "decline"),
    ("increase", "fell"),
    ("grew", "shrank"),
    ("grew", "fell"),
    ("gain", "lost"),
    ("began", "ended"),
    ("rise", "drop"),
    ("rise", "decline"),
    ("raise", "lower"),
    ("raise", "cut"),
    ("grow", "shrink"),
    ("growth", "decline"),
    ("surge", "plunge"),
    ("soar", "plunge"),
    ("boost", "cut"),
    ("gain", "loss"),
    ("gain", "lose"),
    ("profit", "loss"),
    ("surplus", "deficit"),
    ("win", "lose"),
    ("won", "lost"),
    ("winner", "loser"),
    ("victory", "defeat"),
    ("success", "failure"),
    ("succeed", "fail"),
    ("pass", "fail"),
    ("accept", "reject"),
    ("accept", "refuse"),
    ("approve", "reject"),
    ("approve", "veto"),
    ("support", "oppose"),
    ("agree", "disagree"),
    ("allow", "ban"),
    ("allow", "forbid"),
    ("allow", "prohibit"),
    ("permit", "ban"),
    ("legal", "illegal"),
    ("lawful", "unlawful"),
    ("voluntary", "mandatory"),
    ("voluntary", "compulsory"),
    ("optional", "mandatory"),
    ("before", "after"),
    ("earlier", "later"),
    ("early", "late"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("high", "low"),
    ("up", "down"),
    ("above", "below"),
    ("upper", "lower"),
    ("top", "bottom"),
    ("maximum", "minimum"),
    ("majority", "minority"),
    ("guilty", "innocent"),
    ("convicted", "acquitted"),
    ("arrested", "released"),
    ("detained", "released"),
    ("confirm", "deny"),
    ("admit", "deny"),
    ("praise", "criticise"),
    ("praise", "criticize"),
    ("praise", "condemn"),
    ("welcome", "condemn"),
    ("love", "hate"),
    ("like", "dislike"),
    ("open", "close"),
    ("open", "shut"),
    ("opened", "closed"),
    ("start", "end"),
    ("start", "stop"),
    ("begin", "end"),
    ("launch", "cancel"),
    ("resume", "suspend"),
    ("continue", "stop"),
    ("continue", "halt"),
    ("impose", "lift"),
    ("tighten", "loosen"),
    ("tighten", "ease"),
    ("expand", "shrink"),
    ("expand", "contract"),
    ("strengthen", "weaken"),
    ("strong", "weak"),
    ("stronger", "weaker"),
    ("first", "last"),
    ("new", "old"),
    ("young", "old"),
    ("younger", "older"),
    ("big", "small"),
    ("bigger", "smaller"),
    ("large", "small"),
    ("larger", "smaller"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("long", "short"),
    ("longer", "shorter"),
    ("fast", "slow"),
    ("faster", "slower"),
    ("rich", "poor"),
    ("wealthy", "poor"),
    ("cheap", "expensive"),
    ("easy", "difficult"),
    ("safe", "dangerous"),
    ("true", "false"),
    ("correct", "incorrect"),
    ("wrong", "correct"),
    ("always", "never"),
    ("alive", "dead"),
    ("survive", "die"),
    ("survived", "died"),
    ("present", "absent"),
    ("full", "empty"),
    ("hot", "cold"),
    ("warm", "cold"),
    ("wet", "dry"),
    ("day", "night"),
    ("morning", "evening"),
    ("male", "female"),
    ("man", "woman"),
    ("men", "women"),
    ("boy", "girl"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("husband", "wife"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
    ("inside", "outside"),
    ("internal", "external"),
    ("indoor", "outdoor"),
    ("domestic", "foreign"),
    ("public", "private"),
    ("publicly", "privately"),
    ("publicly", "secretly"),
    ("openly", "secretly"),
    ("temporary", "permanent"),
    ("import", "export"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("buyer", "seller"),
    ("lend", "borrow"),
    ("hire", "fire"),
    ("employer", "employee"),
    ("attack", "defend"),
    ("offensive", "defensive"),
    ("ally", "enemy"),
    ("friend", "enemy"),
    ("peace", "war"),
    ("peaceful", "violent"),
    ("add", "remove"),
    ("install", "remove"),
    ("include", "exclude"),
    ("join", "leave"),
    ("enter", "exit"),
    ("arrive", "depart"),
    ("send", "receive"),
    ("give", "take"),
    ("push", "pull"),
    ("positive", "negative"),
    ("optimistic", "pessimistic"),
    ("good", "bad"),
    ("better", "worse"),
    ("best", "worst"),
    ("possible", "impossible"),
    ("likely", "unlikely"),
    ("able", "unable"),
    ("known", "unknown"),
    ("certain", "uncertain"),
    ("stable", "unstable"),
    ("armed", "unarmed"),
    ("employed", "unemployed"),
    ("official", "unofficial"),
    ("conservative", "liberal"),
    ("republican", "democrat"),
    ("rural", "urban"),
    ("minor", "major"),
    ("ahead", "behind"),
    ("forward", "backward"),
]
ANTONYMS = {a: b for pair in ANTONYM_PAIRS for a, b in (pair, pair[::-1])}  # one opposite per word


def _opposite_stems() -> dict[str, frozenset[str]]:
    """Every opposite of every word, by stem (a word can have several: "rose"/"fell", "rose"/"drop")."""
    out: dict[str, set[str]] = {}
    for pair in ANTONYM_PAIRS:
        for a, b in (pair, pair[::-1]):
            out.setdefault(stem(a), set()).add(stem(b))
    return {a: frozenset(b - {a}) for a, b in out.items() if b - {a}}


OPPOSITES = _opposite_stems()
_NEGATING_PREFIXES = ("un", "non", "non-")
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


def _spoken(ws: Sequence[str]) -> str:
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
        spoken=_spoken([w for info in infos for w in info.words]),
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


def _admit(
    x: str, bounds: tuple[float, float], values: frozenset[str], qualified: frozenset[str]
) -> frozenset[str]:
    """`values`, plus `x` when an exact one of them lies within the bounds a qualifier gave it.

    A source figure that is itself a bound does not count: "at least 12" and "at least 15" are two
    counts of one toll, a dispute to show, not one figure rounded.
    """
    low, high = bounds
    return values | {x} if any(low <= float(v) <= high for v in values - qualified) else values


def _has(term: str, terms: frozenset[str]) -> bool:
    """A content term is present as is, or as all the parts of a hyphenated word ("co-owner")."""
    if term in terms:
        return True
    parts = [p for p in term.split("-") if len(p) > 1 and is_content_word(p)] if "-" in term else []
    return bool(parts) and all(stem(p) in terms for p in parts)


def coverage(sentence: str, evidence: Evidence) -> float:
    terms = content_terms(sentence)
    if not terms:
        return 1.0
    return sum(1 for t in terms if _has(t, evidence.terms)) / len(terms)


def _best_index(terms: set[str], evidence: Evidence) -> tuple[int, float]:
    """The evidence sentence sharing the most content words with the sentence, and that share."""
    best, best_score = -1, 0.0
    for i, cand in enumerate(evidence.sentence_terms):
        overlap = len(terms & cand) / max(1, len(terms))
        if overlap > best_score:
            best, best_score = i, overlap
    return best, best_score


def _best_aligned(sentence: str, evidence: Evidence) -> tuple[str, float]:
    """The source sentence sharing the most content words with the summary sentence."""
    i, overlap = _best_index(set(content_terms(sentence)), evidence)
    return (evidence.sentences[i] if i >= 0 else ""), overlap


def _name_found(name: str, evidence: Evidence) -> bool:
    if name in evidence.names or name.rstrip("#") in evidence.words or name in evidence.words:
        return True
    parts = [p for p in name.split("-") if p]
    if len(parts) > 1 and all(p in evidence.words for p in parts):  # "Al-Shabaab" vs "al - shabaab"
        return True
    return not name.endswith("#") and any(_variants(name, known) for known in evidence.names)


def _variants(a: str, b: str) -> bool:
    """ "Chinese" and "China", "Russian" and "Russia", "Iraqi" and "Iraq" (but not "Iran" and "Iraq").

    The shorter name, less its last letter when it has five or more, must begin the longer one.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4 or short.endswith("#") or long.endswith("#"):
        return False
    return long.startswith(short[:-1] if len(short) >= 5 else short)


_FIRST_WORD = re.compile(r"^\W*([A-Za-z][\w'\-]*)[,;:]?\s+(\S)")


def claimed_names(sentence: str, source_text: str = "") -> set[str]:
    """Names the sentence asserts.

    Its first word is capitalised by position alone, so it is no name when it is an "-ly" adverb
    ("Previously") or occurs in lower case in the source ("Shares" for "shares"), unless a capitalised
    word follows ("Pete Hegseth said").
    """
    found = names(sentence)
    first = _FIRST_WORD.match(normalize(sentence))
    if first and not first.group(2)[0].isupper() and not first.group(1).isupper():
        word = first.group(1).lower().removesuffix("'s")
        if word.endswith("ly") or re.search(r"\b" + re.escape(word) + r"\b", source_text):
            found.discard(word)
    return found


def _shown(name: str) -> str:
    return name.rstrip("#").upper() if name.endswith("#") else name.title()


# --- alignment signals -------------------------------------------------------------------------------


def fragments(
    tokens: tuple[str, ...], source: tuple[str, ...], positions: Mapping[str, tuple[int, ...]]
) -> list[int]:
    """Lengths of the greedy longest copied fragments of `tokens` in `source` (Grusky et al., 2018).

    A faithful extractive sentence is one or two long fragments; a spliced one is many short ones.
    """
    out: list[int] = []
    i = 0
    while i < len(tokens):
        best = 0
        for j in positions.get(tokens[i], ()):
            k = 1
            while i + k < len(tokens) and j + k < len(source) and tokens[i + k] == source[j + k]:
                k += 1
            best = max(best, k)
        if best:
            out.append(best)
            i += best
        else:
            i += 1
    return out


def _near(a: str, b: str, evidence: Evidence, window: int = 4) -> bool:
    pa = evidence.term_positions.get(a, ())
    pb = evidence.term_positions.get(b, ())
    return any(abs(i - j) <= window for i in pa for j in pb)


def _opposed(
    sentence_words: list[str], aligned_words: Sequence[str], evidence: set[str]
) -> list[tuple[str, str]]:
    """(sentence word, source word) pairs where the sentence has the opposite of the aligned sentence.

    A word that occurs anywhere in the evidence is not a swap (the source uses it too), and stopwords
    only count when they are themselves in the list ("more"/"less", "before"/"after").
    """
    aligned = {stem(w): w for w in aligned_words}
    found: list[tuple[str, str]] = []
    for w in dict.fromkeys(sentence_words):
        s = stem(w)
        content = is_content_word(w)
        if s in evidence or not (content or w in ANTONYMS):
            continue
        opposites = OPPOSITES.get(s, frozenset())
        found.extend((w, aligned[o]) for o in sorted(opposites & aligned.keys()))
        for p in _NEGATING_PREFIXES if content else ():
            if p.rstrip("-") in aligned:  # "non - binary" split by tokenisation
                continue
            base = s[len(p) :]
            if s.startswith(p) and len(base) >= 4 and base in aligned:
                found.append((w, aligned[base]))
            if len(s) >= 4 and p + s in aligned:
                found.append((w, aligned[p + s]))
    return found


# --- framing ---------------------------------------------------------------------------------------
# A source sentence can carry a claim without asserting it: "Rumours that X are false", "Critics claim
# X", "the alleged X". A summary sentence that keeps X but drops the frame turns a denial or a doubt
# into a plain fact. Only frames that negate or cast doubt count: news summaries routinely drop a plain
# "said" ("Police said 12 people died" -> "12 people died"), and that stays supported.

_DOUBT_NOUNS = frozenset("rumour rumours rumor rumors allegation allegations speculation hoax".split())
_CLAIM_VERBS = frozenset(
    "claim claims claimed claiming allege alleges alleging accuse accuses accused accusing".split()
)
_SAY_VERBS = frozenset(["say", "says"])
_DOUBT_MODIFIERS = frozenset(
    """alleged allegedly purported purportedly supposedly unconfirmed unverified unsubstantiated rumoured
    rumored""".split()
)
_DENIAL_VERBS = frozenset("deny denies denied denying".split())
_DISMISS_VERBS = frozenset("dismiss dismissed dismisses rejected rejects refuted refutes debunked".split())
_REPORT_NOUNS = frozenset(
    """report reports suggestion suggestions story stories idea notion claim claims speculation rumour
    rumours rumor rumors allegation allegations""".split()
)
_FALSITY = frozenset(
    """false untrue unfounded baseless groundless wrong incorrect inaccurate fake nonsense denied
    dismissed rejected refuted debunked""".split()
)
_NO_GROUNDS = frozenset("evidence proof indication sign".split())  # "there is no evidence that X"
_DOUBT_SUBJECTS = frozenset(
    """critics critic opponents opponent detractors sceptics skeptics rivals they some theorists
    rumours rumors""".split()
)
_IMPERATIVE_BEFORE = frozenset(["and", "please", "then", "now", "just"])
# What keeps a frame in the summary sentence: any word that reports, hedges or denies.
_KEEPS_DOUBT = (
    _DOUBT_NOUNS
    | _CLAIM_VERBS
    | _SAY_VERBS
    | _DOUBT_MODIFIERS
    | _REPORT_NOUNS
    | _DENIAL_VERBS
    | _FALSITY
    | frozenset(
        """said saying according reportedly reported suspected suspect charged believed insist insists
        insisted argue argues argued suggest suggests suggested may might could possibly critics critic
        opponents opponent detractors sceptics skeptics rivals""".split()
    )
)
_KEEPS_DENIAL = (
    NEGATIONS | _DENIAL_VERBS | _DISMISS_VERBS | _FALSITY | _DOUBT_NOUNS | _DOUBT_MODIFIERS | _CLAIM_VERBS
)  # "his office said X" keeps no denial
_FRAME_CUES = (
    _DOUBT_NOUNS
    | _CLAIM_VERBS
    | _SAY_VERBS
    | _DOUBT_MODIFIERS
    | _DENIAL_VERBS
    | _DISMISS_VERBS
    | _FALSITY
    | _NO_GROUNDS
    | {"true"}
)


@dataclass(frozen=True)
class Frame:
    """A stretch of a source sentence that the sentence reports, denies or doubts rather than asserts."""

    kind: str  # "denial" or "doubt"
    cue: str
    scope: frozenset[str]  # content stems under the frame
    head: str = ""  # for a modifier ("the alleged killer"): the word it hedges


def _content_stems(tokens: Sequence[str]) -> frozenset[str]:
    return frozenset(stem(t) for t in tokens if is_content_word(t))


def _falsity_at(tokens: Sequence[str], start: int) -> int:
    """Index of a word after `start` that calls what came before false ("... are false", "not true")."""
    for j in range(start, len(tokens)):
        if tokens[j] in _FALSITY or (tokens[j] == "true" and j and tokens[j - 1] in ("not", "n't")):
            return j
    return -1


def _claims(tokens: Sequence[str], i: int) -> bool:
    """ "claimed that X", "accused of X", "critics claim X" (not "claimed responsibility", "claimed lives")."""
    return tokens[i] in _CLAIM_VERBS and (
        tokens[i + 1 : i + 2] in (["that"], ["of"])
        or bool(_DOUBT_SUBJECTS.intersection(tokens[max(0, i - 3) : i]))
    )


def _says(tokens: Sequence[str], i: int) -> bool:
    """ "they say (that) X", "critics say X", or an order: "... and say that X" (not "officials say X")."""
    return tokens[i] in _SAY_VERBS and (
        bool(_DOUBT_SUBJECTS.intersection(tokens[max(0, i - 2) : i]))
        or i == 0
        or tokens[i - 1] in _IMPERATIVE_BEFORE
    )


def _denies(tokens: Sequence[str], i: int) -> bool:
    """ "denied that X", "it is not true that X", "it is false that X", "there is no evidence that X"."""
    t, after = tokens[i], tokens[i + 1 : i + 3]
    if t in _DENIAL_VERBS:
        return after[:1] == ["that"]
    return "that" in after and (
        t in ("false", "untrue", "unfounded", "baseless")
        or (t == "true" and tokens[i - 1 : i] in (["not"], ["n't"]))
        or (t in _NO_GROUNDS and "no" in tokens[max(0, i - 3) : i])
    )


@lru_cache(maxsize=16384)
def frames(text: str) -> tuple[Frame, ...]:
    """The denial and doubt frames of one source sentence (empty for almost every sentence)."""
    out: list[Frame] = []
    for part in re.split(r";|\s-\s", text):
        tokens = words(part)
        if not _FRAME_CUES.intersection(tokens):
            continue
        for i, t in enumerate(tokens):
            before = tokens[max(0, i - 3) : i]
            after = tokens[i + 1 : i + 4]
            rest = tokens[i + 1 :]
            if t in _DOUBT_NOUNS or (t in _REPORT_NOUNS and after[:1] == ["that"]):
                end = _falsity_at(tokens, i + 1)
                denied = end >= 0 or any(w in _DENIAL_VERBS | _DISMISS_VERBS for w in before)
                if denied:
                    out.append(Frame("denial", t, _content_stems(tokens[i + 1 : end if end > i else None])))
                elif t in _DOUBT_NOUNS or t in ("claim", "claims"):
                    out.append(Frame("doubt", t, _content_stems(rest)))
            elif _claims(tokens, i) or _says(tokens, i):
                out.append(Frame("doubt", t, _content_stems(rest)))
            elif t in _DOUBT_MODIFIERS:
                if "that" in after:
                    out.append(Frame("doubt", t, _content_stems(rest)))
                else:
                    head = next((w for w in after if is_content_word(w)), "")
                    if head:
                        out.append(Frame("doubt", t, frozenset([stem(head)]), head=stem(head)))
            elif _denies(tokens, i):
                out.append(Frame("denial", t, _content_stems(rest)))
    return tuple(out)


def lifted_frame(sentence_words: Sequence[str], terms: set[str], source_sentence: str) -> Frame | None:
    """The frame of `source_sentence` that the summary sentence drops while keeping what it frames.

    The sentence must take its matching words (three quarters of those it shares with the source
    sentence) from under the frame, or the very word a modifier hedges, and carry no word of its own
    that reports, hedges or denies ("claim", "rumour", "alleged", "not", "said"...).
    """
    found = frames(source_sentence)
    if not found:
        return None
    shared = terms & sentence_info(source_sentence).terms
    said = set(sentence_words)
    for f in found:
        if said & (_KEEPS_DENIAL if f.kind == "denial" else _KEEPS_DOUBT):
            continue
        if f.head:
            if f.head in terms:
                return f
        elif shared and len(shared & f.scope) >= 0.75 * len(shared):
            return f
    return None


def _aligned_names(claimed: Sequence[str], aligned_text: str) -> float:
    """Share of the sentence's names that its best-aligned source sentence has: an entity swapped in
    from elsewhere in the article ("Smith" for "Jones") is in the sources, but not in this sentence."""
    if not claimed:
        return 1.0
    info = sentence_info(aligned_text)
    found = sum(1 for n in claimed if n in info.names or n in info.words or n.rstrip("#") in info.words)
    return found / len(claimed)


def _dropped_frame(sentence: str, terms: set[str], evidence: Evidence, best: int) -> Frame | None:
    """A frame the sentence drops from its best-aligned source sentence, unless another sentence of
    the evidence that matches as well states the same thing without one."""
    ws = words(sentence)
    frame = lifted_frame(ws, terms, evidence.sentences[best])
    if frame is None:
        return None
    top = len(terms & evidence.sentence_terms[best])
    for i, cand in enumerate(evidence.sentence_terms):
        if i != best and len(terms & cand) >= top and lifted_frame(ws, terms, evidence.sentences[i]) is None:
            return None
    return frame


@dataclass
class Signals:
    """Everything the verifier measured about one sentence: features for the score, reasons for people."""

    features: dict[str, float]
    coverage: float
    contradictions: list[str]
    hard: list[str]
    soft: list[str]


FEATURES = (
    "coverage",  # content words in the evidence
    "context_coverage",  # ... anywhere in the sources
    "aligned_coverage",  # ... in the single best-aligned sentence
    "novel",  # content words found nowhere in the sources, not even as a variant (capped)
    "aligned_bigrams",  # share of the sentence's word pairs found in the best-aligned sentence
    "context_bigrams",  # ... anywhere in the sources
    "density",  # mean squared length of copied fragments, relative to the sentence
    "aligned_fragments",  # share of the sentence in fragments of 2+ words copied from the aligned sentence
    "pairs_near",  # neighbouring content words that are also near each other in the sources
    "pairs_sentence",  # ... that occur in one source sentence
    "names_missing",  # names nowhere in the sources
    "names_missing_evidence",  # names not in the evidence spans
    "figures_missing",  # numbers and dates nowhere in the sources
    "figures_missing_evidence",
    "contradictions",  # negation, antonym and changed figures
    "length",  # log of the number of words
    "aligned_names",  # share of the sentence's names that are in the best-aligned sentence
)


def signals(sentence: str, evidence: Evidence, context: Evidence | None = None) -> Signals:
    """Measure one sentence against its evidence (and the whole source text, when there is one)."""
    ctx = context or evidence
    hard: list[str] = []
    soft: list[str] = []
    contradictions: list[str] = []
    where = "cited span" if context is None else "sources"

    figures_missing = figures_missing_evidence = 0
    bounded = bounded_numbers(sentence)
    for kind, found, in_ctx, in_ev in (
        ("number", numbers(sentence), ctx.numbers, evidence.numbers),
        ("date", months(sentence), ctx.months, evidence.months),
        ("day", {w for w in words(sentence) if w in WEEKDAYS}, ctx.weekdays, evidence.weekdays),
    ):
        for x in sorted(found):
            shown = x if kind == "number" else f'"{x.title()}"'
            ctx_values, ev_values = in_ctx, in_ev
            if kind == "number" and x in bounded:  # "more than 100": any source value in range will do
                ctx_values = _admit(x, bounded[x], in_ctx, ctx.bounded)
                ev_values = _admit(x, bounded[x], in_ev, evidence.bounded)
            if x not in ctx_values:
                figures_missing += 1
                (contradictions if ev_values else hard).append(f"{kind} {shown} not in {where}")
            elif x not in ev_values:
                figures_missing_evidence += 1
                soft.append(f"{kind} {shown} is in the sources but not in the best-matching passage")

    names_missing = names_missing_evidence = 0
    claimed = sorted(claimed_names(sentence, ctx.text)) if evidence.cased or context is None else []
    for name in claimed:
        if not _name_found(name, ctx):
            names_missing += 1
            hard.append(f'name "{_shown(name)}" not in {where}')
        elif not _name_found(name, evidence):
            names_missing_evidence += 1
            soft.append(f'name "{_shown(name)}" is in the sources but not in the best-matching passage')
    for q in quotations(sentence):
        if normalize(q).lower() not in ctx.normalized and _spoken(words(q)) not in ctx.spoken:
            hard.append(f'quotation "{q[:40]}" not in {where}')

    terms_list = content_terms(sentence)
    terms = set(terms_list)
    best, overlap = _best_index(terms, evidence)
    aligned_terms = evidence.sentence_terms[best] if best >= 0 else frozenset()
    aligned_tokens = evidence.sentence_tokens[best] if best >= 0 else ()
    aligned_text = evidence.sentences[best] if best >= 0 else ""
    # A negation's head word must be negated on the other side too (within the wider scope there).
    inserted = negated_heads(sentence) - evidence.negated
    removed = (negated_heads(aligned_text) & terms) - negated_terms(sentence)
    if (inserted & evidence.terms) or (overlap >= 0.5 and removed):
        contradictions.append("negation mismatch")
    tokens = token_stems(words(sentence))
    frame = _dropped_frame(sentence, terms, evidence, best) if overlap >= 0.5 else None
    if frame and frame.kind == "denial":
        contradictions.append(f'the source denies it ("{frame.cue}"), the sentence states it as fact')
    elif frame:
        hard.append(f'the source only reports it as a claim ("{frame.cue}"), the sentence states it as fact')
    if overlap >= 0.5:
        for w, o in _opposed(words(sentence), words(aligned_text), set(evidence.tokens)):
            contradictions.append(f'"{w}" where the source says "{o}"')

    n = max(1, len(terms_list))
    cov = sum(1 for t in terms_list if _has(t, evidence.terms)) / n if terms_list else 1.0
    novel_words = [  # figures are the number check's business
        t
        for t in terms_list
        if not t[:1].isdigit() and not _has(t, ctx.terms) and (len(t) < 5 or t[:5] not in ctx.prefixes)
    ]
    pairs = list(zip(terms_list, terms_list[1:], strict=False))
    bigrams = list(zip(tokens, tokens[1:], strict=False))
    length = max(1, len(tokens))
    context_fragments = fragments(tokens, ctx.tokens, ctx.positions)
    aligned_positions: dict[str, list[int]] = {}
    for i, t in enumerate(aligned_tokens):
        aligned_positions.setdefault(t, []).append(i)
    aligned_fragments = fragments(tokens, aligned_tokens, {t: tuple(p) for t, p in aligned_positions.items()})
    aligned_bigrams = set(zip(aligned_tokens, aligned_tokens[1:], strict=False))
    features = {
        "coverage": cov,
        "context_coverage": sum(1 for t in terms_list if _has(t, ctx.terms)) / n if terms_list else 1.0,
        "aligned_coverage": sum(1 for t in terms_list if _has(t, aligned_terms)) / n if terms_list else 1.0,
        "novel": float(min(3, len(novel_words))),
        "aligned_bigrams": sum(1 for b in bigrams if b in aligned_bigrams) / len(bigrams) if bigrams else 1.0,
        "context_bigrams": sum(1 for b in bigrams if b in ctx.bigrams) / len(bigrams) if bigrams else 1.0,
        "density": sum(f * f for f in context_fragments) / length / length,
        "aligned_fragments": sum(f for f in aligned_fragments if f >= 2) / length,
        "pairs_near": sum(1 for a, b in pairs if _near(a, b, ctx)) / len(pairs) if pairs else 1.0,
        "pairs_sentence": (
            sum(
                1
                for a, b in pairs
                if ctx.term_sentences.get(a, frozenset()) & ctx.term_sentences.get(b, frozenset())
            )
            / len(pairs)
            if pairs
            else 1.0
        ),
        "names_missing": float(min(2, names_missing)),
        "names_missing_evidence": float(min(2, names_missing_evidence)),
        "figures_missing": float(min(2, figures_missing)),
        "figures_missing_evidence": float(min(2, figures_missing_evidence)),
        "contradictions": float(min(2, len(contradictions))),
        "length": math.log1p(len(tokens)),
        "aligned_names": _aligned_names(claimed, aligned_text),
    }
    if novel_words and not hard:
        shown = [w for w in words(sentence) if stem(w) in set(novel_words)]
        soft.append("not in the sources: " + ", ".join(dict.fromkeys(shown[:4])))
    if features["pairs_sentence"] < 0.5 and cov >= SUPPORTED_COVERAGE:
        soft.append("joins words that never occur together in one source sentence")
    return Signals(features, cov, contradictions, hard, soft)


# --- the score ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scorer:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    supported: float  # label thresholds on the score (see bench/train_verifier.py)
    partial: float

    @classmethod
    def from_weights(cls, data: Mapping[str, Any]) -> Scorer | None:
        """A scorer from the contents of a weights file (`bench/train_verifier.py` writes them).

        None for weights trained on another feature set: never apply them to the wrong inputs.
        """
        if tuple(data["features"]) != FEATURES:
            return None
        return cls(
            features=tuple(data["features"]),
            weights=tuple(data["weights"]),
            bias=data["bias"],
            supported=data["supported"],
            partial=data["partial"],
        )

    def __call__(self, features: Mapping[str, float]) -> float:
        """The model's probability that the sentence is supported (what the label thresholds apply to)."""
        z = self.bias + sum(w * features[f] for f, w in zip(self.features, self.weights, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def scaled(self, probability: float) -> float:
        """The probability relative to a verbatim 20-word sentence's, capped at 1.

        Trained on balanced classes, the model never says more than ~0.8 even for an exact quote;
        people read a support score of 1.0 as "every signal is perfect". The map is monotone, so it
        changes no ranking and no benchmark number.
        """
        return min(1.0, probability / self(PERFECT))


PERFECT: dict[str, float] = {
    **{f: 1.0 for f in FEATURES},
    **{
        f: 0.0
        for f in FEATURES
        if f.endswith("missing") or f.endswith("evidence") or f in ("novel", "contradictions")
    },
    "length": math.log1p(20),
}


@lru_cache(maxsize=1)
def scorer() -> Scorer | None:
    """The shipped weights, or None before they have been trained (coverage alone is the score)."""
    try:
        data = json.loads(resources.files("briefer.verify").joinpath("weights.json").read_text("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None
    return Scorer.from_weights(data)


def check_text(sentence: str, evidence: Evidence, *, context: Evidence | None = None) -> Verdict:
    """Label one sentence against already-analysed evidence, with a reason for every failed signal.

    `context` is the whole text the evidence was drawn from, when that is more than the evidence.
    """
    sig = signals(sentence, evidence, context)
    model = scorer()
    raw = model(sig.features) if model else sig.coverage
    supported_at = model.supported if model else 0.0
    partial_at = model.partial if model else 0.0
    shown = model.scaled(raw) if model else raw
    score = shown * HARD_PENALTY ** len(sig.hard) * CONTRADICTION_PENALTY ** len(sig.contradictions)
    label: Label
    if sig.contradictions:
        label = "contradicted"
    elif sig.hard:
        label = "unsupported"
    elif sig.coverage >= SUPPORTED_COVERAGE and raw >= supported_at:
        label = "supported"
    elif sig.coverage >= PARTIAL_COVERAGE and raw >= partial_at:
        label = "partially_supported"
    else:
        label = "unsupported"
    reasons = sig.contradictions + sig.hard
    if sig.coverage < SUPPORTED_COVERAGE:
        where = "cited spans" if context is None else "best-matching source passages"
        reasons.append(f"only {sig.coverage:.0%} of its content words are in the {where}")
    if label != "supported":
        reasons.extend(sig.soft)
        if not reasons:
            reasons.append(f"its wording follows the sources only loosely (score {raw:.2f})")
    return Verdict(label=label, score=round(min(1.0, score), 4), reasons=reasons)


def verify_sentence(sentence: SummarySentence, docs: dict[str, Document]) -> Verdict:
    """Resolve the citations, then check the text against the quotes they carry."""
    problems = [p for c in sentence.citations if (p := citation_problem(c, docs))]
    if problems:
        return Verdict(label="unsupported", score=0.0, reasons=problems)
    return check_text(sentence.text, analyse([c.quote for c in sentence.citations]))


def _checked(sentence: SummarySentence, docs: dict[str, Document]) -> SummarySentence:
    return sentence.model_copy(update={"verdict": verify_sentence(sentence, docs)})


def verify_draft(draft: Draft, docs: dict[str, Document]) -> tuple[Draft, list[SummarySentence]]:
    """Attach a verdict to every sentence; keep only supported ones, return the rest as dropped."""
    dropped: list[SummarySentence] = []

    def keep(sentences: list[SummarySentence]) -> list[SummarySentence]:
        kept = []
        for s in (_checked(s, docs) for s in sentences):
            (kept if s.verdict and s.verdict.label == "supported" else dropped).append(s)
        return kept

    questions: list[OpenQuestion] = []
    for q in draft.open_questions:
        sentences = keep(q.sentences)
        if sentences:
            questions.append(q.model_copy(update={"sentences": sentences}))
    verified = Draft(
        bottom_line=keep(draft.bottom_line), key_points=keep(draft.key_points), open_questions=questions
    )
    return verified, dropped
