"""Precision holes of the verifier found on real model prose (issue 13), each closed by a general
mechanism: the frame around a quoted clause, figures only where the claim's own words are, figure forms,
negation of irregular verb forms, and a clause the sources do not carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.checker import check
from briefer.core.models import Document, SummarySentence, cite
from briefer.core.text import numbers
from briefer.sources import load
from briefer.verify import verify_sentence

STORY = """Storm kills 12 in coastal towns

At least 12 people were killed when Storm Elena made landfall near Genoa on Tuesday, officials said.
The storm formed on March 15 over the sea.
Rumours that Governor Rossi has resigned are false, his office said.
The regional government declared a state of emergency in three provinces.
The mayor, Luca Bianchi, thanked rescue workers.
"""


@pytest.fixture
def doc(tmp_path: Path) -> Document:
    (tmp_path / "storm.txt").write_text(STORY, encoding="utf-8")
    return load([tmp_path / "storm.txt"]).documents[0]


def _cited(doc: Document, text: str, quote: str) -> str:
    start = doc.text.index(quote)
    sentence = SummarySentence(id="s", text=text, citations=[cite(doc, start, start + len(quote))])
    return verify_sentence(sentence, {doc.id: doc}).label


def test_a_quote_of_the_inner_clause_is_checked_in_its_whole_sentence(doc: Document) -> None:
    assert _cited(doc, "Governor Rossi has resigned.", "Governor Rossi has resigned") == "contradicted"


def test_a_figure_found_only_in_an_unrelated_sentence_is_no_support(doc: Document) -> None:
    draft = "At least 15 people were killed when Storm Elena made landfall near Genoa. [1]"
    result = check(draft, [doc])
    assert result.sentences[0].label == "contradicted", result.sentences[0].reasons
    same = check("At least 12 people were killed when Storm Elena made landfall near Genoa. [1]", [doc])
    assert same.label == "supported"


@pytest.mark.parametrize("figure", ["12k", "\u221212", "-12"])
def test_figure_forms_change_the_figure(doc: Document, figure: str) -> None:
    draft = f"At least {figure} people were killed when Storm Elena made landfall near Genoa. [1]"
    assert check(draft, [doc]).sentences[0].label == "contradicted"


def test_figure_forms_are_read() -> None:
    assert numbers("12k homes") == {"12000"} and numbers("\u221212 degrees") == {"-12"}
    assert numbers("a 3-2 vote") == {"3"}  # a score's hyphen is no minus sign
    assert numbers("12 km") == {"12"}


def test_a_negated_irregular_verb_contradicts_its_past_form(doc: Document) -> None:
    result = check("Storm Elena did not make landfall near Genoa. [1]", [doc])
    assert result.sentences[0].label == "contradicted" and "negation mismatch" in result.sentences[0].reasons


def test_an_added_clause_the_sources_lack_is_not_supported(doc: Document) -> None:
    result = check("The mayor, Luca Bianchi, thanked rescue workers, but was arrested. [1]", [doc])
    assert result.sentences[0].label == "unsupported"
    assert any(r.startswith('adds "but was arrested"') for r in result.sentences[0].reasons)
    assert check("The mayor, Luca Bianchi, thanked rescue workers. [1]", [doc]).label == "supported"
    # a clause that the source does carry is no addition
    kept = "At least 12 people were killed when Storm Elena made landfall near Genoa, officials said. [1]"
    assert check(kept, [doc]).label == "supported"
