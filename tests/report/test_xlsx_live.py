"""The workbook's scores recompute: its formulas, calculated by the `formulas` package (not
trusted from the values stored with them), give the engine's verdicts; and accepting a
finding or changing a weight in the workbook gives what the engine gives for the same
change in the profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from builders import VINFO_4X, vinfo_row, write_xlsx
from openpyxl import load_workbook

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import default_profile, parse_profile
from advisor.report.xlsx_report import write_xlsx as write_report

formulas = pytest.importorskip("formulas", reason="the formulas package (dev extra)")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
#: The sheets the scores' formulas read; the others only slow the calculation down.
KEEP = ("Summary", "Servers", "Findings", "Settings")
VERDICT = {
    "Score": "score",
    "Readiness": "readiness",
    "Disposition": "disposition",
    "Effort h": "effort_hours",
    "Blocker": "failed_blocker",
    "High": "failed_high",
    "Medium": "failed_medium",
    "Low": "failed_low",
    "Info": "failed_info",
    "Accepted": "accepted",
    "Unknown": "unknown_rules",
}


def stripped(path: Path, dest: Path, edit=None, keep_servers=None) -> Path:
    """A copy of the workbook with the sheets the formulas read; `edit(wb)` changes it
    first. `keep_servers` (server ids) keeps the formulas of those Servers rows only (the
    others become their stored values), for a large estate."""
    wb = load_workbook(path)
    for name in wb.sheetnames:
        if name not in KEEP:
            del wb[name]
    if keep_servers is not None:
        del wb["Summary"]
        cached = load_workbook(path, data_only=True)["Servers"]
        ws = wb["Servers"]
        ids = [c.value for c in ws[2]].index("Server id") + 1
        for row in ws.iter_rows(min_row=3):
            if ws.cell(row[0].row, ids).value not in keep_servers:
                for cell in row:
                    if cell.data_type == "f":
                        cell.value = cached.cell(cell.row, cell.column).value
    if edit is not None:
        edit(wb)
    wb.save(dest)
    return dest


class Recalc:
    """A workbook compiled by `formulas`, calculated with optional changed inputs."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.model = formulas.ExcelModel().loads(str(path)).finish()
        self.book = load_workbook(path)

    def key(self, sheet: str, ref: str) -> str:
        return f"'[{self.name}]{sheet.upper()}'!{ref}"

    def run(self, inputs: dict[tuple[str, str], object] | None = None) -> dict:
        given = {self.key(s, r): v for (s, r), v in (inputs or {}).items()}
        return self.model.calculate(inputs=given)

    def value(self, solution: dict, sheet: str, ref: str):
        cell = solution.get(self.key(sheet, ref))
        if cell is None:  # a plain value the calculation did not need
            return self.book[sheet][ref].value
        value = cell.value[0][0]
        return value.item() if hasattr(value, "item") else value

    def servers(self, solution: dict) -> dict[str, dict[str, object]]:
        """Server id -> the recomputed verdict columns."""
        ws = self.book["Servers"]
        head = {c.value: c.column_letter for c in ws[2]}
        out = {}
        for r in range(3, ws.max_row + 1):
            sid = ws[f"{head['Server id']}{r}"].value
            out[sid] = {h: self.value(solution, "Servers", f"{head[h]}{r}") for h in VERDICT}
        return out


def expected(assessment) -> dict[str, dict[str, object]]:
    """The engine's verdicts as the Servers sheet shows them."""
    s = assessment.servers
    out = {}
    for sid, row in s.iterrows():
        out[sid] = {h: row[key] for h, key in VERDICT.items()}
        out[sid]["Readiness"] = row["readiness"].replace("_", " ")
    return out


def assert_same(got: dict, want: dict, only: set | None = None) -> None:
    assert set(got) >= set(only or want)
    bad = []
    for sid in only or want:
        for h, value in want[sid].items():
            mine = got[sid][h]
            if isinstance(value, float) or isinstance(mine, float):
                ok = mine == pytest.approx(float(value), abs=1e-9)
            else:
                ok = mine == value
            if not ok:
                bad.append((sid, h, mine, value))
    assert not bad, bad[:10]


def profile_with(**changes):
    """The sample profile with `changes` (exceptions=[...], scoring={...}) applied."""
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data.update(changes)
    return parse_profile(data, "test profile", base_dir=PROFILE.parent)


def finding_cell(book, code: str, server: str, header: str) -> str:
    ws = book["Findings"]
    head = {c.value: c.column_letter for c in ws[2]}
    for r in range(3, ws.max_row + 1):
        if ws[f"{head['Code']}{r}"].value == code and ws[f"{head['Server']}{r}"].value == server:
            return f"{head[header]}{r}"
    raise AssertionError(f"no finding {code} on {server}")


