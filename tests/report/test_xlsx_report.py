"""assessment.xlsx: sheets, row counts, frozen panes, filters, formats, colours, inert values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from builders import VINFO_4X, vinfo_row, write_csv, write_xlsx
from openpyxl import load_workbook

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile, parse_profile
from advisor.report.xlsx_report import write_xlsx as write_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
SHEETS = [
    "Summary",
    "Scope",
    "Servers",
    "Findings",
    "Settings",
    "Areas",
    "Questions",
    "Estate work",
    "Rules",
    "Data quality",
    "Profile",
]
TABLES = [s for s in SHEETS if s not in ("Summary", "Scope")]  # Scope has counts above its table

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    '<img src="http://x/y.png">',
    "#N/A",
]


@pytest.fixture(scope="module")
def sample(acme_sample):
    return acme_sample


@pytest.fixture(scope="module")
def book(sample, tmp_path_factory):
    """The workbook as a reader that does not calculate sees it: formulas show the values
    stored with them (test_xlsx_live recalculates them)."""
    path = write_report(sample, tmp_path_factory.mktemp("xlsx") / "assessment.xlsx")
    return path, load_workbook(path, data_only=True)


def rows(ws):
    """Data rows of a table sheet (row 1 is a note, row 2 the header)."""
    return list(ws.iter_rows(min_row=3, values_only=True))


def header(ws):
    return [c.value for c in ws[2]]


def column(ws, name):
    return header(ws).index(name)


def test_sheets_in_the_order_the_team_reads_them(book):
    _, wb = book
    assert wb.sheetnames == SHEETS


def test_write_returns_the_path_and_a_folder_gets_assessment_xlsx(sample, tmp_path):
    assert write_report(sample, tmp_path) == tmp_path / "assessment.xlsx"
    assert (tmp_path / "assessment.xlsx").is_file()
    assert not list(tmp_path.glob(".*.tmp"))


def test_row_counts(book, sample):
    _, wb = book
    f = sample.evaluation.findings
    estate = sample.evaluation.portfolio
    # The sample's three templates are out of scope: listed on Scope, not scored on Servers.
    assert len(rows(wb["Servers"])) == len(sample.servers) == 77
    expected = int(f["status"].isin(["fail", "accepted"]).sum())
    expected += int((estate["status"] == "fail").sum())
    assert len(rows(wb["Findings"])) == expected
    assert len(rows(wb["Rules"])) == len(sample.rules)
    servers = {r[column(wb["Findings"], "Server")] for r in rows(wb["Findings"])}
    assert "estate" in servers


def test_unknown_outcomes_are_counted_per_server_and_the_sheet_says_so(book, sample):
    _, wb = book
    unknown = int((sample.evaluation.findings["status"] == "unknown").sum())
    assert f"{unknown:,} outcomes the data could not decide" in wb["Findings"]["A1"].value
    statuses = {r[column(wb["Findings"], "Status")] for r in rows(wb["Findings"])}
    assert statuses <= {"fail", "unknown"} and "fail" in statuses
    accepted = {r[column(wb["Findings"], "Accepted")] for r in rows(wb["Findings"])}
    assert accepted == {"yes", "no", None}  # None: the estate's rows
    ws = wb["Servers"]
    total = sum(r[column(ws, "Unknown")] for r in rows(ws))
    assert total == unknown


@pytest.mark.parametrize("name", TABLES)
def test_tables_have_frozen_header_autofilter_and_widths(book, name):
    _, wb = book
    ws = wb[name]
    assert ws.freeze_panes in ("A3", "B3")
    last = ws.cell(row=2, column=ws.max_column).column_letter
    assert ws.auto_filter.ref == f"A2:{last}{ws.max_row}"
    assert all(c.font.bold for c in ws[2])
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[2]]
    assert all(w and w >= 7 for w in widths)


def test_servers_numbers_are_numbers_with_formats(book, sample):
    _, wb = book
    ws = wb["Servers"]
    first = ws[3]
    by = {h: first[i] for i, h in enumerate(header(ws))}
    for name in ("vCPUs", "Memory GiB", "Provisioned GiB", "Used GiB", "Score", "Effort h"):
        assert isinstance(by[name].value, int | float), name
    assert by["Provisioned GiB"].number_format == "#,##0"
    assert by["Used GiB"].number_format == "#,##0"
    assert by["Memory GiB"].number_format == "#,##0.0"
    assert by["Effort h"].number_format == "#,##0.0"
    assert "Template" not in by  # templates are out of scope, never on this sheet
    name = by["Server"].value
    server = sample.servers.set_index("name").loc[name]
    assert by["Score"].value == server["score"]
    assert by["Most severe finding"].value == server["top_finding"]
    readiness = {r[column(ws, "Readiness")] for r in rows(ws)}
    assert readiness <= {"ready", "conditional", "not ready", "unknown"}


def test_servers_show_the_site_the_profile_assigned(book):
    _, wb = book
    ws = wb["Servers"]
    sites = {r[column(ws, "Site")] for r in rows(ws)}
    assert {"Basel HQ", "Bern office", "Vienna sales office"} <= sites


def test_conditional_colours(book):
    _, wb = book

    def rules_of(ws):
        return {
            str(cf.sqref).split(":")[0][0]: [r.type for r in cf.rules]
            for cf in ws.conditional_formatting
        }

    servers = rules_of(wb["Servers"])
    score = wb["Servers"].cell(row=2, column=column(wb["Servers"], "Score") + 1).column_letter
    readiness = wb["Servers"].cell(row=2, column=column(wb["Servers"], "Readiness") + 1)
    assert servers[score] == ["colorScale"]
    assert servers[readiness.column_letter] == ["cellIs"] * 4
    findings = rules_of(wb["Findings"])
    severity = wb["Findings"].cell(row=2, column=column(wb["Findings"], "Severity") + 1)
    assert "cellIs" in findings[severity.column_letter]


def test_findings_carry_remediation_and_the_accepted_reason(book, accepted):
    _, wb = book
    ws = wb["Findings"]
    rows_accepted = [r for r in rows(ws) if r[column(ws, "Accepted")] == "yes"]
    assert len(rows_accepted) == 1
    row = rows_accepted[0]
    assert row[column(ws, "Server")] == accepted["server"]
    assert row[column(ws, "Code")] == accepted["rule"]
    assert row[column(ws, "Accepted because")] == accepted["reason"]
    assert all(r[column(ws, "What to do")] for r in rows(ws))


def test_summary_headline_numbers_and_charts(book, sample):
    _, wb = book
    ws = wb["Summary"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    summary = sample.summary()
    assert values["Customer"] == "Acme AG"
    assert values["Target"] == "exoscale ch-gva-2"
    assert values["Servers assessed"] == 77
    assert values["Server rows read"] == 80
    assert values["In scope (assessed)"] == 77
    assert values["Out of scope"] == 3
    assert values["  template"] == 3
    assert values["Used GiB"] == summary["used_gib"]
    assert values["Effort h (total)"] == summary["effort_hours"]
    assert values["  servers in scope (Servers sheet)"] == summary["effort_hours_servers"]
    assert values["  one-off estate work (Estate work sheet)"] == summary["effort_hours_estate"]
    assert summary["effort_hours"] == pytest.approx(
        summary["effort_hours_servers"] + summary["effort_hours_estate"], abs=0.1
    )
    assert values["ready"] == summary["readiness"]["ready"]
    assert values["not ready"] == summary["readiness"]["not_ready"]
    assert values["rehost"] == summary["dispositions"]["rehost"]
    assert len(ws._charts) == 3
    titles = {"".join(r.t for p in c.title.tx.rich.p for r in p.r) for c in ws._charts}
    assert {"Readiness (servers)", "Disposition (servers)"} <= titles


def test_rules_sheet_shows_params_and_overrides(tmp_path):
    profile = parse_profile(
        {"rules": {"DSK001": {"params": {"window_hours": 24}}, "SNW003": {"enabled": False}}},
        "test profile",
    )
    inv = load_inventory(small_inventory(tmp_path, ["web01", "db01"]))
    wb = load_workbook(write_report(assess(inv, profile), tmp_path / "a.xlsx"))
    ws = wb["Rules"]
    by_code = {r[0]: dict(zip(header(ws), r, strict=True)) for r in rows(ws)}
    assert by_code["DSK001"]["Overridden"] is True
    assert "window_hours = 24 h (profile; default 48)" in by_code["DSK001"]["Params as used"]
    assert by_code["SNW003"]["Enabled"] is False
    assert "disabled" in by_code["SNW003"]["What changed"]
    # The migration window fills window_hours everywhere: the default value is no override.
    plain = load_workbook(write_report(assess(inv, default_profile()), tmp_path / "b.xlsx"))[
        "Rules"
    ]
    assert not any(r[column(plain, "Overridden")] for r in rows(plain))


def test_profile_sheet_lists_the_profile_as_used(book, accepted):
    _, wb = book
    values = dict(rows(wb["Profile"]))
    assert values["customer.name"] == "Acme AG"
    assert values["target.zone"] == "ch-gva-2"
    assert values["sites[0].name"] == "Basel HQ"
    assert values["sites[0].datacenters"] == "Basel-DC"
    assert values["exceptions[0].rule"] == accepted["rule"]
    assert values["profile file"].endswith("acme-profile.yaml")


def test_data_quality_lists_rejections_unmapped_columns_and_assumptions(tmp_path):
    path = write_xlsx(
        tmp_path / "messy.xlsx",
        {
            "vInfo": [
                [*VINFO_4X, "Mystery column"],
                [*vinfo_row("web01"), "x"],
                [*vinfo_row("", **{"VM UUID": "u-2"}), "y"],
                [*vinfo_row("db01", CPUs="lots"), "z"],
            ]
        },
    )
    inv = load_inventory(path)
    a = assess(inv, default_profile())
    wb = load_workbook(write_report(a, tmp_path / "a.xlsx"))
    ws = wb["Data quality"]
    topics = [r[0] for r in rows(ws)]
    assert "assumption" in topics
    assert "rejected row" in topics
    bad = next(r for r in rows(ws) if r[0] == "value read as unknown")
    assert bad[column(ws, "Value")] == "lots"
    assert isinstance(bad[column(ws, "Row")], int)
    headers = {r[column(ws, "Column or header")] for r in rows(ws) if r[0].startswith("column")}
    assert "Mystery column" in headers
    assert "1 rejected" in ws["A1"].value


def small_inventory(tmp_path: Path, names: list[str], **over) -> Path:
    body = [vinfo_row(n, **{"VM UUID": f"uuid-{i}"}, **over) for i, n in enumerate(names)]
    return write_xlsx(tmp_path / "inv.xlsx", {"vInfo": [VINFO_4X, *body]})


OLD_OS = {
    "OS according to the configuration file": "Microsoft Windows Server 2003 (32-bit)",
    "OS according to the VMware Tools": "Microsoft Windows Server 2003 (32-bit)",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    names = [*HOSTILE, "bell\x07name"]
    body = [
        vinfo_row(
            n,
            **{"VM UUID": f"uuid-{i}", "Owner": n, "Annotation": n, "Backup Tool": "-"},
            **OLD_OS,  # so that every hostile server has failed findings too
        )
        for i, n in enumerate(names)
    ]
    body.append(vinfo_row("plain01", **{"VM UUID": "uuid-p", "Datacenter": "=1+1"}))
    # CSV, because a workbook cannot even hold the control character.
    inv = load_inventory(write_csv(tmp / "RVTools_tabvInfo.csv", [VINFO_4X, *body]))
    path = write_report(assess(inv, default_profile()), tmp / "assessment.xlsx")
    return path, load_workbook(path)


def test_formula_like_values_stay_text(hostile):
    _, wb = hostile
    ws = wb["Servers"]
    cells = {c.value: c for row in ws.iter_rows(min_row=3) for c in row if c.value is not None}
    for value in HOSTILE:
        assert value in cells, value
        assert cells[value].data_type == "s", value
    live = {
        "Score",
        "Readiness",
        "Disposition",
        "Effort h",
        "Blocker",
        "High",
        "Medium",
        "Low",
        "Info",
        "Unknown",
        "Blocker unknown",
        "Accepted",
        "Findings rows in place",
    }
    headers = header(ws)
    for value in ("=", "+", "-", "@"):
        for v, cell in cells.items():
            if isinstance(v, str) and v.startswith(value):
                if cell.data_type == "f":  # advisor's own formulas, in its verdict columns
                    assert headers[cell.column - 1] in live, v
                else:
                    assert cell.data_type == "s" and cell.quotePrefix, v
    assert "bellname" in cells  # a control character XML cannot hold is dropped
    findings = {c.value: c for row in wb["Findings"].iter_rows(min_row=3) for c in row if c.value}
    for value in HOSTILE:
        assert findings[value].data_type == "s", value


#: Every text a formula of advisor's may quote: statuses, severities, verdicts.
FORMULA_WORDS = {
    "fail", "unknown", "yes", "no", "blocker", "high", "medium", "low", "info",
    "ready", "conditional", "not ready", "rehost", "replatform", "refactor", "retain",
    "retire",
}  # fmt: skip
#: Sheets with formulas: the live scores and the Summary's counts (see xlsx_live).
FORMULA_SHEETS = {"Summary", "Servers", "Findings"}


def formulas_by_sheet(path) -> dict[str, list[str]]:
    """The formula texts of each sheet, read from the XML."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for i, title in enumerate(load_workbook(path, read_only=True).sheetnames, 1):
            xml = zf.read(f"xl/worksheets/sheet{i}.xml").decode("utf-8")
            out[title] = re.findall(r"<f>([^<]*)</f>", xml)
    return out


