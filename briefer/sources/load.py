"""Load stage: files and folders in, `Document`s with body and furniture spans out.

`text` is what citations index, so for .txt/.md it is exactly the decoded file with universal newlines
(what ``open(path, encoding=enc).read()`` returns); nothing is ever deleted from it. Page furniture
(titles, bylines, credits, copyright, contact blocks...) is only *marked*, as spans with a reason, so
the engines skip it while a reader can still see what was removed and why. Every rule is general:
short-line shapes and keywords, never strings from particular articles.

Each non-blank line ends up in exactly one span, except that a sentence addressed to a model (prompt
injection) is cut out of its line as a span of its own. Furniture reasons: front matter, title, repeated
title, byline (author / outlet / date lines near the top), image credit, copyright, comment disclaimer,
boilerplate (ads, share/follow/subscribe prompts, reporting credits), contact block, separator,
instructions to a model. Copyright lines and comment disclaimers also name the outlet when nothing else did.

Hostile input is refused with a reason, never a crash: files over `max_bytes` are skipped unread (and
the read is bounded, should a file grow), folders of any depth or with symlink loops are walked, hidden
HTML elements are dropped before extraction, and a second copy of an article (same body text) is skipped.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import charset_normalizer
import lxml.etree
import lxml.html
import trafilatura

from briefer.core.errors import InputError
from briefer.core.models import Document, DocumentMeta, Furniture, Skipped, Span
from briefer.core.segment import split_sentences

log = logging.getLogger("briefer")

FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_HEAD_LINES = 8  # bylines and datelines live in the first few non-blank lines


@dataclass(frozen=True)
class LoadResult:
    documents: list[Document]  # sorted by display path
    skipped: list[Skipped]  # every file not loaded, with the reason


MAX_SKIP_LINES = 10  # beyond this, skipped files are summarised by reason instead of listed


def warn_skipped(skipped: list[Skipped]) -> None:
    """One warning per skipped file, or, for many (a folder of copies), a count per reason: a cron log
    should not drown in thousands of lines. Every skip stays in the run report and JSON output."""
    if len(skipped) <= MAX_SKIP_LINES:
        for s in skipped:
            log.warning("skipping %s: %s", s.path, s.reason)
    else:
        log.warning("%s; -v lists them, --format json records each", _skip_summary(skipped)[2:-1])


def load(paths: Sequence[str | Path], *, max_bytes: int = 20_000_000) -> LoadResult:
    """Load every supported file under `paths`; skip (and warn about) anything unusable."""
    skipped: list[Skipped] = []

    def skip(path: str, reason: str) -> None:
        log.debug("skipping %s: %s", path, reason)  # warned about together, in warn_skipped
        skipped.append(Skipped(path=path, reason=reason))

    candidates: dict[str, Path] = {}
    visited: set[tuple[int, int]] = set()
    for given in paths:
        if not Path(given).exists():
            raise InputError(f"no such file or directory: {given}")
        for shown, file in _walk(Path(given), str(given), visited, skip):
            candidates.setdefault(shown, file)
    documents: list[Document] = []
    seen: dict[str, str] = {}  # body text -> first path, so the same article counts once
    copies: dict[bytes, str] = {}  # raw digest -> first path: an exact copy is skipped before decoding
    for shown in sorted(candidates):  # sorted first: which copy wins does not depend on argument order
        raw = _read_file(candidates[shown], max_bytes)
        if isinstance(raw, str):
            skip(shown, raw)
            continue
        digest = hashlib.sha256(raw).digest()
        if digest in copies:
            skip(shown, f"duplicate of {copies[digest]}")
            continue
        copies[digest] = shown
        loaded = _load_file(candidates[shown], shown, raw)
        if isinstance(loaded, str):
            skip(shown, loaded)
        elif (key := _body_key(loaded)) in seen:
            skip(shown, f"duplicate of {seen[key]}")
        else:
            seen[key] = shown
            documents.append(loaded)
    if not documents:
        where = ", ".join(str(p) for p in paths) or "(no paths)"
        raise InputError(f"no readable documents in {where}{_skip_summary(skipped)}")
    warn_skipped(skipped)
    return LoadResult(documents=documents, skipped=sorted(skipped, key=lambda s: s.path))


def _body_key(doc: Document) -> str:
    """What makes two files the same article: their body text, whitespace collapsed. A copy with other
    line endings, encoding, byline or page furniture (a syndicated story on two sites) is one source,
    so it cannot corroborate itself."""
    return " ".join(" ".join(doc.text[s.start : s.end] for s in doc.body).split())


def _skip_summary(skipped: list[Skipped]) -> str:
    """`` (2 files skipped: 1 empty file, 1 binary file)`` for the one-line error when nothing loads."""
    if not skipped:
        return ""
    kinds: dict[str, int] = {}
    for s in skipped:
        kind = re.sub(r" \([^)]*\d[^)]*\)$|^(duplicate) of .*", r"\1", s.reason)  # sizes, paths: too varied
        kinds[kind] = kinds.get(kind, 0) + 1
    shown = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4])
    more = ", ..." if len(kinds) > 4 else ""
    return f" ({len(skipped)} skipped: {shown}{more})"


def _walk(
    path: Path, shown: str, visited: set[tuple[int, int]], skip: Callable[[str, str], None]
) -> Iterator[tuple[str, Path]]:
    """Supported files under `path` in sorted (depth-first) order; directories are tracked by device
    and inode so symlinked directories cannot loop. An explicit stack rather than recursion, so any
    depth of nesting works, and an entry the OS refuses (a name too long, a vanished file) is
    skipped with its reason instead of stopping the run."""
    stack = [(path, shown)]
    while stack:
        path, shown = stack.pop()
        try:
            info = path.stat() if path.is_dir() else None  # one call, not realpath's one per level
        except OSError as exc:
            skip(shown, f"unreadable ({exc.strerror or exc})")
            continue
        if info is None:
            if path.suffix.lower() not in FORMATS:
                skip(shown, f"unsupported file type ({path.suffix or 'no extension'})")
            else:
                yield shown, path
            continue
        if (info.st_dev, info.st_ino) in visited:
            skip(shown, "directory already visited (symlink loop or repeated path)")
            continue
        visited.add((info.st_dev, info.st_ino))
        try:
            names = sorted(os.listdir(path))
        except OSError as exc:
            skip(shown, f"unreadable directory ({exc.strerror or exc})")
            continue
        children = []
        for name in names:
            child = os.path.join(shown, name)
            if name.startswith("."):
                skip(child, "hidden")
            else:
                children.append((path / name, child))
        stack.extend(reversed(children))  # popped in sorted order


def _read_file(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes (never more than max_bytes are read), or the reason it cannot be used."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > max_bytes:
            return _too_large(info.st_size, max_bytes)
        raw = _read_at_most(path, max_bytes)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if len(raw) > max_bytes:  # it grew after the size check
        return _too_large(len(raw), max_bytes)
    return raw if raw else "empty file"


def _load_file(path: Path, shown: str, raw: bytes) -> Document | str:
    """The document made from a file's bytes, or the reason it cannot be used."""
    decoded = _decode(raw)
    if isinstance(decoded, str):
        return decoded
    text, encoding = decoded
    if not _visible(text):
        return "empty file (whitespace only)"
    fmt = FORMATS[path.suffix.lower()]
    meta: dict[str, Any] = {}
    if fmt == "html":
        text, meta = _extract_html(text)
        if not _visible(text):
            return "no text found in HTML"
    body, furniture = _annotate(text, fmt, meta)
    if not body:
        return "no body text (only title, byline or page furniture)"
    doc_id = "d" + hashlib.sha256(raw).hexdigest()[:10]
    return Document(
        id=doc_id,
        path=shown,
        format=fmt,
        encoding=encoding,
        text=text,
        meta=DocumentMeta(**meta),
        body=body,
        furniture=furniture,
    )


