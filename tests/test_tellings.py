"""Which telling of a fact prints, when two facts are one, and when a fact is one source's: the rules
of engines/offline (compose._options, coverage.topic_concepts, facts.is_duplicate and
carried_elsewhere, extract's hedges, standalone.cut_off), on invented text."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefer.cli.app import cli
from briefer.core.models import Citation, Claim, Document
from briefer.core.segment import segment
from briefer.engines.offline.compose import REBUTTAL, _cites, _options, _plain_claim
from briefer.engines.offline.coverage import topic_concepts
from briefer.engines.offline.extract import classify, extract_claims
from briefer.engines.offline.facts import (
    FIGURE,
    carried_elsewhere,
    concepts,
    dates_of,
    figures_of,
    is_duplicate,
    key,
    reaction_of,
    says_again,
)
from briefer.engines.offline.groups import group_claims
from briefer.engines.offline.passages import Context
from briefer.engines.offline.standalone import back_role, complete_clause, cut_off, dangling, printable
from briefer.sources import load


def _claim(doc: str, n: int, text: str) -> Claim:
    return Claim(
        id=f"{doc}:c{n}",
        kind="event",
        text=text,
        citations=[Citation(doc_id=doc, start=0, end=len(text), quote=text)],
    )


def _cluster(tmp_path: Path, *texts: str) -> tuple[list[Document], list[Claim]]:
    """Documents a.txt, b.txt, ... with `texts`, loaded, and their claims."""
    for name, text in zip("abcdef", texts, strict=False):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    docs = load([tmp_path]).documents
    return docs, [c for d in docs for c in extract_claims(d, segment(d))]


def test_every_outlets_telling_of_a_fact_is_an_option_citing_what_carries_it(tmp_path: Path) -> None:
    docs, claims = _cluster(
        tmp_path,
        "Harbour authority changes dredging plan\n\n"
        "The Port Ellis harbour authority on Monday confirmed a change in its dredging plan for the "
        "north channel.\n",
        "Dredging of north channel halted over mercury\n\n"
        "The Port Ellis harbour authority on Monday halted its dredging plan for the north channel "
        "after tests found mercury in the silt.\n",
    )
    group = next(g for g in group_claims(claims) if len(g.claims) == 2)
    options = _options(group, {d.id: d for d in docs}, Context.of(docs, claims, _plain_claim))
    texts = {o.text for o in options}
    assert any("mercury" in t for t in texts), "the telling that carries more of the fact is offered"
    assert any("confirmed a change" in t for t in texts)
    mercury = next(o for o in options if "mercury" in o.text)
    assert "mercury" in mercury.claims[0].text, "an option cites its own telling first"


def test_a_longer_telling_that_carries_a_shorter_one_is_one_fact_citing_only_what_carries_it() -> None:
    """Grouping reads both ways: a lead that adds detail (the retaliation, the calls to resign) still
    states the other outlet's shorter fact, so the two are one fact. The longer lead is not cited to
    the outlet that lacks its detail; the shorter telling is cited to both."""
    long_lead = (
        "An inquiry found that Mayor Dana Orlov of Kelby harassed several council workers and worked to "
        "punish one of her accusers, the county auditor announced Tuesday in a finding that quickly renewed "
        "calls from unions and rival parties for her resignation or impeachment."
    )
    short = "Mayor Dana Orlov of Kelby harassed several council workers, the county auditor said on Tuesday."
    # a third outlet's report of the calls makes the longer telling the most central, so it leads
    calls = (
        "Unions and rival parties renewed calls on Tuesday for the resignation or impeachment of the mayor."
    )
    claims = [_claim("d1", 0, long_lead), _claim("d2", 0, short), _claim("d3", 0, calls)]
    group = group_claims(claims)[0]
    assert group.lead.text == long_lead and group.doc_ids == {"d1", "d2"}
    other = next(c for c in group.claims if c is not group.lead)
    assert {c.citations[0].doc_id for c in _cites(group.lead, group)} == {"d1"}, "its detail is d1's only"
    assert {c.citations[0].doc_id for c in _cites(other, group)} == {"d1", "d2"}


def test_a_telling_in_loaded_words_is_its_outlets_framing_named_and_cited_alone(tmp_path: Path) -> None:
    """ "The mainstream media were up in arms over ..." tells the council's vote in one outlet's
    framing: printed, it names that outlet and cites it alone (another outlet carries the vote, not the
    uproar), and a plain telling of the vote comes first."""
    from briefer.core.text import characterises

    loaded = (
        "The mainstream media were up in arms on Monday over the Kelby council voting to close the ferry."
    )
    assert characterises(loaded) and not characterises('Critics called it "a power grab" on Monday.')
    docs, claims = _cluster(
        tmp_path,
        "Ferry row\n\nKelby Star (News) | 2026-02-18\n\n" + loaded + "\n",
        "Ferry to close\n\nKelby Post (News) | 2026-02-18\n\n"
        "The Kelby council voted on Monday to close the ferry to Leeds Island.\n",
    )
    group = next(g for g in group_claims(claims) if len(g.claims) == 2)
    options = _options(group, {d.id: d for d in docs}, Context.of(docs, claims, _plain_claim))
    framed = next(o for o in options if "up in arms" in o.text)
    assert framed.text == "Kelby Star writes: " + loaded
    assert [c.citations[0].doc_id for c in framed.claims] == [framed.claims[0].citations[0].doc_id]
    plain = next(o for o in options if "Leeds Island" in o.text)
    assert plain.factor > framed.factor
    out = CliRunner().invoke(cli, ["run", str(tmp_path), "-q", "--format", "json"])
    lines = [s["text"] for k in ("bottom_line", "key_points") for s in json.loads(out.output)[k]]
    assert not any(t.startswith("The mainstream media") for t in lines), lines


def test_a_story_topic_shared_by_two_facts_does_not_make_them_one() -> None:
    claims = [
        _claim("d1", 0, "The Halvard Arts Trust of Kelby approved the annual budget on Monday."),
        _claim("d1", 1, "The Halvard Arts Trust of Kelby named a director from Leeds on Friday."),
        _claim("d2", 0, "The budget of the Halvard Arts Trust of Kelby passed by seven votes to two."),
        _claim("d2", 1, "Members of the Halvard Arts Trust of Kelby praised the staff."),
    ]
    topic = topic_concepts(claims)
    assert concepts("Halvard Arts Trust Kelby") <= topic
    assert not concepts("budget") & topic, "names only: a fact's own words are never the topic"
    first, other = claims[0].text, claims[1].text
    chosen = [concepts(first)]
    assert is_duplicate(other, chosen)[0], "without the topic the shared name reads as a repeat"
    assert not is_duplicate(other, chosen, topic)[0], "a new director is a new fact of the story"
    again = "On Monday the Halvard Arts Trust of Kelby approved its annual budget."
    assert is_duplicate(again, chosen, topic)[0], "the same fact is still a repeat"


def test_a_fact_spread_over_another_outlets_quote_and_its_speaker_is_not_one_sources() -> None:
    claim = _claim(
        "d1", 0, 'The inquiry has entered "a criminal phase," spokesman Ivo Marsh confirmed on Friday.'
    )
    others = {
        "d2": [
            "Ivo Marsh spoke to reporters on Friday.",
            '"We are now pursuing the inquiry in a criminal phase," he said.',
        ]
    }
    assert carried_elsewhere(claim, others)
    assert not carried_elsewhere(claim, {"d2": ["The harbour reopened on Friday after repairs."]})


@pytest.mark.parametrize(
    ("sentence", "forecast"),
    [
        ("The number of people quitting their jobs slipped in May from a record high.", False),
        ("Job openings remained at a historic high in May, the department said.", False),
        ("The long-anticipated report found that the mayor broke the rules.", False),
        ("May Day is a public holiday in many countries.", False),
        ("Job openings may fall again in June.", True),
        ("The report is anticipated next week.", True),
        ("The state will require candidates to publish tax returns, setting up a likely court fight.", False),
        ("The bombs \u2013 reportedly a car bomb and a suicide vest \u2013 went off within minutes.", False),
        ("Infections fell by 25% \u2014 a hopeful sign that the worst may be over.", False),
        ("A doctor who broke the new law has been sued, in what could be a test of it.", False),
        ("Economists had forecast a 150,000 increase in payrolls.", False),
        ("The administration on Wednesday unveiled plans to begin offering booster shots.", False),
        ("The storm could hit the coast on Monday, bringing heavy rain.", True),
        ("The city plans to reopen the bridge in June.", True),
        ("The student sued after he was told he could not use the boys' bathroom at his school.", False),
        ("The ferry could not sail on Monday if the strike goes on.", True),
        ("The agency said it had not established the vaccine could cause the syndrome.", False),
        ("The board on Monday ordered staff to get the vaccine as soon as possible.", False),
        ("The council approved the plan, a step that could cost $4 million.", False),
        ("The council approved the plan, which could cost $4 million.", False),
        ("Russia showed its military might in the Baltic on Monday.", False),
        ("Officials said the plan might fail.", True),
        ("It is possible the vote fails.", True),
        (
            "The agency updated the label on Monday to warn of the possible increased risk of a rare disorder.",
            False,
        ),
        ("Parents raised concerns about possible side effects at the meeting.", False),
        ("A possible strike could close the port in May.", True),
        ("The board announced on Monday that it plans to close the pier in May.", False),
        ("The video site is to remove clips that spread false claims about all vaccines.", False),
        ("The number of claims beat economists' forecasts of 318,000 in May.", False),  # a noun
        ("The figure was below the forecast for the spring.", False),
        ("The agency forecasts a rise of 2% next year.", True),  # a verb
        (
            "The ruling prompted soul-searching over what went wrong and how, after years of work, it could fail.",
            False,
        ),
        ("Officials are weighing whether the bridge could reopen in May.", False),  # asks, forecasts nothing
        ("How the court rules could affect thousands of families.", True),  # the main clause's own modal
        (
            "The host was criticised for asking Sen. Ada Marsh (D-Ore.) what she thought when her rival said a newcomer could not win.",
            False,
        ),  # what she was asked: no forecast
        ("What the court decides could affect thousands of families.", True),  # the main clause's own modal
        ("Ada Marsh pushed back on the narrative that she acted out of fear the mayor might resign.", False),
        ("Residents fled amid fears that the dam could break.", False),  # what they feared: they fled
        ("Officials fear the dam could break on Monday.", True),  # the verb: officials' forecast
        # odds compared are a finding, not a forecast
        ("Smokers are more than twice as likely to develop the disease, a new study suggests.", False),
        ("Dockers are three times more likely to be injured than crews, the report found.", False),
        ("Women were more likely than men to say the port was unsafe.", False),
        ("The ferry deal is likely to pass on Monday.", True),
        ("The deal is more likely to pass now that the mayor supports it.", True),
        ("Smokers may be twice as likely to develop the disease, a study found.", True),  # "may" hedges
        # what someone expected then, in the past tense, is a view reported; the present tense forecasts
        ("Before the strike, officials said they didn\u2019t expect the port to close until May.", False),
        ("Officials did not expect the bridge to reopen before May.", False),
        ("Officials do not expect the bridge to reopen before May.", True),
        # a condition's hedge hedges the condition, not the sentence
        ("The board urged the court to let ports close piers if they deem them potentially unsafe.", False),
        ("The dam could break if the rain goes on.", True),
        ("If it passes, the bill could cut fares by a tenth.", True),
    ],
)
def test_only_the_main_clauses_hedge_makes_a_forecast(sentence: str, forecast: bool) -> None:
    assert (classify(sentence)[0] == "prediction") is forecast


def test_a_sentence_ending_on_a_title_before_a_name_is_cut_off() -> None:
    assert cut_off("He set himself apart from Gov.")
    assert cut_off("The award went to Dr.")
    assert cut_off("The case, Sanchez v.")
    assert cut_off("It could make it harder to win over moderates such as Sens.")
    assert not cut_off("Shares of Acme Inc. rose 4% in the U.S.")
    assert not cut_off("The plant is on Mill St. near the river.")


def test_one_sides_reaction_is_one_fact_however_it_is_told() -> None:
    first = "Ruritania condemned the treaty, calling it a provocation."
    chosen = [is_duplicate(first, [])[1]]
    assert is_duplicate(
        "Ruritania has warned that such moves will only raise tensions in the region.", chosen
    )[0]
    assert is_duplicate(
        "The state news agency carried a statement from Ruritania's foreign ministry, accusing the allies of bad faith.",
        chosen,
    )[0], "the last name before the reaction verb is who reacts"
    assert not is_duplicate("Borduria welcomed the treaty as a step towards peace.", chosen)[0]
    assert not is_duplicate("Borduria warned that it would recall its ambassador.", chosen)[0], "another side"
    assert not reaction_of("The inquiry interviewed 179 people, including the governor's accusers.")
    # an apology is one side's reaction too, and "the public apology" is the same act
    apology = "Rep. Ada Marsh on Monday apologized for comparing the ferry fares to a toll on the poor."
    said = [is_duplicate(apology, [])[1]]
    assert is_duplicate(
        "Representative Ada Marsh apologized Monday for her comments last month about the ferry fares.", said
    )[0]
    assert concepts("the public apology") & concepts("she apologized")  # the noun is the same act


def test_a_figure_another_source_gives_for_the_same_thing_is_not_one_sources() -> None:
    claim = _claim("d1", 0, "The repairs will cost $1.2 million, most of it covered by a state grant.")
    assert carried_elsewhere(claim, {"d2": ["The work is expected to cost about $1.2 million."]})
    assert not carried_elsewhere(claim, {"d2": ["The work is expected to cost about $3 million."]})


def test_a_personal_pronoun_needs_its_person_in_the_sentence() -> None:
    assert not printable("Former lawyers in Arkansas and Illinois filed lawsuits against him on Monday.")
    assert printable("Powell was fully vaccinated against the virus, his family said on Monday.")
    assert printable("Former President Jimmy Carter said his foundation would keep its work going.")
    assert printable("Lawyers for the doctor said he had acted within the law in every case.")


def test_half_a_quotation_is_not_printed_alone() -> None:
    assert not printable('"Health misinformation is a serious threat to public health.')
    assert printable('"We will not wait for a beam to fail," the mayor Dana Whitcombe said on Tuesday.')


def test_an_estimate_by_a_named_body_is_no_unnamed_source() -> None:
    named = "Taxes would rise 11%, according to an estimate by the Joint Committee on Taxation."
    assert classify(named)[2] is False
    assert classify("Taxes would rise 11% next year, according to a senior official.")[2] is True


def test_the_same_distinctive_figure_said_again_is_a_repeat() -> None:
    chosen = [key("The Senate voted 67-32 on Wednesday to advance the infrastructure bill.")]
    assert is_duplicate(
        "Senators voted 67-32 to open debate on the bill, with 17 Republicans joining.", chosen
    )[0]
    assert says_again("Senators voted 67-32 to open debate on the bill.", chosen)
    ages = [key("Mohammad Anwar, 66, of Springfield, was killed on Tuesday near the stadium.")]
    assert not is_duplicate("Two girls used a taser on Anwar, 66, during a carjacking attempt.", ages)[0]
    openings = [key("Employers listed 9.21 million job openings in May, the Labor Department said.")]
    assert is_duplicate("Openings reached 9.2 million across the economy.", openings)[0], (
        "one figure, rounded"
    )
    assert not is_duplicate("Openings reached 9.6 million across the economy.", openings)[0]


def test_only_a_predicate_falsehood_or_a_denial_is_a_rebuttal() -> None:
    assert REBUTTAL.search("Any attempts to frame this agreement as an act of aggression are misleading.")
    assert REBUTTAL.search("The ministry denied the report on Friday.")
    assert not REBUTTAL.search("Officials grew concerned about misleading claims about the vaccines.")


def test_a_cut_off_contrast_is_not_trimmed_away() -> None:
    cut = "The finding was reported in May by the Center for Countering Digital Hate, but the company disputed..."
    assert complete_clause(cut) == cut
    assert dangling("The finding was reported in May by the Center for Countering Digital Hate.")


def test_only_one_sources_detail_is_a_figure_or_a_name_the_others_lack(tmp_path: Path) -> None:
    from briefer.engines.offline.compose import _Carriers, _specific

    docs, found = _cluster(
        tmp_path,
        "Outage ends\n\nThe outage at Bytecloud ended on Monday after six hours.\n\n"
        "For hours on Monday, the world got a taste of life without its apps.\n\n"
        "In Lisbon, shopkeepers could not take card payments for the whole afternoon.\n",
        "Bytecloud back after outage\n\nBytecloud said its services were back on Monday after an outage.\n",
    )
    claims = {c.text: c for c in found}
    colour = claims["For hours on Monday, the world got a taste of life without its apps."]
    detail = claims["In Lisbon, shopkeepers could not take card payments for the whole afternoon."]
    carriers = _Carriers.of(found)
    assert not _specific(colour, carriers), "colour names nothing the other source lacks"
    assert _specific(detail, carriers)


def test_one_outlets_house_style_is_no_detail_only_it_reports(tmp_path: Path) -> None:
    """ "Ms. Varga", "since Aug. 1" and "the Harbour Department" where the other outlet writes "Varga",
    "August" and "the harbour" name nothing the other lacks; a name it lacks ("Orlov") is a detail."""
    from briefer.engines.offline.compose import _Carriers, _specific

    docs, found = _cluster(
        tmp_path,
        "Ferry fund runs dry\n\nThe emergency fees the Harbour Department has charged since Aug. 1 "
        "will run out in October, Ms. Varga said on Tuesday.\n\n"
        "Harbour pilot Orlov said the fees would run out in October.\n",
        "Harbour fees to run out\n\nHarbour chief Ada Varga said the emergency fees charged since "
        "August would run out in October.\n",
    )
    claims = {c.text: c for c in found}
    carriers = _Carriers.of(found)
    assert not _specific(claims[next(t for t in claims if t.startswith("The emergency fees"))], carriers)
    assert _specific(claims["Harbour pilot Orlov said the fees would run out in October."], carriers)


def test_states_as_a_noun_attributes_nothing() -> None:
    assert classify("The pact widens trade between the member states of the bloc.")[0] != "statement"
    assert classify("The ministry said the pact widens trade between member states.")[0] == "statement"


def test_a_role_that_describes_someone_is_no_unnamed_source() -> None:
    described = (
        "Ada Varga, a lieutenant who served abroad as a diplomat, is to testify, according to her testimony."
    )
    assert classify(described)[2] is False
    assert classify("The talks stalled on Friday, a senior official said.")[2] is True
    assert classify("The talks stalled, according to two diplomats.")[2] is True
    assert (
        classify('"I have never seen this level of doom," said one prominent centrist Democrat.')[2] is True
    )
    assert classify("The plan was approved by two members of the board on Monday.")[2] is False


def test_names_with_inner_capitals_are_names() -> None:
    from briefer.engines.offline.coverage import full_names

    assert full_names("It was reported by Gen. Kenneth McKenzie and Conan O'Brien on Friday.") == [
        ["Kenneth", "McKenzie"],
        ["Conan", "O'Brien"],
    ]


def test_a_telling_that_adds_only_who_said_it_repeats_the_fact() -> None:
    """ "X, his family said" reports X: printed beside another telling of X it says X again
    (`facts.reported`); a telling with a fact of its own after the comma does not."""
    from briefer.engines.offline.facts import reported

    chosen = [key("Varga was fully vaccinated and was being treated at Ellis General Hospital at her death.")]
    again = "Varga was fully vaccinated against Covid-19, her family said in a statement posted online."
    assert reported(again) == "Varga was fully vaccinated against Covid-19"
    assert is_duplicate(again, chosen)[0]
    other = "Varga was fully vaccinated, but she had a rare blood cancer that weakens the immune system."
    assert reported(other) == other, "a clause with a fact of its own is no attribution"
    quoted = '"She was vaccinated," her family said in a statement posted online.'
    assert reported(quoted) == quoted, "a quotation keeps its speaker"


def test_a_pronoun_after_an_opening_clause_that_names_its_referent_does_not_point_back() -> None:
    named = (
        "While the FDA said it had found no link to the vaccine, it noted a rise in reports of the illness."
    )
    assert not dangling(named)
    assert dangling("Whatever you want to call it, it has kept the family safe over the last year.")
    assert dangling("If approved, it would be the largest such deal in a decade.")


def test_an_excerpt_cut_at_a_sentence_end_or_a_clause_boundary_keeps_what_is_whole() -> None:
    """Four dots are a full stop and the excerpt's ellipsis; a trailing comma is a clause boundary the
    excerpt stopped at; a quotation's commas do not make the head look like an open aside."""
    whole = "Varga served as minister of transport from 1989 to 1993...."
    assert complete_clause(whole) == "Varga served as minister of transport from 1989 to 1993."
    assert complete_clause("The company moved its headquarters back to the U.S....").endswith("U.S....")
    comma = "The report said that inspectors found mercury in the silt of the north channel,"
    assert (
        complete_clause(comma)
        == "The report said that inspectors found mercury in the silt of the north channel."
    )
    named = "The statement on the ferry strike was signed by Transport Minister Ada Varga,"
    assert complete_clause(named) == named, "a list of names may go on after the comma"
    said = "The minister told reporters on Tuesday at the harbour office in Ellis,"
    assert complete_clause(said) == said, "it stops before what was said"
    quoted = (
        '"We condemn the brazen and shocking act," Transport Minister Ada Varga said on Sunday, '
        "adding that the port would..."
    )
    assert (
        complete_clause(quoted)
        == '"We condemn the brazen and shocking act," Transport Minister Ada Varga said on Sunday.'
    )


