"""The rule catalog: every documented example is a test, and every rule's metadata is
complete (sqlfluff/Cloud Custodian style: the docs are the tests)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from advisor.engine.assess import load_catalog_rules
from advisor.engine.examples import example_outcome
from advisor.engine.rules import AREAS, CORE_AREAS
from advisor.targets import PROVIDERS

RULES = load_catalog_rules()
CASES = [(r, e) for r in RULES for e in r.spec.examples]


@pytest.mark.parametrize(("rule", "example"), CASES, ids=[f"{r.code}-{e.name}" for r, e in CASES])
def test_rule_example(rule, example):
    assert example_outcome(rule, example) == example.expect


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_metadata(rule):
    spec = rule.spec
    assert rule.path.name == f"{spec.code}-{spec.name}.yaml"
    assert rule.path.parent.name == spec.area
    assert spec.code.startswith(AREAS[spec.area])
    outcomes = {e.expect for e in spec.examples}
    assert outcomes == {"fail", "pass", "unknown"}, f"{spec.code} needs fail, pass and unknown"
    for name, param in spec.params.items():
        assert param.unit.strip() and len(param.description) > 10, name
    assert len(spec.rationale.split()) >= 25
    assert len(spec.remediation.split()) >= 20
    assert all(ref.url.startswith("http") for ref in spec.references)
    # Thresholds live in params or the catalog, never in the code or name.
    assert not re.search(r"\d", spec.name.replace(spec.code.lower(), ""))


def test_codes_and_names_unique():
    codes = Counter(r.code for r in RULES)
    names = Counter(r.name for r in RULES)
    assert max(codes.values()) == 1 and max(names.values()) == 1


def test_catalog_coverage():
    by_area = Counter(r.spec.area for r in RULES)
    assert len(RULES) >= 40, f"{len(RULES)} rules"
    for area in CORE_AREAS:
        assert by_area[area] >= 3, f"area {area} has {by_area[area]} rules"
    assert set(by_area) == set(AREAS), f"areas without rules: {set(AREAS) - set(by_area)}"


#: How each target provider is named in rule texts.
PROVIDER_NAMES = {"exoscale": "Exoscale", "scaleway": "Scaleway"}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_texts_fit_every_target(rule):
    """Each engagement reads the texts of its own provider and no other's: the rule's own
    texts are written for Exoscale and name no other provider; where the target differs, the
    target has its own version, so a Scaleway customer is never told to use an Exoscale
    service (and an Exoscale customer is not told about Scaleway)."""
    assert set(PROVIDER_NAMES) == set(PROVIDERS)
    for provider in PROVIDERS:
        spec = rule.spec.for_provider(provider)
        for field in ("rationale", "remediation"):
            text = getattr(spec, field)
            for other, name in PROVIDER_NAMES.items():
                if other != provider:
                    assert name not in text, f"the {provider} {field} names {name}"
        variant = rule.spec.providers.get(provider)
        for field in ("rationale", "remediation"):
            text = getattr(variant, field, None)
            if text is not None:
                assert len(text.split()) >= 20, field
        assert all(ref.url.startswith("http") for ref in getattr(variant, "references", None) or [])


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_references_fit_every_target(rule):
    """Another target's report may cite Exoscale's architecture handbooks for a general idea,
    never an Exoscale product page as the source of its advice."""
    for provider in PROVIDERS:
        if provider == "exoscale":
            continue
        for ref in rule.spec.for_provider(provider).references:
            if "exoscale" in ref.url.lower():
                assert "/handbooks/" in ref.url, f"{provider} cites {ref.url}"
