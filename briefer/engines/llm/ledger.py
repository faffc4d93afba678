"""The usage ledger: every model call's tokens and cost, and the `--max-cost` budget.

Every HTTP attempt is counted (re-asks after invalid answers and failed attempts included), because
each one is billed or at least sent. Before a call goes out its worst case is *reserved*: prompt
tokens estimated as characters / 4 plus the call's `max_tokens`, priced at the model's rates. If
spent + reserved + this worst case would pass `--max-cost`, the call is not made and the run stops
with `BudgetExceeded`. Reservations make the check hold even while extraction calls run in parallel.
"""

from __future__ import annotations

import logging
import math
import threading

from briefer.core.errors import BudgetExceeded
from briefer.core.models import Usage
from briefer.engines.llm import quirks
from briefer.engines.llm.settings import Price

log = logging.getLogger("briefer")

# USD per 1M tokens, list prices of common models (`[prices]` in providers.toml); override with --price-table.
DEFAULT_PRICES: dict[str, Price] = {
    name: Price(input=i, output=o) for name, (i, o) in quirks.list_prices().items()
}


def price_for(model: str, overrides: dict[str, Price] | None = None) -> Price | None:
    """Exact name first, then the longest known prefix (dated snapshots like gpt-4o-mini-2024-07-18)."""
    table = {**DEFAULT_PRICES, **(overrides or {})}
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(name + "-")]
    return table[max(prefixes, key=len)] if prefixes else None


def batch_price_for(model: str, price: Price | None) -> Price | None:
    """The Batch API's price for `model`: its row in `[batch.prices]`, else `price` (the list price or
    the --price-table override) times `[batch] price_factor`."""
    factor, table = quirks.batch_prices()
    listed = table.get(model) or next(
        (table[n] for n in sorted(table, key=len, reverse=True) if model.startswith(n + "-")), None
    )
    if listed is not None:
        return Price(input=listed[0], output=listed[1])
    return None if price is None else Price(input=price.input * factor, output=price.output * factor)


def estimate_tokens(chars: int) -> int:
    return math.ceil(chars / 4)


class Ledger:
    """Thread-safe counts for one run; `usage` is what lands in the run report."""

    def __init__(self, model: str, price: Price | None, max_cost: float | None = None) -> None:
        self.model = model
        self.price = price or Price(input=0, output=0)
        self.priced = price is not None
        self.max_cost = max_cost
        self.calls = 0
        self.reasks = 0
        self.cache_hits = 0  # answers reused from the response cache: no call, no tokens, no cost
        self.prompt_tokens = 0
        self.completion_tokens = 0
        # Requests answered through the Batch API: counted in `calls` and the tokens, priced apart.
        self.batch_price = batch_price_for(model, price) or self.price
        self.batch_calls = 0
        self.batch_prompt_tokens = 0
        self.batch_completion_tokens = 0
        self._reserved = 0.0
        self._lock = threading.Lock()

    def cost(self, prompt_tokens: int, completion_tokens: int, *, batch: bool = False) -> float:
        price = self.batch_price if batch else self.price
        return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000

    @property
    def spent(self) -> float:
        live = self.cost(
            self.prompt_tokens - self.batch_prompt_tokens,
            self.completion_tokens - self.batch_completion_tokens,
        )
        return live + self.cost(self.batch_prompt_tokens, self.batch_completion_tokens, batch=True)

    def reserve(self, stage: str, prompt_chars: int, max_tokens: int, *, batch: bool = False) -> float:
        """Hold the worst case of the next call (at the batch price for a Batch API request), or raise
        if it could take the run over budget."""
        worst = self.cost(estimate_tokens(prompt_chars), max_tokens, batch=batch)
        with self._lock:
            if self.max_cost is not None and self.spent + self._reserved + worst > self.max_cost:
                raise BudgetExceeded(
                    f"stopped before the {stage} call: its worst case (${worst:.4f}) would take the run "
                    f"past --max-cost ${self.max_cost:.4f} (spent ${self.spent:.4f} on {self.calls} "
                    f"call{'s' * (self.calls != 1)}); raise --max-cost or choose a cheaper model"
                )
            self._reserved += worst
        return worst

    def release(self, amount: float) -> None:
        with self._lock:
            self._reserved = max(0.0, self._reserved - amount)

    def count_attempt(self) -> None:
        with self._lock:
            self.calls += 1

    def count_reask(self) -> None:
        with self._lock:
            self.reasks += 1

    def count_hit(self) -> None:
        with self._lock:
            self.cache_hits += 1

    def add_tokens(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens

    def add_batch_answer(self, prompt_tokens: int, completion_tokens: int) -> None:
        """One request answered through the Batch API: a call, billed at the batch price."""
        with self._lock:
            self.calls += 1
            self.batch_calls += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.batch_prompt_tokens += prompt_tokens
            self.batch_completion_tokens += completion_tokens

    @property
    def usage(self) -> Usage:
        return Usage(
            calls=self.calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=round(self.spent, 6),
            cache_hits=self.cache_hits,
        )

    def summary(self) -> str:
        cost = f"${self.spent:.4f}" if self.priced else "cost unknown (no price for this model)"
        reasks = f", {self.reasks} re-ask{'s' * (self.reasks != 1)}" if self.reasks else ""
        if self.cache_hits:
            reasks += f", {self.cache_hits} answer{'s' * (self.cache_hits != 1)} from the cache"
        if self.batch_calls:
            reasks += (
                f", {self.batch_calls} through the Batch API at ${self.batch_price.input:g}/"
                f"${self.batch_price.output:g} per 1M tokens"
            )
        return (
            f"usage: {self.calls} call{'s' * (self.calls != 1)}{reasks}, {self.prompt_tokens:,} prompt + "
            f"{self.completion_tokens:,} completion tokens, {cost} ({self.model})"
        )
