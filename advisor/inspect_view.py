"""Terminal view of `advisor inspect`: the import summary as rich tables.

Long lists (standard columns not used, hundreds of rejected values of one kind) are folded
into one line each unless `--all` asks for every line; the JSON always has everything.

Everything shown here comes from the customer's file (paths, sheet names, headers, values),
so it goes to Rich as `Text`, never as markup: a VM called `[/red]` must print as itself, not
crash the command or restyle the screen.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.inventory.summary import grouped_problems

_FOLD = 12


def render_inspect(summary: dict[str, Any], console: Console, show_all: bool = False) -> None:
    """Print the import summary: source, counts, mapping, completeness, problems, notes."""
    version = str(summary["format_version"] or "unknown")
    console.print(
        Text.assemble(
            (str(summary["path"]), "bold"),
            "\nformat ",
            (str(summary["format"]), "cyan"),
            ", version ",
            (version, "cyan"),
            f", sha256 {str(summary['sha256'] or '-')[:16]}",
        )
    )
    console.print(Text(f"tabs read: {_listed(summary['tabs_read'])}"))
    unread = [t for t in summary["tabs_seen"] if t not in summary["tabs_read"]]
    if unread:
        console.print(Text(f"tabs not needed: {_listed(unread)}", style="dim"))
    console.print(_counts(summary))
    console.print(_mapping(summary, show_all))
    console.print(_completeness(summary))
    console.print(_problems(summary, show_all))
    if summary["notes"]:
        console.print(Text("Notes and assumptions", style="bold"))
        for note in summary["notes"]:
            console.print(Text(f"  - {note}"))


def _listed(names: list[Any]) -> str:
    """Sheet or file names joined for one line; '-' when there are none."""
    return ", ".join(str(n) for n in names) or "-"


def _counts(summary: dict[str, Any]) -> Table:
    t = Table(title="Servers", title_justify="left", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    c = summary["counts"]
    rows = [
        ("servers read (templates included)", summary["servers"]),
        ("kept", summary["servers_kept"]),
        ("rejected", summary["servers_rejected"]),
        ("templates", c["templates"]),
        ("powered on", c["powered_on"]),
        ("powered off", c["powered_off"]),
        ("suspended", c["suspended"]),
        ("power state unknown", c["power_unknown"]),
        ("duplicate names (kept, flagged)", c["duplicate_names"]),
    ]
    rows += [(f"{name} rows", n) for name, n in summary["tables"].items()]
    for label, n in rows:
        t.add_row(Text(label), f"{n:,}")
    return t


def _mapping(summary: dict[str, Any], show_all: bool) -> Table:
    t = Table(title="Column mapping", title_justify="left")
    for col in ("sheet", "source header", "read as", "status"):
        t.add_column(col)
    ignored: dict[str, int] = {}
    for m in summary["mapping"]:
        if m["status"] == "ignored" and not show_all:
            ignored[m["sheet"]] = ignored.get(m["sheet"], 0) + 1
            continue
        style = {"unmapped": "yellow", "kept": "cyan", "ignored": "dim"}.get(m["status"], "")
        status = str(m["status"]) + (f" ({m['note']})" if m["note"] else "")
        t.add_row(
            Text(str(m["sheet"])),
            Text(str(m["header"])),
            Text(str(m["column"] or "-")),
            Text(status, style=style),
        )
    for sheet, n in ignored.items():
        t.add_row(
            Text(str(sheet)),
            Text(f"{n} more", style="dim"),
            "-",
            Text("ignored (use --all to list)", style="dim"),
        )
    return t


def _completeness(summary: dict[str, Any]) -> Table:
    t = Table(title="Completeness of server fields", title_justify="left")
    t.add_column("field")
    t.add_column("known", justify="right")
    t.add_column("")
    for field, share in summary["completeness"].items():
        bar = "█" * round(share * 20)
        style = "green" if share >= 0.9 else "yellow" if share > 0 else "red"
        t.add_row(Text(str(field)), f"{share:.0%}", Text(bar, style=style))
    return t


def _problems(summary: dict[str, Any], show_all: bool) -> Table:
    problems = summary["rejected"] + summary["flags"]
    t = Table(title=f"Rejected, skipped and flagged ({len(problems):,})", title_justify="left")
    for col in ("kind", "where", "reason", "rows"):
        t.add_column(col)
    if not problems:
        t.add_row("-", "-", "nothing rejected", "-")
        return t
    if show_all:
        for p in problems:
            where = str(p["sheet"]) + (f", column '{p['column']}'" if p["column"] else "")
            reason = str(p["reason"]) + (f": {p['value']!r}" if p["value"] is not None else "")
            t.add_row(Text(str(p["kind"])), Text(where), Text(reason), str(p["row"] or "-"))
        return t
    for g in grouped_problems(problems):
        where = str(g["sheet"]) + (f", column '{g['column']}'" if g["column"] else "")
        rows = ", ".join(str(r) for r in g["rows"][:_FOLD])
        if len(g["rows"]) > _FOLD:
            rows += f" and {len(g['rows']) - _FOLD:,} more"
        reason = str(g["reason"])
        if g["values"]:
            reason += f" (e.g. {g['values'][0]!r})"
        t.add_row(Text(str(g["kind"])), Text(where), Text(reason), Text(rows or "-"))
    return t
