"""Scoring on a small synthetic catalog: readiness, disposition, confidence, effort, accepted,
and the one-off estate work."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from advisor.engine.confidence import TOPICS, confidence
from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rules
from advisor.engine.scoring import estate_effort, score_servers
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
estate_effort_hours: {estate}
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
    ("SIZ901", "big-blocker", "sizing", "blocker", "retain", 10, 0, "vcpus > limit * 6"),
    ("SIZ902", "big-high", "sizing", "high", "replatform", 5, 40, "vcpus > limit * 3"),
    ("SIZ903", "big-low", "sizing", "low", "rehost", 1, 0, "vcpus > limit"),
    ("LCY901", "old-and-off", "lifecycle", "low", "retire", 1, 0, "vcpus == 2"),
]


@pytest.fixture()
def setup(tmp_path):
    for code, name, area, sev, disp, effort, estate, when in RULES:
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
                    estate=estate,
                    when=when,
                )
            )
        )
    rules = load_rules(tmp_path, {"vcpus": "server"})
    ids = pd.Index(["a", "b", "c", "d", "e"])
    facts = pd.DataFrame(
        {
            "vcpus": pd.array([100, 40, 15, 2, None], dtype="Float64"),
            "memory_gib": pd.array([8, 8, 8, 8, 8], dtype="Float64"),
        },
        index=ids,
    )
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
    assert sc["score"].tolist() == [100 - 45 - 20 - 3, 100 - 20 - 3, 97, 97, 100]
    assert sc["disposition"].tolist() == ["retain", "replatform", "rehost", "retire", "rehost"]
    # A server to retire costs its decommissioning, not the base effort and its findings.
    assert sc["effort_hours"].tolist() == [4 + 10 + 5 + 1, 4 + 5 + 1, 5.0, 1.0, 4.0]
    assert sc["confidence"].tolist() == [5, 5, 5, 5, 1]
    assert sc.loc["e", "confidence_gaps"] == "size"
    assert sc.loc["a", "top_finding"] == "SIZ901: alpha value 100.0 over 10"
    unknown = ev.findings[ev.findings["status"] == "unknown"]
    assert set(unknown["server_id"]) == {"e"}
    assert unknown["message"].iloc[0] == "cannot tell: vcpus unknown"


def test_only_an_undecided_blocker_makes_readiness_unknown(setup):
    """Without the blocker rule, the server whose size is unknown has only high and low rules
    undecided: nothing could make it not ready, so it is ready with low confidence."""
    _, sc = run(setup, profile_rules={"SIZ901": {"enabled": False}})
    assert sc.loc["e", "readiness"] == "ready"
    assert sc.loc["e", "confidence"] == 1


def test_estate_work_is_counted_once(setup):
    """SIZ902 fails on two servers; its one-off estate effort appears once, with the count."""
    rules, _, _ = setup
    ev, _ = run(setup)
    work = estate_effort(ev.findings, ev.portfolio, rules)
    assert work[["code", "servers", "effort_hours"]].values.tolist() == [["SIZ902", 2, 40.0]]


def test_confidence_counts_open_topics_not_facts():
    """Backup, owner and copy time unknown: not 5 of 5, and the gaps are named; the same
    server with everything known is 5."""
    read = frozenset(f for t in TOPICS for f in t.used_by)
    known = {f: 1.0 for t in TOPICS for f in t.known_when}
    facts = pd.DataFrame([known, known], index=["all", "gaps"]).astype("Float64")
    facts.loc["gaps", ["backup_state", "has_owner", "transfer_hours"]] = pd.NA
    level, gaps = confidence(facts, read)
    assert level["all"] == 5 and gaps["all"] == ""
    assert level["gaps"] == 4
    assert gaps["gaps"] == "backup, owner, copy time"
    # A topic no enabled rule reads does not count.
    level, gaps = confidence(facts, read - {"has_owner"})
    assert "owner" not in gaps["gaps"]


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
