"""`briefer check`: verify any draft (a brief, an analyst's Markdown, plain text) against its sources.

The pipeline verifies sentences against the exact spans it cited. A draft written elsewhere has no
spans, only bracketed source numbers (`[1]`, `[1, 2]`, `[2][3]`) or nothing at all, so this module
first finds the evidence: the source sentences that best match each draft sentence (BM25 over the
sentences of the cited sources, or of all sources when the sentence cites none). Those spans are the
evidence `briefer.verify.check_text` judges; the whole of the same sources is its context, so a name
found elsewhere in the article reads as "not in the best span" rather than "invented".

Source numbers are 1-based positions in `sources` as given (a folder counts one per document it
holds). Every evidence quote is an exact slice of
its source text (`text[start:end] == quote`), like every citation the pipeline prints.

The draft reader is `briefer.checker.draft`, the sources and the search over them
`briefer.checker.retrieve`; this module holds the result models and the verdicts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from briefer.checker.draft import DraftSentence, parse_draft
from briefer.checker.retrieve import Contexts, EmptySlot, Retriever, Source, Window, prepare_sources
from briefer.core import limits
from briefer.core.errors import InputError
from briefer.core.models import SEVERITY, Citation, Document, Label, worst
from briefer.core.schema import schema_version
from briefer.core.text import content_terms
from briefer.verify import Evidence, analyse_sentences, check_text

TOP_K = 3  # evidence spans per sentence: enough for a sentence that fuses two or three source sentences


# --- results ----------------------------------------------------------------------------------------

_SPAN_FIELDS = ("source", "doc_id", "path", "start", "end", "quote")


class EvidenceSpan(Citation):
    """An exact span of one source: `quote == text[start:end]` of the source numbered `source`.

    A `Citation` (the invariant is checked the same way) that also says which source, by number and
    path, since a draft cites sources by position rather than by document id.
    """

    source: int  # 1-based position in the sources as given (after folders are loaded)
    path: str | None = None

    @model_serializer(mode="wrap")
    def _source_first(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The fields in the order `briefer check --format json` has always printed them."""
        data: dict[str, Any] = handler(self)
        return {k: data[k] for k in _SPAN_FIELDS if k in data}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The serializer above only reorders the fields, so the schema is the fields' own (pydantic
        would otherwise describe the serializer's return type, "any object")."""
        return handler(_without_serializer(core_schema))


def _without_serializer(schema: Any) -> CoreSchema:
    """A core schema with its model's custom serializer left out (the validator wrapping it kept)."""
    out = {k: v for k, v in schema.items() if k != "serialization"}
    if isinstance(out.get("schema"), dict):
        out["schema"] = _without_serializer(out["schema"])
    return cast(CoreSchema, out)


class SentenceCheck(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

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
    vetoed: bool = False  # a hard check failed or the evidence contradicts it: no judge can pass it


class SourceInfo(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    number: int
    doc_id: str
    path: str | None = None
    chars: int


class CheckResult(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    # a hash of this model's JSON Schema (`briefer schema check`): changes exactly when the schema does
    schema_version: str = Field(default_factory=lambda: schema_version(CheckResult))
    label: Label  # the worst sentence label
    score: float = Field(ge=0.0, le=1.0)  # the weakest sentence's score: one bad sentence fails a draft
    mean_score: float = Field(ge=0.0, le=1.0)
    counts: dict[str, int]
    sentences: list[SentenceCheck]
    sources: list[SourceInfo]

    @property
    def supported(self) -> bool:
        return self.label == "supported"


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
    contexts: Contexts,
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


def gather_all(
    draft: str,
    sources: Sequence[str | Path | Document | EmptySlot],
    *,
    top_k: int = TOP_K,
    markdown: bool = True,
) -> list[tuple[DraftSentence, Gathered]]:
    """Each sentence of `draft` with the evidence `check` would judge it against, without judging.

    For work on the verifier itself (`bench/train_verifier.py` computes its features on exactly what
    `briefer check` weighs). Sources as `check` takes them.
    """
    sentences = parse_draft(draft, markdown=markdown)
    prepared = prepare_sources(sources)
    retriever = Retriever.over(prepared)
    contexts = Contexts(prepared)
    return [(s, gather(s, prepared, retriever, contexts, top_k)) for s in sentences]


def check_sentence(
    sentence: DraftSentence,
    index: int,
    sources: Sequence[Source],
    retriever: Retriever,
    contexts: Contexts,
    top_k: int = TOP_K,
) -> SentenceCheck:
    """Check one draft sentence against the best spans of the sources it cites (or of all sources)."""
    found = gather(sentence, sources, retriever, contexts, top_k)
    reasons = [f"cites source [{n}], but only {len(sources)} source(s) were given" for n in found.unknown]
    reasons += [
        f"cites source [{n}] ({sources[n - 1].path}), which was skipped: {sources[n - 1].skipped}"
        for n in dict.fromkeys(sentence.citations)
        if 1 <= n <= len(sources) and sources[n - 1].skipped
    ]
    label: Label
    vetoed = bool(reasons)  # a citation of a source that does not exist or was skipped
    if found.evidence is None:
        label, score, vetoed = "unsupported", 0.0, True
        if not found.unknown:
            reasons.append("no source sentence shares a content word with it")
        best = None
    else:
        verdict = check_text(sentence.text, found.evidence, context=found.context)
        label, score = verdict.label, verdict.score
        vetoed = vetoed or verdict.vetoed
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
        vetoed=vetoed,
    )


def _best_index(sentence: str, spans: Sequence[EvidenceSpan]) -> int:
    """The span sharing the most content words with the sentence (ties: the higher-ranked one)."""
    terms = set(content_terms(sentence))
    overlaps = [len(terms & set(content_terms(s.quote))) for s in spans]
    return max(range(len(spans)), key=lambda i: (overlaps[i], -i))


def check(
    draft: str | Path,
    sources: Sequence[str | Path | Document | EmptySlot],
    *,
    top_k: int = TOP_K,
    markdown: bool = True,
) -> CheckResult:
    """Check every sentence of `draft` against `sources` and say which are supported, and why not.

    `draft` is Markdown or plain text (a `Path` is read as UTF-8). Each source is a `Document` (from
    `briefer.sources.load.load`), a string holding the source text itself, or a `Path` to a file or a
    folder, loaded as `briefer check --sources` loads it (a folder gives one source per document in
    it, in the loader's order; unreadable files are skipped with a warning).
    Bracketed numbers in the draft refer to sources by their 1-based position in that list.
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
    prepared = prepare_sources(sources)
    bound_work(len(sentences), prepared)
    retriever = Retriever.over(prepared)
    contexts = Contexts(prepared)
    checks = [check_sentence(s, i, prepared, retriever, contexts, top_k) for i, s in enumerate(sentences)]
    return summarise(checks, prepared)


def bound_work(sentences: int, sources: Sequence[Source]) -> None:
    """Refuse a check whose work would be unbounded: each draft sentence is weighed against the
    sentences (windows) of its sources, so the work grows as their product. Over
    `limits.MAX_CHECK_PAIRS` it is bad input (exit 2) with a clear message, not an hour of CPU."""
    windows = sum(len(s.windows) for s in sources)
    if sentences * windows > limits.MAX_CHECK_PAIRS:
        raise InputError(
            f"too much to check: {sentences:,} draft sentences against {windows:,} source sentences is "
            f"{sentences * windows:,} comparisons, more than {limits.MAX_CHECK_PAIRS:,} (the limit per check); "
            "check a shorter draft or fewer sources"
        )


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
