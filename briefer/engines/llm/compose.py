"""Stage 3 through the model: one call turns the claims into a draft brief.

The composer sees each claim under a short handle (`c1`, `c2`, ...) with its source number, kind and
speaker, and answers with sentences that cite handles; each sentence then carries the exact spans of
the claims it cites, so the verifier checks it against the sources, not against the model's word.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from briefer.core.models import Citation, Claim, Document, Draft, OpenQuestion, SummarySentence
from briefer.engines.llm.answers import ComposedSentence, composition_model
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.review import within_words


def compose(client: LLMClient, docs: list[Document], claims: list[Claim], max_words: int) -> Draft:
    """One call: bottom line, key points and open questions, each sentence citing claim ids."""
    numbers = {d.id: i for i, d in enumerate(docs, 1)}
    handles = {f"c{i}": c for i, c in enumerate(claims, 1)}
    rows = [
        {
            "id": h,
            "source": numbers.get(c.citations[0].doc_id, 0),
            "kind": c.kind,
            "speaker": c.speaker,
            "anonymous": c.anonymous,
            "hedged": c.hedged,
            "text": c.text,
        }
        for h, c in handles.items()
    ]
    variables = {"claims": rows, "n_sources": len(docs), "max_words": max_words, "max_points": 8}
    answer: Any = client.ask("compose", "compose.j2", variables, partial(composition_model, set(handles)))

    def sentence(sid: str, s: ComposedSentence) -> SummarySentence:
        cited = [handles[h] for h in dict.fromkeys(s.claim_ids)]
        citations: list[Citation] = list(dict.fromkeys(c for claim in cited for c in claim.citations))
        return SummarySentence(
            id=sid, text=" ".join(s.text.split()), claim_ids=[c.id for c in cited], citations=citations
        )

    draft = Draft(
        bottom_line=[sentence(f"b{i}", s) for i, s in enumerate(answer.bottom_line[:3])],
        key_points=[sentence(f"k{i}", s) for i, s in enumerate(answer.key_points[:12])],
        open_questions=[
            OpenQuestion(
                kind=q.kind, sentences=[sentence(f"q{i}.{j}", s) for j, s in enumerate(q.sentences[:2])]
            )
            for i, q in enumerate(answer.open_questions[:6])
        ],
    )
    return within_words(draft, max_words)
