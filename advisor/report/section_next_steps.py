"""Next steps: the closing page, with what the customer has to decide and where the move starts.

Decisions come from findings that no engineer can settle alone: servers that cannot move
as they are or are suggested to stay, servers to retire, the licensing model, the estate-wide
designs (network addressing, backup, seeding), sites whose uplink nobody gave, and the
exceptions the customer accepted. Each is one entry with its count and a few names. The
first wave (the pilot where the plan has one) closes the page; without a plan the page says
what the plan needs instead. All counts are group-bys over the findings and scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES
from advisor.report.formatting import (
    anchor,
    display_text,
    fmt_date,
    fmt_gib,
    fmt_span,
    plural,
)
from advisor.report.model_context import _Context, servers_per
from advisor.report.model_types import Decision, NextSteps
from advisor.report.scope_text import join_words
from advisor.report.section_summary import measured_facts, short_sentence

#: Servers named per decision before "and N more".
DECISION_NAMES = 6
#: Servers of the first wave named before "and N more".
WAVE_NAMES = 8
#: Reasons (rules) named for the servers that stay behind.
STAY_REASONS = 3
#: The estate fact of servers whose site has no uplink: rules reading it are covered by the
#: uplinks decision, which names the sites.
UPLINK_FACT = "servers_without_uplink"


def _next_steps(ctx: _Context, open_questions: int) -> NextSteps:
    """The closing page; `open_questions` is how many questions the page before asks."""
    decisions = [
        d
        for d in (
            _staying(ctx),
            _retiring(ctx),
            _licensing(ctx),
            *_estate_designs(ctx),
            _uplinks(ctx),
            _accepted(ctx),
        )
        if d is not None
    ]
    asked = (
        f"First, the customer answers the {plural(open_questions, 'question')} of the "
        "previous section: each answer turns unknown verdicts into findings or passes. "
        if open_questions
        else ""
    )
    intro = (
        f"{asked}The decisions below are the customer's to take; each names the servers or "
        "the estate-wide design it concerns. The first wave then proves the route on a few "
        "servers before the larger waves follow."
    )
    title, lines = _first_wave(ctx)
    return NextSteps(intro=intro, decisions=decisions, first_wave_title=title, first_wave=lines)


def _names(names: pd.Series, limit: int = DECISION_NAMES) -> str:
    shown = sorted(names.map(display_text))
    more = len(shown) - limit
    listed = shown[:limit] + ([f"{more:,} more"] if more > 0 else [])
    return join_words(listed)


def _area_anchor(ctx: _Context, area: str) -> str:
    has = ctx.listed["area"].isin([area])
    port = ctx.portfolio
    has_port = ((port["area"] == area) & (port["status"] == "fail")).any()
    return anchor("area", area) if has.any() or has_port else ""


def _staying(ctx: _Context) -> Decision | None:
    """Servers that cannot move as they are, or whose findings suggest they stay."""
    s = ctx.servers
    stays = (s["readiness"].isin(["not_ready"]) | s["disposition"].isin(["retain"])).to_numpy()
    stay = s[stays]
    if stay.empty:
        return None
    f = ctx.failed
    # The failures of those servers, found by the servers' positions (`server_at`; -1, a
    # server the context lacks, reads the False appended).
    of_stay = np.append(stays, False)[f["server_at"].to_numpy()]
    why = f[of_stay & (f["severity"].isin(["blocker", "high"]) | f["disposition"].isin(["retain"]))]
    top = servers_per(why, "code").sort_values(ascending=False, kind="stable")
    reasons = [
        f"{ctx.rules[c].spec.title.rstrip('.')} ({n:,})" for c, n in top.iloc[:STAY_REASONS].items()
    ]
    because = f" The main reasons: {'; '.join(reasons)}." if reasons else ""
    first = top.index[0] if len(top) else ""
    return Decision(
        title=f"What stays behind: {plural(len(stay), 'server')}",
        text=(
            f"{_names(stay['name'])} cannot move as they are or are suggested to stay. "
            f"Decide for each: keep it where it is, rebuild it on the target, or remove the "
            f"blocker first.{because}"
        ),
        anchor=anchor("rule", first) if first else "",
    )


def _retiring(ctx: _Context) -> Decision | None:
    s = ctx.servers
    retire = s[s["disposition"].isin(["retire"]).to_numpy()]
    if retire.empty:
        return None
    return Decision(
        title=f"Servers to retire: {plural(len(retire), 'server')}",
        text=(
            f"{_names(retire['name'])} look unused or replaced. The owners confirm that "
            "nothing needs them; they are then switched off and left out of the move."
        ),
        anchor=_area_anchor(ctx, "lifecycle"),
    )


def _licensing(ctx: _Context) -> Decision | None:
    """One decision over every licensing finding: the model is chosen for the estate."""
    f = ctx.failed
    failed = f[(f["area"].isin(["licensing"]) & ~f["severity"].isin(["info"])).to_numpy()]
    counts = servers_per(failed, "code")
    port = ctx.portfolio
    estate = port.loc[(port["status"] == "fail") & (port["area"] == "licensing"), "code"]
    parts = [
        f"{ctx.rules[c].spec.title.rstrip('.')} ({plural(int(n), 'server')})"
        for c, n in counts.items()
    ]
    parts += [f"{ctx.rules[c].spec.title.rstrip('.')} (estate-wide)" for c in estate]
    if not parts:
        return None
    return Decision(
        title="Licensing model",
        text=(
            f"{'; '.join(parts)}. For each product: bring own licences where the contract "
            "allows the target, buy them with the instance, or keep the servers where the "
            "licences are counted today."
        ),
        anchor=_area_anchor(ctx, "licensing"),
    )


def _estate_designs(ctx: _Context) -> list[Decision]:
    """Estate-wide findings outside licensing: a design the customer agrees once. Two that
    measure the same fact against different limits are one decision."""
    port = ctx.portfolio
    failed = port[(port["status"] == "fail") & (port["area"] != "licensing")]
    failed = failed.assign(rank=failed["severity"].map(ctx.sev_rank)).sort_values(
        ["rank", "code"], ascending=[False, True], kind="stable"
    )
    out: list[Decision] = []
    stated: set[str] = set()
    for code in failed["code"]:
        rule = ctx.rules[code]
        if UPLINK_FACT in rule.facts_used:  # the uplinks decision says it with the sites
            continue
        measured = measured_facts(rule)
        if measured & stated:
            continue
        stated |= measured
        out.append(
            Decision(
                title=f"{AREA_TITLES[rule.spec.area]}: {rule.spec.title.rstrip('.')}",
                text=short_sentence(rule.spec.remediation),
                anchor=anchor("rule", code),
            )
        )
    return out


def _uplinks(ctx: _Context) -> Decision | None:
    """Sites without an uplink in the profile, and servers without a site."""
    facts = ctx.a.facts
    if "site_uplink_mbps" not in facts.columns:
        return None
    live = ctx.live
    missing = facts["site_uplink_mbps"].reindex(live.index).isna() & live
    if not missing.any():
        return None
    sites = ctx.servers.loc[missing, "site"]
    named = sites.dropna()
    per_site = named.value_counts()
    bits = []
    if len(per_site):
        listed = join_words([display_text(x) for x in sorted(per_site.index)[:DECISION_NAMES]])
        more = len(per_site) - DECISION_NAMES
        listed += f" and {more:,} more" if more > 0 else ""
        bits.append(f"the sites {listed} ({plural(int(per_site.sum()), 'server')}) have no uplink")
    unplaced = int(sites.isna().sum())
    if unplaced:
        bits.append(f"{plural(unplaced, 'server')} belong to no site")
    return Decision(
        title="Uplinks and sites",
        text=(
            f"In the engagement profile, {join_words(bits)}. Until the customer gives each "
            "site's uplink and users, copy times and wave lengths there are estimates."
        ),
        anchor="connectivity",
    )


def _accepted(ctx: _Context) -> Decision | None:
    """Findings the customer accepted: they sign them off as risks they carry."""
    f = ctx.listed
    acc = f[f["status"].isin(["accepted"]).to_numpy()]
    if acc.empty:
        return None
    listed = acc.sort_values(["code", "server"]).head(3)
    items = [
        f"{display_text(r.server)}: {ctx.rules[r.code].spec.title.rstrip('.')}"
        for r in listed.itertuples()
    ]
    more = len(acc) - len(items)
    if more > 0:
        items.append(f"and {more:,} more")
    return Decision(
        title=f"Accepted risks: {plural(len(acc), 'exception')}",
        text=(
            f"{'; '.join(items)}. The customer signs these off as risks they carry; the "
            "report shows them as accepted, not as passed."
        ),
        anchor=anchor("rule", str(listed["code"].iloc[0])),
    )


def _first_wave(ctx: _Context) -> tuple[str, list[str]]:
    """The pilot (or first wave) in a few lines, with the wave after it; without a plan,
    what a plan needs first."""
    plan: Any = getattr(ctx.a, "plan", None)
    if plan is None:
        return (
            "First wave",
            [
                "This assessment carries no migration plan. Once the questions are answered, "
                "a plan groups the servers, prices them and picks a pilot of a few ready, "
                "non-production servers.",
            ],
        )
    waves = plan.waves.waves
    if waves.empty:
        return (
            "First wave",
            [
                "No server can move yet: every server stays outside the plan until its "
                "blockers are settled (see What stays behind)."
            ],
        )
    first = waves.iloc[0]
    kind = str(first["kind"])
    title = "Pilot" if kind == "pilot" else "First wave"
    members = plan.waves.servers
    ids = members.index[members["wave"].astype("Float64") == float(first["wave"])]
    names = ctx.servers["name"].reindex(ids).dropna()
    ready = ctx.servers["readiness"].reindex(ids).value_counts()
    readiness = (
        ("ready" if len(ids) == 1 else "all of them ready")
        if int(ready.get("ready", 0)) == len(ids)
        else join_words([f"{int(n):,} {k.replace('_', ' ')}" for k, n in ready.items() if n])
    )
    lines = [
        f"Wave {int(first['wave']):,}, {fmt_span(first['start'], first['end'])}: "
        f"{plural(int(first['servers']), 'server')} ({readiness}), "
        f"{fmt_gib(first['data_gib'])} to copy.",
        f"Servers: {_names(names, WAVE_NAMES)}.",
    ]
    if len(waves) > 1:
        nxt = waves.iloc[1]
        lines.append(
            f"Wave {int(nxt['wave']):,} follows from {fmt_date(nxt['start'])} with "
            f"{plural(int(nxt['servers']), 'server')}; the whole plan has "
            f"{plural(len(waves), 'wave')} and ends on {fmt_date(plan.timeline.end)}."
        )
    if kind == "pilot":
        lines.append(
            "The pilot proves conversion, copy, cut-over and the way back before anything "
            "production depends on moves."
        )
    return title, lines
