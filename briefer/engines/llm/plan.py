"""What an LLM run will cost before it sends anything: planned calls, estimated tokens, worst case.

Used by `--dry-run` (which sends nothing) and by `--engine auto`, whose first line says the LLM
engine was chosen and what it is about to spend. Extraction is planned exactly (the same windows the
run will send, each prompt rendered and estimated); composition from the documents' text, since the
claims are not known yet (a claim is about one sentence, so the claims' text is at most the bodies');
the review as one judge call, one repair and one re-judge. The worst case prices every planned call
at its full output budget; `ceiling` adds every re-ask `--reasks` allows.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from briefer.core.models import Document, Sentence
from briefer.engines.llm.client import LLMClient
from briefer.engines.llm.extract import part_tokens, plan_parts
from briefer.engines.llm.sizing import SCHEMA_ALLOWANCE

REVIEW_PROMPT = 4_000  # tokens of a judge or repair prompt: the brief's sentences and their spans


class Plan(BaseModel):
    model: str
    window: int
    documents: int
    calls: dict[str, int]  # stage -> planned calls
    prompt_tokens: int
    output_tokens: int  # the sum of the calls' output budgets
    largest_request: int  # tokens, prompt and output budget, of the largest planned call
    worst_cost_usd: float | None  # None: no price known for the model
    ceiling_usd: float | None

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def summary(self) -> str:
        calls = " + ".join(f"{n} {stage}" for stage, n in self.calls.items() if n)
        cost = (
            f"worst case ${self.worst_cost_usd:.4f} (${self.ceiling_usd:.4f} if every call is re-asked)"
            if self.worst_cost_usd is not None and self.ceiling_usd is not None
            else "cost unknown (no price for this model)"
        )
        return (
            f"about {self.total_calls:,} calls ({calls}), ~{self.prompt_tokens:,} prompt tokens and up to "
            f"{self.output_tokens:,} output tokens, {cost}"
        )


def plan(client: LLMClient, docs: list[Document], sentences: dict[str, list[Sentence]]) -> Plan:
    parts = plan_parts(client, docs, sentences)
    extract = [part_tokens(client, p) + SCHEMA_ALLOWANCE for p in parts]
    body = sum(client.estimate(s.text) + 12 for ss in sentences.values() for s in ss if s.kind == "body")
    room = max(1, client.prompt_budget("compose"))
    groups = math.ceil(body / room)
    compose_calls = groups + (1 if groups > 1 else 0)
    compose_prompt = body + compose_calls * 1_500
    calls = {"extract": len(parts), "compose": compose_calls, "judge": 2, "repair": 1}
    outputs = {stage: client.output_tokens(stage) for stage in ("extract", "compose", "judge", "repair")}
    prompt = sum(extract) + compose_prompt + 3 * REVIEW_PROMPT
    output = sum(n * outputs[stage] for stage, n in calls.items())
    largest = max([t + outputs["extract"] for t in extract] + [min(body, room) + 1_500 + outputs["compose"]])
    ledger = client.ledger
    worst = ledger.cost(prompt, output) if ledger.priced else None
    attempts = client.settings.reasks + 1
    return Plan(
        model=client.model,
        window=client.window,
        documents=len(docs),
        calls=calls,
        prompt_tokens=prompt,
        output_tokens=output,
        largest_request=largest,
        worst_cost_usd=round(worst, 6) if worst is not None else None,
        ceiling_usd=round(worst * attempts, 6) if worst is not None else None,
    )
