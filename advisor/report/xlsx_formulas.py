"""Formulas with their values: the live cells of advisor's workbooks.

openpyxl writes a formula without a result, so every reader that does not calculate
(openpyxl itself, pandas, file previews, LibreOffice when it keeps the stored results)
would show an empty cell. advisor knows every result already: the sheets are written
with plain values, as before, and after saving, `inject` turns the chosen cells into
formulas that keep those values as their cached results. The value a cell shows before
any recalculation is then exactly the one the JSON holds, and a spreadsheet that
recalculates (after the consultant changes a weight or accepts a finding) gets the same
number from the formula.

Formulas are advisor's own text, built from cell references, defined names and numbers;
inventory text never enters one (it stays in value cells, defused by `xlsx_sheets`).
"""

from __future__ import annotations

import codecs
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from advisor.report.xlsx_into import sheet_parts


class RowFormulas(Sequence["str | None"]):
    """One formula template on consecutive rows, filled in only when its cell is written
    (20,000 servers need no 20,000 strings per column held at once), as XML text.

    The template's `{r}` is the row number and any other `{name}` the row's entry in
    `values[name]`; rows where `present` is false get no formula (None)."""

    def __init__(
        self,
        template: str,
        first_row: int,
        count: int,
        *,
        values: dict[str, Any] | None = None,
        present: Any = None,
    ) -> None:
        # Escaped for XML once here, not once per cell (formulas compare with < and >).
        self.template, self.first_row, self.n = escape(template), first_row, count
        self.values = values or {}
        self.present = None if present is None else list(map(bool, present))
        self.formulas = count if present is None else sum(self.present)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[override]
        if not 0 <= i < self.n:
            raise IndexError(i)
        if self.present is not None and not self.present[i]:
            return None
        fill = {k: v[i] for k, v in self.values.items()}
        return self.template.format(r=self.first_row + i, **fill)


@dataclass
class SheetFormulas:
    """The formulas waiting for one sheet: runs of rows in a column, and single cells,
    held as XML text (escaped when registered)."""

    columns: dict[str, list[tuple[int, Sequence[str | None]]]] = field(default_factory=dict)
    cells: dict[tuple[str, int], str] = field(default_factory=dict)

    #: How many formulas wait (None entries of a column keep their value).
    total: int = 0

    def column(self, letter: str, first_row: int, formulas: Sequence[str | None]) -> None:
        """`formulas[i]` goes into `letter` at row `first_row + i`; a None keeps the value."""
        if isinstance(formulas, RowFormulas):
            self.total += formulas.formulas
        else:
            formulas = [None if f is None else escape(f) for f in formulas]
            self.total += sum(1 for f in formulas if f is not None)
        self.columns.setdefault(letter, []).append((first_row, formulas))

    def cell(self, letter: str, row: int, formula: str) -> None:
        if (letter, row) not in self.cells:
            self.total += 1
        self.cells[(letter, row)] = escape(formula)

    def lookup(self, letter: str, row: int) -> str | None:
        if self.cells:
            found = self.cells.get((letter, row))
            if found is not None:
                return found
        for first, formulas in self.columns.get(letter, ()):
            i = row - first
            if 0 <= i < len(formulas):
                found = formulas[i]
                if found is not None:
                    return found
        return None

    def count(self) -> int:
        return self.total

    def letters(self) -> set[str]:
        return set(self.columns) | {letter for letter, _ in self.cells}


def waiting(wb: Any) -> dict[str, SheetFormulas]:
    """The formulas to add per sheet title once `wb` is saved."""
    if not hasattr(wb, "_advisor_formulas"):
        wb._advisor_formulas = {}
    return wb._advisor_formulas


def sheet_formulas(wb: Any, title: str) -> SheetFormulas:
    return waiting(wb).setdefault(title, SheetFormulas())


