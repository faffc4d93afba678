"""Selection by coverage (engines/offline/coverage.py), clause trimming (trim.py) and the stand-alone
repairs it relies on, on invented text."""

from pathlib import Path

import pytest

from briefer.core.segment import segment
from briefer.engines.offline.compose import compose, tellings_by_fact
from briefer.engines.offline.coverage import Option, Weights, concepts_of, fill, weigh
from briefer.engines.offline.extract import extract_claims
from briefer.engines.offline.standalone import clean, complete_clause, printable, without_connective
from briefer.engines.offline.trim import shorter_forms
from briefer.sources import load

CLUSTER = {
    "alpha.txt": (
        "Council closes Old Mill Road bridge\n\n"
        "The Millbrook council voted 5-2 on Tuesday to close the Old Mill Road bridge for six weeks.\n\n"
        "Local historian Ada Finch recalled at length that the stone structure was first raised by a "
        "wool merchant whose family also paid for the town library, the bandstand, the cricket "
        "pavilion and the old fire station on Mercer Street.\n"
    ),
    "beta.txt": (
        "Millbrook bridge to shut for repairs\n\n"
        "Millbrook's council voted on Tuesday to close the Old Mill Road bridge for repairs.\n\n"
        "Drivers will take a detour over Route 9 while the bridge is closed.\n"
    ),
    "gamma.txt": (
        "Old Mill Road bridge closing for six weeks\n\n"
        "The Old Mill Road bridge will close for six weeks after a council vote on Tuesday.\n\n"
        "Drivers face a detour over Route 9 during the closure of the bridge.\n"
    ),
}


def _cluster(tmp_path: Path):
    for name, text in CLUSTER.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    docs = load([tmp_path]).documents
    return docs, [c for d in docs for c in extract_claims(d, segment(d))]


def test_coverage_prints_what_other_outlets_carry_over_a_long_one_outlet_detail(tmp_path: Path) -> None:
    docs, claims = _cluster(tmp_path)
    draft = compose(docs, claims, max_words=60)
    printed = [s.text for s in draft.bottom_line + draft.key_points]
    assert any("detour over Route 9" in t for t in printed), printed
    assert not any("historian" in t for t in printed), printed
    detour = next(s for s in draft.bottom_line + draft.key_points if "detour" in s.text)
    assert len({c.doc_id for c in detour.citations}) == 2, "the fact cites both outlets that carry it"
    assert sum("council voted" in t or "council vote" in t for t in printed) == 1, "each fact once"


def test_concepts_weigh_more_the_more_outlets_carry_them(tmp_path: Path) -> None:
    docs, claims = _cluster(tmp_path)
    w = weigh(docs, claims).table
    (bridge,), (detour,), (historian,) = (concepts_of(word) for word in ("bridge", "detour", "historian"))
    assert w[detour] > w[historian]
    assert w[bridge] > w[detour], "three outlets and the headlines outweigh two"


def test_fill_buys_new_content_not_a_second_telling() -> None:
    weights = Weights({"vote": 4.0, "bridge": 4.0, "detour": 4.0, "route": 4.0, "merchant": 1.0})
    weights.table.update({f"w{i}": 1.0 for i in range(6)})
    vote = Option("vote", "The council voted to close the bridge.", 8, frozenset({"vote", "bridge"}), ())
    long_repeat = Option(
        "repeat",
        "The council, in a long session, voted again to close the bridge, a merchant said at length.",
        30,
        frozenset({"vote", "bridge", "merchant", *(f"w{i}" for i in range(6))}),
        (),
    )
    detour = Option("detour", "Drivers take a detour over Route 9.", 7, frozenset({"detour", "route"}), ())
    covered: set[str] = set()
    picked = fill([long_repeat, vote, detour], weights, covered, [], budget=16, limit=5)
    assert {o.item for o in picked} == {"vote", "detour"}, "the long repeat adds little new per word"
    assert covered == {"vote", "bridge", "detour", "route"}
    # the salience order (the bottom line's) takes the first option that fits instead
    first = fill([long_repeat, vote, detour], weights, set(), [], budget=40, limit=1, in_order=True)
    assert [o.item for o in first] == ["repeat"]


