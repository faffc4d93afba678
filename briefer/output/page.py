"""Fitting a brief to one page: drop the lowest-ranked parts until the rendered page is within its cap.

The cap comes from `briefer.core.budget`; words are counted on the rendered Markdown, the page a reader
sees, with the budget's one word counter.
"""

from __future__ import annotations

from collections.abc import Iterator

from briefer.core.budget import word_count
from briefer.core.models import Brief
from briefer.output.render import md, printed_sentences, render_markdown


def fit_to_page(brief: Brief, cap: int) -> Brief:
    """The first of `shorter(brief)`'s ever shorter versions whose rendered page fits `cap` words (the
    shortest one when none does).

    Rendering is what decides, but it is skipped for a version whose sentences alone already exceed
    the cap: every printed word is on the page, so such a version cannot fit."""
    fitted = brief
    for fitted in shorter(brief):
        if _sentence_words(fitted) <= cap and word_count(render_markdown(fitted)) <= cap:
            break
    return fitted


def shorter(brief: Brief) -> Iterator[Brief]:
    """`brief`, then each version with one more part dropped, in the order the page gives them up:
    "How the outlets frame it" (the whole part: one outlet's line alone shows no difference), the
    lowest-ranked key points, then new-since points, then open questions beyond three, then the
    remaining key points, then bottom-line sentences, then the last open questions (the page then
    counts them, never saying "None found"), then what "None found" says was checked, then a title
    that only its own Sources line carries."""
    yield brief
    while True:
        if brief.framing:
            brief = brief.model_copy(update={"framing": []})
        elif len(brief.key_points) > 1:
            brief = brief.model_copy(update={"key_points": brief.key_points[:-1]})
        elif brief.new_since and len(brief.new_since.points) > 1:
            trimmed = brief.new_since.model_copy(update={"points": brief.new_since.points[:-1]})
            brief = brief.model_copy(update={"new_since": trimmed})
        elif len(brief.open_questions) > 3:
            brief = _without_last_question(brief)
        elif brief.key_points:
            brief = brief.model_copy(update={"key_points": []})
        elif len(brief.bottom_line) > 1:
            brief = brief.model_copy(update={"bottom_line": brief.bottom_line[:-1]})
        elif brief.open_questions:
            brief = _without_last_question(brief)
        elif not brief.questions_left_out and not brief.terse_none_found:
            brief = brief.model_copy(update={"terse_none_found": True})
        elif (cited := _cited_title(brief)) is not None and cited != brief.title:
            # the last words to give up on a page of tiny sources: the Sources line of a document
            # that only titles the brief, for the headline of one the page cites
            brief = brief.model_copy(update={"title": cited})
        else:
            return
        yield brief


def _without_last_question(brief: Brief) -> Brief:
    """`brief` with its lowest-ranked open question left out for room, and kept among those left out."""
    *kept, last = brief.open_questions
    return brief.model_copy(
        update={"open_questions": kept, "questions_left_out": [last, *brief.questions_left_out]}
    )


def _cited_title(brief: Brief) -> str | None:
    """The headline of the first document the page's sentences cite, if it has one."""
    docs = {d.id: d for d in brief.documents}
    first = next((d for s in printed_sentences(brief) for d in s.doc_ids if d in docs), None)
    return docs[first].meta.title if first is not None else None


def _sentence_words(brief: Brief) -> int:
    return sum(word_count(md(s.text)) for s in printed_sentences(brief)) + sum(
        word_count(md(line.printed())) for line in brief.framing
    )
