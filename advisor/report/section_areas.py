"""Findings by area: one section per area with findings, one block per rule.

`_areas` groups the failed and accepted findings by rule and area, in the fixed area order;
`_server_rows` lists every failed and accepted server of each rule, worst first, marking
the rows the PDF shows by severity (`PDF_ROWS`; the HTML shows all), and `_area_charts`
adds the storage, copy-time and round-trip charts where an area needs one. Each rule states
its count once (the headline); the table says which servers, so no sentence repeats it.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES, CORE_AREAS
from advisor.report import charts
from advisor.report.charts import Chart
from advisor.report.formatting import (
    _capital,
    _na,
    anchor,
    cited,
    display_text,
    fmt_gib,
    fmt_hours,
    fmt_int,
    plural,
)
from advisor.report.model_context import (
    _area_order,
    _Context,
    _site_table,
    server_cells,
    servers_per,
)
from advisor.report.model_types import (
    AREA_BLURBS,
    MINOR_NAMES,
    PDF_ROWS,
    SEVERITY_LABELS,
    SITE_CHART_ROWS,
    STATUS_LABELS,
    STORAGE_CHART_ROWS,
    AreaSection,
    Reference,
    RuleSection,
    ServerRow,
    Theme,
)

#: Words of the PDF's "why it matters" and "what to do": whole sentences up to this many,
#: at least one. The HTML gives the whole texts.
WHY_WORDS = 30
WHAT_WORDS = 45
#: The same for a rule's line in the PDF's table of further findings (`PDF_ROWS`).
MINOR_WHAT_WORDS = 24
#: Names the PDF lists in a row that stands for several servers with the same finding.
SAME_NAMES = 8
#: Where one sentence ends and the next begins ("e.g. rsync" does not end one).
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
#: The findings' columns a server row is made from.
_ROW_COLUMNS = ("code", "status", "score", "server", "site", "readiness", "message", "reason")


def _areas(
    ctx: _Context, theme: Theme, *, pdf_only: bool = False
) -> tuple[list[AreaSection], list[str]]:
    """The findings chapter, area by area. `pdf_only` builds only the server rows the PDF
    shows (`in_pdf`): the model the PDF process lays out, made before the HTML's, which
    lists every failed server (tens of thousands of rows in a big estate)."""
    f = ctx.listed
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    counts = (
        f.groupby(["code", "status"]).size().unstack(fill_value=0)
        if not f.empty
        else pd.DataFrame()
    )
    # Counted from the two columns: a filter of the whole frame copied 75,000 rows of
    # every column at 20,000 servers to count them.
    unknown = ctx.findings["code"][ctx.findings["status"].isin(["unknown"]).to_numpy()]
    unknown = unknown.value_counts()
    with_findings = list(counts.index)  # the rules with failed or accepted findings
    limits = {code: PDF_ROWS.get(ctx.a.settings[code].severity, 0) for code in with_findings}
    rows, name_lines = _server_rows(f, limits, pdf_only=pdf_only)
    by_area: dict[str, list[RuleSection]] = {}
    for code in sorted(set(with_findings) | set(port["code"])):
        rule = ctx.rules[code]
        sev = ctx.a.settings[code].severity
        prow = port[port["code"] == code]
        estate = not prow.empty
        failed = int(counts.at[code, "fail"]) if "fail" in counts and code in counts.index else 0
        accepted = (
            int(counts.at[code, "accepted"]) if "accepted" in counts and code in counts.index else 0
        )
        n_unknown = int(unknown.get(code, 0))
        if estate:
            headline = "Estate-wide"
        else:
            bits = [plural(failed, "server")]
            if accepted:
                bits.append(f"{accepted:,} accepted")
            if n_unknown:
                bits.append(f"{n_unknown:,} could not be assessed")
            headline = ", ".join(bits)
        listed = rows.get(code, [])
        compact = sev not in PDF_ROWS
        more = 0 if compact else failed + accepted - sum(r.servers for r in listed if r.in_pdf)
        by_area.setdefault(rule.spec.area, []).append(
            RuleSection(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                anchor=anchor("rule", code),
                estate_wide=estate,
                headline=headline,
                estate_message=str(prow["message"].iloc[0]) if estate else "",
                rationale=" ".join(rule.spec.rationale.split()),
                remediation=" ".join(rule.spec.remediation.split()),
                why_short=leading_sentences(rule.spec.rationale, WHY_WORDS),
                what_short=leading_sentences(
                    rule.spec.remediation, MINOR_WHAT_WORDS if compact else WHAT_WORDS
                ),
                references=[
                    Reference(t, u) for t, u in cited(rule.spec, str(ctx.profile.target.provider))
                ],
                rows=listed,
                more=more,
                more_text=(
                    f"and {more:,} more, listed in the HTML report and the workbook" if more else ""
                ),
                compact=compact,
                names=name_lines.get(code, "") if compact else "",
            )
        )
    sections, quiet = [], []
    servers_by_area = servers_per(f, "area")
    for area in _area_order():
        rules = by_area.get(area)
        if not rules:
            quiet.append(AREA_TITLES[area])
            continue
        rules.sort(key=lambda r: (-ctx.sev_rank[r.severity], not r.estate_wide, r.code))
        affected = servers_by_area.get(area, 0)
        estate_n = sum(1 for r in rules if r.estate_wide)
        bits = [plural(len(rules), "rule") + " with findings"]
        if affected:
            bits.append(plural(int(affected), "server") + " affected")
        if estate_n:
            bits.append(plural(estate_n, "estate-wide finding"))
        sections.append(
            AreaSection(
                key=area,
                title=AREA_TITLES[area],
                anchor=anchor("area", area),
                blurb=AREA_BLURBS.get(area, ""),
                headline=", ".join(bits),
                core=area in CORE_AREAS,
                rules=rules,
                charts=_area_charts(ctx, area, theme),
            )
        )
    return sections, quiet


def _names(first: list[str], total: int) -> str:
    """'zeus, hera and 3 more': the first MINOR_NAMES servers (`first`) of a rule's `total`
    rows."""
    names = first[:MINOR_NAMES]
    if not names:
        return ""
    if total <= MINOR_NAMES:
        return names[0] if len(names) == 1 else " and ".join([", ".join(names[:-1]), names[-1]])
    return f"{', '.join(names)} and {total - MINOR_NAMES:,} more"


def leading_sentences(text: str, words: int) -> str:
    """The first whole sentences of `text` that fit in `words` words (at least one): a
    shorter text that is never cut mid-sentence."""
    parts = _SENTENCE.split(" ".join(str(text).split()))
    out, count = [], 0
    for part in parts:
        n = len(part.split())
        if out and count + n > words:
            break
        out.append(part)
        count += n
    return " ".join(out)


def _server_rows(
    f: pd.DataFrame, limits: dict[str, int], *, pdf_only: bool = False
) -> tuple[dict[str, list[ServerRow]], dict[str, str]]:
    """Per rule, every failure (lowest score first, then name), then every accepted one
    (only the rows the PDF shows with `pdf_only`); and per rule the names line of its
    one-line entry in the PDF ('zeus, hera and 3 more', `_names`).

    The PDF lists each finding once: servers whose message is the same but for their own
    name share the row of the worst of them (`same` names the others), and it shows the
    first `limits[code]` such rows of each kind (`in_pdf`), so an exception the customer
    accepted is never pushed out of the table by failures. One sort and a few group-bys
    over all findings; the HTML lists every server in its own row. With `pdf_only` the
    rules the PDF shows no rows of (limit 0: most findings of a large estate) sort only
    the rows that can be the first of their names line (`_may_lead`)."""
    if f.empty:
        return {}, {}
    acc = f["status"].eq("accepted").to_numpy()
    totals = f["code"].value_counts()
    rows = f[list(_ROW_COLUMNS)]
    if pdf_only:
        keep = _may_lead(f["code"], acc, f["score"], limits)
        rows, acc = rows[keep], acc[keep]
    ordered = rows.assign(_acc=acc).sort_values(["code", "_acc", "score", "server"], kind="stable")
    heads = ordered.groupby("code", sort=False)["server"]
    lines = {
        code: _names([display_text(n) for n in first], int(totals[code]))
        for code, first in heads.head(MINOR_NAMES).groupby(ordered["code"], sort=False)
    }
    code_no, codes = pd.factorize(ordered["code"])
    limit = np.array([limits.get(c, 0) for c in codes], dtype=np.int64)[code_no]
    if pdf_only:
        keep = limit > 0
        ordered, code_no, limit = ordered[keep], code_no[keep], limit[keep]
        if ordered.empty:
            return {}, lines
    names = ordered["server"].astype(str).to_numpy()
    messages = ordered["message"].astype(str).to_numpy()
    key = [m.replace(n, "\0") if n else m for m, n in zip(messages, names, strict=True)]
    # Groups of (rule, accepted, message but for the name) numbered in table order, from
    # integer codes: the rows are sorted by rule and accepted, so each (rule, accepted)
    # pair is one run of rows, and a group's first row leads it.
    block = code_no * 2 + ordered["_acc"].to_numpy(dtype=np.int64)
    key_no = pd.factorize(np.asarray(key, dtype=object))[0]
    gid = pd.factorize(block * (int(key_no.max()) + 1) + key_no)[0]
    lead = np.zeros(len(gid), dtype=bool)
    lead[np.unique(gid, return_index=True)[1]] = True
    leads = np.cumsum(lead)
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    before = np.repeat(leads[starts] - lead[starts], np.diff(np.r_[starts, len(block)]))
    rank = leads - before  # leads so far within the row's (rule, accepted) run
    status = ordered["status"].astype(str)
    cells = {
        "code": ordered["code"].to_numpy(),
        "server": ordered["server"].to_numpy(),
        "site": ordered["site"].to_numpy(),
        "readiness": ordered["readiness"].to_numpy(),
        "score": ordered["score"].to_numpy(),
        "message": messages,
        "status": status.to_numpy(),
        "label": status.map({v: STATUS_LABELS.get(v, v) for v in status.unique()}).to_numpy(),
        "reason": ordered["reason"].to_numpy(),
        "in_pdf": lead & (rank <= limit),
        "same": _same_texts(gid, names),
        "size": np.where(lead, np.bincount(gid)[gid], 0),
    }
    if pdf_only:
        cells = {k: v[cells["in_pdf"]] for k, v in cells.items()}
    out: dict[str, list[ServerRow]] = {}
    for code, server, site, ready, score, msg, st, label, reason, shown, also, n in zip(
        *cells.values(), strict=True
    ):
        out.setdefault(code, []).append(
            ServerRow(
                **server_cells(server, site, ready, score),
                message=_capital(msg, str(server)),
                status=st,
                status_label=label,
                reason="" if _na(reason) else str(reason),
                in_pdf=bool(shown),
                same=str(also),
                servers=int(n),
            )
        )
    return out, lines


def _may_lead(
    code: pd.Series, acc: np.ndarray, score: pd.Series, limits: dict[str, int]
) -> np.ndarray:
    """The findings a model of the PDF can need, found without sorting names: every finding
    of a rule the PDF lists rows of (`limits`), and of the other rules those that can be
    among the first MINOR_NAMES of their rule's names line, ordered by accepted and score
    (those no later than its MINOR_NAMES-th finding, ties included: the names decide
    among those)."""
    code_no, codes = pd.factorize(code)
    shows = np.array([limits.get(c, 0) > 0 for c in codes], dtype=bool)
    points = score.to_numpy(dtype=float, na_value=np.inf)  # no score: last, as in the sort
    ranks = np.unique(points, return_inverse=True)[1].reshape(-1)
    key = acc.astype(np.int64) * (int(ranks.max()) + 1) + ranks
    order = np.lexsort((key, code_no))
    numbers = np.arange(len(codes))
    start = np.searchsorted(code_no[order], numbers)
    end = np.searchsorted(code_no[order], numbers, side="right")
    last = key[order][np.minimum(start + MINOR_NAMES, end) - 1]
    return shows[code_no] | (key <= last[code_no])


def _same_texts(gid: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Per row, the `_same_text` of its group (`gid`, rows in table order): Python work only
    for the groups of more than one server, which are few next to the rows of an estate."""
    out = np.full(len(gid), "", dtype=object)
    sizes = np.bincount(gid) if len(gid) else np.zeros(0, dtype=int)
    shared = np.flatnonzero(sizes[gid] > 1)
    if not len(shared):
        return out
    order = shared[np.argsort(gid[shared], kind="stable")]
    bounds = np.flatnonzero(np.r_[True, gid[order][1:] != gid[order][:-1], True])
    for a, b in itertools.pairwise(bounds.tolist()):
        rows = order[a:b]
        out[rows[0]] = _same_text(names[rows[1 : SAME_NAMES + 1]], b - a - 1)
    return out


