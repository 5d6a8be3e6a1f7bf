"""`advisor template`: the customer's workbook, and that a filled one reads back in full."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from advisor.cli import app
from advisor.facts.identity import ROLE_TEXT
from advisor.inventory import load_inventory
from advisor.inventory.template import (
    BACKUP_METHODS,
    COLUMNS,
    DEPENDENCY_SHEET,
    EXAMPLE_NAME,
    ROLES,
    SHEET,
    write_template,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "inventory.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def filled(blank, tmp_path_factory) -> Path:
    """The template as a customer returns it: the example row overwritten with their first
    server (name changed, the other example values kept), a second server below it, a
    column of their own and one dependency."""
    wb = load_workbook(blank)
    ws = wb[SHEET]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=1, value="erp-db01")
    second = {
        "Server name": "erp-app01",
        "Role": "Web server",
        "Environment": "test",
        "Memory (GB)": 8,
        "vCPUs": 2,
        "CPU usage (%)": 12.5,
        "Backup method": "Veeam agent",
        "RPO (hours)": 4,
        "Power state": "on",
    }
    for header, value in second.items():
        ws.cell(row=3, column=headers.index(header) + 1, value=value)
    ws.cell(row=1, column=len(headers) + 1, value="Cost centre")
    ws.cell(row=2, column=len(headers) + 1, value="CC-4711")
    wb[DEPENDENCY_SHEET].append(["erp-app01", "erp-db01", 1433, "SQL Server"])
    path = tmp_path_factory.mktemp("filled") / "returned.xlsx"
    wb.save(path)
    return path


def test_headers_are_plain_words_with_units(blank):
    wb = load_workbook(blank)
    assert wb.sheetnames == ["README", SHEET, DEPENDENCY_SHEET]
    headers = [c.value for c in wb[SHEET][1]]
    assert headers == [c.header for c in COLUMNS]
    for header in ("Server name", "Memory (GB)", "Used storage (GB)", "CPU usage (%)",
                   "Memory usage (%)", "RPO (hours)", "RTO (hours)", "Backup method"):  # fmt: skip
        assert header in headers
    assert not any("_" in h for h in headers)  # no internal field names
    example = [c.value for c in wb[SHEET][2]]
    assert example[0] == EXAMPLE_NAME and all(v is not None for v in example)
    assert [c.value for c in wb[DEPENDENCY_SHEET][1]] == [
        "Source server",
        "Target server",
        "Port",
        "Service",
    ]


def test_dropdowns_for_role_environment_and_backup(blank):
    ws = load_workbook(blank)[SHEET]
    headers = [c.value for c in ws[1]]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        by_column[headers[ord(letter) - ord("A")]] = dv
    assert {"Role", "Environment", "Backup method", "Criticality"} <= set(by_column)
    assert "production" in by_column["Environment"].formula1
    assert by_column["Role"].errorStyle == "warning"  # own words allowed
    assert by_column["Environment"].errorStyle in (None, "stop")  # fixed values
    assert all(len(dv.formula1) <= 255 for dv in by_column.values())  # Excel's limit


def test_readme_speaks_to_the_customer(blank):
    ws = load_workbook(blank)["README"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "your servers" in text and "Dependencies sheet" in text
    assert "advisor inspect" not in text and "(s)" not in text
    assert "_gib" not in text and "attr." not in text


def test_role_choices_are_recognised_by_role_detection():
    special = [r for r in ROLES if r not in ("Application server", "Other")]
    for role in special:
        assert any(re.search(p, role.lower()) for p in ROLE_TEXT.values()), role


def test_backup_choices_are_statements_the_backup_facts_read():
    from advisor.facts.backup import DECLINED, IMAGE_LEVEL

    assert any(re.search(IMAGE_LEVEL, m.lower()) for m in BACKUP_METHODS)
    assert re.search(DECLINED, "none")


def test_blank_template_reads_as_no_servers(blank):
    inv = load_inventory(blank)
    assert inv.source.format == "template"
    assert len(inv.servers) == 0
    assert any(EXAMPLE_NAME in note for note in inv.source.notes)


def test_filled_template_maps_every_column(filled):
    inv = load_inventory(filled)
    assert inv.source.format == "template"
    status = {m.header: (m.column, m.status) for m in inv.source.mapping}
    for c in COLUMNS:
        expected = c.column or f"attr.{c.header}"
        assert status[c.header][0] == expected, c.header
    assert status["Cost centre"] == ("attr.Cost centre", "kept")
    assert not [m for m in inv.source.mapping if m.status in ("unmapped", "ignored")]
    servers = inv.servers.set_index("name")
    assert list(servers.index) == ["erp-db01", "erp-app01"]
    db, app_ = servers.loc["erp-db01"], servers.loc["erp-app01"]
    assert db["memory_gib"] == 16 and db["provisioned_gib"] == 300
    assert db["cpu_usage_pct"] == 35 and db["memory_usage_pct"] == 60
    assert db["environment"] == "production" and db["os_family"] == "windows"
    assert db["power_state"] == "on" and db["users"] == 120
    assert app_["cpu_usage_pct"] == 12.5 and app_["backup_method"] == "Veeam agent"
    assert app_["attr.RPO (hours)"] == "4"
    deps = inv.dependencies
    assert deps[["source", "target"]].values.tolist() == [["erp-app01", "erp-db01"]]
    assert int(deps["port"].iloc[0]) == 1433


def test_servers_sheet_alone_maps_through_the_generic_importer(filled, tmp_path):
    """A customer who copies the sheet into a workbook of their own loses the README that
    marks the template; the generic importer still recognises every header."""
    wb = load_workbook(filled)
    del wb["README"]
    path = tmp_path / "own.xlsx"
    wb.save(path)
    inv = load_inventory(path)
    assert inv.source.format == "generic"
    mapped = {m.header: m.column for m in inv.source.mapping}
    for c in COLUMNS:
        assert mapped[c.header] == (c.column or f"attr.{c.header}"), c.header
    assert len(inv.dependencies) == 1


def test_filled_template_assesses(filled, tmp_path, monkeypatch):
    import advisor.report

    class NoPdf:
        def __init__(self) -> None:
            raise AssertionError("PDF process started")

    monkeypatch.setattr(advisor.report, "PdfWorker", NoPdf)
    result = runner.invoke(app, ["assess", str(filled), "-o", str(tmp_path), "--only", "json",
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["servers"] == 2 and data["input"]["format"] == "template"


def test_template_command_refuses_to_overwrite(tmp_path):
    target = tmp_path / "for-customer.xlsx"
    assert runner.invoke(app, ["template", "-o", str(target)]).exit_code == 0
    target.write_bytes(b"the customer's answers")
    again = runner.invoke(app, ["template", "-o", str(target)])
    assert again.exit_code == 2 and "already exists (use --force" in again.stderr
    assert target.read_bytes() == b"the customer's answers"
    forced = runner.invoke(app, ["template", "--output", str(target), "--force"])
    assert forced.exit_code == 0
    assert load_inventory(target).source.format == "template"
    assert [p.name for p in tmp_path.iterdir()] == ["for-customer.xlsx"]  # no temporary left
