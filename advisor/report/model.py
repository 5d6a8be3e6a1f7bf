"""The report model: everything the PDF and HTML report show, as plain, formatted data.

`build_report_model(assessment)` turns an `Assessment` into dataclasses of strings, numbers,
lists and `Chart`s, so the Jinja2 templates only loop and branch: no arithmetic, no
formatting, no look-ups. Every number the report prints is formatted here, once.

Size: the model grows with the number of rules and sites, not servers. Server tables are
capped per rule (`TABLE_ROWS`), charts show the top few, and everything that touches every
server is a pandas group-by. Only the optional appendix has one row per server.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from advisor import __version__
from advisor.engine.rules import AREA_TITLES, CORE_AREAS, DISPOSITIONS, SEVERITIES
from advisor.engine.scoring import READINESS
from advisor.report import charts
from advisor.report.charts import Chart

#: Affected servers listed per rule before "and N more".
TABLE_ROWS = 12
#: Servers in the storage chart.
STORAGE_CHART_ROWS = 12
#: Sites in the per-site charts (the slowest / farthest first).
SITE_CHART_ROWS = 15
#: Findings in the executive summary.
TOP_FINDINGS = 5
#: From this many sites on, an SD-WAN overlay is simpler than one tunnel per site.
SDWAN_MIN_SITES = 5
#: Rules whose failure at a site means its users need a predictable round trip.
LATENCY_SENSITIVE = ("LAT001", "LAT002", "LAT003")
#: Rules whose failure at a site means daily office traffic will strain its uplink.
UPLINK_STRAIN = ("BWD001", "BWD002", "ADC004")

DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_SECONDARY = "#5b7083"

READINESS_LABELS = {
    "ready": "Ready",
    "conditional": "Conditional",
    "not_ready": "Not ready",
    "unknown": "Unknown",
}
READINESS_MEANING = {
    "ready": "can move as they are",
    "conditional": "can move once their findings are handled",
    "not_ready": "cannot move as they are",
    "unknown": "need data before anyone can tell",
}
SEVERITY_LABELS = {s: s.capitalize() for s in SEVERITIES}
DISPOSITION_LABELS = {d: d.capitalize() for d in DISPOSITIONS}
STATUS_LABELS = {"fail": "Finding", "accepted": "Accepted", "unknown": "Unknown"}

AREA_BLURBS = {
    "snowflake": (
        "Servers built by hand over the years, without a twin, an owner or documentation. "
        "They are the hardest to rebuild if the move goes wrong."
    ),
    "large-disks": (
        "How much data each server holds, how long copying it over the uplink takes, and "
        "whether its disks fit the limits of the target."
    ),
    "backup": (
        "Whether each server has a backup that survives the move, or relies on VMware "
        "snapshots and jobs that stay behind in the old datacentre."
    ),
    "bandwidth": (
        "What the move does to the uplinks: seeding the data once, and the office traffic "
        "that crosses the WAN every day afterwards."
    ),
    "latency": (
        "How far the users sit from the target zone, and which conversations between "
        "servers would cross the uplink while the estate is split."
    ),
    "licensing": (
        "Software whose licence names certain clouds, hosts, MAC addresses or dongles: it "
        "may not be allowed, or may stop working, on the target."
    ),
    "domain-controllers": (
        "Where Active Directory lives during and after the move, so that logons and name "
        "look-ups keep working at every site."
    ),
    "network": (
        "Network behaviour the target does not reproduce: layer-2 tricks, fixed MAC "
        "addresses, several interfaces, public addresses and DHCP."
    ),
    "storage": "Disk types and sharing modes that the target's block storage cannot offer.",
    "redundancy": (
        "Services that run on one server only, and clusters the target's placement rules "
        "cannot spread over separate hosts."
    ),
    "platform": "Guest systems, firmware and virtual devices the target cannot run or attach.",
    "sizing": "Whether each server fits an instance type that the target offers.",
    "security": (
        "Secrets written into the inventory, services open to the internet, and the "
        "firewall defaults of the target."
    ),
    "lifecycle": (
        "Operating systems past their support, and servers that are off, suspended or "
        "templates: candidates to retire rather than move."
    ),
}


# --- the model -------------------------------------------------------------------------------


@dataclass
class Theme:
    """Colours of the report, derived from the profile's branding (validated hex)."""

    primary: str
    primary_dark: str
    primary_light: str
    primary_tint: str
    secondary: str


@dataclass
class Cover:
    title: str
    customer: str
    consultant: str | None
    company: str | None
    date: str
    provider: str
    zone: str
    zone_place: str
    inventory: str
    as_of: str
    logo: Path | None


