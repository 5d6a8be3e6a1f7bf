"""Findings by area: one section per area with findings, one block per rule.

`_areas` groups the failed and accepted findings by rule and area, in the fixed area order;
`_capped_rows` lists the worst `TABLE_ROWS` servers of each rule, and `_area_charts` adds
the storage, copy-time and round-trip charts where an area needs one.
"""

from __future__ import annotations

import pandas as pd

from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.report import charts
from advisor.report.charts import Chart
from advisor.report.formatting import _capital, _na, anchor, fmt_gib, fmt_hours, fmt_int, plural
from advisor.report.model_context import _area_order, _Context, _site_table, server_cells
from advisor.report.model_types import (
    AREA_BLURBS,
    SEVERITY_LABELS,
    SITE_CHART_ROWS,
    STATUS_LABELS,
    STORAGE_CHART_ROWS,
    TABLE_ROWS,
    AreaSection,
    Reference,
    RuleSection,
    ServerRow,
    Theme,
)


def _areas(ctx: _Context, theme: Theme) -> tuple[list[AreaSection], list[str]]:
    f = ctx.findings[ctx.findings["status"].isin(["fail", "accepted"])]
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    counts = (
        f.groupby(["code", "status"]).size().unstack(fill_value=0)
        if not f.empty
        else pd.DataFrame()
    )
    unknown = ctx.findings[ctx.findings["status"] == "unknown"].groupby("code").size()
    rows = _capped_rows(f)
    by_area: dict[str, list[RuleSection]] = {}
    for code in sorted(set(f["code"]) | set(port["code"])):
        rule = ctx.rules[code]
        sev = ctx.a.settings[code].severity
        prow = port[port["code"] == code]
        estate = not prow.empty
        failed = int(counts.at[code, "fail"]) if "fail" in counts and code in counts.index else 0
        accepted = (
            int(counts.at[code, "accepted"]) if "accepted" in counts and code in counts.index else 0
        )
        n_unknown = int(unknown.get(code, 0))
        if estate:
            headline = "Estate-wide"
        else:
            bits = [plural(failed, "server")]
            if accepted:
                bits.append(f"{accepted:,} accepted")
            if n_unknown:
                bits.append(f"{n_unknown:,} could not be assessed")
            headline = ", ".join(bits)
        listed = rows.get(code, [])
        more = max(failed + accepted - len(listed), 0)
        found = _found_text(failed, accepted, n_unknown, estate)
        by_area.setdefault(rule.spec.area, []).append(
            RuleSection(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                anchor=anchor("rule", code),
                estate_wide=estate,
                headline=headline,
                found=found,
                estate_message=str(prow["message"].iloc[0]) if estate else "",
                rationale=" ".join(rule.spec.rationale.split()),
                remediation=" ".join(rule.spec.remediation.split()),
                references=[Reference(r.title, r.url) for r in rule.spec.references],
                rows=listed,
                more=more,
                more_text=(f"and {more:,} more: the full list is in the workbook" if more else ""),
            )
        )
    sections, quiet = [], []
    for area in _area_order():
        rules = by_area.get(area)
        if not rules:
            quiet.append(AREA_TITLES[area])
            continue
        rules.sort(key=lambda r: (-ctx.sev_rank[r.severity], not r.estate_wide, r.code))
        affected = f.loc[f["area"] == area, "server_id"].nunique()
        estate_n = sum(1 for r in rules if r.estate_wide)
        bits = [plural(len(rules), "rule") + " with findings"]
        if affected:
            bits.append(plural(int(affected), "server") + " affected")
        if estate_n:
            bits.append(plural(estate_n, "estate-wide finding"))
        sections.append(
            AreaSection(
                key=area,
                title=AREA_TITLES[area],
                anchor=anchor("area", area),
                blurb=AREA_BLURBS.get(area, ""),
                headline=", ".join(bits),
                core=area in CORE_AREAS,
                rules=rules,
                charts=_area_charts(ctx, area, theme),
            )
        )
    return sections, quiet


