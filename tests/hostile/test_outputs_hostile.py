"""Outputs all from one run, nothing disclosed quietly.

A run stopped part-way (an exception in one renderer, Ctrl-C, SIGTERM, a full disk) leaves
the previous set of outputs as it was; two runs to one folder leave one run's complete set;
leftovers of a killed run are cleaned up; the PDF process never outlives its parent; the
JSON is strict; and very long inventory or profile text does not stall the renderers.

Most cases swap the four renderers for fakes that write a word ("one", "two") in
milliseconds, so what is tested is the set logic of `write_reports`, not WeasyPrint. The
end-to-end case at the bottom runs the real CLI on an inventory with very long values.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import VINFO_4X, vinfo_row, write_csv, write_xlsx
from harness import ROOT, assert_clean, invoke, time_bound
from openpyxl import Workbook, load_workbook

import advisor.report.atomic as atomic
from advisor.errors import InputError
from advisor.report import OUTPUT_NAMES, write_reports
from advisor.report.json_report import dumps_strict, write_json
from advisor.report.xlsx_report import save_workbook
from advisor.report.xlsx_sheets import MAX_TEXT

# --- fakes: the four renderers and an in-process PDF worker ------------------------------


class InlinePool:
    """Runs each job at once in this process, so the fake PDF renderer applies."""

    def submit(self, fn, *args):
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed over as the real pool would
            future.set_exception(exc)
        return future


class InlineWorker:
    def __init__(self) -> None:
        self.pool = InlinePool()

    def __enter__(self) -> InlineWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class WordModel(str):
    """The fake report model: the run's word, cut for the PDF as the real model is."""

    def for_pdf(self) -> WordModel:
        return self


class Renderers:
    """Fake renderers writing `assessment` (a word) into each output; `fail[name]` makes
    that output raise, or call a function instead."""

    def __init__(self) -> None:
        self.fail: dict[str, object] = {}

    def _maybe_fail(self, name: str) -> None:
        action = self.fail.get(name)
        if isinstance(action, BaseException):
            raise action
        if callable(action):
            action()

    def json(self, word, folder):
        self._maybe_fail("assessment.json")
        path = Path(folder) / "assessment.json"
        path.write_bytes(json.dumps({"run": word}).encode())
        return path

    def xlsx(self, word, path, questions=None):
        self._maybe_fail("assessment.xlsx")
        Path(path).write_bytes(f"xlsx {word}".encode())
        return Path(path)

    def html(self, model, path):
        from advisor.report.html_report import write_report_file

        self._maybe_fail("assessment.html")
        return write_report_file(Path(path), f"html {model}", "the HTML report")

    def pdf(self, model):
        self._maybe_fail("assessment.pdf")
        return f"pdf {model}".encode()


@pytest.fixture
def fake(monkeypatch) -> Renderers:
    r = Renderers()
    model = "advisor.report.model.build_report_model"
    monkeypatch.setattr(model, lambda a, appendix=False, **_: WordModel(a))
    monkeypatch.setattr("advisor.report.questions.customer_questions", lambda a: [])
    monkeypatch.setattr("advisor.report.json_report.write_json", r.json)
    monkeypatch.setattr("advisor.report.xlsx_report.write_xlsx", r.xlsx)
    monkeypatch.setattr("advisor.report.html_report.write_model_html", r.html)
    monkeypatch.setattr("advisor.report.pdf_report.model_pdf", r.pdf)
    return r


def run(word: str, out: Path) -> list[Path]:
    with time_bound(10):
        return write_reports(word, out, worker=InlineWorker())


def outputs(out: Path) -> dict[str, str]:
    """Visible files of `out` and the run word each holds."""
    found = {}
    for p in sorted(out.iterdir()):
        if not p.name.startswith(".") and p.is_file():
            text = p.read_bytes().decode()
            found[p.name] = json.loads(text)["run"] if p.suffix == ".json" else text.split()[-1]
    return found


def leftovers(out: Path) -> list[str]:
    """Staging folders or temporary files still in `out` (the lock file is expected)."""
    hidden = (p.name for p in out.iterdir() if p.name.startswith("."))
    return sorted(name for name in hidden if name != ".advisor.lock")


