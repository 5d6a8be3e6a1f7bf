"""Scores that recompute: the Servers sheet's verdict columns as formulas over Findings.

The formulas are advisor's scoring (`advisor.engine.scoring`) written for a spreadsheet:

- Blocker .. Info: failed findings of the server with that severity that are not accepted,
  counted on the Findings sheet (COUNTIFS on the server number, severity, status, accepted).
- Score: 100 minus the points of those counts (Settings: `penalty_<severity>`), never
  below 0, rounded to a whole number.
- Readiness: the worst effect of the failed severities (Settings: `readiness_<severity>`),
  else unknown when a blocker rule could not be decided, else ready.
- Disposition: the strongest suggestion (Findings, column Suggests) of the failed, not
  accepted findings: retire > retain > refactor > replatform > rehost.
- Effort h: `base_effort_hours` plus the Effort h of the server's findings (each a formula:
  its rule's hours while failed and not accepted, else 0); a server to retire carries
  `decommission_hours` only. Rounded to 0.1 h.
- Accepted, Unknown and Blocker unknown follow the Accepted column too. Undecided outcomes
  are not listed on Findings unless the customer accepted them, so Unknown is the count of
  the unlisted ones plus the listed ones switched back to not accepted (written as plain
  numbers when Findings lists no undecided outcome: nothing could change them).

Servers and findings are matched by a server number (Servers and Findings, column Server
no.), not by name: names repeat in real estates, and a number matches exactly where a
name could act as a wildcard pattern. Ranges cover the Findings rows written, so sorting
or filtering either sheet keeps every formula right.

What stays a value: confidence (it depends on the facts, not on findings) and the most
severe finding's text (as assessed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from advisor.engine.rules import SEVERITIES
from advisor.report.xlsx_formulas import RowFormulas, sheet_formulas
from advisor.report.xlsx_settings import NAMES
from advisor.report.xlsx_sheets import Col, Table

#: The key column both sheets get when their scores are live.
SERVER_NO = Col("server_no", "Server no.", 10)
#: Servers' hidden helper column: are the server's findings still where they were written?
BLOCK_OK = Col("block_ok", "Findings rows in place", 10, hidden=True)
#: Strongest first: the first that a server's failed findings suggest wins.
DISPOSITIONS = ("retire", "retain", "refactor", "replatform")


def _number(value: float) -> str:
    """A number as formula text, without a trailing '.0'."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


#: Findings columns the formulas read, each a defined name over its data rows.
RANGE_NAMES = {
    "server_no": "findings_server_no",
    "severity": "findings_severity",
    "status": "findings_status",
    "accepted": "findings_accepted",
    "disposition": "findings_suggests",
    "effort_hours": "findings_effort",
}


class _Blocks:
    """Aggregates of one server's findings, as formula templates.

    Findings are written grouped by server, so each server's findings are a block of rows
    whose place is known when writing ({a} to {b} in the templates, filled per row). An
    aggregate reads that block only (fast), after checking that the block still holds all
    of the server's findings (hidden column Findings rows in place: a consultant may have
    sorted Findings); otherwise it reads the whole Findings columns by their defined
    names (slow, but right whatever the order). Excel and LibreOffice evaluate only the
    branch taken, so recalculating costs time in proportion to the findings, not to
    servers times findings."""

    def __init__(self, findings: Table, ok: str) -> None:
        self.letters = {k: findings.column(k) for k in RANGE_NAMES}
        self.ok = ok

    def block(self, key: str) -> str:
        c = self.letters[key]
        return f"Findings!${c}${{a}}:${c}${{b}}"

    def countifs(self, key_ref: str, *criteria: tuple[str, str]) -> str:
        """COUNTIFS over the server's findings matching (column key, condition) pairs."""
        return self._ifs("COUNTIFS", None, key_ref, criteria)

    def sumifs(self, key_ref: str, column: str) -> str:
        return self._ifs("SUMIFS", column, key_ref, ())

    def _ifs(self, fn: str, total: str | None, key_ref: str, criteria) -> str:
        pairs = [("server_no", key_ref), *criteria]

        def call(ref) -> str:
            head = [ref(total)] if total else []
            return f"{fn}(" + ",".join(head + [f"{ref(k)},{v}" for k, v in pairs]) + ")"

        return f"IF({self.ok},{call(self.block)},{call(RANGE_NAMES.get)})"


