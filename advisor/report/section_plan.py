"""The Migration plan section: the waves and their calendar, what each site's uplink carries,
the move groups, the links left across waves, the timeline and its sensitivity.

Everything comes from the plan stage (`advisor.plan.stage.Plan`); this module only words
and caps it. The plan grows with the estate (20,000 servers make hundreds of waves), so
every table is capped (`WAVE_ROWS`, `GROUP_ROWS`, `CROSSING_ROWS`, `SITE_WAVES`) with
"and N more, listed in the workbook", and every per-server step is a group-by.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from advisor.report import charts
from advisor.report.formatting import (
    _na,
    display_text,
    fmt_date,
    fmt_gib,
    fmt_hours,
    fmt_money,
    fmt_span,
    plural,
    plural_words,
    sentence,
)
from advisor.report.model_context import _Context
from advisor.report.model_types import (
    CROSSING_ROWS,
    GROUP_ROWS,
    SITE_WAVES,
    WAVE_ROWS,
    CrossingRow,
    GroupRow,
    PlanSection,
    ScenarioRow,
    SiteSeeding,
    Stat,
    Theme,
    WaveRow,
)

#: The wave kinds of `WavePlan.waves`, in words, and the CSS class of each.
KIND_LABELS = {
    "pilot": "Pilot",
    "wave": "Standard",
    "oversized": "Oversized",
    "after blockers": "After blockers",
}
#: How the wave plan names servers without a site (`advisor.plan.waves.NO_SITE`).
NO_SITE = "(no site)"
#: The wave plan's note on the links that cross waves (`waves._crossing_notes`).
_CROSSING_NOTE = re.compile(r"^Dependency links that cross waves")


def _plan_section(ctx: _Context, theme: Theme) -> PlanSection | None:
    """The section, or None when the assessment carries no plan (the engine run alone)."""
    plan = getattr(ctx.a, "plan", None)
    if plan is None:
        return None
    wp = plan.waves
    waves = wp.waves
    shown = waves.head(WAVE_ROWS)
    more = len(waves) - len(shown)
    shown_waves = {int(w) for w in shown["wave"]}
    # The notes of the waves shown are under their rows, and the note on crossing links
    # is the intro of their table: the list keeps the rest.
    notes = [
        sentence(plural_words(n))
        for n in wp.notes
        if not any(n.startswith(f"Wave {w}:") for w in shown_waves)
        and not (len(wp.crossing) and _CROSSING_NOTE.search(n))
    ]
    groups, groups_more, groups_intro = _groups(plan)
    crossing, crossing_more, crossing_intro = _crossing(wp.crossing)
    sites, seeding_intro = _seeding(wp.site_seeding, wp.migration)
    stats, text = _timeline(plan)
    return PlanSection(
        intro=_intro(plan),
        waves=[_wave_row(r) for r in shown.itertuples()],
        waves_more=f"and {plural(more, 'more wave')}, listed in the workbook (Plan sheet)"
        if more
        else "",
        gantt=_gantt(shown, plan, theme) if len(shown) else None,
        seeding_intro=seeding_intro,
        sites=sites,
        groups_intro=groups_intro,
        groups=groups,
        groups_more=groups_more,
        crossing_intro=crossing_intro,
        crossing=crossing,
        crossing_more=crossing_more,
        crossing_ports=bool(wp.crossing["port"].notna().any()) if len(wp.crossing) else False,
        notes=notes,
        timeline=stats,
        timeline_text=text,
        sensitivity=_sensitivity(plan),
    )


def _intro(plan: Any) -> str:
    wp, t = plan.waves, plan.timeline
    m = wp.migration
    if not len(wp.waves):
        return (
            "No server moves in this plan: every server in scope is to retire or to stay on "
            "premises, so there are no waves to schedule."
        )
    team = f"{float(m.team_hours_per_week):,.0f} engineer hours a week"
    kinds = set(wp.waves["kind"].astype(str))
    order = []
    if "pilot" in kinds:
        order.append("The pilot wave comes first, with a few ready, non-production servers.")
    if "after blockers" in kinds:
        order.append("Groups with a blocker come last, once it is resolved.")
    text = (
        f"The {plural(t.servers, 'server')} that move are cut over in "
        f"{plural(t.waves, 'wave')} of {plural(int(m.weeks_per_wave), 'week')}, from "
        f"{fmt_date(t.start)} until {fmt_date(t.end)}. In each wave the data is first copied "
        "ahead (seeded) over the site uplinks while the servers keep running; then the wave "
        f"cuts over within the {float(m.window_hours):g} h window, copying what changed "
        "since and switching each move group in one go. A wave holds no more groups than "
        f"the uplinks can seed, the window can hold and the team ({team}) can do; a group "
        "is never split."
    )
    return " ".join([text, *order])


def _wave_row(r: Any) -> WaveRow:
    kind = str(r.kind)
    fits = bool(r.fits)
    return WaveRow(
        wave=f"{int(r.wave):,}",
        kind=kind.replace(" ", "-"),
        kind_label=KIND_LABELS.get(kind, kind.capitalize()),
        dates=fmt_span(r.start, r.end),
        groups=f"{int(r.groups):,}",
        servers=f"{int(r.servers):,}",
        data=fmt_gib(r.data_gib),
        seeding=fmt_hours(r.seeding_hours),
        cutover=fmt_hours(r.cutover_hours),
        effort=fmt_hours(r.effort_hours),
        fits="Yes" if fits else "No",
        note="" if fits or _na(r.note) else sentence(plural_words(str(r.note))),
    )


def _wave_label(wave: object, kind: object = None) -> str:
    """'Wave 3', 'Wave 1 (pilot)'; for a server outside the plan, 'not moved'."""
    if _na(wave):
        return "not moved"
    suffix = {"pilot": " (pilot)", "after blockers": " (after blockers)"}.get(str(kind), "")
    return f"Wave {int(wave):,}{suffix}"  # type: ignore[call-overload]


def _gantt(shown: pd.DataFrame, plan: Any, theme: Theme) -> charts.Chart:
    """The timeline chart of the waves shown, in days from the plan's start."""
    start: date = plan.timeline.start
    run = round(float(plan.waves.migration.parallel_run_weeks) * 7)
    first = [(d - start).days for d in shown["start"]]
    last = [(d - start).days for d in shown["end"]]
    rows = [
        (
            _wave_label(w, k),
            f,
            e,
            e + run,
            str(k),
            f"{plural(int(n), 'server')}" + (", oversized" if k == "oversized" else ""),
        )
        for w, k, f, e, n in zip(
            shown["wave"], shown["kind"], first, last, shown["servers"], strict=True
        )
    ]
    total = max(r[3] for r in rows) + 1
    return charts.gantt_chart(rows, total, start, theme.primary)


