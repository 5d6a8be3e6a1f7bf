"""Terminal summary of `advisor assess`: readiness, dispositions, top findings by area,
data confidence and the assumptions made. The files written hold the detail."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.engine.assess import Assessment
from advisor.engine.rules import AREA_TITLES, CORE_AREAS, SEVERITIES

_READINESS_STYLE = {
    "ready": "green",
    "conditional": "yellow",
    "not_ready": "red",
    "unknown": "magenta",
}


def render_summary(a: Assessment, console: Console, files: list[Any]) -> None:
    s = a.summary()
    src = a.inventory.source
    console.print(
        f"[bold]{a.profile.customer.name}[/bold]: {s['servers']} servers from {src.path} "
        f"({src.format}{' ' + src.format_version if src.format_version else ''}) -> "
        f"{a.profile.target.provider} {a.profile.target.zone}"
    )
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
    d = Table(title="Dispositions", title_justify="left")
    for k in s["dispositions"]:
        d.add_column(k, justify="right")
    d.add_row(*(str(v) for v in s["dispositions"].values()))
    console.print(d)
    console.print(_top_findings(a))
    estate = a.evaluation.portfolio
    failed = estate[estate["status"] == "fail"]
    if len(failed):
        console.print("[bold]Estate-wide[/bold]")
        for row in failed.itertuples():
            console.print(f"  {row.code} [{row.severity}] {row.message}", highlight=False)
    conf = s["confidence"]
    console.print(
        "Data confidence (servers per level 1-5): "
        + ", ".join(f"{k}: {v}" for k, v in conf.items())
    )
    if a.assumptions:
        console.print("[bold]Assumptions[/bold]")
        for line in a.assumptions:
            console.print(f"  - {line}", highlight=False)
    for path in files:
        console.print(f"wrote {path}")


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
            AREA_TITLES[area],
            str(sub["server_id"].nunique()),
            worst,
            Text(f"{code} {titles[code]} ({per_rule.loc[code, 'n']})"),
        )
    if not len(failed):
        t.add_row("-", "0", "-", "no rule failed")
    return t
