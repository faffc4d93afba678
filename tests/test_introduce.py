"""A surname used alone before the page gives its full form gets the full form from the sources, and
the sentence that gives it is cited and checked (engines/offline/introduce.py), on invented text."""

from pathlib import Path

import pytest

from briefer.core.models import SummarySentence, cite
from briefer.engines.offline.introduce import introduce_names
from briefer.sources import load
from briefer.verify.verdict import verify_sentence


def _docs(tmp_path: Path, text: str):
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    return load([tmp_path]).documents


STORY = (
    "Minister visits port\n\n"
    "Transport Minister Ada Varga visited the port of Ellis on Monday to open the new ferry terminal.\n\n"
    "During Varga's visit, the port agreed to double its ferry crossings by June.\n"
)


def _line(doc, text: str) -> SummarySentence:
    start = doc.text.index(text)
    return SummarySentence(id="k0", text=text, citations=[cite(doc, start, start + len(text))])


def test_a_surname_gets_its_full_form_and_the_sentence_that_gives_it(tmp_path: Path) -> None:
    (doc,) = _docs(tmp_path, STORY)
    line = _line(doc, "During Varga's visit, the port agreed to double its ferry crossings by June.")
    (named,) = introduce_names([line], [doc], room=10)
    assert (
        named.text
        == "During Transport Minister Ada Varga's visit, the port agreed to double its ferry crossings by June."
    )
    assert len(named.citations) == 2 and "Transport Minister Ada Varga visited" in named.citations[1].quote
    assert verify_sentence(named, {doc.id: doc}).label == "supported"
    alone = named.model_copy(update={"citations": named.citations[:1]})
    assert verify_sentence(alone, {doc.id: doc}).label != "supported", "the added words need their span"


def test_a_surname_is_left_alone_when_the_page_gave_its_full_form_or_there_is_no_room(tmp_path: Path) -> None:
    (doc,) = _docs(tmp_path, STORY)
    first = _line(
        doc,
        "Transport Minister Ada Varga visited the port of Ellis on Monday to open the new ferry terminal.",
    )
    later = _line(doc, "During Varga's visit, the port agreed to double its ferry crossings by June.")
    assert introduce_names([first, later], [doc], room=10) == [first, later]
    assert introduce_names([later], [doc], room=2) == [later], "three more words do not fit in two"


@pytest.mark.parametrize(
    ("story", "text"),
    [
        pytest.param(
            "Couple part ways\n\nBill Varga and Melinda Varga said on Monday that they would divorce.\n\n"
            "Since Varga's foundation was set up, it has spent billions on health.\n",
            "Since Varga's foundation was set up, it has spent billions on health.",
            id="a surname two people share is not guessed",
        ),
        pytest.param(
            "Port reform\n\nPresident Ada Varga visited the port of Ellis on Monday.\n\n"
            "The reform was drafted under the Varga administration in 2019.\n",
            "The reform was drafted under the Varga administration in 2019.",
            id="the Varga administration names a government, not the person",
        ),
    ],
)
def test_a_surname_is_left_as_it_is_when_the_full_form_would_guess(
    tmp_path: Path, story: str, text: str
) -> None:
    (doc,) = _docs(tmp_path, story)
    line = _line(doc, text)
    assert introduce_names([line], [doc], room=10) == [line]


def test_a_group_and_a_word_capitalised_after_a_colon_are_no_full_form(tmp_path: Path) -> None:
    (doc,) = _docs(
        tmp_path,
        "Party worried\n\nModerate Democrats met on Monday in the capital to plan the campaign.\n\n"
        "The verdict came fast: The Donald Varga show was over by noon on Monday.\n\n"
        "The result sent already worried Democrats into a panic.\n\n"
        "Varga ended up winning that war in the end.\n",
    )
    group = _line(doc, "The result sent already worried Democrats into a panic.")
    assert introduce_names([group], [doc], room=10) == [group], "a party is no surname"
    person = _line(doc, "Varga ended up winning that war in the end.")
    (named,) = introduce_names([person], [doc], room=10)
    assert named.text == "Donald Varga ended up winning that war in the end."


