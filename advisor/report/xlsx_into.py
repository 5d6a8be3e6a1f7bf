"""`advisor score --into`: a copy of the customer's workbook with the scores beside each server.

The copy is made at the package level: every part of the original .xlsx (other sheets,
charts, pivot tables, macros, styles) is copied unchanged, and only the XML of the server
sheet gets four cells per server row appended on the right (score, readiness,
disposition, most severe finding) under four new header cells styled like the
customer's header cells (font, fill, border, alignment), inside the header's autofilter
when it has one. A server the assessment left out (a template, an agent VM, a profile
exclusion) says "out of scope" and why, with no score. The original file is only read.

Rows are found by the sheet and row numbers the importer recorded (`source.tabs_read[0]`,
each server's `source_row`); before anything is written, the server name in every one of
those rows must match the name advisor read, so a workbook that is not the one the
inventory came from is refused instead of being annotated wrongly.
"""

from __future__ import annotations

import functools
import posixpath
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from advisor.errors import InputError
from advisor.report.atomic import replacing
from advisor.report.xlsx_sheets import clean_text

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADERS = ("advisor score", "advisor readiness", "advisor disposition", "advisor top finding")
WIDTHS = (14, 18, 18, 80)
READINESS_LABELS = {"not_ready": "not ready"}
#: What the readiness column says for a server the assessment left out.
OUT_OF_SCOPE = "out of scope"
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False, resolve_entities=False)


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _col_index(ref: str) -> int:
    """Column number of a cell reference ("CP12" -> 94)."""
    return _letters_index(ref.rstrip("0123456789").upper())


@functools.lru_cache(maxsize=4096)
def _letters_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letter(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name (xl/worksheets/sheetN.xml)."""
    wb = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _PARSER)
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PKG_REL}}}Relationship")}
    out = {}
    for sheet in wb.iter(_q("sheet")):
        target = targets.get(sheet.get(f"{{{REL}}}id"))
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name")] = posixpath.normpath(part)
    return out


class _SharedStrings:
    """The shared-string table, its texts built only for the cells that are looked at."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        try:
            root = etree.fromstring(zf.read("xl/sharedStrings.xml"), _PARSER)
        except KeyError:
            root = None
        self.items = [] if root is None else list(root.iterchildren(_q("si")))

    def __getitem__(self, i: int) -> str | None:
        if not 0 <= i < len(self.items):
            return None
        # Text runs only: phonetic guides (rPh) are not part of the cell's value.
        rph = _q("rPh")
        return "".join(
            t.text or "" for t in self.items[i].iter(_q("t")) if t.getparent().tag != rph
        )


class _Sheet:
    """The rows of one worksheet XML, addressable by 1-based row and column numbers."""

    def __init__(self, data: bytes, strings: _SharedStrings) -> None:
        self.root = etree.fromstring(data, _PARSER)
        self.strings = strings
        self.data = self.root.find(_q("sheetData"))
        if self.data is None:
            raise ValueError("worksheet without sheetData")
        self.rows: dict[int, Any] = {}
        self.max_col = 0
        self.new_widths: dict[int, float] = {}
        r = 0
        tag = _q("c")
        for row in self.data.iterchildren(_q("row")):
            r = int(row.get("r") or r + 1)
            self.rows[r] = row
            # Cells are in column order: the last one tells how wide the row is.
            last = row[-1] if len(row) else None
            if last is not None and last.tag == tag and last.get("r"):
                self.max_col = max(self.max_col, _col_index(last.get("r")))
            else:
                self.max_col = max(self.max_col, max(self.cells(r), default=0))

    def cells(self, r: int, upto: int | None = None) -> dict[int, Any]:
        """Cells of row `r` by column number (stopping after column `upto` when given)."""
        row = self.rows.get(r)
        out: dict[int, Any] = {}
        if row is None:
            return out
        c = 0
        for cell in row.iterchildren(_q("c")):
            c = _col_index(cell.get("r")) if cell.get("r") else c + 1
            if upto is not None and c > upto:
                break
            out[c] = cell
        return out

    def text(self, cell: Any) -> str | None:
        kind = cell.get("t")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(_q("t")))
        v = cell.find(_q("v"))
        if v is None or v.text is None:
            return None
        if kind == "s":
            return self.strings[int(v.text)]
        if kind in (None, "n"):
            try:
                f = float(v.text)
            except ValueError:
                return v.text
            return str(int(f)) if f.is_integer() else v.text
        return v.text

    def set_cell(self, r: int, c: int, value: Any, style: str | None = None) -> None:
        row = self.rows.get(r)
        if row is None:
            row = etree.Element(_q("row"), r=str(r))
            later = [k for k in self.rows if k > r]
            if later:
                self.rows[min(later)].addprevious(row)
            else:
                self.data.append(row)
            self.rows[r] = row
        cell = etree.Element(_q("c"), r=f"{_col_letter(c)}{r}")
        if style:
            cell.set("s", style)
        if isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int | float):
            etree.SubElement(cell, _q("v")).text = repr(value)
        else:
            cell.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(cell, _q("is")), _q("t"))
            t.text = clean_text(str(value))
            if t.text != t.text.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        last = row[-1] if len(row) else None
        # The usual case: the new cell goes right of the row's last cell.
        if last is not None and last.tag == _q("c") and _col_index(last.get("r") or "") < c:
            last.addnext(cell)
            return
        existing = self.cells(r)
        if c in existing:
            existing[c].addprevious(cell)
            row.remove(existing[c])
            return
        before = [k for k in existing if k < c]
        if before:
            existing[max(before)].addnext(cell)
        else:
            row.insert(0, cell)

    def finish(self, last_col: int, widths: dict[int, float]) -> bytes:
        dim = self.root.find(_q("dimension"))
        if dim is not None and self.rows:
            dim.set("ref", f"A{min(self.rows)}:{_col_letter(last_col)}{max(self.rows)}")
        spans = {}
        for row in self.rows.values():
            if row.get("spans"):
                spans[row] = row.get("spans")
        for row, span in spans.items():  # spans are an optional hint; widen them to fit
            first, _, last = span.partition(":")
            if last.isdigit() and int(last) < last_col:
                row.set("spans", f"{first}:{last_col}")
        self._widths(widths)
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _widths(self, widths: dict[int, float]) -> None:
        cols = self.root.find(_q("cols"))
        if cols is None:
            cols = etree.Element(_q("cols"))
            self.data.addprevious(cols)
        taken = [(int(c.get("min", 0)), int(c.get("max", 0))) for c in cols.iterchildren(_q("col"))]
        for c, width in widths.items():
            if any(lo <= c <= hi for lo, hi in taken):
                continue
            etree.SubElement(
                cols, _q("col"), min=str(c), max=str(c), width=str(width), customWidth="1"
            )
        if len(cols) == 0:
            self.root.remove(cols)


