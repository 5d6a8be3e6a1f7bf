"""The PDF report of the bundled sample: every section, the sample's specific findings, page
furniture, the shipped font, and nothing read from outside the report assets."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from advisor.engine.assess import assess
from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.facts import all_facts
from advisor.inventory import load_inventory
from advisor.profile import default_profile, load_profile
from advisor.report.fetcher import ReportFetcher
from advisor.report.html_report import reports_dir
from advisor.report.pdf_report import render_pdf, write_pdf

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
DAY = dt.date(2026, 10, 5)
SECTIONS = [
    "Executive summary",
    "Scope and effort",
    "Findings by area",
    "Connectivity recommendations",
    "Data quality and confidence",
    "Methodology",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample(acme_sample):
    return acme_sample


@pytest.fixture(scope="module")
def rendered(sample):
    fetcher = ReportFetcher(reports_dir())
    data = render_pdf(sample, date=DAY, fetcher=fetcher)
    reader = PdfReader(io.BytesIO(data))
    pages = [_flat(p.extract_text()) for p in reader.pages]
    return reader, pages, fetcher


def test_every_section_in_order(rendered):
    _, pages, _ = rendered
    text = " ".join(pages)
    positions = [text.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    for area in CORE_AREAS:
        assert AREA_TITLES[area] in text


def test_cover_names_customer_consultant_and_target(rendered):
    _, pages, _ = rendered
    cover = pages[0]
    for expected in (
        "Acme AG",
        "Jane Doe, Example Consulting",
        "5 October 2026",
        "Exoscale ch-gva-2",
        "acme-rvtools.xlsx",
    ):
        assert expected in cover


def test_executive_summary_is_one_page(rendered, sample):
    _, pages, _ = rendered
    summary = pages[2]  # after the cover and the contents
    s = sample.summary()
    assert "Executive summary" in summary and "What matters most" in summary
    effort = f"{s['effort_hours']:,.0f} h"
    for text in ("77", "of 80 in the inventory", "35.2 TiB", effort, "Ready", "Not ready"):
        assert text in summary, text
    # The scope in words, on the first page after the cover.
    assert (
        "The inventory lists 80 servers; 77 of them are in scope and assessed. 3 VMware "
        "templates are not part of the move; the Scope and effort section lists them"
    ) in summary
    for title in (
        "Production SAP on an IaaS platform SAP has not certified",
        "No instance type of the target is large enough",
    ):
        assert title in summary
    assert summary.count("Next step:") == 5  # all five top findings on this one page
    assert pages[3].find("Scope and effort") < 200


def test_scope_and_effort_section(rendered, sample):
    _, pages, _ = rendered
    page = next(p for p in pages[2:] if "Scope and effort" in p[:200])
    for text in (
        "Servers in the inventory 80",
        "In scope and assessed 77",
        "Not part of the move 3",
        "VMware templates (3)",
        "Templates are not running servers",
        "tpl-rhel9",
        "tpl-win2022",
        "Reason recorded for each: VMware template: rebuilt as an image on the target",
        "Effort: servers and one-off estate work",
    ):
        assert text in page, text
    s = sample.summary()
    assert f"The estimated effort is {s['effort_hours']:,.0f} h" in page
    for code in sample.estate_work["code"]:
        assert code in page
    if len(sample.estate_work):
        assert f"One-off estate work in total {s['effort_hours_estate']:,.0f} h" in page
    assert "Segments by" not in page  # the sample profile sets no segment_by


def test_no_internal_fact_names_in_the_report(rendered):
    """Facts are named in words; the rule catalogue's parameter names (max_age_days) are the
    engagement's settings and may contain a fact's name, so only whole words count."""
    _, pages, _ = rendered
    words = set(re.findall(r"\w+", " ".join(pages)))
    assert sorted(n for n in all_facts() if "_" in n and n in words) == []


def test_specific_findings_of_the_sample(rendered):
    _, pages, _ = rendered
    text = " ".join(pages)
    # bsl-analytics-01 is larger than any instance type
    assert "bsl-analytics-01" in text
    assert "96 vCPU and 1,024 GiB RAM; the largest instance types stop at 40 vCPU" in text
    # snapshot-only backups
    assert "Only VM snapshots protect the server" in text
    for server in ("bsl-sql-02", "bsl-cam-01", "bsl-voip-01", "brn-tt-01", "zeus"):
        assert server in text
    # the Vienna office is nearer another zone: a medium rule, one line of further findings
    assert "LAT004 Another zone is much nearer to this site" in text
    assert "Zone at-vie-1 is nearer (2.0 ms instead of 14.1 ms to ch-gva-2)" in text
    # the accepted exception is shown, not hidden
    assert "CI build server, rebuilt from its pipeline; no backup wanted" in text
    # connectivity: the default VPN, the private link where seeding is too slow
    assert "Site-to-site IPsec VPN" in text and "Private Connect" in text
    assert "Security groups deny all inbound traffic by default" in text
    assert "Layer-2 extension between the sites and the zone is not available" in text


def test_page_headers_and_footers(rendered):
    _, pages, _ = rendered
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert "Acme AG" in page
        assert "5 October 2026" in page
    assert "Page 1 of" not in pages[0]


def test_page_count_follows_rules_not_servers(rendered, sample):
    _, pages, _ = rendered
    failed_rules = sample.evaluation.findings.query("status != 'unknown'")["code"].nunique()
    assert len(pages) < 12 + failed_rules  # a page per rule at most, plus fixed sections


def test_shipped_font_is_embedded(rendered):
    reader, _, _ = rendered
    fonts = set()
    for page in reader.pages[:3]:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("Report-Sans" in f for f in fonts), fonts  # the @font-face of reports/fonts


def test_only_report_assets_were_read(rendered):
    _, _, fetcher = rendered
    root = reports_dir().resolve().as_uri()
    assert fetcher.requested
    assert fetcher.refused == []
    assert all(u.startswith((root + "/", "data:")) for u in fetcher.requested)
    assert any(u.endswith("fonts/DejaVuSans.ttf") for u in fetcher.requested)


def test_metadata(rendered):
    reader, _, _ = rendered
    assert reader.metadata.title == "Migration assessment: Acme AG"


def test_write_pdf_without_a_profile(tmp_path):
    a = assess(load_inventory(SAMPLE), default_profile())
    path = write_pdf(a, tmp_path / "out" / "assessment.pdf", date=DAY)
    reader = PdfReader(path)
    text = _flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Customer" in text
    assert "no per-site plan can be made" in text
    for title in SECTIONS:
        assert title in text


def test_logo_is_read_through_the_fetcher(tmp_path):
    logo = tmp_path / "logo.png"
    from PIL import Image

    Image.new("RGB", (120, 40), "#0b6e4f").save(logo)
    profile = tmp_path / "p.yaml"
    profile.write_text("customer: {name: Logo AG}\nbranding: {logo: logo.png}\n", encoding="utf-8")
    a = assess(load_inventory(SAMPLE), load_profile(profile))
    fetcher = ReportFetcher(reports_dir(), [logo])
    data = render_pdf(a, date=DAY, fetcher=fetcher)
    assert logo.resolve().as_uri() in fetcher.requested
    assert fetcher.refused == []
    assert b"/Subtype /Image" in data or b"/Subtype/Image" in data
