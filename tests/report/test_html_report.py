"""The HTML report: a reviewed structural snapshot of the sample, and a safe environment.

The snapshot is an outline of the rendered template (elements with their ids and classes,
headings, table headers, server names, badges and chart descriptions), not the full text,
so it shows what a change does to the report's structure. The report date is fixed and the
generator version left out. Regenerate after a reviewed change with
`UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/report/test_html_report.py`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import load_profile
from advisor.report import html_report
from advisor.report.html_report import environment, render_html, reports_dir, write_html

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "acme-report-outline.txt"
DAY = dt.date(2026, 10, 5)

STRUCTURE = {
    "section", "h1", "h2", "h3", "table", "tr", "ol", "ul", "li", "dl", "dt", "figure",
    "img", "div", "p",
}  # fmt: skip
TEXT_OF = {"h1", "h2", "h3", "th", "dt"}
TEXT_CLASSES = {"badge", "stat-value", "stat-label", "tile-count", "tile-label", "name", "top-head"}
VOID = {"img", "br", "col", "meta", "link", "input", "hr", "wbr"}


class _Outline(HTMLParser):
    """Indented outline of the body: structure plus the few texts that identify content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        #: open elements: (tag, shown, line index whose text is captured or None, buffer)
        self.stack: list[tuple[str, bool, int | None, list[str]]] = []
        self.depth = 0
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.in_body = True
            return
        if not self.in_body:
            return
        classes = set((a.get("class") or "").split())
        shown = tag in STRUCTURE or tag in TEXT_OF or bool(classes & TEXT_CLASSES)
        line = None
        if shown:
            label = tag + (f"#{a['id']}" if a.get("id") else "")
            label += "".join(f".{c}" for c in sorted(classes))
            if tag == "img":
                src = a.get("src") or ""
                kind = src.split(",", 1)[0] if src.startswith("data:") else src
                label += f" [{kind}] alt={(a.get('alt') or '')[:90]!r}"
            self.lines.append("  " * self.depth + label)
            if tag in TEXT_OF or classes & TEXT_CLASSES:
                line = len(self.lines) - 1
        if tag not in VOID:
            self.stack.append((tag, shown, line, []))
            if shown:
                self.depth += 1

    def handle_endtag(self, tag):
        if not self.in_body or tag in VOID:
            return
        while self.stack:
            open_tag, shown, line, buffer = self.stack.pop()
            if shown:
                self.depth -= 1
            if line is not None:
                text = " ".join("".join(buffer).split())
                self.lines[line] += f" {text[:80]!r}"
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, _, line, buffer in self.stack:
            if line is not None:
                buffer.append(data)


def outline(html: str) -> str:
    parser = _Outline()
    parser.feed(html)
    return "\n".join(parser.lines) + "\n"


@pytest.fixture(scope="module")
def sample(acme_sample):
    return acme_sample


@pytest.fixture(scope="module")
def html(sample):
    return render_html(sample, date=DAY)


def test_html_outline_matches_the_reviewed_snapshot(html):
    got = outline(html)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(got, encoding="utf-8")
    assert SNAPSHOT.is_file(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 and review it"
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert got == expected, "report structure changed: review, then UPDATE_SNAPSHOTS=1"


def test_sections_in_order(html):
    titles = re.findall(r"<h1[^>]*>(.*?)</h1>", html)
    assert titles == [
        "Acme AG",
        "Contents",
        "Executive summary",
        "Scope and effort",
        "Findings by area",
        "Connectivity recommendations",
        "Questions for the customer",
        "Next steps",
        "Data quality and confidence",
        "Methodology",
    ]
    areas = re.findall(r'<section class="area" id="area-([a-z-]+)"', html)
    assert areas[:7] == [
        "snowflake",
        "large-disks",
        "backup",
        "bandwidth",
        "latency",
        "licensing",
        "domain-controllers",
    ]


def test_html_stands_alone_and_loads_nothing(html):
    # one script, the table script, inline (tests/report/test_html_interactive.py)
    assert html.lower().count("<script") == 1 and "<script>" in html
    assert "<link" not in html.lower()
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/") for s in srcs)
    assert not re.search(r'url\(\s*["\']?(https?:|//)', html)
    assert 'id="rule-siz001"' in html and 'href="#rule-siz001"' in html


def test_environment_is_strict_escaping_and_confined_to_the_reports_folder():
    env = environment()
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    assert env.loader.searchpath == [str(reports_dir())]
    with pytest.raises(jinja2.UndefinedError):
        env.get_template(html_report.TEMPLATE).render(m=object(), logo_src=None)


def test_report_code_never_compiles_strings_as_templates():
    folder = ROOT / "advisor" / "report"
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from_string" not in text and "Template(" not in text, path


def test_write_html(sample, tmp_path):
    path = write_html(sample, tmp_path / "out" / "assessment.html", date=DAY)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "5 October 2026" in text


def test_logo_is_embedded_in_the_html(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
        '<rect width="40" height="10" fill="#0b6e4f"/></svg>',
        encoding="utf-8",
    )
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "customer: {name: Logo AG}\nbranding: {logo: logo.svg, primary_color: '#123456'}\n",
        encoding="utf-8",
    )
    a = assess(load_inventory(SAMPLE), load_profile(profile))
    text = render_html(a, date=DAY)
    assert 'class="cover-logo" src="data:image/svg+xml;base64,' in text
    assert "--primary: #123456;" in text
    assert str(tmp_path) not in text
