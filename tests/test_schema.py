"""The published JSON Schemas: generated from the models, shipped, printed, and true of real outputs."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from briefer.checker import CheckResult
from briefer.cli.app import cli
from briefer.cli.schema import NAMES, published
from briefer.core.models import Brief
from briefer.core.schema import dumps, json_schema, schema_version

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_shipped_copy_is_the_generated_schema(name: str):
    shipped = (files("briefer") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == dumps(published(name)), (
        f"briefer/schemas/{name}.schema.json is stale: regenerate it with "
        f"`briefer schema {name} > briefer/schemas/{name}.schema.json`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_briefer_schema_prints_a_valid_draft_2020_12_schema(name: str):
    code, out = _invoke("schema", name)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "schema_version" in schema["required"]


def test_briefer_schema_defaults_to_the_brief_and_refuses_unknown_names():
    assert _invoke("schema")[1] == _invoke("schema", "brief")[1]
    assert _invoke("schema", "nope")[0] == 2


def test_seeds_brief_json_validates(tmp_path: Path):
    out = tmp_path / "seeds.json"
    code, _ = _invoke("run", str(SEEDS), "-o", str(out), "-q")  # the format from the extension
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == schema_version(Brief)
    jsonschema.validate(data, published("brief"), cls=jsonschema.Draft202012Validator)
    bad = {**data, "schema_version": "0" * 12}  # written to another schema: refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, published("brief"), cls=jsonschema.Draft202012Validator)
    del data["documents"][0]["text"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, published("brief"), cls=jsonschema.Draft202012Validator)


def test_check_json_validates(tmp_path: Path):
    draft = tmp_path / "draft.md"
    code, _ = _invoke("run", str(SEEDS), "-o", str(draft), "-q")
    assert code == 0
    sources = sorted(SEEDS.glob("*.txt"))
    code, out = _invoke("check", str(draft), "--sources", *map(str, sources), "--format", "json")
    assert code in (0, 3), out
    data = json.loads(out)
    assert data["schema_version"] == schema_version(CheckResult)
    assert data["sentences"] and data["sentences"][0]["evidence"]["quote"]
    jsonschema.validate(data, published("check"), cls=jsonschema.Draft202012Validator)
    data["sentences"][0]["evidence"]["start"] = "0"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, published("check"), cls=jsonschema.Draft202012Validator)


def test_schema_version_changes_exactly_when_the_schema_does():
    class Out(BaseModel):
        schema_version: str = ""
        a: int

    class Same(BaseModel):
        schema_version: str = ""
        a: int

    class More(BaseModel):
        schema_version: str = ""
        a: int
        b: str | None = None

    Same.__name__ = Out.__name__
    Same.__qualname__ = Out.__qualname__
    assert schema_version(Out) == schema_version(Same)  # the same schema from another class
    assert schema_version(More) != schema_version(Out)
    assert json_schema(Out, "t")["properties"]["schema_version"]["const"] == schema_version(Out)