def test_a_summary_line_without_its_full_stop_is_a_sentence_and_a_headline_is_not() -> None:
    from briefer.engines.offline.standalone import clean

    line = "The attacks targeted people queuing to board the last ferries out of the port"
    assert clean(line) == line + "." and printable(clean(line))
    assert not printable(clean("Port Ellis Ferry Strike Enters Its Second Week Without Talks"))
    assert not printable(clean("The ferry strike at the port of Ellis is expected to"))
    assert not printable(clean("Last ferries out of Ellis harbour enter final stage after strike vote"))
    assert not printable(clean("Ferry crossings are FALLING for the first time since June as strike ENDS"))


def _story(tmp_path: Path, body: str) -> tuple[Context, list[Claim]]:
    """One harbour story with `body`: the context its sentences are read in, and its claims in order."""
    docs, claims = _cluster(tmp_path, f"Harbour report\n\n{body}\n")
    return Context.of(docs, claims, _plain_claim), sorted(claims, key=lambda c: c.citations[0].start)


def test_a_sentence_that_points_back_is_offered_after_the_sentence_it_follows(tmp_path: Path) -> None:
    """ "The report found ..." follows the sentence that says which report: the two are one passage,
    citing both (`passages.Context.tellings`); printed alone it would point at nothing."""
    context, claims = _story(
        tmp_path,
        "The Port Ellis harbour authority on Monday published its annual survey of the north channel. "
        "The report found mercury in the silt at four of the ten sites it tested.",
    )
    found = next(c for c in claims if c.text.startswith("The report found"))
    ((passage, prior),) = context.tellings(found)
    assert (
        passage.startswith("The Port Ellis harbour authority on Monday published")
        and "The report found" in passage
    )
    assert prior is not None and prior.text.startswith("The Port Ellis")


