"""assessment.xlsx: the Settings, Areas and Questions sheets, and no local path anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import load_profile
from advisor.report.questions import customer_questions
from advisor.report.xlsx_matrix import area_matrix
from advisor.report.xlsx_questions import ALL
from advisor.report.xlsx_report import write_xlsx as write_report
from advisor.report.xlsx_sheets import file_name

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a"
    b"\xa0\x1a\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def book(acme_sample, tmp_path_factory):
    path = write_report(acme_sample, tmp_path_factory.mktemp("book") / "assessment.xlsx")
    return load_workbook(path), load_workbook(path, data_only=True)


def table(ws) -> list[dict]:
    head = [c.value for c in ws[2]]
    return [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]


def test_settings_are_named_cells_with_the_profiles_values(book, acme_sample):
    wb, _ = book
    rows = {r["Name in formulas"]: r for r in table(wb["Settings"])}
    penalties = acme_sample.profile.scoring.penalties.model_dump()
    for severity, points in penalties.items():
        assert rows[f"penalty_{severity}"]["Value"] == points
        ref = wb.defined_names[f"penalty_{severity}"].attr_text
        sheet, cell = ref.split("!")
        assert sheet.strip("'") == "Settings"
        assert wb["Settings"][cell.replace("$", "")].value == points
    assert rows["readiness_blocker"]["Value"] == "not ready"
    assert rows["readiness_high"]["Value"] == "conditional"
    assert rows["readiness_low"]["Value"] == "ready"
    assert rows["base_effort_hours"]["Value"] == acme_sample.profile.scoring.base_effort_hours
    lists = [dv for dv in wb["Settings"].data_validations.dataValidation if dv.type == "list"]
    assert lists and "not ready" in lists[0].formula1
    accepted = wb["Findings"].data_validations.dataValidation
    assert any(dv.type == "list" and dv.formula1 == '"yes,no"' for dv in accepted)


def test_the_servers_formulas_read_the_settings_by_name(book):
    wb, _ = book
    ws = wb["Servers"]
    head = {c.value: c.column_letter for c in ws[2]}
    assert "penalty_blocker" in ws[f"{head['Score']}3"].value
    assert "readiness_blocker" in ws[f"{head['Readiness']}3"].value
    assert ws.column_dimensions[head["Findings rows in place"]].hidden


def test_areas_sheet_holds_the_worst_outcome_per_server_and_area(book, acme_sample):
    _, wb = book
    ws = wb["Areas"]
    rows = table(ws)
    assert len(rows) == len(acme_sample.servers)
    assert ws.freeze_panes == "B3" and ws.auto_filter.ref.startswith("A2:")
    f = acme_sample.evaluation.findings
    names = acme_sample.servers["name"]
    failed = {
        (names[sid], area)
        for sid, area in zip(
            f.loc[f["status"] == "fail", "server_id"],
            f.loc[f["status"] == "fail", "area"],
            strict=True,
        )
    }
    titles = {"Backups": "backup", "Large disks": "large-disks", "Snowflake servers": "snowflake"}
    for row in rows:
        for title, area in titles.items():
            assert (row[title] == "failed") == ((row["Server"], area) in failed), (row, title)
        assert row["Areas failed"] == sum(v == "failed" for v in row.values())
    seen = {v for row in rows for k, v in row.items() if k in titles}
    assert {"failed", "pass"} <= seen <= {"failed", "unknown", "accepted", "pass"}
    colours = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert '"failed"' in colours and '"pass"' in colours


def test_area_matrix_ranks_failed_over_unknown_over_accepted(acme_sample, accepted):
    matrix = area_matrix(acme_sample, acme_sample.servers.index)
    server = acme_sample.servers.index[acme_sample.servers["name"] == accepted["server"]][0]
    rule = next(r for r in acme_sample.rules if r.code == accepted["rule"])
    status = acme_sample.evaluation.status.loc[server]
    same_area = [r.code for r in acme_sample.rules if r.spec.area == rule.spec.area]
    others = set(status.reindex(same_area).dropna()) - {"accepted"}
    want = "failed" if "fail" in others else "unknown" if "unknown" in others else "accepted"
    assert matrix.at[server, rule.spec.area] == want


def test_questions_sheet_has_a_row_per_question_and_server(book, acme_sample):
    _, wb = book
    rows = table(wb["Questions"])
    questions = customer_questions(acme_sample)
    everyone = len(acme_sample.servers)
    assert len(rows) == sum(1 if q.count >= everyone else q.count for q in questions)
    assert {r["Topic"] for r in rows} == {q.topic for q in questions}
    first = questions[0]
    mine = [r for r in rows if r["Topic"] == first.topic]
    assert all(r["Question"] == first.question and r["Servers asked"] == first.count for r in mine)
    named = [r for r in rows if r["Server"] != ALL]
    assert named and all(r["Site"] for r in named)
    assert set(r["Server"] for r in named) <= set(acme_sample.servers["name"])


def strings(wb) -> list[str]:
    return [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]


def test_no_local_path_anywhere(tmp_path):
    """The workbook names the inventory, the profile and the logo by file name only."""
    folder = tmp_path / "engagements" / "acme"
    folder.mkdir(parents=True)
    inventory = shutil.copy(ROOT / "sample_inventories" / "acme-rvtools.xlsx", folder)
    (folder / "logo.png").write_bytes(PNG)
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data["branding"] = {**(data.get("branding") or {}), "logo": "logo.png"}
    (folder / "profile.yaml").write_text(yaml.safe_dump(data), "utf-8")
    a = assess(load_inventory(inventory), load_profile(folder / "profile.yaml"))
    wb = load_workbook(write_report(a, tmp_path / "out.xlsx"))
    found = [s for s in strings(wb) if str(tmp_path) in s or str(ROOT) in s]
    assert not found, found[:5]
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Inventory"] == "acme-rvtools.xlsx"
    assert summary["Profile"] == "profile.yaml"
    profile = dict(wb["Profile"].iter_rows(min_row=3, values_only=True))
    assert profile["branding.logo"] == "logo.png"
    assert profile["profile file"] == "profile.yaml"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/work/a/inv.xlsx", "inv.xlsx"),
        ("C:\\Users\\x\\inv.xlsx", "inv.xlsx"),
        ("exports/rvtools/", "rvtools"),
        ("inv.csv", "inv.csv"),
    ],
)
def test_file_name(path, name):
    assert file_name(path) == name
