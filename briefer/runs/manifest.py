"""The run manifest of `briefer batch`: one JSON file per run recording, per topic, what a person
debugging a bad brief or a cost report needs (times, engine, model, prompt hash, documents used and
skipped, verification figures, calls, cache hits, tokens, cost, outcome and error)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from briefer import __version__
from briefer.core.models import Skipped, Usage


class Verification(BaseModel):
    claims_extracted: int
    claims_dropped: int
    sentences_checked: int
    sentences_supported: int
    sentences_dropped: int


class UsedDocument(BaseModel):
    path: str
    id: str


class OutputRecord(BaseModel):
    path: str
    format: str
    written: bool


class TopicRecord(BaseModel):
    """One topic's line in the manifest."""

    name: str
    outcome: Literal["success", "failure"]
    error: str | None = None
    started_at: datetime
    finished_at: datetime
    seconds: float
    engine: str | None = None
    engine_reason: str | None = None
    model: str | None = None
    prompt_hash: str | None = None
    documents_used: list[UsedDocument] = []
    documents_skipped: list[Skipped] = []
    verification: Verification | None = None
    usage: Usage = Usage()
    new_since: dict[str, Any] | None = None  # {"since": date of the last brief, "points": n}
    outputs: list[OutputRecord] = []


class Manifest(BaseModel):
    briefer_version: str = __version__
    config: str
    started_at: datetime
    finished_at: datetime
    seconds: float
    outcome: Literal["success", "partial", "failure"]
    exit_code: int
    cache: dict[str, Any]
    usage: Usage  # totals over the topics
    topics: list[TopicRecord]


def total(usages: list[Usage]) -> Usage:
    """Usage summed over the topics of a run."""
    return Usage(
        calls=sum(u.calls for u in usages),
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        cost_usd=round(sum(u.cost_usd for u in usages), 6),
        cache_hits=sum(u.cache_hits for u in usages),
    )