@pytest.fixture(scope="module")
def demo(acme_sample, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    path = write_report(acme_sample, tmp / "assessment.xlsx")
    return path, Recalc(stripped(path, tmp / "calc.xlsx"))


def test_the_stored_values_are_the_engines(demo, acme_sample):
    path, _ = demo
    ws = load_workbook(path, data_only=True)["Servers"]
    head = [c.value for c in ws[2]]
    got = {
        row[head.index("Server id")]: {h: row[head.index(h)] for h in VERDICT}
        for row in ws.iter_rows(min_row=3, values_only=True)
    }
    assert_same(got, expected(acme_sample))


def test_recomputed_scores_and_summary_equal_the_json(demo, acme_sample):
    _, calc = demo
    solution = calc.run()
    assert_same(calc.servers(solution), expected(acme_sample))
    # The JSON contract says the same as the engine's frame.
    servers = [s for s in acme_sample.to_json()["servers"] if s["scope"]["in_scope"]]
    got = calc.servers(solution)
    for s in servers:
        assert got[s["id"]]["Score"] == s["score"]
        assert got[s["id"]]["Readiness"] == s["readiness"].replace("_", " ")
        assert got[s["id"]]["Effort h"] == pytest.approx(s["effort_hours"])
    summary = acme_sample.summary()
    ws = calc.book["Summary"]
    labels = {ws[f"A{r}"].value: r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value}
    assert calc.value(solution, "Summary", f"B{labels['Mean score']}") == summary["mean_score"]
    assert (
        calc.value(solution, "Summary", f"B{labels['not ready']}")
        == (summary["readiness"]["not_ready"])
    )
    assert (
        calc.value(solution, "Summary", f"B{labels['retire']}")
        == (summary["dispositions"]["retire"])
    )
    total = calc.value(solution, "Summary", f"B{labels['Effort h (total)']}")
    assert total == pytest.approx(summary["effort_hours"])
    assert calc.value(solution, "Summary", f"B{labels['high']}") == summary["findings"]["high"]


def test_accepting_in_the_workbook_is_accepting_in_the_profile(demo, acme_sample, accepted):
    """Mark a high finding accepted and take back the profile's accepted one: the workbook
    recomputes what the engine says for a profile with that change."""
    _, calc = demo
    f = acme_sample.evaluation.findings
    names = acme_sample.servers["name"]
    high = f[(f["status"] == "fail") & (f["severity"] == "high")].iloc[0]
    server = names[high["server_id"]]
    inputs = {
        ("Findings", finding_cell(calc.book, high["code"], server, "Accepted")): "yes",
        ("Findings", finding_cell(calc.book, accepted["rule"], accepted["server"], "Accepted")): (
            "no"
        ),
    }
    changed = assess(
        load_inventory(SAMPLE),
        profile_with(exceptions=[{"rule": high["code"], "server": server, "reason": "test"}]),
    )
    got = calc.servers(calc.run(inputs))
    assert got != calc.servers(calc.run())
    assert_same(got, expected(changed))


def test_changing_a_weight_is_changing_the_profile(demo):
    _, calc = demo
    ws = calc.book["Settings"]
    where = {ws[f"C{r}"].value: f"B{r}" for r in range(3, ws.max_row + 1)}
    inputs = {
        ("Settings", where["penalty_high"]): 33,
        ("Settings", where["penalty_low"]): 0,
        ("Settings", where["base_effort_hours"]): 6.5,
    }
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    scoring = data.get("scoring") or {}
    scoring["penalties"] = {**(scoring.get("penalties") or {}), "high": 33, "low": 0}
    scoring["base_effort_hours"] = 6.5
    changed = assess(load_inventory(SAMPLE), profile_with(scoring=scoring))
    assert_same(calc.servers(calc.run(inputs)), expected(changed))


def test_a_readiness_effect_can_be_tried_in_the_workbook(demo, acme_sample):
    """Medium findings made harmless to readiness: servers whose worst failure is medium
    become ready (the engine has no such setting; the rule itself is checked here)."""
    _, calc = demo
    ws = calc.book["Settings"]
    where = {ws[f"C{r}"].value: f"B{r}" for r in range(3, ws.max_row + 1)}
    got = calc.servers(calc.run({("Settings", where["readiness_medium"]): "ready"}))
    s = acme_sample.servers
    f = acme_sample.evaluation.findings
    grave = set(f.loc[(f["status"] == "unknown") & (f["severity"] == "blocker"), "server_id"])
    only_medium = s.index[
        (s["failed_blocker"] == 0) & (s["failed_high"] == 0) & (s["failed_medium"] > 0)
    ]
    assert len(only_medium)
    for sid in only_medium:
        assert got[sid]["Readiness"] == ("unknown" if sid in grave else "ready"), sid
    for sid in s.index.difference(only_medium):
        assert got[sid]["Readiness"] == s.at[sid, "readiness"].replace("_", " "), sid


def sort_findings_by_severity(wb) -> None:
    """Sort the Findings rows as a consultant would (by severity, then code), moving each
    row's own formulas with it, as Excel and LibreOffice do."""
    ws = wb["Findings"]
    head = [c.value for c in ws[2]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    order = sorted(
        range(len(rows)),
        key=lambda i: (rows[i][head.index("Severity")], rows[i][head.index("Code")]),
    )
    for new, old in enumerate(order):
        for j, value in enumerate(rows[old]):
            if isinstance(value, str) and value.startswith("="):
                value = re.sub(rf"(\$[A-Z]+){old + 3}\b", rf"\g<1>{new + 3}", value)
            ws.cell(new + 3, j + 1).value = value


def test_sorting_findings_keeps_the_scores_right(tmp_path):
    """The Servers formulas read each server's block of Findings rows while it is where
    it was written, and every row of Findings once the sheet is sorted: same verdicts."""
    names = ["web01", "db01", "old-app", "file01", "dc01"]
    body = [
        vinfo_row(
            n,
            **{"VM UUID": f"uuid-{i}"},
            **(
                {"OS according to the configuration file": "Microsoft Windows Server 2003"}
                if i % 2
                else {}
            ),
        )
        for i, n in enumerate(names)
    ]
    inv = load_inventory(write_xlsx(tmp_path / "inv.xlsx", {"vInfo": [VINFO_4X, *body]}))
    a = assess(inv, default_profile())
    path = write_report(a, tmp_path / "a.xlsx")
    calc = Recalc(stripped(path, tmp_path / "sorted.xlsx", edit=sort_findings_by_severity))
    ws = calc.book["Findings"]
    servers = [c.value for c in ws["A"][2:]]
    assert servers != sorted(servers, key=lambda n: str(n).lower())  # really out of order
    solution = calc.run()
    in_place = calc.book["Servers"]
    head = {c.value: c.column_letter for c in in_place[2]}
    checks = [
        calc.value(solution, "Servers", f"{head['Findings rows in place']}{r}")
        for r in range(3, in_place.max_row + 1)
    ]
    assert False in checks  # the slow path was taken
    assert_same(calc.servers(solution), expected(a))


def test_the_655_vm_export_recomputes_to_the_json(tmp_path, real_655):
    """The real export: a sample of servers (every readiness and disposition seen, and
    servers with the most findings) recomputed from its formulas equals the JSON."""
    a = real_655
    s = a.servers
    picks = set(s.groupby(["readiness", "disposition"]).head(2).index)
    busy = s["failed_blocker"] + s["failed_high"] + s["failed_medium"] + s["failed_low"]
    picks |= set(busy.sort_values(ascending=False).index[:5])
    picks |= set(s.index[:: max(1, len(s) // 6)])
    path = write_report(a, tmp_path / "real.xlsx")
    calc = Recalc(stripped(path, tmp_path / "calc.xlsx", keep_servers=picks))
    got = calc.servers(calc.run())
    want = {sid: v for sid, v in expected(a).items() if sid in picks}
    by_json = {x["id"]: x for x in a.to_json()["servers"] if x["id"] in picks}
    assert len(want) == len(picks) == len(by_json) >= 12
    assert_same(got, want, only=set(picks))
    for sid, x in by_json.items():
        assert (got[sid]["Score"], got[sid]["Disposition"]) == (x["score"], x["disposition"])


def test_formulas_injected_block_by_block_equal_the_whole(demo, acme_sample, tmp_path, monkeypatch):
    """The formulas are put in while the saved sheets stream through in blocks: with blocks
    that cut rows, cells and multi-byte characters anywhere, and with the rows of the
    bigger sheets held and spliced in, the workbook is the same."""
    from advisor.report import xlsx_fastrows, xlsx_sheets

    monkeypatch.setattr(xlsx_fastrows, "COPY_BYTES", 997)
    monkeypatch.setattr(xlsx_sheets, "FAST_ROWS", 40)  # the big sheets' rows held, spliced
    small = write_report(acme_sample, tmp_path / "blocks.xlsx")
    a, b = load_workbook(demo[0]), load_workbook(small)
    assert a.sheetnames == b.sheetnames
    formulas = 0
    for title in a.sheetnames:
        rows_a = [[c.value for c in row] for row in a[title].iter_rows()]
        rows_b = [[c.value for c in row] for row in b[title].iter_rows()]
        assert rows_a == rows_b, title
        formulas += sum(str(v).startswith("=") for row in rows_a for v in row)
    assert formulas > 100
