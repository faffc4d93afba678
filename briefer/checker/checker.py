"""`briefer check`: verify any draft (a brief, an analyst's Markdown, plain text) against its sources.

The pipeline verifies sentences against the exact spans it cited. A draft written elsewhere has no
spans, only bracketed source numbers (`[1]`, `[1, 2]`, `[2][3]`) or nothing at all, so this module
first finds the evidence: the source sentences that best match each draft sentence (BM25 over the
sentences of the cited sources, or of all sources when the sentence cites none). Those spans are the
evidence `briefer.verify.check_text` judges; the whole of the same sources is its context, so a name
found elsewhere in the article reads as "not in the best span" rather than "invented".

Source numbers are 1-based positions in `sources` as given. Every evidence quote is an exact slice of
its source text (`text[start:end] == quote`), like every citation the pipeline prints.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from briefer.core.errors import InputError
from briefer.core.models import SEVERITY, Document, Label, worst
from briefer.core.segment import ABBREVIATIONS, split_sentences
from briefer.core.text import content_terms, is_content_word, stem
from briefer.verify import Evidence, analyse_sentences, check_text, sentence_info

TOP_K = 3  # evidence spans per sentence: enough for a sentence that fuses two or three source sentences
BM25_K1 = 1.2
BM25_B = 0.75
MAX_WINDOW_CHARS = 600  # longer "sentences" (lists, unpunctuated text) are cut so evidence stays local


# --- results ----------------------------------------------------------------------------------------


class EvidenceSpan(BaseModel):
    """An exact span of one source: `quote == text[start:end]` of the source numbered `source`."""

    source: int  # 1-based position in the sources as given
    doc_id: str
    path: str | None = None
    start: int
    end: int
    quote: str


class SentenceCheck(BaseModel):
    index: int
    text: str  # the sentence as checked (Markdown and citation markers removed)
    start: int  # offsets of the sentence in the draft as given
    end: int
    citations: list[int] = []  # source numbers the sentence cites
    label: Label
    score: float = Field(ge=0.0, le=1.0)
    evidence: EvidenceSpan | None = None  # the best-aligned span
    candidates: list[EvidenceSpan] = []  # every span the sentence was checked against
    reasons: list[str] = []


class SourceInfo(BaseModel):
    number: int
    doc_id: str
    path: str | None = None
    chars: int


class CheckResult(BaseModel):
    label: Label  # the worst sentence label
    score: float = Field(ge=0.0, le=1.0)  # the weakest sentence's score: one bad sentence fails a draft
    mean_score: float = Field(ge=0.0, le=1.0)
    counts: dict[str, int]
    sentences: list[SentenceCheck]
    sources: list[SourceInfo]

    @property
    def supported(self) -> bool:
        return self.label == "supported"


# --- Markdown draft parsing -------------------------------------------------------------------------


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
    text ("... in the brain . it could ...") never has.
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
    for s, e in _paragraphs(draft):
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


# --- sources and retrieval ------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    source: int  # 0-based index into the prepared sources
    start: int
    end: int
    terms: Counter[str]
    length: int


@dataclass(frozen=True)
class Source:
    number: int
    doc_id: str
    path: str | None
    text: str
    windows: tuple[Window, ...]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as blocks: plain-text articles put one paragraph (or sentence) per line."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.span()
        if text[s:e].strip():
            out.append((s, e))
    return out


def _windows(index: int, text: str, blocks: Sequence[tuple[int, int]]) -> tuple[Window, ...]:
    windows: list[Window] = []
    for bs, be in blocks:
        block = text[bs:be]
        for s, e in split_sentences(block):
            start = bs + s
            while start < bs + e:
                end = min(bs + e, start + MAX_WINDOW_CHARS)
                if end < bs + e:  # cut at a space, never inside a word
                    cut = text.rfind(" ", start + MAX_WINDOW_CHARS // 2, end)
                    end = cut if cut > start else end
                info = sentence_info(text[start:end])
                terms = Counter(stem(w) for w in info.words if is_content_word(w))
                if terms:
                    windows.append(Window(index, start, end, terms, sum(terms.values())))
                start = end
                while start < bs + e and text[start].isspace():
                    start += 1
    return tuple(windows)


@lru_cache(maxsize=256)
def _prepared_text(text: str) -> tuple[Window, ...]:
    """Windows of a plain text, cached: a batch usually checks many summaries against one article."""
    return _windows(0, text, _paragraphs(text))


def _prepare(number: int, source: str | Path | Document) -> Source:
    if isinstance(source, Document):
        blocks = [(b.start, b.end) for b in source.body] or _paragraphs(source.text)
        windows = _windows(number - 1, source.text, blocks)
        return Source(number, source.id, source.path, source.text, windows)
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read source {source}: {e}") from e
        path: str | None = str(source)
        doc_id = source.stem
    else:
        text, path, doc_id = source, None, f"source-{number}"
    base = _prepared_text(text)
    windows = (
        tuple(Window(number - 1, w.start, w.end, w.terms, w.length) for w in base) if number > 1 else base
    )
    return Source(number, doc_id, path, text, windows)


class Retriever:
    """Okapi BM25 over source windows (sentences).

    A dozen lines of arithmetic over term counters: the corpora are one check's sources (tens to a few
    thousand sentences), where a library's array set-up costs more than the scoring it speeds up.
    """

    def __init__(self, windows: Sequence[Window]) -> None:
        self.windows = list(windows)
        df: Counter[str] = Counter()
        for w in self.windows:
            df.update(w.terms.keys())
        n = len(self.windows)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.avg_len = sum(w.length for w in self.windows) / max(1, n)

    def top(
        self, query: Sequence[str], k: int, sources: set[int] | None = None
    ) -> list[tuple[float, Window]]:
        terms = [t for t in set(query) if t in self.idf]
        scored: list[tuple[float, Window]] = []
        for w in self.windows:
            if sources is not None and w.source not in sources:
                continue
            score = 0.0
            norm = BM25_K1 * (1 - BM25_B + BM25_B * w.length / self.avg_len)
            for t in terms:
                f = w.terms.get(t)
                if f:
                    score += self.idf[t] * f * (BM25_K1 + 1) / (f + norm)
            if score > 0:
                scored.append((score, w))
        scored.sort(key=lambda x: (-x[0], x[1].source, x[1].start))
        return scored[:k]


# --- the check -------------------------------------------------------------------------------------


def _span(source: Source, window: Window) -> EvidenceSpan:
    return EvidenceSpan(
        source=source.number,
        doc_id=source.doc_id,
        path=source.path,
        start=window.start,
        end=window.end,
        quote=source.text[window.start : window.end],
    )


class _Contexts:
    """The whole text of each set of candidate sources, analysed once per check."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = sources
        self.cache: dict[tuple[int, ...], Evidence] = {}

    def get(self, indices: tuple[int, ...]) -> Evidence:
        if indices not in self.cache:
            sentences = tuple(
                self.sources[i].text[w.start : w.end] for i in indices for w in self.sources[i].windows
            )
            self.cache[indices] = _analysed(sentences)
        return self.cache[indices]


