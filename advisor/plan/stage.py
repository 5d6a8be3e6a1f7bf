"""The plan stage in one call: sizing and cost on every provider, move groups, waves and
the timeline of an `Assessment`, as one `Plan` the renderers read.

It runs after scoring and before rendering, over the in-scope servers only. Both providers
are sized and priced whatever the profile's target, so a comparison costs nothing extra;
the target (or `--compare`'s provider) decides which one the report leads with. Verdicts
on a second provider need the rules run again against its catalog: the CLI does that and
hands the second assessment to `compare_verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from advisor import forking
from advisor.plan.costs import cost_estate, cost_totals
from advisor.plan.groups import groups_and_edges, groups_sheet_frame
from advisor.plan.prices import price_sources
from advisor.plan.sizing import size_estate
from advisor.plan.timeline import Timeline, build_timeline, parallel_run_months, sensitivity
from advisor.plan.waves import WavePlan, plan_waves
from advisor.targets.catalog import Catalog, load_catalog

#: Every provider advisor has a catalog for, in the order a report lists them.
PROVIDERS: tuple[str, ...] = ("exoscale", "scaleway")


@dataclass
class ProviderCost:
    """One provider's side of the costs: per server rows, totals and what they rest on."""

    provider: str
    display_name: str
    currency: str
    #: One row per in-scope server (index: server id): sizing and cost columns.
    servers: pd.DataFrame
    #: One row: totals on both bases (see `cost_totals`).
    totals: pd.Series
    sources: list[dict[str, str]]
    #: Each site's nearest zone of this provider: site, zone, city, km, rtt_ms.
    zones: pd.DataFrame
    #: Cost of running both estates during the parallel runs (right-sized basis; None when
    #: no server is fully priced).
    parallel_run_cost: float | None


@dataclass
class Plan:
    """What the move looks like: sizing and costs per provider, groups, waves, timeline."""

    primary: str
    providers: dict[str, ProviderCost]
    policy: str
    groups: pd.DataFrame
    #: The Groups sheet as written (server, group, group name, reason, edited).
    groups_sheet: pd.DataFrame
    edges: pd.DataFrame
    waves: WavePlan
    timeline: Timeline
    sensitivity: pd.DataFrame
    #: Servers whose verdict differs between the two providers (empty without --compare).
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    compared: str | None = None
    #: Ready / conditional / not ready / unknown counts per provider that was assessed.
    readiness: dict[str, dict[str, int]] = field(default_factory=dict)
    edited_groups: int = 0

    @property
    def primary_cost(self) -> ProviderCost:
        return self.providers[self.primary]


def make_plan(
    assessment: Any,
    *,
    group_edits: pd.DataFrame | None = None,
    compare: Any | None = None,
) -> Plan:
    """The plan of `assessment` (an engine `Assessment`); `group_edits` from `--groups`,
    `compare` a second Assessment of the same inventory on another provider."""
    profile = assessment.profile
    inv = assessment.inventory
    ids = assessment.facts.index
    servers = inv.servers.set_index("id", drop=False).rename_axis(None).loc[ids]
    primary = profile.target.provider
    catalogs = {p: (assessment.catalog if p == primary else load_catalog(p)) for p in PROVIDERS}
    policy = profile.sizing
    # Sizing and pricing need none of what follows: a second core may do them meanwhile.
    priced = (servers.drop(columns=["id"]), catalogs, policy, inv.disks)
    pricing = forking.Forked.start(_priced, *priced) if forking.usable(len(ids)) else None

    with_segment = inv.servers.assign(
        segment=assessment.scope.table["segment"].reindex(inv.servers["id"]).to_numpy()
    )
    in_scope = with_segment[with_segment["id"].isin(ids)]
    groups, edges = groups_and_edges(in_scope, assessment.facts, inv.dependencies, group_edits)
    waves = plan_waves(
        groups, assessment.servers, assessment.facts, profile.migration,
        as_of=assessment.as_of, edges=edges,
    )  # fmt: skip
    estate_hours = float(assessment.estate_work["effort_hours"].sum())
    timeline = build_timeline(waves, estate_hours=estate_hours)
    months = parallel_run_months(waves)
    groups_sheet = groups_sheet_frame(groups, in_scope.set_index("id", drop=False))
    what_if = sensitivity(waves, estate_hours=estate_hours)

    ok, got = pricing.result() if pricing is not None else (False, None)
    costed, totals = got if ok else _priced(*priced)
    order = [primary] + [p for p in PROVIDERS if p != primary]
    providers = {
        p: _provider_cost(p, catalogs[p], costed, totals, months, profile, policy) for p in order
    }
    plan = Plan(
        primary=primary,
        providers=providers,
        policy=policy.describe(),
        groups=groups,
        groups_sheet=groups_sheet,
        edges=edges,
        waves=waves,
        timeline=timeline,
        sensitivity=what_if,
        readiness={primary: _readiness(assessment)},
        edited_groups=int(groups.loc[groups["edited"], "group_id"].nunique()),
    )
    if compare is not None:
        plan.compared = compare.profile.target.provider
        plan.readiness[plan.compared] = _readiness(compare)
        plan.verdicts = compare_verdicts(assessment, compare)
    return plan


