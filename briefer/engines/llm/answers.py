"""What the model must return at each stage, and the validators that hold it to the sources.

Each response model is built per call, so its validators close over that call's data (the document's
numbered sentences, the claim ids, the sentence and evidence ids). That replaces instructor's
`context=`, which would also render every message as a Jinja template and so mangle any article
containing `{{` or `{%`.

Validators check every item separately. While re-asks remain (`final()` is false) any problem raises
a `ValueError` whose message tells the model exactly what to fix, and instructor re-asks with it. On
the final attempt the bad items are dropped instead (and reported in `rejected`), so one bad claim
never sinks a whole document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema

from briefer.core.errors import problems
from briefer.core.models import (
    SEVERITY,
    ClaimKind,
    ComposedKind,
    Document,
    Label,
    Sentence,
    touches_instructions,
)
from briefer.core.text import names, normalize, numbers

MIN_QUOTE_WORDS = 4  # shorter quotes cannot carry a claim; the whole sentences are cited instead

Final = Callable[[], bool]


# --- grounding a quote in the document's exact characters -----------------------------------------


def _fold(text: str, offset: int = 0) -> tuple[str, list[int]]:
    """Text compared loosely (Unicode quotes/dashes to ASCII, case, runs of whitespace), with the
    index in the original string of every folded character, so a match maps back to exact offsets."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(offset + i)
            continue
        for f in normalize(ch).lower():  # one character at a time, so every output maps back
            out.append(" " if f.isspace() else f)
            origin.append(offset + i)
    return "".join(out), origin


def locate(text: str, start: int, end: int, quote: str) -> tuple[int, int] | None:
    """Exact offsets of `quote` inside text[start:end], matching curly/straight quotes, dashes,
    case and whitespace loosely; None when it is not there."""
    exact = text.find(quote, start, end)
    if exact >= 0 and quote:
        return exact, exact + len(quote)
    region, origin = _fold(text[start:end], start)
    needle, _ = _fold(quote.strip())
    needle = needle.strip()
    at = region.find(needle) if needle else -1
    if at < 0:
        return None
    return origin[at], origin[at + len(needle) - 1] + 1


def _quote_carries(claim_text: str, quote: str) -> bool:
    """Whether the quote holds the claim's names and numbers, so citing only the quote is fair."""
    q = normalize(quote).lower()
    return numbers(claim_text) <= numbers(quote) and all(n.rstrip("#") in q for n in names(claim_text))


# --- extraction -----------------------------------------------------------------------------------


class ExtractedClaim(BaseModel):
    """One assertion the document makes, citing the numbered sentences that state it."""

    kind: ClaimKind
    text: str = Field(
        min_length=1, description="The claim as one plain sentence, close to the document's words."
    )
    speaker: str | None = Field(default=None, description="Who the document attributes it to, if anyone.")
    anonymous: bool = Field(default=False, description="True when it rests on an unnamed source.")
    hedged: bool = Field(default=False, description="True when presented as uncertain or expected.")
    sentence_ids: list[int] = Field(min_length=1, description="Numbers of the sentences that state it.")
    quote: str | None = Field(default=None, description="Optional exact words from those sentences.")
    _spans: list[tuple[int, int]] = PrivateAttr(default_factory=list)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return self._spans


def ground(claim: ExtractedClaim, doc: Document, by_index: dict[int, Sentence]) -> list[tuple[int, int]]:
    """The exact spans a claim cites, or a ValueError the model can act on."""
    unknown = [i for i in claim.sentence_ids if i not in by_index]
    if unknown:
        lo, hi = min(by_index), max(by_index)
        raise ValueError(
            f"sentence_ids {unknown} are not sentences of this document; use only the numbers in "
            f"square brackets ({lo} to {hi})"
        )
    cited = [by_index[i] for i in sorted(set(claim.sentence_ids))]
    whole = [(s.start, s.end) for s in cited]
    quote = (claim.quote or "").strip()
    if not quote:
        return whole
    regions = list(whole)
    if len(cited) > 1 and cited[-1].index - cited[0].index == len(cited) - 1:
        regions.append((cited[0].start, cited[-1].end))  # a quote may run across adjacent sentences
    for start, end in regions:
        hit = locate(doc.text, start, end, quote)
        if hit and not touches_instructions(doc, *hit):  # text addressed to a model between two sentences
            narrow = len(quote.split()) >= MIN_QUOTE_WORDS and _quote_carries(claim.text, quote)
            return [hit] if narrow else whole
    if normalize(quote).lower() in normalize(" ".join(s.text for s in cited)).lower():
        return whole  # equal only after normalising (U.S./US...): cite the sentences themselves
    ids = ", ".join(str(s.index) for s in cited)
    raise ValueError(
        f"quote {_short(quote)!r} is not in sentence {ids}; copy the words exactly from the cited "
        f"sentence(s), cite the sentence that contains them, or set quote to null"
    )


