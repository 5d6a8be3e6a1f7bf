"""RVTools CSV exports: one `RVTools_tab<Tab>.csv` per tab, in a folder, a zip, or alone.

Each file is decoded and split on its own (RVTools and Excel write UTF-8 with or without BOM,
UTF-16 or cp1252, with `,` or `;`), then the tabs go through the same builder as the xlsx.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from advisor.errors import InputError
from advisor.inventory.csv_text import csv_rows
from advisor.inventory.readers import RawTable, table_from_rows
from advisor.inventory.rvtools import build, header_matches_rvtools, tab_of
from advisor.inventory.schema import Inventory, Source


def csv_members(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every CSV file in a folder, a zip or the single file given."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".txt"))
        return [(p.name, p.read_bytes()) for p in files]
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith((".csv", ".txt"))]
                return [(Path(n).name, zf.read(n)) for n in sorted(names)]
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise InputError(f"{path}: the zip file is corrupted ({exc})") from exc
    return [(path.name, path.read_bytes())]


def read_rvtools_csv(path: Path, source: Source) -> Inventory:
    """Read RVTools CSV tabs; a single CSV with VM and Powerstate columns counts as vInfo."""
    members = csv_members(path)
    source.tabs_seen = [name for name, _ in members]
    tables: dict[str, RawTable] = {}
    for name, data in members:
        if not data.strip():
            source.notes.append(f"{name}: empty file ignored")
            continue
        rows, encoding, delimiter = csv_rows(data, name)
        tab = tab_of(name)
        if tab is None and rows and header_matches_rvtools(rows[0]):
            tab = "vInfo"
        if tab is None or tab in tables:
            source.notes.append(f"{name}: not an RVTools tab advisor reads; ignored")
            continue
        tables[tab] = table_from_rows(name, rows)
        source.notes.append(f"{name}: read as {tab} ({encoding}, delimiter {delimiter!r})")
    return build(tables, source)
