"""The plan in the machine-readable outputs: assessment.json's `plan` and per-server keys, the
workbook's Plan, Groups and Costs sheets and Servers columns, `advisor score`'s columns, and
every output still written when a run has no plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from openpyxl import load_workbook
from typer.testing import CliRunner

from advisor.cli import app
from advisor.inventory import load_inventory
from advisor.inventory.groups_file import read_group_edits
from advisor.plan.stage import assess_and_plan, make_plan
from advisor.profile import load_profile
from advisor.report.json_report import write_json
from advisor.report.xlsx_plan import MONEY_KEYS
from advisor.report.xlsx_report import write_xlsx as write_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
PLAN_SHEETS = ["Plan", "Groups", "Costs"]


@pytest.fixture(scope="module")
def planned(acme_compared):
    return acme_compared


@pytest.fixture(scope="module")
def doc(planned, tmp_path_factory, strict_json):
    path = write_json(planned, tmp_path_factory.mktemp("json"))
    return strict_json(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book(planned, tmp_path_factory):
    path = write_workbook(planned, tmp_path_factory.mktemp("xlsx") / "assessment.xlsx")
    return path, load_workbook(path)


def table(ws, header_row: int = 2) -> list[dict]:
    head = [c.value for c in ws[header_row]]
    body = ws.iter_rows(min_row=header_row + 1, values_only=True)
    return [dict(zip(head, r, strict=True)) for r in body]


def by_name(doc: dict) -> dict[str, dict]:
    return {s["name"]: s for s in doc["servers"]}


# --- assessment.json --------------------------------------------------------------------------


def test_json_plan_object_has_every_part(doc, planned):
    plan = doc["plan"]
    assert set(plan) == {
        "policy", "primary", "compared", "readiness", "providers", "groups", "edited_groups",
        "waves", "site_seeding", "crossing", "timeline", "sensitivity", "notes", "verdicts",
    }  # fmt: skip
    assert plan["primary"] == "exoscale" and plan["compared"] == "scaleway"
    assert plan["policy"].startswith("Servers are right-sized from the utilisation")
    assert plan["readiness"] == planned.plan.readiness
    assert plan["readiness"]["exoscale"] == doc["summary"]["readiness"]
    assert list(plan["providers"]) == ["exoscale", "scaleway"]
    assert plan["edited_groups"] == 0
    assert plan["notes"] == planned.plan.waves.notes


def test_json_provider_totals_counts_reasons_and_sources(doc, planned):
    for key, cost in planned.plan.providers.items():
        data = doc["plan"]["providers"][key]
        assert data["name"] == cost.display_name and data["currency"] == cost.currency == "EUR"
        t = cost.totals
        totals = data["totals"]
        assert totals["servers"] == len(cost.servers) == len(planned.facts)
        for basis in ("allocated", "rightsized"):
            block = totals[basis]
            unpriced = int(t[f"{basis}_unpriced_servers"])
            assert block["unpriced_servers"] == unpriced
            assert block["complete_servers"] == int(t[f"{basis}_complete_servers"])
            assert block["complete_servers_monthly"] == pytest.approx(t[f"{basis}_total_monthly"])
            assert block["priced_monthly"] == pytest.approx(t[f"{basis}_priced_monthly"])
            # With a server unpriced the estate total is unknown, never a partial sum.
            assert (block["total_monthly"] is None) == (unpriced > 0)
            text = "; ".join(f"{r['reason']}: {r['servers']}" for r in block["unpriced_reasons"])
            assert text == (t[f"{basis}_unpriced_reasons"] or "")
        assert totals["price_confidence"] == t["price_confidence"]
        assert totals["price_as_of"] == t["price_as_of"]
        assert data["sources"] == cost.sources
        assert data["zones"] == cost.zones.to_dict(orient="records")
        assert data["parallel_run_cost"] == pytest.approx(cost.parallel_run_cost)
    # The sample's Windows servers have no licence price on Exoscale: unpriced, and said why.
    exo = doc["plan"]["providers"]["exoscale"]["totals"]["rightsized"]
    assert exo["unpriced_servers"] > 0 and exo["total_monthly"] is None
    reasons = {r["reason"] for r in exo["unpriced_reasons"]}
    assert "Windows licence charge not in the catalog" in reasons


def test_json_per_server_totals_add_up_to_the_provider_totals(doc):
    in_scope = [s for s in doc["servers"] if s["scope"]["in_scope"]]
    for provider, data in doc["plan"]["providers"].items():
        for basis in ("allocated", "rightsized"):
            amounts = [s["sizing"][provider][basis]["monthly_total"] for s in in_scope]
            known = [a for a in amounts if a is not None]
            block = data["totals"][basis]
            assert len(known) == block["complete_servers"]
            assert round(sum(known), 2) == block["complete_servers_monthly"]


def _a_windows_server(planned) -> str:
    """A server unpriced on Exoscale (Windows licence) and priced in full on Scaleway."""
    exo = planned.plan.providers["exoscale"].servers
    scw = planned.plan.providers["scaleway"].servers.reindex(exo.index)
    both = exo["rightsized_total_monthly"].isna() & scw["rightsized_total_monthly"].notna()
    return str(both[both.fillna(False)].index[0])


def test_json_server_sizing_group_and_wave(doc, planned):
    sid = _a_windows_server(planned)
    s = next(x for x in doc["servers"] if x["id"] == sid)
    for key, cost in planned.plan.providers.items():
        row = cost.servers.loc[sid]
        got = s["sizing"][key]
        assert "currency" not in got  # the provider's, given once in plan.providers
        assert (got["basis"], got["basis_reason"]) == (row["basis"], row["basis_reason"])
        assert got["storage_gib"] == row["storage_gib"]
        assert got["price_confidence"] == row["price_confidence"]
        assert got["price_as_of"] == row["price_as_of"]
        for basis, vcpus, memory in (
            ("allocated", "vcpus", "memory_gib"),
            ("rightsized", "rightsized_vcpus", "rightsized_memory_gib"),
        ):
            side = got[basis]
            assert side["instance_type"] == row[f"{basis}_type"]
            assert (side["vcpus"], side["memory_gib"]) == (row[vcpus], row[memory])
            total = row[f"{basis}_total_monthly"]
            assert side["monthly_total"] == (None if pd.isna(total) else total)
            unpriced = row[f"{basis}_unpriced"]
            assert side["unpriced"] == (None if pd.isna(unpriced) else unpriced)
    exo, scw = s["sizing"]["exoscale"], s["sizing"]["scaleway"]
    assert exo["rightsized"]["monthly_total"] is None
    assert "Windows licence charge not in the catalog" in exo["rightsized"]["unpriced"]
    assert scw["rightsized"]["monthly_total"] > 0 and scw["rightsized"]["unpriced"] is None
    g = planned.plan.groups.loc[sid]
    assert s["group"] == {
        "id": g["group_id"],
        "name": g["group_name"],
        "reason": g["reason"],
        "edited": False,
    }
    w = planned.plan.waves.servers.loc[sid]
    assert s["wave"] == {
        "number": None if pd.isna(w["wave"]) else int(w["wave"]),
        "plan": w["plan"],
    }
    retained = [x for x in doc["servers"] if x["disposition"] == "retain"]
    assert retained and all(x["wave"]["number"] is None for x in retained)
    assert all(x["wave"]["plan"].startswith("outside the plan") for x in retained)


def test_json_out_of_scope_servers_carry_null_plan_keys(doc):
    out = [s for s in doc["servers"] if not s["scope"]["in_scope"]]
    assert out
    assert all(s["sizing"] is None and s["group"] is None and s["wave"] is None for s in out)


def test_json_groups_hold_every_server_in_scope_once(doc, planned):
    groups = doc["plan"]["groups"]
    names = [n for g in groups for n in g["servers"]]
    in_scope = [s["name"] for s in doc["servers"] if s["scope"]["in_scope"]]
    assert sorted(names) == sorted(in_scope)
    frame = planned.plan.groups
    assert [g["group_id"] for g in groups] == sorted(frame["group_id"].unique())
    sizes = frame["group_id"].value_counts()
    assert all(len(g["servers"]) == sizes[g["group_id"]] for g in groups)
    portal = next(g for g in groups if g["name"] == "Customer Portal")
    assert "bsl-appdb-01" in portal["servers"]
    assert portal["reason"].startswith("application 'customer portal'")
    assert not any(g["edited"] for g in groups)


def test_json_waves_timeline_and_sensitivity(doc, planned):
    waves = doc["plan"]["waves"]
    t = planned.plan.timeline
    frame = planned.plan.waves.waves
    assert len(waves) == t.waves == len(frame)
    first = waves[0]
    keys = {"number", "kind", "groups", "servers", "data_gib", "seeding_hours",
            "cutover_hours", "effort_hours", "start", "end", "fits", "note"}  # fmt: skip
    assert set(first) >= keys
    assert (first["number"], first["kind"]) == (1, "pilot")
    assert first["start"] == t.start.isoformat()
    moving = planned.plan.waves.servers
    names = planned.servers["name"]
    for w, row in zip(waves, frame.itertuples(), strict=True):
        assert w["groups"] == row.group_ids.split(", ")
        mine = moving.index[moving["wave"].eq(w["number"]).fillna(False).to_numpy()]
        assert sorted(w["servers"]) == sorted(names.reindex(mine))
        assert w["server_count"] == len(w["servers"]) == row.servers
        assert (w["fits"], w["seeding_hours"]) == (row.fits, row.seeding_hours)
        assert date.fromisoformat(w["end"]) >= date.fromisoformat(w["start"])
    assert sum(len(w["servers"]) for w in waves) == t.servers
    timeline = doc["plan"]["timeline"]
    assert (timeline["start"], timeline["end"]) == (t.start.isoformat(), t.end.isoformat())
    assert timeline["accepted"] == t.accepted.isoformat() and timeline["weeks"] == t.weeks
    assert timeline["engineer_hours"] == pytest.approx(t.engineer_hours)
    assert timeline["labour_cost"] == t.labour_cost and timeline["notes"] == t.notes
    scenarios = {r["scenario"]: r for r in doc["plan"]["sensitivity"]}
    assert scenarios["as planned"]["end"] == t.end.isoformat()
    assert scenarios["25% less throughput"]["weeks"] >= scenarios["as planned"]["weeks"]
    seeding = doc["plan"]["site_seeding"]
    assert len(seeding) == len(planned.plan.waves.site_seeding)
    assert {r["site"] for r in seeding} == {"Basel HQ", "Bern office", "Vienna sales office"}
    crossing = doc["plan"]["crossing"]
    assert len(crossing) == len(planned.plan.waves.crossing)
    assert {"source_name", "target_name", "source_wave", "target_wave", "why"} <= set(crossing[0])


def test_json_verdict_differences_name_both_providers(doc, planned):
    verdicts = doc["plan"]["verdicts"]
    frame = planned.plan.verdicts
    assert len(verdicts) == len(frame) > 0
    for v, row in zip(verdicts, frame.itertuples(), strict=True):
        assert (v["server_id"], v["server"]) == (row.server_id, row.name)
        assert v["readiness"] == {"exoscale": row.first, "scaleway": row.second}
        assert v["readiness"]["exoscale"] != v["readiness"]["scaleway"]
        assert v["rules"] == row.rules.split(", ")
        assert v["messages"] == {
            "exoscale": row.first_says or None,
            "scaleway": row.second_says or None,
        }


# --- the workbook -----------------------------------------------------------------------------


def test_plan_sheets_sit_after_estate_work(book):
    _, wb = book
    assert wb.sheetnames == [
        "Summary", "Scope", "Servers", "Findings", "Settings", "Areas", "Questions",
        "Estate work", *PLAN_SHEETS, "Rules", "Data quality", "Profile",
    ]  # fmt: skip


def test_plan_sheet_waves_table_then_the_rest(book, planned):
    _, wb = book
    ws = wb["Plan"]
    assert ws.freeze_panes == "B3"
    head = [c.value for c in ws[2]]
    assert head[:5] == ["Wave", "Kind", "Start", "End", "Weeks"]
    assert {"Groups", "Servers", "Data GiB", "Seeding h", "Seeding capacity h", "Cut-over h",
            "Effort h", "Fits", "Note"} <= set(head)  # fmt: skip
    waves = planned.plan.waves.waves
    assert ws.auto_filter.ref == f"A2:P{2 + len(waves)}"
    rows = table(ws)[: len(waves)]
    assert [r["Wave"] for r in rows] == list(range(1, len(waves) + 1))
    assert rows[0]["Start"].date() == planned.plan.timeline.start
    assert ws["C3"].number_format == "yyyy-mm-dd"
    assert [r["Fits"] for r in rows] == waves["fits"].tolist()
    assert [r["Groups"] for r in rows] == waves["group_ids"].tolist()
    assert [r["Note"] or "" for r in rows] == waves["note"].fillna("").tolist()
    column_a = [r[0] for r in ws.iter_rows(values_only=True)]
    for title in ("Seeding per wave and site", "Timeline", "Notes",
                  "Verdicts that differ between Exoscale and Scaleway"):  # fmt: skip
        assert title in column_a
    assert any(str(v).startswith("Sensitivity") for v in column_a)
    assert any(str(v).startswith("Dependency links that cross waves") for v in column_a)


def test_groups_sheet_is_the_plans_frame_and_reads_back_unchanged(book, planned):
    path, wb = book
    ws = wb["Groups"]
    assert [c.value for c in ws[1]] == list(planned.plan.groups_sheet.columns)
    n = len(planned.plan.groups_sheet)
    assert n == len(planned.facts)
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:E{1 + n}"
    assert ws["C1"].comment is not None and "--groups" in ws["C1"].comment.text
    written = table(ws, header_row=1)
    expected = planned.plan.groups_sheet
    assert [r["server"] for r in written] == expected["server"].tolist()
    assert [r["group name"] for r in written] == expected["group name"].tolist()
    edits = read_group_edits(path)
    assert len(edits) == n
    again = make_plan(planned, group_edits=edits)
    pd.testing.assert_frame_equal(again.groups, planned.plan.groups)
    assert not again.groups["edited"].any() and again.edited_groups == 0


def _costs(ws) -> tuple[list[dict], dict[str, dict], list[str]]:
    """The Costs sheet's rows (as dicts), its totals per provider and its header."""
    top = int(ws.auto_filter.ref.split(":")[0][1:])
    head = [c.value for c in ws[top]]
    rows = [
        dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=top + 1, values_only=True)
    ]
    totals = {}
    for r in ws.iter_rows(min_row=2, max_row=top - 1, values_only=True):
        if r and r[0] == "Total":
            totals[r[1]] = dict(zip(head, r, strict=False))
    return rows, totals, head


