"""The LLM engine: extraction, composition and judging through any OpenAI-compatible endpoint.

A thin composition: `client.LLMClient` owns every model call (the SDKs, transport retries, re-asks,
the response cache, the cost ledger, concurrency), and each stage is a function on top of it
(`extract`, `compose`, `judge`). No stage leaves state for the next: review derives what it needs
from the draft it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from briefer.core.errors import ConfigError
from briefer.core.models import Claim, Document, Draft, Sentence, SummarySentence, Usage
from briefer.engines import EngineName
from briefer.engines.llm import compose, extract, judge, plan
from briefer.engines.llm.answers import Judgement
from briefer.engines.llm.cache import AnswerStore
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.ledger import Ledger
from briefer.engines.llm.plan import Plan
from briefer.engines.llm.settings import Settings, load_settings


def engine_from_settings(
    settings: object | None,
    required: bool,
    *,
    cache: AnswerStore | None = None,
    limiter: AbstractContextManager[Any] | None = None,
) -> tuple[LLMEngine, str] | None:
    """The LLM engine and why it was chosen; None (or ConfigError when required) if nothing is set.
    `cache` replaces the settings' response cache (a cluster worker's answers from the driver);
    `limiter` is a limit on requests in flight shared with other topics of the run."""
    s = settings if isinstance(settings, Settings) else load_settings()
    if not s.configured:
        if required:
            raise ConfigError(
                "--engine llm needs a model endpoint: set OPENAI_API_KEY (OpenAI), OPENAI_BASE_URL or "
                "--base-url (Ollama, vLLM, llama.cpp, e.g. http://localhost:11434/v1), or "
                "AZURE_OPENAI_ENDPOINT with AZURE_OPENAI_API_KEY (Azure)"
            )
        return None
    return LLMEngine(s, cache=cache, limiter=limiter), _reason(s)


def _reason(s: Settings) -> str:
    for key in ("azure_endpoint", "base_url", "api_key"):
        if getattr(s, key):
            source = s.sources.get(key, key)
            how = "given" if source.startswith("--") else "is set" if source.isupper() else "set in"
            said = f"{how} {source}" if how == "set in" else f"{source} {how}"
            return f"{said}; model {s.model} at {s.endpoint_label()}"
    return f"model {s.model}"


class LLMEngine:
    """The `Engine` protocol's LLM side: the three stages, each one call or one pool of calls."""

    name: EngineName = "llm"
    compose_is_free: bool = False  # each composition is a paid model call: composed once per run

    def __init__(
        self,
        settings: Settings,
        client: LLMClient | None = None,
        sleep: Callable[[float], None] | None = None,
        cache: AnswerStore | None = None,
        limiter: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or LLMClient(settings, sleep=sleep, cache=cache, limiter=limiter)
        self.model: str = settings.model
        self.prompt_hash: str = self.client.prompt_hash
        self.claims_dropped = 0

    def close(self) -> None:
        """End of the run: release the client's response cache."""
        self.client.close()

    @property
    def ledger(self) -> Ledger:
        return self.client.ledger

    @property
    def usage(self) -> Usage:
        return self.client.ledger.usage

    def plan(self, docs: list[Document], sentences: dict[str, list[Sentence]]) -> Plan:
        """The calls, tokens and worst-case cost of a run over `docs`, sending nothing (`plan.plan`)."""
        return plan.plan(self.client, docs, sentences)

    def extract(self, docs: list[Document], sentences: dict[str, list[Sentence]]) -> list[Claim]:
        """One call per document (per window of a long one), run concurrently."""
        claims, dropped = extract.extract(self.client, docs, sentences)
        self.claims_dropped += dropped
        return claims

    def compose(self, docs: list[Document], claims: list[Claim], max_words: int) -> Draft:
        """One call: bottom line, key points and open questions, each sentence citing claim ids."""
        return compose.compose(self.client, docs, claims, max_words)

    def review(
        self, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
    ) -> tuple[Draft, list[SummarySentence]]:
        """Judge every verified sentence in one call; give each failure one repair call (`judge.review`)."""
        return judge.review(self.client, draft, dropped, docs, composed=composed)

    def judge(self, sentences: list[SummarySentence], *, repaired: bool = False) -> dict[str, Judgement]:
        """The judge's verdict on each sentence against its cited spans, by sentence id (`judge.judge`)."""
        return judge.judge(self.client, sentences, repaired=repaired)
