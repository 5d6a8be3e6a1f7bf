"""RVTools CSV exports: one `RVTools_tab<Tab>.csv` per tab, in a folder, a zip, or alone.

Each file is decoded and split on its own (RVTools and Excel write UTF-8 with or without BOM,
UTF-16 or cp1252, with `,` or `;`), then the tabs go through the same builder as the xlsx.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from advisor.errors import InputError
from advisor.inventory import container, limits
from advisor.inventory.csv_text import csv_rows
from advisor.inventory.readers import RawTable, check_width, table_from_rows
from advisor.inventory.rvtools import build, build_order, header_matches_rvtools, tab_of
from advisor.inventory.schema import Inventory, Source


def csv_members(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every CSV file in a folder, a zip or the single file given.

    Every file is bounded before it is read (`limits.MAX_CSV_BYTES` each,
    `limits.MAX_CSV_TOTAL_BYTES` together), a zip member by the size its zip entry declares
    and again while it inflates; a folder entry must be a regular file, as a named pipe
    would block the read forever.
    """
    if path.is_dir():
        return _folder_members(path)
    if zipfile.is_zipfile(path):
        return _zip_members(path)
    _check_csv_size(path, path.name, container.check_regular_file(path).st_size)
    return [(path.name, path.read_bytes())]


def _folder_members(path: Path) -> list[tuple[str, bytes]]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".txt"))
    sizes = [container.check_regular_file(p).st_size for p in files]
    for p, size in zip(files, sizes, strict=True):
        _check_csv_size(path, p.name, size)
    _check_csv_total(path, sum(sizes))
    return [(p.name, p.read_bytes()) for p in files]


def _zip_members(path: Path) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if i.filename.lower().endswith((".csv", ".txt"))]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: the zip file is corrupted ({exc})") from exc
    infos.sort(key=lambda i: i.filename)
    _check_csv_total(path, sum(i.file_size for i in infos))
    return [
        (Path(i.filename).name, container.read_member(path, i, i.filename, limits.MAX_CSV_BYTES))
        for i in infos
    ]


def _check_csv_size(path: Path, name: str, size: int) -> None:
    if size > limits.MAX_CSV_BYTES:
        where = f"{path}" if name == path.name else f"{path}: {name}"
        raise InputError(
            f"{where} is {size:,} bytes; the limit is {limits.MAX_CSV_BYTES:,} bytes per CSV file"
        )


def _check_csv_total(path: Path, total: int) -> None:
    if total > limits.MAX_CSV_TOTAL_BYTES:
        raise InputError(
            f"{path}: the CSV files would take {total:,} bytes together; the limit is "
            f"{limits.MAX_CSV_TOTAL_BYTES:,} bytes per export"
        )


def read_rvtools_csv(path: Path, source: Source) -> Inventory:
    """Read RVTools CSV tabs; a single CSV with VM and Powerstate columns counts as vInfo."""
    members = csv_members(path)
    source.tabs_seen = [name for name, _ in members]
    tables: dict[str, RawTable] = {}
    for name, data in members:
        if not data.strip():
            source.notes.append(f"{name}: empty file ignored")
            continue
        rows, encoding, delimiter = csv_rows(data, name, source.notes)
        tab = tab_of(name)
        if tab is None and rows and header_matches_rvtools(rows[0]):
            tab = "vInfo"
        if tab is None or tab in tables:
            source.notes.append(f"{name}: not an RVTools tab advisor reads; ignored")
            continue
        check_width(max((len(r) for r in rows), default=0), f"{path}: {name}")
        tables[tab] = table_from_rows(name, rows, where=str(path))
        source.notes.append(f"{name}: read as {tab} ({encoding}, delimiter {delimiter!r})")
    names = {tab: table.name for tab, table in tables.items()}
    return build(names, ((tab, tables.pop(tab)) for tab in build_order(tables)), source)
