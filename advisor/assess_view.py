"""Terminal summary of `advisor assess`: scope, readiness, dispositions, effort, top findings
by area, data confidence and the assumptions made. The files written hold the detail.
`summary_json` is the same summary as one JSON object (`advisor assess --json`), for scripts
and CI: counts, the top findings, the plan in numbers and the files written.

Names, paths, messages and assumptions come from the customer's file or the profile, so they
reach Rich as `Text` (never parsed as markup): a server called `[/red]` prints as itself.
"""

from __future__ import annotations

from pathlib import Path
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


def render_summary(
    a: Assessment, console: Console, files: list[Any], removed: list[Path] | None = None
) -> None:
    """The summary on the terminal; `removed` are an earlier run's outputs of kinds this run
    was not asked for (`--only`), which it removed: said, so that nobody looks for them."""
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
    for path in removed or []:
        console.print(Text(f"removed {path}: an earlier run's, not asked for with --only"))


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


def _area_rows(a: Assessment) -> list[tuple[str, str, int, str, str, str, int]]:
    """Per area with a failed rule: area, its title, servers failing, worst severity, and
    the most severe rule there (the most frequent among equals) with its title and count."""
    f = a.evaluation.findings
    failed = f[f["status"] == "fail"]
    if failed.empty:
        return []
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    titles = {r.code: r.spec.title for r in a.rules}
    # One grouping for every area: failures per rule, then the top rule of each area.
    per_rule = (
        failed.groupby(["area", "code"])
        .agg(n=("server_id", "size"), sev=("severity", "first"))
        .reset_index()
    )
    per_rule["rank"] = per_rule["sev"].map(rank)
    top = per_rule.sort_values(["rank", "n"], ascending=False, kind="stable")
    top = top.drop_duplicates("area").set_index("area")
    servers = failed.groupby("area", sort=False)["server_id"].nunique()
    order = list(CORE_AREAS) + sorted(set(failed["area"]) - set(CORE_AREAS))
    return [
        (
            str(area),
            str(AREA_TITLES.get(area, str(area))),
            int(servers[area]),
            str(top.at[area, "sev"]),
            str(top.at[area, "code"]),
            str(titles[top.at[area, "code"]]),
            int(top.at[area, "n"]),
        )
        for area in order
        if area in top.index
    ]


def _top_findings(a: Assessment) -> Table:
    t = Table(title="Findings by area (failed rules)", title_justify="left")
    for col in ("area", "servers", "worst", "most severe rule (servers)"):
        t.add_column(col)
    rows = _area_rows(a)
    for _area, title, servers, worst, code, rule_title, n in rows:
        t.add_row(Text(title), str(servers), Text(worst), Text(f"{code} {rule_title} ({n})"))
    if not rows:
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


def summary_json(
    a: Assessment, out_dir: Path, files: list[Path], removed: list[Path] | None = None
) -> dict[str, Any]:
    """The summary as one JSON-ready object; file names are relative to `out_dir`, so the
    object says nothing about the machine it ran on."""
    s = a.summary()
    src = a.inventory.source
    estate = a.evaluation.portfolio
    failed = estate[estate["status"] == "fail"]
    return {
        "customer": str(a.profile.customer.name),
        "input": {
            "file": Path(src.path).name,
            "format": src.format,
            "format_version": src.format_version or None,
        },
        "target": {"provider": a.profile.target.provider, "zone": a.profile.target.zone},
        "servers": s["servers"],
        "scope": s["scope"],
        "readiness": s["readiness"],
        "dispositions": s["dispositions"],
        "findings": s["findings"],
        "mean_score": s["mean_score"],
        "effort_hours": s["effort_hours"],
        "confidence": s["confidence"],
        "top_findings": top_findings(a),
        "estate_findings": [
            {"code": str(r.code), "severity": str(r.severity), "message": str(r.message)}
            for r in failed.itertuples()
        ],
        "plan": plan_summary(a.plan),
        "outputs": [_relative(p, out_dir) for p in files],
        "removed_from_earlier_run": [_relative(p, out_dir) for p in removed or []],
    }


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return Path(path).name


def top_findings(a: Assessment) -> list[dict[str, Any]]:
    """Per area (core areas first), the most severe failed rule and the servers it fails on,
    as the terminal table shows them."""
    return [
        {
            "area": area,
            "area_title": title,
            "servers": servers,
            "worst_severity": worst,
            "code": code,
            "title": rule_title,
            "rule_servers": n,
        }
        for area, title, servers, worst, code, rule_title, n in _area_rows(a)
    ]


def plan_summary(plan: Any) -> dict[str, Any] | None:
    """The plan in numbers: waves, first and last day, weeks, engineer hours, and the
    right-sized monthly cost per provider (`complete` false when it is only a floor)."""
    if plan is None:
        return None
    t = plan.timeline
    costs = {}
    for provider, cost in plan.providers.items():
        totals = cost.totals
        unpriced = int(totals["rightsized_unpriced_servers"])
        total = totals["rightsized_total_monthly"]
        floor = totals["rightsized_priced_monthly"]
        complete = unpriced == 0 and total is not None
        amount = total if complete else floor
        costs[provider] = {
            "currency": cost.currency,
            "monthly": None if amount is None else round(float(amount), 2),
            "complete": bool(complete),
            "servers_not_fully_priced": unpriced,
        }
    return {
        "waves": int(t.waves),
        "start": t.start.isoformat(),
        "last_wave_ends": t.end.isoformat(),
        "weeks": int(t.weeks),
        "engineer_hours": round(float(t.engineer_hours), 1),
        "monthly_cost": costs,
    }