@lru_cache(maxsize=256)
def _analysed(sentences: tuple[str, ...]) -> Evidence:
    """A source's sentences analysed once, however many summaries a batch checks against it."""
    return analyse_sentences(sentences)


@dataclass(frozen=True)
class Gathered:
    """What one draft sentence is judged against."""

    spans: list[EvidenceSpan]  # the retrieved source sentences, best BM25 match first
    evidence: Evidence | None  # those spans, analysed (None when nothing matched)
    context: Evidence  # the whole text of the candidate sources
    unknown: list[int]  # cited numbers with no such source


def gather(
    sentence: DraftSentence,
    sources: Sequence[Source],
    retriever: Retriever,
    contexts: _Contexts,
    top_k: int = TOP_K,
) -> Gathered:
    """The evidence for one sentence: the best spans of the sources it cites, or of all sources."""
    unknown = [n for n in sentence.citations if not 1 <= n <= len(sources)]
    cited = sorted({n - 1 for n in sentence.citations if 1 <= n <= len(sources)})
    if unknown and not cited:
        return Gathered([], None, contexts.get(tuple(range(len(sources)))), unknown)
    hits = retriever.top(content_terms(sentence.text), top_k, set(cited) if cited else None)
    context = contexts.get(tuple(cited) if cited else tuple(range(len(sources))))
    spans = [_span(sources[w.source], w) for _, w in hits]
    evidence = analyse_sentences([s.quote for s in spans]) if spans else None
    return Gathered(spans, evidence, context, unknown)


