"""Big workbooks are read in two threads: the same tables as a serial read, and the same
error (the first failing sheet's) whichever thread meets its error first."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from advisor.errors import InputError
from advisor.inventory import load_inventory, readers
from advisor.inventory.readers import open_workbook, read_tables
from advisor.resources import sample_inventory

SAMPLE = sample_inventory()


def test_two_threads_read_the_same_tables_as_one():
    wb = open_workbook(SAMPLE)
    sheets = list(wb.sheet_names)
    serial = read_tables(wb, SAMPLE, sheets, threads=1)
    threaded = read_tables(open_workbook(SAMPLE), SAMPLE, sheets, threads=2)
    assert list(threaded) == sheets
    for sheet in sheets:
        pd.testing.assert_frame_equal(threaded[sheet].frame, serial[sheet].frame)
        pd.testing.assert_series_equal(threaded[sheet].rows, serial[sheet].rows)
        assert threaded[sheet].blank_rows == serial[sheet].blank_rows


def test_a_big_workbook_imports_the_same_through_threads(monkeypatch):
    serial = load_inventory(SAMPLE)
    monkeypatch.setattr(readers, "PARALLEL_READ_BYTES", 0)  # every workbook counts as big
    calls: list[int | None] = []
    real = readers.read_tables

    def spy(wb, path, sheets, threads=None):
        calls.append(threads)
        return real(wb, path, sheets, threads)

    monkeypatch.setattr("advisor.inventory.rvtools.read_tables", spy)
    threaded = load_inventory(SAMPLE)
    assert calls == [None]
    pd.testing.assert_frame_equal(threaded.servers, serial.servers)
    pd.testing.assert_frame_equal(threaded.disks, serial.disks)
    pd.testing.assert_frame_equal(threaded.nics, serial.nics)


@pytest.mark.parametrize("slow", ["vInfo", "vDisk"])
def test_the_first_failing_sheet_is_reported_whichever_fails_first(monkeypatch, slow):
    real = readers.sheet_rows

    def failing(wb, path, sheet):
        if sheet in ("vInfo", "vDisk"):
            if sheet == slow:
                time.sleep(0.2)  # the other thread meets its error first
            raise InputError(f"{path}: sheet '{sheet}' cannot be read (broken)")
        return real(wb, path, sheet)

    monkeypatch.setattr(readers, "sheet_rows", failing)
    wb = open_workbook(SAMPLE)
    with pytest.raises(InputError, match="sheet 'vInfo'"):
        read_tables(wb, SAMPLE, list(wb.sheet_names), threads=2)


def test_an_unexpected_error_in_the_second_thread_reaches_the_caller(monkeypatch):
    real = readers.table_from_rows

    def broken(name, rows, header_row=0):
        if name == "vDisk":
            raise RuntimeError("boom in vDisk")
        return real(name, rows, header_row)

    monkeypatch.setattr(readers, "table_from_rows", broken)
    wb = open_workbook(SAMPLE)
    with pytest.raises(RuntimeError, match="boom in vDisk"):
        read_tables(wb, SAMPLE, list(wb.sheet_names), threads=2)
