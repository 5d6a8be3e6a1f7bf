"""The rows of big sheets wait for `finish` as sheet XML in a temporary file, not as
Python values (over a gigabyte at 100,000 servers), and the files go once the workbook is
written, or fails to be."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from advisor.report.xlsx_fastrows import HeldRows, finish, hold_rows, pending
from advisor.report.xlsx_report import save_workbook
from advisor.report.xlsx_sheets import Col, table_sheet


class Text(str):
    """A text value that can be watched with a weak reference."""


def test_held_rows_keep_no_python_values():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("T")
    rows = [[Text(f"server {i}"), i, 1.5] for i in range(50)]
    watched = [weakref.ref(row[0]) for row in rows]
    hold_rows(wb, ws, "T", rows, 3, [None, "#,##0", None])
    del rows
    gc.collect()
    assert all(ref() is None for ref in watched)
    held = pending(wb)["T"]
    assert isinstance(held, HeldRows) and held.size > 0
    xml = b"".join(held.chunks()).decode()
    assert xml.startswith('<row r="3"><c r="A3" t="inlineStr"><is><t>server 0</t></is></c>')
    assert '<row r="52">' in xml and 'r="B52" s="' in xml and 'r="C52" t="n"' in xml


def test_a_big_sheet_reads_back_and_its_held_file_is_closed(tmp_path):
    n = 800
    frame = pd.DataFrame(
        {"name": [f"s{i:04d}" for i in range(n)], "gib": [i * 1.25 for i in range(n)]}
    )
    cols = (Col("name", "Name", 20), Col("gib", "GiB", 10, "#,##0.0"))
    wb = Workbook(write_only=True)
    table_sheet(wb, "Big", "A note.", cols, frame)
    held = pending(wb)["Big"]
    path = save_workbook(wb, tmp_path / "big.xlsx")
    assert held.file.closed and not pending(wb)
    ws = load_workbook(path)["Big"]
    values = [(r[0].value, r[1].value, r[1].number_format) for r in ws.iter_rows(min_row=3)]
    assert values == [(f"s{i:04d}", i * 1.25, "#,##0.0") for i in range(n)]


def test_a_splice_that_fails_leaves_no_copy_and_closes_the_held_files(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("T")
    ws.append(["header"])
    hold_rows(wb, ws, "T", [["a"], ["b"]], 5, [None])  # row 4, the anchor, was never written
    held = pending(wb)["T"]
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with pytest.raises(RuntimeError, match="row 4 not found"):
        finish(path, pending(wb))
    assert held.file.closed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_rows_given_as_columns_make_the_same_xml_as_rows():
    """`_columns_xml` writes a column of one type without a call per cell: the same XML as
    `_row_xml` for every kind of value, empty cells and text that needs escaping."""
    from openpyxl import Workbook as _Workbook

    from advisor.report.xlsx_fastrows import _columns_xml, _row_xml
    from advisor.report.xlsx_sheets import text_cell

    ws = _Workbook(write_only=True).create_sheet("T")
    columns = [
        [1.5, float("nan"), None, float("inf"), 2.0, -0.1],
        [3, None, 0, -7, 10**12, 5],
        ["a & b", "", None, " lead", "<x>", "trail "],
        ["plain", " sp", None, "", "x\n", "\ty"],  # nothing to escape
        [True, False, None, True, False, None],
        ["x", 1, 2.5, None, text_cell(ws, "=1+1"), True],  # mixed: the per-cell path
        [None] * 6,
    ]
    styles = ["7", None, "3", "4", None, None, "2"]
    letters = ["A", "B", "C", "D", "E", "F", "G"]
    rows = [list(r) for r in zip(*columns, strict=True)]
    assert _columns_xml(columns, 6, 4, styles, letters) == _row_xml(rows, 4, styles, letters)
