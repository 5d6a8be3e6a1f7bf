"""The Groups sheet coming back with --groups: what is read, and every file refused with one
line naming the file and the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import write_csv, write_xlsx

from advisor.errors import InputError
from advisor.inventory.groups_file import read_group_edits

HEADER = ["server", "group", "group name", "reason", "edited"]


def test_the_sheet_of_a_workbook_is_read_by_its_name(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "assessment.xlsx",
        {
            "Servers": [["name"], ["x"]],
            "groups": [
                HEADER,
                ["app-01", "G001", "CRM", "application 'crm'", False],
                ["app-02", "G002", "", "", False],
                [None, None, None, "a note without a server", None],
            ],
        },
    )
    edits = read_group_edits(path)
    assert list(edits.columns) == ["server", "group", "group_name", "row"]
    assert edits["server"].tolist() == ["app-01", "app-02"]
    assert edits["group_name"].isna().tolist() == [False, True]
    assert edits["group"].tolist() == ["G001", "G002"]
    assert edits["row"].tolist() == [2, 3]
    assert edits.attrs["path"] == str(path)


def test_a_csv_and_a_comment_column_are_accepted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "groups.csv",
        [["Server", "Group name", "Comment"], ["app-01", "CRM", "agreed with the owner"]],
    )
    edits = read_group_edits(path)
    assert edits[["server", "group_name"]].values.tolist() == [["app-01", "CRM"]]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["server", "group name", "owner"], ["a", "x", "me"]], r"unknown column 'owner'"),
        ([["name", "group name"], ["a", "x"]], r"unknown column 'name'"),
        ([["vm name", "colour"], ["a", "x"]], r"unknown column 'colour'"),
        ([["group", "group name"], ["G1", "x"]], r"no 'server' column"),
        ([["server", "reason"], ["a", "x"]], r"no 'group name' column"),
        ([HEADER, ["", "G001", "CRM", "", ""]], r"g\.csv, row 2: no server named"),
        ([HEADER, ["a", "", "", "", ""]], r"g\.csv, row 2: no group named"),
        (
            [HEADER, ["a", "G1", "x", "", ""], ["b", "G1", "x", "", ""], ["A ", "G2", "y", "", ""]],
            r"g\.csv, rows 2 and 4: server 'a' is listed twice",
        ),
    ],
)
def test_bad_files_are_refused_naming_file_and_row(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_group_edits(write_csv(tmp_path / "g.csv", rows))


def test_a_workbook_without_a_groups_sheet_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Servers": [["a"]], "Findings": [["b"]]})
    with pytest.raises(InputError, match=r"book\.xlsx: no sheet named 'Groups' \(sheets: Servers"):
        read_group_edits(path)
    with pytest.raises(InputError, match="groups file not found"):
        read_group_edits(tmp_path / "nope.xlsx")


def test_errors_in_a_workbook_name_the_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"Groups": [HEADER, ["", "G1", "x", "", ""]]})
    with pytest.raises(InputError, match=r"a\.xlsx, sheet 'Groups', row 2: no server named"):
        read_group_edits(path)
