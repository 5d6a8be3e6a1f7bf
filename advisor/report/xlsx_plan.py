"""The plan's sheets of `assessment.xlsx`: Plan, Groups and Costs, and the plan's columns
on the Servers sheet (also those of `advisor score`).

- **Plan**: the waves table first (what the team schedules by), then seeding per site, the
  timeline, the sensitivity of the timeline to throughput, the dependency links that cross
  waves, the plan's notes and, with `--compare`, the servers whose verdict differs between
  the providers.
- **Groups**: exactly `Plan.groups_sheet` (server, group, group name, reason, edited), its
  header in row 1 and nothing else on the sheet, because `advisor assess --groups FILE`
  reads it back (`advisor.inventory.groups_file`): a note row would be read as the header.
  The header's comments say how to edit it.
- **Costs**: one row per in-scope server and provider with the sizing on both bases and
  every part of the monthly cost, under a totals block per provider. The totals are values,
  not formulas (a formula shows nothing until a spreadsheet recalculates it, and the file
  must read the same everywhere), computed in whole cents from the very values written in
  the rows, so each total is the sum of its column's rows for that provider to the cent.

Money is shown with two decimals and the currency in the header. A server without a full
price shows an empty total, never 0, and says what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from advisor.report.xlsx_sheets import (
    BAD,
    BOLD,
    DATE,
    GIB,
    GIB_FINE,
    HOURS,
    MONEY,
    NOTE_FONT,
    SHARE,
    WARN,
    Col,
    SheetRows,
    Table,
    colour_equal,
    colour_rows_when,
    header_cells,
    safe,
    styled,
    table_sheet,
)

#: The readiness words of the workbook (as on the Servers sheet).
_READINESS = {"ready": "ready", "conditional": "conditional", "not_ready": "not ready"}

# --- the Servers sheet's plan columns ------------------------------------------------------


def plan_server_cols(plan: Any, *, with_groups: bool = True) -> tuple[Col, ...]:
    """The Servers sheet's plan columns, headed with the primary provider and its currency:
    instance type and monthly cost on the right-sized basis (which is the allocation where
    the policy or the data says so: Sizing basis), then group and wave."""
    cost = plan.primary_cost
    cols = [
        Col("plan_instance", f"Instance type ({cost.display_name})", 22),
        Col("plan_basis", "Sizing basis", 11),
        Col("plan_monthly", f"Monthly {cost.display_name} ({cost.currency}/month)", 14, MONEY),
    ]
    if with_groups:
        cols += [
            Col("plan_group", "Group", 8),
            Col("plan_group_name", "Group name", 24),
            Col("plan_wave", "Wave", 7),
        ]
    return tuple(cols)


#: Every key `server_plan_frame` may add (the Servers sheet shows those its frame has).
PLAN_SERVER_KEYS = frozenset(
    {"plan_instance", "plan_basis", "plan_monthly", "plan_group", "plan_group_name", "plan_wave"}
)


def server_plan_frame(plan: Any, ids: pd.Index) -> pd.DataFrame:
    """The plan's columns for the servers `ids` (index): the primary provider's right-sized
    instance type, sizing basis and monthly total (NA when not fully priced), the server's
    group id and name and its wave (NA outside the plan)."""
    rows = plan.primary_cost.servers.reindex(ids)
    groups = plan.groups.reindex(ids)
    waves = plan.waves.servers.reindex(ids)
    return pd.DataFrame(
        {
            "plan_instance": rows["rightsized_type"].astype("string").to_numpy(),
            "plan_basis": rows["basis"].astype("string").to_numpy(),
            "plan_monthly": rows["rightsized_total_monthly"].astype("Float64").to_numpy(),
            "plan_group": groups["group_id"].astype("string").to_numpy(),
            "plan_group_name": groups["group_name"].astype("string").to_numpy(),
            "plan_wave": waves["wave"].astype("Int64").to_numpy(),
        },
        index=ids,
    )


def portfolio_cost(plan: Any) -> tuple[float | None, int]:
    """The estate's monthly cost on the primary provider, right-sized, and the servers
    without a full price: the cost only when that count is 0 (a sum that leaves servers out
    is no estate total). Without a plan (nothing in scope): no cost, nothing unpriced."""
    if plan is None:
        return None, 0
    totals = plan.primary_cost.totals
    unpriced = int(totals.get("rightsized_unpriced_servers") or 0)
    total = totals.get("rightsized_total_monthly")
    if unpriced or total is None or pd.isna(total):
        return None, unpriced
    return float(total), unpriced


# --- Costs ----------------------------------------------------------------------------------

#: Money columns of the Costs sheet: (key, header before the currency, width).
_MONEY_COLS: tuple[tuple[str, str, float], ...] = (
    ("allocated_instance_monthly", "Instance allocated", 13),
    ("rightsized_instance_monthly", "Instance right-sized", 13),
    ("storage_monthly", "Storage", 12),
    ("allocated_licence_monthly", "Licence allocated", 12),
    ("rightsized_licence_monthly", "Licence right-sized", 12),
    ("allocated_total_monthly", "Total allocated", 13),
    ("rightsized_total_monthly", "Total right-sized", 13),
    ("allocated_priced_monthly", "Priced parts allocated", 13),
    ("rightsized_priced_monthly", "Priced parts right-sized", 13),
)
MONEY_KEYS: tuple[str, ...] = tuple(key for key, _, _ in _MONEY_COLS)


def cost_cols(plan: Any) -> tuple[Col, ...]:
    """The Costs sheet's columns; money headers carry the currency ("Total right-sized
    (EUR/month)") or, where the providers price in different currencies, point to the
    Currency column that is then shown."""
    currencies = {c.currency for c in plan.providers.values()}
    unit = f"{next(iter(currencies))}/month" if len(currencies) == 1 else "per month"
    money = tuple(Col(key, f"{text} ({unit})", width, MONEY) for key, text, width in _MONEY_COLS)
    currency = (Col("currency", "Currency", 9),) if len(currencies) > 1 else ()
    return (
        Col("server", "Server", 24),
        Col("provider", "Provider", 11),
        Col("basis", "Sizing basis", 11),
        Col("basis_reason", "Basis reason", 36),
        Col("allocated_type", "Instance allocated", 22),
        Col("rightsized_type", "Instance right-sized", 22),
        Col("vcpus", "vCPU allocated", 9),
        Col("rightsized_vcpus", "vCPU right-sized", 9),
        Col("memory_gib", "Memory GiB allocated", 10, GIB_FINE),
        Col("rightsized_memory_gib", "Memory GiB right-sized", 10, GIB_FINE),
        Col("storage_gib", "Storage GiB", 11, GIB),
        *currency,
        *money,
        Col("unpriced", "Unpriced: what is missing", 44),
        Col("price_confidence", "Price confidence", 13),
        Col("price_as_of", "Price as of", 11),
        Col("notes", "Sizing notes", 60),
        Col("id", "Server id", 38),
    )


def cost_frame(plan: Any, names: pd.Series) -> pd.DataFrame:
    """One row per in-scope server and provider, by server name (any case), id, then the
    providers in the plan's order (primary first). `names` is the name per server id."""
    frames = []
    for rank, cost in enumerate(plan.providers.values()):
        rows = cost.servers
        frame = rows.assign(
            id=rows.index.to_numpy(),
            server=names.reindex(rows.index).astype("string").to_numpy(),
            provider=cost.display_name,
            unpriced=_unpriced_text(rows),
            notes=_joined(
                rows,
                ("rightsized_type_note", "allocated_type_note", "storage_note", "licence_note"),
            ),
            _rank=rank,
        )
        frames.append(frame.reset_index(drop=True))
    if not frames:
        return pd.DataFrame(columns=[c.key for c in cost_cols(plan)])
    out = pd.concat(frames, ignore_index=True)
    out["_order"] = out["server"].str.lower().fillna("")
    out = out.sort_values(["_order", "id", "_rank"], kind="stable")
    return out.drop(columns=["_order"]).reset_index(drop=True)


