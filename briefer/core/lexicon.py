"""Word lists and small tables, kept as data files in `briefer/core/data/` and read once.

One format for all of them, so a list can be read and edited without reading code: UTF-8 text, one
entry per line, `#` starting a comment (the comments say what a list is for and what it leaves out),
blank lines skipped. A `.txt` file is a list (an entry may hold spaces: "more than"); a `.tsv` file
is a table, its fields separated by tabs. File order is kept, for the callers whose result depends on
it (a regex alternation, one opposite per word). Files are read through `importlib.resources`, so
they load from a wheel as from a checkout, and each once per process.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


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