def _locate(sheet: _Sheet, headers: set[str], first_data_row: int) -> tuple[int, dict[str, int]]:
    """The header row (most known header texts above the data) and header -> column."""
    best, best_hits = 0, 0
    for r in sorted(k for k in sheet.rows if k < first_data_row):
        hits = sum(1 for cell in sheet.cells(r).values() if _norm(sheet.text(cell)) in headers)
        if hits > best_hits:
            best, best_hits = r, hits
    if not best:
        return 0, {}
    columns = {}
    for c, cell in sheet.cells(best).items():
        text = sheet.text(cell)
        if text is not None:
            columns.setdefault(_norm(text), c)
    return best, columns


def _norm(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split()).casefold()


def write_scored_copy(assessment: Any, customer: str | Path, dest: str | Path) -> Path:
    """Copy `customer` to `dest` with advisor's columns on the server sheet; return `dest`."""
    customer, dest = Path(customer), Path(dest)
    if customer.resolve() == dest.resolve():
        raise InputError(f"{dest}: the scored copy must not overwrite the customer's workbook")
    src = assessment.inventory.source
    if not src.tabs_read:
        raise InputError(f"{src.path}: the import recorded no server sheet to annotate")
    tab = src.tabs_read[0]
    try:
        zf = zipfile.ZipFile(customer)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{customer}: --into needs an .xlsx or .xlsm workbook ({exc}); save it as .xlsx first"
        ) from exc
    with zf:
        try:
            parts = sheet_parts(zf)
            strings = _SharedStrings(zf)
        except (KeyError, etree.XMLSyntaxError) as exc:
            raise InputError(f"{customer}: not a readable .xlsx workbook ({exc})") from exc
        names = [tab] if tab in parts else list(parts)
        if not names:
            raise InputError(f"{customer}: the workbook has no sheets")
        failures = []
        for name in names:
            try:
                sheet = _Sheet(zf.read(parts[name]), strings)
            except (KeyError, ValueError, etree.XMLSyntaxError) as exc:
                failures.append(f"sheet '{name}' cannot be read ({exc})")
                continue
            problem = _annotate(sheet, assessment, tab)
            if problem is None:
                data = sheet.finish(sheet.max_col, sheet.new_widths)
                _copy(zf, customer, dest, parts[name], data)
                return dest
            failures.append(f"sheet '{name}': {problem}")
    raise InputError(
        f"{customer}: is not the workbook {src.path} was read from ({failures[0]}); --into "
        "needs the customer's workbook the inventory was imported from"
    )