def _read_at_most(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes, so a file that grows while it is read cannot exhaust memory."""
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large ({_size(size)}; files over {_size(max_bytes)} are skipped)"


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1_000_000:.3g} MB"


def _visible(text: str) -> bool:
    return bool(text.replace("\ufeff", "").strip())


# --- decoding -------------------------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str] | str:
    """(text, encoding) with universal newlines, or why the bytes are not text.

    A UTF-16/32 BOM decides the encoding (a guess can take a short UTF-16 file for cp1252); then
    UTF-8 is tried strictly (a BOM stays in the text, as ``open()`` keeps it); anything else goes to
    charset-normalizer. NUL bytes mean binary unless a BOM explains them."""
    bom = next((b for b in _BOMS if raw.startswith(b)), None)
    if bom is None and b"\x00" in raw:
        return "binary file (NUL bytes)"
    try:
        encoding = "utf-8" if bom is None else "utf-32" if len(bom) == 4 else "utf-16"
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if bom is not None:
            return "binary or undecodable file"
        guessed = _guess_encoding(raw)
        if guessed is None:
            return "binary or undecodable file"
        text, encoding = raw.decode(guessed), guessed
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\f\v")
    if controls > len(text) / 100:
        return "binary file (control characters)"
    return text, encoding


def _guess_encoding(raw: bytes) -> str | None:
    """charset-normalizer's best guess, except that cp1252 wins ties: on short Western texts the
    detector often picks an exotic code page that decodes equally cleanly but wrongly."""
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if match.chaos <= best.chaos + 0.01 and "cp1252" in match.could_be_from_charset:
            try:
                raw.decode("cp1252")
                return "cp1252"
            except UnicodeDecodeError:
                break
    try:
        raw.decode(best.encoding)
    except UnicodeDecodeError:
        return None
    return codecs.lookup(best.encoding).name


# --- HTML -----------------------------------------------------------------------------------------

# Ways a page hides text from readers (an injection's favourite place), tested on the style attribute
# lower-cased without spaces: gone, invisible, transparent, zero-sized, or pushed far off screen.
_HIDING_STYLE = re.compile(
    r"display:none|visibility:hidden|opacity:0*\.?0*(?:;|!|$)|font-size:0*\.?0*(?:px|pt|em|rem|%)?(?:;|!|$)"
    r"|(?:left|right|top|bottom|text-indent|margin-left|margin-top):-\d{4,}"
)
_HIDING_CLASSES = {"sr-only", "visually-hidden", "screen-reader-text"}  # never shown to sighted readers
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
        or attrs.get("aria-hidden") == "true"
        or bool(_HIDING_STYLE.search(style))
        or bool(classes & _HIDING_CLASSES)
    )


_UTF8_HTML = lxml.html.HTMLParser(encoding="utf-8")


def _unhidden(html: str) -> str:
    """The page without the elements `_hidden` finds (text after such an element stays), so hidden
    text reaches neither trafilatura's main text nor its fallback."""
    try:  # bytes, so an XML declaration naming an encoding is no error
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=_UTF8_HTML)
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


