"""The Summary sheet of `assessment.xlsx`: headline numbers, small tables and native charts.

Written top to bottom in write-only mode: the engagement, the estate in numbers, the plan
and its costs (when the run made a plan), then readiness, dispositions, failed findings by
severity and by area, confidence and the estate-wide findings, each a small table; bar
charts of readiness, dispositions and areas sit to the right and read their numbers from
those tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import DataPoint

from advisor import __version__
from advisor.engine.rules import SEVERITIES
from advisor.report.scope_frames import SEGMENT_COLUMNS, gap_counts, segment_frame
from advisor.report.xlsx_sheets import (
    DATE,
    DATETIME,
    GIB,
    HOURS,
    MONEY,
    NOTE_FONT,
    SCORE,
    SHARE,
    TITLE_FONT,
    SheetRows,
    file_name,
    header_cells,
    key_value_rows,
    safe,
    styled,
)

READINESS_ROWS = (
    ("ready", "ready", "63BE7B"),
    ("conditional", "conditional", "FFC000"),
    ("not_ready", "not ready", "E0504A"),
    ("unknown", "unknown", "A6A6A6"),
)
DISPOSITION_ROWS = ("rehost", "replatform", "refactor", "retain", "retire")
SEGMENT_HEADERS = (
    "Segment",
    "In scope",
    "Ready",
    "Conditional",
    "Not ready",
    "Unknown",
    "Effort h",
    "Out of scope",
)


class _Sheet(SheetRows):
    """The Summary sheet's rows: label and value pairs besides sections."""

    def pairs(self, rows: list[tuple[str, Any, str | None]]) -> None:
        key_value_rows(self.ws, rows)
        self.row += len(rows)

    def table(self, headers: list[str], rows: list[list[Any]], formats: list[str | None]) -> int:
        """A small table; returns the header's row number."""
        top = self.append(header_cells(self.ws, headers))
        for values in rows:
            cells = []
            for value, fmt in zip(values, formats, strict=True):
                cells.append(styled(self.ws, value, fmt=fmt) if fmt else safe(self.ws, value))
            self.append(cells)
        return top


def _excel_time(ts: Any) -> Any:
    if ts is None or pd.isna(ts):
        return None
    ts = pd.Timestamp(ts)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def _bar(
    ws: Any, title: str, top: int, count: int, colours: list[str] | None, horizontal: bool = False
) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    chart.legend = None
    data = Reference(ws, min_col=2, min_row=top, max_row=top + count)
    cats = Reference(ws, min_col=1, min_row=top + 1, max_row=top + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    series = chart.series[0]
    if colours:
        for i, colour in enumerate(colours):
            point = DataPoint(idx=i)
            point.graphicalProperties.solidFill = colour
            point.graphicalProperties.line.solidFill = colour
            series.dPt.append(point)
    else:
        series.graphicalProperties.solidFill = "0B3954"
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.width = 13
    chart.height = 7.5 if count <= 6 else max(7.5, 0.6 * count + 2)
    return chart


@dataclass
class SummaryRows:
    """Where the Summary's numbers landed (row numbers, value in column B), for the
    formulas that keep them in step with the Servers and Findings sheets (`xlsx_live`)."""

    #: Label (column A) -> row: the estate's numbers.
    pairs: dict[str, int] = field(default_factory=dict)
    #: Table name -> (first data row, number of rows): readiness, dispositions, severity, areas.
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)
    servers: int = 0


