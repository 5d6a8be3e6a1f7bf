"""Hypothesis strategies for hostile inventories: random cells, headers and sheet shapes.

Customers hand over whatever their tools wrote or their colleagues typed: markup, formulas,
HTML, control characters, numbers no spreadsheet should hold, headers twice or not at all,
title lines above the header, ragged rows and sheets nobody asked for. The strategies here
draw such files in the three shapes advisor reads most (a generic workbook, a generic CSV
with any delimiter, an RVTools workbook with a vInfo tab) as plain data (`Case`), which
`write_case` turns into a file. Keeping the case as data lets a property compare what went
in with what came out (a formula-looking text must come out as text).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from builders import VINFO_4X, write_csv, write_xlsx
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Cell = object
Format = Literal["generic-xlsx", "generic-csv", "rvtools-xlsx"]

#: Text that means something to a renderer: rich markup (terminal), formulas (spreadsheet),
#: HTML and URLs (report), template syntax (Jinja2), format specs (messages), bidi controls.
HOSTILE_TEXT: tuple[str, ...] = (
    "[bold]bold[/bold]",
    "[red]x",
    "[/]",
    "[link=http://evil.example/]click[/link]",
    '=HYPERLINK("http://evil.example/x","click")',
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(1)",
    "=cmd|' /C calc'!A0",
    "#N/A",
    "#REF!",
    "<script>alert(1)</script>",
    "<SCRIPT src=http://evil.example/x.js></SCRIPT>",
    '<img src="http://evil.example/x.png">',
    '"><script>alert(1)</script>',
    "</td></tr></table><h1>x",
    "url(http://evil.example/x)",
    "{{ 7*7 }}",
    "{% raw %}",
    "{0} {name} %s %(x)s",
    "\u202etxt.exe",
    "\ufeffbom",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e309",
    "TRUE",
    "yes",
    "0x1F",
    "1,024",
    "8 GB",
    "512 MiB",
    "2020-13-45",
    "0001-01-01",
    "1/1/0001 12:00:00 AM",
    "9999-12-31",
    "   ",
    "\t",
    "a\r\nb",
    "a\nb",
    "line\u2028break",
    "null",
    "None",
    "\\",
    "'",
    '"',
    ";",
    "|",
    "\x00",
    "\x07bell",
    "\x1b[31mred\x1b[0m",
)

OS_NAMES: tuple[str, ...] = (
    "Microsoft Windows Server 2019 (64-bit)",
    "Microsoft Windows Server 2008 R2 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "Ubuntu Linux (64-bit)",
    "Other (32-bit)",
    "CentOS 7 (64-bit)",
)

#: Headers a consultant's spreadsheet tends to have (generic importer aliases and near misses).
GENERIC_HEADERS: tuple[str, ...] = (
    "Name",
    "Server",
    "Hostname",
    "VM Name",
    "CPU",
    "vCPU",
    "Memory (GB)",
    "RAM (MB)",
    "Memory",
    "OS",
    "Operating System",
    "Disk (GB)",
    "Storage Used",
    "IP Address",
    "Power State",
    "Template",
    "Datacenter",
    "Cluster",
    "Owner",
    "Application",
    "Environment",
    "Notes",
    "Created",
)
NAME_HEADERS = ("Name", "Server", "Hostname", "VM Name", "VM")
SIZING_HEADERS = ("CPU", "vCPU", "Memory (GB)", "RAM (MB)", "Memory", "OS", "Disk (GB)", "CPUs")
#: Sheet names for extra tabs: RVTools detail tabs (read and joined), and unrelated ones.
EXTRA_SHEETS = ("vDisk", "vHost", "vNetwork", "vSnapshot", "Notes", "Sheet1", "Übersicht")


def _repeat(text: str, times: int) -> str:
    return (text or "x") * times


#: Random text, any code point but NUL: a NUL makes the whole CSV refused (rightly), so it
#: would end most CSV examples before their cells are read. HOSTILE_TEXT has "\x00" for that.
_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def _text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.text(alphabet=_TEXT, min_size=min_size, max_size=max_size)


#: Strings far longer than any real cell (up to ~40,000 characters, past Excel's 32,767),
#: built by repetition so Hypothesis does not spend its time generating them.
LONG_TEXT = st.builds(_repeat, _text(1, 8), st.integers(200, 5000))

#: Any text: arbitrary unicode (control characters included), hostile snippets alone and
#: with random text after them, and very long strings.
TEXTS = st.one_of(
    _text(max_size=30),
    st.sampled_from(HOSTILE_TEXT),
    st.builds(operator.add, st.sampled_from(HOSTILE_TEXT), _text(max_size=10)),
    LONG_TEXT,
)

#: Numbers including NaN, infinities, negatives, zero and values past 64 bits, and the odd
#: dates tools write for "never" (Excel's last day) or "unknown" (its first).
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-5, max_value=100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [0, -1, 0.5, 1e300, -1e300, 5e-324, 2**63, 2**64, dt.datetime(9999, 12, 31, 23, 59, 59)]
    ),
)

#: Dates a spreadsheet can hold: openpyxl refuses time zones, and dates before March 1900
#: are not Excel dates.
DATES = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2199, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2199, 12, 31)),
)

BLANKS = st.sampled_from([None, "", " ", "\t", "  \n  "])

#: One cell of any kind.
CELLS = st.one_of(TEXTS, NUMBERS, DATES, st.booleans(), BLANKS)

_NAMES = st.one_of(
    st.from_regex(r"\A[a-z]{2,6}-[0-9]{2}\Z"),
    st.sampled_from(HOSTILE_TEXT[:22]),
    _text(1, 20),
)
_CPUS = st.one_of(st.integers(min_value=0, max_value=128), st.sampled_from(["2", "4 "]))
_SIZES = st.one_of(
    st.integers(min_value=0, max_value=2_000_000),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)


def _plausible(header: str) -> st.SearchStrategy[Cell]:
    """A value that fits the column, so rows get past the name and type checks and the
    hostile cells beside them travel through scoping, facts and outputs."""
    h = header.lower()
    if h in {n.lower() for n in NAME_HEADERS}:
        return _NAMES
    if "cpu" in h:
        return _CPUS
    if any(word in h for word in ("memory", "ram", "mib", "disk", "storage")):
        return _SIZES
    if h.startswith("os") or "operating" in h:
        return st.sampled_from(OS_NAMES)
    if "power" in h:
        return st.sampled_from(["poweredOn", "poweredOff", "suspended", "on", "off"])
    if "template" in h:
        return st.sampled_from(["True", "False", True, False])
    if "date" in h or "created" in h:
        return DATES
    return CELLS


@functools.cache
def column_values(header: str) -> st.SearchStrategy[Cell]:
    """Cells of one column: half plausible for the header, half anything. Built once per
    header, as building strategies per cell made generation the slowest part of a run."""
    return st.one_of(_plausible(header), CELLS)


def _xlsx_safe(value: Cell) -> Cell:
    """What an xlsx file can hold: XML 1.0 has no control characters (openpyxl refuses them),
    and a workbook stores no NaN or infinity (openpyxl writes an empty number)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Case:
    """One generated inventory file as data: format, sheets of rows, and how to write it."""

    fmt: Format
    sheets: dict[str, list[list[Cell]]]
    delimiter: str = ","
    encoding: str = "utf-8"
    #: "text": strings stay strings in the workbook even when they start with "=";
    #: "builders": tests/builders.py `write_xlsx` (openpyxl turns "=..." into live formulas).
    writer: str = "text"
    #: Rows written per sheet above the header (title lines, blanks).
    preamble: dict[str, int] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return ".csv" if self.fmt == "generic-csv" else ".xlsx"

    def texts(self) -> set[str]:
        """Every text cell of the file (headers included), as written."""
        return {
            v for rows in self.sheets.values() for row in rows for v in row if isinstance(v, str)
        }

    def data_rows(self) -> int:
        """An upper bound on server rows: all rows of all sheets."""
        return sum(len(rows) for rows in self.sheets.values())


