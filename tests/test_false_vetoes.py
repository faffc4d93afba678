"""False vetoes of the hard checks on clean model prose (FaithBench, issue 13), each closed by a general
rule: list markers in plain text, clitics and accents in names, sentence-initial common words,
spelled-out counts, weekdays inside names, demonyms and country abbreviations, figures carried by the
words around them, and negation scope. Each test fails without its rule."""

from __future__ import annotations

from briefer.checker import check
from briefer.checker.draft import parse_draft
from briefer.core.text import months, names, normalize, weekdays
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


def test_a_spelled_out_count_the_sources_do_not_give_is_no_veto() -> None:
    source = "Sheryl Lee is an American actress. Sheryl Lee Ralph is an American actress and singer."
    result = check("Sheryl Lee and Sheryl Lee Ralph are two American actresses.", [source])
    assert result.label == "partially_supported", result.sentences[0].reasons
    assert any(r.startswith('count "two') for r in result.sentences[0].reasons)


def test_a_spelled_out_count_against_another_count_of_the_same_thing_is_a_contradiction() -> None:
    source = "Gill married twice. He had two children with Amber Rudd. He later had two children with Nicola."
    assert check("Gill had three children with Amber Rudd.", [source]).label == "contradicted"
    # a figure written in digits stays a hard check
    assert check("Gill had 3 children with Amber Rudd.", [source]).label == "contradicted"


def test_demonyms_and_country_abbreviations_match_their_country() -> None:
    source = "Turkey says the Russian jet entered its airspace over Hatay, near the border with Syria."
    assert not any(
        "Turkish" in r for r in check("The jet entered Turkish airspace.", [source]).sentences[0].reasons
    )
    usa = check("The freeway is in New Jersey, USA.", ["The freeway is in New Jersey, United States."])
    assert not any("USA" in r for r in usa.sentences[0].reasons)
    other = check("The jet entered Greek airspace.", [source]).sentences[0].reasons
    assert any('"Greek"' in r for r in other)  # an unrelated country is still missing


def test_common_abbreviations_and_clock_times_are_no_names() -> None:
    assert names("A TV series aired at 2:00 PM on BBC One.") == {"bbc#", "one"} - {"one"}
    assert normalize("at 2:00 PM, or 2 p.m.") == "at 14:00, or 14:00"
    result = check(
        "The crash happened around 2:00 PM on the A9.", ["A crash happened on the A9 at about 14:00."]
    )
    assert not any("not in sources" in r for r in result.sentences[0].reasons), result.sentences[0].reasons


def test_a_weekday_inside_a_name_is_no_date_and_may_next_to_a_day_is_one() -> None:
    assert weekdays("He wrote for the Sunday Times and died on Friday.") == {"friday"}
    assert months("The fight is on 30 May.") == {"may"} and months("They may 3D print it.") == {"may"} - {
        "may"
    }
    source = (
        "Gill, who wrote for The Sunday Times for years, died on Saturday. His restaurant reviews ran weekly."
    )
    result = check("Gill, a columnist for the Sunday Times, died on Saturday.", [source])
    assert not any("Sunday" in r for r in result.sentences[0].reasons), result.sentences[0].reasons


def test_a_name_is_found_as_part_of_a_hyphenated_name() -> None:
    source = "Francis formed a Franco-Ottoman alliance with the sultan Suleiman."
    result = check("Francis formed an alliance with the Ottoman sultan Suleiman.", [source])
    assert not any("Ottoman" in r for r in result.sentences[0].reasons), result.sentences[0].reasons


SPENDING = """UKIP spent 2,956,737 pounds on the campaign, the Conservatives 2,980,815 pounds.
Labour spent 1,027,339 pounds and the Liberal Democrats 1,580,575 pounds.
The Greens spent 534,249 pounds, the smallest of the main parties.
UKIP's campaign spending works out at 68p for each of their votes.
For Labour it is 26p per vote and for the Conservatives 79p per vote.
"""


def test_a_figure_whose_source_sentence_shares_the_words_around_it_is_carried() -> None:
    draft = "UKIP's spending was 68p per vote, Labour 26p and the Conservatives 79p, while the Greens spent 534,249 pounds."
    result = check(draft, [SPENDING])
    assert not any("passages the sentence rests on" in r for r in result.sentences[0].reasons), (
        result.sentences[0].reasons
    )


def test_a_day_or_a_clock_time_does_not_carry_a_count() -> None:
    source = (
        "By Maria Lopez | March 4, 2024, 08:15 GMT\n"
        "At least 12 people were killed when the storm made landfall near Genoa.\n"
        "The storm formed on March 15 over the sea and killed fish.\n"
    )
    for figure in ("15", "4"):
        draft = f"At least {figure} people were killed when the storm made landfall near Genoa."
        assert check(draft, [source]).label == "contradicted", figure


def test_a_negation_idiom_asserts_what_follows_it() -> None:
    source = "The 2007 championships in Osaka were also awarded without a bidding process, a first for Japan."
    result = check(
        "This is not the first time championships were awarded without a bidding process.", [source]
    )
    assert "negation mismatch" not in result.sentences[0].reasons, result.sentences[0].reasons
    factors = "Greatness is a matter of not only the quality of the action but the political undertones."
    assert (
        "negation mismatch"
        not in check("Greatness involves the quality of the action.", [factors]).sentences[0].reasons
    )
    # a plain negation is still one
    assert (
        "negation mismatch"
        in check("The 2007 championships in Osaka were not awarded.", [source]).sentences[0].reasons
    )


def test_a_source_negation_further_from_its_head_still_negates_it() -> None:
    source = "Eugene failed last November in its bid to host the 2019 event, which went to Doha."
    result = check("Eugene failed to host the 2019 event, which went to Doha.", [source])
    assert "negation mismatch" not in result.sentences[0].reasons, result.sentences[0].reasons
    plain = "Eugene did not bid for the 2019 event and hosted the 2021 event instead."
    assert "negation mismatch" in check("Eugene did not host the 2021 event.", [plain]).sentences[0].reasons
    hosted = "Eugene hosted the 2019 event after Doha withdrew."
    assert (
        "negation mismatch" in check("Eugene failed to host the 2019 event.", [hosted]).sentences[0].reasons
    )


def test_an_acronym_with_a_possessive_stays_an_acronym() -> None:
    from briefer.core.text import words

    assert words("UKIP's campaign and UKIP") == ["ukip#", "campaign", "and", "ukip#"]
    assert "another" not in claimed_names(
        "Another Ann Richards was a jazz singer.", "Ann Richards sang jazz."
    )
