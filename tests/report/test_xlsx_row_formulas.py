"""`RowFormulas` makes its formulas a block of rows at a time with Arrow; every cell must be
exactly what `str.format` of the escaped template gives, across block edges, with rows
left out, literal braces and XML-escaped text."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np
import pytest

from advisor.report.xlsx_formulas import RowFormulas


def _expected(template, first, n, values, present):
    out = []
    for i in range(n):
        if present is not None and not present[i]:
            out.append(None)
            continue
        fill = {k: v[i] for k, v in values.items()}
        out.append(escape(template).format(r=first + i, **fill))
    return out


@pytest.mark.parametrize("n", [1, RowFormulas.BLOCK - 1, RowFormulas.BLOCK + 3])
def test_blocks_give_what_format_gives(n):
    rng = np.random.default_rng(n)
    a = rng.integers(2, 10**6, n)
    b = a + rng.integers(0, 40, n)
    values = {"a": a, "b": b, "k": b - a + 1}
    present = rng.random(n) < 0.8
    template = 'IF(COUNTIF(Findings!$A{a}:$A{b},$Q{r})={k},$B{r}<5,"{{x}} & y")'
    rows = RowFormulas(template, 3, n, values=values, present=present)
    assert rows._parts is not None  # the block path is the one under test
    # Asked in row order, as the writer asks, and once more out of order.
    assert [rows[i] for i in range(n)] == _expected(template, 3, n, values, present)
    assert rows[0] == _expected(template, 3, 1, values, present)[0]
    assert rows.formulas == int(present.sum())


def test_other_values_and_specs_are_filled_row_by_row():
    halves = RowFormulas("A{r}*{w}", 2, 3, values={"w": np.array([0.5, 1.25, 2.0])})
    assert halves._parts is None
    assert [halves[i] for i in range(3)] == ["A2*0.5", "A3*1.25", "A4*2.0"]
    padded = RowFormulas("A{r:03d}", 1, 2)
    assert padded._parts is None and padded[1] == "A002"
    fixed = RowFormulas("SUM(A1:A9)", 1, 2)
    assert [fixed[0], fixed[1]] == ["SUM(A1:A9)", "SUM(A1:A9)"]
    with pytest.raises(IndexError):
        fixed[2]
