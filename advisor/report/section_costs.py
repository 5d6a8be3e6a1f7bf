"""The Costs section: what the moved estate costs a month on the target, and on the compared
provider beside it, from the plan stage's per-server costs (`ProviderCost`).

Nothing unknown is printed as a number. A total over servers of which some lack a price is
the priced part, written "at least X" with how many servers are priced and why the others
are not; a total of nothing priced is "unknown", never 0. Sums by site and by wave are
group-bys over the per-server rows joined to the facts' site and the plan's wave; tables
are capped (`COST_SITE_ROWS`, `WAVE_ROWS`, `COST_SERVER_ROWS`, `VERDICT_ROWS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.plan.timeline import parallel_run_months
from advisor.report.formatting import (
    _na,
    display_text,
    first_sentence,
    fmt_as_of,
    fmt_gib,
    fmt_money,
    plural,
    plural_words,
    public_url,
    sentence,
)
from advisor.report.model_context import _Context, positions
from advisor.report.model_types import (
    COST_SERVER_ROWS,
    COST_SITE_ROWS,
    READINESS_LABELS,
    VERDICT_ROWS,
    WAVE_ROWS,
    CostRow,
    CostsSection,
    PriceSource,
    ServerCost,
    SourceGroup,
    VerdictRow,
)

#: Why a part of a server's cost has no price (`advisor.plan.costs.UNPRICED`), in words.
UNPRICED_WORDS = {
    "no instance type": "no instance type is large enough",
    "instance price not in the catalog": "no price found for the instance type",
    "storage size unknown": "disk sizes unknown",
    "whether the instance price includes its root disk is not known": (
        "not known whether the instance price includes the root disk"
    ),
    "root disk price not in the catalog": "no price found for the root disk",
    "block volume price not in the catalog": "no price found for block volumes",
    "root and data split unknown": "split between root disk and data volumes unknown",
    "OS unknown, so whether a Windows licence is needed": (
        "operating system unknown, so whether a Windows licence is needed"
    ),
    "Windows licence charge not in the catalog": "no price found for the Windows licence",
}
#: The catalogs' confidence levels (`advisor.plan.prices.CONFIDENCE_ORDER`), in words.
CONFIDENCE_WORDS = {
    "primary": "the provider's own figures",
    "third_party": "a third party's transcription",
    "inference": "inferred, not published",
    "general_knowledge": "general knowledge, not confirmed",
    "not_found": "none, the price was not found at this source",
}
#: Readiness, worst first: the servers whose verdict differs are listed worst first.
_RANK = {"not_ready": 0, "unknown": 1, "conditional": 2, "ready": 3}
#: The servers outside the waves, in the cost-by-wave table.
NOT_MOVED = "Not moved (retire, retain, held back)"


def _costs_section(ctx: _Context) -> CostsSection | None:
    """The section, or None when the assessment carries no plan."""
    plan = getattr(ctx.a, "plan", None)
    if plan is None:
        return None
    keys = [plan.primary] + ([plan.compared] if plan.compared in plan.providers else [])
    costs = [plan.providers[k] for k in keys]
    names = [c.display_name for c in costs]
    overview = _overview(costs, parallel_run_months(plan.waves))
    if plan.compared in plan.providers:
        for key in ("ready", "conditional", "not_ready", "unknown"):
            counts = [plan.readiness.get(k, {}).get(key) for k in keys]
            if key == "unknown" and not any(counts):
                continue
            overview.append(
                CostRow(
                    f"Servers {READINESS_LABELS[key].lower()}",
                    ["unknown" if n is None else f"{n:,}" for n in counts],
                )
            )
    overview += _zones(costs)
    site = ctx.servers["site"].astype("string").fillna("Servers without a site")
    by_site, site_more = _by(costs, site)
    by_wave, wave_more = _by(costs, *_wave_labels(plan))
    verdicts, verdicts_more, verdicts_intro = _verdicts(plan, names)
    return CostsSection(
        intro=_intro(plan, costs),
        providers=names,
        overview=overview,
        unpriced=_unpriced(costs),
        by_site=by_site,
        by_site_more=site_more,
        by_wave=by_wave,
        by_wave_more=wave_more,
        top=_top(ctx, plan, costs),
        policy=plan.policy,
        sources=[SourceGroup(c.display_name, [_source(s) for s in c.sources]) for c in costs],
        compared=names[1] if len(names) > 1 else None,
        verdicts_intro=verdicts_intro,
        verdicts=verdicts,
        verdicts_more=verdicts_more,
    )


def monthly_text(cost: Any, basis: str = "rightsized") -> str:
    """The estate's monthly cost on `basis`: the total when every server is priced, 'at
    least' the priced part when some are not, 'unknown' when nothing is."""
    t = cost.totals
    total, floor = t.get(f"{basis}_total_monthly"), t.get(f"{basis}_priced_monthly")
    if int(t.get(f"{basis}_unpriced_servers", 0) or 0) == 0 and not _na(total):
        return fmt_money(total, cost.currency)
    if _na(floor):
        return "unknown"
    return "at least " + fmt_money(floor, cost.currency)


