"""False vetoes of the hard checks on clean model prose (FaithBench, issue 13), each closed by a general
rule: list markers in plain text, clitics and accents in names, sentence-initial common words,
spelled-out counts, weekdays inside names, demonyms and country abbreviations, figures carried by the
words around them, and negation scope. Each test fails without its rule."""

from __future__ import annotations

from briefer.checker import check
from briefer.checker.draft import parse_draft
from briefer.core.text import names, normalize
from briefer.verify.signals import claimed_names


def test_plain_text_list_markers_are_read_off_with_offsets() -> None:
    draft = 'Two works:\n1. "Excuse My French" is an album.\n- Extends to Route 495\n-12 degrees.'
    found = parse_draft(draft, markdown=False)
    assert [s.text for s in found][1:] == [
        '"Excuse My French" is an album.',
        "Extends to Route 495",
        "-12 degrees.",
    ]
    assert all(draft[s.start : s.end] == s.text for s in found)


def test_a_list_number_in_a_plain_summary_is_no_figure() -> None:
    source = '"Excuse My French" is the debut studio album by French Montana.'
    result = check(
        '1. " Excuse My French" is the debut studio album by French Montana.', [source], markdown=False
    )
    assert result.label == "supported", result.sentences[0].reasons


def test_clitics_and_accents_do_not_make_names() -> None:
    assert names("The UK's parties. They've won.") == {"uk#"}
    assert normalize("Fran\u00e7ois \u00c9tienne") == "Francois Etienne"


def test_a_sentence_initial_common_word_is_no_name() -> None:
    source = "Tributes poured in. A tribute came from Amber Rudd, who said he was brilliant."
    # found in lower case in another inflection
    assert "tributes" not in claimed_names("Tributes poured in from colleagues.", source)
    # found nowhere, and neither a capitalised word nor a verb of saying follows it
    assert "prior" not in claimed_names("Prior to her governorship, she was treasurer.", source)
    # a comma ends the name: "Additionally, Sheryl ..." is no two-word name
    assert "additionally" not in claimed_names("Additionally, Sheryl Lee acted.", source)
    # but a word found nowhere that a verb of saying or a capitalised word follows is a name
    assert "thompson" in claimed_names("Thompson said the film was good.", source)
    assert "pete" in claimed_names("Pete Hegseth said so.", source)
