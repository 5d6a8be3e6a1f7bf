"""`assessment.xlsx`: the scored workbook the team works in (DESIGN.md, Outputs).

Sheets: Summary (headline numbers, segments and charts), Scope (counts per category, then
every server left out, with the reason), Servers (one row per server in scope), Findings
(one row per failed or accepted finding with its evidence and effort, estate-wide ones as
server "estate"), Estate work (one-off work counted once), then, when the run made a plan,
Plan (waves, timeline, sensitivity, crossing links), Groups (read back by `--groups`) and
Costs (sizing and monthly cost per server and provider, with totals; see `xlsx_plan`),
then Rules (the catalogue as used), Data quality (the import's mapping, rejections, notes
and the assumptions of the run) and Profile (the engagement profile as used). Without a
plan (engine `assess` called directly) the plan's sheets and Servers columns are left out.

The Scope, Servers, Findings, Estate work, Rules and Profile sheets are written by the same
functions for one assessment and for `advisor score` over many (see `batch.py`), which adds
a `source` column.
Unknown outcomes are counted per server (Servers, column "Unknown") rather than listed one
per row: a large estate has as many of them as failures, and assessment.json lists each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from advisor.engine.rules import SEVERITIES
from advisor.errors import InputError
from advisor.report.atomic import replacing
from advisor.report.xlsx_fastrows import save
from advisor.report.xlsx_live import (
    BLOCK_OK,
    SERVER_NO,
    accepted_choice,
    live_scores,
    live_summary,
)
from advisor.report.xlsx_sheets import (
    BAD,
    BLUE,
    GIB,
    GIB_FINE,
    GOOD,
    GREY,
    HOURS,
    MONEY,
    RED_STRONG,
    SCORE,
    SOURCE_COL,
    WARN,
    Col,
    Table,
    colour_equal,
    colour_positive,
    colour_rows_when,
    colour_scale,
    file_name,
    table_sheet,
)

READINESS_LABELS = {
    "ready": "ready",
    "conditional": "conditional",
    "not_ready": "not ready",
    "unknown": "unknown",
}
READINESS_COLOURS = {"ready": GOOD, "conditional": WARN, "not ready": BAD, "unknown": GREY}
SEVERITY_COLOURS = {"blocker": RED_STRONG, "high": BAD, "medium": WARN}
STATUS_COLOURS = {"unknown": GREY}
ACCEPTED_COLOURS = {"yes": BLUE}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

SERVER_COLS: tuple[Col, ...] = (
    Col("name", "Server", 24),
    Col("site", "Site", 16),
    Col("segment", "Segment", 18),
    Col("power_state", "Power", 9),
    Col("role", "Role", 18),
    Col("role_evidence", "Role evidence", 40),
    Col("os_name", "Operating system", 36),
    Col("vcpus", "vCPUs", 8),
    Col("memory_gib", "Memory GiB", 11, GIB_FINE),
    Col("provisioned_gib", "Provisioned GiB", 13, GIB),
    Col("used_gib", "Used GiB", 11, GIB),
    Col("score", "Score", 8),
    Col("readiness", "Readiness", 13),
    Col("disposition", "Disposition", 13),
    Col("confidence", "Confidence (1-5)", 11),
    Col("confidence_gaps", "Confidence lowered by", 28),
    Col("effort_hours", "Effort h", 10, HOURS),
    Col("failed_blocker", "Blocker", 9),
    Col("failed_high", "High", 8),
    Col("failed_medium", "Medium", 9),
    Col("failed_low", "Low", 8),
    Col("failed_info", "Info", 8),
    Col("unknown_rules", "Unknown", 10),
    Col("unknown_blockers", "Blocker unknown", 10),
    Col("accepted", "Accepted", 10),
    Col("top_finding", "Most severe finding", 90),
    Col("id", "Server id", 38),
)

FINDING_COLS: tuple[Col, ...] = (
    Col("server", "Server", 24),
    Col("code", "Code", 9),
    Col("area", "Area", 18),
    Col("severity", "Severity", 10),
    Col("status", "Status", 10),
    Col("accepted", "Accepted", 10),
    Col("effort_hours", "Effort h", 9, HOURS),
    Col("disposition", "Suggests", 11),
    Col("message", "Finding", 100),
    Col("evidence", "Evidence", 60),
    Col("remediation", "What to do", 70),
    Col("reason", "Accepted because", 40),
)

RULE_COLS: tuple[Col, ...] = (
    Col("code", "Code", 9),
    Col("name", "Name", 30),
    Col("area", "Area", 18),
    Col("title", "Title", 60),
    Col("scope", "Scope", 10),
    Col("severity", "Severity", 10),
    Col("default_severity", "Default severity", 11),
    Col("enabled", "Enabled", 9),
    Col("disposition", "Suggests", 11),
    Col("effort_hours", "Effort h", 9, HOURS),
    Col("params", "Params as used", 50),
    Col("overridden", "Overridden", 11),
    Col("changes", "What changed", 36),
    Col("fail", "Failed", 9),
    Col("unknown", "Unknown", 10),
    Col("accepted", "Accepted", 10),
    Col("remediation", "What to do", 80),
)

QUALITY_COLS: tuple[Col, ...] = (
    Col("topic", "Topic", 22),
    Col("sheet", "Sheet or file", 22),
    Col("row", "Row", 8),
    Col("column", "Column or header", 30),
    Col("value", "Value", 24),
    Col("read_as", "Read as", 24),
    Col("detail", "Reason or note", 90),
)

PROFILE_COLS: tuple[Col, ...] = (Col("key", "Key", 40), Col("value", "Value", 70))
#: Server columns shown only when the frame has them (segment_by set; the role's evidence).
OPTIONAL_SERVER_COLS = frozenset({"segment", "role_evidence"})


# --- frames: what the sheets show, one code path for single and batch workbooks ----------


def server_frame(assessment: Any) -> pd.DataFrame:
    """One display row per server in scope, sorted by name; the site is the one the profile
    set, the segment only when the profile segments the estate, the role's evidence
    when the facts give it, and the plan's columns (`xlsx_plan.server_plan_frame`) when
    the run made a plan."""
    s = assessment.servers
    site = s["site"].astype("string")
    facts = assessment.facts
    if "site" in facts.columns:
        site = facts["site"].reindex(s.index).astype("string").fillna(site)
    out = s.assign(site=site, readiness=s["readiness"].map(READINESS_LABELS))
    plan = getattr(assessment, "plan", None)
    if plan is not None:
        from advisor.report.xlsx_plan import server_plan_frame

        out = out.join(server_plan_frame(plan, out.index))
    f = assessment.evaluation.findings
    undecided = f[(f["status"] == "unknown") & (f["severity"] == "blocker")]
    out["unknown_blockers"] = (
        undecided.groupby("server_id").size().reindex(s.index, fill_value=0).astype(int)
    )
    if "role_evidence" in facts.columns:
        out["role_evidence"] = facts["role_evidence"].reindex(s.index).astype("string")
    if assessment.scope.segment_label is None:
        out = out.drop(columns="segment", errors="ignore")
    order = out["name"].astype("string").str.lower().fillna("")
    return out.assign(_order=order).sort_values(["_order", "id"]).drop(columns="_order")


def numbered(servers: pd.DataFrame) -> pd.DataFrame:
    """`servers` with a server number (1, 2, ... in sheet order): the key Findings rows
    name their server by in a workbook whose scores are live."""
    return servers.assign(server_no=np.arange(1, len(servers) + 1), block_ok=True)


def finding_frame(assessment: Any) -> pd.DataFrame:
    """Failed and accepted findings, estate-wide failures first (server "estate"), then by
    server name, severity (worst first) and code; each with the facts the rule read
    (evidence), what the rule said (status: fail, or unknown for an undecided outcome the
    customer accepted), whether it is accepted (yes/no), the hours a failure adds to its
    server (effort_hours; nothing once accepted), the rule's own hours (rule_hours) and
    the server's id (server_id; None for the estate)."""
    ev = assessment.evaluation
    remediation = {r.code: " ".join(r.spec.remediation.split()) for r in assessment.rules}
    f = ev.findings
    kept = f[f["status"] != "unknown"]
    accepted = (kept["status"] == "accepted").to_numpy()
    status = kept["status"].astype(object).copy()
    status.loc[accepted] = accepted_outcomes(assessment, kept[accepted])
    names = assessment.servers["name"]
    hours = kept["effort_hours"].astype(float)
    servers = pd.DataFrame(
        {
            "server": kept["server_id"].map(names).astype(object).to_numpy(),
            "code": kept["code"].to_numpy(),
            "area": kept["area"].to_numpy(),
            "severity": kept["severity"].to_numpy(),
            "status": status.to_numpy(),
            "accepted": np.where(accepted, "yes", "no").astype(object),
            "effort_hours": hours.where(~accepted, 0.0).to_numpy(),
            "disposition": kept["disposition"].to_numpy(),
            "message": kept["message"].to_numpy(),
            "evidence": kept["evidence"].to_numpy(),
            "reason": kept["reason"].to_numpy(),
            "rule_hours": hours.to_numpy(),
            "server_id": kept["server_id"].to_numpy(),
        }
    )
    servers["_name"] = servers["server"].astype("string").str.lower().fillna("")
    servers["_rank"] = -servers["severity"].map(SEVERITY_RANK).fillna(0)
    servers = servers.sort_values(["_name", "_rank", "code"]).drop(columns=["_name", "_rank"])
    estate = ev.portfolio[ev.portfolio["status"] == "fail"]
    estate = pd.DataFrame(
        {
            "server": "estate",
            "code": estate["code"].to_numpy(),
            "area": estate["area"].to_numpy(),
            "severity": estate["severity"].to_numpy(),
            "status": estate["status"].to_numpy(),
            "accepted": None,
            "effort_hours": estate["effort_hours"].astype(float).to_numpy(),
            "disposition": estate["disposition"].to_numpy(),
            "message": estate["message"].to_numpy(),
            "evidence": None,
            "reason": None,
            "rule_hours": estate["effort_hours"].astype(float).to_numpy(),
            "server_id": None,
        }
    )
    estate["_rank"] = -estate["severity"].map(SEVERITY_RANK).fillna(0)
    estate = estate.sort_values(["_rank", "code"]).drop(columns="_rank")
    out = pd.concat([estate, servers], ignore_index=True) if len(estate) else servers
    out["remediation"] = out["code"].map(remediation)
    return out.reset_index(drop=True)


