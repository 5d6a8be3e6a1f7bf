"""Scope: which servers of the inventory the move is about, decided before any fact.

An inventory lists everything vCenter knows, including what never migrates: templates,
vSphere's agent VMs, the VMware platform's own appliances, SRM placeholders, orphaned
entries, VMs with no disk, and the proxies and appliances of today's backup product.
Assessing those as servers skews every estate-wide count (domain controllers, peers,
naming conventions, seeding volume) and puts hours of effort on machines nobody moves.
The profile can narrow the scope further (`scope:`) and name the segments (tenants,
business units) estate-wide counts are made per (`segment_by:`).

`decide_scope` is a pure function of the inventory and the profile. Every server read is
either in scope, out of scope with its category and reason, or was rejected by the import
with its reason; `Scope.check` proves that after every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from advisor.inventory.schema import Inventory
from advisor.scope import platform
from advisor.scope.filters import matches, segments

#: Out-of-scope categories in the order they are decided (the first that applies names a
#: server), each with the check that finds it.
CATEGORIES = (
    ("template", platform.templates),
    ("vSphere agent", platform.agent_vms),
    ("VMware infrastructure", platform.vmware_infrastructure),
    ("SRM placeholder", platform.srm_placeholders),
    ("orphaned or inaccessible", platform.unreachable),
    ("invalid configuration", platform.invalid_size),
    ("backup infrastructure", platform.backup_infrastructure),
    ("placeholder without disks", platform.no_disks),
)
PROFILE_CATEGORY = "excluded by the profile"
CATEGORY_NAMES = (*(name for name, _ in CATEGORIES), PROFILE_CATEGORY)


@dataclass
class Scope:
    """The scope decision for every server the import kept (index = server id)."""

    #: in_scope (bool), category and reason (NA when in scope), segment (NA without
    #: `segment_by`), name.
    table: pd.DataFrame
    #: What the segments are ("folder", "attribute 'Tenant'"); None without `segment_by`.
    segment_label: str | None = None
    #: What the profile's filters did that a reader should know (no such attribute, ...).
    notes: list[str] = field(default_factory=list)

    @property
    def in_scope(self) -> pd.Index:
        return self.table.index[self.table["in_scope"].to_numpy(dtype=bool)]

    @property
    def excluded(self) -> pd.DataFrame:
        """The out-of-scope servers with name, category and reason."""
        out = self.table[~self.table["in_scope"].to_numpy(dtype=bool)]
        return out[["name", "category", "reason"]]

    def counts(self) -> dict[str, int]:
        """Out-of-scope servers per category, in the order of CATEGORY_NAMES (zeros left out)."""
        got = self.excluded["category"].value_counts()
        return {c: int(got[c]) for c in CATEGORY_NAMES if c in got.index}

    def check(self, inventory: Inventory) -> None:
        """servers read = in scope + out of scope + rejected, or the run is broken."""
        read = inventory.source.servers_read
        rejected = len(inventory.source.rejected_rows)
        kept = len(self.in_scope) + len(self.excluded)
        if read and kept + rejected != read:
            raise RuntimeError(
                f"scope accounting: {read} servers read but {len(self.in_scope)} in scope + "
                f"{len(self.excluded)} out of scope + {rejected} rejected"
            )

    def summary(self, inventory: Inventory) -> dict[str, Any]:
        """The counts every output shows."""
        return {
            "servers_read": int(inventory.source.servers_read or len(self.table)),
            "in_scope": len(self.in_scope),
            "out_of_scope": len(self.excluded),
            "rejected": len(inventory.source.rejected_rows),
            "out_of_scope_by_category": self.counts(),
        }


def decide_scope(inventory: Inventory, profile: Any) -> Scope:
    """In or out of scope for each server, with the category and reason for those out."""
    s = inventory.servers
    n = len(s)
    decided = np.zeros(n, dtype=bool)
    category = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    for name, check in CATEGORIES:
        hit, why = check(inventory)
        new = hit & ~decided
        category[new] = name
        reason[new] = why.to_numpy(dtype=object)[new]
        decided |= hit
    notes: list[str] = []
    _profile_filters(s, profile.scope, decided, category, reason, notes)
    table = pd.DataFrame(
        {
            "name": s["name"].to_numpy(),
            "in_scope": ~decided,
            "category": pd.array(category, dtype="string"),
            "reason": pd.array(reason, dtype="string"),
            "segment": segments(s, profile.segment_by, notes).to_numpy(),
        },
        index=pd.Index(s["id"], name=None),
    )
    table["segment"] = table["segment"].astype("string")
    label = profile.segment_by.label() if profile.segment_by else None
    scope = Scope(table=table, segment_label=label, notes=notes)
    scope.check(inventory)
    return scope


def _profile_filters(
    s: pd.DataFrame,
    section: Any,
    decided: np.ndarray,
    category: np.ndarray,
    reason: np.ndarray,
    notes: list[str],
) -> None:
    """Apply `scope.include` then `scope.exclude` to the servers still in scope."""
    if section.include:
        wanted = np.zeros(len(s), dtype=bool)
        for i, entry in enumerate(section.include):
            wanted |= matches(s, entry, notes, f"scope.include[{i}]")
        new = ~wanted & ~decided
        category[new] = PROFILE_CATEGORY
        reason[new] = "outside the servers the profile includes"
        decided |= new
    for i, entry in enumerate(section.exclude):
        hit = matches(s, entry, notes, f"scope.exclude[{i}]")
        new = hit & ~decided
        category[new] = PROFILE_CATEGORY
        reason[new] = entry.reason or f"excluded by the profile ({entry.criteria()})"
        decided |= new


__all__ = ["CATEGORIES", "CATEGORY_NAMES", "PROFILE_CATEGORY", "Scope", "decide_scope"]
