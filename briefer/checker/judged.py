"""`briefer check --engine llm`: the LLM engine's batched judge on a draft the checker has read.

Each sentence goes to the judge with the spans the deterministic check weighed, and the two verdicts
combine by the same policy as `briefer run --engine llm` (`engines.llm.review.merge_verdicts`): the
judge can reject what word-level signals let through, can pass what fails only those soft signals
(showing its work where they are weak), and can never rescue a sentence a hard check vetoed. One
call for the whole draft.
"""

from __future__ import annotations

import logging

from briefer.checker.checker import CheckResult, relabelled
from briefer.core.models import Citation, Document, SummarySentence, Verdict
from briefer.engines.llm.engine import LLMEngine, engine_from_settings
from briefer.engines.llm.review import merge_verdicts
from briefer.engines.llm.settings import Settings

log = logging.getLogger("briefer")


def judge(
    result: CheckResult,
    documents: list[Document] | None = None,
    settings: Settings | None = None,
    *,
    engine: LLMEngine | None = None,
) -> CheckResult:
    """`result` with each judged sentence relabelled to the worse of its own label and the judge's.

    `engine` is one the caller keeps for many drafts (`--jsonl`); without it one is made from
    `settings` for this draft and closed after. `documents` is accepted for the API's symmetry; the
    judge reads the spans the check weighed, which the result carries."""
    if engine is None:
        chosen = engine_from_settings(settings, required=True)
        assert chosen is not None  # required=True raises ConfigError instead of returning None
        try:
            return judge(result, documents, engine=chosen[0])
        finally:
            chosen[0].close()
    asked: dict[str, SummarySentence] = {}
    for c in result.sentences:
        spans = c.candidates or ([c.evidence] if c.evidence else [])
        if spans:
            citations = [Citation(doc_id=e.doc_id, start=e.start, end=e.end, quote=e.quote) for e in spans]
            own = Verdict(label=c.label, score=c.score, reasons=c.reasons, vetoed=c.vetoed)
            asked[f"s{c.index}"] = SummarySentence(
                id=f"s{c.index}", text=c.text, citations=citations, verdict=own
            )
    verdicts = engine.judge(list(asked.values()))
    log.info("%s", engine.ledger.summary())
    checks = []
    for c in result.sentences:
        if f"s{c.index}" in asked:
            merged = merge_verdicts(asked[f"s{c.index}"], verdicts.get(f"s{c.index}"))
            c = c.model_copy(update={"label": merged.label, "reasons": merged.reasons})
        checks.append(c)
    return relabelled(result, checks)
