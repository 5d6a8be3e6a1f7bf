"""The optional appendix (`--appendix`): every server in scope with how its verdict came about.

Per server: its size and identity facts, every finding (failed, accepted and undecided) with
the facts the rule read in words, and the score as the arithmetic the scoring did
("100 - 20 (BKP001) - 8 (SNW003) = 72", accepted findings named as not counted). It is the
one part of the report that grows with the number of servers; the texts are built column by
column over the findings table and only the final assembly walks the servers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from advisor.facts.identity import ROLES
from advisor.report.formatting import _capital, _na, fmt_int
from advisor.report.model_context import _Context, server_cells
from advisor.report.model_types import (
    DISPOSITION_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    AppendixFinding,
    AppendixRow,
)
from advisor.report.section_quality import labels

#: The order of a server's findings: what costs points first, then accepted, then unknown.
_STATUS_ORDER = {"fail": 0, "accepted": 1, "unknown": 2}
_MINUS = "\u2212"
_POWER = {"on": "powered on", "off": "powered off", "suspended": "suspended"}


def _appendix(ctx: _Context) -> list[AppendixRow]:
    srv = ctx.servers.sort_values(["name", "id"])
    penalties = {k: float(v) for k, v in ctx.profile.scoring.penalties.model_dump().items()}
    f = _findings(ctx, penalties)
    by_server = {sid: rows for sid, rows in f.groupby("server_id", sort=False)}
    lines = _score_lines(srv, f)
    facts = _size_facts(srv)
    out = []
    for r, line, fact in zip(srv.itertuples(), lines, facts, strict=True):
        rows = by_server.get(r.Index)
        found = [] if rows is None else _finding_rows(rows)
        out.append(
            AppendixRow(
                **server_cells(r.name, r.site, r.readiness, r.score),
                disposition=DISPOSITION_LABELS.get(str(r.disposition), str(r.disposition)),
                confidence=fmt_int(r.confidence),
                effort=f"{float(r.effort_hours):g} h",
                facts=fact,
                score_line=line,
                findings=found,
            )
        )
    return out


def _findings(ctx: _Context, penalties: dict[str, float]) -> pd.DataFrame:
    """The findings of the servers in scope, ordered per server (failed by penalty, then
    accepted, then unknown), with their points and evidence in words."""
    f = ctx.findings[ctx.findings["server_id"].isin(ctx.servers.index)]
    pen = f["severity"].map(penalties).astype(float)
    f = f.assign(
        _pen=pen,
        _order=f["status"].map(_STATUS_ORDER).fillna(3),
        points=np.where(
            f["status"].eq("fail"),
            _MINUS + pen.map(lambda p: f"{p:g}"),
            np.where(f["status"].eq("accepted"), "not counted", ""),
        ),
        words=_evidence_in_words(f["evidence"]),
        message=_unknown_in_words(f["message"], f["status"]),
    )
    return f.sort_values(["server_id", "_order", "_pen", "code"], ascending=[1, 1, 0, 1])


def _evidence_in_words(evidence: pd.Series) -> pd.Series:
    """'backup_declined: yes; snapshot_count: 0' as 'The inventory states ...: yes; ...':
    each fact's internal name replaced by its words, in one pass over the column."""
    text = evidence.astype("string").fillna("")
    joined = "; ".join(text.unique())
    names = sorted(set(re.findall(r"(?:^|; )([a-z][a-z0-9_]*): ", joined)))
    if not names:
        return text
    words = dict(zip(names, labels(names), strict=True))
    pattern = r"(^|; )(" + "|".join(map(re.escape, names)) + r"): "
    text = text.str.replace(pattern, lambda m: f"{m.group(1)}{words[m.group(2)]}: ", regex=True)
    # A role is a fact's value named like a fact ('file_server'): in words as well.
    roles = r"(: )(" + "|".join(r for r in ROLES if "_" in r) + r")(?=;|$)"
    return text.str.replace(roles, lambda m: m.group(1) + m.group(2).replace("_", " "), regex=True)