def _extract_html(html: str) -> tuple[str, dict[str, Any]]:
    """Main text and metadata via trafilatura (hidden elements pruned first); a tag-stripping
    fallback keeps short or unusual pages from being lost."""
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
            found = _find_date(date)
            meta["published_at"] = _to_datetime(found) if found else None
    if not _visible(text):
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


# --- dates and bylines ----------------------------------------------------------------------------

# fmt: off
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
# 19:30, 10.02, 7:05 p.m., then an optional zone: IST, GMT, +05:30 (upper case only, so never "at")
_TIME = (r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
         r"(?:\s*(?P<tz>(?-i:[A-Z]{2,5})\b|[+-]\d{2}:?\d{2}))?")
_DATES = [rf"{_WEEKDAY}{_MON}\s+{_DAY},?\s+(?P<y>\d{{4}})", rf"{_WEEKDAY}{_DAY}\s+{_MON},?\s+(?P<y>\d{{4}})"]
_ISO = r"(?P<iso>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
_DATE_RES = [
    *(re.compile(rf"\b{d}(?:\s*,?\s*(?:at\s+|-\s+)?{_TIME})?", re.I) for d in _DATES),  # date[, time]
    *(re.compile(rf"\b{_TIME}\s*,?\s*(?:on\s+)?{d}", re.I) for d in _DATES),  # time, date
    re.compile(rf"\b{_ISO}\b"),
]
# Offsets in minutes of the zone abbreviations news sites commonly print; any other zone gives a naive time.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "IST": 330, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
          "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "CET": 60, "CEST": 120, "BST": 60, "JST": 540,
          "KST": 540, "AEST": 600, "AEDT": 660}
