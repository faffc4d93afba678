"""briefer: a one-page brief of a folder of news articles, every sentence checked against its sources.

`briefer.check(draft, sources)` checks any draft against its sources (`briefer.checker.check`). It is
imported on first use, so `import briefer` and `briefer --help` stay fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "check"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from briefer.checker import check

        return check
    raise AttributeError(f"module 'briefer' has no attribute {name!r}")