def accepted_outcomes(assessment: Any, accepted: pd.DataFrame) -> np.ndarray:
    """What each accepted finding's rule said before the customer accepted it: fail or
    unknown. The evaluation keeps only "accepted"; the workbook needs the outcome so that
    a finding switched back to not accepted counts as what it was. Each rule with an
    accepted finding is evaluated again (a handful of rules, whatever the estate size)."""
    out = np.full(len(accepted), "fail", dtype=object)
    if not len(accepted):
        return out
    by_code = {r.code: r for r in assessment.rules}
    facts = assessment.facts
    positions = pd.Series(np.arange(len(accepted)), index=accepted.index)
    for code, rows in accepted.groupby("code"):
        rule = by_code[code]
        env: dict[str, Any] = {n: facts[n] for n in rule.facts_used}
        env.update(assessment.settings[code].params)
        outcome = rule.expression.evaluate(env, facts.index).reindex(rows["server_id"])
        out[positions[rows.index].to_numpy()] = np.where(
            outcome.isna().to_numpy(), "unknown", "fail"
        )
    return out


def rule_counts(assessment: Any) -> pd.DataFrame:
    """Per rule code: servers failed, unknown, accepted (estate rules: 1 when they fail)."""
    f = assessment.evaluation.findings
    counts = f.groupby(["code", "status"]).size().unstack(fill_value=0)
    p = assessment.evaluation.portfolio
    estate = p.assign(n=1).pivot_table(index="code", columns="status", values="n", aggfunc="sum")
    counts = pd.concat([counts, estate]).fillna(0)
    counts = counts.reindex(columns=["fail", "unknown", "accepted"], fill_value=0)
    return counts.groupby(level=0).sum().astype(int)