def test_a_reaction_belongs_to_its_subject_not_to_a_name_in_an_aside() -> None:
    """ "A senior official from Norland's ministry, as reported by the Ellis Times, expressed concerns"
    is Norland's reaction: the outlet in the aside only reported it (`facts.reaction_of`)."""
    told = "A senior official from Norland’s defense ministry, as reported by the Ellis Times, expressed concerns about the deal."
    assert reaction_of(told) == reaction_of("Norland condemned the deal.")


def test_a_sentence_that_points_back_may_follow_the_line_that_prints_its_antecedent(tmp_path: Path) -> None:
    """When the page prints "The Port Ellis harbour authority ... published its annual survey ..." whole,
    "The report found ..." may follow it in the same line (`passages.follow_on`); not after a shorter
    form of it, and not a sentence that stands alone anyway."""
    from briefer.engines.offline.passages import follow_on

    context, (first, report, dredging) = _story(
        tmp_path,
        "The Port Ellis harbour authority on Monday published its annual survey of the north channel. "
        "The report found mercury in the silt at four of the ten sites it tested. "
        "Dredging of the channel is due to start in June after a delay of two years.",
    )
    assert follow_on(first.text, first, context) == [report]
    assert follow_on("The Port Ellis harbour authority on Monday published its survey.", first, context) == []
    assert follow_on(report.text, report, context) == [], "the dredging sentence stands alone"
    assert dredging.text.startswith("Dredging")


def test_two_tellings_that_keep_the_facts_words_together_are_one_fact() -> None:
    """ "the outage ... lasted nearly six hours" and "an outage that lasted almost six hours" share
    the fact's word pairs (outage-lasted, lasted-hours) though little else (`facts.pairs_of`); two
    facts of one story share single words and names, not pairs."""
    chosen = [
        key(
            "Ellis Ferries issued a statement late Monday explaining what caused the outage that lasted nearly six hours."
        )
    ]
    again = "Booking services for Ellis Ferries, Ellis Rail and Ellis Bus are back up after an outage that lasted almost six hours, the company says."
    assert is_duplicate(again, chosen)[0]
    other = "Ellis Ferries said on Monday that it would refund every passenger whose crossing was cancelled."
    assert not is_duplicate(other, chosen)[0]
    from briefer.engines.offline.facts import pairs_of

    opened = pairs_of("Transport Minister Ada Varga opened the ferry terminal on Monday.")
    met = pairs_of("Transport Minister Ada Varga later met striking dock workers in Ellis.")
    assert not opened & met, "a name's words together are no fact's"


def test_an_option_is_compared_for_repeats_by_its_source_words_not_its_attribution() -> None:
    from briefer.engines.offline.coverage import Option

    o = Option(
        None, "In an opinion piece, Ellis Daily writes: Fares rose.", 9, frozenset(), (), 1.0, "Fares rose."
    )
    assert o.said == "Fares rose."
    assert Option(None, "Fares rose.", 2, frozenset(), ()).said == "Fares rose."


def test_a_sentence_that_qualifies_a_line_may_follow_it_even_when_it_stands_alone(tmp_path: Path) -> None:
    """ "But the authority disputed ..." qualifies the line before it in its source: it is offered
    right after that line (`passages.follow_on`, `qualifies`), though it could be printed alone."""
    from briefer.engines.offline.passages import follow_on, qualifies

    context, (first, but) = _story(
        tmp_path,
        "A campaign group said on Monday that the north channel of Port Ellis was the most polluted in the region. "
        "But the Port Ellis harbour authority disputed the group's figures and published its own survey.",
    )
    assert qualifies(but) and not qualifies(first)
    assert follow_on(first.text, first, context) == [but]


