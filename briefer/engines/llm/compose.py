"""Stage 3 through the model: one call turns the claims into a draft brief.

The composer sees each claim under a short handle (`c1`, `c2`, ...) with its source number, kind and
speaker, and answers with sentences that cite handles; each sentence then carries the exact spans of
the claims it cites, so the verifier checks it against the sources, not against the model's word.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from briefer.core.errors import ProviderError
from briefer.core.models import Citation, Claim, Document, Draft, OpenQuestion, SummarySentence
from briefer.engines.llm.answers import ComposedSentence, composition_model
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.review import within_words
from briefer.engines.llm.sizing import InvalidAnswer

log = logging.getLogger("briefer")


def compose(client: LLMClient, docs: list[Document], claims: list[Claim], max_words: int) -> Draft:
    """Bottom line, key points and open questions, each sentence citing claim ids: one call when
    the claims fit the model's context window, else composed hierarchically (`_hierarchical`)."""
    numbers = {d.id: i for i, d in enumerate(docs, 1)}
    if client.fits("compose", "compose.j2", _variables(claims, numbers, len(docs), max_words)):
        return _compose_once(client, claims, numbers, len(docs), max_words, {})
    return _hierarchical(client, docs, claims, max_words, numbers, {})


def _variables(
    claims: list[Claim], numbers: dict[str, int], n_sources: int, max_words: int
) -> dict[str, Any]:
    rows = [
        {
            "id": f"c{i}",
            "source": numbers.get(c.citations[0].doc_id, 0),
            "kind": c.kind,
            "speaker": c.speaker,
            "anonymous": c.anonymous,
            "hedged": c.hedged,
            "text": c.text,
        }
        for i, c in enumerate(claims, 1)
    ]
    return {"claims": rows, "n_sources": n_sources, "max_words": max_words, "max_points": 8}


def _compose_once(
    client: LLMClient,
    claims: list[Claim],
    numbers: dict[str, int],
    n_sources: int,
    max_words: int,
    origin: dict[str, list[str]],
) -> Draft:
    """One compose call over `claims`. `origin` maps a group sentence (standing in as a claim) to
    the real claim ids behind it, so the brief's sentences always name real claims."""
    handles = {f"c{i}": c for i, c in enumerate(claims, 1)}
    variables = _variables(claims, numbers, n_sources, max_words)
    answer: Any = client.ask("compose", "compose.j2", variables, partial(composition_model, set(handles)))

    def sentence(sid: str, s: ComposedSentence) -> SummarySentence:
        cited = [handles[h] for h in dict.fromkeys(s.claim_ids)]
        citations: list[Citation] = list(dict.fromkeys(c for claim in cited for c in claim.citations))
        ids = list(dict.fromkeys(i for c in cited for i in origin.get(c.id, [c.id])))
        return SummarySentence(id=sid, text=" ".join(s.text.split()), claim_ids=ids, citations=citations)

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


def groups(claims: list[Claim], size: dict[str, int], room: int) -> list[list[Claim]]:
    """Claims packed greedily into groups of at most `room` tokens (`size`: tokens per claim id),
    a document's claims kept together (a group is a run of whole sources, in the folder's order)
    unless one document alone is too big, when it is split into as many groups as it needs."""
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.citations[0].doc_id, []).append(c)
    packs: list[list[Claim]] = [[]]
    used = 0
    for doc_claims in by_doc.values():
        need = sum(size[c.id] for c in doc_claims)
        if used + need > room and packs[-1]:
            packs.append([])
            used = 0
        for c in doc_claims:
            if used + size[c.id] > room and packs[-1]:
                packs.append([])
                used = 0
            packs[-1].append(c)
            used += size[c.id]
    return [p for p in packs if p]


def _hierarchical(
    client: LLMClient,
    docs: list[Document],
    claims: list[Claim],
    max_words: int,
    numbers: dict[str, int],
    origin: dict[str, list[str]],
) -> Draft:
    """Compose each group of claims that fits one call, then the brief from the groups' sentences,
    each standing in as a claim that carries its sentence's exact citations (and, through `origin`,
    its real claim ids). Repeats while the groups' sentences still do not fit, so any folder size
    works and the calls beyond extraction stay a small fraction of the documents."""

    def fits(part: list[Claim]) -> bool:
        return client.fits("compose", "compose.j2", _variables(part, numbers, len(docs), max_words))

    base = client.prompt_tokens("compose.j2", _variables([], numbers, len(docs), max_words))
    rows = _variables(claims, numbers, len(docs), max_words)["claims"]
    size = {
        c.id: client.estimate(" | ".join(str(v) for v in row.values())) + 8
        for c, row in zip(claims, rows, strict=True)
    }
    packs = groups(claims, size, client.prompt_budget("compose") - base)
    log.info("composing %d claims in %d groups that each fit one call", len(claims), len(packs))
    drafts = client.parallel(
        [partial(_compose_once, client, p, numbers, len(docs), max_words, origin) for p in packs]
    )
    standing: list[Claim] = []
    below: dict[str, list[str]] = {}
    for g, draft in enumerate(drafts):
        sentences = [*draft.bottom_line, *draft.key_points]
        hedged = [s for q in draft.open_questions for s in q.sentences]
        for s in [*sentences, *hedged]:
            cid = f"g{g}:{s.id}"
            below[cid] = s.claim_ids
            standing.append(
                Claim(id=cid, kind="statement", text=s.text, hedged=s in hedged, citations=s.citations)
            )
    if not standing:
        raise InvalidAnswer("no group of claims gave a sentence to compose the brief from")
    if len(standing) >= len(claims) and not fits(standing):  # no progress: the window is too small
        raise ProviderError(
            f"the context window of {client.model} ({client.window:,} tokens) is too small to compose "
            "a brief of this many claims; use a model with a larger window (or set --context-window)"
        )
    if fits(standing) or len(packs) == 1:
        return _compose_once(client, standing, numbers, len(docs), max_words, below)
    return _hierarchical(client, docs, standing, max_words, numbers, below)