def unknown_count(assessment: Any) -> int:
    return int((assessment.evaluation.findings["status"] == "unknown").sum())


# --- sheets ---------------------------------------------------------------------------------


def _with_source(cols: Sequence[Col], with_source: bool) -> tuple[Col, ...]:
    return (SOURCE_COL, *cols) if with_source else tuple(cols)


def server_columns(
    frame: pd.DataFrame,
    *,
    with_source: bool = False,
    plan_cols: Sequence[Col] = (),
    live: bool = False,
) -> tuple[Col, ...]:
    """The Servers sheet's columns (see `write_servers`)."""
    shown = [c for c in SERVER_COLS if c.key not in OPTIONAL_SERVER_COLS or c.key in frame]
    planned = [c for c in plan_cols if c.key in frame]
    if planned:
        at = next(i for i, c in enumerate(shown) if c.key == "top_finding")
        shown[at:at] = planned
    if live:
        shown += [SERVER_NO, BLOCK_OK]
    return _with_source(shown, with_source)


def finding_columns(*, with_source: bool = False, live: bool = False) -> tuple[Col, ...]:
    """The Findings sheet's columns (see `write_findings`)."""
    return _with_source((*FINDING_COLS, SERVER_NO) if live else FINDING_COLS, with_source)


def write_servers(
    wb: Workbook,
    frame: pd.DataFrame,
    *,
    with_source: bool = False,
    plan_cols: Sequence[Col] = (),
    live: bool = False,
) -> Table:
    """The Servers sheet; `plan_cols` (`xlsx_plan.plan_server_cols`) go before the most
    severe finding, each shown when the frame has it. `live` adds the Server no. column
    that the scores' formulas match findings by (`xlsx_live`)."""
    cols = server_columns(frame, with_source=with_source, plan_cols=plan_cols, live=live)
    planned = [c for c in plan_cols if c.key in frame]
    plan_note = (
        " Instance type and Monthly: the target provider's right-sized instance and its "
        "monthly cost (empty when a price is missing: Costs sheet); Group and Wave: Plan "
        "and Groups sheets."
        if planned
        else ""
    )
    live_note = (
        " Score, Readiness, Disposition, Effort h and the counts are formulas over the "
        "Findings sheet (matched by Server no.) and the Settings sheet: mark a finding "
        "accepted or change a weight and they follow; Most severe finding stays as assessed."
        if live
        else ""
    )
    note = (
        f"{len(frame):,} servers in scope, one row each (out of scope: Scope sheet). Score "
        "0-100 (100 = nothing failed); Confidence lowered by names what the data leaves open; "
        "Blocker..Info count failed rules by severity; Unknown counts rules the data could "
        "not decide, Blocker unknown those of severity blocker (they make a server's "
        "readiness unknown); Accepted counts findings the customer accepted. Details: "
        "Findings sheet." + live_note + plan_note
    )
    t = table_sheet(wb, "Servers", note, cols, frame, freeze_cols=1 + with_source)
    colour_scale(t.ws, t.range("score"), 0, 60, 100)
    colour_equal(t.ws, t.range("readiness"), READINESS_COLOURS)
    colour_scale(t.ws, t.range("confidence"), 1, 3, 5)
    colour_positive(t.ws, t.range("failed_blocker"), RED_STRONG)
    colour_positive(t.ws, t.range("failed_high"), BAD)
    return t