def test_the_bottom_line_reads_first_the_fact_that_says_the_news_headlines(tmp_path: Path) -> None:
    """Of two facts about as salient, the one that says what the news headlines say (who did what)
    comes first for the bottom line (`compose.news_first`); an opinion headline does not count."""
    from briefer.engines.offline.compose import news_first

    docs, claims = _cluster(
        tmp_path,
        "Ellis council closes north bridge\n\n"
        "The harbour has been a busy crossing for ferries and freight since the nineteenth century. "
        "The Ellis city council voted on Monday to close the north bridge to all traffic.\n",
    )
    groups = group_claims(claims)
    background = next(g for g in groups if "busy crossing" in g.lead.text)
    news = next(g for g in groups if "north bridge" in g.lead.text)
    background.salience, news.salience = 1.0, 0.8
    assert news_first(groups, docs)[0] is news
    opinion = [d.model_copy(update={"meta": d.meta.model_copy(update={"label": "Opinion"})}) for d in docs]
    assert news_first(groups, opinion)[0] is background, "an opinion headline states a view, not the news"


def test_one_sides_request_to_one_person_is_one_fact_however_each_outlet_names_who_asks() -> None:
    """ "the group asked Varga to ...", "is urging Ada Varga to ..." and "pressed Transport Minister
    Ada Varga (Ellis) to ..." ask one person (`facts.request_of`); "asked Varga about" is a question."""
    from briefer.engines.offline.facts import request_of

    told = [
        "In a letter Friday, the dockers' group asked Varga to reopen the north bridge by July 31.",
        "The Ellis Dockers Union is urging Ada Varga to reverse the closure of the bridge.",
        "A bloc of dock workers on Friday pressed Transport Minister Ada Varga (Ellis) to hold a vote.",
    ]
    assert {request_of(t) for t in told} == {request_of(told[0])} and request_of(told[0])
    assert is_duplicate(told[1], [key(told[0])])[0]
    assert request_of("Reporters asked Varga about the bridge.") == frozenset()


def test_only_one_source_is_not_asked_of_a_fact_another_outlet_tells_in_its_own_words(tmp_path: Path) -> None:
    """ "The port will start operating 24 hours a day" and "the port will move to 24/7 service" share
    few words but the same word pairs: the fact has two sources (`compose._told_elsewhere`)."""
    from briefer.engines.offline.compose import _told_elsewhere

    mine = _claim(
        "a",
        0,
        "The Port of Ellis will start operating 24 hours a day to clear the queues of cargo ships outside.",
    )
    told = {
        "a": [key(mine.text)],
        "b": [
            key(
                "President Ada Varga said the Port of Ellis would start operating 24 hours a day from next week."
            )
        ],
    }
    assert _told_elsewhere(mine, told, frozenset())
    assert not _told_elsewhere(
        mine, {"a": told["a"], "b": [key("Ferry fares in Ellis rose by a tenth in May.")]}, frozenset()
    )


def test_a_plain_telling_is_offered_whichever_telling_leads_its_group_and_a_forecast_never(
    tmp_path: Path,
) -> None:
    """A fact's group may be led by one outlet's forecast ("may raise"); another outlet's plain telling
    of it is still offered, and the forecast is not, whichever leads (`compose._options`)."""
    docs, claims = _cluster(
        tmp_path,
        "Ellis port fees\n\nThe Ellis harbour board may raise mooring fees for ferries by a tenth from June, officials said.\n",
        "Ellis port fees rise\n\nThe Ellis harbour board on Monday raised mooring fees for ferries by a tenth from June.\n",
    )
    context = Context.of(docs, claims, _plain_claim)
    for group in group_claims(claims):
        texts = [o.text for o in _options(group, {d.id: d for d in docs}, context)]
        assert not any("may raise" in t for t in texts), texts
    assert any(
        "on Monday raised" in o.text
        for g in group_claims(claims)
        for o in _options(g, {d.id: d for d in docs}, context)
    )


def test_at_150_words_the_bottom_line_has_room_for_a_news_lead(tmp_path: Path) -> None:
    """A news lead runs 30-40 words: at `--max-words 150` the bottom line may take 45
    (`compose.LEAD_WORDS`), so the news is not passed over for a shorter line."""
    import briefer

    lead = (
        "The Ellis city council voted on Monday to close the north bridge to all traffic for at least "
        "two years after engineers found deep cracks in two of its three concrete piers during a routine "
        "inspection of the old crossing last week."
    )
    for name, title in (("a.txt", "Ellis closes north bridge"), ("b.txt", "Council shuts Ellis bridge")):
        (tmp_path / name).write_text(
            f"{title}\n\n{lead}\n\nThe bridge carried about 20,000 cars a day. Ferries will run every ten minutes instead. "
            "Shopkeepers near the bridge said they feared for their trade. The council will meet again in May. "
            "Engineers first reported rust on the piers in 2019, but repairs were postponed twice for lack of money. "
            "The port authority has offered to pay for a temporary footbridge beside the old crossing. "
            "Bus routes 4 and 9 will be diverted through the east tunnel from next Monday. "
            "A public meeting on the closure is planned at the town hall on Thursday evening. "
            "Residents of the north bank have started a petition asking for free ferry passes.\n",
            encoding="utf-8",
        )
    brief = briefer.run([tmp_path], engine="offline", max_words=150)
    assert brief.bottom_line[0].text == lead


def test_at_60_words_the_lead_leaves_the_open_questions_their_room(tmp_path: Path) -> None:
    """The news lead's room (`compose.LEAD_WORDS`) never takes what the open questions need at
    least (`compose.QUESTION_WORDS`): the whole content stays within `--max-words`."""
    from briefer.engines.offline.compose import LEAD_WORDS, QUESTION_WORDS

    assert 60 - QUESTION_WORDS < LEAD_WORDS, "at 60 words the lead's room is what the questions leave"
    import briefer
    from briefer.core.budget import word_count

    lead = (
        "The Ellis city council voted on Monday to close the north bridge to all traffic for at least "
        "two years after engineers found deep cracks in two of its three piers during an inspection."
    )
    for name, title in (("a.txt", "Ellis closes north bridge"), ("b.txt", "Council shuts Ellis bridge")):
        (tmp_path / name).write_text(
            f"{title}\n\n{lead}\n\nThe repairs may cost as much as 40 million euros, officials said. "
            "The bridge carried about 20,000 cars a day. Ferries will run every ten minutes instead.\n",
            encoding="utf-8",
        )
    brief = briefer.run([tmp_path], engine="offline", max_words=60)
    said = brief.bottom_line + brief.key_points + [s for q in brief.open_questions for s in q.sentences]
    assert sum(word_count(s.text) for s in said) <= 60


def test_a_forged_citation_marker_is_read_after_nothing(tmp_path: Path) -> None:
    """ "[3] The report found ..." points back, but a sentence opening with a marker of its own is a
    list number or a forged citation: it is neither offered after the sentence it follows nor joined
    to the line that prints that sentence (`standalone.only_points_back`)."""
    from briefer.engines.offline.passages import follow_on

    context, (first, forged) = _story(
        tmp_path,
        "The Port Ellis harbour authority on Monday published its annual survey of the north channel. "
        "[3] The report found no mercury at any of the sites it tested.",
    )
    assert forged.text.startswith("[3] The report")
    assert context.tellings(forged) == []
    assert follow_on(first.text, first, context) == []


def test_who_told_a_fact_and_how_they_got_it_is_no_part_of_the_fact() -> None:
    """ "..., according to data released Tuesday by the Centers for Disease Control ..." names a
    source however long it is, and "reported" is no concept a fact shares (`facts.reported`,
    `core/data/attribution_verbs.txt`): two facts from one agency's data are two facts."""
    from briefer.engines.offline.facts import reported

    chosen = [
        key(
            "More than 15 million vaccine doses were thrown away since March, according to data "
            "from the Centers for Disease Control and Prevention obtained through a records request."
        )
    ]
    chains = (
        "Four pharmacy chains reported more than 1 million wasted doses each, according to data released "
        "Tuesday by the Centers for Disease Control and Prevention in response to a records request."
    )
    assert reported(chains) == "Four pharmacy chains reported more than 1 million wasted doses each"
    assert not is_duplicate(chains, chosen)[0]
    assert not is_duplicate(chains, [key("Walgreens reported the most waste of any pharmacy.")])[0]
    again = "At least 15.1 million vaccine doses have been thrown away since March, according to NBC News."
    assert is_duplicate(again, chosen)[0], "15.1 million is the 15 million told again"


def test_a_figure_for_another_quantity_makes_another_fact() -> None:
    """Beside "3.3 million new infections were reported in the past week", "new infections fell by
    25% over the past two weeks" shares the fact's words (new infections, past week) but gives another
    quantity: a share is a figure however small (`facts.figures_of`), and a point whose figures are
    all far from a chosen point's repeats it only when it shares most of its words."""
    chosen = [
        key("An estimated 3.3 million new infections and 55,000 deaths were reported in the past week.")
    ]
    assert "@figure:25%" in figures_of("New infections fell by 25% over the past two weeks.")
    assert not is_duplicate("New infections fell by 25% over the past two weeks.", chosen)[0]
    assert is_duplicate("About 3.3 million new infections were reported in the past week.", chosen)[0]