@dataclass
class Stat:
    label: str
    value: str
    note: str = ""


@dataclass
class Tile:
    """A readiness or disposition count with its share."""

    key: str
    label: str
    count: str
    share: str
    meaning: str = ""


@dataclass
class TopFinding:
    code: str
    title: str
    severity: str
    severity_label: str
    area_title: str
    anchor: str
    scope: str
    detail: str
    action: str


@dataclass
class Summary:
    intro: str
    stats: list[Stat]
    readiness: list[Tile]
    dispositions: list[Tile]
    readiness_chart: Chart
    disposition_chart: Chart
    top: list[TopFinding]


@dataclass
class ServerRow:
    name: str
    site: str
    readiness: str
    readiness_label: str
    score: str
    message: str
    status: str
    status_label: str
    reason: str = ""


@dataclass
class Reference:
    title: str
    url: str


@dataclass
class RuleSection:
    code: str
    title: str
    severity: str
    severity_label: str
    anchor: str
    estate_wide: bool
    headline: str
    found: str
    estate_message: str
    rationale: str
    remediation: str
    references: list[Reference]
    rows: list[ServerRow]
    more: int
    more_text: str


@dataclass
class AreaSection:
    key: str
    title: str
    anchor: str
    blurb: str
    headline: str
    core: bool
    rules: list[RuleSection]
    charts: list[Chart]


@dataclass
class SitePlan:
    name: str
    servers: str
    used: str
    uplink: str
    users: str
    rtt: str
    nearest: str
    copy_time: str
    link: str
    reasons: list[str]


@dataclass
class Point:
    title: str
    text: str
    source: str = ""


@dataclass
class Connectivity:
    intro: str
    sites: list[SitePlan]
    points: list[Point]
    unverified: list[str]
    no_sites: bool


@dataclass
class Row:
    """A generic table row of labelled cells for the data quality tables."""

    cells: list[str]


@dataclass
class DataQuality:
    source: list[Stat]
    mapping: list[Stat]
    unmapped: list[Row]
    unmapped_more: int
    problems: list[Row]
    problems_more: int
    notes: list[str]
    unknown_rules: list[Row]
    unknown_facts: list[Row]
    confidence: list[Tile]
    assumptions: list[str]


@dataclass
class CatalogueRule:
    code: str
    title: str
    severity: str
    severity_label: str
    params: list[str]
    enabled: bool
    scope: str


@dataclass
class CatalogueArea:
    title: str
    rules: list[CatalogueRule]


@dataclass
class Methodology:
    penalties: list[Stat]
    base_effort: str
    window: str
    catalogue: list[CatalogueArea]
    rules_total: str
    rules_enabled: str
    target_catalog: str


@dataclass
class AppendixRow:
    name: str
    site: str
    readiness: str
    readiness_label: str
    score: str
    disposition: str
    confidence: str
    effort: str
    codes: str
    top: str


@dataclass
class ReportModel:
    title: str
    customer: str
    date: str
    generator: str
    theme: Theme
    cover: Cover
    summary: Summary
    areas: list[AreaSection]
    quiet_areas: list[str]
    connectivity: Connectivity
    data_quality: DataQuality
    methodology: Methodology
    #: False when no server has a site: tables leave the site column out.
    has_sites: bool = True
    appendix: list[AppendixRow] | None = None
    sections: list[tuple[str, str]] = field(default_factory=list)


# --- formatting ------------------------------------------------------------------------------


def _na(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: Any) -> str:
    return "unknown" if _na(value) else f"{round(float(value)):,}"


def fmt_gib(value: Any) -> str:
    """GiB for humans: TiB from 1,024 GiB on, one decimal."""
    if _na(value):
        return "unknown"
    v = float(value)
    return f"{v / 1024:,.1f} TiB" if v >= 1024 else f"{v:,.0f} GiB"


def fmt_hours(value: Any) -> str:
    if _na(value):
        return "unknown"
    h = float(value)
    if h < 1:
        return "under 1 h"
    if h < 10:
        return f"{h:.1f} h"
    return f"{h:,.0f} h"


def fmt_days(hours: Any) -> str:
    if _na(hours):
        return ""
    d = float(hours) / 24
    return f"{d:,.1f} days" if d < 10 else f"{d:,.0f} days"


def fmt_share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def fmt_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def fmt_param(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = f"{int(value):,}"
    elif isinstance(value, int | float):
        text = f"{value:,}"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) or "none"
    else:
        text = str(value)
    unit = unit.strip()
    if unit == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.0%}"
    if not unit or unit in ("-", "count", "version", "roles", "flag", "text", "list", "names"):
        return text
    return f"{text} {unit}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s+[A-Z(])")


