"""The HTML brief: one self-contained page where every citation shows its quote and opens its source.

The page makes no request to anywhere: its CSS and script are inline (allowed by a Content Security
Policy that names their hashes and nothing else), and it reads the same with scripts off. Each cited
source's text is printed once, with every cited span marked on the server: the text is cut at every
citation boundary and each piece covered by a citation is a `<mark>` naming the citations it belongs
to. Marking in Python keeps the offsets in code points (a citation's unit) and spares the script any
offset arithmetic in UTF-16, where an emoji counts twice; the script only switches on the marks of
the citation that was opened. All source text reaches the page through the autoescaping template.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from briefer.core.models import Brief, Citation, Document, SummarySentence, question_kind_labels
from briefer.output.render import (
    _environment,
    _source_line,
    footer,
    left_out,
    none_found,
    shown_sources,
    title_label,
    uncited,
)

# Terminal escapes and bidirectional overrides would make the page read differently from the text
# that was checked; they are shown as U+FFFD, in the quote and the source text alike. Line breaks
# and tabs are kept. Unicode tag characters spell text no reader sees but a model reads: shown too.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def visible(text: str) -> str:
    return _HIDDEN.sub("\ufffd", text)


@dataclass
class Marker:
    """One citation on the page: its id (`c3`), the source number it shows and the quote."""

    key: str
    number: int
    quote: str


@dataclass
class Line:
    """A printed sentence with its citation markers."""

    text: str
    markers: list[Marker]
    corroboration: int = 0  # sources carrying it, when more than the markers shown


@dataclass
class Framing:
    """An outlet's headline or lead in "How the outlets frame it": who, the quote, its marker."""

    who: str
    quote: str
    markers: list[Marker]


@dataclass
class Piece:
    """A run of a source's text between citation boundaries, and the citations covering it."""

    text: str
    cites: list[str] = field(default_factory=list)
    starts: list[str] = field(default_factory=list)  # citations whose span begins here


@dataclass
class SourceView:
    number: int
    doc_id: str
    title: str
    details: list[str]
    pieces: list[Piece]


@dataclass
class Question:
    label: str
    note: str | None
    lines: list[Line]
    side_by_side: bool
    joiner: str


def pieces(text: str, spans: list[tuple[int, int, str]]) -> list[Piece]:
    """`text` cut at every span boundary; a piece lists the keys of the spans that cover it, so the
    pieces of one span, read in order, are exactly `text[start:end]` however spans overlap."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Piece] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        out.append(
            Piece(
                text=visible(text[a:b]),
                cites=[k for s, e, k in spans if s <= a and b <= e],
                starts=[k for s, _, k in spans if s == a],
            )
        )
    return out


@dataclass
class _Page:
    numbers: dict[str, int]
    shown: dict[int, list[str]]
    spans: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)

    def line(self, sentence: SummarySentence) -> Line:
        picked = self.shown[id(sentence)]
        markers = []
        for c in sorted(
            (c for c in sentence.citations if c.doc_id in picked), key=lambda c: self.numbers[c.doc_id]
        ):
            markers.append(self._marker(c))
        n = len(sentence.doc_ids)
        return Line(text=visible(sentence.text), markers=markers, corroboration=n if n > len(picked) else 0)

    def _marker(self, c: Citation) -> Marker:
        key = f"c{sum(len(v) for v in self.spans.values()) + 1}"
        self.spans.setdefault(c.doc_id, []).append((c.start, c.end, key))
        return Marker(key=key, number=self.numbers[c.doc_id], quote=visible(c.quote))

    def source(self, number: int, doc: Document) -> SourceView:
        line = _source_line(number, doc)
        return SourceView(
            number=number,
            doc_id=doc.id,
            title=visible(line.title),
            details=[visible(d) for d in line.details],
            pieces=pieces(doc.text, self.spans.get(doc.id, [])),
        )


@cache
def _asset(name: str) -> str:
    return (files("briefer.output") / "static" / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_html(brief: Brief) -> str:
    numbers, shown = shown_sources(brief)
    page = _Page(numbers=numbers, shown=shown)
    docs = {d.id: d for d in brief.documents}
    bottom = [page.line(s) for s in brief.bottom_line]
    new = [page.line(s) for s in brief.new_since.points] if brief.new_since else []
    key_points = [page.line(s) for s in brief.key_points]
    kinds = question_kind_labels()
    questions = [
        Question(
            label=kinds[q.kind].label,
            note=visible(q.note) if q.note else None,
            lines=[page.line(s) for s in q.sentences],
            side_by_side=q.kind == "sources_disagree" and len(q.sentences) > 1,
            joiner=kinds[q.kind].joiner or "",
        )
        for q in brief.open_questions
    ]
    framing = [
        Framing(who=visible(x.who), quote=visible(x.citation.quote), markers=[page._marker(x.citation)])
        for x in brief.framing
    ]
    css, script = _asset("brief.css"), _asset("brief.js")
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; base-uri 'none'; form-action 'none'"
    )
    text = (
        _environment()
        .get_template("brief.html.j2")
        .render(
            title=visible(brief.title),
            title_label=visible(title_label(brief) or ""),
            bottom_line=bottom,
            single_source=len(numbers) == 1,
            new_since=new,
            new_since_date=brief.new_since.since.astimezone().date().isoformat() if brief.new_since else "",
            key_points=key_points,
            open_questions=questions,
            framing=framing,
            sources=[page.source(n, docs[d]) for d, n in numbers.items()],
            uncited=uncited(brief),
            footer=footer(brief),
            none_found=none_found(brief),
            left_out=left_out(brief),
            css=css,
            script=script,
            csp=csp,
        )
    )
    return text if text.endswith("\n") else text + "\n"
