"""Facts: per-server values derived from the inventory and the profile, one module per area.

Modules run in the order of MODULES (later modules may read facts of earlier ones). The
list is explicit: nothing registers itself on import. Each module declares FACTS and a pure
`compute(ctx)` returning exactly its server facts (estate-wide facts go to ctx.portfolio).
"""

from __future__ import annotations

from types import ModuleType

import pandas as pd

from advisor.facts import (
    backup,
    directory,
    identity,
    inventory_facts,
    licensing,
    lifecycle,
    location,
    network,
    platform,
    redundancy,
    security,
    sizing,
    storage,
    topology,
)
from advisor.facts.base import Fact, FactContext

MODULES: tuple[ModuleType, ...] = (
    inventory_facts,  # inventory columns under their own names
    identity,  # roles and their evidence, naming, owner, age, production
    location,  # sites, round trips, transfer times
    storage,  # disks: OS disk, largest data disk, shared/raw/independent, target limits
    sizing,  # instance types that fit
    backup,  # backup evidence, snapshots
    network,  # MAC addresses, NLB, virtual IPs, multicast
    directory,  # domain controllers per site and estate
    topology,  # application tiers and where they land
    licensing,  # vendors and licence constraints, hardware-bound licences
    lifecycle,  # OS end of life, powered-off, templates
    platform,  # devices, firmware, guest tools, OS on the target
    security,  # secrets in notes
    redundancy,  # peers per role: single points of failure
)


def all_facts() -> dict[str, Fact]:
    """Every declared fact by name, in module order."""
    out: dict[str, Fact] = {}
    for module in MODULES:
        for fact in module.FACTS:
            if fact.name in out:
                raise RuntimeError(f"fact '{fact.name}' declared twice ({module.__name__})")
            out[fact.name] = fact
    return out


def fact_context(inventory, profile, catalog, as_of: pd.Timestamp, scope=None) -> FactContext:
    """The context facts are computed in: the in-scope servers (all of them without a
    `scope`) indexed by id, each with the site the profile assigns (else its own site
    column) and its segment, and no facts yet."""
    from advisor.profile import assign_sites

    servers = inventory.servers.copy()
    assigned = assign_sites(servers, profile)
    servers["site"] = assigned.astype("string").fillna(servers["site"].astype("string"))
    servers = servers.set_index("id", drop=False)
    if scope is not None:
        servers = servers.loc[scope.in_scope]
        servers["segment"] = scope.table["segment"].reindex(servers.index)
    else:
        servers["segment"] = pd.Series(pd.NA, index=servers.index, dtype="string")
    ctx = FactContext(inventory, profile, catalog, servers, pd.Timestamp(as_of))
    if scope is not None:
        ctx.excluded = scope.excluded
    ctx.facts = pd.DataFrame(index=servers.index)
    return ctx


def compute_facts(ctx: FactContext, modules: tuple[ModuleType, ...] = MODULES) -> FactContext:
    """Run `modules` in order (all of them by default), appending their facts to `ctx.facts`;
    check each returned exactly what it declared. Tests of one module pass the modules it
    depends on and itself. Later modules read earlier ones' facts from `ctx.computed`; the
    table gets them all at once at the end."""
    index = ctx.servers.index
    for module in modules:
        declared = {f.name for f in module.FACTS if f.scope == "server"}
        portfolio = {f.name for f in module.FACTS if f.scope == "portfolio"}
        before = set(ctx.portfolio)
        got = module.compute(ctx)
        if set(got) != declared:
            missing, extra = declared - set(got), set(got) - declared
            raise RuntimeError(
                f"{module.__name__}: facts missing {sorted(missing)}, undeclared {sorted(extra)}"
            )
        if set(ctx.portfolio) - before != portfolio:
            raise RuntimeError(f"{module.__name__}: portfolio facts differ from declared")
        ctx.computed.update({k: _align(v, index) for k, v in got.items()})
    if ctx.computed:
        ctx.facts = pd.concat([ctx.facts, pd.DataFrame(ctx.computed, index=index)], axis=1)
        ctx.computed = {}
    return ctx


def _align(value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.reindex(index) if not value.index.equals(index) else value
    return pd.Series(value, index=index)


__all__ = ["MODULES", "Fact", "FactContext", "all_facts", "compute_facts", "fact_context"]
