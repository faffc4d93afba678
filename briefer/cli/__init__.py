"""The `briefer` command line: click commands over the library (`briefer.runs`, `briefer.check`)."""

from briefer.cli.app import cli, main

__all__ = ["cli", "main"]
