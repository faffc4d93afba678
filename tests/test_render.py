from pathlib import Path

from briefer.output.render import md


def test_markdown_escapes_links_images_and_html():
    out = md("Click [here](http://evil.example) ![x](y) <script>alert(1)</script> *bold* `code`")
    assert "[here](" not in out and "![x](" not in out and "<script>" not in out
    assert r"\[here\]" in out and r"\<script\>" in out and r"\*bold\*" in out


def test_markdown_escapes_block_markers_at_line_start():
    assert md("# not a heading").startswith("\\#")
    assert md("1. not a list").startswith("1\\.")
    assert md("line one\nline two") == "line one line two"


def test_the_footer_says_when_a_source_read_is_not_cited(tmp_path: Path) -> None:
    import briefer as api

    (tmp_path / "a.txt").write_text(
        "Bridge to close\n\nThe council voted 5-2 on Tuesday to close the Old Mill Road bridge for six weeks.\n\n"
        "Drivers will take a detour over Route 9 while the bridge is closed for repairs.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Notes\n\nand the rest of the meeting went on until...\n", encoding="utf-8"
    )
    brief = api.run([tmp_path], engine="offline")
    page = api.render_markdown(brief)
    assert page.rstrip().endswith("2 documents read (1 not cited)"), page
    assert f"\nRead, not cited: {md(str(tmp_path / 'b.txt'))}\n" in page, "which one, not only how many"
    assert f"Read, not cited: {tmp_path / 'b.txt'}" in api.render_html(brief)


def test_the_title_is_the_storys_headline_whatever_the_budget(tmp_path: Path) -> None:
    """The title is read from every document, not from those a page cites: a page of one line (as at
    a small budget) keeps the headline of the page of many (`core.headline.story_title`), and a document
    that only titles the brief is listed as a source too."""
    import briefer as api

    stories = {
        "a.txt": "Council acts\n\nThe Ellis city council voted 5-2 on Monday to close "
        "the north bridge for six weeks after engineers found cracks in two of its piers. Drivers will "
        "take a detour over Route 9 while crews replace the piers. The repairs will cost $1.2 million.\n",
        "b.txt": "North bridge in Ellis to shut for repairs\n\nEngineers found cracks in two piers of the "
        "north bridge in Ellis, and the city council voted on Monday to shut it for six weeks. The state "
        "will pay most of the $1.2 million repair bill, the mayor said.\n",
        "c.txt": "Ellis north bridge closure splits council\n\nTwo council members voted against closing the "
        "north bridge, saying shops on Mill Street would lose customers during the six-week detour.\n",
    }
    for name, text in stories.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    from briefer.core.headline import story_title

    full = api.run([tmp_path], engine="offline")
    small = api.run([tmp_path], engine="offline", max_words=60)
    assert small.title == full.title == story_title(full.documents)
    titled = next(d for d in full.documents if d.meta.title == full.title)
    assert titled.id not in small.bottom_line[0].doc_ids, (
        "a story whose first line does not cite the headline"
    )
    for brief in (small, full):
        page = api.render_markdown(brief)
        number = page.splitlines()[0].rsplit("[", 1)[1].rstrip("]")
        assert f"\n{number}. {md(brief.title)} · " in page, "the headline's document is listed under Sources"


def test_two_headlines_are_told_apart_by_what_the_other_report_carries() -> None:
    from briefer.core.headline import central_title

    titles = ["Harbour reopens", "Storm damage leaves harbour shut for a week"]
    texts = [
        "Harbour reopens\n\nThe harbour reopened on Friday after repairs.",
        "Storm damage ...\n\nThe harbour reopened.",
    ]
    assert central_title(titles, texts=texts) == "Harbour reopens"
    assert central_title(list(reversed(titles)), texts=list(reversed(texts))) == "Harbour reopens"


