"""`briefer schema [brief|check]`: print the JSON Schema of `run --format json` or `check --format json`.

The schemas are generated from the pydantic models that write the outputs (`briefer.core.schema`);
the copies shipped in `briefer/schemas/` are the same text (a test regenerates and compares them), for
readers who want the file without running briefer.
"""

from __future__ import annotations

import sys
from typing import Any, Literal

import click

from briefer.cli.common import guarded

SchemaName = Literal["brief", "check"]
NAMES: tuple[SchemaName, ...] = ("brief", "check")


def published(name: SchemaName) -> dict[str, Any]:
    """The published schema `name`: the brief (`run --format json`) or a check (`check --format json`)."""
    from briefer.checker.checker import CheckResult
    from briefer.core.models import Brief
    from briefer.core.schema import json_schema

    if name == "brief":
        return json_schema(Brief, "briefer run --format json: a brief")
    return json_schema(CheckResult, "briefer check --format json: a checked draft")


@click.command("schema")
@click.argument("name", type=click.Choice(NAMES), default="brief", required=False)
@guarded
def schema_command(name: SchemaName) -> None:
    """Print the JSON Schema (draft 2020-12) of an output: `brief` (run --format json, the default) or
    `check` (check --format json). Every such output carries the schema's `schema_version`."""
    from briefer.core.schema import dumps

    sys.stdout.write(dumps(published(name)))
    sys.stdout.flush()
