"""Wires the stages: load -> segment -> extract -> compose -> verify -> (judge) -> fit to one page.

Engine choice lives here: `auto` uses the LLM engine when an endpoint is configured and the offline
engine otherwise, and says which and why. Rendering is left to the caller (`briefer.render`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefer import __version__
from briefer.core.errors import BrieferError
from briefer.core.models import (
    Brief,
    Draft,
    OpenQuestion,
    RunReport,
    SummarySentence,
)
from briefer.core.segment import segment
from briefer.core.text import content_terms, normalize
from briefer.engines import Engine
from briefer.output.render import render_markdown, word_count
from briefer.sources.load import load
from briefer.verify import verify_draft

if TYPE_CHECKING:
    from briefer.runs.history import Published

log = logging.getLogger("briefer")

HARD_CAP_WORDS = 650
DEFAULT_WORDS = 450


def choose_engine(requested: str, settings: object | None = None) -> tuple[Engine, str]:
    """The engine to run and a one-line reason, for stderr and the run report.

    `briefer.llm` imports openai and instructor only when it builds a client, so asking it whether an
    endpoint is configured costs nothing on an offline run.
    """
    from briefer.engines.llm import engine as llm
    from briefer.engines.offline import OfflineEngine

    if requested == "offline":
        return OfflineEngine(), "requested with --engine offline"
    chosen = llm.engine_from_settings(settings, required=requested == "llm")
    if chosen is not None:
        return chosen
    return (
        OfflineEngine(),
        "no model endpoint configured; set OPENAI_API_KEY or OPENAI_BASE_URL to use the LLM engine",
    )


def _unverified_questions(dropped: list[SummarySentence], limit: int = 2) -> list[OpenQuestion]:
    """Sentences that failed verification, shown only as unverified, with the reason."""
    questions = []
    for s in dropped[:limit]:
        reason = (
            s.verdict.reasons[0] if s.verdict and s.verdict.reasons else "not supported by its cited spans"
        )
        questions.append(OpenQuestion(kind="unverified", sentences=[s], note=reason))
    return questions


def fit_to_page(brief: Brief, cap: int) -> Brief:
    """Drop the lowest-ranked key points, then open questions, until the rendered brief fits `cap` words."""
    while word_count(render_markdown(brief)) > cap:
        if len(brief.key_points) > 1:
            brief = brief.model_copy(update={"key_points": brief.key_points[:-1]})
        elif brief.new_since and len(brief.new_since.points) > 1:
            trimmed = brief.new_since.model_copy(update={"points": brief.new_since.points[:-1]})
            brief = brief.model_copy(update={"new_since": trimmed})
        elif len(brief.open_questions) > 3:
            brief = brief.model_copy(update={"open_questions": brief.open_questions[:-1]})
        elif brief.key_points:
            brief = brief.model_copy(update={"key_points": []})
        elif len(brief.bottom_line) > 1:
            brief = brief.model_copy(update={"bottom_line": brief.bottom_line[:-1]})
        elif brief.open_questions:
            brief = brief.model_copy(update={"open_questions": brief.open_questions[:-1]})
        else:
            break
    return brief


def _without_repeats(draft: Draft) -> Draft:
    """Each fact printed once: a repair (or a careless model) can turn two slots into the same sentence."""
    seen: set[str] = set()

    def first_time(s: SummarySentence) -> bool:
        key = normalize(s.text).casefold()
        fresh = key not in seen
        seen.add(key)
        return fresh

    bottom_line = [s for s in draft.bottom_line if first_time(s)]
    return draft.model_copy(
        update={"bottom_line": bottom_line, "key_points": [s for s in draft.key_points if first_time(s)]}
    )


def run(
    paths: Sequence[str | Path],
    *,
    engine: str = "auto",
    max_words: int = DEFAULT_WORDS,
    settings: object | None = None,
    since: Published | None = None,
    chosen: tuple[Engine, str] | None = None,
) -> Brief:
    """Produce a verified brief of the documents at `paths`; with `since` (the claims of an earlier
    brief) it lists what is new. `chosen` is an engine the caller made, to read its usage even when
    the run fails (`briefer batch`)."""
    started = time.perf_counter()
    generated_at = datetime.now(UTC)
    loaded = load(paths)  # raises InputError when nothing is readable
    docs, skipped = loaded.documents, list(loaded.skipped)
    impl, reason = chosen or choose_engine(engine, settings)
    log.info("engine: %s (%s)", impl.name, reason)
    log.info("loaded %d document%s, skipped %d", len(docs), "s" * (len(docs) != 1), len(skipped))

    sentences = {d.id: segment(d) for d in docs}
    claims = impl.extract(docs, sentences)
    log.info("extracted %d claims", len(claims))
    if not claims:
        raise BrieferError("no claims could be extracted from the documents")
    draft = impl.compose(docs, claims, max_words)
    by_id = {d.id: d for d in docs}
    verified, dropped = verify_draft(draft, by_id)
    verified, dropped = impl.review(verified, dropped, docs)
    verified = _without_repeats(verified)
    if not verified.bottom_line and not verified.key_points:
        raise BrieferError("no summary sentence passed verification; nothing trustworthy to print")
    report = RunReport(  # verification figures are counted by _recount, on what is printed
        engine=impl.name,
        engine_reason=reason,
        model=impl.model,
        prompt_hash=impl.prompt_hash,
        documents_used=len(docs),
        documents_skipped=skipped,
        claims_extracted=len(claims),
        claims_dropped=impl.claims_dropped,
        sentences_dropped=len(dropped),
        usage=impl.usage,
        generated_at=generated_at,
    )
    brief = Brief(
        version=__version__,
        title="",
        documents=docs,
        claims=claims,
        bottom_line=verified.bottom_line,
        key_points=verified.key_points,
        open_questions=verified.open_questions + _unverified_questions(dropped),
        dropped=dropped,
        report=report,
    )
    if since is not None:
        from briefer.runs.history import new_since

        brief = brief.model_copy(update={"new_since": new_since(brief, since)})
    brief = fit_to_page(brief, max(HARD_CAP_WORDS, max_words))
    brief = _recount(brief)
    brief.report.seconds = round(time.perf_counter() - started, 3)
    return brief


def _recount(brief: Brief) -> Brief:
    """Verification figures and title for what is actually printed after fitting to the page."""
    from briefer.output.render import printed_sentences, source_numbers

    printed = [s for s in printed_sentences(brief) if not (s.verdict and s.verdict.label != "supported")]
    brief.report.sentences_supported = len(printed)
    brief.report.sentences_checked = len(printed) + len(brief.dropped)
    docs = {d.id: d for d in brief.documents}
    titles = [docs[d].meta.title for d in source_numbers(brief) if docs[d].meta.title]
    brief.title = central_title(titles) or f"Brief of {len(brief.documents)} documents"
    return brief


def central_title(titles: list[str | None]) -> str | None:
    """The headline sharing the most words with the other headlines: the most neutral summary of the
    story, rather than whichever outlet happens to be cited first (ties go to the earlier one)."""
    options = [t for t in titles if t]
    if len(options) <= 2:
        return options[0] if options else None
    terms = [set(content_terms(t)) for t in options]
    scores = [sum(len(a & b) / (len(a) or 1) for b in terms if b is not a) for a in terms]
    return options[max(range(len(options)), key=lambda i: (scores[i], -i))]