def _priced(
    servers: pd.DataFrame, catalogs: dict[str, Catalog], policy: Any, disks: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each server sized and priced on every provider, and the totals per provider."""
    costed = cost_estate(size_estate(servers, catalogs, policy, disks), catalogs, policy)
    return costed, cost_totals(costed)


def _provider_cost(
    provider: str,
    catalog: Catalog,
    costed: pd.DataFrame,
    totals: pd.DataFrame,
    months: pd.Series,
    profile: Any,
    policy: Any,
) -> ProviderCost:
    rows = costed.xs(provider, level="provider")
    total = totals.loc[provider]
    monthly = rows["rightsized_total_monthly"].astype("Float64")
    run = (monthly * months.reindex(rows.index).fillna(0.0)).dropna()
    return ProviderCost(
        provider=provider,
        display_name=catalog.display_name,
        currency=str(total["currency"]),
        servers=rows,
        totals=total,
        sources=price_sources(catalog, policy.hours_per_month),
        zones=site_zones(profile, catalog),
        parallel_run_cost=round(float(run.sum()), 2) if len(run) else None,
    )


def site_zones(profile: Any, catalog: Catalog) -> pd.DataFrame:
    """Each located site's nearest zone of `catalog`'s provider, by great-circle distance
    and the round trip the profile's network assumptions give it (sites without a place
    are left out: their zone stays the profile's target zone)."""
    physics = catalog.network_physics
    m = profile.migration
    rows = []
    for site in profile.sites:
        lat, lon = site.lat, site.lon
        if lat is None or lon is None:
            continue
        zone, km = catalog.nearest_zone(lat, lon)
        rtt = 2 * km * m.route_factor / physics.fibre_km_per_ms + m.vpn_overhead_ms
        rows.append(
            {
                "site": site.name,
                "zone": zone.name,
                "city": zone.city,
                "km": round(km),
                "rtt_ms": round(rtt, 1),
            }
        )
    return pd.DataFrame(rows, columns=["site", "zone", "city", "km", "rtt_ms"])


def _readiness(assessment: Any) -> dict[str, int]:
    counts = assessment.scores["readiness"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("ready", "conditional", "not_ready", "unknown")}


def compare_verdicts(first: Any, second: Any) -> pd.DataFrame:
    """Servers whose readiness differs between two assessments of the same inventory on
    two providers, with the failed rules that make the difference and their messages on
    each side (each message states the provider's own limit)."""
    a = first.scores["readiness"]
    b = second.scores["readiness"].reindex(a.index)
    differs = a.index[(a != b).fillna(True).to_numpy()]
    if not len(differs):
        return pd.DataFrame(
            columns=["server_id", "name", "first", "second", "rules", "first_says", "second_says"]
        )
    fa = _failed(first, differs)
    fb = _failed(second, differs)
    names = first.inventory.servers.set_index("id")["name"].reindex(differs)
    out = pd.DataFrame(
        {
            "server_id": differs,
            "name": names.to_numpy(),
            "first": a.reindex(differs).to_numpy(),
            "second": b.reindex(differs).to_numpy(),
        }
    )
    rules_a = fa.groupby("server_id")["rule"].agg(set)
    rules_b = fb.groupby("server_id")["rule"].agg(set)
    only = [
        ", ".join(sorted(rules_a.get(s, set()) ^ rules_b.get(s, set()))) for s in out["server_id"]
    ]
    out["rules"] = only
    out["first_says"] = _messages(fa, out["server_id"], only)
    out["second_says"] = _messages(fb, out["server_id"], only)
    return out


def _failed(assessment: Any, ids: pd.Index) -> pd.DataFrame:
    f = assessment.evaluation.findings
    f = f[(f["status"] == "fail") & f["server_id"].isin(ids)]
    return f[["server_id", "code", "message"]].rename(columns={"code": "rule"})


def _messages(failed: pd.DataFrame, ids: pd.Series, rules: list[str]) -> list[str]:
    by = {(s, r): m for s, r, m in failed[["server_id", "rule", "message"]].itertuples(False)}
    out = []
    for server, codes in zip(ids, rules, strict=True):
        texts = [by[(server, c)] for c in codes.split(", ") if (server, c) in by]
        out.append(" ".join(texts))
    return out


def assess_and_plan(
    inventory: Any,
    profile: Any,
    *,
    cli_sets: list[str] | None = None,
    group_edits: pd.DataFrame | None = None,
    compare: str | None = None,
) -> Any:
    """Assess `inventory` on the profile's target, assess it again on the comparison
    provider (`compare`, else the profile's `target.compare`) when there is one, and attach
    the plan: what `advisor assess` runs between reading and rendering."""
    from advisor.engine.assess import assess
    from advisor.profile.sections import Target

    result = assess(inventory, profile, cli_sets=cli_sets or [])
    other_provider = compare or profile.target.compare
    other = None
    if other_provider and other_provider != profile.target.provider:
        swapped = profile.model_copy(update={"target": Target(provider=other_provider)})
        other = assess(inventory, swapped, cli_sets=cli_sets or [])
    # Nothing in scope (an empty inventory, or every machine set aside): nothing to plan,
    # and the outputs say so through their plan-less form.
    if len(result.servers):
        result.plan = make_plan(result, group_edits=group_edits, compare=other)
    return result
