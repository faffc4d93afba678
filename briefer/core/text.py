"""The text normalisation and lexical helpers that extract, compose and verify share.

Normalisation is only used for comparing text: it maps Unicode quotes and dashes to ASCII, `U.S.` to
`US`, and spelled-out numbers to digits. The lexical helpers built on it (words, stems, content terms,
negation scope, numbers, names, quotations) are what every signal of the verifier compares; sentence
segmentation lives in `briefer.core.segment`. The word lists are data files (`briefer.core.lexicon`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.segment import SENTENCE_OPENERS

# --- normalisation for comparison --------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}(?![A-Za-z])")
_ALIAS_TO = lexicon.table("aliases")
_ALIASES = re.compile(r"\b(?:" + "|".join(_ALIAS_TO) + r")\b", re.IGNORECASE)


# A 12-hour clock time ("2:00 PM", "2 p.m.", "11.30am"), compared as its 24-hour form ("14:00").
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b\.?", re.IGNORECASE)


def _24h(m: re.Match[str]) -> str:
    hour = int(m.group(1))
    if not 1 <= hour <= 12:
        return m.group(0)
    hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
    return f"{hour:02d}:{m.group(2) or '00'}"


@lru_cache(maxsize=8192)  # the verifier normalises each sentence for several signals
def normalize(text: str) -> str:
    """ASCII quotes and dashes, `U.S.` -> `US`, accents dropped, collapsed whitespace: the form all
    comparisons use."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if not text.isascii():  # "François Étienne" = "Francois Etienne": writers drop accents
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _ALIASES.sub(lambda m: _ALIAS_TO[m.group(0).lower()], text)
    text = _CLOCK.sub(_24h, text)
    return re.sub(r"\s+", " ", text).strip()


STOPWORDS = lexicon.words("stopwords")
_OPENER_WORDS = SENTENCE_OPENERS | STOPWORDS


def capitalised_by_position(word: str) -> bool:
    """Whether a capitalised word opening a sentence is no name, only capitalised by its place:
    a common opener or a stopword ("The", "As", "Beyond", "During")."""
    return word.lower() in _OPENER_WORDS


