"""The executive summary: scope in words, headline numbers, readiness and disposition tiles,
top findings.

`_summary` is the section; `_plan_stats` adds the monthly cost and the last wave's end when
the assessment carries a plan; `_top_findings` ranks the failed rules (severity first, then how
many servers they touch, core areas weighted up) from the per-rule counts of `_rule_stats`.
"""

from __future__ import annotations

import math

import pandas as pd

from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.engine.scoring import READINESS
from advisor.report import charts
from advisor.report.formatting import (
    _capital,
    _na,
    anchor,
    display_text,
    first_sentence,
    fmt_date,
    fmt_days,
    fmt_gib,
    fmt_hours,
    fmt_share,
    plural,
)
from advisor.report.model_context import _Context, _enabled
from advisor.report.model_types import (
    DISPOSITION_LABELS,
    READINESS_LABELS,
    READINESS_MEANING,
    SEVERITY_LABELS,
    TOP_FINDINGS,
    Stat,
    Summary,
    Theme,
    Tile,
    TopFinding,
)
from advisor.report.scope_text import join_words, scope_sentence
from advisor.report.section_costs import monthly_text


def _summary(ctx: _Context, theme: Theme) -> Summary:
    s = ctx.summary
    total = int(s["servers"])
    srv = ctx.servers
    off = int((srv["power_state"].astype("string") == "off").sum())
    counts = s["readiness"]
    tiles = [
        Tile(
            k,
            READINESS_LABELS[k],
            f"{counts[k]:,}",
            fmt_share(counts[k], total),
            READINESS_MEANING[k],
        )
        for k in READINESS
    ]
    disp = [
        Tile(k, DISPOSITION_LABELS[k], f"{n:,}", fmt_share(n, total))
        for k, n in s["dispositions"].items()
    ]
    pf = ctx.a.portfolio_facts
    seed = pf.get("estate_transfer_hours")
    slowest = pf.get("seed_slowest_site")
    if _na(seed):
        copy = Stat("Copy time over the uplinks", "unknown", "no site uplink is known")
    else:
        where = f" at the slowest site, {slowest}" if slowest else ""
        copy = Stat("Copy time over the uplinks", fmt_hours(seed), f"{fmt_days(seed)}{where}")
    scope = s["scope"]
    notes = [f"of {scope['servers_read']:,} in the inventory"]
    if off:
        notes.append(f"{off:,} powered off")
    effort = float(s["effort_hours"])
    servers_h, estate_h = float(s["effort_hours_servers"]), float(s["effort_hours_estate"])
    effort_note = f"{servers_h:,.0f} h servers"
    if estate_h:
        effort_note += f" + {estate_h:,.0f} h one-off estate work"
    stats = [
        Stat("Servers in scope", f"{total:,}", " · ".join(notes)),
        Stat(
            "Storage provisioned",
            fmt_gib(s["provisioned_gib"]),
            f"{fmt_gib(s['used_gib'])} of it in use",
        ),
        copy,
        Stat(
            "Estimated effort",
            f"{effort:,.0f} h",
            f"{effort_note} · about {effort / 8:,.0f} person-days",
        ),
    ]
    provider = ctx.provider
    zone = ctx.profile.target.zone
    parts = [
        f"{counts[k]:,} {READINESS_MEANING[k]}" if counts[k] else f"none {READINESS_MEANING[k]}"
        for k in READINESS
        if counts[k] or k == "ready"
    ]
    intro = (
        f"We assessed {plural(total, 'server')} of {display_text(ctx.profile.customer.name)} for a "
        f"lift-and-shift to {provider} ({zone}) against {plural(_enabled(ctx), 'rule')}. "
        f"Of these servers, {join_words(parts)}."
    )
    return Summary(
        intro=intro,
        scope=scope_sentence(scope, "the Scope and effort section lists them with the reason"),
        stats=stats,
        readiness=tiles,
        dispositions=disp,
        readiness_chart=charts.readiness_chart([(t.key, t.label, counts[t.key]) for t in tiles]),
        disposition_chart=charts.disposition_chart(
            [(t.label, s["dispositions"][t.key]) for t in disp], theme.primary
        ),
        top=_top_findings(ctx),
        plan_stats=_plan_stats(ctx),
    )


