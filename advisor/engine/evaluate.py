"""Evaluate the rule catalog over the facts table: findings per server and for the estate.

Each rule's condition is evaluated once over all servers (a boolean Series with NA):
true -> fail, false -> pass, NA -> unknown. Messages are formatted only for failing rows;
unknown rows say which of the rule's facts were missing. Every finding carries its
evidence: the server's values of the facts the rule read (the target's own limits, facts
named `target_*`, are the same for every server and stay in the message). Accepted
exceptions from the profile turn a failure (or unknown) into `accepted`, keeping the message
and adding the customer's reason: nothing is hidden.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor import forking
from advisor.engine.rules import Rule
from advisor.engine.settings import RuleSettings
from advisor.text import plural_words

STATUSES = ("pass", "fail", "unknown", "accepted")


#: What a message says where a value it names is missing: words for a reader, not a data
#: label, and never a number (a missing size is not '0 GiB').
MISSING = "not known"
#: A unit written after a missing value ('not known GiB') is dropped.
_MISSING_UNIT = re.compile(
    rf"{MISSING}(?: (?:GiB|TiB|MiB|GB|TB|h|ms|km|days?|weeks?|Mbit/s|vCPUs?))+\b"
)


def _without_units(message: str) -> str:
    return _MISSING_UNIT.sub(MISSING, message) if MISSING in message else message


class _Formatter(string.Formatter):
    """str.format for messages: missing values print as `MISSING`, never crash a report."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if (
            value is None
            or value is pd.NA
            or isinstance(value, _Unknown)
            or (isinstance(value, float) and math.isnan(value))
        ):
            return MISSING
        try:
            return format(value, format_spec)
        except (TypeError, ValueError):
            return str(value)


_FORMATTER = _Formatter()


@dataclass
class Evaluation:
    """Findings of one run: long table of non-pass server findings, the full status matrix
    (server x rule, categorical over `STATUSES`: one byte a cell at 100,000 servers and 80
    rules), and the estate-wide (portfolio) findings."""

    findings: pd.DataFrame
    status: pd.DataFrame
    portfolio: pd.DataFrame


#: A server rule's outcomes, in the order of the status matrix's categories.
STATUSES = ("pass", "fail", "unknown", "accepted")
_STATUS_TEXT = np.array(STATUSES, dtype=object)
#: The status matrix's column type, made once (each `from_codes` would check the
#: categories again).
_STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
_UNKNOWN_AT = STATUSES.index("unknown")
_ACCEPTED_AT = STATUSES.index("accepted")

#: Columns of the estate-wide findings table (no server, no accepted reason).
PORTFOLIO_COLUMNS = (
    "code",
    "name",
    "area",
    "severity",
    "status",
    "message",
    "disposition",
    "effort_hours",
)
FINDING_COLUMNS = ("server_id", *PORTFOLIO_COLUMNS, "evidence", "reason")


def evaluate(
    rules: list[Rule],
    settings: dict[str, RuleSettings],
    facts: pd.DataFrame,
    portfolio: dict[str, Any],
    exceptions: list[tuple[str, str, str]],
    names: pd.Series,
) -> Evaluation:
    """Run every enabled rule. `exceptions` holds (rule code, server id, reason)."""
    server_rules = [r for r in rules if r.spec.scope == "server" and settings[r.code].enabled]
    estate_rules = [r for r in rules if r.spec.scope == "portfolio" and settings[r.code].enabled]
    accepted = _accepted_index(exceptions)
    # One Python string per server id, shared by every rule's rows: an index of pandas'
    # `str` dtype makes new string objects on each conversion.
    ids = facts.index.to_numpy(dtype=object)

    def run(rule: Rule) -> Outcome:
        return _rule_outcome(rule, settings[rule.code], facts, ids, names, accepted)

    # Rules are independent of one another: where a second core helps, it takes its share.
    outcomes = forking.in_two(server_rules, run, len(facts))
    status = {
        r.code: pd.Categorical.from_codes(o[0], dtype=_STATUS_DTYPE)
        for r, o in zip(server_rules, outcomes, strict=True)
    }
    parts = [o[1] for o in outcomes if o[1] is not None]
    findings = (
        _joined(parts)
        if parts
        else pd.DataFrame({c: pd.Series([], dtype=object) for c in FINDING_COLUMNS})
    )
    matrix = pd.DataFrame(status, index=facts.index)
    return Evaluation(findings, matrix, _portfolio(estate_rules, settings, portfolio))


