"""The fact modules in two lanes (`advisor.facts.lanes`): what NEEDS declares is what the
modules read, the lanes respect it, and the facts computed with a forked side lane are
the facts of a run one module after another, column for column, on real exports; a child
that fails or hangs changes nothing but the time."""

from __future__ import annotations

import os
import time
from types import ModuleType

import pandas as pd
import pytest
from fact_helpers import AS_OF, profile_for

from advisor import forking
from advisor.facts import MODULES, Fact, compute_facts, fact_context, module_name, run_module
from advisor.facts import lanes as lanes_module
from advisor.facts.lanes import compute_all, compute_in_lanes, split
from advisor.inventory import load_inventory
from advisor.targets import load_catalog

NAMES = [module_name(m) for m in MODULES]


def test_needs_name_only_modules_that_run_earlier():
    for i, module in enumerate(MODULES):
        assert set(module.NEEDS) <= set(NAMES[:i]), module_name(module)


def test_a_module_reading_beyond_its_needs_is_stopped(corpus):
    """The check that makes running modules side by side safe: `fact` refuses a fact of a
    module the reader does not name in NEEDS, even when that fact is there to be read."""
    inv = load_inventory(corpus / "rvtools-subset-100vms.xlsx")
    ctx = fact_context(inv, profile_for(), load_catalog("exoscale"), AS_OF)
    identity = next(m for m in MODULES if module_name(m) == "identity")
    run_module(ctx, identity)

    def fake(needs: tuple[str, ...]) -> ModuleType:
        module = ModuleType("advisor.facts.sneaky")
        module.NEEDS = needs
        module.FACTS = (Fact("sneaky_fact", "bool", "reads is_production", ()),)
        module.compute = lambda c: {"sneaky_fact": c.fact("is_production")}
        return module

    with pytest.raises(RuntimeError, match="sneaky read 'is_production'"):
        run_module(ctx, fake(()))
    run_module(ctx, fake(("identity",)))
    assert "sneaky_fact" in ctx.computed


def _needs_met(before: set[str], lane: tuple[ModuleType, ...]) -> bool:
    done = set(before)
    for module in lane:
        if not set(module.NEEDS) <= done:
            return False
        done.add(module_name(module))
    return True


@pytest.mark.parametrize(
    "side",
    [lanes_module.SIDE, ("identity", "topology", "redundancy"), ("licensing",), ("security",)],
)
def test_the_lanes_cover_every_module_once_and_each_finds_what_it_needs(side):
    lanes = split(MODULES, side)
    groups = [lanes.first, lanes.side, lanes.own, lanes.last]
    names = [module_name(m) for g in groups for m in g]
    assert sorted(names) == sorted(NAMES)
    assert [module_name(m) for m in lanes.side] == [n for n in NAMES if n in side]
    first = {module_name(m) for m in lanes.first}
    assert _needs_met(set(), lanes.first)
    assert _needs_met(first, lanes.side)  # the child has only what ran before the fork
    assert _needs_met(first, lanes.own)  # this process, meanwhile: nothing of the child's
    assert _needs_met(set(NAMES) - {module_name(m) for m in lanes.last}, lanes.last)


def _contexts(path, n=2):
    inv = load_inventory(path)
    profile, catalog = profile_for(), load_catalog("exoscale")
    return [fact_context(inv, profile, catalog, AS_OF) for _ in range(n)]


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.facts, b.facts)
    assert list(a.portfolio) == list(b.portfolio)
    for key, value in a.portfolio.items():
        other = b.portfolio[key]
        if isinstance(value, pd.DataFrame | pd.Series):
            assert value.equals(other), key
        else:
            assert value == other or (value != value and other != other), key


@pytest.mark.parametrize(
    "name", ["rvtools-4.6.1-anon-655vms.xlsx", "rvtools-4.7-libreoffice-6tabs.xlsx"]
)
def test_facts_in_lanes_are_the_facts_one_after_another(corpus, forks, name):
    one_by_one, in_lanes = _contexts(corpus / name)
    compute_facts(one_by_one)
    started = []
    real_start = forking.Forked.start.__func__

    def start(cls, fn, *args):
        started.append(fn)
        return real_start(cls, fn, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(forking.Forked, "start", classmethod(start))
        compute_all(in_lanes)
    assert len(started) == 1  # the side lane really ran in a child
    _same(one_by_one, in_lanes)


def test_a_child_that_fails_or_hangs_changes_nothing_but_the_time(corpus, forks, monkeypatch):
    """The side lane raises in the child (or sleeps past the wait): this process computes
    it itself, with the same result."""
    parent = os.getpid()
    network = next(m for m in MODULES if module_name(m) == "network")
    real = network.compute
    expected, failing, hanging = _contexts(corpus / "rvtools-subset-100vms.xlsx", 3)
    compute_facts(expected)

    def broken(ctx):
        if os.getpid() != parent:
            raise ValueError("only in the child")
        return real(ctx)

    monkeypatch.setattr(network, "compute", broken)
    compute_in_lanes(failing, split())
    _same(expected, failing)

    def slow(ctx):
        if os.getpid() != parent:
            time.sleep(60)
        return real(ctx)

    monkeypatch.setattr(network, "compute", slow)
    monkeypatch.setattr(forking, "MIN_WAIT", 0.5)
    monkeypatch.setattr(forking, "WAIT_FACTOR", 0.0)
    began = time.perf_counter()
    compute_in_lanes(hanging, split())
    assert time.perf_counter() - began < 30
    _same(expected, hanging)


def test_a_program_importing_advisor_is_never_forked(corpus, monkeypatch):
    """Without `forking.allow` (only the console entry point calls it) the facts run here,
    one module after another, whatever the estate's size."""
    monkeypatch.setattr(forking, "_allowed", False)
    monkeypatch.setattr(forking, "MIN_SERVERS", 1)

    def refuse(*args, **kwargs):
        raise AssertionError("forked without being allowed")

    monkeypatch.setattr(forking.Forked, "start", refuse)
    (ctx,) = _contexts(corpus / "rvtools-subset-100vms.xlsx", 1)
    compute_all(ctx)
    assert len(ctx.facts.columns) > 100
