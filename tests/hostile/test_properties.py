"""Properties of import and assessment over random hostile inventories (issue 9).

The example-based hostile cases pin down inputs someone thought of; these properties let
Hypothesis combine what nobody did: markup, formulas, HTML, control characters, NaN and
huge numbers, dates, blanks, duplicate and missing headers, title lines, ragged rows and
extra sheets, in a generic workbook, a CSV with any delimiter and an RVTools workbook.
Whatever comes in, advisor either refuses it with one line (`InputError`) or accounts for
every server row, and what it writes stays inert: strict JSON, no formula made from
inventory text, no script and no network fetch in the HTML.

Runs are derandomized (the same examples every time, so CI is deterministic) and small
(40 imports, 10 full assessments), so the file takes well under a minute on the
two-core CI machine (35 s of CPU; under a minute with the machine shared). A failure prints
the minimal case. Bugs found and not fixed yet are listed in KNOWN_BUGS / KNOWN_MISREADS,
which make the properties skip examples that hit them, and pinned by xfail tests at the end:
when a fix lands, the xfail test passes and its entry goes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import traceback
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from builders import VINFO_4X, vinfo_row
from hypothesis import HealthCheck, event, given, reject, settings
from rich.console import Console
from strategies import Case, Format, cases, write_case

from advisor.assess_view import render_summary
from advisor.engine.assess import Assessment, assess
from advisor.errors import InputError
from advisor.inspect_view import render_inspect
from advisor.inventory import Inventory, load_inventory
from advisor.inventory.summary import inspect_summary
from advisor.profile import default_profile
from advisor.report.html_report import interactive_assets, model_html
from advisor.report.json_report import write_json
from advisor.report.model import build_report_model
from advisor.report.xlsx_report import write_xlsx
from advisor.scope import Scope, decide_scope

PROFILE = default_profile()
REPORT_DATE = dt.date(2026, 12, 3)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
#: Leading characters that make a spreadsheet run typed text as a formula.
FORMULA_LEAD = ("=", "+", "-", "@")
#: Attributes that make a browser or WeasyPrint fetch what they name. Links (<a href>) are
#: not fetched, and rule references are links to their sources.
FETCHING_ATTRS = {"src", "srcset", "poster", "background", "data", "action", "formaction"}
#: A URL that leaves the file: a scheme with a network location, or protocol-relative.
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
#: CSS that fetches: url(...) to an external address, or @import.
CSS_FETCH = re.compile(r"url\(\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//|@import", re.IGNORECASE)


class _Fetches(HTMLParser):
    """Collects what the rendered page would fetch: real tags' attributes and CSS, not the
    escaped text of a cell that merely mentions `src=http://...`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetches: list[str] = []
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in FETCHING_ATTRS and any(EXTERNAL.match(v) for v in value.split(",")):
                self.fetches.append(f"<{tag} {name}={value!r}>")
            if tag == "link" and name == "href" and EXTERNAL.match(value):
                self.fetches.append(f"<link href={value!r}>")
            if name == "style" and CSS_FETCH.search(value):
                self.fetches.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        hit = CSS_FETCH.search(data) if self._in_style else None
        if hit:
            self.fetches.append(f"<style>{hit.group(0)}")


# --- known bugs ---------------------------------------------------------------------------

#: Bugs these properties found that are not fixed yet. An example that hits one is discarded
#: (and counted in the statistics) so the property keeps looking for new bugs; each is pinned
#: by an xfail test at the end of this file. Remove the entry when its xfail test passes.
#:
#: Crashes: (exception type name, file and function it escapes from, what is wrong).
KNOWN_BUGS: tuple[tuple[str, str, str], ...] = ()


#: Misreads: (what the import notes, file and function at fault, what is wrong).
KNOWN_MISREADS: tuple[tuple[str, str, str], ...] = ()


def known_misread(inv: Inventory, case: Case) -> str | None:
    """The KNOWN_MISREADS entry an import that succeeded shows. The test's CSV writer quotes
    every cell, so any repair of an unbalanced quote in its files is a misread."""
    if case.fmt != "generic-csv":
        return None
    for note, _place, what in KNOWN_MISREADS:
        if any(note in n for n in inv.source.notes):
            return what
    return None


