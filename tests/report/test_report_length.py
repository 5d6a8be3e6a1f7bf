"""The PDF report's length and structure: each finding once, no stock sentences, a contents
page whose numbers are right, no half-empty page except before a chapter, and an appendix
that shows how each score came about.

The sample estate is assessed and planned as `advisor demo` does, and its PDF laid out once
for the module (a few seconds); the checks read the PDF's text with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from advisor.report.html_report import render_model
from advisor.report.model import build_report_model

DAY = dt.date(2026, 10, 5)
#: The issue's target for the demo estate without the appendix.
TARGET_PAGES = 25
#: What the demo measures today (24 pages): a change that lengthens the report fails here.
MAX_PAGES = 24
#: Lowest point of a page's text, as a share of the page height from the top, that counts
#: as "at least half full" (the text area starts at about 0.08 of the page).
HALF_FULL = 0.5
CHAPTERS = (
    "Contents",
    "Executive summary",
    "Scope and effort",
    "Findings by area",
    "Connectivity recommendations",
    "Migration plan",
    "Costs",
    "Questions for the customer",
    "Next steps",
    "Data quality and confidence",
    "Methodology",
)


@pytest.fixture(scope="module")
def planned(acme_planned):
    return acme_planned


@pytest.fixture(scope="module")
def model(planned):
    return build_report_model(planned, date=DAY)


@pytest.fixture(scope="module")
def pdf(acme_planned_pdf) -> PdfReader:
    return PdfReader(io.BytesIO(acme_planned_pdf))


@pytest.fixture(scope="module")
def texts(pdf) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def starts(texts) -> dict[str, int]:
    """The page (1-based) each chapter starts on: the first page with its heading as a line
    of its own (the findings and the methodology follow on the page before's end)."""
    out = {}
    for number, text in enumerate(texts, 1):
        for line in _lines(text):
            if line in CHAPTERS:
                out.setdefault(line, number)
    return out


def test_demo_report_stays_within_its_measured_length(pdf):
    assert len(pdf.pages) <= MAX_PAGES


def test_demo_report_is_under_the_target_length(pdf):
    assert len(pdf.pages) < TARGET_PAGES


def test_every_rule_with_findings_appears_once_in_its_area(model, texts, starts):
    html = render_model(model.for_pdf(), logo_src=None, medium="pdf")
    findings = " ".join(texts[starts["Findings by area"] - 1 : starts[CHAPTERS[4]] - 1])
    flat = " ".join(findings.split())
    for area in model.areas:
        for rule in area.rules:
            assert html.count(f'<span class="code">{rule.code}</span>') == 1, rule.code
            # a further finding's title wraps in its table cell, so its code stands for it
            assert (rule.code if rule.compact else " ".join(rule.title.split())) in flat


def test_no_stock_sentence_repeats_the_count(texts):
    text = " ".join(" ".join(texts).split())
    assert "What we found" not in text
    assert "listed below" not in text


def test_the_pdf_lists_each_server_once_per_rule_and_counts_the_rest(planned, model):
    f = planned.evaluation.findings
    shown = f[f["status"].isin(["fail", "accepted"])].groupby("code").size()
    for area in model.for_pdf().areas:
        for rule in area.rules:
            if rule.estate_wide:
                continue
            if rule.compact:  # one line in the table of further findings, with the count
                assert not rule.rows and rule.headline.startswith(f"{shown[rule.code]:,} server")
                assert rule.names.split(",")[0].split(" and ")[0] in rule.names
                continue
            assert all(r.in_pdf for r in rule.rows)
            assert sum(r.servers for r in rule.rows) + rule.more == shown[rule.code], rule.code
    # the model itself keeps every server for the HTML
    full = {r.code: len(r.rows) for a in model.areas for r in a.rules if not r.estate_wide}
    assert full == {code: int(n) for code, n in shown.items() if code in full}


def test_contents_page_follows_the_cover_with_right_page_numbers(texts, starts):
    assert starts["Contents"] == 2
    toc = {}
    for line in _lines(texts[1]):
        m = re.match(r"(.+?)[ .]*\s(\d+)$", line)
        if m:
            toc[m.group(1).strip(" .")] = int(m.group(2))
    for chapter, page in starts.items():
        if chapter != "Contents":
            assert toc.get(chapter) == page, chapter


def _lowest_text(page) -> float:
    """How far down the page its lowest body text reaches, as a share of the page height
    (the running header and footer left out)."""
    height = float(page.mediabox.height)
    ys: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            ys.append(float(tm[5]) * float(cm[3]) + float(cm[5]))

    page.extract_text(visitor_text=visit)
    body = [height - y for y in ys if 0.06 * height < height - y < 0.92 * height]
    return max(body, default=0.0) / height


def test_no_page_is_more_than_half_empty_except_before_a_chapter(pdf, starts):
    chapter_pages = set(starts.values())
    for number, page in enumerate(pdf.pages, 1):
        if number == 1 or number + 1 in chapter_pages or number == len(pdf.pages):
            continue
        assert _lowest_text(page) > HALF_FULL, f"page {number} is more than half empty"


@pytest.fixture(scope="module")
def appendix(planned):
    return build_report_model(planned, appendix=True, date=DAY).appendix


def test_appendix_shows_each_score_as_arithmetic(planned, appendix):
    scores = planned.servers["score"]
    assert len(appendix) == len(scores)
    for row in appendix:
        line = row.score_line.replace("\u2212", "-")
        total, _, rest = line.partition(" = ")
        result = int(re.match(r"\d+", rest).group())
        assert result == int(row.score)
        if "no rule failed" in total:
            assert result == 100
            continue
        points = [float(p) for p in re.findall(r"- (\d+(?:\.\d+)?) \(", total)]
        assert max(100 - sum(points), 0) == pytest.approx(result, abs=0.5), row.name


def test_appendix_lists_every_finding_with_its_facts_in_words(planned, appendix):
    f = planned.evaluation.findings
    per_server = f["server_id"].map(planned.servers["name"]).value_counts()
    for row in appendix:
        assert len(row.findings) == int(per_server.get(row.name, 0)), row.name
        for finding in row.findings:
            assert not re.search(r"(^|; )[a-z]+_[a-z_]+: ", finding.evidence), finding.evidence
            assert not re.search(r": [a-z]+_[a-z_]+(;|$)", finding.evidence), finding.evidence
            if finding.status == "unknown":  # what is missing, in words, not fact names
                assert finding.message.startswith("Not known: "), finding.message
                assert "_" not in finding.message, finding.message
    accepted = [f for row in appendix for f in row.findings if f.status == "accepted"]
    assert accepted and all(f.points == "not counted" for f in accepted)
