"""Renderers of an Assessment: JSON, the workbook, and the customer report as HTML and PDF.

`write_reports` writes all four into one folder, or the kinds named in `only`
(`advisor assess --only json,xlsx`). The report model is built once, without drawing its
charts, and only when the HTML or the PDF is asked for; the second process draws them and
lays out the PDF with WeasyPrint (the longest output) while this one writes the JSON, the
workbook and the HTML, so on a machine with two cores the PDF starts as early as it can and
the rest overlaps it. Without the PDF no second process is started at all.

The files written are one set: they are written into a hidden staging folder and moved into
place together only when all are complete (see `atomic.py`), so a run that stops part-way
leaves the previous set as it was, never a mix of two runs. Files of the kinds a run was not
asked for, left by an earlier run, go with the move: after `--only json,xlsx` the folder
holds this run's JSON and workbook and no PDF that says something else; `earlier_others`
names them beforehand, so the summary can say what went.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import forking
from advisor.errors import InputError, short_error

if TYPE_CHECKING:
    from concurrent.futures import Future

#: The outputs of `write_reports`, in the order their paths are returned.
OUTPUT_NAMES = ("assessment.json", "assessment.html", "assessment.xlsx", "assessment.pdf")
#: The kinds `--only` names, each the suffix of its output, in the order of OUTPUT_NAMES.
OUTPUT_KINDS = tuple(name.rsplit(".", 1)[1] for name in OUTPUT_NAMES)


def _warm_up() -> None:
    """Import WeasyPrint and matplotlib in the worker ahead of time (together about a
    second and a half), while this process is still importing the inventory."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import weasyprint  # noqa: F401

    import advisor.report.pdf_report  # noqa: F401


class PdfWorker:
    """A second process for laying out the PDF, started early so that its interpreter start
    and the WeasyPrint import overlap the import and assessment of the inventory. It never
    outlives this process (`forking.end_with_parent`), and is stopped at once, not waited
    for, when the block it serves ends with an exception."""

    def __init__(self) -> None:
        # Imported here: multiprocessing costs a tenth of a second to import, for nothing
        # when no PDF is asked for.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        # The process starts in the thread that submits first, which is this one.
        deathsig = threading.current_thread() is threading.main_thread()
        self.pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=forking.end_with_parent,
            initargs=(os.getpid(), deathsig),
        )
        self.pool.submit(_warm_up)

    @property
    def pids(self) -> list[int]:
        """The pids of the worker processes (one), for stopping them and for tests."""
        return list(getattr(self.pool, "_processes", None) or {})

    def stop(self) -> None:
        """End the worker now: after Ctrl-C or a failed write its PDF is not wanted, and
        waiting for WeasyPrint to finish could take minutes. (The executor offers no public
        way to terminate its workers before Python 3.14.)"""
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            process.terminate()

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        """Told to stop, the worker ends on its own; it is not waited for (a quarter of a
        second of interpreter teardown after every PDF) except after an exception, when it
        is stopped and gone before the exception goes on."""
        if exc_type is not None:
            self.stop()
        self.pool.shutdown(wait=exc_type is not None, cancel_futures=True)


class _PdfUnavailable(Exception):
    """WeasyPrint cannot run on this machine (a system library such as Pango is missing)."""


def parse_only(text: str | None, option: str = "--only") -> tuple[str, ...]:
    """The output kinds of a comma list such as "pdf,json" (any order, any case, repeats
    allowed), in the order of OUTPUT_KINDS; all of them for None. A kind not known is an
    InputError naming it."""
    if text is None:
        return OUTPUT_KINDS
    asked = [part.strip().lower() for part in text.split(",") if part.strip()]
    known = "pdf, html, xlsx, json"  # as `assess --help` shows them
    if not asked:
        raise InputError(f"{option}: name at least one of {known}")
    for kind in asked:
        if kind not in OUTPUT_KINDS:
            raise InputError(f"{option}: '{kind}' is not one of {known}")
    return tuple(k for k in OUTPUT_KINDS if k in asked)


