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

__all__ = ["MAX_BYTES", "ImportFailure", "Parsed", "check_size", "decode", "parse"]


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


def parse(text: str) -> Parsed:
    """Detect the format of ``text`` and parse it (no database access)."""
    from interchange.importers import tei, wilson

    start = text.lstrip()[:1]
    if start in "{[" and start:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFailure(f"not valid JSON: {error.msg}", error.lineno) from None
        if not isinstance(data, dict) or data.get("format") not in JSON_FORMATS:
            raise ImportFailure(
                'JSON that is not a Reading Room export (its "format" should be '
                "readingroom-collection or readingroom-cable)",
                1,
            )
        return Parsed(data["format"], [], data)
    if start == "<":
        return Parsed("tei", tei.parse(text))
    if wilson.looks_like_page(text):
        return Parsed("wilson-page", [wilson.parse_page(text)])
    if wilson.looks_like_export(text):
        return Parsed("wilson-export", [wilson.parse_export(text)])
    raise ImportFailure(
        "not a format this importer knows: expected a Wilson Center text export "
        "(with 'Citation:' and 'Contents:'), a copied Wilson Center page (with "
        "'Document Information'), FRUS TEI XML, or a Reading Room JSON export",
        1,
    )
