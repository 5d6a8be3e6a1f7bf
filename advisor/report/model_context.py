"""The assessment as the section builders see it, plus the look-ups several sections share.

`_Context` joins the assessment's tables once (servers with their site, the failed and
accepted findings with the server's name, site, score and readiness), so that each section
builder works on the same prepared frames. `_enabled`, `_area_order` and `_site_table` are
used by more than one section and live here for that reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES, CORE_AREAS, SEVERITIES
from advisor.report.formatting import display_text, fmt_int
from advisor.report.model_types import READINESS_LABELS


class _Context:
    """The assessment's tables, joined once: servers with their site, the findings the
    report lists with their server's name."""

    def __init__(self, a: Any) -> None:
        self.a = a
        self.profile = a.profile
        self.catalog = a.catalog
        self.rules = {r.code: r for r in a.rules}
        servers = a.servers
        site = a.facts["site"].reindex(servers.index) if "site" in a.facts else servers["site"]
        self.servers = servers.assign(site=site.astype("string"))
        self.live = ~self.servers["is_template"].fillna(False).astype(bool)
        #: Every finding as the engine made it (unknown verdicts are most of them).
        self.findings = f = a.evaluation.findings
        # The failed and accepted findings (those the findings chapter lists), with their
        # server's name, site, score and readiness (one look-up of each finding's server
        # serves the four), and the failed ones, which most sections start from: a third
        # of the findings of a large estate. (A comparison of every row's status cost 3.5 ms
        # a time at 20,000 servers; `isin` hashes, 0.8 ms.)
        listed = f[f["status"].isin(["fail", "accepted"]).to_numpy()]
        at = self.servers.index.get_indexer(listed["server_id"])
        cells = self.servers[["name", "site", "score", "readiness"]]
        found = bool((at >= 0).all())
        joined = cells.take(at) if found else cells.reindex(listed["server_id"])
        joined = joined.set_axis(listed.index)
        self.listed = listed.assign(
            server=joined["name"],
            site=joined["site"],
            score=joined["score"],
            readiness=joined["readiness"],
            # The server's position in `servers` (-1: none), a number to count servers by.
            server_at=at,
        )
        self.failed = self.listed[self.listed["status"].isin(["fail"]).to_numpy()]
        self._sites: pd.DataFrame | None = None
        self.portfolio = a.evaluation.portfolio
        self.summary = a.summary()
        sev = {s: i for i, s in enumerate(SEVERITIES)}
        self.sev_rank = sev

    @property
    def provider(self) -> str:
        return getattr(self.catalog, "display_name", None) or str(self.profile.target.provider)

    def param(self, code: str, name: str) -> Any:
        s = self.a.settings.get(code)
        if s is None or not s.enabled:
            return None
        return s.params.get(name)


def _enabled(ctx: _Context) -> int:
    return sum(1 for s in ctx.a.settings.values() if s.enabled)


def _area_order() -> list[str]:
    return list(CORE_AREAS) + [a for a in AREA_TITLES if a not in CORE_AREAS]


def _site_table(ctx: _Context) -> pd.DataFrame:
    """One row per site with the per-site facts (the same on every server of a site);
    made once per context (several sections and every area ask for it)."""
    if ctx._sites is None:
        ctx._sites = _make_site_table(ctx)
    return ctx._sites


def _make_site_table(ctx: _Context) -> pd.DataFrame:
    fa = ctx.a.facts
    if "site" not in fa or fa["site"].isna().all():
        return pd.DataFrame()
    cols = [
        c
        for c in (
            "site_uplink_mbps",
            "site_users",
            "rtt_ms",
            "nearest_zone",
            "nearest_zone_rtt_ms",
            "site_transfer_hours",
            "site_used_gib",
        )
        if c in fa
    ]
    # The columns first: the facts table has a hundred more.
    g = fa.loc[fa["site"].notna().to_numpy(), ["site", *cols]].groupby("site", sort=True)
    table = g[cols].first()
    table["servers"] = g.size()
    return table


def positions(index: pd.Index, of: pd.Index) -> np.ndarray:
    """The position in `of` of every label of `index` (-1 where it has none); no look-up
    when the two are the same (the usual case: two tables of the assessment's servers)."""
    return np.arange(len(index)) if index.equals(of) else of.get_indexer(index)


def servers_per(findings: pd.DataFrame, key: str) -> pd.Series:
    """How many distinct servers the findings (`_Context.listed` or a part of it) have of
    each value of `key` (index: the values, sorted; no missing value), as a group-by's
    `nunique` counts them but from the servers' positions: the group-by took 7 ms over
    the failed findings of 20,000 servers."""
    group, values = pd.factorize(findings[key], sort=True)
    server = findings["server_at"].to_numpy(dtype=np.int64)
    if (server < 0).any():  # a server the context does not have: told apart by its id
        server = pd.factorize(findings["server_id"])[0].astype(np.int64)
    known = (group >= 0) & (server >= 0)
    width = int(server.max()) + 1 if len(server) else 1
    pairs = np.unique(group[known] * width + server[known])
    counts = np.bincount(pairs // width, minlength=len(values))
    return pd.Series(counts, index=pd.Index(values, name=key))


def server_cells(name: object, site: object, readiness: object, score: object) -> dict[str, str]:
    """The cells every server row of the report starts with (finding tables, appendix):
    name, site, readiness with its label, score, formatted once here."""
    return {
        "name": display_text(name),
        "site": display_text(site),
        "readiness": str(readiness),
        "readiness_label": READINESS_LABELS.get(str(readiness), str(readiness)),
        "score": fmt_int(score),
    }
