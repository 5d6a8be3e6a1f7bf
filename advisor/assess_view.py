"""Terminal summary of `advisor assess`: scope, readiness, dispositions, effort, top findings
by area, data confidence and the assumptions made. The files written hold the detail.

Names, paths, messages and assumptions come from the customer's file or the profile, so they
reach Rich as `Text` (never parsed as markup): a server called `[/red]` prints as itself.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.engine.assess import Assessment
from advisor.engine.rules import AREA_TITLES, CORE_AREAS, SEVERITIES
from advisor.report.scope_text import left_out

_READINESS_STYLE = {
    "ready": "green",
    "conditional": "yellow",
    "not_ready": "red",
    "unknown": "magenta",
}


def render_summary(a: Assessment, console: Console, files: list[Any]) -> None:
    s = a.summary()
    src = a.inventory.source
    version = f" {src.format_version}" if src.format_version else ""
    console.print(
        Text.assemble(
            (str(a.profile.customer.name), "bold"),
            f": {s['servers']} servers from {src.path} ({src.format}{version})"
            f" -> {a.profile.target.provider} {a.profile.target.zone}",
        )
    )
    console.print(Text(scope_line(s["scope"])))
    t = Table(title="Readiness", title_justify="left")
    for col in ("ready", "conditional", "not ready", "unknown", "mean score", "effort"):
        t.add_column(col, justify="right")
    r = s["readiness"]
    t.add_row(
        *(
            Text(str(r[k]), style=_READINESS_STYLE[k])
            for k in ("ready", "conditional", "not_ready", "unknown")
        ),
        str(s["mean_score"]),
        f"{s['effort_hours']:,.0f} h",
    )
    console.print(t)
    console.print(Text(effort_line(s, len(a.estate_work))))
    d = Table(title="Dispositions", title_justify="left")
    for k in s["dispositions"]:
        d.add_column(Text(str(k)), justify="right")
    d.add_row(*(str(v) for v in s["dispositions"].values()))
    console.print(d)
    console.print(_top_findings(a))
    for line in plan_lines(a.plan):
        console.print(Text(line))
    estate = a.evaluation.portfolio
    failed = estate[estate["status"] == "fail"]
    if len(failed):
        console.print(Text("Estate-wide", style="bold"))
        for row in failed.itertuples():
            console.print(Text(f"  {row.code} [{row.severity}] {row.message}"))
    conf = s["confidence"]
    console.print(
        Text(
            "Data confidence (servers per level 1-5): "
            + ", ".join(f"{k}: {v}" for k, v in conf.items())
        )
    )
    if a.assumptions:
        console.print(Text("Assumptions", style="bold"))
        for line in a.assumptions:
            console.print(Text(f"  - {line}"))
    for path in files:
        console.print(Text(f"wrote {path}"))


def scope_line(scope: dict[str, Any]) -> str:
    """'Scope: 80 read, 77 in scope, 3 out of scope (3 VMware templates), 0 rejected'."""
    out = f"{scope['out_of_scope']:,} out of scope"
    if scope["out_of_scope"]:
        out += f" ({left_out(scope['out_of_scope_by_category'])})"
    return (
        f"Scope: {scope['servers_read']:,} read, {scope['in_scope']:,} in scope, {out}, "
        f"{scope['rejected']:,} rejected"
    )


def effort_line(s: dict[str, Any], items: int) -> str:
    """'Effort: 1,658 h = 1,530 h for the servers + 128 h one-off estate work (5 items)'."""
    work = f"{items} item{'s' if items != 1 else ''}"
    return (
        f"Effort: {s['effort_hours']:,.0f} h = {s['effort_hours_servers']:,.0f} h for the "
        f"servers + {s['effort_hours_estate']:,.0f} h one-off estate work ({work})"
    )


def _top_findings(a: Assessment) -> Table:
    f = a.evaluation.findings
    failed = f[f["status"] == "fail"]
    t = Table(title="Findings by area (failed rules)", title_justify="left")
    for col in ("area", "servers", "worst", "most severe rule (servers)"):
        t.add_column(col)
    order = list(CORE_AREAS) + sorted(set(failed["area"]) - set(CORE_AREAS))
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    for area in order:
        sub = failed[failed["area"] == area]
        if sub.empty:
            continue
        worst = max(sub["severity"], key=rank.__getitem__)
        # The most severe rule of the area, then the most frequent among equals.
        per_rule = sub.groupby("code").agg(n=("server_id", "size"), sev=("severity", "first"))
        per_rule["rank"] = per_rule["sev"].map(rank)
        code = per_rule.sort_values(["rank", "n"], ascending=False).index[0]
        titles = {r.code: r.spec.title for r in a.rules}
        t.add_row(
            Text(AREA_TITLES.get(area, str(area))),
            str(sub["server_id"].nunique()),
            Text(str(worst)),
            Text(f"{code} {titles[code]} ({per_rule.loc[code, 'n']})"),
        )
    if not len(failed):
        t.add_row("-", "0", "-", "no rule failed")
    return t


def plan_lines(plan: Any) -> list[str]:
    """The plan in two or three lines: waves and dates, and the monthly cost per provider
    (a floor, said as such, where servers lack a price)."""
    if plan is None:
        return []
    t = plan.timeline
    lines = [
        f"Plan: {t.waves} waves from {t.start:%d %b %Y} to {t.end:%d %b %Y} ({t.weeks} weeks), "
        f"{t.engineer_hours:,.0f} engineer hours"
    ]
    for cost in plan.providers.values():
        totals = cost.totals
        unpriced = int(totals["rightsized_unpriced_servers"])
        if unpriced == 0 and totals["rightsized_total_monthly"] is not None:
            amount = f"{float(totals['rightsized_total_monthly']):,.2f} {cost.currency}"
        elif totals["rightsized_priced_monthly"] is not None:
            amount = (
                f"at least {float(totals['rightsized_priced_monthly']):,.2f} {cost.currency} "
                f"({unpriced:,} of {int(totals['servers']):,} servers not fully priced)"
            )
        else:
            amount = "unknown (no prices in the catalog)"
        lines.append(f"Monthly on {cost.display_name}, right-sized: {amount}")
    return lines
