"""Hostile shapes of a workbook or a CSV zip: each ends in one line naming the file (and the
sheet or member), exit 2, within seconds; never a hang, an abort or an internal error.

Every file is generated in the test's folder by `make_containers`. Cases that used to kill
the whole process (a native abort in the reader, a read blocked on a pipe) run in their own
interpreter through `run_isolated`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from harness import assert_clean, assert_refused, invoke, run_isolated
from make_containers import (
    VINFO_CSV,
    cell,
    corrupt_member,
    csv_bomb_member,
    csv_zip,
    deflated,
    row,
    sheet_bomb,
    sheet_corrupt,
    sheet_lying_size,
    sheet_xml,
    vinfo_rows,
    wide_csv,
    write_vinfo,
    write_xlsx,
)

from advisor.inventory import container, limits, load_inventory
from advisor.inventory.readers import table_from_rows

VMS = vinfo_rows(2)  # header row 1, VMs on rows 2 and 3, columns A to D


def inspect(path: Path, timeout: int = 20):
    return invoke(["inspect", path], timeout=timeout)


# --- the path ------------------------------------------------------------------------------


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(hostile_dir):
    fifo = hostile_dir / "inventory.csv"
    os.mkfifo(fifo)
    line = assert_refused(run_isolated(["inspect", fifo], timeout=20), "named pipe")
    assert str(fifo) in line


def test_a_device_is_refused():
    assert_refused(inspect(Path("/dev/zero"), timeout=10), "/dev/zero", "device")


def test_a_pipe_among_the_csv_files_of_a_folder_is_refused(hostile_dir):
    (hostile_dir / "RVTools_tabvInfo.csv").write_text(VINFO_CSV)
    os.mkfifo(hostile_dir / "RVTools_tabvDisk.csv")
    run = run_isolated(["inspect", hostile_dir], timeout=20)
    assert_refused(run, "RVTools_tabvDisk.csv", "named pipe")


# --- far values that are legal import, and fast --------------------------------------------


def test_one_value_in_column_xfd_imports_fast(hostile_dir):
    far = row(4, cell("A4", "vm-far"), cell("B4", "poweredOn"), cell("XFD4", "note"))
    path = write_vinfo(hostile_dir / "xfd.xlsx", [*VMS, far], "A1:XFD4")
    started = time.perf_counter()
    inv = load_inventory(path)
    assert time.perf_counter() - started < 5
    assert list(inv.servers["name"]) == ["vm000", "vm001", "vm-far"]
    # The 16,379 empty columns without a header are dropped, the far value is kept.
    assert inv.servers.set_index("name").loc["vm-far", "attr.column 16384"] == "note"
    assert sum(c.startswith("attr.") for c in inv.servers.columns) == 1


def test_a_value_in_the_last_row_imports(hostile_dir):
    last = row(1_048_576, cell("A1048576", "vm-last"), cell("B1048576", "poweredOn"))
    path = write_vinfo(hostile_dir / "down.xlsx", [*VMS, last], "A1:D1048576")
    started = time.perf_counter()
    assert "vm-last" in load_inventory(path).servers["name"].tolist()
    assert time.perf_counter() - started < 10


def test_a_declared_million_rows_with_a_styled_empty_last_cell_imports(hostile_dir):
    # LibreOffice re-saves declare the whole height and leave a styled empty cell at the end.
    empty = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = write_vinfo(hostile_dir / "lo.xlsx", [*VMS, empty], "A1:XFD1048576")
    assert_clean(inspect(path))


def test_cells_outside_a_wrong_dimension_are_measured_and_kept(hostile_dir):
    wide = row(4, cell("A4", "vm-wide"), cell("BZ4", "kept"))
    path = write_vinfo(hostile_dir / "dim.xlsx", [*VMS, wide], "A1:D3")
    servers = load_inventory(path).servers.set_index("name")
    assert servers.loc["vm-wide", "attr.column 78"] == "kept"


# --- references a spreadsheet cannot hold --------------------------------------------------


@pytest.mark.parametrize(
    ("far", "fragments"),
    [
        (row(4, cell("A99999999", "x")), ("A99999999", "row 99,999,999", "1,048,576 rows")),
        (row(4, cell("ZZZZZ1", "x")), ("ZZZZZ1", "column 12,356,630", "16,384 columns")),
        # No reference on the cell: the reader places it on the row the row tag names.
        (row(4_000_000_000, cell(None, "x")), ("row 4,000,000,000", "1,048,576 rows")),
    ],
    ids=["row-99999999", "column-ZZZZZ", "row-tag-4e9"],
)
def test_a_reference_beyond_excel_is_refused_before_the_reader_sees_it(hostile_dir, far, fragments):
    # A small, honest-looking dimension: the references themselves are checked.
    path = write_vinfo(hostile_dir / "far.xlsx", [*VMS, far], "A1:D3")
    line = assert_refused(run_isolated(["inspect", path], timeout=30), *fragments)
    assert line.startswith(f"error: {path}: sheet 'vInfo' ")


def test_many_far_rows_beyond_the_cell_bound_are_refused(hostile_dir):
    rows = [row(r, cell(f"A{r}", f"vm{r}"), cell(f"XFD{r}", "x")) for r in range(4, 5004, 50)]
    path = write_vinfo(hostile_dir / "wide.xlsx", [*VMS, *rows], "A1:XFD5003")
    line = assert_refused(inspect(path), "sheet 'vInfo'", "60,000,000 cells per sheet")
    assert "16,384 columns x 4,954 rows" in line


def test_a_sheet_under_a_lowered_cell_bound_is_refused_by_the_parsed_shape(
    hostile_dir, monkeypatch
):
    # The second line of defence: what the reader parsed is checked before it becomes rows.
    path = write_vinfo(hostile_dir / "ok.xlsx", VMS, "A1:D3")
    monkeypatch.setattr(container, "check_sheet", lambda path, sheet: None)
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 8)
    assert_refused(inspect(path), "sheet 'vInfo'", "4 columns x 3 rows", "8 cells")


# --- XML the reader would misread or choke on ----------------------------------------------


def _number_cell_with(text: str) -> str:
    return row(2, cell("A2", "vm1"), f'<c r="C2"><v>{text}</v></c>')


@pytest.mark.parametrize(
    ("sheet", "fragments"),
    [
        ("this is not xml <<<", ("sheet 'vInfo'", "cannot be read")),
        (sheet_xml(VMS, "A1:D3")[:-40], ("sheet 'vInfo'", "cannot be read")),
        (sheet_xml([VMS[0], _number_cell_with("&foo;")]), ("sheet 'vInfo'", "'&foo;'")),
        (
            sheet_xml(VMS, prolog='<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "boom">]>'),
            ("sheet 'vInfo' declares XML entities, which are refused",),
        ),
        ("", ("sheet 'vInfo'", "empty")),
    ],
    ids=["garbage", "truncated", "undefined-entity", "entity-declaration", "empty-part"],
)
def test_sheet_xml_that_does_not_parse_is_one_line(hostile_dir, sheet, fragments):
    path = write_xlsx(hostile_dir / "bad.xlsx", {"vInfo": sheet})
    assert_refused(inspect(path), str(path), *fragments)


def test_a_sheet_whose_part_is_missing_is_one_line(hostile_dir):
    path = write_xlsx(hostile_dir / "gone.xlsx", {"vInfo": sheet_xml(VMS)}, missing=["vInfo"])
    assert_refused(inspect(path), "sheet 'vInfo'", "xl/worksheets/sheet1.xml", "missing")


def test_shared_strings_declaring_entities_are_refused(hostile_dir):
    path = write_vinfo(hostile_dir / "sst.xlsx", VMS, "A1:D3")
    sst = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst/>'
    parts = [(n, z) for n, z in _members(path)] + [("xl/sharedStrings.xml", sst.encode())]
    csv_zip(path, [deflated(n, d) for n, d in parts])
    assert_refused(inspect(path), "shared strings", "declares XML entities")


def _members(path: Path) -> list[tuple[str, bytes]]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


# --- zip bombs, lying and broken zips ------------------------------------------------------


def test_a_sheet_zip_bomb_is_refused_from_the_zip_directory(hostile_dir):
    path = sheet_bomb(hostile_dir / "bomb.xlsx", 1_100_000_000)  # 7 MB on disk, 1.1 GB inside
    started = time.perf_counter()
    line = assert_refused(inspect(path), "sheet 'vInfo'", "would inflate to 1,09", "536,870,912")
    assert time.perf_counter() - started < 5, "the bomb was inflated"
    assert str(path) in line


def test_a_header_that_understates_the_size_is_refused_while_inflating(hostile_dir):
    path = sheet_lying_size(hostile_dir / "lie.xlsx", declared=4000, inflated=3_000_000)
    assert_refused(inspect(path), "sheet 'vInfo'", "inflates beyond the 4,000 bytes")


def test_a_part_over_a_lowered_bound_is_refused_while_inflating(hostile_dir, monkeypatch):
    # A real bomb under the bound, with the bound lowered below it: the stream, not the
    # directory, has to stop it.
    path = sheet_bomb(hostile_dir / "small-bomb.xlsx", 20_000_000)
    monkeypatch.setattr(limits, "MAX_XML_PART_BYTES", 10_000_000)
    assert_refused(inspect(path), "sheet 'vInfo'", "would inflate to", "10,000,000 bytes")


def test_a_corrupt_deflate_stream_in_a_sheet_is_one_line(hostile_dir):
    path = sheet_corrupt(hostile_dir / "corrupt.xlsx")
    assert_refused(inspect(path), "sheet 'vInfo'", "xl/worksheets/sheet1.xml", "corrupted")


def test_a_csv_zip_bomb_is_refused_from_the_zip_directory(hostile_dir):
    bomb = csv_bomb_member("RVTools_tabvInfo.csv", 600_000_000)  # 4 MB on disk
    path = csv_zip(hostile_dir / "export.zip", [bomb])
    started = time.perf_counter()
    assert_refused(inspect(path), "export.zip", "RVTools_tabvInfo.csv", "would inflate to")
    assert time.perf_counter() - started < 5


def test_a_corrupt_csv_member_is_one_line(hostile_dir):
    member = corrupt_member("RVTools_tabvInfo.csv", VINFO_CSV.encode() * 100)
    path = csv_zip(hostile_dir / "export.zip", [member])
    assert_refused(inspect(path), "export.zip", "RVTools_tabvInfo.csv", "corrupted")


def test_a_csv_of_100000_columns_is_refused_fast(hostile_dir):
    path = wide_csv(hostile_dir / "wide.csv", 100_000)
    started = time.perf_counter()
    assert_refused(inspect(path), "wide.csv", "100,000 columns", "16,384 columns")
    assert time.perf_counter() - started < 10


# --- the building blocks -------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 9, 10, 26, 27, 92, 99, 100, 702, 703, 16_384, 652_173])
def test_the_box_patterns_match_exactly_up_to_their_bound(n):
    numbers = re.compile(container._number_upto(n) + b"$")
    letters = re.compile(container._letters_upto(n) + b"$")
    for k in {1, 2, n - 1, n, n + 1, n * 10, 10 ** len(str(n))} - {0}:
        assert bool(numbers.match(str(k).encode())) == (k <= n), k
        name = container.column_letters(k).encode()
        assert bool(letters.match(name)) == (k <= n), name
    assert not numbers.match(b"07")


def test_a_wide_table_is_built_at_once_and_keeps_what_has_a_header_or_a_value():
    width = limits.MAX_COLUMNS
    header = ["VM", None, "Notes"] + [None] * (width - 3)
    far = ["vm1", None, None] + [None] * (width - 4) + ["far"]
    started = time.perf_counter()
    table = table_from_rows("vInfo", [header, far, ["vm2"] + [None] * (width - 1)])
    assert time.perf_counter() - started < 2
    assert table.headers == ["VM", "Notes", f"column {width}"]
    pd.testing.assert_series_equal(
        table.frame["VM"], pd.Series(["vm1", "vm2"], name="VM", dtype=object)
    )
