"""The executive summary: scope in words, headline numbers, readiness and disposition tiles,
top findings.

`_summary` is the section; `_plan_stats` adds the monthly cost and the last wave's end when
the assessment carries a plan; `_top_findings` ranks the failed rules (severity first, then how
many servers they touch, core areas weighted up) from the per-rule counts of `_rule_stats`.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.engine.scoring import READINESS
from advisor.report import charts
from advisor.report.formatting import (
    _capital,
    _na,
    anchor,
    display_text,
    first_sentence,
    fmt_date,
    fmt_days,
    fmt_gib,
    fmt_hours,
    fmt_share,
    plural,
    plural_words,
)
from advisor.report.model_context import _Context, _enabled, servers_per
from advisor.report.model_types import (
    DISPOSITION_LABELS,
    READINESS_LABELS,
    READINESS_MEANING,
    SEVERITY_LABELS,
    TOP_FINDINGS,
    Stat,
    Summary,
    Theme,
    Tile,
    TopFinding,
)
from advisor.report.questions import CustomerQuestion
from advisor.report.scope_text import join_words, scope_sentence
from advisor.report.section_costs import monthly_text


def _summary(
    ctx: _Context, theme: Theme, questions: list[CustomerQuestion] | None = None
) -> Summary:
    s = ctx.summary
    total = int(s["servers"])
    srv = ctx.servers
    off = int((srv["power_state"].astype("string") == "off").sum())
    counts = s["readiness"]
    tiles = [
        Tile(
            k,
            READINESS_LABELS[k],
            f"{counts[k]:,}",
            fmt_share(counts[k], total),
            READINESS_MEANING[k],
        )
        for k in READINESS
    ]
    disp = [
        Tile(k, DISPOSITION_LABELS[k], f"{n:,}", fmt_share(n, total))
        for k, n in s["dispositions"].items()
    ]
    pf = ctx.a.portfolio_facts
    seed = pf.get("estate_transfer_hours")
    slowest = pf.get("seed_slowest_site")
    if _na(seed):
        copy = Stat("Copy time over the uplinks", "unknown", "no site uplink is known")
    else:
        where = f" at the slowest site, {slowest}" if slowest else ""
        copy = Stat("Copy time over the uplinks", fmt_hours(seed), f"{fmt_days(seed)}{where}")
    scope = s["scope"]
    notes = [f"of {scope['servers_read']:,} in the inventory"]
    if off:
        notes.append(f"{off:,} powered off")
    effort = float(s["effort_hours"])
    servers_h, estate_h = float(s["effort_hours_servers"]), float(s["effort_hours_estate"])
    effort_note = f"{servers_h:,.0f} h servers"
    if estate_h:
        effort_note += f" + {estate_h:,.0f} h one-off estate work"
    stats = [
        Stat("Servers in scope", f"{total:,}", " · ".join(notes)),
        Stat(
            "Storage provisioned",
            fmt_gib(s["provisioned_gib"]),
            f"{fmt_gib(s['used_gib'])} of it in use",
        ),
        copy,
        Stat(
            "Estimated effort",
            f"{effort:,.0f} h",
            f"{effort_note} · about {effort / 8:,.0f} person-days",
        ),
    ]
    provider = ctx.provider
    zone = ctx.profile.target.zone
    parts = [
        f"{counts[k]:,} {READINESS_MEANING[k]}" if counts[k] else f"none {READINESS_MEANING[k]}"
        for k in READINESS
        if counts[k] or k == "ready"
    ]
    intro = (
        f"We assessed {plural(total, 'server')} of {display_text(ctx.profile.customer.name)} for a "
        f"lift-and-shift to {provider} ({zone}) against {plural(_enabled(ctx), 'rule')}. "
        f"Of these servers, {join_words(parts)}."
    )
    return Summary(
        intro=intro,
        scope=scope_sentence(scope, "the Scope and effort section lists them with the reason"),
        stats=stats,
        readiness=tiles,
        dispositions=disp,
        readiness_chart=charts.readiness_chart([(t.key, t.label, counts[t.key]) for t in tiles]),
        disposition_chart=charts.disposition_chart(
            [(t.label, s["dispositions"][t.key]) for t in disp], theme.primary
        ),
        top=_top_findings(ctx),
        plan_stats=_plan_stats(ctx),
        open_questions=_open_questions(questions or []),
    )


#: Question topics the summary names before "and N more".
SUMMARY_TOPICS = 3


def _open_questions(questions: list[CustomerQuestion]) -> str:
    """'Dependencies (77 servers), Backup (62) and Operating systems (20), and 4 more
    topics': what the customer is asked, the broadest first; '' when nothing is open."""
    if not questions:
        return ""
    shown = questions[:SUMMARY_TOPICS]
    counts = [plural(shown[0].count, "server")] + [f"{q.count:,}" for q in shown[1:]]
    parts = [f"{q.topic} ({n})" for q, n in zip(shown, counts, strict=True)]
    more = len(questions) - len(shown)
    text = join_words(parts)
    if more:
        text += f", and {plural(more, 'more topic')}"
    return text + "."


