"""The data that flows between the pipeline stages.

Every stage takes and returns these pydantic models, so both engines (offline and LLM) plug into the
same verifier and templates. The one invariant everything rests on: a `Citation` is an exact span of
its document's `text` (``text[start:end] == quote``), checked by `citation_problem`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from briefer.core import lexicon
from briefer.core.lexicon import rows
from briefer.core.schema import schema_version

ClaimKind = Literal[
    "event",  # something that happened
    "statement",  # reported speech without a direct quotation
    "quote",  # a direct quotation with its speaker
    "figure",  # a number, amount or date is the point
    "assessment",  # analysis, opinion, evaluation
    "prediction",  # forecast or hedged statement (could, may, expected)
    "background",  # context that predates the news
]

Label = Literal["supported", "partially_supported", "unsupported", "contradicted"]
SEVERITY: dict[Label, int] = {"supported": 0, "partially_supported": 1, "unsupported": 2, "contradicted": 3}


def worst(labels: Iterable[Label], default: Label = "supported") -> Label:
    """The most severe of some labels: when two checks disagree about a sentence, the worse one wins."""
    return max(labels, key=SEVERITY.__getitem__, default=default)


# The kinds of open question. Their names on the page (and the word between two sentences of one
# question) are the table `core/data/question_kinds.tsv`, read by `question_kind_labels`; a new kind is
# one name here and one row there, and, if an engine should compose it, a line in prompts/compose.j2.
ComposedKind = Literal[  # what an engine composes from the sources' evidence
    "sources_disagree",
    "single_source",
    "unconfirmed_sourcing",  # anonymous or unnamed sources
    "speculative",
    "information_missing",  # the sources say something is not known
]
QuestionKind = Literal[ComposedKind, "unverified"]  # unverified: a summary sentence that failed verification


@dataclass(frozen=True)
class QuestionKindLabel:
    label: str  # the bold lead-in of the question on the page
    joiner: str | None  # printed between two sentences of one question ("Yet:" for a dispute)


def question_kind_labels() -> dict[str, QuestionKindLabel]:
    """Each kind's wording on the page, from `core/data/question_kinds.tsv`."""
    return {
        row[0]: QuestionKindLabel(row[1], row[2] if len(row) > 2 else None) for row in rows("question_kinds")
    }


SentenceKind = Literal["title", "heading", "body"]
DocumentFormat = Literal[
    "txt", "md", "html", "pdf", "docx", "eml", "feed"
]  # one per reader in sources.readers


class Model(BaseModel):
    # every field is always written, so the published schema (briefer.core.schema) requires them all
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Span(Model):
    """A half-open character range [start, end) of a document's text."""

    model_config = ConfigDict(frozen=True)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


# The furniture reason of text addressed to a model (prompt injection): it is never a claim, so no
# citation may touch it (`citation_problem`) and nothing the model echoes from it is printed.
TO_A_MODEL = "instructions to a model"


class Furniture(Span):
    """A region removed from what the engines read, kept so nothing is lost silently."""

    reason: str


class Page(Span):
    """Where a page of a paginated source (PDF) lies in the document's text, so a citation can name it."""

    page: int = Field(ge=1)


class DocumentMeta(Model):
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # as the source wrote it
    published_at: datetime | None = None  # parsed, when the text allows it
    label: str | None = None  # the outlet's label for the piece as written: "Opinion", "Analysis", "News"
    link: str | None = None  # where the document came from: a feed item's link, a fetched URL

    @property
    def source_name(self) -> str | None:
        """The name the brief gives the piece's source: its outlet, or its writer when no outlet is
        known (a columnist's byline, "Julian Zelizer (Opinion) | date")."""
        return self.outlet or self.author


def view_kind(label: str | None) -> tuple[str, str] | None:
    """How the brief names a piece with this label when the label marks a view or words that are not
    the outlet's report (`core/data/view_labels.tsv`: "an opinion piece", "opinion pieces"); None
    for news and for no label. The whole label is read first, then its last word ("Guest Opinion")."""
    words = (label or "").lower().split()
    if not words:
        return None
    table = _view_table()
    return table.get(" ".join(words)) or table.get(words[-1])