def _values(assessment: Any) -> pd.DataFrame:
    """The four cells per server read, by server id: in-scope servers with their verdict,
    out-of-scope ones with "out of scope" and the reason (they have no score)."""
    servers = assessment.servers
    scored = pd.DataFrame(
        {
            "name": servers["name"],
            "score": servers["score"].astype(int).astype(object),
            "readiness": servers["readiness"].map(lambda v: READINESS_LABELS.get(v, v)),
            "disposition": servers["disposition"],
            "top_finding": servers["top_finding"].astype(object),
        },
        index=servers.index,
    )
    out = assessment.out_of_scope
    left_out = pd.DataFrame(
        {
            "name": out["name"],
            "score": None,
            "readiness": OUT_OF_SCOPE,
            "disposition": None,
            "top_finding": (out["category"] + ": " + out["reason"]).astype(object),
        },
        index=out.index,
    )
    return pd.concat([scored, left_out])


def _annotate(sheet: _Sheet, assessment: Any, tab: str) -> str | None:
    """Add the four columns in place; return why this sheet does not match, or None."""
    src = assessment.inventory.source
    servers = _values(assessment)
    inv = assessment.inventory.servers
    rows = inv.set_index("id")["source_row"].reindex(servers.index)
    if rows.isna().any() or len(rows) == 0:
        return "the inventory has servers without a source row"
    rows = rows.astype(int)
    headers = {_norm(m.header) for m in src.mapping if m.sheet == tab and m.header}
    name_header = next(
        (m.header for m in src.mapping if m.sheet == tab and m.column == "name"), None
    )
    header_row, columns = _locate(sheet, headers, int(rows.min()))
    if not header_row or _norm(name_header) not in columns:
        return f"no header row with the server name column '{name_header}'"
    name_col = columns[_norm(name_header)]
    for r, expected in zip(rows.tolist(), servers["name"].tolist(), strict=True):
        cell = sheet.cells(r, upto=name_col).get(name_col)
        found = sheet.text(cell) if cell is not None else None
        if found is None or _norm(found) != _norm(expected):
            return f"row {r} holds {found!r} where the inventory has {expected!r}"
    start = sheet.max_col + 1
    # Scored before: advisor's columns are overwritten where they are, not added again.
    free = iter(range(start, start + len(HEADERS)))
    targets = [columns.get(h) or next(free) for h in HEADERS]
    style = _header_style(sheet, header_row)
    for c, text in zip(targets, HEADERS, strict=True):
        sheet.set_cell(header_row, c, text, style)
    columns_out = [
        servers[key].to_numpy(dtype=object, na_value=None).tolist()
        for key in ("score", "readiness", "disposition", "top_finding")
    ]
    for i, r in enumerate(rows.tolist()):
        for c, values in zip(targets, columns_out, strict=True):
            sheet.set_cell(r, c, values[i])
    sheet.max_col = max(sheet.max_col, *targets)
    sheet.new_widths = dict(zip(targets, WIDTHS, strict=True))
    _widen_filter(sheet, header_row, max(targets))
    return None


def _header_style(sheet: _Sheet, header_row: int) -> str | None:
    """The style (font, fill, border, alignment, all in one style id) the new header cells
    take: that of the customer's last styled header cell, else the header row's own style.
    A header whose last cells are unstyled (a title typed beyond the styled ones) still
    gets the look of the styled ones."""
    cells = sheet.cells(header_row)
    for c in sorted(cells, reverse=True):
        if cells[c].get("s") not in (None, "0") and sheet.text(cells[c]) is not None:
            return cells[c].get("s")
    row = sheet.rows.get(header_row)
    if row is not None and row.get("customFormat") in ("1", "true") and row.get("s"):
        return row.get("s")
    return None


def _widen_filter(sheet: _Sheet, header_row: int, last_col: int) -> None:
    """An autofilter on the header row is widened to take in advisor's columns, so that
    the customer can filter on the score like on any of their own columns."""
    auto = sheet.root.find(_q("autoFilter"))
    ref = auto.get("ref") if auto is not None else None
    if not ref or ":" not in ref:
        return
    first, last = ref.split(":")
    top = int(first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)
    if top != header_row or _col_index(last) >= last_col:
        return
    bottom = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    auto.set("ref", f"{first}:{_col_letter(last_col)}{bottom}")


def _copy(zf: zipfile.ZipFile, customer: Path, dest: Path, part: str, data: bytes) -> None:
    """Write the copy under a temporary name beside `dest`, renamed over it when complete:
    a stopped run leaves the previous copy (or none), never half a workbook."""
    try:
        with replacing(dest) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                out.writestr(info, data if info.filename == part else zf.read(info.filename))
    except OSError as exc:
        raise InputError(f"{dest}: cannot write the scored copy ({exc.strerror or exc})") from exc
