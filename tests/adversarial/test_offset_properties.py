"""Property-based tests: for any text, every span briefer produces indexes that text exactly.

Loading (any bytes written as UTF-8 or UTF-16 with a BOM, any line endings), segmentation (any
paragraph), citations (offline claims, LLM quotes located in sentences) and whole offline runs over
small generated articles: wherever an offset is made, `text[start:end]` is what it claims to be.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from invariants import assert_json_invariants

from briefer.core.errors import BrieferError
from briefer.core.models import Brief, Document, Span, citation_problem
from briefer.core.segment import _word_before, segment, split_sentences
from briefer.engines.llm.answers import _fold, locate
from briefer.engines.offline.extract import extract_claims
from briefer.runs.pipeline import run
from briefer.sources import load

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that exercises what loading and segmentation care about: line endings, quotes, abbreviations,
# stops, BOMs, non-Latin letters and combining marks, spaces of every kind.
_PIECES = st.sampled_from(
    ["\n", "\r\n", "\r", "\n\n", " ", "\t", "\u00a0", "\u2003", ". ", "! ", "? ", "...", "\u2026", '"', "\u201c",
     "\u201d", "'", "\u2019", "Mr. ", "U.S. ", "e.g. ", "J. ", "No. 5", "(", ")", "[", "]", "\ufeff", "\u200b",
     "é", "ß", "\u0301", "\u4e2d", "\U0001f600", "-", "\u2014", ":", ";", ","]
)  # fmt: skip
_WORDS = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=8)
TEXTS = st.lists(st.one_of(_PIECES, _WORDS), max_size=60).map("".join)


def _load_text(data: bytes, suffix: str = ".txt") -> Document | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        try:
            docs = load([path]).documents
        except BrieferError:
            return None
        return docs[0]


def _assert_spans_index(doc: Document) -> None:
    spans = [*doc.body, *doc.furniture]
    for span in spans:
        assert 0 <= span.start < span.end <= len(doc.text)
        piece = doc.text[span.start : span.end]
        assert piece == piece.strip() and piece.strip("\ufeff\u200b")
    ordered = sorted((s.start, s.end) for s in spans)
    for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
        assert end <= start, "spans overlap"


@PROPERTY
@given(TEXTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]), st.sampled_from([".txt", ".md"]))
def test_loading_any_text(text: str, encoding: str, suffix: str) -> None:
    """Loaded text is the newline-normalised decoded file (what `open()` returns) and every body and
    furniture span indexes it; a file that is refused is refused with a reason, never a crash."""
    doc = _load_text(text.encode(encoding), suffix)
    if doc is None:
        return
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert doc.text.lstrip("\ufeff") == expected.lstrip("\ufeff")
    _assert_spans_index(doc)
    for sentence in segment(doc):
        assert doc.text[sentence.start : sentence.end] == sentence.text


@PROPERTY
@given(TEXTS)
def test_segmenting_any_paragraph(block: str) -> None:
    """Sentences are trimmed, ordered, disjoint spans of the paragraph that leave out only space."""
    spans = split_sentences(block)
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(block)
        assert block[start:end] == block[start:end].strip()
        assert not block[last:start].strip()
        last = end
    assert not block[last:].strip()


_REFERENCE = re.compile(r"([A-Za-z][A-Za-z.]*)\Z")  # the old `$` also matched before a final newline


@PROPERTY
@given(st.text(alphabet="ab. \n", max_size=40), st.integers(min_value=0, max_value=40))
def test_word_before_matches_the_regex_it_replaced(block: str, at: int) -> None:
    """The linear backward scan finds the token the old (quadratic) regex found. One deliberate
    difference: the old pattern ended in `$`, which also matches before a trailing newline, so a
    stop on the line after a word counted as that word's; paragraphs never hold newlines anyway."""
    dot = min(at, len(block))
    match = _REFERENCE.search(block[:dot])
    assert _word_before(block, dot) == (match.group(1) if match else "")


