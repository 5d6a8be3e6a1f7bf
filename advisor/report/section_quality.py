"""Data quality and confidence: what was read from the inventory, and what is missing.

`_data_quality` describes the source file, how its columns were mapped and the problems met
while reading, and what lowered confidence; `_unknowns` lists the rules that could not be
assessed and what the data did not say that caused it. Facts appear in the customer's
words (`fact_label`), never by their internal names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from advisor.report.formatting import fmt_date, fmt_share
from advisor.report.model_context import _Context
from advisor.report.model_types import DataQuality, Row, Stat, Tile
from advisor.report.questions import unknown_gaps
from advisor.report.scope_frames import gap_counts

_MAPPING_ORDER = ("mapped", "kept", "ignored", "unmapped")
_MAPPING_LABELS = {
    "mapped": "Read into a known field",
    "kept": "Kept as an extra attribute",
    "ignored": "Standard columns not needed",
    "unmapped": "Not understood",
}
_CONFIDENCE_LABELS = {
    "5": "5: 81-100 % of the topics answered",
    "4": "4: 61-80 %",
    "3": "3: 41-60 %",
    "2": "2: 21-40 %",
    "1": "1: up to 20 %",
}


def _data_quality(ctx: _Context) -> DataQuality:
    src = ctx.a.inventory.source
    a = ctx.a
    source = [
        Stat("File", Path(str(src.path)).name),
        Stat(
            "Format",
            f"{src.format}" + (f" {src.format_version}" if src.format_version else ""),
        ),
        Stat("SHA-256", (src.sha256 or "unknown")[:16] + ("…" if src.sha256 else "")),
        Stat("Exported", fmt_date(a.as_of.date())),
        Stat("Tabs read", ", ".join(src.tabs_read) or "-"),
        Stat("Servers", _servers_line(ctx.summary["scope"])),
    ]
    counts = {k: 0 for k in _MAPPING_ORDER}
    for m in src.mapping:
        counts[m.status] = counts.get(m.status, 0) + 1
    mapping = [Stat(_MAPPING_LABELS[k], f"{counts[k]:,}") for k in _MAPPING_ORDER]
    unmapped_all = [m for m in src.mapping if m.status == "unmapped"]
    unmapped = [Row([m.sheet, m.header, m.note or ""]) for m in unmapped_all[:20]]
    problems_df = pd.DataFrame(
        [(p.kind, p.reason, p.where()) for p in src.problems],
        columns=["kind", "reason", "where"],
    )
    problems: list[Row] = []
    problems_more = 0
    if not problems_df.empty:
        g = problems_df.groupby(["kind", "reason"], sort=False).agg(
            n=("where", "size"), first=("where", "first")
        )
        g = g.sort_values("n", ascending=False)
        kinds = {
            "row": "rejected row",
            "skip": "skipped",
            "value": "read as unknown",
            "flag": "flag",
        }
        for (kind, reason), r in g.head(15).iterrows():
            problems.append(Row([kinds.get(kind, kind), str(reason), f"{r.n:,}", str(r.first)]))
        problems_more = max(len(g) - 15, 0)

    unknown_rules, unknown_facts = _unknowns(ctx)
    conf = ctx.summary["confidence"]
    total = sum(conf.values())
    confidence = [
        Tile(k, _CONFIDENCE_LABELS.get(k, k), f"{v:,}", fmt_share(v, total))
        for k, v in sorted(conf.items(), reverse=True)
    ]
    gaps = [
        Row([str(topic), f"{int(n):,}", fmt_share(int(n), total)])
        for topic, n in gap_counts(a.servers).items()
    ]
    return DataQuality(
        source=source,
        mapping=mapping,
        unmapped=unmapped,
        unmapped_more=max(len(unmapped_all) - 20, 0),
        problems=problems,
        problems_more=problems_more,
        notes=list(src.notes),
        unknown_rules=unknown_rules,
        unknown_facts=unknown_facts,
        confidence=confidence,
        gaps=gaps,
        assumptions=list(a.assumptions),
    )


def _servers_line(scope: dict) -> str:
    """'80 read: 77 in scope, 3 out of scope, 0 rejected' (read = the three together)."""
    return (
        f"{scope['servers_read']:,} read: {scope['in_scope']:,} in scope, "
        f"{scope['out_of_scope']:,} out of scope, {scope['rejected']:,} rejected"
    )


def fact_label(name: str, description: str) -> str:
    """A fact in the customer's words: the first clause of its description ('An owner or
    responsible team is recorded'), never its internal name; the name in plain words when
    the description is missing or itself names other facts."""
    text = re.split(r" \(|; |: |\. ", " ".join(description.split()), maxsplit=1)[0]
    text = text.rstrip(" .")
    if not text or "_" in text:
        return name.replace("_", " ")
    return text


def _unknowns(ctx: _Context) -> tuple[list[Row], list[Row]]:
    """Rules left unknown (servers, missing facts) and facts missing (servers, rules)."""
    a = ctx.a
    facts = a.facts
    rule_rows: list[tuple[int, str, Row]] = []
    fact_rules: dict[str, list[str]] = {}
    for g in sorted(unknown_gaps(a), key=lambda g: g.code):
        missing = pd.Series(g.missing.sum(axis=0), index=g.used, dtype="int64")
        missing = missing[missing > 0].sort_values(ascending=False)
        for fact in missing.index:
            fact_rules.setdefault(fact, []).append(g.code)
        n = len(g.servers)
        title = ctx.rules[g.code].spec.title
        row = Row([g.code, title, f"{n:,}", "; ".join(labels(missing.index)) or "-"])
        rule_rows.append((-n, g.code, row))
    for r in ctx.portfolio[ctx.portfolio["status"] == "unknown"].itertuples():
        rule = ctx.rules[r.code]
        gone = str(r.message).removeprefix("cannot tell: ").removesuffix(" unknown")
        named = "; ".join(labels([g.strip() for g in gone.split(",") if g.strip()]))
        rule_rows.append((0, r.code, Row([r.code, rule.spec.title, "estate", named or "-"])))
    rule_rows.sort(key=lambda t: (t[0], t[1]))
    fact_rows = []
    if fact_rules:
        na = facts[list(fact_rules)].isna().sum()
        for fact in sorted(fact_rules, key=lambda x: (-int(na[x]), x)):
            fact_rows.append(
                Row(
                    [
                        labels([fact])[0],
                        f"{int(na[fact]):,}",
                        ", ".join(sorted(fact_rules[fact])),
                    ]
                )
            )
    return [r for *_, r in rule_rows], fact_rows


def labels(names) -> list[str]:
    """Facts in the customer's words (see `fact_label`), in the order given."""
    from advisor.facts import all_facts

    known = all_facts()
    return [fact_label(n, getattr(known.get(n), "description", "") or "") for n in names]
