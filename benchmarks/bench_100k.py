"""Time `advisor assess` and `advisor inspect` on a 100,000-VM RVTools export, with the peak
memory of each process.

Usage::

    .venv/bin/python benchmarks/bench_100k.py [--vms 100000] [--workbook PATH] [--out DIR]
                                              [--skip-inspect] [--json FILE]

The workbook is generated once by `make_rvtools.py` (shared strings, as RVTools writes;
default `/tmp/rvtools-<N>-sst.xlsx`, about 11 minutes and 3 GB of RAM at 100,000 VMs) and
reused afterwards.

Why not just `/usr/bin/time -v`: its "Maximum resident set size" comes from `wait4()`, whose
`ru_maxrss` is the largest of the command's own peak and the peaks of the descendants it
waited for. It is neither the main process alone nor a sum, and `advisor assess` runs two
processes (the PDF is laid out in a second one). This script therefore reports three numbers
per command:

- the main process's peak RSS: `VmHWM` of `/proc/<pid>/status`, the kernel's own high-water
  mark, read every 0.1 s until the process ends (what happens in its last 0.1 s is missed;
  the peak is in the middle of the run);
- the largest descendant's peak RSS, the same way (the PDF worker; multiprocessing's
  resource tracker is tiny);
- `ru_maxrss` from `wait4()`, the number `/usr/bin/time` prints, as a cross-check.

MiB means 2^20 bytes. The budget is 2 GiB for each process; the exit status is 1 when a
command fails or a process goes over it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
BUDGET_MIB = 2048
POLL_S = 0.1


@dataclass
class Peak:
    """The highest `VmHWM` seen for one process, with what it was running."""

    pid: int
    command: str
    hwm_kib: int = 0


@dataclass
class Result:
    """One measured command: what ran, how long, how it ended and the peaks."""

    name: str
    argv: list[str]
    wall_s: float = 0.0
    #: User + system CPU seconds of the command and the descendants it waited for: less
    #: sensitive than wall time to other work on a shared machine.
    cpu_s: float = 0.0
    exit_code: int | None = None
    main_peak_mib: float = 0.0
    child_peak_mib: float = 0.0
    child_command: str = ""
    children_seen: int = 0
    #: Every descendant seen, largest peak first: (pid, peak MiB, command).
    children: list[tuple[int, float, str]] = field(default_factory=list)
    wait4_maxrss_mib: float = 0.0
    stderr_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        within = max(self.main_peak_mib, self.child_peak_mib) < BUDGET_MIB
        return self.exit_code == 0 and within


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(`VmHWM`, `VmRSS`) of a live process in KiB: its peak and current resident set. None
    once it is gone or a zombie (which has no memory left to report)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    found[line[:5]] = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    if len(found) < 2:
        return None
    return found["VmHWM"], found["VmRSS"]


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(p.decode(errors="replace") for p in raw.split(b"\0") if p)[:160]


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process on the machine (one pass over /proc)."""
    out: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text(errors="replace")
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        out[int(entry.name)] = int(fields[1])
    return out