def write_case(case: Case, folder: Path) -> Path:
    """Write `case` into `folder` and return the file's path."""
    path = folder / f"inventory{case.suffix}"
    if case.fmt == "generic-csv":
        (rows,) = case.sheets.values()
        return write_csv(path, rows, delimiter=case.delimiter, encoding=case.encoding)
    if case.writer == "builders":
        return write_xlsx(path, case.sheets)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in case.sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=..." typed by a person, not a formula
    wb.save(path)
    return path


@st.composite
def headers(draw: st.DrawFn, fmt: Format, *, plausible_only: bool = False) -> list[object]:
    """A header row: RVTools vInfo headers or generic ones, shuffled, with duplicates, blanks
    and random text mixed in. A name and a sizing column are there in three rows of four, and
    always under `plausible_only` (the assessment property needs a table to assess)."""
    pool = VINFO_4X if fmt == "rvtools-xlsx" else GENERIC_HEADERS
    if fmt == "rvtools-xlsx" and draw(st.booleans()):
        chosen: list[object] = list(VINFO_4X)  # the full, real header row
    else:
        chosen = list(draw(st.lists(st.sampled_from(pool), max_size=12, unique=True)))
        # Most tables have a name and a sizing column, so most examples get past the header
        # search and their cells reach the converters.
        if fmt == "rvtools-xlsx" or plausible_only or draw(st.integers(0, 3)) > 0:
            name = "VM" if fmt == "rvtools-xlsx" else draw(st.sampled_from(NAME_HEADERS))
            if name not in chosen:
                chosen.insert(draw(st.integers(0, len(chosen))), name)
            sizing = draw(st.sampled_from(SIZING_HEADERS))
            if fmt == "rvtools-xlsx":
                sizing = draw(st.sampled_from(["CPUs", "Memory"]))
            if sizing not in chosen:
                chosen.append(sizing)
    if not plausible_only or draw(st.booleans()):
        extras = draw(
            st.lists(
                st.one_of(st.sampled_from([*GENERIC_HEADERS, *VINFO_4X]), BLANKS, TEXTS),
                max_size=4,
            )
        )
        for extra in extras:  # duplicates, blanks and junk anywhere in the row
            chosen.insert(draw(st.integers(0, len(chosen))), extra)
    return chosen