def write_findings(
    wb: Workbook,
    frame: pd.DataFrame,
    unknown: int,
    *,
    with_source: bool = False,
    live: bool = False,
) -> Table:
    """The Findings sheet; `live` adds the Server no. column (see `write_servers`)."""
    cols = finding_columns(with_source=with_source, live=live)
    estate = frame["server"] == "estate"
    accepted = frame["accepted"] == "yes"
    failed = (frame["status"] == "fail") & ~estate & ~accepted
    live_note = (
        " Accepted (yes/no) is yours to change: the Servers sheet's scores follow it."
        if live
        else ""
    )
    note = (
        f"{int(failed.sum()):,} failed and {int(accepted.sum()):,} accepted findings, one "
        f"row each, plus {int(estate.sum())} estate-wide (server 'estate'). Status: what "
        "the rule said (fail, or unknown for an undecided outcome the customer accepted); "
        "Evidence: the facts the rule read; Effort h: the hours the finding adds to its "
        "server while failed and not accepted (a server to retire carries only its "
        "decommissioning; one-off work: Estate work sheet); Suggests: the rule's "
        "disposition. The "
        f"{unknown:,} outcomes the data could not decide (unknown) are not listed here: "
        "Servers counts them per server and assessment.json lists each with the facts that "
        "were missing." + live_note
    )
    t = table_sheet(wb, "Findings", note, cols, frame, freeze_cols=1 + with_source)
    colour_equal(t.ws, t.range("severity"), SEVERITY_COLOURS)
    colour_equal(t.ws, t.range("status"), STATUS_COLOURS)
    colour_equal(t.ws, t.range("accepted"), ACCEPTED_COLOURS)
    return t


