"""CSV files as text: decoding, delimiter and rows.

Kept apart from the workbook reading in `readers` because everything that can go wrong with
a CSV is about bytes and text (encodings, quotes, separators), not about containers.
"""

from __future__ import annotations

import codecs
import csv
import io

from advisor.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: BOM first, then UTF-16 without BOM, UTF-8, finally cp1252.

    Returns the text and the encoding used (shown by `advisor inspect`).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    head = data[:4096]
    if head and head.count(b"\x00") > len(head) // 4:
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: binary content, not a CSV or spreadsheet") from exc
    if b"\x00" in head:
        raise InputError(f"{name}: binary content, not a CSV or spreadsheet")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of , ; tab and | splits the first lines evenly."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(",;\t|", key=first.count)


def csv_rows(data: bytes, name: str) -> tuple[list[list[str]], str, str]:
    """Parse CSV bytes into rows (quoted line breaks kept inside their cell).

    Returns rows, the encoding and the delimiter.
    """
    text, encoding = decode_text(data, name)
    if not text.strip():
        raise InputError(f"{name}: the file is empty")
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{name}: not a readable CSV ({exc})") from exc
    return rows, encoding, delimiter