def _plan_stats(ctx: _Context) -> list[Stat]:
    """The primary provider's monthly cost (right-sized; the priced part, 'at least', when
    servers lack a price, with how many) and when the last wave ends; none without a plan."""
    plan = getattr(ctx.a, "plan", None)
    if plan is None:
        return []
    cost = plan.primary_cost
    t = cost.totals
    unpriced = int(t["rightsized_unpriced_servers"])
    note = "right-sized"
    if unpriced:
        note += f"; {plural(unpriced, 'server')} of {int(t['servers']):,} not fully priced"
    if plan.compared in plan.providers:
        other = plan.providers[plan.compared]
        note += f"; {other.display_name}: {monthly_text(other)}"
    tl = plan.timeline
    if tl.waves:
        when = Stat(
            "Last wave ends",
            fmt_date(tl.end),
            f"{plural(tl.waves, 'wave')} over {plural(tl.weeks, 'week')} from "
            f"{fmt_date(tl.start)}; accepted by {fmt_date(tl.accepted)}",
        )
    else:
        when = Stat("Last wave ends", "no wave", "no server moves")
    return [Stat(f"Monthly cost on {cost.display_name}", monthly_text(cost), note), when]


#: Message fields whose values name what a group of servers has in common (an operating
#: system, a site, a product), with the noun for "N other ...". A breakdown by one of them
#: describes the estate; one server's message would not.
BREAKDOWN_FIELDS = {
    "os_product": "systems",
    "os_name": "systems",
    "microsoft_server_product": "products",
    "ibm_product": "products",
    "vendor_appliance": "appliances",
    "db_engine": "engines",
    "site": "sites",
}
#: Values a breakdown names before "N other ...".
BREAKDOWN_VALUES = 3
#: Example servers a summary item names.
EXAMPLE_NAMES = 3
#: Longest "next step" and estate-wide statement of a summary item, in characters: a line
#: and a bit at the summary's type size. Longer texts are shortened at a clause, never cut.
ACTION_CHARS = 115
STATEMENT_CHARS = 150

_PAREN = re.compile(r"\s*\([^()]*\)")
_CLAUSE = re.compile(r":\s|;\s|\s—\s|,\s(?:or|then|so|which|instead|but)\s")
_COMMA = re.compile(r",\s")
_AND = re.compile(r"\sand\s")


def short_sentence(text: str, limit: int = ACTION_CHARS) -> str:
    """The first sentence of `text`, shortened to a complete statement of at most `limit`
    characters where the sentence allows it: asides in brackets go first, then everything
    after a clause break (colon, semicolon, ', or', ', then'), then after the last comma or
    'and' that keeps the start. A sentence that cannot be shortened so stays whole: a
    summary never ends a sentence in an ellipsis."""
    s = first_sentence(text, limit=100_000).rstrip(" .")
    limit -= 1  # the full stop
    if len(s) <= limit:
        return s + "."
    s = _PAREN.sub("", s)
    if len(s) <= limit:
        return s + "."
    m = _CLAUSE.search(s, 25)
    if m and m.start() <= limit:
        return s[: m.start()].rstrip(",") + "."
    for pattern in (_COMMA, _AND):
        cuts = [c.start() for c in pattern.finditer(s) if 40 <= c.start() <= limit]
        if cuts:
            return s[: cuts[-1]] + "."
    return (s[: m.start()] if m else s).rstrip(",") + "."