def known_bug(exc: BaseException) -> str | None:
    """The KNOWN_BUGS entry `exc` is, judged by its type and the advisor function it
    escaped from (the innermost advisor frame), or None for anything new."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/advisor/" in f.filename]
    if not frames:
        return None
    innermost = frames[-1]
    where = f"advisor/{innermost.filename.rsplit('/advisor/', 1)[1]}:{innermost.name}"
    for name, place, what in KNOWN_BUGS:
        if type(exc).__name__ == name and where == place:
            return what
    return None


def load_or_refuse(path: Path, case: Case) -> Inventory | None:
    """The imported inventory, or None when the import refused the file with one line.
    A known bug discards the example; anything else fails the property."""
    try:
        inv = load_inventory(path)
    except InputError as exc:
        assert_one_line(exc)
        event("refused with InputError")
        return None
    except Exception as exc:
        if known_bug(exc) is None:
            raise
        event(f"known bug: {type(exc).__name__}")
        reject()
    if known_misread(inv, case) is not None:
        event("known bug: CSV misread as an unbalanced quote")
        reject()
    return inv


# --- checks, each a contract of DESIGN.md ---------------------------------------------------


def assert_one_line(exc: InputError) -> None:
    """Bad input is explained on exactly one, non-empty line (the CLI prints it as is)."""
    message = str(exc)
    assert message.strip(), "InputError without a message"
    assert len(message.splitlines()) == 1, f"InputError over several lines: {message!r}"


def assert_accounted(inv: Inventory, scope: Scope, case: Case) -> None:
    """servers read = in scope + out of scope + rejected, from the public numbers (not
    `Scope.check`, so this fails on its own if the check is wrong)."""
    read = inv.source.servers_read
    rejected = len(inv.source.rejected_rows)
    in_scope, out_of_scope = len(scope.in_scope), len(scope.excluded)
    assert read == len(inv.servers) + rejected, (read, len(inv.servers), rejected)
    assert read == in_scope + out_of_scope + rejected, (read, in_scope, out_of_scope, rejected)
    summary = scope.summary(inv)
    assert summary["servers_read"] == (
        summary["in_scope"] + summary["out_of_scope"] + summary["rejected"]
    ), summary
    assert read <= case.data_rows(), f"{read} servers read from {case.data_rows()} rows"
    ids = inv.servers["id"]
    assert ids.notna().all(), "a server without an id"
    assert ids.is_unique, f"duplicate server ids: {sorted(ids[ids.duplicated()])[:5]}"


def finite_everywhere(value: Any, where: str = "$") -> Iterator[str]:
    """Paths of NaN or infinite floats anywhere in a JSON-like structure."""
    if isinstance(value, float) and not math.isfinite(value):
        yield where
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from finite_everywhere(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from finite_everywhere(v, f"{where}[{i}]")


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"assessment.json holds {name}, which strict JSON parsers refuse")


def assert_strict_json(path: Path) -> dict[str, Any]:
    """assessment.json parses with a strict parser: no NaN, Infinity or -Infinity."""
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    assert isinstance(data, dict)
    return data


def assert_no_formula_from_inventory(path: Path, case: Case) -> None:
    """No cell of the workbook is a formula made of inventory text, and inventory text that
    looks like a formula is stored as text."""
    risky = {t.strip() for t in case.texts() if t.strip().startswith(FORMULA_LEAD)}
    risky = {t for t in risky if len(t) >= 3}  # "-1" could be part of any formula
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    text = str(value)
                    leaked = [t for t in risky if t in text]
                    assert not leaked, (
                        f"{ws.title}!{cell.coordinate} is the formula {text!r} made from "
                        f"inventory text {leaked[0]!r}"
                    )
                elif isinstance(value, str) and value.strip() in risky:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.data_type)


def assert_inert_html(html: str, case: Case) -> None:
    """The report runs no script but its own table script (reports/interactive.js, inline,
    at most once) and fetches nothing from the network, whatever the data says; inventory
    markup shows as text."""
    own = f"<script>\n{interactive_assets()[1]}\n</script>"
    assert html.count(own) <= 1, "the table script is in the page more than once"
    html = html.replace(own, "")
    assert "<script" not in html.lower(), _around(html.lower(), "<script")
    parser = _Fetches()
    parser.feed(html)
    parser.close()
    assert parser.scripts == 0, "the report has a <script> element"
    assert not parser.fetches, f"the report fetches from the network: {parser.fetches[:3]}"
    raw = [t for t in case.texts() if "<" in t and len(t.strip()) >= 8 and t in html]
    assert not raw, f"inventory markup reached the HTML unescaped: {raw[0]!r}"


def _around(text: str, needle: str, width: int = 120) -> str:
    i = text.find(needle)
    return text[max(0, i - width) : i + width]


def _console() -> Console:
    return Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)


# --- the properties -------------------------------------------------------------------------


@settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=SLOW
)
@given(case=cases())
def test_import_refuses_in_one_line_or_accounts_for_every_row(case: Case) -> None:
    """Import either raises InputError with one line or reads the file, and then every
    server row is in scope, out of scope or rejected; `inspect` shows it on a terminal and
    as JSON without a NaN."""
    with tempfile.TemporaryDirectory() as tmp:
        inv = load_or_refuse(write_case(case, Path(tmp)), case)
    if inv is None:
        return
    assert_accounted(inv, decide_scope(inv, PROFILE), case)
    summary = inspect_summary(inv)
    bad = list(finite_everywhere(summary))
    assert not bad, f"inspect --json would write NaN or Infinity at {bad[:3]}"
    render_inspect(summary, _console(), show_all=True)


@settings(
    max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=SLOW
)
@given(case=cases(plausible_only=True))
def test_assessment_outputs_are_inert(case: Case) -> None:
    """A hostile inventory that imports is assessed, and its JSON, workbook, HTML and
    terminal summary carry the hostile text as inert data."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inv = load_or_refuse(write_case(case, folder), case)
        if inv is None:
            return
        result: Assessment = assess(inv, PROFILE)
        assert_accounted(inv, result.scope, case)
        out = folder / "out"
        data = assert_strict_json(write_json(result, out))
        assert data["input"]["servers_read"] == inv.source.servers_read
        assert len(data["servers"]) == len(inv.servers)
        assert_no_formula_from_inventory(write_xlsx(result, out / "assessment.xlsx"), case)
        model = build_report_model(result, date=REPORT_DATE)
        assert_inert_html(model_html(model), case)
        render_summary(result, _console(), [])