def _intro(plan: Any, costs: list[Any]) -> str:
    first = costs[0]
    t = first.totals
    n, unpriced = int(t["servers"]), int(t["rightsized_unpriced_servers"])
    text = (
        f"What the {plural(n, 'server')} in scope cost a month on {first.display_name}, "
        "from the provider's list prices: as allocated today (the smallest instance type "
        "holding today's vCPUs and memory) and right-sized (sized to the use the inventory "
        "measured, as the sizing policy below describes). The totals price every server in "
        "scope, those to retire or retain included; the table by wave shows them apart."
    )
    if len(costs) > 1:
        text += f" {costs[1].display_name} is priced beside it the same way."
    if unpriced:
        text += " Where a price is missing, a total is the priced part: 'at least'."
    return text


def _overview(costs: list[Any], months: pd.Series) -> list[CostRow]:
    """Totals on both bases, servers priced, the parallel run: one value per provider."""
    rows = [
        CostRow("Monthly cost, as allocated", [monthly_text(c, "allocated") for c in costs]),
        CostRow("Monthly cost, right-sized", [monthly_text(c) for c in costs], total=True),
        CostRow(
            "Servers fully priced",
            [
                f"{int(c.totals['rightsized_complete_servers']):,} of {int(c.totals['servers']):,}"
                for c in costs
            ],
        ),
        CostRow("Parallel run (right-sized)", [_parallel(c, months) for c in costs]),
    ]
    return rows


def _zones(costs: list[Any]) -> list[CostRow]:
    """Each located site's nearest zone of each provider and the round trip to it, so the
    comparison shows where each provider would put the servers."""
    sites: list[str] = []
    for c in costs:
        sites += [s for s in c.zones["site"] if s not in sites]
    rows = []
    for site in sites:
        values = []
        for c in costs:
            z = c.zones[c.zones["site"] == site]
            if z.empty:
                values.append("unknown")
                continue
            r = z.iloc[0]
            values.append(f"{r['zone']} ({r['city']}), about {float(r['rtt_ms']):.0f} ms")
        rows.append(CostRow(f"Nearest zone to {site}", values))
    return rows


def _parallel(cost: Any, months: pd.Series) -> str:
    """The cost of running both estates while each wave is accepted. When every moving
    server is priced it is the plan's `parallel_run_cost`; otherwise the priced parts of
    all moving servers times their months, 'at least', like the monthly floors beside it
    (the plan's figure counts only fully priced servers, which would understate a provider
    with many partly priced servers against one with few)."""
    rows = cost.servers
    run = months.reindex(rows.index).fillna(0.0).to_numpy(dtype=float)
    moves = run > 0
    total = rows["rightsized_total_monthly"].astype("float64").to_numpy()
    if moves.any() and not np.isnan(total[moves]).any() and cost.parallel_run_cost is not None:
        return fmt_money(cost.parallel_run_cost, cost.currency)
    floor = rows["rightsized_priced_monthly"].astype("float64").to_numpy()
    priced = moves & ~np.isnan(floor)
    if not priced.any():
        return "unknown" if moves.any() else "none: no server moves"
    return "at least " + fmt_money(float((floor[priced] * run[priced]).sum()), cost.currency)


def _unpriced(costs: list[Any]) -> list[str]:
    """Why servers lack a price, per provider: '43 servers: no price found for the
    Windows licence'."""
    out = []
    for c in costs:
        reasons = c.totals.get("rightsized_unpriced_reasons")
        if _na(reasons) or not reasons:
            continue
        parts = []
        for item in str(reasons).split("; "):
            reason, _, count = item.rpartition(": ")
            words = UNPRICED_WORDS.get(reason, reason)
            parts.append(f"{words} ({plural(int(count), 'server')})" if count.isdigit() else item)
        n, total = int(c.totals["rightsized_unpriced_servers"]), int(c.totals["servers"])
        verb = "lacks" if n == 1 else "lack"
        out.append(
            f"{c.display_name}: {n:,} of {plural(total, 'server')} {verb} a price for part of "
            f"their cost: {'; '.join(parts)}."
        )
    return out


