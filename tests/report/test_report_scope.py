"""The report's scope: the sentence in the summary, the Scope and effort section (out-of-scope
servers per category, capped; estate work; segments), and the words it is written in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from builders import VINFO_4X, vinfo_row, write_xlsx

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile, parse_profile
from advisor.report.model import SCOPE_ROWS, SEGMENT_ROWS, build_report_model
from advisor.report.scope_text import category_noun, left_out, scope_sentence
from advisor.report.section_quality import fact_label

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
DAY = dt.date(2026, 10, 5)


@pytest.fixture(scope="module")
def model(acme_sample):
    return build_report_model(acme_sample, date=DAY)


def test_left_out_in_words():
    counts = {"template": 44, "vSphere agent": 17, "backup infrastructure": 4}
    assert left_out(counts) == (
        "44 VMware templates, 17 vSphere agent VMs and 4 backup appliances and proxies"
    )
    assert category_noun("vSphere agent", 1) == "1 vSphere agent VM"
    assert category_noun("something new", 2) == "2 servers (something new)"
    scope = {
        "servers_read": 70,
        "in_scope": 3,
        "rejected": 2,
        "out_of_scope_by_category": counts,
    }
    text = scope_sentence(scope, "they are listed in the Scope section")
    assert text.startswith("The inventory lists 70 servers; 3 of them are in scope and assessed.")
    assert "4 backup appliances and proxies are not part of the move; they are listed" in text
    assert "2 rows of the inventory could not be read as a server" in text
    nothing = scope_sentence({**scope, "rejected": 0, "out_of_scope_by_category": {}}, "x")
    assert nothing == "The inventory lists 70 servers; 3 of them are in scope and assessed."


def test_facts_are_named_in_words():
    assert fact_label("has_owner", "An owner or responsible team is recorded.") == (
        "An owner or responsible team is recorded"
    )
    assert fact_label("transfer_hours", "Hours to copy the server's data (transfer_gib) over") == (
        "Hours to copy the server's data"
    )
    assert fact_label("odd_fact", "") == "odd fact"
    assert fact_label("x_y", "Depends on other_fact entirely") == "x y"


def test_scope_section_of_the_sample(model, acme_sample):
    scope = model.scope
    assert {s.label: s.value for s in scope.counts} == {
        "Servers in the inventory": "80",
        "In scope and assessed": "77",
        "Not part of the move": "3",
    }
    [group] = scope.groups
    assert (group.key, group.title, group.count) == ("template", "VMware templates", "3")
    assert [r.name for r in group.rows] == ["tpl-rhel9", "tpl-win2019", "tpl-win2022"]
    assert group.common_reason.startswith("VMware template: rebuilt as an image")
    assert all(r.reason == "" for r in group.rows)  # said once, not per row
    assert group.rows[0].location == "Basel-DC / BSL-Prod / Templates"
    assert group.rows[0].size == "2 vCPU, 4 GiB RAM" and group.more_text == ""
    work = acme_sample.estate_work
    assert [w.code for w in scope.estate_work] == work["code"].tolist()
    assert scope.estate_total == f"{work['effort_hours'].sum():,.0f} h"
    s = acme_sample.summary()
    assert f"The estimated effort is {s['effort_hours']:,.0f} h" in scope.effort_intro
    assert f"{s['effort_hours_servers']:,.0f} h for the 77 servers in scope" in scope.effort_intro
    assert scope.segment_label is None and scope.segments == []
    assert model.sections[1] == ("scope", "Scope and effort")


def test_out_of_scope_rows_are_capped_per_category_in_the_pdf(tmp_path):
    body = [vinfo_row(f"tpl{i:02}", Template="True", **{"VM UUID": f"t{i}"}) for i in range(12)]
    path = write_xlsx(tmp_path / "inv.xlsx", {"vInfo": [VINFO_4X, vinfo_row("web01"), *body]})
    m = build_report_model(assess(load_inventory(path), default_profile()), date=DAY)
    [group] = m.scope.groups
    assert group.count == "12"
    assert len(group.rows) == 12  # every one for the HTML
    [cut] = m.for_pdf().scope.groups
    assert len(cut.rows) == SCOPE_ROWS
    assert group.more_text == f"and {12 - SCOPE_ROWS} more, listed in the workbook (Scope sheet)"
    assert "12 VMware templates are not part of the move" in m.summary.scope


def test_segments_are_capped_with_a_total(tmp_path):
    n = SEGMENT_ROWS + 5
    body = [
        vinfo_row(f"srv{i:02}", Datacenter=f"DC{i:02}", **{"VM UUID": f"s{i}"}) for i in range(n)
    ]
    body.append(vinfo_row("srv-extra", Datacenter="DC00", **{"VM UUID": "s-extra"}))
    path = write_xlsx(tmp_path / "inv.xlsx", {"vInfo": [VINFO_4X, *body]})
    profile = parse_profile({"segment_by": "datacenter"}, "test profile")
    m = build_report_model(assess(load_inventory(path), profile), date=DAY)
    assert m.scope.segment_label == "datacenter"
    rows = m.scope.segments
    assert len(rows) == SEGMENT_ROWS + 1
    assert (rows[0].name, rows[0].servers) == ("DC00", "2")  # the largest first
    assert (rows[-1].name, rows[-1].servers) == ("All segments", f"{n + 1}")
    assert m.scope.segments_more == "and 5 smaller segments, listed in the workbook (Summary sheet)"


def test_segments_and_profile_exclusions_of_the_sample():
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data["segment_by"] = "folder"
    data["scope"] = {"exclude": [{"folder": "Legacy", "reason": "Retired with the old ERP"}]}
    a = assess(load_inventory(SAMPLE), parse_profile(data, "segmented profile"))
    m = build_report_model(a, date=DAY)
    groups = {g.key: g for g in m.scope.groups}
    excluded = groups["excluded by the profile"]
    assert excluded.common_reason == "Retired with the old ERP."
    assert {r.segment for r in excluded.rows} == {"Legacy"}
    assert "servers excluded for this engagement" in m.summary.scope
    rows = {r.name: r for r in m.scope.segments}
    total = rows.pop("All segments")
    assert total.servers == f"{len(a.servers):,}"
    assert sum(int(r.servers) for r in rows.values()) == len(a.servers)
    assert rows["Legacy"].servers == "0" and rows["Legacy"].out_of_scope == excluded.count
    for segment, part in a.servers.groupby("segment"):
        assert rows[segment].not_ready == str(int((part["readiness"] == "not_ready").sum()))