#: One rule's result: its status codes per server (int8, positions in STATUSES) and its
#: rows of the findings table (None when it passed everywhere).
Outcome = tuple[np.ndarray, dict[str, np.ndarray] | None]


def _rule_outcome(
    rule: Rule,
    s: RuleSettings,
    facts: pd.DataFrame,
    ids: np.ndarray,
    names: pd.Series,
    accepted: dict[str, dict[str, str]],
) -> Outcome:
    """One rule over every server: the unit of work `evaluate` shares between processes
    (it reads only the facts table and the rule, and returns plain arrays)."""
    env: dict[str, Any] = {n: facts[n] for n in rule.facts_used}
    env.update(s.params)
    outcome = rule.expression.evaluate(env, facts.index)
    failed = outcome.fillna(False).to_numpy(dtype=bool)
    ranks = np.where(outcome.isna().to_numpy(), _UNKNOWN_AT, failed.astype(np.int8))
    ranks = ranks.astype(np.int8)
    hits = accepted.get(rule.code)
    if hits:
        ranks[facts.index.isin(list(hits)) & (ranks != 0)] = _ACCEPTED_AT
    # One shared string per outcome: a string per cell would be millions of objects.
    codes = _STATUS_TEXT.take(ranks)
    return ranks, _rule_findings(rule, s, codes, facts, ids, names, hits or {})


def _joined(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The rules' findings as one table, each column joined once (a table per rule and a
    concatenation of eighty of them cost more than the findings did at 655 servers).
    Object columns, not pandas' inferred `str`: those would hold a copy of every string."""
    columns = {c: np.concatenate([part[c] for part in parts]) for c in FINDING_COLUMNS}
    return pd.DataFrame(
        {k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in columns.items()}, copy=False
    )