def _seeding(site_seeding: pd.DataFrame, migration: Any) -> tuple[list[SiteSeeding], str]:
    """Per site: its uplink, its waves' data and seeding hours, the busiest wave and the
    uplink that wave needs (seeding hours scale inversely with the uplink, so the uplink
    that just fits is today's times the busiest wave's share of its seeding time)."""
    eff = float(migration.link_efficiency)
    intro = (
        "Each site seeds the data of its servers in their waves over its own uplink, at "
        f"{eff:.0%} of the nominal rate. The uplink needed is the one that would just seed "
        "the site's busiest wave in the time a wave allows: below today's uplink, there is "
        "room for the site's daily traffic; above it, the plan needs a faster or a temporary "
        "link, or smaller waves."
    )
    ss = site_seeding
    if ss.empty:
        return [], intro
    frame = ss.assign(
        share=ss["seeding_hours"].astype("Float64") / ss["capacity_hours"],
        fails=ss["fits"].astype("boolean").eq(False).fillna(False).astype(int),
    )
    g = frame.groupby("site", sort=True)
    per_site = g.agg(
        uplink=("uplink_mbps", "first"),
        waves=("wave", "size"),
        data=("data_gib", "sum"),
        share=("share", "max"),
        fails=("fails", "sum"),
    )
    busiest = frame.sort_values(["share", "wave"], ascending=[False, True], na_position="last")
    top = busiest.groupby("site", sort=True).head(1).set_index("site")
    # The first waves of each site in words (only those: a large estate has thousands of
    # site and wave pairs).
    listed = frame.groupby("site", sort=True).head(SITE_WAVES)
    text = "wave " + listed["wave"].astype(str) + ": " + listed["seeding_hours"].map(fmt_hours)
    per_wave = text.groupby(listed["site"], sort=True).agg("; ".join)
    rows = []
    for site, r in per_site.iterrows():
        b = top.loc[site]
        name = "Servers without a site" if site == NO_SITE else display_text(site)
        extra = int(r.waves) - min(int(r.waves), SITE_WAVES)
        waves_text = str(per_wave.get(site, "")) + (f"; and {extra:,} more" if extra else "")
        if _na(r.uplink):
            rows.append(
                SiteSeeding(
                    site=name,
                    uplink="unknown",
                    waves=f"{int(r.waves):,}",
                    data=fmt_gib(r.data),
                    busiest="unknown",
                    needed="unknown",
                    per_wave="seeding hours unknown without an uplink",
                    fits="Unknown: no uplink given",
                    fits_key="unknown",
                )
            )
            continue
        uplink = float(r.uplink)
        need = uplink * float(r.share)
        rows.append(
            SiteSeeding(
                site=name,
                uplink=f"{uplink:,.0f} Mbps",
                waves=f"{int(r.waves):,}",
                data=fmt_gib(r.data),
                busiest=(
                    f"wave {int(b.wave):,}: {fmt_hours(b.seeding_hours)} of "
                    f"{float(b.capacity_hours):,.0f} h"
                ),
                needed=f"{_mbps(need)} ({float(r.share):.0%} of the uplink)",
                per_wave=waves_text,
                fits="Yes" if not r.fails else f"No, in {plural(int(r.fails), 'wave')}",
                fits_key="yes" if not r.fails else "no",
            )
        )
    return rows, intro


