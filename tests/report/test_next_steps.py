"""Next steps: the decisions the customer takes and the pilot or first wave, with and
without a plan."""

from __future__ import annotations

import copy

import pytest

from advisor.report.model_context import _Context
from advisor.report.section_next_steps import _next_steps


@pytest.fixture(scope="module")
def planned(acme_planned):
    return acme_planned


@pytest.fixture(scope="module")
def steps(planned):
    return _next_steps(_Context(planned), 7)


def _decision(steps, start: str):
    found = [d for d in steps.decisions if d.title.startswith(start)]
    assert found, [d.title for d in steps.decisions]
    return found[0]


def test_retire_candidates_are_named_for_confirmation(planned, steps):
    retire = planned.scores.index[planned.scores["disposition"] == "retire"]
    names = planned.servers.loc[retire, "name"]
    assert len(names) > 0
    d = _decision(steps, "Servers to retire")
    assert d.title.endswith(f"{len(names)} servers")
    for name in names:
        assert name in d.text


def test_servers_that_stay_are_counted_with_their_reasons(planned, steps):
    s = planned.servers
    stay = s[(s["readiness"] == "not_ready") | (s["disposition"] == "retain")]
    d = _decision(steps, "What stays behind")
    assert d.title == f"What stays behind: {len(stay)} servers"
    assert "The main reasons:" in d.text


def test_licensing_choice_names_each_licensing_issue(planned, steps):
    d = _decision(steps, "Licensing model")
    assert "Production SAP on an IaaS platform SAP has not certified (2 servers)" in d.text
    assert "(estate-wide)" in d.text  # Windows Server licensing, an estate-wide finding
    assert d.anchor == "area-licensing"


def test_one_fact_is_one_decision(steps):
    titles = [d.title for d in steps.decisions]
    seeding = [t for t in titles if "Seeding" in t]
    assert len(seeding) == 1, titles  # BWD003 and DSK004 measure the same copy time


def test_accepted_exception_is_a_risk_to_sign_off(steps):
    d = _decision(steps, "Accepted risks")
    assert "bsl-ci-01" in d.text


def test_pilot_names_the_servers_of_the_first_wave(planned, steps):
    waves = planned.plan.waves
    first = waves.waves.iloc[0]
    ids = waves.servers.index[waves.servers["wave"].astype("Float64") == float(first["wave"])]
    assert steps.first_wave_title == ("Pilot" if first["kind"] == "pilot" else "First wave")
    text = " ".join(steps.first_wave)
    for name in planned.servers.loc[ids, "name"]:
        assert name in text
    assert f"{len(waves.waves)} waves" in text


def test_without_a_plan_the_page_says_what_comes_instead(planned):
    bare = copy.copy(planned)
    bare.plan = None
    steps = _next_steps(_Context(bare), 0)
    assert steps.first_wave_title == "First wave"
    assert "no migration plan" in steps.first_wave[0]
    assert steps.decisions  # the decisions do not need the plan
    assert not steps.intro.startswith("First, the customer answers")
