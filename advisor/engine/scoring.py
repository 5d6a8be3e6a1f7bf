"""From findings to a verdict per server: score, readiness, disposition, confidence, effort.

- score: 100 minus the penalty of every failed rule (by its effective severity; the penalty
  per severity comes from the profile), never below 0. Accepted findings cost nothing.
- readiness: the worst failed severity decides: a blocker makes the server `not_ready`, a
  high or medium finding `conditional`, nothing above low `ready`. `unknown` only when no
  blocker failed but a blocker rule could not be decided: only then could the server still
  turn out not ready. Unknown outcomes of lesser rules lower confidence, not readiness.
- disposition: the strongest suggestion among failed rules, retire > retain > refactor >
  replatform > rehost; rehost when nothing failed.
- confidence 1-5: the share of the topics the verdict depends on (size, backup, owner,
  copy time, ...) that the data answers, in fifths (see `advisor.engine.confidence`), with
  the unknown topics named in `confidence_gaps`.
- effort_hours: the profile's base effort per server plus the per-server effort of each
  failed rule; a server to retire carries only the decommission effort. One-off estate
  work (a backup service, an AD design) is counted once, by `estate_effort`, not per server.
Everything is computed over whole columns of the findings table (counts and sums per
server as `bincount`s, group-bys elsewhere), never row by row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.confidence import confidence
from advisor.engine.rules import SEVERITIES, Rule
from advisor.engine.settings import RuleSettings

DISPOSITION_RANK = {"rehost": 0, "replatform": 1, "refactor": 2, "retain": 3, "retire": 4}
READINESS = ("ready", "conditional", "not_ready", "unknown")


def score_servers(
    index: pd.Index,
    findings: pd.DataFrame,
    facts: pd.DataFrame,
    rules: list[Rule],
    settings: dict[str, RuleSettings],
    penalties: dict[str, float],
    base_effort_hours: float,
    decommission_hours: float = 1.0,
) -> pd.DataFrame:
    """One row per server id with score, readiness, disposition, confidence, effort, counts.

    Each finding's server is looked up in `index` once per status; every per-server sum,
    count and maximum is then a `bincount` over those positions (a group-by per column
    factorised the server ids again each time)."""
    n = len(index)

    def rows_of(status: str) -> tuple[pd.DataFrame, np.ndarray]:
        rows = findings[findings["status"] == status]
        at = index.get_indexer(rows["server_id"])
        return rows[at >= 0], at[at >= 0]

    def total(at: np.ndarray, weights: Any = None) -> np.ndarray:
        if weights is not None:
            weights = np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0)
        return np.bincount(at, weights=weights, minlength=n)

    failed, fat = rows_of("fail")
    unknown, uat = rows_of("unknown")
    _, aat = rows_of("accepted")
    out = pd.DataFrame(index=index)
    lost = total(fat, failed["severity"].map(penalties).astype(float))
    out["score"] = np.round(np.clip(100 - lost, 0, None)).astype(int)
    severity = failed["severity"].to_numpy(dtype=object)
    for s in SEVERITIES:
        out[f"failed_{s}"] = total(fat[severity == s]).astype(int)
    grave = unknown["severity"].to_numpy(dtype=object) == "blocker"
    grave_unknown = total(uat[grave]) > 0
    readiness = np.select(
        [
            out["failed_blocker"] > 0,
            (out["failed_high"] + out["failed_medium"]) > 0,
            grave_unknown,
        ],
        ["not_ready", "conditional", "unknown"],
        default="ready",
    )
    out["readiness"] = readiness
    best = np.zeros(n, dtype="int64")
    np.maximum.at(best, fat, failed["disposition"].map(DISPOSITION_RANK).to_numpy(dtype="int64"))
    names = {v: k for k, v in DISPOSITION_RANK.items()}
    out["disposition"] = pd.Series(best, index=index).map(names)
    effort = pd.Series(total(fat, failed["effort_hours"].astype(float)), index=index)
    effort = effort + base_effort_hours
    retire = out["disposition"].eq("retire").to_numpy()
    out["effort_hours"] = effort.where(~retire, decommission_hours).round(1)
    out["confidence"], out["confidence_gaps"] = confidence(facts, needed_facts(rules, settings))
    out["unknown_rules"] = total(uat).astype(int)
    out["accepted"] = total(aat).astype(int)
    out["top_finding"] = _top(failed, index)
    return out


def needed_facts(rules: list[Rule], settings: dict[str, RuleSettings]) -> frozenset[str]:
    """Facts read by the enabled server rules."""
    names: set[str] = set()
    for r in rules:
        if r.spec.scope == "server" and settings[r.code].enabled:
            names |= r.facts_used
    return frozenset(names)


def estate_effort(
    findings: pd.DataFrame,
    portfolio: pd.DataFrame,
    rules: list[Rule],
) -> pd.DataFrame:
    """One-off estate work: each portfolio rule that failed, and each server rule with
    estate effort that failed on at least one server (counted once, with how many servers
    it concerns). Columns: code, title, area, servers, effort_hours."""
    by_code = {r.code: r for r in rules}
    rows = []
    failed = portfolio[portfolio["status"] == "fail"]
    for code in failed["code"]:
        rule = by_code[code]
        rows.append((code, rule.spec.title, rule.spec.area, None, float(rule.spec.effort_hours)))
    hit = findings[findings["status"] == "fail"].groupby("code")["server_id"].nunique()
    for code, n in hit.items():
        rule = by_code[code]
        if rule.spec.estate_effort_hours:
            hours = float(rule.spec.estate_effort_hours)
            rows.append((code, rule.spec.title, rule.spec.area, int(n), hours))
    frame = pd.DataFrame(rows, columns=["code", "title", "area", "servers", "effort_hours"])
    frame["servers"] = frame["servers"].astype("Int64")
    return frame.sort_values("code", kind="stable").reset_index(drop=True)


def _top(failed: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The most severe failed finding's message per server (ties: lowest code)."""
    if failed.empty:
        return pd.Series(pd.NA, index=index, dtype="string")
    order = failed.assign(rank=failed["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
    order = order.sort_values(["server_id", "rank", "code"], ascending=[True, False, True])
    first = order.drop_duplicates("server_id").set_index("server_id")
    text = first["code"] + ": " + first["message"].astype(str)
    return text.reindex(index).astype("string")
