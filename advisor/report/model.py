"""The report model: everything the PDF and HTML report show, as plain, formatted data.

`build_report_model(assessment)` turns an `Assessment` into dataclasses of strings, numbers,
lists and `Chart`s, so the Jinja2 templates only loop and branch: no arithmetic, no
formatting, no look-ups. Every number the report prints is formatted here, once.

Size: the finding tables hold every failed and accepted server (the HTML lists them all);
`ReportModel.for_pdf()` cuts them to the rows the PDF shows before the model travels
to the PDF process. Charts show the top few, and everything that touches every server is a
pandas group-by. The optional appendix has one block per server.

This module assembles the model and builds the cover; the parts live next to it:
`model_types` (constants, labels and the dataclasses), `model_context` (the assessment's
tables joined once), `formatting` and `theme`, and one `section_*` module per report
section (summary, scope and effort, areas, connectivity, the migration plan and the costs,
quality, methodology with the appendix). The plan and costs sections exist only when the
assessment carries a plan (`advisor assess` attaches one; the engine alone does not): the
model then leaves them None and the report omits them. The public
names of those modules that other code imports from here are re-exported below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from advisor import __version__
from advisor.report.formatting import (
    anchor,
    display_text,
    first_sentence,
    fmt_date,
    fmt_days,
    fmt_gib,
    fmt_hours,
    fmt_int,
    fmt_ms,
    fmt_param,
    fmt_share,
    plural,
)
from advisor.report.model_context import _Context
from advisor.report.model_types import (
    AREA_BLURBS,
    DEFAULT_PRIMARY,
    DEFAULT_SECONDARY,
    DISPOSITION_LABELS,
    LATENCY_SENSITIVE,
    READINESS_LABELS,
    READINESS_MEANING,
    SCOPE_ROWS,
    SDWAN_MIN_SITES,
    SEGMENT_ROWS,
    SEVERITY_LABELS,
    SITE_CHART_ROWS,
    STATUS_LABELS,
    STORAGE_CHART_ROWS,
    TABLE_ROWS,
    TOP_FINDINGS,
    UPLINK_STRAIN,
    AppendixRow,
    AreaSection,
    CatalogueArea,
    CatalogueRule,
    Connectivity,
    CostsSection,
    Cover,
    DataQuality,
    Methodology,
    PlanSection,
    Point,
    Reference,
    ReportModel,
    Row,
    RuleSection,
    ScopeGroup,
    ScopeSection,
    ServerRow,
    SitePlan,
    Stat,
    Summary,
    Theme,
    Tile,
    TopFinding,
)
from advisor.report.questions import CustomerQuestion, customer_questions
from advisor.report.section_appendix import _appendix
from advisor.report.section_areas import _areas
from advisor.report.section_connectivity import _connectivity
from advisor.report.section_costs import _costs_section
from advisor.report.section_methodology import _methodology
from advisor.report.section_next_steps import _next_steps
from advisor.report.section_plan import _plan_section
from advisor.report.section_quality import _data_quality
from advisor.report.section_questions import _questions
from advisor.report.section_scope import _scope
from advisor.report.section_summary import _summary
from advisor.report.theme import build_theme


def build_report_model(
    assessment: Any,
    appendix: bool = False,
    *,
    date: dt.date | None = None,
    questions: list[CustomerQuestion] | None = None,
    pdf_only: bool = False,
) -> ReportModel:
    """The report model of one assessment; `date` is the report date (default today).
    `questions` are the assessment's `customer_questions` when the caller has them already
    (the workbook needs them too). `pdf_only` leaves out the finding rows only the HTML
    shows: its `for_pdf()` is the full model's, made sooner."""
    ctx = _Context(assessment)
    asked = customer_questions(assessment) if questions is None else questions
    today = date or dt.date.today()
    theme = build_theme(assessment.profile.branding)
    cover = _cover(ctx, today)
    areas, quiet = _areas(ctx, theme, pdf_only=pdf_only)
    model = ReportModel(
        title="Migration assessment",
        customer=cover.customer,
        date=cover.date,
        generator=f"advisor {__version__}",
        theme=theme,
        cover=cover,
        summary=_summary(ctx, theme, asked),
        scope=_scope(ctx),
        areas=areas,
        quiet_areas=quiet,
        connectivity=_connectivity(ctx),
        data_quality=_data_quality(ctx),
        methodology=_methodology(ctx),
        has_sites=bool(ctx.servers["site"].notna().any()),
        appendix=_appendix(ctx) if appendix else None,
        plan=_plan_section(ctx, theme),
        costs=_costs_section(ctx),
        questions=_questions(ctx, asked),
        next_steps=_next_steps(ctx, len(asked)),
    )
    model.sections = [
        ("summary", "Executive summary"),
        ("scope", "Scope and effort"),
        ("findings", "Findings by area"),
        ("connectivity", "Connectivity recommendations"),
    ]
    if model.plan is not None:
        model.sections.append(("plan", "Migration plan"))
    if model.costs is not None:
        model.sections.append(("costs", "Costs"))
    model.sections += [
        ("questions", "Questions for the customer"),
        ("next-steps", "Next steps"),
    ]
    model.sections += [
        ("data-quality", "Data quality and confidence"),
        ("methodology", "Methodology"),
    ]
    if appendix:
        model.sections.append(("appendix", "Appendix: servers"))
    return model


