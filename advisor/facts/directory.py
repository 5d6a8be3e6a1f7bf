"""Domain controllers: how many stand at each site and in the estate, which one holds the
operations-master (FSMO) roles, and whether a DC's backup would tempt someone to revert it.

A DC brought back from a snapshot reuses update sequence numbers its partners have already
seen (USN rollback) and replication stops converging; VM-GenerationID protects against
this only where the hypervisor exposes it, which is not documented for the targets
(domain-facts 5). So a DC whose only protection is snapshots, or which the inventory states
has no backup, needs a system-state backup before it moves. A DC the inventory says nothing
about is unknown (a question for the customer), never "at risk". Backup evidence comes from
the `backup` module (it runs earlier); its facts are read defensively so this module still
works, with unknowns, without them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.text import mentioned

FSMO = (
    r"\bfsmo\b|pdc[ -]?emulator|schema master|\brid master|infrastructure master|"
    r"domain naming master|operations master"
)

#: backup_state values (backup module) that protect a DC / leave it exposed.
BACKED_UP = ("backup product named", "backup stated")
AT_RISK = ("snapshots only", "stated as none")
STATE_WORDS = {
    "backup product named": "a backup product is recorded",
    "backup stated": "a backup is recorded",
    "stated as none": "the inventory states it has no backup",
    "snapshots only": "its only backup is VM snapshots",
}

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts", "identity", "backup")

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
        "Domain controllers (not templates, not powered off) in the server's segment: the "
        "whole estate, or the tenant or business unit the profile's segment_by names.",
        ("is_domain_controller", "power_state", "is_template", "segment"),
    ),
    Fact(
        "dc_domain",
        "text",
        "The Active Directory domain a domain controller serves, from its DNS name "
        "('dc01.corp.example.com' -> corp.example.com); unknown without a DNS domain.",
        ("is_domain_controller", "dns_name"),
    ),
    Fact(
        "dc_count_domain",
        "count",
        "Running domain controllers of the same domain (by DNS domain, within the segment); "
        "where a DC's domain is unknown, those of its segment whose domain is unknown too.",
        ("dc_domain", "segment", "power_state", "is_template"),
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
        "A domain controller whose only backup is VM snapshots or which the inventory states "
        "has no backup (backup_state); false when a backup product or backup is stated; "
        "unknown when the inventory says nothing about its backup; false for other servers.",
        ("is_domain_controller", "backup_state", "snapshot_only_backup"),
    ),
    Fact(
        "dc_backup_evidence",
        "text",
        "What the backup facts say about a domain controller, with the inventory's own "
        "evidence (column or attribute and value).",
        ("backup_state", "backup_evidence", "snapshot_count"),
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
    segment = s["segment"].astype("string").fillna("")
    out["dc_count_estate"] = active.groupby(segment).transform("sum").astype("Float64")
    # 'dc01.corp.example.com' -> 'corp.example.com': the domain a DC answers for.
    dns = s["dns_name"].astype("string").str.strip().str.lower()
    domain = dns.str.extract(r"^[^.]+\.(.+\..+)$", expand=False).astype("string")
    domain = domain.where(dc)
    key = segment + " | " + domain.fillna("")
    out["dc_domain"] = domain
    out["dc_count_domain"] = active.groupby(key).transform("sum").astype("Float64").where(dc, pd.NA)

    text = ctx.text("role", "application", "annotation") + " | " + ctx.attrs_text()
    out["fsmo_holder"] = (dc & mentioned(text, FSMO)).astype("boolean")

    state = _fact_or_na(ctx, "backup_state", "string")
    snap_only = _fact_or_na(ctx, "snapshot_only_backup", "boolean")
    evidence = _fact_or_na(ctx, "backup_evidence", "string")
    snaps = _fact_or_na(ctx, "snapshot_count", "Float64")
    at_risk = pd.Series(pd.NA, index=idx, dtype="boolean")
    at_risk = at_risk.mask(state.isin(BACKED_UP).fillna(False).to_numpy(dtype=bool), False)
    risky = state.isin(AT_RISK).fillna(False) | snap_only.fillna(False)
    at_risk = at_risk.mask(risky.to_numpy(dtype=bool), True)
    out["dc_backup_at_risk"] = at_risk.where(dc, False).astype("boolean")
    out["dc_snapshot_count"] = snaps.where(dc)
    out["dc_backup_evidence"] = _evidence(state, snap_only, evidence, snaps).where(dc)
    return out


def _fact_or_na(ctx: FactContext, name: str, dtype: str) -> pd.Series:
    """A fact of an earlier module, or all-unknown if that module does not provide it."""
    value = ctx.fact_or_none(name)
    if value is None:
        return pd.Series(pd.NA, index=ctx.servers.index, dtype=dtype)
    return value.astype(dtype)


def _evidence(
    state: pd.Series, snap_only: pd.Series, evidence: pd.Series, snaps: pd.Series
) -> pd.Series:
    text = pd.Series(
        "the inventory says nothing about its backup", index=state.index, dtype="string"
    )
    for value, words in STATE_WORDS.items():
        text = text.mask(state.eq(value).fillna(False).to_numpy(dtype=bool), words)
    only = snap_only.eq(True).fillna(False).to_numpy(dtype=bool)
    text = text.mask(only, "its only backup is VM snapshots")
    known = evidence.notna().to_numpy(dtype=bool)
    text = text.mask(known, text + " (" + evidence + ")")
    count = snaps.astype("Float64")
    with_snaps = count.gt(0).fillna(False).astype(bool)
    noun = pd.Series(
        np.where(count.eq(1).fillna(False), " VM snapshot present", " VM snapshots present"),
        index=count.index,
    )
    suffix = "; " + count.astype("Int64").astype("string") + noun
    return text.mask(with_snaps, text + suffix)
