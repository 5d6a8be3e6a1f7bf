"""Facts: per-server values derived from the inventory and the profile, one module per area.

Modules run in the order of MODULES. The list is explicit: nothing registers itself on
import. Each module declares FACTS, the modules whose facts it reads (NEEDS, all earlier in
MODULES, checked as it runs) and a pure `compute(ctx)` returning exactly its server facts
(estate-wide facts go to ctx.portfolio). Modules that NEEDS does not link may run side by
side: `lanes` computes some in a second process.
"""

from __future__ import annotations

from functools import cache
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
    check each returned exactly what it declared and read only what its NEEDS name. Tests
    of one module pass the modules it depends on and itself. Later modules read earlier
    ones' facts from `ctx.computed`; the table gets them all at once at the end."""
    for module in modules:
        run_module(ctx, module)
    return with_table(ctx)


def run_module(ctx: FactContext, module: ModuleType) -> tuple[list[str], list[str]]:
    """Compute one module's facts into `ctx.computed` (its estate-wide values into
    `ctx.portfolio`), reading only the facts of the modules its NEEDS names. Returns the
    names it added to each, in the order it added them."""
    name = module_name(module)
    declared = {f.name for f in module.FACTS if f.scope == "server"}
    portfolio = {f.name for f in module.FACTS if f.scope == "portfolio"}
    before = set(ctx.portfolio)
    ctx.readable, ctx.running = readable_by(module), name
    try:
        got = module.compute(ctx)
    finally:
        ctx.readable, ctx.running = None, ""
    if set(got) != declared:
        missing, extra = declared - set(got), set(got) - declared
        raise RuntimeError(
            f"{module.__name__}: facts missing {sorted(missing)}, undeclared {sorted(extra)}"
        )
    if set(ctx.portfolio) - before != portfolio:
        raise RuntimeError(f"{module.__name__}: portfolio facts differ from declared")
    index = ctx.servers.index
    ctx.computed.update({k: _align(v, index) for k, v in got.items()})
    return list(got), [k for k in ctx.portfolio if k not in before]


def with_table(ctx: FactContext) -> FactContext:
    """`ctx` with the facts computed so far moved into its facts table, in one join."""
    if ctx.computed:
        table = pd.DataFrame(ctx.computed, index=ctx.servers.index)
        ctx.facts = pd.concat([ctx.facts, table], axis=1)
        ctx.computed = {}
    return ctx


def module_name(module: ModuleType) -> str:
    """'network' for advisor.facts.network: how NEEDS names a module."""
    return module.__name__.rsplit(".", 1)[-1]


@cache
def readable_by(module: ModuleType) -> frozenset[str]:
    """The facts `module` may read: those declared by the modules its NEEDS names."""
    by_name = {module_name(m): m for m in MODULES}
    return frozenset(f.name for needed in module.NEEDS for f in by_name[needed].FACTS)


def _align(value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.reindex(index) if not value.index.equals(index) else value
    return pd.Series(value, index=index)


__all__ = [
    "MODULES",
    "Fact",
    "FactContext",
    "all_facts",
    "compute_facts",
    "fact_context",
    "module_name",
    "run_module",
    "with_table",
]
