"""Scope, segment and confidence tables that the report and the workbook both show.

Each is one group-by over the assessment's tables (never a loop over servers), computed
here once so the PDF, the Summary sheet and the command line count the same way.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.engine.scoring import READINESS

#: The segment of servers that have no value in the segmenting column.
NO_SEGMENT = "(not set)"

SEGMENT_COLUMNS = ["segment", "in_scope", *READINESS, "effort_hours", "out_of_scope"]


def segment_frame(assessment: Any) -> pd.DataFrame | None:
    """Per segment: servers in scope, per readiness, the servers' effort and the servers
    out of scope; the largest segments first. None when the profile sets no `segment_by`.

    Effort is the servers' own: one-off estate work belongs to the whole estate.
    """
    if assessment.scope.segment_label is None:
        return None
    s = assessment.servers
    seg = s["segment"].astype("string").fillna(NO_SEGMENT).rename("segment")
    ready = s.groupby([seg, s["readiness"]]).size().unstack(fill_value=0)
    frame = ready.reindex(columns=list(READINESS), fill_value=0)
    frame["in_scope"] = frame.sum(axis=1)
    frame["effort_hours"] = s["effort_hours"].astype(float).groupby(seg).sum()
    out = assessment.out_of_scope["segment"].astype("string").fillna(NO_SEGMENT)
    frame = frame.join(out.value_counts().rename("out_of_scope"), how="outer")
    frame = frame.fillna(0).rename_axis("segment").reset_index()
    for col in ("in_scope", *READINESS, "out_of_scope"):
        frame[col] = frame[col].astype(int)
    frame["effort_hours"] = frame["effort_hours"].astype(float).round(1)
    order = frame.assign(_key=frame["segment"].str.lower())
    order = order.sort_values(["in_scope", "out_of_scope", "_key"], ascending=[False, False, True])
    return order[SEGMENT_COLUMNS].reset_index(drop=True)


def gap_counts(servers: pd.DataFrame) -> pd.Series:
    """Servers per topic that lowered their confidence ('Backup': 40), most common first,
    each topic as the reports show it: with a capital ('OS version' and 'Backup', not
    'backup' beside 'OS version')."""
    if "confidence_gaps" not in servers or servers.empty:
        return pd.Series(dtype="int64")
    gaps = servers["confidence_gaps"].astype("string").fillna("")
    # Split once per distinct list (a few dozen), not once per server.
    nonempty = gaps[gaps != ""]
    if nonempty.empty:
        return nonempty.str.split(", ").explode().value_counts().astype(int)
    lists = nonempty.value_counts()
    tally: dict[str, int] = {}
    for text, n in zip(lists.index, lists.to_numpy(), strict=True):
        for topic in text.split(", "):
            shown = topic[:1].upper() + topic[1:]
            tally[shown] = tally.get(shown, 0) + int(n)
    counts = pd.Series(
        list(tally.values()),
        index=pd.Index(list(tally), dtype="str", name="confidence_gaps"),
        dtype="int64",
        name="count",
    )
    return counts.sort_index().sort_values(ascending=False, kind="stable").astype(int)


__all__ = ["NO_SEGMENT", "SEGMENT_COLUMNS", "gap_counts", "segment_frame"]
