"""Fast rows for big table sheets: the row XML written directly, spliced after saving.

openpyxl's write-only mode costs about 7 us per cell; a 20,000-server assessment has over
800,000 cells in Servers and Findings. For big tables `table_sheet` lets openpyxl write the
note, the header and the first data row (so every style the rows need is registered), and
keeps the other rows here. After the workbook is saved, `splice` writes those rows as
sheet XML in the same form openpyxl uses (inline strings, typed numbers and booleans, the
style ids of the first data row per column) and inserts them after the first data row.
Text that looks like a formula keeps its quote-prefix text style, so it stays text.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

#: Tables with more rows than this take the fast path.
FAST_ROWS = 500

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def pending(wb: Any) -> dict[str, tuple[list[list[Any]], int, list[int]]]:
    """The rows waiting per sheet title: (rows, number of their first row, the indexes of
    the columns with a number format, whose style the first data row shows)."""
    if not hasattr(wb, "_advisor_pending"):
        wb._advisor_pending = {}
    return wb._advisor_pending


def has_risky(rows: list[list[Any]]) -> bool:
    return any(isinstance(v, Cell) for row in rows for v in row)


def _cell(ref: str, value: Any, style: str | None, text_style: str | None) -> str:
    if isinstance(value, Cell):  # forced text (looked like a formula or an error)
        s = f' s="{text_style}"' if text_style else ""
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


def _row_xml(rows: list[list[Any]], first: int, styles: list[str | None], text_style) -> str:
    letters = [get_column_letter(i + 1) for i in range(len(styles))]
    out = []
    for offset, row in enumerate(rows):
        r = first + offset
        cells = "".join(
            _cell(f"{letters[j]}{r}", v, styles[j], text_style)
            for j, v in enumerate(row)
            if v is not None and v != ""  # openpyxl writes no cell for either
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def splice(path: Path, waiting: dict[str, tuple[list[list[Any]], int, list[int]]]) -> None:
    """Insert the waiting rows into the saved workbook at `path` (rewritten in place)."""
    if not waiting:
        return
    tmp = path.with_name(path.name + ".splice.tmp")
    with zipfile.ZipFile(path) as src:
        parts = _sheet_parts(src)
        edits: dict[str, bytes] = {}
        for title, (rows, first, formatted) in waiting.items():
            part = parts[title]
            xml = src.read(part).decode("utf-8")
            anchor = re.search(rf'<row r="{first - 1}"[^>]*>(.*?)</row>', xml, re.S)
            if anchor is None:
                raise RuntimeError(f"{title}: row {first - 1} not found while splicing rows")
            width = max(len(r) for r in rows)
            styles: list[str | None] = [None] * width
            for m in re.finditer(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?', anchor.group(1)):
                col = _column_index(m.group(1))
                if col < width and col in formatted:  # text cells' styles are per value
                    styles[col] = m.group(2)
            text = re.search(r'<row r="1"[^>]*>.*?<c r="B1" s="(\d+)"', xml, re.S)
            body = _row_xml(rows, first, styles, text.group(1) if text else None)
            xml = xml[: anchor.end()] + body + xml[anchor.end() :]
            edits[part] = xml.encode("utf-8")
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                for info in src.infolist():
                    data = edits.get(info.filename) or src.read(info.filename)
                    dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        except BaseException:  # a full disk, Ctrl-C: leave no half-written copy behind
            tmp.unlink(missing_ok=True)
            raise
    shutil.move(tmp, path)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1
