"""The assessment pipeline after import: scope -> sites -> facts -> rules -> scores, and its
JSON.

`assess()` is a pure function of an imported inventory, a profile and command-line
settings; it reads no files except the rule catalog and the target catalog (data shipped
with advisor). Only servers in scope get facts, findings and scores; the others are listed
with the reason they are out. `Assessment.to_json()` is the stable contract of
`assessment.json`.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor import __version__
from advisor.engine.evaluate import Evaluation, evaluate
from advisor.engine.rules import AREAS, SEVERITIES, Rule, load_rules
from advisor.engine.scoring import READINESS, estate_effort, score_servers
from advisor.engine.settings import RuleSettings, resolve_settings
from advisor.errors import InputError
from advisor.facts import all_facts, fact_context
from advisor.facts.lanes import compute_all
from advisor.inventory.schema import Inventory
from advisor.resources import data_path
from advisor.scope import CATEGORY_NAMES, Scope, decide_scope
from advisor.text import short_list


@dataclass
class Assessment:
    """Everything one run produced; reports render from this and nothing else."""

    inventory: Inventory
    profile: Any
    catalog: Any
    rules: list[Rule]
    settings: dict[str, RuleSettings]
    facts: pd.DataFrame
    portfolio_facts: dict[str, Any]
    evaluation: Evaluation
    scores: pd.DataFrame
    as_of: pd.Timestamp
    scope: Scope
    #: One-off estate work (portfolio rules, server rules with estate effort), once each.
    estate_work: pd.DataFrame
    assumptions: list[str] = field(default_factory=list)
    #: The migration plan (`advisor.plan.stage.Plan`), set by the plan stage after scoring;
    #: None when only the verdicts were asked for.
    plan: Any = None

    #: `servers` and `summary()` as last made, each with the tables it was made from.
    _kept: dict[str, tuple[tuple[Any, ...], Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def made_from(self, name: str, tables: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """`make()` as last made from `tables` (compared by identity), made again when one
        of them was replaced: the frames of a run are replaced, not changed in place. For
        what several outputs derive from the same tables (servers, the summary, the
        missing facts of unknown verdicts); `name` tells them apart."""
        kept = self._kept.get(name)
        if kept is None or any(a is not b for a, b in zip(kept[0], tables, strict=True)):
            kept = (tables, make())
            # A new dict, not the old one changed: a copy of the assessment shares it.
            self._kept = {**self._kept, name: kept}
        return kept[1]

    @property
    def servers(self) -> pd.DataFrame:
        """The servers in scope: identity, site, role and sizes beside the scores, one row per
        server id.

        Built once and handed out as a shallow copy (copy-on-write: a caller adding a
        column changes only its own): the reports ask for it some twenty times, and each
        join costs milliseconds per hundred servers. Built again if a table under it was
        replaced."""
        tables = (self.inventory.servers, self.facts, self.scores, self.scope.table)
        return self.made_from("servers", tables, self._build_servers).copy(deep=False)

    def _build_servers(self) -> pd.DataFrame:
        s = self.inventory.servers.set_index("id", drop=False).rename_axis(None)
        cols = ["id", "name", "power_state", "is_template", "vcpus", "memory_gib", "used_gib",
                "provisioned_gib", "os_name"]  # fmt: skip
        # The site as the profile assigned it (a fact), not the raw inventory column.
        s = s.loc[self.facts.index, cols]
        segment = self.scope.table["segment"].reindex(self.facts.index)
        return s.join(self.facts[["site", "role"]]).assign(segment=segment).join(self.scores)

    @property
    def out_of_scope(self) -> pd.DataFrame:
        """The servers left out of the assessment: identity, site and segment, with the
        category and reason, sorted by category then name. Built once (as `servers`) and
        handed out as a shallow copy: the JSON, the workbook and the report each ask."""
        tables = (self.inventory.servers, self.scope.table)
        return self.made_from("out_of_scope", tables, self._build_out_of_scope).copy(deep=False)

    def _build_out_of_scope(self) -> pd.DataFrame:
        s = self.inventory.servers.set_index("id", drop=False).rename_axis(None)
        excluded = self.scope.table[~self.scope.table["in_scope"].to_numpy(dtype=bool)]
        cols = ["id", "name", "power_state", "vcpus", "memory_gib", "used_gib",
                "provisioned_gib", "os_name", "datacenter", "cluster", "folder"]  # fmt: skip
        out = s.loc[excluded.index, cols].join(excluded[["category", "reason", "segment"]])
        rank = {c: i for i, c in enumerate(CATEGORY_NAMES)}
        return out.sort_values(
            ["category", "name"], key=lambda c: c.map(rank) if c.name == "category" else c
        )

    @property
    def effort_hours(self) -> float:
        """Servers' effort plus the one-off estate work."""
        return float(self.scores["effort_hours"].sum() + self.estate_work["effort_hours"].sum())

    def summary(self) -> dict[str, Any]:
        """The estate in counts (the contract's `summary`). Made once and handed out as a
        deep copy: the JSON, the workbook, the report and the CLI each ask for it, and it
        costs a scan of every finding. Made again if a table under it was replaced."""
        tables = (self.inventory, self.inventory.servers, self.facts, self.scores,
                  self.evaluation.findings, self.scope.table, self.estate_work)  # fmt: skip
        return copy.deepcopy(self.made_from("summary", tables, self._make_summary))

    def _make_summary(self) -> dict[str, Any]:
        sc = self.scores
        readiness = sc["readiness"].value_counts()
        dispositions = sc["disposition"].value_counts()
        failed = self.evaluation.findings[self.evaluation.findings["status"] == "fail"]
        s = self.inventory.servers.set_index("id").loc[self.facts.index]
        live = ~s["is_template"].fillna(False).astype(bool)
        return {
            "servers": len(sc),
            "scope": self.scope.summary(self.inventory),
            "readiness": {k: int(readiness.get(k, 0)) for k in READINESS},
            "dispositions": {
                k: int(dispositions.get(k, 0))
                for k in ("rehost", "replatform", "refactor", "retain", "retire")
            },
            "findings": {
                sev: int((failed["severity"] == sev).sum()) for sev in reversed(SEVERITIES)
            },
            "findings_by_area": {
                area: int(n) for area, n in failed.groupby("area").size().sort_index().items()
            },
            "effort_hours": round(self.effort_hours, 1),
            "effort_hours_servers": round(float(sc["effort_hours"].sum()), 1),
            "effort_hours_estate": round(float(self.estate_work["effort_hours"].sum()), 1),
            "provisioned_gib": round(float(s.loc[live, "provisioned_gib"].sum()), 1),
            "used_gib": round(float(s.loc[live, "used_gib"].sum()), 1),
            "confidence": {str(i): int((sc["confidence"] == i).sum()) for i in range(1, 6)},
            "mean_score": round(float(sc["score"].mean()), 1) if len(sc) else None,
        }

    def to_json(self, servers: Any = None) -> dict[str, Any]:
        """The `assessment.json` contract (see DESIGN.md, Outputs). `servers` stands in for
        the list of servers when given: the JSON writer of a large estate streams them from
        `server_json` part by part instead of holding them all at once."""
        src = self.inventory.source
        ev = self.evaluation
        if servers is None:
            servers = [server for part in self.server_json() for server in part]
        return {
            "tool": {"name": "advisor", "version": __version__},
            "input": {
                "path": src.path,
                "format": src.format,
                "format_version": src.format_version,
                "sha256": src.sha256,
                "servers_read": src.servers_read,
                "servers_rejected": len(src.rejected_rows),
            },
            "as_of": self.as_of.isoformat(),
            "target": {
                "provider": self.profile.target.provider,
                "zone": self.profile.target.zone,
            },
            "customer": self.profile.customer.name,
            "summary": self.summary(),
            "portfolio": [
                {k: _plain(v) for k, v in row.items()}
                for row in ev.portfolio.to_dict(orient="records")
            ],
            "servers": servers,
            "estate_work": [
                {k: _plain(v) for k, v in row.items()}
                for row in self.estate_work.to_dict(orient="records")
            ],
            "rules": [self._rule_json(r) for r in self.rules],
            "assumptions": self.assumptions,
        }

    def server_json(self, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """The contract's `servers` in parts of at most `size`: those in scope by name then
        id, then those out of scope. Parts keep memory flat: the whole list of a 100,000
        server estate, findings included, takes more than a gigabyte as Python objects."""
        findings = _FindingsByServer(self.evaluation.findings)
        table = self.servers.sort_values(["name", "id"])
        in_scope = {"in_scope": True, "category": None, "reason": None}
        columns = ("id", "name", "site", "segment", "role", "score", "readiness", "disposition",
                   "confidence", "confidence_gaps", "effort_hours")  # fmt: skip
        for start in range(0, len(table), size):
            part = table.iloc[start : start + size]
            # Column by column into plain lists (missing values as None): iterating rows
            # of pandas' Arrow-backed columns costs a call per cell.
            rows = zip(
                *(part[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns),
                findings.of(part["id"]),
                strict=True,
            )
            yield [
                {
                    "id": sid,
                    "name": name,
                    "site": site,
                    "segment": segment,
                    "scope": in_scope,
                    "role": role,
                    "score": int(score),
                    "readiness": readiness,
                    "disposition": disposition,
                    "confidence": int(confidence),
                    "confidence_gaps": _split(gaps),
                    "effort_hours": None if effort is None else float(effort),
                    "findings": items,
                }
                for (
                    sid,
                    name,
                    site,
                    segment,
                    role,
                    score,
                    readiness,
                    disposition,
                    confidence,
                    gaps,
                    effort,
                    items,
                ) in rows
            ]
        out = self.out_of_scope.sort_values(["name", "id"])
        for start in range(0, len(out), size):
            yield [
                {
                    "id": row.id,
                    "name": row.name,
                    "site": None,
                    "segment": None if pd.isna(row.segment) else row.segment,
                    "scope": {"in_scope": False, "category": row.category, "reason": row.reason},
                    "role": None,
                    "score": None,
                    "readiness": None,
                    "disposition": None,
                    "confidence": None,
                    "confidence_gaps": [],
                    "effort_hours": None,
                    "findings": [],
                }
                for row in out.iloc[start : start + size].itertuples()
            ]

    def _rule_json(self, rule: Rule) -> dict[str, Any]:
        s = self.settings[rule.code]
        return {
            "code": rule.code,
            "name": rule.name,
            "area": rule.spec.area,
            "title": rule.spec.title,
            "severity": s.severity,
            "enabled": s.enabled,
            "scope": rule.spec.scope,
            "params": {k: _plain(v) for k, v in s.params.items()},
        }


def _split(text: Any) -> list[str]:
    """'backup, owner' -> ['backup', 'owner']; [] for nothing."""
    if isinstance(text, str):  # the usual case, without pandas' per-value NA check
        return text.split(", ") if text else []
    return [] if text is None or pd.isna(text) else str(text).split(", ")


class _FindingsByServer:
    """Findings per server, worst first then by code, as the contract lists them: one sort
    of all findings, then the items of the servers asked for, built only when asked (no
    per-server sorting, which costs seconds at 20,000 servers)."""

    _COLUMNS = ("code", "area", "severity", "status", "message", "evidence", "effort_hours",
                "reason")  # fmt: skip

    def __init__(self, findings: pd.DataFrame) -> None:
        rank = findings["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        ordered = findings.assign(_rank=rank).sort_values(
            ["server_id", "_rank", "code"], ascending=[True, False, True], kind="stable"
        )
        self.values = [ordered[c].to_numpy(dtype=object) for c in self._COLUMNS]
        ids = ordered["server_id"].to_numpy(dtype=object)
        #: server id -> (first, end) position of its findings in `values`.
        self.spans: dict[Any, tuple[int, int]] = {}
        if len(ids):
            starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]).tolist()
            ends = [*starts[1:], len(ids)]
            self.spans = {ids[a]: (a, b) for a, b in zip(starts, ends, strict=True)}

    def of(self, ids: Iterable[str]) -> list[list[dict[str, Any]]]:
        """The findings of each server of `ids`, in that order ([] for a server without)."""
        spans = [self.spans.get(sid, (0, 0)) for sid in ids]
        counts = [b - a for a, b in spans]
        if not sum(counts):
            return [[] for _ in spans]
        positions = np.concatenate([np.arange(a, b) for a, b in spans])
        rows = zip(*(v[positions].tolist() for v in self.values), strict=True)
        items = []
        for code, area, severity, status, message, evidence, effort, reason in rows:
            item = {"code": code, "area": area, "severity": severity, "status": status,
                    "message": message, "evidence": evidence,
                    "effort_hours": float(effort) if status == "fail" else 0.0}  # fmt: skip
            if status == "accepted" and isinstance(reason, str) and reason:
                item["reason"] = reason
            items.append(item)
        out, at = [], 0
        for n in counts:
            out.append(items[at : at + n])
            at += n
        return out


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def fact_scopes() -> dict[str, str]:
    return {name: f.scope for name, f in all_facts().items()}


