"""Benchmark the advisor RVTools import against a bare python-calamine parse.

Usage::

    .venv/bin/python benchmarks/bench_import.py --vms 20000 [--vms 100000] [--repeat 3]

For each ``--vms N`` a synthetic RVTools workbook is generated once into
``benchmarks/.cache/rvtools-<N>-sst.xlsx`` with a shared-string table, as RVTools writes
(``rvtools-<N>.xlsx`` with inline strings under ``--inline-strings``; reused when present,
see ``--regenerate``), then two measurements are taken, each in a
fresh Python subprocess so that timings and peak memory are independent of each other and
of the parent:

(a) bare:   ``CalamineWorkbook.from_path(p)`` + ``get_sheet_by_name(t).to_python()`` for
            each tab of ``advisor.inventory.rvtools.RVTOOLS_TABS`` present in the file;
(b) import: ``advisor.inventory.load_inventory(p)``; ``len(inv.servers)`` is reported.

Each child times only the work (module imports are timed separately and excluded), and
prints one JSON object on its last stdout line with the wall time and its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``).  The parent reports best-of-``--repeat``
wall time, the largest peak RSS seen, and the ratio import / bare, and finishes with a
markdown table (one row per N) for ``benchmarks/README.md``.

Exit status is 0 when every measurement succeeded, 1 otherwise (e.g. when
``load_inventory`` does not exist yet); the error is printed either way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_CACHE = BENCH_DIR / ".cache"
BUDGET_RATIO = 1.5
BUDGET_VMS = 20_000
CHILD_FLAG = "--_child"
# Used when advisor.inventory.rvtools.RVTOOLS_TABS cannot be imported.
FALLBACK_TABS = (
    "vInfo",
    "vDisk",
    "vPartition",
    "vSnapshot",
    "vNetwork",
    "vUSB",
    "vCD",
    "vHost",
    "vMetaData",
)
TABLE_HEADER = (
    "| VMs | file size MB | bare parse s | import s | ratio | peak RSS bare MB "
    "| peak RSS import MB |\n"
    "|---:|---:|---:|---:|---:|---:|---:|"
)


# --------------------------------------------------------------------------------------
# Child side (runs in a fresh interpreter)
# --------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS reports bytes.
    return rss / (2**20 if sys.platform == "darwin" else 2**10)


def _vmhwm_mb() -> float | None:
    """Linux high-water RSS of this process's own address space (None elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return None