def output_names(kinds: tuple[str, ...] = OUTPUT_KINDS) -> tuple[str, ...]:
    """The file names of the output kinds `kinds`, in the order of OUTPUT_NAMES."""
    return tuple(n for n, k in zip(OUTPUT_NAMES, OUTPUT_KINDS, strict=True) if k in kinds)


def earlier_others(folder: Path, kinds: tuple[str, ...]) -> list[Path]:
    """Outputs in `folder` of kinds other than `kinds`: an earlier run's, which a run of
    `kinds` removes (see `write_reports`). Asked before the run, to say what went."""
    written = output_names(kinds)
    others = (Path(folder) / n for n in OUTPUT_NAMES if n not in written)
    return [path for path in others if path.is_file()]


def write_reports(
    assessment: Any,
    folder: Path,
    *,
    appendix: bool = False,
    worker: PdfWorker | None = None,
    only: tuple[str, ...] = OUTPUT_KINDS,
) -> list[Path]:
    """Write the outputs of the kinds `only` (all four by default) into `folder` as one
    set; return their paths. Outputs of the other kinds left there by an earlier run are
    removed with the move, so the folder never pairs files of two runs (a PDF of last
    week's settings beside today's workbook). Nothing in `folder` changes unless the whole
    set was written, except on a machine where WeasyPrint cannot run: there the others are
    written and an older PDF is removed as well. The PDF process (`worker`, or one started here) is
    used only when the PDF is asked for."""
    from advisor.report.atomic import Staging, signals_as_exit

    unknown = set(only) - set(OUTPUT_KINDS)
    if unknown or not only:
        raise ValueError(f"output kinds {sorted(only)}: expected some of {OUTPUT_KINDS}")
    names = output_names(tuple(only))
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the output folder ({exc.strerror})") from exc
    questions = None
    if "html" in only or "pdf" in only:
        from advisor.report.questions import customer_questions

        # Asked once for the report and the workbook: at 100,000 servers the questions
        # take seconds and a few hundred MiB while they are worked out.
        questions = customer_questions(assessment)
    pdf_name = OUTPUT_NAMES[OUTPUT_KINDS.index("pdf")]
    pdf_worker: Any = contextlib.nullcontext()
    if "pdf" in only:
        pdf_worker = worker or PdfWorker()
    try:
        with signals_as_exit(), Staging(folder) as staging, pdf_worker as running:
            unavailable = _render_set(assessment, appendix, staging, running, names, questions)
            others = tuple(n for n in OUTPUT_NAMES if n not in names)
            if unavailable is None:
                return staging.publish(names, drop=others)
            made = tuple(n for n in names if n != pdf_name)
            staging.publish(made, drop=(*others, pdf_name))
    except OSError as exc:  # nothing was moved into `folder` (see Staging.publish)
        raise _not_written(folder, exc) from exc
    others = [n for n in names if n != pdf_name]
    written = f"The {_listed(others)} were written." if others else "Nothing else was asked for."
    raise InputError(
        f"{folder / pdf_name}: not written, WeasyPrint cannot run here "
        f"({short_error(unavailable.__cause__ or unavailable)}); it needs the Pango "
        f"library (see the README). {written}"
    ) from unavailable


#: How the outputs are named in a sentence.
_OUTPUT_WORDS = {
    "assessment.json": "JSON",
    "assessment.html": "HTML",
    "assessment.xlsx": "workbook",
    "assessment.pdf": "PDF",
}


def _listed(names: list[str]) -> str:
    """'JSON, workbook and HTML' for the files `names`, in the order of the old message."""
    order = ("assessment.json", "assessment.xlsx", "assessment.html", "assessment.pdf")
    words = [_OUTPUT_WORDS[n] for n in order if n in names]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _render_set(
    assessment: Any,
    appendix: bool,
    staging: Any,
    running: PdfWorker | None,
    names: tuple[str, ...],
    questions: list[Any] | None = None,
) -> _PdfUnavailable | None:
    """Write the outputs `names` into the staging folder: the PDF is laid out in the worker
    (it returns the bytes; only this process writes files) while this process writes the
    rest. Returns why the PDF could not be made where WeasyPrint cannot run, else None.
    A file-system error is raised as the OSError itself: the writers name their file, but
    that file is in the staging folder, which means nothing to the user."""
    try:
        return _render_files(assessment, appendix, staging, running, names, questions)
    except InputError as exc:
        if isinstance(exc.__cause__, OSError):
            raise exc.__cause__ from None
        raise


