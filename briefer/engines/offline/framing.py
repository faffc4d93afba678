"""How the outlets frame it: each outlet's headline (or lead sentence), quoted, where they differ.

Outlets telling one story choose different words for it ("bolster defense ties" beside "condemns
missile agreement"), and those choices are what a reader who wants the whole picture looks for. For
a story told by two or more outlets (documents with distinct outlet names in their metadata) this
part quotes each outlet's headline, or its first stand-alone body sentence when it has none, cited
to that document and named by the outlet (or, for a columnist's piece with no outlet, the writer)
and the label (`core.models.shown_label`) of that document's metadata only. The quote is
the outlet's words, printed in quotation marks: framing, never a fact.

The brief's title is one outlet's headline (`core.headline.story_title`), so that outlet's line comes
first and is never the one left out: the part shows whose words title the page. It is printed only
where the framings differ: a line whose content concepts (as `facts.concepts`
reads them, with the wordings outlets vary mapped together, and figures as numbers) mostly match an
earlier line's (`alike`) is left out, and when fewer than two lines are left the part is omitted.
It takes at most `core.budget.framing_allowance` words: none on a short page, whose words go to facts. Nothing addressed to a model and no
furniture is ever quoted: the loader already drops a headline that speaks to a model, a lead must
lie in the body clear of furniture, and the pipeline checks each line again
(`verify.framing_line_problem`).
"""

from __future__ import annotations

from briefer.core.budget import framing_words, word_count
from briefer.core.models import (
    Document,
    FramingLine,
    FramingSource,
    cite,
    shown_label,
    touches_instructions,
)
from briefer.core.segment import segment
from briefer.core.text import numbers
from briefer.engines.offline.facts import concepts
from briefer.engines.offline.standalone import printable
from briefer.sources.injection import speaks_to_a_model

ALIKE_JACCARD = 0.4  # two quotes frame the story alike when their concept sets have Jaccard >= this
ALIKE_OVERLAP = 0.6  # ... or when this share of the smaller set is in the other
MAX_OUTLETS = 4  # a short part: at most this many outlets' lines
MAX_QUOTE_WORDS = 30  # a longer headline or lead is not a framing a reader can take in at a glance
LEAD_SENTENCES = 2  # the lead is the first stand-alone sentence among the body's first few


def _headline(doc: Document) -> FramingLine | None:
    title = doc.meta.title
    start = doc.text.find(title) if title else -1
    if not title or start < 0:
        return None
    if touches_instructions(doc, start, start + len(title)) or speaks_to_a_model(title):
        return None
    return _line(doc, "headline", start, start + len(title))


def _lead(doc: Document) -> FramingLine | None:
    for s in [s for s in segment(doc) if s.kind == "body"][:LEAD_SENTENCES]:
        inside = any(b.start <= s.start and s.end <= b.end for b in doc.body)
        clear = not any(f.start < s.end and s.start < f.end for f in doc.furniture)
        if inside and clear and printable(s.text) and not speaks_to_a_model(s.text):
            return _line(doc, "lead", s.start, s.end)
    return None


def _line(doc: Document, source: FramingSource, start: int, end: int) -> FramingLine | None:
    quote = cite(doc, start, end)
    name = doc.meta.source_name
    if word_count(quote.quote) > MAX_QUOTE_WORDS or not name:
        return None
    return FramingLine(outlet=name, label=shown_label(doc.meta.label), source=source, citation=quote)


def _key(text: str) -> frozenset[str]:
    """What a quote says, for comparing framings: its concepts, with figures read as numbers ("15M"
    and "15 million" are one figure)."""
    return frozenset(t for t in concepts(text) if not any(ch.isdigit() for ch in t)) | numbers(text)


def alike(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two quotes' concept sets say the same thing: most of them shared."""
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a | b) >= ALIKE_JACCARD or shared / min(len(a), len(b)) >= ALIKE_OVERLAP


def outlet_framing(documents: list[Document], allowance: int, title: str | None = None) -> list[FramingLine]:
    """One line per outlet (the first of its documents with a usable headline or lead), without lines
    framed like an earlier one, and as many as fit in `allowance` words (two at least); empty for
    fewer than two outlets, for outlets that all frame the story alike, or when two do not fit.

    The brief's `title` is one outlet's headline: that outlet's line comes first and is never the one
    left out, so the part shows whose words title the page (another outlet's headline framed alike
    gives way to it)."""
    titled = next((d for d in documents if title and (d.meta.title or "").strip() == title.strip()), None)
    lines: list[FramingLine] = []
    seen: set[str] = set()
    kept: list[frozenset[str]] = []
    for doc in ([titled] if titled else []) + [d for d in documents if d is not titled]:
        outlet = (doc.meta.source_name or "").strip().casefold()
        if not outlet or outlet in seen:
            continue
        line = _headline(doc) or _lead(doc)
        if line is None:
            continue
        seen.add(outlet)
        mine = _key(line.citation.quote)
        if not mine or any(alike(mine, other) for other in kept):
            continue
        kept.append(mine)
        lines.append(line)
        if len(lines) == MAX_OUTLETS:
            break
    # too long for its room: the line framed most like another goes first, so the outlier stays
    first = int(bool(titled and lines and lines[0].citation.doc_id == titled.id))  # the title's line stays
    while len(lines) > 2 and framing_words([x.printed() for x in lines]) > allowance:
        i = max(
            range(first, len(lines)),
            key=lambda i: max(_overlap(kept[i], k) for j, k in enumerate(kept) if j != i),
        )
        del lines[i], kept[i]
    if len(lines) < 2 or framing_words([x.printed() for x in lines]) > allowance:
        return []
    return lines


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (min(len(a), len(b)) or 1)
