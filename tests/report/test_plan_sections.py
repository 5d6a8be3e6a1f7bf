"""The Migration plan and Costs sections: present when the assessment carries a plan (as
`advisor assess` attaches it), absent when the engine ran alone; costs never silent about
missing prices; the verdicts that differ with `--compare`; words for people, not field
names; and one PDF of the sample with both sections and a one-page summary."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.plan.stage import assess_and_plan, make_plan
from advisor.profile import default_profile, load_profile
from advisor.report.formatting import (
    fmt_as_of,
    fmt_date,
    fmt_money,
    fmt_span,
    plural_words,
    public_url,
)
from advisor.report.html_report import model_html
from advisor.report.model import build_report_model
from advisor.report.model_types import READINESS_LABELS, VERDICT_ROWS
from advisor.report.pdf_report import model_pdf
from advisor.report.section_costs import monthly_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
DAY = dt.date(2026, 10, 5)
URL = re.compile(r"https?://\S+")


@pytest.fixture(scope="module")
def compared():
    """The sample assessed and planned on its target, with Scaleway compared."""
    return assess_and_plan(load_inventory(SAMPLE), load_profile(PROFILE), compare="scaleway")


@pytest.fixture(scope="module")
def planned(compared):
    """The same plan without the comparison (what `advisor assess` gives without
    --compare): no second readiness, no verdicts."""
    a = copy.copy(compared)
    plan = compared.plan
    a.plan = dataclasses.replace(
        plan,
        compared=None,
        verdicts=pd.DataFrame(),
        readiness={plan.primary: plan.readiness[plan.primary]},
    )
    return a


@pytest.fixture(scope="module")
def model(planned):
    return build_report_model(planned, date=DAY)


@pytest.fixture(scope="module")
def compared_model(compared):
    return build_report_model(compared, date=DAY)


def _section(html: str, ident: str) -> str:
    """The visible text of one section of the report HTML, links left out."""
    start = html.index(f'<section class="{ident}" id="{ident}">')
    end = html.index("\n</section>", start)
    text = re.sub(r"<[^>]+>", " ", html[start:end])
    return URL.sub(" ", " ".join(text.split()))


def test_plan_and_costs_sections_follow_connectivity(model, planned):
    assert model.plan is not None and model.costs is not None
    keys = [k for k, _ in model.sections]
    assert keys.index("connectivity") < keys.index("plan") < keys.index("costs")
    assert keys.index("costs") < keys.index("data-quality")
    waves = planned.plan.waves.waves
    assert [w.wave for w in model.plan.waves] == [f"{n:,}" for n in waves["wave"]]
    assert {w.kind_label for w in model.plan.waves} <= {
        "Pilot",
        "Standard",
        "Oversized",
        "After blockers",
    }
    assert model.plan.waves[0].kind_label == "Pilot"
    oversized = [w for w in model.plan.waves if w.kind == "oversized"]
    assert oversized and all(w.fits == "No" and w.note for w in oversized)
    assert model.plan.gantt is not None
    assert model.plan.gantt.alt.startswith("Waves over time: Wave 1 (pilot)")
    assert "<svg" in model.plan.gantt.svg
    # Every site of the sample has an uplink: its seeding is bounded and fits.
    assert {s.site for s in model.plan.sites} == set(planned.plan.waves.site_seeding["site"])
    assert all(s.fits_key in ("yes", "no") for s in model.plan.sites)
    assert [r.scenario for r in model.plan.sensitivity] == [
        "25% less throughput",
        "As planned",
        "25% more throughput",
    ]
    t = planned.plan.timeline
    stats = {s.label: s.value for s in model.plan.timeline}
    assert stats["Last wave ends"] == fmt_date(t.end)
    assert stats["Start"] == fmt_date(t.start)


def test_the_model_with_a_plan_pickles(compared_model):
    """The model travels to the PDF process: the new sections must pickle, chart included."""
    again = pickle.loads(pickle.dumps(compared_model))
    assert again.plan.gantt.alt == compared_model.plan.gantt.alt
    assert again.costs.verdicts == compared_model.costs.verdicts


def test_summary_gives_the_monthly_cost_and_the_last_wave(model, planned):
    cost, last = model.summary.plan_stats
    primary = planned.plan.primary_cost
    assert cost.label == f"Monthly cost on {primary.display_name}"
    assert cost.value == monthly_text(primary)
    assert last.label == "Last wave ends"
    assert last.value == fmt_date(planned.plan.timeline.end)


def test_no_plan_no_plan_sections(acme_sample):
    assert acme_sample.plan is None
    m = build_report_model(acme_sample, date=DAY)
    assert m.plan is None and m.costs is None
    assert m.summary.plan_stats == []
    assert "plan" not in dict(m.sections) and "costs" not in dict(m.sections)
    html = model_html(m)
    assert 'id="plan"' not in html and 'id="costs"' not in html
    assert 'class="tiles"' in html and 'class="plan-band"' not in html


def test_unpriced_servers_give_a_floor_never_zero(model, planned):
    """The sample's Exoscale catalog lacks the Windows licence and block volume prices:
    the totals are the priced part, 'at least', with how many servers are priced and why
    the others are not."""
    primary = planned.plan.primary_cost
    t = primary.totals
    assert t["rightsized_unpriced_servers"] > 0
    overview = {r.label: r.values for r in model.costs.overview}
    floor = fmt_money(t["rightsized_priced_monthly"], primary.currency)
    assert overview["Monthly cost, right-sized"] == [f"at least {floor}"]
    n, priced = int(t["servers"]), int(t["rightsized_complete_servers"])
    assert overview["Servers fully priced"] == [f"{priced} of {n}"]
    assert model.summary.plan_stats[0].value == f"at least {floor}"
    assert f"{n - priced} servers of {n} not fully priced" in model.summary.plan_stats[0].note
    reasons = " ".join(model.costs.unpriced)
    assert "no price found for the Windows licence" in reasons
    assert "catalog" not in reasons
    values = [v for r in model.costs.overview + model.costs.by_site for v in r.values]
    assert not any(re.fullmatch(r"0(\.00)? EUR", v) for v in values)
    totals = [r for r in model.costs.by_site if r.total]
    assert totals[0].values == [f"at least {floor}"]


def test_monthly_text_total_floor_and_unknown(planned):
    cost = planned.plan.primary_cost

    def with_totals(**values):
        totals = cost.totals.copy()
        for key, value in values.items():
            totals[key] = value
        return dataclasses.replace(cost, totals=totals)

    complete = with_totals(rightsized_unpriced_servers=0, rightsized_total_monthly=1234.4)
    assert monthly_text(complete) == "1,234 EUR"
    partial = with_totals(rightsized_unpriced_servers=3, rightsized_priced_monthly=9.5)
    assert monthly_text(partial) == "at least 9.50 EUR"
    nothing = with_totals(
        rightsized_unpriced_servers=5, rightsized_priced_monthly=None, rightsized_total_monthly=None
    )
    assert monthly_text(nothing) == "unknown"


def test_the_compared_provider_sits_beside_with_the_verdicts_that_differ(compared_model, compared):
    plan = compared.plan
    costs = compared_model.costs
    assert costs.providers == ["Exoscale", "Scaleway"]
    assert costs.compared == "Scaleway"
    overview = {r.label: r.values for r in costs.overview}
    for key in ("ready", "conditional", "not_ready"):
        label = f"Servers {READINESS_LABELS[key].lower()}"
        assert overview[label] == [
            f"{plan.readiness['exoscale'][key]:,}",
            f"{plan.readiness['scaleway'][key]:,}",
        ]
    assert all(len(r.values) == 2 for r in costs.by_site + costs.by_wave + costs.overview)
    assert len(plan.verdicts) > VERDICT_ROWS  # the sample differs on more than a table holds
    assert len(costs.verdicts) == VERDICT_ROWS
    more = len(plan.verdicts) - VERDICT_ROWS
    assert costs.verdicts_more == f"and {more} more servers, listed in the workbook (Plan sheet)"
    labels = set(READINESS_LABELS.values())
    for v in costs.verdicts:
        assert v.first_label in labels and v.second_label in labels
        assert v.first_label != v.second_label
        assert re.fullmatch(r"[A-Z]{3}\d{3}(, [A-Z]{3}\d{3})*", v.rules)
        assert v.first_says and v.second_says
    # Worst first: a server not ready on either side comes before the others.
    ranks = [min(_rank(v.first), _rank(v.second)) for v in costs.verdicts]
    assert ranks == sorted(ranks)
    names = [g.provider for g in costs.sources]
    assert names == ["Exoscale", "Scaleway"]


def _rank(readiness: str) -> int:
    return {"not_ready": 0, "unknown": 1, "conditional": 2, "ready": 3}[readiness]


def test_words_for_people_in_the_new_sections(compared_model):
    html = model_html(compared_model)
    text = _section(html, "plan") + " " + _section(html, "costs")
    assert "(s)" not in text
    for internal in ("domain-facts", "shared/", "catalog:", "@", "labour_rate", "NaN", "<NA>"):
        assert internal not in text, internal
    snake = re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    assert not snake, snake
    for raw in ("rightsized", "not_ready", "third_party", "after blockers"):
        assert raw not in text, raw
    assert "right-sized" in text
    # Every price source is a link a reader can open.
    for group in compared_model.costs.sources:
        for source in group.sources:
            assert source.url == "" or source.url.startswith("https://"), source.url
            assert "_" not in source.confidence


def test_edited_groups_are_marked(compared):
    """A group the consultant changed in the workbook's Groups sheet is named as edited."""
    edits = pd.DataFrame(
        {
            "server": ["bsl-wiki-01", "bsl-git-01"],
            "group": [pd.NA, pd.NA],
            "group_name": ["Collaboration", "Collaboration"],
            "row": [2, 3],
        }
    ).astype({"server": "string", "group": "string", "group_name": "string", "row": "Int64"})
    a = copy.copy(compared)
    a.plan = make_plan(compared, group_edits=edits)
    assert a.plan.edited_groups >= 1
    m = build_report_model(a, date=DAY)
    edited = [g for g in m.plan.groups if g.edited]
    assert [g.name for g in edited] == ["Collaboration"]
    assert "changed by the consultant" in m.plan.groups_intro