def _cover(ctx: _Context, today: dt.date) -> Cover:
    p = ctx.profile
    zone = p.target.zone
    try:
        z = ctx.catalog.zone(zone)
        place = f"{z.city}, {z.country}"
    except Exception:  # an unknown zone was rejected by assess; keep the report robust
        place = ""
    src = ctx.a.inventory.source
    version = f" {src.format_version}" if src.format_version else ""
    fmt = {"rvtools": "RVTools"}.get(str(src.format), str(src.format))
    logo = p.branding.logo
    return Cover(
        title="Migration assessment",
        customer=display_text(p.customer.name),
        consultant=display_text(p.consultant.name) if p.consultant.name else None,
        company=display_text(p.consultant.company) if p.consultant.company else None,
        date=fmt_date(today),
        provider=ctx.provider,
        zone=zone,
        zone_place=place,
        inventory=f"{display_text(Path(str(src.path)).name)} ({fmt}{version})",
        as_of=fmt_date(ctx.a.as_of.date()),
        logo=Path(logo) if logo is not None and Path(logo).is_file() else None,
    )


__all__ = [
    "AREA_BLURBS",
    "DEFAULT_PRIMARY",
    "DEFAULT_SECONDARY",
    "DISPOSITION_LABELS",
    "LATENCY_SENSITIVE",
    "READINESS_LABELS",
    "READINESS_MEANING",
    "SCOPE_ROWS",
    "SDWAN_MIN_SITES",
    "SEGMENT_ROWS",
    "SEVERITY_LABELS",
    "SITE_CHART_ROWS",
    "STATUS_LABELS",
    "STORAGE_CHART_ROWS",
    "TABLE_ROWS",
    "TOP_FINDINGS",
    "UPLINK_STRAIN",
    "AppendixRow",
    "AreaSection",
    "CatalogueArea",
    "CatalogueRule",
    "Connectivity",
    "CostsSection",
    "Cover",
    "DataQuality",
    "Methodology",
    "PlanSection",
    "Point",
    "Reference",
    "ReportModel",
    "Row",
    "RuleSection",
    "ScopeGroup",
    "ScopeSection",
    "ServerRow",
    "SitePlan",
    "Stat",
    "Summary",
    "Theme",
    "Tile",
    "TopFinding",
    "anchor",
    "build_report_model",
    "build_theme",
    "display_text",
    "first_sentence",
    "fmt_date",
    "fmt_days",
    "fmt_gib",
    "fmt_hours",
    "fmt_int",
    "fmt_ms",
    "fmt_param",
    "fmt_share",
    "plural",
]