def _unknown_in_words(message: pd.Series, status: pd.Series) -> pd.Series:
    """'cannot tell: os_eol, os_support_days_left unknown' (the engine's message of an
    unknown verdict, naming facts) as 'Not known: <each fact in words>'; other messages
    as they are. One replacement per distinct message, not per finding."""
    text = message.astype("string").fillna("")
    unknown = status.eq("unknown") & text.str.startswith("cannot tell: ")
    if not unknown.any():
        return text
    said = {}
    for m in text[unknown].unique():
        names = m.removeprefix("cannot tell: ").removesuffix(" unknown").split(", ")
        said[m] = "Not known: " + "; ".join(labels(names))
    return text.where(~unknown, text[unknown].map(said))


def _score_lines(srv: pd.DataFrame, f: pd.DataFrame) -> list[str]:
    """Per server, in the order of `srv`: '100 - 20 (BKP001) - 8 (SNW003) = 72', saying so
    where the score stops at 0 and naming the accepted findings that cost nothing."""
    failed = f[f["status"].eq("fail")]
    minus = failed["points"].str.replace(_MINUS, f" {_MINUS} ", regex=False).str.rstrip()
    terms = (minus + " (" + failed["code"] + ")").groupby(failed["server_id"]).agg("".join)
    accepted = f[f["status"].eq("accepted")].groupby("server_id")["code"].agg(", ".join)
    lost = failed["_pen"].groupby(failed["server_id"]).sum()
    terms = terms.reindex(srv.index).fillna("")
    accepted = accepted.reindex(srv.index).fillna("")
    lost = lost.reindex(srv.index).fillna(0.0)
    score = srv["score"].astype(int).astype(str)
    line = np.where(terms.eq(""), "100, no rule failed", "100" + terms)
    line = pd.Series(line, index=srv.index) + " = " + score
    floor = lost.gt(100)
    line = line.where(~floor, line + " (a score stops at 0)")
    note = "; accepted, not counted: " + accepted
    line = line.where(accepted.eq(""), line + note)
    return line.tolist()


def _size_facts(srv: pd.DataFrame) -> list[str]:
    """'4 vCPU, 16 GiB memory, 120 of 200 GiB disk in use, Windows Server 2019, powered
    on' per server, leaving out what the inventory does not say."""
    parts = [
        _num(srv["vcpus"], "{:,.0f} vCPU"),
        _num(srv["memory_gib"], "{:,.0f} GiB memory"),
        _disk(srv["used_gib"], srv["provisioned_gib"]),
        srv["os_name"].astype("string").fillna(""),
        srv["power_state"].astype("string").map(_POWER, na_action="ignore").fillna(""),
    ]
    frame = pd.concat([p.reset_index(drop=True) for p in parts], axis=1).fillna("")
    return [", ".join(v for v in row if v) or "-" for row in frame.itertuples(index=False)]


def _num(values: pd.Series, fmt: str) -> pd.Series:
    return values.map(lambda v: "" if _na(v) else fmt.format(float(v))).astype("string")


def _disk(used: pd.Series, provisioned: pd.Series) -> pd.Series:
    both = used.notna() & provisioned.notna()
    text = pd.Series("", index=used.index, dtype="string")
    pairs = zip(used[both], provisioned[both], strict=True)
    text[both] = [f"{u:,.0f} of {p:,.0f} GiB disk in use" for u, p in pairs]
    only = used.notna() & ~both
    text[only] = [f"{u:,.0f} GiB disk in use" for u in used[only]]
    return text


def _finding_rows(rows: pd.DataFrame) -> list[AppendixFinding]:
    return [
        AppendixFinding(
            code=str(code),
            severity=str(sev),
            severity_label=SEVERITY_LABELS.get(str(sev), str(sev)),
            status=str(st),
            status_label=STATUS_LABELS.get(str(st), str(st)),
            message=_capital(str(msg)),
            evidence=str(ev),
            points=str(pts),
        )
        for code, sev, st, msg, ev, pts in zip(
            rows["code"],
            rows["severity"],
            rows["status"],
            rows["message"],
            rows["words"],
            rows["points"],
            strict=True,
        )
    ]