def test_a_plan_without_sites_or_uplinks():
    """Without a profile no site has an uplink: seeding is unknown, never 0 or a guess."""
    a = assess(load_inventory(SAMPLE), default_profile())
    a.plan = make_plan(a)
    m = build_report_model(a, date=DAY)
    (site,) = m.plan.sites
    assert site.site == "Servers without a site"
    assert site.uplink == "unknown" and site.fits_key == "unknown"
    assert m.costs.by_site[0].label == "Servers without a site"
    model_html(m)  # renders


def test_formatting_helpers():
    assert plural_words("1 adapter(s) and 2 more server(s); link(s)") == (
        "1 adapter and 2 more servers; links"
    )
    assert public_url("coder/modules:a/main.tf@805f692") == (
        "https://github.com/coder/modules/blob/805f692/a/main.tf"
    )
    assert public_url("scaleway/docs-content PR #3707 (x.mdx)") == (
        "https://github.com/scaleway/docs-content/pull/3707"
    )
    assert public_url("shared/domain-facts.md#4.2") == ""
    assert fmt_span(dt.date(2026, 12, 28), dt.date(2027, 1, 10)) == (
        "28 December 2026 – 10 January 2027"
    )
    assert fmt_span(dt.date(2026, 10, 5), dt.date(2026, 10, 18)) == "5–18 October 2026"
    assert fmt_as_of("2022-12") == "December 2022"
    assert fmt_money(4.381, "EUR") == "4.38 EUR" and fmt_money(None, "EUR") == "unknown"


def test_pdf_has_both_sections_and_a_one_page_summary(compared_model):
    reader = PdfReader(io.BytesIO(model_pdf(compared_model)))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert pages[1].startswith("Contents")  # the contents follow the cover
    assert pages[2].startswith("Executive summary")
    assert "Last wave ends" in pages[2] and "Monthly cost on Exoscale" in pages[2]
    assert pages[2].count("Next step:") == 5  # all five top findings on this one page
    assert pages[3].find("Scope and effort") < 200
    lines = [[line.strip() for line in p.extract_text().splitlines()] for p in reader.pages]
    # A chapter starts on the first page after the contents with its heading as a line (the
    # plan and the costs start mid-page, where the chapter before ends).
    starts = {
        title: next(i for i, page in enumerate(lines) if i > 1 and title in page)
        for title in (
            "Connectivity recommendations",
            "Migration plan",
            "Costs",
            "Data quality and confidence",
        )
    }
    order = list(starts.values())
    assert order == sorted(order)
    costs = " ".join(pages[starts["Costs"] : starts["Data quality and confidence"]])
    assert "at least" in costs and "Readiness on Exoscale and Scaleway" in costs
