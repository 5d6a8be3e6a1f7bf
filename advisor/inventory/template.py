"""advisor's own inventory template: the workbook a consultant hands to a customer, and its
reader.

The customer sees a README sheet addressed to them (what we need, how to fill it, what each
column means), a Servers sheet with headers in plain words and units ("Memory (GB)"), an
example row, dropdowns where the values are fixed (role, environment, criticality, power
state, firmware, backup method), columns for utilisation and for recovery objectives, and a
Dependencies sheet (source, target, port, service). The headers are spelled so that the
generic importer recognises them too: a customer who copies the Servers sheet into a
workbook of their own still gets every column mapped. RPO and RTO have no canonical column;
they are carried along verbatim as attributes (`attr.RPO (hours)`), like any column the
customer adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from advisor.errors import InputError
from advisor.inventory.fields import Field, kind_of
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable
from advisor.inventory.schema import (
    CRITICALITY,
    ENVIRONMENTS,
    FIRMWARE,
    POWER_STATES,
    SERVER_COLUMNS,
    Inventory,
    Source,
    conform,
)
from advisor.inventory.tabular import read_servers

#: Title in README!A1 that marks a workbook as advisor's template (`detect_format`).
TITLE = "Server inventory for your migration assessment"
#: The title of templates written before the customer-facing README; still recognised.
MARKER = "advisor inventory template"
SHEET = "Servers"
DEPENDENCY_SHEET = "Dependencies"
#: Name of the example server on row 2 of the Servers sheet; a row still carrying it was
#: not filled in and is not read.
EXAMPLE_NAME = "example-erp01"
_ROWS = 2000  # rows covered by dropdown validation

#: What a server's role may be, worded so that advisor's role detection recognises each one
#: (the last two mean "no special role"); customers may type their own words too.
ROLES = (
    "Domain controller",
    "File server",
    "Print server",
    "Database server",
    "Web server",
    "Load balancer",
    "Message queue",
    "Remote desktop server",
    "Telephony (VoIP)",
    "License server",
    "Cluster node",
    "SAP system",
    "Backup server",
    "Application server",
    "Other",
)
#: How a server is backed up, in words the backup facts read: at the hypervisor (does not
#: follow the server), by an agent or the database itself (does), or not at all.
BACKUP_METHODS = (
    "VM image at the hypervisor",
    "Backup agent in the server",
    "Native database dumps",
    "File copy or script",
    "None",
)


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the Servers sheet: its header, the canonical column it fills (None:
    kept as an attribute), what the customer should enter, and an example value."""

    header: str
    column: str | None
    meaning: str
    example: object
    choices: tuple[str, ...] = ()
    #: True: the dropdown only warns, other words may be typed (role, backup method).
    open_choices: bool = False
    width: int = 14


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("Server name", "name", "The server's name as you know it. Required.",
                   EXAMPLE_NAME, width=20),
    TemplateColumn("DNS name", "dns_name", "Fully qualified name, if it has one.",
                   "example-erp01.corp.example.com", width=26),
    TemplateColumn("IP address", "primary_ip", "Main IP address.", "10.1.20.15"),
    TemplateColumn("Site", "site", "Office or location the server serves.", "Head office"),
    TemplateColumn("Datacenter", "datacenter", "Server room or datacenter it runs in.",
                   "HQ server room", width=16),
    TemplateColumn("Role", "role", "What the server does; pick one or type your own.",
                   "Database server", ROLES, open_choices=True, width=18),
    TemplateColumn("Application", "application", "Application or service it belongs to.",
                   "ERP", width=16),
    TemplateColumn("Environment", "environment", "Production, test, development, ...",
                   "production", ENVIRONMENTS),
    TemplateColumn("Criticality", "criticality", "How much the business depends on it.",
                   "high", CRITICALITY),
    TemplateColumn("Owner", "owner", "Person or team responsible for it.", "Finance IT",
                   width=16),
    TemplateColumn("Office users", "users", "How many people in the offices use it.", 120),
    TemplateColumn("Power state", "power_state", "Whether it is running today.", "on",
                   POWER_STATES),
    TemplateColumn("Operating system", "os_name", "Operating system and version.",
                   "Windows Server 2019 Standard", width=26),
    TemplateColumn("Firmware", "firmware", "How it boots: bios or efi (UEFI).", "efi",
                   FIRMWARE),
    TemplateColumn("vCPUs", "vcpus", "Number of virtual (or physical) CPU cores.", 4,
                   width=10),
    TemplateColumn("Memory (GB)", "memory_gib", "Memory in GB.", 16, width=12),
    TemplateColumn("Number of disks", "disk_count", "How many disks it has.", 2, width=12),
    TemplateColumn("Provisioned storage (GB)", "provisioned_gib",
                   "Disk space allocated to it, in GB, all disks together.", 300, width=16),
    TemplateColumn("Used storage (GB)", "used_gib",
                   "Disk space actually used, in GB: what has to be copied.", 180),
    TemplateColumn("Largest disk (GB)", "largest_disk_gib", "Size of its largest disk, in GB.",
                   200),
    TemplateColumn("Network adapters", "nics", "Number of network cards.", 1, width=12),
    TemplateColumn("CPU usage (%)", "cpu_usage_pct",
                   "CPU in use at busy hours, in % of its CPUs (e.g. 35).", 35, width=12),
    TemplateColumn("Memory usage (%)", "memory_usage_pct",
                   "Memory in use at busy hours, in % of its memory (e.g. 60).", 60, width=12),
    TemplateColumn("Backup method", "backup_method",
                   "How it is backed up; pick one or name your tool (e.g. Veeam).",
                   "VM image at the hypervisor", BACKUP_METHODS, open_choices=True, width=24),
    TemplateColumn("RPO (hours)", None,
                   "Recovery point objective: how many hours of data you could afford to "
                   "lose.", 24, width=12),
    TemplateColumn("RTO (hours)", None,
                   "Recovery time objective: how many hours it may be down before it "
                   "hurts the business.", 8, width=12),
    TemplateColumn("Notes", "annotation",
                   "Anything else we should know: licences, special hardware, plans.",
                   "Month-end close runs on the last working day", width=36),
)  # fmt: skip