def extraction_model(doc: Document, sentences: list[Sentence], final: Final) -> type[BaseModel]:
    """A response model for one document (or one part of it) whose validator knows its sentences."""
    by_index = {s.index: s for s in sentences}

    class Extraction(BaseModel):
        """The claims one source document makes, each citing the numbered sentences that state it."""

        claims: list[ExtractedClaim]
        rejected: SkipJsonSchema[list[str]] = []

        @model_validator(mode="before")
        @classmethod
        def _ground_each(cls, data: Any) -> Any:
            if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
                return data  # the normal validation reports the wrong shape
            kept: list[ExtractedClaim] = []
            problems: list[str] = []
            for i, raw in enumerate(data["claims"]):
                try:
                    claim = ExtractedClaim.model_validate(raw)
                    claim._spans = ground(claim, doc, by_index)
                except (ValidationError, ValueError) as e:
                    problems.append(f"claims[{i}]: {_message(e)}")
                    continue
                kept.append(claim)
            _settle(problems, final)
            return {"claims": kept, "rejected": problems}

    return Extraction


# --- composition ----------------------------------------------------------------------------------


class ComposedSentence(BaseModel):
    """One sentence of the brief and the ids of the claims it rests on."""

    text: str = Field(min_length=1)
    claim_ids: list[str] = Field(min_length=1)


class Question(BaseModel):
    """Something the sources dispute, leave unconfirmed, speculate about or do not say."""

    kind: ComposedKind
    sentences: list[ComposedSentence] = Field(min_length=1)


def claim_handle(raw: str) -> str:
    """`C12`, `c12`, `12` and ` c12 ` all name claim c12."""
    h = str(raw).strip().lower()
    return f"c{h}" if h.isdigit() else h


def composition_model(claim_ids: set[str], final: Final) -> type[BaseModel]:
    class Composition(BaseModel):
        """A one-page brief: bottom line, key points and open questions, every sentence citing claims."""

        bottom_line: list[ComposedSentence] = Field(min_length=1)
        key_points: list[ComposedSentence] = []
        open_questions: list[Question] = []

        @model_validator(mode="after")
        def _known_claims(self) -> Composition:
            problems: list[str] = []
            sections: list[tuple[str, list[ComposedSentence]]] = [
                ("bottom_line", self.bottom_line),
                ("key_points", self.key_points),
            ] + [(f"open_questions[{i}].sentences", q.sentences) for i, q in enumerate(self.open_questions)]
            for where, sentences in sections:
                for j, s in enumerate(sentences):
                    s.claim_ids = [claim_handle(c) for c in s.claim_ids]
                    unknown = [c for c in s.claim_ids if c not in claim_ids]
                    if unknown:
                        problems.append(
                            f"{where}[{j}] cites unknown claim ids {unknown}; use only ids from the <claims> list"
                        )
            _settle(problems, final)
            if problems:  # final attempt: keep what is grounded
                for _, sentences in sections:
                    for s in sentences:
                        s.claim_ids = [c for c in s.claim_ids if c in claim_ids]
                    sentences[:] = [s for s in sentences if s.claim_ids]
                self.open_questions = [q for q in self.open_questions if q.sentences]
            return self

    return Composition


# --- judging and repair ---------------------------------------------------------------------------


class Grounding(BaseModel):
    """One part of a sentence and the evidence words that state it: the judge's shown work, which
    `briefer.verify.grounding` checks against the sentence and the evidence."""

    part: str = Field(description="The exact words of the sentence that this evidence states.")
    evidence_id: str
    quote: str = Field(description="The exact words of that evidence that state the part.")


