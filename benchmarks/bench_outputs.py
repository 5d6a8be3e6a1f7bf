"""Benchmark the whole `advisor assess` pipeline stage by stage, outputs included.

Usage::

    .venv/bin/python benchmarks/bench_outputs.py --vms 1000 --vms 20000

For each estate size (workbooks from make_rvtools.py, cached in benchmarks/.cache) it
times, in one process: import, assessment (facts, rules, scoring), the report model, the
JSON, the HTML, the workbook and the PDF, each on its own, plus the bare python-calamine
parse of the same tabs as the yardstick. Budgets (issue 4): the whole assess at 20,000
VMs at most 5x the bare parse; the PDF at 20,000 VMs at most twice the PDF at 1,000.
`advisor assess` itself lays out the PDF in a second process while the JSON, HTML and
workbook are written, so its wall time is below the sum printed here.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from bench_assess import profile_for, workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from advisor.engine.assess import assess  # noqa: E402
from advisor.inventory import load_inventory  # noqa: E402
from advisor.inventory.rvtools import RVTOOLS_TABS  # noqa: E402
from advisor.report.html_report import write_model_html  # noqa: E402
from advisor.report.json_report import write_json  # noqa: E402
from advisor.report.model import build_report_model  # noqa: E402
from advisor.report.pdf_report import write_model_pdf  # noqa: E402
from advisor.report.xlsx_report import write_xlsx  # noqa: E402


def bare_parse(path: Path) -> float:
    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    for sheet in wb.sheet_names:
        if sheet in RVTOOLS_TABS:
            wb.get_sheet_by_name(sheet).to_python()
    return time.perf_counter() - start


def stages(path: Path, out: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(label: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        times[label] = now - mark
        mark = now

    inv = load_inventory(path)
    lap("import")
    result = assess(inv, profile_for(inv))
    lap("assess")
    model = build_report_model(result)
    lap("model")
    write_json(result, out)
    lap("json")
    # As in `advisor assess`: the model travels to the PDF process (pickled, charts not yet
    # drawn), which draws the charts and lays out the PDF.
    write_model_pdf(pickle.loads(pickle.dumps(model)), out / "assessment.pdf")
    lap("pdf")
    write_model_html(model, out / "assessment.html")
    lap("html")
    write_xlsx(result, out / "assessment.xlsx")
    lap("xlsx")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, action="append", help="estate size (repeatable)")
    args = parser.parse_args(argv)
    rows = []
    for n in args.vms or [1000, 20_000]:
        path = workbook(n)
        bare = bare_parse(path)
        with tempfile.TemporaryDirectory() as tmp:
            t = stages(path, Path(tmp))
        total = sum(t.values())
        rows.append((n, bare, t, total))
        print(
            f"{n:,} VMs: bare parse {bare:.2f} s; "
            + ", ".join(f"{k} {v:.2f} s" for k, v in t.items())
        )
    print(
        "\n| VMs | bare parse | import | assess | model | json | html | xlsx | pdf | sum "
        "| sum / bare |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, bare, t, total in rows:
        cells = " | ".join(
            f"{t[k]:.2f}" for k in ("import", "assess", "model", "json", "html", "xlsx", "pdf")
        )
        print(f"| {n:,} | {bare:.2f} | {cells} | {total:.2f} | {total / bare:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
