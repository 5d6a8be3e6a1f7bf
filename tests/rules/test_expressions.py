"""The rule expression language: three-valued logic, and no way to run code."""

from __future__ import annotations

import pandas as pd
import pytest

from advisor.engine.expr import ExpressionError, compile_expression

IDX = pd.RangeIndex(4)
ENV = {
    "hours": pd.Series([100, 2, None, 50], dtype="Float64"),
    "window": 48,
    "dc": pd.Series([True, False, None, True], dtype="boolean"),
    "os": pd.Series(["Windows Server 2008 R2", "Ubuntu 22.04", None, "win"], dtype="string"),
}
NAMES = set(ENV)


def run(text: str) -> list:
    return compile_expression(text, NAMES).evaluate(ENV, IDX).tolist()


NA = pd.NA


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("hours > window", [True, False, NA, True]),
        ("dc and hours > window", [True, False, NA, True]),
        ("dc or hours > window", [True, False, NA, True]),
        ("not dc", [False, True, NA, False]),
        ("dc and false", [False, False, False, False]),  # unknown and false is false
        ("dc or true", [True, True, True, True]),  # unknown or true is true
        ("os in ['Ubuntu 22.04']", [False, True, NA, False]),
        ("'2008' in os", [True, False, NA, False]),
        ("matches(os, 'windows server 20(03|08)')", [True, False, NA, False]),
        ("known(hours)", [True, True, False, True]),
        ("unknown(os)", [False, False, True, False]),
        ("hours / 0 > 1", [NA, NA, NA, NA]),
        ("hours * 2 >= 100", [True, False, NA, True]),
        ("min(hours, 60) >= 50", [True, False, NA, True]),
        ("between(hours, 40, 60)", [False, False, NA, True]),
        ("coalesce(hours, 0) > 1", [True, True, False, True]),
        ("window > 10", [True, True, True, True]),
        ("null", [NA, NA, NA, NA]),
        ("1 < hours < 60", [False, True, NA, True]),
    ],
)
def test_kleene_vectorised(text, want):
    assert run(text) == want


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('id')", "attribute access"),
        ("__import__('os')", "function '__import__' is not allowed"),
        ("open('/etc/passwd')", "function 'open' is not allowed"),
        ("eval('1')", "function 'eval' is not allowed"),
        ("os.__class__", "attribute access"),
        ("hours.__class__.__bases__", "attribute access"),
        ("(lambda: 1)()", "cannot be called"),
        ("lambda x: x", "lambda"),
        ("[c for c in os]", "comprehension"),
        ("os[0]", "indexing"),
        ("{'a': 1}", "dict literal"),
        ("_secret > 1", "may not start with '_'"),
        ("matches(os, pattern=1)", "keyword arguments"),
        ("hours if dc else window", "conditional expression"),
        ("(x := 1)", "assignment"),
        ("f'{hours}'", "f-string"),
        ("hourz > 1", "unknown name 'hourz'; did you mean 'hours'"),
        ("hours >", "not a valid expression"),
        ("matches(os, '(')", "bad pattern"),
    ],
)
def test_refused(text, reason):
    with pytest.raises(ExpressionError, match=None) as info:
        compile_expression(text, NAMES)
    assert reason in str(info.value)


def test_coalesce_fills_an_unknown_of_another_type():
    """A rule example's unknown arrives as an empty number column; `coalesce(x, false)` must
    still give false, not fail on the column's type."""
    env = {"flag": pd.Series([None, None], dtype="Float64")}
    expr = compile_expression("not coalesce(flag, false)", {"flag"})
    assert expr.evaluate(env, pd.RangeIndex(2)).tolist() == [True, True]
