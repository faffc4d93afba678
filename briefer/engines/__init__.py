"""The two engines behind one protocol: `offline` (rules, the embedded default) and `llm` (any
OpenAI-compatible endpoint). Both take and return the models in `briefer.core.models`, so they share the
verifier, the page budget and the templates; the pipeline (`briefer.runs`) picks one and never asks
which it has.
"""

from __future__ import annotations

from typing import Literal, Protocol

from briefer.core.models import Claim, Document, Draft, Sentence, SummarySentence, Usage

EngineName = Literal["offline", "llm"]
EngineChoice = Literal["auto", "offline", "llm"]  # what a user may ask for: auto picks one of the two


class Engine(Protocol):
    """What the pipeline needs from an engine: its three stages and what the run report records."""

    @property
    def name(self) -> EngineName: ...

    @property
    def model(self) -> str | None: ...  # None for the offline engine

    @property
    def prompt_hash(self) -> str | None: ...  # a hash of the prompt templates; None offline

    @property
    def usage(self) -> Usage: ...

    @property
    def claims_dropped(self) -> int: ...  # claims refused for not matching their source
    @property
    def compose_is_free(self) -> bool: ...  # composing again costs no model call

    def close(self) -> None:
        """Release what the engine holds for its run (the LLM engine's cache connection)."""
        ...

    def extract(self, docs: list[Document], sentences: dict[str, list[Sentence]]) -> list[Claim]: ...

    def compose(self, docs: list[Document], claims: list[Claim], max_words: int) -> Draft: ...

    def review(
        self, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
    ) -> tuple[Draft, list[SummarySentence]]:
        """The verified draft after any further review (the LLM engine's judge and repair), and what
        is still dropped. `composed` is the draft as composed, before verification removed anything:
        it says where each sentence belongs, so a repaired one goes back to its place."""
        ...