#: A value cell as openpyxl and `xlsx_fastrows` write it: reference, optional style,
#: optional type, then a number or boolean (<v>), an inline string (<is><t>) or nothing.
_CELL = (
    r'<c r="({letters})(\d+)"( s="\d+")?(?: t="(\w+)")?'
    r"(?:/>|>(?:<v>([^<]*)</v>|<is><t[^>]*>([^<]*)</t></is>)?</c>)"
)


class _Injector:
    """Turns the waiting cells of one sheet into formulas, a run of whole rows at a time
    (a cell never spans a row), counting what it placed."""

    def __init__(self, formulas: SheetFormulas) -> None:
        letters = "|".join(sorted(formulas.letters(), key=lambda s: (-len(s), s)))
        self.pattern = re.compile(_CELL.format(letters=letters))
        self.lookup = formulas.lookup
        self.placed = 0

    def rows(self, xml: str) -> str:
        return self.pattern.sub(self._replace, xml)

    def _replace(self, m: re.Match[str]) -> str:
        letter, row, style, kind, number, text = m.groups()
        formula = self.lookup(letter, int(row))
        if formula is None:
            return m.group(0)
        self.placed += 1
        f = formula  # already escaped
        head = f'<c r="{letter}{row}"{style or ""}'
        if text is not None:  # a text result: the formula's cached string
            return f'{head} t="str"><f>{f}</f><v>{text}</v></c>'
        if number is not None:
            return f'{head} t="{kind or "n"}"><f>{f}</f><v>{number}</v></c>'
        return f"{head}><f>{f}</f></c>"


def _check(injector: _Injector, formulas: SheetFormulas, title: str) -> None:
    if injector.placed != formulas.count():
        # Every formula cell must have been written with its value first: a missing cell
        # would silently lose its formula.
        missing = formulas.count() - injector.placed
        raise RuntimeError(f"{title}: {missing} formula cells had no value")


#: Bytes of sheet XML read at a time: the sheet of 100,000 servers is about 150 MB, which
#: read whole, decoded, rewritten and encoded again would hold close to 1 GB at once.
_BLOCK = 8 << 20


def _stream_sheet(src: IO[bytes], dst: IO[bytes], formulas: SheetFormulas, title: str) -> None:
    """Copy one sheet's XML from `src` to `dst`, injecting its formulas, a block of whole
    rows at a time."""
    injector = _Injector(formulas)
    decode = codecs.getincrementaldecoder("utf-8")().decode
    carry = ""
    while block := src.read(_BLOCK):
        text = carry + decode(block)
        end = text.rfind("</row>")
        if end < 0:
            carry = text
            continue
        end += len("</row>")
        dst.write(injector.rows(text[:end]).encode("utf-8"))
        carry = text[end:]
    dst.write(injector.rows(carry + decode(b"", final=True)).encode("utf-8"))
    _check(injector, formulas, title)


def inject(path: Path, pending: dict[str, SheetFormulas]) -> None:
    """Turn the waiting cells of the saved workbook at `path` into formulas (in place),
    streaming every part from the saved file to its copy, so that the memory used does not
    grow with the sheets."""
    pending = {t: f for t, f in pending.items() if f.count()}
    if not pending:
        return
    tmp = path.with_name(path.name + ".formulas.tmp")
    with zipfile.ZipFile(path) as src:
        parts = sheet_parts(src)
        edits = {parts[title]: (title, f) for title, f in pending.items()}
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                for info in src.infolist():
                    with (
                        src.open(info) as r,
                        dst.open(info.filename, "w", force_zip64=True) as w,
                    ):
                        if info.filename in edits:
                            _stream_sheet(r, w, edits[info.filename][1], edits[info.filename][0])
                        else:
                            shutil.copyfileobj(r, w, _BLOCK)
        except BaseException:  # a full disk, Ctrl-C: leave no half-written copy behind
            tmp.unlink(missing_ok=True)
            raise
    shutil.move(tmp, path)


__all__ = ["RowFormulas", "SheetFormulas", "inject", "sheet_formulas", "waiting"]
