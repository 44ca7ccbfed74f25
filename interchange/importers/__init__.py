"""Importing documents: detect the format, refuse bad input clearly, parse.

``import_cables`` and the admin's import page share these steps:

1. :func:`check_size` refuses a file over 50 MB before it is read;
2. :func:`decode` refuses binary data and text that is not UTF-8, naming the
   line of the first bad byte;
3. :func:`parse` detects the format by content — a JSON export of this
   project (handed to ``interchange.exchange.restore``), FRUS TEI XML, a Wilson
   Center text export or a copied Wilson Center page — and returns the parsed
   documents; nothing is written until ``writer.write``.

Every failure is an :class:`ImportFailure` with a line and a reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from interchange.importers.parsed import ImportFailure, ParsedDocument

MAX_BYTES = 50 * 1024 * 1024
CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
JSON_FORMATS = {"readingroom-collection", "readingroom-cable"}

__all__ = ["MAX_BYTES", "ImportFailure", "Parsed", "check_size", "decode", "normalise", "parse"]


@dataclass
class Parsed:
    format: str
    documents: list[ParsedDocument]
    data: dict | None = None  # a JSON export, for interchange.exchange.restore


def check_size(path) -> None:
    size = os.stat(path).st_size
    if size > MAX_BYTES:
        raise ImportFailure(
            f"the file is {size / 1024 / 1024:.1f} MB; the limit is 50 MB "
            "(split a TEI volume into documents, or import a folder)",
            0,
        )


def decode(data: bytes) -> str:
    """The text of ``data``: UTF-8 (a BOM is dropped), or ``ImportFailure``."""
    if len(data) > MAX_BYTES:
        raise ImportFailure(f"the file is over 50 MB ({len(data) / 1024 / 1024:.1f} MB)", 0)
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) // 20:
        nul = data.find(b"\x00")
        line = data.count(b"\n", 0, nul) + 1 if nul >= 0 else 1
        raise ImportFailure("binary data, not a text document", line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ImportFailure(
            f"not UTF-8 text: byte 0x{data[error.start]:02x} at column {column} "
            "(the file is in another encoding, such as Latin-1 or Windows-1251; "
            "save it as UTF-8 and import it again)",
            line,
        ) from None


# What browsers and word processors put in a text that the layouts do not mean:
# line ends of other systems, a byte-order mark, no-break and other odd spaces,
# zero-width characters, and typographic quotes (the archives' own text exports
# use straight ones; normalising them makes a copied page and an export of the
# same document give the same text, so importing one after the other changes
# nothing).
_SPACES = {
    c: " " for c in "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
}
_GONE = {c: None for c in "\ufeff\u200b\u200c\u200d\u2060"}
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'}
LAYOUT = str.maketrans({**_SPACES, **_GONE})
QUOTES = str.maketrans(_QUOTES)


def normalise(text: str, *, quotes: bool = True) -> str:
    """``text`` with LF line ends, no BOM, plain spaces and (unless ``quotes`` is
    false: markup, whose attribute values they may delimit) straight quotes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(LAYOUT)
    return text.translate(QUOTES) if quotes else text


def parse(text: str) -> Parsed:
    """Detect the format of ``text`` and parse it (no database access).

    Raises ``ImportFailure`` only for what is not a document (empty, neither a
    date nor a title anywhere): a document whose layout the parsers cannot
    fully place comes back with ``problems``, to be written as a draft.
    """
    from interchange.importers import frus_page, tei, wilson

    if not text.strip():
        raise ImportFailure("the file is empty", 1)
    start = text.lstrip()[:1]
    if start in "{[":
        data = _json(text)
        if data is not None:
            return Parsed(data["format"], [], data)
    if start == "<":
        # The TEI parser normalises the quotes of the text it reads out.
        return Parsed("frus-tei", tei.parse(normalise(text, quotes=False)))
    text = normalise(text)
    if frus_page.looks_like(text):
        return Parsed("frus-page", frus_page.parse(text))
    documents = wilson.parse(text)
    return Parsed(documents[0].format, documents)


def _json(text: str) -> dict | None:
    """A Reading Room JSON export, None for a text that is not JSON at all."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip()[:1] == "{":
            raise ImportFailure(f"not valid JSON: {error.msg}", error.lineno) from None
        return None  # a text that happens to open with "[", such as "[Stamp: ...]"
    except RecursionError:
        raise ImportFailure(
            "JSON nested too deeply to read (an export is a few levels deep)"
        ) from None
    if not isinstance(data, dict) or data.get("format") not in JSON_FORMATS:
        raise ImportFailure(
            'JSON that is not a Reading Room export (its "format" should be '
            "readingroom-collection or readingroom-cable)",
            1,
        )
    return data