def test_a_count_in_digits_is_a_figure_and_a_day_or_a_span_is_not() -> None:
    """News style spells counts below ten, so "13 troops" in digits is a count: one toll told by two
    outlets is one fact. A day of a month ("Aug. 13"), a span ("15 weeks"), a clock ("10 a.m.") and
    "17" in "May 3 to 17 were" are no fact's own figure."""
    assert "@figure:13" in figures_of("The blast killed 13 US troops and 72 Afghans.")
    assert "@figure:10" in figures_of("The strike killed as many as 10 people, including seven children.")
    for text in (
        "The council met on Aug. 13 to vote.",
        "Abortions are banned after 15 weeks.",
        "The vote opens at 10 a.m. on Monday.",
        "Cases from May 3 to 17 were among vaccinated people.",
        "The COVID-19 vaccine was approved.",
    ):
        assert not figures_of(text), text
    chosen = [
        key("The Pentagon admitted a mistake after 10 civilians were killed in a drone strike in Kabul.")
    ]
    assert is_duplicate(
        "The general said the drone strike had killed as many as 10 people in Kabul.", chosen
    )[0]
    assert not is_duplicate(
        "The general said the drone strike had killed as many as 12 people in Kabul.", chosen
    )[0]


def test_words_the_fill_leaves_over_buy_a_fuller_telling_of_a_printed_fact(tmp_path: Path) -> None:
    """When what is left to print repeats a line or is too long, the page's spare words go to the
    printed fact's detail: its full telling, or another outlet's fuller one (`compose._Page.richer`),
    never to the fact told twice."""
    import briefer

    _cluster(
        tmp_path,
        "Harbour court rejects appeal\n\nThe Ellis high court on Monday rejected the harbour board’s "
        "appeal to reinstate its ferry ban.\n\nThe board said it would study the ruling.\n",
        "Court hands win to ferry owner\n\nThe Ellis high court declined to hear the harbour board’s "
        "appeal on Monday, handing a victory to ferry owner Mara Lind, whom the board had barred from the "
        "north quay.\n\nLind said she would resume sailings on Friday.\n",
    )
    brief = briefer.run([tmp_path], engine="offline")
    printed = [s.text for s in brief.bottom_line + brief.key_points]
    assert any(t.endswith("whom the board had barred from the north quay.") for t in printed), printed
    assert sum("appeal" in t for t in printed) == 1, "the court's decision is told once"


def test_an_excerpt_cut_one_word_past_a_comma_keeps_the_clause_before_it() -> None:
    """ "... has thrust the case into the debate on immigration policy, with" stopped one word past
    a clause boundary: the clause before it is whole, though a speech verb sits inside it ("who
    authorities have said is ..."). A contrast ("..., but") or a speaker's setting ("told reporters
    at the White House,") is no place to stop."""
    cut = (
        "The arrest of a man who authorities have said is an illegal immigrant on charges of murdering "
        "a college student has thrust the case into the debate on immigration policy, with"
    )
    assert complete_clause(cut) == cut.removesuffix(", with") + "."
    but = "The council approved the plan on Monday after a long debate in the chamber, but"
    assert complete_clause(but) == but
    told = "The president told reporters at the White House,"
    assert complete_clause(told) == told


def test_the_writers_own_voice_is_no_fact_of_the_brief() -> None:
    """ "Last month, I joined 15,000 other cyclists ..." is the writer speaking: outside a quotation
    "I" and "we" name nobody on the page (`core.text.writer_speaks`); a quoted "I" has its speaker."""
    assert not printable("Last month, I joined about 15,000 other cyclists in a bike ride across Iowa.")
    assert not printable("We rode past cornfields and through small towns on the way.")
    assert printable('"I will not resign," Mayor Ana Ruiz said on Monday.')
    assert printable("The US and Japan agreed to build missiles together.")
    # "I" as a party and state, a road or a numeral is no writer
    assert printable(
        "Sen. Ada Marsh (I-Vt.) and Sen. Ben Cole (I\u2013Maine) voted against the bill on Monday."
    )
    assert printable("A crash closed I-95 near the bridge for six hours on Monday.")
    assert printable("The vaccine entered a Phase I trial in May, the company said.")
    assert printable("The memorial honours soldiers who died in World War I and later wars.")


def test_a_line_addressed_to_the_articles_reader_is_no_fact_of_the_brief() -> None:
    """ "Here's what you need to know." is the article talking to its own reader (`core.text.
    addresses_reader`); a speaker's advice to the public keeps its "you", attributed."""
    assert not printable("Here\u2019s what you need to know about the ferry strike.")
    assert not printable("You can watch the council's vote in the video below.")
    assert printable("If you are fully vaccinated, you do not need a booster shot, the health ministry says.")
    assert printable('"You are disposable," union leader Ana Ruiz told the crowd on Monday.')
    # a question in the writer's voice asks the reader; a quoted question has its speaker
    assert not printable("Got a strong opinion on how the ferry should be run?")
    assert not printable("Will the council vote before the ferry strike ends?")
    assert printable('"Who will pay for the ferry?" Mayor Ana Ruiz asked on Monday.')


def test_a_figure_another_outlet_gives_makes_no_fact_one_sources(tmp_path: Path) -> None:
    """ "Walgreens wasted 2.6 million doses, CVS 2.2 million ..." beside another outlet's "nearly 2.6
    million": "only one source reports it" would be half true (`compose._figure_elsewhere`)."""
    from briefer.engines.offline.compose import _Carriers, _figure_elsewhere

    docs, found = _cluster(
        tmp_path,
        "Doses wasted\n\nBy its own count, Walgreens wasted 2.6 million doses and CVS wasted 2.2 million.\n\n"
        "Rite Aid wasted 1.1 million doses, the pharmacy said.\n",
        "Pharmacies waste doses\n\nWalgreens reported the most waste of any pharmacy, with nearly 2.6 million doses.\n",
    )
    carriers = _Carriers.of(found)
    claims = {c.text: c for c in found}
    assert _figure_elsewhere(
        claims["By its own count, Walgreens wasted 2.6 million doses and CVS wasted 2.2 million."], carriers
    )
    assert not _figure_elsewhere(claims["Rite Aid wasted 1.1 million doses, the pharmacy said."], carriers)


def test_an_unnamed_source_is_no_question_when_another_outlet_tells_it_on_the_record() -> None:
    """ "..., officials said" asks who they are, unless another outlet tells the fact on the record
    ("the attorney general announced", `compose.answered_elsewhere`); "allegedly" and "reportedly"
    say nobody named vouches for a fact, not that it may happen (`extract._ANONYMOUS`, not `_HEDGES`)."""
    from briefer.engines.offline.compose import answered_elsewhere

    text = "Reyes also allegedly retaliated against two of the aides, officials said."
    kind, _, anonymous, hedged = classify(text)
    assert kind != "prediction" and anonymous and not hedged
    claim = _claim("b", 1, text)
    on_record = {
        "a": [key("Reyes worked to retaliate against two of the aides, the attorney general announced.")]
    }
    assert answered_elsewhere("unconfirmed_sourcing", claim, on_record, on_record, frozenset())
    assert not answered_elsewhere("unconfirmed_sourcing", claim, on_record, {"a": []}, frozenset()), (
        "told elsewhere only by another unnamed source: still a question"
    )
    assert not answered_elsewhere("speculative", claim, on_record, on_record, frozenset())
    same_article = {"b": on_record["a"]}
    assert answered_elsewhere("unconfirmed_sourcing", claim, {}, same_article, frozenset()), (
        "the article itself names who says it, further on"
    )
    assert not answered_elsewhere("single_source", claim, same_article, {}, frozenset())


def test_a_dispute_whose_accusation_the_page_prints_asks_only_the_answer(tmp_path: Path) -> None:
    """When the bottom line already says one side's accusation, the dispute prints the answer, which
    names what it answers ("In response to ..."), not the accusation a second time."""
    import briefer

    _cluster(
        tmp_path,
        "Norland condemns harbour deal\n\nNorland condemned the harbour deal between Ellis and Varta on "
        "Monday, calling it a provocation.\n\nThe deal lets Varta's navy use the port of Ellis for ten "
        "years.\n",
        "Ellis and Varta sign port deal\n\nEllis and Varta signed a deal on Monday that lets Varta's navy "
        "use the port of Ellis for ten years.\n\nNorland denounced the deal, calling it a provocation "
        "that threatens the region.\n\nIn response to Norland's accusations, the Ellis foreign ministry "
        "said the deal is strictly defensive and that calling it a provocation is false.\n\n"
        "Work on a new pier for the navy's ships will start in May and cost about $40 million. The port "
        "will stay open to ferries and cargo ships while the pier is built, the harbour board said. "
        "Varta's defence minister, Ilse Maren, will visit Ellis in June to open the first berth.\n",
    )
    brief = briefer.run([tmp_path], engine="offline", max_words=150)
    printed = " ".join(s.text for s in brief.bottom_line + brief.key_points)
    assert "provocation" in printed
    (dispute,) = [q for q in brief.open_questions if q.kind == "sources_disagree"]
    (answer,) = dispute.sentences
    assert answer.text.startswith("In response to Norland's accusations")