def _mbps(value: float) -> str:
    return f"{value:,.1f} Mbps" if value < 10 else f"{value:,.0f} Mbps"


def _groups(plan: Any) -> tuple[list[GroupRow], str, str]:
    """The largest move groups and every group the consultant edited (both capped), each
    with its most common reasons, its wave and its size."""
    g = plan.groups
    if g.empty:
        return [], "", "No move groups: no server in scope."
    wave = plan.waves.servers.reindex(g.index)
    members = g.assign(wave=wave["wave"], where=wave["plan"].astype("string"))
    # Per group, from its members' integer group codes (sorted by group id): the texts of
    # its first member, its size, whether any member was edited, its earliest wave.
    code, ids = pd.factorize(members["group_id"], sort=True)
    first = np.unique(code, return_index=True)[1]
    per = pd.DataFrame(
        {
            "group_name": members["group_name"].array.take(first),
            "where": members["where"].array.take(first),
            "servers": np.bincount(code),
            "edited": np.bincount(code, weights=members["edited"].astype(bool)) > 0,
            "wave": members["wave"].groupby(code).min().array,
        },
        index=pd.Index(ids, name="group_id"),
    )
    largest = per.sort_values(["servers"], ascending=False, kind="stable").head(GROUP_ROWS)
    edited = per[per["edited"] & ~per.index.isin(largest.index)].head(GROUP_ROWS)
    listed = pd.concat([largest, edited])
    listed["reason"] = _group_reasons(members[members["group_id"].isin(listed.index)])
    listed["reason"] = listed["reason"].fillna("")
    rows = [
        GroupRow(
            group=str(r.Index),
            name=display_text(r.group_name),
            servers=f"{int(r.servers):,}",
            wave=_wave_label(r.wave) if not _na(r.wave) else _outside(r.where),
            reason=sentence(display_text(r.reason, 300)),
            edited=bool(r.edited),
        )
        for r in listed.itertuples()
    ]
    n = len(per)
    several = int((per["servers"] > 1).sum())
    moving = int(per["wave"].notna().sum())
    text = (
        f"The {plural(int(per['servers'].sum()), 'server')} in scope form "
        f"{plural(n, 'move group')}: {plural(several, 'group')} of several servers that must "
        f"cut over together, and {plural(n - several, 'group')} of a single server. "
        f"{plural(moving, 'group')} move in the waves; the others stay outside the plan "
        "(to retire, to retain, or held back with a server to retain). "
    )
    if plan.edited_groups:
        text += (
            f"{plural(int(plan.edited_groups), 'group')} "
            f"{'was' if plan.edited_groups == 1 else 'were'} changed by the consultant in the "
            "workbook's Groups sheet and "
            f"{'is' if plan.edited_groups == 1 else 'are'} marked as edited. "
        )
    text += "The largest groups, and those edited:" if len(edited) else "The largest groups:"
    hidden = n - len(listed)
    more = f"and {plural(hidden, 'more group')}, listed in the workbook (Groups sheet)"
    return rows, more if hidden else "", text


#: 'outside the plan: held back with bsl-fs-01 (retain) of its group', as the wave plan
#: words it, and the short form the group table prints ('Not moved: held back with ...').
_HELD = re.compile(r"held back with (?P<name>.+) \((?:retain|retire)\) of its group")


def _group_reasons(members: pd.DataFrame) -> pd.Series:
    """Each group's reason (index: group id), for the few groups listed. The reasons of a
    group's members overlap ('application sql' on most of them): the group's reason is its
    three most common signals over all members."""
    signals = members["reason"].astype("string").str.split("; ").explode().dropna()
    signals = signals[signals.str.len() > 0]
    pairs = pd.DataFrame(
        {"group_id": members["group_id"].reindex(signals.index).to_numpy(), "signal": signals}
    )
    counted = pairs.value_counts(["group_id", "signal"]).reset_index(name="n")
    counted = counted.sort_values(["group_id", "n", "signal"], ascending=[True, False, True])
    return counted.groupby("group_id").head(3).groupby("group_id")["signal"].agg("; ".join)


