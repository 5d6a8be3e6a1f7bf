"""Fast rows for big table sheets: the row XML written directly, spliced after saving.

openpyxl's write-only mode costs about 7 us per cell; a 20,000-server assessment has over
800,000 cells in Servers and Findings. For big tables `table_sheet` lets openpyxl write the
note, the header and the first data row, and hands the other rows to `hold_rows`, which
turns them into sheet XML at once, in the same form openpyxl uses (inline strings, typed
numbers and booleans, each formatted column with the style openpyxl gives its first data
row), and keeps that XML in a temporary file, not in memory: the rows of a 100,000-server
workbook take over a gigabyte as Python values. After the workbook is saved, `splice`
copies it and streams the held XML in after the first data row. Text that looks like a
formula keeps its quote-prefix text style, so it stays text.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter

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
    """The rows of one sheet as sheet XML in a temporary file, waiting for `splice`."""

    first: int  # row number of the first held row; the row before it is the anchor
    file: IO[bytes] = field(default_factory=lambda: _temporary_file())
    size: int = 0  # bytes of XML written

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
    """The rows held per sheet title, waiting for the splice."""
    if not hasattr(wb, "_advisor_pending"):
        wb._advisor_pending = {}
    return wb._advisor_pending


def hold_rows(
    wb: Any, ws: Any, title: str, rows: list[list[Any]], first: int, formats: list[str | None]
) -> None:
    """Turn `rows` (the sheet's rows from number `first` on) into sheet XML now and keep it
    in a temporary file until `splice`. `formats` are the columns' number formats: each
    formatted column gets the style openpyxl gives the same format in the first data row
    (registered here, so the ids are the ones openpyxl writes); other cells have none,
    except forced text, which keeps its own quote-prefix style."""
    styles: list[str | None] = [None] * len(formats)
    for j, fmt in enumerate(formats):
        if fmt:
            cell = WriteOnlyCell(ws)
            cell.number_format = fmt
            styles[j] = str(cell.style_id) if cell.has_style else None
    held = HeldRows(first)
    pending(wb)[title] = held
    letters = [get_column_letter(i + 1) for i in range(max((len(r) for r in rows), default=0))]
    for start in range(0, len(rows), BLOCK_ROWS):
        held.write(_row_xml(rows[start : start + BLOCK_ROWS], first + start, styles, letters))


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


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> part name inside the zip."""
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {
        m.group(2): m.group(1)
        for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)
    }
    targets.update(
        {
            m.group(1): m.group(2)
            for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)
        }
    )
    out = {}
    for m in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book):
        target = targets[m.group(2)].lstrip("/")
        out[_unescape(m.group(1))] = target if target.startswith("xl/") else "xl/" + target
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


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


def splice(path: Path, waiting: dict[str, HeldRows]) -> None:
    """Insert the held rows into the saved workbook at `path` (rewritten in place), streamed
    from their files into the copy; the held files are closed (and so removed) after."""
    if not waiting:
        return
    tmp = path.with_name(path.name + ".splice.tmp")
    try:
        with zipfile.ZipFile(path) as src:
            parts = {part: waiting[title] for title, part in _sheet_parts(src).items()
                     if title in waiting}  # fmt: skip
            if len(parts) != len(waiting):
                missing = ", ".join(sorted(set(waiting) - set(_sheet_parts(src))))
                raise RuntimeError(f"{missing}: sheet not found while splicing rows")
            try:
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                    for info in src.infolist():
                        held = parts.get(info.filename)
                        if held is None:
                            dst.writestr(
                                info,
                                src.read(info.filename),
                                compress_type=zipfile.ZIP_DEFLATED,
                                compresslevel=1,
                            )
                        else:
                            _write_part(dst, info, src.read(info.filename).decode("utf-8"), held)
            except BaseException:  # a full disk, Ctrl-C: leave no half-written copy behind
                tmp.unlink(missing_ok=True)
                raise
        shutil.move(tmp, path)
    finally:
        for held in waiting.values():
            held.close()
        waiting.clear()


def _write_part(dst: zipfile.ZipFile, info: zipfile.ZipInfo, xml: str, held: HeldRows) -> None:
    """One sheet part: what openpyxl wrote up to the end of the anchor row, the held rows,
    then the rest of what openpyxl wrote."""
    anchor = re.search(rf'<row r="{held.first - 1}"[^>]*>.*?</row>', xml, re.S)
    if anchor is None:
        raise RuntimeError(f"{info.filename}: row {held.first - 1} not found while splicing rows")
    head, tail = xml[: anchor.end()].encode("utf-8"), xml[anchor.end() :].encode("utf-8")
    big = len(head) + held.size + len(tail) > ZIP64_BYTES
    # Opened by name, the entry takes the copy's compression (deflate, level 1).
    with dst.open(info.filename, "w", force_zip64=big) as out:
        out.write(head)
        for chunk in held.chunks():
            out.write(chunk)
        out.write(tail)
