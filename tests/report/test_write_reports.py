"""write_reports: all four files from one model, and what happens when the PDF process
cannot do its part (a machine without Pango, a process killed on the way)."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from pypdf import PdfReader

from advisor.engine.assess import assess
from advisor.errors import InputError
from advisor.inventory import load_inventory
from advisor.profile import default_profile
from advisor.report import write_reports


class FailingPool:
    """Stands in for the PDF process: every job fails with `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.jobs: list[tuple] = []

    def submit(self, fn, *args):
        self.jobs.append((fn, args))
        future: Future = Future()
        future.set_exception(self.error)
        return future


class FakeWorker:
    def __init__(self, error: BaseException) -> None:
        self.pool = FailingPool(error)

    def __enter__(self) -> FakeWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = write_xlsx(
        tmp_path_factory.mktemp("inv") / "tiny.xlsx",
        {"vInfo": [VINFO_4X, vinfo_row("web01"), vinfo_row("db01")]},
    )
    return assess(load_inventory(path), default_profile())


def _names(folder: Path) -> set[str]:
    """The outputs in `folder`: hidden entries (the lock file of the output set) aside."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_all_four_outputs(tiny, tmp_path):
    paths = write_reports(tiny, tmp_path)
    assert [p.name for p in paths] == [
        "assessment.json",
        "assessment.html",
        "assessment.xlsx",
        "assessment.pdf",
    ]
    assert all(p.stat().st_size > 0 for p in paths)
    assert "Executive summary" in " ".join(p.extract_text() for p in PdfReader(paths[-1]).pages)


def test_a_machine_without_pango_gets_one_line_and_the_other_outputs(tiny, tmp_path):
    worker = FakeWorker(OSError("cannot load library 'libpango-1.0-0': not found"))
    with pytest.raises(InputError) as caught:
        write_reports(tiny, tmp_path, worker=worker)
    message = str(caught.value)
    assert "\n" not in message
    assert "assessment.pdf: not written" in message and "Pango" in message
    assert "libpango-1.0-0" in message
    assert _names(tmp_path) == {"assessment.json", "assessment.html", "assessment.xlsx"}


def test_a_dead_pdf_process_is_replaced_by_this_one(tiny, tmp_path):
    worker = FakeWorker(BrokenProcessPool("killed"))
    paths = write_reports(tiny, tmp_path, worker=worker)
    assert len(worker.pool.jobs) == 1
    assert paths[-1].name == "assessment.pdf" and paths[-1].stat().st_size > 0
    assert _names(tmp_path) == {
        "assessment.json",
        "assessment.html",
        "assessment.xlsx",
        "assessment.pdf",
    }


def test_the_json_written_beside_the_workbook_is_the_json(tiny, tmp_path, forks):
    """Without a PDF, a forked child writes the JSON while this process writes the
    workbook: the same file as when this process writes both."""
    from advisor import forking

    alone, beside = tmp_path / "alone", tmp_path / "beside"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(forking, "_allowed", False)
        write_reports(tiny, alone, only=("json", "xlsx"))
    started = []
    real = forking.Forked.start.__func__
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            forking.Forked, "start", classmethod(lambda c, *a: started.append(a) or real(c, *a))
        )
        write_reports(tiny, beside, only=("json", "xlsx"))
    assert len(started) == 1
    assert (beside / "assessment.json").read_bytes() == (alone / "assessment.json").read_bytes()
    assert _names(beside) == {"assessment.json", "assessment.xlsx"}


def test_a_json_child_that_fails_leaves_the_json_to_this_process(tiny, tmp_path, forks):
    import os

    import advisor.report.json_report as json_report

    parent, real = os.getpid(), json_report.write_json

    def write_json(assessment, folder):
        if os.getpid() != parent:
            raise OSError("only in the child")
        return real(assessment, folder)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(json_report, "write_json", write_json)
        write_reports(tiny, tmp_path, only=("json", "xlsx"))
    assert (tmp_path / "assessment.json").stat().st_size > 0
    assert _names(tmp_path) == {"assessment.json", "assessment.xlsx"}
