"""Any spreadsheet or CSV a consultant is handed: headers matched by common spellings.

The sheet is the one whose header row matches most aliases; the header row may sit under
title lines. Units come from the header ("RAM (GB)", "Memory (MB)", "Memory GiB") or from
the cell ("500 GB"); a memory column without a unit is read by magnitude and says so. A
mapping file (`--mapping`) names columns the aliases cannot guess. Unmatched columns are kept
as `attr.<header>`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from advisor.errors import InputError
from advisor.inventory.fields import (
    CUSTOMER_FIELDS,
    USAGE_FIELDS,
    Field,
    Matched,
    kind_of,
    match_headers,
)
from advisor.inventory.headers import header_key
from advisor.inventory.readers import (
    HEADER_SEARCH_ROWS,
    RawTable,
    find_header_row,
    table_from_rows,
)
from advisor.inventory.schema import SERVER_FIELDS, Inventory, Source, conform
from advisor.inventory.tabular import missing_fields, read_servers
from advisor.yaml_input import line_of, read_yaml_file

GENERIC_FIELDS = (
    Field(
        "name",
        (
            "servername",
            "server",
            "hostname",
            "vmname",
            "vm",
            "name",
            "computername",
            "machinename",
            "machine",
            "servers",
            "hostnames",
            "system",
            "ciname",
            "node",
        ),
    ),
    Field("dns_name", ("fqdn", "dnsname", "dns")),
    Field(
        "vcpus",
        (
            "vcpu",
            "vcpus",
            "cpu",
            "cpus",
            "cores",
            "numcpu",
            "numberofcpus",
            "numcpus",
            "cpucount",
            "corecount",
            "processors",
            "vcores",
            "numvcpus",
        ),
        "int",
    ),
    Field(
        "memory_gib",
        ("ram", "memory", "mem", "memorysize", "ramsize", "vram", "configuredmemory"),
        "size",
    ),
    Field(
        "os_name",
        ("os", "operatingsystem", "osname", "guestos", "osversion", "ostype", "osfamily"),
    ),
    Field(
        "provisioned_gib",
        (
            "disk",
            "disksize",
            "disktotal",
            "totaldisk",
            "storage",
            "provisioned",
            "provisionedstorage",
            "provisionedspace",
            "diskcapacity",
            "totalstorage",
            "allocatedstorage",
            "storageallocated",
            "capacity",
            "disksgb",
            "hdd",
        ),
        "size",
        unit="gb",
    ),
    Field(
        "used_gib",
        (
            "used",
            "usedstorage",
            "storageused",
            "diskused",
            "useddisk",
            "usedspace",
            "storageinuse",
            "inuse",
            "consumed",
            "usedcapacity",
        ),
        "size",
        unit="gb",
    ),
    Field("largest_disk_gib", ("largestdisk", "biggestdisk", "maxdisk"), "size", unit="gb"),
    Field("disk_count", ("numberofdisks", "diskcount", "numdisks", "disks"), "int"),
    Field("nics", ("nics", "numberofnics", "networkadapters", "niccount"), "int"),
    Field("primary_ip", ("ip", "ipaddress", "ipaddresses", "primaryip", "ipv4", "ipv4address")),
    Field("power_state", ("powerstate", "power", "powerstatus"), "power"),
    Field("is_template", ("template", "istemplate"), "bool"),
    *CUSTOMER_FIELDS,
    Field(
        "datacenter",
        ("datacenter", "datacentre", "dc", "location", "room", "serverroom", "rechenzentrum"),
    ),
    Field("cluster", ("cluster",)),
    Field("host", ("host", "esxhost", "hypervisorhost", "physicalhost")),
    Field("folder", ("folder", "group")),
    Field("created", ("created", "creationdate", "installdate", "commissioned"), "datetime"),
    Field("firmware", ("firmware", "boottype", "boot")),
    Field("hw_version", ("hwversion", "hardwareversion"), "int"),
    Field("resource_pool", ("resourcepool",)),
    Field("vapp", ("vapp",)),
    *USAGE_FIELDS,
)

#: Aliases for the columns a server list needs besides a name; a sheet must match one.
_SIZING = {"vcpus", "memory_gib", "os_name", "provisioned_gib", "used_gib"}


#: Score of a header row with a name column and one more recognised column.
_MIN_SCORE = 12


def _score(fields: tuple[Field, ...], mapped: dict[str, str] | None = None):
    """Rate a header row: one point per recognised header, ten more for a name column.

    Headers named in a mapping file count as recognised, as the mapping says what they are.
    """
    mapped = mapped or {}
    aliases = {a for f in fields for a in f.aliases} | {header_key(h).key for h in mapped}
    name_aliases = set(next(f for f in fields if f.column == "name").aliases)
    name_aliases |= {header_key(h).key for h, column in mapped.items() if column == "name"}

    def score(row: list[object]) -> int:
        keys = [header_key(c).key for c in row if c is not None and str(c).strip()]
        hits = sum(k in aliases for k in keys)
        return hits + (10 if any(k in name_aliases for k in keys) else 0)

    return score


def choose_table(
    sheets: dict[str, list[list[object]]],
    path: Path,
    fields: tuple[Field, ...] = GENERIC_FIELDS,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    mapped: dict[str, str] | None = None,
) -> RawTable:
    """The sheet and header row that look most like a server list."""
    if sheet is not None:
        if sheet not in sheets:
            raise InputError(f"{path}: no sheet '{sheet}' (sheets: {', '.join(sheets)})")
        sheets = {sheet: sheets[sheet]}
    score = _score(fields, mapped)
    best: tuple[int, str, int] | None = None
    for name, rows in sheets.items():
        row = header_row - 1 if header_row else find_header_row(rows, score)
        s = score(list(rows[row])) if len(rows) > row else 0
        if best is None or s > best[0]:
            best = (s, name, row)
    if best is None or best[0] < _MIN_SCORE:
        seen = ", ".join(sheets) or "none"
        raise InputError(
            f"{path}: no sheet looks like a server list (sheets seen: {seen}); a server list "
            "needs a name column (Server, Hostname or VM name) and one of vCPU, memory, OS "
            "or disk"
        )
    _, name, row = best
    return table_from_rows(name, sheets[name], header_row=row)


def read_generic(
    sheets: dict[str, list[list[object]]], path: Path, source: Source, mapping: Path | None
) -> Inventory:
    """Servers from the best-matching sheet of a spreadsheet or a CSV."""
    spec = load_mapping(mapping) if mapping else {}
    _check_mapped_headers_exist(sheets, spec, mapping)
    table = choose_table(
        sheets,
        path,
        sheet=spec.get("sheet"),
        header_row=spec.get("header_row"),
        mapped=spec.get("columns"),
    )
    source.tabs_seen = list(sheets)
    fields = GENERIC_FIELDS
    matched = match_headers(table.headers, fields)
    if spec.get("columns"):
        matched = _apply_mapping(table, matched, spec, mapping)
    if not (_SIZING & set(matched)):
        source.notes.append(
            f"{table.name}: no vCPU, memory, OS or disk column recognised; servers are read "
            "by name only"
        )
    matched = _infer_memory_unit(table, matched, source)
    servers, _ = read_servers(table, fields, source, "generic", matched=matched)
    for column in missing_fields(fields, matched):
        if column in _SIZING:
            source.notes.append(f"{table.name}: no column for {column}")
    return Inventory(servers=conform("servers", servers), source=source)


def _infer_memory_unit(
    table: RawTable, matched: dict[str, Matched], source: Source
) -> dict[str, Matched]:
    """A memory column without a unit: values above 512 are MiB, else GiB, and say so."""
    m = matched.get("memory_gib")
    if m is None or m.key.unit or m.field.unit:
        return matched
    values = pd.to_numeric(table.frame[m.header], errors="coerce").dropna()
    unit = "mib" if len(values) and float(values.median()) > 512 else "gib"
    source.notes.append(
        f"{table.name}: '{m.header}' names no unit; values read as "
        f"{'MiB' if unit == 'mib' else 'GiB'} by their size"
    )
    return {**matched, "memory_gib": replace(m, field=replace(m.field, unit=unit))}


# --- mapping files --------------------------------------------------------------------------


def load_mapping(path: Path) -> dict:
    """Read and check a mapping file.

    ```yaml
    sheet: Servers            # optional: which sheet to read
    header_row: 3             # optional: 1-based row of the headers
    columns:                  # source header -> canonical column
      Srv Name: name
      Arbeitsspeicher: memory_gib
    units: {memory_gib: mb}   # optional: unit of a size column
    ```
    A file holding only `header: column` pairs is read as `columns`. The file is read by the
    bounded YAML reader; each key is then checked for its shape, so a wrong type is one line
    naming the key instead of an error deep inside the import. Returns every key, normalised
    (`sheet` and `header_row` None when not given).
    """
    document = read_yaml_file(path, "mapping file")
    data = document.data

    def where(*keys: Any) -> str:
        line = line_of(document.root, keys)
        return f"{path}, line {line}" if line else str(path)

    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise InputError(f"{path}: a mapping file is a YAML mapping of header: column, got {got}")
    if not set(data) & set(_MAPPING_KEYS):
        _check_shorthand(data, where)
        data = {"columns": data}
    for key in data:
        if key not in _MAPPING_KEYS:
            raise _unknown_mapping_key(key, where)
    return {
        "sheet": _mapping_sheet(data.get("sheet"), where),
        "header_row": _mapping_header_row(data.get("header_row"), where),
        "columns": _mapping_columns(data.get("columns"), where),
        "units": _mapping_units(data.get("units"), where),
    }


#: Where a key sits, for messages: "map.yaml, line 3" from the key path.
_Where = Callable[..., str]
#: Keys of a mapping file.
_MAPPING_KEYS = ("sheet", "header_row", "columns", "units")
#: Units a size column may be declared in.
_MAPPING_UNITS = {"kb", "kib", "mb", "mib", "gb", "gib", "tb", "tib"}
#: Most rows a worksheet holds (Excel's limit): a header row further down cannot exist.
_MAX_HEADER_ROW = 1_048_576
#: Longest sheet name or header a mapping may name; real ones are far shorter.
_MAX_HEADER_CHARS = 500


def _yaml_kind(value: Any) -> str:
    """A YAML value's shape in a user's words, for "must be ..., got ..." messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    return f"'{str(value)[:40]}'"


