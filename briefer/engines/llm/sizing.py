"""How big a call is allowed to be, and the faults of an answer, shared by the client and the stages.

`Sizing` is the part of `LLMClient` that sizes requests against the model's context window: the stages
ask `fits` before they build a call (extraction halves a window, compose groups its claims), and
`_check_fits` is the guard in front of every request, which refuses one that would not fit unsent.
The answer faults live here too (`InvalidAnswer` and its kinds), so modules that only size or only
catch them need not import the client.
"""

from __future__ import annotations

import json
from typing import Any

from briefer.core.errors import ProviderError
from briefer.engines.llm import quirks
from briefer.engines.llm.prompts import Prompts
from briefer.engines.llm.quirks import Stage
from briefer.engines.llm.tokens import MARGIN, Estimator

SCHEMA_ALLOWANCE = 1024  # tokens a response model's JSON schema (tool or response_format) may take


class InvalidAnswer(ProviderError):
    """The model's answers kept failing validation after every re-ask."""


class TooLarge(InvalidAnswer):
    """A request that would not fit the model's context window: refused before it is sent. The
    stages size their requests to fit (`fits`); this is the guard behind them. An extraction window
    that still does not fit costs that window only, like an answer that never validates."""


class Refused(InvalidAnswer):
    """The model declined to answer (OpenAI's `refusal` field). Not re-asked: asking again for valid
    JSON does not change its mind. An extraction refusal costs that document only."""


class Sizing:
    """Mixed into `LLMClient`, which sets these attributes."""

    model: str
    window: int
    estimate: Estimator
    prompts: Prompts

    def _limits(self, stage: Stage) -> dict[str, Any]:
        raise NotImplementedError

    def prompt_budget(self, stage: Stage) -> int:
        """Tokens a `stage` prompt may take: the window less the answer's budget, the response
        schema's allowance and a margin."""
        return self.window - self.output_tokens(stage) - SCHEMA_ALLOWANCE - MARGIN

    def output_tokens(self, stage: Stage) -> int:
        limits = self._limits(stage)
        return int(limits.get("max_tokens") or limits.get("max_completion_tokens") or 0)

    def prompt_tokens(self, template: str, variables: dict[str, Any]) -> int:
        """The estimated size of the messages a call with `template` would send (no schema)."""
        system = self.prompts.render("system.j2")
        return self.estimate(system + self.prompts.render(template, **variables)) + 16

    def fits(self, stage: Stage, template: str, variables: dict[str, Any]) -> bool:
        """Whether a call fits the model's context window, answer included."""
        return self.prompt_tokens(template, variables) <= self.prompt_budget(stage)

    def _check_fits(self, stage: Stage, request: dict[str, Any], max_tokens: int) -> int:
        """The request's estimated prompt tokens; `TooLarge` (nothing sent) past the window."""
        sent = json.dumps(
            [request.get("messages"), request.get("tools"), request.get("response_format")],
            ensure_ascii=False,
        )
        tokens = self.estimate(sent)
        if tokens + max_tokens + MARGIN > self.window:
            raise TooLarge(
                f"the {stage} request (about {tokens:,} tokens plus {max_tokens:,} for the answer) would "
                f"not fit the context window of {self.model} ({self.window:,} tokens); nothing was sent "
                "(set --context-window if the model's window is larger)"
            )
        return tokens


def worst_case(request: dict[str, Any]) -> tuple[int, int]:
    """A request's size in characters and its output limit, for the budget's reservation."""
    chars = len(json.dumps([request.get("messages"), request.get("tools"), request.get("response_format")]))
    return chars, int(request.get("max_tokens") or request.get("max_completion_tokens") or 0)


def cut_off(stage: Stage) -> ProviderError:
    """The error for an answer cut off at the stage's output-token limit."""
    return ProviderError(
        f"the model's {stage} answer was cut off at its token limit ({quirks.max_tokens(stage)}); try a "
        "model with a larger output window or fewer documents"
    )