def first_sentence(text: str, limit: int = 260) -> str:
    """The first sentence of a rule text, for the summary; long ones are cut at a word."""
    text = " ".join(str(text).split())
    m = _SENTENCE_END.search(text)
    out = text[: m.end()] if m else text
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return out


def _capital(text: str, name: str = "") -> str:
    """Capitalise a message unless it starts with a name (server names keep their case)."""
    if not text or (name and text.startswith(name)) or not re.match(r"[a-z]+[ ,:;]", text):
        return text
    return text[:1].upper() + text[1:]


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


# --- theme -----------------------------------------------------------------------------------

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _hex6(color: str | None, default: str) -> str:
    if not color or not _HEX.fullmatch(color.strip()):
        return default
    h = color.strip().lstrip("#").lower()
    return "#" + (h if len(h) == 6 else "".join(c * 2 for c in h))


def _mix(color: str, other: str, amount: float) -> str:
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def _luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def build_theme(branding: Any) -> Theme:
    primary = _hex6(getattr(branding, "primary_color", None), DEFAULT_PRIMARY)
    if _luminance(primary) > 0.6:  # too pale for headings on white: darken
        primary = _mix(primary, "#000000", 0.45)
    secondary = _hex6(getattr(branding, "secondary_color", None), DEFAULT_SECONDARY)
    return Theme(
        primary=primary,
        primary_dark=_mix(primary, "#000000", 0.35),
        primary_light=_mix(primary, "#ffffff", 0.82),
        primary_tint=_mix(primary, "#ffffff", 0.94),
        secondary=secondary,
    )


# --- building --------------------------------------------------------------------------------


def build_report_model(
    assessment: Any, appendix: bool = False, *, date: dt.date | None = None
) -> ReportModel:
    """The report model of one assessment; `date` is the report date (default today)."""
    ctx = _Context(assessment)
    today = date or dt.date.today()
    theme = build_theme(assessment.profile.branding)
    cover = _cover(ctx, today)
    areas, quiet = _areas(ctx, theme)
    model = ReportModel(
        title="Migration assessment",
        customer=cover.customer,
        date=cover.date,
        generator=f"advisor {__version__}",
        theme=theme,
        cover=cover,
        summary=_summary(ctx, theme),
        areas=areas,
        quiet_areas=quiet,
        connectivity=_connectivity(ctx),
        data_quality=_data_quality(ctx),
        methodology=_methodology(ctx),
        has_sites=bool(ctx.servers["site"].notna().any()),
        appendix=_appendix(ctx) if appendix else None,
    )
    model.sections = [
        ("summary", "Executive summary"),
        ("findings", "Findings by area"),
        ("connectivity", "Connectivity recommendations"),
        ("data-quality", "Data quality and confidence"),
        ("methodology", "Methodology and rule catalogue"),
    ]
    if appendix:
        model.sections.append(("appendix", "Appendix: servers"))
    return model


class _Context:
    """The assessment's tables, joined once: servers with their site, findings with names."""

    def __init__(self, a: Any) -> None:
        self.a = a
        self.profile = a.profile
        self.catalog = a.catalog
        self.rules = {r.code: r for r in a.rules}
        servers = a.servers
        site = a.facts["site"].reindex(servers.index) if "site" in a.facts else servers["site"]
        self.servers = servers.assign(site=site.astype("string"))
        self.live = ~self.servers["is_template"].fillna(False).astype(bool)
        f = a.evaluation.findings
        self.findings = f.assign(
            server=f["server_id"].map(self.servers["name"]),
            site=f["server_id"].map(self.servers["site"]),
            score=f["server_id"].map(self.servers["score"]),
            readiness=f["server_id"].map(self.servers["readiness"]),
        )
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


def _cover(ctx: _Context, today: dt.date) -> Cover:
    p = ctx.profile
    zone = p.target.zone
    try:
        z = ctx.catalog.zone(zone)
        place = f"{z.city}, {z.country}"
    except Exception:  # an unknown zone was rejected by assess; keep the report robust
        place = ""
    src = ctx.a.inventory.source
    version = f" {src.format_version}" if src.format_version else ""
    fmt = {"rvtools": "RVTools"}.get(str(src.format), str(src.format))
    logo = p.branding.logo
    return Cover(
        title="Migration assessment",
        customer=p.customer.name,
        consultant=p.consultant.name,
        company=p.consultant.company,
        date=fmt_date(today),
        provider=ctx.provider,
        zone=zone,
        zone_place=place,
        inventory=f"{Path(str(src.path)).name} ({fmt}{version})",
        as_of=fmt_date(ctx.a.as_of.date()),
        logo=Path(logo) if logo is not None and Path(logo).is_file() else None,
    )


