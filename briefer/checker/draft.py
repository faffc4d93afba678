"""The draft reader of `briefer check`: a Markdown or plain-text draft as cited sentences with offsets.

A draft written elsewhere has no spans, only bracketed source numbers (`[1]`, `[1, 2]`, `[2][3]`) or
nothing at all. This module finds its sentences, the numbers each one cites and where each sentence is
in the draft as given; the rest of the checker finds and weighs the evidence. It stands alone (it
imports no other checker module) so that the Markdown side can move onto a real Markdown parser
without touching retrieval or the verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from briefer.core.segment import ABBREVIATIONS, split_sentences
from briefer.core.text import content_terms


@dataclass(frozen=True)
class DraftSentence:
    text: str
    start: int
    end: int
    citations: tuple[int, ...]


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE_PREFIX = re.compile(r"^\s{0,3}(?:>\s?)+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SOURCES_TITLE = re.compile(
    r"^(?:sources?|references?|bibliography|citations?|works cited|notes|links|footnotes)\s*:?$",
    re.IGNORECASE,
)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")

_CITATION = re.compile(r"\s*\[(\d{1,3}(?:\s*(?:[,;]|[-\u2013])\s*\d{1,3})*)\]")
# Inline Markdown, as (pattern, group kept); applied in order, each keeps the offsets of what it keeps.
# Links go before citation markers are read (so `[1](url)` is a link), reference links after (so
# `[2][3]` is two citations, not a reference link).
_BEFORE_CITATIONS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"<!--.*?-->"), None),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), None),  # images
    (re.compile(r"\[\^[^\]]+\]"), None),  # footnote references
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), 1),  # [text](url)
    (re.compile(r"<(?:https?://|mailto:)[^>]+>"), None),
]
_AFTER_CITATIONS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), 1),  # [text][ref]
    (re.compile(r"</?[A-Za-z][^>]*>"), None),  # inline HTML tags
    (re.compile(r"~~.+?~~"), None),  # struck-out text is not asserted
    (re.compile(r"`([^`]+)`"), 1),
    (re.compile(r"^(?:\*\*|__)[^*_\n]{1,60}?:(?:\*\*|__)\s*"), None),  # "**Disputed:** ..." lead-in label
    (re.compile(r"^(?:\*\*|__)[^*_\n]{1,60}?(?:\*\*|__):\s*"), None),  # "**Disputed**: ..."
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), 2),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), 1),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), 1),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])"), 1),  # backslash escapes
]


def _apply(
    text: str, offsets: list[int], pattern: re.Pattern[str], keep: int | None
) -> tuple[str, list[int]]:
    """Replace each match by the group it keeps (or nothing), carrying each kept character's offset."""
    out: list[str] = []
    outs: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(text[pos : m.start()])
        outs.extend(offsets[pos : m.start()])
        if keep is not None and m.group(keep):
            s, e = m.span(keep)
            out.append(text[s:e])
            outs.extend(offsets[s:e])
        pos = m.end()
    out.append(text[pos:])
    outs.extend(offsets[pos:])
    return "".join(out), outs


