"""The console entry point ends the process without Python's teardown (`advisor.cli._leave`):
the exit status, everything written to a pipe, the exit handlers and the files must all
still be there."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.cli import _leave

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"


def _advisor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_a_piped_json_summary_arrives_whole_with_status_0(tmp_path):
    proc = _advisor("assess", str(SAMPLE), "--only", "json", "-o", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # cut output would not parse
    assert summary and (tmp_path / "assessment.json").is_file()
    json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))


def test_bad_input_still_exits_2_with_its_line(tmp_path):
    proc = _advisor("inspect", str(tmp_path / "missing.xlsx"))
    assert proc.returncode == 2
    assert "missing.xlsx" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_exit_handlers_run_and_a_message_exits_1(tmp_path):
    marker = tmp_path / "ran"
    script = textwrap.dedent(
        f"""
        import atexit, sys
        from pathlib import Path
        from advisor.cli import _leave
        atexit.register(lambda: Path({str(marker)!r}).write_text("yes"))
        sys.stdout.write("buffered, not flushed")
        _leave("went wrong")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert proc.returncode == 1
    assert proc.stdout == "buffered, not flushed"
    assert "went wrong" in proc.stderr
    assert marker.read_text() == "yes"


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130)])
def test_status_of_each_exit_code(monkeypatch, code, status):
    seen = []
    monkeypatch.setattr("os._exit", seen.append)
    monkeypatch.setattr("atexit._run_exitfuncs", lambda: None)
    _leave(code)
    assert seen == [status]


def test_only_json_and_xlsx_import_no_report_model(tmp_path):
    """Without the PDF or the HTML, the report model and its section builders (a tenth of
    a second of imports) are never loaded."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from advisor.inventory import load_inventory
        from advisor.plan.stage import assess_and_plan
        from advisor.profile import default_profile
        from advisor.report import write_reports
        result = assess_and_plan(load_inventory(Path({str(SAMPLE)!r})), default_profile())
        write_reports(result, Path({str(tmp_path)!r}), only=("xlsx", "json"))
        print(sorted(m for m in sys.modules if m.startswith("advisor.report.")))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout
    assert "advisor.report.xlsx_report" in loaded and "advisor.report.json_report" in loaded
    assert "advisor.report.model'" not in loaded
    assert "advisor.report.section_" not in loaded


def test_the_pdf_is_laid_out_in_the_worker_alone(tmp_path):
    """With a working PDF process, this process never imports WeasyPrint (half a second),
    and the worker is told to stop, not waited for, once its PDF has arrived."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from advisor.inventory import load_inventory
        from advisor.plan.stage import assess_and_plan
        from advisor.profile import default_profile
        from advisor.report import PdfWorker, write_reports
        result = assess_and_plan(load_inventory(Path({str(SAMPLE)!r})), default_profile())
        worker = PdfWorker()
        waited = []
        shutdown = worker.pool.shutdown
        worker.pool.shutdown = lambda wait=True, **kw: (waited.append(wait), shutdown(False, **kw))
        with worker as running:
            write_reports(result, Path({str(tmp_path)!r}), only=("pdf",), worker=running)
        print("weasyprint" in sys.modules, waited)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "[False,", "False]"]
    assert (tmp_path / "assessment.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("console", [True, False])
def test_what_was_read_is_frozen_out_of_the_collector_only_in_the_console(monkeypatch, console):
    """The console process freezes the objects loaded with the inventory (`_settled`); the
    app called in-process (tests, another program) never touches the collector."""
    from typer.testing import CliRunner

    import advisor.cli as cli

    frozen = []
    monkeypatch.setattr(cli, "_CONSOLE", console)
    monkeypatch.setattr("gc.freeze", lambda: frozen.append(True))
    result = CliRunner().invoke(cli.app, ["inspect", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert frozen == ([True] if console else [])


def test_the_console_collects_nothing_until_the_inputs_are_read(monkeypatch):
    """`main` turns the cyclic collector off for the imports; `_settled` freezes what was
    loaded and turns it on again, so everything made afterwards is collected as ever."""
    import gc

    import advisor.cli as cli

    seen = []

    def command() -> None:
        seen.append(gc.isenabled())
        cli._settled()
        seen.append(gc.isenabled())
        raise SystemExit(0)

    monkeypatch.setattr(cli, "app", command)

    def leave(code: object) -> None:  # the real one never returns
        seen.append(code)
        raise RuntimeError("left")

    monkeypatch.setattr(cli, "_leave", leave)
    monkeypatch.setattr("advisor.forking._allowed", False)  # main allows it; undone after
    monkeypatch.setattr("gc.freeze", lambda: seen.append("frozen"))
    try:
        with pytest.raises(RuntimeError, match="left"):
            cli.main()
    finally:
        gc.enable()
        cli._CONSOLE = False
    assert seen == [False, "frozen", True, 0]


def test_score_collects_between_its_inventories(monkeypatch, tmp_path):
    """`score` reads many inventories in one process: the collector is on again before
    the first (here: `_settled` is called, which freezes and re-enables it)."""
    from typer.testing import CliRunner

    import advisor.cli as cli

    frozen = []
    monkeypatch.setattr(cli, "_CONSOLE", True)
    monkeypatch.setattr("gc.freeze", lambda: frozen.append(True))
    result = CliRunner().invoke(cli.app, ["score", str(SAMPLE), "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output
    assert frozen == [True]
