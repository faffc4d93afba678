"""The offline engine: rules for extraction and composition, no key, no network, no model weights.

It is the embedded default, so a fresh machine produces a real brief. It implements the same three
steps as the LLM engine (`briefer.llm`), so both share the verifier and the templates.
"""

from __future__ import annotations

from briefer.core.models import Claim, Document, Draft, Sentence, SummarySentence, Usage
from briefer.engines import EngineName
from briefer.engines.offline.compose import compose
from briefer.engines.offline.extract import extract_claims


class OfflineEngine:
    name: EngineName = "offline"
    model: str | None = None
    prompt_hash: str | None = None

    def __init__(self) -> None:
        self.usage = Usage()
        self.claims_dropped = 0

    def extract(self, docs: list[Document], sentences: dict[str, list[Sentence]]) -> list[Claim]:
        return [claim for doc in docs for claim in extract_claims(doc, sentences[doc.id])]

    def compose(self, docs: list[Document], claims: list[Claim], max_words: int) -> Draft:
        return compose(docs, claims, max_words=max_words)

    def close(self) -> None:
        """Nothing to release: the offline engine holds no connection or file."""

    def review(
        self, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
    ) -> tuple[Draft, list[SummarySentence]]:
        """The offline engine has no judge: the deterministic verdicts stand."""
        return draft, dropped
