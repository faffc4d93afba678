"""Stage 5: write the brief as Markdown (jinja2 template shipped in the package) or JSON.

Sources are numbered in order of first citation, and only cited documents are listed, so a brief over
a thousand articles still fits a page. Source text is escaped so it cannot inject links, images or HTML.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from briefer.core.models import (
    Brief,
    Document,
    SummarySentence,
    is_view_label,
    question_kind_labels,
    shown_label,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")  # ~~~ opens a code fence, $ GitHub's math
# Control characters (terminal escapes) and bidirectional overrides, which can make printed text read
# differently from the text that was checked; neither belongs in a brief.
# Unicode tag characters (U+E0000-E007F) spell text no reader sees but a model reads.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
# A source's own bracketed numbers ("[3]", "[1, 2]") would read as this brief's citations.
_FAKE_REFS = re.compile(r"\[(\s*\d+(?:\s*[,;\u2013-]\s*\d+)*\s*)\]")


def md(text: str) -> str:
    """Escape Markdown and HTML metacharacters in source text; collapse line breaks; drop control
    characters; show a source's own bracketed numbers in parentheses so only ours look like citations."""
    text = _FAKE_REFS.sub(r"(\1)", _INVISIBLE.sub("", " ".join(text.split())))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^([#+\-=])(\s)", r"\\\1\2", text)
    return re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", text)


_AUTOESCAPED = ("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("briefer.output", "templates"),
        undefined=StrictUndefined,
        # Markdown is escaped by the `md` filter; any HTML or XML template is autoescaped by its name
        autoescape=select_autoescape(_AUTOESCAPED, default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    return env


@dataclass
class SourceLine:
    number: int
    title: str
    details: list[str]


MAX_REFS = 3  # source numbers shown per sentence; the JSON keeps every citation


def printed_sentences(brief: Brief) -> list[SummarySentence]:
    """Every sentence on the page, in page order (which numbers the sources)."""
    new = brief.new_since.points if brief.new_since else []
    questions = [s for q in brief.open_questions for s in q.sentences]
    return [*brief.bottom_line, *new, *brief.key_points, *questions]


def shown_sources(brief: Brief) -> tuple[dict[str, int], dict[int, list[str]]]:
    """Source numbers (document id -> n, in order of first citation) and, per sentence, the documents
    shown for it: at most MAX_REFS, preferring documents already numbered so the Sources list of a
    brief over many corroborating articles stays on one page. The framing lines come last on the
    page (before Sources) and each cites its one document.
    """
    numbers: dict[str, int] = {}
    shown: dict[int, list[str]] = {}
    for s in printed_sentences(brief):
        docs = s.doc_ids
        picked = [d for d in docs if d in numbers][:MAX_REFS]
        picked += [d for d in docs if d not in numbers][: MAX_REFS - len(picked)]
        for d in docs:
            if d in picked:
                numbers.setdefault(d, len(numbers) + 1)
        shown[id(s)] = picked
    for line in brief.framing:  # printed after the sentences, so numbered after them
        numbers.setdefault(line.citation.doc_id, len(numbers) + 1)
    if (titled := title_document(brief)) is not None:  # the headline the brief is titled with
        numbers.setdefault(titled, len(numbers) + 1)
    return numbers, shown


def title_document(brief: Brief) -> str | None:
    """The document whose headline titles the brief (the first, if several share it), or None."""
    return next((d.id for d in brief.documents if brief.title and d.meta.title == brief.title), None)


def title_label(brief: Brief) -> str | None:
    """The label of a view whose headline titles the brief ("Opinion", "Analysis"), printed before
    the title: with no news source among them, a view's headline is the most central one left, and
    it argues. The label is the title document's own metadata, as its Sources line shows it."""
    doc = next((d for d in brief.documents if d.id == title_document(brief)), None)
    label = doc.meta.label if doc is not None else None
    return shown_label(label) if is_view_label(label) else None


UNCITED_SHOWN = 5  # documents read but not cited, named under Sources; more are counted


def uncited(brief: Brief) -> str:
    """The documents read that nothing on the page cites, for a line under Sources ("" when none): a
    reader should know which sources the brief left out, not only how many."""
    numbers = source_numbers(brief)
    left = [d.path for d in brief.documents if d.id not in numbers]
    if not left:
        return ""
    more = len(left) - UNCITED_SHOWN
    return ", ".join(left[:UNCITED_SHOWN]) + (f" and {more} more" if more > 0 else "")


def source_numbers(brief: Brief) -> dict[str, int]:
    return shown_sources(brief)[0]


def _source_line(number: int, doc: Document) -> SourceLine:
    m = doc.meta
    label = shown_label(m.label)
    outlet = f"{m.outlet} ({label})" if m.outlet and label else m.outlet or label  # a columnist: "Opinion"
    details = [x for x in (outlet, f"by {m.author}" if m.author else None, m.published) if x]
    if m.title:
        details.append(doc.path)
    return SourceLine(number=number, title=m.title or doc.path, details=details)


def none_found(brief: Brief) -> str:
    """What "None found" says was checked. A page whose own lines report an expectation no one on
    the record made ("... is expected to plead guilty": a story whose every claim looks ahead) does
    not say that nothing is speculative. A page of tiny sources may give the words up ("")."""
    if brief.terse_none_found:
        return ""
    kinds = {c.id: c for c in brief.claims}
    looks_ahead = any(
        (claim := kinds.get(i)) is not None and claim.kind == "prediction" and claim.speaker is None
        for s in brief.bottom_line + brief.key_points
        for i in s.claim_ids
    )
    if looks_ahead:
        return "nothing disputed, unconfirmed or unknown"
    return "nothing disputed, unconfirmed, unknown or speculative"


def left_out(brief: Brief) -> str:
    """What the page says of open questions it had no room for ("1 open question (Speculative)"), ""
    when none: a page without room for its questions must not say that it found none."""
    qs = brief.questions_left_out
    if not qs:
        return ""
    labels = question_kind_labels()
    kinds = list(dict.fromkeys(labels[q.kind].label for q in qs))
    return f"{len(qs)} open question{'s' * (len(qs) != 1)} ({'; '.join(kinds)})"


def footer(brief: Brief) -> str:
    r = brief.report
    parts = [f"{r.sentences_supported}/{r.sentences_checked} sentences supported by their cited spans"]
    if r.sentences_dropped:
        parts.append(f"{r.sentences_dropped} withheld as unverified")
    parts.append(f"engine: {r.engine}")
    read = f"{r.documents_used} document{'s' if r.documents_used != 1 else ''} read"
    uncited = r.documents_used - len(source_numbers(brief))
    if 0 < uncited < r.documents_used:  # a reader should know a source was read but is not on the page
        read += f" ({uncited} not cited)"
    parts.append(read)
    return " · ".join(parts)


def _local_date(when: datetime) -> str:
    """The day `when` fell on locally; at the ends of the calendar (year 1, year 9999), where moving to
    the local zone overflows, the day as written."""
    try:
        return when.astimezone().date().isoformat()
    except (OverflowError, ValueError, OSError):
        return when.date().isoformat()


def render_markdown(brief: Brief) -> str:
    numbers, shown = shown_sources(brief)
    docs = {d.id: d for d in brief.documents}

    def refs_for(doc_ids: list[str]) -> str:
        return "[" + ", ".join(str(n) for n in sorted({numbers[d] for d in doc_ids if d in numbers})) + "]"

    def refs(sentence: SummarySentence) -> str:
        return refs_for(shown[id(sentence)])

    def corroboration(sentence: SummarySentence) -> int:
        """How many sources carry a sentence, when more than the numbers shown."""
        n = len(sentence.doc_ids)
        return n if n > MAX_REFS else 0

    title_doc = title_document(brief)
    title = brief.title
    cited = list(numbers)
    text = (
        _environment()
        .get_template("brief.md.j2")
        .render(
            title=title,
            title_label=title_label(brief) or "",
            title_refs=refs_for([title_doc]) if title_doc else "",
            bottom_line=brief.bottom_line,
            new_since=brief.new_since.points if brief.new_since else [],
            new_since_date=_local_date(brief.new_since.since) if brief.new_since else "",
            key_points=brief.key_points,
            open_questions=brief.open_questions,
            framing=brief.framing,
            # only when one document was read: with others read and not cited, the brief does not
            # rest on one source, it failed to match the others' facts (the footer counts them)
            single_source=cited[:1] if len(cited) == 1 and len(brief.documents) == 1 else None,
            all_sources=cited,
            sources=[_source_line(n, docs[d]) for d, n in numbers.items()],
            uncited=uncited(brief),
            labels={kind: k.label for kind, k in question_kind_labels().items()},
            joiners={kind: k.joiner or "" for kind, k in question_kind_labels().items()},
            refs=refs,
            refs_for=refs_for,
            corroboration=corroboration,
            footer=footer(brief),
            none_found=none_found(brief),
            left_out=left_out(brief),
        )
    )
    return text if text.endswith("\n") else text + "\n"


def render_json(brief: Brief) -> str:
    """The whole brief as JSON. Offsets (`start`, `end`) are Python code points, so `text[start:end]
    == quote` in Python; every citation also carries `start_utf16` and `end_utf16`, the same span in
    UTF-16 code units, which is what JavaScript's `text.slice(start_utf16, end_utf16)` needs (they
    differ after any character outside the Basic Multilingual Plane, such as an emoji)."""
    data = json.loads(brief.model_dump_json())
    texts = {d.id: d.text for d in brief.documents}
    _add_utf16(data, {doc_id: _Utf16(text) for doc_id, text in texts.items()})
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _Utf16:
    """Code-point offsets of one text to UTF-16 offsets: each astral character before an offset
    counts twice. Identity (no work) for the usual text without one."""

    def __init__(self, text: str) -> None:
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if _has_astral(text) else []

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset) if self.astral else offset


def _has_astral(text: str) -> bool:
    return not text.isascii() and any(ord(ch) > 0xFFFF for ch in text)


_CITATION_KEYS = frozenset({"doc_id", "start", "end", "quote"})


def _add_utf16(node: object, maps: dict[str, _Utf16]) -> None:
    """Add `start_utf16`/`end_utf16` beside `end` in every citation (a dict with doc_id, start, end
    and quote) found anywhere in the dumped brief, keeping the key order of the rest."""
    if isinstance(node, list):
        for item in node:
            _add_utf16(item, maps)
    elif isinstance(node, dict):
        for value in node.values():
            _add_utf16(value, maps)
        if node.keys() >= _CITATION_KEYS and node["doc_id"] in maps:
            to16 = maps[node["doc_id"]]
            start, end = int(node["start"]), int(node["end"])
            items = list(node.items())
            node.clear()
            for key, value in items:
                node[key] = value
                if key == "end":
                    node["start_utf16"], node["end_utf16"] = to16(start), to16(end)
