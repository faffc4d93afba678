"""The framing signal: a claim a source only reports, doubts or denies is not a fact.

"Rumours that X are false", "critics claim X", "the alleged X": a summary sentence that keeps X and
drops the frame turns a denial or a doubt into a plain fact. The cue words are data files
(`briefer/core/data/frames/`); the grammar that finds a frame's scope is here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.text import NEGATIONS, is_content_word, stem, words
from briefer.verify.evidence import Evidence, sentence_info

# A source sentence can carry a claim without asserting it: "Rumours that X are false", "Critics claim
# X", "the alleged X". A summary sentence that keeps X but drops the frame turns a denial or a doubt
# into a plain fact. Only frames that negate or cast doubt count: news summaries routinely drop a plain
# "said" ("Police said 12 people died" -> "12 people died"), and that stays supported.

_DOUBT_NOUNS = lexicon.words("frames/doubt_nouns")
_CLAIM_VERBS = lexicon.words("frames/claim_verbs")
_SAY_VERBS = lexicon.words("frames/say_verbs")
_DOUBT_MODIFIERS = lexicon.words("frames/doubt_modifiers")
_DENIAL_VERBS = lexicon.words("frames/denial_verbs")
_DISMISS_VERBS = lexicon.words("frames/dismiss_verbs")
_REPORT_NOUNS = lexicon.words("frames/report_nouns") | _DOUBT_NOUNS
_FALSITY = lexicon.words("frames/falsity")
_NO_GROUNDS = lexicon.words("frames/no_grounds")  # "there is no evidence that X"
_CRITICS = lexicon.words("frames/critics")
_DOUBT_SUBJECTS = _CRITICS | lexicon.words("frames/doubt_subjects")
_IMPERATIVE_BEFORE = lexicon.words("frames/imperative_before")
# What keeps a frame in the summary sentence: any word that reports, hedges or denies.
_KEEPS_DOUBT = (
    _DOUBT_NOUNS
    | _CLAIM_VERBS
    | _SAY_VERBS
    | _DOUBT_MODIFIERS
    | _REPORT_NOUNS
    | _DENIAL_VERBS
    | _FALSITY
    | lexicon.words("frames/keeps_doubt")
    | _CRITICS
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


def dropped_frame(sentence: str, terms: set[str], evidence: Evidence, best: int) -> Frame | None:
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