def write_summary(wb: Any, assessment: Any, servers: pd.DataFrame) -> SummaryRows:
    """The Summary sheet; returns where its numbers are (see SummaryRows)."""
    ws = wb.create_sheet("Summary")
    where = SummaryRows()
    ws.sheet_view.showGridLines = False
    for letter, width in zip("ABCDEFGH", (40, 16, 12, 12, 12, 12, 12, 12), strict=True):
        ws.column_dimensions[letter].width = width
    sh = _Sheet(ws)
    summary = assessment.summary()
    src = assessment.inventory.source
    profile = assessment.profile
    total = summary["servers"]
    findings = assessment.evaluation.findings
    status = findings["status"]

    customer = profile.customer.name or "Customer"
    plan = getattr(assessment, "plan", None)
    plan_sheets = (
        " Plan the waves and timeline, Groups the move groups (edit and pass back with "
        "--groups), Costs the sizing and monthly cost per server and provider,"
        if plan is not None
        else ""
    )
    sh.append([styled(ws, f"Migration assessment: {customer}", font=TITLE_FONT)])
    sh.append(
        [
            styled(
                ws,
                f"Scored workbook written by advisor {__version__}. Scope lists the servers "
                "left out and why, Servers has one row per server in scope, Findings one row "
                "per failed or accepted finding, Settings the weights of the scores (which "
                "recompute when a weight changes or a finding is marked accepted, and so do "
                "the counts below), Areas the worst outcome per server and area, Questions "
                "what to ask the customer, Estate work the one-off work for the whole "
                f"estate,{plan_sheets} Rules the catalogue as used, Data quality what the "
                "import could not read, Profile the settings.",
                font=NOTE_FONT,
            )
        ]
    )
    sh.blank()
    sh.section("Engagement")
    consultant = ", ".join(x for x in (profile.consultant.name, profile.consultant.company) if x)
    version = f" {src.format_version}" if src.format_version else ""
    source = getattr(profile, "source", None)
    sh.pairs(
        [
            ("Customer", customer, None),
            ("Consultant", consultant or "(not set)", None),
            ("Target", f"{profile.target.provider} {profile.target.zone}", None),
            ("Inventory", file_name(src.path), None),
            ("Format", f"{src.format}{version}", None),
            ("SHA-256", src.sha256 or "(folder: no single file hash)", None),
            ("Inventory as of (UTC)", _excel_time(assessment.as_of), DATETIME),
            ("Profile", file_name(source) if source else "(none: advisor's defaults)", None),
        ]
    )
    sh.blank()
    chart_top = sh.row + 1
    scope = summary["scope"]
    sh.section("Scope (see the Scope sheet)")
    sh.pairs(
        [
            ("Server rows read", scope["servers_read"], None),
            ("In scope (assessed)", scope["in_scope"], None),
            ("Out of scope", scope["out_of_scope"], None),
            *[
                (f"  {category}", n, None)
                for category, n in scope["out_of_scope_by_category"].items()
            ],
            ("Rejected by the import (see Data quality)", scope["rejected"], None),
        ]
    )
    sh.blank()
    sh.section("Estate in scope")
    estate_top = sh.row + 1
    estate_rows: list[tuple[str, Any, str | None]] = [
        ("Servers assessed", total, None),
        ("Provisioned GiB", summary["provisioned_gib"], GIB),
        ("Used GiB", summary["used_gib"], GIB),
        ("Mean score", summary["mean_score"], SCORE),
        ("Effort h (total)", summary["effort_hours"], HOURS),
        ("  servers in scope (Servers sheet)", summary["effort_hours_servers"], HOURS),
        ("  one-off estate work (Estate work sheet)", summary["effort_hours_estate"], HOURS),
        ("Failed findings", int((status == "fail").sum()), None),
        ("Accepted findings", int((status == "accepted").sum()), None),
        ("Undecided (unknown) outcomes", int((status == "unknown").sum()), None),
    ]
    sh.pairs(estate_rows)
    where.pairs = {label: estate_top + i for i, (label, _, _) in enumerate(estate_rows)}
    where.servers = total
    sh.blank()
    if plan is not None:
        _plan(sh, plan)

    def share(n: int) -> float | None:
        return n / total if total else None

    readiness = summary["readiness"]
    ready_top = sh.table(
        ["Readiness", "Servers", "Share"],
        [[label, readiness[key], share(readiness[key])] for key, label, _ in READINESS_ROWS],
        [None, None, SHARE],
    )
    sh.blank()
    dispositions = summary["dispositions"]
    disp_top = sh.table(
        ["Disposition", "Servers", "Share"],
        [[d, dispositions[d], share(dispositions[d])] for d in DISPOSITION_ROWS],
        [None, None, SHARE],
    )
    sh.blank()
    severity_top = sh.table(
        ["Failed findings by severity", "Findings"],
        [[sev, summary["findings"][sev]] for sev in reversed(SEVERITIES)],
        [None, None],
    )
    sh.blank()
    by_area = sorted(summary["findings_by_area"].items(), key=lambda kv: (-kv[1], kv[0]))
    area_top = sh.table(
        ["Failed findings by area", "Findings"], [list(kv) for kv in by_area], [None, None]
    )
    sh.blank()
    sh.table(
        ["Confidence (5 = all topics answered)", "Servers"],
        [[i, summary["confidence"][str(i)]] for i in range(5, 0, -1)],
        [None, None],
    )
    sh.blank()
    gaps = gap_counts(assessment.servers)
    if len(gaps):
        sh.table(
            ["Confidence lowered by", "Servers"],
            [[topic, int(n)] for topic, n in gaps.items()],
            [None, None],
        )
        sh.blank()
    _segments(sh, assessment)
    _estate(sh, assessment)
    where.tables = {
        "readiness": (ready_top + 1, len(READINESS_ROWS)),
        "dispositions": (disp_top + 1, len(DISPOSITION_ROWS)),
        "severity": (severity_top + 1, len(SEVERITIES)),
        "areas": (area_top + 1, len(by_area)),
    }

    # Readiness and dispositions side by side to the right of the numbers, areas below:
    # all of them end well above the estate-wide findings, whose long text runs right.
    ws.add_chart(
        _bar(ws, "Readiness (servers)", ready_top, 4, [c for _, _, c in READINESS_ROWS]),
        f"F{chart_top}",
    )
    ws.add_chart(
        _bar(ws, "Disposition (servers)", disp_top, len(DISPOSITION_ROWS), None), f"N{chart_top}"
    )
    if by_area:
        chart = _bar(ws, "Failed findings by area", area_top, len(by_area), None, True)
        chart.width = 26
        ws.add_chart(chart, f"F{chart_top + 17}")
    return where