def check_sentence(
    sentence: DraftSentence,
    index: int,
    sources: Sequence[Source],
    retriever: Retriever,
    contexts: _Contexts,
    top_k: int = TOP_K,
) -> SentenceCheck:
    """Check one draft sentence against the best spans of the sources it cites (or of all sources)."""
    found = gather(sentence, sources, retriever, contexts, top_k)
    reasons = [f"cites source [{n}], but only {len(sources)} source(s) were given" for n in found.unknown]
    label: Label
    if found.evidence is None:
        label, score = "unsupported", 0.0
        if not found.unknown:
            reasons.append("no source sentence shares a content word with it")
        best = None
    else:
        verdict = check_text(sentence.text, found.evidence, context=found.context)
        label, score = verdict.label, verdict.score
        reasons.extend(verdict.reasons)
        best = found.spans[_best_index(sentence.text, found.spans)]
        if found.unknown and label == "supported":
            label = "partially_supported"
    return SentenceCheck(
        index=index,
        text=sentence.text,
        start=sentence.start,
        end=sentence.end,
        citations=list(sentence.citations),
        label=label,
        score=score,
        evidence=best,
        candidates=found.spans,
        reasons=reasons,
    )


def _best_index(sentence: str, spans: Sequence[EvidenceSpan]) -> int:
    """The span sharing the most content words with the sentence (ties: the higher-ranked one)."""
    terms = set(content_terms(sentence))
    overlaps = [len(terms & set(content_terms(s.quote))) for s in spans]
    return max(range(len(spans)), key=lambda i: (overlaps[i], -i))


def _as_sources(sources: Sequence[str | Path | Document]) -> list[Source]:
    if not sources:
        raise InputError("no sources given")
    prepared = [_prepare(i + 1, s) for i, s in enumerate(sources)]
    for s in prepared:
        if not s.windows:
            where = s.path or f"source [{s.number}]"
            raise InputError(f"{where} has no text to check against")
    return prepared


def check(
    draft: str | Path,
    sources: Sequence[str | Path | Document],
    *,
    top_k: int = TOP_K,
    markdown: bool = True,
) -> CheckResult:
    """Check every sentence of `draft` against `sources` and say which are supported, and why not.

    `draft` is Markdown or plain text (a `Path` is read as UTF-8). Each source is a `Document` (from
    `briefer.load.load`), a `Path` to a UTF-8 text file, or a string holding the source text itself.
    Bracketed numbers in the draft refer to sources by their 1-based position in `sources`.
    With `markdown=False` the draft is plain text (no heading, list or emphasis syntax is removed).
    Raises `InputError` for an empty draft or unusable sources; a draft whose sentences assert nothing
    checkable passes with no sentences.
    """
    if isinstance(draft, Path):
        try:
            draft = draft.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read draft {draft}: {e}") from e
    if not draft.strip():
        raise InputError("the draft is empty")
    sentences = parse_draft(draft, markdown=markdown)
    prepared = _as_sources(sources)
    retriever = Retriever([w for s in prepared for w in s.windows])
    contexts = _Contexts(prepared)
    checks = [check_sentence(s, i, prepared, retriever, contexts, top_k) for i, s in enumerate(sentences)]
    return summarise(checks, prepared)


def summarise(checks: list[SentenceCheck], sources: Sequence[Source]) -> CheckResult:
    """The draft's verdict: its worst sentence's label, its weakest sentence's score."""
    infos = [SourceInfo(number=s.number, doc_id=s.doc_id, path=s.path, chars=len(s.text)) for s in sources]
    return _result(checks, infos)


def relabelled(result: CheckResult, checks: list[SentenceCheck]) -> CheckResult:
    """The same result after some sentences were relabelled (by the LLM judge), its verdict recomputed."""
    return _result(checks, result.sources)


