"""Low-level workbook writing: table sheets streamed with openpyxl's write-only mode.

Every sheet of advisor's workbooks is either a table (a note row, a styled header row, then
one row per item, with frozen panes, an autofilter and conditional colours) or a short list
of key/value lines. Values are converted column by column from pandas to plain Python
before any cell exists, and only the header and the few columns with a number format get
styled cells, so 20,000 servers stream out in seconds.

Inventory text is never trusted: control characters XML cannot carry are dropped, text is
cut at Excel's 32,767 characters (UTF-16 code units, as Excel counts them), and any text
that starts with ``=``, ``+``, ``-`` or ``@`` (or spells an Excel error such as ``#N/A``)
is written as a text cell marked with a quote prefix, so neither opening the file nor
editing the cell turns it into a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from advisor.report.xlsx_fastrows import (
    FAST_ROWS,
    RowHolder,
    has_risky,
    hold_rows,
    supported,
)

#: Characters XML 1.0 cannot hold (openpyxl refuses them); dropped from inventory text.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Leading characters that make a spreadsheet treat typed text as a formula.
FORMULA_LEAD = ("=", "+", "-", "@")
MAX_TEXT = 32767

BRAND = "0B3954"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BRAND)
HEADER_ALIGN = Alignment(vertical="top", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="FFFFFF"))
NOTE_FONT = Font(italic=True, color="595959")
TITLE_FONT = Font(bold=True, size=14, color=BRAND)
SECTION_FONT = Font(bold=True, size=11, color=BRAND)
BOLD = Font(bold=True)

GIB = "#,##0"
GIB_FINE = "#,##0.0"
HOURS = "#,##0.0"
SCORE = "0.0"
SHARE = "0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
#: Money: two decimals, so a column adds up to its total to the cent on screen too.
MONEY = "#,##0.00"

GOOD = ("C6EFCE", "006100")
WARN = ("FFEB9C", "9C5700")
BAD = ("FFC7CE", "9C0006")
GREY = ("E7E6E6", "3A3838")
BLUE = ("DDEBF7", "1F4E78")
RED_STRONG = ("F4B084", "833C0B")


@dataclass(frozen=True)
class Col:
    """One column of a table sheet: frame key, header text, width, number format."""

    key: str
    header: str
    width: float
    fmt: str | None = None
    #: A helper column of formulas, of no use to read (hidden, still there for them).
    hidden: bool = False


#: The first column of a sheet that gathers the servers of several inventories.
SOURCE_COL = Col("source", "Source", 30)


def fill(colours: tuple[str, str]) -> tuple[PatternFill, Font]:
    background, text = colours
    return PatternFill("solid", start_color=background, end_color=background), Font(color=text)


# --- values --------------------------------------------------------------------------------


def text_cell(ws: Any, value: str) -> Cell:
    """A cell that holds `value` as text even though it looks like a formula or an error."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def clean_text(value: Any) -> Any:
    """One value for a cell: text made safe (see module doc), anything else as it is."""
    if not isinstance(value, str):
        return value
    if ILLEGAL.search(value):
        value = ILLEGAL.sub("", value)
    return fit_cell(value)


def fit_cell(text: str) -> str:
    """`text` cut to what one Excel cell holds, with an ellipsis when cut. Excel counts
    UTF-16 code units (a character outside the Basic Multilingual Plane, such as an emoji,
    counts twice) and reports a file with a longer cell as damaged; the JSON keeps the
    whole value."""
    if len(text) <= MAX_TEXT // 2:  # short enough whatever the characters
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_TEXT:
        return text
    # errors="ignore" drops half a surrogate pair cut at the end
    return units[: 2 * (MAX_TEXT - 1)].decode("utf-16-le", errors="ignore") + "…"


def file_name(path: Any) -> str:
    """The last part of a path (a file or folder name): a workbook travels to the customer
    and the team, and the consultant's own folders are nobody else's business."""
    text = str(path).rstrip("/\\")
    return re.split(r"[/\\]", text)[-1] or text


