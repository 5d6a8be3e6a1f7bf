"""Dependency tables: which server opens connections to which, and on what port.

Customers export these from flow tools (Azure Migrate dependency analysis, vRealize Network
Insight, firewall logs) or write them by hand, as a CSV or as a sheet of the inventory
workbook named like "Dependencies". Headers are matched by what they say: source / from /
src / client, target / to / destination / dst, port / destination port; where a table has
both a name and an IP column for an end (Azure Migrate has "Source server name" and
"Source IP"), the name wins and the IP fills in where the name is blank. Server names and
addresses stay as written: the plan stage resolves them to server ids (by id, name, DNS
name or primary IP), so this module never needs the inventory.

A bad row stops the import with one line naming the file and the row, as every importer
does: a dependency pointing nowhere would silently change which servers move together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import InputError
from advisor.inventory.csv_text import csv_rows
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable, open_workbook, sheet_rows, table_from_rows
from advisor.inventory.schema import conform

#: Header keys (lower case, no spaces or punctuation) per column, most specific first.
SOURCE_HEADERS = (
    "source",
    "sourceserver",
    "sourceservername",
    "sourcename",
    "sourcehost",
    "sourcehostname",
    "sourcevm",
    "from",
    "fromserver",
    "src",
    "srcserver",
    "client",
    "sourceip",
    "sourceaddress",
    "srcip",
)
TARGET_HEADERS = (
    "target",
    "targetserver",
    "targetservername",
    "targetname",
    "targethost",
    "targethostname",
    "targetvm",
    "destination",
    "destinationserver",
    "destinationservername",
    "destinationname",
    "destinationhost",
    "destinationhostname",
    "dest",
    "dst",
    "to",
    "toserver",
    "targetip",
    "destinationip",
    "destinationaddress",
    "dstip",
)
PORT_HEADERS = ("port", "destinationport", "targetport", "dstport", "destport", "serviceport")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")

_PORT = r"^(?:(?:tcp|udp)\s*[/: ]?\s*)?(\d{1,5})(?:\s*/\s*(?:tcp|udp))?$"


def is_dependency_sheet(name: str) -> bool:
    """A sheet named like 'Dependencies' (any case, singular, with extra words after it)."""
    key = header_key(name).key
    return key.startswith("dependenc") or key in ("deps", "dependencies")


def read_dependencies(path: str | Path) -> pd.DataFrame:
    """The dependency table of a CSV, or of the workbook sheet named like 'Dependencies'
    (a workbook of one sheet may name it anything): columns source, target, port."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: dependency file not found")
    if path.suffix.lower() in CSV_SUFFIXES:
        rows, _, _ = csv_rows(path.read_bytes(), path.name)
        return dependency_table(table_from_rows(path.name, rows), str(path))
    wb = open_workbook(path)
    names = list(wb.sheet_names)
    chosen = [n for n in names if is_dependency_sheet(n)]
    if not chosen and len(names) == 1:
        chosen = names
    if not chosen:
        raise InputError(
            f"{path}: no sheet named like 'Dependencies' (sheets: {', '.join(names) or 'none'})"
        )
    sheet = chosen[0]
    return dependency_table(table_from_rows(sheet, sheet_rows(wb, path, sheet)), str(path))


def dependencies_from_sheets(
    sheets: Mapping[str, RawTable | Sequence[Sequence[object]]], path: str | Path | None = None
) -> pd.DataFrame | None:
    """The dependency table of an inventory workbook that carries a sheet named like
    'Dependencies' (sheets as raw tables or as rows); None when it has none. `path` names
    the file in error messages."""
    name = next((n for n in sheets if is_dependency_sheet(n)), None)
    if name is None:
        return None
    sheet = sheets[name]
    table = sheet if isinstance(sheet, RawTable) else table_from_rows(name, list(sheet))
    return dependency_table(table, str(path) if path is not None else None)


def dependency_table(table: RawTable, path: str | None = None) -> pd.DataFrame:
    """source, target, port from a raw table, refusing a table without a source or target
    column, a row that names only one end, and a port that is no port number."""
    where = _where(table, path)
    keys = {header: header_key(header).key for header in table.headers}
    source_cols = _columns(keys, SOURCE_HEADERS)
    target_cols = _columns(keys, TARGET_HEADERS)
    port_cols = _columns(keys, PORT_HEADERS)
    for what, cols, hint in (
        ("source", source_cols, "source, from or src"),
        ("target", target_cols, "target, to, destination or dst"),
    ):
        if not cols:
            raise InputError(
                f"{where}: no {what} column (headers: {', '.join(table.headers) or 'none'}); "
                f"name it {hint}"
            )
    frame = table.frame
    rows = table.rows.reset_index(drop=True)
    source = _first_filled(frame, source_cols)
    target = _first_filled(frame, target_cols)
    for what, missing in (("source", source.isna() & target.notna()), ("target", target.isna())):
        if missing.any():
            i = int(np.flatnonzero(missing.to_numpy())[0])
            raise InputError(f"{where}, row {rows.iloc[i]}: no {what} server")
    port = _ports(frame[port_cols[0]] if port_cols else None, len(frame), rows, where)
    out = pd.DataFrame({"source": source, "target": target, "port": port})
    return conform("dependencies", out)


def _where(table: RawTable, path: str | None) -> str:
    """How messages name the table: the file, and the sheet when it is a workbook's."""
    if path is None:
        return table.name
    if Path(path).name == table.name:
        return path
    return f"{path}, sheet '{table.name}'"


def _columns(keys: dict[str, str], aliases: tuple[str, ...]) -> list[str]:
    """Headers matching `aliases`, in the aliases' order of preference."""
    rank = {alias: i for i, alias in enumerate(aliases)}
    found = [h for h, k in keys.items() if k in rank]
    return sorted(found, key=lambda h: rank[keys[h]])


def _first_filled(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """Per row, the first non-blank value of `cols` as stripped text (NA when all blank)."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for col in cols:
        out = out.fillna(_text(frame[col]))
    return out.reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; whole numbers without '.0'; blanks as NA."""
    numeric = pd.to_numeric(values, errors="coerce")
    whole = numeric.notna() & numeric.eq(numeric.round())
    text = values.astype("string").str.strip()
    text = text.mask(whole, numeric.astype("Float64").astype("Int64").astype("string"))
    return text.replace("", pd.NA)


def _ports(values: pd.Series | None, n: int, rows: pd.Series, where: str) -> pd.Series:
    """Port numbers (1 to 65535; '443/tcp' and 'tcp/443' read as 443); blank is unknown."""
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="Int64")
    text = _text(values).reset_index(drop=True).str.lower()
    number = pd.to_numeric(text.str.extract(_PORT, expand=False), errors="coerce")
    bad = text.notna() & (number.isna() | ~number.between(1, 65535))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{where}, row {rows.iloc[i]}: port '{text.iloc[i]}' is not a port number "
            "(1 to 65535, one per row)"
        )
    return number.astype("Int64")