def _same_text(shown_names: np.ndarray, others: int) -> str:
    """'Same on gandalf and pluto.' for the `others` servers after the first of a group,
    given the first SAME_NAMES of them (`shown_names`), with how many more."""
    shown = [display_text(n) for n in shown_names]
    rest = others - len(shown)
    if rest:
        listed = ", ".join(shown) + f" and {plural(rest, 'more server')}"
        return f"Same on {plural(others, 'more server')}: {listed}."
    if len(shown) == 1:
        return f"Same on {shown[0]}."
    return f"Same on {', '.join(shown[:-1])} and {shown[-1]}."


def _area_charts(ctx: _Context, area: str, theme: Theme) -> list[Chart]:
    if area == "large-disks":
        used = ctx.servers["used_gib"]
        used = used[(ctx.live & used.notna()).to_numpy()]
        if used.empty:
            return []
        top = ctx.servers.loc[
            used.nlargest(STORAGE_CHART_ROWS).index, ["name", "used_gib", "provisioned_gib"]
        ]
        f = ctx.failed
        flagged = set(f.loc[f["area"] == area, "server_id"])
        rows = [
            (str(n), float(u), float(p) if not _na(p) else float(u), i in flagged)
            for i, n, u, p in zip(
                top.index, top["name"], top["used_gib"], top["provisioned_gib"], strict=True
            )
        ]
        return [charts.storage_chart(rows, theme.primary)]
    sites = _site_table(ctx)
    if area == "bandwidth" and not sites.empty and "site_transfer_hours" in sites:
        known = sites[sites["site_transfer_hours"].notna()]
        known = known.nlargest(SITE_CHART_ROWS, "site_transfer_hours")
        if known.empty:
            return []
        rows = [
            (
                str(name),
                float(r.site_transfer_hours),
                f"{fmt_hours(r.site_transfer_hours)}: {fmt_gib(r.site_used_gib)} over "
                f"{fmt_int(r.site_uplink_mbps)} Mbit/s",
            )
            for name, r in known.iterrows()
        ]
        limits = []
        seed = ctx.param("BWD003", "max_seed_hours")
        if seed is not None:
            limits.append((f"{fmt_int(seed)} h: seeding limit (BWD003)", float(seed)))
        return [charts.copy_time_chart(rows, limits, theme.primary)]
    if area == "latency" and not sites.empty and "rtt_ms" in sites:
        known = sites[sites["rtt_ms"].notna()].nlargest(SITE_CHART_ROWS, "rtt_ms")
        if known.empty:
            return []
        target = ctx.profile.target.zone
        rows = []
        for name, r in known.iterrows():
            other = not _na(r.nearest_zone) and str(r.nearest_zone) != target
            near = (
                float(r.nearest_zone_rtt_ms) if other and not _na(r.nearest_zone_rtt_ms) else None
            )
            rows.append((str(name), float(r.rtt_ms), near, str(r.nearest_zone) if other else ""))
        limits = []
        for code, param, label in (
            ("BWD002", "smb_max_rtt_ms", "file sharing"),
            ("LAT003", "interactive_max_rtt_ms", "interactive"),
            ("LAT001", "rdp_max_rtt_ms", "remote desktop"),
        ):
            v = ctx.param(code, param)
            if v is not None:
                limits.append((f"{fmt_int(v)} ms: {label}", float(v)))
        return [charts.rtt_chart(rows, limits, theme.primary)]
    return []