# --- executive summary -------------------------------------------------------------------------


def _summary(ctx: _Context, theme: Theme) -> Summary:
    s = ctx.summary
    total = int(s["servers"])
    srv = ctx.servers
    templates = int((~ctx.live).sum())
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
    effort = float(s["effort_hours"])
    notes = []
    if templates:
        notes.append(plural(templates, "template"))
    if off:
        notes.append(f"{off:,} powered off")
    stats = [
        Stat("Servers assessed", f"{total:,}", " · ".join(notes) or "all powered on"),
        Stat(
            "Storage provisioned",
            fmt_gib(s["provisioned_gib"]),
            f"{fmt_gib(s['used_gib'])} of it in use",
        ),
        copy,
        Stat("Estimated effort", f"{effort:,.0f} h", f"about {effort / 8:,.0f} person-days"),
    ]
    provider = ctx.provider
    zone = ctx.profile.target.zone
    parts = [
        f"{counts[k]:,} {READINESS_MEANING[k]}" if counts[k] else f"none {READINESS_MEANING[k]}"
        for k in READINESS
        if counts[k] or k == "ready"
    ]
    intro = (
        f"We assessed {plural(total, 'server')} of {ctx.profile.customer.name} for a "
        f"lift-and-shift to {provider} ({zone}) against {plural(_enabled(ctx), 'rule')}. "
        f"Of these servers, {_join(parts)}."
    )
    return Summary(
        intro=intro,
        stats=stats,
        readiness=tiles,
        dispositions=disp,
        readiness_chart=charts.readiness_chart([(t.key, t.label, counts[t.key]) for t in tiles]),
        disposition_chart=charts.disposition_chart(
            [(t.label, s["dispositions"][t.key]) for t in disp], theme.primary
        ),
        top=_top_findings(ctx),
    )


def _enabled(ctx: _Context) -> int:
    return sum(1 for s in ctx.a.settings.values() if s.enabled)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _rule_stats(ctx: _Context) -> pd.DataFrame:
    """Per failed server rule: servers affected and the worst few names (vectorised)."""
    f = ctx.findings[ctx.findings["status"] == "fail"]
    if f.empty:
        return pd.DataFrame(columns=["code", "severity", "area", "servers", "names"])
    ordered = f.sort_values(["code", "score", "server"], kind="stable")
    first = ordered.groupby("code", sort=False).head(3)
    short = first["server"].astype(str).str.slice(0, 40)
    names = short.groupby(first["code"]).agg(", ".join)
    message = ordered.groupby("code")["message"].first()
    return (
        f.groupby("code")
        .agg(
            severity=("severity", "first"),
            area=("area", "first"),
            servers=("server_id", "nunique"),
        )
        .join(names.rename("names"))
        .join(message.rename("message"))
        .reset_index()
    )


def _top_findings(ctx: _Context) -> list[TopFinding]:
    """The findings that matter most: severity first, then breadth, core areas preferred.

    Within a severity, the weight is (1 + log2(servers affected)), times 1.5 in the seven
    core areas. An estate-wide finding counts as affecting every live server.
    """
    stats = _rule_stats(ctx)
    live = int(ctx.live.sum()) or 1
    rows = []
    for r in stats.itertuples():
        first = str(r.names).split(", ")[0]
        rows.append(
            (r.code, r.severity, r.area, int(r.servers), r.names, (r.message, first), False)
        )
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    for r in port.itertuples():
        rows.append((r.code, r.severity, r.area, live, "", (r.message, ""), True))
    ranked = []
    for code, sev, area, n, names, message, estate in rows:
        if sev == "info":
            continue
        weight = (1 + math.log2(max(n, 1))) * (1.5 if area in CORE_AREAS else 1.0)
        ranked.append((-ctx.sev_rank[sev], -weight, code, sev, area, n, names, message, estate))
    ranked.sort()
    out = []
    for *_, code, sev, area, n, names, message, estate in ranked[:TOP_FINDINGS]:
        rule = ctx.rules[code]
        if estate:
            scope = "Estate-wide"
        else:
            more = n - len(str(names).split(", "))
            scope = f"{plural(n, 'server')}: {names}" + (f" and {more:,} more" if more > 0 else "")
        out.append(
            TopFinding(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                area_title=AREA_TITLES[area],
                anchor=anchor("rule", code),
                scope=scope,
                detail=_capital(first_sentence(str(message[0]), 170), message[1]),
                action=first_sentence(rule.spec.remediation, 190),
            )
        )
    return out


