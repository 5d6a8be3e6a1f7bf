"""The Scope and Estate work sheets of advisor's workbooks.

Scope: how many servers were read, assessed, left out per category (with what the category
means) and rejected, then one row per out-of-scope server with its reason, size and place,
filterable like every table. Estate work: the one-off work counted once for the whole
estate, beside the servers' own effort.

Both are written by the same functions for one assessment and for `advisor score` over many
(`batch.py`), which adds a `source` column and sums the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook

from advisor.engine.rules import AREA_TITLES
from advisor.report.scope_text import category_meaning
from advisor.report.xlsx_sheets import (
    BOLD,
    GIB,
    GIB_FINE,
    HOURS,
    SOURCE_COL,
    WARN,
    Col,
    Table,
    colour_equal,
    styled,
    table_sheet,
)

SCOPE_COLS: tuple[Col, ...] = (
    Col("name", "Server", 24),
    Col("category", "Category", 24),
    Col("reason", "Reason", 70),
    Col("power_state", "Power", 9),
    Col("vcpus", "vCPUs", 8),
    Col("memory_gib", "Memory GiB", 11, GIB_FINE),
    Col("provisioned_gib", "Provisioned GiB", 13, GIB),
    Col("used_gib", "Used GiB", 11, GIB),
    Col("os_name", "Operating system", 36),
    Col("datacenter", "Datacenter", 16),
    Col("cluster", "Cluster", 16),
    Col("folder", "Folder", 24),
    Col("segment", "Segment", 18),
    Col("id", "Server id", 38),
)

ESTATE_COLS: tuple[Col, ...] = (
    Col("code", "Code", 9),
    Col("title", "One-off work (rule)", 70),
    Col("area", "Area", 20),
    Col("servers", "Servers concerned", 12),
    Col("effort_hours", "Effort h", 10, HOURS),
)

#: The scope counts of one run or the sum over many (`Assessment.summary()["scope"]`).
ScopeCounts = Mapping[str, Any]


def scope_frame(assessment: Any) -> pd.DataFrame:
    """One row per out-of-scope server, by category (the scope stage's order) then name;
    without `segment_by` the segment column is left out."""
    out = assessment.out_of_scope.reset_index(drop=True)
    if assessment.scope.segment_label is None:
        out = out.drop(columns="segment")
    return out


def estate_frame(assessment: Any) -> pd.DataFrame:
    """The one-off estate work with its area in words."""
    work = assessment.estate_work
    return work.assign(area=work["area"].map(lambda a: AREA_TITLES.get(a, a)))


def sum_scopes(scopes: Iterable[ScopeCounts]) -> dict[str, Any]:
    """The scope counts of several runs added up (`advisor score`)."""
    total: dict[str, Any] = {"servers_read": 0, "in_scope": 0, "out_of_scope": 0, "rejected": 0}
    by_category: Counter[str] = Counter()
    for scope in scopes:
        for key in total:
            total[key] += int(scope[key])
        by_category.update(scope["out_of_scope_by_category"])
    total["out_of_scope_by_category"] = dict(by_category)
    return total


def _preamble(ws: Any, counts: ScopeCounts) -> list[list[Any]]:
    """Counts per category with what each means, between the note and the table."""
    head = [styled(ws, t, font=BOLD) for t in ("Servers", "Count", "What it means")]
    lines: list[list[Any]] = [head]
    lines.append(["in scope", counts["in_scope"], "Assessed: scored on the Servers sheet."])
    for category, n in counts["out_of_scope_by_category"].items():
        lines.append([category, n, f"Out of scope. {category_meaning(category)}"])
    lines.append(
        [
            "rejected",
            counts["rejected"],
            "Rows the import could not read as a server: see Data quality.",
        ]
    )
    lines.append(
        [
            styled(ws, "read", font=BOLD),
            styled(ws, counts["servers_read"], font=BOLD),
            "All server rows of the inventory = in scope + out of scope + rejected.",
        ]
    )
    lines.append([])
    return lines


def write_scope(
    wb: Workbook, frame: pd.DataFrame, counts: ScopeCounts, *, with_source: bool = False
) -> Table:
    """The Scope sheet: counts per category, then every out-of-scope server."""
    cols = [c for c in SCOPE_COLS if c.key != "segment" or c.key in frame.columns]
    cols = [SOURCE_COL, *cols] if with_source else cols
    read, out = int(counts["servers_read"]), int(counts["out_of_scope"])
    note = (
        f"{out:,} of the {read:,} servers read are out of scope: listed with the reason, never "
        "scored or costed. Counts per category first, then one row per server (filter by "
        "Category)."
    )
    t = table_sheet(
        wb,
        "Scope",
        note,
        cols,
        frame,
        freeze_cols=1 + with_source,
        preamble=lambda ws: _preamble(ws, counts),
    )
    colour_equal(t.ws, t.range("category"), {"excluded by the profile": WARN})
    return t


def write_estate_work(
    wb: Workbook, frame: pd.DataFrame, servers_hours: float, *, with_source: bool = False
) -> Table:
    """The Estate work sheet: one-off work counted once, beside the servers' effort."""
    cols = (SOURCE_COL, *ESTATE_COLS) if with_source else ESTATE_COLS
    estate = float(frame["effort_hours"].sum()) if len(frame) else 0.0
    note = (
        f"One-off work for the estate as a whole, counted once however many servers it "
        f"concerns: {len(frame):,} items, {estate:,.0f} h, on top of {servers_hours:,.0f} h "
        "for the servers in scope (Servers sheet). Servers concerned is empty for estate-wide "
        "rules."
    )
    return table_sheet(wb, "Estate work", note, cols, frame, freeze_cols=1 + with_source)


__all__ = [
    "ESTATE_COLS",
    "SCOPE_COLS",
    "estate_frame",
    "scope_frame",
    "sum_scopes",
    "write_estate_work",
    "write_scope",
]
