"""The PDF report of the bundled sample: every section, the sample's specific findings, page
furniture, the shipped font, and nothing read from outside the report assets."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from advisor.engine.assess import assess
from advisor.engine.rules import AREA_TITLES, CORE_AREAS
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
    "Findings by area",
    "Connectivity recommendations",
    "Data quality and confidence",
    "Methodology and rule catalogue",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample():
    return assess(load_inventory(SAMPLE), load_profile(PROFILE))


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


def test_executive_summary_is_one_page(rendered):
    _, pages, _ = rendered
    summary = pages[1]
    assert "Executive summary" in summary and "What matters most" in summary
    for text in ("80", "35.2 TiB", "565 h", "1,490 h", "Ready", "Not ready"):
        assert text in summary
    for title in (
        "Production SAP on an IaaS platform SAP has not certified",
        "No instance type of the target is large enough",
        "VM snapshots are the only backup",
    ):
        assert title in summary
    assert pages[2].find("Findings by area") < 200


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
    # the Vienna office is nearer another zone
    assert "at-vie-1 is about 2.0 ms away" in text
    assert "Zone at-vie-1 is nearer (2.0 ms instead of 14.1 ms to ch-gva-2)" in text
    # the accepted exception is shown, not hidden
    assert "Agent-based backup is being rolled out" in text
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