def _wave_labels(plan: Any) -> tuple[pd.Series, dict[str, float]]:
    """Each server's wave as the cost table names it, and the order of those names."""
    w = plan.waves.waves
    suffix = w["kind"].astype(str).map({"pilot": " (pilot)", "after blockers": " (after blockers)"})
    names = "Wave " + w["wave"].astype(int).map("{:,}".format) + suffix.fillna("")
    by_number = pd.Series(names.to_numpy(), index=w["wave"].astype(int).to_numpy())
    wave = plan.waves.servers["wave"]
    label = wave.map(by_number).astype("string").fillna(NOT_MOVED)
    order = dict(zip(names, w["wave"].astype(float), strict=True))
    order[NOT_MOVED] = float("inf")
    return label, order


def _by(
    costs: list[Any], label: pd.Series, order: dict[str, float] | None = None
) -> tuple[list[CostRow], str]:
    """Monthly right-sized cost per site or per wave (`label`, per server id): sums per
    provider over the per-server rows, each written 'at least' where a server of the group
    is unpriced. Rows follow `order` (label -> rank), else the costliest first; only the
    rows shown are written out (a large estate has hundreds of sites)."""
    label_no, labels = pd.factorize(label)  # servers without a label: -1
    labels = np.asarray(labels, dtype=object)
    frames = []
    for c in costs:
        rows = c.servers
        at = positions(rows.index, label.index)
        code = np.where(at >= 0, label_no[at], -1)
        known = code >= 0
        # Labels numbered in order of appearance in this provider's rows (the order a
        # group-by would give them, which breaks ties between equal sums).
        code, first_seen = pd.factorize(code[known])
        total = rows["rightsized_total_monthly"].astype("float64").to_numpy()[known]
        floor = rows["rightsized_priced_monthly"].astype("float64").to_numpy()[known]
        n = len(first_seen)
        frames.append(
            pd.DataFrame(
                {
                    "servers": np.bincount(code, minlength=n),
                    "complete": _counted(code, ~np.isnan(total), n),
                    "floor": np.bincount(code, np.nan_to_num(floor, nan=0.0), n),
                    "priced": _counted(code, ~np.isnan(floor), n),
                },
                index=pd.Index(labels[first_seen], name="key", dtype=object),
            )
        )
    if not frames or frames[0].empty:
        return [], ""
    first = frames[0]
    if order is not None:
        keys = sorted(first.index, key=lambda k: (order.get(k, float("inf")), k))
        cap = WAVE_ROWS
    else:
        keys = list(first.sort_values(["floor", "servers"], ascending=False).index)
        cap = COST_SITE_ROWS
    shown = keys[:cap]
    texts = [_sum_texts(f, shown, c.currency) for f, c in zip(frames, costs, strict=True)]
    servers = first.loc[shown, "servers"].tolist()
    rows = [
        CostRow(label=display_text(k), servers=f"{int(n):,}", values=list(values))
        for k, n, *values in zip(shown, servers, *texts, strict=True)
    ]
    rows.append(
        CostRow(
            "All servers",
            [monthly_text(c) for c in costs],
            servers=f"{int(first['servers'].sum()):,}",
            total=True,
        )
    )
    hidden = len(keys) - len(shown)
    noun = "more wave" if order is not None else "more site"
    return (
        rows,
        f"and {plural(hidden, noun)}, listed in the workbook (Costs sheet)" if hidden else "",
    )


def _counted(code: np.ndarray, known: np.ndarray, n: int) -> np.ndarray:
    """How many rows of each of the `n` codes are `known`."""
    return np.bincount(code[known], minlength=n)


def _sum_texts(g: pd.DataFrame, keys: list[str], currency: str) -> list[str]:
    """The sums of the groups `keys` as the table writes them; 'unknown' for a group this
    provider prices no server of, or does not have."""
    at = g.index.get_indexer(keys)
    priced, floor, complete, servers = (
        g[c].to_numpy().tolist() for c in ("priced", "floor", "complete", "servers")
    )
    texts = []
    for i in at.tolist():
        if i < 0 or not priced[i]:
            texts.append("unknown")
            continue
        money = fmt_money(floor[i], currency)
        texts.append(money if complete[i] == servers[i] else f"at least {money}")
    return texts


