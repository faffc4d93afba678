"""Page furniture: which lines of a document's text are titles, bylines, credits, copyright, contact
blocks, boilerplate... rather than body text.

Each non-blank line ends up in exactly one span, except that a sentence addressed to a model (prompt
injection) is cut out of its line as a span of its own. Furniture reasons: front matter (marked by the
Markdown reader), title, repeated title, byline (author / outlet / date lines near the top), image
credit, copyright, comment disclaimer, boilerplate (ads, share/follow/subscribe prompts, reporting
credits), contact block, separator, instructions to a model. Copyright lines and comment disclaimers
also name the outlet when nothing else did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from briefer.core.models import Furniture, Span
from briefer.sources.bylines import byline, is_name, is_outlet
from briefer.sources.injection import (
    TO_A_MODEL,
    across_lines,
    markup_depth,
    sentences_to_a_model,
    speaks_to_a_model,
)

_HEAD_LINES = 8  # bylines and datelines live in the first few non-blank lines
_HEADING = re.compile(r"^#{1,6}\s+")  # a Markdown ATX heading marker ("#MeToo" is not one)
# fmt: off
_IMAGE_CREDIT = re.compile(
    r"^\(?\s*(?:(?:image|photo(?:graph)?|picture|pic|video|graphic|illustration)s?\s*"
    r"(?:credits?|courtesy)?\s*[:：]|(?:photo|image|picture)s?\s+(?:by|courtesy)\b"
    r"|(?:credits?|source|courtesy)\s*:"
    r"|file\s+(?:photo|image|picture)\b)"
    r"|\b(?:photograph|photo|image)\s*(?:credit)?\s*:\s*[^.]{1,80}$"  # a credit closing a caption
    r"|(?:[/,(]|\bvia)\s*(?:getty images|shutterstock|AP|AP Photo|Associated Press|AFP|EPA|Reuters)\)?$", re.I)
    # "..., Getty Images", "... in Surfside, Florida. (Associated Press)": a caption's closing credit
_COPYRIGHT = re.compile(r"©|^\W*copyright\b|\(c\)\s*\d{4}|all rights reserved|reprint rights"
                        r"|syndication service|reprints? (?:and|&) permissions", re.I)
_OWNER_MARK = re.compile(r"(?:(?:copyright|©|\(c\))\s*:?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*)+", re.I)
_OWNER_END = re.compile(r"all rights reserved|[|;]|\bfor reprint", re.I)  # where a holder's name stops
_ABBREVIATION = re.compile(r"\b(?:ltd|inc|co|corp|plc|llc|pty|bhd|gmbh|[a-z])$", re.I)  # "Co." ends nothing
_COMPANY = re.compile(r"\b(?:ltd|limited|inc|incorporated|corp|corporation|plc|llc|pvt|gmbh|co)\.?$", re.I)
_COMMENT = re.compile(r"\bcomments?\b", re.I)
_COMMENT_WORDS = re.compile(r"posted|refrain|moderat|views|opinions|derogatory|obscene|responsible"
                            r"|community guidelines", re.I)
_COMMENT_CUE = re.compile(  # addressed to readers, so "comments posted on X" in a news sentence stays body
    r"\b(?:you|your|readers?|kindly|please|here|below|we reserve|not (?:from|of|by|those of)"
    r"|(?:reflect|represent)s? the)\b", re.I)
_COMMENT_OUTLET = re.compile(
    r"(?:not (?:from|of|by|those of)|(?:reflect|represent)s? the (?:views|opinions?) of)\s+(?:the\s+)?"
    r"(?P<o>[A-Z][^.;!?]{0,60}?)\s*(?:[.;!?]|$)")
_BOILERPLATE = re.compile(
    r"^\W*(?:(?:advertisement|sponsored(?: content)?|story continues below(?: advertisement)?)\W*$"
    r"|(?:read more|also read|read also|related|recommended)\s*:|read more\b"
    r"|share this (?:article|story|page)|follow us on\b|sign up\b.*\bnewsletter"
    r"|subscribe (?:to|now|for|today)\b|click here\b"
    r"|listen to this article\b)", re.I)
_REPORTING = re.compile(r"^\(\s*(?:reporting|writing|additional reporting) by\b.*\)$", re.I)
_CONTACT_HEAD = re.compile(r"(?:contact(?:\s+us|\s+information|\s+details)?|get in touch|address)\s*:?",
                           re.I)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_PHONE = r"\+?\(?\d[\d\s().\-/]{6,}\d"
_BULLET = r"[•*\-–·▪]"
_STANDALONE = re.compile(rf"(?:{_BULLET}\s*)?(?:(?:e-?mail|tel|phone|fax|mobile|web(?:site)?|url)\s*:?\s*)?"
                         rf"(?:{_EMAIL}|{_PHONE}|(?:https?://|www\.)\S+)", re.I)
_CONTACT_DATA = re.compile(  # bullets, emails, phones, postal codes, address words
    rf"^{_BULLET}|{_EMAIL}|{_PHONE}|\b\d{{5,6}}\b|\b(?:street|st\.|road|rd\.|avenue|ave\.|sector|floor|suite"
    r"|building|block|lane|plaza|tower|p\.?\s?o\.? box)\b", re.I)
# fmt: on


def _norm(text: str) -> str:
    """Casefolded, whitespace-collapsed, with quotes and dashes unified, for title comparison."""
    text = re.sub(r"[‘’‚‛′]", "'", re.sub(r"[“”„‟″]", '"', _HEADING.sub("", text)))
    return " ".join(re.sub(r"[‐‑‒–—―−]", "-", text).casefold().split())


_LONG_HEADLINE_WORDS = (
    45  # "COVID cases are DECLINING for the first time since June - ... - and Mu variant rises"
)


def _repeats_title(line: str, title: str) -> bool:
    """Same text as the title, or the title without the site name a page <title> often appends."""
    line, title = _norm(line), _norm(title)
    return line == title or (
        title.startswith(line) and re.match(r"\s*[-|:•·]", title[len(line) :]) is not None
    )


def _owner(line: str) -> str | None:
    """The rights holder named by a copyright line: `© 2024 Acme Media Ltd. All rights reserved` gives
    `Acme Media Ltd.`, `Copyright 2024 Foo News. Foo is not responsible...` gives `Foo News`."""
    if not (mark := _OWNER_MARK.search(line)):
        return None
    owner = _OWNER_END.split(line[mark.end() :])[0]
    for stop in re.finditer(r"\.(?=\s|$)", owner):  # the first full stop that is not an abbreviation's
        if not _ABBREVIATION.search(owner[: stop.start()]):
            owner = owner[: stop.start()]
            break
    owner = re.sub(r"[\s,]*\d{4}$", "", owner.strip(" ,:;-–—"))  # "© Jane Doe 2024"
    if _COMPANY.search(owner):  # a publisher's company (Ltd., Inc.) is not the outlet: look past it
        return _brand(line)
    return owner if owner[:1].isupper() and len(owner.split()) <= 8 else None


def _brand(line: str) -> str | None:
    """The outlet a copyright line names after its rights notice ("... All rights reserved The Foo
    News."), when its holder is a company rather than the outlet."""
    after = re.search(r"all rights reserved\W*(?P<o>[A-Z][^.;|:]{1,60}?)\s*(?:[.;|:]|\bfor\b|$)", line, re.I)
    name = after.group("o").strip() if after else ""
    return name if name and is_name(name) and is_outlet(name, piped=False) else None


def _standalone_contact(line: str) -> bool:
    """An email address, phone number or URL on its own (optionally labelled); year ranges excluded."""
    return bool(_STANDALONE.fullmatch(line)) and not re.fullmatch(r"\d{4}\s*[-–/]\s*\d{2,4}", line)


def _line_reason(
    line: str, i: int, blank_around: tuple[bool, bool], n_lines: int, meta: dict[str, Any], prev: str | None
) -> str | None:
    """Why the i-th non-blank line is furniture (updating `meta` from it), or None for body text.
    `prev` is the previous non-blank line's reason: bylines and contact blocks run over several lines."""
    words = len(line.split())
    if i < _HEAD_LINES and (found := byline(line)):
        merge(meta, found)
        return "byline"
    byline_goes_on = prev == "byline" and not blank_around[0] and i < _HEAD_LINES
    if byline_goes_on and words <= 5 and is_name(line):  # "Example News", "Staff Writer"
        merge(meta, {"outlet": line if is_outlet(line, piped=False) else None})
        return "byline"
    if i == 0 and n_lines > 1:
        heading = _HEADING.match(line)
        title = line[heading.end() :] if heading else line
        if "title" in meta and _repeats_title(title, meta["title"]):
            return "repeated title"
        if "title" not in meta and (
            heading
            or (words <= 25 and (not re.search(r"[.,;:]$", line) or blank_around[1]))
            # a long tabloid headline: no end punctuation, a paragraph of its own
            or (words <= _LONG_HEADLINE_WORDS and not re.search(r"[.!?\"\u201d]$", line) and blank_around[1])
        ):
            meta["title"] = title
            return "title"
    if 0 < i < 6 and meta.get("title") and _repeats_title(line, meta["title"]):
        return "repeated title"
    if words <= 30 and _IMAGE_CREDIT.search(line):
        return "image credit"
    if words < 60 and _COPYRIGHT.search(line):
        merge(meta, {"outlet": _owner(line)})
        return "copyright"
    if words < 60 and _COMMENT.search(line) and _COMMENT_WORDS.search(line) and _COMMENT_CUE.search(line):
        outlet = _COMMENT_OUTLET.search(line)
        merge(meta, {"outlet": outlet.group("o").strip(" .,") if outlet else None})
        return "comment disclaimer"
    if (words < 15 and _BOILERPLATE.match(line)) or (words < 40 and _REPORTING.match(line)):
        return "boilerplate"
    if _CONTACT_HEAD.fullmatch(line) or (
        prev == "contact block" and (_CONTACT_DATA.search(line) or (not blank_around[0] and words < 20))
    ):
        return "contact block"
    if words <= 6 and _standalone_contact(line):
        return "contact block"
    if not any(ch.isalnum() for ch in line):  # rules and ornaments: "---", "* * *"
        return "separator"
    return None


def merge(meta: dict[str, Any], found: dict[str, Any]) -> None:
    """Fill metadata fields that are still unset; the first source of a field wins."""
    for key, value in found.items():
        if value and not meta.get(key):
            meta[key] = value


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past surrounding whitespace (and BOM/zero-width space)."""
    while start < end and (text[start].isspace() or text[start] in "\ufeff\u200b"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\ufeff\u200b"):
        end -= 1
    return start, end


def _lines(text: str, offset: int, marked: Sequence[Furniture] = ()) -> list[tuple[int, int, bool]]:
    """(start, end, blank line before) for each non-blank line from `offset`, trimmed. A region a
    reader already marked (an HTML comment in Markdown) is left out, splitting its line around it."""
    out: list[tuple[int, int, bool]] = []
    pos, blank = offset, True
    for raw in text[offset:].split("\n"):
        pieces = [(pos, pos + len(raw))]
        for f in marked:
            pieces = [p for a, b in pieces for p in ((a, min(b, f.start)), (max(a, f.end), b)) if p[0] < p[1]]
        kept = [span for a, b in pieces if (span := trim(text, a, b))[0] < span[1]]
        for i, (start, end) in enumerate(kept):
            out.append((start, end, blank and i == 0))
        blank = not kept and not any(f.start <= pos + len(raw) and pos <= f.end for f in marked)
        pos += len(raw) + 1
    return out


def _paragraph_spans(text: str, lines: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    """The parts of lines that belong to a sentence addressed to a model running over several lines."""
    found: list[tuple[int, int]] = []
    paragraph: list[tuple[int, int]] = []
    for start, end, blank_before in [*lines, (0, 0, True)]:
        if blank_before and paragraph:
            found += across_lines(text, paragraph)
            paragraph = []
        paragraph.append((start, end))
    return found


def annotate(
    text: str, meta: dict[str, Any], marked: Sequence[Furniture] = ()
) -> tuple[list[Span], list[Furniture]]:
    """Split `text` into body spans and furniture spans, line by line, filling `meta` on the way.
    `marked` is the furniture a reader already recognised: the lines are read from where its leading
    run ends (Markdown front matter), and regions marked further on (HTML comments) are left out."""
    marked = sorted(marked, key=lambda f: f.start)
    leading = 0
    while (
        leading < len(marked)
        and not text[marked[leading - 1].end if leading else 0 : marked[leading].start].strip()
    ):
        leading += 1
    furniture = list(marked)
    offset = marked[leading - 1].end if leading else 0
    lines = _lines(text, offset, marked[leading:])
    forced = _paragraph_spans(text, lines)
    body: list[Span] = []
    reason: str | None = None
    in_markup = False  # inside a chat-template block opened on an earlier line of the paragraph
    for i, (start, end, blank_before) in enumerate(lines):
        if in_markup and not blank_before:
            furniture.append(Furniture(start=start, end=end, reason=TO_A_MODEL))
            in_markup, reason = markup_depth(text[start:end], 1) > 0, TO_A_MODEL
            continue
        here = [(a, b) for a, b in forced if a < end and start < b]
        if pieces := sentences_to_a_model(text, start, end, here):
            for s, e, addressed in pieces:
                if addressed:
                    furniture.append(Furniture(start=s, end=e, reason=TO_A_MODEL))
                else:
                    body.append(Span(start=s, end=e))
            reason = TO_A_MODEL if all(addressed for *_, addressed in pieces) else None
            in_markup = markup_depth(text[start:end], 0) > 0
            continue
        in_markup = False
        blank_after = i + 1 == len(lines) or lines[i + 1][2]
        reason = _line_reason(text[start:end], i, (blank_before, blank_after), len(lines), meta, reason)
        if reason:
            furniture.append(Furniture(start=start, end=end, reason=reason))
        else:
            body.append(Span(start=start, end=end))
    if meta.get("title") and speaks_to_a_model(meta["title"]):
        del meta["title"]  # a <title> or front matter that talks to a model is no headline
    return _join_wrapped(text, body), sorted(furniture, key=lambda f: f.start)


_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")
_LIST_ITEM = re.compile(r"\s*(?:[-*+\u2022]\s|\d+[.)]\s)")


def _join_wrapped(text: str, body: list[Span]) -> list[Span]:
    """Body lines of one hard-wrapped paragraph joined into one span ("... in a 5-2 vote," / "with
    work to begin on March 3."): a sentence is never split at a line break that only wraps it. Lines
    join when nothing but the line break lies between them and the first does not end a sentence
    while the next starts in lower case, or the first is too long to be a heading; a list item never
    joins the line before it."""
    out: list[Span] = []
    for span in body:
        if out:
            prev = out[-1]
            gap = text[prev.end : span.start]
            line, nxt = text[prev.start : prev.end], text[span.start : span.end]
            wraps = (
                gap.strip(" \t\r") == "\n"
                and not _SENTENCE_END.search(line)
                and not _LIST_ITEM.match(nxt)
                and (nxt[:1].islower() or len(line.split()) > 12)
            )
            if wraps:
                out[-1] = Span(start=prev.start, end=span.end)
                continue
        out.append(span)
    return out
