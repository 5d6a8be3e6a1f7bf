"""The customer report as PDF: the report HTML laid out by WeasyPrint.

WeasyPrint reads fonts and the logo through `ReportFetcher`, which serves the reports
folder, the profile's logo (allowed by its resolved path) and data: URIs only, and refuses
the network and every other file. Charts are inline data: URIs, so nothing is fetched for
them; they are drawn when the HTML is rendered, in whichever process lays out the PDF.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from markupsafe import Markup

from advisor.report.charts import raster_charts
from advisor.report.fetcher import ReportFetcher
from advisor.report.html_report import render_model, reports_dir, write_report_file
from advisor.report.model import ReportModel, build_report_model

#: Allocations between two runs of the cyclic garbage collector's youngest generation while
#: WeasyPrint lays out a report (Python's default is 700). A layout makes hundreds of
#: thousands of objects (boxes, styles) that live for most of it; at the default, the
#: collector walked them again and again, a fifth of the layout's time (0.5 to 1 s of a
#: 24-page report, more on some runs than others). At 10,000 the layout of the same report
#: is that much shorter; the PDF process peaked 4 MiB higher (80 MiB after several layouts
#: in one process), and with the appendix of the 655-VM export (a 70 s layout) no higher
#: (benchmarks/README.md).
LAYOUT_GC_THRESHOLD = 10_000


def layout_pdf(html: str, fetcher: ReportFetcher) -> bytes:
    """Lay out report HTML as PDF bytes; every asset is fetched through `fetcher`."""
    from weasyprint import HTML  # imported late: it is slow to import

    base = reports_dir().as_uri() + "/"
    with _fewer_collections():
        return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector's youngest generation run every LAYOUT_GC_THRESHOLD allocations
    inside the block, as before after it (the setting is the process's)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], LAYOUT_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def model_pdf(model: ReportModel, fetcher: ReportFetcher | None = None) -> bytes:
    """The PDF of a report model. The logo is referenced by its file path, which the
    default fetcher allows (and nothing else outside the reports folder)."""
    logo = model.cover.logo.resolve() if model.cover.logo is not None else None
    # A file: URI is percent-encoded (nothing to escape) and must not be shortened.
    src = Markup(logo.as_uri()) if logo is not None else None
    with raster_charts():  # PNG charts: WeasyPrint draws an SVG node by node
        html = render_model(model, logo_src=src, medium="pdf")
    if fetcher is None:
        fetcher = ReportFetcher(reports_dir(), [logo] if logo is not None else [])
    return layout_pdf(html, fetcher)


def render_pdf(
    assessment: Any,
    appendix: bool = False,
    *,
    date: dt.date | None = None,
    fetcher: ReportFetcher | None = None,
) -> bytes:
    """The PDF report as bytes. A `fetcher` may be passed to inspect what was requested."""
    return model_pdf(build_report_model(assessment, appendix, date=date), fetcher)


def write_pdf(
    assessment: Any, path: Path, appendix: bool = False, *, date: dt.date | None = None
) -> Path:
    """Write the PDF report to `path` (its folder is created) and return the path."""
    return write_model_pdf(build_report_model(assessment, appendix, date=date), path)


def write_model_pdf(model: ReportModel, path: Path) -> Path:
    """Write the PDF of a report model to `path`. Takes only picklable values, so it runs in
    the second process of `advisor.report.write_reports`, charts drawn there too."""
    return write_report_file(Path(path), model_pdf(model), "the PDF report")
