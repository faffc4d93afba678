"""HTML to text: hidden elements pruned, then trafilatura's main text and metadata, with a
tag-stripping fallback so short or unusual pages are not lost."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from briefer.sources.dates import find_date, to_datetime
from briefer.sources.decode import visible

log = logging.getLogger("briefer")

# Ways a page hides text from readers (an injection's favourite place), tested on the style attribute
# lower-cased without spaces: gone, invisible, transparent, zero-sized, clipped away, or pushed far off
# screen. `!important` changes nothing here; `visibility:collapse` hides as `hidden` does.
_HIDING_STYLE = re.compile(
    r"display:none|visibility:(?:hidden|collapse)|opacity:0*\.?0*(?:;|!|$)"
    r"|font-size:0*\.?0*(?:px|pt|em|rem|%)?(?:;|!|$)"
    r"|clip:rect\(0*(?:px)?[,\s]*0*(?:px)?[,\s]*0*(?:px)?[,\s]*0*(?:px)?\)|clip-path:(?:inset\((?:50|100)%|circle\(0"
    r"|polygon\(0*(?:px)?0*(?:px)?\))|transform:scale\(0*\.?0*\)|color:transparent"
    r"|(?:left|right|top|bottom|text-indent|margin-left|margin-top):-\d{4,}"
)
# A zero-sized box hides its text only when its overflow is hidden too.
_ZERO_BOX = re.compile(r"(?:^|;)(?:max-)?(?:height|width):0*\.?0*(?:px|em|rem|%)?(?:;|!|$)")
# A utility class that hides on small screens only ("hidden md:block", "d-none d-lg-block") shows on others.
_SHOWN_SOMEWHERE = re.compile(r"[:-](?:block|flex|inline|inline-block|grid|table)$")
_HIDING_CLASSES = {  # never shown to sighted readers: screen-reader-only and utility "hide" classes
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screen-reader-only", "hidden",
    "d-none", "is-hidden", "u-hidden", "hide", "invisible", "display-none", "element-invisible", "offscreen",
    "sr-only-focusable", "a11y-hidden", "hidden-visually", "is-visually-hidden",
}  # fmt: skip
_PRUNE_XPATH = [  # page chrome, removed before trafilatura looks for the main text
    "//nav",
    "//footer",
    "//aside",
    "//form",
    "//template",
    "//header[not(ancestor::article)]",
]


def _hidden(attrs: Mapping[str, str | None]) -> bool:
    """Whether an element's attributes hide it from readers."""
    style = "".join((attrs.get("style") or "").split()).lower()
    classes = set((attrs.get("class") or "").lower().split())
    return (
        "hidden" in attrs
        or (attrs.get("aria-hidden") or "").strip().lower() == "true"
        or bool(_HIDING_STYLE.search(style))
        or (bool(_ZERO_BOX.search(style)) and "overflow:hidden" in style)
        or (bool(classes & _HIDING_CLASSES) and not any(_SHOWN_SOMEWHERE.search(c) for c in classes))
    )


@functools.cache
def _utf8_parser() -> Any:
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8")


def _unhidden(html: str) -> str:
    """The page without the elements `_hidden` finds (text after such an element stays), so hidden
    text reaches neither trafilatura's main text nor its fallback."""
    import lxml.etree
    import lxml.html

    try:  # bytes, so an XML declaration naming an encoding is no error
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=_utf8_parser())
    except (ValueError, lxml.etree.LxmlError):
        return html
    hidden = [el for el in tree.iter() if isinstance(el.tag, str) and _hidden(el.attrib)]
    if not hidden:
        return html
    for el in hidden:
        if el.getparent() is not None:  # a hidden root (<html hidden>) stays: it is the whole page
            el.drop_tree()
    return str(lxml.html.tostring(tree, encoding="unicode"))


# fmt: off
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "form",
              "svg", "iframe", "button", "select"}
_VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main",
               "blockquote", "pre", "dd", "dt", "td", "th", "figcaption", "table", "ul", "ol"}
# fmt: on


def extract_html(html: str) -> tuple[str, dict[str, Any]]:
    """Main text and metadata via trafilatura (hidden elements pruned first); a tag-stripping
    fallback keeps short or unusual pages from being lost. trafilatura and lxml are imported here, on
    the first page: a run of text files never loads them (a tenth of a second at start-up)."""
    import trafilatura

    html = _unhidden(html)
    try:
        result = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
            prune_xpath=_PRUNE_XPATH,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if result is None:
            result = trafilatura.extract_metadata(html)
    except Exception as exc:  # trafilatura/lxml can raise on malformed markup; the fallback copes
        log.debug("trafilatura failed: %s", exc)
        result = None
    meta: dict[str, Any] = {}
    text = ""
    if result is not None:
        text = getattr(result, "text", None) or ""
        for key, attr in (("title", "title"), ("author", "author"), ("outlet", "sitename")):
            if value := (getattr(result, attr, None) or "").strip():
                meta[key] = value
        if date := (getattr(result, "date", None) or "").strip():
            meta["published"] = date
            found = find_date(date)
            meta["published_at"] = to_datetime(found) if found else None
    if not visible(text):
        parser = _TextOnly()
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line), meta


class _TextOnly(HTMLParser):
    """Visible text with one line per block; skips scripts, styles, navigation and hidden elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: str | None = None  # tag whose subtree is being skipped
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            self._depth += tag == self._skipping
            return
        hidden = _hidden(dict(attrs))
        if (tag in _SKIP_TAGS or hidden) and tag not in _VOID_TAGS:
            self._skipping, self._depth = tag, 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            self._depth -= tag == self._skipping
            self._skipping = self._skipping if self._depth > 0 else None
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