def _plan(sh: _Sheet, plan: Any) -> None:
    """The plan in numbers: per provider the monthly cost (right-sized; unknown while a
    server lacks a price, with the floor the priced parts give), then the programme."""
    sh.section("Plan and costs (see the Plan, Groups and Costs sheets)")
    rows: list[tuple[str, Any, str | None]] = []
    for provider, cost in plan.providers.items():
        t = cost.totals
        unpriced = int(t.get("rightsized_unpriced_servers") or 0)
        servers = int(t.get("servers") or 0)
        total = t.get("rightsized_total_monthly")
        role = "target" if provider == plan.primary else "compared"
        label = f"{cost.display_name} ({role}), {cost.currency}/month right-sized"
        if unpriced == 0 and total is not None and not pd.isna(total):
            rows.append((label, float(total), MONEY))
        else:
            rows.append((label, f"unknown: {unpriced:,} of {servers:,} servers not priced", None))
            priced = t.get("rightsized_priced_monthly")
            if priced is not None and not pd.isna(priced):
                rows.append(("  priced parts (a floor of the cost)", float(priced), MONEY))
        confidence, as_of = t.get("price_confidence"), t.get("price_as_of")
        rows.append(("  prices: weakest confidence, oldest date", f"{confidence}, {as_of}", None))
    timeline = plan.timeline
    groups = int(plan.groups["group_id"].nunique()) if len(plan.groups) else 0
    rows += [
        ("Move groups", groups, None),
        ("Waves", timeline.waves, None),
        ("First wave starts", timeline.start, DATE),
        ("Last wave ends", timeline.end, DATE),
        ("Engineer hours (waves, decommissioning, estate work)", timeline.engineer_hours, HOURS),
    ]
    sh.pairs(rows)
    sh.blank()


def _segments(sh: _Sheet, assessment: Any) -> None:
    """Per segment (when the profile sets `segment_by`): servers in scope by readiness, the
    servers' effort and the servers out of scope, every segment, largest first."""
    frame = segment_frame(assessment)
    if frame is None:
        return
    sh.section(f"Segments by {assessment.scope.segment_label}")
    sh.table(
        list(SEGMENT_HEADERS),
        frame[SEGMENT_COLUMNS].to_numpy(dtype=object).tolist(),
        [None, None, None, None, None, None, HOURS, None],
    )
    sh.blank()
    sh.append(
        [
            styled(
                sh.ws,
                "Effort per segment is the servers' own; one-off estate work belongs to the "
                "whole estate.",
                font=NOTE_FONT,
            )
        ]
    )
    sh.blank()


def _estate(sh: _Sheet, assessment: Any) -> None:
    sh.section("Estate-wide findings")
    p = assessment.evaluation.portfolio
    p = p[p["status"] != "pass"]
    if p.empty:
        sh.append([safe(sh.ws, "None failed; nothing undecided.")])
        return
    order = p.assign(
        _s=p["status"].map({"fail": 0, "unknown": 1}).fillna(2),
        _r=-p["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(0),
    ).sort_values(["_s", "_r", "code"])
    sh.table(
        ["Code", "Severity", "Status", "Finding"],
        [[r.code, r.severity, r.status, r.message] for r in order.itertuples()],
        [None, None, None, None],
    )
    sh.blank()
    sh.append(
        [
            styled(
                sh.ws,
                "Estate-wide findings look at the whole estate and do not change server scores.",
                font=NOTE_FONT,
            )
        ]
    )


__all__ = ["SummaryRows", "write_summary"]