def _unknown_mapping_key(key: Any, where: _Where) -> InputError:
    """An unknown top-level key, with the nearest valid one."""
    shown = str(key)[:60]
    hint = difflib.get_close_matches(shown, list(_MAPPING_KEYS), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else ""
    return InputError(
        f"{where(key)}: unknown key '{shown}'{tip} (allowed: {', '.join(sorted(_MAPPING_KEYS))})"
    )


def _check_shorthand(data: dict, where: _Where) -> None:
    """A file of `header: column` pairs holds only text; a nested value is a misspelt key."""
    for key, value in data.items():
        if isinstance(value, dict | list):
            raise _unknown_mapping_key(key, where)


def _mapping_text(value: Any, key: str, where: _Where, *keys: Any) -> str:
    """A sheet name or header as text: numbers are read as the text they show."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"{where(*keys)}: {key} must be text, got {_yaml_kind(value)}")
    text = str(value)
    if len(text) > _MAX_HEADER_CHARS:
        raise InputError(
            f"{where(*keys)}: {key} is {len(text):,} characters long; the limit is "
            f"{_MAX_HEADER_CHARS} characters"
        )
    return text


def _mapping_sheet(value: Any, where: _Where) -> str | None:
    """`sheet:` names one sheet; empty means choose by headers."""
    return None if value is None else _mapping_text(value, "sheet", where, "sheet")


def _mapping_header_row(value: Any, where: _Where) -> int | None:
    """`header_row:` is a 1-based row number within a worksheet's rows."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= _MAX_HEADER_ROW:
        return value
    tip = "; write it without quotes" if isinstance(value, str) and value.strip().isdigit() else ""
    raise InputError(
        f"{where('header_row')}: header_row must be a whole number from 1 to "
        f"{_MAX_HEADER_ROW:,} (the row of the headers), got {_yaml_kind(value)}{tip}"
    )


def _mapping_columns(value: Any, where: _Where) -> dict[str, str]:
    """`columns:` maps source headers (text) to canonical columns or `attr.<name>`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(
            f"{where('columns')}: columns must map source headers to canonical columns "
            f"(Header: name), got {_yaml_kind(value)}"
        )
    out: dict[str, str] = {}
    for header, column in value.items():
        name = _mapping_text(header, "a header in columns", where, "columns")
        key = f"columns.{name[:60]}"
        if not isinstance(column, str):
            raise InputError(
                f"{where('columns', header)}: {key} must name a canonical column such as "
                f"name or vcpus, got {_yaml_kind(column)}"
            )
        if column not in SERVER_FIELDS and not column.startswith("attr."):
            hint = difflib.get_close_matches(column[:60], list(SERVER_FIELDS), n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            raise InputError(
                f"{where('columns', header)}: column '{name[:60]}' maps to unknown field "
                f"'{column[:60]}'{tip}"
            )
        out[name] = column
    return out


def _mapping_units(value: Any, where: _Where) -> dict[str, str]:
    """`units:` gives the unit of a size column, as `column: unit`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(
            f"{where('units')}: units must map columns to units (memory_gib: MB), "
            f"got {_yaml_kind(value)}"
        )
    out: dict[str, str] = {}
    for column, unit in value.items():
        name = _mapping_text(column, "a column in units", where, "units")
        if not isinstance(unit, str):
            raise InputError(
                f"{where('units', column)}: units.{name[:60]} must be a unit such as MB or GB, "
                f"got {_yaml_kind(unit)}"
            )
        if unit.lower() not in _MAPPING_UNITS:
            raise InputError(
                f"{where('units', column)}: units.{name[:60]}: unknown unit '{unit[:40]}' "
                "(use MB, GB, TB ...)"
            )
        out[name] = unit
    return out


def _check_mapped_headers_exist(
    sheets: dict[str, list[list[object]]], spec: dict, path: Path | None
) -> None:
    """Every header a mapping file names must appear near the top of some sheet."""
    wanted = [h for h, c in (spec.get("columns") or {}).items() if not str(c).startswith("attr.")]
    if not wanted:
        return
    seen = {
        str(cell).strip()
        for rows in sheets.values()
        for row in rows[:HEADER_SEARCH_ROWS]
        for cell in row
        if cell is not None
    }
    absent = [h for h in wanted if str(h).strip() not in seen]
    if absent:
        raise InputError(
            f"{path}: header '{absent[0]}' is not in sheet(s) {', '.join(sheets)} "
            f"({len(absent)} of {len(wanted)} mapped headers missing)"
        )


def _apply_mapping(
    table: RawTable, matched: dict[str, Matched], spec: dict, path: Path | None
) -> dict[str, Matched]:
    """Mapping-file entries override alias matches; a header that is not there is an error."""
    by_field = {f.column: f for f in GENERIC_FIELDS}
    out = {col: m for col, m in matched.items() if m.header not in spec["columns"]}
    units = {k: str(v).lower() for k, v in (spec.get("units") or {}).items()}
    for header, column in spec["columns"].items():
        if str(column).startswith("attr."):
            continue
        if header not in table.headers:
            raise InputError(
                f"{path}: header '{header}' is not in sheet '{table.name}' "
                f"(headers: {', '.join(table.headers[:15])})"
            )
        base = by_field.get(column) or Field(column, (), kind_of(column))
        field = replace(base, unit=units.get(column, base.unit))
        out[column] = Matched(field, header, header_key(header))
    return out
