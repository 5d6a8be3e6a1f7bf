"""Builders for test inventories: small workbooks and CSVs written from plain Python data.

Real exports have quirks no library writes by default (x:-prefixed XML, a sheet that
declares a million rows, UTF-16 CSVs); these helpers produce them on demand so each importer
quirk has a test that fails when the handling breaks.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]


def load_script(path: Path, name: str) -> ModuleType:
    """A script of the project (a sample generator, a docs script) as a module: they are not
    part of the package, yet tests use what they make."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = module  # dataclasses look their module up while executing
    spec.loader.exec_module(module)
    return module


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """A workbook with one sheet per entry; first row of each is the header."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def write_csv(path: Path, rows: Rows, *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """A CSV with every cell quoted, so embedded delimiters and line breaks survive."""
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        lines.append(delimiter.join('"' + c.replace('"', '""') + '"' for c in cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _rewrite_members(path: Path, rewrite) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, rewrite(item.filename, data))
    shutil.move(tmp, path)


def prefix_xml(path: Path) -> Path:
    """Rewrite a workbook's XML with an `x:` namespace prefix, as unedited RVTools 4.x does,
    and drop docProps/core.xml as those exports lack it."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def rewrite(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/") or not name.endswith(".xml") or "_rels" in name:
            return data
        text = data.decode("utf-8")
        if f'xmlns="{main}"' not in text:
            return data
        text = text.replace(f'xmlns="{main}"', f'xmlns:x="{main}"')
        text = re.sub(r"<(/?)([A-Za-z][\w]*)(?=[\s>/])", r"<\1x:\2", text)
        text = text.replace("<?x:xml", "<?xml")
        return text.encode("utf-8")

    _rewrite_members(path, rewrite)
    return path


def declare_million_rows(path: Path, sheet_index: int = 1) -> Path:
    """Make a sheet declare A1:CZ1048576 and carry a styled empty last row, as LibreOffice
    re-saves do, while holding only the real rows."""

    def rewrite(name: str, data: bytes) -> bytes:
        if name != f"xl/worksheets/sheet{sheet_index}.xml":
            return data
        text = data.decode("utf-8")
        text = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:CZ1048576"/>', text)
        text = text.replace(
            "</sheetData>", '<row r="1048576"><c r="A1048576" s="0"/></row></sheetData>'
        )
        return text.encode("utf-8")

    _rewrite_members(path, rewrite)
    return path


VINFO_4X = [
    "VM",
    "Powerstate",
    "Template",
    "DNS Name",
    "CPUs",
    "Memory",
    "NICs",
    "Disks",
    "Provisioned MiB",
    "In Use MiB",
    "Annotation",
    "Backup Tool",
    "Owner",
    "Datacenter",
    "Cluster",
    "Host",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "Creation date",
    "HW version",
    "Firmware",
    "VM UUID",
]


def vinfo_row(name: str, **over: object) -> list[object]:
    """One vInfo row in VINFO_4X order, with sensible defaults."""
    values: dict[str, object] = {
        "VM": name,
        "Powerstate": "poweredOn",
        "Template": "False",
        "DNS Name": f"{name}.corp.local",
        "CPUs": 2,
        "Memory": 8192,
        "NICs": 1,
        "Disks": 1,
        "Provisioned MiB": 102400,
        "In Use MiB": 51200,
        "Annotation": "",
        "Backup Tool": "Veeam",
        "Owner": "ops",
        "Datacenter": "DC1",
        "Cluster": "C1",
        "Host": "esx01",
        "OS according to the configuration file": "Microsoft Windows Server 2019 (64-bit)",
        "OS according to the VMware Tools": "Microsoft Windows Server 2019 (64-bit)",
        "Creation date": "2020-01-02 03:04:05",
        "HW version": "vmx-19",
        "Firmware": "efi",
        "VM UUID": f"uuid-{name}",
    }
    values.update(over)
    return [values[h] for h in VINFO_4X]
