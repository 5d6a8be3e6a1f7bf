"""Low-level reading: workbook sheets and CSV files into raw tables of object cells.

Everything above this module works on `RawTable`s and never touches files, so the format
modules stay about meaning (which header is which field), not about bytes and encodings.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from advisor.errors import InputError, short_error
from advisor.inventory import container, limits
from advisor.inventory.headers import unique_headers

#: How many rows at the top of a sheet may hold titles or notes before the header row.
HEADER_SEARCH_ROWS = 30
#: Workbooks above this size read their sheets in two threads (see `iter_tables`).
PARALLEL_READ_BYTES = 2_000_000
#: Sheet XML that may be read ahead of the caller, in bytes (see `iter_tables`): with the
#: cells and the table each raw sheet becomes, about 1 GiB at most.
READ_AHEAD_XML_BYTES = 256 * 2**20


@dataclass
class RawTable:
    """One sheet or CSV file as read: object cells under unique header texts."""

    name: str  # sheet name or file name, used in every message about this table
    frame: pd.DataFrame  # object dtype, columns = unique header texts
    rows: pd.Series  # 1-based source row number of each frame row
    blank_rows: int = 0

    @property
    def headers(self) -> list[str]:
        return list(self.frame.columns)


def table_from_rows(
    name: str, rows: Sequence[Sequence[object]], header_row: int = 0, *, where: str = ""
) -> RawTable:
    """A RawTable from a list of rows; entirely blank rows are dropped and counted.

    The frame is built in one go from the rows: adding columns one at a time to a wide frame
    costs time quadratic in its width. Columns with neither a header nor a value (a stray
    value far to the right leaves thousands of them) are dropped, as they hold nothing.
    `where` names the file in the message refusing a table wider than Excel allows.
    """
    if len(rows) <= header_row:
        return RawTable(name, pd.DataFrame(), pd.Series([], dtype="int64"))
    # Cells beyond the last header get a column of their own ("column N"), kept as attr.*.
    width = max((len(r) for r in rows[header_row:]), default=0)
    check_width(width, f"{where}: {name}" if where else name)
    headers = unique_headers(list(rows[header_row]) + [None] * (width - len(rows[header_row])))
    body = rows[header_row + 1 :]
    if any(len(r) != width for r in body):  # ragged CSV rows: pad to the widest
        body = [list(r) + [None] * (width - len(r)) for r in body]
    # any(r) settles almost every row in C; only rows of falsy cells (0, "", None) need a look.
    filled = [any(r) or any(c is not None and c != "" for c in r) for r in body]
    source_rows = pd.Series(range(header_row + 2, header_row + 2 + len(body)), dtype="int64")
    blank = len(filled) - sum(filled)
    if blank:
        body = [r for r, keep in zip(body, filled, strict=True) if keep]
        source_rows = source_rows[filled]
    if body:
        frame = pd.DataFrame(list(body), dtype=object)
    else:
        frame = pd.DataFrame([], columns=range(width), dtype=object)
    frame.columns = headers
    empty = _empty_unnamed_columns(rows[header_row], frame)
    if empty:
        frame = frame.drop(columns=[headers[i] for i in empty])
    return RawTable(name, frame, source_rows.reset_index(drop=True), blank)


def check_width(width: int, who: str) -> None:
    """Refuse a table wider than Excel allows before anything costs time per column."""
    if width > limits.MAX_COLUMNS:
        raise InputError(
            f"{who} has {width:,} columns; the limit is {limits.MAX_COLUMNS:,} columns "
            "(XFD, Excel's maximum)"
        )


def _empty_unnamed_columns(header: Sequence[object], frame: pd.DataFrame) -> list[int]:
    """Positions of the columns with no header and no value in any row."""
    unnamed = [
        i
        for i in range(frame.shape[1])
        if i >= len(header) or header[i] is None or str(header[i]).strip() == ""
    ]
    if not unnamed:
        return []
    part = frame.iloc[:, unnamed]
    filled = (part.notna() & part.ne("")).any(axis=0).to_numpy()
    return [i for i, has in zip(unnamed, filled, strict=True) if not has]


def find_header_row(rows: Sequence[Sequence[object]], score: Callable[[list[object]], int]) -> int:
    """Index of the row among the first few that `score` rates best (ties: the earliest)."""
    best, best_score = 0, -1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        s = score(list(row))
        if s > best_score:
            best, best_score = i, s
    return best


# --- workbooks ----------------------------------------------------------------------------


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open a workbook with calamine, turning its errors into one-line input errors.

    The parts calamine parses on opening (workbook, relationships, styles, shared strings)
    are bounded first, see `container.open_checks`.
    """
    container.open_checks(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise InputError(
            f"{path}: the workbook is password-protected; save an unprotected copy"
        ) from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as a workbook ({short_error(exc)})") from exc


def sheet_rows(wb: CalamineWorkbook, path: Path, sheet: str) -> list[list[object]]:
    """All rows of one sheet as Python values (calamine parses only this sheet).

    The sheet's XML is checked before calamine parses it (`container.check_sheet`), and the
    rectangle calamine found is checked again before it becomes Python rows: formats
    without sheet XML (.xls, .ods) get that second check only.
    """
    container.check_sheet(path, sheet)
    try:
        with gc_paused():
            parsed = wb.get_sheet_by_name(sheet)
            _check_shape(path, sheet, parsed)
            return parsed.to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise InputError(f"{path}: sheet '{sheet}' cannot be read ({short_error(exc)})") from exc


def peek_rows(wb: CalamineWorkbook, path: Path, sheet: str, nrows: int) -> list[list[object]]:
    """The first rows of a sheet (detection looks at headers); checked like `sheet_rows`,
    since calamine parses the whole sheet even for a few rows."""
    container.check_sheet(path, sheet)
    try:
        parsed = wb.get_sheet_by_name(sheet)
        _check_shape(path, sheet, parsed)
        return parsed.to_python(nrows=nrows)
    except (CalamineError, ValueError) as exc:
        raise InputError(f"{path}: sheet '{sheet}' cannot be read ({short_error(exc)})") from exc


def _check_shape(path: Path, sheet: str, parsed: CalamineSheet) -> None:
    """Refuse a parsed sheet whose rows, read from A1, would exceed the limits."""
    end = parsed.end
    if end is None:
        return
    rows, cols = end[0] + 1, end[1] + 1
    check_width(cols, f"{path}: sheet '{sheet}'")
    if rows > limits.MAX_ROWS or rows * cols > limits.MAX_SHEET_CELLS:
        raise InputError(
            f"{path}: sheet '{sheet}' spans {cols:,} columns x {rows:,} rows "
            f"({rows * cols:,} cells); the limit is {limits.MAX_SHEET_CELLS:,} cells and "
            f"{limits.MAX_ROWS:,} rows per sheet"
        )


def read_tables(
    wb: CalamineWorkbook, path: Path, sheets: Sequence[str], threads: int | None = None
) -> dict[str, RawTable]:
    """Several sheets as raw tables (header in the first row), by sheet name, all held at
    once; `iter_tables` hands them over one by one."""
    return dict(iter_tables(wb, path, sheets, threads))


def iter_tables(
    wb: CalamineWorkbook, path: Path, sheets: Sequence[str], threads: int | None = None
) -> Iterator[tuple[str, RawTable]]:
    """(sheet, raw table) for each of `sheets`, in that order, read ahead in two threads.

    calamine parses a sheet's XML without holding the GIL, so on a big workbook two reader
    threads, each with its own handle on the file (one handle cannot parse two sheets at
    once), read sheets side by side while the caller uses the tables already read: the
    caller's work on one tab overlaps the reading of the next. Each thread turns its rows
    into a table at once. A table is the caller's until it asks for the next one; what is
    read ahead is bounded by `READ_AHEAD_XML_BYTES` of sheet XML (a sheet bigger than that
    is still read, alone), so a 100,000-VM export never holds all its raw tabs at once: a
    raw cell takes about four times its XML while it is parsed. Small workbooks (below
    PARALLEL_READ_BYTES) are read in the caller's thread. When sheets fail, the error of
    the first failing sheet in `sheets` order is raised, as a serial read would raise it,
    whichever thread met it.
    """
    container.check_sheets_total(path, list(sheets))
    if threads is None:
        big = path.stat().st_size >= PARALLEL_READ_BYTES
        threads = 2 if big and (os.cpu_count() or 1) >= 2 else 1
    if threads < 2 or len(sheets) < 2:
        for sheet in sheets:
            yield sheet, table_from_rows(sheet, sheet_rows(wb, path, sheet))
        return
    yield from _ReadAhead(wb, path, list(sheets)).tables()


class _ReadAhead:
    """Two reader threads and the caller's thread taking their tables in sheet order."""

    def __init__(self, wb: CalamineWorkbook, path: Path, sheets: list[str]) -> None:
        self.path = path
        self.sheets = sheets
        self.sizes = container.sheet_xml_sizes(path, sheets)
        self.cond = threading.Condition()
        self.next = 0  # index of the next sheet to start reading
        self.held = 0  # XML bytes of the sheets started and not yet given up by the caller
        self.stop = False
        self.done: dict[str, RawTable | Exception] = {}
        self.handles: list[Callable[[], CalamineWorkbook]] = [lambda: wb, self._second_handle]
        self.own: list[CalamineWorkbook] = []

    def _second_handle(self) -> CalamineWorkbook:
        if not self.own:
            self.own.append(open_workbook(self.path))
        return self.own[0]

    def _claim(self) -> str | None:
        """The next sheet to read, once the read-ahead bound allows it; None when all are
        claimed or the caller stopped."""
        with self.cond:
            while not self.stop and self.next < len(self.sheets):
                size = self.sizes.get(self.sheets[self.next], 0)
                if self.held == 0 or self.held + size <= READ_AHEAD_XML_BYTES:
                    self.held += size
                    self.next += 1
                    return self.sheets[self.next - 1]
                self.cond.wait()
            return None

    def _read(self, handle: Callable[[], CalamineWorkbook]) -> None:
        while (sheet := self._claim()) is not None:
            try:
                got: RawTable | Exception = table_from_rows(
                    sheet, sheet_rows(handle(), self.path, sheet)
                )
            except Exception as exc:  # raised by the caller's thread, in sheet order
                got = exc
            with self.cond:
                self.done[sheet] = got
                self.cond.notify_all()
            del got

    def tables(self) -> Iterator[tuple[str, RawTable]]:
        workers = [
            threading.Thread(target=self._read, args=(h,), daemon=True) for h in self.handles
        ]
        with gc_paused():
            for worker in workers:
                worker.start()
            try:
                for sheet in self.sheets:
                    with self.cond:
                        while sheet not in self.done:
                            self.cond.wait()
                        got = self.done.pop(sheet)
                    if isinstance(got, Exception):
                        raise got
                    yield sheet, got
                    del got  # the caller is done with it: make room for the next sheets
                    with self.cond:
                        self.held -= self.sizes.get(sheet, 0)
                        self.cond.notify_all()
            finally:
                with self.cond:
                    self.stop = True
                    self.cond.notify_all()
                for worker in workers:
                    worker.join()


def release_freed_memory() -> None:
    """Give the heap pages freed since the last call back to the operating system (glibc's
    `malloc_trim`; nothing elsewhere). Reading a big export frees millions of small cell
    objects scattered over hundreds of megabytes of heap; left there, that memory keeps
    counting in the process's size, and what the assessment allocates next (large arrays,
    mapped on their own) does not reuse it: at 100,000 VMs it is about 500 MiB, and the peak
    of the assessment after it about 300 MiB lower."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl), or no C library to load
        return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cell objects are created.

    Cells are plain str/float/datetime objects that form no cycles, yet each allocation burst
    triggers full collections that rescan them all; pausing saves a large share of the
    import time on big exports. Reference counting still frees memory as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