def _outside(where: object) -> str:
    """Why a group stays outside the plan, short: 'Not moved (retain)', 'Not moved: held
    back with bsl-fs-01'."""
    text = "" if _na(where) else str(where).removeprefix("outside the plan: ")
    held = _HELD.fullmatch(text)
    if held:
        return f"Not moved: held back with {held['name']}"
    return f"Not moved ({text})" if text else "Not moved"


def _crossing(crossing: pd.DataFrame) -> tuple[list[CrossingRow], str, str]:
    """The dependency links whose two ends do not cut over together, capped."""
    if crossing.empty:
        return [], "", "Every known dependency link stays within a wave."
    ordered = crossing.assign(
        first=crossing[["source_wave", "target_wave"]].min(axis=1)
    ).sort_values(["first", "source_name", "target_name"], na_position="last", kind="stable")
    shown = ordered.head(CROSSING_ROWS)
    rows = [
        CrossingRow(
            source=display_text(r.source_name),
            target=display_text(r.target_name),
            port="" if _na(r.port) else f"{int(r.port)}",
            waves=f"{_wave_label(r.source_wave)} → {_wave_label(r.target_wave)}",
            why=sentence(display_text(r.why, 300)),
        )
        for r in shown.itertuples()
    ]
    more = len(crossing) - len(shown)
    intro = (
        f"{plural(len(crossing), 'dependency link')} cross waves or lead to a server that "
        "does not move. Each must stay reachable over the site link (or be replaced) until "
        "both ends have moved; a link to a server that does not move stays for good."
    )
    return (
        rows,
        f"and {plural(more, 'more link')}, listed in the workbook (Plan sheet)" if more else "",
        intro,
    )


def _timeline(plan: Any) -> tuple[list[Stat], str]:
    t = plan.timeline
    m = plan.waves.migration
    labour = (
        fmt_money(t.labour_cost, t.currency)
        if t.labour_cost is not None
        else "not priced: give a labour rate in the profile"
    )
    rate = f"at {fmt_money(t.labour_rate, t.currency)} an hour" if t.labour_rate is not None else ""
    start_note = (
        "the start date the profile gives"
        if m.start_date is not None
        else "the Monday after the inventory was exported"
    )
    stats = [
        Stat("Start", fmt_date(t.start), start_note),
        Stat("Last wave ends", fmt_date(t.end) if t.waves else "no wave", ""),
        Stat(
            "Last wave accepted",
            fmt_date(t.accepted) if t.waves else "no wave",
            f"after {_weeks(t.parallel_run_weeks)} of running in parallel",
        ),
        Stat("Duration", plural(int(t.weeks), "week"), plural(int(t.waves), "wave")),
        Stat("Engineer hours", f"{t.engineer_hours:,.0f} h", ""),
        Stat("Labour cost", labour, rate),
    ]
    parts = [f"{t.wave_hours:,.0f} h for the {plural(int(t.servers), 'server')} that move"]
    if t.estate_hours:
        parts.append(f"{t.estate_hours:,.0f} h of one-off work for the estate")
    if t.decommission_hours:
        parts.append(f"{_hours(t.decommission_hours)} to decommission the servers to retire")
    text = (
        f"The engineer hours add up the effort of the assessment: {', '.join(parts)}. "
        "Servers that stay on premises cost no migration hours here. Decommissioning runs "
        "beside the waves."
    )
    return stats, text


def _hours(h: float) -> str:
    """Whole hours ('2 h', '1,106 h'), as the timeline counts them; 'under 1 h' below one."""
    return fmt_hours(h) if h < 1 else f"{h:,.0f} h"


def _weeks(weeks: float) -> str:
    """'2 weeks', '1 week', '1.5 weeks'."""
    return plural(int(weeks), "week") if float(weeks).is_integer() else f"{weeks:g} weeks"


def _sensitivity(plan: Any) -> list[ScenarioRow]:
    """The timeline with a quarter less and more throughput (uplinks and team together)."""
    s = plan.sensitivity
    currency = plan.timeline.currency
    rows = []
    for r in s.itertuples():
        factor = float(r.throughput)
        planned = bool(np.isclose(factor, 1.0))
        scenario = (
            "As planned"
            if planned
            else f"{abs(factor - 1):.0%} {'less' if factor < 1 else 'more'} throughput"
        )
        rows.append(
            ScenarioRow(
                scenario=scenario,
                waves=f"{int(r.waves):,}",
                weeks=f"{int(r.weeks):,}",
                end=fmt_date(r.end) if int(r.waves) else "no wave",
                accepted=fmt_date(r.accepted) if int(r.waves) else "no wave",
                labour="not priced" if _na(r.labour_cost) else fmt_money(r.labour_cost, currency),
                planned=planned,
            )
        )
    return rows
