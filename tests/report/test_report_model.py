"""The report model: plain, formatted data in the order the report shows it."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import matplotlib
import pytest

from advisor.engine.assess import assess
from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.inventory import load_inventory
from advisor.profile import default_profile, parse_profile
from advisor.report import charts
from advisor.report.model import (
    TABLE_ROWS,
    build_report_model,
    build_theme,
    first_sentence,
    fmt_gib,
    fmt_hours,
    fmt_param,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
DAY = dt.date(2026, 10, 5)


@pytest.fixture(scope="module")
def sample(acme_sample):
    return acme_sample


@pytest.fixture(scope="module")
def model(sample):
    return build_report_model(sample, date=DAY)


@pytest.fixture(scope="module")
def bare():
    """The sample inventory without a profile: no sites, unknown uplinks and latency."""
    return build_report_model(assess(load_inventory(SAMPLE), default_profile()), date=DAY)


def test_cover_and_headline_numbers(model, sample):
    assert model.cover.customer == "Acme AG"
    assert model.cover.consultant == "Jane Doe"
    assert model.cover.company == "Example Consulting"
    assert model.cover.date == "5 October 2026"
    assert (model.cover.provider, model.cover.zone) == ("Exoscale", "ch-gva-2")
    assert model.cover.zone_place == "Geneva, Switzerland"
    summary = sample.summary()
    stats = {s.label: s for s in model.summary.stats}
    assert stats["Servers in scope"].value == "77"  # the sample's 3 templates are left out
    assert stats["Servers in scope"].note.startswith("of 80 in the inventory")
    assert stats["Storage provisioned"].value == "35.2 TiB"
    assert stats["Storage provisioned"].note == "21.6 TiB of it in use"
    seed = sample.portfolio_facts["estate_transfer_hours"]
    assert stats["Copy time over the uplinks"].value == fmt_hours(seed)
    assert "Basel HQ" in stats["Copy time over the uplinks"].note
    effort = stats["Estimated effort"]
    assert effort.value == f"{summary['effort_hours']:,.0f} h"
    assert f"{summary['effort_hours_servers']:,.0f} h servers" in effort.note
    assert f"+ {summary['effort_hours_estate']:,.0f} h one-off estate work" in effort.note
    tiles = {t.key: t.count for t in model.summary.readiness}
    assert tiles == {k: f"{v:,}" for k, v in summary["readiness"].items()}


def test_summary_says_in_words_what_was_read_assessed_and_left_out(model):
    assert model.summary.scope == (
        "The inventory lists 80 servers; 77 of them are in scope and assessed. 3 VMware "
        "templates are not part of the move; the Scope and effort section lists them with the "
        "reason."
    )


def test_top_findings_put_blockers_first_and_count_estate_wide_ones(model):
    top = model.summary.top
    assert len(top) == 5
    assert [t.severity for t in top[:2]] == ["blocker", "blocker"]
    assert {t.code for t in top[:2]} == {"LIC004", "SIZ001"}
    assert "bsl-analytics-01" in next(t.detail for t in top if t.code == "SIZ001")
    assert any(t.scope == "Estate-wide" for t in top)
    assert "info" not in {t.severity for t in top}
    assert all(t.action and len(t.action) < 200 for t in top)


def test_areas_come_core_first_in_the_fixed_order(model):
    keys = [a.key for a in model.areas]
    core = [k for k in keys if k in CORE_AREAS]
    assert keys[: len(core)] == core
    assert core == [k for k in CORE_AREAS if k in keys]
    others = [k for k in keys if k not in CORE_AREAS]
    assert others == [k for k in AREA_TITLES if k in others and k not in CORE_AREAS]
    assert all(a.rules for a in model.areas)


def test_rule_tables_are_capped_and_worst_first(sample, model, accepted):
    f = sample.evaluation.findings
    shown = f[f["status"].isin(["fail", "accepted"])].groupby("code").size()
    for area in model.for_pdf().areas:
        for rule in area.rules:
            assert sum(r.status == "fail" for r in rule.rows) <= TABLE_ROWS
            assert sum(r.status == "accepted" for r in rule.rows) <= TABLE_ROWS
            if rule.compact:  # one line of further findings: the count and a few names
                assert not rule.rows and rule.more == 0 and (rule.names or rule.estate_wide)
            elif not rule.estate_wide:
                assert sum(r.servers for r in rule.rows) + rule.more == shown[rule.code]
            scores = [int(r.score) for r in rule.rows if r.status == "fail"]
            assert scores == sorted(scores)
    rule = next(r for a in model.for_pdf().areas for r in a.rules if r.code == accepted["rule"])
    rows = [r for r in rule.rows if r.status == "accepted"]
    assert [(r.name, r.reason) for r in rows] == [(accepted["server"], accepted["reason"])]


def test_messages_keep_server_names_as_written(model):
    snow = next(a for a in model.areas if a.key == "snowflake")
    rows = [r for rule in snow.rules for r in rule.rows if r.name == "zeus"]
    assert rows and all(not r.message.startswith("Zeus") for r in rows)


def test_area_charts_where_they_help(model):
    charts_by_area = {a.key: a.charts for a in model.areas}
    assert len(charts_by_area["large-disks"]) == 1
    assert "bsl-fs-01" in charts_by_area["large-disks"][0].alt
    assert "Basel HQ" in charts_by_area["bandwidth"][0].alt
    assert "Vienna sales office 14.1 ms" in charts_by_area["latency"][0].alt


def test_connectivity_per_site(model):
    c = model.connectivity
    sites = {s.name: s for s in c.sites}
    assert set(sites) == {"Basel HQ", "Bern office", "Vienna sales office"}
    assert "Private Connect" in sites["Basel HQ"].link  # seeding 565 h > 168 h
    assert sites["Bern office"].link == "Site-to-site IPsec VPN"
    assert any("at-vie-1 is nearer" in r for r in sites["Vienna sales office"].reasons)
    titles = [p.title for p in c.points]
    assert titles[:4] == ["VPN gateway", "Routing", "No layer-2 extension", "Security groups"]
    text = " ".join(p.text for p in c.points)
    assert "deny all inbound traffic by default" in text
    assert "no managed site-to-site VPN" in text
    assert "Layer-2 extension between the sites and the zone is not available" in text


def test_scaleway_connectivity_names_what_is_unverified():
    profile = parse_profile(
        {"target": {"provider": "scaleway", "zone": "fr-par-1"}, "sites": []}, "test"
    )
    m = build_report_model(assess(load_inventory(SAMPLE), profile), date=DAY)
    assert m.connectivity.no_sites
    assert any("security groups" in u for u in m.connectivity.unverified)
    assert "InterLink" in " ".join(p.text for p in m.connectivity.points)


def test_data_quality_and_methodology(model):
    dq = model.data_quality
    assert {s.label: s.value for s in dq.source}["File"] == "acme-rvtools.xlsx"
    assert dq.unknown_rules and dq.unknown_facts
    # What the data leaves open reads in words, never as internal fact names.
    assert all("_" not in r.cells[3] for r in dq.unknown_rules)
    assert all("_" not in r.cells[0] for r in dq.unknown_facts)
    assert {s.label: s.value for s in dq.source}["Servers"] == (
        "80 read: 77 in scope, 3 out of scope, 0 rejected"
    )
    assert dq.assumptions
    rules = [r for area in model.methodology.catalogue for r in area.rules]
    assert len(rules) == int(model.methodology.rules_total)
    dsk001 = next(r for r in rules if r.code == "DSK001")
    assert dsk001.params == ["window hours = 48 h (profile)"]


def test_without_a_profile_the_model_still_reads_well(bare):
    assert bare.cover.customer == "Customer"
    assert bare.cover.consultant is None and bare.cover.logo is None
    assert bare.has_sites is False
    assert bare.connectivity.no_sites and not bare.connectivity.sites
    stats = {s.label: s for s in bare.summary.stats}
    assert stats["Copy time over the uplinks"].value == "unknown"
    assert bare.scope.segment_label is None and not bare.scope.segments
    ready = {t.key: t.count for t in bare.summary.readiness}["ready"]
    assert ("none can move as they are" in bare.summary.intro) == (ready == "0")
    assert not any(a.charts for a in bare.areas if a.key in ("bandwidth", "latency"))
    assert any("No sites" in a for a in bare.data_quality.assumptions)


def test_appendix_only_on_request(sample, model):
    assert model.appendix is None
    full = build_report_model(sample, appendix=True, date=DAY)
    assert len(full.appendix) == len(sample.servers)
    assert full.sections[-1] == ("appendix", "Appendix: servers")


def test_theme_follows_branding():
    class Branding:
        primary_color = "#0b6e4f"
        secondary_color = None

    theme = build_theme(Branding())
    assert theme.primary == "#0b6e4f"
    assert theme.primary_light.startswith("#") and len(theme.primary_light) == 7
    Branding.primary_color = "#fff"  # too pale for headings: darkened
    assert build_theme(Branding()).primary != "#ffffff"
    Branding.primary_color = "red; } body { display: none"  # never reaches the CSS
    assert build_theme(Branding()).primary == "#1f4e79"
    assert build_theme(None).primary == "#1f4e79"


def test_formatting():
    assert fmt_gib(512) == "512 GiB"
    assert fmt_gib(22151) == "21.6 TiB"
    assert fmt_gib(None) == "unknown"
    assert fmt_hours(0.4) == "under 1 h"
    assert fmt_hours(7.01) == "7.0 h"
    assert fmt_hours(564.58) == "565 h"
    assert fmt_param(0.5, "share") == "50%"
    assert fmt_param(3, "count") == "3"
    assert fmt_param(48.0, "h") == "48 h"
    assert fmt_param(["a", "b"], "roles") == "a, b"
    assert first_sentence("Use e.g. rsync first. Then more.") == "Use e.g. rsync first."


def test_charts_are_self_contained_svg_and_leave_matplotlib_as_it_was(model):
    before = dict(matplotlib.rcParams)
    chart = charts.storage_chart([("$\\frac{1}{0}$ <b>", 10.0, 20.0, True)], "#0b6e4f")
    svg = chart.svg
    assert dict(matplotlib.rcParams) == before
    assert svg.startswith("<svg") and "<script" not in svg
    assert 'href="http' not in svg and "url(http" not in svg and "<image" not in svg
    for c in [model.summary.readiness_chart, model.summary.disposition_chart]:
        assert c.src.startswith("data:image/svg+xml;base64,")


def test_charts_are_drawn_on_first_use_and_travel_undrawn(model):
    """The model goes to the PDF process pickled; its charts are drawn there, the same."""
    fresh = charts.rtt_chart([("Basel", 12.5, None, "")], [("limit", 30.0)], "#0b6e4f")
    assert "svg" not in fresh.__dict__  # nothing drawn yet
    assert fresh.alt == "Round trip per site: Basel 12.5 ms"
    travelled = pickle.loads(pickle.dumps(fresh))
    assert travelled.svg == fresh.svg and "svg" in fresh.__dict__
    copy = pickle.loads(pickle.dumps(model))
    assert copy.summary.readiness_chart.svg == model.summary.readiness_chart.svg


def test_a_tiny_clean_estate_renders(tmp_path):
    from builders import VINFO_4X, vinfo_row, write_xlsx

    from advisor.report.html_report import render_html

    path = write_xlsx(tmp_path / "tiny.xlsx", {"vInfo": [VINFO_4X, vinfo_row("web01")]})
    a = assess(load_inventory(path), default_profile())
    m = build_report_model(a, appendix=True, date=DAY)
    assert m.summary.stats[0].value == "1"
    assert [r.name for r in m.appendix] == ["web01"]
    assert "web01" in render_html(a, appendix=True, date=DAY)


@pytest.mark.parametrize("fixture", ["acme_planned", "real_655"])
def test_the_pdf_only_model_is_the_full_models_pdf_copy(fixture, request):
    """`assess` lays the PDF out from a model made without the rows only the HTML lists,
    before the HTML's model: the PDF must not differ by one cell for it."""
    from advisor.report.questions import customer_questions

    assessment = request.getfixturevalue(fixture)
    questions = customer_questions(assessment)
    day = dt.date(2026, 10, 5)
    full = build_report_model(assessment, questions=questions, date=day)
    pdf_only = build_report_model(assessment, questions=questions, date=day, pdf_only=True)
    assert pdf_only.for_pdf() == full.for_pdf()
    rows = sum(len(r.rows) for a in pdf_only.areas for r in a.rules)
    assert rows < sum(len(r.rows) for a in full.areas for r in a.rules)