def load_catalog_rules(folder: Path | None = None) -> list[Rule]:
    """The rule catalog shipped with advisor (or another folder, for tests). The shipped
    catalog is read once per process: rules are immutable, and `advisor score` and the
    tests assess many inventories with it."""
    if folder is None:
        return list(_shipped_rules())
    return load_rules(folder, fact_scopes())


@cache
def _shipped_rules() -> tuple[Rule, ...]:
    return tuple(load_rules(data_path("rules"), fact_scopes()))


#: The provider the rule texts (rationale, remediation) are written for.
WRITTEN_FOR = "exoscale"


def _names_exoscale(rule: Rule) -> bool:
    """The rule's explanation, as resolved for the engagement, still names Exoscale."""
    return "Exoscale" in rule.spec.rationale or "Exoscale" in rule.spec.remediation


def assess(
    inventory: Inventory,
    profile: Any,
    *,
    cli_sets: list[str] | None = None,
    rules: list[Rule] | None = None,
    as_of: pd.Timestamp | None = None,
) -> Assessment:
    """Run facts, rules and scoring over an imported inventory."""
    from advisor.targets import load_catalog

    catalog = load_catalog(profile.target.provider)
    catalog.zone(profile.target.zone)  # an unknown zone is an input error here too
    rules = rules if rules is not None else load_catalog_rules()
    # Every output reads the rules' texts as written for this engagement's provider.
    rules = [rule.for_provider(catalog.provider) for rule in rules]
    engagement = {"window_hours": profile.migration.window_hours}
    settings = resolve_settings(rules, profile.rules, cli_sets or [], engagement)

    when = as_of or inventory.source.exported_at or pd.Timestamp.now(tz="UTC").normalize()
    scope = decide_scope(inventory, profile)
    ctx = compute_all(fact_context(inventory, profile, catalog, when, scope))
    servers = ctx.servers

    assumptions = list(profile.assumptions()) + scope.notes
    if inventory.source.exported_at is None and as_of is None:
        assumptions.append(
            f"The inventory does not say when it was exported; ages are counted to "
            f"{ctx.as_of.date()} (today)."
        )
    exceptions, notes = _exceptions(profile, rules, servers, scope)
    assumptions += notes
    untranslated = [r.code for r in rules if catalog.provider != WRITTEN_FOR and _names_exoscale(r)]
    if untranslated:
        n = len(untranslated)
        which = f"{n} rule{'s' if n > 1 else ''} ({short_list(untranslated, 6)})"
        assumptions.append(
            f"The explanation{'s' if n > 1 else ''} of {which} {'are' if n > 1 else 'is'} "
            f"written for Exoscale, advisor's first target: where one names an Exoscale service "
            f"(SOS object storage, Block Storage, anti-affinity groups, custom templates), read "
            f"it as the {catalog.display_name} equivalent. The verdicts use "
            f"{catalog.display_name}'s own limits from its catalog."
        )
    names = servers["name"]
    evaluation = evaluate(rules, settings, ctx.facts, ctx.portfolio, exceptions, names)
    penalties = profile.scoring.penalties.model_dump()
    scores = score_servers(
        ctx.facts.index,
        evaluation.findings,
        ctx.facts,
        rules,
        settings,
        penalties,
        float(profile.scoring.base_effort_hours),
        float(profile.scoring.decommission_hours),
    )
    return Assessment(
        inventory=inventory,
        profile=profile,
        catalog=catalog,
        rules=rules,
        settings=settings,
        facts=ctx.facts,
        portfolio_facts=ctx.portfolio,
        evaluation=evaluation,
        scores=scores,
        as_of=ctx.as_of,
        scope=scope,
        estate_work=estate_effort(evaluation.findings, evaluation.portfolio, rules),
        assumptions=assumptions,
    )