def test_costs_totals_are_the_sum_of_the_rows_to_the_cent(book, planned):
    _, wb = book
    rows, totals, head = _costs(wb["Costs"])
    n = len(planned.facts)
    assert len(rows) == 2 * n
    assert set(totals) == {"Exoscale", "Scaleway"}
    money = [h for h in head if h.endswith("(EUR/month)")]
    assert len(money) == len(MONEY_KEYS)
    assert "Total right-sized (EUR/month)" in money
    for provider, total in totals.items():
        mine = [r for r in rows if r["Provider"] == provider]
        assert len(mine) == n
        for column in money:
            cells = [r[column] for r in mine if r[column] is not None]
            assert round(sum(cells), 2) == total[column], (provider, column)
    for key, provider in (("exoscale", "Exoscale"), ("scaleway", "Scaleway")):
        t = planned.plan.providers[key].totals
        assert totals[provider]["Total right-sized (EUR/month)"] == pytest.approx(
            t["rightsized_total_monthly"], abs=0.005
        )
        assert totals[provider]["Priced parts allocated (EUR/month)"] == pytest.approx(
            t["allocated_priced_monthly"], abs=0.005
        )


def test_costs_rows_show_sizing_gaps_and_formats(book, planned):
    _, wb = book
    ws = wb["Costs"]
    rows, _, head = _costs(ws)
    top = int(ws.auto_filter.ref.split(":")[0][1:])
    assert ws.freeze_panes == f"C{top + 1}"
    sid = _a_windows_server(planned)
    mine = {r["Provider"]: r for r in rows if r["Server id"] == sid}
    assert list(mine) == ["Exoscale", "Scaleway"]  # the target first
    exo_row = planned.plan.providers["exoscale"].servers.loc[sid]
    scw_row = planned.plan.providers["scaleway"].servers.loc[sid]
    exo, scw = mine["Exoscale"], mine["Scaleway"]
    assert (exo["Instance allocated"], exo["Instance right-sized"]) == (
        exo_row["allocated_type"],
        exo_row["rightsized_type"],
    )
    assert exo["Sizing basis"] == exo_row["basis"]
    assert exo["Total right-sized (EUR/month)"] is None  # empty, never 0
    assert "Windows licence charge not in the catalog" in exo["Unpriced: what is missing"]
    assert scw["Total right-sized (EUR/month)"] == scw_row["rightsized_total_monthly"]
    assert scw["Unpriced: what is missing"] is None
    assert scw["Price confidence"] == scw_row["price_confidence"]
    assert scw["Price as of"] == scw_row["price_as_of"]
    col = head.index("Total right-sized (EUR/month)") + 1
    cells = next(ws.iter_cols(min_col=col, max_col=col, min_row=top + 1))
    assert {c.number_format for c in cells if c.value is not None} == {"#,##0.00"}


