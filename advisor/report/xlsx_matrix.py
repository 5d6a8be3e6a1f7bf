"""The Areas sheet: one row per server, one column per area, the worst outcome in each.

For a workshop: filter the Backups column on "failed" and the room sees every server whose
backup needs work; filter two columns and it sees the servers with both problems. A cell
holds the worst outcome of the area's enabled rules on that server: failed, then unknown
(the data could not decide), then accepted (failed or undecided, accepted by the
customer), then pass; it is empty where no enabled rule of the area looks at servers.
Outcomes are as assessed: marking a finding accepted on the Findings sheet does not
change this sheet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES
from advisor.report.xlsx_sheets import BAD, BLUE, GOOD, GREY, Col, Table, colour_equal, table_sheet

#: Outcomes from best to worst; a cell shows the worst of its area's rules.
OUTCOMES = ("pass", "accepted", "unknown", "failed")
_RANK = {"pass": 0, "accepted": 1, "unknown": 2, "fail": 3}
OUTCOME_COLOURS = {"failed": BAD, "unknown": GREY, "accepted": BLUE, "pass": GOOD}


def area_matrix(assessment: Any, order: pd.Index) -> pd.DataFrame:
    """Worst outcome per server (rows in `order`, server ids) and area (columns by area
    key, in AREA_TITLES order; only areas with an enabled server rule)."""
    status = assessment.evaluation.status.reindex(order)
    area_of = {r.code: r.spec.area for r in assessment.rules}
    out = pd.DataFrame(index=order)
    if status.empty:
        return out
    values = status.to_numpy(dtype=object)
    ranks = np.zeros(values.shape, dtype=np.int8)
    for outcome, rank in _RANK.items():
        ranks[values == outcome] = rank
    areas = np.array([area_of.get(code) for code in status.columns], dtype=object)
    labels = np.array(OUTCOMES, dtype=object)
    for area in AREA_TITLES:
        cols = np.flatnonzero(areas == area)
        if len(cols):
            out[area] = labels[ranks[:, cols].max(axis=1)]
    return out


def write_matrix(wb: Any, assessment: Any, servers: pd.DataFrame) -> Table:
    """The Areas sheet for the servers of the Servers sheet (`servers`, in its order)."""
    matrix = area_matrix(assessment, pd.Index(servers["id"]))
    areas = list(matrix.columns)
    failed = (matrix == "failed").sum(axis=1).astype(int) if areas else 0
    frame = pd.DataFrame(
        {
            "name": servers["name"].to_numpy(),
            "site": servers["site"].to_numpy() if "site" in servers else None,
            "readiness": servers["readiness"].to_numpy(),
            "failed_areas": np.asarray(failed),
        }
    )
    for area in areas:
        frame[area] = matrix[area].to_numpy()
    cols = (
        Col("name", "Server", 24),
        Col("site", "Site", 16),
        Col("readiness", "Readiness", 12),
        Col("failed_areas", "Areas failed", 9),
        *(Col(area, AREA_TITLES[area], max(10, len(AREA_TITLES[area]) + 2)) for area in areas),
    )
    note = (
        f"{len(frame):,} servers by {len(areas)} areas: each cell is the worst outcome of "
        "the area's rules on that server (failed, then unknown, then accepted, then pass). "
        "Filter a column on failed to see the servers with that problem; Findings says "
        "which rule and why. As assessed: the Accepted column of Findings does not change "
        "this sheet."
    )
    t = table_sheet(wb, "Areas", note, cols, frame, freeze_cols=1)
    if areas and t.last_row >= t.first_row:
        first, last = t.column(areas[0]), t.column(areas[-1])
        colour_equal(t.ws, f"{first}{t.first_row}:{last}{t.last_row}", OUTCOME_COLOURS)
    return t


__all__ = ["OUTCOMES", "area_matrix", "write_matrix"]