def _exceptions(
    profile: Any, rules: list[Rule], servers: pd.DataFrame, scope: Scope
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Profile exceptions as (code, server id, reason); unmatched servers become notes."""
    index = {r.code: r.code for r in rules} | {r.name: r.code for r in rules}
    excluded = scope.excluded
    left_out = {
        str(n).lower(): c for n, c in zip(excluded["name"], excluded["category"], strict=True)
    }
    left_out |= dict(zip(excluded.index, excluded["category"], strict=True))
    by_name = {str(n).lower(): i for i, n in zip(servers["id"], servers["name"], strict=True)}
    ids = set(servers["id"])
    out, notes = [], []
    for i, exc in enumerate(profile.exceptions):
        code = index.get(exc.rule)
        if code is None:
            hint = difflib.get_close_matches(exc.rule, sorted(index), n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            raise InputError(f"profile exceptions[{i}].rule: unknown rule '{exc.rule}'{tip}")
        sid = exc.server if exc.server in ids else by_name.get(exc.server.lower())
        category = left_out.get(exc.server, left_out.get(exc.server.lower()))
        if sid is None and category is not None:
            notes.append(
                f"Accepted exception {exc.rule} for '{exc.server}' is not needed: the server is "
                f"out of scope ({category})."
            )
            continue
        if sid is None:
            notes.append(
                f"Accepted exception {exc.rule} for '{exc.server}' matches no server in this "
                "inventory."
            )
            continue
        out.append((code, sid, exc.reason))
    return out, notes


__all__ = ["AREAS", "Assessment", "assess", "load_catalog_rules"]