def _doc(text: str) -> Document:
    lines, spans, pos = text.split("\n"), [], 0
    for line in lines:
        start, end = pos + len(line) - len(line.lstrip()), pos + len(line.rstrip())
        if end > start:
            spans.append(Span(start=start, end=end))
        pos += len(line) + 1
    return Document(id="d1", path="d1.txt", format="txt", encoding="utf-8", text=text, body=spans)


@PROPERTY
@given(TEXTS)
def test_offline_citations_are_exact_for_any_text(text: str) -> None:
    doc = _doc(text.replace("\r\n", "\n").replace("\r", "\n"))
    for claim in extract_claims(doc):
        for c in claim.citations:
            assert citation_problem(c, {doc.id: doc}) is None
            assert doc.text[c.start : c.end] == c.quote


@PROPERTY
@given(TEXTS, st.data())
def test_llm_quotes_map_to_exact_offsets(text: str, data: st.DataObject) -> None:
    """A quote the model copies from a sentence (with quotes straightened, dashes and case changed,
    spaces collapsed) is located at offsets whose text is that quote, loosely compared."""
    assume(text.strip())
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    assume(quote.strip())
    copied = " ".join(quote.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").split())
    hit = locate(text, 0, len(text), copied)
    assert hit is not None
    s, e = hit
    assert 0 <= s < e <= len(text)
    assert _fold(text[s:e])[0].strip() == _fold(copied)[0].strip()  # the same words, compared loosely


# --- whole runs over generated articles -------------------------------------------------------------

_NAMES = ["Maria Lopez", "Governor Bianchi", "the agency", "Dr. Chen", "officials", "the U.S. envoy"]
_VERBS = ["said", "reported", "confirmed", "denied", "warned"]
_FACTS = [
    "the river rose by {n} centimetres",
    "{n} homes lost power on Monday",
    "the bridge at Lugo closed for {n} days",
    "at least {n} people were evacuated",
    "the port will reopen on March {n}",
]
SENTENCE = st.builds(
    lambda who, verb, fact, n, quoted: (
        f'"{fact.format(n=n).capitalize()}," {who} {verb}.'
        if quoted
        else f"{who.capitalize()} {verb} {fact.format(n=n)}."
    ),
    st.sampled_from(_NAMES),
    st.sampled_from(_VERBS),
    st.sampled_from(_FACTS),
    st.integers(2, 28),
    st.booleans(),
)
ARTICLE = st.tuples(
    st.text(alphabet="abcdefgh ", min_size=3, max_size=20), st.lists(SENTENCE, min_size=1, max_size=6)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ARTICLE, min_size=1, max_size=3), st.sampled_from(["\n", "\r\n", "\r"]))
def test_offline_runs_on_generated_articles_cite_exact_spans(articles: list, newline: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for i, (title, sentences) in enumerate(articles):
            text = f"Headline {title.strip() or 'x'} {i}\n\n" + "\n".join(sentences) + "\n"
            Path(tmp, f"a{i}.txt").write_bytes(text.replace("\n", newline).encode())
        try:
            brief = run([tmp], engine="offline")
        except BrieferError:
            return  # nothing loadable or nothing verifiable: a clean refusal is allowed
        assert_json_invariants(brief.model_dump_json())


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_never_shift_a_citation(tmp_path: Path, newline: str) -> None:
    """The same file with LF and with other line endings: identical text, identical offsets."""
    text = "Storm hits\n\nThe river rose by 4 centimetres, officials said.\nIt fell again on Tuesday, the agency said.\n"
    (tmp_path / "lf").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "lf" / "a.txt").write_bytes(text.encode())
    (tmp_path / "other" / "a.txt").write_bytes(text.replace("\n", newline).encode())
    lf, other = run([tmp_path / "lf"], engine="offline"), run([tmp_path / "other"], engine="offline")

    def spans(brief: Brief) -> list[tuple[int, int, str]]:
        return [(c.start, c.end, c.quote) for claim in brief.claims for c in claim.citations]

    assert spans(lf) == spans(other) and spans(lf)