def _unpriced_text(rows: pd.DataFrame) -> pd.Series:
    """What the right-sized total misses; where the allocated basis misses something else,
    both, named."""
    right = rows["rightsized_unpriced"].astype("string")
    alloc = rows["allocated_unpriced"].astype("string")
    differs = alloc.notna() & alloc.ne(right).fillna(True)
    both = ("right-sized: " + right.fillna("nothing") + "; as allocated: " + alloc).astype("string")
    return right.mask(differs, both)


def _joined(rows: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """The texts of `columns` joined with '; ' per row, missing ones skipped (NA when all
    are missing), each distinct text once (both bases often give the same note). Joined
    as object arrays: the string columns' masking and filling cost 20 ms at 655 servers."""
    values = [rows[c].astype("string").to_numpy(dtype=object, na_value=None) for c in columns]
    out = np.full(len(rows), None, dtype=object)
    for i, text in enumerate(values):
        new = ~pd.isna(text)
        for before in values[:i]:
            new &= text != before
        joined = new & ~pd.isna(out)
        out[joined] = out[joined] + "; " + text[joined]
        alone = new & ~joined
        out[alone] = text[alone]
    return pd.Series(out, index=rows.index, dtype="string")


def _cents(values: pd.Series) -> int | None:
    """The sum of money values in whole cents (None when no value is known): integers add
    exactly, so the total is the sum of the cells as written."""
    known = pd.to_numeric(values, errors="coerce").astype("float64")
    known = known[np.isfinite(known)]
    if not len(known):
        return None
    return int(np.rint(known.to_numpy() * 100).astype(np.int64).sum())


def cost_totals_rows(plan: Any, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per provider: the sum of each money column over that provider's rows of `frame`, in
    cents turned back to money, with the counts and reasons the totals rest on."""
    out = []
    for cost in plan.providers.values():
        rows = frame[frame["provider"] == cost.display_name]
        t = cost.totals
        sums = {}
        for key in MONEY_KEYS:
            cents = _cents(rows[key])
            sums[key] = None if cents is None else cents / 100
        complete = int(rows["rightsized_total_monthly"].notna().sum())
        out.append(
            {
                "provider": cost.display_name,
                "currency": cost.currency,
                "servers": len(rows),
                "complete": complete,
                "unpriced": len(rows) - complete,
                "reasons": t.get("rightsized_unpriced_reasons"),
                "price_confidence": t.get("price_confidence"),
                "price_as_of": t.get("price_as_of"),
                **sums,
            }
        )
    return out


def _costs_preamble(ws: Any, cols: Sequence[Col], totals: list[dict[str, Any]]) -> list[list]:
    """The totals block: a caption, one line per provider aligned with the table's columns,
    and a blank line."""
    at = {c.key: i for i, c in enumerate(cols)}
    caption = (
        "Totals per provider: each money cell is the sum of that provider's rows below, to "
        "the cent. Total columns add only the servers priced in full; Priced parts add what "
        "is priced on every server, a floor of the real cost."
    )
    lines: list[list[Any]] = [[styled(ws, caption, font=BOLD)]]
    for t in totals:
        line: list[Any] = [None] * len(cols)
        line[at["server"]] = styled(ws, "Total", font=BOLD)
        line[at["provider"]] = styled(ws, t["provider"], font=BOLD)
        line[at["basis_reason"]] = (
            f"{t['servers']:,} servers: {t['complete']:,} priced in full right-sized, "
            f"{t['unpriced']:,} not"
        )
        if "currency" in at:
            line[at["currency"]] = t["currency"]
        for key in MONEY_KEYS:
            line[at[key]] = styled(ws, t[key], font=BOLD, fmt=MONEY)
        line[at["unpriced"]] = t["reasons"] or "nothing: every server priced in full"
        line[at["price_confidence"]] = t["price_confidence"]
        line[at["price_as_of"]] = t["price_as_of"]
        lines.append(line)
    lines.append([])
    return lines


def write_costs(wb: Any, plan: Any, names: pd.Series) -> Table:
    """The Costs sheet: totals per provider, then one row per server and provider."""
    cols = cost_cols(plan)
    frame = cost_frame(plan, names)
    totals = cost_totals_rows(plan, frame)
    n = frame["id"].nunique() if len(frame) else 0
    note = (
        f"{n:,} servers in scope on {len(plan.providers)} providers, one row each: sized as "
        "allocated and right-sized (Sizing basis and Basis reason say which the data "
        "allowed), priced from the target catalogs alone. An empty total means a price is "
        "missing (Unpriced says which), never 0. Price confidence is the weakest source "
        "used, Price as of its oldest date; sources: Plan sheet notes and assessment.json."
    )
    t = table_sheet(
        wb,
        "Costs",
        note,
        cols,
        frame,
        freeze_cols=2,
        preamble=lambda ws: _costs_preamble(ws, cols, totals),
    )
    colour_equal(t.ws, t.range("price_confidence"), {"not_found": BAD, "inference": WARN})
    return t


# --- Groups ---------------------------------------------------------------------------------

GROUP_COLS: tuple[Col, ...] = (
    Col("server", "server", 26),
    Col("group", "group", 9),
    Col("group name", "group name", 32),
    Col("reason", "reason", 80),
    Col("edited", "edited", 9),
)
_GROUP_COMMENTS = {
    "group name": "To move a server, type another group's name here (any case), or a new "
    "name for a new group. Rows you leave alone change nothing; rows you delete keep "
    "advisor's group. Then run: advisor assess INVENTORY --groups THIS_FILE.",
    "edited": "TRUE where the group is not the one advisor derived (edited with --groups).",
    "server": "The server's name; 'name [id]' where two servers share a name.",
}


def write_groups(wb: Any, plan: Any) -> Table:
    """The Groups sheet: one row per in-scope server, header in row 1, read back by
    `--groups` (see the module docstring)."""
    t = table_sheet(
        wb, "Groups", None, GROUP_COLS, plan.groups_sheet, freeze_cols=1, comments=_GROUP_COMMENTS
    )
    colour_rows_when(t.ws, t.full_range, f"${t.column('edited')}{t.first_row}=TRUE", WARN)
    return t


# --- Plan -----------------------------------------------------------------------------------

WAVE_COLS: tuple[Col, ...] = (
    Col("wave", "Wave", 7),
    Col("kind", "Kind", 14),
    Col("start", "Start", 11, DATE),
    Col("end", "End", 11, DATE),
    Col("weeks", "Weeks", 7),
    Col("group_ids", "Groups", 30),
    Col("servers", "Servers", 9),
    Col("data_gib", "Data GiB", 10, GIB),
    Col("seeding_hours", "Seeding h", 10, HOURS),
    Col("seeding_capacity_hours", "Seeding capacity h", 11, HOURS),
    Col("cutover_hours", "Cut-over h", 10, HOURS),
    Col("window_hours", "Window h", 9, HOURS),
    Col("effort_hours", "Effort h", 10, HOURS),
    Col("team_capacity_hours", "Team capacity h", 11, HOURS),
    Col("fits", "Fits", 7),
    Col("note", "Note", 80),
)


class _Rows(SheetRows):
    """The Plan sheet's rows: notes and tables besides sections."""

    def note(self, text: str) -> None:
        self.append([styled(self.ws, text, font=NOTE_FONT)])

    def table(self, headers: Sequence[str], rows: list[list[Any]], formats: Sequence[str | None]):
        """A header row and `rows`; returns (header row, last row)."""
        top = self.append(header_cells(self.ws, headers))
        for values in rows:
            self.append(
                [
                    styled(self.ws, v, fmt=f) if f and v is not None else safe(self.ws, v)
                    for v, f in zip(values, formats, strict=True)
                ]
            )
        return top, self.row


def _plain_rows(frame: pd.DataFrame, keys: Sequence[str]) -> list[list[Any]]:
    """The frame's `keys` columns as row lists of plain values (NA as None)."""
    columns = [
        frame[k].to_numpy(dtype=object, na_value=None).tolist()
        if k in frame.columns
        else [None] * len(frame)
        for k in keys
    ]
    return [list(r) for r in zip(*columns, strict=True)] if columns else []


def write_plan(wb: Any, plan: Any) -> None:
    """The Plan sheet: waves, seeding per site, timeline, sensitivity, crossing links,
    notes and (with a comparison) differing verdicts, top to bottom."""
    ws = wb.create_sheet("Plan")
    for i, col in enumerate(WAVE_COLS, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Write-only sheets write their view (the frozen panes) before the first row: the
    # waves' header is row 2, under the note.
    ws.freeze_panes = "B3"
    sh = _Rows(ws)
    waves = plan.waves
    t = plan.timeline
    w = waves.waves
    sh.note(
        f"{len(w):,} waves moving {t.servers:,} servers from {t.start:%Y-%m-%d} to "
        f"{t.end:%Y-%m-%d} (accepted {t.accepted:%Y-%m-%d}). Each wave seeds its data over the "
        "sites' uplinks, then cuts over within the window; Fits is FALSE where a group is too "
        "big for one wave (Note says which bound). Below: seeding per site, the timeline, its "
        "sensitivity to throughput, links that cross waves and the plan's notes. Groups: "
        "Groups sheet; costs: Costs sheet."
    )
    top, last = sh.table(
        [c.header for c in WAVE_COLS],
        _plain_rows(w, [c.key for c in WAVE_COLS]),
        [c.fmt for c in WAVE_COLS],
    )
    end_col = get_column_letter(len(WAVE_COLS))
    ws.auto_filter.ref = f"A{top}:{end_col}{last}"
    if last > top:
        fits = get_column_letter(next(i for i, c in enumerate(WAVE_COLS, 1) if c.key == "fits"))
        colour_rows_when(ws, f"A{top + 1}:{end_col}{last}", f"${fits}{top + 1}=FALSE", WARN)
    sh.blank()
    _site_seeding(sh, waves.site_seeding)
    _timeline(sh, plan)
    _sensitivity(sh, plan)
    _crossing(sh, waves.crossing)
    _notes(sh, plan)
    _verdicts(sh, plan)


def _site_seeding(sh: _Rows, seeding: pd.DataFrame) -> None:
    sh.section("Seeding per wave and site")
    keys = ["wave", "site", "uplink_mbps", "data_gib", "seeding_hours", "capacity_hours", "fits"]
    sh.table(
        ["Wave", "Site", "Uplink Mbit/s", "Data GiB", "Seeding h", "Capacity h", "Fits"],
        _plain_rows(seeding, keys),
        [None, None, GIB, GIB, HOURS, HOURS, None],
    )
    sh.blank()


def _timeline(sh: _Rows, plan: Any) -> None:
    t = plan.timeline
    sh.section("Timeline")
    labour = "unknown: no labour rate in the profile" if t.labour_cost is None else t.labour_cost
    pairs: list[tuple[str, Any, str | None]] = [
        ("Start", t.start, DATE),
        ("Last wave ends", t.end, DATE),
        ("Last wave accepted (after the parallel run)", t.accepted, DATE),
        ("Weeks", t.weeks, None),
        ("Waves", t.waves, None),
        ("Servers moving", t.servers, None),
        ("Engineer hours", t.engineer_hours, HOURS),
        ("  in the waves", t.wave_hours, HOURS),
        ("  decommissioning", t.decommission_hours, HOURS),
        ("  one-off estate work", t.estate_hours, HOURS),
        (f"Labour rate ({t.currency}/h)", t.labour_rate, MONEY),
        (f"Labour cost ({t.currency})", labour, MONEY),
        ("Parallel run after each wave (weeks)", t.parallel_run_weeks, GIB_FINE),
    ]
    for cost in plan.providers.values():
        pairs.append(
            (
                f"Parallel run cost, {cost.display_name} ({cost.currency}, right-sized)",
                cost.parallel_run_cost
                if cost.parallel_run_cost is not None
                else "unknown: no server priced in full",
                MONEY,
            )
        )
    for label, value, fmt in pairs:
        cell_fmt = fmt if isinstance(value, int | float | date) else None
        sh.append([styled(sh.ws, label, font=BOLD), styled(sh.ws, value, fmt=cell_fmt)])
    for text in t.notes:
        sh.note(text)
    sh.blank()


def _sensitivity(sh: _Rows, plan: Any) -> None:
    sh.section("Sensitivity: uplinks and team both slower or faster")
    keys = ["scenario", "throughput", "waves", "weeks", "end", "accepted", "engineer_hours",
            "labour_cost"]  # fmt: skip
    headers = ["Scenario", "Throughput", "Waves", "Weeks", "Last wave ends", "Accepted",
               "Engineer h", f"Labour cost ({plan.timeline.currency})"]  # fmt: skip
    sh.table(
        headers,
        _plain_rows(plan.sensitivity, keys),
        [None, SHARE, None, None, DATE, DATE, HOURS, MONEY],
    )
    sh.blank()


def _crossing(sh: _Rows, crossing: pd.DataFrame) -> None:
    sh.section("Dependency links that cross waves or lead to servers that stay behind")
    if not len(crossing):
        sh.note("None: every link's two ends cut over together.")
        sh.blank()
        return
    keys = ["source_name", "source_wave", "target_name", "target_wave", "port", "why"]
    sh.table(
        ["From server", "Its wave", "To server", "Its wave", "Port", "Why it matters"],
        _plain_rows(crossing, keys),
        [None] * len(keys),
    )
    sh.note("An empty wave: that server stays outside the plan (see the notes).")
    sh.blank()


def _notes(sh: _Rows, plan: Any) -> None:
    sh.section("Notes")
    sh.note(f"Sizing policy: {plan.policy}")
    for text in plan.waves.notes:
        sh.note(text)
    for cost in plan.providers.values():
        for source in cost.sources:
            sh.note(
                f"{cost.display_name} prices: {source.get('title')} "
                f"({source.get('confidence')}, as of {source.get('as_of')}; {source.get('url')})"
            )
    sh.blank()


def _verdicts(sh: _Rows, plan: Any) -> None:
    v = plan.verdicts
    if plan.compared is None:
        return
    first = plan.providers[plan.primary].display_name
    second = plan.providers[plan.compared].display_name
    sh.section(f"Verdicts that differ between {first} and {second}")
    if v is None or not len(v):
        sh.note("None: every server gets the same readiness on both providers.")
        return
    frame = v.assign(first=v["first"].replace(_READINESS), second=v["second"].replace(_READINESS))
    keys = ["name", "first", "second", "rules", "first_says", "second_says"]
    sh.table(
        ["Server", f"On {first}", f"On {second}", "Rules", f"{first} says", f"{second} says"],
        _plain_rows(frame, keys),
        [None] * len(keys),
    )


__all__ = [
    "GROUP_COLS",
    "MONEY_KEYS",
    "PLAN_SERVER_KEYS",
    "cost_cols",
    "cost_frame",
    "cost_totals_rows",
    "plan_server_cols",
    "portfolio_cost",
    "server_plan_frame",
    "write_costs",
    "write_groups",
    "write_plan",
]
