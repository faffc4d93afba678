"""Load stage orchestration: walk the paths, fetch the URLs, read standard input for `-`, read each
source once with its reader, mark furniture, and drop second copies of an article (same bytes, or
same body text).

A reader may return several documents for one file (an e-mail's attachments, a feed's items): each is
shown as ``<path>#<name>`` and gets an id from the file's bytes and its name, so unchanged sources
keep their ids from run to run. A URL that cannot be fetched is skipped with its reason, like an
unreadable file, and the run goes on with the other sources.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import urlsplit

from briefer.core import limits
from briefer.core.errors import InputError
from briefer.core.models import Document, DocumentMeta, Skipped
from briefer.core.paths import shown as shown_path
from briefer.sources.fetch import FetchOptions, fetch, is_url, make_client
from briefer.sources.furniture import annotate
from briefer.sources.readers import Extracted, Part, Reader, reader_for, reader_for_media, sniff
from briefer.sources.walk import read_file, skip_summary, walk, warn_skipped

log = logging.getLogger("briefer")

STDIN = "-"  # the source name for standard input, and how its document is shown
_STRONG = ("pdf", "docx", "feed")  # formats whose first bytes are conclusive, whatever a server says


@dataclass(frozen=True)
class LoadResult:
    documents: list[Document]  # sorted by display path
    skipped: list[Skipped]  # every file not loaded, with the reason
    found: tuple[str, ...] = ()  # every source found, sorted (loaded, or skipped after it was found)


@dataclass(frozen=True)
class _Source:
    """A source found: the path its reader is given, the reader, and its bytes when already read."""

    path: Path
    reader: Reader | None  # None: chosen from the bytes (stdin, a URL)
    raw: bytes | None = None
    media_type: str = ""


def load(
    paths: Sequence[str | Path],
    *,
    max_bytes: int = 20_000_000,
    root: Path | None = None,
    fetching: FetchOptions | None = None,
    stdin: BinaryIO | None = None,
) -> LoadResult:
    """Load every supported file under `paths`, every URL and `-` (standard input); skip (and warn
    about) anything unusable.

    Relative paths are taken from `root` (default: the working directory) but shown as given, so a
    batch topic's documents read as its config names them (`news/storm/a.txt`) wherever cron starts
    the job, without changing the process's working directory. `fetching` sets the limits and the
    conditional-request cache for URLs (default: limits only, nothing cached); `stdin` is what `-`
    reads (default: the process's standard input)."""
    skipped: list[Skipped] = []

    def skip(path: str, reason: str) -> None:
        log.debug("skipping %s: %s", path, reason)  # warned about together, in warn_skipped
        skipped.append(Skipped(path=path, reason=reason))

    candidates = _gather(paths, root, max_bytes, fetching, stdin, skip)
    documents: list[Document] = []
    seen: dict[str, str] = {}  # body text -> first path, so the same article counts once
    copies: dict[bytes, str] = {}  # raw digest -> first path: an exact copy is skipped before decoding
    total = 0  # bytes read so far: the run's input is bounded as a whole, not only per file
    for shown in sorted(candidates):  # sorted first: which copy wins does not depend on argument order
        source = candidates[shown]
        raw = source.raw if source.raw is not None else read_file(source.path, max_bytes)
        if isinstance(raw, str):
            skip(shown, raw)
            continue
        total += len(raw)
        if total > limits.MAX_TOTAL_BYTES:
            raise InputError(limits.too_much_input(paths))
        digest = hashlib.sha256(raw).digest()
        if digest in copies:
            skip(shown, f"duplicate of {copies[digest]}")
            continue
        copies[digest] = shown
        for part_shown, loaded in _load_source(source, shown, raw):
            if isinstance(loaded, Document) and is_brief(
                loaded.text, raw if loaded.format == "html" else b""
            ):
                skip(part_shown, "a brief written by briefer (its own output is never a source)")
            elif isinstance(loaded, str):
                skip(part_shown, loaded)
            elif (key := _body_key(loaded)) in seen:
                skip(part_shown, f"duplicate of {seen[key]}")
            else:
                seen[key] = part_shown
                documents.append(loaded)
    if not documents:
        where = ", ".join(shown_path(p) for p in paths) or "(no paths)"
        raise InputError(f"no readable documents in {where}{skip_summary(skipped)}")
    warn_skipped(skipped)
    return LoadResult(
        documents=documents, skipped=sorted(skipped, key=lambda s: s.path), found=tuple(sorted(candidates))
    )


def _gather(
    paths: Sequence[str | Path],
    root: Path | None,
    max_bytes: int,
    fetching: FetchOptions | None,
    stdin: BinaryIO | None,
    skip: Callable[[str, str], None],
) -> dict[str, _Source]:
    """Every source by display path: files found by walking, URLs fetched, stdin read. A missing
    path is bad input (the whole run); a URL that fails is one skipped source."""
    candidates: dict[str, _Source] = {}
    visited: set[tuple[int, int]] = set()
    urls = [str(p) for p in paths if isinstance(p, str) and is_url(p)]
    files = [p for p in paths if not (isinstance(p, str) and (p == STDIN or is_url(p)))]
    actuals = [(root or Path()) / given for given in files]  # an absolute `given` stays as it is
    for given, actual in zip(files, actuals, strict=True):
        if not actual.exists():
            raise InputError(f"no such file or directory: {shown_path(given)}")
    roots = [Path(os.path.realpath(a)) for a in actuals]  # symlinks may not lead out of these
    for given, actual in zip(files, actuals, strict=True):
        for shown, file, reader in walk(actual, shown_path(given), visited, skip, roots):
            candidates.setdefault(shown, _Source(file, reader))
            if len(candidates) > limits.MAX_FILES:
                raise InputError(limits.too_many_files(paths))
    if STDIN in paths:
        raw = _read_stdin(stdin or sys.stdin.buffer, max_bytes)
        if isinstance(raw, str):
            skip(STDIN, raw)
        else:
            candidates[STDIN] = _Source(Path("stdin"), None, raw)
    if urls:
        options = fetching or FetchOptions(max_bytes=max_bytes)
        with make_client(options) as client:
            for url in dict.fromkeys(urls):
                got = fetch(url, options, client)
                if isinstance(got, str):
                    skip(url, got)
                    continue
                log.info("fetched %s%s", url, " (not modified: stored copy reused)" if got.reused else "")
                name = PurePosixPath(urlsplit(got.url).path).name or "index"
                candidates[url] = _Source(Path(name), None, got.body, got.media_type)
    return candidates


def _read_stdin(stream: BinaryIO, max_bytes: int) -> bytes | str:
    """At most max_bytes of standard input, or why it cannot be used."""
    try:
        raw = stream.read(max_bytes + 1)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if len(raw) > max_bytes:
        return f"too large (standard input over {max_bytes:,} bytes)"
    return raw if raw else "empty input"


def _reader(source: _Source, raw: bytes) -> Reader:
    """The reader for a source: its suffix's for a file; for stdin and URLs, conclusive first bytes,
    else the declared media type, else the URL's suffix, else what the bytes look like."""
    if source.reader is not None:
        return source.reader
    sniffed = sniff(raw)
    if sniffed.format in _STRONG:
        return sniffed
    return reader_for_media(source.media_type) or reader_for(source.path) or sniffed


# The footer every Markdown brief ends with (`output.render.footer`; a test keeps the two in step):
# a brief written into its own sources folder (`briefer run dir -o dir/brief.md`, twice) must not come
# back as a source, or it would cite itself and give its facts false corroboration.
_BRIEF_FOOTER = re.compile(r"^\d+/\d+ sentences supported by their cited spans( · [^\n]*)? · engine: \w+")


_HTML_BRIEF_FOOTER = re.compile(rb"<footer>\s*<p>\d+/\d+ sentences supported by their cited spans")


def is_brief(text: str, raw: bytes = b"") -> bool:
    """Whether a source is a brief written by briefer: a Markdown brief's last non-empty line is the
    footer; an HTML brief's bytes hold it in a `<footer>` (its text carries the sources' own text, so
    the footer is not last there)."""
    lines = text.rstrip().rsplit("\n", 1)
    return bool(_BRIEF_FOOTER.match(lines[-1].strip())) or bool(raw and _HTML_BRIEF_FOOTER.search(raw))


def _body_key(doc: Document) -> str:
    """What makes two files the same article: their body text, whitespace collapsed. A copy with other
    line endings, encoding, byline or page furniture (a syndicated story on two sites) is one source,
    so it cannot corroborate itself."""
    return " ".join(" ".join(doc.text[s.start : s.end] for s in doc.body).split())


def _load_source(source: _Source, shown: str, raw: bytes) -> list[tuple[str, Document | str]]:
    """The documents made from a source's bytes (one, or a container's parts), each with its
    display path, or the reason one cannot be used."""
    reader = _reader(source, raw)
    extracted = reader.read(raw, source.path)
    if not isinstance(extracted, list):
        extracted = [Part(name="", content=extracted)]
    out: list[tuple[str, Document | str]] = []
    for part in extracted:
        part_shown = f"{shown}#{part.name}" if part.name else shown
        content = part.content
        if isinstance(content, str):
            out.append((part_shown, content))
            continue
        out.append((part_shown, _document(content, part.format or reader.format, part_shown, raw, part.name)))
    return out


def _document(extracted: Extracted, fmt: str, shown: str, raw: bytes, name: str) -> Document | str:
    """A document from what a reader extracted, or the reason it has nothing to brief."""
    meta = dict(extracted.meta)  # filled further by the furniture it finds
    body, furniture = annotate(extracted.text, meta, extracted.furniture)
    if not body:
        return "no body text (only title, byline or page furniture)"
    key = raw if not name else raw + b"#" + name.encode("utf-8")
    return Document.model_validate(
        {
            "id": "d" + hashlib.sha256(key).hexdigest()[:10],
            "path": shown,
            "format": fmt,
            "encoding": extracted.encoding,
            "text": extracted.text,
            "meta": DocumentMeta(**meta),
            "body": body,
            "furniture": furniture,
            "pages": list(extracted.pages),
        }
    )
