"""Formulas registered before a big table's rows are held go into the rows as they are made
(a quarter of a million cells at 20,000 servers); the saved sheet must be byte for byte the
one the formula writer makes when the formulas come after the rows, and the count check
still catches a formula that found no cell."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from advisor.report.xlsx_fastrows import FAST_ROWS, pending
from advisor.report.xlsx_formulas import RowFormulas, sheet_formulas
from advisor.report.xlsx_report import save_workbook
from advisor.report.xlsx_sheets import Col, table_sheet

N = FAST_ROWS + 2_600  # held rows span more than one block of held XML


def _frame() -> pd.DataFrame:
    i = np.arange(N)
    return pd.DataFrame(
        {
            "name": [f"vm-{k} <&>" for k in i],
            "count": i % 7,
            "gib": i * 0.5,
            "word": np.where(i % 3 == 0, "ready", "not ready"),
            "spare": [None] * N,
        }
    )


COLS = (
    Col("name", "Name", 20),
    Col("count", "Count", 8, "#,##0"),
    Col("gib", "GiB", 10, "#,##0.0"),
    Col("word", "Readiness", 12),
    Col("spare", "Spare", 8),
)


def _register(wb: Workbook) -> None:
    """Formulas of every kind the workbook uses: a template per row (numbers filled in),
    a list with gaps, a text result, single cells, on held rows and on the first row."""
    s = sheet_formulas(wb, "T")
    k = np.arange(N) % 5
    s.column("B", 3, RowFormulas("MOD(ROW(),7)+{k}-{k}", 3, N, values={"k": k}))
    present = np.arange(N) % 4 != 0
    s.column("C", 3, RowFormulas("$B{r}*0+{r}/2-1.5", 3, N, present=present))
    s.column("C", 3, [None if p else f"ROW()/2-1.5+{j}*0" for j, p in enumerate(present)])
    s.column("D", 3, RowFormulas('IF(MOD({r}-3,3)=0,"ready","not ready")', 3, N))
    s.cell("A", 3 + N // 2, 'CONCAT("vm-",ROW()-3," <&>")')
    s.cell("A", 3, '"vm-0 <&>"')
    s.cell("E", 3 + N - 1, "1>0")  # an empty value cell: the formula alone


def _sheet(tmp_path, name: str, before: bool) -> bytes:
    wb = Workbook(write_only=True)
    if before:
        _register(wb)
    table_sheet(wb, "T", "A note.", COLS, _frame())
    assert pending(wb)["T"].with_formulas is before
    if not before:
        _register(wb)
        # The writer path needs a value cell for every formula: the empty one has none.
        del wb._advisor_formulas["T"].cells[("E", 3 + N - 1)]
        wb._advisor_formulas["T"].total -= 1
    path = save_workbook(wb, tmp_path / name)
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_formulas_in_held_rows_are_the_ones_the_formula_writer_puts_there(tmp_path):
    early = _sheet(tmp_path, "early.xlsx", before=True)
    late = _sheet(tmp_path, "late.xlsx", before=False)
    empty = f'<c r="E{3 + N - 1}"><f>1&gt;0</f></c>'.encode()
    assert late.count(b"<f>") > 3 * (N - 1)
    assert early.count(b"<f>") == late.count(b"<f>") + 1
    assert early.replace(empty, b"") == late


def test_the_values_stay_as_cached_results(tmp_path):
    _sheet(tmp_path, "early.xlsx", before=True)
    ws = load_workbook(tmp_path / "early.xlsx")["T"]
    row = N // 2 + 3
    assert ws[f"A{row}"].value == '=CONCAT("vm-",ROW()-3," <&>")'
    values = load_workbook(tmp_path / "early.xlsx", data_only=True)["T"]
    assert values[f"A{row}"].value == f"vm-{N // 2} <&>"
    assert values[f"D{row}"].value == ("ready" if (N // 2) % 3 == 0 else "not ready")
    assert values[f"C{row}"].value == (N // 2) * 0.5


def test_a_formula_registered_after_the_rows_are_held_is_caught(tmp_path):
    wb = Workbook(write_only=True)
    _register(wb)
    table_sheet(wb, "T", "A note.", COLS, _frame())
    sheet_formulas(wb, "T").cell("B", 3 + 100, "1+1")  # its row was made already
    with pytest.raises(RuntimeError, match="T: 1 formula cells had no value"):
        save_workbook(wb, tmp_path / "late.xlsx")
