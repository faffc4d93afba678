"""Shorter forms of a sentence: the main clause without a trailing clause that adds detail.

"Trim a sentence to the clause that carries the fact when the rest is said elsewhere or not needed"
(issue 12): a sentence such as "The council voted 5-2 to close the bridge, which has carried traffic
since 1931." may be printed as "The council voted 5-2 to close the bridge." when the page has room for
that and not for the whole. Which form is printed is decided by coverage (`coverage.py`); this module
only says which forms are safe. Words are only removed from the end, never added or changed, so the
printed text stays a prefix of the cited span plus a full stop, and the verifier checks it as usual.

A form is safe when the cut falls at a boundary that opens a dependent or added clause (a dash, a
semicolon, or a comma before which, who, including, while, after ...), the dropped part carries no
attribution (a speech verb or "according to": cutting it would state a claim flat), and the part kept
is at least eight words with its quotation marks and brackets closed. A comma before "and" or "but" is
never a cut (lists, and contrasts that change the meaning); nor is a comma when the dropped part has
another comma (the cut might fall inside a parenthesis that closes later), except for lists opened by
"including" or "such as".
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefer.core.text import ATTRIBUTION
from briefer.engines.offline.standalone import quotes_closed

MIN_WORDS = 8  # a kept clause shorter than this rarely carries a fact on its own
MIN_SAVING = 4  # a form must save at least this many words to be worth offering

_OPENERS = "which|who|whom|whose|where|including|such as|while|after|before|amid|with|following|despite"
_BOUNDARY = re.compile(rf"\s[\u2014\u2013-]\s|;\s|,\s(?=(?:{_OPENERS})\b)")
_LISTS = ("including", "such as")
_DASH = re.compile(r"\s[\u2014\u2013-]\s")


def _balanced(text: str) -> bool:
    return quotes_closed(text) and text.count("(") == text.count(")") and text.count("[") == text.count("]")


@lru_cache(maxsize=16384)
def shorter_forms(text: str) -> tuple[str, ...]:
    """The safe shorter forms of a printable sentence, longest first (empty when there are none)."""
    if text[:1] in "\"\u201c'\u2018" or not text.rstrip().endswith("."):
        return ()
    forms: list[str] = []
    total = len(text.split())
    for m in _BOUNDARY.finditer(text):
        head, tail = text[: m.start()].rstrip(" ,;"), text[m.end() :]
        kept = len(head.split())
        if kept < MIN_WORDS or total - kept < MIN_SAVING or ATTRIBUTION.search(tail) or not _balanced(head):
            continue
        sep = m.group(0).strip()
        if sep == "," and ", " in tail and not tail.startswith(_LISTS):
            continue
        if sep not in (",", ";") and _DASH.search(f"{head} {tail}"):
            continue  # a pair of dashes: the cut would fall inside or at the end of the parenthesis
        forms.append(head.rstrip(".:") + ".")
    return tuple(reversed(forms))
