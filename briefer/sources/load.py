"""Load stage orchestration: walk the paths, read each file once with the reader its suffix is
registered to, mark furniture, and drop second copies of an article (same bytes, or same body text)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.core import limits
from briefer.core.errors import InputError
from briefer.core.models import Document, DocumentMeta, Skipped
from briefer.core.paths import shown as shown_path
from briefer.sources.furniture import annotate
from briefer.sources.readers import Reader
from briefer.sources.walk import read_file, skip_summary, walk, warn_skipped

log = logging.getLogger("briefer")


@dataclass(frozen=True)
class LoadResult:
    documents: list[Document]  # sorted by display path
    skipped: list[Skipped]  # every file not loaded, with the reason
    found: tuple[str, ...] = ()  # every supported file found, sorted (loaded or skipped after reading)


def load(paths: Sequence[str | Path], *, max_bytes: int = 20_000_000, root: Path | None = None) -> LoadResult:
    """Load every supported file under `paths`; skip (and warn about) anything unusable.

    Relative paths are taken from `root` (default: the working directory) but shown as given, so a
    batch topic's documents read as its config names them (`news/storm/a.txt`) wherever cron starts
    the job, without changing the process's working directory."""
    skipped: list[Skipped] = []

    def skip(path: str, reason: str) -> None:
        log.debug("skipping %s: %s", path, reason)  # warned about together, in warn_skipped
        skipped.append(Skipped(path=path, reason=reason))

    candidates: dict[str, tuple[Path, Reader]] = {}
    visited: set[tuple[int, int]] = set()
    actuals = [(root or Path()) / given for given in paths]  # an absolute `given` stays as it is
    for given, actual in zip(paths, actuals, strict=True):
        if not actual.exists():
            raise InputError(f"no such file or directory: {shown_path(given)}")
    roots = [Path(os.path.realpath(a)) for a in actuals]
    for given, actual in zip(paths, actuals, strict=True):
        for shown, file, reader in walk(actual, shown_path(given), visited, skip, roots):
            candidates.setdefault(shown, (file, reader))
            if len(candidates) > limits.MAX_FILES:
                raise InputError(limits.too_many_files(paths))
    documents: list[Document] = []
    seen: dict[str, str] = {}  # body text -> first path, so the same article counts once
    copies: dict[bytes, str] = {}  # raw digest -> first path: an exact copy is skipped before decoding
    total = 0  # bytes read so far: the run's input is bounded as a whole, not only per file
    for shown in sorted(candidates):  # sorted first: which copy wins does not depend on argument order
        file, reader = candidates[shown]
        raw = read_file(file, max_bytes)
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
        loaded = _load_file(reader, file, shown, raw)
        if isinstance(loaded, Document) and is_brief(loaded.text):
            skip(shown, "a brief written by briefer (its own output is never a source)")
        elif isinstance(loaded, str):
            skip(shown, loaded)
        elif (key := _body_key(loaded)) in seen:
            skip(shown, f"duplicate of {seen[key]}")
        else:
            seen[key] = shown
            documents.append(loaded)
    if not documents:
        where = ", ".join(shown_path(p) for p in paths) or "(no paths)"
        raise InputError(f"no readable documents in {where}{skip_summary(skipped)}")
    warn_skipped(skipped)
    return LoadResult(
        documents=documents, skipped=sorted(skipped, key=lambda s: s.path), found=tuple(sorted(candidates))
    )


# The footer every Markdown brief ends with (`output.render.footer`; a test keeps the two in step):
# a brief written into its own sources folder (`briefer run dir -o dir/brief.md`, twice) must not come
# back as a source, or it would cite itself and give its facts false corroboration.
_BRIEF_FOOTER = re.compile(r"^\d+/\d+ sentences supported by their cited spans( · [^\n]*)? · engine: \w+")


def is_brief(text: str) -> bool:
    """Whether `text` is a Markdown brief written by briefer: its last non-empty line is the footer."""
    lines = text.rstrip().rsplit("\n", 1)
    return bool(_BRIEF_FOOTER.match(lines[-1].strip()))


def _body_key(doc: Document) -> str:
    """What makes two files the same article: their body text, whitespace collapsed. A copy with other
    line endings, encoding, byline or page furniture (a syndicated story on two sites) is one source,
    so it cannot corroborate itself."""
    return " ".join(" ".join(doc.text[s.start : s.end] for s in doc.body).split())


def _load_file(reader: Reader, path: Path, shown: str, raw: bytes) -> Document | str:
    """The document made from a file's bytes, or the reason it cannot be used."""
    extracted = reader.read(raw, path)
    if isinstance(extracted, str):
        return extracted
    meta = dict(extracted.meta)  # filled further by the furniture it finds
    body, furniture = annotate(extracted.text, meta, extracted.furniture)
    if not body:
        return "no body text (only title, byline or page furniture)"
    doc_id = "d" + hashlib.sha256(raw).hexdigest()[:10]
    return Document(
        id=doc_id,
        path=shown,
        format=reader.format,
        encoding=extracted.encoding,
        text=extracted.text,
        meta=DocumentMeta(**meta),
        body=body,
        furniture=furniture,
    )