#: Headers of the Dependencies sheet (read by `advisor.inventory.dependencies`).
DEPENDENCY_HEADERS = (
    ("Source server", "The server that opens the connection."),
    ("Target server", "The server it connects to."),
    ("Port", "Destination port, e.g. 1433."),
    ("Service", "What the connection is for, e.g. SQL Server."),
)

#: The README, addressed to the customer: a line per paragraph.
README_LINES = (
    "This workbook collects what we need to know about your servers to plan their move to "
    "the cloud. Thank you for filling it in.",
    "",
    "How to fill it in",
    "1. On the Servers sheet, write one row per server. Row 2 is an example: overwrite it "
    f"with your first server or delete it (a row still named {EXAMPLE_NAME} is skipped).",
    "2. Only the server name is required. Every other column you fill makes the assessment "
    "more precise. Leave a cell empty when you do not know: an empty cell is better than a "
    "guess.",
    "3. Sizes are in GB and usage in percent. Columns with a fixed list of values offer a "
    "dropdown; for role and backup method you may also type your own words.",
    "4. On the Dependencies sheet, list the connections you know of between your servers: "
    "which server connects to which, on which port and for what (for example, erp-app01 "
    "to erp-db01 on port 1433 for SQL Server). Servers that depend on each other are moved "
    "together.",
    "5. Keep the column headers as they are. You may add columns of your own; they are "
    "carried along as notes.",
    "6. Send the workbook back to your consultant.",
    "",
    "The columns",
)


def template_fields() -> tuple[Field, ...]:
    """Fields of the template: each header in plain words, then each canonical name (the
    headers of templates written before), so old and new templates both read in full."""
    fields = []
    for c in COLUMNS:
        if c.column is None:
            continue
        key = header_key(c.header)
        aliases = tuple(dict.fromkeys((key.key, header_key(c.column).key)))
        fields.append(Field(c.column, aliases, kind_of(c.column), unit=_unit(c.column)))
    named = {c.column for c in COLUMNS}
    for col in SERVER_COLUMNS:
        if col.name not in named and col.name not in _DERIVED:
            fields.append(
                Field(col.name, (header_key(col.name).key,), kind_of(col.name), _unit(col.name))
            )
    return tuple(fields)


#: Columns advisor fills itself; no template asks for them.
_DERIVED = {"id", "duplicate_name", "source_sheet", "source_row"}


def _unit(column: str) -> str | None:
    """A size column's unit when its header names none (GB in this template's headers)."""
    return "gib" if kind_of(column) == "size" else None


