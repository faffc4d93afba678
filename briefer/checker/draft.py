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
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from briefer.core.segment import ABBREVIATIONS, split_sentences
from briefer.core.text import content_terms


@dataclass(frozen=True)
class DraftSentence:
    text: str
    start: int
    end: int
    citations: tuple[int, ...]


_SOURCES_TITLE = re.compile(
    r"^(?:sources?|references?|bibliography|citations?|works cited|notes|links|footnotes)\s*:?$",
    re.IGNORECASE,
)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_FOOTNOTE_REF = re.compile(r"\s*\[\^([^\]\s]+)\]")

_CITATION = re.compile(r"\s*\[(\d{1,3}(?:\s*(?:[,;]|[-\u2013])\s*\d{1,3})*)\]")
# Inline Markdown, as (pattern, group kept); applied in order, each keeps the offsets of what it keeps.
# Links go before citation markers are read (so `[1](url)` is a link), reference links after (so
# `[2][3]` is two citations, not a reference link).
_BEFORE_CITATIONS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"<!--.*?-->"), None),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), None),  # images
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


Block = tuple[str, list[int]]  # a block's text (container markers removed) and each character's offset


@cache
def _parser() -> MarkdownIt:
    """CommonMark with GitHub's tables and footnotes: the Markdown drafts are written in."""
    return MarkdownIt("commonmark").enable("table").use(footnote_plugin)


def _located(lines: list[tuple[int, str]], first: int, content: str) -> Block:
    """The text of an inline token and its characters' offsets in the draft.

    markdown-it gives a block's lines (`map`) and its content, each content line being a suffix of its
    source line once container markers (`>`, list indentation) are cut, trimmed at the ends. So each
    content line is found at the end of its source line, trailing spaces aside.
    """
    text, offsets = "", []
    for i, part in enumerate(content.split("\n")):
        start, line = lines[min(first + i, len(lines) - 1)]
        body = line.rstrip()
        at = len(body) - len(part) if body.endswith(part) else max(line.find(part), 0)
        if i:
            text += " "
            offsets.append(start + at - 1)
        text += part
        offsets.extend(range(start + at, start + at + len(part)))
    return text, offsets


def _row(line: tuple[int, str], tokens: list[Token]) -> Block:
    """A table body row (from its first cell's inline token on): its non-empty cells, in order, each
    found in the row's source line after the one before, joined by spaces."""
    start, source = line
    text, offsets, at = "", [], 0
    for token in tokens:
        if token.type == "tr_close":
            break
        if token.type != "inline" or not token.content:
            continue
        found = source.find(token.content, at)
        if found < 0:
            continue
        if text:
            text += " "
            offsets.append(start + found - 1)
        text += token.content
        offsets.extend(range(start + found, start + found + len(token.content)))
        at = found + len(token.content)
    return text, offsets


def _blocks(draft: str) -> tuple[list[Block], dict[str, int]]:
    """Paragraphs, list items and table body rows of a Markdown draft (markdown-it), each with
    per-character offsets into the draft; and the source number of each footnote label.

    Headings, a paragraph that is only bold text (a lead-in such as `**Key points**`), a table's
    header row, code, HTML blocks, footnote definitions, a Sources/References section and a short
    footer after the last horizontal rule are skipped: they are furniture, not claims. A footnote
    labelled with a number cites that source; any other label, the number markdown-it shows for it.
    """
    env: dict[str, Any] = {}
    tokens = _parser().parse(draft, env)
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in draft.splitlines(keepends=True):
        lines.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    footnotes = {
        note["label"]: int(note["label"]) if note["label"].isdigit() else number + 1
        for number, note in env.get("footnotes", {}).get("list", {}).items()
        if "label" in note
    }
    rules = [t.map[0] for t in tokens if t.type == "hr" and t.map]
    footer_from = len(lines)
    if rules and sum(1 for _, line in lines[rules[-1] + 1 :] if line.strip()) <= 2:
        footer_from = rules[-1]  # a footer ("15/15 sentences supported ..."), not a section

    blocks: list[Block] = []
    in_sources = False
    depth = {"footnote_block": 0, "thead": 0, "heading": 0}
    for i, token in enumerate(tokens):
        kind = token.type.rsplit("_", 1)[0]
        if kind in depth and token.nesting:
            depth[kind] += token.nesting
            if kind == "heading" and token.nesting == 1:
                title = tokens[i + 1].content
                in_sources = bool(_SOURCES_TITLE.match(title.strip(" *_:")))
            continue
        if token.type != "inline" or not token.map or any(depth.values()) or token.map[0] >= footer_from:
            continue
        content = token.content
        first_line = content.split("\n", 1)[0]
        bold = _BOLD_LINE.match(first_line)
        if bold or (_SOURCES_TITLE.match(first_line.strip()) and first_line.strip().endswith(":")):
            title = bold.group(1) if bold else first_line
            in_sources = bool(_SOURCES_TITLE.match(title.strip(" *_:")))
            rest = content.split("\n", 1)[1:]  # a bold line heads the lines under it
            if not rest:
                continue
            content, first = rest[0], token.map[0] + 1
        else:
            first = token.map[0]
        if in_sources:
            continue
        if tokens[i - 1].type == "td_open":  # a body row: its cells, in order, as one block
            if tokens[i - 2].type == "tr_open":
                blocks.append(_row(lines[token.map[0]], tokens[i:]))
            continue
        blocks.append(_located(lines, first, content))
    return blocks, footnotes


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


# A list marker opening a line of plain text: "- ", "* ", "• ", "1. ", "2) ". Read off like the
# Markdown reader's bullets, or "1." is taken for a figure and a bullet's first word for a name.
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+\u2022\u2013]|\d{1,2}[.)])[ \t]+(?=\S)")


def _plain_blocks(draft: str) -> Iterable[tuple[str, list[int]]]:
    """Lines of a plain-text draft, list markers read off (offsets kept): a summary in a benchmark
    file is not Markdown, but models write lists in it all the same."""
    for s, e in paragraphs(draft):
        marker = _LIST_MARKER.match(draft, s, e)
        start = marker.end() if marker else s
        yield draft[start:e], list(range(start, e))


def parse_draft(draft: str, *, markdown: bool = True) -> list[DraftSentence]:
    """The sentences of a draft with their cited source numbers and offsets into the draft.

    A marker after the closing punctuation belongs to the sentence before it ("... stability. [1]"),
    as briefer itself prints them; a marker inside a sentence belongs to that sentence. Sentences with
    no content word ("How can it be?") assert nothing and are left out.
    """
    out: list[DraftSentence] = []
    blocks, footnotes = _blocks(draft) if markdown else (list(_plain_blocks(draft)), {})
    for raw, raw_offsets in blocks:
        text, offsets = raw, raw_offsets
        for pattern, keep in _BEFORE_CITATIONS if markdown else []:
            text, offsets = _apply(text, offsets, pattern, keep)
        markers: list[tuple[int, list[int]]] = []
        if markdown:  # footnote references: `[^1]`, `[^reuters]`
            markers += [
                (offsets[m.start()], [footnotes.get(m.group(1)) or int(m.group(1))])
                for m in _FOOTNOTE_REF.finditer(text)
                if m.group(1) in footnotes or m.group(1).isdigit()
            ]
            text, offsets = _apply(text, offsets, _FOOTNOTE_REF, None)
        markers += [
            (offsets[m.start()] if offsets else 0, _citation_numbers(m.group(1)))
            for m in _CITATION.finditer(text)
        ]
        markers.sort(key=lambda m: m[0])
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
