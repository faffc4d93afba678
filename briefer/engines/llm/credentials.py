"""Credentials kept out of everything a run writes: URLs, error messages, logs and echoed answers.

Pure string work, no SDK: the client moves `user:password@` out of a base URL into a header before
the SDK ever sees the URL, and masks the key and those credentials in every message it builds.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote, urlsplit, urlunsplit

_SECRETISH = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}")


def without_credentials(url: str) -> tuple[str, dict[str, str]]:
    """The URL without any `user:password@`, and the Basic auth header those credentials meant.

    The SDK and httpx log the URL of every request; with the credentials moved into a header (which
    their loggers redact) no log line at any level can show them, and nor can a recorded cassette."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    host = parts.hostname or ""
    netloc = host if ":" not in host else f"[{host}]"
    netloc += f":{parts.port}" if parts.port else ""
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    header = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
    return urlunsplit(parts._replace(netloc=netloc)), header


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The credentials inside a URL, as they may be echoed back (raw and percent-decoded)."""
    if not url:
        return ()
    parts = urlsplit(url)
    found = [x for x in (parts.password, parts.username) if x and len(x) >= 6]
    return tuple(dict.fromkeys([*found, *(unquote(x) for x in found)]))


def redact(text: str, secret: str | None = None) -> str:
    text = text.replace(secret, "***") if secret else text
    return _SECRETISH.sub("***", " ".join(text.split()))
