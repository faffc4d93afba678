"""Word lists and small tables, kept as data files in `briefer/core/data/` and read once.

One format for all of them, so a list can be read and edited without reading code: UTF-8 text, one
entry per line, `#` starting a comment (the comments say what a list is for and what it leaves out),
blank lines skipped. A `.txt` file is a list (an entry may hold spaces: "more than"); a `.tsv` file
is a table, its fields separated by tabs. File order is kept, for the callers whose result depends on
it (a regex alternation, one opposite per word). Files are read through `importlib.resources`, so
they load from a wheel as from a checkout, and each once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any


def _lines(filename: str) -> tuple[str, ...]:
    """The entries of one data file ("frames/doubt_nouns.txt"), comments and blank lines removed."""
    path = resources.files("briefer.core").joinpath("data")
    for part in filename.split("/"):
        path = path.joinpath(part)
    stripped = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return tuple(line for line in stripped if line)


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of `data/NAME.txt`, in file order."""
    return _lines(f"{name}.txt")


@cache
def words(name: str) -> frozenset[str]:
    """The entries of `data/NAME.txt` as a set: for membership tests."""
    return frozenset(entries(name))


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of `data/NAME.tsv`, in file order, each as its tab-separated fields."""
    return tuple(tuple(f.strip() for f in line.split("\t") if f.strip()) for line in _lines(f"{name}.tsv"))


@cache
def pairs(name: str) -> tuple[tuple[str, str], ...]:
    """The rows of a two-column `data/NAME.tsv`; a row with another number of fields is an error."""
    out: list[tuple[str, str]] = []
    for row in rows(name):
        if len(row) != 2:
            raise ValueError(f"data/{name}.tsv: expected two tab-separated fields, got {row!r}")
        out.append((row[0], row[1]))
    return tuple(out)


def table(name: str) -> dict[str, str]:
    """A two-column `data/NAME.tsv` as a mapping from the first field to the second, in file order."""
    return dict(pairs(name))


def alternation(entries: Iterable[str], space: str = r"\ ") -> str:
    """A regex group matching exactly the given strings, written as a trie: `(?:sa(?:id|ys?))`.

    A plain `a|b|c|...` of a few hundred words is tried word by word at every position of the text,
    which made the word-list regexes the largest single cost of a brief (bench/scale.py); in a trie
    the first letter picks the branch. At one position the longest entry is tried first, as in an
    alternation sorted longest first. `space` is what a space inside an entry matches (`\\s+` lets
    "pointed out" span a line break). Case is kept: compile with `re.IGNORECASE` to ignore it.
    """
    trie: dict[str, Any] = {}
    for entry in entries:
        node = trie
        for ch in entry:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return "(?!)"  # an empty list matches nothing

    def emit(node: dict[str, Any]) -> str:
        branches = [
            (space if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + emit(trie) + ")"