def _param_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rule_frame(
    rules: Sequence[Any], settings: dict[str, Any], counts: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for rule in rules:
        spec, s = rule.spec, settings[rule.code]
        params, changes = [], []
        for key, value in s.params.items():
            param = spec.params.get(key)
            unit = param.unit if param else ""
            shown = _param_text(value)
            # The profile's migration window sets every window_hours param, so "came from
            # the profile" alone is no change: only a value other than the rule's default is.
            changed = param is None or value != param.default
            origin = s.origin.get(key, "default")
            suffix = (
                f" ({origin}; default {_param_text(param.default)})" if changed and param else ""
            )
            params.append(f"{key} = {shown} {unit}".rstrip() + suffix)
            if changed:
                changes.append(f"{key} ({origin})")
        if s.severity != spec.severity:
            changes.insert(0, f"severity {spec.severity} -> {s.severity}")
        if not s.enabled:
            changes.insert(0, "disabled")
        c = counts.loc[rule.code] if rule.code in counts.index else None
        rows.append(
            {
                "code": rule.code,
                "name": rule.name,
                "area": spec.area,
                "title": spec.title,
                "scope": "estate" if spec.scope == "portfolio" else spec.scope,
                "severity": s.severity,
                "default_severity": spec.severity,
                "enabled": bool(s.enabled),
                "disposition": spec.disposition,
                "effort_hours": float(spec.effort_hours),
                "params": "; ".join(params),
                "overridden": bool(changes),
                "changes": ", ".join(changes),
                "fail": int(c["fail"]) if c is not None else 0,
                "unknown": int(c["unknown"]) if c is not None else 0,
                "accepted": int(c["accepted"]) if c is not None else 0,
                "remediation": " ".join(spec.remediation.split()),
            }
        )
    return pd.DataFrame(rows, columns=[c.key for c in RULE_COLS])


def write_rules(wb: Workbook, rules: Sequence[Any], settings: dict[str, Any], counts) -> Table:
    frame = rule_frame(rules, settings, counts)
    changed = int(frame["overridden"].sum()) if len(frame) else 0
    note = (
        f"{len(frame)} rules as used in this assessment; {changed} changed by the profile or "
        "the command line (Overridden, What changed). Failed / Unknown / Accepted count "
        "servers; an estate-wide rule counts 1 for the estate."
    )
    t = table_sheet(wb, "Rules", note, RULE_COLS, frame, freeze_cols=1)
    colour_equal(t.ws, t.range("severity"), SEVERITY_COLOURS)
    colour_rows_when(t.ws, t.full_range, f"${t.column('enabled')}3=FALSE", GREY)
    colour_rows_when(t.ws, t.full_range, f"${t.column('overridden')}3=TRUE", BLUE)
    return t


def _flatten(value: Any, key: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append((key, "(none)"))
        for k, v in value.items():
            _flatten(v, f"{key}.{k}" if key else str(k), out)
    elif isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in value):
            out.append((key, ", ".join(str(v) for v in value) if value else "(none)"))
        else:
            for i, v in enumerate(value):
                _flatten(v, f"{key}[{i}]", out)
    else:
        out.append((key, "(not set)" if value is None else value))


def profile_frame(profile: Any) -> pd.DataFrame:
    """The profile as key/value rows; files (the profile itself, a logo) by name only."""
    source = getattr(profile, "source", None)
    rows: list[tuple[str, Any]] = [
        ("profile file", file_name(source) if source else "(none: advisor's defaults)")
    ]
    _flatten(profile.model_dump(mode="json"), "", rows)
    paths: list[tuple[str, Any]] = []
    _flatten(profile.model_dump(), "", paths)
    is_path = {k for k, v in paths if isinstance(v, PurePath)}
    rows = [(k, file_name(v) if k in is_path else v) for k, v in rows]
    return pd.DataFrame(
        {"key": [k for k, _ in rows], "value": pd.Series([v for _, v in rows], dtype=object)}
    )


def write_profile(wb: Workbook, profile: Any) -> Table:
    frame = profile_frame(profile)
    note = "The engagement profile as used, one setting per row (defaults included)."
    return table_sheet(wb, "Profile", note, PROFILE_COLS, frame)


def quality_frame(assessment: Any) -> pd.DataFrame:
    """Assumptions, import notes, rejected rows and values, then the column mapping."""
    src = assessment.inventory.source
    rows: list[dict[str, Any]] = []
    for text in assessment.assumptions:
        rows.append({"topic": "assumption", "detail": text})
    for text in src.notes:
        rows.append({"topic": "import note", "detail": text})
    topics = {
        "row": "rejected row",
        "value": "value read as unknown",
        "flag": "flag",
        "skip": "skipped detail row",
    }
    for kind in ("row", "value", "flag", "skip"):
        for p in src.problems:
            if p.kind == kind:
                rows.append(
                    {
                        "topic": topics[kind],
                        "sheet": p.sheet,
                        "row": p.row,
                        "column": p.column,
                        "value": p.value,
                        "detail": p.reason,
                    }
                )
    for status in ("unmapped", "ignored", "kept", "mapped"):
        for m in src.mapping:
            if m.status == status:
                rows.append(
                    {
                        "topic": f"column {status}",
                        "sheet": m.sheet,
                        "column": m.header,
                        "read_as": m.column,
                        "detail": m.note or None,
                    }
                )
    frame = pd.DataFrame(rows, columns=[c.key for c in QUALITY_COLS])
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].astype(object)
    return frame


