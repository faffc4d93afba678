"""Stage 4b through the model: the judge, one repair per failure, and the review that combines them.

Review is a pure step on what it is given: the verified draft and the sentences that failed the
deterministic checks. It judges every verified sentence in one call, gives each failure (the
verifier's or the judge's) one repair call, re-verifies each rewrite deterministically *and* with
the judge, and puts what passed back where the composer placed it (`review.slots`, `review.rebuild`).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from briefer.core.models import Document, Draft, SummarySentence
from briefer.engines.llm.answers import Judgement, judgement_model, rewrite_model
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.review import evidence_items, merge_verdicts, rebuild, slots
from briefer.verify import verify_sentence

log = logging.getLogger("briefer")


def review(
    client: LLMClient, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
) -> tuple[Draft, list[SummarySentence]]:
    """Judge every verified sentence in one call; give each failure (deterministic or judge) one
    repair call, then re-verify the rewrite deterministically *and* with the judge."""
    by_id = {d.id: d for d in docs}
    verified = [
        *draft.bottom_line,
        *draft.key_points,
        *(s for q in draft.open_questions for s in q.sentences),
    ]
    judged = judge(client, verified)
    passed: dict[str, SummarySentence] = {}
    failing: list[SummarySentence] = list(dropped)
    for s in verified:
        verdict = merge_verdicts(s.verdict, judged.get(s.id))
        merged = s.model_copy(update={"verdict": verdict})
        if verdict.label == "supported":
            passed[s.id] = merged
        else:
            failing.append(merged)
    still_failing: list[SummarySentence] = []
    if failing:
        rewrites = repair(client, failing)
        candidates: list[tuple[SummarySentence, SummarySentence]] = []
        for s in failing:
            text = " ".join(rewrites.get(s.id, "").split())
            if not text or text == s.text:
                still_failing.append(s)
                continue
            rewrite = s.model_copy(update={"text": text})
            verdict = verify_sentence(rewrite, by_id)
            if verdict.label == "supported":
                candidates.append((s, rewrite.model_copy(update={"verdict": verdict})))
            else:
                still_failing.append(s)
        rejudged = judge(client, [r for _, r in candidates], repaired=True)
        for original, rewrite in candidates:
            verdict = merge_verdicts(rewrite.verdict, rejudged.get(rewrite.id))
            if verdict.label == "supported":
                passed[rewrite.id] = rewrite.model_copy(update={"verdict": verdict})
                log.info("repaired sentence %s after a failed check", rewrite.id)
            else:
                still_failing.append(original)
    log.info("%s", client.ledger.summary())
    return rebuild(slots(composed), passed), still_failing


def judge(
    client: LLMClient, sentences: list[SummarySentence], *, repaired: bool = False
) -> dict[str, Judgement]:
    """The judge's verdict on each sentence against its cited spans, in one call, by sentence id
    (`repaired`: the sentences are rewrites, which the prompt tells the judge). A sentence the
    judge gave no verdict for is missing from the result; `merge_verdicts` treats that as failed."""
    if not sentences:
        return {}
    items = evidence_items(sentences)
    evidence = {it["id"]: {e["id"] for e in it["evidence"]} for it in items}
    variables = {"sentences": items, "repaired": repaired}
    answer: Any = client.ask("judge", "judge.j2", variables, partial(judgement_model, evidence))
    return {v.sentence_id: v for v in answer.verdicts}


def repair(client: LLMClient, sentences: list[SummarySentence]) -> dict[str, str]:
    """One rewrite per failing sentence, by sentence id, from its cited spans only."""
    variables = {"sentences": evidence_items(sentences)}
    answer: Any = client.ask(
        "repair", "repair.j2", variables, partial(rewrite_model, {s.id for s in sentences})
    )
    return {r.sentence_id.strip(): r.text for r in answer.rewrites}