def is_risky(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_LEAD) or value in ERROR_CODES)


def safe(ws: Any, value: Any) -> Any:
    """A single value ready to append: cleaned text, risky text as a forced-text cell."""
    value = clean_text(value)
    return text_cell(ws, value) if is_risky(value) else value


def column_values(ws: Any, series: pd.Series) -> list[Any]:
    """A column as plain Python values for cells: NA as None, text cleaned and defused."""
    values = series.to_numpy(dtype=object, na_value=None).tolist()
    if pd.api.types.is_float_dtype(series.dtype):  # NaN and infinities: no number to show
        return [v if v is not None and math.isfinite(v) else None for v in values]
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return values
    if not isinstance(series.dtype, pd.StringDtype) and not all(
        v is None or type(v) is str for v in values
    ):  # mixed object columns (profile values, rejected cell values): value by value
        return [safe(ws, v) for v in values]
    # The column's texts searched as one string (a few C-speed scans instead of a pandas
    # string operation per check and column); a hit is settled value by value.
    texts = [v for v in values if v is not None]
    if not texts:
        return values
    joined = "\n".join(texts)
    if ILLEGAL.search(joined) or max(map(len, texts)) > MAX_TEXT // 2:
        values = [clean_text(v) for v in values]
        joined = "\n".join(v for v in values if v is not None)
    if "#" in joined or _LINE_LEAD.search(joined):  # error codes all start with '#'
        values = [text_cell(ws, v) if is_risky(v) else v for v in values]
    return values


#: A line that starts like a formula, in a column's texts joined by line breaks.
_LINE_LEAD = re.compile("^[" + re.escape("".join(FORMULA_LEAD)) + "]", re.MULTILINE)


#: Rows of a big table turned into values and XML at a time.
PART_ROWS = 10_000


def plain_columns(frame: pd.DataFrame, cols: Sequence[Col]) -> bool:
    """True when every cell of the table's columns is one the fast rows write (text, a
    number, a truth value or nothing), told from the dtypes and, for object columns, from
    the values' types: no row is built to find out."""
    for col in cols:
        if col.key not in frame.columns:
            continue
        series = frame[col.key]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            continue
        if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            continue
        if not pd.api.types.is_object_dtype(dtype):
            return False
        values = series.to_numpy(dtype=object, na_value=None)
        if not all(v is None or isinstance(v, _PLAIN) for v in values):
            return False
    return True


_PLAIN = (str, int, float, bool)


def frame_rows(ws: Any, frame: pd.DataFrame, cols: Sequence[Col]) -> list[list[Any]]:
    """The frame's columns in `cols` order as row lists of plain, safe values."""
    columns = frame_columns(ws, frame, cols)
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def frame_columns(ws: Any, frame: pd.DataFrame, cols: Sequence[Col]) -> list[list[Any]]:
    """The frame's columns in `cols` order as lists of plain, safe values."""
    return [
        column_values(ws, frame[col.key]) if col.key in frame.columns else [None] * len(frame)
        for col in cols
    ]


# --- sheets --------------------------------------------------------------------------------


def header_cells(
    ws: Any, headers: Iterable[str], comments: Mapping[str, str] | None = None
) -> list[Cell]:
    """Styled header cells; `comments` (header text -> comment) explain a column where the
    sheet has no note row to do it (a sheet read back by advisor starts with its header)."""
    cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGN
        cell.border = HEADER_BORDER
        if comments and text in comments:
            cell.comment = Comment(comments[text], "advisor", width=320, height=140)
        cells.append(cell)
    return cells


def styled(ws: Any, value: Any, *, font: Font | None = None, fmt: str | None = None) -> Any:
    """A single styled cell (summary lines); value made safe first."""
    value = safe(ws, value)
    cell = value if isinstance(value, Cell) else WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if fmt is not None:
        cell.number_format = fmt
    return cell


