"""briefer: a one-page brief of a folder of news articles, every sentence checked against its sources.

The Python API, the same one the command line uses::

    import briefer

    brief = briefer.run(["seeds/"])               # load, extract, compose, verify, fit to one page
    print(briefer.render_markdown(brief))         # the page `briefer run` prints
    data = briefer.render_json(brief)             # everything, documents' text included
    page = briefer.render_html(brief)             # one self-contained page, quotes on hover
    result = briefer.check(draft, ["seeds/"])     # any draft against its sources, sentence by sentence
    documents = briefer.load(["seeds/"]).documents

Every name is imported on first use, so `import briefer` and `briefer --help` stay fast. The models
(`Brief`, `Document`, `Claim`, `Citation`, ...) are pydantic models from `briefer.core.models`; errors
derive from `BrieferError` (`briefer.core.errors`), each with the exit code the CLI uses for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "briefer.runs.pipeline",
    "check": "briefer.checker",
    "load": "briefer.sources",
    "render_markdown": "briefer.output.render",
    "render_json": "briefer.output.render",
    "render_html": "briefer.output.html",
    "Brief": "briefer.core.models",
    "Document": "briefer.core.models",
    "Claim": "briefer.core.models",
    "Citation": "briefer.core.models",
    "SummarySentence": "briefer.core.models",
    "Verdict": "briefer.core.models",
    "CheckResult": "briefer.checker",
    "BrieferError": "briefer.core.errors",
    "InputError": "briefer.core.errors",
    "ConfigError": "briefer.core.errors",
    "ProviderError": "briefer.core.errors",
    "BudgetExceeded": "briefer.core.errors",
}
__all__ = [  # the names above, spelled out for tools that read __all__ statically
    "__version__",
    "run",
    "check",
    "load",
    "render_markdown",
    "render_json",
    "render_html",
    "Brief",
    "Document",
    "Claim",
    "Citation",
    "SummarySentence",
    "Verdict",
    "CheckResult",
    "BrieferError",
    "InputError",
    "ConfigError",
    "ProviderError",
    "BudgetExceeded",
]

if TYPE_CHECKING:
    from briefer.checker import CheckResult, check
    from briefer.core.errors import BrieferError, BudgetExceeded, ConfigError, InputError, ProviderError
    from briefer.core.models import Brief, Citation, Claim, Document, SummarySentence, Verdict
    from briefer.output.html import render_html
    from briefer.output.render import render_json, render_markdown
    from briefer.runs.pipeline import run
    from briefer.sources import load


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'briefer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
