"""Errors the CLI turns into one-line messages and exit codes, and the one wording of a validation
problem that every reader of user or model input uses.

BrieferError            exit 1: something failed while running
├── InputError          exit 2: bad usage or unusable input (missing path, no documents)
├── ConfigError         exit 2: settings that cannot work (e.g. --engine llm with nothing set)
├── ProviderError       exit 1: the model endpoint failed after bounded retries
└── BudgetExceeded      exit 1: --max-cost would be exceeded
"""

from pydantic import ValidationError


class BrieferError(Exception):
    exit_code = 1


class InputError(BrieferError):
    exit_code = 2


class ConfigError(BrieferError):
    exit_code = 2


class ProviderError(BrieferError):
    exit_code = 1


class BudgetExceeded(BrieferError):
    exit_code = 1


def problems(error: ValidationError, limit: int | None = None, *, top: str = "") -> list[str]:
    """Each problem of a failed validation as `where: what` (`topic.0.engine: Input should be ...`),
    the first `limit` of them; `top` names the place when the problem is the whole value."""
    return [f"{'.'.join(str(x) for x in err['loc']) or top}: {err['msg']}" for err in error.errors()[:limit]]
