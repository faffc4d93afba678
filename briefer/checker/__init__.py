"""`briefer check`: any draft verified sentence by sentence against its sources."""

from briefer.checker.checker import CheckResult, check

__all__ = ["CheckResult", "check"]