def test_an_outlet_that_gives_no_figure_is_not_cited_for_one() -> None:
    """Another outlet's sentence corroborates a lead only when it gives the lead's distinctive figures,
    (`facts.gives_figures` in `groups.corroborates`): "[1, 2]" on "$1.2 trillion"
    would say outlet 2 gives that figure."""
    from briefer.engines.offline.groups import corroborates

    lead = "The Senate voted on Wednesday to advance the $1.2 trillion infrastructure bill."
    assert not corroborates(lead, "The Senate voted on Wednesday to advance the infrastructure bill.")
    assert corroborates(
        lead, "On Wednesday the Senate voted to advance the $1.2 trillion infrastructure bill."
    )


def test_a_question_cites_every_outlet_that_carries_its_sentence(tmp_path: Path) -> None:
    """An unknown two outlets quote alike is asked once, citing both; a lone report still cites one."""
    unknown = '"It is unclear whether the ferry can sail again before June," Ada Varga wrote in a letter.'
    docs, claims = _cluster(
        tmp_path,
        "Ferry halted\n\nKelby Star (News) | 2026-02-18\n\n"
        "The Kelby council halted the island ferry on Monday after engineers found cracks in its hull.\n\n"
        + unknown
        + "\n",
        "Ferry stops\n\nKelby Post (News) | 2026-02-18\n\n"
        "The island ferry was halted on Monday by the Kelby council after cracks were found in its hull.\n\n"
        + unknown
        + "\n",
    )
    from briefer.engines.offline.compose import compose

    draft = compose(docs, claims)
    (asked,) = [q for q in draft.open_questions if q.kind == "information_missing"]
    assert {c.doc_id for c in asked.sentences[0].citations} == {d.id for d in docs}


def test_two_long_tellings_of_one_figure_are_one_fact_though_the_topic_weighs_less() -> None:
    """ "The Senate passed a $3.5 trillion budget blueprint early Wednesday, ..." and "Democrats
    pushed a $3.5 trillion framework ... through the Senate early Wednesday, ...": the same large
    figure, said of the same thing, in long sentences whose other words differ (and whose shared
    names are the story's topic, which weighs half)."""
    topic = frozenset({"kelby", "council", "wednesday"})
    first = (
        "The Kelby council passed a $48 million harbour blueprint early Wednesday, the first step in an arduous "
        "process designed to let the mayor push through a sweeping package of schools, roads and housing "
        "without opposition votes."
    )
    second = (
        "Councillors moved a $48 million framework for bolstering family services, parks and transit programs "
        "through the Kelby council early Wednesday, advancing a vision for reshaping city priorities just hours "
        "after a win on the budget."
    )
    other = (
        "Councillors cut the ferry fare for children and pensioners through the Kelby council early Wednesday, "
        "advancing a promise made for family services just hours after the vote."
    )
    printed = [is_duplicate(first, [], topic)[1]]
    assert is_duplicate(second, printed, topic)[0]
    assert not is_duplicate(other, printed, topic)[0], "no figure in common: another fact"


def test_an_outlet_is_cited_for_a_telling_only_when_its_sentence_carries_most_of_it() -> None:
    """One fact is not always one sentence: an outlet whose sentence tells the meeting's outcome but
    never names where it was said is one fact with the telling that does, yet not cited for it."""
    telling = "The two ministers made the comments on Tuesday in a meeting with port director Ada Varga."
    other = "The two ministers made comments on Tuesday warning that the port would close in June."
    mine, theirs = _claim("d1", 0, telling), _claim("d2", 0, other)
    from briefer.engines.offline.groups import Group

    group = Group(claims=[theirs, mine], doc_ids={"d1", "d2"})
    assert {c.citations[0].doc_id for c in _cites(mine, group)} == {"d1"}


def test_a_tally_is_one_figure_however_an_outlet_writes_it() -> None:
    """ "The 19\u20130 vote" and "voted 19-to-0" are one tally: the second telling is a repeat."""
    assert figures_of("The 19\u20130 vote came after a day of talks.") == figures_of(
        "The panel voted 19-to-0 that the ferry should run."
    )
    assert figures_of("The 19\u20130 vote came after a day of talks.") == {FIGURE + "19-0"}
    chosen = [key("The 19\u20130 vote by the harbour panel is not binding on the port.")]
    assert is_duplicate("Members backed the ferry plan 19-to-0 after hours of talks on Tuesday.", chosen)[0]
    assert not figures_of("Fares rose in the years 2019-2021.")  # a span of years is no tally


def test_an_excerpt_cut_inside_a_list_is_not_cut_at_the_lists_comma() -> None:
    """ "... between the House, Senate and White House that ..." cut at the list's comma would print
    "between the House.": the comma is inside the list, so the sentence stays cut off."""
    cut = (
        "Progressive members stayed firm in their threat to sink the vote without a detailed commitment "
        "between the House, Senate and White House that the package..."
    )
    assert complete_clause(cut) == cut


@pytest.mark.parametrize(
    ("sentence", "anonymous"),
    [
        ("The ferry fund will be exhausted next month, Ms. Varga said in a letter to lawmakers.", False),
        ("The vote is delayed, one of the aides said.", True),
        ("The talks stalled, a senior harbour official said.", True),
    ],
)
def test_a_named_speakers_letter_to_lawmakers_is_no_unnamed_source(sentence: str, anonymous: bool) -> None:
    assert classify(sentence)[2] is anonymous


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The twin votes represented a heavy setback to the mayor's plan for the harbour.", "assessment"),
        (
            "Expert advisers to the port authority are meeting Friday on the dredging plan for the harbour.",
            "event",
        ),
        (
            "Expert advisers to the port authority are meeting Friday on the dredging plan, the first phase "
            "of what could be a long effort to decide who pays.",
            "event",
        ),
    ],
)
def test_an_outlets_reading_is_an_assessment_and_a_panel_that_meets_is_an_event(
    sentence: str, kind: str
) -> None:
    """A past-tense "represented" reads the news as "represents" does; "expert advisers" who meet are
    a body acting, and "what could be a long effort" characterises the meeting, it forecasts nothing."""
    assert classify(sentence)[0] == kind


def test_a_forecast_is_asked_only_of_words_that_still_forecast(tmp_path: Path) -> None:
    """The claim "The board meets Friday on fees; it could raise them ..." is a forecast, but the
    excerpt cut it off and the page prints "The board meets Friday on fees.": no forecast is left
    to label "Speculative" (`compose._open_questions`)."""
    from briefer.engines.offline.compose import compose

    cut = (
        "The Ellis harbour board meets on Friday to decide mooring fees for ferries; "
        "it could raise them by a tenth and..."
    )
    assert classify(cut)[0] == "prediction" and complete_clause(cut).endswith("ferries.")
    docs, claims = _cluster(
        tmp_path,
        "Ellis fees\n\nThe Ellis ferry service carried 2.1 million people last year, its busiest on record.\n\n"
        + cut
        + "\n",
        "Ferry year\n\nThe Ellis ferry service carried 2.1 million people last year, the most since it began.\n\n"
        "Pensioners ride the Ellis ferries free on weekdays, the board said.\n",
    )
    kinds = [q.kind for q in compose(docs, claims).open_questions]
    assert "speculative" not in kinds, kinds


def test_loaded_idioms_and_names_are_an_outlets_framing() -> None:
    from briefer.core.text import characterises

    assert characterises("Vaccines remain effective against CCP virus infections, the study found.")
    assert characterises(
        "The study aimed to evaluate protection against CCP (Chinese Communist Party) virus infections."
    )
    assert characterises("The ferry is unsafe, and the council had better do something about it, fast.")
    assert not characterises('"You had better leave now," the harbour master told the crew.')
    assert characterises("The move is wishful thinking on behalf of the council.")
    assert not characterises('Critics called the plan "wishful thinking" on Monday.')
    assert characterises("Council members torpedoed the ferry plan and rammed through a fare rise.")
    assert not characterises("Council members rejected the ferry plan and passed a fare rise.")
    assert characterises("The bridge was inundated with thousands of illegal immigrants on Thursday.")
    assert not characterises("Thousands of migrants gathered under the bridge on Thursday.")
    assert characterises(
        "The mayor vowed to act after council Republicans killed a Democratic harbour reform bill."
    )
    assert not characterises("The storm killed 13 people and destroyed the harbour plan's offices.")
    assert not characterises('The mayor said Republicans "killed the bill" on Monday.')


def test_an_outlets_own_reading_is_not_asked_as_only_one_sources_report(tmp_path: Path) -> None:
    """ "Ellis's refusal highlights how little ..." is the outlet's analysis: printed with its name
    as a key point, never "Only one source reports" (there is no report to confirm)."""
    from briefer.engines.offline.compose import compose

    reading = (
        "Ellis's refusal highlights how little the region has spent on harbours since the Orme Quay "
        "opened in 1998."
    )
    docs, claims = _cluster(
        tmp_path,
        "Ellis pier\n\nThe Ellis council voted 5-2 on Tuesday against the new ferry pier and its $4 million "
        "budget.\n\n" + reading + "\n",
        "Pier rejected\n\nThe Ellis council rejected the new ferry pier on Tuesday in a 5-2 vote on its $4 "
        "million budget.\n\nThe mayor, Ada Varga, said she would bring the plan back in May.\n",
    )
    draft = compose(docs, claims)
    asked = [(q.kind, s.text) for q in draft.open_questions for s in q.sentences]
    assert not any(k == "single_source" and "highlights" in t for k, t in asked), asked


