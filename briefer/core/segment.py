"""Sentence segmentation: a document's body as numbered sentences, each an exact span.

Segmentation returns offsets into the document text, never rewritten strings, so every sentence (and
every claim built from one) is an exact span. A full stop ends a sentence unless it closes an
abbreviation, an initial or a decimal broken by detokenisation; a dotted acronym ("U.S.") ends one
only when a typical sentence opener follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from briefer.core import lexicon
from briefer.core.models import Document, Sentence, SentenceKind

ABBREVIATIONS = lexicon.words("abbreviations")
# After a dotted acronym (U.S., U.K.) a sentence only ends when a typical sentence opener follows.
SENTENCE_OPENERS = lexicon.words("sentence_openers")
OPEN_QUOTES = "\u201c\u2018"  # “ ‘
CLOSE_QUOTES = "\u201d\u2019"  # ” ’
_BOUNDARY = re.compile(
    r"(?:\.{3}|…|[.!?])['\"\u201d\u2019)\]]*(?=\s+['\"\u201c\u2018(\[]?[A-Z0-9])"
    # sentences glued together by a scraper or a flattened layout: "no allegations.Sir Edward, who..."
    r"|(?<=[a-z0-9]{2}[.!?])(?=[A-Z][a-z])"
)
_CLOSING = ('"', "\u201d")  # what closes a double quotation
_FOLLOWING_WORD = re.compile(r"\s+['\"\u201c]?([A-Za-z]+)")
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


_QUOTE_MARK = re.compile('["\u201c\u201d]')
_INSIDE = b"\x01"


def _quote_depths(text: str) -> bytearray:
    """Per character, whether it sits inside a double quotation (1) or not (0).

    Straight quotes toggle; curly quotes open and close. A quotation left open at the end of the block
    is treated as a stray mark, so a missing closing quote cannot swallow a whole paragraph. Only the
    quotation marks are visited: each closed run is filled in one slice, not a character at a time.
    """
    depth = bytearray(len(text))
    inside = False
    run_start = opened_at = -1
    for m in _QUOTE_MARK.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch == "\u201c" or (ch == '"' and not inside):
            if not inside:
                run_start = i
            inside, opened_at = True, i
        elif inside:  # a closing curly quote, or a straight quote that closes
            depth[run_start:i] = _INSIDE * (i - run_start)
            inside = False
    if inside:  # the last opening mark is stray: what came before it in the run stays quoted
        depth[run_start:opened_at] = _INSIDE * (opened_at - run_start)
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


def _is_boundary(block: str, dot: int, end: int, depths: bytearray) -> bool:
    """Whether the punctuation at block[dot] ends a sentence (end is just past trailing quotes). Inside
    a quotation it does only when the quotation closes right after it (`was “rife with fear.” The
    probe ...`): a quoted sentence that the speaker goes on from stays whole."""
    if depths[dot] and not any(q in block[dot + 1 : end] for q in _CLOSING):
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
            kind: SentenceKind = "heading"
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


def iter_body_sentences(sentences: list[Sentence]) -> Iterator[Sentence]:
    return (s for s in sentences if s.kind == "body")
