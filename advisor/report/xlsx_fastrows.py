"""Fast rows for big table sheets: the row XML written directly, spliced after saving.

openpyxl's write-only mode costs about 7 us per cell; a 20,000-server assessment has over
800,000 cells in Servers and Findings. For big tables `table_sheet` lets openpyxl write the
note, the header and the first data row, and hands the other rows to `hold_rows`, which
turns them into sheet XML at once, in the same form openpyxl uses (inline strings, typed
numbers and booleans, each formatted column with the style openpyxl gives its first data
row), and keeps that XML in a temporary file, not in memory: the rows of a 100,000-server
workbook take over a gigabyte as Python values. After the workbook is saved, `finish`
copies it once and streams the held XML in after the first data row (and puts the live
formulas into their cells on the way). The formulas of a sheet registered before its
rows are held are written with the rows instead (a quarter of a million cells at 20,000
servers: finding each again in the saved XML cost a second). Text that looks like a
formula keeps its quote-prefix text style, so it stays text.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter

from advisor.report.xlsx_formulas import FormulaWriter, SheetFormulas, escape, waiting

#: Tables with more rows than this take the fast path.
FAST_ROWS = 500
#: Rows turned into XML and written to the held file at a time.
BLOCK_ROWS = 2000
#: Bytes copied from the held file into the workbook at a time.
COPY_BYTES = 1 << 20
#: Sheet parts larger than this are written with ZIP64 sizes (the limit of the plain ones).
ZIP64_BYTES = zipfile.ZIP64_LIMIT - (64 << 20)


@dataclass
class HeldRows:
    """The rows of one sheet as sheet XML in a temporary file, waiting for `finish`."""

    first: int  # row number of the first held row; the row before it is the anchor
    file: IO[bytes] = field(default_factory=lambda: _temporary_file())
    size: int = 0  # bytes of XML written
    #: The sheet's formulas were registered before these rows were made, so the rows
    #: carry theirs already (`RowHolder`): `finish` copies them without looking for any.
    with_formulas: bool = False

    def write(self, xml: str) -> None:
        data = xml.encode("utf-8")
        self.file.write(data)
        self.size += len(data)

    def chunks(self) -> Any:
        """The held XML from its start, `COPY_BYTES` at a time."""
        self.file.flush()
        self.file.seek(0)
        while chunk := self.file.read(COPY_BYTES):
            yield chunk

    def close(self) -> None:
        self.file.close()


def _temporary_file() -> IO[bytes]:
    """An unnamed file (gone when closed, or when the process ends however it ends): it
    outlives any one block, as it waits for the workbook to be saved."""
    return tempfile.TemporaryFile(prefix="advisor-rows-")


def pending(wb: Any) -> dict[str, HeldRows]:
    """The rows held per sheet title, waiting for `finish`."""
    if not hasattr(wb, "_advisor_pending"):
        wb._advisor_pending = {}
    return wb._advisor_pending


def hold_rows(
    wb: Any, ws: Any, title: str, rows: list[list[Any]], first: int, formats: list[str | None]
) -> None:
    """Turn `rows` (the sheet's rows from number `first` on) into sheet XML now and keep it
    in a temporary file until `finish` (see `RowHolder`, which takes rows in parts)."""
    width = max((len(r) for r in rows), default=0)
    RowHolder(wb, ws, title, first, formats, width).add(rows)


class RowHolder:
    """The held rows of one sheet, taken part after part in sheet order, so a big table
    never exists whole as Python values: each part becomes XML in the sheet's temporary
    file before the next is built. `formats` are the columns' number formats: each
    formatted column gets the style openpyxl gives the same format in the first data row
    (registered here, so the ids are the ones openpyxl writes); other cells have none,
    except forced text, which keeps its own quote-prefix style."""

    def __init__(
        self, wb: Any, ws: Any, title: str, first: int, formats: list[str | None], width: int
    ) -> None:
        self.styles: list[str | None] = [None] * len(formats)
        for j, fmt in enumerate(formats):
            if fmt:
                cell = WriteOnlyCell(ws)
                cell.number_format = fmt
                self.styles[j] = str(cell.style_id) if cell.has_style else None
        self.formulas = waiting(wb).get(title)
        self.held = HeldRows(first, with_formulas=self.formulas is not None)
        pending(wb)[title] = self.held
        self.letters = [get_column_letter(i + 1) for i in range(width)]
        self.next = first  # the row number the next part starts at

    def add(self, rows: list[list[Any]]) -> None:
        for start in range(0, len(rows), BLOCK_ROWS):
            block = rows[start : start + BLOCK_ROWS]
            if self.formulas is not None:  # the column path places them
                width = len(self.letters)
                padded = [list(r) + [None] * (width - len(r)) for r in block]
                self.add_columns([list(c) for c in zip(*padded, strict=True)] if padded else [])
                continue
            self.held.write(_row_xml(block, self.next, self.styles, self.letters))
            self.next += len(block)

    def add_columns(self, columns: list[list[Any]]) -> None:
        """The next rows given column by column (equal lengths): each column's cells are
        made in one pass that knows the column's type, instead of one call per cell."""
        n = len(columns[0]) if columns else 0
        for start in range(0, n, BLOCK_ROWS):
            block = [c[start : start + BLOCK_ROWS] for c in columns]
            rows = min(BLOCK_ROWS, n - start)
            formulas = None
            if self.formulas is not None:
                formulas = [self.formulas.block(c, self.next, rows) for c in self.letters]
            self.held.write(
                _columns_xml(block, rows, self.next, self.styles, self.letters, formulas)
            )
            self.next += rows


def has_risky(rows: list[list[Any]]) -> bool:
    return any(isinstance(v, Cell) for row in rows for v in row)


def _cell(ref: str, value: Any, style: str | None) -> str:
    if isinstance(value, Cell):  # forced text (looked like a formula or an error)
        s = f' s="{value.style_id}"' if value.has_style else ""
        text = escape(str(value.value))
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s} t="n"><v>{value}</v></c>'
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{s} t="n"><v>{value!r}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def supported(rows: list[list[Any]]) -> bool:
    """True when every value is one the fast path writes (text, number, bool, forced text)."""
    return all(
        v is None or isinstance(v, str | int | float | bool | Cell) for row in rows for v in row
    )


