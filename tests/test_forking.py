"""A second core through a forked child (`advisor.forking`): `in_two` gives what a plain
loop gives, whatever the child does; the rules evaluated that way give the same findings;
and only the console process forks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from advisor import forking
from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile
from advisor.report.json_report import write_json

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = ("--only", "json,xlsx", "--quiet", "-o")


def _where(x: int) -> tuple[int, bool]:
    time.sleep(0.005)  # long enough for the child to start taking items too
    return x * x, os.getpid() == PARENT[0]


PARENT = [os.getpid()]


def test_in_two_shares_the_items_and_keeps_their_order(forks):
    PARENT[0] = os.getpid()
    got = forking.in_two(list(range(40)), _where, servers=1000)
    assert [v for v, _ in got] == [x * x for x in range(40)]
    here = [x for x, (_, in_parent) in enumerate(got) if in_parent]
    assert 0 < len(here) < 40  # both processes took a share


def test_in_two_computes_here_what_a_failed_child_did_not_send(forks):
    parent = os.getpid()

    def square(x: int) -> int:
        if os.getpid() != parent and x == 3:
            raise ValueError("only in the child")
        return x * x

    assert forking.in_two(list(range(12)), square, servers=1000) == [x * x for x in range(12)]


def test_in_two_forks_nothing_unless_allowed(monkeypatch):
    monkeypatch.setattr(forking, "_allowed", False)
    monkeypatch.setattr(forking, "MIN_SERVERS", 1)
    monkeypatch.setattr(forking.Forked, "start", lambda *a: pytest.fail("forked"))
    assert forking.in_two([1, 2, 3], lambda x: -x, servers=10**6) == [-1, -2, -3]
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "MIN_SERVERS", 500)
    assert forking.in_two([1, 2, 3], lambda x: -x, servers=499) == [-1, -2, -3]


def test_rules_evaluated_on_two_cores_find_what_one_core_finds(corpus, monkeypatch):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-655vms.xlsx")
    profile = default_profile()
    alone = assess(inv, profile)
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "MIN_SERVERS", 1)
    shared = assess(inv, profile)
    pd.testing.assert_frame_equal(alone.evaluation.findings, shared.evaluation.findings)
    pd.testing.assert_frame_equal(alone.evaluation.status, shared.evaluation.status)
    pd.testing.assert_frame_equal(alone.facts, shared.facts)
    pd.testing.assert_frame_equal(alone.scores, shared.scores)


def test_the_console_on_two_cores_writes_what_a_program_on_one_writes(corpus, tmp_path):
    """The console allows forking (655 servers: facts and rules both split, the JSON
    written beside the workbook); its JSON is the JSON written in this process, which
    never forks."""
    export = corpus / "rvtools-4.6.1-anon-655vms.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "assess", str(export), *OPTIONS, str(tmp_path / "cli")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    from advisor.plan.stage import assess_and_plan

    (tmp_path / "here").mkdir()
    write_json(assess_and_plan(load_inventory(export), default_profile()), tmp_path / "here")
    console = json.loads((tmp_path / "cli" / "assessment.json").read_text())
    here = json.loads((tmp_path / "here" / "assessment.json").read_text())
    assert console == here


def test_a_plan_priced_on_a_second_core_is_the_same_plan(corpus, monkeypatch):
    """make_plan sizes and prices the servers in a child while it builds the groups and
    waves; the costs are those priced here, and a failed child is replaced by this
    process."""
    from advisor.plan import stage

    assessment = assess(
        load_inventory(corpus / "rvtools-4.6.1-anon-655vms.xlsx"), default_profile()
    )
    alone = stage.make_plan(assessment)
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "MIN_SERVERS", 1)
    parent, real = os.getpid(), stage.cost_totals

    def totals(costed):
        if os.getpid() != parent and FAIL[0]:
            raise ValueError("only in the child")
        return real(costed)

    monkeypatch.setattr(stage, "cost_totals", totals)
    for fail in (False, True):
        FAIL[0] = fail
        shared = stage.make_plan(assessment)
        assert list(shared.providers) == list(alone.providers)
        for name, cost in alone.providers.items():
            pd.testing.assert_frame_equal(cost.servers, shared.providers[name].servers)
            pd.testing.assert_series_equal(cost.totals, shared.providers[name].totals)
            assert cost.parallel_run_cost == shared.providers[name].parallel_run_cost


FAIL = [False]


_ORPHAN = """
import os, signal, sys, time
from advisor import forking
forking.allow()
forking.MIN_SERVERS = 1

def work():
    time.sleep(1.0)
    return b"x" * 1_000_000  # bigger than a pipe holds: sent only while someone reads

child = forking.Forked.start(work)
print(child.process.pid, flush=True)
if sys.argv[1] == "terminate":  # the parent stops the child: it must end without a word
    child.process.terminate()
    print(child.result(), flush=True)
else:
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))
"""


def _gone(pid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").is_file() and ") Z " in Path(f"/proc/{pid}/stat").read_text():
            return True  # a zombie, waiting for init to reap it: ended
        time.sleep(0.1)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="advisor forks only on Linux")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_child_never_outlives_a_killed_parent(how):
    """Killed before it reads the child's result, the parent leaves no orphan behind: the
    child ends with it instead of waiting for ever to write into the pipe."""
    proc = subprocess.run(
        [sys.executable, "-c", _ORPHAN, how], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    child = int(proc.stdout.split()[0])
    assert _gone(child, within=10), f"child {child} outlived its parent"


@pytest.mark.skipif(sys.platform != "linux", reason="advisor forks only on Linux")
def test_a_child_stopped_by_its_parent_ends_quietly():
    proc = subprocess.run(
        [sys.executable, "-c", _ORPHAN, "terminate"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[1] == "(False, None)"
    assert proc.stderr == ""