def test_the_single_source_notice_only_when_one_document_was_read(tmp_path: Path) -> None:
    """ "This brief rests on a single source" is true only when one document was read: with another
    read and not cited the brief did not rest on one source (the footer counts it as not cited)."""
    import briefer

    (tmp_path / "a.txt").write_text(
        "Council closes bridge\n\nThe Ellis city council voted on Monday to close the north bridge to "
        "all traffic after engineers found cracks in two of its piers.\n",
        encoding="utf-8",
    )
    brief = briefer.run([tmp_path], engine="offline")
    assert "rests on a single source, so nothing in it is corroborated. [1]" in briefer.render_markdown(brief)
    other = brief.documents[0].model_copy(update={"id": "other", "path": "b.txt"})
    two = brief.model_copy(update={"documents": [*brief.documents, other]})
    assert "rests on a single source" not in briefer.render_markdown(two)


def test_a_page_of_three_one_sentence_sources_is_shorter_than_they_are(tmp_path: Path) -> None:
    """The title's words count when the page is fitted (`core.headline.story_title` comes first), and
    the last words a page of tiny sources gives up are a Sources line that only its title needs."""
    import briefer as api
    from briefer.core.budget import word_count

    texts = {
        "a.txt": "Council offer draws sharp reactions from both parties\n\nThe mayor's budget offer to end "
        "the strike drew sharp reactions from council members of both parties on Friday.\n",
        "b.txt": "Mayor angered by rejection of compromise\n\nThe mayor attacked council members for "
        "rejecting his proposals to end the longest strike in the city's history, now in its fifth week.\n",
        "c.txt": "Council members reject mayor's latest budget proposal\n\nCouncil members on Saturday "
        "rejected the mayor's proposal to extend some pay rises for drivers and cleaners in exchange for "
        "cuts to the night bus service and the closure of two depots.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    brief = api.run([tmp_path], engine="offline")
    assert word_count(api.render_markdown(brief)) < sum(word_count(t) for t in texts.values())


def test_an_unverified_sentence_tells_the_reader_why_in_words_not_a_score() -> None:
    from briefer.core.models import Citation, SummarySentence, Verdict
    from briefer.runs.pipeline import _unverified_questions

    loose = Verdict(
        label="unsupported", score=0.55, reasons=["its wording follows the sources only loosely (score 0.55)"]
    )
    cited = Citation(doc_id="d1", start=0, end=17, quote="He liked the show")
    s = SummarySentence(id="k0", text="Carlson liked what he saw.", citations=[cited], verdict=loose)
    (q,) = _unverified_questions([s])
    assert q.note == "its wording follows the sources only loosely"
    assert q.sentences[0].verdict is not None and q.sentences[0].verdict.score == 0.55, "the score is kept"


def test_a_page_without_room_for_its_questions_never_says_none_found(tmp_path: Path) -> None:
    """A page fitted so tightly that its open questions go says how many it left out, never "None
    found", and the brief (its JSON) keeps them; with none found, the words saying what was checked
    are the last a page gives up (`output.page.shorter`)."""
    import briefer
    from briefer.output.page import fit_to_page

    brief = briefer.run([Path("seeds")], engine="offline")
    assert brief.open_questions, "the seeds' brief has open questions"
    tight = fit_to_page(brief, 1)
    page = briefer.render_markdown(tight)
    assert tight.open_questions == [] and "None found" not in page
    assert [q.sentences[0].text for q in tight.questions_left_out] == [
        q.sentences[0].text for q in brief.open_questions
    ], "every question left out is kept, best first"
    n = len(brief.open_questions)
    assert f"**Left out for room:** {n} open question{'s' * (n != 1)} (" in page
    assert "questions_left_out" in briefer.render_json(tight)

    none = brief.model_copy(update={"open_questions": []})
    assert "**None found:** nothing disputed" in briefer.render_markdown(none)
    terse = fit_to_page(none, 1)
    assert terse.terse_none_found and "- **None found** [" in briefer.render_markdown(terse)
    assert "<p>None found.</p>" in briefer.render_html(terse)