# --- the minimal examples of bugs these properties found (fixed; kept as regressions) ------


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("rvtools-xlsx", "1/1/0001 12:00:00 AM"),
        ("generic-xlsx", dt.datetime(9999, 12, 31)),
        ("generic-csv", "1,024"),
    ],
)
def test_out_of_range_date_reads_as_unknown(fmt: Format, value: object, tmp_path: Path) -> None:
    """A creation date pandas cannot hold in nanoseconds is unknown, not a crash (exit 3)."""
    if fmt == "rvtools-xlsx":
        sheets = {"vInfo": [VINFO_4X, vinfo_row("vm1", **{"Creation date": value})]}
    else:
        sheets = {"Servers": [["Name", "CPU", "Created"], ["srv-01", 2, value]]}
    case = Case(fmt, sheets)
    inv = load_inventory(write_case(case, tmp_path))
    assert len(inv.servers) == 1
    assert pd.isna(inv.servers["created"].iloc[0])


def test_quoted_line_break_in_a_wide_row_is_one_cell(tmp_path: Path) -> None:
    """RFC 4180: a quoted cell may hold a line break. Here the data row has more cells than
    the header; the import must still read two servers, not a third named 'y"'."""
    path = tmp_path / "servers.csv"
    path.write_bytes(b'"Server","CPU"\r\n"a","0","x\ny",""\r\n"b","0"\r\n')
    inv = load_inventory(path)
    assert inv.servers["name"].tolist() == ["a", "b"]
    assert not [n for n in inv.source.notes if "unbalanced quote" in n]


# --- the checks themselves catch what they look for -----------------------------------------


def test_checks_catch_a_formula_a_fetch_a_script_and_nan(tmp_path: Path) -> None:
    """A property whose check never fires proves nothing: each check fails on the thing it
    is there to find."""
    case = Case("generic-csv", {"s": [["Name"], ['=HYPERLINK("http://x","a")'], ["<b>bold</b>"]]})
    wb = openpyxl.Workbook()
    wb.active["A1"] = '=HYPERLINK("http://x","a")'  # openpyxl stores it as a live formula
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(AssertionError, match="formula"):
        assert_no_formula_from_inventory(tmp_path / "f.xlsx", case)
    for html in (
        '<p><img src="https://evil.example/x.png"></p>',
        "<p><script>alert(1)</script></p>",
        '<style>@import "x.css";</style>',
        "<td><b>bold</b></td>",
    ):
        with pytest.raises(AssertionError):
            assert_inert_html(html, case)
    assert_inert_html('<p>&lt;img src="https://evil.example/x.png"&gt;</p>', case)
    (tmp_path / "a.json").write_text('{"score": NaN}', encoding="utf-8")
    with pytest.raises(AssertionError, match="NaN"):
        assert_strict_json(tmp_path / "a.json")
