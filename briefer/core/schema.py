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


# Fields the renderer adds to every citation of `run --format json` (`output.render.render_json`):
# the span in UTF-16 code units beside the code-point offsets, for JavaScript. Not model fields (the
# model holds code points only), so they are described here, and the schema's version covers them.
RENDER_TIME_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "Citation": {
        "start_utf16": {
            "type": "integer",
            "minimum": 0,
            "title": "Start Utf16",
            "description": "start in UTF-16 code units (JavaScript's String indices); start counts code points",
        },
        "end_utf16": {
            "type": "integer",
            "exclusiveMinimum": 0,
            "title": "End Utf16",
            "description": "end in UTF-16 code units (JavaScript's String indices); end counts code points",
        },
    }
}


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    for name, fields in RENDER_TIME_FIELDS.items():
        definition = schema.get("$defs", {}).get(name)
        if definition is not None:
            definition["properties"].update(fields)
    return schema


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