def _plan_stats(ctx: _Context) -> list[Stat]:
    """The primary provider's monthly cost (right-sized; the priced part, 'at least', when
    servers lack a price, with how many) and when the last wave ends; none without a plan."""
    plan = getattr(ctx.a, "plan", None)
    if plan is None:
        return []
    cost = plan.primary_cost
    t = cost.totals
    unpriced = int(t["rightsized_unpriced_servers"])
    note = "right-sized"
    if unpriced:
        note += f"; {plural(unpriced, 'server')} of {int(t['servers']):,} not fully priced"
    if plan.compared in plan.providers:
        other = plan.providers[plan.compared]
        note += f"; {other.display_name}: {monthly_text(other)}"
    tl = plan.timeline
    if tl.waves:
        when = Stat(
            "Last wave ends",
            fmt_date(tl.end),
            f"{plural(tl.waves, 'wave')} over {plural(tl.weeks, 'week')} from "
            f"{fmt_date(tl.start)}; accepted by {fmt_date(tl.accepted)}",
        )
    else:
        when = Stat("Last wave ends", "no wave", "no server moves")
    return [Stat(f"Monthly cost on {cost.display_name}", monthly_text(cost), note), when]


def _rule_stats(ctx: _Context) -> pd.DataFrame:
    """Per failed server rule: servers affected and the worst few names (vectorised)."""
    f = ctx.findings[ctx.findings["status"] == "fail"]
    if f.empty:
        return pd.DataFrame(columns=["code", "severity", "area", "servers", "names"])
    ordered = f.sort_values(["code", "score", "server"], kind="stable")
    first = ordered.groupby("code", sort=False).head(3)
    short = first["server"].astype(str).str.slice(0, 40)
    names = short.groupby(first["code"]).agg(", ".join)
    message = ordered.groupby("code")["message"].first()
    return (
        f.groupby("code")
        .agg(
            severity=("severity", "first"),
            area=("area", "first"),
            servers=("server_id", "nunique"),
        )
        .join(names.rename("names"))
        .join(message.rename("message"))
        .reset_index()
    )


def _top_findings(ctx: _Context) -> list[TopFinding]:
    """The findings that matter most: severity first, then breadth, core areas preferred.

    Within a severity, the weight is (1 + log2(servers affected)), times 1.5 in the seven
    core areas. An estate-wide finding counts as affecting every live server.
    """
    stats = _rule_stats(ctx)
    live = int(ctx.live.sum()) or 1
    rows = []
    for r in stats.itertuples():
        first = str(r.names).split(", ")[0]
        rows.append(
            (r.code, r.severity, r.area, int(r.servers), r.names, (r.message, first), False)
        )
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    for r in port.itertuples():
        rows.append((r.code, r.severity, r.area, live, "", (r.message, ""), True))
    ranked = []
    for code, sev, area, n, names, message, estate in rows:
        if sev == "info":
            continue
        weight = (1 + math.log2(max(n, 1))) * (1.5 if area in CORE_AREAS else 1.0)
        ranked.append((-ctx.sev_rank[sev], -weight, code, sev, area, n, names, message, estate))
    ranked.sort()
    out = []
    for *_, code, sev, area, n, names, message, estate in ranked[:TOP_FINDINGS]:
        rule = ctx.rules[code]
        if estate:
            scope = "Estate-wide"
        else:
            more = n - len(str(names).split(", "))
            scope = f"{plural(n, 'server')}: {names}" + (f" and {more:,} more" if more > 0 else "")
        out.append(
            TopFinding(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                area_title=AREA_TITLES[area],
                anchor=anchor("rule", code),
                scope=scope,
                detail=_capital(first_sentence(str(message[0]), 150), message[1]),
                action=first_sentence(rule.spec.remediation, 105),
            )
        )
    return out
