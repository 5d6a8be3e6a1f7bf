"""Big table sheets take a fast path (row XML spliced after saving); it must write exactly
what openpyxl writes: the same values, types, number formats and forced-text cells."""

from __future__ import annotations

import re
import zipfile

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from openpyxl import load_workbook

import advisor.report.xlsx_sheets as sheets
from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile
from advisor.report.xlsx_report import write_xlsx as write_workbook

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "<script>", "{{ 7*7 }}"]


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast")
    rows = [VINFO_4X] + [
        vinfo_row(f"{HOSTILE[i % len(HOSTILE)]}{i:03d}", Annotation=HOSTILE[i % len(HOSTILE)])
        for i in range(40)
    ]
    return assess(load_inventory(write_xlsx(folder / "h.xlsx", {"vInfo": rows})), default_profile())


def _cells(path):
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = (c.value, c.number_format, c.quotePrefix)
    return out


@pytest.mark.parametrize("part_rows", [10_000, 3])
def test_fast_rows_equal_openpyxl_rows(assessment, tmp_path, monkeypatch, part_rows):
    """Also when a big table is built and held in parts of a few rows (`part_rows` 3: the
    40 servers' rows in 14 parts)."""
    monkeypatch.setattr(sheets, "FAST_ROWS", 10**9)
    slow = write_workbook(assessment, tmp_path / "slow.xlsx")
    monkeypatch.setattr(sheets, "FAST_ROWS", 1)
    monkeypatch.setattr(sheets, "PART_ROWS", part_rows)
    fast = write_workbook(assessment, tmp_path / "fast.xlsx")
    a, b = _cells(slow), _cells(fast)
    assert a == b
    names = {v: quoted for (sheet, _), (v, _, quoted) in b.items() if sheet == "Servers"}
    # Formula-like names stay text with a quote prefix. ('=...' names cannot be tested this
    # way: the fixture's openpyxl stores them as formulas, which the importer reads as empty.)
    assert names["@SUM(A1)003"] is True
    assert names["+1+1001"] is True and names["-2+3002"] is True
    assert names["<script>004"] is False
    with zipfile.ZipFile(fast) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                # advisor's own formulas (live scores) only, never inventory text
                for formula in re.findall(r"<f>([^<]*)</f>", zf.read(name).decode()):
                    assert not any(h in formula for h in ("HYPERLINK", "SUM(A1)", "7*7")), name
