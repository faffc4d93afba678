"""The JSON Schemas of briefer's JSON outputs, generated from the pydantic models that write them.

`briefer run --format json` writes a `Brief`, `briefer check --format json` a `CheckResult`; each
output carries a `schema_version` that is a hash of its model's schema, so it changes exactly when the
schema does and nobody has to remember to bump it. The published schema pins that version with
`const`, so a consumer validating an output learns at once that it was written to another schema.
Copies are shipped in `briefer/schemas/` (a test keeps them equal to what the models generate).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from pydantic import BaseModel

DIALECT = "https://json-schema.org/draft/2020-12/schema"  # an identifier, never fetched


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="serialization")


@cache
def schema_version(model: type[BaseModel]) -> str:
    """The first 12 hex digits of the SHA-256 of the model's schema, as canonical JSON.

    The hash is over the schema without the version's `const` (which is derived from it).
    """
    canonical = json.dumps(_model_schema(model), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of one output model, its `schema_version` pinned."""
    schema = _model_schema(model)
    props = schema.get("properties", {})
    if "schema_version" not in props:
        raise ValueError(f"{model.__name__} has no schema_version field")
    props["schema_version"] = {**props["schema_version"], "const": schema_version(model)}
    return {"$schema": DIALECT, **schema, "title": title}


def dumps(schema: dict[str, Any]) -> str:
    """A schema as the text `briefer schema` prints and `briefer/schemas/` holds."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