def measured_facts(rule: Any) -> frozenset[str]:
    """Facts the rule compares with a limit (a param or a target figure) by <, <=, > or >=.
    Two rules that measure the same fact against different limits state one fact twice
    ('575 h of seeding' above 168 h and above the plan's share): the summary keeps one."""
    try:
        tree = ast.parse(rule.spec.when, mode="eval")
    except SyntaxError:
        return frozenset()
    limits = set(rule.spec.params) | {"plan_weeks"}
    facts = {f for f in rule.facts_used if not f.startswith("target_")} - limits
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        if not all(isinstance(op, ast.Gt | ast.GtE | ast.Lt | ast.LtE) for op in node.ops):
            continue
        sides = [node.left, *node.comparators]
        names = [{n.id for n in ast.walk(side) if isinstance(n, ast.Name)} for side in sides]
        against_limit = any(n & limits or any(x.startswith("target_") for x in n) for n in names)
        if against_limit:
            found |= set().union(*names) & facts
    return frozenset(found)


def _rule_stats(ctx: _Context) -> pd.DataFrame:
    """Per failed server rule: its severity, area and the servers affected, from a group-by
    over the failed findings (what the ranking needs; `_examples` adds the rest for the
    few rules the summary states)."""
    f = ctx.failed
    if f.empty:
        return pd.DataFrame(columns=["code", "severity", "area", "servers"])
    # The first finding of each rule gives its severity and area (the same on all).
    code, codes = pd.factorize(f["code"], sort=True)
    first = np.unique(code, return_index=True)[1]
    return pd.DataFrame(
        {
            "code": np.asarray(codes, dtype=object),
            "severity": f["severity"].to_numpy()[first],
            "area": f["area"].to_numpy()[first],
            "servers": servers_per(f, "code").to_numpy(),
        }
    )


def _examples(ctx: _Context, codes: set[str]) -> tuple[dict[str, tuple], dict[str, str]]:
    """For the rules `codes`: a few example names (worst first) and the breakdown by what
    their servers share. Made for the rules stated only: at 20,000 servers, names and
    breakdowns for every failed rule cost 70 ms for the five the summary shows."""
    f = ctx.failed
    mine = f[f["code"].isin(codes)]
    ordered = mine.sort_values(["code", "score", "server"], kind="stable")
    first = ordered.groupby("code", sort=False).head(EXAMPLE_NAMES)
    shown = first["server"].map(display_text)
    names = {code: tuple(group) for code, group in shown.groupby(first["code"], sort=False)}
    return names, _breakdowns(ctx, f, codes)


def _breakdowns(ctx: _Context, failed: pd.DataFrame, codes: set[str]) -> dict[str, str]:
    """Per rule of `codes`, 'CentOS 7: 40 · CentOS 6: 20 · 2 other systems: 15' over its
    failed servers by the first message field of BREAKDOWN_FIELDS it has; none without
    one, or when every server differs (then the values say nothing in common). The counts
    are taken over all the failed rules that share the field, as they always were, so
    equal counts come out in the same order."""
    facts = ctx.a.facts
    out: dict[str, str] = {}
    field_of = {}
    for code in failed["code"].unique():
        fields = ctx.rules[code].message_fields
        field_of[code] = next(
            (c for c in BREAKDOWN_FIELDS if c in fields and c in facts.columns), None
        )
    for column in {field_of[c] for c in codes if field_of.get(c)}:
        shared = [k for k, v in field_of.items() if v == column]
        sub = failed[failed["code"].isin(shared)]
        values = sub["server_id"].map(facts[column]).astype("string")
        counts = (
            pd.DataFrame({"code": sub["code"].to_numpy(), "value": values.to_numpy()})
            .dropna()
            .value_counts()
        )
        for code, per in counts.groupby(level="code", sort=False):
            if code not in codes:
                continue
            per = per.droplevel("code").sort_values(ascending=False, kind="stable")
            if len(per) > 1 and per.iloc[0] == 1:
                continue
            out[code] = _breakdown_text(per, BREAKDOWN_FIELDS[column])
    return out


