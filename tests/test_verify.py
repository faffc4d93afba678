import pytest

from briefer.core.models import Citation, Document, SummarySentence
from briefer.verify import analyse, check_text, verify_sentence

SOURCE = (
    "Governor Paolo Bianchi declared a state of emergency on Tuesday after Storm Elena flooded Ravenna, "
    "leaving 40,000 homes without power. Officials said the dam near Lugo did not fail."
)


def label(sentence: str) -> tuple[str, list[str]]:
    v = check_text(sentence, analyse([SOURCE]))
    return v.label, v.reasons


def test_faithful_sentence_is_supported():
    assert label("Governor Paolo Bianchi declared a state of emergency on Tuesday.")[0] == "supported"


def test_normalised_forms_are_supported():
    assert label("Storm Elena flooded Ravenna, leaving forty thousand homes without power.")[0] == "supported"


def test_changed_number_is_caught():
    lab, reasons = label("Storm Elena flooded Ravenna, leaving 45,000 homes without power.")
    assert lab == "contradicted" and any("45000" in r for r in reasons)


def test_swapped_name_is_caught():
    lab, reasons = label(
        "Governor Paolo Bianchi declared a state of emergency after Storm Elena flooded Bologna."
    )
    assert lab == "unsupported" and any("Bologna" in r for r in reasons)


def test_inserted_negation_is_caught():
    lab, reasons = label("Governor Paolo Bianchi did not declare a state of emergency on Tuesday.")
    assert lab == "contradicted" and "negation mismatch" in reasons


def test_removed_negation_is_caught():
    assert label("Officials said the dam near Lugo failed.")[0] == "contradicted"


def test_wrong_month_and_quote_are_caught():
    lab, reasons = label("Governor Paolo Bianchi declared a state of emergency in April.")
    assert lab == "unsupported" and any("April" in r for r in reasons)
    dated = analyse(["The vote took place on March 3 in Lisbon."])
    assert check_text("The vote took place on May 3 in Lisbon.", dated).label == "contradicted"
    assert label('Bianchi called it "the worst flood in a century".')[0] == "unsupported"


def test_sentence_without_support_is_unsupported():
    lab, reasons = label("The central bank raised interest rates to curb inflation.")
    assert lab == "unsupported" and reasons


@pytest.mark.parametrize("quote_ok", [True, False])
def test_citations_must_resolve(quote_ok):
    doc = Document(id="d1", path="x", format="txt", encoding="utf-8", text=SOURCE)
    quote = SOURCE[0:40] if quote_ok else "x" * 40
    s = SummarySentence(
        id="s", text=SOURCE[0:40], citations=[Citation(doc_id="d1", start=0, end=40, quote=quote)]
    )
    v = verify_sentence(s, {"d1": doc})
    assert (v.label == "supported") is quote_ok
    missing = s.model_copy(
        update={"citations": [Citation(doc_id="nope", start=0, end=40, quote=SOURCE[0:40])]}
    )
    assert verify_sentence(missing, {"d1": doc}).label == "unsupported"


@pytest.mark.parametrize(
    ("sentence", "evidence", "expected"),
    [
        # a denial or doubt frame dropped: not a fact
        ("Governor Bianchi has resigned.", "Rumours that Governor Bianchi has resigned are false, his office said.", "contradicted"),
        ("His office said Governor Bianchi has resigned.", "Rumours that Governor Bianchi has resigned are false, his office said.", "contradicted"),
        ("Governor Bianchi has resigned.", "It is not true that Governor Bianchi has resigned.", "contradicted"),
        ("The vaccine causes autism.", "There is no evidence that the vaccine causes autism, researchers said.", "contradicted"),
        ("The mayor lied.", "Critics claim the mayor lied.", "unsupported"),
        ("The mayor lied.", "They say that the mayor lied.", "unsupported"),
        ("The killer was arrested on Friday.", "The alleged killer was arrested on Friday.", "unsupported"),
        # the frame kept, or a plain "said" dropped: still supported
        ("Critics claim the mayor lied.", "Critics claim the mayor lied.", "supported"),
        ("Rumours that Governor Bianchi has resigned are false, his office said.", "Rumours that Governor Bianchi has resigned are false, his office said.", "supported"),
        ("12 people died in the fire.", "Police said 12 people died in the fire.", "supported"),
        ("12 people died.", "Officials say that 12 people died.", "supported"),
        ("The minister resigned over the scandal.", "The minister resigned over the scandal, denying claims that he lied.", "supported"),
    ],
)  # fmt: skip
def test_a_claim_lifted_out_of_a_denial_or_doubt_frame_is_not_a_fact(sentence, evidence, expected):
    v = check_text(sentence, analyse([evidence]))
    assert v.label == expected, v.reasons
    if expected != "supported":
        assert any("the source denies it" in r or "only reports it as a claim" in r for r in v.reasons)


