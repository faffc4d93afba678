"""What a model's answer must not carry into the run, checked before anything reads or stores it.

Pure functions over the answer as plain data (`ChatCompletion.model_dump()`), so the client can
rebuild the completion from what they return:

* a lone surrogate (a `\\ud800` escape) cannot be encoded: left alone it crashes the re-ask request,
  the cache and the JSON output. In the structured answer it makes the answer invalid (re-asked);
  anywhere else it is replaced by U+FFFD;
* a tool call under another function name than the one offered is not our answer (re-asked);
* a secret the endpoint echoes back (the key, base-URL credentials) is replaced by `***`, so it never
  reaches the cache, a log line or the brief.

An invalid answer is made unparseable on purpose, its text replaced by a note that says what was
wrong: instructor then re-asks with that note, exactly as for malformed JSON.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """Every string inside `value` with secrets masked and lone surrogates replaced."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


def _note(problem: str) -> str:
    return f"INVALID ANSWER: {problem}. Answer again with valid JSON only."


def vet(
    completion: dict[str, Any], tool: str | None, secrets: tuple[str, ...]
) -> tuple[dict[str, Any], str | None]:
    """The completion made safe, and what made its answer invalid (None when nothing did)."""
    problem: str | None = None
    for choice in completion.get("choices") or []:
        message = choice.get("message") or {}
        calls = message.get("tool_calls") or []
        for call in calls:
            function = call.get("function") or {}
            name = function.get("name")
            if tool is not None and name != tool:
                problem = f"it called a tool named {str(name)[:40]!r}; the only tool is {tool!r}"
            elif _SURROGATE.search(str(function.get("arguments") or "")):
                problem = "it held an invalid \\ud800-style escape (a lone surrogate)"
            if problem:
                function.update(name=tool, arguments=_note(problem))
        content = message.get("content")
        if not calls and isinstance(content, str) and _SURROGATE.search(content):
            problem = "it held an invalid \\ud800-style escape (a lone surrogate)"
            message["content"] = _note(problem)
    return _scrub(completion, tuple(s for s in secrets if s)), problem
