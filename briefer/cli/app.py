"""The `briefer` command: parse arguments, run the pipeline, print the brief. No business logic here.

Only the brief goes to stdout; progress, warnings and errors go to stderr. Exit codes: 0 success,
1 runtime failure, 2 bad usage or bad input. Errors are one line, never a traceback (unless -vv).
"""

from __future__ import annotations

import click

from briefer import __version__
from briefer.cli.batch import batch
from briefer.cli.cache import cache_group
from briefer.cli.check import check_command
from briefer.cli.common import EXIT_CODES_HELP
from briefer.cli.run import run
from briefer.cli.schema import schema_command


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP + " `batch` and `check` add their own (see their --help).",
)
@click.version_option(__version__, prog_name="briefer")
def cli() -> None:
    """Turn a folder of news articles into a one-page brief whose every sentence is checked against
    the source spans it cites."""


for command in (run, batch, cache_group, check_command, schema_command):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="briefer")
