"""The scored copy of a customer's workbook: right sheet, right rows, nothing else touched."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from builders import VINFO_4X, prefix_xml, vinfo_row, write_xlsx
from openpyxl import load_workbook

from advisor.engine.assess import assess
from advisor.errors import InputError
from advisor.inventory import load_inventory
from advisor.profile import default_profile
from advisor.report.xlsx_into import HEADERS, write_scored_copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scored(path: Path, dest: Path) -> tuple[object, Path]:
    a = assess(load_inventory(path), default_profile())
    return a, write_scored_copy(a, path, dest)


def test_a_spreadsheet_with_title_rows_gets_columns_beside_its_header(tmp_path):
    path = write_xlsx(
        tmp_path / "customer.xlsx",
        {
            "Contacts": [["Name", "Phone"], ["Ann", "+41 61 000 00 00"]],
            "Server list": [
                ["Acme AG server list"],
                ["exported 2026-09-01"],
                ["Server", "vCPU", "RAM (GB)", "Operating System", "Notes"],
                ["web01", 2, 8, "Windows Server 2019", "=SUM(1,2)"],
                [None, None, None, None, None],
                ["db01", 8, 64, "Microsoft Windows Server 2003 (32-bit)", None],
            ],
        },
    )
    before = digest(path)
    a, copy = scored(path, tmp_path / "out" / "customer-scored.xlsx")
    assert digest(path) == before
    wb, old = load_workbook(copy), load_workbook(path)
    assert wb.sheetnames == ["Contacts", "Server list"]
    assert [[c.value for c in r] for r in wb["Contacts"].iter_rows()] == [
        [c.value for c in r] for r in old["Contacts"].iter_rows()
    ]
    ws = wb["Server list"]
    assert [c.value for c in ws[3]][5:] == list(HEADERS)
    assert ws["A1"].value == "Acme AG server list" and ws["F1"].value is None
    assert ws["E4"].value == "=SUM(1,2)"  # the customer's own cells are copied as they are
    assert ws["F5"].value is None  # the blank row stays blank
    servers = a.servers.set_index("name")
    for r, name in ((4, "web01"), (6, "db01")):
        assert ws[f"A{r}"].value == name
        assert ws[f"F{r}"].value == servers.at[name, "score"]
        assert ws[f"H{r}"].value == servers.at[name, "disposition"]
    assert ws["I6"].value == servers.at["db01", "top_finding"]
    assert ws["G6"].value in ("conditional", "not ready", "unknown", "ready")
    assert ws.column_dimensions["I"].width == 80
    assert ws["F3"].font.b == ws["E3"].font.b


def test_rvtools_with_prefixed_xml_keeps_its_namespace_and_other_tabs(tmp_path):
    path = write_xlsx(
        tmp_path / "rv.xlsx",
        {
            "vInfo": [VINFO_4X, vinfo_row("web01"), vinfo_row("db01", **{"VM UUID": "u2"})],
            "vHost": [["Host", "Datacenter"], ["esx01", "DC1"]],
        },
    )
    prefix_xml(path)
    before = digest(path)
    a, copy = scored(path, tmp_path / "rv-scored.xlsx")
    assert digest(path) == before
    with zipfile.ZipFile(path) as zo, zipfile.ZipFile(copy) as zc:
        sheet = zc.read("xl/worksheets/sheet1.xml").decode()
        assert "<x:c " in sheet and "advisor score" in sheet
        assert zo.read("xl/worksheets/sheet2.xml") == zc.read("xl/worksheets/sheet2.xml")
    ws = load_workbook(copy)["vInfo"]
    width = len(VINFO_4X)
    assert ws.cell(row=1, column=width + 1).value == "advisor score"
    assert ws.cell(row=2, column=1).value == "web01"
    assert ws.cell(row=2, column=width + 1).value == int(
        a.servers.set_index("name").at["web01", "score"]
    )


def test_refuses_to_overwrite_the_original(tmp_path):
    path = write_xlsx(tmp_path / "rv.xlsx", {"vInfo": [VINFO_4X, vinfo_row("web01")]})
    a = assess(load_inventory(path), default_profile())
    with pytest.raises(InputError, match="must not overwrite"):
        write_scored_copy(a, path, path)


def test_refuses_a_legacy_or_broken_workbook(tmp_path):
    path = write_xlsx(tmp_path / "rv.xlsx", {"vInfo": [VINFO_4X, vinfo_row("web01")]})
    a = assess(load_inventory(path), default_profile())
    fake = tmp_path / "old.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputError, match=r"needs an \.xlsx"):
        write_scored_copy(a, fake, tmp_path / "x.xlsx")


def test_out_of_scope_rows_say_so_with_the_reason(tmp_path):
    path = write_xlsx(
        tmp_path / "rv.xlsx",
        {
            "vInfo": [
                VINFO_4X,
                vinfo_row("web01"),
                vinfo_row("tpl-win2022", Template="True", **{"VM UUID": "u-tpl"}),
                vinfo_row("db01", **{"VM UUID": "u-db"}),
            ]
        },
    )
    a, copy = scored(path, tmp_path / "rv-scored.xlsx")
    assert a.out_of_scope["name"].tolist() == ["tpl-win2022"]
    ws = load_workbook(copy)["vInfo"]
    width = len(VINFO_4X)
    cells = {
        row[0]: list(row[width : width + 4])
        for row in ws.iter_rows(min_row=2, max_row=4, values_only=True)
    }
    score, readiness, disposition, finding = cells["tpl-win2022"]
    assert (score, readiness, disposition) == (None, "out of scope", None)
    reason = a.out_of_scope.set_index("name").at["tpl-win2022", "reason"]
    assert finding == f"template: {reason}"
    servers = a.servers.set_index("name")
    for name in ("web01", "db01"):
        assert cells[name][0] == servers.at[name, "score"]
        assert cells[name][1] in ("ready", "conditional", "not ready", "unknown")


def test_new_header_cells_look_like_the_customers_and_join_its_filter(tmp_path):
    """The customer's header style (font, fill, border, alignment) is taken from a styled
    header cell even when the last header cell is plain, and the autofilter on the header
    row is widened to advisor's columns."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    path = write_xlsx(tmp_path / "rv.xlsx", {"vInfo": [VINFO_4X, vinfo_row("web01")]})
    wb = load_workbook(path)
    ws = wb["vInfo"]
    width = len(VINFO_4X)
    for cell in ws[1][: width - 1]:  # the last header cell stays plain
        cell.font = Font(name="Arial", bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.border = Border(bottom=Side(style="medium", color="000000"))
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    last = ws.cell(row=1, column=width).column_letter
    ws.auto_filter.ref = f"A1:{last}2"
    wb.save(path)
    _, copy = scored(path, tmp_path / "rv-scored.xlsx")
    ws = load_workbook(copy)["vInfo"]
    model = ws.cell(row=1, column=1)
    for c in range(width + 1, width + 1 + len(HEADERS)):
        new = ws.cell(row=1, column=c)
        assert new.font.name == "Arial" and new.font.b and new.font.color.rgb == "00FFFFFF"
        assert new.fill.fgColor.rgb == model.fill.fgColor.rgb == "001F4E78"
        assert new.border.bottom.style == "medium"
        assert new.alignment.horizontal == "center" and new.alignment.wrap_text
    end = ws.cell(row=1, column=width + len(HEADERS)).column_letter
    assert ws.auto_filter.ref == f"A1:{end}2"
