"""Generators of hostile text inventories: CSV files with unbalanced quotes, odd encodings,
NUL and control bytes, repeated headers and total rows.

Every file is written into a folder the test gives (its tmp_path); lines are assembled here
by hand, not by the csv module, so that a quote can be left open on purpose.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

from builders import VINFO_4X, vinfo_row, write_xlsx

#: A customer's server list: six columns, names first.
GENERIC_HEADER = ["Server", "vCPU", "RAM (GB)", "OS", "Disk (GB)", "Notes"]
#: The Azure Migrate import template's columns (mandatory ones starred).
AZURE_HEADER = ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"]

Cell = str | int | float | None


def line(cells: Sequence[Cell], delimiter: str = ",") -> str:
    """One CSV line; cells holding the delimiter, a quote or a line break are quoted."""
    out = []
    for cell in cells:
        text = "" if cell is None else str(cell)
        if any(c in text for c in (delimiter, '"', "\n", "\r")):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return delimiter.join(out)


def write_lines(path: Path, lines: Sequence[str], *, encoding: str = "utf-8") -> Path:
    """The lines joined by line feeds (one after the last too), encoded."""
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def generic_row(name: str, notes: str = "", vcpus: int = 2) -> list[Cell]:
    return [name, vcpus, 8, "Windows Server 2019", 100, notes]


def generic_lines(names: Sequence[str], delimiter: str = ",") -> list[str]:
    """Header and one well-formed line per server name."""
    return [line(GENERIC_HEADER, delimiter)] + [line(generic_row(n), delimiter) for n in names]


def open_quote(text: str, cell: int, delimiter: str = ",") -> str:
    """`text` (one CSV line) with a quote put before cell number `cell` (0-based) and never
    closed: the mistake that swallows the following lines."""
    cells = text.split(delimiter)
    cells[cell] = '"' + cells[cell]
    return delimiter.join(cells)


def unbalanced_generic(folder: Path, servers: int = 3, at: int = 0, delimiter: str = ",") -> Path:
    """A generic CSV whose row `at` (0-based, among servers) opens a quote in its last cell."""
    lines = generic_lines([f"srv{i:04d}" for i in range(servers)], delimiter)
    lines[at + 1] = open_quote(lines[at + 1], len(GENERIC_HEADER) - 1, delimiter)
    return write_lines(folder / "servers.csv", lines)


def vinfo_lines(names: Sequence[str], **over: Cell) -> list[str]:
    """An RVTools vInfo CSV export (22 columns) as lines."""
    return [line(VINFO_4X)] + [line(vinfo_row(n, **over)) for n in names]


def rvtools_csv(folder: Path, lines: Sequence[str]) -> Path:
    return write_lines(folder / "RVTools_tabvInfo.csv", lines)


def azure_lines(names: Sequence[str]) -> list[str]:
    rows = [[n, "10.0.0.1", 2, 4096, "Ubuntu 22.04"] for n in names]
    return [line(AZURE_HEADER)] + [line(r) for r in rows]


def encoded_with_bom(text: str, encoding: str) -> bytes:
    """`text` in UTF-32 LE/BE or UTF-16 LE/BE, with the byte order mark Windows tools write."""
    boms = {
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
    }
    return boms[encoding] + text.encode(encoding)


def mixed_encoding(folder: Path) -> Path:
    """Rows 2 and 4 in UTF-8 (é as C3 A9), row 3 in cp1252 (é as E9): pasted from two tools."""
    head = line(GENERIC_HEADER).encode()
    rows = [
        line(generic_row("café-01", "Büro Zürich")).encode("utf-8"),
        line(generic_row("zoé-02", "Büro Köln")).encode("cp1252"),
        line(generic_row("rené-03")).encode("utf-8"),
    ]
    path = folder / "mixed.csv"
    path.write_bytes(b"\n".join([head, *rows]) + b"\n")
    return path


def with_bytes(folder: Path, name: str, lines: Sequence[str], at: int, insert: bytes) -> Path:
    """Lines as UTF-8 with `insert` put into line number `at` (1-based), after the first
    character of its first cell (inside a name, where it matters most)."""
    data = [ln.encode() for ln in lines]
    data[at - 1] = data[at - 1][:1] + insert + data[at - 1][1:]
    path = folder / name
    path.write_bytes(b"\n".join(data) + b"\n")
    return path


def padding_lines(count: int) -> list[str]:
    """Well-formed servers enough to push what follows past the first 4 KB."""
    return [line(generic_row(f"pad{i:04d}", "x" * 40)) for i in range(count)]


def generic_xlsx(folder: Path, rows: Sequence[Sequence[Cell]], name: str = "servers") -> Path:
    """A workbook whose one sheet holds the generic header and `rows`."""
    return write_xlsx(folder / f"{name}.xlsx", {"Servers": [GENERIC_HEADER, *rows]})


def rvtools_xlsx(folder: Path, rows: Sequence[Sequence[Cell]]) -> Path:
    return write_xlsx(folder / "rvtools.xlsx", {"vInfo": [VINFO_4X, *rows]})