def _accepted_index(exceptions: list[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for code, server_id, reason in exceptions:
        out.setdefault(code, {})[server_id] = reason
    return out


def _rule_findings(
    rule: Rule,
    s: RuleSettings,
    codes: np.ndarray,
    facts: pd.DataFrame,
    ids: np.ndarray,
    names: pd.Series,
    reasons: dict[str, str],
) -> dict[str, np.ndarray] | None:
    """The rule's rows of the findings table as columns (None when it passed everywhere).

    Every text column is an object array whose equal values are one shared string: at
    100,000 servers the table has some 700,000 rows, most of them unknown verdicts with the
    same reason and evidence, and a string per row (what pandas' `str` columns become when
    the parts are joined) cost about 400 MiB."""
    keep = codes != "pass"
    if not keep.any():
        return None
    at = np.flatnonzero(keep)
    n = len(at)
    # Only the rule's own columns of the rows it reports: copying the whole facts table
    # for every rule cost seconds.
    used = [
        j for j, c in enumerate(facts.columns) if c in rule.facts_used or c in rule.message_fields
    ]
    rows = facts.iloc[at, used]
    sub_codes = codes[keep]
    messages = np.empty(n, dtype=object)
    explained = (sub_codes == "fail") | (sub_codes == "accepted")
    if explained.any():
        messages[explained] = format_messages(rule, s, rows[explained], names)
    if (~explained).any():
        messages[~explained] = _unknown_reasons(rule, rows[~explained])
    columns = {
        "server_id": ids[keep],
        "code": _same(rule.code, n),
        "name": _same(rule.name, n),
        "area": _same(rule.spec.area, n),
        "severity": _same(s.severity, n),
        "status": sub_codes,
        "message": _shared(messages),
        "disposition": _same(rule.spec.disposition, n),
        "effort_hours": np.full(n, rule.spec.effort_hours, dtype=float),
        "evidence": _shared(evidence(rule, rows)),
        "reason": np.array(
            [reasons.get(i) for i in ids[keep]] if reasons else [None] * n, dtype=object
        ),
    }
    return columns


def _same(value: str, n: int) -> np.ndarray:
    """`n` references to one string, as an object column (`np.full` would make `n` copies:
    it goes through a NumPy string first)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _shared(values: np.ndarray) -> np.ndarray:
    """`values` with equal strings made one object (NA and None kept)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = np.asarray(uniques, dtype=object).take(codes) if len(uniques) else values.copy()
    if (codes < 0).any():
        out[codes < 0] = values[codes < 0]
    return out


def evidence(rule: Rule, rows: pd.DataFrame) -> np.ndarray:
    """'fact: value; fact: value' per row for the facts `rule` reads (target limits left
    out), built column by column."""
    names = sorted(f for f in rule.facts_used if not f.startswith("target_") and f in rows)
    out = np.full(len(rows), "", dtype=object)
    for name in names:
        text = name + ": " + _shown(rows[name])
        out = np.where(out == "", text, out + "; " + text)
    return out


def _shown(values: pd.Series) -> np.ndarray:
    """Values as a reader sees them: yes/no, numbers without noise, 'unknown' for NA."""
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.map({True: "yes", False: "no"}, na_action="ignore")
    elif pd.api.types.is_numeric_dtype(values.dtype):
        text = (
            values.astype("Float64").round(1).astype("string").str.replace(r"\.0$", "", regex=True)
        )
    elif isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
        values.dtype
    ):
        text = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.astype("string").str.slice(0, 160)
    return text.astype("string").fillna("unknown").to_numpy(dtype=object)


def format_messages(rule: Rule, s: RuleSettings, rows: pd.DataFrame, names: pd.Series) -> list[str]:
    """The rule's message for each row, with facts, params and the server name filled in."""
    fields = [f for f in rule.message_fields if f in rows.columns]
    columns = {f: rows[f].astype(object).where(rows[f].notna(), _UNKNOWN).tolist() for f in fields}
    server_names = names.reindex(rows.index).astype(object).tolist()
    template = rule.spec.message
    out = []
    for i in range(len(rows)):
        values: dict[str, Any] = dict(s.params)
        values.update({f: columns[f][i] for f in fields})
        values["name"] = server_names[i]
        try:  # built-in formatting (C speed); templates hold plain names only (checked on load)
            out.append(template.format_map(values))
        except (TypeError, ValueError):  # e.g. a number format applied to a text value
            out.append(_FORMATTER.vformat(template, (), values))
    if "(s)" in template:  # '1 snapshot(s)' reads '1 snapshot', '3 snapshot(s)' '3 snapshots'
        out = [plural_words(m) for m in out]
    return [_without_units(m) for m in out]


class _Unknown:
    """Stands in for a missing value in a message: prints `MISSING` whatever the format."""

    def __format__(self, spec: str) -> str:
        return MISSING

    def __str__(self) -> str:
        return MISSING


_UNKNOWN = _Unknown()


def _unknown_reasons(rule: Rule, rows: pd.DataFrame) -> np.ndarray:
    """'cannot tell: transfer_hours, site_uplink_mbps unknown' per row, built column-wise."""
    missing = np.full(len(rows), "", dtype=object)
    for fact in sorted(rule.facts_used):
        na = rows[fact].isna().to_numpy()
        sep = np.where(missing == "", "", ", ")
        missing = np.where(na, missing + sep + fact, missing)
    return np.where(
        missing == "", "cannot tell from the data", "cannot tell: " + missing + " unknown"
    )


def _portfolio(
    rules: list[Rule], settings: dict[str, RuleSettings], portfolio: dict[str, Any]
) -> pd.DataFrame:
    rows = []
    for rule in rules:
        s = settings[rule.code]
        env: dict[str, Any] = {n: portfolio.get(n) for n in rule.facts_used}
        env.update(s.params)
        value = rule.expression.evaluate(env, pd.RangeIndex(1)).iloc[0]
        status = "unknown" if pd.isna(value) else ("fail" if bool(value) else "pass")
        if status == "fail":
            values = dict(s.params)
            values.update({k: portfolio.get(k) for k in rule.message_fields if k in portfolio})
            values["name"] = "estate"
            message = _without_units(
                plural_words(_FORMATTER.vformat(rule.spec.message, (), values))
            )
        elif status == "unknown":
            gone = [f for f in sorted(rule.facts_used) if portfolio.get(f) is None]
            message = "cannot tell: " + ", ".join(gone) + " unknown" if gone else ""
        else:
            message = ""
        rows.append(
            {
                "code": rule.code,
                "name": rule.name,
                "area": rule.spec.area,
                "severity": s.severity,
                "status": status,
                "message": message,
                "disposition": rule.spec.disposition,
                "effort_hours": rule.spec.effort_hours,
            }
        )
    return pd.DataFrame(rows, columns=list(PORTFOLIO_COLUMNS))