def _result(checks: list[SentenceCheck], sources: list[SourceInfo]) -> CheckResult:
    counts = Counter(c.label for c in checks)
    return CheckResult(
        label=worst(c.label for c in checks),
        score=min((c.score for c in checks), default=1.0),
        mean_score=round(sum(c.score for c in checks) / len(checks), 4) if checks else 1.0,
        counts={label: counts.get(label, 0) for label in SEVERITY},
        sentences=checks,
        sources=sources,
    )


# --- batch mode and output ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One line of a `--jsonl` batch: a summary and the document(s) it should be faithful to."""

    line: int
    summary: str
    documents: tuple[str, ...]
    id: object = None


def read_pairs(text: str, name: str = "input") -> list[Pair]:
    """Validate a whole JSONL batch before checking any of it, so bad input fails fast (exit 2)."""
    pairs: list[Pair] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{name}:{n}: not valid JSON ({e.msg})") from e
        if not isinstance(row, dict):
            raise InputError(f"{name}:{n}: expected a JSON object")
        summary = row.get("summary")
        docs = row.get("documents", [row["document"]] if "document" in row else None)
        if not isinstance(summary, str):
            raise InputError(f'{name}:{n}: "summary" must be a string')
        if not isinstance(docs, list) or not docs or not all(isinstance(d, str) and d.strip() for d in docs):
            raise InputError(f'{name}:{n}: needs "document" (a string) or "documents" (a list of strings)')
        pairs.append(Pair(n, summary, tuple(docs), row.get("id")))
    if not pairs:
        raise InputError(f"{name}: no JSON lines to check")
    return pairs


def pair_result(pair: Pair) -> dict[str, object]:
    """The compact per-line result of batch mode: overall and per-sentence labels and scores."""
    out: dict[str, object] = {"line": pair.line}
    if pair.id is not None:
        out["id"] = pair.id
    if not pair.summary.strip():
        return {**out, "label": "supported", "score": 1.0, "mean_score": 1.0, "sentences": []}
    result = check(pair.summary, list(pair.documents), markdown=False)
    return {
        **out,
        "label": result.label,
        "score": result.score,
        "mean_score": result.mean_score,
        "sentences": [
            {"text": s.text, "label": s.label, "score": s.score, "reasons": s.reasons}
            for s in result.sentences
        ],
    }


def render_table(result: CheckResult, width: int = 100) -> str:
    """A plain-text table for a terminal: one row per sentence, its reasons and evidence beneath."""
    width = max(60, width)
    head = f"{'#':>3}  {'verdict':<19} {'score':>5}  {'cites':<7} {'evidence':<16} sentence"
    lines = [head, "-" * min(width, len(head) + 40)]
    text_width = max(20, width - 58)
    for s in result.sentences:
        cites = "[" + ",".join(str(n) for n in s.citations) + "]" if s.citations else "-"
        where = f"[{s.evidence.source}] {s.evidence.start}-{s.evidence.end}" if s.evidence else "-"
        shown = s.text if len(s.text) <= text_width else s.text[: text_width - 1] + "\u2026"
        lines.append(
            f"{s.index + 1:>3}  {s.label.replace('_', ' '):<19} {s.score:>5.2f}  {cites:<7} {where:<16} {shown}"
        )
        if s.label != "supported":
            for r in s.reasons:
                lines.append(f"{'':5}- {r}")
            if s.evidence:
                quote = " ".join(s.evidence.quote.split())
                quote = quote if len(quote) <= width - 20 else quote[: width - 21] + "\u2026"
                lines.append(f'{"":5}  closest: "{quote}"')
    counts = ", ".join(
        f"{n} {label.replace('_', ' ')}" for label, n in result.counts.items() if n and label != "supported"
    )
    total = len(result.sentences)
    lines.append("")
    lines.append(
        f"{result.counts.get('supported', 0)}/{total} sentences supported"
        + (f" ({counts})" if counts else "")
        + f"; draft score {result.score:.2f} (its weakest sentence)"
    )
    return "\n".join(lines) + "\n"