def write_data_quality(wb: Workbook, assessment: Any) -> Table:
    src = assessment.inventory.source
    frame = quality_frame(assessment)
    scope = assessment.summary()["scope"]
    values = sum(1 for p in src.problems if p.kind == "value")
    unmapped = sum(1 for m in src.mapping if m.status == "unmapped")
    note = (
        f"{scope['servers_read']:,} server rows read = {scope['in_scope']:,} in scope + "
        f"{scope['out_of_scope']:,} out of scope (Scope sheet) + {scope['rejected']:,} "
        f"rejected; {values:,} values read as unknown, {unmapped:,} columns not mapped. "
        "Assumptions of this run first, then what the import did, row by row and column by "
        "column."
    )
    t = table_sheet(wb, "Data quality", note, QUALITY_COLS, frame, freeze_cols=1)
    colour_equal(
        t.ws,
        t.range("topic"),
        {
            "rejected row": BAD,
            "value read as unknown": WARN,
            "flag": WARN,
            "column unmapped": WARN,
            "assumption": BLUE,
        },
    )
    return t


PORTFOLIO_COLS: tuple[Col, ...] = (
    Col("source", "Source", 44),
    Col("format", "Format", 14),
    Col("format_version", "Version", 10),
    Col("servers_read", "Servers read", 9),
    Col("in_scope", "In scope", 9),
    Col("out_of_scope", "Out of scope", 9),
    Col("rejected_rows", "Rejected rows", 10),
    Col("ready", "Ready", 8),
    Col("conditional", "Conditional", 12),
    Col("not_ready", "Not ready", 10),
    Col("unknown", "Unknown", 10),
    Col("rehost", "Rehost", 8),
    Col("replatform", "Replatform", 11),
    Col("refactor", "Refactor", 9),
    Col("retain", "Retain", 8),
    Col("retire", "Retire", 8),
    Col("effort_hours", "Effort h", 10, HOURS),
    Col("effort_hours_estate", "of it one-off estate work h", 12, HOURS),
    Col("provisioned_gib", "Provisioned GiB", 14, GIB),
    Col("used_gib", "Used GiB", 12, GIB),
    Col("mean_score", "Mean score", 11, SCORE),
    Col("failed_findings", "Failed findings", 11),
    Col("monthly_cost", "Monthly right-sized (per month)", 14, MONEY),
    Col("unpriced_servers", "Servers not priced in full", 11),
    Col("error", "Error", 90),
)
_PORTFOLIO_COUNTS = (
    "servers_read",
    "in_scope",
    "out_of_scope",
    "ready",
    "conditional",
    "not_ready",
    "unknown",
    "rehost",
    "replatform",
    "refactor",
    "retain",
    "retire",
    "failed_findings",
    "rejected_rows",
    "unpriced_servers",
)


