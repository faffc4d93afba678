"""Sentence segmentation and the text normalisation that extract, compose and verify share.

Segmentation returns offsets into the document text, never rewritten strings, so every sentence (and
every claim built from one) is an exact span. Normalisation is only used for comparing text: it maps
Unicode quotes and dashes to ASCII, `U.S.` to `US`, and spelled-out numbers to digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from briefer.core.models import Document, Sentence

# --- segmentation -------------------------------------------------------------------------------

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt cmdr sgt adm gov sen rep rev st jr sr inc ltd co corp plc
    llc no nos vs etc jan feb mar apr jun jul aug sep sept oct nov dec mt ft dept est approx fig al
    pres supt hon messrs sec div bros assn univ ave blvd rd e.g i.e a.m p.m""".split()
)
# After a dotted acronym (U.S., U.K.) a sentence only ends when a typical sentence opener follows.
SENTENCE_OPENERS = frozenset(
    """the a an it its he she they we i this that these those there in on at but and however meanwhile
    while when after before as if his her their our some many most officials experts analysts""".split()
)
OPEN_QUOTES = "\u201c\u2018"  # “ ‘
CLOSE_QUOTES = "\u201d\u2019"  # ” ’
_BOUNDARY = re.compile(
    r"(?:\.{3}|…|[.!?])['\"\u201d\u2019)\]]*(?=\s+['\"\u201c\u2018(\[]?[A-Z0-9])"
    # sentences glued together by a scraper or a flattened layout: "no allegations.Sir Edward, who..."
    r"|(?<=[a-z0-9]{2}[.!?])(?=[A-Z][a-z])"
)
_FOLLOWING_WORD = re.compile(r"\s+['\"\u201c]?([A-Za-z]+)")
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _quote_depths(text: str) -> list[int]:
    """Per character, whether it sits inside a double quotation (1) or not (0).

    Straight quotes toggle; curly quotes open and close. A quotation left open at the end of the block
    is treated as a stray mark, so a missing closing quote cannot swallow a whole paragraph.
    """
    depth = [0] * len(text)
    inside = False
    opened_at = -1
    for i, ch in enumerate(text):
        if ch == "\u201c" or (ch == '"' and not inside):
            inside, opened_at = True, i
        elif ch == "\u201d" or (ch == '"' and inside):
            inside = False
        depth[i] = int(inside)
    if inside:
        for i in range(opened_at, len(text)):
            depth[i] = 0
    return depth


def _word_before(block: str, dot: int) -> str:
    """The letters-and-dots token ending at block[dot] (`U.S`, `Mr`), starting with a letter.

    A backward scan rather than a regex over ``block[:dot]``: that copy and search cost the length of
    the paragraph at every full stop, which made one long line quadratic. Tokens hold no whitespace and
    each boundary's token is scanned once, so segmentation stays linear in the paragraph length.
    """
    start = dot
    while start > 0 and block[start - 1] in _TOKEN_CHARS:
        start -= 1
    while start < dot and block[start] == ".":
        start += 1
    return block[start:dot]


_DIGIT_NEXT = re.compile(r"[ \t]\d")


def _is_boundary(block: str, dot: int, end: int, depths: list[int]) -> bool:
    """Whether the punctuation at block[dot] ends a sentence (end is just past trailing quotes)."""
    if depths[dot]:
        return False
    if block[dot] != ".":
        return True
    if block[dot - 1 : dot].isdigit() and _DIGIT_NEXT.match(block, end):
        # "98. 7 per cent": a decimal broken by detokenisation. News style spells out a number that
        # opens a sentence, so a digit after "<digits>. " continues the figure far more often.
        return False
    token = _word_before(block, dot)
    if not token:
        return True
    lower = token.lower().rstrip(".")
    if lower in ABBREVIATIONS and block[dot - 3 : dot] != "...":
        return False
    if len(token) == 1 and token.isupper():  # an initial: "J. Smith"
        return False
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # U.S / U.K / e.g
        following = _FOLLOWING_WORD.match(block, end)
        return bool(following and following.group(1).lower() in SENTENCE_OPENERS)
    return True