PRONOUN_STORY = (
    "Minister dies\n\n"
    "Transport Minister Ada Varga died on Monday at the age of 71. She was fully vaccinated, her family "
    "said in a statement.\n\n"
    "Varga had led the ministry since 2019. Under her the port of Ellis doubled its ferry crossings and "
    "opened a new terminal for freight. The government will name an acting minister on Tuesday, and "
    "a memorial service is planned for next week in the capital.\n\n"
    "Ferry unions praised her handling of the strike of 2021, which ended after eleven days of talks. "
    "The opposition leader said the country had lost a careful administrator. Flags on public buildings "
    "in Ellis will fly at half mast until the funeral. Her successor will inherit a plan to rebuild the "
    "north bridge, which the council closed last year after engineers found cracks in its piers.\n"
)


def test_an_opening_pronoun_gets_the_name_of_the_one_person_the_sentence_before_names() -> None:
    from briefer.engines.offline.introduce import named_subject

    before = "Transport Minister Ada Varga died on Monday at the age of 71."
    assert (
        named_subject("She was fully vaccinated, her family said.", before, PRONOUN_STORY)
        == "Varga was fully vaccinated, her family said."
    )
    assert named_subject("Her family said she was vaccinated.", before, PRONOUN_STORY) == (
        "Varga's family said she was vaccinated."
    )
    two = "Ada Varga and Piet Olsen met on Monday."
    corpus = PRONOUN_STORY + " Olsen said so."
    assert named_subject("She was fully vaccinated.", two, corpus) is None, "two people: no guess"
    house = "The White House said on Monday that talks would go on."
    assert named_subject("He was not there.", house, "The talks. In the House, members met.") is None, (
        "a name the sources use only with an article is a body, not a person"
    )
    assert named_subject("The minister was not there.", before, PRONOUN_STORY) is None


def test_a_pronoun_sentence_is_printed_with_its_name_or_after_the_sentence_that_names_her(
    tmp_path: Path,
) -> None:
    """Either way the sentence stands: "Varga was fully vaccinated ..." citing the sentence that
    names her, or "She was ..." in the same line right after that sentence. The page is composed from
    the story's first paragraph (two facts, room for both), so what is tested is how the pronoun
    sentence is printed, not whether the page has room for it."""
    from briefer.core.segment import segment
    from briefer.engines.offline.compose import compose
    from briefer.engines.offline.extract import extract_claims

    (tmp_path / "a.txt").write_text(PRONOUN_STORY, encoding="utf-8")
    (doc,) = load([tmp_path]).documents
    first = [
        c for c in extract_claims(doc, segment(doc)) if c.citations[0].start < doc.text.index("Varga had")
    ]
    assert len(first) == 2
    draft = compose([doc], first, max_words=150)
    lines = draft.bottom_line + draft.key_points
    (line,) = [s for s in lines if "fully vaccinated" in s.text]
    after = "died on Monday at the age of 71. She was fully vaccinated"
    assert line.text.startswith("Varga was fully vaccinated") or after in line.text, line.text
    assert any("Ada Varga died" in c.quote for c in line.citations)
    assert any("She was fully vaccinated" in c.quote for c in line.citations)
    assert not any(s.text.startswith("She ") for s in lines)


def test_a_day_or_a_date_is_no_ones_full_name(tmp_path: Path) -> None:
    """ "wrote on Twitter Friday" gives "Friday" no full form, nor "Effective Nov. 8" "Nov": the page
    would print "will announce Twitter Friday plans ... beginning Effective Nov. 8"."""
    (doc,) = _docs(
        tmp_path,
        "Ferry reopens\n\n"
        "The harbour board will announce Friday plans to reopen the ferry beginning Nov. 8, an official said.\n\n"
        '"The ferry will run again," board member Ada Varga wrote on Twitter Friday.\n\n'
        "Effective Nov. 8, riders must show a ticket bought in advance.\n",
    )
    line = _line(
        doc,
        "The harbour board will announce Friday plans to reopen the ferry beginning Nov. 8, an official said.",
    )
    assert introduce_names([line], [doc], room=10) == [line]