ONE = dict.fromkeys(OUTPUT_NAMES, "one")


# --- sets: all or nothing ----------------------------------------------------------------


def test_a_run_replaces_the_whole_set(fake, tmp_path):
    out = tmp_path / "out"
    run("one", out)
    assert outputs(out) == ONE
    paths = run("two", out)
    assert [p.name for p in paths] == list(OUTPUT_NAMES)
    assert outputs(out) == dict.fromkeys(OUTPUT_NAMES, "two")
    assert leftovers(out) == []


@pytest.mark.parametrize("name", OUTPUT_NAMES)
@pytest.mark.parametrize("error", [RuntimeError("renderer bug"), KeyboardInterrupt()])
def test_a_run_stopped_in_any_renderer_leaves_the_previous_set(fake, tmp_path, name, error):
    out = tmp_path / "out"
    run("one", out)
    fake.fail[name] = error
    with pytest.raises(type(error)):
        run("two", out)
    assert outputs(out) == ONE
    assert leftovers(out) == []


def test_a_first_run_that_fails_leaves_no_outputs(fake, tmp_path):
    out = tmp_path / "out"
    fake.fail["assessment.pdf"] = RuntimeError("renderer bug")
    with pytest.raises(RuntimeError):
        run("one", out)
    assert outputs(out) == {}
    assert leftovers(out) == []


def test_a_full_disk_is_one_line_naming_the_folder(fake, tmp_path):
    out = tmp_path / "out"
    run("one", out)
    fake.fail["assessment.xlsx"] = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with pytest.raises(InputError) as caught:
        run("two", out)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{out}: outputs not written (No space left on device)")
    assert ".advisor-tmp" not in message  # the staging folder is not the user's business
    assert outputs(out) == ONE
    assert leftovers(out) == []


