"""Sources over HTTP: `http(s)://` URLs fetched politely and cheaply, for scheduled runs.

Why it is shaped this way:

* Polite: a User-Agent naming briefer and its version, a timeout on every phase and an overall
  deadline (a server trickling bytes cannot hold a cron job), at most `max_redirects` redirects, and
  a size limit enforced while reading (a declared Content-Length over it is refused before reading).
* Cheap when nothing changed: a response carrying an ETag or Last-Modified is stored on disk (a
  folder next to the LLM response cache, one JSON record and one body file per URL); the next fetch
  is conditional, and a 304 reuses the stored body, so an unchanged feed costs one empty response,
  and the documents made from it, having the same bytes, keep their ids (and the LLM cache its hits).
* Failures are per URL: `fetch` returns the reason as a string (`timed out after 5s`, `HTTP 404 Not
  Found`), the loader lists the URL as skipped with it, and the topic goes on with its other sources.

Only this module imports httpx.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a fetch needs it: a run of local files never loads httpx
    import httpx

log = logging.getLogger("briefer")


def user_agent() -> str:
    """`briefer/<version> (...)`: who is asking, so a site's operator can tell and reach us."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("briefer")
    except PackageNotFoundError:  # run from a source tree that is not installed
        number = "dev"
    return f"briefer/{number} (news brief generator; fetches the sources it is configured with)"


ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.9, "
    "application/pdf;q=0.8, text/plain;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchOptions:
    """Limits for fetching URLs, and where conditional-request records are kept (None: not kept)."""

    cache_dir: Path | None = None
    timeout: float = 20.0  # seconds for the whole fetch of one URL (each phase too)
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    user_agent: str = field(default_factory=user_agent)


@dataclass(frozen=True)
class Fetched:
    """A fetched body, the media type its server declared, the final URL, and whether it was reused."""

    body: bytes
    media_type: str
    url: str
    reused: bool  # True: the server answered 304 Not Modified and the stored body was used


def cache_folder(cache_dir: Path | str | None) -> Path:
    """Where conditional-request records live: ``http/`` inside the LLM response cache's folder
    (`cache_dir`, else the user cache folder), so one `--cache-dir` moves both."""
    import platformdirs

    return (Path(cache_dir).expanduser() if cache_dir else platformdirs.user_cache_path("briefer")) / "http"


def is_url(source: str) -> bool:
    """Whether a source names a URL briefer fetches (http or https, any case)."""
    return source[:8].lower().startswith(("http://", "https://"))


def fetch(url: str, options: FetchOptions, client: httpx.Client | None = None) -> Fetched | str:
    """The body at `url`, or why it could not be had; never raises for the network's failures."""
    import httpx

    if client is None:
        with make_client(options) as own:
            return fetch(url, options, own)
    stored = _Store(options.cache_dir, url) if options.cache_dir else None
    record = stored.read() if stored else None
    headers = {}
    if record:
        if record.get("etag"):
            headers["If-None-Match"] = record["etag"]
        if record.get("last_modified"):
            headers["If-Modified-Since"] = record["last_modified"]
    try:
        got = _get(client, url, headers, options)
    except httpx.TimeoutException:
        return f"timed out after {options.timeout:g}s"
    except httpx.TooManyRedirects:
        return f"too many redirects (more than {options.max_redirects})"
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return f"invalid URL ({exc})"
    except httpx.ConnectError as exc:
        return f"cannot connect ({str(exc)[:100] or 'no detail'})"
    except httpx.HTTPError as exc:
        return f"fetch failed ({type(exc).__name__}: {str(exc)[:100] or 'no detail'})"
    if isinstance(got, str):
        return got
    response, body = got
    if response.status_code == 304 and record is not None and stored is not None:
        cached = stored.body()
        if cached is not None:
            return Fetched(
                body=cached, media_type=record.get("media_type", ""), url=record["url"], reused=True
            )
        return "HTTP 304 Not Modified, but the stored copy is gone; it is fetched in full next time"
    if response.status_code >= 400 or response.status_code == 304:
        return f"HTTP {response.status_code} {response.reason_phrase}".strip()
    if not body:
        return "empty response"
    fetched = Fetched(
        body=body, media_type=response.headers.get("content-type", ""), url=str(response.url), reused=False
    )
    if stored is not None:
        stored.write(fetched, response.headers.get("etag"), response.headers.get("last-modified"))
    return fetched


def make_client(options: FetchOptions) -> httpx.Client:
    """One client for a run's fetches (connections reused), with the limits and the User-Agent."""
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(options.timeout),
        follow_redirects=True,
        max_redirects=options.max_redirects,
        headers={"User-Agent": options.user_agent, "Accept": ACCEPT},
        trust_env=False,  # no proxies or .netrc credentials picked up from the environment
    )


def _get(
    client: httpx.Client, url: str, headers: dict[str, str], options: FetchOptions
) -> tuple[httpx.Response, bytes] | str:
    """The response and its body, read within the size limit and the overall deadline."""
    import httpx

    deadline = time.monotonic() + options.timeout
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code != 200:
            return response, b""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_bytes:
            return _too_large(int(declared), options.max_bytes)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > options.max_bytes:
                return _too_large(size, options.max_bytes, more=True)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("deadline passed while reading")
            chunks.append(chunk)
        return response, b"".join(chunks)


def _too_large(size: int, limit: int, more: bool = False) -> str:
    return f"too large ({'over ' if more else ''}{size:,} bytes; responses over {limit:,} bytes are skipped)"


class _Store:
    """One URL's conditional-request record (`<key>.json`) and stored body (`<key>.body`)."""

    def __init__(self, folder: Path, url: str) -> None:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        self.folder, self.url = folder, url
        self.meta, self.data = folder / f"{key}.json", folder / f"{key}.body"

    def read(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("requested") != self.url:
            return None
        return record

    def body(self) -> bytes | None:
        try:
            data = self.data.read_bytes()
        except OSError:
            return None
        record = self.read()
        return data if record and hashlib.sha256(data).hexdigest() == record.get("sha256") else None

    def write(self, fetched: Fetched, etag: str | None, last_modified: str | None) -> None:
        """Store a response that can be revalidated; one without validators is not worth keeping.
        A cache that cannot be written only costs the next run a full download."""
        if not etag and not last_modified:
            return
        record = {
            "requested": self.url,
            "url": fetched.url,
            "media_type": fetched.media_type,
            "etag": etag,
            "last_modified": last_modified,
            "sha256": hashlib.sha256(fetched.body).hexdigest(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _replace(self.data, fetched.body)
            _replace(self.meta, json.dumps(record, indent=1).encode("utf-8"))
        except OSError as exc:
            log.debug("cannot store %s for conditional requests: %s", self.url, exc)


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (a temporary file in the same folder, then a rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def stored(folder: Path) -> tuple[int, int]:
    """How many responses are kept for conditional requests in `folder` (`cache_folder`), and bytes."""
    records = list(folder.glob("*.json")) if folder.is_dir() else []
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0
    return len(records), size


def clear_stored(folder: Path) -> int:
    """Remove every stored response (`briefer cache clear`); the next fetch of each URL is in full."""
    count = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path.suffix in {".json", ".body", ".tmp"}:
                count += path.suffix == ".json"
                path.unlink(missing_ok=True)
    return count
