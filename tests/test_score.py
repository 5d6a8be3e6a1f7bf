"""`advisor score`: many inventories into one workbook, failures reported, --into copies."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from advisor.cli import app
from advisor.report.batch import INVENTORY_SUFFIXES, expand_inputs
from advisor.report.xlsx_report import PORTFOLIO_COLS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
runner = CliRunner()


def score(*args: str):
    return runner.invoke(app, ["score", *args], env={"COLUMNS": "200"})


SHEETS = ["Portfolio", "Scope", "Servers", "Findings", "Estate work", "Rules", "Profile"]


def table(ws):
    """A table sheet as dicts (row 1 is a note, row 2 the header)."""
    head = [c.value for c in ws[2]]
    return [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]


def scope_table(ws):
    """The Scope sheet's table as dicts (its counts come first; the autofilter has the
    header row)."""
    top = int(ws.auto_filter.ref.split(":")[0][1:])
    head = [c.value for c in ws[top]]
    body = ws.iter_rows(min_row=top + 1, values_only=True)
    return [dict(zip(head, r, strict=True)) for r in body]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inventory(path: Path, names: list[str]) -> Path:
    body = [vinfo_row(n, **{"VM UUID": f"{path.stem}-{n}"}) for n in names]
    return write_xlsx(path, {"vInfo": [VINFO_4X, *body], "Notes": [["kept as is"], [1, 2]]})


@pytest.fixture(scope="module")
def corpus_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "scored.xlsx"
    return score(str(corpus), "-o", str(out)), out


def test_scores_the_whole_corpus_one_portfolio_row_per_file(corpus, corpus_run):
    result, out = corpus_run
    assert result.exit_code == 0, result.output
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in INVENTORY_SUFFIXES)
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    portfolio = table(wb["Portfolio"])
    assert [Path(r["Source"]).name for r in portfolio] == [p.name for p in files]
    assert all(r["Error"] is None and r["Servers read"] > 0 for r in portfolio)
    servers = table(wb["Servers"])
    left_out = scope_table(wb["Scope"])
    assert len(servers) == sum(r["In scope"] for r in portfolio)
    assert len(left_out) == sum(r["Out of scope"] for r in portfolio)
    for row in portfolio:
        mine = [s for s in servers if s["Source"] == row["Source"]]
        assert len(mine) == row["In scope"]
        assert sum(s["Readiness"] == "not ready" for s in mine) == row["Not ready"]
        out = [s for s in left_out if s["Source"] == row["Source"]]
        assert len(out) == row["Out of scope"]
        assert row["Servers read"] == row["In scope"] + row["Out of scope"] + row["Rejected rows"]
    sources = {r["Source"] for r in table(wb["Findings"])}
    assert sources <= {r["Source"] for r in portfolio}
    assert f"{len(files)} of {len(files)} inventories scored" in result.output


def test_a_failing_input_is_reported_and_the_others_still_scored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    inventory(folder / "a.xlsx", ["web01", "db01"])
    inventory(folder / "b.xlsx", ["app01"])
    (folder / "broken.xlsx").write_bytes(b"")
    (folder / "readme.txt").write_text("not an inventory")
    out = tmp_path / "scored.xlsx"
    result = score(str(folder), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "broken.xlsx: the file is empty" in result.output
    assert "1 of 3 inputs failed" in result.output
    wb = load_workbook(out)
    portfolio = {Path(r["Source"]).name: r for r in table(wb["Portfolio"])}
    assert set(portfolio) == {"a.xlsx", "b.xlsx", "broken.xlsx"}
    assert portfolio["broken.xlsx"]["Error"].endswith("the file is empty")
    assert portfolio["broken.xlsx"]["In scope"] is None
    assert portfolio["a.xlsx"]["In scope"] == 2 and portfolio["a.xlsx"]["Error"] is None
    assert portfolio["a.xlsx"]["Out of scope"] == 0
    assert len(table(wb["Servers"])) == 3
    assert {Path(r["Source"]).name for r in table(wb["Servers"])} == {"a.xlsx", "b.xlsx"}
    ws = wb["Portfolio"]
    last = get_column_letter(len(PORTFOLIO_COLS))
    assert ws.freeze_panes == "B3" and ws.auto_filter.ref == f"A2:{last}5"
    assert "scoring" not in result.output  # no progress bar outside a terminal


def test_files_and_folders_mix_and_the_output_is_never_read_as_input(tmp_path):
    one = inventory(tmp_path / "one.xlsx", ["web01"])
    folder = tmp_path / "more"
    (folder / "deep").mkdir(parents=True)
    inventory(folder / "deep" / "two.xlsx", ["db01"])
    out = folder / "scored.xlsx"
    assert score(str(one), str(folder), "-o", str(out)).exit_code == 0
    names = [Path(r["Source"]).name for r in table(load_workbook(out)["Portfolio"])]
    assert names == ["one.xlsx", "two.xlsx"]
    # Run again: the workbook is now a file of the walked folder, but one `score` wrote,
    # so it is replaced, not read as an inventory.
    assert score(str(one), str(folder), "-o", str(out)).exit_code == 0
    names = [Path(r["Source"]).name for r in table(load_workbook(out)["Portfolio"])]
    assert names == ["one.xlsx", "two.xlsx"]
    # A customer's workbook in the walked folder named as the output is refused (issue 9).
    theirs = folder / "deep" / "two.xlsx"
    before = theirs.read_bytes()
    again = score(str(one), str(folder), "-o", str(theirs))
    assert again.exit_code == 2 and "is the input inventory" in again.output
    assert theirs.read_bytes() == before


def test_an_rvtools_csv_folder_is_one_input(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "RVTools_tabvInfo.csv").write_text(
        ",".join(VINFO_4X) + "\n" + ",".join(map(str, vinfo_row("web01"))) + "\n"
    )
    (folder / "RVTools_tabvDisk.csv").write_text("VM,Disk\n")
    assert expand_inputs([folder]) == [folder]
    assert expand_inputs([tmp_path]) == [folder]


def test_usage_errors_exit_2(tmp_path):
    inv = inventory(tmp_path / "a.xlsx", ["web01"])
    assert score(str(inv), "-o", str(tmp_path / "x.csv")).exit_code == 2
    assert score(str(inv)).exit_code == 2  # -o is required
    result = score(str(inv), str(inv), "-o", str(tmp_path / "s.xlsx"), "--into", str(inv))
    assert result.exit_code == 2 and "exactly one INPUT" in result.output
    result = score(str(inv), "-o", str(tmp_path / "s.xlsx"), "--into-output", "x.xlsx")
    assert result.exit_code == 2
    bad = tmp_path / "p.yaml"
    bad.write_text("custmer: {name: X}\n")
    result = score(str(inv), "-o", str(tmp_path / "s.xlsx"), "--profile", str(bad))
    assert result.exit_code == 2 and "customer" in result.output


def test_an_empty_folder_is_a_failed_input(tmp_path):
    (tmp_path / "empty").mkdir()
    result = score(str(tmp_path / "empty"), "-o", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 1
    assert "no inventory files in this folder" in result.output


@pytest.fixture(scope="module")
def into_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("into")
    before = sha256(SAMPLE)
    out = tmp / "scored.xlsx"
    result = score(str(SAMPLE), "--profile", str(PROFILE), "-o", str(out), "--into", str(SAMPLE))
    return result, before, out, tmp / "acme-rvtools-scored.xlsx"


def test_into_leaves_the_original_byte_identical(into_run):
    result, before, _, copy = into_run
    assert result.exit_code == 0, result.output
    assert sha256(SAMPLE) == before
    assert copy.is_file()
    assert f"wrote {copy}" in result.output.replace("\n", "")
    assert "in scope" in result.output and "out of scope" in result.output


def test_into_appends_the_scores_to_the_server_sheet(into_run):
    _, _, out, copy = into_run
    original = load_workbook(SAMPLE)
    scored = load_workbook(copy)
    assert scored.sheetnames == original.sheetnames
    ws, old = scored["vInfo"], original["vInfo"]
    width = old.max_column
    assert ws.max_column == width + 4
    assert [c.value for c in ws[1]][width:] == [
        "advisor score",
        "advisor readiness",
        "advisor disposition",
        "advisor top finding",
    ]
    assert [[c.value for c in r][:width] for r in ws.iter_rows()] == [
        [c.value for c in r] for r in old.iter_rows()
    ]
    book = load_workbook(out)
    servers = {r["Server"]: r for r in table(book["Servers"])}
    left_out = {r["Server"]: r for r in scope_table(book["Scope"])}
    names = [c.value for c in ws["A"]][1:]
    assert len(names) == 80 == len(servers) + len(left_out)
    assert {"tpl-rhel9", "tpl-win2019", "tpl-win2022"} <= set(left_out)
    for row in ws.iter_rows(min_row=2):
        values = [c.value for c in row]
        if values[0] in left_out:
            out = left_out[values[0]]
            assert values[width:] == [
                None,
                "out of scope",
                None,
                f"{out['Category']}: {out['Reason']}",
            ]
            continue
        expected = servers[values[0]]
        assert values[width:] == [
            expected["Score"],
            expected["Readiness"],
            expected["Disposition"],
            expected["Most severe finding"],
        ]
        assert isinstance(values[width], int)


def test_into_copies_every_other_part_unchanged(into_run):
    _, _, _, copy = into_run
    with zipfile.ZipFile(SAMPLE) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        vinfo = "xl/worksheets/sheet1.xml"
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert changed == [vinfo]


def test_into_refuses_a_workbook_the_inventory_was_not_read_from(tmp_path):
    inv = inventory(tmp_path / "a.xlsx", ["web01", "db01"])
    other = inventory(tmp_path / "other.xlsx", ["mail01", "db01"])
    before = sha256(other)
    result = score(str(inv), "-o", str(tmp_path / "s.xlsx"), "--into", str(other))
    assert result.exit_code == 2
    assert "is not the workbook" in result.output and "mail01" in result.output
    assert sha256(other) == before
    assert not (tmp_path / "other-scored.xlsx").exists()


def test_into_output_names_the_copy_and_rescoring_reuses_the_columns(tmp_path):
    inv = inventory(tmp_path / "a.xlsx", ["web01", "db01"])
    copy = tmp_path / "copies" / "mine.xlsx"
    out = tmp_path / "s.xlsx"
    result = score(str(inv), "-o", str(out), "--into", str(inv), "--into-output", str(copy))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.xlsx"
    result = score(str(copy), "-o", str(out), "--into", str(copy), "--into-output", str(again))
    assert result.exit_code == 0, result.output
    ws = load_workbook(again)["vInfo"]
    headers = [c.value for c in ws[1]]
    assert headers.count("advisor score") == 1
    assert len(headers) == len(VINFO_4X) + 4
    assert load_workbook(again)["Notes"]["A1"].value == "kept as is"