# --- findings by area -------------------------------------------------------------------------


def _area_order() -> list[str]:
    return list(CORE_AREAS) + [a for a in AREA_TITLES if a not in CORE_AREAS]


def _areas(ctx: _Context, theme: Theme) -> tuple[list[AreaSection], list[str]]:
    f = ctx.findings[ctx.findings["status"].isin(["fail", "accepted"])]
    port = ctx.portfolio[ctx.portfolio["status"] == "fail"]
    counts = (
        f.groupby(["code", "status"]).size().unstack(fill_value=0)
        if not f.empty
        else pd.DataFrame()
    )
    unknown = ctx.findings[ctx.findings["status"] == "unknown"].groupby("code").size()
    rows = _capped_rows(f)
    by_area: dict[str, list[RuleSection]] = {}
    for code in sorted(set(f["code"]) | set(port["code"])):
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
        more = max(failed + accepted - len(listed), 0)
        found = _found_text(failed, accepted, n_unknown, estate)
        by_area.setdefault(rule.spec.area, []).append(
            RuleSection(
                code=code,
                title=rule.spec.title,
                severity=sev,
                severity_label=SEVERITY_LABELS[sev],
                anchor=anchor("rule", code),
                estate_wide=estate,
                headline=headline,
                found=found,
                estate_message=str(prow["message"].iloc[0]) if estate else "",
                rationale=" ".join(rule.spec.rationale.split()),
                remediation=" ".join(rule.spec.remediation.split()),
                references=[Reference(r.title, r.url) for r in rule.spec.references],
                rows=listed,
                more=more,
                more_text=(f"and {more:,} more: the full list is in the workbook" if more else ""),
            )
        )
    sections, quiet = [], []
    for area in _area_order():
        rules = by_area.get(area)
        if not rules:
            quiet.append(AREA_TITLES[area])
            continue
        rules.sort(key=lambda r: (-ctx.sev_rank[r.severity], not r.estate_wide, r.code))
        affected = f.loc[f["area"] == area, "server_id"].nunique()
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


def _found_text(failed: int, accepted: int, unknown: int, estate: bool) -> str:
    if estate:
        return ""
    parts = []
    if failed:
        order = ", listed below with the worst first" if failed > 1 else ", listed below"
        parts.append(f"Found on {plural(failed, 'server')}{order}")
    if accepted:
        parts.append(
            f"{'accepted' if failed else 'Accepted'} by the customer on "
            f"{plural(accepted, 'server')}"
        )
    if unknown:
        parts.append(f"for {unknown:,} more the data could not tell")
    return "; ".join(parts) + "."


def _capped_rows(f: pd.DataFrame) -> dict[str, list[ServerRow]]:
    """The first TABLE_ROWS affected servers per rule, worst first (failures before accepted
    ones, then lowest score, then name); one sort and one head over all findings."""
    if f.empty:
        return {}
    ordered = f.assign(_acc=f["status"].eq("accepted")).sort_values(
        ["code", "_acc", "score", "server"], kind="stable"
    )
    head = ordered.groupby("code", sort=False).head(TABLE_ROWS)
    out: dict[str, list[ServerRow]] = {}
    for r in head.itertuples():
        out.setdefault(r.code, []).append(
            ServerRow(
                name=str(r.server),
                site="" if _na(r.site) else str(r.site),
                readiness=str(r.readiness),
                readiness_label=READINESS_LABELS.get(str(r.readiness), str(r.readiness)),
                score=fmt_int(r.score),
                message=_capital(str(r.message), str(r.server)),
                status=str(r.status),
                status_label=STATUS_LABELS.get(str(r.status), str(r.status)),
                reason="" if _na(r.reason) else str(r.reason),
            )
        )
    return out


def _site_table(ctx: _Context) -> pd.DataFrame:
    """One row per site with the per-site facts (the same on every server of a site)."""
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
    g = fa[fa["site"].notna()].groupby("site", sort=True)
    table = g[cols].first()
    table["servers"] = g.size()
    return table


def _area_charts(ctx: _Context, area: str, theme: Theme) -> list[Chart]:
    if area == "large-disks":
        srv = ctx.servers[ctx.live & ctx.servers["used_gib"].notna()]
        if srv.empty:
            return []
        top = srv.nlargest(STORAGE_CHART_ROWS, "used_gib")
        f = ctx.findings
        flagged = set(f.loc[(f["area"] == area) & (f["status"] == "fail"), "server_id"])
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


# --- connectivity ------------------------------------------------------------------------------


def _yes_no(value: bool | None, yes: str, no: str, unknown: str) -> str:
    return unknown if value is None else (yes if value else no)


