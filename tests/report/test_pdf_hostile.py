"""Hostile inventory values stay inert in the HTML and the PDF: escaped, never evaluated as
template code, never fetched, never turned into markup or mathtext."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from openpyxl import load_workbook
from pypdf import PdfReader

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile
from advisor.report.fetcher import ReportFetcher
from advisor.report.html_report import interactive_assets, render_html, reports_dir
from advisor.report.pdf_report import render_pdf

FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
JINJA = "{{ 7*7 }}"
IMG = '<img src="http://example.com/x.png">'
MATH = "$\\frac{1}{0}$"
HOSTILE = [FORMULA, SCRIPT, JINJA, IMG, MATH]
DAY = dt.date(2026, 10, 5)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An estate whose names, notes, owners and datacenters carry every hostile value.

    Large disks put the names into the storage chart; missing backups and owners put them
    into finding tables; the appendix lists every server.
    """
    path = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    rows = [VINFO_4X]
    for i, value in enumerate(HOSTILE):
        rows.append(
            vinfo_row(
                value,
                **{
                    "Annotation": f"notes {JINJA} {IMG} {SCRIPT}",
                    "Owner": value,
                    "Backup Tool": "",
                    "Datacenter": value,
                    "Cluster": IMG,
                    "In Use MiB": (6_000 + i) * 1024,
                    "Provisioned MiB": 7_000 * 1024,
                    "VM UUID": f"uuid-hostile-{i}",
                    "DNS Name": value,
                },
            )
        )
    write_xlsx(path, {"vInfo": rows})
    _formulas_as_text(path)
    inventory = load_inventory(path)
    assert FORMULA in set(inventory.servers["name"])
    return assess(inventory, default_profile())


def _formulas_as_text(path) -> None:
    """openpyxl stores a string starting with '=' as a formula; a customer's export holds
    it as text, so store it as text too."""
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    wb.save(path)


@pytest.fixture(scope="module")
def html(hostile):
    return render_html(hostile, appendix=True, date=DAY)


@pytest.fixture(scope="module")
def pdf(hostile):
    fetcher = ReportFetcher(reports_dir())
    data = render_pdf(hostile, appendix=True, date=DAY, fetcher=fetcher)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data, text, fetcher


def test_hostile_values_reach_the_report(html):
    # present (escaped) in the appendix and in the finding tables
    body = htmllib.unescape(html)
    for value in HOSTILE:
        assert value in body, value


def test_html_escapes_every_value(html):
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="http://example.com' not in html
    assert not re.search(r"<img[^>]+src=[\"']?https?:", html)
    assert "&lt;img src=&#34;http://example.com/x.png&#34;&gt;" in html
    own = f"<script>\n{interactive_assets()[1]}\n</script>"
    assert html.count(own) == 1  # the report's own table script, and nothing else
    assert "<script" not in html.replace(own, "").lower()


def test_template_syntax_in_data_is_not_evaluated(html):
    assert JINJA in html
    assert ">49<" not in html and " 49 " not in htmllib.unescape(html).replace(JINJA, "")


def test_formulas_are_plain_text(html):
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
    assert 'href="http://x"' not in html


def test_pdf_shows_values_as_text_and_fetches_nothing(pdf):
    data, text, fetcher = pdf
    assert data.startswith(b"%PDF")
    # Narrow table cells wrap long values over lines: compare without the white space.
    flat = "".join(text.split())
    for value in (SCRIPT, JINJA, FORMULA):
        assert "".join(value.split()) in flat, value
    assert not [u for u in fetcher.requested if u.lower().startswith(("http", "ftp", "//"))]
    assert fetcher.refused == []
    root = reports_dir().resolve().as_uri()
    assert all(u.startswith((root, "data:")) for u in fetcher.requested)
    assert any(u.endswith(".ttf") for u in fetcher.requested)  # fonts came via the fetcher


def test_pdf_has_no_links_made_from_inventory_values(pdf):
    data, _, _ = pdf
    uris = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    assert uris, "rule references are links"
    assert not [u for u in uris if "example.com" in u or u.startswith("http://x")]