def _child(mode: str, path: str, tabs: list[str]) -> int:
    import contextlib
    import traceback

    result: dict = {"mode": mode, "ok": True}
    real_stdout = sys.stdout
    try:
        # Anything the code under test prints goes to stderr, so that stdout carries
        # only our JSON line.
        with contextlib.redirect_stdout(sys.stderr):
            if mode == "bare":
                t0 = time.perf_counter()
                from python_calamine import CalamineWorkbook

                result["module_import_s"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                wb = CalamineWorkbook.from_path(path)
                present = set(wb.sheet_names)
                data = {}
                for tab in tabs:
                    if tab in present:
                        data[tab] = wb.get_sheet_by_name(tab).to_python()
                result["wall_s"] = time.perf_counter() - t0
                result["rows"] = {tab: len(rows) for tab, rows in data.items()}
                result["missing_tabs"] = [tab for tab in tabs if tab not in present]
            elif mode == "import":
                t0 = time.perf_counter()
                from advisor.inventory import load_inventory

                result["module_import_s"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                inv = load_inventory(Path(path))
                result["wall_s"] = time.perf_counter() - t0
                result["servers"] = len(inv.servers)
            else:
                raise ValueError(f"unknown child mode {mode!r}")
    except Exception as exc:  # report, never crash without a JSON line
        result["ok"] = False
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
    result["peak_rss_mb"] = _peak_rss_mb()
    result["vmhwm_mb"] = _vmhwm_mb()
    real_stdout.write(json.dumps(result) + "\n")
    real_stdout.flush()
    return 0 if result["ok"] else 1


# --------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


# The parent never imports advisor, pandas or xlsxwriter and never generates a workbook
# in-process: on Linux a child's ru_maxrss starts from the high-water RSS of the parent
# it was forked from, so a big parent would inflate every child's peak RSS.

_TABS_SNIPPET = """
import json
from advisor.inventory.rvtools import RVTOOLS_TABS
print(json.dumps([str(getattr(t, "value", t)) for t in RVTOOLS_TABS]))
"""


def resolve_tabs() -> tuple[list[str], str | None]:
    """Tabs the advisor imports, or the fallback list and a reason (read in a subprocess)."""
    proc = subprocess.run(
        [sys.executable, "-c", _TABS_SNIPPET],
        cwd=REPO_ROOT,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return list(FALLBACK_TABS), lines[-1] if lines else f"exit {proc.returncode}"
    try:
        tabs = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return list(FALLBACK_TABS), f"unexpected output {proc.stdout[-200:]!r}"
    if not tabs:
        return list(FALLBACK_TABS), "advisor.inventory.rvtools.RVTOOLS_TABS is empty"
    return tabs, None


def ensure_workbook(
    n_vms: int, cache_dir: Path, seed: int, regenerate: bool, shared_strings: bool = False
) -> Path:
    path = cache_dir / f"rvtools-{n_vms}{'-sst' if shared_strings else ''}.xlsx"
    if path.exists() and not regenerate:
        print(f"  workbook: reusing {path}")
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.partial.xlsx")
    cmd = [
        sys.executable,
        str(BENCH_DIR / "make_rvtools.py"),
        str(n_vms),
        str(tmp),
        "--seed",
        str(seed),
    ]
    if not shared_strings:
        cmd.append("--inline-strings")
    print("  workbook: ", end="", flush=True)
    subprocess.run(cmd, check=True)
    os.replace(tmp, path)
    print(f"  workbook: cached as {path}")
    return path


def run_child(mode: str, path: Path, tabs: list[str], timeout: float) -> dict:
    env = _child_env()
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        CHILD_FLAG,
        mode,
        str(path),
        ",".join(tabs),
    ]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"mode": mode, "ok": False, "error": f"timed out after {timeout:.0f} s"}
    process_s = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        return {
            "mode": mode,
            "ok": False,
            "error": f"child exited {proc.returncode} without a result",
            "traceback": "\n".join(tail),
        }
    result["process_s"] = process_s
    return result


def measure(mode: str, path: Path, tabs: list[str], repeat: int, timeout: float) -> dict:
    runs = []
    for k in range(repeat):
        res = run_child(mode, path, tabs, timeout)
        if not res.get("ok"):
            print(f"  {mode:6s} run {k + 1}: ERROR {res.get('error')}")
            if res.get("traceback"):
                print("    " + res["traceback"].rstrip().replace("\n", "\n    "))
            return {"ok": False, "error": res.get("error"), "runs": runs}
        extra = ""
        if mode == "import":
            extra = f", servers={res['servers']}"
        print(
            f"  {mode:6s} run {k + 1}: {res['wall_s']:7.2f} s work, "
            f"{res['process_s']:6.2f} s process (module import "
            f"{res['module_import_s']:.2f} s), peak RSS {res['peak_rss_mb']:7.1f} MB{extra}"
        )
        hwm = res.get("vmhwm_mb")
        if hwm and res["peak_rss_mb"] > 1.05 * hwm + 5:
            print(
                f"    note: ru_maxrss {res['peak_rss_mb']:.0f} MB exceeds the child's own "
                f"VmHWM {hwm:.0f} MB (inherited from the parent?)"
            )
        runs.append(res)
    return {
        "ok": True,
        "best_s": min(r["wall_s"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": runs,
    }


def table_row(n_vms: int, size_mb: float, bare: dict, imp: dict) -> str:
    def fmt(res: dict, key: str, spec: str) -> str:
        return format(res[key], spec) if res.get("ok") else "error"

    ratio = (
        f"{imp['best_s'] / bare['best_s']:.2f}x"
        if bare.get("ok") and imp.get("ok") and bare["best_s"] > 0
        else "n/a"
    )
    return (
        f"| {n_vms:,} | {size_mb:.1f} | {fmt(bare, 'best_s', '.2f')} "
        f"| {fmt(imp, 'best_s', '.2f')} | {ratio} | {fmt(bare, 'peak_rss_mb', '.0f')} "
        f"| {fmt(imp, 'peak_rss_mb', '.0f')} |"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == CHILD_FLAG:
        mode, path, tabs = argv[1], argv[2], argv[3]
        return _child(mode, path, [t for t in tabs.split(",") if t])

    parser = argparse.ArgumentParser(
        description="Time advisor's RVTools import against a bare calamine parse."
    )
    parser.add_argument(
        "--vms", type=int, action="append", help="number of VMs; repeatable (default: 20000)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="fresh subprocess runs per measurement; best wall time wins",
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--regenerate", action="store_true", help="regenerate the workbook even if it is cached"
    )
    parser.add_argument(
        "--inline-strings",
        action="store_true",
        help="benchmark an inline-string workbook (rvtools-<N>.xlsx) instead of the default "
        "shared-string one that RVTools itself writes (rvtools-<N>-sst.xlsx)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds allowed per child process"
    )
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    args = parser.parse_args(argv)
    sizes = args.vms or [20_000]
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    tabs, fallback_reason = resolve_tabs()
    if fallback_reason:
        print(
            f"NOTE: could not import advisor.inventory.rvtools.RVTOOLS_TABS "
            f"({fallback_reason}); bare parse uses the fallback tab list."
        )
    print(f"tabs parsed by the bare baseline: {', '.join(tabs)}")
    print(f"python: {sys.executable}")

    rows, results, failed = [], [], False
    for n_vms in sizes:
        print(f"\n== {n_vms:,} VMs ==")
        path = ensure_workbook(
            n_vms, args.cache_dir, args.seed, args.regenerate, not args.inline_strings
        )
        size_mb = path.stat().st_size / 2**20
        bare = measure("bare", path, tabs, args.repeat, args.timeout)
        if bare.get("ok") and bare["runs"][0].get("missing_tabs"):
            print(f"  note: tabs not in workbook: {', '.join(bare['runs'][0]['missing_tabs'])}")
        imp = measure("import", path, tabs, args.repeat, args.timeout)
        failed |= not (bare["ok"] and imp["ok"])
        if bare["ok"] and imp["ok"]:
            ratio = imp["best_s"] / bare["best_s"]
            verdict = "within" if ratio <= BUDGET_RATIO else "OVER"
            scope = "" if n_vms == BUDGET_VMS else f" (budget is defined at {BUDGET_VMS:,} VMs)"
            print(
                f"  ratio import/bare = {ratio:.3f}x: {verdict} the {BUDGET_RATIO}x budget{scope}"
            )
        rows.append(table_row(n_vms, size_mb, bare, imp))
        results.append(
            {
                "vms": n_vms,
                "file": str(path),
                "file_size_mb": size_mb,
                "tabs": tabs,
                "tabs_fallback": fallback_reason,
                "bare": bare,
                "import": imp,
            }
        )

    print("\n" + TABLE_HEADER)
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
