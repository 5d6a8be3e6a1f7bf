"""The last import step, shared by every format: from converted columns to canonical tables.

Rows without a server name are rejected with their reason; duplicate names are kept and
flagged; ids are made stable and unique; the OS family is derived from the OS text; detail
rows (disks, NICs, ...) are tied to their server by UUID or name. Format modules call these
functions so that the rules about what counts as a server live in one place.
"""

from __future__ import annotations

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
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate server rows and give them ids; returns the servers table and its problems.

    `frame` holds canonical columns converted by a format module, one row per source row;
    `rows` the source row numbers; `attrs` raw columns to keep as `attr.<header>`.
    """
    problems: list[Problem] = []
    frame = frame.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    name = frame["name"] if "name" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    # A repeated header row ("VM" under the VM column) is not a server.
    simplified = name.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    placeholder = simplified.eq(header_key(name_header).key).fillna(False).astype(bool)
    missing = name.isna()
    for idx in frame.index[missing | placeholder]:
        reason = "repeated header row" if placeholder[idx] else "no server name"
        problems.append(Problem(sheet, int(rows[idx]), reason, column=name_header, kind="row"))
    keep = ~(missing | placeholder)

    out = frame[keep.to_numpy()].copy()
    kept_rows = rows[keep.to_numpy()]
    if attrs is not None and not attrs.empty:
        kept_attrs = attrs[keep.to_numpy()].reset_index(drop=True)
        for h in kept_attrs.columns:
            out[f"{ATTR_PREFIX}{h}"] = to_text(kept_attrs[h]).to_numpy()
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
        server_id[todo] = key.map(lookup, na_action="ignore").astype("string")
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
    return dict(zip(k[first], ids[first], strict=True))
