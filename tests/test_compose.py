"""Compose on invented multi-outlet articles (tests/fixtures/storm), never on the seeds' wording."""

from pathlib import Path

import pytest

from briefer.core.segment import segment
from briefer.engines.offline.compose import compose
from briefer.engines.offline.extract import extract_claims
from briefer.engines.offline.groups import group_claims
from briefer.sources import load

STORM = Path(__file__).parent / "fixtures" / "storm"


@pytest.fixture(scope="module")
def storm():
    docs = load([STORM]).documents
    claims = [c for d in docs for c in extract_claims(d, segment(d))]
    return docs, claims


def test_same_fact_from_several_outlets_is_one_point_citing_all(storm):
    docs, claims = storm
    groups = group_claims(claims)
    landfall = [g for g in groups if "landfall" in g.lead.text]
    assert len(landfall) == 1 and len(landfall[0].doc_ids) == 3
    assert groups[0] is landfall[0], "the fact every outlet carries ranks first"


def test_different_figures_are_not_merged(storm):
    _, claims = storm
    for g in group_claims(claims):
        texts = " ".join(c.text for c in g.claims)
        assert not ("12 people" in texts and "15 people" in texts)


def test_open_questions_come_from_evidence(storm):
    docs, claims = storm
    draft = compose(docs, claims)
    kinds = {q.kind for q in draft.open_questions}
    # The page is kept shorter than these short sources (359 words), so the questions a reader needs
    # most come first: both disputes, then what the sources say is unknown.
    assert {"sources_disagree", "information_missing"} <= kinds
    disputed = [
        " / ".join(s.text for s in q.sentences) for q in draft.open_questions if q.kind == "sources_disagree"
    ]
    assert any("12" in d and "15" in d for d in disputed), "different death tolls are a dispute"
    assert any("denied" in d for d in disputed), "a rebuttal is paired with the accusation it answers"
    for q in draft.open_questions:
        for s in q.sentences:
            assert s.citations


def test_key_points_are_plain_facts_and_fit_the_budget(storm):
    docs, claims = storm
    draft = compose(docs, claims, max_words=120)
    words = sum(len(s.text.split()) for s in draft.bottom_line + draft.key_points)
    words += sum(len(s.text.split()) for q in draft.open_questions for s in q.sentences)
    assert words <= 160  # budget plus citation markers
    assert 1 <= len(draft.bottom_line) <= 3
    for s in draft.bottom_line + draft.key_points:
        assert "could" not in s.text and "remains unclear" not in s.text


def test_no_near_duplicate_points(storm):
    docs, claims = storm
    draft = compose(docs, claims)
    texts = [s.text for s in draft.bottom_line + draft.key_points]
    assert sum("landfall" in t for t in texts) == 1


def test_unknowns_are_questions_and_attributed_quotes_are_facts(tmp_path):
    """A source's 'has not explained' is an open question, never a key fact; a quotation that names its
    speaker may be reported, a bare continuation quote may not."""
    (tmp_path / "bridge.txt").write_text(
        "Council approves new bridge\n\n"
        "The Riverside city council voted 7-2 on Tuesday to approve a new pedestrian bridge.\n"
        '"The bridge connects two neighbourhoods cut off for decades," said Mayor Lena Ortiz.\n'
        '"It took us ten years to get here."\n'
        "Opponents said the council has not explained how maintenance will be funded.\n",
        encoding="utf-8",
    )
    docs = load([tmp_path]).documents
    claims = [c for d in docs for c in extract_claims(d, segment(d))]
    draft = compose(docs, claims)
    stated = [s.text for s in draft.bottom_line + draft.key_points]
    assert any("said Mayor Lena Ortiz" in t for t in stated)
    assert not any(t.startswith('"It took us') for t in stated)
    missing = [s.text for q in draft.open_questions if q.kind == "information_missing" for s in q.sentences]
    assert missing == ["Opponents said the council has not explained how maintenance will be funded."]
