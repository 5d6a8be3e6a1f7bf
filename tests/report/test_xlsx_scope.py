"""assessment.xlsx and the scope: the Scope sheet, segments, estate work, evidence and effort.

Counts are taken from the assessment itself (readiness per server still moves with the
facts and rules); only the scope decisions the sample pins down are asserted as numbers:
its 80 VMs, of which the 3 templates are out of scope.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import VINFO_4X, vinfo_row, write_csv
from openpyxl import load_workbook

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile, parse_profile
from advisor.report.scope_text import category_meaning
from advisor.report.xlsx_report import write_xlsx as write_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
RETIRED = "Retired with the old ERP in 2026"


def table(ws) -> tuple[list[str], list[dict]]:
    """A table sheet's header and rows as dicts, wherever its header row is (the autofilter
    says: the Scope sheet has counts above its table)."""
    top = int(ws.auto_filter.ref.split(":")[0][1:])
    head = [c.value for c in ws[top]]
    body = ws.iter_rows(min_row=top + 1, values_only=True)
    return head, [dict(zip(head, r, strict=True)) for r in body]


def pairs(ws) -> dict:
    """Column A -> column B of a sheet (the Summary's key/value lines)."""
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0] is not None}


@pytest.fixture(scope="module")
def sample(acme_sample):
    return acme_sample


@pytest.fixture(scope="module")
def book(sample, tmp_path_factory):
    return load_workbook(
        write_report(sample, tmp_path_factory.mktemp("x") / "a.xlsx"), data_only=True
    )


@pytest.fixture(scope="module")
def segmented():
    """The sample segmented by folder, with the Legacy folder excluded by the profile."""
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data["segment_by"] = "folder"
    data["scope"] = {"exclude": [{"folder": "Legacy", "reason": RETIRED}]}
    return assess(load_inventory(SAMPLE), parse_profile(data, "segmented profile"))


@pytest.fixture(scope="module")
def segmented_book(segmented, tmp_path_factory):
    return load_workbook(
        write_report(segmented, tmp_path_factory.mktemp("x") / "s.xlsx"), data_only=True
    )


def test_scope_sheet_counts_each_category_with_what_it_means(book, sample):
    ws = book["Scope"]
    counts = pairs(ws)
    assert counts["in scope"] == len(sample.servers) == 77
    assert counts["template"] == 3
    assert counts["rejected"] == 0
    assert counts["read"] == 80 == counts["in scope"] + counts["template"] + counts["rejected"]
    meaning = {r[0]: r[2] for r in ws.iter_rows(values_only=True) if r and r[0] == "template"}
    assert category_meaning("template") in meaning["template"]
    assert "3 of the 80 servers read are out of scope" in ws["A1"].value


def test_scope_sheet_lists_every_out_of_scope_server_filterable(book, sample):
    ws = book["Scope"]
    head, rows = table(ws)
    assert head[:3] == ["Server", "Category", "Reason"]
    assert "Segment" not in head  # the profile sets no segment_by
    assert [r["Server"] for r in rows] == ["tpl-rhel9", "tpl-win2019", "tpl-win2022"]
    assert [r["Server"] for r in rows] == sample.out_of_scope["name"].tolist()
    for r in rows:
        assert r["Category"] == "template"
        assert r["Reason"].startswith("VMware template")
        assert isinstance(r["vCPUs"], int) and isinstance(r["Provisioned GiB"], int | float)
        assert r["Datacenter"] == "Basel-DC" and r["Folder"] == "Templates"
    top = int(ws.auto_filter.ref.split(":")[0][1:])
    assert ws.freeze_panes == f"B{top + 1}"
    assert ws.auto_filter.ref.endswith(str(top + len(rows)))
    servers = {r[0] for r in book["Servers"].iter_rows(min_row=3, values_only=True)}
    assert not servers & {r["Server"] for r in rows}


def test_servers_sheet_shows_confidence_gaps_and_role_evidence(book, sample):
    head, rows = table(book["Servers"])
    assert "Segment" not in head
    assert {"Confidence (1-5)", "Confidence lowered by", "Role evidence"} <= set(head)
    by_name = sample.servers.set_index("name")
    for r in rows:
        gaps = by_name.at[r["Server"], "confidence_gaps"]
        assert (r["Confidence lowered by"] or "") == (gaps or "")
    evidence = sample.facts["role_evidence"].dropna()
    if len(evidence):
        name = sample.servers.at[evidence.index[0], "name"]
        row = next(r for r in rows if r["Server"] == name)
        assert row["Role evidence"] == evidence.iloc[0]


