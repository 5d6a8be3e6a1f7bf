"""Fact-module tests compute only the modules a test needs, through the product's own
`fact_context` and `compute_facts`, so a test of one module never breaks because an
unrelated module does, and never re-implements how facts are run."""

from __future__ import annotations

from types import ModuleType

import pandas as pd

from advisor.facts import FactContext, compute_facts, fact_context
from advisor.inventory.schema import Inventory
from advisor.profile import default_profile
from advisor.targets import load_catalog

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")


def profile_for(provider: str = "exoscale"):
    """The default profile, aimed at `provider` (Scaleway: fr-par-1)."""
    profile = default_profile()
    if provider == "scaleway":
        target = profile.target.model_copy(update={"provider": "scaleway", "zone": "fr-par-1"})
        profile = profile.model_copy(update={"target": target})
    return profile


def run_modules(
    inventory: Inventory,
    modules: tuple[ModuleType, ...],
    *,
    profile=None,
    provider: str | None = None,
    as_of: pd.Timestamp = AS_OF,
) -> FactContext:
    """Compute `modules` in order over `inventory`; the context holds the facts."""
    profile = profile if profile is not None else profile_for(provider or "exoscale")
    catalog = load_catalog(provider or profile.target.provider)
    return compute_facts(fact_context(inventory, profile, catalog, as_of), modules)


def by_name(ctx: FactContext) -> pd.DataFrame:
    """The facts indexed by server name."""
    return ctx.facts.set_index(ctx.servers["name"].to_numpy())