def _source(section: Any) -> str:
    src = getattr(section, "source", None)
    if src is None:
        return ""
    return f"{src.url} (as of {src.as_of})"


def _connectivity(ctx: _Context) -> Connectivity:
    cat = ctx.catalog
    provider = ctx.provider
    sites = _site_table(ctx)
    link = cat.private_link
    link_name = f"{provider} {link.name}" if link is not None else "a private link"
    f = ctx.findings[ctx.findings["status"] == "fail"]
    per_site = (
        f[f["site"].notna()].groupby(["site", "code"])["server_id"].nunique()
        if not f.empty
        else pd.Series(dtype="int64")
    )
    seed_limit = ctx.param("BWD003", "max_seed_hours")
    target = ctx.profile.target.zone
    plans: list[SitePlan] = []
    many = len(sites) >= SDWAN_MIN_SITES
    private_sites = 0
    for name, r in sites.iterrows():
        reasons = []
        private = False
        hours = r.get("site_transfer_hours")
        if seed_limit is not None and not _na(hours) and float(hours) > float(seed_limit):
            private = True
            reasons.append(
                f"Seeding takes {fmt_hours(hours)} ({fmt_days(hours)}) over the uplink, above the "
                f"{fmt_int(seed_limit)} h limit: a private link, or a temporary uplink upgrade, "
                "shortens it."
            )
        sensitive = [
            c
            for c in LATENCY_SENSITIVE
            if (name, c) in per_site.index and per_site.loc[(name, c)] > 0
        ]
        if sensitive:
            private = True
            n = int(sum(per_site.loc[(name, c)] for c in sensitive))
            reasons.append(
                f"{plural(n, 'latency-sensitive finding')} ({', '.join(sensitive)}): users here "
                "need a round trip the internet does not guarantee."
            )
        strained = [c for c in UPLINK_STRAIN if (name, c) in per_site.index]
        if strained:
            n = int(sum(per_site.loc[(name, c)] for c in strained))
            reasons.append(
                f"{plural(n, 'finding')} about office traffic over the uplink "
                f"({', '.join(strained)}): size the tunnel for it, raise the uplink or keep a "
                "local cache or domain controller at the site."
            )
        if (name, "LAT004") in per_site.index and not _na(r.get("nearest_zone")):
            reasons.append(
                f"Zone {r['nearest_zone']} is nearer ({fmt_ms(r.get('nearest_zone_rtt_ms'))} "
                f"instead of {fmt_ms(r.get('rtt_ms'))} to {target}): consider it for this "
                "site's servers."
            )
        if _na(r.get("site_uplink_mbps")):
            reasons.append("The uplink is not known: the tunnel cannot be sized.")
        if private:
            private_sites += 1
            link_text = f"IPsec VPN now; {link_name} for guarantees"
        elif many:
            link_text = "SD-WAN (IPsec underneath)"
        else:
            link_text = "Site-to-site IPsec VPN"
        near = r.get("nearest_zone")
        plans.append(
            SitePlan(
                name=str(name),
                servers=fmt_int(r["servers"]),
                used=fmt_gib(r.get("site_used_gib")),
                uplink="unknown"
                if _na(r.get("site_uplink_mbps"))
                else f"{fmt_int(r['site_uplink_mbps'])} Mbit/s",
                users=fmt_int(r.get("site_users")),
                rtt=fmt_ms(r.get("rtt_ms")),
                nearest="" if _na(near) else str(near),
                copy_time=fmt_hours(hours),
                link=link_text,
                reasons=reasons,
            )
        )
    points, unverified = _network_points(ctx, many, private_sites, link_name)
    if plans:
        intro = (
            f"How each of the {plural(len(plans), 'site')} should reach {provider} {target}, "
            "derived from its uplink, its data and the findings at that site. A site-to-site "
            "IPsec VPN is the default; "
            + (
                f"with {len(plans)} sites an SD-WAN overlay that treats the zone as one more "
                "site is simpler to run than separate tunnels; "
                if many
                else ""
            )
            + "a private link is advised where seeding time or latency needs guarantees."
        )
    else:
        intro = (
            "The engagement profile describes no sites, so no per-site plan can be made. The "
            f"general pattern for {provider} follows; add the sites (location, uplink, users "
            "and their datacenters) to the profile to get a plan per site."
        )
    return Connectivity(
        intro=intro, sites=plans, points=points, unverified=unverified, no_sites=not plans
    )


def fmt_ms(value: Any) -> str:
    return "unknown" if _na(value) else f"{float(value):,.1f} ms"


