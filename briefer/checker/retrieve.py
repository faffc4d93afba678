"""The sources of `briefer check` and the search over them: which source sentences best match a claim.

A draft sentence is judged against the source sentences that best match it (BM25 over the sentences
of the sources it cites, or of all sources when it cites none), with the whole of the same sources as
context. This module prepares the sources (Documents, text, or files and folders loaded the way
`briefer check --sources` loads them), cuts them into windows (sentences), ranks windows and
analyses each set of candidate sources once per check.

Source numbers are 1-based positions in the sources after loading (a folder counts one source per
document it holds, in the loader's order).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefer.checker.draft import paragraphs
from briefer.core.errors import InputError
from briefer.core.models import Document
from briefer.core.segment import split_sentences
from briefer.core.text import is_content_word, stem
from briefer.verify import Evidence, analyse_sentences, sentence_info

BM25_K1 = 1.2
BM25_B = 0.75
MAX_WINDOW_CHARS = 600  # longer "sentences" (lists, unpunctuated text) are cut so evidence stays local


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
    skipped: str | None = None  # why this numbered slot is empty (a duplicate, an empty file, ...)


@dataclass(frozen=True)
class EmptySlot:
    """A file the user gave (or a folder holds) that was skipped after it was found: it keeps its
    number, so `[3]` still means the third file, and a sentence citing it is told why it is empty."""

    path: str
    reason: str


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
    return _windows(0, text, paragraphs(text))


def _prepare(number: int, source: str | Document | EmptySlot) -> Source:
    if isinstance(source, EmptySlot):
        return Source(number, "", source.path, "", (), skipped=source.reason)
    if isinstance(source, Document):
        blocks = [(b.start, b.end) for b in source.body] or paragraphs(source.text)
        windows = _windows(number - 1, source.text, blocks)
        return Source(number, source.id, source.path, source.text, windows)
    base = _prepared_text(source)
    windows = (
        tuple(Window(number - 1, w.start, w.end, w.terms, w.length) for w in base) if number > 1 else base
    )
    return Source(number, f"source-{number}", None, source, windows)


def _loaded(sources: Sequence[str | Path | Document | EmptySlot]) -> list[str | Document | EmptySlot]:
    """The sources with each `Path` (a file or a folder) replaced by the documents it holds.

    Loaded as `briefer check --sources` loads its paths: one `load` per path, so source numbers follow
    the order the paths were given in.
    """
    out: list[str | Document | EmptySlot] = []
    for source in sources:
        out.extend(load_sources([source]) if isinstance(source, Path) else [source])
    return out


def load_sources(paths: Sequence[Path]) -> list[Document | EmptySlot]:
    """The sources of `check --sources PATH...`: one `load` per path, so numbers follow the order the
    paths were given in, and within a folder one number per supported file in sorted order; a file
    skipped after it was found (a duplicate, an empty or binary file) keeps its number as an empty
    slot, so a skipped duplicate never shifts the numbers of the files after it."""
    # imported here: the loader (trafilatura, lxml) costs a tenth of a second that text sources skip
    from briefer.sources.load import load

    out: list[Document | EmptySlot] = []
    for path in paths:
        result = load([path])
        reasons = {s.path: s.reason for s in result.skipped}
        for found in result.found:  # a container (a feed, an e-mail) gives its parts, `path#name`
            parts = [d for d in result.documents if d.path == found or d.path.startswith(found + "#")]
            out.extend(parts or [EmptySlot(found, reasons.get(found, "skipped"))])
    return out


def prepare_sources(sources: Sequence[str | Path | Document | EmptySlot]) -> list[Source]:
    """The sources of one check, numbered from 1 and cut into windows; unusable sources are bad input."""
    if not sources:
        raise InputError("no sources given")
    prepared = [_prepare(i + 1, s) for i, s in enumerate(_loaded(sources))]
    for s in prepared:
        if not s.windows and s.skipped is None:
            where = s.path or f"source [{s.number}]"
            raise InputError(f"{where} has no text to check against")
    return prepared


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
        self.postings: dict[str, list[int]] = {}  # term -> windows holding it, in window order
        for i, w in enumerate(self.windows):
            for t in w.terms:
                self.postings.setdefault(t, []).append(i)

    @classmethod
    def over(cls, sources: Sequence[Source]) -> Retriever:
        """One index over every window of every source."""
        return cls([w for s in sources for w in s.windows])

    def top(
        self, query: Sequence[str], k: int, sources: set[int] | None = None
    ) -> list[tuple[float, Window]]:
        """The k best windows for `query` (of `sources` only, when given). Only windows sharing a term
        with the query can score above 0, so only those are scored (an inverted index): the work per
        sentence is the windows holding its words, not every window of every source."""
        terms = [t for t in set(query) if t in self.idf]
        scored: list[tuple[float, Window]] = []
        hit = sorted({i for t in terms for i in self.postings[t]})
        for w in (self.windows[i] for i in hit):
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


class Contexts:
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


def clear_caches() -> None:
    """Forget every source prepared or analysed so far: for timing checks with nothing cached."""
    _prepared_text.cache_clear()
    _analysed.cache_clear()
