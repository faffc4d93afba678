from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.core.models import Document, Span
from briefer.core.segment import segment, split_sentences
from briefer.core.text import (
    content_terms,
    figures,
    names,
    negation_count,
    normalize,
    numbers,
)


def sentences_of(block: str) -> list[str]:
    return [block[s:e] for s, e in split_sentences(block)]


def test_abbreviations_do_not_split():
    block = "Gen. Mark Alvarez met U.S. officials in Washington on Jan. 5. Mr. Ito was there too."
    assert sentences_of(block) == [
        "Gen. Mark Alvarez met U.S. officials in Washington on Jan. 5.",
        "Mr. Ito was there too.",
    ]


def test_plural_titles_do_not_split():
    block = "It could make it harder to win over Sens. Ada Marsh and Ivo Lind. Reps. Tom Wade agreed."
    assert sentences_of(block) == [
        "It could make it harder to win over Sens. Ada Marsh and Ivo Lind.",
        "Reps. Tom Wade agreed.",
    ]


def test_acronym_at_sentence_end_splits_before_an_opener():
    block = "The aid came from the U.S. The money arrived on Friday."
    assert sentences_of(block) == ["The aid came from the U.S.", "The money arrived on Friday."]


def test_quotation_spanning_sentences_stays_with_its_attribution():
    block = '"We will rebuild. Nobody will be left behind," the mayor said. Work starts today.'
    assert sentences_of(block) == [
        '"We will rebuild. Nobody will be left behind," the mayor said.',
        "Work starts today.",
    ]


def test_curly_quotation_spanning_sentences():
    block = "\u201cPrices rose. Wages did not,\u201d said Ana Ruiz. Markets fell."
    assert sentences_of(block)[0] == "\u201cPrices rose. Wages did not,\u201d said Ana Ruiz."


def test_a_full_stop_that_closes_a_quotation_ends_the_sentence():
    """American style puts the full stop inside the closing quote: the sentence ends there, though a
    quoted sentence the speaker goes on from stays whole."""
    block = (
        "The inquiry found the office was \u201crife with fear and intimidation.\u201d The probe "
        'interviewed 179 people. She said "Not today." Then she left. \u201cWe won. We will win again,\u201d he said.'
    )
    assert sentences_of(block) == [
        "The inquiry found the office was \u201crife with fear and intimidation.\u201d",
        "The probe interviewed 179 people.",
        'She said "Not today."',
        "Then she left.",
        "\u201cWe won. We will win again,\u201d he said.",
    ]


def test_unclosed_quote_does_not_swallow_the_paragraph():
    block = 'He called it "a mistake. Then he left. Nobody followed.'
    assert len(sentences_of(block)) == 3


def test_headings_are_marked_not_split():
    text = "Title line\n\nMarkets fall sharply\nStocks fell 3% on Monday. Bonds rose.\n"
    body = [Span(start=12, end=33), Span(start=34, end=len(text) - 1)]
    doc = Document(id="d1", path="x.txt", format="txt", encoding="utf-8", text=text, body=body)
    sents = segment(doc)
    assert [s.kind for s in sents] == ["heading", "body", "body"]
    assert all(text[s.start : s.end] == s.text for s in sents)


def test_normalisation_for_comparison():
    assert normalize("the U.S.\u2019s \u201cplan\u201d \u2014 now") == 'the US\'s "plan" - now'
    assert numbers("two hundred troops and 1,500 tanks, $2.5 billion") == {"200", "1500", "2500000000"}
    assert "us#" in content_terms("the United States") and "us#" in content_terms("the U.S.")
    assert negation_count("They didn't agree and will never sign") == 2


def test_names_skip_sentence_openers_and_keep_acronyms():
    found = names("The minister met Kim Jong Un in Seoul. However, NATO declined.")
    assert {"kim", "jong", "un", "seoul", "nato#"} <= found
    assert "the" not in found and "however" not in found


def test_figures_pair_numbers_with_units():
    assert ("12", "peopl") in figures("at least 12 people were killed")
    assert not any(n == "2024" for n, _ in figures("in March 2024 the plan began"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_every_sentence_span_indexes_the_text(text):
    for s, e in split_sentences(text):
        assert 0 <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]


def test_a_decimal_broken_by_detokenisation_is_not_a_sentence_end():
    block = "Dog one got it right in 98. 7 per cent of cases. It cost $ 1. 7 million. He was born in 1998. He left."
    assert sentences_of(block) == [
        "Dog one got it right in 98. 7 per cent of cases.",
        "It cost $ 1. 7 million.",
        "He was born in 1998.",
        "He left.",
    ]


def test_bounded_figures_admit_a_range_of_source_values():
    from briefer.core.text import bounded_numbers

    found = bounded_numbers("More than 100 bodies, about 5,000 people and fewer than 20 cars; 7 days.")
    assert found == {"100": (100.0, 200.0), "5000": (4250.0, 5750.0), "20": (10.0, 20.0)}


def test_sentences_glued_without_a_space_are_split():
    block = (
        "It had received no allegations.Sir Edward, who was 89, died in 2005.Police said so. Mr.Smith stayed."
    )
    assert sentences_of(block) == [
        "It had received no allegations.",
        "Sir Edward, who was 89, died in 2005.",
        "Police said so.",
        "Mr.Smith stayed.",
    ]
