"""The words a brief may add to a source sentence to attribute a view to its outlet.

A sentence from an opinion piece, an editorial, a column or an analysis is one outlet's view, so the
brief prints it as such ("In an opinion piece, Fox News writes: ..."); so is a news piece's own
analysis, a sentence that interprets rather than reports ("The TOI News writes: ... the deal signals a
broader realignment"). The prefix is built from the
cited documents' metadata only (outlet, or writer when no outlet is known, and label), by this one function, so the verifier can rebuild
it from the same documents and check the added words exactly: an outlet that is not in the cited
document's metadata can never be added.
"""

from __future__ import annotations

from briefer.core.models import Document, is_view_label, view_kind

_DEFAULT = ("an opinion piece", "opinion pieces")


def _piece(label: str, plural: bool) -> str:
    """How the brief names a piece with this label (`core/data/view_labels.tsv`)."""
    single, many = view_kind(label) or _DEFAULT
    return many if plural else single


def _names(outlets: list[str]) -> str:
    return outlets[0] if len(outlets) == 1 else ", ".join(outlets[:-1]) + " and " + outlets[-1]


def view_prefix(docs: list[Document]) -> str | None:
    """The attribution for a sentence citing `docs`, when every one of them is a view with a known
    outlet or writer ("In an opinion piece, Fox News writes: ", "In a column, Jane Doe writes: ");
    None when any is news or names neither."""
    if not docs or not all(is_view_label(d.meta.label) and d.meta.source_name for d in docs):
        return None
    outlets = list(dict.fromkeys(d.meta.source_name or "" for d in docs))
    plural = len(outlets) > 1
    return f"In {_kinds(docs, plural)}, {_names(outlets)} {'write' if plural else 'writes'}: "


def _kinds(docs: list[Document], plural: bool) -> str:
    """What the pieces are: "opinion pieces", or for pieces of several kinds each kind as many times
    as it is cited ("opinion pieces and an analysis", never three opinion pieces)."""
    count: dict[str, int] = {}
    label: dict[str, str] = {}
    for d in docs:
        kind = _piece(d.meta.label or "", False)
        count[kind] = count.get(kind, 0) + 1
        label.setdefault(kind, d.meta.label or "")
    if len(count) == 1:
        return _piece(docs[0].meta.label or "", plural)
    return " and ".join(_piece(label[k], n > 1) for k, n in count.items())


def analysis_prefix(docs: list[Document]) -> str | None:
    """The attribution for a news outlet's own analysis ("the deal signals a broader realignment",
    "... highlights its evolving policy"): "The TOI News writes: "; None when any cited document has
    no outlet. A view's attribution (`view_prefix`) comes first when the documents are views."""
    if not docs or not all(d.meta.outlet for d in docs):
        return None
    outlets = list(dict.fromkeys(d.meta.outlet or "" for d in docs))
    return f"{_names(outlets)} {'write' if len(outlets) > 1 else 'writes'}: "


def attributed(text: str, docs: list[Document], analysis: bool = False) -> str:
    """`text` with the attribution of `docs` in front, when they call for one: a view's always, an
    outlet's own analysis (`analysis`) when the sentence is one."""
    prefix = view_prefix(docs) or (analysis_prefix(docs) if analysis else None)
    return prefix + text if prefix else text


def unattributed(text: str, docs: list[Document]) -> str:
    """The source sentence inside `text` once the attribution `docs` call for is taken off: what the
    verifier checks against the cited spans. Text without one of those exact prefixes is returned
    unchanged, so any other added words are still checked against the spans."""
    for prefix in (view_prefix(docs), analysis_prefix(docs)):
        if prefix and text.startswith(prefix):
            return text[len(prefix) :]
    return text
