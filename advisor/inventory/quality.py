"""Data quality of an imported inventory: completeness per field and the row accounting.

The accounting is a promise to the user: every server row read is either kept or rejected
with a reason. `check_accounting` enforces it after every import; a mismatch is a bug in
advisor, never the user's fault, so it raises an internal error rather than an input error.
"""

from __future__ import annotations

import pandas as pd

from advisor.inventory.schema import SERVER_COLUMNS, Inventory

#: Columns advisor fills itself; their completeness says nothing about the input.
_BOOKKEEPING = {"id", "duplicate_name", "source_sheet", "source_row"}


class AccountingError(RuntimeError):
    """Servers read != servers kept + servers rejected: an importer lost rows."""


def check_accounting(inv: Inventory) -> None:
    kept = len(inv.servers)
    rejected = len(inv.source.rejected_rows)
    if inv.source.servers_read != kept + rejected:
        raise AccountingError(
            f"{inv.source.path}: {inv.source.servers_read} server rows read but {kept} kept "
            f"and {rejected} rejected"
        )


def completeness(servers: pd.DataFrame) -> dict[str, float]:
    """Share (0..1) of servers with a known value, for every canonical server field."""
    n = len(servers)
    out: dict[str, float] = {}
    for col in SERVER_COLUMNS:
        if col.name in _BOOKKEEPING:
            continue
        known = int(servers[col.name].notna().sum()) if col.name in servers else 0
        out[col.name] = round(known / n, 4) if n else 0.0
    return out


def counts(servers: pd.DataFrame) -> dict[str, int]:
    """Headline counts: templates, power states, duplicate names."""
    template = servers["is_template"].fillna(False).astype(bool)
    power = servers["power_state"]
    return {
        "templates": int(template.sum()),
        "powered_on": int((power.eq("on").fillna(False) & ~template).sum()),
        "powered_off": int((power.eq("off").fillna(False) & ~template).sum()),
        "suspended": int(power.eq("suspended").fillna(False).sum()),
        "power_unknown": int((power.isna() & ~template).sum()),
        "duplicate_names": int(servers["duplicate_name"].fillna(False).sum()),
    }