def test_findings_carry_evidence_and_effort(book, sample):
    _, rows = table(book["Findings"])
    f = sample.evaluation.findings
    failed = f[f["status"] == "fail"]
    names = sample.servers["name"]
    expected = {
        (names[r.server_id], r.code): (r.evidence, float(r.effort_hours))
        for r in failed.itertuples()
    }
    server_rows = [
        r
        for r in rows
        if r["Server"] != "estate" and r["Status"] == "fail" and r["Accepted"] == "no"
    ]
    assert len(server_rows) == len(expected)
    for r in server_rows:
        evidence, effort = expected[(r["Server"], r["Code"])]
        assert r["Evidence"] == evidence
        assert r["Effort h"] == pytest.approx(effort)
    assert any(r["Evidence"] for r in server_rows)
    accepted = [r for r in rows if r["Accepted"] == "yes"]
    assert accepted and all(r["Effort h"] == 0 for r in accepted)
    p = sample.evaluation.portfolio
    estate = {r.code: float(r.effort_hours) for r in p[p["status"] == "fail"].itertuples()}
    assert {r["Code"]: r["Effort h"] for r in rows if r["Server"] == "estate"} == estate


def test_estate_work_sheet_and_the_effort_split(book, sample):
    head, rows = table(book["Estate work"])
    assert head == ["Code", "One-off work (rule)", "Area", "Servers concerned", "Effort h"]
    work = sample.estate_work
    assert [r["Code"] for r in rows] == work["code"].tolist()
    assert sum(r["Effort h"] for r in rows) == pytest.approx(work["effort_hours"].sum())
    for r, servers in zip(rows, work["servers"], strict=True):
        assert r["Servers concerned"] == (None if pd.isna(servers) else int(servers))
    summary = sample.summary()
    total = f"{summary['effort_hours_estate']:,.0f} h"
    assert f"{len(work)} items, {total}" in book["Estate work"]["A1"].value
    values = pairs(book["Summary"])
    assert values["Effort h (total)"] == pytest.approx(
        values["  servers in scope (Servers sheet)"]
        + values["  one-off estate work (Estate work sheet)"]
    )


def test_data_quality_accounts_for_every_server_read(book):
    note = book["Data quality"]["A1"].value
    assert "80 server rows read = 77 in scope + 3 out of scope (Scope sheet) + 0 rejected" in note


def test_profile_exclusions_and_segments_show_on_scope_servers_and_summary(
    segmented, segmented_book
):
    wb = segmented_book
    out = segmented.out_of_scope
    excluded = out[out["category"] == "excluded by the profile"]
    assert len(excluded) > 0
    head, rows = table(wb["Scope"])
    assert "Segment" in head
    mine = [r for r in rows if r["Category"] == "excluded by the profile"]
    assert sorted(r["Server"] for r in mine) == sorted(excluded["name"])
    assert all(r["Reason"] == RETIRED and r["Segment"] == "Legacy" for r in mine)
    assert pairs(wb["Scope"])["excluded by the profile"] == len(excluded)

    head, servers = table(wb["Servers"])
    assert head.index("Segment") == head.index("Site") + 1
    by_name = segmented.servers.set_index("name")["segment"]
    assert all(r["Segment"] == by_name[r["Server"]] for r in servers)

    ws = wb["Summary"]
    lines = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(lines) if r[0] == "Segments by folder")
    header = list(lines[top + 1][:8])
    assert header == ["Segment", "In scope", "Ready", "Conditional", "Not ready", "Unknown",
                      "Effort h", "Out of scope"]  # fmt: skip
    table_rows = []
    for r in lines[top + 2 :]:
        if r[0] is None:
            break
        table_rows.append(dict(zip(header, r[:8], strict=True)))
    got = {r["Segment"]: r for r in table_rows}
    s = segmented.servers
    for segment, part in s.groupby("segment"):
        row = got[segment]
        assert row["In scope"] == len(part)
        assert row["Not ready"] == int((part["readiness"] == "not_ready").sum())
        assert row["Ready"] == int((part["readiness"] == "ready").sum())
        assert row["Effort h"] == pytest.approx(part["effort_hours"].sum(), abs=0.1)
    assert sum(r["In scope"] for r in table_rows) == len(s)
    assert got["Legacy"]["In scope"] == 0 and got["Legacy"]["Out of scope"] == len(excluded)
    assert got["Templates"]["Out of scope"] == 3
    sizes = [r["In scope"] for r in table_rows]
    assert sizes == sorted(sizes, reverse=True)  # the largest segments first


def test_without_segment_by_the_summary_has_no_segment_table(book):
    assert not any(
        isinstance(r[0], str) and r[0].startswith("Segments by")
        for r in book["Summary"].iter_rows(values_only=True)
    )


def test_out_of_scope_names_from_the_inventory_stay_text(tmp_path):
    hostile = '=HYPERLINK("http://x","y")'
    # CSV: a workbook written by openpyxl would hold the name as a formula, not as text.
    path = write_csv(
        tmp_path / "RVTools_tabvInfo.csv",
        [
            VINFO_4X,
            vinfo_row("web01"),
            vinfo_row(hostile, Template="True", **{"VM UUID": "u-2", "Datacenter": "@DC"}),
        ],
    )
    a = assess(load_inventory(path), default_profile())
    assert a.out_of_scope["name"].tolist() == [hostile]
    wb = load_workbook(write_report(a, tmp_path / "a.xlsx"), data_only=True)
    cells = {c.value: c for row in wb["Scope"].iter_rows() for c in row if c.value is not None}
    assert cells[hostile].data_type == "s"
    assert cells["@DC"].data_type == "s"
