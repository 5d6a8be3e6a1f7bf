"""Domain controllers: how many stand at each site and in the estate, which one holds the
operations-master (FSMO) roles, and whether a DC's backup would tempt someone to revert it.

A DC brought back from a snapshot reuses update sequence numbers its partners have already
seen (USN rollback) and replication stops converging; VM-GenerationID protects against
this only where the hypervisor exposes it, which is not documented for the targets
(domain-facts 5). So a DC whose only protection is snapshots, or none, needs a system-state
backup before it moves. Backup evidence comes from the `backup` module (it runs earlier);
its facts are read defensively so this module still works, with unknowns, without them.
"""

from __future__ import annotations

import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.text import mentioned

FSMO = (
    r"\bfsmo\b|pdc[ -]?emulator|schema master|\brid master|infrastructure master|"
    r"domain naming master|operations master"
)

FACTS: tuple[Fact, ...] = (
    Fact(
        "dc_count_site",
        "count",
        "Domain controllers (not templates, not powered off) at the server's site.",
        ("is_domain_controller", "site", "power_state", "is_template"),
    ),
    Fact(
        "dc_count_estate",
        "count",
        "Domain controllers (not templates, not powered off) in the whole estate.",
        ("is_domain_controller", "power_state", "is_template"),
    ),
    Fact(
        "fsmo_holder",
        "bool",
        "A domain controller whose notes say it holds FSMO roles (PDC emulator, RID, schema "
        "or naming master).",
        ("is_domain_controller", "annotation", "role", "attr.*"),
    ),
    Fact(
        "dc_snapshot_count",
        "count",
        "VM snapshots of a domain controller (backup module).",
        ("is_domain_controller", "snapshot_count"),
    ),
    Fact(
        "dc_backup_at_risk",
        "bool",
        "A domain controller whose backup evidence is snapshots only or no backup tool at all "
        "(backup module); false for other servers.",
        ("is_domain_controller", "snapshot_only_backup", "has_backup_tool"),
    ),
    Fact(
        "dc_backup_evidence",
        "text",
        "What the backup facts say about a domain controller.",
        ("snapshot_only_backup", "has_backup_tool", "snapshot_count"),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    dc = ctx.fact("is_domain_controller").fillna(False).astype(bool)
    live = ~ctx.fact("is_template").fillna(False).astype(bool)
    running = ~ctx.fact("power_state").astype("string").eq("off").fillna(False).astype(bool)
    active = dc & live & running
    site = ctx.fact("site").astype("string")

    per_site = active.groupby(site).sum()
    out: dict[str, pd.Series] = {}
    out["dc_count_site"] = site.map(per_site).fillna(0).astype("Float64").where(site.notna())
    out["dc_count_estate"] = pd.Series(float(active.sum()), index=idx, dtype="Float64")

    text = ctx.text("role", "application", "annotation") + " | " + ctx.attrs_text()
    out["fsmo_holder"] = (dc & mentioned(text, FSMO)).astype("boolean")

    snap_only = _fact_or_na(ctx, "snapshot_only_backup", "boolean")
    has_tool = _fact_or_na(ctx, "has_backup_tool", "boolean")
    snaps = _fact_or_na(ctx, "snapshot_count", "Float64")
    at_risk = (snap_only | ~has_tool).astype("boolean")
    out["dc_backup_at_risk"] = at_risk.where(dc, False).astype("boolean")
    out["dc_snapshot_count"] = snaps.where(dc)
    out["dc_backup_evidence"] = _evidence(snap_only, has_tool, snaps).where(dc)
    return out


def _fact_or_na(ctx: FactContext, name: str, dtype: str) -> pd.Series:
    """A fact of an earlier module, or all-unknown if that module does not provide it."""
    value = ctx.facts.get(name)
    if value is None:
        return pd.Series(pd.NA, index=ctx.servers.index, dtype=dtype)
    return value.astype(dtype)


def _evidence(snap_only: pd.Series, has_tool: pd.Series, snaps: pd.Series) -> pd.Series:
    text = pd.Series("backup evidence unknown", index=snap_only.index, dtype="string")
    text = text.mask(has_tool.eq(True).fillna(False).astype(bool), "a backup tool is recorded")
    text = text.mask(has_tool.eq(False).fillna(False).astype(bool), "no backup tool recorded")
    text = text.mask(
        snap_only.eq(True).fillna(False).astype(bool), "its only backup is VM snapshots"
    )
    count = snaps.astype("Float64")
    with_snaps = count.gt(0).fillna(False).astype(bool)
    suffix = "; " + count.astype("Int64").astype("string") + " VM snapshot(s) present"
    return text.mask(with_snaps, text + suffix)
