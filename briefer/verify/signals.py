"""The signals: what the verifier measures about one sentence against its evidence.

Hard checks (figures, dates, names, quotations that are nowhere in the sources), contradictions
(negation, antonyms, changed figures, a dropped denial frame), and the features the logistic scorer
weighs (`FEATURES`): coverage of content words, alignment with the best-matching source sentence, and
whether words that sit together in the sentence also sit together in the sources.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from briefer.core import lexicon
from briefer.core.figures import spelled_counts
from briefer.core.text import (
    bounded_numbers,
    clause_negated,
    content_terms,
    is_content_word,
    months,
    names,
    negated_heads,
    negated_terms,
    normalize,
    numbers,
    quotations,
    stem,
    weekdays,
    words,
)
from briefer.verify.evidence import (
    Evidence,
    best_index,
    has_term,
    sentence_info,
    spoken_text,
    token_stems,
)
from briefer.verify.figures import admit, carried, counted_otherwise, numbers_near, spelled_word
from briefer.verify.framing import dropped_frame

# Content coverage a label needs (the verdict applies both; a soft reason here uses the first).
SUPPORTED_COVERAGE = 0.8
PARTIAL_COVERAGE = 0.5


# --- figures and names --------------------------------------------------------------------------------


def _name_found(name: str, evidence: Evidence) -> bool:
    if name in evidence.names or name.rstrip("#") in evidence.words or name in evidence.words:
        return True
    parts = [p for p in name.split("-") if p]
    if len(parts) > 1 and all(p in evidence.words for p in parts):  # "Al-Shabaab" vs "al - shabaab"
        return True
    if any(
        all(w in evidence.words or w in evidence.names for w in other)
        for other in _equivalents().get(name, ())
    ):
        return True  # "Turkish" for "Turkey", "UK" for "British" (core/data/demonyms.tsv)
    if "-" not in name and any(name in known.split("-") for known in evidence.names):
        return True  # "Ottoman" in "a Franco-Ottoman alliance"
    return not name.endswith("#") and any(_variants(name, known) for known in evidence.names)


@cache
def _equivalents() -> dict[str, tuple[tuple[str, ...], ...]]:
    """A name (as `names()` gives it) -> the names that stand for the same place: the rows of
    `core/data/demonyms.tsv`, both ways, each side in the words of normalised text ("UK" -> "uk#")."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for demonym, country in lexicon.pairs("demonyms"):
        a, b = tuple(words(demonym)), tuple(words(country))
        out.setdefault(" ".join(a), []).append(b)
        if len(b) == 1:
            out.setdefault(b[0], []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def _variants(a: str, b: str) -> bool:
    """ "Chinese" and "China", "Russian" and "Russia", "Iraqi" and "Iraq" (but not "Iran" and "Iraq").

    The shorter name, less its last letter when it has five or more, must begin the longer one.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4 or short.endswith("#") or long.endswith("#"):
        return False
    return long.startswith(short[:-1] if len(short) >= 5 else short)


_FIRST_WORD = re.compile(r"^\W*([A-Za-z][\w'\-]*)([,;:]?)\s+(\S)")
_LOWER_WORD = re.compile(r"(?<![\w'\-])[a-z][a-z'\-]*")


@lru_cache(maxsize=64)
def _lower_stems(source_text: str) -> frozenset[str]:
    """Stems of the words the source writes in lower case: its common words, in any inflection."""
    return frozenset(stem(w.removesuffix("'s")) for w in _LOWER_WORD.findall(normalize(source_text)))


def claimed_names(sentence: str, source_text: str = "") -> set[str]:
    """Names the sentence asserts.

    Its first word is capitalised by position alone, so it is no name when it is an "-ly" adverb
    ("Previously") or the source writes it in lower case, in any inflection ("Shares" for "shares",
    "Tributes" for "tribute"), unless a capitalised word follows it directly ("Pete Hegseth said"; not
    after a comma or colon: "Additionally, Sheryl ...").
    """
    found = names(sentence)
    first = _FIRST_WORD.match(normalize(sentence))
    if first and not first.group(1).isupper() and (first.group(2) or not first.group(3)[0].isupper()):
        word = first.group(1).lower().removesuffix("'s")
        if (
            word.endswith("ly")
            or stem(word) in _lower_stems(source_text)
            or not _name_like(word, sentence[first.end(3) - 1 :], source_text)
        ):
            found.discard(word)
    return found


_SPEECH = frozenset(stem(w) for w in lexicon.words("speech_verbs"))


def _name_like(word: str, rest: str, source_text: str) -> bool:
    """Whether a first word that the source does not write in lower case still reads as a name: the
    source has it (capitalised), or a verb of saying follows it ("Thompson said"). A word found
    nowhere and followed by neither ("Extends to ...", "Prior to ...", "Son of ...") is a common word
    the model chose; the coverage signals weigh it, the name check does not veto it."""
    if re.search(r"\b" + re.escape(word) + r"\b", normalize(source_text), re.IGNORECASE):
        return True
    following = words(rest)[:1]
    return bool(following) and stem(following[0]) in _SPEECH


def _shown(name: str) -> str:
    return name.rstrip("#").upper() if name.endswith("#") else name.title()


def _aligned_names(claimed: Sequence[str], aligned_text: str) -> float:
    """Share of the sentence's names that its best-aligned source sentence has: an entity swapped in
    from elsewhere in the article ("Smith" for "Jones") is in the sources, but not in this sentence."""
    if not claimed:
        return 1.0
    info = sentence_info(aligned_text)
    found = sum(1 for n in claimed if n in info.names or n in info.words or n.rstrip("#") in info.words)
    return found / len(claimed)


# --- alignment ----------------------------------------------------------------------------------------


def fragments(
    tokens: tuple[str, ...], source: tuple[str, ...], positions: Mapping[str, Sequence[int]]
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


# --- opposites ----------------------------------------------------------------------------------------

ANTONYM_PAIRS = lexicon.pairs("antonyms")  # general-purpose opposites, both directions added
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


# --- the signals --------------------------------------------------------------------------------------


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


# Where a sentence may take on a clause of its own: ", but ...", "; ...", ", who ...".
_CLAUSE = re.compile(
    r"(?:,|;|\s-\s|\s\u2014\s)\s*(?=(?:but|and|while|although|though|yet|who|which|whereas|after|before"
    r"|because|as|so|then|until|when|where)\b)|;\s+|\s\u2014\s",
    re.IGNORECASE,
)


def added_clause(sentence: str, found: Callable[[str], bool]) -> str | None:
    """A clause the sentence adds to an otherwise supported claim: one with content words of which
    none is in the sources (`found`), after a part that is. "X thanked rescue workers, but was
    arrested" against a source that says only the first half. None when there is no such clause."""
    parts = [p.strip(" ,;-\u2014") for p in _CLAUSE.split(sentence)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    terms = [[t for t in content_terms(p) if not t[:1].isdigit()] for p in parts]
    supported = [sum(found(t) for t in ts) for ts in terms]
    if not any(n >= 2 for n in supported):
        return None  # nothing in the sentence is clearly from the sources: the coverage signals judge it
    return next((p for p, ts, n in zip(parts, terms, supported, strict=True) if ts and n == 0), None)


@cache
def _irregular() -> dict[str, str]:
    """Stem of an irregular verb form -> stem of its base form (`core/data/irregular_verbs.tsv`)."""
    return {stem(form): stem(base) for form, base in lexicon.pairs("irregular_verbs")}


def _base(term: str) -> str:
    return _irregular().get(term, term)


def _figures(
    sentence: str, evidence: Evidence, context: Evidence | None
) -> tuple[list[str], list[str], list[str], int, int]:
    """The figure, date and weekday checks: (hard, soft, contradictions, figures missing from the
    sources, figures missing from the passages the sentence rests on)."""
    ctx = context or evidence
    hard: list[str] = []
    soft: list[str] = []
    contradictions: list[str] = []
    where = "cited span" if context is None else "sources"
    figures_missing = figures_missing_evidence = 0
    bounded = bounded_numbers(sentence)
    spelled = spelled_counts(sentence)
    near_numbers, near_bounded = numbers_near(sentence, evidence, context)
    for kind, found, in_ctx, in_ev in (
        ("number", numbers(sentence), ctx.numbers, near_numbers),
        ("date", months(sentence), ctx.months, evidence.months),
        ("day", weekdays(sentence), ctx.weekdays, evidence.weekdays),
    ):
        for x in sorted(found):
            shown = x if kind == "number" else f'"{x.title()}"'
            ctx_values, ev_values = in_ctx, in_ev
            if kind == "number" and x in bounded:  # "more than 100": any source value in range will do
                ctx_values = admit(x, bounded[x], in_ctx, ctx.bounded)
                ev_values = admit(
                    x, bounded[x], in_ev, near_bounded if kind == "number" else evidence.bounded
                )
            if x not in ctx_values:
                figures_missing += 1
                if kind == "number" and x in spelled and not counted_otherwise(x, spelled[x], ctx.text):
                    soft.append(
                        f'count "{spelled_word(x)} {spelled[x]}..." not in {where}: counted by the writer?'
                    )
                    continue
                (contradictions if ev_values else hard).append(f"{kind} {shown} not in {where}")
            elif x not in ev_values and not (
                kind == "number" and carried(x, sentence, ctx)
            ):  # found only elsewhere in the source ("March 15" for "15 killed"): no support
                figures_missing_evidence += 1
                (contradictions if ev_values else hard).append(
                    f"{kind} {shown} is in the sources but not in the passages the sentence rests on"
                )
    return hard, soft, contradictions, figures_missing, figures_missing_evidence


@dataclass(frozen=True)
class _Alignment:
    """The sentence's content terms and the evidence sentence that best matches them."""

    terms_list: list[str]
    terms: set[str]
    best: int
    overlap: float
    aligned_text: str


def _aligned(sentence: str, evidence: Evidence) -> _Alignment:
    terms_list = content_terms(sentence)
    terms = set(terms_list)
    best, overlap = best_index(terms, evidence)
    return _Alignment(terms_list, terms, best, overlap, evidence.sentences[best] if best >= 0 else "")


def _negation_mismatch(sentence: str, a: _Alignment, evidence: Evidence) -> bool:
    """A negation's head word must be negated on the other side too (within the wider scope there).
    Irregular forms count as their verb ("did not make" denies "made")."""
    inserted = {_base(h) for h in negated_heads(sentence)} - {_base(n) for n in evidence.negated}
    if inserted:  # a head a verb of failing negates further on in the source ("failed in its bid to host")
        inserted -= {_base(t) for text in evidence.sentences for t in clause_negated(text)}
    removed = (negated_heads(a.aligned_text) & a.terms) - negated_terms(sentence)
    return bool(inserted & {_base(t) for t in evidence.terms}) or (a.overlap >= 0.5 and bool(removed))


def _frame_and_opposites(sentence: str, a: _Alignment, evidence: Evidence) -> tuple[list[str], list[str]]:
    """A dropped frame ("the source only reports it as a claim", a denial stated as fact) and words
    opposite to the aligned source sentence's: (contradictions, hard)."""
    contradictions: list[str] = []
    hard: list[str] = []
    frame = dropped_frame(sentence, a.terms, evidence, a.best) if a.overlap >= 0.5 else None
    if frame and frame.kind == "denial":
        contradictions.append(f'the source denies it ("{frame.cue}"), the sentence states it as fact')
    elif frame:
        hard.append(f'the source only reports it as a claim ("{frame.cue}"), the sentence states it as fact')
    if a.overlap >= 0.5:
        for w, o in _opposed(words(sentence), words(a.aligned_text), set(evidence.tokens)):
            contradictions.append(f'"{w}" where the source says "{o}"')
    return contradictions, hard


def contradictions_of(sentence: str, evidence: Evidence, context: Evidence | None = None) -> list[str]:
    """What in the sentence the evidence contradicts (changed figures, negation, a denial stated as
    fact, opposite words): exactly `signals(...).contradictions`, without the features and the other
    checks, for callers that need only whether a sentence is contradicted (grouping outlets' tellings)."""
    found = _figures(sentence, evidence, context)[2]
    a = _aligned(sentence, evidence)
    if _negation_mismatch(sentence, a, evidence):
        found.append("negation mismatch")
    return found + _frame_and_opposites(sentence, a, evidence)[0]


def signals(sentence: str, evidence: Evidence, context: Evidence | None = None) -> Signals:
    """Measure one sentence against its evidence (and the whole source text, when there is one)."""
    ctx = context or evidence
    where = "cited span" if context is None else "sources"
    hard, soft, contradictions, figures_missing, figures_missing_evidence = _figures(
        sentence, evidence, context
    )

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
        if normalize(q).lower() not in ctx.normalized and spoken_text(words(q)) not in ctx.spoken:
            hard.append(f'quotation "{q[:40]}" not in {where}')

    a = _aligned(sentence, evidence)
    terms_list, best = a.terms_list, a.best
    aligned_terms = evidence.sentence_terms[best] if best >= 0 else frozenset()
    aligned_tokens = evidence.sentence_tokens[best] if best >= 0 else ()
    aligned_text = a.aligned_text
    if _negation_mismatch(sentence, a, evidence):
        contradictions.append("negation mismatch")
    if clause := added_clause(sentence, lambda t: has_term(t, ctx.terms)):
        hard.append(f'adds "{clause[:50].rstrip(".")}", which the {where} do not say')
    tokens = token_stems(words(sentence))
    opposed, framed = _frame_and_opposites(sentence, a, evidence)
    hard += framed
    contradictions += opposed

    n = max(1, len(terms_list))
    cov = sum(1 for t in terms_list if has_term(t, evidence.terms)) / n if terms_list else 1.0
    novel_words = [  # figures are the number check's business
        t
        for t in terms_list
        if not t[:1].isdigit() and not has_term(t, ctx.terms) and (len(t) < 5 or t[:5] not in ctx.prefixes)
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
        "context_coverage": sum(1 for t in terms_list if has_term(t, ctx.terms)) / n if terms_list else 1.0,
        "aligned_coverage": sum(1 for t in terms_list if has_term(t, aligned_terms)) / n
        if terms_list
        else 1.0,
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
        novel_shown = [w for w in words(sentence) if stem(w) in set(novel_words)]
        soft.append("not in the sources: " + ", ".join(dict.fromkeys(novel_shown[:4])))
    if features["pairs_sentence"] < 0.5 and cov >= SUPPORTED_COVERAGE:
        soft.append("joins words that never occur together in one source sentence")
    return Signals(features, cov, contradictions, hard, soft)