def _network_points(
    ctx: _Context, many: bool, private_sites: int, link_name: str
) -> tuple[list[Point], list[str]]:
    cat = ctx.catalog
    provider = ctx.provider
    vpn, pn, sg = cat.vpn, cat.private_network, cat.security_groups
    eip, link = cat.elastic_ip, cat.private_link
    unverified: list[str] = []
    points: list[Point] = []

    if vpn.managed_site_to_site is False:
        text = (
            f"{provider} offers no managed site-to-site VPN. Run an IPsec gateway as an "
            "instance in the zone (for example strongSwan or VyOS), two of them in an "
            "anti-affinity group for resilience, each with a static private address and an "
            "elastic IP as the tunnel end point."
        )
    elif vpn.managed_site_to_site:
        routing = (
            f" Routing: {vpn.routing}; the on-premises device must support it."
            if (vpn.routing)
            else ""
        )
        text = (
            f"{provider} offers a managed site-to-site VPN gateway attached to the private "
            f"network.{routing} Check its maturity and limits before relying on it; a "
            "gateway instance is the fallback."
        )
    else:
        text = (
            "Whether a managed site-to-site VPN exists could not be verified: plan a gateway "
            "instance in the zone and confirm with the provider."
        )
        unverified.append(f"a managed site-to-site VPN at {provider}")
    if many:
        text += (
            " With this many sites, an SD-WAN appliance in the zone joins the existing "
            "overlay instead of one tunnel per site."
        )
    points.append(Point("VPN gateway", text, _source(vpn)))

    points.append(
        Point(
            "Routing",
            "Every instance must send traffic for on-premises address ranges to the VPN "
            "gateway's private address: set a static route on each instance (by DHCP option "
            "121 on a managed private network, cloud-init or configuration management), and "
            "route the zone's private range back to the gateway on-premises. Address ranges "
            "in the zone must not overlap with those of any site.",
        )
    )

    l2 = ctx.a.portfolio_facts.get("target_layer2_stretch")
    mac = _yes_no(
        pn.custom_mac_allowed,
        "Instances may use their own MAC addresses",
        "Each instance may only send with the MAC address the platform assigned, so "
        "virtual MACs (VRRP, keepalived, Windows NLB) and MAC-bound licences need another "
        "design",
        "Whether instances may use their own MAC addresses is unverified",
    )
    if pn.custom_mac_allowed is None:
        unverified.append("custom MAC addresses on private networks")
    zones = _yes_no(
        pn.spans_zones,
        "A private network spans the zones of a region",
        "A private network stays inside one zone",
        "Whether a private network spans zones is unverified",
    )
    l2_text = (
        "Layer-2 extension between the sites and the zone is not available: a VLAN cannot "
        "be stretched, so each migrated subnet gets new addresses, or is routed, and the "
        "switch-over of a subnet happens when its last server has moved. "
        if l2 is not True
        else ""
    )
    points.append(Point("No layer-2 extension", f"{l2_text}{mac}. {zones}.", _source(pn)))

    if sg.default_inbound == "deny":
        sg_text = (
            "Security groups deny all inbound traffic by default. Open only the ports each "
            "service needs, from the VPN ranges or named security groups, and nothing from "
            "the internet unless the service is public."
        )
    elif sg.default_inbound == "allow":
        sg_text = (
            "Security groups allow inbound traffic by default: add explicit deny rules, or "
            "restrict each instance to the ports its service needs."
        )
    else:
        sg_text = (
            "The default inbound stance of security groups is unverified: assume nothing is "
            "filtered until a rule set denying inbound traffic by default is in place."
        )
        unverified.append(f"the default inbound rule of {provider} security groups")
    if pn.security_groups_apply is False:
        sg_text += (
            " Security groups do not filter traffic on private networks: use host firewalls "
            "between tiers."
        )
    if sg.smtp_outbound_restricted:
        sg_text += " Outbound SMTP is blocked until the provider lifts it on request."
    elif sg.smtp_outbound_restricted is None:
        unverified.append("whether outbound SMTP is restricted")
    points.append(Point("Security groups", sg_text, _source(sg)))

    if eip is not None:
        if eip.available:
            text = (
                "Public services move to new addresses. An elastic IP keeps an address "
                "across instance rebuilds and failover; update DNS records and partner "
                "allow-lists before the cut-over."
            )
        else:
            text = (
                "Public services move to new addresses; whether movable (elastic) IPs exist "
                "is unverified, so plan DNS changes and partner allow-lists for each "
                "cut-over."
            )
            unverified.append(f"elastic IPs at {provider}")
        points.append(Point("Public addresses", text, _source(eip)))

    if link is not None:
        if link.available:
            text = (
                f"{link_name} connects a site to the zone's private network over a dedicated "
                "line with predictable bandwidth and round trip. "
                + (
                    f"It is advised for {plural(private_sites, 'site')} above; the others "
                    "can stay on IPsec."
                    if private_sites
                    else "No site needs it on the findings of this assessment."
                )
            )
        else:
            text = f"Whether {link_name} is available is unverified."
            unverified.append(f"the availability of {link_name}")
        points.append(Point("Private link", text, _source(link)))
    return points, unverified


