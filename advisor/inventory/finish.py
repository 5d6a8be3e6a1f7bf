"""The last import step, shared by every format: from converted columns to canonical tables.

Rows that are not servers are rejected with their reason: no server name, a repeated header
row, a total row. Duplicate names are kept and flagged; ids are made stable and unique; the
OS family is derived from the OS text; detail rows (disks, NICs, ...) are tied to their
server by UUID or name. Format modules call these functions so that the rules about what
counts as a server live in one place.
"""

from __future__ import annotations

import re

import pandas as pd

from advisor.inventory.convert import to_text
from advisor.inventory.headers import header_key
from advisor.inventory.schema import ATTR_PREFIX, Problem, conform

_WINDOWS = r"windows|microsoft|\bwin ?(?:server|20\d\d|2k\d*|nt|xp|7|8|10|11)\b"
_LINUX = (
    r"linux|red ?hat|\brhel\b|centos|ubuntu|debian|suse|\bsles\b|rocky|almalinux|fedora|"
    r"photon|coreos|amazon|mint|gentoo|\barch\b|alpine|oracle ?linux|\bol\d"
)


def os_family(os_name: pd.Series) -> pd.Series:
    """windows / linux / other from the OS text; NA where the OS is unknown."""
    text = os_name.astype("string").str.lower()
    out = pd.Series("other", index=os_name.index, dtype="string")
    out = out.mask(text.str.contains(_LINUX, regex=True).fillna(False).astype(bool), "linux")
    out = out.mask(text.str.contains(_WINDOWS, regex=True).fillna(False).astype(bool), "windows")
    return out.mask(text.isna())


