"""The Groups sheet coming back: the consultant's edits of the move groups.

The assessment workbook has a Groups sheet (server, group, group name, reason, edited; see
`advisor.plan.groups.groups_sheet_frame`). The consultant moves a server by typing another
group name in its row (an existing group's name, or a new one), deletes rows that need no
change if they like, and passes the file back with `--groups FILE`. This module only reads
and checks the file; `advisor.plan.groups.apply_group_edits` applies it to the estate.

The file is refused, with one line naming the file and the row, when it has no Groups
sheet, lacks the server or group name column, has a column the sheet never had, names no
server in a row, names no group, or lists one server twice: each of those would make the
plan depend on a guess about what the consultant meant. Free remarks belong in a column
named 'comment', which is read past.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import InputError
from advisor.inventory.csv_text import csv_rows
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable, open_workbook, sheet_rows, table_from_rows

SHEET = "Groups"
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: Canonical column -> header keys it is read from.
COLUMNS: dict[str, tuple[str, ...]] = {
    "server": ("server", "servername", "vm", "vmname"),
    "group": ("group", "groupid"),
    "group_name": ("groupname",),
    "reason": ("reason", "reasons"),
    "edited": ("edited",),
    "comment": ("comment", "comments", "remark", "remarks"),
}
#: The columns `read_group_edits` returns; `attrs['path']` holds the file.
EDIT_COLUMNS = ("server", "group", "group_name", "row")


def read_group_edits(path: str | Path) -> pd.DataFrame:
    """The Groups sheet of a workbook (or a CSV of the same columns) as one row per listed
    server: server (as written), group (id, may be blank), group_name (may be blank when
    the group id is given) and the source row."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: groups file not found")
    if path.suffix.lower() in CSV_SUFFIXES:
        rows, _, _ = csv_rows(path.read_bytes(), path.name)
        table = table_from_rows(path.name, rows)
        where = str(path)
    else:
        wb = open_workbook(path)
        names = list(wb.sheet_names)
        sheet = next((n for n in names if n.strip().casefold() == SHEET.casefold()), None)
        if sheet is None and len(names) == 1:
            sheet = names[0]
        if sheet is None:
            raise InputError(
                f"{path}: no sheet named '{SHEET}' (sheets: {', '.join(names) or 'none'})"
            )
        table = table_from_rows(sheet, sheet_rows(wb, path, sheet))
        where = f"{path}, sheet '{sheet}'"
    edits = group_edits(table, where)
    edits.attrs["path"] = str(path)
    return edits


def group_edits(table: RawTable, where: str) -> pd.DataFrame:
    """Check a raw Groups table and keep what the edits need (see `read_group_edits`)."""
    found = _match_columns(table, where)
    frame = table.frame
    rows = table.rows.reset_index(drop=True)

    def column(name: str) -> pd.Series:
        if name not in found:
            return pd.Series(pd.NA, index=range(len(frame)), dtype="string")
        text = frame[found[name]].astype("string").str.strip().reset_index(drop=True)
        return text.replace("", pd.NA)

    server, group, group_name = column("server"), column("group"), column("group_name")
    # Rows holding only a remark or a reason are no edit; every other row must name a server.
    filled = server.notna() | group.notna() | group_name.notna()
    _refuse(server.isna() & filled, rows, where, "no server named")
    _refuse(server.notna() & group.isna() & group_name.isna(), rows, where, "no group named")
    keep = filled.to_numpy()
    server, group, group_name, rows = server[keep], group[keep], group_name[keep], rows[keep]
    folded = server.str.casefold()
    twice = folded.duplicated(keep=False)
    if twice.any():
        first = folded[twice].iloc[0]
        both = rows[(folded == first).to_numpy()].tolist()
        raise InputError(
            f"{where}, rows {both[0]} and {both[1]}: server '{server[twice].iloc[0]}' is "
            "listed twice; keep one row per server"
        )
    out = pd.DataFrame(
        {
            "server": server.to_numpy(),
            "group": group.to_numpy(),
            "group_name": group_name.to_numpy(),
            "row": rows.to_numpy(),
        }
    ).astype({"server": "string", "group": "string", "group_name": "string", "row": "Int64"})
    return out


def _match_columns(table: RawTable, where: str) -> dict[str, str]:
    """Canonical column -> header; unknown headers and missing key columns are refused."""
    lookup = {key: name for name, keys in COLUMNS.items() for key in keys}
    found: dict[str, str] = {}
    for header in table.headers:
        if header.startswith("column ") and table.frame[header].isna().all():
            continue  # an empty column without a header: nothing to read
        name = lookup.get(header_key(header).key)
        if name is None:
            raise InputError(
                f"{where}: unknown column '{header}' (the sheet's columns are server, group, "
                "group name, reason, edited; put remarks in a column named 'comment')"
            )
        found.setdefault(name, header)
    if "server" not in found:
        raise InputError(f"{where}: no 'server' column (headers: {', '.join(table.headers)})")
    if "group_name" not in found and "group" not in found:
        raise InputError(f"{where}: no 'group name' column (headers: {', '.join(table.headers)})")
    return found


def _refuse(bad: pd.Series, rows: pd.Series, where: str, what: str) -> None:
    """Raise for the first row flagged in `bad`."""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{where}, row {rows.iloc[i]}: {what}")