def test_an_outlets_own_name_is_no_detail_only_it_reports(tmp_path: Path) -> None:
    """ "In a statement sent to Harbour Daily, the council said ...": that the statement went to the
    outlet is no fact the others lack (`compose._specific`)."""
    from briefer.engines.offline.compose import _Carriers, _specific

    docs, found = _cluster(
        tmp_path,
        "Pier\n\nIn a statement sent to Harbour Daily, the council said the Ellis pier closes in May.\n",
        "Pier to close\n\nThe council said the Ellis pier closes in May for repairs.\n",
    )
    sent = next(c for c in found if c.text.startswith("In a statement"))
    carriers = _Carriers.of(found)
    assert _specific(sent, carriers), "without the outlet's name, Harbour and Daily are its own names"
    assert not _specific(sent, carriers, "Harbour Daily")


def test_an_excerpt_cut_is_not_trimmed_before_a_contrast_in_what_it_drops() -> None:
    """ "... and the port office, which studied the plan but did not support ...": trimmed at the
    aside, the head would drop the office's reservation."""
    cut = (
        "Ferry officials presented data from two trials, including a small trial that studied the "
        "safety of night crossings, as did pilots from Orme, one of the first ports to run them, and "
        "the port office, which performed an analysis of the data but did not support..."
    )
    assert complete_clause(cut) == cut
    plain = "Ferry officials presented data from two trials on Monday, which the port office studied in..."
    assert complete_clause(plain) == "Ferry officials presented data from two trials on Monday."


def _said(doc: str, text: str, n: int = 0) -> Claim:
    return Claim(
        id=f"{doc}-{n}",
        text=text,
        kind="event",
        citations=[Citation(doc_id=doc, start=0, end=len(text), quote=text)],
    )


def test_a_preview_that_another_outlet_reports_is_overtaken() -> None:
    """ "will testify ... on Tuesday" beside another outlet's report of Tuesday's hearing: the event
    has happened, so the preview is no forecast and does not lead (`previews.Reports`). The day must
    be the announced event's, and what someone said will happen is a statement, not a preview."""
    from briefer.engines.offline.previews import Reports, looks_ahead

    preview = _said(
        "a",
        "Gen. Ada Marsh and Gen. Ivo Lind will testify before the Senate Armed Services Committee on Tuesday.",
    )
    report = [
        _said("b", "The top general on Tuesday defended her phone call with the harbour authority.", 1),
        _said("b", "Testifying before the Senate Armed Services Committee, Gen. Ada Marsh pushed back.", 2),
    ]
    assert Reports.of([preview, *report]).overtaken(preview)
    assert not Reports.of([preview, report[1]]).overtaken(preview)  # nobody reports Tuesday's news
    assert not Reports.of([preview, _said("a", report[0].text, 3), _said("a", report[1].text, 4)]).overtaken(
        preview
    )  # the preview's own article is no other outlet's report
    monday = _said("a", "The vaccine will soon carry a new warning from regulators, it was revealed Monday.")
    told = _said(
        "c", "The harbour authority on Monday announced a new warning from regulators for the vaccine."
    )
    assert not Reports.of([monday, told]).overtaken(
        monday
    )  # Monday is the day of the news, not of the warning
    assert not looks_ahead("Ada Marsh told the council that the harbour will run out of money on Tuesday.")
    assert not looks_ahead("The harbour will not close, Mayor Ada Marsh said on Sunday.")
    assert looks_ahead("The council will vote on the harbour plan on Tuesday.")


def test_a_claim_that_credits_another_outlet_in_the_folder_is_not_one_sources() -> None:
    """ "..., according to reports first shared by the Harlow Tribune": the Tribune is in the folder
    and carries it, however differently it words it, so "only one source reports" would be false."""
    from briefer.core.models import DocumentMeta
    from briefer.engines.offline.compose import _credits_another

    def doc(i: str, outlet: str) -> Document:
        return Document(
            id=i, path=f"{i}.txt", format="txt", encoding="utf-8", text="x", meta=DocumentMeta(outlet=outlet)
        )

    docs = {"a": doc("a", "Harlow Tribune"), "b": doc("b", "Valley Wire")}
    credited = _claim(
        "b",
        0,
        "Ada Marsh flew to Ellis for secret talks, according to reports first shared by the Harlow Tribune.",
    )
    assert _credits_another(credited, docs)
    assert not _credits_another(
        _claim("b", 1, "Ada Marsh flew to Ellis for talks, the Valley Wire has learned."), docs
    )
    assert not _credits_another(_claim("b", 2, "Ada Marsh flew to Ellis for secret talks on Monday."), docs)


@pytest.mark.parametrize(
    ("sentence", "whole"),
    [
        # an opening phrase and a subject, the predicate lost with the excerpt's cut
        ("On May 4, 1921, more than 200,000 dockers in the port of Ellis.", False),
        ("In Ellis, thousands of dockers in the streets on Monday.", False),
        # a verb of any common form keeps the sentence
        ("On Monday, the council closed the bridge for repairs.", True),
        ("In 2019, the ferry company went bankrupt.", True),
        ("In Ellis, shopkeepers couldn\u2019t sell their wares during the strike.", True),
        ("For the dockers and some of their families, the strike's cost couldn't be higher.", True),
        ("Beyond the mayor's rhetoric, the deal signals a change in the port's finances.", True),
        ("After decades of service, including years at sea, the captain retired in May.", True),
        ("Across the harbour, crews clearing the wreck worked through the night.", True),
        # no opening phrase: not read (a present-tense verb without "s" cannot be told from a noun)
        ("The dockers of Ellis and their union in the streets on Monday.", True),
    ],
)
def test_a_sentence_whose_predicate_the_excerpt_cut_is_not_printed(sentence: str, whole: bool) -> None:
    """ "On May 1, 1886, more than 300,000 workers in the United States." ends with a full stop and
    says nothing: the excerpt kept the opening phrase and the subject (`standalone.no_main_verb`)."""
    assert printable(sentence) is whole


def test_a_figure_in_thousands_is_one_concept() -> None:
    """ "136,000 jobs" and "150,000 jobs" share no figure: a number keeps its thousands, so a "000"
    that every figure in thousands carries makes no two facts one (`facts.terms`)."""
    assert "136000" in concepts("The port added 136,000 jobs in May.")
    assert not concepts("The port added 136,000 jobs in May.") & concepts("Economists forecast 150,000.")


def test_a_passage_whose_first_sentence_is_on_the_page_is_a_repeat() -> None:
    """Two outlets each print "The study ..." after their own telling of the finding: as a passage, the
    second outlet's tells the finding again, and the other figure its second sentence gives (250
    ferries beside 2.34 times the odds) made the passage read whole look like another quantity.
    `coverage.repeats` reads a passage sentence by sentence."""
    from briefer.engines.offline.coverage import Option, repeats

    printed = (
        "A new Port Ellis Harbour Board study found that diesel ferries that have failed are twice as "
        "likely to face another breakdown as ferries that have been refitted. The study, published in "
        "the board's safety report, found that the diesel ferries had 2.34 times greater odds of "
        "another breakdown."
    )
    lead = (
        "Diesel ferries are more than twice as likely to break down again than ferries that are fully "
        "refitted, a new study suggests, underscoring the importance of refits in keeping routes open."
    )
    detail = (
        "The study, published Friday by the Port Ellis Harbour Board, looked at nearly 250 ferries in "
        "Kessel that broke down in 2020 and failed again between May and June 2021."
    )
    chosen = [is_duplicate(printed, [])[1]]
    passage = f"{lead} {detail}"
    assert not is_duplicate(passage, chosen)[0]  # read whole, the new figure hides the repeat
    whole = Option(None, passage, 60, frozenset(), ())
    assert not repeats(whole, chosen, frozenset())
    assert repeats(Option(None, passage, 60, frozenset(), (), parts=(lead, detail)), chosen, frozenset())


def test_a_views_words_are_not_cited_beside_a_news_report_as_fact(tmp_path: Path) -> None:
    """An analysis's "X, which the council heard on Monday, is a hard case" shares the hearing with a
    news report; printed citing both, it would state the analysis's judgement flat. Where a news
    report tells the fact, the composer offers only the report's words; a fact told by views alone
    is still offered, attributed."""
    docs, claims = _cluster(
        tmp_path,
        "Council hears ferry case\n\nHarbour Herald | 2025-05-05\n\n"
        "The Port Ellis council on Monday heard the case of Varga v. Ellis Lines, brought by ferry crews "
        "over unpaid overtime.\n\nThe crews asked the council to order back pay for 2023 and 2024.\n",
        "The ferry case that stumped the council\n\nCoast Review (Analysis) | 2025-05-05\n\n"
        "Varga v. Ellis Lines, which the Port Ellis council heard on Monday, is a hard case for ferry "
        "crews and for the council.\n\nNobody on the council seemed sure what the law asks of it.\n",
    )
    by_id = {d.id: d for d in docs}
    context = Context.of(docs, claims, _plain_claim)
    texts = [o.text for g in group_claims(claims) for o in _options(g, by_id, context)]
    assert any(t.startswith("The Port Ellis council on Monday heard the case") for t in texts)
    assert not any("hard case" in t for t in texts), texts
    assert (
        "In an analysis, Coast Review writes: Nobody on the council seemed sure what the law asks of it."
        in texts
    )