NEGATIONS = lexicon.words("negations")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of normalised text; `n't` splits off so negation is countable.

    Acronyms (`US`, `IT`) come back with a trailing `#` so they never collide with a stopword.
    """
    return list(_words(text))


@lru_cache(maxsize=16384)  # grouping, coverage and the questions tokenise each sentence many times
def _words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for w in _WORD.findall(normalize(text)):
        lw = w.lower()
        base = w[:-2] if lw.endswith("'s") else w  # "UKIP's" is the acronym "UKIP"
        if len(base) >= 2 and base.isupper() and base.isalpha():
            out.append(base.lower() + "#")
        elif lw.endswith("n't"):
            out.extend([lw[:-3], "n't"])
        elif lw.endswith("'s"):
            out.append(lw[:-2])
        else:
            out.append(lw)
    return tuple(out)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light suffix stripper: enough to match `missiles`/`missile`, `agreed`/`agree`."""
    w = word
    if len(w) <= 3 or w.isdigit() or w.endswith("#"):
        return w
    for suffix, repl in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("isation", "ize"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("ments", ""),
        ("ment", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("ly", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    if len(w) > 3 and w[-1] == "e":
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """Stemmed content words: what coverage, grouping and salience compare.

    Spelled-out numbers are left to `numbers()`, which compares their values.
    """
    return list(_content_terms(text))


@lru_cache(maxsize=16384)
def _content_terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _words(text) if is_content_word(w))


def is_content_word(word: str) -> bool:
    """Whether a token from `words()` is a content word (what `content_terms` keeps, unstemmed)."""
    return word not in STOPWORDS and word not in NEGATIONS and word not in _NUMBER_WORDS and len(word) > 1


@lru_cache(maxsize=16384)  # the verifier and grouping read one sentence's negations many times
def negated_terms(text: str, scope: int = 4) -> frozenset[str]:
    """Stems of the content words a negation governs (the next few words after not/never/without...).

    Comparing these, rather than counting negations, keeps "without power" in a source from clashing
    with an unrelated sentence, while "did not declare" still clashes with "declared".
    """
    out: set[str] = set()
    for clause in _CLAUSE_BREAK.split(normalize(text)):  # a negation's scope ends at , ; : ( ) and the like
        tokens = words(clause)
        for i, w in enumerate(tokens):
            head, _, rest = w.partition("-")
            if rest and head in _NEGATING_HYPHEN:  # "a no-confidence vote", "non-violent"
                out.update(stem(p) for p in rest.split("-") if p)
            start = _negation_scope(tokens, i)
            if start:
                for nxt in tokens[start : start + scope]:
                    if nxt not in STOPWORDS and nxt not in NEGATIONS:
                        out.add(stem(nxt))
    return frozenset(out)


@lru_cache(maxsize=16384)  # the verifier and grouping read one sentence's negations many times
def clause_negated(text: str, reach: int = 8, scope: int = 4) -> frozenset[str]:
    """Stems of what a verb of failing or refusing negates when words stand between it and its "to"
    ("Eugene failed last November in its bid to host the 2019 event" did not host it): the content
    words of the `scope` words after a "to" at most `reach` words after the verb, in its clause.
    `negated_terms` only reads "failed to host"; a plain "not" keeps its narrow scope."""
    out: set[str] = set()
    for clause in _CLAUSE_BREAK.split(normalize(text)):
        tokens = words(clause)
        for i, w in enumerate(tokens):
            if w not in IMPLICIT_NEGATIONS:
                continue
            to = next((j for j in range(i + 1, min(len(tokens), i + 1 + reach)) if tokens[j] == "to"), None)
            if to is not None:
                out.update(stem(t) for t in tokens[to + 1 : to + 1 + scope] if is_content_word(t))
    return frozenset(out)


@lru_cache(maxsize=16384)  # the verifier and grouping read one sentence's negations many times
def negated_heads(text: str, scope: int = 4) -> frozenset[str]:
    """The first content word after each negation: what "did not attend the dinner" negates (attend).

    The wider `negated_terms` says what *may* be negated; the head is what surely is.
    """
    out: set[str] = set()
    for clause in _CLAUSE_BREAK.split(normalize(text)):
        tokens = words(clause)
        for i in range(len(tokens)):
            start = _negation_scope(tokens, i)
            if start:
                head = next(
                    (t for t in tokens[start : start + scope] if t not in STOPWORDS and t not in NEGATIONS),
                    None,
                )
                if head:
                    out.add(stem(head))
    return frozenset(out)


def _numbered(tokens: list[str], i: int) -> bool:
    """ "no 1", "No. 10": a number designation, not a negation."""
    return tokens[i] == "no" and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()


# Verbs that negate what follows "to": "failed to get the balance right" is "did not get" it.
IMPLICIT_NEGATIONS = lexicon.words("implicit_negations")
_NEGATION_CUES = NEGATIONS | IMPLICIT_NEGATIONS  # any word that may open a negation's scope


def may_negate(ws: Iterable[str]) -> bool:
    """Whether any of these words may negate something: the cheap test before `negated_terms`."""
    return any(w in _NEGATION_CUES or ("-" in w and w.partition("-")[0] in _NEGATING_HYPHEN) for w in ws)


_IDIOMS = tuple(tuple(p.split()) for p in lexicon.entries("negation_idioms"))


def _idiom(tokens: list[str], i: int) -> bool:
    """ "not only X but Y", "not the first time X": a negation that asserts what follows it."""
    return any(tuple(tokens[i : i + len(p)]) == p for p in _IDIOMS)


def _negation_scope(tokens: list[str], i: int) -> int:
    """Where the scope of a negation at tokens[i] begins, or 0 when tokens[i] negates nothing."""
    w = tokens[i]
    if w in NEGATIONS:
        return 0 if _numbered(tokens, i) or _idiom(tokens, i) else i + 1
    if w in IMPLICIT_NEGATIONS and tokens[i + 1 : i + 2] == ["to"]:
        return i + 2
    return 0


_NEGATING_HYPHEN = frozenset(["no", "non", "not"])
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]!?]|\.(?:\s|$)|\s-\s")


def negation_count(text: str) -> int:
    return sum(1 for w in words(text) if w in NEGATIONS)


# --- numbers, names, quotations ------------------------------------------------------------------

