"""Renderers of an Assessment: JSON, the workbook, and the customer report as HTML and PDF.

`write_reports` writes all four into one folder. The report model is built once, without
drawing its charts; the second process draws them and lays out the PDF with WeasyPrint
(the longest output) while this one writes the JSON, the workbook and the HTML, so on a
machine with two cores the PDF starts as early as it can and the rest overlaps it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from advisor.errors import InputError, short_error


def _warm_up() -> None:
    """Import WeasyPrint and matplotlib in the worker ahead of time (together about a
    second and a half), while this process is still importing the inventory."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
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
    from advisor.report.html_report import write_model_html
    from advisor.report.json_report import write_json
    from advisor.report.model import build_report_model
    from advisor.report.pdf_report import write_model_pdf
    from advisor.report.xlsx_report import write_xlsx

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the output folder ({exc.strerror})") from exc
    model = build_report_model(assessment, appendix)  # charts are drawn where they are used
    pdf_path = folder / "assessment.pdf"
    with worker or PdfWorker() as running:
        pdf_job = running.pool.submit(write_model_pdf, model, pdf_path)
        json_path = write_json(assessment, folder)
        xlsx_path = write_xlsx(assessment, folder / "assessment.xlsx")
        html_path = write_model_html(model, folder / "assessment.html")
        try:
            pdf_job.result()
        except BrokenProcessPool:  # the PDF process died (killed, out of memory): try here
            write_model_pdf(model, pdf_path)
        except OSError as exc:  # WeasyPrint could not load Pango or another system library
            raise InputError(
                f"{pdf_path}: not written, WeasyPrint cannot run here ({short_error(exc)}); it "
                "needs the Pango library (see the README). The JSON, workbook and HTML were "
                "written."
            ) from exc
    return [json_path, html_path, xlsx_path, pdf_path]
