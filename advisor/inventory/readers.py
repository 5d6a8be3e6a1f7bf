"""Low-level reading: workbook sheets and CSV files into raw tables of object cells.

Everything above this module works on `RawTable`s and never touches files, so the format
modules stay about meaning (which header is which field), not about bytes and encodings.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import deque
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
#: Workbooks above this size read their sheets in two threads (see `read_sheets`).
PARALLEL_READ_BYTES = 2_000_000


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
    """Several sheets as raw tables (header in the first row), by sheet name.

    calamine parses a sheet's XML without holding the GIL, so on a big workbook a second
    thread, with its own handle on the file (one handle cannot parse two sheets at once),
    reads sheets while this one does: about 1.8x as fast on an RVTools export of 20,000
    VMs. Each thread turns its rows into a table at once, so only the sheets being read are
    held as rows. Small workbooks (below PARALLEL_READ_BYTES) are read here alone. When
    sheets fail, the error of the first failing sheet in `sheets` order is raised here, as a
    serial read would raise it, whichever thread met it.
    """
    container.check_sheets_total(path, list(sheets))
    if threads is None:
        big = path.stat().st_size >= PARALLEL_READ_BYTES
        threads = 2 if big and (os.cpu_count() or 1) >= 2 else 1
    if threads < 2 or len(sheets) < 2:
        return {s: table_from_rows(s, sheet_rows(wb, path, s)) for s in sheets}
    pending = deque(sheets)
    lock = threading.Lock()
    done: dict[str, RawTable | Exception] = {}

    def drain(handle: Callable[[], CalamineWorkbook]) -> None:
        while True:
            with lock:
                if not pending:
                    return
                sheet = pending.popleft()
            try:
                done[sheet] = table_from_rows(sheet, sheet_rows(handle(), path, sheet))
            except Exception as exc:  # raised below, in sheet order, by the calling thread
                done[sheet] = exc

    own: list[CalamineWorkbook] = []

    def second_handle() -> CalamineWorkbook:
        if not own:
            own.append(open_workbook(path))
        return own[0]

    with gc_paused():
        helper = threading.Thread(target=drain, args=(second_handle,), daemon=True)
        helper.start()
        drain(lambda: wb)
        helper.join()
    for sheet in sheets:
        if isinstance(done[sheet], Exception):
            raise done[sheet]
    return {s: done[s] for s in sheets}  # type: ignore[misc]


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
