"""How a path is shown: file names are bytes on POSIX, and one that is not valid UTF-8 comes back from
the OS with lone surrogates (`surrogateescape`). Such a string cannot be written as UTF-8 (JSON, a
Markdown file, stderr), so every path a person or a file sees goes through `shown` first: invalid bytes
become `\\xNN`, valid text is unchanged. The real path (for opening the file) stays as the OS gave it."""

from __future__ import annotations

import os


def shown(path: str | os.PathLike[str]) -> str:
    """`path` as valid UTF-8 text: `caf\\xe9.txt` for a Latin-1 name; unchanged when already valid."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text