# fmt: on


def _find_date(text: str) -> re.Match[str] | None:
    """The earliest (then longest) date expression in `text`."""
    found = [m for r in _DATE_RES if (m := r.search(text))]
    return min(found, key=lambda m: (m.start(), -m.end()), default=None)


def _to_datetime(match: re.Match[str]) -> datetime | None:
    """A datetime for a `_find_date` match: aware when the zone is known, naive otherwise."""
    g = match.groupdict()
    try:
        if g.get("iso"):
            return datetime.fromisoformat(g["iso"])
        hour = int(g["H"] or 0)
        if g["ampm"]:  # 12 am is midnight, 12 pm is noon
            hour = hour % 12 + (12 if g["ampm"].lower().startswith("p") else 0)
        tz = _zone(g["tz"])
        return datetime(
            int(g["y"]),
            _MONTHS[g["mon"][:3].lower()],
            int(g["d"]),
            hour,
            int(g["M"] or 0),
            int(g["S"] or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None


def _zone(name: str | None) -> timezone | None:
    if not name:
        return None
    if name[0] in "+-":
        sign = -1 if name[0] == "-" else 1
        digits = name[1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    minutes = _ZONES.get(name.upper())
    return None if minutes is None else timezone(timedelta(minutes=minutes))


# fmt: off
_PARTICLES = {"de", "da", "van", "von", "der", "den", "del", "la", "le", "bin", "al", "el", "ibn", "dos"}
_ROLES = re.compile(r"\b(?:correspondent|editor|reporter|writer|staff|contributor|columnist|bureau|chief)\b",
                    re.I)
_OUTLET_WORDS = re.compile(r"\b(?:news|press|times|post|journal|herald|tribune|agency|media|daily|gazette"
                           r"|telegraph|guardian|wire|network|tv|radio|live|reuters|bloomberg)\b", re.I)
_DATE_PREFIX = re.compile(r"^\s*(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)|date)"
                          r"(?:\s+on)?\s*:?", re.I)
# fmt: on
_BY = re.compile(r"^\s*by\s+(?=(?-i:[A-Z]))", re.I)


def _is_name(part: str) -> bool:
    """1-5 capitalised words (particles allowed), no digits: a person or an outlet."""
    words = part.replace("&", "and").split()
    return (
        0 < len(words) <= 5 + words.count("and")
        and not re.search(r"\d", part)
        and all(w[0].isupper() or w.lower() in _PARTICLES or w == "and" for w in words)
    )


def _uncap(name: str) -> str:
    """`JANE DOE and JOHN ROE` -> `Jane Doe and John Roe`; mixed-case names are left alone."""
    words = name.split()
    if not all(w.isupper() for w in words if w.lower() != "and"):
        return name
    return " ".join(w.lower() if w.lower() == "and" else w.title() for w in words)


def _is_outlet(part: str, piped: bool) -> bool:
    return bool(
        _OUTLET_WORDS.search(part) or re.fullmatch(r"[A-Z]{2,6}", part) or (piped and " " not in part)
    )


def _byline(line: str) -> dict[str, Any] | None:
    """Author/outlet/published of a short byline or dateline (`By X`, `X | Outlet | date`, `Updated
    <date>`), or None for anything else: a line qualifies only by a `By` prefix or a date, with every
    other part name-like, so ordinary sentences never match."""
    if len(line.split()) > 20:
        return None
    meta: dict[str, Any] = {}
    rest = line
    if date := _find_date(line):
        meta["published"] = date.group(0).strip(" ,")
        meta["published_at"] = _to_datetime(date)
        rest = line[: date.start()] + "|" + line[date.end() :]
    rest = _DATE_PREFIX.sub("", rest) if date else rest
    by = _BY.match(rest)
    if not (date or by):
        return None
    piped = bool(re.search(r"[|•·]", line))
    parts = [p.strip(" .:") for p in re.split(r"[|•·,;]|\s[-–—]\s", rest[by.end() :] if by else rest)]
    parts = [p for p in parts if p and not re.fullmatch(r"\d+\s*min(?:ute)?s?\s+read", p, re.I)]
    if not all(_is_name(p) for p in parts):
        return None
    authors: list[str] = []
    for i, part in enumerate(parts):
        if (i > 0 or not by) and "outlet" not in meta and _is_outlet(part, piped):
            meta["outlet"] = part
        elif not _ROLES.search(part) and (i == 0 or len(part.split()) > 1):  # skip roles and places
            authors.append(_uncap(part))
    if authors:
        meta["author"] = " and ".join(authors)
    return meta


# --- furniture ------------------------------------------------------------------------------------

_HEADING = re.compile(r"^#{1,6}\s+")  # a Markdown ATX heading marker ("#MeToo" is not one)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$", re.S | re.M)
# fmt: off
_FRONT_KEYS = {"title": "title", "author": "author", "by": "author", "date": "published",
               "published": "published", "outlet": "outlet", "source": "outlet", "publication": "outlet",
               "site": "outlet"}
_IMAGE_CREDIT = re.compile(
    r"^\(?\s*(?:(?:image|photo(?:graph)?|picture|pic|video|graphic|illustration)s?\s*"
    r"(?:credits?|courtesy)?\s*[:：]|(?:photo|image|picture)s?\s+(?:by|courtesy)\b"
    r"|(?:credits?|source|courtesy)\s*:"
    r"|file\s+(?:photo|image|picture)\b)"
    r"|\b(?:photograph|photo|image)\s*(?:credit)?\s*:\s*[^.]{1,80}$"  # a credit closing a caption
    r"|(?:[/,(]|\bvia)\s*(?:getty images|shutterstock|AP|AFP|EPA|Reuters)\)?$", re.I)  # "..., Getty Images"
_COPYRIGHT = re.compile(r"©|^\W*copyright\b|\(c\)\s*\d{4}|all rights reserved|reprint rights"
                        r"|syndication service|reprints? (?:and|&) permissions", re.I)
_OWNER_MARK = re.compile(r"(?:(?:copyright|©|\(c\))\s*:?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*)+", re.I)
_OWNER_END = re.compile(r"all rights reserved|[|;]|\bfor reprint", re.I)  # where a holder's name stops
_ABBREVIATION = re.compile(r"\b(?:ltd|inc|co|corp|plc|llc|pty|bhd|gmbh|[a-z])$", re.I)  # "Co." ends nothing
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
    return owner if owner[:1].isupper() and len(owner.split()) <= 8 else None


def _standalone_contact(line: str) -> bool:
    """An email address, phone number or URL on its own (optionally labelled); year ranges excluded."""
    return bool(_STANDALONE.fullmatch(line)) and not re.fullmatch(r"\d{4}\s*[-–/]\s*\d{2,4}", line)


def _line_reason(
    line: str, i: int, blank_around: tuple[bool, bool], n_lines: int, meta: dict[str, Any], prev: str | None
) -> str | None:
    """Why the i-th non-blank line is furniture (updating `meta` from it), or None for body text.
    `prev` is the previous non-blank line's reason: bylines and contact blocks run over several lines."""
    words = len(line.split())
    if i < _HEAD_LINES and (found := _byline(line)):
        _merge(meta, found)
        return "byline"
    byline_goes_on = prev == "byline" and not blank_around[0] and i < _HEAD_LINES
    if byline_goes_on and words <= 5 and _is_name(line):  # "Example News", "Staff Writer"
        _merge(meta, {"outlet": line if _is_outlet(line, piped=False) else None})
        return "byline"
    if i == 0 and n_lines > 1:
        heading = _HEADING.match(line)
        title = line[heading.end() :] if heading else line
        if "title" in meta and _repeats_title(title, meta["title"]):
            return "repeated title"
        if "title" not in meta and (
            heading or (words <= 25 and (not re.search(r"[.,;:]$", line) or blank_around[1]))
        ):
            meta["title"] = title
            return "title"
    if 0 < i < 6 and meta.get("title") and _repeats_title(line, meta["title"]):
        return "repeated title"
    if words <= 30 and _IMAGE_CREDIT.search(line):
        return "image credit"
    if words < 60 and _COPYRIGHT.search(line):
        _merge(meta, {"outlet": _owner(line)})
        return "copyright"
    if words < 60 and _COMMENT.search(line) and _COMMENT_WORDS.search(line) and _COMMENT_CUE.search(line):
        outlet = _COMMENT_OUTLET.search(line)
        _merge(meta, {"outlet": outlet.group("o").strip(" .,") if outlet else None})
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


def _merge(meta: dict[str, Any], found: dict[str, Any]) -> None:
    """Fill metadata fields that are still unset; the first source of a field wins."""
    for key, value in found.items():
        if value and not meta.get(key):
            meta[key] = value


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past surrounding whitespace (and BOM/zero-width space)."""
    while start < end and (text[start].isspace() or text[start] in "\ufeff\u200b"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\ufeff\u200b"):
        end -= 1
    return start, end


def _lines(text: str, offset: int) -> list[tuple[int, int, bool]]:
    """(start, end, blank line before) for each non-blank line from `offset`, trimmed."""
    out: list[tuple[int, int, bool]] = []
    pos, blank = offset, True
    for raw in text[offset:].split("\n"):
        start, end = _trim(text, pos, pos + len(raw))
        if start < end:
            out.append((start, end, blank))
        blank = start >= end
        pos += len(raw) + 1
    return out


def _front_matter(block: str) -> dict[str, Any]:
    """`key: value` pairs of a Markdown front matter block mapped onto metadata fields."""
    meta: dict[str, Any] = {}
    for key, _, value in (line.partition(":") for line in block.split("\n")):
        field, value = _FRONT_KEYS.get(key.strip().lower()), value.strip().strip("'\"")
        if field and value and field not in meta:
            meta[field] = value
            if field == "published" and (date := _find_date(value)):
                meta["published_at"] = _to_datetime(date)
    return meta


def _annotate(text: str, fmt: str, meta: dict[str, Any]) -> tuple[list[Span], list[Furniture]]:
    """Split `text` into body spans and furniture spans, line by line, filling `meta` on the way."""
    furniture: list[Furniture] = []
    offset = 0
    if fmt == "md" and (front := _FRONT.match(text)):
        _merge(meta, _front_matter(front.group(1)))
        start, end = _trim(text, 0, front.end())
        furniture.append(Furniture(start=start, end=end, reason="front matter"))
        offset = front.end()
    lines = _lines(text, offset)
    body: list[Span] = []
    reason: str | None = None
    in_markup = False  # inside a chat-template block opened on an earlier line of the paragraph
    for i, (start, end, blank_before) in enumerate(lines):
        if in_markup and not blank_before:
            furniture.append(Furniture(start=start, end=end, reason=TO_A_MODEL))
            in_markup, reason = _markup_depth(text[start:end], 1) > 0, TO_A_MODEL
            continue
        if pieces := _to_a_model(text, start, end):
            for s, e, addressed in pieces:
                (furniture if addressed else body).append(
                    Furniture(start=s, end=e, reason=TO_A_MODEL) if addressed else Span(start=s, end=e)
                )
            reason = TO_A_MODEL if all(addressed for *_, addressed in pieces) else None
            in_markup = _markup_depth(text[start:end], 0) > 0
            continue
        in_markup = False
        blank_after = i + 1 == len(lines) or lines[i + 1][2]
        reason = _line_reason(text[start:end], i, (blank_before, blank_after), len(lines), meta, reason)
        if reason:
            furniture.append(Furniture(start=start, end=end, reason=reason))
        else:
            body.append(Span(start=start, end=end))
    if meta.get("title") and _TO_A_MODEL.search(meta["title"]):
        del meta["title"]  # a <title> or front matter that talks to a model is no headline
    return body, furniture


# --- text addressed to a model --------------------------------------------------------------------

TO_A_MODEL = "instructions to a model"
# Sentences that speak to a language model rather than to readers: orders to ignore or replace its
# instructions, chat-role and tool-call markup, notes "to the AI", and claims to be this tool's own
# verdict, including tags that imitate the delimiters of briefer's own prompts (`</document>`). News
# *about* such text quotes it ("typing 'ignore previous instructions' made the bot..."),
# so the imperative forms count only at the start of a sentence, never inside quotation marks.
# fmt: off
_TO_A_MODEL = re.compile(
    r"^[^\w\"'\u201c\u2018<\[]*(?:"
    r"(?:please\s+)?(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|my|of|these|those"
    r"|previous|prior|above|earlier|preceding|foregoing|system|original|existing|other)\s+){1,4}"
    r"(?:instructions?|prompts?|rules|guidelines|directives|context)\b"
    r"|(?:(?:a\s+)?(?:note|message|instructions?)\s+(?:to|for)|attention)\s+(?:the\s+|any\s+|all\s+)?"
    r"(?:ai|llms?|models?|assistants?|chatbots?|summari[sz]ers?|language\s+models?)\b"
    r"|(?:\[\s*)?(?:system|assistant|developer)(?:\s*\])?\s*:"
    r"|(?:new|updated|revised)\s+(?:system\s+)?instructions?\s*:)"
    r"|<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>"  # chat templates; then role, tool and briefer's own prompt tags
    r"|</?(?:system|assistant|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence)\b[^>]*>"
    r"|\b(?:ai|llms?|language\s+models?|assistants?|chatbots?|summari[sz]ers?)\s+(?:\w+\s+){0,2}"
    r"(?:reading|summari[sz]ing|processing|parsing)\s+this\b"
    r"|\b(?:verdict|label)\s*[:=]\s*[\"']?(?:supported|verified|approved|passed)\b"
    r"|\b(?:this|the)\s+(?:brief|summary)\s+(?:has\s+(?:already\s+)?been|is|was)\s+(?:fully\s+|already\s+)?"
    r"(?:verified|approved|fact[- ]checked)\b",
    re.IGNORECASE,
)
_MODEL_CUE = re.compile(r"instruction|prompt|rules|guideline|directive|context|system|assistant|developer|<"
                        r"|\bai\b|llm|model|chatbot|summari[sz]|inst\]|tool|verdict|label|brief|summary",
                        re.IGNORECASE)
# fmt: on


_TAGS = r"system|assistant|user|developer|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence"
_MARKUP_OPEN = re.compile(rf"<\|im_start\|>|\[INST\]|<<SYS>>|<(?:{_TAGS})\b[^>/]*>", re.IGNORECASE)
_MARKUP_CLOSE = re.compile(rf"<\|im_end\|>|\[/INST\]|<</SYS>>|</(?:{_TAGS})\s*>", re.IGNORECASE)


def _markup_depth(line: str, depth: int) -> int:
    """Chat-template blocks still open after `line`: the lines of an injected `<|im_start|>system`
    ... `<|im_end|>` block read as plain sentences on their own, so the block (up to its close or the
    end of the paragraph) is furniture as a whole."""
    return max(0, depth + len(_MARKUP_OPEN.findall(line)) - len(_MARKUP_CLOSE.findall(line)))


def _to_a_model(text: str, start: int, end: int) -> list[tuple[int, int, bool]] | None:
    """The line's sentences as (start, end, addressed to a model), or None when none of them is.

    Only those sentences become furniture, so a real report sharing their paragraph stays body text;
    the engines never read them, and the LLM engine cannot cite them."""
    line = text[start:end]
    if not _MODEL_CUE.search(line):  # cheap test first: almost no line has any cue word
        return None
    pieces = [(start + s, start + e, bool(_TO_A_MODEL.search(line[s:e]))) for s, e in split_sentences(line)]
    return pieces if any(addressed for *_, addressed in pieces) else None
