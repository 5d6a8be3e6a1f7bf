"""Formulas with their values: the live cells of advisor's workbooks.

openpyxl writes a formula without a result, so every reader that does not calculate
(openpyxl itself, pandas, file previews, LibreOffice when it keeps the stored results)
would show an empty cell. advisor knows every result already: the sheets are written
with plain values, as before, and when the saved workbook is rewritten to splice in the
held rows (`xlsx_fastrows.finish`), a `FormulaWriter` turns the chosen cells into formulas
that keep those values as their cached results. The value a cell shows before
any recalculation is then exactly the one the JSON holds, and a spreadsheet that
recalculates (after the consultant changes a weight or accepts a finding) gets the same
number from the formula.

Formulas are advisor's own text, built from cell references, defined names and numbers;
inventory text never enters one (it stays in value cells, defused by `xlsx_sheets`).
"""

from __future__ import annotations

import codecs
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np


def escape(text: str) -> str:
    """`text` with &, < and > as XML entities, as `xml.sax.saxutils.escape` writes it (that
    module imports urllib, http and ssl: 8 ms of every run that writes a workbook)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RowFormulas(Sequence["str | None"]):
    """One formula template on consecutive rows, filled in only when its cell is written
    (20,000 servers need no 20,000 strings per column held at once), as XML text.

    The template's `{r}` is the row number and any other `{name}` the row's entry in
    `values[name]`; rows where `present` is false get no formula (None). The cells are
    asked for in row order, so the formulas are made `BLOCK` rows at a time, each piece of
    the template joined to a column of numbers in one Arrow call (a quarter of a million
    `str.format` calls of long templates took a second at 20,000 servers); a template with
    anything but whole numbers in its fields is filled row by row."""

    #: Rows whose formulas are made together.
    BLOCK = 4096

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
        self._parts = _whole_number_fields(self.template, self.values)
        self._start, self._block = -1, []

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[override]
        if not 0 <= i < self.n:
            raise IndexError(i)
        if self.present is not None and not self.present[i]:
            return None
        if self._parts is None:
            fill = {k: v[i] for k, v in self.values.items()}
            return self.template.format(r=self.first_row + i, **fill)
        start = i - i % self.BLOCK
        if start != self._start:
            self._start, self._block = start, self._made(start, min(start + self.BLOCK, self.n))
        return self._block[i - start]

    def span(self, start: int, end: int) -> list[str | None]:
        """The formulas of positions `start` to `end` at once (None where not present)."""
        if self._parts is None:
            return [self[i] for i in range(start, end)]
        made: list[str | None] = list(self._made(start, end))
        if self.present is not None:
            made = [f if p else None for f, p in zip(made, self.present[start:end], strict=True)]
        return made

    def _made(self, start: int, end: int) -> list[str]:
        """The formulas of rows `start` to `end` (positions), present or not."""
        import pyarrow as pa
        import pyarrow.compute as pc

        pieces: list[Any] = []
        for literal, name in self._parts or ():
            if literal:
                pieces.append(literal)
            if name is None:
                continue
            if name == "r":
                numbers = np.arange(self.first_row + start, self.first_row + end)
            else:
                numbers = np.asarray(self.values[name][start:end])
            pieces.append(pa.array(numbers, type=pa.int64()).cast(pa.string()))
        if not any(isinstance(p, pa.Array) for p in pieces):  # no field: the same text
            return ["".join(pieces)] * (end - start)
        return pc.binary_join_element_wise(*pieces, "").to_pylist()


def _whole_number_fields(
    template: str, values: dict[str, Any]
) -> list[tuple[str, str | None]] | None:
    """The template as (literal text, field name) pieces when every field is plain (`{r}`
    or `{name}`, no format spec or conversion) and each named one's values are whole
    numbers; None otherwise (then it is filled with `str.format`)."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            if spec or conversion or (name != "r" and name not in values):
                return None
            if name != "r" and np.asarray(values[name]).dtype.kind not in "iu":
                return None
        pieces.append((literal, name))
    return pieces


@dataclass
class SheetFormulas:
    """The formulas waiting for one sheet: runs of rows in a column, and single cells,
    held as XML text (escaped when registered)."""

    columns: dict[str, list[tuple[int, Sequence[str | None]]]] = field(default_factory=dict)
    cells: dict[tuple[str, int], str] = field(default_factory=dict)

    #: How many formulas wait (None entries of a column keep their value).
    total: int = 0
    #: How many of them were written with their rows already (`block`), not by FormulaWriter.
    placed_early: int = 0

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

    def block(self, letter: str, first_row: int, n: int) -> list[str | None] | None:
        """The formulas of column `letter` on rows `first_row` to `first_row + n - 1`, for
        rows written with their formulas in place (`xlsx_fastrows.RowHolder`): None when
        the column has none there. What `lookup` finds, taken a run of rows at a time, and
        counted as placed."""
        found: list[str | None] = [None] * n
        hit = False
        for first, formulas in self.columns.get(letter, ()):
            lo, hi = max(first, first_row), min(first + len(formulas), first_row + n)
            if lo >= hi:
                continue
            part = (
                formulas.span(lo - first, hi - first)
                if isinstance(formulas, RowFormulas)
                else formulas[lo - first : hi - first]
            )
            for i, f in enumerate(part, lo - first_row):
                if f is not None and found[i] is None:  # the first entry wins, as in lookup
                    found[i] = f
                    hit = True
        for (cell_letter, row), f in self.cells.items():
            if cell_letter == letter and first_row <= row < first_row + n:
                found[row - first_row] = f
                hit = True
        if not hit:
            return None
        self.placed_early += sum(f is not None for f in found)
        return found

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


class FormulaWriter:
    """A writable stream for one sheet part that turns the waiting cells into formulas on
    the way through, a run of whole rows at a time (a cell never spans a row), so that a
    sheet of any size passes in blocks. `close` writes the rest and checks that every
    waiting formula found its cell."""

    def __init__(self, out: IO[bytes], formulas: SheetFormulas, title: str) -> None:
        letters = "|".join(sorted(formulas.letters(), key=lambda s: (-len(s), s)))
        self.pattern = re.compile(_CELL.format(letters=letters))
        self.out, self.formulas, self.title = out, formulas, title
        self.lookup = formulas.lookup
        self.placed = 0
        self._decode = codecs.getincrementaldecoder("utf-8")().decode
        self._carry = ""

    def write(self, data: bytes) -> int:
        text = self._carry + self._decode(data)
        end = text.rfind("</row>")
        if end < 0:
            self._carry = text
        else:
            end += len("</row>")
            self.out.write(self.pattern.sub(self._replace, text[:end]).encode("utf-8"))
            self._carry = text[end:]
        return len(data)

    def passthrough(self, data: bytes) -> None:
        """Rows whose formulas are in place already (`SheetFormulas.block`), written as
        they are: only whole rows, so nothing waits in the carry."""
        if self._carry.strip():
            raise RuntimeError(f"{self.title}: rows passed through mid-row")
        self.out.write(data)

    def close(self) -> None:
        rest = self._carry + self._decode(b"", final=True)
        self.out.write(self.pattern.sub(self._replace, rest).encode("utf-8"))
        self._carry = ""
        placed = self.placed + self.formulas.placed_early
        if placed != self.formulas.count():
            # Every formula cell must have been written with its value first: a missing
            # cell would silently lose its formula.
            missing = self.formulas.count() - placed
            raise RuntimeError(f"{self.title}: {missing} formula cells had no value")

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


__all__ = [
    "FormulaWriter",
    "RowFormulas",
    "SheetFormulas",
    "escape",
    "sheet_formulas",
    "waiting",
]