def _top(ctx: _Context, plan: Any, costs: list[Any]) -> list[ServerCost]:
    """The costliest servers on the primary provider (their priced part where a price is
    missing), with the compared provider's cost of the same servers beside it."""
    first = costs[0].servers
    floor = first["rightsized_priced_monthly"].astype("float64")
    top = floor.dropna().sort_values(ascending=False, kind="stable").head(COST_SERVER_ROWS)
    ids = top.index
    rows = first.loc[ids]
    names = ctx.servers["name"].reindex(ids)
    sites = ctx.servers["site"].reindex(ids)
    waves = plan.waves.servers["wave"].reindex(ids)
    out = []
    for sid, r in rows.iterrows():
        values = [_server_text(c.servers, sid, c.currency) for c in costs]
        vcpus, mem = r["rightsized_type_vcpus"], r["rightsized_type_memory_gib"]
        kind = "" if _na(r["rightsized_type"]) else str(r["rightsized_type"])
        size = kind
        if not _na(vcpus) and not _na(mem):
            size += f" ({int(vcpus)} vCPU, {float(mem):g} GiB)"
        if not _na(r["storage_gib"]):
            size += f", {fmt_gib(r['storage_gib'])} of disks"
        out.append(
            ServerCost(
                name=display_text(names.get(sid)),
                site=display_text(sites.get(sid)),
                wave="Not moved" if _na(waves.get(sid)) else f"Wave {int(waves.get(sid)):,}",
                size=size.strip(", ") or "no instance type",
                values=values,
                missing=_missing(costs, sid),
            )
        )
    return out


def _missing(costs: list[Any], sid: object) -> str:
    """What a server's price lacks on each provider shown ('' when fully priced); named by
    provider when two are shown."""
    parts = []
    for c in costs:
        text = c.servers["rightsized_unpriced"].get(sid) if sid in c.servers.index else None
        if _na(text) or not text:
            continue
        words = "; ".join(UNPRICED_WORDS.get(r, r) for r in str(text).split("; "))
        parts.append(f"{c.display_name}: {words}." if len(costs) > 1 else sentence(words))
    return " ".join(parts)


def _server_text(rows: pd.DataFrame, sid: object, currency: str) -> str:
    if sid not in rows.index:
        return "unknown"
    total = rows.at[sid, "rightsized_total_monthly"]
    if not _na(total):
        return fmt_money(total, currency)
    floor = rows.at[sid, "rightsized_priced_monthly"]
    return "unknown" if _na(floor) else f"at least {fmt_money(floor, currency)}"


def _source(entry: dict[str, str]) -> PriceSource:
    return PriceSource(
        title=_catalog_words(sentence(entry.get("title", "")).rstrip(".")),
        url=public_url(entry.get("url", "")),
        as_of=fmt_as_of(entry.get("as_of", "")),
        confidence=CONFIDENCE_WORDS.get(str(entry.get("confidence")), "not stated"),
    )


def _catalog_words(text: str) -> str:
    """A price source's title in the reader's words: what 'the catalog' (advisor's record of
    the provider's prices) lacks is a price nobody found."""
    return text.replace("no price in the catalog", "no price found").replace(
        "not in the catalog", "not found"
    )


def _verdicts(plan: Any, names: list[str]) -> tuple[list[VerdictRow], str, str]:
    """The servers whose readiness differs between the two providers, worst first."""
    if len(names) < 2:
        return [], "", ""
    v = plan.verdicts
    if v is None or v.empty:
        return [], "", f"Every server has the same readiness on {names[0]} and {names[1]}."
    worst = np.minimum(
        v["first"].map(_RANK).fillna(1).to_numpy(), v["second"].map(_RANK).fillna(1).to_numpy()
    )
    ordered = v.assign(worst=worst).sort_values(["worst", "name"], kind="stable")
    shown = ordered.head(VERDICT_ROWS)
    rows = [
        VerdictRow(
            name=display_text(r.name),
            first=str(r.first),
            first_label=READINESS_LABELS.get(str(r.first), "Unknown"),
            second=str(r.second),
            second_label=READINESS_LABELS.get(str(r.second), "Unknown"),
            rules=str(r.rules),
            first_says=_says(r.first_says),
            second_says=_says(r.second_says),
        )
        for r in shown.itertuples()
    ]
    more = len(v) - len(shown)
    intro = (
        f"{plural(len(v), 'server')} {'gets' if len(v) == 1 else 'get'} a different "
        f"readiness on {names[0]} than on {names[1]}: the rules below fail on one provider "
        "and not on the other, each message stating that provider's own limit."
    )
    return (
        rows,
        f"and {plural(more, 'more server')}, listed in the workbook (Plan sheet)" if more else "",
        intro,
    )


def _says(text: object) -> str:
    """A rule message as the table shows it: short, and 'passes' where nothing failed."""
    s = "" if _na(text) else str(text).strip()
    if not s:
        return "No finding."
    return sentence(plural_words(first_sentence(s, 220)))
