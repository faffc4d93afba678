"""E-mail messages (.eml, RFC 5322 with MIME): the body as the document, sender, subject and date as
metadata, and each attachment in a supported format as a document of its own (``mail.eml#attachment-2``,
numbered from 1 in the order the message lists its attachments, unsupported ones counted too so the
numbers match what a mail client shows).

The body is the text/plain alternative when there is one, else the HTML one through the HTML reader.
The standard library parses the message (its modern policy decodes headers and transfer encodings).
An attachment is read by the reader its file name's suffix is registered to; a message attached to a
message is read for its body only, so nesting cannot recurse without bound.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from briefer.sources.decode import visible
from briefer.sources.readers import html
from briefer.sources.readers.base import Extracted, Part

MAX_ATTACHMENTS = 50


def read(raw: bytes, path: Path) -> Extracted | list[Part] | str:
    """The body (the file itself) and the supported attachments, each a part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (message.keys()):
        return "not an e-mail message (no headers)"
    meta = _headers(message)
    parts = [Part(name="", content=_body(message, path, meta))]
    for number, attachment in enumerate(message.iter_attachments(), 1):
        if number > MAX_ATTACHMENTS:
            break
        part = _attachment(attachment, number)
        if part is not None:
            parts.append(part)
    if len(parts) == 1:
        return parts[0].content
    return parts


def body_only(raw: bytes, path: Path) -> Extracted | str:
    """A message's body alone: how an attached message is read (no recursion into its attachments)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        return "not an e-mail message (no headers)"
    return _body(message, path, _headers(message))


def _headers(message: EmailMessage) -> dict[str, Any]:
    """Subject as title, the sender's name (else address) as author, Date as the publication date."""
    meta: dict[str, Any] = {}
    if subject := " ".join(str(message.get("subject", "")).split()):
        meta["title"] = subject
    senders = getaddresses([str(v) for v in message.get_all("from", [])])
    if senders and (who := senders[0][0] or senders[0][1]):
        meta["author"] = who
    if date := str(message.get("date", "")).strip():
        meta["published"] = date
        with contextlib.suppress(TypeError, ValueError):
            meta["published_at"] = parsedate_to_datetime(date)
    return meta


def _body(message: EmailMessage, path: Path, meta: dict[str, Any]) -> Extracted | str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None or not isinstance(part, EmailMessage):
        return "e-mail without a text body"
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError) as exc:  # unknown charset, bad encoding
        return f"e-mail body unreadable ({exc})"
    if not isinstance(content, str):
        return "e-mail without a text body"
    charset = part.get_content_charset() or "us-ascii"
    if part.get_content_subtype() == "html":
        extracted = html.read(content.encode("utf-8"), path)
        if isinstance(extracted, str):
            return extracted
        found = {**extracted.meta, **meta}  # the message's own headers win over the page's guesses
        return Extracted(text=extracted.text, encoding=charset, meta=found)
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    if not visible(text):
        return "e-mail with an empty body"
    return Extracted(text=text, encoding=charset, meta=meta)


def _attachment(attachment: EmailMessage, number: int) -> Part | None:
    """The attachment read by its suffix's reader, or None when its type is not supported at all."""
    from briefer.sources.readers import reader_for

    name = attachment.get_filename() or ""
    reader = reader_for(Path(name)) if name else None
    if reader is None:
        return None
    fragment = f"attachment-{number}"
    payload = attachment.get_payload(decode=True)
    if isinstance(payload, EmailMessage):  # message/rfc822 attachments decode to a message
        payload = payload.as_bytes()
    if not isinstance(payload, bytes) or not payload:
        return Part(name=fragment, content="empty attachment", format=reader.format)
    if reader.format == "eml":
        return Part(name=fragment, content=body_only(payload, Path(name)), format="eml")
    content = reader.read(payload, Path(name))
    if isinstance(content, list):  # a container attached (a feed): its first document stands for it
        usable = [p.content for p in content if isinstance(p.content, Extracted)]
        content = usable[0] if usable else "attachment without a readable document"
    return Part(name=fragment, content=content, format=reader.format)