def write_portfolio(
    wb: Workbook, frame: pd.DataFrame, profile: Any, *, money: str | None = None
) -> Table:
    """One row per input of `advisor score`; inputs that failed carry their error.
    `money` ('Exoscale, EUR') names the provider and currency of the monthly cost column;
    the cost is empty where servers are not priced in full (their count beside it)."""
    frame = frame.reindex(columns=[c.key for c in PORTFOLIO_COLS])
    for key in _PORTFOLIO_COUNTS:
        frame[key] = pd.to_numeric(frame[key]).astype("Int64")
    for key in ("effort_hours", "effort_hours_estate", "provisioned_gib", "used_gib",
                "mean_score", "monthly_cost"):  # fmt: skip
        frame[key] = pd.to_numeric(frame[key]).astype("Float64")
    cols = PORTFOLIO_COLS
    if money:
        cols = tuple(
            replace(c, header=f"Monthly right-sized ({money}/month)")
            if c.key == "monthly_cost"
            else c
            for c in cols
        )
    failed = int(frame["error"].notna().sum())
    source = getattr(profile, "source", None)
    note = (
        f"{len(frame) - failed} of {len(frame)} inventories scored "
        f"({int(frame['in_scope'].sum()):,} servers in scope, "
        f"{int(frame['out_of_scope'].sum()):,} out of scope, "
        f"{frame['effort_hours'].sum():,.0f} h effort) "
        f"with {'profile ' + str(source) if source else 'the default profile'}; "
        + (f"{failed} could not be read (see Error)." if failed else "none failed.")
        + " Monthly: the target provider's cost of the servers in scope, right-sized, empty "
        "where servers are not priced in full (counted beside it; Servers sheet per server)."
    )
    t = table_sheet(wb, "Portfolio", note, cols, frame, freeze_cols=1)
    colour_scale(t.ws, t.range("mean_score"), 0, 60, 100)
    colour_positive(t.ws, t.range("not_ready"), BAD)
    colour_positive(t.ws, t.range("unpriced_servers"), WARN)
    colour_rows_when(t.ws, t.full_range, f"LEN(${t.column('error')}3)>0", BAD)
    return t