@dataclass
class Table:
    """Where a table sheet's data landed, for conditional formatting and tests."""

    ws: Any
    cols: Sequence[Col]
    first_row: int  # first data row (1-based)
    last_row: int  # last data row (== first_row - 1 when empty)

    @classmethod
    def planned(cls, cols: Sequence[Col], n: int) -> Table:
        """Where `table_sheet` will put `n` rows under a note and a header (no preamble),
        known before the sheet exists (ws None): formulas over a table are registered
        before its rows are written."""
        return cls(None, cols, 3, n + 2)

    def same_place(self, other: Table) -> bool:
        return (self.cols, self.first_row, self.last_row) == (
            other.cols,
            other.first_row,
            other.last_row,
        )

    def column(self, key: str) -> str:
        index = next(i for i, c in enumerate(self.cols) if c.key == key)
        return get_column_letter(index + 1)

    def range(self, key: str) -> str | None:
        if self.last_row < self.first_row:
            return None
        letter = self.column(key)
        return f"{letter}{self.first_row}:{letter}{self.last_row}"

    @property
    def full_range(self) -> str | None:
        if self.last_row < self.first_row:
            return None
        last = get_column_letter(len(self.cols))
        return f"A{self.first_row}:{last}{self.last_row}"


def table_sheet(
    wb: Any,
    title: str,
    note: str | None,
    cols: Sequence[Col],
    frame: pd.DataFrame,
    *,
    freeze_cols: int = 0,
    preamble: Callable[[Any], Sequence[Sequence[Any]]] | None = None,
    comments: Mapping[str, str] | None = None,
) -> Table:
    """A sheet with a note row, optional preamble rows (a few lines of counts above the
    table, made by `preamble(ws)` so that styled cells belong to the sheet), a header row
    and one row per frame row.

    The header row is frozen (and the first `freeze_cols` columns), the autofilter covers
    header and data, widths come from `cols`, and columns with a number format get it.
    Preamble values are made safe like every other value. Without a `note` the header is
    the first row, for a sheet advisor reads back (Groups); `comments` then explain its
    columns on the header cells.
    """
    ws = wb.create_sheet(title)
    for i, col in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        if col.hidden:
            ws.column_dimensions[get_column_letter(i)].hidden = True
    n = len(frame)
    lines = preamble(ws) if preamble is not None else []
    head = (1 if note is None else 2) + len(lines)  # the header's row number
    last = get_column_letter(len(cols))
    ws.freeze_panes = f"{get_column_letter(freeze_cols + 1)}{head + 1}"
    ws.auto_filter.ref = f"A{head}:{last}{n + head}"
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if note is not None and n > FAST_ROWS and plain_columns(frame, cols):
        # A big table in parts: its rows never exist whole as Python values (a Costs sheet
        # of 100,000 servers on two providers would take some 400 MiB as such).
        note_row = [styled(ws, note, font=NOTE_FONT), text_cell(ws, None)]
        # The empty quote-prefixed text cell registers the style spliced formula-like text
        # takes (see xlsx_fastrows); which part holds such text is not known yet.
        ws.append(note_row)
        for line in lines:
            ws.append([v if isinstance(v, Cell) else safe(ws, v) for v in line])
        ws.append(header_cells(ws, [c.header for c in cols], comments))
        holder = RowHolder(wb, ws, title, head + 2, [c.fmt for c in cols], len(cols))
        for start in range(1, n, PART_ROWS):
            holder.add_columns(frame_columns(ws, frame.iloc[start : start + PART_ROWS], cols))
        rows = frame_rows(ws, frame.iloc[:1], cols)
        fast = True
    else:
        rows = frame_rows(ws, frame, cols)
        fast = n > FAST_ROWS and supported(rows)
        risky = fast and has_risky(rows)
        if risky and note is None:
            # The spliced rows find their quote-prefix text style in the note row (cell
            # B1), which this sheet does not have: formula-like text takes the ordinary
            # path.
            fast = False
        if note is not None:
            note_row = [styled(ws, note, font=NOTE_FONT)]
            if risky:
                # An empty text cell with a quote prefix registers the style the spliced
                # rows give to formula-like text (see xlsx_fastrows).
                note_row.append(text_cell(ws, None))
            ws.append(note_row)
        for line in lines:
            ws.append([v if isinstance(v, Cell) else safe(ws, v) for v in line])
        ws.append(header_cells(ws, [c.header for c in cols], comments))
        if fast:
            hold_rows(wb, ws, title, rows[1:], head + 2, [c.fmt for c in cols])
            rows = rows[:1]
    formats = [(j, c.fmt) for j, c in enumerate(cols) if c.fmt]
    templates = {}
    for j, fmt in formats:
        templates[j] = WriteOnlyCell(ws)
        templates[j].number_format = fmt
    append = ws.append
    for row in rows:
        for j, _ in formats:
            value = row[j]
            if fast and value is None:
                # The spliced rows take each column's style from this row: keep it even empty.
                row[j] = WriteOnlyCell(ws, value=None)
                row[j].number_format = templates[j].number_format
            elif value is not None and not isinstance(value, Cell):
                # One styled cell per column, refilled per row: openpyxl writes it out before
                # the next row is built, and styling it once keeps the per-cell cost flat.
                cell = templates[j]
                cell.value = value
                row[j] = cell
        append(row)
    return Table(ws, cols, head + 1, n + head)