def finish_servers(
    frame: pd.DataFrame,
    *,
    fmt: str,
    sheet: str,
    rows: pd.Series,
    name_header: str,
    attrs: pd.DataFrame | None = None,
    uuid: pd.Series | None = None,
    raw: pd.DataFrame | None = None,
    values: list[Problem] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate server rows and give them ids; returns the servers table and its problems.

    `frame` holds canonical columns converted by a format module, one row per source row;
    `rows` the source row numbers; `attrs` raw columns to keep as `attr.<header>`; `raw`
    the source cells under their headers, which tell a repeated header row from a server
    named like its column. `values` are the problems already found in these rows' cells:
    those of rows rejected here as header or total rows are removed from it (in place), as
    a header's "CPUs" is not a bad CPU count.
    """
    problems: list[Problem] = []
    frame = frame.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    raw = raw.reset_index(drop=True) if raw is not None else None
    name = frame["name"] if "name" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    missing = name.isna()
    header = repeated_header_rows(name, name_header, raw)
    total = total_rows(frame, name, raw) & ~header
    rejected = missing | header | total
    for idx in frame.index[rejected]:
        reason = (
            "repeated header row" if header[idx] else TOTAL_ROW if total[idx] else "no server name"
        )
        problems.append(Problem(sheet, int(rows[idx]), reason, column=name_header, kind="row"))
    if values is not None and bool((header | total).any()):
        dropped = set(rows[header | total].astype(int))
        values[:] = [p for p in values if p.row not in dropped]
    keep = ~rejected

    out = frame[keep.to_numpy()].copy()
    kept_rows = rows[keep.to_numpy()]
    if attrs is not None and not attrs.empty:
        kept_attrs = attrs[keep.to_numpy()].reset_index(drop=True)
        # All attr.* columns in one concat: inserting thousands one by one is quadratic.
        extra = {f"{ATTR_PREFIX}{h}": to_text(kept_attrs[h]).to_numpy() for h in kept_attrs}
        out = pd.concat([out.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    out = out.reset_index(drop=True)
    out["source_sheet"] = sheet
    out["source_row"] = kept_rows.to_numpy()
    if "os_family" not in out or out["os_family"].isna().all():
        out["os_family"] = os_family(out.get("os_name", pd.Series(pd.NA, index=out.index)))

    dup = out["name"].str.lower().duplicated(keep=False)
    out["duplicate_name"] = dup.to_numpy()
    if bool(dup.any()):
        first_row = (
            out[dup].groupby(out.loc[dup, "name"].str.lower())["source_row"].transform("min")
        )
        for idx in out.index[dup]:
            problems.append(
                Problem(
                    sheet,
                    int(out.at[idx, "source_row"]),
                    f"duplicate server name '{out.at[idx, 'name']}' (first at row "
                    f"{int(first_row[idx])}); kept and flagged",
                    column=name_header,
                    kind="flag",
                )
            )
    out["id"] = _ids(out["name"], uuid[keep.to_numpy()] if uuid is not None else None, fmt)
    return conform("servers", out), problems


#: Why a total row is rejected; the wording `advisor inspect` shows.
TOTAL_ROW = "a total row, not a server"
#: A cell that labels a total: "Total", "Totals:", "Grand total", "Sub-total", "Sum",
#: "Total (42 VMs)", and the German "Summe" / "Gesamt" customers' sheets use.
_TOTAL = re.compile(
    r"(?:grand|sub)?[\s-]*(?:totals?|sum|summe|gesamt(?:summe)?|insgesamt)\s*(?:[:(].*)?",
    re.IGNORECASE,
)
#: A cell holding only a number, maybe with separators or a size unit ("1,024", "500 GB").
_NUMBER = re.compile(r"[+-]?\d[\d\s.,'\u00a0]*(?:\s*[kmgt]i?b)?", re.IGNORECASE)
#: Columns that only a real machine fills: a "Total" row with one of them is a server.
_IDENTITY = ("os_name", "dns_name", "primary_ip", "power_state")
_SIZES = (
    "vcpus",
    "memory_gib",
    "provisioned_gib",
    "used_gib",
    "largest_disk_gib",
    "disk_count",
    "nics",
)


def repeated_header_rows(name: pd.Series, name_header: str, raw: pd.DataFrame | None) -> pd.Series:
    """Rows that repeat the header (two exports pasted together, a header every page).

    Such a row names its column under the name header, but so does a server really called
    "server" or "vm": the row is a header only when at least two of its cells, and at least
    half of its filled cells, equal their column's header (case and spacing aside). Only
    rows whose name matches are looked at, so this costs nothing on a normal table.
    """
    out = pd.Series(False, index=name.index)
    if raw is None:
        return out
    simplified = name.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    candidates = simplified.eq(header_key(name_header).key).fillna(False).astype(bool)
    if not candidates.any():
        return out
    headers = [_header_forms(h) for h in raw.columns]
    for idx in name.index[candidates]:
        out[idx] = _repeats_header(raw.iloc[idx].tolist(), headers)
    return out


def _header_forms(header: object) -> tuple[str, ...]:
    """A header as a repeated header row may spell it: as is, and without the ' (2)' that
    made a repeated column name unique."""
    text = _fold(header)
    base = re.sub(r" \(\d+\)$", "", text)
    return (text, base) if base != text else (text,)


def _repeats_header(cells: list[object], headers: list[tuple[str, ...]]) -> bool:
    matches = filled = 0
    for cell, forms in zip(cells, headers, strict=True):
        text = _fold(cell)
        if text:
            filled += 1
            matches += text in forms
    return matches >= 2 and matches * 2 >= filled


def _fold(value: object) -> str:
    """A cell or header as comparable text: spacing collapsed, case folded, blanks empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


def total_rows(frame: pd.DataFrame, name: pd.Series, raw: pd.DataFrame | None) -> pd.Series:
    """Rows that sum the table up rather than describe a server.

    Either the name cell says so ("Total", "Grand total", "Sum", ...) and the row has no OS,
    address or power state a real machine named "Total" would have; or the name is blank
    and another cell says so; or it is the table's last row, with a blank name and nothing
    but numbers, some above zero, in its cells.
    """
    said = name.str.fullmatch(_TOTAL).fillna(False).astype(bool)
    if said.any():
        identity = [c for c in _IDENTITY if c in frame]
        if identity:
            said &= ~frame[identity].notna().any(axis=1)
    blank = name.isna()
    if raw is not None and blank.any():
        said |= _says_total(raw[blank.to_numpy()]).reindex(name.index, fill_value=False)
    if len(frame) > 1 and blank.iloc[-1] and _numbers_only(frame, raw):
        said.iloc[-1] = True
    return said


def _says_total(raw: pd.DataFrame) -> pd.Series:
    """Per row: some cell labels a total."""
    found = pd.Series(False, index=raw.index)
    for column in raw.columns:
        found |= to_text(raw[column]).str.fullmatch(_TOTAL).fillna(False).astype(bool)
    return found


def _numbers_only(frame: pd.DataFrame, raw: pd.DataFrame | None) -> bool:
    """The last row holds a size above zero and, in its filled cells, only numbers."""
    sizes = [c for c in _SIZES if c in frame]
    last = frame.iloc[-1]
    if not sizes or not any(pd.notna(last[c]) and last[c] > 0 for c in sizes):
        return False
    if raw is None:
        others = [c for c in frame.columns if c not in _SIZES]
        return bool(last[others].isna().all())
    return all(_is_number(c) for c in raw.iloc[-1].tolist() if _fold(c))


def _is_number(cell: object) -> bool:
    if isinstance(cell, bool):
        return False
    return isinstance(cell, int | float) or bool(_NUMBER.fullmatch(str(cell).strip()))


def _ids(name: pd.Series, uuid: pd.Series | None, fmt: str) -> pd.Series:
    """VM UUID where known, else '<format>:<name>'; repeats get '#2', '#3', ..."""
    base = f"{fmt}:" + name.astype("string").reset_index(drop=True)
    if uuid is not None:
        u = to_text(uuid.reset_index(drop=True))
        base = u.fillna(base)
    n = base.groupby(base).cumcount()
    return base.where(n.eq(0), base + "#" + (n + 1).astype("string"))


def attach_server_ids(
    detail: pd.DataFrame,
    *,
    sheet: str,
    rows: pd.Series,
    keys: list[tuple[pd.Series | None, dict[str, str]]],
    shown: pd.Series | None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Give detail rows (disks, NICs, ...) the id of their server.

    `keys` pairs a key column of the detail rows with a lookup from key to server id, in
    order of trust (UUID, then VM ID, then name). Rows that match no server are skipped and
    reported, never guessed.
    """
    server_id = pd.Series(pd.NA, index=detail.index, dtype="string")
    for column, lookup in keys:
        if column is None or not lookup:
            continue
        todo = server_id.isna().to_numpy()
        if not todo.any():
            break
        key = to_text(column.reset_index(drop=True)[todo]).str.lower()
        server_id.loc[todo] = key.map(lookup, na_action="ignore").astype("string")
    problems: list[Problem] = []
    orphan = server_id.isna().to_numpy()
    if orphan.any():
        names = to_text(shown).reset_index(drop=True) if shown is not None else None
        for i in orphan.nonzero()[0]:
            who = f"'{names[i]}'" if names is not None and pd.notna(names[i]) else "unnamed"
            problems.append(
                Problem(
                    sheet,
                    int(rows.iloc[i]),
                    f"row for {who} matches no server; skipped",
                    kind="skip",
                )
            )
    out = detail.reset_index(drop=True).copy()
    out["server_id"] = server_id
    return out[~orphan].reset_index(drop=True), problems


def key_lookup(key: pd.Series, ids: pd.Series) -> dict[str, str]:
    """Lower-cased key -> server id; the first server wins where keys repeat."""
    k = to_text(key).reset_index(drop=True).str.lower()
    ids = ids.reset_index(drop=True)
    first = k.notna() & ~k.duplicated()
    # As lists first: iterating Arrow-backed columns costs a call per value.
    return dict(zip(k[first].tolist(), ids[first].tolist(), strict=True))