def _found_text(failed: int, accepted: int, unknown: int, estate: bool) -> str:
    if estate:
        return ""
    parts = []
    if failed:
        order = ", listed below with the worst first" if failed > 1 else ", listed below"
        parts.append(f"Found on {plural(failed, 'server')}{order}")
    if accepted:
        parts.append(
            f"{'accepted' if failed else 'Accepted'} by the customer on "
            f"{plural(accepted, 'server')}"
        )
    if unknown:
        parts.append(f"for {unknown:,} more the data could not tell")
    return "; ".join(parts) + "."


def _capped_rows(f: pd.DataFrame) -> dict[str, list[ServerRow]]:
    """Per rule, the worst TABLE_ROWS failures (lowest score, then name), then up to
    TABLE_ROWS accepted ones: an exception the customer accepted is shown, never pushed out
    of the table by failures. One sort and one head over all findings."""
    if f.empty:
        return {}
    ordered = f.assign(_acc=f["status"].eq("accepted")).sort_values(
        ["code", "_acc", "score", "server"], kind="stable"
    )
    head = ordered.groupby(["code", "_acc"], sort=False).head(TABLE_ROWS)
    out: dict[str, list[ServerRow]] = {}
    for r in head.itertuples():
        out.setdefault(r.code, []).append(
            ServerRow(
                **server_cells(r.server, r.site, r.readiness, r.score),
                message=_capital(str(r.message), str(r.server)),
                status=str(r.status),
                status_label=STATUS_LABELS.get(str(r.status), str(r.status)),
                reason="" if _na(r.reason) else str(r.reason),
            )
        )
    return out


def _area_charts(ctx: _Context, area: str, theme: Theme) -> list[Chart]:
    if area == "large-disks":
        srv = ctx.servers[ctx.live & ctx.servers["used_gib"].notna()]
        if srv.empty:
            return []
        top = srv.nlargest(STORAGE_CHART_ROWS, "used_gib")
        f = ctx.findings
        flagged = set(f.loc[(f["area"] == area) & (f["status"] == "fail"), "server_id"])
        rows = [
            (str(n), float(u), float(p) if not _na(p) else float(u), i in flagged)
            for i, n, u, p in zip(
                top.index, top["name"], top["used_gib"], top["provisioned_gib"], strict=True
            )
        ]
        return [charts.storage_chart(rows, theme.primary)]
    sites = _site_table(ctx)
    if area == "bandwidth" and not sites.empty and "site_transfer_hours" in sites:
        known = sites[sites["site_transfer_hours"].notna()]
        known = known.nlargest(SITE_CHART_ROWS, "site_transfer_hours")
        if known.empty:
            return []
        rows = [
            (
                str(name),
                float(r.site_transfer_hours),
                f"{fmt_hours(r.site_transfer_hours)}: {fmt_gib(r.site_used_gib)} over "
                f"{fmt_int(r.site_uplink_mbps)} Mbit/s",
            )
            for name, r in known.iterrows()
        ]
        limits = []
        seed = ctx.param("BWD003", "max_seed_hours")
        if seed is not None:
            limits.append((f"{fmt_int(seed)} h: seeding limit (BWD003)", float(seed)))
        return [charts.copy_time_chart(rows, limits, theme.primary)]
    if area == "latency" and not sites.empty and "rtt_ms" in sites:
        known = sites[sites["rtt_ms"].notna()].nlargest(SITE_CHART_ROWS, "rtt_ms")
        if known.empty:
            return []
        target = ctx.profile.target.zone
        rows = []
        for name, r in known.iterrows():
            other = not _na(r.nearest_zone) and str(r.nearest_zone) != target
            near = (
                float(r.nearest_zone_rtt_ms) if other and not _na(r.nearest_zone_rtt_ms) else None
            )
            rows.append((str(name), float(r.rtt_ms), near, str(r.nearest_zone) if other else ""))
        limits = []
        for code, param, label in (
            ("BWD002", "smb_max_rtt_ms", "file sharing"),
            ("LAT003", "interactive_max_rtt_ms", "interactive"),
            ("LAT001", "rdp_max_rtt_ms", "remote desktop"),
        ):
            v = ctx.param(code, param)
            if v is not None:
                limits.append((f"{fmt_int(v)} ms: {label}", float(v)))
        return [charts.rtt_chart(rows, limits, theme.primary)]
    return []