def test_shorter_forms_cut_only_safe_trailing_clauses() -> None:
    text = "The council voted 5-2 on Tuesday to close the bridge, which has carried traffic since 1931."
    assert shorter_forms(text) == ("The council voted 5-2 on Tuesday to close the bridge.",)
    dashed = "The council voted 5-2 on Tuesday to close the old bridge — a decision years in the making."
    assert shorter_forms(dashed) == ("The council voted 5-2 on Tuesday to close the old bridge.",)
    paired = "Belarus scrambled a fighter jet to force the plane - bound for Lithuania - to land, claiming a threat."
    assert shorter_forms(paired) == (), "a cut at either dash of a pair breaks the sentence"
    # the attribution is never cut off, nor a list, nor a quotation, nor a clause inside a parenthesis
    assert (
        shorter_forms(
            "The bridge will close for six weeks of repairs, which will hurt shops, the mayor said."
        )
        == ()
    )
    assert (
        shorter_forms("The grant pays for new steel beams, fresh asphalt, lighting, and new railings.") == ()
    )
    assert (
        shorter_forms('"We will close the bridge for six weeks of urgent repairs," which the mayor said.')
        == ()
    )
    assert (
        shorter_forms("Mayor Lena Ortiz, who chairs the council in its fourth term, signed the order today.")
        == ()
    )
    assert shorter_forms("Too short, which is fine.") == ()


def test_a_bare_connective_is_dropped_when_the_rest_stands_alone() -> None:
    assert without_connective("But the one-page letter from the caucus is a test for the leader.") == (
        "The one-page letter from the caucus is a test for the leader."
    )
    assert printable(clean("But the one-page letter from the caucus is a test for the leader."))
    assert without_connective("Yet their confidence has.") == "Yet their confidence has."
    assert not printable(clean("Yet their confidence has."))
    kept = "Otherwise the council would have to find the money from its own reserves."
    assert without_connective(kept) == kept, "'otherwise' changes what is asserted"
    assert not printable(clean("But he said the council would find the money from its own reserves.")), (
        "the rest still points back"
    )


def test_a_cut_off_sentence_is_not_trimmed_to_its_speaker() -> None:
    text = "Sheera Frenkel, the newspaper's veteran technology reporter, told the programme the reason it took..."
    assert complete_clause(text) == text
    assert not printable(clean(text))


def test_a_full_name_is_printed_before_its_short_form() -> None:
    from briefer.engines.offline.coverage import full_names_first

    def order(points: list[str]) -> list[str]:
        return full_names_first(points, lambda p: p)

    kim = [
        "In December, Kim ordered drills.",
        "Both nations agreed.",
        "In November, leader Kim Jong Un spoke.",
    ]
    assert order(kim) == [kim[2], kim[0], kim[1]]  # the first word of a three-word name
    assert order(["Trump said no.", "Donald Trump spoke."]) == ["Donald Trump spoke.", "Trump said no."]
    # already in order, or no short form: the coverage order stands
    assert order(["The United States signed.", "The States agreed."]) == [
        "The United States signed.",
        "The States agreed.",
    ]
    beyond = ["North Korea\u2019s army moved.", "Beyond the North Korean rhetoric, talks go on."]
    assert order(beyond) == beyond  # "North" stands beside "Korea's": no short form of "North Korean"
    assert order(["As Washington acts, allies wait.", "Kim said no."]) == [
        "As Washington acts, allies wait.",
        "Kim said no.",
    ]


def test_a_cut_off_sentence_is_not_trimmed_at_an_and_inside_a_phrase() -> None:
    cut = "The Gateses are the best-known philanthropists in the country, with the power and profile..."
    assert complete_clause(cut) == "The Gateses are the best-known philanthropists in the country."
    bare = "The council voted on Tuesday to close the old bridge and push ahead on the bigger..."
    assert complete_clause(bare) == "The council voted on Tuesday to close the old bridge."