@st.composite
def table(draw: st.DrawFn, fmt: Format, *, plausible_only: bool = False) -> tuple[list, int]:
    """A sheet: optional title lines, a header row, 0..30 ragged data rows. Returns the rows
    and how many title lines precede the header."""
    head = draw(headers(fmt, plausible_only=plausible_only))
    # Title lines above the header in one table of four: RVTools never writes them (its
    # reader rightly refuses a vInfo without its header on top), a person sometimes does.
    titled = draw(st.integers(0, 3)) == 0 and not (plausible_only and fmt == "rvtools-xlsx")
    preamble = draw(
        st.lists(
            st.lists(
                st.one_of(st.sampled_from(["Server inventory", "Export 2026"]), CELLS), max_size=3
            ),
            min_size=1 if titled else 0,
            max_size=3 if titled else 0,
        )
    )
    n_rows = draw(st.integers(min_value=0, max_value=30))
    rows: list[list[Cell]] = []
    for _ in range(n_rows):
        width = max(0, len(head) + draw(st.integers(min_value=-3, max_value=3)))
        row = [
            draw(column_values(str(head[i]) if i < len(head) and head[i] is not None else ""))
            for i in range(width)
        ]
        rows.append(row)
    return [*preamble, head, *rows], len(preamble)


def _sheet_name() -> st.SearchStrategy[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\."""
    return st.one_of(
        st.sampled_from(EXTRA_SHEETS),
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs", "Cc"), blacklist_characters="[]:*?/\\'"
            ),
            min_size=1,
            max_size=31,
        ),
    )


@st.composite
def cases(draw: st.DrawFn, *, plausible_only: bool = False) -> Case:
    """A whole hostile inventory file in one of the three formats."""
    fmt: Format = draw(st.sampled_from(("generic-xlsx", "generic-csv", "rvtools-xlsx")))
    main_name = "vInfo" if fmt == "rvtools-xlsx" else draw(st.sampled_from(["Servers", "Sheet1"]))
    rows, pre = draw(table(fmt, plausible_only=plausible_only))
    sheets: dict[str, list[list[Cell]]] = {main_name: rows}
    preamble = {main_name: pre}
    if fmt != "generic-csv":
        for name in draw(st.lists(_sheet_name(), max_size=2, unique=True)):
            if name.lower() in {s.lower() for s in sheets}:
                continue
            extra, pre = draw(table(draw(st.sampled_from(("generic-xlsx", "rvtools-xlsx")))))
            sheets[name] = extra
            preamble[name] = pre
        if draw(st.booleans()):  # the main sheet need not be the first tab
            sheets = dict(reversed(list(sheets.items())))
        sheets = {n: [[_xlsx_safe(v) for v in row] for row in r] for n, r in sheets.items()}
        writer = draw(st.sampled_from(["text", "text", "builders"]))
        return Case(fmt, sheets, writer=writer, preamble=preamble)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return Case(fmt, sheets, delimiter=delimiter, encoding=encoding, preamble=preamble)
