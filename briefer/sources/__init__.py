"""Sources in, `Document`s out: walking folders, reading each format, furniture and hidden text set aside."""

from briefer.sources.load import LoadResult, load, warn_skipped

__all__ = ["LoadResult", "load", "warn_skipped"]
