"""Timeline: when the last wave ends, what the migration labour costs, how long both
estates run side by side, and how all that moves with a quarter less or more throughput.

Waves follow each other without gaps (`advisor.plan.waves`), so the programme lasts the sum
of the waves' weeks. Engineer hours are the moving servers' effort from scoring, the
decommissioning of servers to retire (it runs beside the waves) and the one-off estate work
the caller passes in; servers to retain stay where they are and cost no migration labour
here. Labour is priced at the profile's `labour_rate_per_hour`; without one the cost stays
unknown and the timeline says so rather than print zero.

After each wave's cut-over its servers run in both places for `parallel_run_weeks`, until
the wave is accepted: `parallel_run_months` gives those months per server, for the caller
to multiply by each server's monthly cost on the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from advisor.plan.waves import WavePlan, replan
from advisor.text import counted

#: Average days in a month: turns weeks of parallel running into months of cost.
DAYS_PER_MONTH = 365.25 / 12
#: Throughput factors of the sensitivity table: a quarter less, as planned, a quarter more.
SENSITIVITY = (0.75, 1.0, 1.25)


@dataclass(frozen=True)
class Timeline:
    """The programme in numbers (dates are the first and last day of a period)."""

    start: date
    #: Last day of the last wave (the day before the start when no server moves).
    end: date
    #: Day the last wave is accepted: its end plus the parallel run.
    accepted: date
    #: Weeks from the start until the last wave ends.
    weeks: int
    waves: int
    servers: int
    #: Moving servers' effort, decommissioning and estate work together.
    engineer_hours: float
    wave_hours: float
    decommission_hours: float
    estate_hours: float
    labour_rate: float | None
    currency: str
    #: engineer_hours x labour_rate; None when the profile gives no rate.
    labour_cost: float | None
    parallel_run_weeks: float
    notes: list[str] = field(default_factory=list)


def build_timeline(plan: WavePlan, *, estate_hours: float = 0.0) -> Timeline:
    """The timeline of `plan`; `estate_hours` is one-off estate work the team also does
    (the assessment's estate work), counted in the engineer hours."""
    m = plan.migration
    waves = plan.waves
    end = waves["end"].max() if len(waves) else plan.start - timedelta(days=1)
    weeks = int(waves["weeks"].sum()) if len(waves) else 0
    status = plan.servers["status"]
    effort = plan.servers["effort_hours"].astype(float).fillna(0.0)
    wave_hours = float(effort[plan.servers["wave"].notna().to_numpy()].sum())
    retire = status.str.endswith(": retire").to_numpy()
    decommission = float(effort[retire].sum())
    total = wave_hours + decommission + float(estate_hours)
    rate = m.labour_rate_per_hour
    cost = None if rate is None else round(total * float(rate), 2)
    notes = []
    if m.start_date is None:
        notes.append(f"Start: {plan.start.isoformat()}, the Monday after the assessment date.")
    if rate is None:
        notes.append(
            f"Labour cost unknown: the profile gives no labour_rate_per_hour "
            f"({total:,.0f} engineer hours)."
        )
    if retire.any():
        notes.append(
            f"Decommissioning {counted(int(retire.sum()), 'server')} to retire "
            f"({decommission:,.0f} h) runs beside the waves."
        )
    retained = status.str.contains("retain", regex=False).to_numpy()
    if retained.any():
        notes.append(
            f"Staying on premises (retain, or held back with one): "
            f"{counted(int(retained.sum()), 'server')}, whose effort is not part of this migration."
        )
    return Timeline(
        start=plan.start,
        end=end,
        accepted=end + timedelta(days=round(float(m.parallel_run_weeks) * 7)),
        weeks=weeks,
        waves=len(waves),
        servers=int(plan.servers["wave"].notna().sum()),
        engineer_hours=round(total, 1),
        wave_hours=round(wave_hours, 1),
        decommission_hours=round(decommission, 1),
        estate_hours=round(float(estate_hours), 1),
        labour_rate=rate,
        currency=m.labour_currency,
        labour_cost=cost,
        parallel_run_weeks=float(m.parallel_run_weeks),
        notes=notes,
    )


def parallel_run_months(plan: WavePlan, *, until_exit: bool = False) -> pd.Series:
    """Months each in-scope server runs in both estates (index: server id; 0 outside the
    plan). Multiplied by the server's monthly cost on the target and summed, it is the cost
    of running both estates.

    By default a server runs twice from its wave's cut-over until the wave is accepted
    (`parallel_run_weeks`). With `until_exit` it runs twice until the last wave is
    accepted: the cost when the old estate cannot be switched off piece by piece.
    """
    s = plan.servers
    weeks = pd.Series(float(plan.migration.parallel_run_weeks), index=s.index)
    if until_exit and len(plan.waves):
        w = plan.waves
        last = w["end"].max() + timedelta(days=round(float(plan.migration.parallel_run_weeks) * 7))
        days_left = pd.Series([(last - end).days for end in w["end"]], index=w["wave"])  # per wave
        weeks = s["wave"].map(days_left).astype(float) / 7
    months = (weeks * 7 / DAYS_PER_MONTH).where(s["wave"].notna().to_numpy(), 0.0)
    return months.astype(float).round(3).rename(None)


def sensitivity(
    plan: WavePlan, *, estate_hours: float = 0.0, factors: tuple[float, ...] = SENSITIVITY
) -> pd.DataFrame:
    """The timeline with the uplinks' and the team's throughput scaled together: one row
    per factor (scenario, throughput, waves, weeks, end, accepted, engineer_hours,
    labour_cost). The hours stay the same; the calendar stretches or shrinks."""
    rows = []
    for factor in factors:
        scenario = (
            "as planned"
            if factor == 1.0
            else f"{abs(factor - 1):.0%} {'less' if factor < 1 else 'more'} throughput"
        )
        scaled = (
            plan
            if factor == plan.link_factor == plan.team_factor
            else replan(plan, link_factor=factor, team_factor=factor, calendar_only=True)
        )
        t = build_timeline(scaled, estate_hours=estate_hours)
        rows.append(
            {
                "scenario": scenario,
                "throughput": factor,
                "waves": t.waves,
                "weeks": t.weeks,
                "end": t.end,
                "accepted": t.accepted,
                "engineer_hours": t.engineer_hours,
                "labour_cost": t.labour_cost,
            }
        )
    return pd.DataFrame(rows)
