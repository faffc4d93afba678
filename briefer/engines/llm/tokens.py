"""How big a request is, in tokens, before it is sent, and how big it may be.

The estimate is pluggable (`Estimator`: text -> tokens). The default is characters / 4, which needs
nothing and overestimates English a little. A real tokenizer is used only where one works offline:
`tiktoken` when it is installed *and* `TIKTOKEN_CACHE_DIR` points at its downloaded BPE files (without
them tiktoken would try to download, which a run must never do behind the user's back).

A model's context window comes from `--context-window` / `context_window` (any model), else the table
in providers.toml (`[context_windows]`, OpenAI's models, longest-prefix match), else
`DEFAULT_CONTEXT_WINDOW`, a conservative figure for local models that state none.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

from briefer.engines.llm import quirks

Estimator = Callable[[str], int]

DEFAULT_CONTEXT_WINDOW = 16_384
MARGIN = 256  # tokens kept free for what the estimate does not see (request keys, message framing)


def chars_over_4(text: str) -> int:
    """The default estimate: one token per four characters, rounded up."""
    return math.ceil(len(text) / 4)


def offline_tokenizer(model: str) -> Estimator | None:
    """tiktoken's count for the model when it can load without the network, else None."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        return None
    try:
        import tiktoken  # type: ignore[import-not-found, unused-ignore]

        try:
            encoding = tiktoken.encoding_for_model(model)
        except KeyError:
            encoding = tiktoken.get_encoding("o200k_base")
    except Exception:  # not installed, or its files are not in the cache: fall back quietly
        return None

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count


def estimator_for(model: str) -> Estimator:
    return offline_tokenizer(model) or chars_over_4


def context_window(model: str, configured: int | None = None) -> int:
    """The model's context window in tokens (see the module docstring for the order)."""
    return configured or quirks.context_window(model) or DEFAULT_CONTEXT_WINDOW