def test_a_frame_in_one_span_does_not_hide_the_same_claim_stated_plainly_in_another():
    spans = ["Critics claim the mayor lied.", "The inquiry found that the mayor lied."]
    assert check_text("The mayor lied.", analyse(spans)).label == "supported"


@pytest.mark.parametrize(
    ("source", "sentence", "expected"),
    [
        # a rounded figure: the source's 116 supports "more than 100", not "more than 300" or a bare 100
        ("Authorities have begun exhuming 116 bodies from a mass grave in Morelos.",
         "Authorities have begun exhuming more than 100 bodies from a mass grave in Morelos.", "supported"),
        ("Authorities have begun exhuming 116 bodies from a mass grave in Morelos.",
         "Authorities have begun exhuming more than 300 bodies from a mass grave in Morelos.", "contradicted"),
        ("Authorities have begun exhuming 116 bodies from a mass grave in Morelos.",
         "Authorities have begun exhuming 100 bodies from a mass grave in Morelos.", "contradicted"),
        ("Authorities have begun exhuming 116 bodies from a mass grave in Morelos.",
         "Authorities have begun exhuming about 115 bodies from a mass grave in Morelos.", "supported"),
        # a source figure that is itself a bound is another count, not a rounding of it
        ("Officials said at least 15 people were killed in the flooding.",
         "Officials said at least 12 people were killed in the flooding.", "contradicted"),
        # "no-confidence" negates confidence, as "no confidence" does
        ("Prime Minister Sorin Grindeanu was ousted in a no-confidence vote in parliament.",
         "Prime Minister Sorin Grindeanu was ousted in a vote of no confidence in parliament.", "supported"),
        # detokenised source text: a decimal and a hyphenated word with spaces around their marks
        ("Scientists found that dog one got it right in 98. 7 per cent of cases.",
         "Dog one got it right in 98.7 per cent of cases.", "supported"),
        ("At an earlier hearing, her owner, Sarah Reeves, was given a ten - year ban from keeping animals.",
         "Owner Sarah Reeves was given a ten-year ban from keeping animals.", "supported"),
    ],
)  # fmt: skip
def test_rounding_hyphens_and_detokenised_text(source, sentence, expected):
    from briefer.checker import check

    assert check(sentence, [source], markdown=False).label == expected


def test_a_verb_that_negates_what_follows_to_is_a_negation():
    source = analyse(["Negotiators in Geneva failed to reach an agreement on the ceasefire on Sunday."])
    negated = "Negotiators in Geneva did not reach an agreement on the ceasefire on Sunday."
    plain = "Negotiators in Geneva reached an agreement on the ceasefire on Sunday."
    assert check_text(negated, source).label == "supported"
    assert "negation mismatch" in check_text(plain, source).reasons


def test_contradictions_alone_are_exactly_the_full_checks() -> None:
    """`contradictions_of` (what grouping asks: is another outlet's telling contradicted?) gives what
    `signals` gives, on crafted contradictions and on every sentence of one seed read against the
    other's best passages (real text, most of it not contradicted)."""
    from pathlib import Path

    from briefer.core.segment import split_sentences
    from briefer.verify import contradictions_of, signals

    source = "The council did not approve the plan on Monday. It raised fares by 14 percent to $9."
    crafted = [
        "The council approved the plan on Monday.",  # a negation dropped
        "The council raised fares by 20 percent to $9.",  # a changed figure
        "The council did not approve the plan on Tuesday.",  # a changed day
        "The council lowered fares by 14 percent.",  # an opposite
        "The council raised fares by 14 percent to $9.",  # none
    ]
    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    a, b = (p.read_text(encoding="utf-8") for p in seeds[:2])
    theirs = [b[s:e] for s, e in split_sentences(b)]
    pairs = [(s, analyse([source])) for s in crafted]
    pairs += [(a[s:e], analyse(theirs[i : i + 3])) for i, (s, e) in enumerate(split_sentences(a))]
    found = 0
    for sentence, evidence in pairs:
        full = signals(sentence, evidence).contradictions
        assert contradictions_of(sentence, evidence) == full, sentence
        found += bool(full)
    assert found >= 4  # the crafted ones are caught: the comparison is not between two empty lists
