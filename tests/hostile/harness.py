"""Harness of the hostile-input suite (its tests import it as `harness`): run the CLI on a
generated file and hold it to the promise for bad input (one line naming the file, sheet,
row or key; exit 2; no traceback) within a time bound, so a hang fails the test instead of
the suite.

Cases build their files in `tmp_path` with the generators beside this module
(`make_containers`, `make_text`, `strategies`); nothing binary is committed. `invoke` runs in
this process (fast); `run_isolated` runs a separate interpreter for cases that used to kill
the whole process (a native abort, a blocked read).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from advisor.cli import app

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    """What a user sees of one command: its exit code and both streams."""

    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


class TimedOut(Exception):
    """The command ran past its bound: a hang, reported as a failure of the case."""


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    """Raise TimedOut in the main thread after `seconds` (SIGALRM; tests run on Linux)."""

    def _alarm(_signum, _frame):
        raise TimedOut(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def invoke(args: list[str], *, timeout: int = 20, cwd: Path | None = None) -> Run:
    """The CLI in this process under a time bound; wide terminal so lines are not wrapped."""
    runner = CliRunner()
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with time_bound(timeout):
            result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def run_isolated(args: list[str], *, timeout: int = 30, cwd: Path | None = None) -> Run:
    """The CLI in its own interpreter: survives a native crash or a blocked read."""
    env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(ROOT)}
    env.pop("ADVISOR_DEBUG", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", *[str(a) for a in args]],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise TimedOut(f"still running after {timeout} s: {args}") from exc
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_refused(run: Run, *fragments: str) -> str:
    """Exit 2 with exactly one line on stderr that contains every fragment (case-insensitive),
    and no traceback anywhere. Returns the line for further checks."""
    both = run.stdout + run.stderr
    assert "Traceback" not in both, both
    assert run.code == 2, f"exit {run.code}: {both}"
    assert len(run.lines) == 1, f"expected one line, got: {run.lines}"
    line = run.lines[0]
    for fragment in fragments:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line


def assert_clean(run: Run, code: int = 0) -> None:
    """The command ended as `code` without a traceback or an internal error."""
    both = run.stdout + run.stderr
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
    assert run.code == code, f"exit {run.code}: {both}"
