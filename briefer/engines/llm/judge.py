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

from briefer.core.models import Document, Draft, SummarySentence, Verdict, cite, touches_instructions
from briefer.core.segment import segment
from briefer.engines.llm.answers import Judgement, judgement_model, rewrite_model
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.review import evidence_items, judgeable, merge_verdicts, rebuild, slots
from briefer.engines.llm.sizing import InvalidAnswer, Refused
from briefer.verify import echoes_instructions, verify_sentence

log = logging.getLogger("briefer")


def review(
    client: LLMClient, draft: Draft, dropped: list[SummarySentence], docs: list[Document], *, composed: Draft
) -> tuple[Draft, list[SummarySentence]]:
    """Judge every verified sentence, and every one that failed only the soft word-level support
    (`review.merge_verdicts` is the policy); give each failure (a veto or the judge's) one repair call,
    then re-verify the rewrite deterministically *and* with the judge. A failure whose rewrite does
    not pass falls back to the exact source sentence of its best claim, checked the same way. A
    sentence the judge never labelled is withheld (unverified, "judge: gave no verdict"), not
    repaired: nothing was found wrong with it, and nothing vouches for it either."""
    by_id = {d.id: d for d in docs}
    verified = [
        *draft.bottom_line,
        *draft.key_points,
        *(s for q in draft.open_questions for s in q.sentences),
    ]
    # What failed only the soft, word-level support goes to the judge with what passed (one call);
    # what a hard check vetoed goes straight to repair.
    soft = [s for s in dropped if _judge_decides(s.verdict, s.text, by_id)]
    judged = judge(client, [*verified, *soft])
    passed: dict[str, SummarySentence] = {}
    soft_ids = {s.id for s in soft}
    failing: list[SummarySentence] = [s for s in dropped if s.id not in soft_ids]
    still_failing: list[SummarySentence] = []
    for s in [*verified, *soft]:
        verdict = merge_verdicts(s, judged.get(s.id))
        merged = s.model_copy(update={"verdict": verdict})
        if verdict.label == "supported":
            passed[s.id] = merged
        elif s.id not in judged:
            still_failing.append(merged)
        else:
            failing.append(merged)
    if failing:
        try:
            rewrites = repair(client, failing)
        except Refused:
            raise
        except InvalidAnswer as e:
            log.warning("the repair answer could not be read: %s", e)
            rewrites = {}
        candidates: list[tuple[SummarySentence, SummarySentence]] = []
        for s in failing:
            text = " ".join(rewrites.get(s.id, "").split())
            tried = {s.text}
            if text and text not in tried:
                tried.add(text)
                rewrite = s.model_copy(update={"text": text})
                verdict = verify_sentence(rewrite, by_id)
                if verdict.label == "supported" or _judge_decides(verdict, text, by_id):  # as a first draft
                    candidates.append((s, rewrite.model_copy(update={"verdict": verdict})))
            source = fallback(s, by_id)
            if source is not None and source.text not in tried:
                verdict = verify_sentence(source, by_id)
                if verdict.label == "supported":
                    candidates.append((s, source.model_copy(update={"verdict": verdict})))
        rejudged = judge(client, [r for _, r in candidates], repaired=True)
        for original, candidate in candidates:
            verdict = merge_verdicts(candidate, rejudged.get(candidate.id))
            if verdict.label == "supported" and original.id not in passed:
                passed[original.id] = candidate.model_copy(update={"id": original.id, "verdict": verdict})
                how = (
                    "from its source sentence" if candidate.id.endswith(FALLBACK) else "after a failed check"
                )
                log.info("repaired sentence %s %s", original.id, how)
        still_failing += [s for s in failing if s.id not in passed]
    log.info("%s", client.ledger.summary())
    return rebuild(slots(composed), passed), still_failing


def _judge_decides(verdict: Verdict | None, text: str, docs: dict[str, Document]) -> bool:
    """Whether a sentence the verifier did not pass is the judge's to decide: no hard check vetoed
    it (`review.judgeable`) and it does not say what text addressed to a model says."""
    return judgeable(verdict) and not echoes_instructions(text, docs)


FALLBACK = "~source"  # the id suffix of a fallback candidate while it is judged


def fallback(s: SummarySentence, docs: dict[str, Document]) -> SummarySentence | None:
    """The exact source sentence behind a sentence's best (first) cited claim, citing that sentence
    whole: the source's own words, attributed to it by the citation, for a point that would
    otherwise be lost. None when the citation's document or sentence cannot be found."""
    if not s.citations or s.citations[0].doc_id not in docs:
        return None
    first = s.citations[0]
    doc = docs[first.doc_id]
    sentence = next((x for x in segment(doc) if x.start <= first.start < x.end and x.kind == "body"), None)
    if sentence is None or touches_instructions(doc, sentence.start, sentence.end):
        return None  # text addressed to a model is never evidence, so never a fallback either
    text = doc.text[sentence.start : sentence.end]
    return SummarySentence(
        id=s.id + FALLBACK,
        text=" ".join(text.split()),
        claim_ids=s.claim_ids[:1],
        citations=[cite(doc, sentence.start, sentence.end)],
    )


def judge(
    client: LLMClient, sentences: list[SummarySentence], *, repaired: bool = False
) -> dict[str, Judgement]:
    """The judge's verdict on each sentence against its cited spans, by sentence id (`repaired`: the
    sentences are rewrites, which the prompt tells the judge). Sentences the answer left without a
    verdict (missing, or under an unknown or repeated id) are asked again, on their own, up to
    `--reasks` times; a sentence never labelled is missing from the result, which `merge_verdicts`
    treats as failed. An answer that never validates costs its sentences their verdict, not the run."""
    verdicts: dict[str, Judgement] = {}
    remaining = list(sentences)
    for attempt in range(client.settings.reasks + 1):
        if not remaining:
            break
        if attempt:
            ids = ", ".join(s.id for s in remaining)
            log.info("the judge gave no verdict for %s; asking again for those only", ids)
        items = evidence_items(remaining)
        evidence = {it["id"]: {e["id"] for e in it["evidence"]} for it in items}
        variables = {"sentences": items, "repaired": repaired}
        try:
            answer: Any = client.ask("judge", "judge.j2", variables, partial(judgement_model, evidence))
        except Refused:
            raise  # a refusal is the model's decision, not a misreading: the run says so
        except InvalidAnswer as e:
            log.warning("the judge's answer could not be read: %s", e)
            break  # `ask` has re-asked already
        verdicts.update({v.sentence_id: v for v in answer.verdicts})
        remaining = [s for s in remaining if s.id not in verdicts]
    return verdicts


def repair(client: LLMClient, sentences: list[SummarySentence]) -> dict[str, str]:
    """One rewrite per failing sentence, by sentence id, from its cited spans only."""
    variables = {"sentences": evidence_items(sentences)}
    answer: Any = client.ask(
        "repair", "repair.j2", variables, partial(rewrite_model, {s.id for s in sentences})
    )
    return {r.sentence_id.strip(): r.text for r in answer.rewrites}
