"""The check of a "How the outlets frame it" line: every word of it comes from the cited document.

A framing line prints an outlet's name, its label and its headline (or lead sentence) in quotation
marks. None of it is a claim about the world, so it is not scored like a summary sentence; instead
each part must be exactly the document's own: the quote an exact span of its text (the citation
invariant) that is its headline as the loader read it or a whole sentence of its body clear of any
furniture, and the outlet (or a columnist's name, when no outlet is known) and label its metadata, so an outlet that is not in the cited document's
metadata can never be printed.
"""

from __future__ import annotations

from briefer.core.models import Document, FramingLine, citation_problem, shown_label


def framing_line_problem(line: FramingLine, docs: dict[str, Document]) -> str | None:
    """Why a framing line may not be printed, or None when every word of it checks out."""
    c = line.citation
    if problem := citation_problem(c, docs):
        return problem
    doc = docs[c.doc_id]
    if not doc.meta.source_name or line.outlet != doc.meta.source_name:
        return f"outlet {line.outlet!r} is not the outlet in the metadata of {doc.id} (nor its writer, when it names no outlet)"
    label = shown_label(doc.meta.label)
    if line.label != label:
        return f"label {line.label!r} is not the label shown for {doc.id} ({label!r})"
    if line.source == "headline":
        if c.quote != doc.meta.title:
            return f"the quote is not the headline of {doc.id}"
        return None
    if not any(b.start <= c.start and c.end <= b.end for b in doc.body):
        return f"the lead quoted is not in the body of {doc.id}"
    if any(f.start < c.end and c.start < f.end for f in doc.furniture):
        return f"the lead quoted overlaps furniture of {doc.id}"
    return None
