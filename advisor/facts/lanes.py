"""The fact modules on two cores: a forked process computes some modules (the side lane)
while this process computes the others.

The facts are the biggest part of an assessment (see `advisor.forking` for why and when a
second process helps). The modules split by their NEEDS:

- first: what the side lane needs from outside it, computed here before the fork;
- side: the modules of SIDE, in the child;
- own: every other module that needs nothing of the side lane, here, meanwhile;
- last: the modules that need a fact of the side lane, here, once the child's are in.

The child sends its facts and estate-wide values back through a pipe; they are put in
the order a run of MODULES one after another gives, so the facts table is the same,
column for column (tests compare the two on real exports).

The side lane is chosen by measurement (655-VM export, ms per module): network 100,
backup 43 and location 22 against identity 64, topology 47, redundancy 29, lifecycle 25,
sizing 22 and storage 7; the last (licensing 41, platform 24, security 18, directory 11)
wait for network. All facts took 0.44-0.46 s, 0.34-0.35 s with the side lane (the fork
included); at 20,000 VMs 2.15-2.26 s and 1.59-1.62 s. Other splits that NEEDS allows did
no better at either size.

The fork, and when it is used (`forking.usable`: allowed, Linux, two CPUs, enough servers), is
`advisor.forking`'s. If the child fails or does not answer, the side lane is computed
here instead: the child can only save time, never change a result or lose one.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pandas as pd

from advisor import forking
from advisor.facts import MODULES, compute_facts, module_name, run_module, with_table
from advisor.facts.base import FactContext

#: The modules the second process computes (see the module docstring for the measurements).
SIDE: tuple[str, ...] = ("location", "network", "backup")


@dataclass(frozen=True)
class Lanes:
    """The modules of MODULES in the four groups of the module docstring, each in MODULES
    order."""

    first: tuple[ModuleType, ...]
    side: tuple[ModuleType, ...]
    own: tuple[ModuleType, ...]
    last: tuple[ModuleType, ...]


def split(modules: tuple[ModuleType, ...] = MODULES, side: tuple[str, ...] = SIDE) -> Lanes:
    """The lanes for running `modules` with `side` in the second process."""
    by_name = {module_name(m): m for m in modules}
    in_side = set(side)
    first: set[str] = set()
    todo = [n for s in side for n in by_name[s].NEEDS if n not in in_side]
    while todo:  # everything the side lane needs from outside, and what that needs
        name = todo.pop()
        if name not in first:
            first.add(name)
            todo += by_name[name].NEEDS
    after: set[str] = set()  # modules that need the side lane, directly or through another
    for m in modules:
        if any(n in in_side or n in after for n in m.NEEDS) and module_name(m) not in in_side:
            after.add(module_name(m))
    order = [module_name(m) for m in modules]

    def pick(names: set[str]) -> tuple[ModuleType, ...]:
        return tuple(by_name[n] for n in order if n in names)

    own = set(order) - first - in_side - after
    return Lanes(pick(first), pick(in_side), pick(own), pick(after))


def compute_all(ctx: FactContext) -> FactContext:
    """Every fact module's facts, as `compute_facts(ctx)` gives them, on two cores where
    `forking.usable`."""
    if not forking.usable(len(ctx.servers)):
        return compute_facts(ctx)
    return compute_in_lanes(ctx, split())


def compute_in_lanes(ctx: FactContext, lanes: Lanes) -> FactContext:
    """`compute_facts(ctx)` with `lanes.side` in a forked process (see the module
    docstring); the same facts table and estate-wide values, in the same order."""
    added: dict[str, tuple[list[str], list[str]]] = {}
    known = list(ctx.portfolio)
    for module in lanes.first:
        added[module_name(module)] = run_module(ctx, module)
    child = forking.Forked.start(_side_lane, ctx, lanes.side)
    for module in lanes.own:
        added[module_name(module)] = run_module(ctx, module)
    ok, got = child.result()
    if not ok:
        for module in lanes.side:
            added[module_name(module)] = run_module(ctx, module)
    else:
        index = ctx.servers.index
        for name, facts, portfolio in got:
            ctx.computed.update(
                {k: pd.Series(v, index=index, copy=False) for k, v in facts.items()}
            )
            ctx.portfolio.update(portfolio)
            added[name] = (list(facts), list(portfolio))
    for module in lanes.last:
        added[module_name(module)] = run_module(ctx, module)
    _in_module_order(ctx, added, known)
    return with_table(ctx)


def _in_module_order(
    ctx: FactContext, added: dict[str, tuple[list[str], list[str]]], known: list[str]
) -> None:
    """Put the computed facts and the estate-wide values in the order a sequential run
    adds them: module by module in MODULES order, each module's in its own order."""
    names = [module_name(m) for m in MODULES if module_name(m) in added]
    ctx.computed = {k: ctx.computed[k] for n in names for k in added[n][0]}
    keys = known + [k for n in names for k in added[n][1]]
    ctx.portfolio = {k: ctx.portfolio[k] for k in keys}


#: What the child sends: per module, its name, its facts and its estate-wide values. A
#: fact goes as its values alone, the index being the parent's own: each pickled Series
#: carried its copy of the server ids, 68 MB for the side lane at 20,000 servers (0.4 s to
#: pickle and send) against 12 MB (7 ms) without.
Payload = list[tuple[str, dict[str, Any], dict[str, Any]]]


def _side_lane(ctx: FactContext, modules: tuple[ModuleType, ...]) -> Payload:
    """In the child: compute `modules`; per module, what it added."""
    payload: Payload = []
    for module in modules:
        facts, portfolio = run_module(ctx, module)
        payload.append(
            (
                module_name(module),
                {k: ctx.computed[k].array for k in facts},
                {k: ctx.portfolio[k] for k in portfolio},
            )
        )
    return payload
