"""`advisor score`: many inventories scored with one profile into one workbook.

Inputs are files and folders. A folder holding RVTools CSV tabs (a `*vInfo*.csv` file) is
one inventory; any other folder is walked for workbooks, CSV files and zips. Each input is
imported, assessed and planned on its own (`advisor.plan.stage.make_plan`, on the
profile's target, without a comparison); one that fails is recorded with its one-line
reason and the others are still scored. The workbook has a Portfolio sheet (one row per
input, with its servers read, in scope and out of scope and the monthly cost; failed ones
with their error) and the Scope, Servers, Findings, Estate work, Rules and Profile sheets
of `assessment.xlsx`, written by the same code with a `source` column in front. Servers
gains the plan's instance type, sizing basis and monthly cost; groups and waves belong to
one engagement's plan (`advisor assess`), not to a portfolio, and are left out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from advisor.errors import InputError
from advisor.report.xlsx_plan import plan_server_cols, portfolio_cost
from advisor.report.xlsx_report import (
    finding_frame,
    rule_counts,
    save_workbook,
    server_frame,
    unknown_count,
    write_findings,
    write_portfolio,
    write_profile,
    write_rules,
    write_servers,
)
from advisor.report.xlsx_scope import (
    ESTATE_COLS,
    SCOPE_COLS,
    estate_frame,
    scope_frame,
    sum_scopes,
    write_estate_work,
    write_scope,
)

#: File types a walked folder contributes (a zip may hold an RVTools CSV export).
INVENTORY_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".zip")


@dataclass
class Scored:
    """One input: what the workbook shows about it, or why it could not be scored."""

    path: Path
    error: str | None = None
    internal: bool = False  # the error is a bug in advisor, not a problem of the input
    assessment: Any = None  # kept only when asked (for --into)
    row: dict[str, Any] = field(default_factory=dict)
    servers: pd.DataFrame | None = None
    findings: pd.DataFrame | None = None
    out_of_scope: pd.DataFrame | None = None
    estate_work: pd.DataFrame | None = None
    scope: dict[str, Any] = field(default_factory=dict)
    counts: pd.DataFrame | None = None
    unknown: int = 0
    rules: Any = None
    settings: Any = None
    #: The Servers sheet's plan columns, headed with the target provider and currency.
    plan_cols: tuple[Any, ...] = ()
    #: 'Exoscale, EUR': whose monthly cost the Portfolio row shows.
    money: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def is_rvtools_csv_folder(path: Path) -> bool:
    """A folder with an RVTools vInfo CSV is one inventory (its other CSVs are its tabs)."""
    from advisor.inventory.rvtools import tab_of

    try:
        return path.is_dir() and any(
            p.suffix.lower() == ".csv" and tab_of(p.name) == "vInfo" for p in path.iterdir()
        )
    except OSError:
        return False


def _walk(folder: Path, skip: set[Path]) -> list[Path]:
    found: list[Path] = []
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the folder ({exc.strerror or exc})") from exc
    for child in children:
        if child.name.startswith((".", "~$")) or child.resolve() in skip:
            continue
        if child.is_dir():
            found += [child] if is_rvtools_csv_folder(child) else _walk(child, skip)
        elif child.suffix.lower() in INVENTORY_SUFFIXES:
            found.append(child)
    return found


def expand_inputs(paths: Sequence[Path], skip: Sequence[Path] = ()) -> list[Path]:
    """Files and RVTools CSV folders as given; other folders walked (sorted, recursive).

    `skip` holds files never read as inputs (the workbooks this run writes). A folder with
    nothing to read stays in the list, so that scoring it reports why.
    """
    skipped = {Path(p).resolve() for p in skip}
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        found = [path]
        if path.is_dir() and not is_rvtools_csv_folder(path):
            found = _walk(path, skipped) or [path]
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _portfolio_row(path: Path, summary: dict[str, Any], assessment: Any) -> dict[str, Any]:
    src = assessment.inventory.source
    monthly, unpriced = portfolio_cost(assessment.plan)
    readiness, dispositions = summary["readiness"], summary["dispositions"]
    scope = summary["scope"]
    failed = assessment.evaluation.findings["status"] == "fail"
    return {
        "source": str(path),
        "format": src.format,
        "format_version": src.format_version,
        "servers_read": scope["servers_read"],
        "in_scope": scope["in_scope"],
        "out_of_scope": scope["out_of_scope"],
        "rejected_rows": scope["rejected"],
        "ready": readiness["ready"],
        "conditional": readiness["conditional"],
        "not_ready": readiness["not_ready"],
        "unknown": readiness["unknown"],
        **{d: dispositions[d] for d in ("rehost", "replatform", "refactor", "retain", "retire")},
        "effort_hours": summary["effort_hours"],
        "effort_hours_estate": summary["effort_hours_estate"],
        "provisioned_gib": summary["provisioned_gib"],
        "used_gib": summary["used_gib"],
        "mean_score": summary["mean_score"],
        "failed_findings": int(failed.sum()),
        "monthly_cost": monthly,
        "unpriced_servers": unpriced,
        "error": None,
    }


def score_one(
    path: Path,
    profile: Any,
    *,
    rules: Any = None,
    cli_sets: Sequence[str] = (),
    keep: bool = False,
) -> Scored:
    """Import and assess one input; failures become a Scored with the reason, never raise."""
    from advisor.engine.assess import assess
    from advisor.inventory import load_inventory
    from advisor.plan.stage import make_plan

    try:
        if path.is_dir() and not is_rvtools_csv_folder(path):
            kinds = ", ".join(INVENTORY_SUFFIXES)
            raise InputError(f"{path}: no inventory files in this folder ({kinds})")
        assessment = assess(load_inventory(path), profile, cli_sets=list(cli_sets), rules=rules)
        # An estate with no server in scope (templates only) has nothing to plan.
        assessment.plan = make_plan(assessment) if len(assessment.facts) else None
        summary = assessment.summary()
        servers = server_frame(assessment).assign(source=str(path))
        findings = finding_frame(assessment).assign(source=str(path))
        out_of_scope = scope_frame(assessment).assign(source=str(path))
        estate_work = estate_frame(assessment).assign(source=str(path))
    except InputError as exc:
        return Scored(path, error=str(exc))
    except Exception as exc:  # one broken input must not stop the others
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        message = f"{path}: internal error: {type(exc).__name__}: {exc}"
        return Scored(path, error=message, internal=True)
    return Scored(
        path,
        assessment=assessment if keep else None,
        row=_portfolio_row(path, summary, assessment),
        servers=servers,
        findings=findings,
        out_of_scope=out_of_scope,
        estate_work=estate_work,
        scope=summary["scope"],
        counts=rule_counts(assessment),
        unknown=unknown_count(assessment),
        rules=assessment.rules,
        settings=assessment.settings,
        **_plan_fields(assessment.plan),
    )


def _plan_fields(plan: Any) -> dict[str, Any]:
    """The Servers sheet's plan columns and the Portfolio's money label of one input."""
    if plan is None:
        return {}
    primary = plan.primary_cost
    return {
        "plan_cols": plan_server_cols(plan, with_groups=False),
        "money": f"{primary.display_name}, {primary.currency}",
    }


def score_inventories(
    paths: Sequence[Path],
    profile: Any,
    *,
    cli_sets: Sequence[str] = (),
    keep: bool = False,
    on_start: Callable[[Path], None] | None = None,
    on_done: Callable[[Scored], None] | None = None,
) -> list[Scored]:
    """Score every input with the same profile and rule catalog, in order.

    `keep` keeps each Assessment (memory grows with the inputs; `--into` needs it).
    """
    from advisor.engine.assess import load_catalog_rules

    rules = load_catalog_rules()
    results = []
    for path in paths:
        if on_start is not None:
            on_start(Path(path))
        result = score_one(Path(path), profile, rules=rules, cli_sets=cli_sets, keep=keep)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def write_batch(results: Sequence[Scored], path: str | Path, profile: Any) -> Path:
    """The portfolio workbook: Portfolio, Scope, Servers, Findings, Estate work, Rules,
    Profile."""
    path = Path(path)
    good = [r for r in results if r.ok]
    rows = [r.row if r.ok else {"source": str(r.path), "error": r.error} for r in results]
    wb = Workbook(write_only=True)
    planned = next((r for r in good if r.plan_cols), None)
    money = planned.money if planned is not None else None
    write_portfolio(wb, pd.DataFrame(rows), profile, money=money)
    write_scope(
        wb,
        _concat([r.out_of_scope for r in good], SCOPE_COLS),
        sum_scopes(r.scope for r in good),
        with_source=True,
    )
    frames = [r.servers for r in good if r.servers is not None]
    servers = pd.concat(frames, ignore_index=True) if frames else server_frame_empty()
    plan_cols = planned.plan_cols if planned is not None else ()
    write_servers(wb, servers, with_source=True, plan_cols=plan_cols)
    frames = [r.findings for r in good if r.findings is not None]
    findings = pd.concat(frames, ignore_index=True) if frames else finding_frame_empty()
    write_findings(wb, findings, sum(r.unknown for r in good), with_source=True)
    servers_hours = float(servers["effort_hours"].sum()) if len(servers) else 0.0
    estate = _concat([r.estate_work for r in good], ESTATE_COLS)
    write_estate_work(wb, estate, servers_hours, with_source=True)
    if good:
        counts = pd.concat([r.counts for r in good]).groupby(level=0).sum()
        write_rules(wb, good[0].rules, good[0].settings, counts)
    write_profile(wb, profile)
    return save_workbook(wb, path)


def _concat(frames: Sequence[pd.DataFrame | None], cols: Sequence[Any]) -> pd.DataFrame:
    """The inputs' frames one after the other; an empty frame with `cols` when none has rows."""
    present = [f for f in frames if f is not None and len(f)]
    if present:
        return pd.concat(present, ignore_index=True)
    return pd.DataFrame({c.key: pd.Series([], dtype=object) for c in cols})


def server_frame_empty() -> pd.DataFrame:
    from advisor.report.xlsx_report import SERVER_COLS

    return pd.DataFrame({c.key: pd.Series([], dtype=object) for c in SERVER_COLS})


def finding_frame_empty() -> pd.DataFrame:
    from advisor.report.xlsx_report import FINDING_COLS

    return pd.DataFrame({c.key: pd.Series([], dtype=object) for c in FINDING_COLS})