def key_value_rows(ws: Any, rows: Iterable[tuple[str, Any, str | None]]) -> None:
    """Append `label | value` lines; the value keeps its type, with an optional format."""
    for label, value, fmt in rows:
        ws.append([styled(ws, label, font=BOLD), styled(ws, value, fmt=fmt)])


# --- conditional colours -------------------------------------------------------------------


def colour_equal(ws: Any, ref: str | None, mapping: dict[str, tuple[str, str]]) -> None:
    """Colour cells in `ref` whose text equals a key of `mapping`."""
    if ref is None:
        return
    for text, colours in mapping.items():
        background, font = fill(colours)
        formula = '"' + text.replace('"', '""') + '"'
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="equal", formula=[formula], fill=background, font=font)
        )


def colour_scale(ws: Any, ref: str | None, low: float, mid: float, high: float) -> None:
    """Red (low) through yellow to green (high)."""
    if ref is None:
        return
    ws.conditional_formatting.add(
        ref,
        ColorScaleRule(
            start_type="num",
            start_value=low,
            start_color="F8696B",
            mid_type="num",
            mid_value=mid,
            mid_color="FFEB84",
            end_type="num",
            end_value=high,
            end_color="63BE7B",
        ),
    )


def colour_positive(ws: Any, ref: str | None, colours: tuple[str, str]) -> None:
    """Colour numbers above zero (counts of blockers, failed inputs...)."""
    if ref is None:
        return
    background, font = fill(colours)
    ws.conditional_formatting.add(
        ref, CellIsRule(operator="greaterThan", formula=["0"], fill=background, font=font)
    )


def colour_rows_when(ws: Any, ref: str | None, formula: str, colours: tuple[str, str]) -> None:
    """Colour whole rows of `ref` where `formula` (relative to its first row) holds."""
    if ref is None:
        return
    background, font = fill(colours)
    ws.conditional_formatting.add(ref, FormulaRule(formula=[formula], fill=background, font=font))


class SheetRows:
    """A write-only sheet written top to bottom, remembering the next row's number: the
    Summary and Plan sheets are built as sections of rows rather than one table."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.row = 0

    def append(self, values: list[Any]) -> int:
        self.ws.append(values)
        self.row += 1
        return self.row

    def blank(self) -> None:
        self.append([])

    def section(self, title: str) -> None:
        self.append([styled(self.ws, title, font=SECTION_FONT)])
