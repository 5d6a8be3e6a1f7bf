"""Benchmark the plan stage (sizing, costs, move groups, waves, timeline) on a large estate.

Usage::

    .venv/bin/python benchmarks/bench_plan.py --vms 20000 [--repeat 5] [--full-repeat 3]

The workbook comes from `make_rvtools.py` (cached in benchmarks/.cache, shared with the
other benchmarks). It is imported and assessed once, outside the clock. Then:

1. `make_plan` alone, `--repeat` times, with the time of each of its steps (sizing, costs,
   groups and dependency edges, waves, timeline with its sensitivity);
2. the assessment alone (`assess`), the assessment with its plan (`assess_and_plan`, what
   `advisor assess` runs between reading and rendering) and the same with a comparison on
   Scaleway (`--compare scaleway`: the facts and rules run twice), `--full-repeat` times
   each, interleaved so that a busy machine slows all three alike.

Best and median are printed for each. The synthetic workbook measures memory (vInfo Active
Memory) but has no vCPU tab; unless `--as-exported` is given, running VMs get a CPU
utilisation (deterministic, 1-60 %) so that both dimensions are right-sized, and the
inventory gets a dependency table of about 1.5 rows per server: chains of three servers
(web -> app -> database) and every server's LDAP link to one of four directory servers,
which become hubs. A profile maps each datacenter to a site with a location and an uplink
of 1 to 3 Gbit/s, and sets a team of ten (400 hours a week) and a labour rate, so every
part of the plan is computed. Budget: the plan adds at
most 1 s to an assessment of 20,000 VMs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_assess import profile_for as bench_profile  # noqa: E402
from bench_assess import workbook  # noqa: E402

from advisor.engine.assess import assess  # noqa: E402
from advisor.inventory import load_inventory  # noqa: E402
from advisor.inventory.schema import conform  # noqa: E402
from advisor.plan import stage as stage_module  # noqa: E402
from advisor.plan.stage import assess_and_plan, make_plan  # noqa: E402

#: The functions `make_plan` calls, timed one by one: (name in advisor.plan.stage, label).
STEPS = (
    ("size_estate", "sizing"),
    ("cost_estate", "costs"),
    ("groups_and_edges", "groups"),
    ("groups_sheet_frame", "groups sheet"),
    ("plan_waves", "waves"),
    ("build_timeline", "timeline"),
    ("sensitivity", "sensitivity"),
)


def profile_for(inventory):
    """The other benchmarks' profile with 1-3 Gbit/s uplinks, a team of ten and a labour
    rate, so the plan prices its labour."""
    migration = {"labour_rate_per_hour": 110, "team_hours_per_week": 400}
    return bench_profile(inventory, uplink_step_mbps=1000, migration=migration)


def add_measurements(inventory) -> None:
    """A CPU utilisation for every running VM and a dependency table (see the docstring)."""
    s = inventory.servers
    rng = np.random.default_rng(0)
    running = s["power_state"].eq("on").fillna(False).to_numpy()
    cpu = np.round(rng.uniform(1, 60, len(s)), 1)
    s["cpu_usage_pct"] = pd.array(np.where(running, cpu, np.nan), dtype="Float64")
    names = s.loc[~s["is_template"].fillna(False).astype(bool), "name"].to_numpy(dtype=object)
    directory = names[:4]
    chains = names[4 : 4 + (len(names) - 4) // 3 * 3].reshape(-1, 3)
    source = np.concatenate([chains[:, 0], chains[:, 1], names[4:]])
    target = np.concatenate([chains[:, 1], chains[:, 2], directory[np.arange(len(names) - 4) % 4]])
    port = np.concatenate(
        [np.full(len(chains), 8080), np.full(len(chains), 5432), np.full(len(names) - 4, 389)]
    )
    inventory.dependencies = conform(
        "dependencies",
        pd.DataFrame(
            {
                "source": pd.array(source, dtype="string"),
                "target": pd.array(target, dtype="string"),
                "port": pd.array(port, dtype="Int64"),
            }
        ),
    )


class Steps:
    """Wraps the functions `make_plan` calls, to time each step of a real run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.originals = {name: getattr(stage_module, name) for name, _ in STEPS}
        for name, label in STEPS:
            setattr(stage_module, name, self._timed(self.originals[name], label))

    def _timed(self, func, label: str):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        return timed

    def restore(self) -> None:
        for name, func in self.originals.items():
            setattr(stage_module, name, func)


def clock(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def spread(values: list[float]) -> str:
    return f"best {min(values):.2f} s, median {statistics.median(values):.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=20_000, help="estate size")
    parser.add_argument("--repeat", type=int, default=5, help="runs of make_plan alone")
    parser.add_argument("--full-repeat", type=int, default=3, help="runs of each full case")
    parser.add_argument(
        "--as-exported",
        action="store_true",
        help="no added CPU utilisation and no dependency table",
    )
    args = parser.parse_args(argv)

    inv = load_inventory(workbook(args.vms))
    if not args.as_exported:
        add_measurements(inv)
    profile = profile_for(inv)
    assessment = assess(inv, profile)

    plans, steps = [], []
    for _ in range(args.repeat):
        timer = Steps()
        try:
            seconds, plan = clock(lambda: make_plan(assessment))
        finally:
            timer.restore()
        plans.append(seconds)
        steps.append(timer.seconds)
    servers = len(assessment.facts)
    waves = plan.waves.waves
    print(
        f"{args.vms:,} VMs, {servers:,} in scope, {len(inv.dependencies):,} dependency rows: "
        f"{plan.groups['group_id'].nunique():,} groups, {len(waves):,} waves, "
        f"{len(plan.edges):,} links ({int(plan.edges['joins'].sum()):,} joining), "
        f"{len(plan.waves.crossing):,} crossing waves"
    )
    for total, s in zip(plans, steps, strict=True):
        s["other"] = total - sum(s.values())  # catalogs, zones, readiness, frames
    labels = [label for _, label in STEPS] + ["other"]
    print(f"make_plan: {spread(plans)}")
    for label in labels:
        values = [s.get(label, 0.0) for s in steps]
        print(f"  {label:<13} {spread(values)}")

    full: dict[str, list[float]] = {"assess": [], "assess_and_plan": [], "with compare": []}
    for _ in range(args.full_repeat):
        full["assess"].append(clock(lambda: assess(inv, profile))[0])
        full["assess_and_plan"].append(clock(lambda: assess_and_plan(inv, profile))[0])
        full["with compare"].append(
            clock(lambda: assess_and_plan(inv, profile, compare="scaleway"))[0]
        )
    for label, values in full.items():
        print(f"{label:<16} {spread(values)}")
    extra = min(full["assess_and_plan"]) - min(full["assess"])
    print(f"the plan adds {extra:.2f} s (best against best; budget 1 s)")

    print("\n| step | best s | median s |")
    print("|---|---:|---:|")
    for label in labels:
        values = [s.get(label, 0.0) for s in steps]
        print(f"| {label} | {min(values):.2f} | {statistics.median(values):.2f} |")
    print(f"| **make_plan** | **{min(plans):.2f}** | **{statistics.median(plans):.2f}** |")
    for label, values in full.items():
        print(f"| {label} | {min(values):.2f} | {statistics.median(values):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
