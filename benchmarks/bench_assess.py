"""Benchmark facts, rules and scoring (everything after import) on a large RVTools estate.

Usage::

    .venv/bin/python benchmarks/bench_assess.py --vms 20000 [--repeat 3]

The workbook comes from `make_rvtools.py` (cached in benchmarks/.cache, shared with
bench_import.py). It is imported once, outside the clock; then each repeat times the three
stages of `advisor.engine.assess.assess` separately: facts, rule evaluation, scoring. A
profile maps every datacenter of the estate to a site with a location and an uplink, so
the location and bandwidth rules really evaluate rather than short-cut to unknown.
Budget: well under a second per thousand servers for the three stages together.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from advisor.engine import assess as assess_module  # noqa: E402
from advisor.engine import evaluate as evaluate_module  # noqa: E402
from advisor.engine import scoring as scoring_module  # noqa: E402
from advisor.facts.lanes import compute_all  # noqa: E402
from advisor.inventory import load_inventory  # noqa: E402
from advisor.profile import parse_profile  # noqa: E402

CITIES = [(47.56, 7.59), (46.95, 7.45), (48.21, 16.37), (50.11, 8.68), (48.14, 11.58)]


def workbook(n: int) -> Path:
    path = BENCH_DIR / ".cache" / f"rvtools-{n}-sst.xlsx"
    if not path.exists():
        from make_rvtools import write_rvtools

        path.parent.mkdir(exist_ok=True)
        print(f"writing {path} ...", flush=True)
        write_rvtools(path, n)
    return path


def profile_for(inventory, *, uplink_step_mbps: int = 100, **sections):
    """Every datacenter a site with a place and an uplink of 1 to 3 `uplink_step_mbps`;
    `sections` adds profile sections (the plan benchmark sets `migration`)."""
    datacenters = sorted(inventory.servers["datacenter"].dropna().unique())
    sites = [
        {
            "name": f"Site {i + 1}",
            "lat": CITIES[i % len(CITIES)][0],
            "lon": CITIES[i % len(CITIES)][1],
            "uplink_mbps": uplink_step_mbps * (1 + i % 3),
            "users": 50 + 25 * i,
            "datacenters": [dc],
        }
        for i, dc in enumerate(datacenters)
    ]
    data = {"customer": {"name": "Bench"}, "sites": sites, **sections}
    return parse_profile(data, "bench profile")


class Timer:
    """Wraps the stage functions assess() calls, to time each stage of a real run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module, name: str, label: str):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, action="append", help="estate size (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = args.vms or [20_000]
    rows = []
    for n in sizes:
        inv = load_inventory(workbook(n))
        profile = profile_for(inv)
        rules = assess_module.load_catalog_rules()
        best: dict[str, float] | None = None
        for _ in range(args.repeat):
            timer = Timer()
            timer.wrap(assess_module, "compute_all", "facts")
            timer.wrap(assess_module, "evaluate", "rules")
            timer.wrap(assess_module, "score_servers", "scoring")
            start = time.perf_counter()
            result = assess_module.assess(inv, profile, rules=rules)
            total = time.perf_counter() - start
            assess_module.compute_all = compute_all
            assess_module.evaluate = evaluate_module.evaluate
            assess_module.score_servers = scoring_module.score_servers
            stages = dict(timer.seconds, total=total)
            if best is None or stages["total"] < best["total"]:
                best = stages
        assert best is not None
        servers = len(result.scores)
        core = best["facts"] + best["rules"] + best["scoring"]
        print(
            f"{n:,} VMs, {len(rules)} rules: facts {best['facts']:.2f} s, rules "
            f"{best['rules']:.2f} s, scoring {best['scoring']:.2f} s; together {core:.2f} s = "
            f"{core / servers * 1000:.3f} s per 1,000 servers (assess total {best['total']:.2f} s)"
        )
        rows.append((n, len(rules), best, core, servers))
    print("\n| VMs | rules | facts s | rules s | scoring s | together s | s per 1,000 |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, count, best, core, servers in rows:
        print(
            f"| {n:,} | {count} | {best['facts']:.2f} | {best['rules']:.2f} | "
            f"{best['scoring']:.2f} | {core:.2f} | {core / servers * 1000:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR))
    raise SystemExit(main())
