import pytest

from briefer.core.models import Document, Span
from briefer.engines.offline.extract import classify, extract_claims, find_speaker


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ('"We will rebuild every school," Mayor Ana Ruiz said on Friday.', "quote"),
        (
            "The company could cut 2,000 jobs next year, according to two people familiar with the plan.",
            "prediction",
        ),
        ("Economists expect inflation to ease by the summer.", "prediction"),
        ("The outcome remains uncertain after Tuesday's vote.", "prediction"),
        ("Prime Minister Lena Berg said the talks had ended.", "statement"),
        ("Revenue rose 8% to $4.2 billion in the third quarter.", "figure"),
        ("The region has long depended on fishing and tourism.", "background"),
        # dated to a day of this week, a sentence is the day's news whatever past it recalls
        (
            "A third crew member came forward late Monday to accuse the captain, this time of a trip in 2019.",
            "event",
        ),
        ("A third crew member came forward to accuse the captain of a trip in 2019.", "background"),
        ("Parliament passed the budget on Tuesday.", "event"),
        ("The ruling marks a significant shift in the court's approach.", "assessment"),
        # a modal in a relative clause says what was possible, not what will happen
        ("He had a 130-day window in which he could serve, and it closed this week.", "figure"),
        ("The plan, which could cost $4 million, passed on Monday.", "figure"),
        ("The council could vote on the plan next week.", "prediction"),
    ],
)
def test_claim_kinds(sentence, kind):
    assert classify(sentence)[0] == kind


def test_speakers_and_anonymous_sourcing():
    assert find_speaker('"Costs are rising," said energy analyst Tom Reed.') == "energy analyst Tom Reed"
    assert find_speaker('"Costs are rising," Reed said.') == "Reed"
    assert find_speaker("According to the health ministry, 40 people were hurt.") == "the health ministry"
    kind, speaker, anonymous, _ = classify(
        "A senior official, who spoke on condition of anonymity, said talks had stalled."
    )
    assert anonymous and kind == "statement"
    assert not classify("Finance Minister Omar Diallo said talks had stalled.")[2]


def test_claims_cite_exact_sentences():
    text = "Headline here\n\nThe council voted 7-2 on Monday to close the plant. Hundreds of workers protested outside.\n"
    doc = Document(
        id="d1",
        path="x.txt",
        format="txt",
        encoding="utf-8",
        text=text,
        body=[Span(start=15, end=len(text) - 1)],
    )
    claims = extract_claims(doc)
    assert [c.text for c in claims] == [
        "The council voted 7-2 on Monday to close the plant.",
        "Hundreds of workers protested outside.",
    ]
    for c in claims:
        (cit,) = c.citations
        assert text[cit.start : cit.end] == cit.quote == c.text