def assert_formulas_are_advisors(path) -> None:
    """Formulas only where advisor puts them, quoting only advisor's own words: no text of
    the inventory or the profile ever becomes part of a formula."""
    for title, found in formulas_by_sheet(path).items():
        assert not found or title in FORMULA_SHEETS, title
        for text in found:
            quoted = set(re.findall(r"&quot;([^&]*)&quot;|\"([^\"]*)\"", text))
            words = {a or b for a, b in quoted}
            assert words <= FORMULA_WORDS, (title, text)
            assert not re.search(r"HYPERLINK|cmd|calc|SUM\(A1\)", text), text


def test_no_formula_holds_inventory_text(hostile):
    path, _ = hostile
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        for name in sheets:
            assert "<script>" not in zf.read(name).decode("utf-8")  # escaped
        servers = zf.read(f"xl/worksheets/sheet{SHEETS.index('Servers') + 1}.xml").decode()
    assert_formulas_are_advisors(path)
    assert formulas_by_sheet(path)["Servers"]  # the scores are live
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in servers or (
        '=HYPERLINK("http://x","y")' in servers
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in servers
    assert "{{ 7*7 }}" in servers and "49" not in re.findall(r"<t[^>]*>([^<]*)</t>", servers)


def test_hostile_values_in_the_profile_are_inert(tmp_path):
    profile = parse_profile(
        {"customer": {"name": "=cmd|' /C calc'!A0"}, "consultant": {"name": "@evil"}},
        "test profile",
    )
    inv = load_inventory(small_inventory(tmp_path, ["web01"]))
    path = write_report(assess(inv, profile), tmp_path / "a.xlsx")
    wb = load_workbook(path)
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Customer"] == "=cmd|' /C calc'!A0"
    assert dict(rows(wb["Profile"]))["consultant.name"] == "@evil"
    assert_formulas_are_advisors(path)