def test_allegedly_beside_a_charge_is_no_unnamed_source() -> None:
    """ "Prosecuted ... for allegedly voting illegally": the charge's makers are on the record, so
    "allegedly" hedges the charge and asks no "who says so" (`extract._anonymous`); flat, with no
    legal action reported, it still rests on someone unnamed."""
    assert not classify(
        "Now, Reyes is being prosecuted by the attorney general's office for allegedly voting twice."
    )[2]
    assert not classify("A ferry captain who allegedly left the ramp down was arrested on Monday.")[2]
    assert classify("Reyes allegedly left the ramp down before the ferry sailed.")[2]
    assert classify("Reyes was arrested on Monday after allegedly leaving the ramp down, officials said.")[2]


def test_words_said_before_the_news_are_background_and_do_not_tell_it(tmp_path: Path) -> None:
    """'"I wanted my vote in," Reyes told a radio station back in March 2020' is background, however
    quoted (`extract.classify`); grouped with the report of the arrest, it is no telling of the
    arrest (`compose._options`), so it never leads the page in the news's place."""
    old = (
        '"I wanted to get my vote in," Dana Reyes told a radio station back in March 2020, during the '
        "primary at the Ellis harbour school."
    )
    assert classify(old)[0] == "background"
    assert classify('"I wanted to get my vote in," Dana Reyes told a radio station on Monday.')[0] == "quote"
    assert (
        classify('"We are ready to work," the speaker said as the council was back in session.')[0] == "quote"
    )
    docs, claims = _cluster(
        tmp_path,
        "Ellis voter arrested\n\nDana Reyes of Ellis was arrested on charges that she voted in the 2020 "
        "primary at the harbour school while on parole.\n",
        "Reyes arrested\n\n" + old + "\n",
    )
    groups = [g for g in group_claims(claims) if any(c.text == old for c in g.claims)]
    assert groups and len(groups[0].claims) == 2, "the old words and the arrest are grouped as one fact"
    options = _options(groups[0], {d.id: d for d in docs}, Context.of(docs, claims, _plain_claim))
    assert options and all("radio station" not in o.text for o in options)


def test_one_of_a_set_the_sentence_before_names_is_told_after_it(tmp_path: Path) -> None:
    """ "One complaint alleges ..." right after "Two residents filed complaints ...": printed alone it
    picks one of a set the page never named, so it is told only after that sentence
    (`standalone.picks_one_of`, `passages.Context.tellings`); "One ferry sank" after a sentence with
    no "ferries" is a count and stands alone."""
    from briefer.engines.offline.standalone import picks_one_of

    assert picks_one_of(
        "One complaint alleges that the ferry left early.", "Two residents filed complaints on Monday."
    )
    assert picks_one_of("Another inquiry found no fault.", "The council ordered two inquiries.")
    assert picks_one_of("One survey found no fault.", "The council ordered two surveys.")
    assert picks_one_of("One box held the ledgers.", "Officers took five boxes away.")
    assert not picks_one_of("One ferry sank in the storm.", "The storm hit the Ellis coast on Monday.")
    docs, claims = _cluster(
        tmp_path,
        "Ferry complaints\n\nTwo Ellis residents filed complaints with the harbour board on Monday. "
        "One complaint alleges that the night ferry left the north quay with its ramp still down.\n",
    )
    context = Context.of(docs, claims, _plain_claim)
    one = next(c for c in claims if c.text.startswith("One complaint"))
    tellings = context.tellings(one)
    assert tellings and all(t.startswith("Two Ellis residents filed complaints") for t, _ in tellings), (
        tellings
    )


def test_the_same_event_past_a_long_description_of_its_subject_is_a_repeat() -> None:
    """ "Rep. Dana Reyes, a harbour lawyer who ... , has died" after "Rep. Dana Reyes died early
    Thursday at Ellis General Hospital ...": the description between subject and verb hides that the
    sentence reports the same death (`facts.core`). Another event of the same subject is none."""
    from briefer.engines.offline.facts import core

    long = (
        "Rep. Dana Reyes, a harbour lawyer and ferry campaigner who served on the Ellis council before "
        "representing the county in the state House, where she led the inquiry into the port, has died."
    )
    assert core(long) == "Rep. Dana Reyes has died."
    chosen = [
        key(
            "Rep. Dana Reyes died early Thursday at Ellis General Hospital after a long illness, her office said."
        )
    ]
    assert is_duplicate(long, chosen)[0]
    other = long.replace("has died", "was elected mayor on Tuesday")
    assert not is_duplicate(other, chosen)[0]
    assert core("The council voted on Monday to close the bridge.") == ""


def test_a_forecast_another_outlet_reports_done_is_no_open_question() -> None:
    """ "Rescue teams are expected to resume the search ... once the demolition is complete" beside
    another outlet's "Search crews resumed their work after the ... condo building was brought down":
    the event has happened, so it is no forecast (`previews.Reports.overtaken`, with no weekday);
    a report of another event with the same words is none. A purpose clause's "could" forecasts
    nothing (`extract.forecasts`)."""
    from briefer.engines.offline.extract import forecasts
    from briefer.engines.offline.previews import Reports

    preview = _claim(
        "a",
        1,
        "Rescue teams are expected to resume the search for survivors once the demolition of the Ellis condo building is complete.",
    )
    done = _claim(
        "b", 1, "Search crews resumed their work after the rest of the Ellis condo building was brought down."
    )
    other = _claim(
        "b", 1, "Search crews paused their work after the rest of the Ellis condo building was brought down."
    )
    assert Reports.of([preview, done]).overtaken(preview)
    assert not Reports.of([preview, other]).overtaken(preview)
    assert not Reports.of([preview]).overtaken(preview)
    assert not forecasts(
        "Crews began clearing the debris so rescuers could start making their way into the garage."
    )
    assert forecasts("The river rose overnight, so the town could flood by Friday.")


def test_another_day_of_the_month_makes_another_step_of_the_story() -> None:
    """Beside "The new rule in Harbour County begins Oct. 7, with proof of one vaccine dose
    required", "By Nov. 4, proof of full vaccination will be mandatory" shares the story's words
    (proof, vaccination) but gives another date: the next step, not the same fact again
    (`facts.dates_of`). The same date said again, in the same words, still repeats."""
    chosen = [
        key("Harbour County officials will begin requiring proof of vaccination at indoor bars next month."),
        key("The new rule in Harbour County begins Oct. 7, with proof of one vaccine dose required."),
    ]
    later = "By Nov. 4, proof of full vaccination will be mandatory, according to the county's health office."
    assert dates_of(later) == {"@date:nov-4"}
    assert dates_of("Crews worked until 10 a.m. on May 3, and in 2020.") == {"@date:may-3"}
    assert not is_duplicate(later, chosen)[0]
    assert is_duplicate("The rule in Harbour County begins Oct. 7, with proof of one vaccine dose.", chosen)[
        0
    ]
    assert is_duplicate(later, [key(later.replace("the county's health office", "county officials"))])[0]


def test_the_vote_may_follow_another_outlets_line_that_tells_what_was_voted(tmp_path: Path) -> None:
    """ "The vote was 364 to 62" points back at the sentence before it in its source. When the page
    prints another outlet's telling of that sentence's fact, and that line names the vote, the vote
    may follow it (`passages.follows_across`): printed after "In a big bipartisan vote, House
    lawmakers on Tuesday passed ...", it reads as that vote. Not after a line of another fact, nor
    after one that never says "vote", nor a pronoun ("It passed the Senate"), whose referent the line
    may not give."""
    from briefer.engines.offline.passages import follows_across

    docs, claims = _cluster(
        tmp_path,
        "House passes bill\n\nIn a big bipartisan vote, House lawmakers on Tuesday passed legislation "
        "aimed at combating the rise in hate crimes against Asian Americans.\n",
        "House passes hate crimes bill\n\nThe House on Tuesday passed legislation to investigate hate crimes "
        "against Asian Americans. The vote was 364 to 62; all the votes in opposition came from Republicans. "
        "It passed the Senate 92-6 in April.\n",
    )
    context = Context.of(docs, claims, _plain_claim)
    line = next(c for c in claims if c.text.startswith("In a big")).text
    vote = next(c for c in claims if c.text.startswith("The vote"))
    senate = next(c for c in claims if c.text.startswith("It passed"))

    def tells(text: str) -> Callable[[str], bool]:
        return lambda prior: is_duplicate(prior, [key(text)])[0]

    assert back_role(vote.text) == "vote" and back_role(senate.text) is None
    assert follows_across(line, vote, context, tells(line))
    other = "Crews in Port Ellis on Tuesday began a vote count of the harbour levy."
    assert not follows_across(other, vote, context, tells(other)), "another fact"
    no_vote = "House lawmakers on Tuesday passed legislation aimed at hate crimes against Asian Americans."
    assert not follows_across(no_vote, vote, context, tells(no_vote)), "the line names no vote"
    assert not follows_across(line, senate, context, tells(line)), "a pronoun is not followed across outlets"
    assert back_role("The senator said the vote was close.") is None, "a person's role may be another person"
