"""Text bound for a terminal or a text log: the one place that escapes what could act on the screen.

Source text, file names, batch topic names and a model's answers are untrusted: an ESC or C1 byte
starts an escape sequence (set the window title, hide text, write the clipboard with OSC 52), a line
break forges a new log line (`briefer: error: ...`), a bidi override makes a line read differently
from what it holds, and tag or zero-width characters hide text. `one_line` shows each of them as a
visible escape (`\\x1b`, `\\u202e`) and masks any API key from the environment, so what is printed is
always the one inert line it claims to be. Every terminal output path goes through it: stderr
messages and log lines (`briefer.cli.common`, `briefer.cli.logs`) and `briefer check`'s table.
"""

from __future__ import annotations

import os
import re

SECRET_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
# C0 and C1 controls (ESC, CSI, OSC, BEL...), DEL, bidi marks, embeddings, overrides and isolates, the
# invisible separators that split a line for a terminal (U+2028/2029, U+0085) and Unicode tag characters.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)


def _escaped(match: re.Match[str]) -> str:
    ch = match.group()
    return " " if ch in "\t\n\r" else ascii(ch)[1:-1]


def escape_controls(text: str) -> str:
    """`text` with every control character shown as an escape; tabs and line breaks become spaces."""
    return _CONTROL.sub(_escaped, text)


def one_line(text: str) -> str:
    """Text safe for one line of a terminal or a text log: any API key from the environment masked,
    and control characters (line breaks, terminal escapes, bidi overrides from a file name, a
    document, a topic name or a model's answer) shown as escapes."""
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= 8:
            text = text.replace(secret, "***")
    return escape_controls(text)