def _citation_numbers(inner: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inner.strip()):
        bounds = re.split(r"\s*[-\u2013]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            found.extend(range(lo, hi + 1) if 0 <= hi - lo <= 50 else [lo, hi])
        elif part.isdigit():
            found.append(int(part))
    return found


def _blocks(draft: str) -> Iterable[tuple[str, list[int]]]:
    """Paragraphs and list items of a Markdown draft, each with per-character offsets into the draft.

    Headings, rules, tables' rule rows, code blocks, a Sources/References section and a short footer
    after the last horizontal rule are skipped: they are furniture, not claims.
    """
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in draft.splitlines(keepends=True):
        lines.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    last_rule = max((i for i, (_, line) in enumerate(lines) if _RULE.match(line)), default=None)
    if last_rule is not None:
        tail = [line for _, line in lines[last_rule + 1 :] if line.strip()]
        if len(tail) <= 2:  # a footer ("15/15 sentences supported ..."), not a section
            lines = lines[:last_rule]

    block: list[tuple[int, str]] = []
    in_fence = False
    in_sources = False

    def flush() -> Iterable[tuple[str, list[int]]]:
        if block and not in_sources:
            text, offsets = "", []
            for i, (start, line) in enumerate(block):
                if i:
                    text += " "
                    offsets.append(start - 1)
                text += line
                offsets.extend(range(start, start + len(line)))
            yield text, offsets
        block.clear()

    for i, (start, line) in enumerate(lines):
        if _FENCE.match(line):
            yield from flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _ATX_HEADING.match(line)
        bold = _BOLD_LINE.match(line)
        next_line = lines[i + 1][1] if i + 1 < len(lines) else ""
        setext = bool(line.strip()) and not block and _SETEXT.match(next_line) and not _RULE.match(line)
        if heading or bold or setext:
            yield from flush()
            title = heading.group(2) if heading else bold.group(1) if bold else line
            in_sources = bool(_SOURCES_TITLE.match(title.strip(" *_:")))
            continue
        if _SOURCES_TITLE.match(line.strip()) and line.strip().endswith(":"):
            yield from flush()
            in_sources = True
            continue
        if not line.strip() or _RULE.match(line) or _SETEXT.match(line) or _TABLE_RULE.match(line):
            yield from flush()
            continue
        quote = _QUOTE_PREFIX.match(line)
        if quote:
            start, line = start + quote.end(), line[quote.end() :]
        item = _LIST_ITEM.match(line)
        if item:
            yield from flush()
            start, line = start + item.end(), line[item.end() :]
        else:
            stripped = len(line) - len(line.lstrip())
            start, line = start + stripped, line.lstrip()
        if line.startswith("|") or line.rstrip().endswith("|"):
            line = line.replace("|", " ")
        block.append((start, line))
    yield from flush()


_LOWERCASE_BOUNDARY = re.compile(r"(?:\s[.!?]|(?<=[a-z0-9%)'\"])[.!?])\s+(?=\S)")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets; lower-cased text (common in NLP datasets) also splits before a lowercase word.

    `split_sentences` only ends a sentence before a capital or digit, which lower-cased or tokenised
    text ("... in the brain . it could ...") never has. This is not a second splitter: text with a
    capital letter anywhere gets exactly `split_sentences`, and only text with none gets the extra
    cuts, so replacing it by the core splitter would change `briefer check --jsonl` on lower-cased
    datasets (QAGS, FRANK) and the benchmark numbers measured on them.
    """
    spans = split_sentences(text)
    if any(c.isupper() for c in text):
        return spans
    out: list[tuple[int, int]] = []
    for s, e in spans:
        start = s
        for m in _LOWERCASE_BOUNDARY.finditer(text, s, e):
            word = re.search(r"([a-z]+)$", text[start : m.start()])
            if (
                word
                and not text[m.start()].isspace()
                and (word.group(1) in ABBREVIATIONS or len(word.group(1)) == 1)
            ):
                continue  # "u.s. officials", "gov. smith"
            cut = m.start() + len(m.group(0).rstrip())
            if text[start:cut].strip():
                out.append((start, cut))
            start = m.end()
        if text[start:e].strip():
            out.append((start, e))
    return out


def _plain_blocks(draft: str) -> Iterable[tuple[str, list[int]]]:
    """Lines of a plain-text draft, as they are: a summary in a benchmark file is not Markdown."""
    for s, e in paragraphs(draft):
        yield draft[s:e], list(range(s, e))


def parse_draft(draft: str, *, markdown: bool = True) -> list[DraftSentence]:
    """The sentences of a draft with their cited source numbers and offsets into the draft.

    A marker after the closing punctuation belongs to the sentence before it ("... stability. [1]"),
    as briefer itself prints them; a marker inside a sentence belongs to that sentence. Sentences with
    no content word ("How can it be?") assert nothing and are left out.
    """
    out: list[DraftSentence] = []
    for raw, raw_offsets in _blocks(draft) if markdown else _plain_blocks(draft):
        text, offsets = raw, raw_offsets
        for pattern, keep in _BEFORE_CITATIONS if markdown else []:
            text, offsets = _apply(text, offsets, pattern, keep)
        markers = [
            (offsets[m.start()] if offsets else 0, _citation_numbers(m.group(1)))
            for m in _CITATION.finditer(text)
        ]
        text, offsets = _apply(text, offsets, _CITATION, None)
        for pattern, keep in _AFTER_CITATIONS if markdown else []:
            text, offsets = _apply(text, offsets, pattern, keep)
        spans = _sentences(text)
        if not spans:
            continue
        cited: list[list[int]] = [[] for _ in spans]
        for at, nums in markers:
            target = 0
            for j, (s, _e) in enumerate(spans):
                if offsets[s] < at:
                    target = j
            for n in nums:
                if n not in cited[target]:
                    cited[target].append(n)
        for (s, e), nums in zip(spans, cited, strict=True):
            sentence = text[s:e].strip()
            if not content_terms(sentence):
                continue
            out.append(
                DraftSentence(text=sentence, start=offsets[s], end=offsets[e - 1] + 1, citations=tuple(nums))
            )
    return out


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as blocks: plain-text articles put one paragraph (or sentence) per line.

    The blocks of a plain-text draft and of a plain-text source alike (`briefer.checker.retrieve`).
    """
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.span()
        if text[s:e].strip():
            out.append((s, e))
    return out