def _descendants(root: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _sample(
    root: int,
    peaks: dict[int, Peak],
    stop: threading.Event,
    timeline: list[tuple[float, int, float]],
) -> None:
    """Poll the peak RSS of `root` and of every descendant until `stop` is set; append
    (seconds since start, pid, current RSS in MiB) to `timeline` about once a second, so a
    peak can be placed in a stage of the run."""
    start = time.perf_counter()
    last = -1.0
    while not stop.is_set():
        now = time.perf_counter() - start
        record = now - last >= 1.0
        for pid in {root, *_descendants(root)}:
            got = _status_kib(pid)
            if got is None:
                continue
            peak = peaks.get(pid)
            if peak is None:
                peak = peaks[pid] = Peak(pid, _command(pid))
            peak.hwm_kib = max(peak.hwm_kib, got[0])
            if record:
                timeline.append((round(now, 1), pid, round(got[1] / 1024, 1)))
        if record:
            last = now
        stop.wait(POLL_S)


def measure(name: str, argv: list[str], timeline: list[tuple[float, int, float]]) -> Result:
    """Run `argv` to its end and return its wall time, exit code and memory peaks."""
    result = Result(name, argv)
    env = {**os.environ, "COLUMNS": "200"}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        peaks: dict[int, Peak] = {}
        stop = threading.Event()
        sampler = threading.Thread(
            target=_sample, args=(proc.pid, peaks, stop, timeline), daemon=True
        )
        sampler.start()
        # wait4 rather than proc.wait(): it also returns the rusage /usr/bin/time reports.
        _, status, usage = os.wait4(proc.pid, 0)
        result.wall_s = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
        err.seek(0)
        lines = err.read().decode(errors="replace").splitlines()
    result.exit_code = proc.returncode
    result.stderr_tail = [line for line in lines if line.strip()][-5:]
    result.wait4_maxrss_mib = usage.ru_maxrss / 1024  # KiB on Linux
    result.cpu_s = usage.ru_utime + usage.ru_stime
    main = peaks.get(proc.pid)
    result.main_peak_mib = main.hwm_kib / 1024 if main else 0.0
    children = [p for pid, p in peaks.items() if pid != proc.pid]
    result.children_seen = len(children)
    result.children = [
        (p.pid, round(p.hwm_kib / 1024, 1), p.command)
        for p in sorted(children, key=lambda p: -p.hwm_kib)
    ]
    if children:
        top = max(children, key=lambda p: p.hwm_kib)
        result.child_peak_mib = top.hwm_kib / 1024
        result.child_command = top.command
    return result


def ensure_workbook(path: Path, vms: int) -> None:
    """Generate the workbook with make_rvtools.py unless it is already there."""
    if path.exists():
        print(f"using {path} ({path.stat().st_size / 2**20:.1f} MiB)", flush=True)
        return
    print(f"writing {path} ({vms:,} VMs; this takes a while) ...", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(BENCH_DIR / "make_rvtools.py"), str(vms), str(path)], check=True
    )


def advisor_command() -> str:
    """The `advisor` console script of the interpreter running this script."""
    beside = Path(sys.executable).with_name("advisor")
    if beside.exists():
        return str(beside)
    found = shutil.which("advisor")
    if found is None:
        sys.exit("advisor is not installed in this environment")
    return found


def report(r: Result) -> None:
    state = "ok" if r.exit_code == 0 else f"FAILED (exit {r.exit_code})"
    print(f"\n{r.name}: {state}")
    print(f"  wall time                  {r.wall_s:8.1f} s")
    print(f"  CPU time (user + system)   {r.cpu_s:8.1f} s")
    print(f"  peak RSS, main process     {r.main_peak_mib:8.0f} MiB")
    if r.children_seen:
        print(f"  peak RSS, largest child    {r.child_peak_mib:8.0f} MiB  ({r.child_command})")
        print(f"  child processes seen       {r.children_seen:8d}")
    print(f"  wait4 ru_maxrss (= time -v) {r.wait4_maxrss_mib:7.0f} MiB")
    if max(r.main_peak_mib, r.child_peak_mib) >= BUDGET_MIB:
        print(f"  OVER BUDGET: a process went past {BUDGET_MIB} MiB")
    if r.exit_code != 0:
        for line in r.stderr_tail:
            print(f"  | {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vms", type=int, default=100_000, help="VMs in the workbook")
    parser.add_argument("--workbook", type=Path, help="default /tmp/rvtools-<N>-sst.xlsx")
    parser.add_argument("--out", type=Path, help="output folder; default /tmp/out-<N>")
    parser.add_argument("--skip-inspect", action="store_true", help="measure only assess")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--timeline",
        type=Path,
        help="write each process's RSS about once a second to this CSV (command,s,pid,MiB)",
    )
    args = parser.parse_args(argv)

    workbook = args.workbook or Path(f"/tmp/rvtools-{args.vms}-sst.xlsx")
    out = args.out or Path(f"/tmp/out-{args.vms}")
    ensure_workbook(workbook, args.vms)
    advisor = advisor_command()
    runs = [("advisor assess", [advisor, "assess", str(workbook), "--out", str(out)])]
    if not args.skip_inspect:
        runs.append(("advisor inspect", [advisor, "inspect", str(workbook)]))
    results = []
    rows = ["command,seconds,pid,rss_mib"]
    for name, command in runs:
        print(f"running {' '.join(command)}", flush=True)
        timeline: list[tuple[float, int, float]] = []
        results.append(measure(name, command, timeline))
        report(results[-1])
        rows += [f"{name},{t},{pid},{mib}" for t, pid, mib in timeline]
    if args.timeline:
        args.timeline.write_text("\n".join(rows) + "\n")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
