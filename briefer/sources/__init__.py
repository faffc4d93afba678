"""Load stage: files and folders in, `Document`s with body and furniture spans out.

`text` is what citations index (and the JSON carries), so for .txt/.md it is exactly the decoded file with universal newlines
(what ``open(path, encoding=enc).read()`` returns); nothing is ever deleted from it. Page furniture
(titles, bylines, credits, copyright, contact blocks...) is only *marked*, as spans with a reason, so
the engines skip it while a reader can still see what was removed and why. Every rule is general:
short-line shapes and keywords, never strings from particular articles.

Hostile input is refused with a reason, never a crash: files over `max_bytes` are skipped unread (and
the read is bounded, should a file grow), folders of any depth or with symlink loops are walked, hidden
HTML elements are dropped before extraction, and a second copy of an article (same body text) is skipped.

Modules: `load` (orchestration), `walk` (folders, bounded reads, skip reasons), `readers/` (one reader
per format behind one registry: add a file format there), `fetch` (URLs over HTTP, conditional
requests cached on disk), `decode` (bytes to text), `html` (main text
of a page), `furniture` (line annotation), `bylines`, `dates`, `injection` (text addressed to a model).
"""

from briefer.sources.fetch import FetchOptions, cache_folder, is_url
from briefer.sources.injection import TO_A_MODEL
from briefer.sources.load import LoadResult, load
from briefer.sources.readers import READERS, Extracted, Reader, reader_for, reader_named
from briefer.sources.walk import MAX_SKIP_LINES, warn_skipped

__all__ = [
    "MAX_SKIP_LINES",
    "READERS",
    "TO_A_MODEL",
    "cache_folder",
    "is_url",
    "Extracted",
    "FetchOptions",
    "LoadResult",
    "Reader",
    "load",
    "reader_for",
    "reader_named",
    "warn_skipped",
]
