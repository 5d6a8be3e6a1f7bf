"""Waves: the move groups in the order they move, each wave as big as the uplinks and the
team can carry.

A wave lasts `weeks_per_wave` weeks. Its data is copied ahead (seeded) over each site's
uplink while the old servers keep running, then the wave cuts over inside the profile's
`window_hours`: the data changed since seeding is copied again and the groups are
switched. So a wave holds no more groups than

- each site's uplink can seed in the wave's seeding time: `weeks_per_wave` x 168 h minus
  the cut-over window, at `uplink_mbps x link_efficiency` (the facts' `transfer_gib` is
  what a server puts on the wire);
- the cut-over window can hold: the delta (`DELTA_SHARE` of the data, per site in
  parallel) plus `SWITCH_HOURS` per group, switched by as many engineers in parallel as
  the team has (`team_hours_per_week` / `ENGINEER_WEEK_HOURS`);
- the team can do: the servers' effort hours (scoring) against `team_hours_per_week x
  weeks_per_wave`.

A group is never split. One too big for any wave gets a wave of its own, as many weeks
long as its seeding and effort need, and a note saying which bound it exceeds and by how
much. The order: a pilot wave first (at most `pilot_max_servers` servers of groups that
are ready, not production, not business-critical, no shared service and quick to seed),
then groups by risk (non-production, unknown, production, business-critical; ties by
group id), and groups with a blocker (`not_ready`) last, in waves of their own after the
blockers are resolved. Servers to retire or retain do not move: they stay outside the
plan, each with that reason; the other members of a group with a server to retain stay
with it, as moving them alone would split the group across the WAN.

Packing is next-fit over the sorted groups: one O(groups log groups) sort, then one pass
that adds each group to the open wave or opens the next, reading plain arrays (a group's
sites are a slice of one flat table), so the same groups always give the same waves and
20,000 groups pack in a few tens of milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from advisor.facts.location import hours_to_copy
from advisor.facts.network import join_by
from advisor.plan.groups import SHARED_SERVICE_ROLES, rows_for, text_codes
from advisor.text import arrow, counted

#: Share of a server's data rewritten between seeding and cut-over, copied again in the
#: window. An assumption (a few per cent a day is common for office and application
#: servers), stated in the plan's notes.
DELTA_SHARE = 0.05
#: Hours to switch one group in the window: stop, last sync check, DNS and routing switch,
#: smoke test. An assumption, stated in the notes.
SWITCH_HOURS = 1.0
#: A pilot group seeds in at most this share of a wave's seeding time: the pilot proves
#: the method on little data, it does not move the biggest server first.
PILOT_SEED_SHARE = 0.25
#: Hours one engineer works per week: turns the team's hours into people switching groups
#: in parallel during a cut-over.
ENGINEER_WEEK_HOURS = 40.0
HOURS_PER_WEEK = 7 * 24
NO_SITE = "(no site)"
_EPS = 1e-9  # sums of hours compared with a bound: rounding never opens a wave

#: Columns of `WavePlan.waves`, one row per wave.
WAVE_COLUMNS = (
    "wave",
    "kind",
    "groups",
    "group_ids",
    "servers",
    "data_gib",
    "seeding_hours",
    "seeding_capacity_hours",
    "cutover_hours",
    "window_hours",
    "effort_hours",
    "team_capacity_hours",
    "weeks",
    "start",
    "end",
    "fits",
    "note",
)
#: Columns of `WavePlan.crossing`.
CROSSING_COLUMNS = (
    "source",
    "target",
    "source_name",
    "target_name",
    "port",
    "source_wave",
    "target_wave",
    "why",
)


@dataclass(frozen=True)
class GroupLoads:
    """What each moving group brings to a wave, at full throughput, in group-id order. A
    group's sites are the slice `ptr[g]:ptr[g + 1]` of `site`, `data`, `seed` and `delta`
    (seed and delta 0 where the site's uplink is unknown: such data is not bounded)."""

    ids: np.ndarray
    names: np.ndarray
    servers: np.ndarray
    data: np.ndarray
    effort: np.ndarray
    blocked: np.ndarray
    all_ready: np.ndarray
    any_production: np.ndarray
    all_non_production: np.ndarray
    any_critical: np.ndarray
    shared_service: np.ndarray
    #: Each in-scope server's group number (-1: the server stays outside the plan).
    number: np.ndarray
    ptr: np.ndarray
    site: np.ndarray
    pair_data: np.ndarray
    seed: np.ndarray
    delta: np.ndarray
    site_names: np.ndarray
    uplink: np.ndarray  # per site, NaN where unknown


@dataclass
class WavePlan:
    """The waves and everything they rest on.

    - `waves`: one row per wave (WAVE_COLUMNS); kind is pilot, wave, oversized or
      after blockers.
    - `servers`: one row per in-scope server (index: id): group_id, wave (NA outside the
      plan), plan ('wave 3', 'wave 1 (pilot)', 'outside the plan: retire', ...), status
      (why it stays outside the plan; '' when it moves) and effort_hours.
    - `site_seeding`: one row per wave and site: uplink_mbps, data_gib, seeding_hours,
      capacity_hours, fits (NA where the site has no uplink).
    - `crossing`: dependency edges whose ends move in different waves or stay behind
      (CROSSING_COLUMNS), with why.
    - `notes`: what the plan assumed and where it could not keep a bound, in words.
    """

    waves: pd.DataFrame
    servers: pd.DataFrame
    site_seeding: pd.DataFrame
    crossing: pd.DataFrame
    notes: list[str]
    start: date
    migration: Any
    loads: GroupLoads
    link_factor: float = 1.0
    team_factor: float = 1.0
    _edges: pd.DataFrame | None = field(default=None, repr=False)
    _base_notes: list[str] = field(default_factory=list, repr=False)


def first_monday_after(day: date) -> date:
    """The Monday after `day` (a week later when `day` is a Monday)."""
    return day + timedelta(days=7 - day.weekday())


def plan_waves(
    groups: pd.DataFrame,
    servers: pd.DataFrame,
    facts: pd.DataFrame,
    migration: Any,
    *,
    as_of: pd.Timestamp | date,
    edges: pd.DataFrame | None = None,
    link_factor: float = 1.0,
    team_factor: float = 1.0,
) -> WavePlan:
    """Pack the move groups into waves (see the module docstring).

    `groups` is `move_groups`'s frame; `servers` holds readiness, disposition and
    effort_hours per server (an id index or `id` column, as `Assessment.servers`); `facts`
    holds transfer_gib, site, site_uplink_mbps, is_production, business_critical and role;
    `migration` is the profile's Migration section; `as_of` the assessment date (the plan
    starts the Monday after unless the profile gives start_date); `edges` is `group_edges`'s
    frame, for the list of links that cross waves. `link_factor` and `team_factor` scale
    the uplinks' and the team's throughput (the timeline's sensitivity uses them).
    """
    members = _members(groups, servers, facts)
    loads, notes = _loads(members, migration)
    day = as_of.date() if isinstance(as_of, pd.Timestamp) else as_of
    plan = WavePlan(
        waves=pd.DataFrame(),
        servers=members[["group_id", "status", "effort_hours"]],
        site_seeding=pd.DataFrame(),
        crossing=pd.DataFrame(),
        notes=[],
        start=migration.start_date or first_monday_after(day),
        migration=migration,
        loads=loads,
        _edges=edges,
        _base_notes=notes,
    )
    return replan(plan, link_factor=link_factor, team_factor=team_factor)


def replan(
    plan: WavePlan,
    *,
    link_factor: float = 1.0,
    team_factor: float = 1.0,
    calendar_only: bool = False,
) -> WavePlan:
    """The same groups re-packed with the uplinks' and the team's throughput scaled.
    `calendar_only` re-packs the waves and seeding alone and keeps `plan`'s servers,
    crossing links and notes: which servers move, and their hours, do not depend on
    throughput, and the sensitivity table reads nothing else (`timeline.build_timeline`)."""
    m, loads = plan.migration, plan.loads
    limits = _Limits.of(m, link_factor, team_factor)
    order, kinds, pilot_notes = _ordered(loads, limits, int(m.pilot_max_servers))
    starts, oversized = _pack(order, kinds, loads, limits)
    waves, wave_of_group, site_seeding = _summary(order, kinds, starts, oversized, loads, limits)
    waves = _dated(waves, plan.start)
    if calendar_only:
        return replace(
            plan,
            waves=waves,
            site_seeding=site_seeding,
            link_factor=link_factor,
            team_factor=team_factor,
        )
    notes = [f"Wave {w.wave}: {w.note}." for w in waves.itertuples() if w.note]

    status = plan.servers["status"]
    number = loads.number
    moving = number >= 0
    suffix = waves["kind"].map(
        {"pilot": " (pilot)", "after blockers": " (after its blockers are resolved)"}
    )
    wave_label = ("wave " + waves["wave"].astype(str) + suffix.fillna("")).to_numpy(object)
    # Moving servers take their group's wave (1-based); the others keep why they stay.
    wave = np.zeros(len(number), dtype=np.int64)
    wave[moving] = wave_of_group[number[moving]]
    label = status.to_numpy(object).copy()
    label[moving] = wave_label[wave[moving] - 1]
    servers = pd.DataFrame(
        {
            "group_id": plan.servers["group_id"],
            "wave": pd.array(wave, dtype="Int64"),
            "plan": pd.array(label, dtype="string"),
            "status": status,
            "effort_hours": plan.servers["effort_hours"],
        },
        index=plan.servers.index,
    )
    servers["wave"] = servers["wave"].mask(~moving)
    crossing = _crossing(plan._edges, servers)
    return replace(
        plan,
        waves=waves,
        servers=servers,
        site_seeding=site_seeding,
        crossing=crossing,
        notes=[*plan._base_notes, *pilot_notes, *notes, *_crossing_notes(crossing)],
        link_factor=link_factor,
        team_factor=team_factor,
    )


# --- per-server and per-group loads ----------------------------------------------------------


def _members(groups: pd.DataFrame, servers: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per in-scope server: its group, what it carries into a wave, and why it stays
    outside the plan ('' when it moves)."""
    idx = groups.index
    ids = pd.Series(idx, dtype="string")
    s = rows_for(servers, ids, ("name", "readiness", "disposition", "effort_hours"))
    f = rows_for(
        facts,
        ids,
        ("name", "site", "site_uplink_mbps", "transfer_gib", "is_production",
         "business_critical", "role"),
    )  # fmt: skip

    def col(frame: pd.DataFrame, name: str, dtype: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].astype(dtype)
        return pd.Series(pd.NA, index=ids.index, dtype=dtype)

    disposition = pc.utf8_lower(arrow(col(s, "disposition", "string")))
    outside = pc.if_else(
        pc.equal(disposition, "retire"),
        "outside the plan: retire",
        pc.if_else(pc.equal(disposition, "retain"), "outside the plan: retain", ""),
    )
    status = pd.Series(pd.arrays.ArrowStringArray(pc.fill_null(outside, "")), dtype="string")
    # A group never splits: while one member stays (retain), the others stay with it.
    retained = status.eq("outside the plan: retain").to_numpy()
    group = groups["group_id"].astype("string").reset_index(drop=True)
    if retained.any():
        name = col(s, "name", "string").fillna(col(f, "name", "string")).fillna(ids)
        code = text_codes(group)
        keeper = join_by(
            pd.Series(code[retained]), name[retained], pd.RangeIndex(code.max() + 1), limit=3
        )
        held = pd.Series(keeper.to_numpy()[code], dtype="string").where(status.eq(""))
        status = status.mask(
            held.notna(), "outside the plan: held back with " + held + " (retain) of its group"
        )
    readiness = col(s, "readiness", "string")
    out = pd.DataFrame(
        {
            "group_id": group,
            "group_name": groups["group_name"].astype("string").to_numpy(),
            "status": status,
            "site": col(f, "site", "string").fillna(NO_SITE),
            "uplink_mbps": col(f, "site_uplink_mbps", "Float64"),
            "data_gib": col(f, "transfer_gib", "Float64"),
            "effort_hours": col(s, "effort_hours", "Float64").fillna(0.0),
            "ready": readiness.eq("ready").fillna(False).astype(bool),
            "blocked": readiness.eq("not_ready").fillna(False).astype(bool),
            "production": col(f, "is_production", "boolean"),
            "critical": col(f, "business_critical", "boolean"),
            "shared_service": col(f, "role", "string").isin(SHARED_SERVICE_ROLES),
        }
    )
    return out.set_axis(idx)


def _loads(members: pd.DataFrame, migration: Any) -> tuple[GroupLoads, list[str]]:
    """Per group (moving servers only) and per group and site: servers, data, effort,
    seeding and delta hours at full throughput; plus notes on what is unknown."""
    moves = members["status"].eq("").to_numpy()
    moving = members[moves]
    code, ids = pd.factorize(moving["group_id"], sort=True)
    g = len(ids)
    number = np.full(len(members), -1, dtype=np.int64)
    number[moves] = code

    def total(values: pd.Series) -> np.ndarray:
        return np.bincount(code, weights=values.to_numpy(dtype=float), minlength=g)

    def anyof(flags: pd.Series) -> np.ndarray:
        return total(flags.fillna(False).astype(float)) > 0

    data = moving["data_gib"].astype(float).fillna(0.0)
    n = np.bincount(code, minlength=g)
    names = np.empty(g, dtype=object)
    names[code] = moving["group_name"].to_numpy()

    site_code, site_names = pd.factorize(moving["site"], sort=True)
    s = len(site_names)
    uplink = np.full(s, np.nan)
    np.fmax.at(uplink, site_code, moving["uplink_mbps"].astype(float).to_numpy())
    pair, pair_inv = np.unique(code.astype(np.int64) * max(s, 1) + site_code, return_inverse=True)
    pair_group, pair_site = pair // max(s, 1), pair % max(s, 1)
    pair_data = np.bincount(pair_inv, weights=data.to_numpy(), minlength=len(pair))
    eff = float(migration.link_efficiency)
    seed = hours_to_copy(pair_data, uplink[pair_site], eff)
    seed = np.where(np.isnan(seed), 0.0, seed)
    loads = GroupLoads(
        ids=np.asarray(ids, dtype=object),
        names=names,
        servers=n,
        data=total(data),
        effort=total(moving["effort_hours"].astype(float)),
        blocked=anyof(moving["blocked"]),
        all_ready=total(moving["ready"].astype(float)) == n,
        any_production=anyof(moving["production"].eq(True)),
        all_non_production=total(moving["production"].eq(False).fillna(False).astype(float)) == n,
        any_critical=anyof(moving["critical"].eq(True)),
        shared_service=anyof(moving["shared_service"]),
        number=number,
        ptr=np.searchsorted(pair_group, np.arange(g + 1)),
        site=pair_site,
        pair_data=pair_data,
        seed=seed,
        delta=seed * DELTA_SHARE,
        site_names=np.asarray(site_names, dtype=object),
        uplink=uplink,
    )
    return loads, _load_notes(members, moving, loads)


def _load_notes(members: pd.DataFrame, moving: pd.DataFrame, loads: GroupLoads) -> list[str]:
    """What the loads leave unknown or out, in words."""
    notes: list[str] = []
    unknown = int(moving["data_gib"].isna().sum())
    if unknown:
        notes.append(
            f"Moving servers without a known data size: {unknown:,}, counted as 0 GiB to seed."
        )
    for i in np.flatnonzero(np.isnan(loads.uplink)):
        name = loads.site_names[i]
        gib = float(loads.pair_data[loads.site == i].sum())
        where = "servers without a site" if name == NO_SITE else f"site '{name}'"
        notes.append(
            f"No uplink known for {where}: its {gib:,.0f} GiB are not bounded by a seeding "
            "time, and its seeding hours stay unknown."
        )
    status = members["status"]
    retire = int(status.str.endswith(": retire").sum())
    retain = int(status.str.endswith(": retain").sum())
    held = int(status.str.contains("held back", regex=False).sum())
    if retire or retain:
        notes.append(
            f"Outside the plan (in no wave): {counted(retire, 'server')} to retire and "
            f"{retain:,} to retain."
        )
    if held:
        notes.append(
            f"Also outside the plan: {counted(held, 'server')} whose group holds a server to "
            "retain: a group never splits across the WAN."
        )
    notes.append(
        f"Cut-over assumes {DELTA_SHARE:.0%} of each server's data changes between seeding "
        f"and cut-over and is copied again, and {SWITCH_HOURS:g} h to switch each group."
    )
    return notes


# --- order and packing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    """What one ordinary wave can hold, at the given throughput."""

    seed_hours: float
    team_hours: float
    window_hours: float
    #: Hours of the window one group's switch takes, the team switching in parallel.
    switch: float
    link_factor: float
    team_per_week: float
    weeks: int

    @classmethod
    def of(cls, m: Any, link_factor: float, team_factor: float) -> _Limits:
        team_week = float(m.team_hours_per_week) * team_factor
        return cls(
            seed_hours=m.weeks_per_wave * HOURS_PER_WEEK - float(m.window_hours),
            team_hours=team_week * m.weeks_per_wave,
            window_hours=float(m.window_hours),
            switch=SWITCH_HOURS / max(1.0, team_week / ENGINEER_WEEK_HOURS),
            link_factor=link_factor,
            team_per_week=team_week,
            weeks=int(m.weeks_per_wave),
        )


_PILOT, _WAVE, _BLOCKED = 0, 1, 2
_KINDS = np.array(["pilot", "wave", "after blockers"], dtype=object)


def _ordered(
    loads: GroupLoads, limits: _Limits, pilot_max: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Group numbers in moving order with their kind: the pilot's groups, then by tier
    (blocked last), risk and group id; and a note when no pilot could be formed."""
    g = len(loads.ids)
    pilot = _pilot(loads, limits, pilot_max)
    rest = np.setdiff1d(np.arange(g), pilot)
    risk = np.select(
        [loads.any_critical[rest], loads.any_production[rest], loads.all_non_production[rest]],
        [3, 2, 0],
        default=1,
    )
    tier = loads.blocked[rest].astype(int)
    rest = rest[np.lexsort((rest, risk, tier))]  # group numbers follow the sorted ids
    order = np.concatenate([pilot, rest]).astype(np.int64)
    kinds = np.concatenate(
        [np.full(len(pilot), _PILOT), np.where(loads.blocked[rest], _BLOCKED, _WAVE)]
    )
    notes = []
    if pilot_max > 0 and g and not len(pilot):
        notes.append(
            "No pilot wave: no group is ready, non-production, not business-critical, no "
            f"shared service, of at most {counted(pilot_max, 'server')} and quick to seed."
        )
    return order, kinds, notes


def _pilot(loads: GroupLoads, limits: _Limits, cap: int) -> np.ndarray:
    """Groups of the pilot wave: ready, not production, not critical, no shared service,
    seeding in at most `PILOT_SEED_SHARE` of a wave; known non-production first, then the
    least data, up to `cap` servers and one wave's bounds."""
    longest = np.zeros(len(loads.ids))
    owner = np.repeat(np.arange(len(loads.ids)), np.diff(loads.ptr))
    np.maximum.at(longest, owner, loads.seed / limits.link_factor)
    ok = (
        loads.all_ready
        & ~loads.blocked
        & ~loads.any_production
        & ~loads.any_critical
        & ~loads.shared_service
        & (loads.servers <= cap)
        & (longest <= PILOT_SEED_SHARE * limits.seed_hours)
    )
    candidates = np.flatnonzero(ok)
    if not len(candidates):
        return candidates
    candidates = candidates[
        np.lexsort(
            (
                candidates,
                loads.servers[candidates],
                loads.data[candidates],
                ~loads.all_non_production[candidates],
            )
        )
    ]
    chosen: list[int] = []
    wave = _Open(limits, loads)
    for gnum in candidates:
        if wave.servers + loads.servers[gnum] > cap:
            continue
        if wave.fits(int(gnum)):
            wave.add(int(gnum))
            chosen.append(int(gnum))
        if wave.servers >= cap:
            break
    return np.array(chosen, dtype=np.int64)


class _Open:
    """The pilot wave being filled: running totals per site, effort and groups. (`_pack`
    makes the same checks inline on plain lists: it runs once per group of the estate.)"""

    def __init__(self, limits: _Limits, loads: GroupLoads) -> None:
        self.limits = limits
        self.ptr = loads.ptr
        self.site = loads.site
        self.seed_of = loads.seed / limits.link_factor
        self.delta_of = loads.delta / limits.link_factor
        self.effort_of = loads.effort
        self.servers_of = loads.servers
        self.seed: dict[int, float] = {}
        self.delta: dict[int, float] = {}
        self.peak = 0.0
        self.effort = 0.0
        self.groups = 0
        self.servers = 0

    def fits(self, g: int) -> bool:
        """Group `g` fits beside what the wave holds: team hours, seeding per site and the
        cut-over window."""
        lim = self.limits
        if self.effort + self.effort_of[g] > lim.team_hours + _EPS:
            return False
        peak = self.peak
        for t in range(self.ptr[g], self.ptr[g + 1]):
            s = self.site[t]
            if self.seed.get(s, 0.0) + self.seed_of[t] > lim.seed_hours + _EPS:
                return False
            peak = max(peak, self.delta.get(s, 0.0) + self.delta_of[t])
        return peak + (self.groups + 1) * lim.switch <= lim.window_hours + _EPS

    def add(self, g: int) -> None:
        for t in range(self.ptr[g], self.ptr[g + 1]):
            s = self.site[t]
            self.seed[s] = self.seed.get(s, 0.0) + self.seed_of[t]
            self.delta[s] = d = self.delta.get(s, 0.0) + self.delta_of[t]
            self.peak = max(self.peak, d)
        self.effort += self.effort_of[g]
        self.groups += 1
        self.servers += int(self.servers_of[g])


def _pack(
    order: np.ndarray, kinds: np.ndarray, loads: GroupLoads, limits: _Limits
) -> tuple[list[int], set[int]]:
    """Next-fit: positions in `order` where a wave starts, and the starts of waves holding a
    lone group too big for any wave. A new wave opens when the next group does not fit or
    its kind differs.

    The loop runs once per group, so it reads plain Python lists and keeps the open wave's
    totals in locals (per site in small dicts): numpy's per-element access would cost more
    than the arithmetic it serves."""
    ptr, site = loads.ptr.tolist(), loads.site.tolist()
    seed = (loads.seed / limits.link_factor).tolist()
    delta = (loads.delta / limits.link_factor).tolist()
    effort = loads.effort.tolist()
    seed_cap = limits.seed_hours + _EPS
    team_cap = limits.team_hours + _EPS
    window = limits.window_hours + _EPS
    switch = limits.switch
    starts: list[int] = []
    oversized: set[int] = set()
    is_open, kind = False, -1
    wave_seed: dict[int, float] = {}
    wave_delta: dict[int, float] = {}
    peak = used = 0.0
    count = 0
    for pos, (g, k) in enumerate(zip(order.tolist(), kinds.tolist(), strict=True)):
        a, b, e = ptr[g], ptr[g + 1], effort[g]
        fits = is_open and k == kind and used + e <= team_cap
        if fits:
            top = peak
            for t in range(a, b):
                s = site[t]
                if wave_seed.get(s, 0.0) + seed[t] > seed_cap:
                    fits = False
                    break
                top = max(top, wave_delta.get(s, 0.0) + delta[t])
            fits = fits and top + (count + 1) * switch <= window
        if not fits:
            starts.append(pos)
            kind = k
            wave_seed, wave_delta = {}, {}
            peak = used = 0.0
            count = 0
            alone = e <= team_cap and all(seed[t] <= seed_cap for t in range(a, b))
            if not (alone and max(delta[a:b], default=0.0) + switch <= window):
                oversized.add(pos)
                is_open = False  # nothing joins a group that overflows a wave on its own
                continue
            is_open = True
        for t in range(a, b):
            s = site[t]
            wave_seed[s] = wave_seed.get(s, 0.0) + seed[t]
            wave_delta[s] = d = wave_delta.get(s, 0.0) + delta[t]
            peak = max(peak, d)
        used += e
        count += 1
    return starts, oversized


# --- what the waves hold -----------------------------------------------------------------------


def _summary(
    order: np.ndarray,
    kinds: np.ndarray,
    starts: list[int],
    oversized: set[int],
    loads: GroupLoads,
    limits: _Limits,
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """The waves frame (without dates), the wave of each group, and seeding per wave and
    site, all from one pass of sums over the groups' positions."""
    g, w = len(order), len(starts)
    wave_at = np.zeros(g, dtype=np.int64)
    if g:
        wave_at[np.array(starts[1:], dtype=np.int64)] = 1
        wave_at = np.cumsum(wave_at)  # wave index (0-based) of each position
    wave_of_group = np.zeros(len(loads.ids), dtype=np.int64)
    wave_of_group[order] = wave_at + 1

    def per_wave(values: np.ndarray) -> np.ndarray:
        return np.bincount(wave_at, weights=values[order], minlength=w)

    pair_wave = wave_of_group[np.repeat(np.arange(len(loads.ids)), np.diff(loads.ptr))] - 1
    sites = len(loads.site_names)
    key = pair_wave * max(sites, 1) + loads.site
    cells, inv = np.unique(key, return_inverse=True)
    cell_wave, cell_site = cells // max(sites, 1), cells % max(sites, 1)
    cell_data = np.bincount(inv, weights=loads.pair_data, minlength=len(cells))
    cell_seed = np.bincount(inv, weights=loads.seed, minlength=len(cells)) / limits.link_factor
    cell_delta = np.bincount(inv, weights=loads.delta, minlength=len(cells)) / limits.link_factor
    timed = ~np.isnan(loads.uplink[cell_site])
    seeding = np.full(w, np.nan)
    np.fmax.at(seeding, cell_wave[timed], cell_seed[timed])
    delta_peak = np.zeros(w)
    np.maximum.at(delta_peak, cell_wave, cell_delta)

    groups = np.bincount(wave_at, minlength=w)
    cutover = delta_peak + groups * limits.switch
    effort = per_wave(loads.effort)
    weeks = np.full(w, limits.weeks, dtype=np.int64)
    notes = np.full(w, "", dtype=object)
    for i, pos in enumerate(starts):
        if pos in oversized:
            gnum = int(order[pos])
            weeks[i] = _stretched(seeding[i], effort[i], limits)
            notes[i] = _too_big(gnum, loads, limits, cutover[i], weeks[i])
    kind = _KINDS[kinds[np.array(starts, dtype=np.int64)]] if w else np.array([], dtype=object)
    kind = np.where((notes != "") & (kind == "wave"), "oversized", kind)
    ids = loads.ids[order]
    ends = [*starts[1:], g][:w]
    group_ids = np.array(
        [", ".join(ids[a:b]) for a, b in zip(starts, ends, strict=True)], dtype=object
    )
    capacity = weeks * HOURS_PER_WEEK - limits.window_hours
    waves = pd.DataFrame(
        {
            "wave": np.arange(1, w + 1),
            "kind": kind,
            "groups": groups,
            "group_ids": group_ids,
            "servers": per_wave(loads.servers.astype(float)).astype(np.int64),
            "data_gib": per_wave(loads.data).round(1),
            "seeding_hours": seeding.round(1),
            "seeding_capacity_hours": capacity.astype(float),
            "cutover_hours": cutover.round(1),
            "window_hours": limits.window_hours,
            "effort_hours": effort.round(1),
            "team_capacity_hours": (limits.team_per_week * weeks).round(1),
            "weeks": weeks,
            "fits": notes == "",
            "note": notes,
        }
    ).astype({"kind": "string", "group_ids": "string", "note": "string"})
    site_seeding = pd.DataFrame(
        {
            "wave": cell_wave + 1,
            "site": loads.site_names[cell_site],
            "uplink_mbps": loads.uplink[cell_site],
            "data_gib": cell_data.round(1),
            "seeding_hours": np.where(timed, cell_seed, np.nan).round(1),
            "capacity_hours": capacity[cell_wave].astype(float),
        }
    ).astype({"site": "string", "uplink_mbps": "Float64", "seeding_hours": "Float64"})
    site_seeding["fits"] = (site_seeding["seeding_hours"] <= site_seeding["capacity_hours"]).astype(
        "boolean"
    )
    return waves, wave_of_group, site_seeding


def _too_big(g: int, loads: GroupLoads, limits: _Limits, cutover: float, weeks: int) -> str:
    """Why group `g` fits no wave, and by how much."""
    parts = []
    for t in range(loads.ptr[g], loads.ptr[g + 1]):
        seed = loads.seed[t] / limits.link_factor
        if seed > limits.seed_hours + _EPS:
            parts.append(
                f"seeding at '{loads.site_names[loads.site[t]]}' needs {seed:,.0f} h where a "
                f"wave allows {limits.seed_hours:,.0f} h ({seed / limits.seed_hours:.1f} times)"
            )
    effort = loads.effort[g]
    if effort > limits.team_hours + _EPS:
        parts.append(
            f"{effort:,.0f} engineer hours where a wave gives {limits.team_hours:,.0f} h "
            f"({effort / limits.team_hours:.1f} times)"
        )
    if cutover > limits.window_hours + _EPS:
        parts.append(
            f"cut-over needs {cutover:,.1f} h, {cutover - limits.window_hours:,.1f} h more than "
            f"the {limits.window_hours:g} h window"
        )
    note = f"group {loads.ids[g]} '{loads.names[g]}' is too big for one wave: " + "; ".join(parts)
    if weeks > limits.weeks:
        note += f"; its wave lasts {weeks} weeks instead of {limits.weeks}"
    return note


def _stretched(seeding: float, effort: float, limits: _Limits) -> int:
    """Weeks a lone oversized group needs: its seeding plus the window, and its effort."""
    seed = 0.0 if np.isnan(seeding) else float(seeding)
    by_link = math.ceil((seed + limits.window_hours) / HOURS_PER_WEEK - _EPS)
    by_team = math.ceil(effort / limits.team_per_week - _EPS)
    return max(limits.weeks, by_link, by_team)


def _dated(waves: pd.DataFrame, start: date) -> pd.DataFrame:
    """Start and end dates: waves follow each other, each ending the day before the next."""
    days = waves["weeks"].astype(np.int64).to_numpy() * 7
    first = np.datetime64(start, "D") + np.concatenate([[0], np.cumsum(days)[:-1]])[: len(days)]
    last = first + days - 1
    out = waves.assign(start=first.astype(object), end=last.astype(object))
    return out[list(WAVE_COLUMNS)]


# --- links left behind ---------------------------------------------------------------------------


def _crossing(edges: pd.DataFrame | None, servers: pd.DataFrame) -> pd.DataFrame:
    """Dependency edges whose two ends do not cut over together, with why."""
    if edges is None or edges.empty:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in CROSSING_COLUMNS})
    pos = pd.Index(servers.index)
    src, dst = pos.get_indexer(edges["source"]), pos.get_indexer(edges["target"])
    e = edges[(src >= 0) & (dst >= 0)].reset_index(drop=True)
    src, dst = src[(src >= 0) & (dst >= 0)], dst[(src >= 0) & (dst >= 0)]
    wave = servers["wave"].to_numpy(dtype=float, na_value=np.nan)
    status = servers["status"].to_numpy(dtype=object)
    sw, tw = wave[src], wave[dst]
    out_s, out_t = np.isnan(sw), np.isnan(tw)
    differ = (sw != tw) & ~(out_s & out_t)
    e, sw, tw = e[differ], sw[differ], tw[differ]
    behind = np.where(out_t[differ], status[dst[differ]], status[src[differ]])
    behind_name = np.where(out_t[differ], e["target_name"], e["source_name"])
    stays = np.where(
        pd.Series(behind).str.endswith("retire").fillna(False),
        behind_name + " is retired: remove or replace the link",
        behind_name + " stays on premises: reached over the site link",
    )
    why = e["why"].astype("string").to_numpy(dtype=object, na_value=None)
    why = np.where(pd.isna(why), np.where(out_s[differ] | out_t[differ], stays, None), why)
    why = np.where(pd.isna(why), "the Groups sheet put them in different groups", why)
    out = pd.DataFrame(
        {
            "source": e["source"].to_numpy(),
            "target": e["target"].to_numpy(),
            "source_name": e["source_name"].to_numpy(),
            "target_name": e["target_name"].to_numpy(),
            "port": e["port"].to_numpy(),
            "source_wave": sw,
            "target_wave": tw,
            "why": why,
        }
    )
    return out.astype(
        {
            "source": "string",
            "target": "string",
            "source_name": "string",
            "target_name": "string",
            "port": "Int64",
            "source_wave": "Int64",
            "target_wave": "Int64",
            "why": "string",
        }
    )


def _crossing_notes(crossing: pd.DataFrame) -> list[str]:
    if crossing.empty:
        return []
    return [
        "Dependency links that cross waves or lead to servers that stay behind: "
        f"{len(crossing):,}; they must stay reachable over the site link until both ends "
        "have moved (listed)."
    ]