def _columns_xml(
    columns: list[list[Any]],
    n: int,
    first: int,
    styles: list[str | None],
    letters: list[str],
    formulas: list[list[str | None] | None] | None = None,
) -> str:
    """`n` rows from row `first` on, given as columns: the same XML as `_row_xml`, with
    `formulas[j][i]` (escaped formula text, or None) put into column j's cell of row i as
    `xlsx_formulas.FormulaWriter` would put it there."""
    numbers = range(first, first + n)
    cells = [
        _column_cells(values, letters[j], styles[j] if j < len(styles) else None, numbers)
        for j, values in enumerate(columns)
    ]
    for j, column in enumerate(formulas or ()):
        if column is not None and j < len(cells):
            style = styles[j] if j < len(styles) else None
            cells[j] = _with_formulas(cells[j], column, letters[j], style, numbers)
    if not cells:
        return "".join(f'<row r="{r}"></row>' for r in numbers)
    rows = zip(numbers, zip(*cells, strict=True), strict=True)
    return "".join(f'<row r="{r}">{"".join(row)}</row>' for r, row in rows)


def _column_cells(values: list[Any], letter: str, style: str | None, numbers: range) -> list[str]:
    """One column's cell XML per row ('' for an empty cell), as `_cell` writes it; a
    column of one plain type is written without a call per cell."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    s = f' s="{style}"' if style else ""
    if kinds == {float}:
        return [
            f'<c r="{letter}{r}"{s} t="n"><v>{v!r}</v></c>'
            if v is not None and math.isfinite(v)
            else ""
            for r, v in zip(numbers, values, strict=True)
        ]
    if kinds == {int}:
        return [
            f'<c r="{letter}{r}"{s} t="n"><v>{v}</v></c>' if v is not None else ""
            for r, v in zip(numbers, values, strict=True)
        ]
    if kinds == {str}:
        joined = "".join(v for v in values if v)
        if "&" in joined or "<" in joined or ">" in joined:
            values = [escape(v) if v else v for v in values]
        # Leading or trailing white space is kept only with xml:space (the escaping above
        # changes neither end's white space).
        return [
            f'<c r="{letter}{r}"{s} t="inlineStr"><is><t'
            f"{_PRESERVE if v[0].isspace() or v[-1].isspace() else ''}>{v}</t></is></c>"
            if v  # None or "": no cell
            else ""
            for r, v in zip(numbers, values, strict=True)
        ]
    return [
        _cell(f"{letter}{r}", v, style) if v is not None and v != "" else ""
        for r, v in zip(numbers, values, strict=True)
    ]


_PRESERVE = ' xml:space="preserve"'


def _with_formulas(
    cells: list[str], formulas: list[str | None], letter: str, style: str | None, numbers: range
) -> list[str]:
    """`cells` (one column's, as `_column_cells` makes them) with each formula put in,
    its cell's value kept as the cached result: the XML `FormulaWriter._replace` writes
    for the same cell (a text value becomes the formula's string result)."""
    out = list(cells)
    for i, f in enumerate(formulas):
        if f is None:
            continue
        cell = cells[i]
        if not cell:  # no value: the formula alone
            s = f' s="{style}"' if style else ""
            out[i] = f'<c r="{letter}{numbers[i]}"{s}><f>{f}</f></c>'
        elif ' t="inlineStr">' in cell:
            head, _, body = cell.partition(' t="inlineStr">')
            text = body[body.index(">", len("<is><t")) + 1 : -len("</t></is></c>")]
            out[i] = f'{head} t="str"><f>{f}</f><v>{text}</v></c>'
        else:
            out[i] = cell.replace("><v>", f"><f>{f}</f><v>", 1)
    return out


def _row_xml(
    rows: list[list[Any]], first: int, styles: list[str | None], letters: list[str]
) -> str:
    out = []
    for offset, row in enumerate(rows):
        r = first + offset
        cells = "".join(
            _cell(f"{letters[j]}{r}", v, styles[j] if j < len(styles) else None)
            for j, v in enumerate(row)
            if v is not None and v != ""  # openpyxl writes no cell for either
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def save(wb: Any, path: Path) -> None:
    """Save `wb` to `path` and finish it (held rows, formulas). When `finish` rewrites the
    file, openpyxl's save stores the parts without compressing them: the rewrite
    compresses every part once (level 1) anyway, and openpyxl's own deflate (level 6),
    undone again when the parts were read back, was work thrown away."""
    from openpyxl.writer.excel import ExcelWriter

    held, formulas = pending(wb), waiting(wb)
    if not held and not any(f.count() for f in formulas.values()):
        wb.save(path)
        return
    if wb.write_only and not wb.worksheets:  # as Workbook.save does
        wb.create_sheet()
    wb.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    ExcelWriter(wb, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    finish(path, held, formulas)


def finish(
    path: Path, waiting: dict[str, HeldRows], formulas: dict[str, SheetFormulas] | None = None
) -> None:
    """Rewrite the saved workbook at `path` in place, once: the held rows streamed in from
    their files, and the waiting formulas put into their cells on the way (see
    `xlsx_formulas.FormulaWriter`); every part is copied in blocks, none is read whole. The
    held files are closed (and so removed) after."""
    # Here, not at the top: xlsx_into reads sheets through xlsx_sheets, which uses this module.
    from advisor.report.xlsx_into import sheet_parts

    formulas = {t: f for t, f in (formulas or {}).items() if f.count()}
    if not waiting and not formulas:
        return
    tmp = path.with_name(path.name + ".finish.tmp")
    try:
        with zipfile.ZipFile(path) as src:
            titles = {part: title for title, part in sheet_parts(src).items()}
            missing = sorted((set(waiting) | set(formulas)) - set(titles.values()))
            if missing:
                raise RuntimeError(f"{', '.join(missing)}: sheet not found while finishing")
            try:
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                    for info in src.infolist():
                        title = titles.get(info.filename, "")
                        _copy_part(src, dst, info, waiting.get(title), formulas.get(title), title)
            except BaseException:  # a full disk, Ctrl-C: leave no half-written copy behind
                tmp.unlink(missing_ok=True)
                raise
        shutil.move(tmp, path)
    finally:
        for held in waiting.values():
            held.close()
        waiting.clear()


def _copy_part(
    src: zipfile.ZipFile,
    dst: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    held: HeldRows | None,
    formulas: SheetFormulas | None,
    title: str,
) -> None:
    """One part of the workbook into the copy: as it is, or with its held rows and formulas.
    Opened by name, the entry takes the copy's compression (deflate, level 1)."""
    size = info.file_size + (held.size if held is not None else 0)
    with dst.open(info.filename, "w", force_zip64=size > ZIP64_BYTES) as raw:
        out: Any = raw if formulas is None else FormulaWriter(raw, formulas, title)
        if held is None:
            with src.open(info) as r:
                shutil.copyfileobj(r, out, COPY_BYTES)
        else:
            _write_part(out, info, src.read(info.filename).decode("utf-8"), held)
        if formulas is not None:
            out.close()


def _write_part(out: Any, info: zipfile.ZipInfo, xml: str, held: HeldRows) -> None:
    """One sheet part: what openpyxl wrote up to the end of the anchor row, the held rows,
    then the rest of what openpyxl wrote. (openpyxl's own part of a sheet whose rows are
    held is small: its header and first data row.) Held rows that carry their formulas
    skip the formula writer."""
    anchor = re.search(rf'<row r="{held.first - 1}"[^>]*>.*?</row>', xml, re.S)
    if anchor is None:
        raise RuntimeError(f"{info.filename}: row {held.first - 1} not found while splicing rows")
    out.write(xml[: anchor.end()].encode("utf-8"))
    put = out.passthrough if held.with_formulas and isinstance(out, FormulaWriter) else out.write
    for chunk in held.chunks():
        put(chunk)
    out.write(xml[anchor.end() :].encode("utf-8"))