@cache
def _view_table() -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in lexicon.rows("view_labels")}


def is_view_label(label: str | None) -> bool:
    """Whether an outlet's label marks a view (opinion, editorial, column, analysis, satire, ...),
    not news."""
    return view_kind(label) is not None


def shown_label(label: str | None) -> str | None:
    """The label printed beside a source's name: whatever label the outlet gives the piece
    ("Opinion", "Fact Check", "Satire", "Online News"), as written, so the reader sees how each
    source presents itself; None for no label."""
    return (" ".join(label.split()) or None) if label else None


class Document(Model):
    """A loaded source. `text` is what citations index; `body` is what the engines read."""

    id: str
    path: str
    format: DocumentFormat
    encoding: str
    text: str
    meta: DocumentMeta = DocumentMeta()
    body: list[Span] = []
    furniture: list[Furniture] = []
    pages: list[Page] = []  # paginated sources only (PDF): each page's span of `text`

    def page_at(self, offset: int) -> int | None:
        """The page a character offset of `text` falls on (a citation's start), or None: not paginated."""
        return next((p.page for p in self.pages if p.start <= offset < max(p.end, p.start + 1)), None)


class Sentence(Model):
    """A segmented unit of a document, the thing claims cite and the LLM numbers."""

    id: str  # "<doc_id>:<index>"
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    kind: SentenceKind = "body"


class Citation(Model):
    """An exact span of a source document."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    doc_id: str
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    quote: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _render_time_offsets(cls, value: Any) -> Any:
        """`--format json` adds `start_utf16`/`end_utf16` when rendering (`output.render`); reading
        such a brief back ignores them, since offsets here are code points only."""
        if isinstance(value, dict) and ("start_utf16" in value or "end_utf16" in value):
            return {k: v for k, v in value.items() if k not in ("start_utf16", "end_utf16")}
        return value

    @model_validator(mode="after")
    def _length_matches(self) -> Citation:
        if self.end - self.start != len(self.quote):
            raise ValueError("quote length does not match start/end")
        return self


class Claim(Model):
    """One typed assertion a source makes, with the span(s) that carry it."""

    id: str
    kind: ClaimKind
    text: str
    speaker: str | None = None  # who the source attributes it to
    anonymous: bool = False  # attributed to an unnamed or anonymous source
    hedged: bool = False
    citations: list[Citation] = Field(min_length=1)
    sentence_ids: list[str] = []


class Verdict(Model):
    """What the checks found about one sentence.

    `vetoed`: a hard check failed (a citation, figure, date, name or quotation the evidence lacks, a
    claim lifted out of its frame) or the evidence contradicts the sentence. No judge can pass a
    vetoed sentence; one that fails only the soft, word-level support is the judge's to decide
    (`briefer.engines.llm.review.merge_verdicts`)."""

    label: Label
    score: float = Field(ge=0.0, le=1.0)  # support score; 1.0 = every content unit found
    reasons: list[str] = []
    checked_by: list[str] = ["deterministic"]
    vetoed: bool = False


class SummarySentence(Model):
    """A sentence of the brief: the text, the claims it rests on and their spans."""

    id: str
    text: str
    claim_ids: list[str] = []
    citations: list[Citation] = Field(min_length=1)
    verdict: Verdict | None = None

    @property
    def doc_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.citations:
            seen.setdefault(c.doc_id, None)
        return list(seen)


class OpenQuestion(Model):
    """Something the sources dispute, leave unconfirmed or do not say, with the sentences that show it."""

    kind: QuestionKind
    sentences: list[SummarySentence] = Field(min_length=1)
    note: str | None = None  # e.g. why a sentence is unverified; never a fact about the world


FramingSource = Literal["headline", "lead"]  # what of the outlet's piece is quoted


class FramingLine(Model):
    """One outlet's own words for the story (its headline, or its lead sentence when it has none),
    quoted as that outlet's framing, never stated as fact. `outlet` and `label` are the cited
    document's metadata exactly and `citation` is an exact span of it (`verify.framing_line_problem`
    rejects anything else), so the only words briefer adds are the outlet's name and label."""

    outlet: str  # the cited document's `meta.source_name`: its outlet, or its writer when it has none
    label: str | None = None  # its `meta.label` as shown (`shown_label`: as written); None without one
    source: FramingSource
    citation: Citation

    @property
    def who(self) -> str:
        """The outlet as printed: its name, with its label when the piece is a view."""
        return f"{self.outlet} ({self.label})" if self.label else self.outlet

    def printed(self) -> str:
        """The line as a reader reads it (citation marker aside), for counting its words."""
        return f"{self.who}: \u201c{self.citation.quote}\u201d"


