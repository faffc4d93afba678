"""The LLM engine's prompt templates: loading, rendering and the hash recorded in every run report.

Templates live in the top-level `prompts/` folder, which the wheel ships as `briefer/prompts`. Source
text only ever enters a template as a *variable*, passed through the `data` filter (whitespace
collapsed, our delimiter tags neutralised), never as template source; so `{{`, `{%` or "ignore your
instructions" inside an article is just text. `StrictUndefined` makes a missing variable an error.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

_DELIMITERS = re.compile(r"<(/?)(document|claims|sentences?|evidence)\b", re.IGNORECASE)


_TAG_CHARACTERS = re.compile("[\U000e0000-\U000e007f]")  # invisible to readers, plain text to a model


def data(text: str) -> str:
    """Source text made safe to sit between our delimiters: one line, no look-alike tags, no Unicode
    tag characters."""
    text = " ".join(_TAG_CHARACTERS.sub("", str(text)).split())
    return _DELIMITERS.sub(lambda m: "\u2039" + m.group(1) + m.group(2), text)


def attr(text: str) -> str:
    """Source text for a double-quoted attribute."""
    return data(text).replace('"', "'")


def _prompt_files() -> dict[str, str]:
    """Template name -> source, from the installed package or, in a source checkout, the repo."""
    installed = resources.files("briefer") / "prompts"
    if installed.is_dir():
        entries = {
            p.name: p.read_text(encoding="utf-8") for p in installed.iterdir() if p.name.endswith(".j2")
        }
    else:
        folder = Path(__file__).resolve().parents[3] / "prompts"
        entries = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.j2")}
    if not entries:
        raise RuntimeError("briefer's prompt templates are missing from this installation")
    return entries


@dataclass(frozen=True)
class Prompts:
    sources: dict[str, str]
    env: Environment = field(repr=False, compare=False)

    @property
    def hash(self) -> str:
        """sha256 over the sorted file names and contents: changes whenever any prompt changes."""
        digest = hashlib.sha256()
        for name in sorted(self.sources):
            digest.update(name.encode() + b"\0" + self.sources[name].encode() + b"\0")
        return digest.hexdigest()[:12]

    def render(self, name: str, **variables: Any) -> str:
        return self.env.get_template(name).render(**variables).strip()


@cache
def load_prompts() -> Prompts:
    sources = _prompt_files()
    env = Environment(
        loader=DictLoader(sources),
        undefined=StrictUndefined,
        autoescape=False,  # plain text for a model, not HTML; `data` does the escaping that matters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["data"] = data
    env.filters["attr"] = attr
    return Prompts(sources=sources, env=env)
