"""advisor's own inventory template: a blank workbook to hand to a customer, and its reader.

The workbook has a README sheet (what to fill and how), a Servers sheet with one column per
canonical field (its description as a header comment, dropdowns where values are fixed) and
nothing else to guess. Reading it needs no aliases: headers are the canonical names.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from advisor.errors import InputError
from advisor.inventory.fields import Field, kind_of
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable
from advisor.inventory.schema import SERVER_COLUMNS, Inventory, Source, conform
from advisor.inventory.tabular import read_servers

#: Text in README!A1 that marks a workbook as advisor's template.
MARKER = "advisor inventory template"
SHEET = "Servers"
#: Columns advisor fills itself; the template does not ask for them.
_DERIVED = {"id", "duplicate_name", "source_sheet", "source_row", "site"}
TEMPLATE_COLUMNS = tuple(c for c in SERVER_COLUMNS if c.name not in _DERIVED) + tuple(
    c for c in SERVER_COLUMNS if c.name == "site"
)
REQUIRED = ("name",)
_ROWS = 2000  # rows covered by dropdown validation


def template_fields() -> tuple[Field, ...]:
    """Fields of the template: each canonical name is its own alias."""
    fields = []
    for c in TEMPLATE_COLUMNS:
        unit = "gib" if c.unit == "GiB" else None
        fields.append(Field(c.name, (header_key(c.name).key,), kind_of(c.name), unit=unit))
    return tuple(fields)


def write_template(path: Path) -> None:
    """Write the blank template workbook to `path`."""
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme["A1"] = MARKER
    readme["A1"].font = Font(bold=True, size=14)
    lines = [
        "Fill one row per server on the Servers sheet; leave a cell empty when you do not know.",
        "Sizes and memory are in GiB. Yes/no columns take TRUE or FALSE.",
        "Only 'name' is required; every other column you fill makes the assessment sharper.",
        "Columns with a fixed set of values offer a dropdown.",
        "Read it with: advisor inspect FILE.xlsx  (or advisor assess FILE.xlsx)",
        "",
    ]
    for i, line in enumerate(lines, start=2):
        readme.cell(row=i, column=1, value=line)
    start = len(lines) + 2
    for j, head in enumerate(("column", "unit", "meaning", "allowed values"), start=1):
        cell = readme.cell(row=start, column=j, value=head)
        cell.font = Font(bold=True)
    for i, c in enumerate(TEMPLATE_COLUMNS, start=start + 1):
        readme.cell(row=i, column=1, value=c.name)
        readme.cell(row=i, column=2, value=c.unit)
        readme.cell(row=i, column=3, value=c.description)
        readme.cell(row=i, column=4, value=", ".join(_choices(c)))
    for col, width in zip("ABCD", (20, 10, 70, 40), strict=True):
        readme.column_dimensions[col].width = width

    ws = wb.create_sheet(SHEET)
    fill = PatternFill("solid", fgColor="0B6E4F")
    for j, c in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=c.name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        note = c.description + (f" Unit: {c.unit}." if c.unit else "")
        cell.comment = Comment(note + (" Required." if c.name in REQUIRED else ""), "advisor")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(12, len(c.name) + 4)
        choices = _choices(c)
        if choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            dv.error = f"{c.name}: choose one of {', '.join(choices)}"
            dv.add(f"{letter}2:{letter}{_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    wb.active = 1
    try:
        wb.save(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the template ({exc.strerror or exc})") from exc


def _choices(c) -> tuple[str, ...]:
    if c.dtype == "boolean":
        return ("TRUE", "FALSE")
    return c.choices


def is_template_workbook(first_cell: object) -> bool:
    return str(first_cell or "").strip().lower() == MARKER


def read_template(table: RawTable, source: Source) -> Inventory:
    """Servers from the template's Servers sheet."""
    servers, _ = read_servers(table, template_fields(), source, "template")
    return Inventory(servers=conform("servers", servers), source=source)
