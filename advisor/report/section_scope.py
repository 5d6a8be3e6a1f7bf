"""The Scope and effort section: what the assessment covers and what it leaves out, and why;
the effort as servers plus one-off estate work; the segments, when the profile names them.

The out-of-scope servers are listed per category, the PDF at most `SCOPE_ROWS` each ("and N more,
listed in the workbook"), and segments at most `SEGMENT_ROWS`, so the section grows with
the number of categories and rules, not with the estate.
"""

from __future__ import annotations

import pandas as pd

from advisor.engine.rules import AREA_TITLES
from advisor.report.formatting import _na, anchor, display_text, fmt_gib, fmt_hours, plural
from advisor.report.model_context import _Context
from advisor.report.model_types import (
    SCOPE_ROWS,
    SEGMENT_ROWS,
    EstateLine,
    ScopeGroup,
    ScopeSection,
    ScopeServer,
    SegmentRow,
    Stat,
)
from advisor.report.scope_frames import segment_frame
from advisor.report.scope_text import category_meaning, category_title


def _scope(ctx: _Context) -> ScopeSection:
    a = ctx.a
    sc = ctx.summary["scope"]
    counts = [
        Stat("Servers in the inventory", f"{sc['servers_read']:,}"),
        Stat("In scope and assessed", f"{sc['in_scope']:,}"),
        Stat("Not part of the move", f"{sc['out_of_scope']:,}"),
    ]
    if sc["rejected"]:
        counts.append(Stat("Rows that could not be read", f"{sc['rejected']:,}"))
    groups = _groups(a.out_of_scope, a.scope.segment_label is not None)
    if groups:
        intro = (
            "Not every machine in a VMware inventory is a server to move. Templates, the "
            "platform's own appliances and agents, placeholders and what the engagement "
            "excludes are listed here with the reason, and are neither scored nor counted in "
            "the effort."
        )
    else:
        intro = "Every server the inventory lists is in scope: nothing was left out."
    lines, total, effort_intro = _estate_work(ctx)
    label = a.scope.segment_label
    segments, more = _segments(ctx) if label else ([], "")
    return ScopeSection(
        intro=intro,
        counts=counts,
        groups=groups,
        effort_intro=effort_intro,
        estate_work=lines,
        estate_total=total,
        segment_label=label,
        segments=segments,
        segments_more=more,
    )


def _groups(out: pd.DataFrame, with_segment: bool) -> list[ScopeGroup]:
    """One group per category in the scope stage's order, the first `SCOPE_ROWS` by name."""
    groups = []
    for category, part in out.groupby("category", sort=False):
        reasons = part["reason"].astype("string").fillna("").unique()
        common = str(reasons[0]) if len(reasons) == 1 else ""
        rows = [
            ScopeServer(
                name=display_text(r.name),
                power=_text(r.power_state),
                size=_size(r.vcpus, r.memory_gib),
                disk=_disk(r.provisioned_gib),
                location=display_text(
                    " / ".join(
                        str(v) for v in (r.datacenter, r.cluster, r.folder) if not _na(v) and str(v)
                    )
                ),
                segment=_text(r.segment) if with_segment else "",
                reason="" if common else _text(r.reason),
                in_pdf=i < SCOPE_ROWS,
            )
            for i, r in enumerate(part.itertuples())
        ]
        more = max(len(part) - SCOPE_ROWS, 0)
        groups.append(
            ScopeGroup(
                key=str(category),
                title=category_title(str(category)),
                count=f"{len(part):,}",
                meaning=category_meaning(str(category)),
                common_reason=_sentence(common),
                rows=rows,
                more_text=f"and {more:,} more, listed in the workbook (Scope sheet)"
                if more
                else "",
            )
        )
    return groups


def _estate_work(ctx: _Context) -> tuple[list[EstateLine], str, str]:
    """The one-off estate work lines, their total, and the effort in a sentence."""
    s = ctx.summary
    work = ctx.a.estate_work
    lines = [
        EstateLine(
            code=str(r.code),
            anchor=anchor("rule", str(r.code)),
            title=str(r.title),
            area=AREA_TITLES.get(str(r.area), str(r.area)),
            servers="estate-wide" if _na(r.servers) else f"{int(r.servers):,}",
            effort=_hours(r.effort_hours),
        )
        for r in work.itertuples()
    ]
    servers_h, estate_h = float(s["effort_hours_servers"]), float(s["effort_hours_estate"])
    total = float(s["effort_hours"])
    base = f"{ctx.profile.scoring.base_effort_hours:g} h"
    text = (
        f"The estimated effort is {_hours(total)} (about {total / 8:,.0f} person-days): "
        f"{_hours(servers_h)} for the {plural(int(s['servers']), 'server')} in scope ({base} "
        "each plus the effort of their findings; a server to retire carries only its "
        "decommissioning)"
    )
    if lines:
        text += (
            f" and {_hours(estate_h)} of one-off work for the estate as a whole, counted once "
            "however many servers it concerns:"
        )
    else:
        text += "; no one-off work for the estate as a whole was found."
    return lines, _hours(estate_h), text


def _segments(ctx: _Context) -> tuple[list[SegmentRow], str]:
    """The largest `SEGMENT_ROWS` segments, then a total over all of them."""
    frame = segment_frame(ctx.a)
    if frame is None:
        return [], ""
    shown = frame.head(SEGMENT_ROWS)
    total = pd.DataFrame([{"segment": "All segments", **frame.drop(columns="segment").sum()}])
    rows = [
        SegmentRow(
            name=str(r.segment),
            servers=f"{int(r.in_scope):,}",
            ready=f"{int(r.ready):,}",
            conditional=f"{int(r.conditional):,}",
            not_ready=f"{int(r.not_ready):,}",
            unknown=f"{int(r.unknown):,}",
            effort=_hours(r.effort_hours),
            out_of_scope=f"{int(r.out_of_scope):,}",
        )
        for r in pd.concat([shown, total], ignore_index=True).itertuples()
    ]
    more = len(frame) - len(shown)
    text = f"and {more:,} smaller segments, listed in the workbook (Summary sheet)" if more else ""
    return rows, text


def _hours(h: float) -> str:
    """Whole hours ('128 h'), as the summary counts them; 'under 1 h' above nothing."""
    return fmt_hours(h) if 0 < h < 1 else f"{h:,.0f} h"


def _disk(provisioned: object) -> str:
    """Provisioned storage; a VM with none (a vSphere cluster agent) has 'no disk', not '0 GiB'."""
    if _na(provisioned):
        return ""
    return "no disk" if float(provisioned) == 0 else fmt_gib(provisioned)  # type: ignore[arg-type]


def _size(vcpus: object, memory: object) -> str:
    parts = []
    if not _na(vcpus):
        parts.append(f"{int(float(vcpus)):,} vCPU")  # type: ignore[arg-type]
    if not _na(memory):
        parts.append(f"{fmt_gib(memory)} RAM")  # 0.1 GiB, never 0 GiB
    return ", ".join(parts)


def _text(value: object) -> str:
    return "" if _na(value) else str(value)


def _sentence(text: str) -> str:
    """A reason as a sentence: capitalised, with a full stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