def _blocks(finding_rows: pd.DataFrame, first_row: int, server_nos: np.ndarray):
    """First and last Findings row of each server's block (in `server_nos` order), and
    whether the server has findings listed at all."""
    rows = pd.DataFrame(
        {"no": finding_rows["server_no"].to_numpy(), "row": np.arange(len(finding_rows))}
    ).dropna()
    grouped = rows.astype({"no": int}).groupby("no")["row"]
    first = (grouped.min() + first_row).reindex(server_nos, fill_value=0).to_numpy()
    last = (grouped.max() + first_row).reindex(server_nos, fill_value=0).to_numpy()
    return first, last, grouped.size().reindex(server_nos, fill_value=0).to_numpy() > 0


def _name_ranges(wb: Any, findings: Table) -> None:
    last = max(findings.last_row, findings.first_row)  # one empty row when there is none
    for key, name in RANGE_NAMES.items():
        c = findings.column(key)
        ref = f"Findings!${c}${findings.first_row}:${c}${last}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def live_scores(
    wb: Any,
    servers: Table,
    server_rows: pd.DataFrame,
    findings: Table,
    finding_rows: pd.DataFrame,
) -> None:
    """Register the formulas of Servers and Findings (see module doc) on `wb`. `servers`
    and `findings` say where the tables go (`Table.planned`: registered before the rows
    are written, the formulas are written with them, see `xlsx_fastrows`); `server_rows`
    and `finding_rows` are the frames written to those sheets, in their order (Findings
    grouped by server). `accepted_choice` adds the Accepted list once Findings is written."""
    _name_ranges(wb, findings)
    s = sheet_formulas(wb, "Servers")
    n, first = servers.last_row - servers.first_row + 1, servers.first_row
    a, b, listed = _blocks(finding_rows, findings.first_row, server_rows["server_no"].to_numpy())

    def col(key: str) -> str:
        return f"${servers.column(key)}{{r}}"

    def put(key: str, template: str, present: Any = listed, **values: Any) -> None:
        """`template` on the rows where `present` (default: the servers with findings
        listed; the others keep their value, which nothing in the workbook can change;
        None: every row), filled with the row, its block and `values`."""
        rows = RowFormulas(template, first, n, values={"a": a, "b": b, **values}, present=present)
        s.column(servers.column(key), first, rows)

    key = col("server_no")
    blocks = _Blocks(findings, col("block_ok"))
    put("block_ok", f"COUNTIF({blocks.block('server_no')},{key})={{k}}", k=b - a + 1)
    failed = (("status", '"fail"'), ("accepted", '"no"'))
    for sev in SEVERITIES:
        put(f"failed_{sev}", blocks.countifs(key, ("severity", f'"{sev}"'), *failed))
    put("accepted", blocks.countifs(key, ("accepted", '"yes"')))
    disposition = '"rehost"'
    for d in reversed(DISPOSITIONS):
        found = blocks.countifs(key, ("disposition", f'"{d}"'), *failed)
        disposition = f'IF({found}>0,"{d}",{disposition})'
    put("disposition", disposition)
    points = "+".join(f"{col(f'failed_{sev}')}*{NAMES.penalty[sev]}" for sev in SEVERITIES)
    put("score", f"ROUND(MAX(0,100-({points})),0)", None)
    put("readiness", _readiness(col), None)
    retire = f'{col("disposition")}="retire"'
    base = f"{NAMES.base_effort}+{blocks.sumifs(key, 'effort_hours')}"
    put("effort_hours", f"ROUND(IF({retire},{NAMES.decommission},{base}),1)")
    alone = f"ROUND(IF({retire},{NAMES.decommission},{NAMES.base_effort}),1)"
    put("effort_hours", alone, ~listed)
    if (finding_rows["status"] == "unknown").any():
        unknown = (("status", '"unknown"'), ("accepted", '"no"'))
        for column, extra in (
            ("unknown_rules", ()),
            ("unknown_blockers", (("severity", '"blocker"'),)),
        ):
            counted = server_rows[column].to_numpy()
            put(column, "{c}+" + blocks.countifs(key, *extra, *unknown), c=counted)
    _findings_effort(wb, findings, finding_rows)