def test_a_cut_off_sentence_is_not_trimmed_inside_the_subjects_aside() -> None:
    cut = "The summary, first reported by the Daily Ledger on Monday, includes a top rate of 39.6%,..."
    assert complete_clause(cut) == cut, "'The summary, first reported by ...' has no verb: left cut off"
    opening = "With vaccination rates slowing even as local economies fully reopen, the job market is..."
    assert complete_clause(opening) == opening, "an opening phrase alone is no sentence"
    aside = "After decades of military experience in the army, including tours in Vietnam, he served..."
    assert complete_clause(aside) == aside
    whole = "After decades of military experience, Powell served as secretary of state, with a staff..."
    trimmed = "After decades of military experience, Powell served as secretary of state."
    assert complete_clause(whole) == trimmed
    # a cut right after a subordinate clause's subject leaves that clause without its verb
    envoy = (
        "The first test in six months came as the mayor's envoy for the islands, Ada Varga, was in Leeds..."
    )
    assert complete_clause(envoy) == envoy
    done = "The ferry stopped running after the storm hit the coast, with waves..."
    assert complete_clause(done) == "The ferry stopped running after the storm hit the coast."


def test_the_tellings_a_bound_is_read_from_are_what_the_composer_prints(tmp_path: Path) -> None:
    """`bench/recall_bounds.py` reads the best recall under the page's rules from
    `tellings_by_fact`: each line the composer prints is one of them (or one of them and the
    sentence that follows it in its source), at every budget, and none of them is unprintable."""
    docs, claims = _cluster(tmp_path)
    facts = [[o.text for o in fact] for fact in tellings_by_fact(docs, claims)]
    tellings = [t for fact in facts for t in fact]
    assert tellings and all(printable(t) for t in tellings)
    assert any(len(fact) > 1 for fact in facts), "outlets' tellings of one fact are one fact's"
    assert not any("historian" in t for fact in facts if len(fact) > 1 for t in fact)
    for budget in (60, 150, 450):
        draft = compose(docs, claims, max_words=budget)
        for line in draft.bottom_line + draft.key_points:
            assert any(line.text.startswith(t) for t in tellings), (budget, line.text)


def test_a_cut_off_sentence_is_not_trimmed_between_two_objects() -> None:
    """ "instructed the harbour board and the transport office to draw up plans in case the ...": the
    bare "and" joins two objects; cut there, "instructed the harbour board." says less than its source
    and something else. The sentence stays cut off (not printed)."""
    cut = (
        "The mayor said she had instructed the harbour board and the transport office to draw up "
        "contingency plans in the event the timeline for..."
    )
    assert complete_clause(cut) == cut
    assert not printable(clean(cut))
    named = "The mayor said she had instructed the harbour board and Ada Varga to draw up plans for..."
    assert complete_clause(named) == named


@pytest.mark.parametrize(
    ("cut", "trimmed"),
    [
        # the main clause goes on after the aside: a cut at any of its commas leaves "left residents
        # like Varga" without the rest of its predicate
        (
            "The decision to close the ferry left residents like Varga, who runs a cafe that served "
            "ferry crews in Midland, South Harbour, feeling...",
            None,
        ),
        # after a dash that opens an aside a second dash closes; a subject that is all relative clause
        (
            "Those who have paid both fares for the Kessel or Ellis ferries \u2014 or the single island "
            "pass \u2014 can board without a ticket when walking, cycling or...",
            None,
        ),
        # once the main clause has gone on, its own boundary still trims
        (
            "The plan, which costs five million dollars a year, was approved on Monday by the council, "
            "and the mayor promised to...",
            "The plan, which costs five million dollars a year, was approved on Monday by the council.",
        ),
        (
            "The council approved the new ferry schedule for the summer season \u2014 a change crews had "
            "sought \u2014 and the mayor promised to...",
            "The council approved the new ferry schedule for the summer season \u2014 a change crews had sought.",
        ),
    ],
)
def test_a_cut_off_sentence_is_not_trimmed_before_its_main_clause_goes_on(
    cut: str, trimmed: str | None
) -> None:
    """A cut-off excerpt is trimmed only at a boundary after which nothing of its main clause is lost
    (None: it stays cut off and is not printed)."""
    assert complete_clause(cut) == (trimmed or cut)
    if trimmed is None:
        assert not printable(clean(cut))
