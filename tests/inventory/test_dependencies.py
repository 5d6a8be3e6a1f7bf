"""Dependency tables: headers matched by what they say, names kept as written, every bad
row refused with the file and row, and the rows resolved to servers by the plan stage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import write_csv, write_xlsx

from advisor.errors import InputError
from advisor.inventory.dependencies import (
    dependencies_from_sheets,
    is_dependency_sheet,
    read_dependencies,
)
from advisor.inventory.readers import table_from_rows
from advisor.plan.groups import group_edges


def rows_of(frame: pd.DataFrame) -> list[tuple[object, object, object]]:
    return [
        (s, t, None if pd.isna(p) else int(p))
        for s, t, p in frame[["source", "target", "port"]].itertuples(index=False)
    ]


def test_a_csv_with_plain_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "deps.csv",
        [["Source", "Target", "Port"], ["app-01", "db-01", "5432"], ["app-01", "mq-01", ""]],
    )
    deps = read_dependencies(path)
    assert list(deps.columns) == ["source", "target", "port"]
    assert rows_of(deps) == [("app-01", "db-01", 5432), ("app-01", "mq-01", None)]
    assert str(deps["port"].dtype) == "Int64"


def test_aliases_and_ports_written_with_their_protocol(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "flows.csv",
        [["From", "To", "Dst Port"], ["a", "b", "443/tcp"], ["b", "c", "TCP 1433"]],
        delimiter=";",
    )
    assert rows_of(read_dependencies(path)) == [("a", "b", 443), ("b", "c", 1433)]


def test_a_workbook_sheet_named_like_dependencies_any_case(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "inventory.xlsx",
        {
            "Servers": [["Name"], ["a"]],
            "DEPENDENCIES (flows)": [["src", "dst", "port"], ["a", "b", 22.0]],
        },
    )
    assert rows_of(read_dependencies(path)) == [("a", "b", 22)]
    assert is_dependency_sheet("Dependency map")
    assert not is_dependency_sheet("Servers")


def test_azure_migrate_style_name_and_ip_columns_prefer_the_name(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "am.csv",
        [
            ["Source server name", "Source IP", "Destination server name", "Destination IP",
             "Destination port"],
            ["web-01", "10.0.0.5", "db-01", "10.0.0.9", "5432"],
            ["", "10.0.0.6", "db-01", "10.0.0.9", "5432"],
        ],
    )  # fmt: skip
    assert rows_of(read_dependencies(path)) == [
        ("web-01", "db-01", 5432),
        ("10.0.0.6", "db-01", 5432),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["source", "port"], ["a", "1"]],
            r"deps\.csv: no target column \(headers: source, port\)",
        ),
        ([["source", "target"], ["a", "b"], ["c", ""]], r"deps\.csv, row 3: no target server"),
        ([["source", "target"], ["", "b"]], r"deps\.csv, row 2: no source server"),
        ([["from", "to", "port"], ["a", "b", "http"]], r"row 2: port 'http' is not a port"),
        ([["from", "to", "port"], ["a", "b", "70000"]], r"row 2: port '70000' is not a port"),
        ([["from", "to", "port"], ["a", "b", "80-90"]], r"one per row"),
    ],
)
def test_bad_tables_are_refused_naming_file_and_row(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    path = write_csv(tmp_path / "deps.csv", rows)
    with pytest.raises(InputError, match=message):
        read_dependencies(path)


def test_a_workbook_without_such_a_sheet_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"Servers": [["a"]], "Notes": [["b"]]})
    with pytest.raises(InputError, match=r"no sheet named like 'Dependencies' \(sheets: Servers"):
        read_dependencies(path)
    with pytest.raises(InputError, match="not found"):
        read_dependencies(tmp_path / "missing.csv")


def test_errors_in_a_workbook_sheet_name_the_file_and_the_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "inv.xlsx", {"Dependencies": [["source", "target"], ["a", None]]})
    with pytest.raises(InputError, match=r"inv\.xlsx, sheet 'Dependencies', row 2: no target"):
        read_dependencies(path)


def test_the_importers_helper_finds_the_sheet_or_says_there_is_none() -> None:
    rows = [["Source", "Destination"], ["a", "b"]]
    assert rows_of(dependencies_from_sheets({"vInfo": [["VM"]], "Dependencies": rows})) == [
        ("a", "b", None)
    ]
    table = table_from_rows("dependencies", rows)
    assert len(dependencies_from_sheets({"dependencies": table}, "inv.xlsx")) == 1
    assert dependencies_from_sheets({"vInfo": [["VM"]]}) is None


def test_rows_resolve_to_servers_by_id_name_dns_name_or_ip() -> None:
    servers = pd.DataFrame(
        {
            "id": ["u1", "u2", "u3", "u4"],
            "name": ["web-01", "DB-01.corp.local", "mq-01", "ghost"],
            "dns_name": [pd.NA, pd.NA, "mq-01.corp.local", pd.NA],
            "primary_ip": ["10.0.0.5", pd.NA, pd.NA, pd.NA],
        }
    )
    facts = pd.DataFrame({"role": "other"}, index=["u1", "u2", "u3", "u4"])
    deps = pd.DataFrame(
        {
            "source": ["10.0.0.5", "u1", "WEB-01", "web-01"],
            "target": ["db-01", "MQ-01.CORP.LOCAL", "nobody", "web-01"],
            "port": [5432, 5672, 1, 1],
        }
    )
    edges = group_edges(servers, facts, deps)
    # Unknown ends and a server linked to itself are no edges.
    assert set(zip(edges["source"], edges["target"], edges["port"], strict=True)) == {
        ("u1", "u2", 5432),
        ("u1", "u3", 5672),
    }
    assert set(edges["origin"]) == {"dependency table"}
