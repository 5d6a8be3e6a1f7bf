"""The Settings sheet: every weight the server scores depend on, in named cells.

The Servers sheet computes score, readiness, disposition and effort with formulas that read
these cells by their defined names (`penalty_high`, `readiness_blocker`, ...), so a
consultant who changes one sees every server's verdict follow in Excel or LibreOffice.

Two kinds of settings: the profile's (`scoring.penalties`, `base_effort_hours`,
`decommission_hours`), written as the run used them, and advisor's fixed readiness rule
(a failed blocker makes a server not ready, a failed high or medium finding conditional),
written as one effect per severity so that it can be tried otherwise in the workbook; the
profile has no setting for it, so the JSON and the PDF always follow advisor's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from advisor.engine.rules import SEVERITIES
from advisor.report.xlsx_sheets import BLUE, Col, Table, colour_rows_when, table_sheet

TITLE = "Settings"
#: What a failed finding of each severity does to readiness (advisor's rule).
READINESS_EFFECT = {
    "blocker": "not ready",
    "high": "conditional",
    "medium": "conditional",
    "low": "ready",
    "info": "ready",
}
EFFECTS = ("ready", "conditional", "not ready")

SETTING_COLS: tuple[Col, ...] = (
    Col("label", "Setting", 46),
    Col("value", "Value", 14),
    Col("name", "Name in formulas", 22),
    Col("origin", "Comes from", 26),
    Col("meaning", "What it does", 90),
)


@dataclass(frozen=True)
class Settings:
    """The defined names of the settings, for the formulas of other sheets."""

    penalty: dict[str, str]  # severity -> defined name
    readiness: dict[str, str]  # severity -> defined name
    base_effort: str
    decommission: str


def penalty_name(severity: str) -> str:
    return f"penalty_{severity}"


def readiness_name(severity: str) -> str:
    return f"readiness_{severity}"


NAMES = Settings(
    penalty={s: penalty_name(s) for s in SEVERITIES},
    readiness={s: readiness_name(s) for s in SEVERITIES},
    base_effort="base_effort_hours",
    decommission="decommission_hours",
)


def settings_frame(profile: Any) -> pd.DataFrame:
    """One row per setting, worst severity first."""
    scoring = profile.scoring
    penalties = scoring.penalties.model_dump()
    rows: list[dict[str, Any]] = []
    for s in reversed(SEVERITIES):
        rows.append(
            {
                "label": f"Points lost per failed {s} finding",
                "value": penalties[s],
                "name": NAMES.penalty[s],
                "origin": f"profile: scoring.penalties.{s}",
                "meaning": "Score = 100 minus these points for every failed finding that is "
                "not accepted, never below 0.",
            }
        )
    for s in reversed(SEVERITIES):
        rows.append(
            {
                "label": f"Readiness when a {s} finding fails",
                "value": READINESS_EFFECT[s],
                "name": NAMES.readiness[s],
                "origin": "advisor's readiness rule",
                "meaning": "The worst effect among a server's failed, not accepted findings "
                "decides: not ready, else conditional, else unknown when a blocker rule could "
                "not be decided, else ready. Try another effect here; the JSON and the PDF "
                "keep advisor's rule.",
            }
        )
    rows.append(
        {
            "label": "Base effort per server (h)",
            "value": float(scoring.base_effort_hours),
            "name": NAMES.base_effort,
            "origin": "profile: scoring.base_effort_hours",
            "meaning": "Effort h = this plus the hours of each failed, not accepted finding.",
        }
    )
    rows.append(
        {
            "label": "Effort of a server to retire (h)",
            "value": float(scoring.decommission_hours),
            "name": NAMES.decommission,
            "origin": "profile: scoring.decommission_hours",
            "meaning": "A server whose disposition is retire carries only this effort.",
        }
    )
    frame = pd.DataFrame(rows, columns=[c.key for c in SETTING_COLS])
    frame["value"] = frame["value"].astype(object)
    return frame


def write_settings(wb: Any, profile: Any) -> Table:
    """The Settings sheet, each value cell named for the formulas (see module doc)."""
    frame = settings_frame(profile)
    note = (
        "The weights behind the Servers sheet's Score, Readiness, Disposition and Effort h, "
        "which are formulas over the Findings sheet: change a value here, or mark a finding "
        "accepted (Findings, column Accepted), and they are recomputed. Disposition is the "
        "strongest suggestion of the failed, not accepted findings: retire > retain > "
        "refactor > replatform > rehost. The values written are the assessment's; the JSON "
        "and the PDF show the assessment as run."
    )
    t = table_sheet(wb, TITLE, note, SETTING_COLS, frame, freeze_cols=1)
    value = t.column("value")
    for i, name in enumerate(frame["name"]):
        ref = f"'{TITLE}'!${value}${t.first_row + i}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    rows = frame.index[frame["name"].str.startswith("readiness_")]
    first, last = t.first_row + rows.min(), t.first_row + rows.max()
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(EFFECTS) + '"',
        allow_blank=False,
        showErrorMessage=True,
        showInputMessage=True,
    )
    choice.error = "Choose ready, conditional or not ready."
    choice.add(f"{value}{first}:{value}{last}")
    t.ws.data_validations.append(choice)
    numbers = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    numbers.error = "A number of 0 or more."
    numbers.add(f"{value}{t.first_row}:{value}{first - 1}")
    numbers.add(f"{value}{last + 1}:{value}{t.last_row}")
    t.ws.data_validations.append(numbers)
    # The value column is the one to edit: the only cells the formulas read.
    colour_rows_when(t.ws, f"{value}{t.first_row}:{value}{t.last_row}", "TRUE", BLUE)
    return t


__all__ = ["NAMES", "READINESS_EFFECT", "Settings", "settings_frame", "write_settings"]