def test_servers_sheet_gains_the_plans_columns(book, planned):
    _, wb = book
    rows = {r["Server"]: r for r in table(wb["Servers"])}
    head = [c.value for c in wb["Servers"][2]]
    added = ["Instance type (Exoscale)", "Sizing basis", "Monthly Exoscale (EUR/month)",
             "Group", "Group name", "Wave"]  # fmt: skip
    at = head.index("Most severe finding")
    assert head[at - len(added) : at] == added
    sid = _a_windows_server(planned)
    row = next(r for r in rows.values() if r["Server id"] == sid)
    cost = planned.plan.primary_cost.servers.loc[sid]
    group = planned.plan.groups.loc[sid]
    wave = planned.plan.waves.servers.loc[sid, "wave"]
    assert row["Instance type (Exoscale)"] == cost["rightsized_type"]
    assert row["Sizing basis"] == cost["basis"]
    assert row["Monthly Exoscale (EUR/month)"] is None  # Windows licence not priced
    assert (row["Group"], row["Group name"]) == (group["group_id"], group["group_name"])
    assert row["Wave"] == (None if pd.isna(wave) else int(wave))
    costs = planned.plan.primary_cost.servers["rightsized_total_monthly"]
    written = [r["Monthly Exoscale (EUR/month)"] for r in rows.values()]
    assert sum(v is not None for v in written) == int(costs.notna().sum())
    assert round(sum(v for v in written if v is not None), 2) == round(float(costs.sum()), 2)
    outside = int(planned.plan.waves.servers["wave"].isna().sum())
    assert outside > 0  # retain, retire, held back with a server to retain
    assert sum(r["Wave"] is None for r in rows.values()) == outside


