"""Field specifications: which source headers mean which canonical column, and how to read them.

A format module declares a tuple of `Field`s (canonical column, header aliases, value kind,
default unit). `match_headers` pairs headers with fields by normalised key, and
`read_fields` converts the matched columns in one vectorised pass per column, reporting
every rejected value. The mapping it returns is what `advisor inspect` shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from advisor.inventory.convert import (
    UNIT_TO_GIB,
    Rejects,
    to_bool,
    to_datetime,
    to_number,
    to_size,
    to_text,
)
from advisor.inventory.headers import HeaderKey, header_key
from advisor.inventory.readers import RawTable
from advisor.inventory.schema import SERVER_FIELDS, Mapping

Kind = Literal["raw", "text", "int", "float", "size", "bool", "datetime", "power"]


@dataclass(frozen=True)
class Field:
    """A canonical column and the header keys that mean it in one source format."""

    column: str
    aliases: tuple[str, ...]
    kind: Kind = "text"
    #: Unit of a size column whose header names none (RVTools' "Memory" is MiB).
    unit: str | None = None
    #: Negative numbers allowed (sizes and counts are never negative).
    signed: bool = False


#: What only the customer knows, in the spellings spreadsheets and vCenter custom attributes
#: use. Shared by every format: an RVTools custom attribute "Owner" fills `owner` too.
CUSTOMER_FIELDS: tuple[Field, ...] = (
    Field("role", ("role", "serverrole", "function", "purpose", "usage")),
    Field("application", ("application", "app", "applicationname", "service", "workload")),
    Field("environment", ("environment", "env", "stage")),
    Field(
        "owner",
        (
            "owner",
            "contact",
            "responsible",
            "technicalowner",
            "businessowner",
            "appowner",
            "serverowner",
        ),
    ),
    Field("criticality", ("criticality", "businesscriticality", "priority", "importance")),
    Field(
        "backup_method",
        ("backup", "backupmethod", "backuptool", "backupsolution", "backupsoftware", "backups"),
    ),
    Field(
        "annotation",
        ("notes", "note", "comment", "comments", "description", "remarks", "annotation"),
    ),
    Field("site", ("site", "office", "branch")),
    Field("users", ("users", "usercount", "numberofusers", "officeusers", "numusers"), "int"),
)


#: Utilisation as a percentage of what is allocated, in the spellings Azure Migrate's
#: template and hand-made sheets use.
USAGE_FIELDS: tuple[Field, ...] = (
    Field(
        "cpu_usage_pct",
        ("cpuutilizationpercentage", "cpuusagepct", "cpuutilizationpct", "cpuutilisationpct",
         "cpuusage", "cpuutilization", "cpuutilisation", "cpuutil", "cpuload"),
        "float",
    ),
    Field(
        "memory_usage_pct",
        ("memoryutilizationpercentage", "memoryusagepct", "memoryutilizationpct",
         "memoryutilisationpct", "memoryusage", "memoryutilization", "memoryutilisation",
         "memutil", "ramusagepct", "ramusage"),
        "float",
    ),
)  # fmt: skip


@dataclass
class Matched:
    """The header chosen for a field and its parsed key."""

    field: Field
    header: str
    key: HeaderKey


def match_headers(headers: Iterable[str], fields: Iterable[Field]) -> dict[str, Matched]:
    """Pair fields with headers. Alias order is priority; each header serves one field."""
    keyed = [(h, header_key(h)) for h in headers]
    taken: set[str] = set()
    out: dict[str, Matched] = {}
    for spec in fields:
        if spec.column in out:
            continue
        for alias in spec.aliases:
            hit = next(((h, k) for h, k in keyed if k.key == alias and h not in taken), None)
            if hit:
                out[spec.column] = Matched(spec, hit[0], hit[1])
                taken.add(hit[0])
                break
    return out


_POWER = {
    "poweredon": "on",
    "on": "on",
    "running": "on",
    "started": "on",
    "poweredoff": "off",
    "off": "off",
    "stopped": "off",
    "deallocated": "off",
    "shutdown": "off",
    "suspended": "suspended",
    "paused": "suspended",
    "saved": "suspended",
}


def read_power(raw: pd.Series, rejects: Rejects, column: str) -> pd.Series:
    """Power state text (poweredOn, Running, off, ...) to on / off / suspended."""
    text = to_text(raw)
    key = text.str.lower().str.replace(r"[^a-z]", "", regex=True)
    out = key.map(_POWER, na_action="ignore").astype("string")
    rejects.add(out.isna() & text.notna(), raw, column, "unknown power state")
    return out


def size_scale(matched: Matched, notes: list[str], sheet: str) -> float:
    """Factor to GiB for a size column, from the header's unit or the field's default."""
    unit = matched.key.unit if matched.key.unit in UNIT_TO_GIB else None
    unit = unit or matched.field.unit
    if unit is None:
        notes.append(f"{sheet}: '{matched.header}' names no unit; read as GiB")
        unit = "gib"
    return UNIT_TO_GIB[unit]


def read_fields(
    table: RawTable,
    matched: dict[str, Matched],
    rejects: Rejects,
    notes: list[str],
) -> pd.DataFrame:
    """Convert every matched column of `table` into its canonical, typed column."""
    out: dict[str, pd.Series] = {}
    for column, m in matched.items():
        raw = table.frame[m.header]
        kind = m.field.kind
        if kind == "raw":  # left as read; converted later only if needed (join keys)
            out[column] = raw
        elif kind == "text":
            out[column] = to_text(raw)
        elif kind == "int":
            out[column] = to_number(
                raw, rejects, m.header, integer=True, allow_negative=m.field.signed
            )
        elif kind == "float":
            out[column] = to_number(raw, rejects, m.header, allow_negative=m.field.signed)
        elif kind == "size":
            scale = size_scale(m, notes, table.name)
            out[column] = to_size(raw, rejects, m.header, scale=scale)
        elif kind == "bool":
            out[column] = to_bool(raw, rejects, m.header)
        elif kind == "datetime":
            out[column] = to_datetime(raw, rejects, m.header)
        elif kind == "power":
            out[column] = read_power(raw, rejects, m.header)
    return pd.DataFrame(out, index=table.frame.index)


#: How helper columns (read, then folded into canonical ones) are shown in the mapping.
_HELPER_LABELS = {
    "_uuid": "id (VM UUID)",
    "_vmid": "server link (VM ID)",
    "_vm": "server link (name)",
    "_hw_version": "hw_version",
    "_os_config": "os_name (when tools report none)",
    "_total_disk_gib": "provisioned_gib (when Provisioned is empty)",
    "_ips": "primary_ip and nics",
    "_vm_path": "path (where Disk Path is empty)",
    "_active_memory_gib": "memory_usage_pct",
}


def mapping_records(
    table: RawTable,
    matched: dict[str, Matched],
    *,
    known: frozenset[str] = frozenset(),
    repeated: frozenset[str] = frozenset(),
    keep_unknown: bool = True,
) -> tuple[list[Mapping], list[str]]:
    """How each header of `table` was used, and the headers kept as `attr.<header>`.

    Headers matched to a field are `mapped`; headers whose key is in `known` are standard
    columns of the format that advisor does not need (`ignored`), as are keys in `repeated`
    (custom attributes already kept from the main sheet); everything else is kept
    verbatim as an attribute when `keep_unknown`, else reported as `unmapped`.
    """
    by_header = {m.header: _HELPER_LABELS.get(col, col) for col, m in matched.items()}
    records: list[Mapping] = []
    kept: list[str] = []
    for h in table.headers:
        if h in by_header:
            records.append(Mapping(table.name, h, by_header[h], "mapped"))
        elif header_key(h).key in known:
            records.append(Mapping(table.name, h, None, "ignored", "standard column, not used"))
        elif header_key(h).key in repeated:
            records.append(Mapping(table.name, h, None, "ignored", "custom attribute, kept once"))
        elif keep_unknown:
            records.append(Mapping(table.name, h, f"attr.{h}", "kept"))
            kept.append(h)
        else:
            records.append(Mapping(table.name, h, None, "unmapped", "not recognised"))
    return records, kept


def kind_of(column: str) -> Kind:
    """How to read a canonical server column whose header was named, not guessed."""
    spec = SERVER_FIELDS[column]
    if column == "power_state":
        return "power"
    if spec.unit == "GiB":
        return "size"
    kinds = {"Int64": "int", "Float64": "float", "boolean": "bool", "datetime": "datetime"}
    return kinds.get(spec.dtype, "text")  # type: ignore[return-value]
