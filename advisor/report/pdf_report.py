"""The customer report as PDF: the report HTML laid out by WeasyPrint.

WeasyPrint reads fonts and the logo through `ReportFetcher`, which serves the reports
folder, the profile's logo (allowed by its resolved path) and data: URIs only, and refuses
the network and every other file. Charts are inline data: URIs, so nothing is fetched for
them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from advisor.errors import InputError
from advisor.report.fetcher import ReportFetcher
from advisor.report.html_report import render_model, reports_dir
from advisor.report.model import build_report_model


def render_pdf(
    assessment: Any,
    appendix: bool = False,
    *,
    date: dt.date | None = None,
    fetcher: ReportFetcher | None = None,
) -> bytes:
    """The PDF report as bytes. A `fetcher` may be passed to inspect what was requested."""
    from weasyprint import HTML  # imported late: it is slow to import

    root = reports_dir()
    model = build_report_model(assessment, appendix, date=date)
    logo = model.cover.logo
    if fetcher is None:
        fetcher = ReportFetcher(root, [logo] if logo is not None else [])
    html = render_model(model, logo_src=logo.resolve().as_uri() if logo is not None else None)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf()


def write_pdf(
    assessment: Any, path: Path, appendix: bool = False, *, date: dt.date | None = None
) -> Path:
    """Write the PDF report to `path` (its folder is created) and return the path."""
    path = Path(path)
    data = render_pdf(assessment, appendix, date=date)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the PDF report ({exc.strerror or exc})") from exc
    return path


def pdf_from_html(html: str, path: str, allowed: list[str]) -> str:
    """Lay out finished report HTML as a PDF file. Takes only plain values, so it can run in
    another process while the workbook is written (`advisor.report.write_reports`)."""
    from weasyprint import HTML

    root = reports_dir()
    fetcher = ReportFetcher(root, [Path(p) for p in allowed])
    HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf(path)
    return path
