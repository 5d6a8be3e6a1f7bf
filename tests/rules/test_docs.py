"""docs/rules.md is generated from the catalog; a stale copy fails the build."""

from __future__ import annotations

from pathlib import Path

from advisor.engine.assess import load_catalog_rules
from advisor.engine.docs import rules_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_is_current():
    expected = rules_markdown(load_catalog_rules())
    assert DOCS.exists(), "run: advisor rules docs"
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `advisor rules docs` and commit the result"
    )