# --- the workbook ----------------------------------------------------------------------------


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save atomically (a temporary file renamed over the target, removed if the save stops
    part-way, Ctrl-C included); OS errors are input errors."""
    try:
        with replacing(path) as tmp:
            save(wb, tmp)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the workbook ({exc.strerror or exc})") from exc
    return path


def write_xlsx(assessment: Any, path: str | Path, *, questions: list[Any] | None = None) -> Path:
    """Write the scored workbook to `path` (a folder gets `assessment.xlsx`); return the path.
    `questions`: the assessment's customer questions, when the caller has them already."""
    from advisor.report.xlsx_matrix import write_matrix
    from advisor.report.xlsx_plan import (
        plan_server_cols,
        write_costs,
        write_groups,
        write_plan,
    )
    from advisor.report.xlsx_questions import write_questions
    from advisor.report.xlsx_scope import estate_frame, scope_frame, write_estate_work, write_scope
    from advisor.report.xlsx_settings import write_settings
    from advisor.report.xlsx_summary import write_summary

    path = Path(path)
    if path.is_dir():
        path = path / "assessment.xlsx"
    wb = Workbook(write_only=True)
    plan = getattr(assessment, "plan", None)
    servers = numbered(server_frame(assessment))
    findings = finding_frame(assessment)
    findings["server_no"] = (
        findings["server_id"]
        .map(pd.Series(servers["server_no"].to_numpy(), index=servers["id"].to_numpy()))
        .astype("Int64")
    )
    summary = assessment.summary()
    summary_rows = write_summary(wb, assessment, servers)
    write_scope(wb, scope_frame(assessment), summary["scope"])
    plan_cols = plan_server_cols(plan) if plan is not None else ()
    # The live formulas are registered before the two tables are written, so that their
    # rows are written with their formulas (xlsx_fastrows).
    server_at = Table.planned(server_columns(servers, plan_cols=plan_cols, live=True), len(servers))
    finding_at = Table.planned(finding_columns(live=True), len(findings))
    live_scores(wb, server_at, servers, finding_at, findings)
    server_table = write_servers(wb, servers, plan_cols=plan_cols, live=True)
    finding_table = write_findings(wb, findings, unknown_count(assessment), live=True)
    if not (server_at.same_place(server_table) and finding_at.same_place(finding_table)):
        raise RuntimeError("Servers or Findings: not written where their formulas point")
    accepted_choice(finding_table, findings)
    live_summary(wb, summary_rows, server_table, finding_table)
    write_settings(wb, assessment.profile)
    write_matrix(wb, assessment, servers)
    write_questions(wb, assessment, questions)
    write_estate_work(wb, estate_frame(assessment), summary["effort_hours_servers"])
    if plan is not None:
        write_plan(wb, plan)
        write_groups(wb, plan)
        write_costs(wb, plan, assessment.servers["name"])
    write_rules(wb, assessment.rules, assessment.settings, rule_counts(assessment))
    write_data_quality(wb, assessment)
    write_profile(wb, assessment.profile)
    return save_workbook(wb, path)


__all__ = [
    "FINDING_COLS",
    "SERVER_COLS",
    "finding_frame",
    "rule_counts",
    "save_workbook",
    "server_frame",
    "write_findings",
    "write_portfolio",
    "write_rules",
    "write_servers",
    "write_xlsx",
]
