"""Scoring on a small synthetic catalog: readiness, disposition, confidence, effort, accepted."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rules
from advisor.engine.scoring import score_servers
from advisor.engine.settings import resolve_settings
from advisor.errors import InputError

TEMPLATE = """\
code: {code}
name: {name}
area: {area}
title: Synthetic rule {code} for scoring tests
severity: {severity}
disposition: {disposition}
effort_hours: {effort}
when: {when}
params: {{limit: {{default: 10, unit: count, description: A limit for the test rule}}}}
message: "{{name}} value {{vcpus}} over {{limit}}"
rationale: >-
  Synthetic rationale text long enough for the loader, which only checks the length of
  this field and not whether it says anything sensible about a real migration at all.
remediation: >-
  Synthetic remediation text long enough for the loader, which only checks the length of
  this field and nothing else whatsoever.
references: [{{title: Test reference, url: "https://example.org/x"}}]
examples:
  - {{name: f, facts: {{vcpus: 100}}, expect: fail}}
  - {{name: p, facts: {{vcpus: 0}}, expect: pass}}
  - {{name: u, facts: {{vcpus: null}}, expect: unknown}}
"""

RULES = [
    ("SIZ901", "big-blocker", "sizing", "blocker", "retain", 10, "vcpus > limit * 6"),
    ("SIZ902", "big-high", "sizing", "high", "replatform", 5, "vcpus > limit * 3"),
    ("SIZ903", "big-low", "sizing", "low", "rehost", 1, "vcpus > limit"),
]


@pytest.fixture()
def setup(tmp_path):
    for code, name, area, sev, disp, effort, when in RULES:
        folder = tmp_path / area
        folder.mkdir(exist_ok=True)
        (folder / f"{code}-{name}.yaml").write_text(
            textwrap.dedent(
                TEMPLATE.format(
                    code=code,
                    name=name,
                    area=area,
                    severity=sev,
                    disposition=disp,
                    effort=effort,
                    when=when,
                )
            )
        )
    rules = load_rules(tmp_path, {"vcpus": "server"})
    ids = pd.Index(["a", "b", "c", "d", "e"])
    facts = pd.DataFrame({"vcpus": pd.array([100, 40, 15, 2, None], dtype="Float64")}, index=ids)
    names = pd.Series(["alpha", "beta", "gamma", "delta", "eps"], index=ids)
    return rules, facts, names


PENALTIES = {"info": 0, "low": 3, "medium": 8, "high": 20, "blocker": 45}


def run(setup, profile_rules=None, sets=(), exceptions=()):
    rules, facts, names = setup
    settings = resolve_settings(rules, profile_rules or {}, list(sets))
    ev = evaluate(rules, settings, facts, {}, list(exceptions), names)
    return ev, score_servers(facts.index, ev.findings, facts, rules, settings, PENALTIES, 4.0)


def test_readiness_score_disposition_effort(setup):
    ev, sc = run(setup)
    assert sc["readiness"].tolist() == ["not_ready", "conditional", "ready", "ready", "unknown"]
    assert sc["score"].tolist() == [100 - 45 - 20 - 3, 100 - 20 - 3, 97, 100, 100]
    assert sc["disposition"].tolist() == ["retain", "replatform", "rehost", "rehost", "rehost"]
    assert sc["effort_hours"].tolist() == [4 + 10 + 5 + 1, 4 + 5 + 1, 5.0, 4.0, 4.0]
    assert sc["confidence"].tolist() == [5, 5, 5, 5, 1]
    assert sc.loc["a", "top_finding"] == "SIZ901: alpha value 100.0 over 10"
    unknown = ev.findings[ev.findings["status"] == "unknown"]
    assert set(unknown["server_id"]) == {"e"}
    assert unknown["message"].iloc[0] == "cannot tell: vcpus unknown"


def test_accepted_exception_costs_nothing_but_stays_visible(setup):
    ev, sc = run(setup, exceptions=[("SIZ901", "a", "Customer keeps it on-prem")])
    row = ev.findings[(ev.findings["server_id"] == "a") & (ev.findings["code"] == "SIZ901")]
    assert row["status"].item() == "accepted"
    assert row["reason"].item() == "Customer keeps it on-prem"
    assert sc.loc["a", "readiness"] == "conditional"
    assert sc.loc["a", "accepted"] == 1


def test_overrides_profile_then_command_line(setup):
    _, sc = run(
        setup, profile_rules={"big-high": {"severity": "blocker"}}, sets=["SIZ903.limit=50"]
    )
    assert sc.loc["b", "readiness"] == "not_ready"  # high became blocker by name
    assert sc.loc["c", "readiness"] == "ready" and sc.loc["c", "score"] == 100  # limit raised
    _, sc = run(setup, profile_rules={"SIZ901": {"enabled": False}})
    assert sc.loc["a", "readiness"] == "conditional"


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["SIZ99.limit=3"], "unknown rule 'SIZ99'"),
        (["SIZ901.limt=3"], "has no param 'limt'"),
        (["SIZ901.limit=lots"], "must be a int"),
        (["SIZ901limit=3"], "write --set CODE.param=value"),
    ],
)
def test_bad_overrides_explained(setup, sets, message):
    with pytest.raises(InputError, match=message):
        run(setup, sets=sets)


def test_engagement_values_feed_params_of_that_name(setup):
    rules, _, _ = setup
    settings = resolve_settings(rules, {}, [], {"limit": 50})
    assert settings["SIZ903"].params["limit"] == 50
    assert settings["SIZ903"].origin["limit"] == "profile"
    settings = resolve_settings(rules, {"SIZ903": {"params": {"limit": 7}}}, [], {"limit": 50})
    assert settings["SIZ903"].params["limit"] == 7