def test_summary_gives_the_plan_in_numbers(book, planned):
    _, wb = book
    lines = [r[:2] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]]
    pairs = dict(lines)
    t = planned.plan.providers["exoscale"].totals
    unpriced, servers = int(t["rightsized_unpriced_servers"]), int(t["servers"])
    assert pairs["Exoscale (target), EUR/month right-sized"] == (
        f"unknown: {unpriced} of {servers} servers not priced"
    )
    floors = [v for k, v in lines if k == "  priced parts (a floor of the cost)"]
    assert floors[0] == t["rightsized_priced_monthly"]
    assert "Scaleway (compared), EUR/month right-sized" in pairs
    assert pairs["Waves"] == planned.plan.timeline.waves
    assert pairs["Move groups"] == planned.plan.groups["group_id"].nunique()


# --- advisor score ----------------------------------------------------------------------------


def _score(*args: str):
    return CliRunner().invoke(app, ["score", *args], env={"COLUMNS": "200"})


def test_score_adds_instance_basis_and_monthly_cost(tmp_path, planned):
    linux = "Ubuntu Linux (64-bit)"
    (tmp_path / "in").mkdir()
    write_xlsx(
        tmp_path / "in" / "linux.xlsx",
        {"vInfo": [VINFO_4X] + [
            vinfo_row(n, **{"OS according to the configuration file": linux,
                            "OS according to the VMware Tools": linux})
            for n in ("web01", "db01")
        ]},
    )  # fmt: skip
    out = tmp_path / "scored.xlsx"
    result = _score(str(SAMPLE), str(tmp_path / "in"), "-p", str(PROFILE), "-o", str(out))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert "Plan" not in wb.sheetnames and "Costs" not in wb.sheetnames
    portfolio = {Path(r["Source"]).name: r for r in table(wb["Portfolio"])}
    money = "Monthly right-sized (Exoscale, EUR/month)"
    sample, linux_row = portfolio["acme-rvtools.xlsx"], portfolio["linux.xlsx"]
    unpriced = int(planned.plan.primary_cost.totals["rightsized_unpriced_servers"])
    assert sample[money] is None and sample["Servers not priced in full"] == unpriced > 0
    assert linux_row["Servers not priced in full"] == 0 and linux_row[money] > 0
    servers = table(wb["Servers"])
    head = [c.value for c in wb["Servers"][2]]
    assert {"Instance type (Exoscale)", "Sizing basis", "Monthly Exoscale (EUR/month)"} <= set(head)
    assert "Wave" not in head and "Group" not in head
    mine = [s for s in servers if Path(s["Source"]).name == "linux.xlsx"]
    assert round(sum(s["Monthly Exoscale (EUR/month)"] for s in mine), 2) == linux_row[money]
    sid = _a_windows_server(planned)
    row = next(s for s in servers if s["Server id"] == sid)
    cost = planned.plan.primary_cost.servers.loc[sid]
    assert row["Instance type (Exoscale)"] == cost["rightsized_type"]
    assert row["Sizing basis"] == cost["basis"]
    assert row["Monthly Exoscale (EUR/month)"] is None