def split_sentences(block: str) -> list[tuple[int, int]]:
    """Offsets of the sentences in one paragraph, trimmed of surrounding whitespace."""
    depths = _quote_depths(block)
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(block):
        if _is_boundary(block, m.start(), m.end(), depths):
            spans.append((start, m.end()))
            start = m.end()
    spans.append((start, len(block)))
    out = []
    for s, e in spans:
        while s < e and block[s].isspace():
            s += 1
        while e > s and block[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def is_heading(line: str) -> bool:
    """A short line with no closing punctuation inside the body: a section heading, not a claim."""
    stripped = line.strip()
    words = stripped.split()
    return 0 < len(words) <= 12 and not re.search(r"[.!?:;,\"\u201d\u2019)]$", stripped)


def segment(doc: Document) -> list[Sentence]:
    """Number the sentences of a document's body; headings are kept but marked as such."""
    sentences: list[Sentence] = []
    for span in doc.body:
        block = doc.text[span.start : span.end]
        if is_heading(block):
            pieces = [(0, len(block))]
            kind = "heading"
        else:
            pieces = split_sentences(block)
            kind = "body"
        for s, e in pieces:
            start, end = span.start + s, span.start + e
            sentences.append(
                Sentence(
                    id=f"{doc.id}:{len(sentences)}",
                    doc_id=doc.id,
                    index=len(sentences),
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                    kind=kind,
                )
            )
    return sentences


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
_ALIAS_TO = {"united states": "US", "united kingdom": "UK", "united nations": "UN", "european union": "EU"}
_ALIASES = re.compile(r"\b(?:" + "|".join(_ALIAS_TO) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=8192)  # the verifier normalises each sentence for several signals
def normalize(text: str) -> str:
    """ASCII quotes and dashes, `U.S.` -> `US`, collapsed whitespace: the form all comparisons use."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _ALIASES.sub(lambda m: _ALIAS_TO[m.group(0).lower()], text)
    return re.sub(r"\s+", " ", text).strip()


STOPWORDS = frozenset(
    """a an the and or but if then than that this these those there here of in on at to for from by
    with without about as into onto over under after before between through during against among
    within is are was were be been being am has have had having do does did doing will would shall
    should can could may might must it its it's he him his she her hers they them their theirs we us
    our ours you your yours i me my mine who whom whose which what when where why how all any both
    each few more most other some such only own same so too very just also not no nor never s t said
    says say saying told stated according while amid also one's up down out off again further once
    yet still even ever""".split()
)
NEGATIONS = frozenset(
    """not no never none neither nor nobody nothing nowhere cannot without n't deny denies denied""".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of normalised text; `n't` splits off so negation is countable.

    Acronyms (`US`, `IT`) come back with a trailing `#` so they never collide with a stopword.
    """
    out: list[str] = []
    for w in _WORD.findall(normalize(text)):
        lw = w.lower()
        if len(w) >= 2 and w.isupper() and w.isalpha():
            out.append(lw + "#")
        elif lw.endswith("n't"):
            out.extend([lw[:-3], "n't"])
        elif lw.endswith("'s"):
            out.append(lw[:-2])
        else:
            out.append(lw)
    return out


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
    return [stem(w) for w in words(text) if is_content_word(w)]


def is_content_word(word: str) -> bool:
    """Whether a token from `words()` is a content word (what `content_terms` keeps, unstemmed)."""
    return word not in STOPWORDS and word not in NEGATIONS and word not in _NUMBER_WORDS and len(word) > 1


def negated_terms(text: str, scope: int = 4) -> set[str]:
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
    return out


def negated_heads(text: str, scope: int = 4) -> set[str]:
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
    return out


def _numbered(tokens: list[str], i: int) -> bool:
    """ "no 1", "No. 10": a number designation, not a negation."""
    return tokens[i] == "no" and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()


# Verbs that negate what follows "to": "failed to get the balance right" is "did not get" it.
IMPLICIT_NEGATIONS = frozenset(
    "fail fails failed failing refuse refuses refused refusing decline declines declined declining "
    "unable yet".split()
)
_NEGATION_CUES = NEGATIONS | IMPLICIT_NEGATIONS  # any word that may open a negation's scope


def may_negate(ws: Iterable[str]) -> bool:
    """Whether any of these words may negate something: the cheap test before `negated_terms`."""
    return any(w in _NEGATION_CUES or ("-" in w and w.partition("-")[0] in _NEGATING_HYPHEN) for w in ws)


def _negation_scope(tokens: list[str], i: int) -> int:
    """Where the scope of a negation at tokens[i] begins, or 0 when tokens[i] negates nothing."""
    w = tokens[i]
    if w in NEGATIONS:
        return 0 if _numbered(tokens, i) else i + 1
    if w in IMPLICIT_NEGATIONS and tokens[i + 1 : i + 2] == ["to"]:
        return i + 2
    return 0


_NEGATING_HYPHEN = frozenset(["no", "non", "not"])
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]!?]|\.(?:\s|$)|\s-\s")


def negation_count(text: str) -> int:
    return sum(1 for w in words(text) if w in NEGATIONS)


# --- numbers, names, quotations ------------------------------------------------------------------

_SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 10**12,
}
_NUMBER_WORDS = frozenset([*_SMALL, *_TENS, *_SCALES]) - {"one"}
_NUMBER = re.compile(
    r"(?<![\w.\-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(hundred|thousand|million|billion|trillion|bn|m)\b)?",
    re.IGNORECASE,
)
_SPELLED = re.compile(
    r"\b(?:(?:" + "|".join(list(_SMALL) + list(_TENS)) + r")(?:[\s-]+(?:" + "|".join(list(_SMALL)) + r"))?)"
    r"(?:\s+(?:hundred|thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)


def is_figure_word(word: str) -> bool:
    """A digit group or a spelled-out number word ("40", "000", "forty", "thousand")."""
    return word[:1].isdigit() or word in _NUMBER_WORDS


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def numbers(text: str) -> set[str]:
    """Every number in the text as a canonical string: `1,000` and `one thousand` both give `1000`."""
    norm = normalize(text)
    found: set[str] = set()
    for m in _NUMBER.finditer(norm):
        value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
        scale = (m.group(3) or "").lower()
        value *= {"bn": 1e9, "m": 1e6}.get(scale, _SCALES.get(scale, 1))
        found.add(_fmt(value))
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
    return found


# A qualifier before a figure, and the range of source values it admits (as factors of the figure).
_BOUNDS = {
    **dict.fromkeys("more than|over|at least|above|exceeding|upwards of|in excess of".split("|"), (1.0, 2.0)),
    **dict.fromkeys("less than|fewer than|under|below|up to|as many as|as much as".split("|"), (0.5, 1.0)),
    **dict.fromkeys(
        "about|around|approximately|roughly|some|nearly|almost|close to|an estimated".split("|"), (0.85, 1.15)
    ),
}
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


def figures(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs such as ("12", "people"): the unit is the next content word's stem.

    Two outlets giving different numbers for the same unit is how a disputed figure shows up.
    Years are left out: they date things rather than count them.
    """
    norm = normalize(text)
    out: set[tuple[str, str]] = set()
    for m in _NUMBER.finditer(norm):
        if re.fullmatch(r"(?:19|20)\d\d", m.group(0)):
            continue
        following = [w for w in words(norm[m.end() : m.end() + 40]) if w not in STOPWORDS][:1]
        if following:
            value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
            out.add((_fmt(value), stem(following[0])))
    return out


MONTHS = frozenset(
    """january february march april may june july august september october november december""".split()
)
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
_NAME_STOP = frozenset(
    """the a an in on at but and however meanwhile while when after before as if his her their our this
    that these those there it its he she they we i experts analysts officials despite beyond during
    since although though with without for from by to of under over amid among even still yet so
    then also both each many most some any all no not never what why how where who which expect""".split()
)
_CAP_RUN = re.compile(r"\b[A-Z][\w'\-]*(?:\s+(?:of|de|la|van|von|al|bin)?\s*[A-Z][\w'\-]*)*")


def names(text: str) -> set[str]:
    """Capitalised words that are names (people, places, organisations), lower-cased.

    A capitalised word that opens the sentence counts only when it is not a common opener, and month
    names are left to the date check. Each word of a multi-word name is returned on its own so that
    `Pete Hegseth` in a summary matches `Hegseth` in a source and vice versa is still caught word by word.
    """
    norm = normalize(text)
    out: set[str] = set()
    for m in re.finditer(r"[A-Za-z][\w'\-]*", norm):
        word = m.group(0)
        if not word[0].isupper():
            continue
        lower = word.lower().removesuffix("'s")
        if len(word) >= 2 and word.isupper():
            out.add(lower + "#")
            continue
        if lower in _NAME_STOP or lower in MONTHS or lower in WEEKDAYS or lower in STOPWORDS:
            continue
        before = norm[: m.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?\"'(:"
        if sentence_start and lower in SENTENCE_OPENERS:
            continue
        out.add(lower)
    return out


def months(text: str) -> set[str]:
    return {w for w in words(text) if w in MONTHS and w != "may"} | {
        m.group(1).lower() for m in re.finditer(r"\b(May)\s+\d", normalize(text))
    }


_QUOTED = re.compile(r'"([^"]{3,}?)"')


def quotations(text: str) -> list[str]:
    """Text inside double quotation marks (after normalising curly quotes), two words or more."""
    return [q.strip() for q in _QUOTED.findall(normalize(text)) if len(q.split()) >= 2]


def iter_body_sentences(sentences: list[Sentence]) -> Iterator[Sentence]:
    return (s for s in sentences if s.kind == "body")