def test_a_full_disk_inside_a_real_writer_names_the_folder_not_the_staging(
    fake, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    run("one", out)

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    # The fake HTML renderer writes through the real write_report_file (text): full disk.
    monkeypatch.setattr(Path, "write_text", no_space)
    with pytest.raises(InputError) as caught:
        run("two", out)
    message = str(caught.value)
    assert message.startswith(f"{out}: outputs not written (No space left on device)")
    assert ".advisor-tmp" not in message and "\n" not in message
    assert outputs(out) == ONE
    assert leftovers(out) == []


def test_a_full_disk_before_anything_is_written_is_the_same_line(fake, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run("one", out)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", no_space)
    with pytest.raises(InputError, match=r"outputs not written \(No space left on device\)"):
        run("two", out)
    assert outputs(out) == ONE


def test_a_move_failing_half_way_says_which_files_are_new(fake, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run("one", out)
    real_replace = os.replace

    def second_move_fails(src, dst):
        if Path(dst).parent == out and Path(dst).name == OUTPUT_NAMES[1]:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_move_fails)
    with pytest.raises(InputError) as caught:
        run("two", out)
    message = str(caught.value)
    assert message == (
        f"{out}: outputs only partly replaced (Input/output error): assessment.json from this "
        "run, the others from an earlier one; run again"
    )
    assert leftovers(out) == []


def test_sigterm_cleans_up_and_exits_as_terminated(fake, tmp_path):
    out = tmp_path / "out"
    run("one", out)
    before = signal.getsignal(signal.SIGTERM)

    def terminated_while_writing() -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this

    fake.fail["assessment.html"] = terminated_while_writing
    started = time.monotonic()
    with pytest.raises(SystemExit) as caught:
        run("two", out)
    assert caught.value.code == 128 + signal.SIGTERM
    assert time.monotonic() - started < 4
    assert outputs(out) == ONE
    assert leftovers(out) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_without_pango_the_other_three_replace_the_set_and_the_old_pdf_goes(fake, tmp_path):
    out = tmp_path / "out"
    run("one", out)
    fake.fail["assessment.pdf"] = OSError("cannot load library 'libpango-1.0-0'")
    with pytest.raises(InputError, match=r"assessment\.pdf: not written, WeasyPrint cannot run"):
        run("two", out)
    expected = dict.fromkeys(OUTPUT_NAMES[:3], "two")
    assert outputs(out) == expected  # never this run's JSON beside the last run's PDF


def test_an_output_name_taken_by_a_folder_is_refused_before_anything_moves(fake, tmp_path):
    out = tmp_path / "out"
    run("one", out)
    (out / "assessment.pdf").unlink()
    (out / "assessment.pdf").mkdir()
    with pytest.raises(InputError, match=r"assessment.pdf: is a folder"):
        run("two", out)
    assert outputs(out) == {n: "one" for n in OUTPUT_NAMES[:3]}
    assert leftovers(out) == []


def test_concurrent_runs_leave_one_complete_set(fake, tmp_path, monkeypatch):
    """Run "blue" starts publishing while the slower run "red" is moving its files: without
    the lock, blue's fast renames would land between red's and the folder would end with
    blue's first files and red's last ones."""
    out = tmp_path / "out"
    out.mkdir()
    real_replace = os.replace
    red_moving = threading.Event()

    def replace_at_run_speed(src, dst):
        slow = Path(dst).parent == out and b"red" in Path(src).read_bytes()
        real_replace(src, dst)
        if slow:  # red has moved a file into place and is slow to move the next
            red_moving.set()
            time.sleep(0.2)

    monkeypatch.setattr(os, "replace", replace_at_run_speed)
    errors: list[BaseException] = []

    def one_run(word: str) -> None:
        try:
            write_reports(word, out, worker=InlineWorker())
        except BaseException as exc:  # reported below
            errors.append(exc)

    red = threading.Thread(target=one_run, args=("red",))
    red.start()
    assert red_moving.wait(timeout=10)
    blue = threading.Thread(target=one_run, args=("blue",))
    blue.start()
    red.join(timeout=10)
    blue.join(timeout=10)
    assert not errors
    assert outputs(out) == dict.fromkeys(OUTPUT_NAMES, "blue")  # blue waited for red's set
    assert leftovers(out) == []


# --- leftovers of killed runs --------------------------------------------------------------


def test_leftovers_of_dead_runs_are_removed_and_live_runs_kept(fake, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".advisor-tmp-dead"  # its run is gone: the lock file is there but free
    dead.mkdir()
    (dead / ".lock").touch()
    (dead / "assessment.json").write_text("half")
    old_new = out / ".advisor-new-old"  # killed while setting up, two hours ago
    old_new.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(old_new, (two_hours_ago, two_hours_ago))
    fresh_new = out / ".advisor-new-fresh"  # another run setting up right now
    fresh_new.mkdir()
    unlocked_fresh = out / ".advisor-tmp-nolock"  # no lock file and young: keep
    unlocked_fresh.mkdir()
    (out / "notes.txt").write_text("the consultant's own file")
    with atomic.Staging(out) as live:  # a live run holds its staging lock
        run("one", out)
        assert live.dir is not None and live.dir.is_dir()
        assert not dead.exists() and not old_new.exists()
        assert fresh_new.is_dir() and unlocked_fresh.is_dir()
    assert (out / "notes.txt").read_text() == "the consultant's own file"
    assert outputs(out)["assessment.pdf"] == "one"


# --- single files: the batch workbook and the scored copy -------------------------------


def test_an_interrupted_workbook_save_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "portfolio.xlsx"
    target.write_bytes(b"previous workbook")

    def interrupted(wb, path):  # the workbook saved, then Ctrl-C before it is finished
        wb.save(path)
        raise KeyboardInterrupt

    monkeypatch.setattr("advisor.report.xlsx_report.save", interrupted)
    wb = Workbook(write_only=True)
    wb.create_sheet("Portfolio").append(["x"])
    with pytest.raises(KeyboardInterrupt):
        save_workbook(wb, target)
    assert target.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portfolio.xlsx"]


def test_sigterm_while_saving_a_workbook_keeps_the_previous_file(tmp_path, monkeypatch):
    """`advisor score` writes one workbook: SIGTERM there removes the temporary file too."""
    target = tmp_path / "portfolio.xlsx"
    target.write_bytes(b"previous workbook")

    def terminated(wb, path):
        wb.save(path)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this

    monkeypatch.setattr("advisor.report.xlsx_report.save", terminated)
    wb = Workbook(write_only=True)
    wb.create_sheet("Portfolio").append(["x"])
    with time_bound(4), pytest.raises(SystemExit) as caught:
        save_workbook(wb, target)
    assert caught.value.code == 128 + signal.SIGTERM
    assert target.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portfolio.xlsx"]


def test_a_full_disk_while_saving_a_workbook_is_one_line(tmp_path, monkeypatch):
    target = tmp_path / "portfolio.xlsx"

    def no_space(wb, path):
        wb.save(path)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("advisor.report.xlsx_report.save", no_space)
    wb = Workbook(write_only=True)
    wb.create_sheet("Portfolio").append(["x"])
    with pytest.raises(InputError, match=r"portfolio.xlsx: cannot write the workbook \(No space"):
        save_workbook(wb, target)
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_beside_a_target_are_unique_and_swept_when_stale(tmp_path):
    target = tmp_path / "scored.xlsx"
    stale = tmp_path / ".scored.xlsx.deadbeef.tmp"
    stale.write_text("left by a killed run")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    young = tmp_path / ".scored.xlsx.cafebabe.tmp"
    young.write_text("another run, writing now")
    names = {atomic.temp_beside(target).name for _ in range(50)}
    assert len(names) == 50
    with atomic.replacing(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert not stale.exists() and young.exists()


# --- the PDF process ends with its parent ------------------------------------------------

_PARENT = textwrap.dedent(
    """
    import threading, time
    from pathlib import Path
    from advisor.report import PdfWorker
    from advisor.report.atomic import Staging

    def started(pid):
        # the initializer has run once the watchdog thread exists
        for _ in range(400):
            status = Path(f"/proc/{pid}/status").read_text()
            if int(status.split("Threads:")[1].split()[0]) >= 2:
                return
            time.sleep(0.025)

    main = PdfWorker()
    side = []
    t = threading.Thread(target=lambda: side.append(PdfWorker()))  # no PDEATHSIG here
    t.start(); t.join()
    pids = main.pids + side[0].pids
    for pid in pids:
        started(pid)
    staging = Staging(Path(OUT)).__enter__()  # a run in the middle of writing
    print(*pids, flush=True)
    time.sleep(60)
    """
)


def _descendants(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.add(int(entry.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_pdf_process_dies_with_a_killed_parent_and_its_staging_is_swept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", f"OUT = {str(out)!r}\n" + _PARENT],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        with time_bound(20):
            line = parent.stdout.readline()
        pids = [int(p) for p in line.split()]
        assert len(pids) == 2, line
        children = _descendants(parent.pid)
        assert set(pids) <= children
        # alive, the one started from a thread that has ended too (no PDEATHSIG there)
        assert all(_alive(p) for p in pids)
        parent.kill()  # SIGKILL: no clean-up code of the parent runs
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p) for p in children):
            time.sleep(0.05)
        assert not [p for p in children if _alive(p)], "processes outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
    staged = [p.name for p in out.iterdir() if p.name.startswith(".advisor-tmp-")]
    assert len(staged) == 1  # the killed run could not clean up
    assert atomic.sweep_stale_staging(out) == [out / staged[0]]  # its lock died with it


# --- strict JSON ---------------------------------------------------------------------------


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from advisor.engine.assess import assess
    from advisor.inventory import load_inventory
    from advisor.profile import default_profile

    path = write_xlsx(
        tmp_path_factory.mktemp("tiny") / "tiny.xlsx",
        {"vInfo": [VINFO_4X, vinfo_row("web01"), vinfo_row("db01")]},
    )
    return assess(load_inventory(path), default_profile())


def test_json_turns_non_finite_numbers_into_null(tiny, tmp_path):
    scores = tiny.scores.copy()
    scores["effort_hours"] = [float("inf"), float("nan")][: len(scores)]
    servers = tiny.inventory.servers.copy()
    servers["provisioned_gib"] = float("-inf")
    broken = dataclasses.replace(
        tiny, scores=scores, inventory=dataclasses.replace(tiny.inventory, servers=servers)
    )
    path = write_json(broken, tmp_path)
    text = path.read_text(encoding="utf-8")
    data = _strict(text)  # raises on NaN / Infinity
    efforts = sorted(s["effort_hours"] is None for s in data["servers"])
    assert efforts == [True, True]
    assert data["summary"]["effort_hours"] is None  # inf + nan summed
    assert data["summary"]["provisioned_gib"] is None


def test_strict_json_of_numpy_and_pandas_values():
    data = {
        "a": [np.float32("nan"), np.float64("inf"), 1.5, (float("-inf"), 2)],
        "b": {"na": pd.NA, "nat": pd.NaT, "n": np.int64(3)},
    }
    parsed = _strict(dumps_strict(data))
    assert parsed == {"a": [None, None, 1.5, [None, 2]], "b": {"na": None, "nat": None, "n": 3}}


# --- very long text -----------------------------------------------------------------------


def test_a_long_customer_name_and_server_name_do_not_stall_the_pdf(tiny):
    from advisor.report.formatting import NAME_LIMIT, RUN_LIMIT
    from advisor.report.html_report import model_html
    from advisor.report.model import build_report_model
    from advisor.report.pdf_report import model_pdf

    profile = tiny.profile.model_copy(deep=True)
    object.__setattr__(profile.customer, "name", "C" * 5_000)  # past the profile's own bound
    servers = tiny.inventory.servers.copy()
    servers.loc[servers.index[0], "name"] = "n" * 100_000
    long = dataclasses.replace(
        tiny, profile=profile, inventory=dataclasses.replace(tiny.inventory, servers=servers)
    )
    with time_bound(90):  # before the fix the PDF took minutes; now seconds
        model = build_report_model(long)
        html = model_html(model)
        pdf = model_pdf(model)
    assert pdf.startswith(b"%PDF")
    assert model.cover.customer == "C" * (NAME_LIMIT - 1) + "…"
    assert model.customer == model.cover.customer
    longest = max(len(w) for w in html.replace("\u200b", " ").split() if "base64" not in w)
    assert longest <= RUN_LIMIT + 40  # a name cannot become one unbreakable word any more


def _csv_inventory(folder: Path, *rows: list[object]) -> Path:
    folder.mkdir()
    write_csv(folder / "RVTools_tabvInfo.csv", [VINFO_4X, *rows])
    return folder


def _cells(path: Path):
    wb = load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            yield from (v for v in row if isinstance(v, str))


def test_assess_with_very_long_values_finishes_and_cuts_them_where_shown(tmp_path):
    """A 100,000-character annotation, a 2,000-character server name and a 40,000-character
    one (with characters Excel counts twice) through the real CLI, all four outputs. The
    bound is generous for a loaded test machine; before the fix such names took minutes."""
    name = "n" * 2_000
    huge = ("x" * 99 + "😀") * 400  # 40,000 characters, 40,400 UTF-16 units
    inventory = _csv_inventory(
        tmp_path / "inv",
        vinfo_row(name, Annotation="note " + "a" * 100_000, **{"VM UUID": "u-1"}),
        vinfo_row(huge, **{"VM UUID": "u-2", "DNS Name": "huge.corp.local"}),
        vinfo_row("web01"),
    )
    out = tmp_path / "out"
    # --appendix: a page per server set lists every name
    result = invoke(["assess", inventory, "--out", out, "--appendix"], timeout=150)
    assert_clean(result)
    data = _strict((out / "assessment.json").read_text(encoding="utf-8"))
    names = {s["name"] for s in data["servers"]}
    assert "web01" in names
    read_name = next(n for n in names if n.startswith("nnn"))  # as the importer read it
    html = (out / "assessment.html").read_text(encoding="utf-8")
    assert read_name[:100] in html
    if len(read_name) > 120:
        assert read_name not in html  # shortened where the report shows it
    for text in _cells(out / "assessment.xlsx"):
        assert len(text.encode("utf-16-le")) // 2 <= MAX_TEXT
    cells = set(_cells(out / "assessment.xlsx"))
    assert read_name in cells  # the workbook keeps a name Excel can hold, whole
    read_huge = next(n for n in names if n.startswith("xxx"))
    if len(read_huge.encode("utf-16-le")) // 2 > MAX_TEXT:
        cut = [c for c in cells if c.startswith("xxx")]
        assert cut and all(c.endswith("…") for c in cut)
    assert (out / "assessment.pdf").read_bytes().startswith(b"%PDF")
