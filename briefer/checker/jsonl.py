"""`briefer check --jsonl`: a batch of summaries, each checked against its own document(s).

One JSON object a line in (a `summary` and a `document` or `documents`), one compact result a line
out. Summaries in benchmark files are plain text, not Markdown, so they are read with `markdown=False`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from briefer.checker.checker import CheckResult, check
from briefer.core import limits
from briefer.core.errors import InputError


@dataclass(frozen=True)
class Pair:
    """One line of a `--jsonl` batch: a summary and the document(s) it should be faithful to."""

    line: int
    summary: str
    documents: tuple[str, ...]
    id: object = None


def _lines(source: str | BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """Numbered lines, split on `\\n` only: JSON Lines allows a raw U+2028 or U+0085 inside a string,
    which `str.splitlines` would cut. A stream is read a line at a time, never more than the line
    bound (`limits.MAX_JSONL_LINE_BYTES`) plus one byte, so one huge line cannot exhaust memory."""
    if isinstance(source, str):
        yield from enumerate(source.split("\n"), 1)
        return
    bound = limits.MAX_JSONL_LINE_BYTES
    n = 0
    while raw := source.readline(bound + 1):
        n += 1
        if len(raw) > bound and not raw.endswith(b"\n"):
            raise InputError(f"{name}:{n}: line longer than {limits.size(bound)} (the limit per JSON line)")
        try:
            yield n, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name}:{n}: not UTF-8") from None


def read_pairs(source: str | BinaryIO, name: str = "input") -> list[Pair]:
    """Validate a whole JSONL batch before checking any of it, so bad input fails fast (exit 2).
    `source` is the text itself or a binary stream (read line by line, each line bounded)."""
    pairs: list[Pair] = []
    for n, line in _lines(source, name):
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


def pair_result(pair: Pair, refine: Callable[[CheckResult], CheckResult] | None = None) -> dict[str, object]:
    """The compact per-line result of batch mode: overall and per-sentence labels and scores.
    `refine` takes the deterministic result to the final one (`--engine llm`: the judge's policy,
    the same as for a single draft)."""
    out: dict[str, object] = {"line": pair.line}
    if pair.id is not None:
        out["id"] = pair.id
    if not pair.summary.strip():
        return {**out, "label": "supported", "score": 1.0, "mean_score": 1.0, "sentences": []}
    result = check(pair.summary, list(pair.documents), markdown=False)
    if refine is not None:
        result = refine(result)
    return {
        **out,
        "label": result.label,
        "score": result.score,
        "mean_score": result.mean_score,
        "sentences": [
            {"text": s.text, "label": s.label, "score": s.score, "reasons": s.reasons, "vetoed": s.vetoed}
            for s in result.sentences
        ],
    }
