"""Errors the CLI turns into one-line messages and exit codes.

BrieferError            exit 1: something failed while running
├── InputError          exit 2: bad usage or unusable input (missing path, no documents)
├── ConfigError         exit 2: settings that cannot work (e.g. --engine llm with nothing set)
├── ProviderError       exit 1: the model endpoint failed after bounded retries
└── BudgetExceeded      exit 1: --max-cost would be exceeded
"""


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