def _readiness(col: Any) -> str:
    """The worst effect of the failed severities, as in `advisor.engine.scoring`."""

    def any_with(test: str) -> str:
        failed = [(col(f"failed_{sev}"), NAMES.readiness[sev]) for sev in reversed(SEVERITIES)]
        return "OR(" + ",".join(f"AND({n}>0,{effect}{test})" for n, effect in failed) + ")"

    not_ready = any_with('="not ready"')
    conditional = any_with('<>"ready"')
    undecided = col("unknown_blockers")
    return (
        f'IF({not_ready},"not ready",'
        f'IF({conditional},"conditional",IF({undecided}>0,"unknown","ready")))'
    )


def _findings_effort(wb: Any, findings: Table, rows: pd.DataFrame) -> None:
    """Each server finding's Effort h: its rule's hours while failed and not accepted.
    Estate rows (first) keep their plain hours."""
    first = _first_server_row(findings, rows)
    if first is None:
        return
    status, accepted = findings.column("status"), findings.column("accepted")
    hours = rows.loc[rows["server_id"].notna().to_numpy(), "rule_hours"].to_numpy()
    formulas = [
        f'IF(AND(${status}{first + i}="fail",${accepted}{first + i}="no"),{_number(h)},0)'
        for i, h in enumerate(hours)
    ]
    sheet_formulas(wb, "Findings").column(findings.column("effort_hours"), first, formulas)


def _first_server_row(findings: Table, rows: pd.DataFrame) -> int | None:
    """The Findings row of the first server finding (estate findings come first); None
    when there is none."""
    servers = rows["server_id"].notna().to_numpy()
    return findings.first_row + int(np.argmax(servers)) if servers.any() else None


def accepted_choice(findings: Table, rows: pd.DataFrame) -> None:
    """The Accepted column of the server findings as a yes/no list (the written sheet's
    `findings`; `rows` the frame written to it, as for `live_scores`)."""
    first = _first_server_row(findings, rows)
    if first is None:
        return
    accepted = findings.column("accepted")
    choice = DataValidation(
        type="list",
        formula1='"yes,no"',
        allow_blank=False,
        showErrorMessage=True,
        showInputMessage=True,
    )
    choice.error = "Accepted is yes or no."
    choice.prompt = "yes: the customer accepts this finding; it no longer costs score or effort."
    choice.add(f"{accepted}{first}:{accepted}{findings.last_row}")
    findings.ws.data_validations.append(choice)


def live_summary(wb: Any, where: Any, servers: Table, findings: Table) -> None:
    """The Summary's counts (readiness, dispositions, failed findings by severity and area,
    mean score, effort, failed and accepted findings) as formulas over Servers and Findings,
    so that they and the charts drawn from them follow the live scores. `where` is
    `xlsx_summary.SummaryRows`."""
    f = RANGE_NAMES
    summary = sheet_formulas(wb, "Summary")
    last = max(servers.last_row, servers.first_row)

    def column(key: str) -> str:
        c = servers.column(key)
        return f"Servers!${c}${servers.first_row}:${c}${last}"

    failed = f'{f["status"]},"fail",{f["accepted"]},"no"'
    area, end = findings.column("area"), max(findings.last_row, findings.first_row)
    areas = f"Findings!${area}${findings.first_row}:${area}${end}"
    for table, formula in (
        ("readiness", f"COUNTIF({column('readiness')},$A{{r}})"),
        ("dispositions", f"COUNTIF({column('disposition')},$A{{r}})"),
        ("severity", f"COUNTIFS({f['severity']},$A{{r}},{failed})"),
        ("areas", f"COUNTIFS({areas},$A{{r}},{failed})"),
    ):
        first, count = where.tables[table]
        summary.column("B", first, RowFormulas(formula, first, count))
        if table in ("readiness", "dispositions") and where.servers:
            shares = RowFormulas(f"$B{{r}}/{where.servers}", first, count)
            summary.column("C", first, shares)
    rows = where.pairs
    if where.servers:
        summary.cell("B", rows["Mean score"], f"ROUND(AVERAGE({column('score')}),1)")
    servers_row = rows["  servers in scope (Servers sheet)"]
    summary.cell("B", servers_row, f"ROUND(SUM({column('effort_hours')}),1)")
    estate_row = rows["  one-off estate work (Estate work sheet)"]
    summary.cell("B", rows["Effort h (total)"], f"ROUND($B{servers_row}+$B{estate_row},1)")
    summary.cell("B", rows["Failed findings"], f"COUNTIFS({failed})")
    summary.cell("B", rows["Accepted findings"], f'COUNTIF({f["accepted"]},"yes")')
