"""The executive summary fits on one page for the sample and the 655-VM real export, states
estate issues with counts (never one server's details, never one fact twice, never a cut
sentence), and the questions and next-steps pages follow the costs, one page each for the
sample."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from advisor.engine.assess import load_catalog_rules
from advisor.report.fetcher import ReportFetcher
from advisor.report.html_report import reports_dir
from advisor.report.model_context import _Context
from advisor.report.pdf_report import render_pdf
from advisor.report.section_summary import (
    ACTION_CHARS,
    _top_findings,
    measured_facts,
    short_sentence,
)

DAY = dt.date(2026, 10, 5)


def _pages(assessment) -> list[str]:
    data = render_pdf(assessment, date=DAY, fetcher=ReportFetcher(reports_dir()))
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def _page_of(pages: list[str], heading: str) -> int:
    """The page a chapter starts on: its heading is the page's first text."""
    hits = [i for i, text in enumerate(pages) if text.startswith(heading)]
    assert len(hits) == 1, (heading, hits)
    return hits[0]


@pytest.fixture(scope="module")
def sample(acme_planned):
    return acme_planned


@pytest.fixture(scope="module")
def sample_pages(acme_planned_pdf):
    reader = PdfReader(io.BytesIO(acme_planned_pdf))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


@pytest.fixture(scope="module")
def real(real_655):
    return real_655


@pytest.fixture(scope="module")
def real_pages(real):
    return _pages(real)


def _summary_is_one_page(pages: list[str]) -> str:
    at = _page_of(pages, "Executive summary")
    assert pages[at + 1].startswith("Scope and effort")
    return pages[at]


def test_sample_summary_is_one_page_without_cut_sentences(sample_pages):
    page = _summary_is_one_page(sample_pages)
    assert "What matters most" in page
    assert page.count("Next step:") == 5
    assert "…" not in page
    assert "Open questions for the customer:" in page


def test_real_export_summary_is_one_page_without_cut_sentences(real_pages):
    page = _summary_is_one_page(real_pages)
    assert page.count("Next step:") == 5
    assert "…" not in page
    # An estate issue with its count and what the servers share, not one server's details.
    assert "75 servers (12% of those in scope): CentOS 7: 71" in page
    assert "Oracle Linux 7 left vendor support" not in page


def test_questions_and_next_steps_follow_the_costs_one_page_each(sample_pages):
    questions = _page_of(sample_pages, "Questions for the customer")
    steps = _page_of(sample_pages, "Next steps")
    # The costs chapter starts where the plan ends, mid-page: its last table comes first.
    costliest = [i for i, text in enumerate(sample_pages) if "The costliest servers" in text]
    assert costliest and costliest[-1] < questions
    assert steps == questions + 1
    assert sample_pages[steps + 1].startswith("Data quality and confidence")
    assert "Which backup product protects each of these" in sample_pages[questions]
    assert "Decisions for the customer" in sample_pages[steps]
    assert "Pilot" in sample_pages[steps]


def test_no_two_summary_items_measure_the_same_fact(sample):
    ctx = _Context(sample)
    top = _top_findings(ctx)
    codes = [t.code for t in top]
    assert "BWD003" in codes and "DSK004" not in codes  # both: 575 h of seeding
    seen: set[str] = set()
    for code in codes:
        measured = measured_facts(ctx.rules[code])
        assert not measured & seen, code
        seen |= measured


def test_measured_facts_are_those_compared_with_a_limit():
    rules = {r.code: r for r in load_catalog_rules()}
    assert measured_facts(rules["DSK004"]) == {"estate_transfer_hours"}
    assert measured_facts(rules["BWD003"]) == {"estate_transfer_hours"}
    assert "snapshot_count" in measured_facts(rules["BKP004"])
    assert measured_facts(rules["LCY001"]) == frozenset()  # a flag, no limit


def test_short_sentence_shortens_at_a_clause_and_never_cuts():
    rules = load_catalog_rules()
    for rule in rules:
        out = short_sentence(rule.spec.remediation)
        assert "…" not in out and out.endswith("."), rule.code
    assert short_sentence("Do this now. Then that.") == "Do this now."
    long = "Shrink the boot disk before conversion: " + "move data folders elsewhere " * 8 + "."
    assert short_sentence(long) == "Shrink the boot disk before conversion."
    aside = "Keep the server " + "(" + "x " * 60 + ") where it runs today."
    assert short_sentence(aside) == "Keep the server where it runs today."
    shortened = [short_sentence(r.spec.remediation) for r in rules]
    assert sum(len(s) <= ACTION_CHARS for s in shortened) >= len(rules) - 2