def test_score_an_inventory_with_nothing_in_scope_is_scored_without_a_plan(tmp_path):
    template = vinfo_row("tpl01", Template="True")
    path = write_xlsx(tmp_path / "templates.xlsx", {"vInfo": [VINFO_4X, template]})
    out = tmp_path / "scored.xlsx"
    result = _score(str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    row = table(load_workbook(out)["Portfolio"])[0]
    assert row["In scope"] == 0 and row["Error"] is None
    assert row["Servers not priced in full"] == 0


# --- no plan ----------------------------------------------------------------------------------


def test_without_a_plan_every_output_is_still_written(acme_sample, tmp_path, strict_json):
    assert acme_sample.plan is None
    data = strict_json(write_json(acme_sample, tmp_path).read_text(encoding="utf-8"))
    assert data["plan"] is None
    assert all(s["sizing"] is None and s["wave"] is None for s in data["servers"])
    wb = load_workbook(write_workbook(acme_sample, tmp_path / "assessment.xlsx"))
    assert not set(PLAN_SHEETS) & set(wb.sheetnames)
    head = [c.value for c in wb["Servers"][2]]
    assert "Sizing basis" not in head and "Wave" not in head
    pairs = [r[0] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]]
    assert not any(str(p).startswith("Plan and costs") for p in pairs)


