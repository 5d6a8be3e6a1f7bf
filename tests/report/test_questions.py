"""Questions for the customer: every unknown verdict becomes a concrete request per topic,
with all the servers concerned, built from the assessment (and its plan when it has one)."""

from __future__ import annotations

import copy
import itertools
import re

import pandas as pd
import pytest

from advisor.engine.assess import load_catalog_rules
from advisor.report.model_context import _Context
from advisor.report.questions import FACT_TOPIC, CustomerQuestion, customer_questions
from advisor.report.section_questions import QUESTION_NAMES, _questions


@pytest.fixture(scope="module")
def planned(acme_planned):
    return acme_planned


@pytest.fixture(scope="module")
def real(real_655):
    return real_655


def _by_topic(questions: list[CustomerQuestion]) -> dict[str, CustomerQuestion]:
    return {q.topic: q for q in questions}


def test_every_fact_a_rule_reads_has_a_topic():
    """A fact a rule reads that no topic covers would fall back to a vague question."""
    used = {f for r in load_catalog_rules() for f in r.facts_used if not f.startswith("target_")}
    # is_template is a boolean the import always sets: it is never unknown.
    assert used - set(FACT_TOPIC) <= {"is_template"}


def test_backup_question_covers_every_server_with_an_unknown_backup_verdict(planned):
    f = planned.evaluation.findings
    unknown = f[(f["status"] == "unknown") & f["code"].str.startswith("BKP")]
    names = planned.servers["name"]
    expected = set(unknown["server_id"].map(names))
    gaps = planned.scores["confidence_gaps"].astype("string").str.contains("backup")
    expected |= set(names[gaps.fillna(False).to_numpy(dtype=bool)])
    q = _by_topic(customer_questions(planned))["Backup"]
    assert set(q.servers) == expected
    assert q.count == len(expected) > 0
    assert set(unknown["code"]) <= set(q.codes)
    assert f"these {q.count:,} servers" in q.question
    assert "backup product" in q.question


def test_questions_are_ordered_by_servers_and_worded_for_people(planned):
    questions = customer_questions(planned)
    assert questions
    counts = [q.count for q in questions]
    assert counts == sorted(counts, reverse=True)
    assert len({q.topic for q in questions}) == len(questions)
    for q in questions:
        assert q.servers == tuple(sorted(q.servers))
        assert "(s)" not in q.question
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", q.question), q.question  # no fact names
        assert q.question.endswith(("?", "."))


def test_no_dependency_table_asks_for_one_for_every_server(planned):
    asked = _by_topic(customer_questions(planned))
    assert planned.inventory.dependencies.empty
    assert asked["Dependencies"].count == len(planned.servers)
    assert "dependency table" in asked["Dependencies"].question

    given = copy.copy(planned)
    given.inventory = copy.copy(planned.inventory)
    ids = planned.servers.index[:2]
    given.inventory.dependencies = pd.DataFrame(
        {"source": [ids[0]], "target": [ids[1]], "port": [443]}
    )
    assert "Dependencies" not in _by_topic(customer_questions(given))


def test_questions_without_a_plan(acme_sample):
    assert acme_sample.plan is None
    questions = customer_questions(acme_sample)
    assert "Backup" in _by_topic(questions)


def test_questions_page_caps_names_and_links_only_described_rules(planned):
    section = _questions(_Context(planned))
    assert section.items
    ctx = _Context(planned)
    described = set(ctx.findings.loc[ctx.findings["status"] != "unknown", "code"])
    described |= set(ctx.portfolio.loc[ctx.portfolio["status"] == "fail", "code"])
    for item in section.items:
        assert item.servers.count(",") <= QUESTION_NAMES - 1
        for code, target in item.rules:
            assert bool(target) == (code in described)


def test_real_export_asks_for_sites_backup_and_owners_of_every_server(real):
    asked = _by_topic(customer_questions(real))
    n = len(real.servers)
    for topic in ("Sites and uplinks", "Backup", "Owners and purpose"):
        assert asked[topic].count == n, topic
    assert {"DSK001", "LAT004"} <= set(asked["Sites and uplinks"].codes)
    assert "uplink (Mbit/s)" in asked["Sites and uplinks"].question
    # Powered-off servers without a date: only those are asked about.
    off = real.evaluation.findings
    off = off[(off["code"] == "LCY002") & (off["status"] == "unknown")]
    assert asked["Switched-off servers"].count == off["server_id"].nunique() > 0


def test_questions_touching_as_many_servers_keep_the_topic_order(real):
    """Equal counts (every server lacks a site, a backup and an owner) follow the order of
    the topics, backup first, not the alphabet of their titles."""
    from advisor.report.questions import TOPICS

    questions = customer_questions(real)
    rank = {t.title: i for i, t in enumerate(TOPICS)}
    for a, b in itertools.pairwise(questions):
        if a.count == b.count and a.topic in rank and b.topic in rank:
            assert rank[a.topic] < rank[b.topic], (a.topic, b.topic)
    assert [q.topic for q in questions[:2]] == ["Backup", "Sites and uplinks"]


def test_a_name_two_servers_share_is_listed_once(planned):
    """Questions list names: two servers showing the same name appear once."""
    twin = copy.copy(planned)
    twin.inventory = copy.copy(planned.inventory)
    rows = planned.inventory.servers.copy()
    rows.loc[1, "name"] = rows.loc[0, "name"]
    twin.inventory.servers = rows
    deps = _by_topic(customer_questions(twin))["Dependencies"]
    assert len(twin.servers) == len(planned.servers)
    assert deps.count == len(planned.servers) - 1
    assert deps.servers == tuple(sorted(set(deps.servers)))
