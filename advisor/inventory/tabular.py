"""Formats with one row per server in a single table: Azure Migrate CSV, generic sheets, the
advisor template. They share one path from raw table to servers; each format brings its
field aliases and any extra columns it derives (disks from "Disk N size", IPs split on ';')."""

from __future__ import annotations

import pandas as pd

from advisor.errors import InputError
from advisor.inventory.convert import Rejects
from advisor.inventory.fields import Field, Matched, mapping_records, match_headers, read_fields
from advisor.inventory.finish import finish_servers
from advisor.inventory.readers import RawTable
from advisor.inventory.schema import Source


def read_servers(
    table: RawTable,
    fields: tuple[Field, ...],
    source: Source,
    fmt: str,
    *,
    matched: dict[str, Matched] | None = None,
    known: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Servers of a one-table format, and the converted columns (for format extras).

    Unmatched headers are kept as `attr.<header>` so nothing the customer wrote is lost.
    """
    matched = matched if matched is not None else match_headers(table.headers, fields)
    if "name" not in matched:
        names = ", ".join(a for f in fields if f.column == "name" for a in f.aliases[:4])
        raise InputError(
            f"{source.path}: sheet '{table.name}' has no server name column (one of: {names})"
        )
    rejects = Rejects(table.name, table.rows)
    conv = read_fields(table, matched, rejects, source.notes)
    records, kept = mapping_records(table, matched, known=known)
    source.mapping.extend(records)
    source.tabs_read.append(table.name)
    source.servers_read = len(table.frame)
    if table.blank_rows:
        source.notes.append(f"{table.name}: {table.blank_rows} blank row(s) ignored")
    servers, problems = finish_servers(
        conv.drop(columns=[c for c in conv.columns if c.startswith("_")]),
        fmt=fmt,
        sheet=table.name,
        rows=table.rows,
        name_header=matched["name"].header,
        attrs=table.frame[kept] if kept else None,
        uuid=conv.get("_uuid", None),
        raw=table.frame,
        values=rejects.problems,
    )
    source.problems.extend(rejects.problems + problems)
    # Keep format-specific columns aligned with the servers that survived.
    survived = table.rows.isin(servers["source_row"].astype("int64")).to_numpy()
    return servers, conv[survived].reset_index(drop=True)


def missing_fields(fields: tuple[Field, ...], matched: dict[str, Matched]) -> list[str]:
    """Canonical columns the format could have filled but found no header for."""
    return [f.column for f in fields if not f.column.startswith("_") and f.column not in matched]