# --- big sheets (rows written by the fast path) -------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """600 servers (more than the fast path's threshold), one of them named like a formula."""
    folder = tmp_path_factory.mktemp("big")
    names = ["@SUM(A1)", *(f"app{i:03d}" for i in range(599))]
    rows = [vinfo_row(n, **{"VM UUID": f"u-{i}"}) for i, n in enumerate(names)]
    inv = load_inventory(write_xlsx(folder / "big.xlsx", {"vInfo": [VINFO_4X, *rows]}))
    result = assess_and_plan(inv, load_profile(PROFILE))
    return result, write_workbook(result, folder / "assessment.xlsx")


def test_big_groups_sheet_reads_back_and_keeps_formula_like_names_text(big):
    result, path = big
    ws = load_workbook(path)["Groups"]
    written = table(ws, header_row=1)
    assert len(written) == len(result.plan.groups_sheet) == 600
    risky = next(r for r in written if r["server"].startswith("@"))
    assert risky["server"] == "@SUM(A1)"  # text, not a formula
    edits = read_group_edits(path)
    again = make_plan(result, group_edits=edits)
    pd.testing.assert_frame_equal(again.groups, result.plan.groups)


def test_big_costs_sheet_totals_still_add_up(big):
    _, path = big
    rows, totals, head = _costs(load_workbook(path)["Costs"])
    assert len(rows) == 2 * 600
    for provider, total in totals.items():
        mine = [r for r in rows if r["Provider"] == provider]
        for column in (h for h in head if h.endswith("(EUR/month)")):
            cells = [r[column] for r in mine if r[column] is not None]
            assert round(sum(cells), 2) == (total[column] or 0), (provider, column)


def test_a_sheet_without_note_row_takes_the_fast_path_and_reads_back(tmp_path):
    from openpyxl import Workbook

    from advisor.report.xlsx_fastrows import pending
    from advisor.report.xlsx_plan import GROUP_COLS
    from advisor.report.xlsx_report import save_workbook
    from advisor.report.xlsx_sheets import table_sheet

    n = 700
    frame = pd.DataFrame(
        {
            "server": [f"s{i:04d}" for i in range(n)],
            "group": [f"G{i // 2:03d}" for i in range(n)],
            "group name": [f"app {i // 2}" for i in range(n)],
            "reason": "same application",
            "edited": False,
        }
    )
    wb = Workbook(write_only=True)
    table_sheet(wb, "Groups", None, GROUP_COLS, frame, freeze_cols=1)
    assert "Groups" in pending(wb)  # the rows wait for the splice: the fast path
    path = save_workbook(wb, tmp_path / "g.xlsx")
    ws = load_workbook(path)["Groups"]
    assert [c.value for c in ws[1]] == list(frame.columns)
    assert ws.auto_filter.ref == f"A1:E{n + 1}"
    edits = read_group_edits(path)
    assert edits["server"].tolist() == frame["server"].tolist()
    assert edits["group_name"].tolist() == frame["group name"].tolist()
    assert edits["row"].tolist() == list(range(2, n + 2))
