"""Big workbooks are read in two threads: the same tables as a serial read, and the same
error (the first failing sheet's) whichever thread meets its error first. Tables are handed
over one by one, read ahead only within a bound, and the importer drops each raw table
before it takes the next, so a big export never holds all its raw tabs at once."""

from __future__ import annotations

import gc
import platform
import threading
import time
import weakref

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
    real = readers.iter_tables

    def spy(wb, path, sheets, threads=None):
        calls.append(threads)
        return real(wb, path, sheets, threads)

    monkeypatch.setattr("advisor.inventory.rvtools.iter_tables", spy)
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


def test_reading_ahead_stops_at_the_bound(monkeypatch):
    """With a bound smaller than any sheet, a sheet is read only once the caller gave up the
    one before: never two raw sheets at once."""
    monkeypatch.setattr(readers, "READ_AHEAD_XML_BYTES", 1)
    real = readers.sheet_rows
    started: list[str] = []
    lock = threading.Lock()

    def spy(wb, path, sheet):
        with lock:
            started.append(sheet)
        return real(wb, path, sheet)

    monkeypatch.setattr(readers, "sheet_rows", spy)
    wb = open_workbook(SAMPLE)
    sheets = list(wb.sheet_names)
    seen = []
    for sheet, table in readers.iter_tables(wb, SAMPLE, sheets, threads=2):
        time.sleep(0.05)  # time for a reader that is not held back to start the next sheet
        with lock:
            assert started == sheets[: len(seen) + 1], f"read ahead while {sheet} was held"
        seen.append(sheet)
        del table
    assert seen == sheets


def test_without_a_tight_bound_the_next_sheet_is_read_while_the_caller_works(monkeypatch):
    real = readers.sheet_rows
    started: list[str] = []

    def spy(wb, path, sheet):
        started.append(sheet)
        return real(wb, path, sheet)

    monkeypatch.setattr(readers, "sheet_rows", spy)
    wb = open_workbook(SAMPLE)
    sheets = list(wb.sheet_names)
    running = threading.active_count()
    tables = readers.iter_tables(wb, SAMPLE, sheets, threads=2)
    first, _ = next(tables)
    deadline = time.monotonic() + 5
    while len(started) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first == sheets[0] and len(started) >= 3
    tables.close()  # the caller stops early: the readers finish their sheet and end
    assert threading.active_count() == running


def test_the_importer_drops_each_raw_tab_before_taking_the_next(monkeypatch):
    """build() takes raw tabs from a stream: by the time it asks for a tab, the one before
    is no longer reachable."""
    from advisor.inventory import rvtools

    real = rvtools.iter_tables
    checked: list[str] = []

    def watched(wb, path, sheets, threads=None):
        previous = None
        for sheet, table in real(wb, path, sheets, threads):
            if previous is not None:
                gc.collect()
                assert previous() is None, "a raw tab outlived its turn"
                checked.append(sheet)
            previous = weakref.ref(table)
            yield sheet, table
            del table

    monkeypatch.setattr(rvtools, "iter_tables", watched)
    inv = load_inventory(SAMPLE)
    assert len(inv.servers) and len(checked) >= 5


def test_a_tab_that_cannot_be_read_wins_over_what_an_earlier_tab_says(monkeypatch):
    """vInfo is built before vDisk is read; when both are wrong, the read error of vDisk is
    still the one reported, as when every tab was read before any was used."""
    from advisor.inventory import rvtools

    real = readers.sheet_rows

    def failing(wb, path, sheet):
        if sheet == "vDisk":
            raise InputError(f"{path}: sheet 'vDisk' cannot be read (broken)")
        return real(wb, path, sheet)

    def no_names(info, source):
        raise InputError(f"{source.path}: sheet '{info.name}' has no VM name column")

    monkeypatch.setattr(readers, "sheet_rows", failing)
    monkeypatch.setattr(rvtools, "_servers", no_names)
    with pytest.raises(InputError, match="sheet 'vDisk' cannot be read"):
        load_inventory(SAMPLE)
    monkeypatch.setattr(readers, "sheet_rows", real)
    with pytest.raises(InputError, match="no VM name column"):
        load_inventory(SAMPLE)


def test_freed_memory_is_given_back_where_the_c_library_can():
    readers.release_freed_memory()  # glibc: trims the heap; elsewhere: does nothing
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert readers._malloc_trim() is not None