class Draft(Model):
    """What an engine composes before verification."""

    bottom_line: list[SummarySentence] = []
    key_points: list[SummarySentence] = []
    open_questions: list[OpenQuestion] = []
    framing: list[FramingLine] = []  # how the outlets frame the story; empty unless they differ


class Skipped(Model):
    path: str
    reason: str


class Usage(Model):
    calls: int = 0  # HTTP attempts sent to the model; answers served from the cache are not calls
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cache_hits: int = 0  # answers reused from the response cache (no call, no tokens, no cost)


class RunReport(Model):
    engine: str
    engine_reason: str = ""
    model: str | None = None
    prompt_hash: str | None = None
    documents_used: int = 0
    documents_skipped: list[Skipped] = []
    claims_extracted: int = 0
    claims_dropped: int = 0
    sentences_checked: int = 0
    sentences_supported: int = 0
    sentences_dropped: int = 0
    usage: Usage = Usage()
    seconds: float = 0.0
    generated_at: datetime | None = None  # when the brief was made (UTC): dates "New since last brief"


class NewSince(Model):
    """Key points new since an earlier brief of the same topic (`briefer.history`), each cited."""

    since: datetime  # when that earlier brief was made
    points: list[SummarySentence] = Field(min_length=1)


class Brief(Model):
    """The whole result: serialises to JSON with the documents' text so every citation can be checked."""

    # a hash of this model's JSON Schema (`briefer schema brief`): changes exactly when the schema does
    schema_version: str = Field(default_factory=lambda: schema_version(Brief))
    version: str  # briefer's version
    title: str
    documents: list[Document]
    claims: list[Claim]
    bottom_line: list[SummarySentence]
    key_points: list[SummarySentence]
    open_questions: list[OpenQuestion]
    dropped: list[SummarySentence] = []  # failed verification; shown only as unverified open questions
    report: RunReport
    new_since: NewSince | None = None  # omitted when there is no earlier brief or nothing is new
    # "How the outlets frame it": each outlet's headline or lead, quoted and cited, when two or more
    # outlets tell the story and frame it differently; empty otherwise
    framing: list[FramingLine] = []
    # open questions the page had no room for (`output.page`), best first: kept here, so the JSON
    # holds them, and counted on the page, which then never says "None found"
    questions_left_out: list[OpenQuestion] = []
    # a page of tiny sources gives up, last of all, the words after "None found" that say what was
    # checked (`output.page`)
    terse_none_found: bool = False


def citation_problem(citation: Citation, docs: dict[str, Document]) -> str | None:
    """Why a citation does not resolve to its document, or None when it does."""
    doc = docs.get(citation.doc_id)
    if doc is None:
        return f"unknown document {citation.doc_id}"
    if citation.end > len(doc.text):
        return f"span {citation.start}-{citation.end} is past the end of {citation.doc_id}"
    if doc.text[citation.start : citation.end] != citation.quote:
        return f"quote does not match {citation.doc_id}[{citation.start}:{citation.end}]"
    if touches_instructions(doc, citation.start, citation.end):
        return f"span {citation.start}-{citation.end} of {citation.doc_id} is text addressed to a model"
    return None


def touches_instructions(doc: Document, start: int, end: int) -> bool:
    """Whether [start, end) overlaps text of `doc` addressed to a model: such text is never evidence."""
    return any(f.reason == TO_A_MODEL and f.start < end and start < f.end for f in doc.furniture)


def cite(doc: Document, start: int, end: int) -> Citation:
    """The one way to make a citation from offsets, so the quote always equals the text."""
    return Citation(doc_id=doc.id, start=start, end=end, quote=doc.text[start:end])
