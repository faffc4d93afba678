"""Stage 2 through the model: grounded claims from each document, one call per window, concurrently.

Long documents are read in overlapping windows of sentences, so no claim is cut at a window edge;
claims found twice in an overlap are counted once. Every claim the model gives must match its
document's text (`answers.extraction_model` checks that); the ones that do not are dropped and
counted, and a document whose answers never validate gives no claims rather than sinking the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from briefer.core.models import Claim, Document, Sentence, cite
from briefer.core.text import normalize
from briefer.engines.llm.answers import ExtractedClaim, extraction_model
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.sizing import InvalidAnswer

log = logging.getLogger("briefer")


@dataclass(frozen=True)
class _Part:
    doc_number: int
    doc: Document
    sentences: list[Sentence]
    part: dict[str, int] | None  # {"number": k, "total": n} for long documents


def extract(
    client: LLMClient, docs: list[Document], sentences: dict[str, list[Sentence]]
) -> tuple[list[Claim], int]:
    """The claims of every document, and how many invalid claims were dropped."""
    parts = plan_parts(client, docs, sentences)
    results = client.parallel([partial(_extract_part, client, p) for p in parts], progress="extraction calls")
    dropped = sum(rejected for _, rejected in results)
    claims: list[Claim] = []
    for doc in docs:
        found = [c for p, (r, _) in zip(parts, results, strict=True) if p.doc.id == doc.id for c in r]
        claims.extend(_claims(doc, found, sentences[doc.id]))
    return claims, dropped


def plan_parts(client: LLMClient, docs: list[Document], sentences: dict[str, list[Sentence]]) -> list[_Part]:
    """The extraction calls a run will make: one per window of each document's body sentences."""
    s = client.settings
    parts: list[_Part] = []
    for number, doc in enumerate(docs, 1):
        body = [x for x in sentences[doc.id] if x.kind == "body"]
        windows = [w for c in chunks(body, s.chunk_sentences, s.chunk_overlap) for w in _fit(client, doc, c)]
        for k, window in enumerate(windows, 1):
            info = {"number": k, "total": len(windows)} if len(windows) > 1 else None
            parts.append(_Part(number, doc, window, info))
    return parts


def part_tokens(client: LLMClient, p: _Part) -> int:
    """The estimated prompt of one extraction call."""
    return client.prompt_tokens("extract.j2", _variables(p.doc, p.sentences, p.part))


def _extract_part(client: LLMClient, p: _Part) -> tuple[list[ExtractedClaim], int]:
    """The grounded claims of one document (window) and how many invalid ones were dropped."""
    variables = _variables(p.doc, p.sentences, p.part)
    try:
        answer = client.ask("extract", "extract.j2", variables, partial(extraction_model, p.doc, p.sentences))
    except InvalidAnswer as e:
        log.warning("no claims from %s: %s", p.doc.path, e)
        return [], 0
    rejected: list[str] = answer.rejected  # type: ignore[attr-defined]
    if rejected:
        log.warning(
            "dropped %d claim%s from %s that did not match its text, e.g. %s",
            len(rejected),
            "s" * (len(rejected) != 1),
            p.doc.path,
            rejected[0],
        )
    return list(answer.claims), len(rejected)  # type: ignore[attr-defined]


def _variables(doc: Document, sentences: list[Sentence], part: dict[str, int] | None) -> dict[str, Any]:
    return {
        "title": doc.meta.title or doc.path,
        "part": part,
        "sentences": sentences,
        "max_claims": max(5, min(40, len(sentences))),
    }


def _fit(client: LLMClient, doc: Document, window: list[Sentence]) -> list[list[Sentence]]:
    """The window, halved until each part fits the model's context window with its answer (very
    long sentences, or a small local model); a single sentence is kept as it is (the client then
    refuses it unsent, and that part gives no claims)."""
    probe = {"number": 99, "total": 99}
    if len(window) <= 1 or client.fits("extract", "extract.j2", _variables(doc, window, probe)):
        return [window]
    half = len(window) // 2
    return _fit(client, doc, window[:half]) + _fit(client, doc, window[half:])


def _claims(doc: Document, found: list[ExtractedClaim], sentences: list[Sentence]) -> list[Claim]:
    """Claims with exact citations; duplicates from overlapping windows counted once."""
    by_index = {s.index: s for s in sentences}
    seen: set[tuple[object, ...]] = set()
    claims: list[Claim] = []
    for c in found:
        key = (tuple(c.spans), normalize(c.text).lower())
        if key in seen:
            continue
        seen.add(key)
        claims.append(
            Claim(
                id=f"{doc.id}:c{len(claims)}",
                kind=c.kind,
                text=" ".join(c.text.split()),
                speaker=c.speaker or None,
                anonymous=c.anonymous,
                hedged=c.hedged,
                citations=[cite(doc, start, end) for start, end in c.spans],
                sentence_ids=[by_index[i].id for i in sorted(set(c.sentence_ids))],
            )
        )
    return claims


def chunks(items: list[Sentence], size: int, overlap: int) -> list[list[Sentence]]:
    """Windows of `size` sentences overlapping by `overlap`, so no claim is cut at a window edge."""
    if len(items) <= size:
        return [items] if items else []
    step = max(1, size - overlap)
    windows = []
    for start in range(0, len(items), step):
        windows.append(items[start : start + size])
        if start + size >= len(items):
            break
    return windows