_SMALL = {w: int(v) for w, v in lexicon.pairs("number_units")}
_TENS = {w: int(v) for w, v in lexicon.pairs("number_tens")}
_SCALES = {w: int(v) for w, v in lexicon.pairs("number_scales")}
_NUMBER_WORDS = frozenset([*_SMALL, *_TENS, *_SCALES]) - {"one"}
# A figure, with a sign when a minus stands right before it at a word boundary ("-12", not "3-2"), and
# a scale written out or abbreviated ("12 thousand", "$5bn", "12k"): each changes what the figure says.
_NUMBER = re.compile(
    r"(?:(?<![\w.\-])|(?<=[\s(\[]-)|(?<=^-))(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
    r"(?:(k)\b|\s*(hundred|thousand|million|billion|trillion|bn|m)\b)?",
    re.IGNORECASE,
)
_SPELLED = re.compile(
    r"\b(?:(?:" + "|".join(list(_SMALL) + list(_TENS)) + r")(?:[\s-]+(?:" + "|".join(list(_SMALL)) + r"))?)"
    r"(?:\s+(?:hundred|thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)


NUMBER_RE, SPELLED_RE, SMALL_NUMBERS = _NUMBER, _SPELLED, _SMALL  # for core.figures


def is_figure_word(word: str) -> bool:
    """A digit group or a spelled-out number word ("40", "000", "forty", "thousand")."""
    return word[:1].isdigit() or word in _NUMBER_WORDS


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def numbers(text: str) -> set[str]:
    """Every number in the text as a canonical string: `1,000` and `one thousand` both give `1000`."""
    return set(_numbers(text))


@lru_cache(maxsize=65536)  # every stage reads a sentence's figures: the weights, repeats, questions
def _numbers(text: str) -> frozenset[str]:
    norm = normalize(text)
    found: set[str] = set()
    for m in _NUMBER.finditer(norm):
        value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
        scale = (m.group(3) or m.group(4) or "").lower()
        value *= {"bn": 1e9, "m": 1e6, "k": 1e3}.get(scale, _SCALES.get(scale, 1))
        negative = m.start(1) > 0 and norm[m.start(1) - 1] == "-"
        found.add(_fmt(-value if negative else value))
    for m in _SPELLED.finditer(norm):
        parts = re.split(r"[\s-]+", m.group(0).lower())
        value = 0
        for p in parts:
            if p in _SMALL:
                value += _SMALL[p]
            elif p in _TENS:
                value += _TENS[p]
            elif p in _SCALES:
                value = max(value, 1) * _SCALES[p]
        if parts == ["one"]:  # "one of the", "no one": too common to be a figure
            continue
        found.add(_fmt(value))
    return frozenset(found)


# A qualifier before a figure, and the range of source values it admits (as factors of the figure).
_BOUNDS = {q: (float(low), float(high)) for q, low, high in lexicon.rows("bounds")}
_BOUNDED = re.compile(
    r"\b("
    + "|".join(sorted(_BOUNDS, key=len, reverse=True))
    + r")\s+((?:[$\u00a3\u20ac]\s?)?[\w.,]+(?:\s+\w+)?)",
    re.IGNORECASE,
)


def bounded_numbers(text: str) -> dict[str, tuple[float, float]]:
    """Figures stated as bounds or estimates ("more than 100", "about 5,000") and the source values
    that support them: news summaries round ("more than 100 bodies" for the source's 116)."""
    out: dict[str, tuple[float, float]] = {}
    for m in _BOUNDED.finditer(normalize(text)):
        low, high = _BOUNDS[m.group(1).lower()]
        for value in numbers(m.group(2)):
            v = float(value)
            out[value] = (v * low, v * high)
    return out


def is_year(number: str) -> bool:
    """A four-digit year of the last two centuries ("1998", "2024"): it dates, it counts nothing."""
    return bool(re.fullmatch(r"(?:19|20)\d\d", number))


def figures(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs such as ("12", "people"): the unit is the next content word's stem.

    Two outlets giving different numbers for the same unit is how a disputed figure shows up.
    Years are left out: they date things rather than count them.
    """
    norm = normalize(text)
    out: set[tuple[str, str]] = set()
    for m in _NUMBER.finditer(norm):
        if is_year(m.group(0)):
            continue
        following = [w for w in words(norm[m.end() : m.end() + 40]) if w not in STOPWORDS][:1]
        if following:
            value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
            out.add((_fmt(value), stem(following[0])))
    return out


MONTHS = lexicon.words("months")
WEEKDAYS = lexicon.words("weekdays")


def month_start(word: str) -> bool:
    """ "nov", "Sept", "may": the start of a month's name, three letters or more (any case)."""
    w = word.lower()
    return len(w) >= 3 and any(m.startswith(w) for m in MONTHS)


_NAME_STOP = SENTENCE_OPENERS | lexicon.words("name_stopwords")  # and STOPWORDS: never names
_COMMON_ACRONYMS = lexicon.words("common_acronyms")  # "TV", "PM": common nouns, not names


_CLITIC = re.compile(r"'(?:s|ve|re|ll|d|m)$", re.IGNORECASE)


def names(text: str) -> set[str]:
    """Capitalised words that are names (people, places, organisations), lower-cased.

    A capitalised word that opens the sentence counts only when it is not a common opener, and month
    names are left to the date check. Each word of a multi-word name is returned on its own so that
    `Pete Hegseth` in a summary matches `Hegseth` in a source and vice versa is still caught word by word.
    """
    norm = normalize(text)
    out: set[str] = set()
    for m in re.finditer(r"[A-Za-z][\w'\-]*", norm):
        word = _CLITIC.sub("", m.group(0))  # "UK's" is "UK", "They've" is "They"
        if not word or not word[0].isupper():
            continue
        lower = word.lower()
        if len(word) >= 2 and word.isupper():
            if lower not in _COMMON_ACRONYMS:
                out.add(lower + "#")
            continue
        if lower in _NAME_STOP or lower in MONTHS or lower in WEEKDAYS or lower in STOPWORDS:
            continue
        if lower in _NUMBER_WORDS or lower == "one":  # "Two groups": a figure, the number check's
            continue
        before = norm[: m.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?\"'(:"
        if sentence_start and lower in SENTENCE_OPENERS:
            continue
        out.add(lower)
    return out


def months(text: str) -> set[str]:
    """Month names; "May" only next to a day ("May 30", "30 May"), where it is no verb. A month or
    weekday that a capitalised word follows is part of a name ("the Sunday Times"), not a date."""
    found = {w for w in words(_named_days(text)) if w in MONTHS and w != "may"}
    near_day = re.search(
        r"\bmay\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+may\b", normalize(text), re.IGNORECASE
    )
    return found | {"may"} if near_day else found


def weekdays(text: str) -> set[str]:
    """Weekday names, less those inside a name ("the Sunday Times", "Monday Night Football")."""
    return {w for w in words(_named_days(text)) if w in WEEKDAYS}


_IN_NAME = re.compile(r"\b([A-Z][a-z]+)(?=\s+[A-Z][a-z])")


def _named_days(text: str) -> str:
    """The text with each month or weekday that a capitalised word follows blanked out; a month
    followed by a day ("March 15", "May 30") is a date whatever follows."""
    norm = normalize(text)
    return _IN_NAME.sub(lambda m: "_" if m.group(1).lower() in MONTHS | WEEKDAYS else m.group(1), norm)


_QUOTED = re.compile(r'"([^"]{3,}?)"')


def quotations(text: str) -> list[str]:
    """Text inside double quotation marks (after normalising curly quotes), two words or more."""
    return [q.strip() for q in _QUOTED.findall(normalize(text)) if len(q.split()) >= 2]


# --- extractive sentences ------------------------------------------------------------------------
# What may be done to a source sentence printed as a summary sentence (the offline composer's key
# points, a brief's "new since" section): drop a leading connective, and tell whether it leans on a
# sentence before it.

LEADING_CONNECTIVE = re.compile(
    r"^(?:meanwhile|however|in addition|additionally|moreover|furthermore|also|still|yet|indeed|"
    r"in fact|separately|elsewhere|at the same time|on the other hand)\s*,\s*",
    re.IGNORECASE,
)
DANGLING_START = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|the (?:official|statement|move|"
    r"report|decision|comments?|remarks?))\b",
    re.IGNORECASE,
)


def compress(text: str) -> str:
    """Drop a leading connective ("Meanwhile, ..."): words only removed, never added or changed."""
    short = LEADING_CONNECTIVE.sub("", text, count=1)
    if short != text and short:
        short = short[0].upper() + short[1:]
    return short


_FIRST_PERSON = re.compile(r"\b(?:I(?![-\u2010-\u2014])|me|my|myself|[Ww]e|our|ourselves)\b")
""""I" before a dash is no writer: a party and state ("Sen. Bernie Sanders (I-Vt.)"), a road ("I-95")."""
_ANY_QUOTATION = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")


_GLOSS = re.compile(r"\s*\([^()]{1,60}\)")


@lru_cache(maxsize=1)
def _loaded() -> re.Pattern[str]:
    return re.compile(r"\b" + lexicon.alternation(lexicon.entries("loaded_words")) + r"\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _killed_measure() -> re.Pattern[str]:
    verbs = lexicon.alternation(lexicon.entries("frames/killing_verbs"))
    nouns = lexicon.alternation(lexicon.entries("frames/measures"))
    return re.compile(rf"\b(?:{verbs})\s+(?:[\w'\u2019-]+\s+){{0,4}}?(?:{nouns})\b", re.IGNORECASE)


@lru_cache(maxsize=8192)  # the questions, the framing and attribution ask it of each sentence
def characterises(text: str) -> bool:
    """ "The mainstream media were up in arms ...", "Liberal media outlets were outraged ...": outside
    a quotation, a loaded or evaluative word (`data/loaded_words.txt`) is the writer characterising
    what it reports, and so is a measure's failure told as one side's deed ("Republicans ... killed a
    Democratic police reform bill": `data/frames/killing_verbs.txt`, `measures.txt`). The sentence
    tells the outlet's framing, so a brief names the outlet for it. A short gloss in brackets is read
    past ("CCP (Chinese Communist Party) virus" is the term "CCP virus")."""
    plain = _GLOSS.sub("", _ANY_QUOTATION.sub(" ", text))
    return bool(_loaded().search(plain) or _killed_measure().search(plain))


def writer_speaks(text: str) -> bool:
    """ "Last month, I joined 15,000 other cyclists ...": outside a quotation, "I" or "we" is the
    writer, whom a brief does not name, so the sentence is a pronoun without its person, and the
    piece a column's voice, not news."""
    return bool(_FIRST_PERSON.search(_numbered_i().sub(" ", _ANY_QUOTATION.sub(" ", text))))


SPEECH_VERBS = lexicon.alternation(lexicon.entries("speech_verbs"))
"""The verbs that give words to a speaker (`data/speech_verbs.txt`) as one regex group, for the
patterns that read the speaker beside the verb. Case is kept: lower case, "United States" is no
speech; compile with `re.IGNORECASE` where a capitalised verb matters more."""
ATTRIBUTION = re.compile(rf"\b(?:{SPEECH_VERBS}|according to)\b", re.IGNORECASE)
"""A speech verb or "according to": words given to someone. A cut that drops it would state their
claim flat or leave the speaker without what they said; a "you" beside it is the speaker's."""

_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.IGNORECASE)


def addresses_reader(text: str) -> bool:
    """ "Here's what you need to know.", "You can watch the videos below.": outside a quotation, "you"
    is the article's reader, not the brief's, and the line is the piece talking about itself. A
    sentence that reports someone's words keeps its "you" ("If you are fully vaccinated, you don't
    need a booster, the government says"): it is that speaker's advice, attributed."""
    plain = _ANY_QUOTATION.sub(" ", text)
    return bool(_SECOND_PERSON.search(plain)) and not ATTRIBUTION.search(plain)


def writer_asks(text: str) -> bool:
    """ "Got a strong opinion on how to vote this year?": a question in the writer's voice (outside a
    quotation) asks the article's reader something and states nothing a brief can print as fact."""
    return _ANY_QUOTATION.sub(" ", text).rstrip(" \"'\u201d\u2019)]*_").endswith("?")


@lru_cache(maxsize=1)
def _numbered_i() -> re.Pattern[str]:
    """The Roman numeral one after what it numbers ("World War I", "a Phase I trial", "Title I"),
    which is no writer (`data/numbered_nouns.txt`)."""
    nouns = "|".join(re.escape(w) for w in lexicon.entries("numbered_nouns"))
    return re.compile(rf"\b(?:{nouns})\s+I\b")