class Judgement(BaseModel):
    """The label of one summary sentence against its evidence."""

    sentence_id: str
    label: Label
    evidence_ids: list[str] = []
    reason: str = Field(default="", description="At most 15 words.")
    support: list[Grounding] = Field(
        default=[], description="Only for a supported sentence marked show-work: each part and its evidence."
    )


def sentence_handle(raw: str) -> str:
    """` K0 `, `"k0"`, `[k0]` and `sentence k0` all name sentence k0 (ids are lower-case)."""
    h = str(raw).strip().strip("\"'[]()<>").strip().lower()
    return h.removeprefix("sentence").strip(" :#") if h.startswith("sentence") else h


def judgement_model(evidence: dict[str, set[str]], final: Final) -> type[BaseModel]:
    """`evidence` maps each sentence id to the ids of its evidence spans.

    Id faults never fail the answer (and so never re-ask the whole batch): a verdict under an unknown
    id is kept when its evidence ids all belong to one sentence, else dropped; evidence ids that belong elsewhere are removed, and a sentence labelled twice keeps
    the worse label (`worst`), so a judge that says both supported and contradicted has said
    contradicted. Sentences left without a verdict are asked again on their own by `judge.judge`.
    `final` is unused: nothing here is re-asked."""

    class Judgements(BaseModel):
        """One verdict per summary sentence."""

        verdicts: list[Judgement]

        @model_validator(mode="after")
        def _every_sentence_once(self) -> Judgements:
            kept: dict[str, Judgement] = {}
            owner = {e: sid for sid, ids in evidence.items() for e in ids}
            for v in self.verdicts:
                v.sentence_id = sentence_handle(v.sentence_id)
                if v.sentence_id not in evidence:  # known by its evidence ids, if they name one sentence
                    owners = {owner.get(sentence_handle(e)) for e in v.evidence_ids}
                    if len(owners) != 1 or None in owners:
                        continue
                    v.sentence_id = owners.pop()  # type: ignore[assignment]
                v.evidence_ids = [
                    e for e in (sentence_handle(x) for x in v.evidence_ids) if e in evidence[v.sentence_id]
                ]
                for g in v.support:
                    g.evidence_id = sentence_handle(g.evidence_id)
                before = kept.get(v.sentence_id)
                if before is None or SEVERITY[v.label] > SEVERITY[before.label]:
                    kept[v.sentence_id] = v
            self.verdicts = list(kept.values())
            return self

    return Judgements


class Rewrite(BaseModel):
    """A repaired sentence; empty text when its evidence cannot support it."""

    sentence_id: str
    text: str = ""


def rewrite_model(sentence_ids: set[str], final: Final) -> type[BaseModel]:
    class Rewrites(BaseModel):
        """One rewrite per failed sentence, using only that sentence's evidence."""

        rewrites: list[Rewrite]

        @model_validator(mode="after")
        def _known(self) -> Rewrites:
            problems = [
                f"sentence_id {r.sentence_id!r} is not one of the sentences given"
                for r in self.rewrites
                if r.sentence_id.strip() not in sentence_ids
            ]
            _settle(problems, final)
            self.rewrites = [r for r in self.rewrites if r.sentence_id.strip() in sentence_ids]
            return self

    return Rewrites


# --- messages back to the model -------------------------------------------------------------------


def _settle(problems: list[str], final: Final) -> None:
    """Raise for a re-ask while attempts remain; on the last one the caller drops the bad items."""
    if problems and not final():
        shown = problems[:12]
        more = f"\n- ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise ValueError(
            f"{len(problems)} problem{'s' * (len(problems) != 1)} in your answer; fix "
            f"{'them' if len(problems) != 1 else 'it'} and answer again:\n- " + "\n- ".join(shown) + more
        )


def problem_of(error: Exception) -> str:
    """What was wrong with an answer, in a few words (pydantic's first errors, without doc links)."""
    if isinstance(error, ValidationError):
        return "; ".join(problems(error, 2, top="answer"))
    return " ".join(str(error).split())


def _message(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(problems(e, 3, top="value"))
    return str(e)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
