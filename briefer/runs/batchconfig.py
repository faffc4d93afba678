"""The batch config (`briefs.toml`): its schema and a reader that reports every problem with the
file, the line and the key, because a scheduled job's mistakes are read the next morning."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from briefer.core.errors import ConfigError
from briefer.engines import EngineChoice
from briefer.output import formats
from briefer.output.formats import FormatName


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(_Strict):
    path: str = Field(min_length=1)
    format: FormatName

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, value: Any) -> Any:
        """`"out/storm.md"` is short for `{path = "out/storm.md", format = "md"}`."""
        if isinstance(value, str):
            fmt = formats.from_extension(value)
            if fmt is None:
                raise ValueError(
                    f"cannot tell the format of {value!r} from its extension ({formats.EXTENSIONS_TEXT}); "
                    f'write {{path = "{value}", format = "md"}}'
                )
            return {"path": value, "format": fmt}
        if isinstance(value, dict) and "path" in value and "format" not in value:
            return {**value, "format": formats.from_extension(str(value["path"])) or ""}
        return value


class Topic(_Strict):
    name: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)  # folders, files, glob patterns or http(s):// URLs
    outputs: list[Output] = Field(min_length=1)
    engine: EngineChoice | None = None
    model: str | None = Field(default=None, min_length=1)
    max_words: int | None = Field(default=None, ge=80)

    @field_validator("sources", mode="before")
    @classmethod
    def _one_source(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Defaults(_Strict):
    """The `[batch]` table: where the manifest goes and defaults for every topic."""

    manifest: str | None = None
    cache_dir: str | None = None
    engine: EngineChoice = "auto"
    model: str | None = Field(default=None, min_length=1)
    max_words: int = Field(default=450, ge=80)
    jobs: int = Field(default=1, ge=1, le=64)  # topics briefed side by side (--jobs)
    fetch_timeout: float = Field(default=20.0, gt=0)  # seconds per http(s):// source


class BatchConfig(_Strict):
    batch: Defaults = Defaults()
    topic: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> BatchConfig:
        names = [t.name for t in self.topic]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"topic names must be distinct: {', '.join(twice)} appear more than once")
        paths = [os.path.normpath(o.path) for t in self.topic for o in t.outputs]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise ValueError(f"two outputs write the same file: {', '.join(twice)}")
        return self


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")


def key_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line (1-based) of the key a validation error points at, found by scanning the TOML text
    (tomllib reports no positions). `loc` is pydantic's: ("topic", 1, "engine"), ("batch", "model"),
    ("colour",). A missing key points at its table's header; a nested value at the key holding it."""
    if loc and loc[0] == "topic" and len(loc) > 1 and isinstance(loc[1], int):
        table: tuple[str | int, ...] = ("topic", loc[1])
        rest = loc[2:]
    elif loc and loc[0] == "batch" and len(loc) > 1:
        table, rest = ("batch",), loc[1:]
    else:
        table, rest = (), loc
    key = str(rest[0]) if rest else None
    current: tuple[str | int, ...] = ()
    counts: dict[str, int] = {}
    header_line = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip().strip("\"'")
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                current = (name, counts[name])
            else:
                current = (name,)
            if current == table:
                header_line = number
            if not table and key is not None and name == key:
                return number  # an unknown table such as [topics]
            continue
        found = _KEY.match(line)
        if found and current == table and key is not None and found.group(1) == key:
            return number
    return header_line


def _message(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "missing (required)"
    return str(err["msg"]).removeprefix("Value error, ")


def _where(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """`topic[2] "storm": engine` rather than pydantic's `topic.1.engine`."""
    if loc and loc[0] == "topic" and len(loc) > 1 and isinstance(loc[1], int):
        raw = data.get("topic")
        topics: list[Any] = raw if isinstance(raw, list) else []
        name = (
            topics[loc[1]].get("name") if loc[1] < len(topics) and isinstance(topics[loc[1]], dict) else None
        )
        head = f"topic[{loc[1] + 1}]" + (f" {name!r}" if isinstance(name, str) else "")
        rest = ".".join(str(x) for x in loc[2:])
        return f"{head}: {rest}" if rest else head
    return ".".join(str(x) for x in loc) or "(top level)"


KNOWN_KEYS = {
    "top level": ["batch", "topic"],
    "batch": sorted(Defaults.model_fields),
    "topic": sorted(Topic.model_fields),
    "outputs": sorted(Output.model_fields),
}


def read_config(path: Path) -> BatchConfig:
    """The validated config, or ConfigError listing every problem as `file:line: key: problem`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such config file: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    try:
        return BatchConfig.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(err["loc"])
            line = key_line(text, loc)
            message = _message(err)
            if message == "unknown key":
                parent = next((str(x) for x in reversed(loc[:-1]) if isinstance(x, str)), "top level")
                known = KNOWN_KEYS.get(parent)
                message += f" (known: {', '.join(known)})" if known else ""
            problems.append(f"{path}{f':{line}' if line else ''}: {_where(loc, data)}: {message}")
        raise ConfigError(
            f"invalid batch config ({len(problems)} problem{'s' * (len(problems) != 1)}):\n  "
            + "\n  ".join(problems)
        ) from None
