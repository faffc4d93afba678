"""Wires the stages: load -> segment -> extract -> compose -> verify -> (judge) -> fit to one page.

Engine choice lives here: `auto` uses the LLM engine when an endpoint is configured and the offline
engine otherwise, and says which and why. Rendering is left to the caller (`briefer.render`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer import __version__
from briefer.core.budget import DEFAULT_WORDS, page_cap, word_count
from briefer.core.errors import BrieferError
from briefer.core.headline import story_title
from briefer.core.models import (
    Brief,
    Claim,
    Document,
    Draft,
    FramingLine,
    OpenQuestion,
    RunReport,
    Sentence,
    SummarySentence,
)
from briefer.core.segment import segment
from briefer.core.text import normalize
from briefer.engines import Engine, EngineChoice
from briefer.output.page import fit_to_page
from briefer.sources import FetchOptions, LoadResult, load
from briefer.verify import echoes_instructions, framing_line_problem, verify_draft

if TYPE_CHECKING:
    from briefer.engines.llm.cache import AnswerStore
    from briefer.engines.llm.settings import Settings
    from briefer.runs.history import Published

log = logging.getLogger("briefer")


def choose_engine(
    requested: EngineChoice,
    settings: Settings | None = None,
    *,
    cache: AnswerStore | None = None,
    limiter: AbstractContextManager[Any] | None = None,
) -> tuple[Engine, str]:
    """The engine to run and a one-line reason, for stderr and the run report (`cache` and
    `limiter`: see `engines.llm.engine.engine_from_settings`).

    `briefer.llm` imports openai and instructor only when it builds a client, so asking it whether an
    endpoint is configured costs nothing on an offline run.
    """
    from briefer.engines.offline import OfflineEngine

    if requested == "offline":
        return OfflineEngine(), "requested with --engine offline"
    from briefer.engines.llm import engine as llm

    chosen = llm.engine_from_settings(settings, required=requested == "llm", cache=cache, limiter=limiter)
    if chosen is not None:
        return chosen
    return (
        OfflineEngine(),
        "no model endpoint configured; set OPENAI_API_KEY or OPENAI_BASE_URL to use the LLM engine",
    )


_SCORE = re.compile(r"\s*\(score [\d.]+\)")


def _unverified_questions(dropped: list[SummarySentence], limit: int = 2) -> list[OpenQuestion]:
    """Sentences that failed verification, shown only as unverified, with the reason."""
    questions = []
    for s in dropped[:limit]:
        reason = (
            s.verdict.reasons[0] if s.verdict and s.verdict.reasons else "not supported by its cited spans"
        )
        # the reader is told why in words; the score stays in the verdict (JSON, `briefer check`)
        reason = _SCORE.sub("", reason)
        questions.append(OpenQuestion(kind="unverified", sentences=[s], note=reason))
    return questions


def shown_unverified(dropped: list[SummarySentence], docs: dict[str, Document]) -> list[SummarySentence]:
    """The failed sentences that may be shown as unverified: not those echoing text addressed to a
    model, which is never a claim, not even a doubtful one (they stay in the JSON's `dropped`)."""
    shown = [s for s in dropped if not echoes_instructions(s.text, docs)]
    if len(shown) < len(dropped):
        log.info("withheld %d sentence(s) repeating text addressed to a model", len(dropped) - len(shown))
    return shown


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


def announce(
    impl: Engine,
    reason: str,
    requested: EngineChoice,
    docs: list[Document],
    sentences: dict[str, list[Sentence]],
) -> None:
    """The first line of a run: the engine and why; for the LLM engine also what it is about to
    spend, before the first call. When `auto` picked the LLM engine it is a warning, so even `-q`
    shows that a run which could have been offline is about to spend money."""
    planner = getattr(impl, "plan", None)
    if planner is None:
        log.info("engine: %s (%s)", impl.name, reason)
        return
    level = logging.WARNING if requested == "auto" else logging.INFO
    log.log(level, "engine: %s (%s); %s", impl.name, reason, planner(docs, sentences).summary())


def plan_run(
    paths: Sequence[str | Path],
    *,
    engine: EngineChoice = "auto",
    settings: Settings | None = None,
    root: Path | None = None,
    fetching: FetchOptions | None = None,
) -> tuple[str, str, object | None]:
    """What `run` would do, sending nothing: the engine, why, and the LLM engine's `Plan` (None offline)."""
    loaded = load(paths, root=root, fetching=fetching)
    impl, reason = choose_engine(engine, settings)
    try:
        planner = getattr(impl, "plan", None)
        if planner is None:
            return impl.name, reason, None
        return impl.name, reason, planner(loaded.documents, {d.id: segment(d) for d in loaded.documents})
    finally:
        impl.close()


def verified_framing(lines: list[FramingLine], docs: dict[str, Document]) -> list[FramingLine]:
    """The framing lines whose every word checks out against their document
    (`verify.framing_line_problem`); none at all when fewer than two are left, since one outlet's
    headline alone shows no difference in framing."""
    kept = []
    for line in lines:
        if problem := framing_line_problem(line, docs):
            log.info("framing line left out: %s", problem)
        else:
            kept.append(line)
    return kept if len(kept) >= 2 else []


def _not_printed(dropped: list[SummarySentence], printed: Draft) -> list[SummarySentence]:
    """The withheld sentences, less any the brief prints (by id or by text): a sentence is shown as
    supported or as unverified, never as both."""
    shown = [
        *printed.bottom_line,
        *printed.key_points,
        *(s for q in printed.open_questions for s in q.sentences),
    ]
    ids = {s.id for s in shown}
    texts = {normalize(s.text).casefold() for s in shown}
    return [s for s in dropped if s.id not in ids and normalize(s.text).casefold() not in texts]


def run(
    paths: Sequence[str | Path],
    *,
    engine: EngineChoice = "auto",
    max_words: int = DEFAULT_WORDS,
    settings: Settings | None = None,
    since: Published | None = None,
    chosen: tuple[Engine, str] | None = None,
    root: Path | None = None,
    fetching: FetchOptions | None = None,
) -> Brief:
    """A verified one-page brief of the documents at `paths` (folders and files, as `briefer run`).

    - `engine`: `auto` (the LLM engine when an endpoint is configured, else offline), `offline`, `llm`.
    - `max_words`: the content budget; the rendered page never exceeds `core.budget.page_cap(max_words)`.
    - `settings`: the LLM engine's settings (`engines.llm.settings.load_settings`); None reads the
      environment and the config file, as the CLI does without flags.
    - `since`: the claims an earlier brief of the topic published (`runs.history.from_brief_file`);
      adds *New since last brief*.
    - `chosen`: an engine the caller made, to read its usage even when the run fails (`briefer batch`).
    - `root`: the folder relative paths are read from (default: the working directory); documents
      are shown with the paths as given.
    - `fetching`: limits and the conditional-request cache for `http(s)://` sources
      (`sources.FetchOptions`); None: default limits, nothing cached.

    Raises `InputError` when nothing is readable, `ConfigError` for settings that cannot work,
    `ProviderError`/`BudgetExceeded` from the LLM engine, and `BrieferError` when no sentence passes
    verification: a run never returns a brief it cannot stand behind."""
    started = time.perf_counter()
    generated_at = datetime.now(UTC)
    loaded = load(paths, root=root, fetching=fetching)  # raises InputError when nothing is readable
    if chosen is not None:  # the caller's engine: the caller closes it
        brief = _brief(loaded, *chosen, engine, max_words=max_words, since=since, generated_at=generated_at)
    else:
        impl, reason = choose_engine(engine, settings)
        try:
            brief = _brief(
                loaded, impl, reason, engine, max_words=max_words, since=since, generated_at=generated_at
            )
        finally:
            impl.close()
    brief.report.seconds = round(time.perf_counter() - started, 3)
    return brief


def _brief(
    loaded: LoadResult,
    impl: Engine,
    reason: str,
    requested: EngineChoice,
    *,
    max_words: int,
    since: Published | None,
    generated_at: datetime,
) -> Brief:
    """The stages after loading: extract, compose, verify, review, fit to the page."""
    docs, skipped = loaded.documents, list(loaded.skipped)
    sentences = {d.id: segment(d) for d in docs}
    announce(impl, reason, requested, docs, sentences)
    log.info("loaded %d document%s, skipped %d", len(docs), "s" * (len(docs) != 1), len(skipped))

    claims = impl.extract(docs, sentences)
    log.info("extracted %d claims", len(claims))
    if not claims:
        raise BrieferError("no claims could be extracted from the documents")
    # the page is shorter than its sources: a tiny source's page gives up its lowest parts first
    shorter_than_sources = sum(word_count(d.text) for d in docs) - 1
    cap = min(page_cap(max_words), shorter_than_sources)
    from briefer.output.render import printed_sentences, render_markdown

    brief = _page(loaded, impl, reason, claims, max_words, since, generated_at, cap)
    if brief is None:
        raise BrieferError("no summary sentence passed verification; nothing trustworthy to print")
    for _ in range(RECOMPOSE_TRIES):
        budget = sum(word_count(s.text) for s in printed_sentences(brief)) - 1
        fits = word_count(render_markdown(brief)) <= cap
        if fits or budget < MIN_RECOMPOSE_WORDS or not impl.compose_is_free:
            break
        # still longer than its sources with every part it can give up gone (one long sentence):
        # composed again for fewer words than it prints, the page may tell the fact in a shorter
        # telling (which other sources may carry too, so the page cites them rather than listing
        # them as read and not cited)
        smaller = _page(loaded, impl, reason, claims, budget, since, generated_at, cap)
        if smaller is None or not _same_news_shorter(smaller, brief):
            break
        brief = smaller
    return _recount(brief)


def _same_news_shorter(smaller: Brief, brief: Brief) -> bool:
    """Whether `smaller` is a shorter page that still tells what `brief`'s bottom line tells: its
    lines cite every claim the bottom line cites (another outlet's shorter telling of one fact cites
    both). A page that meets the length rule by leaving out the news is no better."""
    from briefer.output.render import render_markdown

    told = {c for s in smaller.bottom_line + smaller.key_points for c in s.claim_ids}
    return {c for s in brief.bottom_line for c in s.claim_ids} <= told and word_count(
        render_markdown(smaller)
    ) < word_count(render_markdown(brief))


RECOMPOSE_TRIES = 3
MIN_RECOMPOSE_WORDS = 10  # a content budget below this holds no sentence worth composing for


def _page(
    loaded: LoadResult,
    impl: Engine,
    reason: str,
    claims: list[Claim],
    max_words: int,
    since: Published | None,
    generated_at: datetime,
    cap: int,
) -> Brief | None:
    """The brief composed for `max_words`, verified, reviewed and fitted to `cap` words; None when no
    summary sentence passes verification."""
    docs, skipped = loaded.documents, list(loaded.skipped)
    draft = impl.compose(docs, claims, max_words)
    by_id = {d.id: d for d in docs}
    verified, dropped = verify_draft(draft, by_id)
    verified, dropped = impl.review(verified, dropped, docs, composed=draft)
    verified = _without_repeats(verified)
    dropped = _not_printed(dropped, verified)
    if not verified.bottom_line and not verified.key_points:
        return None
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
        open_questions=verified.open_questions + _unverified_questions(shown_unverified(dropped, by_id)),
        dropped=dropped,
        report=report,
        framing=verified_framing(draft.framing, by_id),
    )
    if since is not None:
        from briefer.runs.history import new_since

        brief = brief.model_copy(update={"new_since": new_since(brief, since)})
    brief.title = story_title(brief.documents)  # before fitting: the title's words are on the page
    return fit_to_page(brief, cap)


def _recount(brief: Brief) -> Brief:
    """Verification figures for what is actually printed after fitting to the page."""
    from briefer.output.render import printed_sentences

    printed = [s for s in printed_sentences(brief) if not (s.verdict and s.verdict.label != "supported")]
    brief.report.sentences_supported = len(printed)
    brief.report.sentences_checked = len(printed) + len(brief.dropped)
    return brief