def _breakdown_text(counts: pd.Series, noun: str) -> str:
    """The largest values with their counts, fewer when long names would take more than
    a line (STATEMENT_CHARS)."""
    text = ""
    for shown in range(BREAKDOWN_VALUES, 0, -1):
        text = _breakdown_of(counts, noun, shown)
        if len(text) <= STATEMENT_CHARS:
            break
    return text


def _breakdown_of(counts: pd.Series, noun: str, shown: int) -> str:
    top = counts.iloc[:shown]
    parts = [f"{display_text(v)}: {n:,}" for v, n in top.items()]
    rest = counts.iloc[shown:]
    if len(rest) == 1:
        parts.append(f"{display_text(rest.index[0])}: {int(rest.iloc[0]):,}")
    elif len(rest):
        parts.append(f"{len(rest):,} other {noun}: {int(rest.sum()):,}")
    return " · ".join(parts)


def _top_findings(ctx: _Context) -> list[TopFinding]:
    """The issues that matter most, each stated once for the estate: severity first, then
    breadth, core areas preferred, and no two that measure the same fact.

    Within a severity, the weight is (1 + log2(servers affected)), times 1.5 in the seven
    core areas. An estate-wide finding counts as affecting every live server. An item says
    how many servers the issue touches, what they share (or a few names) and the first
    step, never one server's details as if they held for all.
    """
    stats = _rule_stats(ctx)
    live = int(ctx.live.sum()) or 1
    total = len(ctx.servers) or 1
    rows = [(r.code, r.severity, r.area, int(r.servers), "") for r in stats.itertuples()]
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    rows += [(r.code, r.severity, r.area, live, str(r.message)) for r in port.itertuples()]
    ranked = []
    for code, sev, area, n, estate in rows:
        if sev == "info":
            continue
        weight = (1 + math.log2(max(n, 1))) * (1.5 if area in CORE_AREAS else 1.0)
        ranked.append((-ctx.sev_rank[sev], -weight, code, sev, area, n, estate))
    ranked.sort()
    chosen = []
    stated: set[str] = set()
    for *_, code, sev, area, n, estate in ranked:
        if len(chosen) == TOP_FINDINGS:
            break
        measured = measured_facts(ctx.rules[code])
        if measured & stated:
            continue
        stated |= measured
        chosen.append((code, sev, area, n, estate))
    names_of, breakdown_of = _examples(ctx, {c for c, *_, estate in chosen if not estate})
    out: list[TopFinding] = []
    for code, sev, area, n, estate in chosen:
        rule = ctx.rules[code]
        names, breakdown = names_of.get(code, ()), breakdown_of.get(code, "")
        if estate:
            scope = "Estate-wide"
            detail = short_sentence(_capital(plural_words(estate)), STATEMENT_CHARS)
            if len(detail) > STATEMENT_CHARS:  # no clause to stop at: say why it matters
                detail = short_sentence(rule.spec.rationale, STATEMENT_CHARS)
        else:
            scope = f"{plural(n, 'server')} ({fmt_share(n, total)} of those in scope)"
            more = n - len(names)
            listed = join_words(list(names) + ([f"{more:,} more"] if more > 0 else []))
            detail = f"{breakdown}." if breakdown and more > 0 else f"{listed}."
        out.append(
            TopFinding(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                area_title=AREA_TITLES[area],
                anchor=anchor("rule", code),
                scope=scope,
                detail=detail,
                action=short_sentence(rule.spec.remediation),
            )
        )
    return out
