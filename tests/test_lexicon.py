"""The word lists and tables under briefer/core/data: each parses, and none repeats an entry."""

import re
from importlib import resources
from importlib.resources.abc import Traversable

import pytest

from briefer.core import lexicon


def _names(folder: Traversable, prefix: str = "") -> list[tuple[str, str]]:
    """(name as the loader takes it, extension) for every data file, sub-folders included."""
    out: list[tuple[str, str]] = []
    for item in folder.iterdir():
        if item.is_dir():
            out += _names(item, f"{prefix}{item.name}/")
        else:
            stem, _, ext = item.name.rpartition(".")
            out.append((prefix + stem, ext))
    return sorted(out)


DATA = _names(resources.files("briefer.core").joinpath("data"))


def test_there_are_data_files_of_both_kinds():
    assert {ext for _, ext in DATA} == {"txt", "tsv"}


@pytest.mark.parametrize("name", [n for n, ext in DATA if ext == "txt"])
def test_every_list_loads_without_repeats(name):
    entries = lexicon.entries(name)
    assert entries, name
    assert len(entries) == len(set(entries)), f"{name} repeats an entry"
    assert all("#" not in e and e == e.strip() for e in entries)


@pytest.mark.parametrize("name", [n for n, ext in DATA if ext == "tsv"])
def test_every_table_has_one_width_and_no_repeated_row(name):
    rows = lexicon.rows(name)
    assert rows, name
    assert len({len(r) for r in rows}) == 1, f"{name} mixes row widths"
    assert len(rows) == len(set(rows)), f"{name} repeats a row"


def test_comments_are_not_entries():
    assert ("rose", "fell") in lexicon.pairs("antonyms")  # the row carries a trailing comment
    assert lexicon.words("weekdays") == {
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    }


def test_pairs_refuses_a_wider_table():
    with pytest.raises(ValueError, match="two tab-separated fields"):
        lexicon.pairs("bounds")


def _plain(entries, space=r"\ "):
    """The alternation `lexicon.alternation` replaces: every entry, longest first."""
    ordered = sorted(entries, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(e).replace(r"\ ", space) for e in ordered) + ")"


@pytest.mark.parametrize("name", ["speech_verbs", "loaded_words", "stopwords", "attribution_verbs"])
def test_an_alternation_matches_what_the_plain_one_does(name):
    """The trie form finds the same spans as `a|b|c` sorted longest first, on text built from the
    list's own entries run together (so prefixes of one another meet at every position)."""
    entries = list(lexicon.entries(name))
    text = " ".join(entries) + " " + "".join(entries[:40]) + " " + " ".join(e.upper() for e in entries[:40])
    for flags in (0, re.IGNORECASE):
        trie = re.compile(rf"\b{lexicon.alternation(entries)}\b", flags)
        plain = re.compile(rf"\b{_plain(entries)}\b", flags)
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_an_alternation_tries_the_longest_entry_first_and_spans_line_breaks():
    pattern = re.compile(lexicon.alternation(["say", "says", "said", "point out"], space=r"\s+"))
    assert pattern.match("says").group(0) == "says"
    assert pattern.match("point\n  out").group(0) == "point\n  out"
    assert pattern.match("sa") is None
    assert re.fullmatch(lexicon.alternation(["a.b"]), "axb") is None  # entries are literal


def test_an_empty_alternation_matches_nothing():
    assert re.search(lexicon.alternation([]), "anything at all") is None
    assert re.search(lexicon.alternation([]), "") is None