# --- data quality --------------------------------------------------------------------------------

_MAPPING_ORDER = ("mapped", "kept", "ignored", "unmapped")
_MAPPING_LABELS = {
    "mapped": "Read into a known field",
    "kept": "Kept as an extra attribute",
    "ignored": "Standard columns not needed",
    "unmapped": "Not understood",
}
_CONFIDENCE_LABELS = {
    "5": "5: 81-100 % of facts known",
    "4": "4: 61-80 %",
    "3": "3: 41-60 %",
    "2": "2: 21-40 %",
    "1": "1: up to 20 %",
}


def _data_quality(ctx: _Context) -> DataQuality:
    src = ctx.a.inventory.source
    a = ctx.a
    rejected = len(src.rejected_rows)
    source = [
        Stat("File", Path(str(src.path)).name),
        Stat(
            "Format",
            f"{src.format}" + (f" {src.format_version}" if src.format_version else ""),
        ),
        Stat("SHA-256", (src.sha256 or "unknown")[:16] + ("…" if src.sha256 else "")),
        Stat("Exported", fmt_date(a.as_of.date())),
        Stat("Tabs read", ", ".join(src.tabs_read) or "-"),
        Stat(
            "Servers",
            f"{src.servers_read:,} read, {len(a.servers):,} assessed, {rejected:,} rejected",
        ),
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
        assumptions=list(a.assumptions),
    )


def _unknowns(ctx: _Context) -> tuple[list[Row], list[Row]]:
    """Rules left unknown (servers, missing facts) and facts missing (servers, rules)."""
    a = ctx.a
    f = ctx.findings
    unk = f[f["status"] == "unknown"]
    per_rule = unk.groupby("code")["server_id"].agg(list) if not unk.empty else pd.Series()
    facts = a.facts
    rule_rows: list[tuple[int, str, Row]] = []
    fact_rules: dict[str, list[str]] = {}
    for code, ids in per_rule.items():
        rule = ctx.rules[code]
        used = [c for c in sorted(rule.facts_used) if c in facts]
        missing = facts.loc[ids, used].isna().sum() if used else pd.Series(dtype="int64")
        missing = missing[missing > 0].sort_values(ascending=False)
        for fact in missing.index:
            fact_rules.setdefault(fact, []).append(code)
        rule_rows.append(
            (
                -len(ids),
                code,
                Row([code, rule.spec.title, f"{len(ids):,}", ", ".join(missing.index) or "-"]),
            )
        )
    for r in ctx.portfolio[ctx.portfolio["status"] == "unknown"].itertuples():
        rule = ctx.rules[r.code]
        gone = str(r.message).removeprefix("cannot tell: ").removesuffix(" unknown")
        rule_rows.append((0, r.code, Row([r.code, rule.spec.title, "estate", gone or "-"])))
    rule_rows.sort(key=lambda t: (t[0], t[1]))
    fact_rows = []
    if fact_rules:
        from advisor.facts import all_facts

        known = all_facts()
        na = facts[list(fact_rules)].isna().sum()
        for fact in sorted(fact_rules, key=lambda x: (-int(na[x]), x)):
            about = getattr(known.get(fact), "description", "") or ""
            fact_rows.append(
                Row(
                    [
                        fact.replace("_", "_\u200b"),
                        about,
                        f"{int(na[fact]):,}",
                        ", ".join(sorted(fact_rules[fact])),
                    ]
                )
            )
    return [r for *_, r in rule_rows], fact_rows


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
                name=str(r.name),
                site="" if _na(r.site) else str(r.site),
                readiness=str(r.readiness),
                readiness_label=READINESS_LABELS.get(str(r.readiness), str(r.readiness)),
                score=fmt_int(r.score),
                disposition=DISPOSITION_LABELS.get(str(r.disposition), str(r.disposition)),
                confidence=fmt_int(r.confidence),
                effort=f"{float(r.effort_hours):g} h",
                codes=str(c),
                top="" if _na(r.top_finding) else str(r.top_finding),
            )
        )
    return out


__all__ = ["ReportModel", "build_report_model"]
