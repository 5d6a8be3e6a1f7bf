"""`Assessment.servers` and `Assessment.summary()` are made once and handed out as copies,
and made again when a table under them is replaced."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    return assess(
        load_inventory(ROOT / "sample_inventories" / "acme-rvtools.xlsx"),
        load_profile(ROOT / "sample_inventories" / "acme-profile.yaml"),
    )


def test_summary_is_a_copy_a_caller_may_change(sample):
    first = sample.summary()
    first["readiness"]["ready"] = -1
    first["servers"] = -1
    again = sample.summary()
    assert again["servers"] == len(sample.scores)
    assert again["readiness"]["ready"] >= 0
    assert again == sample._make_summary()


def test_summary_follows_a_replaced_table(sample):
    changed = copy.copy(sample)
    scores = sample.scores.copy()
    scores["readiness"] = "ready"
    changed.scores = scores
    assert changed.summary()["readiness"]["ready"] == len(scores)
    assert sample.summary()["readiness"]["ready"] < len(scores)


def test_servers_is_a_shallow_copy_that_follows_replaced_tables(sample):
    a = sample.servers
    a["extra"] = 1
    assert "extra" not in sample.servers
    changed = copy.copy(sample)
    scores = sample.scores.copy()
    scores["score"] = 7
    changed.scores = scores
    assert set(changed.servers["score"]) == {7}
    assert set(sample.servers["score"]) != {7}


def test_a_copy_with_its_own_tables_leaves_the_original_its_own(sample):
    before = sample.summary()
    changed = copy.copy(sample)
    scores = sample.scores.copy()
    scores["readiness"] = "ready"
    changed.scores = scores
    changed.summary()
    assert sample._kept["summary"][0][3] is sample.scores  # not replaced by the copy's
    assert sample.summary() == before
