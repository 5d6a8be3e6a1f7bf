"""The closing sections: methodology with the rule catalogue, and the optional appendix.

`_methodology` lists the scoring penalties, effort base and every rule with its settings;
`_appendix` has one row per server and is built only when the appendix is asked for.
"""

from __future__ import annotations

from advisor.engine.rules import AREA_TITLES
from advisor.report.formatting import _na, fmt_int, fmt_param
from advisor.report.model_context import _area_order, _Context, _enabled, server_cells
from advisor.report.model_types import (
    DISPOSITION_LABELS,
    SEVERITY_LABELS,
    AppendixRow,
    CatalogueArea,
    CatalogueRule,
    Methodology,
    Stat,
)

# --- methodology -------------------------------------------------------------------------------


def _methodology(ctx: _Context) -> Methodology:
    a = ctx.a
    pen = a.profile.scoring.penalties.model_dump()
    penalties = [Stat(SEVERITY_LABELS[k], f"{v:g}") for k, v in pen.items()]
    areas: dict[str, list[CatalogueRule]] = {}
    origins = {"profile": "profile", "cli": "command line", "command line": "command line"}
    for rule in a.rules:
        s = a.settings[rule.code]
        params = []
        for name, value in s.params.items():
            spec = rule.spec.params.get(name)
            text = f"{name} = {fmt_param(value, spec.unit if spec else '')}"
            origin = s.origin.get(name, "default")
            if origin != "default":
                text += f" ({origins.get(origin, origin)})"
            params.append(text)
        areas.setdefault(rule.spec.area, []).append(
            CatalogueRule(
                code=rule.code,
                title=rule.spec.title,
                severity=s.severity,
                severity_label=SEVERITY_LABELS[s.severity],
                params=params,
                enabled=s.enabled,
                scope="estate" if rule.spec.scope == "portfolio" else "server",
            )
        )
    catalogue = [CatalogueArea(AREA_TITLES[k], areas[k]) for k in _area_order() if k in areas]
    cat = ctx.catalog
    return Methodology(
        penalties=penalties,
        base_effort=f"{a.profile.scoring.base_effort_hours:g} h",
        window=f"{a.profile.migration.window_hours:g} h",
        catalogue=catalogue,
        rules_total=f"{len(a.rules):,}",
        rules_enabled=f"{_enabled(ctx):,}",
        target_catalog=f"{ctx.provider} catalog, values as of {getattr(cat, 'as_of', '-')}",
    )


# --- appendix ------------------------------------------------------------------------------------


def _appendix(ctx: _Context) -> list[AppendixRow]:
    srv = ctx.servers.sort_values(["name", "id"])
    f = ctx.findings[ctx.findings["status"] == "fail"]
    codes = f.sort_values("code").groupby("server_id")["code"].agg(", ".join)
    codes = codes.reindex(srv.index).fillna("")
    out = []
    for r, c in zip(srv.itertuples(), codes.to_numpy(), strict=True):
        out.append(
            AppendixRow(
                **server_cells(r.name, r.site, r.readiness, r.score),
                disposition=DISPOSITION_LABELS.get(str(r.disposition), str(r.disposition)),
                confidence=fmt_int(r.confidence),
                effort=f"{float(r.effort_hours):g} h",
                codes=str(c),
                top="" if _na(r.top_finding) else str(r.top_finding),
            )
        )
    return out
