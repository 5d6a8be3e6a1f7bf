"""Timeline: weeks and dates from the waves, engineer hours and their cost (or that the cost
is unknown), months of running both estates per server, and the sensitivity table."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from advisor.plan.groups import move_groups
from advisor.plan.timeline import (
    DAYS_PER_MONTH,
    build_timeline,
    parallel_run_months,
    sensitivity,
)
from advisor.plan.waves import WavePlan, plan_waves
from advisor.profile.sections import Migration

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
START = date(2026, 10, 5)  # the Monday after


def plan_of(effort: list[float], migration: Migration | None = None, retire: int = 0) -> WavePlan:
    """Production servers of their own application each (one group each), 10 GiB over
    100 Mbit/s, with the given effort; the last `retire` of them are to be retired."""
    n = len(effort)
    ids = [f"s{i:02d}" for i in range(n)]
    servers = pd.DataFrame({"id": ids, "name": ids, "application": [f"App {i}" for i in range(n)]})
    facts = pd.DataFrame(
        {
            "name": ids,
            "site": "Basel",
            "site_uplink_mbps": 100.0,
            "transfer_gib": 10.0,
            "role": "other",
            "application_key": [f"app {i}" for i in range(n)],
            "is_production": True,
            "business_critical": False,
        },
        index=ids,
    )
    scored = pd.DataFrame(
        {
            "readiness": "ready",
            "disposition": ["rehost"] * (n - retire) + ["retire"] * retire,
            "effort_hours": effort,
        },
        index=ids,
    )
    groups = move_groups(servers, facts, None)
    return plan_waves(groups, scored, facts, migration or Migration(), as_of=AS_OF)


def test_one_wave_its_dates_hours_and_unknown_labour_cost() -> None:
    plan = plan_of([10, 10, 10, 1], retire=1)
    t = build_timeline(plan, estate_hours=5)
    assert (t.start, t.end, t.accepted) == (START, date(2026, 10, 18), date(2026, 11, 1))
    assert (t.weeks, t.waves, t.servers) == (2, 1, 3)
    assert (t.wave_hours, t.decommission_hours, t.estate_hours) == (30, 1, 5)
    assert t.engineer_hours == 36
    assert t.labour_cost is None
    assert any(n.startswith("Labour cost unknown") for n in t.notes)
    assert any(n.startswith("Start: 2026-10-05, the Monday after") for n in t.notes)
    assert any("Decommissioning 1 server to retire (1 h)" in n for n in t.notes)


def test_labour_is_priced_at_the_profile_rate() -> None:
    m = Migration(labour_rate_per_hour=120, labour_currency="CHF", start_date=date(2027, 1, 4))
    t = build_timeline(plan_of([10, 20], m), estate_hours=10)
    assert (t.labour_cost, t.currency, t.labour_rate) == (4800.0, "CHF", 120.0)
    assert t.start == date(2027, 1, 4)
    assert not any(n.startswith("Labour cost unknown") for n in t.notes)


def test_weeks_add_up_over_waves_and_an_oversized_wave() -> None:
    # 160 team hours per two-week wave: 100 h each means one server per wave, 300 h a
    # wave of its own for four weeks (300 / 80 h per week, rounded up).
    plan = plan_of([100, 100, 300])
    t = build_timeline(plan)
    assert plan.waves["weeks"].tolist() == [2, 2, 4]
    assert t.weeks == 8
    assert t.end == START + timedelta(weeks=8) - timedelta(days=1)
    assert t.accepted == t.end + timedelta(weeks=2)


def test_months_of_running_both_estates_per_server() -> None:
    plan = plan_of([100, 100, 100, 1], retire=1)
    months = parallel_run_months(plan)
    per_wave = 14 / DAYS_PER_MONTH
    assert months.round(3).tolist() == [round(per_wave, 3)] * 3 + [0.0]
    until_exit = parallel_run_months(plan, until_exit=True)
    # Wave 1 ends four weeks before the last wave, which is accepted two weeks after it ends.
    assert until_exit["s00"] == pytest.approx(42 / DAYS_PER_MONTH, abs=1e-3)
    assert until_exit["s02"] == pytest.approx(per_wave, abs=1e-3)
    assert until_exit["s03"] == 0.0
    monthly = pd.Series(300.0, index=months.index)
    assert (months * monthly).sum() == pytest.approx(3 * per_wave * 300, rel=1e-3)


def test_sensitivity_with_a_quarter_less_and_more_throughput() -> None:
    table = sensitivity(plan_of([40] * 10))
    assert table["scenario"].tolist() == [
        "25% less throughput",
        "as planned",
        "25% more throughput",
    ]
    # 160 team hours a wave hold four 40 h servers; 120 hold three; 200 hold five.
    assert table["waves"].tolist() == [4, 3, 2]
    assert table["weeks"].tolist() == [8, 6, 4]
    assert table["engineer_hours"].nunique() == 1
    assert table["end"].is_monotonic_decreasing


def test_an_empty_plan_has_a_zero_length_timeline() -> None:
    t = build_timeline(plan_of([1, 1], retire=2))
    assert (t.weeks, t.waves, t.servers) == (0, 0, 0)
    assert t.end < t.start
