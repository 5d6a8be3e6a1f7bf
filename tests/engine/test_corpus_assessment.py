"""The real-world corpus assesses without errors, and docs/assessment.md records how it
reads: servers in and out of scope, readiness, confidence and every rule's failure rate per
file (scripts/corpus_table.py writes it). A change in those numbers is a change in advice
on real data: review it, rerun the script, and state the reason for any rule that now fails
on more than a third of a real estate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import load_script

ROOT = Path(__file__).resolve().parents[2]


TABLE = load_script(ROOT / "scripts" / "corpus_table.py", "corpus_table")


@pytest.fixture(scope="module")
def assessed(corpus):
    return TABLE.assess_corpus(corpus)


def test_every_server_read_is_assessed_out_of_scope_or_rejected(assessed):
    for name, a in assessed.items():
        scope = a.summary()["scope"]
        total = scope["in_scope"] + scope["out_of_scope"] + scope["rejected"]
        assert scope["servers_read"] == total, name
        assert a.scores["readiness"].notna().all(), name
        assert a.evaluation.findings["message"].str.len().gt(10).all(), name


def test_the_documented_table_is_current(assessed):
    doc = TABLE.DOC.read_text(encoding="utf-8")
    assert TABLE.render(doc, TABLE.table(assessed)) == doc, (
        "docs/assessment.md is stale: review the change, then run scripts/corpus_table.py"
    )


def test_a_rule_failing_on_a_third_of_an_estate_says_why(assessed):
    assert TABLE.unexplained(assessed) == []
    # Reasons for rules that no longer fail that often are stale: drop them.
    stale = [
        (name, code)
        for name, codes in TABLE.REASONS.items()
        for code in codes
        if TABLE.failure_rates(assessed[name]).get(code, 0) <= TABLE.SHARE
    ]
    assert stale == []


def test_no_real_estate_is_all_one_verdict(assessed):
    """The failure the corpus exposed before: no server ready, nearly all at top confidence.
    Each real RVTools export with more than a hundred servers has ready servers now, and no
    such estate has every server at confidence 5."""
    for name, a in assessed.items():
        if name.startswith("rvtools") and len(a.scores) > 100:
            summary = a.summary()
            assert summary["readiness"]["ready"] > 0, name
            assert summary["confidence"]["5"] < len(a.scores), name
