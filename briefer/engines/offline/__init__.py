"""The offline engine: rules for extraction and composition, no key, no network, no model weights.

It is the embedded default, so a fresh machine produces a real brief. It implements the same three
steps as the LLM engine (`briefer.llm`), so both share the verifier and the templates.
"""

from __future__ import annotations

from briefer.core.budget import content_budget, framing_allowance, framing_words, word_count
from briefer.core.headline import story_title
from briefer.core.models import (
    Citation,
    Claim,
    Document,
    Draft,
    FramingLine,
    Sentence,
    SummarySentence,
    Usage,
)
from briefer.engines import EngineName
from briefer.engines.offline.compose import compose
from briefer.engines.offline.extract import extract_claims
from briefer.engines.offline.framing import outlet_framing


def _not_repeated(framing: list[FramingLine], draft: Draft) -> list[FramingLine]:
    """The framing lines but those quoting a lead that is also printed as a fact (the page would say
    it twice; a headline is never printed as a fact); none when fewer than two are left."""
    spans = [c for s in printed(draft) for c in s.citations]

    def repeated(q: Citation) -> bool:
        return any(c.doc_id == q.doc_id and c.start < q.end and q.start < c.end for c in spans)

    kept = [line for line in framing if not repeated(line.citation)]
    return kept if len(kept) >= 2 else []


def printed(draft: Draft) -> list[SummarySentence]:
    return [*draft.bottom_line, *draft.key_points, *(s for q in draft.open_questions for s in q.sentences)]


class OfflineEngine:
    name: EngineName = "offline"
    model: str | None = None
    prompt_hash: str | None = None
    compose_is_free: bool = True  # rules: a page composed again for fewer words costs milliseconds

    def __init__(self) -> None:
        self.usage = Usage()
        self.claims_dropped = 0

    def extract(self, docs: list[Document], sentences: dict[str, list[Sentence]]) -> list[Claim]:
        return [claim for doc in docs for claim in extract_claims(doc, sentences[doc.id])]

    def compose(self, docs: list[Document], claims: list[Claim], max_words: int) -> Draft:
        """The draft, with "How the outlets frame it" when the outlets frame the story differently:
        its words are taken out of the content budget first, so the page still fits."""
        budget = content_budget(sum(word_count(d.text) for d in docs), len(docs), max_words)
        framing = outlet_framing(docs, framing_allowance(budget, max_words), title=story_title(docs))
        spent = framing_words([line.printed() for line in framing])
        draft = compose(docs, claims, max_words=budget - spent)
        return draft.model_copy(update={"framing": _not_repeated(framing, draft)})

    def close(self) -> None:
        """Nothing to release: the offline engine holds no connection or file."""

    def review(
        self, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
    ) -> tuple[Draft, list[SummarySentence]]:
        """The offline engine has no judge: the deterministic verdicts stand."""
        return draft, dropped
