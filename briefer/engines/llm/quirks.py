"""Provider and model quirks, read once from `providers.toml`: one file to edit for a new provider.

What differs between endpoints and model families is data, not code: the default endpoint and Azure
API version, which structured-output mode an endpoint gets, each stage's output budget, how a model
family wants that budget and the temperature sent, and the list prices. This module only reads the
file and answers typed questions about it; it imports nothing from briefer, so settings, the ledger
and the client can all use it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, cast
from urllib.parse import urlparse

LLMMode = Literal["tools", "json_schema", "json"]
Stage = Literal["extract", "compose", "judge", "repair"]


@dataclass(frozen=True)
class Family:
    """How one family of models wants its output budget and temperature sent."""

    match: re.Pattern[str] | None  # None: every model no family claims
    token_param: str
    token_factor: int
    temperature: float | None  # None: send no temperature (TOML `0` stays the integer 0 on the wire)


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(files("briefer.engines.llm").joinpath("providers.toml").read_text(encoding="utf-8"))


def default_base_url() -> str:
    """Where calls go when neither a base URL nor an Azure endpoint is set."""
    return str(_data()["openai"]["base_url"])


def azure_api_version() -> str:
    """The Azure API version sent when OPENAI_API_VERSION is not set."""
    return str(_data()["azure"]["api_version"])


def default_mode(base_url: str | None, azure: bool) -> LLMMode:
    """The structured-output mode for an endpoint when the user chose none."""
    mode = _data()["mode"]
    if azure:
        return cast(LLMMode, mode["azure"])
    if base_url is None:
        return cast(LLMMode, mode["openai"])
    host = urlparse(base_url).hostname or ""
    chosen = next((m for suffix, m in mode["hosts"].items() if host.endswith(suffix)), mode["other"])
    return cast(LLMMode, chosen)


def max_tokens(stage: Stage) -> int:
    """The output budget of a stage's call, before any family's factor."""
    return int(_data()["max_tokens"][stage])


@cache
def _families() -> tuple[Family, ...]:
    def read(row: dict[str, Any], match: re.Pattern[str] | None) -> Family:
        return Family(match, str(row["token_param"]), int(row["token_factor"]), row.get("temperature"))

    requests = _data()["requests"]
    named = [read(row, re.compile(row["match"])) for row in requests.get("families", [])]
    return (*named, read(requests, None))


def family(model: str) -> Family:
    """The first family whose pattern matches the model name; the default family otherwise."""
    return next(f for f in _families() if f.match is None or f.match.match(model))


def limits(model: str, stage: Stage) -> dict[str, Any]:
    """The request parameters that bound a stage's answer for this model (sent in this order)."""
    f = family(model)
    params: dict[str, Any] = {f.token_param: max_tokens(stage) * f.token_factor}
    if f.temperature is not None:
        params["temperature"] = f.temperature
    return params


def list_prices() -> dict[str, tuple[float, float]]:
    """Model name -> (input, output) list price in USD per 1M tokens."""
    return {name: (float(p["input"]), float(p["output"])) for name, p in _data()["prices"].items()}


def batch_prices() -> tuple[float, dict[str, tuple[float, float]]]:
    """The Batch API's price: a factor on the list price (`[batch] price_factor`) and exceptions
    (`[batch.prices]`, model -> (input, output) in USD per 1M tokens)."""
    table = _data().get("batch", {})
    prices = {name: (float(p["input"]), float(p["output"])) for name, p in table.get("prices", {}).items()}
    return float(table.get("price_factor", 1.0)), prices
