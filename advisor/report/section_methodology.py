"""The methodology section: scoring penalties, effort base and the rule catalogue as used.

`_methodology` lists every rule with its severity and parameters as this engagement set
them. The optional per-server appendix lives in `section_appendix`.
"""

from __future__ import annotations

from advisor.engine.rules import AREA_TITLES
from advisor.report.formatting import fmt_param, param_words
from advisor.report.model_context import _area_order, _Context, _enabled
from advisor.report.model_types import (
    SEVERITY_LABELS,
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
            text = f"{param_words(name)} = {fmt_param(value, spec.unit if spec else '')}"
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
