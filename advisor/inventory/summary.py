"""What `advisor inspect` reports about an import, as plain data.

The CLI renders this as rich tables or prints it as JSON; keeping it data means the terminal
view and the JSON can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from advisor.inventory.quality import completeness, counts
from advisor.inventory.schema import Inventory


def inspect_summary(inv: Inventory) -> dict[str, Any]:
    """Everything the import did, with `servers` = server rows read (templates included)."""
    src = inv.source
    rejected = [p for p in src.problems if p.kind in ("row", "value", "skip")]
    unmapped = [asdict(m) for m in src.mapping if m.status == "unmapped"]
    return {
        "path": src.path,
        "format": src.format,
        "format_version": src.format_version,
        "sha256": src.sha256,
        "tabs_seen": src.tabs_seen,
        "tabs_read": src.tabs_read,
        "servers": src.servers_read,
        "servers_kept": len(inv.servers),
        "servers_rejected": len(src.rejected_rows),
        "counts": counts(inv.servers),
        "tables": {
            name: len(getattr(inv, name))
            for name in ("disks", "partitions", "snapshots", "nics", "devices", "hosts")
        },
        "mapping": [asdict(m) for m in src.mapping],
        "unmapped": unmapped,
        "attributes": [m.header for m in src.mapping if m.status == "kept"],
        "completeness": completeness(inv.servers),
        "rejected": [_problem(p) for p in rejected],
        "flags": [_problem(p) for p in src.problems if p.kind == "flag"],
        "notes": src.notes,
    }


def _problem(p) -> dict[str, Any]:
    return {
        "sheet": p.sheet,
        "row": p.row,
        "column": p.column,
        "value": p.value,
        "reason": p.reason,
        "kind": p.kind,
    }


def grouped_problems(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems with the same sheet, column and reason folded into one line with their rows."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for p in problems:
        groups[(p["kind"], p["sheet"], p["column"], p["reason"])].append(p)
    out = []
    for (kind, sheet, column, reason), items in groups.items():
        rows = [i["row"] for i in items if i["row"] is not None]
        values = [i["value"] for i in items if i["value"] is not None]
        out.append(
            {
                "kind": kind,
                "sheet": sheet,
                "column": column,
                "reason": reason,
                "rows": rows,
                "values": values,
            }
        )
    return out
