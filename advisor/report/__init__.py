"""Renderers of an Assessment: JSON, the workbook, and the customer report as HTML and PDF.

`write_reports` writes all four into one folder. The report model is built once; the PDF
is laid out by WeasyPrint in a second process while this one writes the JSON, the HTML and
the workbook, so on a machine with two cores the slowest two outputs overlap.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from advisor.errors import InputError


def _warm_up() -> None:
    """Import WeasyPrint in the worker ahead of time (it takes about a second)."""
    import weasyprint  # noqa: F401

    import advisor.report.pdf_report  # noqa: F401


class PdfWorker:
    """A second process for laying out the PDF, started early so that its interpreter start
    and the WeasyPrint import overlap the import and assessment of the inventory."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        self.pool.submit(_warm_up)

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def write_reports(
    assessment, folder: Path, *, appendix: bool = False, worker: PdfWorker | None = None
) -> list[Path]:
    """Write assessment.json, .xlsx, .html and .pdf into `folder`; return their paths."""
    from advisor.report.html_report import logo_data_uri, render_model
    from advisor.report.json_report import write_json
    from advisor.report.model import build_report_model
    from advisor.report.pdf_report import pdf_from_html
    from advisor.report.xlsx_report import write_xlsx

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the output folder ({exc.strerror})") from exc
    model = build_report_model(assessment, appendix)
    logo = model.cover.logo
    pdf_html = render_model(model, logo_src=logo.resolve().as_uri() if logo else None)
    html_path, pdf_path = folder / "assessment.html", folder / "assessment.pdf"
    allowed = [str(logo.resolve())] if logo else []
    with worker or PdfWorker() as running:
        pdf_job = running.pool.submit(pdf_from_html, pdf_html, str(pdf_path), allowed)
        paths = [write_json(assessment, folder)]
        try:
            html_path.write_text(render_model(model, logo_src=logo_data_uri(logo)), "utf-8")
        except OSError as exc:
            raise InputError(f"{html_path}: cannot write the report ({exc.strerror})") from exc
        paths.append(html_path)
        paths.append(write_xlsx(assessment, folder / "assessment.xlsx"))
        try:
            pdf_job.result()
        except OSError as exc:
            raise InputError(f"{pdf_path}: cannot write the PDF ({exc.strerror or exc})") from exc
    paths.append(pdf_path)
    return paths
