"""Run a rule's documented examples: the facts they give must produce the outcome they claim.

Used by the test suite (every example of every rule is a test case) and by
`advisor rules show`, so the documentation of a rule can never drift from its behaviour.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.engine.rules import Example, Rule


def _series(value: Any) -> pd.Series:
    if value is None:  # unknown: a nullable float NA stays unknown under every operator
        return pd.Series([pd.NA], dtype="Float64")
    if isinstance(value, bool):
        return pd.Series([value], dtype="boolean")
    if isinstance(value, int | float):
        return pd.Series([value], dtype="Float64")
    return pd.Series([value], dtype="string")


def example_outcome(rule: Rule, example: Example) -> str:
    """'fail', 'pass' or 'unknown' for one example; facts it leaves out are unknown."""
    params = {k: p.default for k, p in rule.spec.params.items()}
    params.update(example.params)
    if rule.spec.scope == "portfolio":
        env: dict[str, Any] = {n: example.facts.get(n) for n in rule.facts_used}
        index = pd.RangeIndex(1)
    else:
        env = {n: _series(example.facts.get(n)) for n in rule.facts_used}
        index = pd.RangeIndex(1)
    env.update(params)
    value = rule.expression.evaluate(env, index).iloc[0]
    if pd.isna(value):
        return "unknown"
    return "fail" if bool(value) else "pass"
