"""briefer: a one-page brief of a folder of news articles, every sentence checked against its sources."""

__version__ = "0.1.0"