def write_template(path: Path) -> None:
    """Write the template workbook to `path` (whole or not at all: a temporary file is
    renamed over it once complete)."""
    from advisor.report.atomic import replacing

    wb = Workbook()
    _readme(wb.active)
    _servers(wb.create_sheet(SHEET))
    _dependencies(wb.create_sheet(DEPENDENCY_SHEET))
    wb.active = 1
    try:
        with replacing(Path(path)) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the template ({exc.strerror or exc})") from exc


_HEAD_FILL = PatternFill("solid", fgColor="0B6E4F")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def _readme(ws) -> None:
    ws.title = "README"
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(README_LINES, start=2):
        cell = ws.cell(row=i, column=1, value=line or None)
        if line in ("How to fill it in", "The columns"):
            cell.font = Font(bold=True, size=12)
    start = len(README_LINES) + 2
    for j, head in enumerate(("Column", "What to enter", "Values", "Example"), start=1):
        ws.cell(row=start, column=j, value=head).font = Font(bold=True)
    for i, c in enumerate(COLUMNS, start=start + 1):
        ws.cell(row=i, column=1, value=c.header)
        ws.cell(row=i, column=2, value=c.meaning)
        values = ", ".join(c.choices) if c.choices else ""
        if c.open_choices:
            values += " (or your own words)"
        ws.cell(row=i, column=3, value=values or None)
        ws.cell(row=i, column=4, value=c.example)
    ws.cell(row=start + len(COLUMNS) + 2, column=1, value="Dependencies sheet").font = Font(
        bold=True
    )
    for i, (header, meaning) in enumerate(DEPENDENCY_HEADERS, start=start + len(COLUMNS) + 3):
        ws.cell(row=i, column=1, value=header)
        ws.cell(row=i, column=2, value=meaning)
    for col, width in zip("ABCD", (26, 70, 44, 30), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, max_row=len(README_LINES) + 1, max_col=1):
        row[0].alignment = Alignment(wrap_text=False)


def _servers(ws) -> None:
    for j, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=c.header)
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cell.comment = Comment(c.meaning, "advisor")
        example = ws.cell(row=2, column=j, value=c.example)
        example.font = _EXAMPLE_FONT
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(c.width, 10)
        if c.choices:
            ws.add_data_validation(_dropdown(c, f"{letter}2:{letter}{_ROWS}"))
    ws.freeze_panes = "B2"


def _dropdown(c: TemplateColumn, cells: str) -> DataValidation:
    """A list of values for `cells`: strict for fixed sets, a warning only where the
    customer may write their own words."""
    dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True)
    if c.open_choices:
        dv.errorStyle = "warning"
        dv.error = f"{c.header}: not in the list. Keep it anyway?"
    else:
        dv.error = f"{c.header}: choose one of {', '.join(c.choices)}"
    dv.errorTitle = c.header
    dv.add(cells)
    return dv


def _dependencies(ws) -> None:
    for j, (header, meaning) in enumerate(DEPENDENCY_HEADERS, start=1):
        cell = ws.cell(row=1, column=j, value=header)
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        cell.comment = Comment(meaning, "advisor")
        ws.column_dimensions[cell.column_letter].width = 22
    ws.freeze_panes = "A2"


def is_template_workbook(first_cell: object) -> bool:
    """True when README!A1 holds the template's title (or that of an older template)."""
    return str(first_cell or "").strip().lower() in (TITLE.lower(), MARKER)


def read_template(table: RawTable, source: Source) -> Inventory:
    """Servers from the template's Servers sheet; the example row, when left as it was,
    is not a server and is skipped with a note."""
    table = _without_example(table, source)
    servers, _ = read_servers(table, template_fields(), source, "template")
    return Inventory(servers=conform("servers", servers), source=source)


def _without_example(table: RawTable, source: Source) -> RawTable:
    """`table` less the rows whose server name is still the example's."""
    name_headers = [h for h in table.headers if header_key(h).key in ("servername", "name")]
    if not name_headers or table.frame.empty:
        return table
    names = table.frame[name_headers[0]].astype("string").str.strip().str.lower()
    example = (names == EXAMPLE_NAME).fillna(False).to_numpy()
    if not example.any():
        return table
    rows = [str(r) for r in table.rows[example]]
    where = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(rows)}"
    source.notes.append(f"{table.name}: the example server {EXAMPLE_NAME} ({where}) skipped")
    keep = ~example
    return RawTable(
        table.name,
        table.frame[keep].reset_index(drop=True),
        table.rows[keep].reset_index(drop=True),
        table.blank_rows,
    )
