"""Which importer a file needs, decided from its bytes and headers, never from trust in its name.

Also the single entry point `load_inventory`: detect (or take `--format`), read, record the
file hash, and fail with one line naming the file for anything that is not an inventory:
missing, empty, encrypted, a corrupted zip, binary, or a workbook with no server list.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from advisor.errors import InputError
from advisor.inventory import (
    azure_migrate,
    container,
    generic,
    limits,
    rvtools,
    rvtools_csv,
    template,
)
from advisor.inventory.csv_text import csv_rows
from advisor.inventory.dependencies import dependency_table, is_dependency_sheet
from advisor.inventory.quality import check_accounting
from advisor.inventory.readers import (
    check_width,
    gc_paused,
    open_workbook,
    peek_rows,
    release_freed_memory,
    sheet_rows,
    table_from_rows,
)
from advisor.inventory.schema import Inventory, Source

FORMATS = ("rvtools", "rvtools-csv", "azure-migrate", "generic", "template")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def _kind(path: Path) -> str:
    """'workbook', 'csv-zip', 'folder' or 'text' from the file's content; errors otherwise."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        if any(p.suffix.lower() == ".csv" for p in path.iterdir()):
            return "folder"
        raise InputError(f"{path}: folder holds no CSV files (expected RVTools_tab*.csv)")
    # A named pipe or a device would block the open below forever: stat says what it is.
    size = container.check_regular_file(path).st_size
    try:
        with path.open("rb") as fh:
            head = fh.read(1_000_000)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    if head.startswith(_OLE2):
        if _ENCRYPTED in head:
            raise InputError(
                f"{path}: the workbook is encrypted (password-protected); "
                "save an unprotected copy and try again"
            )
        return "workbook"  # legacy .xls
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputError(f"{path}: corrupted zip or workbook ({exc})") from exc
        if any(n.startswith("xl/") for n in names) or "content.xml" in names:
            return "workbook"
        if any(n.lower().endswith(".csv") for n in names):
            return "csv-zip"
        raise InputError(f"{path}: a zip file without a workbook or CSV files inside")
    if path.suffix.lower() in _SPREADSHEET_SUFFIXES:
        raise InputError(f"{path}: not a valid spreadsheet (the file content is not a workbook)")
    if size > limits.MAX_CSV_BYTES:
        raise InputError(
            f"{path}: the file is {size:,} bytes; the limit is {limits.MAX_CSV_BYTES:,} bytes "
            "per CSV file"
        )
    return "text"


def detect_format(path: Path, kind: str | None = None, wb: CalamineWorkbook | None = None) -> str:
    """The importer for `path` (one of FORMATS)."""
    kind = kind or _kind(path)
    if kind in ("folder", "csv-zip"):
        return "rvtools-csv"
    if kind == "workbook":
        wb = wb or open_workbook(path)
        if any(rvtools.tab_of(s) == "vInfo" for s in wb.sheet_names):
            return "rvtools"
        for sheet in wb.sheet_names:
            rows = peek_rows(wb, path, sheet, 5)
            if sheet.lower() == "readme" and rows and template.is_template_workbook(rows[0][0]):
                return "template"
            if rows and azure_migrate.looks_like_azure_migrate(rows[0]):
                return "azure-migrate"
        return "generic"
    with path.open("rb") as fh:
        rows, _, _ = csv_rows(fh.read(200_000), path.name)
    header = rows[0] if rows else []
    if azure_migrate.looks_like_azure_migrate(header):
        return "azure-migrate"
    if rvtools.tab_of(path.name) or rvtools.header_matches_rvtools(header):
        return "rvtools-csv"
    return "generic"


def load_inventory(
    path: str | Path, fmt: str | None = None, mapping: str | Path | None = None
) -> Inventory:
    """Read any supported inventory into canonical tables, with the record of how."""
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}' (one of: {', '.join(FORMATS)})")
    kind = _kind(path)  # fails on missing, empty, encrypted, corrupted and binary files
    wb = open_workbook(path) if kind == "workbook" else None  # opened once, read lazily
    detected = fmt or detect_format(path, kind, wb)
    source = Source(path=str(path), format=detected)
    if path.is_file():
        source.sha256 = _sha256(path)
    with gc_paused():
        inv = _read(path, wb, detected, source, Path(mapping) if mapping else None)
        if wb is not None:
            _read_dependency_sheet(inv, wb, path)
    del wb  # calamine's copy of the shared strings
    release_freed_memory()
    check_accounting(inv)
    return inv


def _read_dependency_sheet(inv: Inventory, wb: CalamineWorkbook, path: Path) -> None:
    """The workbook's sheet named like 'Dependencies' (source, target, port), if any: the
    plan keeps the servers it links in one move group. Other formats carry none."""
    name = next((s for s in wb.sheet_names if is_dependency_sheet(s)), None)
    if name is None:
        return
    rows = sheet_rows(wb, path, name)
    inv.dependencies = dependency_table(table_from_rows(name, rows), str(path))
    if name not in inv.source.tabs_read:
        inv.source.tabs_read.append(name)


def _read(
    path: Path, wb: CalamineWorkbook | None, fmt: str, source: Source, mapping: Path | None
) -> Inventory:
    if fmt == "rvtools":
        return rvtools.read_rvtools_xlsx(path, source, wb)
    if fmt == "rvtools-csv":
        return rvtools_csv.read_rvtools_csv(path, source)
    sheets = _sheets(path, wb, source.notes)
    source.tabs_seen = list(sheets)
    if fmt == "azure-migrate":
        name, rows = next(
            (
                (n, r)
                for n, r in sheets.items()
                if r and azure_migrate.looks_like_azure_migrate(r[0])
            ),
            next(iter(sheets.items())),
        )
        return azure_migrate.read_azure_migrate(table_from_rows(name, rows), source)
    if fmt == "template":
        if template.SHEET not in sheets:
            raise InputError(f"{path}: template workbook without a '{template.SHEET}' sheet")
        return template.read_template(
            table_from_rows(template.SHEET, sheets[template.SHEET]), source
        )
    servers_only = {n: r for n, r in sheets.items() if not is_dependency_sheet(n)}
    return generic.read_generic(servers_only or sheets, path, source, mapping)


def _sheets(
    path: Path, wb: CalamineWorkbook | None, notes: list[str] | None = None
) -> dict[str, list[list[object]]]:
    """Every sheet of a workbook, or the single table of a CSV, as rows (what reading the
    CSV text had to repair goes to `notes`)."""
    if wb is not None:
        container.check_sheets_total(path, list(wb.sheet_names))
        return {s: sheet_rows(wb, path, s) for s in wb.sheet_names}
    rows, _, _ = csv_rows(path.read_bytes(), path.name, notes)
    check_width(max((len(r) for r in rows), default=0), str(path))
    return {path.name: rows}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
