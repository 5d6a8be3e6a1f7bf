"""From findings to a verdict per server: score, readiness, disposition, confidence, effort.

- score: 100 minus the penalty of every failed rule (by its effective severity; the penalty
  per severity comes from the profile), never below 0. Accepted findings cost nothing.
- readiness: `not_ready` with any failed blocker; else `conditional` with any failed
  medium or high rule; else `unknown` when a blocker or high rule could not be decided;
  else `ready` (low and info findings are advice, not conditions).
- disposition: the strongest suggestion among failed rules, retire > retain > refactor >
  replatform > rehost; rehost when nothing failed.
- confidence 1-5: the share of the facts the enabled rules need that are known for the
  server, in fifths (0-20 % -> 1 ... 81-100 % -> 5, as Azure Migrate rates data).
- effort_hours: the profile's base effort per server plus the effort of each failed rule.
Everything is computed with group-bys over the findings table, never row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
) -> pd.DataFrame:
    """One row per server id with score, readiness, disposition, confidence, effort, counts."""
    failed = findings[findings["status"] == "fail"]
    penalty = failed["severity"].map(penalties).astype(float)
    lost = penalty.groupby(failed["server_id"]).sum().reindex(index, fill_value=0.0)
    out = pd.DataFrame(index=index)
    out["score"] = (100 - lost).clip(lower=0).round().astype(int)

    sev = {s: failed["severity"].eq(s).groupby(failed["server_id"]).sum() for s in SEVERITIES}
    for s in SEVERITIES:
        out[f"failed_{s}"] = sev[s].reindex(index, fill_value=0).astype(int)
    unknown = findings[findings["status"] == "unknown"]
    grave_unknown = (
        unknown["severity"].isin(["blocker", "high"]).groupby(unknown["server_id"]).any()
    )
    grave_unknown = grave_unknown.reindex(index, fill_value=False)
    readiness = np.select(
        [
            out["failed_blocker"] > 0,
            (out["failed_high"] + out["failed_medium"]) > 0,
            grave_unknown.to_numpy(),
        ],
        ["not_ready", "conditional", "unknown"],
        default="ready",
    )
    out["readiness"] = readiness
    rank = failed["disposition"].map(DISPOSITION_RANK).astype("int64")
    best = rank.groupby(failed["server_id"]).max().reindex(index, fill_value=0)
    names = {v: k for k, v in DISPOSITION_RANK.items()}
    out["disposition"] = best.map(names)
    effort = failed["effort_hours"].astype(float).groupby(failed["server_id"]).sum()
    out["effort_hours"] = (effort.reindex(index, fill_value=0.0) + base_effort_hours).round(1)
    out["confidence"] = confidence(facts, rules, settings)
    out["known_share"] = known_share(facts, rules, settings).round(3)
    out["unknown_rules"] = (
        unknown.groupby("server_id").size().reindex(index, fill_value=0).astype(int)
    )
    out["accepted"] = (
        findings[findings["status"] == "accepted"]
        .groupby("server_id")
        .size()
        .reindex(index, fill_value=0)
        .astype(int)
    )
    out["top_finding"] = _top(failed, index)
    return out


def needed_facts(rules: list[Rule], settings: dict[str, RuleSettings]) -> list[str]:
    """Facts read by the enabled server rules."""
    names: set[str] = set()
    for r in rules:
        if r.spec.scope == "server" and settings[r.code].enabled:
            names |= r.facts_used
    return sorted(names)


def known_share(
    facts: pd.DataFrame, rules: list[Rule], settings: dict[str, RuleSettings]
) -> pd.Series:
    needed = [n for n in needed_facts(rules, settings) if n in facts.columns]
    if not needed:
        return pd.Series(1.0, index=facts.index)
    return facts[needed].notna().mean(axis=1)


def confidence(
    facts: pd.DataFrame, rules: list[Rule], settings: dict[str, RuleSettings]
) -> pd.Series:
    share = known_share(facts, rules, settings)
    return pd.Series(
        np.clip(np.ceil(share.to_numpy() * 5 - 1e-9), 1, 5).astype(int), index=facts.index
    )


def _top(failed: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The most severe failed finding's message per server (ties: lowest code)."""
    if failed.empty:
        return pd.Series(pd.NA, index=index, dtype="string")
    order = failed.assign(rank=failed["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
    order = order.sort_values(["server_id", "rank", "code"], ascending=[True, False, True])
    first = order.drop_duplicates("server_id").set_index("server_id")
    text = first["code"] + ": " + first["message"].astype(str)
    return text.reindex(index).astype("string")
