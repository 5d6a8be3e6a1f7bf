"""The real-world corpus assesses without errors; readiness per file is recorded here.

Default profile (no sites): location rules are unknown, so the counts show what the
inventory alone supports. A change in these numbers is a change in advice on real data:
review it like any other, then update the table.
"""

from __future__ import annotations

import pytest

from advisor.engine.assess import assess, load_catalog_rules
from advisor.inventory import load_inventory
from advisor.profile import default_profile

READINESS = {
    "azure-migrate-10servers.csv": {"ready": 0, "conditional": 10, "not_ready": 0, "unknown": 0},
    "azure-migrate-90servers.csv": {"ready": 0, "conditional": 66, "not_ready": 8, "unknown": 16},
    "azure-migrate-template.csv": {"ready": 0, "conditional": 6, "not_ready": 0, "unknown": 4},
    "odd-synthetic-3vms.xlsx": {"ready": 0, "conditional": 2, "not_ready": 0, "unknown": 1},
    "odd-synthetic-partial-headers.xlsx": {
        "ready": 0,
        "conditional": 2,
        "not_ready": 1,
        "unknown": 2,
    },
    "rvtools-3.10.1-25tabs.xlsx": {"ready": 0, "conditional": 1, "not_ready": 0, "unknown": 26},
    "rvtools-3.x-tabvInfo.csv": {"ready": 0, "conditional": 5, "not_ready": 0, "unknown": 0},
    "rvtools-3.x-trimmed-3tabs.xlsx": {
        "ready": 0,
        "conditional": 711,
        "not_ready": 78,
        "unknown": 16,
    },
    "rvtools-3.x-trimmed-5tabs.xlsx": {
        "ready": 0,
        "conditional": 108,
        "not_ready": 22,
        "unknown": 1,
    },
    "rvtools-4.6.1-anon-339vms.xlsx": {
        "ready": 0,
        "conditional": 182,
        "not_ready": 97,
        "unknown": 60,
    },
    "rvtools-4.6.1-anon-655vms.xlsx": {
        "ready": 0,
        "conditional": 90,
        "not_ready": 490,
        "unknown": 75,
    },
    "rvtools-4.7-libreoffice-6tabs.xlsx": {
        "ready": 0,
        "conditional": 3,
        "not_ready": 1,
        "unknown": 5,
    },
    "rvtools-subset-100vms.xlsx": {"ready": 0, "conditional": 0, "not_ready": 2, "unknown": 98},
}

RULES = load_catalog_rules()


@pytest.mark.parametrize("name", sorted(READINESS))
def test_corpus_readiness(corpus, name):
    a = assess(load_inventory(corpus / name), default_profile(), rules=RULES)
    summary = a.summary()
    assert summary["servers"] == sum(READINESS[name].values())
    assert summary["readiness"] == READINESS[name]
    # Every server got a verdict and every finding says something.
    assert a.scores["readiness"].notna().all()
    assert a.evaluation.findings["message"].str.len().gt(10).all()
