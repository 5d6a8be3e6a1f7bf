"""Header keys and value conversion: the small pieces every importer relies on."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from advisor.inventory.convert import Rejects, to_bool, to_datetime, to_number, to_size, to_text
from advisor.inventory.headers import header_key, unique_headers


@pytest.mark.parametrize(
    ("header", "key", "unit"),
    [
        ("Provisioned MB", "provisioned", "mb"),
        ("Provisioned MiB", "provisioned", "mib"),
        ("*Memory (In MB)", "memory", "mb"),
        ("Storage in use (In GB)", "storageinuse", "gb"),
        ("RAM (GB)", "ram", "gb"),
        ("Memory GiB", "memory", "gib"),
        ("vInfoProvisionedMiB", "vinfoprovisioned", "mib"),
        ("*server Name", "servername", None),
        ("# CPU", "numcpu", None),
        ("Free % ", "freepct", None),
        ("Size MiB (total)", "sizetotal", "mib"),
    ],
)
def test_header_key(header, key, unit):
    got = header_key(header)
    assert (got.key, got.unit) == (key, unit)


def test_unique_headers_names_blanks_and_repeats():
    assert unique_headers(["VM", None, "VM", 3.0]) == ["VM", "column 2", "VM (2)", "3"]


def _rejects(n: int) -> Rejects:
    return Rejects("vInfo", pd.Series(range(2, n + 2)))


def test_numbers_with_separators_units_and_rejects():
    raw = pd.Series(
        ["16,384", "1'024", "2.048,5", "85 %", 12.0, "", None, "lots", "-5"], dtype=object
    )
    rejects = _rejects(len(raw))
    got = to_number(raw, rejects, "Memory")
    assert got.tolist()[:5] == [16384.0, 1024.0, 2048.5, 85.0, 12.0]
    assert got.iloc[5:].isna().all()
    reasons = {(p.row, p.reason, p.value) for p in rejects.problems}
    assert reasons == {(9, "not a number", "lots"), (10, "negative value read as unknown", "-5")}


def test_sizes_read_cell_units_over_header_unit():
    raw = pd.Series(["500 GB", "1.5 TB", "512MiB", 100.0], dtype=object)
    got = to_size(raw, _rejects(4), "Disk", scale=1.0)
    assert got.tolist() == [500.0, 1536.0, 0.5, 100.0]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("True", True),
        ("TRUE", True),
        ("true", True),
        ("yes", True),
        (True, True),
        (1.0, True),
        ("False", False),
        ("FALSE", False),
        ("no", False),
        (0.0, False),
    ],
)
def test_booleans_in_any_spelling(raw, want):
    got = to_bool(pd.Series([raw], dtype=object)).iloc[0]
    assert pd.notna(got) and bool(got) == want


def test_boolean_garbage_is_unknown_and_reported():
    rejects = _rejects(2)
    got = to_bool(pd.Series(["maybe", ""], dtype=object), rejects, "Template")
    assert got.isna().all()
    assert [p.reason for p in rejects.problems] == ["not a yes/no value"]


def test_dates_as_datetimes_or_strings_and_1970_unknown():
    raw = pd.Series(
        [
            dt.datetime(2024, 2, 26, 12, 24, 38),
            "2018/03/19 14:46:51",
            "4/4/2018 5:25:31 PM",
            "1970-01-01 00:00:00",
            dt.datetime(1970, 1, 1),
            "2026-01-09T07:00:23.920Z",
            "",
        ],
        dtype=object,
    )
    got = to_datetime(raw, _rejects(len(raw)), "Creation date")
    assert str(got.dtype) == "datetime64[ns, UTC]"
    assert got.iloc[0] == pd.Timestamp("2024-02-26 12:24:38", tz="UTC")
    assert got.iloc[1] == pd.Timestamp("2018-03-19 14:46:51", tz="UTC")
    assert got.iloc[2] == pd.Timestamp("2018-04-04 17:25:31", tz="UTC")
    assert got.iloc[3:5].isna().all()
    assert got.iloc[5] == pd.Timestamp("2026-01-09 07:00:23.920", tz="UTC")
    assert pd.isna(got.iloc[6])


def test_text_drops_float_artifacts_and_blanks():
    got = to_text(pd.Series([59.0, " web01 ", "", None, 3.5], dtype=object))
    assert got.tolist()[:2] == ["59", "web01"]
    assert got.iloc[2:4].isna().all()
    assert got.iloc[4] == "3.5"
