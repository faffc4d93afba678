"""The output formats, in one table: their names (for `--format` and batch outputs), the file
extensions that imply them, and how a `Brief` is rendered in each.

Adding a format is one row here and one renderer in this package. Renderers are imported on first use,
so the CLI can list the formats without loading jinja2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from briefer.core.models import Brief

FormatName = Literal["md", "json", "html"]


@dataclass(frozen=True)
class Format:
    name: FormatName
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    description: str


FORMATS: dict[FormatName, Format] = {
    "md": Format("md", (".md", ".markdown"), "the one-page Markdown brief"),
    "json": Format("json", (".json",), "the whole brief with every document's text, claims and verdicts"),
    "html": Format(
        "html", (".html", ".htm"), "one self-contained page: each citation's quote and source text"
    ),
}
NAMES: tuple[FormatName, ...] = tuple(FORMATS)
EXTENSIONS_TEXT = ", ".join(f.extensions[0] for f in FORMATS.values())  # ".md, .json, .html", for messages


def from_extension(path: Path | str) -> FormatName | None:
    """The format a file name implies (`brief.json` -> json), or None for an unknown extension."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.extensions), None)


def render(brief: Brief, name: FormatName) -> str:
    """`brief` as the text of format `name`."""
    if name == "html":
        from briefer.output.html import render_html

        return render_html(brief)
    from briefer.output.render import render_json, render_markdown

    return render_json(brief) if name == "json" else render_markdown(brief)