def _render_files(
    assessment: Any,
    appendix: bool,
    staging: Any,
    running: PdfWorker | None,
    names: tuple[str, ...],
    questions: list[Any] | None = None,
) -> _PdfUnavailable | None:
    """The report model is made first and its PDF copy handed to the PDF process at once;
    this process then writes the others while the PDF is laid out. Without the HTML, the
    model leaves out the finding rows only the HTML lists (tens of thousands in a big
    estate); made twice, once for each, it cost the demo a second of CPU for nothing."""
    json_name, html_name, xlsx_name, pdf_name = OUTPUT_NAMES
    model = pdf_job = pdf_model = None
    if html_name in names or pdf_name in names:  # the model's sections: imported for them
        from advisor.report.model import build_report_model
    if html_name in names:
        model = build_report_model(assessment, appendix, questions=questions)
    if pdf_name in names:
        assert running is not None, "the PDF needs a PdfWorker"
        if model is None:
            model = build_report_model(assessment, appendix, questions=questions, pdf_only=True)
        pdf_model = model.for_pdf()
        pdf_job = running.pool.submit(_layout, pdf_model)
    json_job = None
    if json_name in names:
        from advisor.report.json_report import write_json

        json_job = _json_beside(assessment, staging, running, xlsx_name in names)
        if json_job is None:
            write_json(assessment, staging.dir)
    if xlsx_name in names:
        from advisor.report.xlsx_report import write_xlsx

        try:
            write_xlsx(assessment, staging.path(xlsx_name), questions=questions)
        except BaseException:
            if json_job is not None:
                json_job.stop()
            raise
    if json_job is not None and not json_job.result()[0]:
        write_json(assessment, staging.dir)  # the child failed: any error is met here
    if html_name in names:
        from advisor.report.html_report import write_model_html

        write_model_html(model, staging.path(html_name))
    if pdf_job is None:
        return None
    from advisor.report.html_report import write_report_file

    try:
        data = _pdf_bytes(pdf_job, pdf_model)
    except _PdfUnavailable as exc:
        return exc
    write_report_file(staging.path(pdf_name), data, "the PDF report")
    return None


def _json_beside(
    assessment: Any, staging: Any, running: PdfWorker | None, workbook: bool
) -> forking.Forked | None:
    """The JSON written by a forked child while this process writes the workbook, where
    there is a workbook to write, the second core is free (no PDF process) and `forking`
    allows it; None otherwise. 655-VM export, `--only json,xlsx`: the JSON took 75 ms of
    the run's 2.1 s."""
    if running is not None or not workbook:
        return None
    if not forking.usable(len(assessment.facts)):
        return None
    from advisor.report.json_report import write_json

    return forking.Forked.start(write_json, assessment, staging.dir)


def _layout(model: Any) -> bytes:
    """`pdf_report.model_pdf`, run in the PDF process: referred to from here so that this
    process never imports WeasyPrint (half a second) just to name the function."""
    from advisor.report.pdf_report import model_pdf

    return model_pdf(model)


def _pdf_bytes(job: Future, model: Any) -> bytes:
    """The PDF from the worker; laid out here if the worker died (killed, out of memory).
    WeasyPrint is imported here only then: half a second of every run otherwise."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return job.result()
    except BrokenProcessPool:
        pass
    except OSError as exc:  # WeasyPrint could not load Pango or another system library
        raise _PdfUnavailable() from exc
    from advisor.report.pdf_report import model_pdf

    try:
        return model_pdf(model)
    except OSError as exc:
        raise _PdfUnavailable() from exc


def _not_written(folder: Path, exc: OSError) -> InputError:
    """One line for a write that failed on the file system (a full disk, no permission):
    the folder, the reason, and that the earlier outputs are still there."""
    reason = exc.strerror or short_error(exc)
    return InputError(
        f"{folder}: outputs not written ({reason}); the files already there were left as they were"
    )
