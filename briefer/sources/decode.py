"""Bytes to text: BOMs, strict UTF-8, then charset-normalizer's guess; binary files are refused.
Readers of text formats call `decode_text` themselves, so a reader of a binary format (PDF, .docx)
gets the bytes untouched."""

from __future__ import annotations

import codecs

import charset_normalizer

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def visible(text: str) -> bool:
    return bool(text.replace("\ufeff", "").strip())


def decode(raw: bytes) -> tuple[str, str] | str:
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


def decode_text(raw: bytes) -> tuple[str, str] | str:
    """(text, encoding) for a reader of a text format, or why the bytes are not usable text: not text
    at all, or nothing but whitespace."""
    decoded = decode(raw)
    if isinstance(decoded, str):
        return decoded
    if not visible(decoded[0]):
        return "empty file (whitespace only)"
    return decoded
