"""The vocabulary of the report model: its tuning constants, display labels and dataclasses.

The section builders fill these dataclasses with formatted strings, numbers and `Chart`s;
the templates only read them. They live apart from the builders so that every section
module, and anything that only needs the shapes, can import them without pulling in the
building code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from advisor.engine.rules import DISPOSITIONS, SEVERITIES
from advisor.report.charts import Chart

#: Affected servers the PDF lists per rule (failures, then as many accepted ones) before
#: "and N more"; the model and the HTML hold every row (see `ReportModel.for_pdf`).
TABLE_ROWS = 12
#: Rows a rule's table shows in the PDF, by severity: blockers and high findings get the
#: room. Medium, low and info rules get no block of their own in the PDF: one line each in
#: their area's table of further findings (`RuleSection.compact`), naming the first
#: `MINOR_NAMES` servers; the HTML gives every rule its full block.
PDF_ROWS = {"blocker": 8, "high": 5}
MINOR_NAMES = 4
#: Servers in the storage chart.
STORAGE_CHART_ROWS = 12
#: Sites in the per-site charts (the slowest / farthest first).
SITE_CHART_ROWS = 15
#: Findings in the executive summary.
TOP_FINDINGS = 5
#: Out-of-scope servers listed per category before "and N more" (the workbook lists all).
SCOPE_ROWS = 8
#: Segments in the per-segment table, the largest first (the workbook lists all).
SEGMENT_ROWS = 20
#: From this many sites on, an SD-WAN overlay is simpler than one tunnel per site.
SDWAN_MIN_SITES = 5
#: Rules whose failure at a site means its users need a predictable round trip.
LATENCY_SENSITIVE = ("LAT001", "LAT002", "LAT003")
#: Rules whose failure at a site means daily office traffic will strain its uplink.
UPLINK_STRAIN = ("BWD001", "BWD002", "ADC004")
#: Waves in the wave table and the timeline chart (the workbook lists all): a page and a
#: half of rows, and bars still tall enough to read.
WAVE_ROWS = 40
#: Waves listed per site in the seeding table before "and N more".
SITE_WAVES = 8
#: Largest move groups listed (edited groups are added to them, up to as many again).
GROUP_ROWS = 8
#: Dependency links that cross waves listed before "and N more".
CROSSING_ROWS = 12
#: Sites in the cost-by-site table, the costliest first.
COST_SITE_ROWS = 20
#: Servers in the "most expensive servers" table.
COST_SERVER_ROWS = 6
#: Servers whose verdict differs between the two providers, listed before "and N more".
VERDICT_ROWS = 12

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
        "Operating systems past their support, and servers that are off or suspended: "
        "candidates to retire rather than move."
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
    #: Read, assessed and left out, in words (one short paragraph).
    scope: str
    stats: list[Stat]
    readiness: list[Tile]
    dispositions: list[Tile]
    readiness_chart: Chart
    disposition_chart: Chart
    top: list[TopFinding]
    #: Monthly cost and the last wave's end; empty without a plan.
    plan_stats: list[Stat] = field(default_factory=list)
    #: The topics the customer is asked about, in one line; empty when none is open.
    open_questions: str = ""


@dataclass
class ScopeServer:
    """One out-of-scope server as the Scope section lists it."""

    name: str
    power: str
    size: str
    disk: str
    location: str
    segment: str
    reason: str
    #: Whether the PDF lists it (the first `SCOPE_ROWS` of its category; the HTML all).
    in_pdf: bool = True


@dataclass
class ScopeGroup:
    """The out-of-scope servers of one category: all of them for the HTML, the first
    `SCOPE_ROWS` marked `in_pdf`, and the PDF's line saying how many more."""

    key: str
    title: str
    count: str
    meaning: str
    #: The reason when every server of the category has the same one (shown once, not per
    #: row); empty when the reasons differ.
    common_reason: str
    rows: list[ScopeServer]
    more_text: str


@dataclass
class EstateLine:
    """One item of one-off estate work."""

    code: str
    anchor: str
    title: str
    area: str
    servers: str
    effort: str


@dataclass
class SegmentRow:
    name: str
    servers: str
    ready: str
    conditional: str
    not_ready: str
    unknown: str
    effort: str
    out_of_scope: str


@dataclass
class ScopeSection:
    """What the assessment covers, what it leaves out and why, and the effort it adds up to."""

    intro: str
    counts: list[Stat]
    groups: list[ScopeGroup]
    effort_intro: str
    estate_work: list[EstateLine]
    estate_total: str
    #: What the segments are ("folder"); None without segment_by (no segment table).
    segment_label: str | None
    segments: list[SegmentRow]
    segments_more: str


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
    #: Whether the PDF lists the row (the worst failures and accepted ones, `PDF_ROWS`).
    in_pdf: bool = True
    #: The PDF's note naming the other servers with the same finding, which it lists in
    #: this row instead of one row each ("Same on gandalf and pluto.").
    same: str = ""
    #: How many servers the row stands for in the PDF: 1 and those `same` names; 0 for a
    #: server whose finding another row states.
    servers: int = 1


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
    estate_message: str
    rationale: str
    remediation: str
    #: The PDF's shorter why and what: the texts' leading whole sentences.
    why_short: str
    what_short: str
    references: list[Reference]
    #: Every failed and accepted server, worst first; the PDF shows those `in_pdf`.
    rows: list[ServerRow]
    #: Rows the PDF leaves out, and the line that says so ("and 5 more, ...").
    more: int
    more_text: str
    #: A medium, low or info rule, which the PDF lists in one line of its area's further
    #: findings (the HTML gives it the full block); `names` is that line's servers ("zeus,
    #: hera and 3 more").
    compact: bool = False
    names: str = ""


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

    @property
    def minor(self) -> list[RuleSection]:
        """The medium, low and info rules the PDF lists as one table."""
        return [r for r in self.rules if r.compact]

    @property
    def references(self) -> list[Reference]:
        """The sources of all its rules, each once, in the order the rules cite them: the
        PDF gives them in one line under the area (the HTML under each rule), since most
        rules of an area cite the same few documents."""
        seen: dict[str, Reference] = {}
        for r in self.rules:
            for ref in r.references:
                seen.setdefault(ref.url, ref)
        return list(seen.values())


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
    #: The topics whose absence lowered confidence: topic, servers without it.
    gaps: list[Row]
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
class AppendixFinding:
    """One finding of one server in the appendix, with the facts it read."""

    code: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    message: str
    #: The facts the rule read for this server, in words, with their values.
    evidence: str
    #: Points the finding cost ("-20"), "not counted" when accepted, "" when unknown.
    points: str


@dataclass
class AppendixRow:
    """One server of the appendix: verdict, its score as arithmetic, every finding."""

    name: str
    site: str
    readiness: str
    readiness_label: str
    score: str
    disposition: str
    confidence: str
    effort: str
    #: Size and identity facts in words ("4 vCPU, 16 GiB memory, ...").
    facts: str
    #: "100 - 20 (BKP001) - 9 (SNW003) = 71".
    score_line: str
    findings: list[AppendixFinding]


@dataclass
class WaveRow:
    """One wave of the wave table; `note` says which bound an oversized wave breaks."""

    wave: str
    #: pilot, wave, oversized or after-blockers (a CSS class).
    kind: str
    kind_label: str
    dates: str
    groups: str
    servers: str
    data: str
    seeding: str
    cutover: str
    effort: str
    fits: str
    note: str


@dataclass
class SiteSeeding:
    """What one site's uplink carries over the plan: the data of each of its waves."""

    site: str
    uplink: str
    waves: str
    data: str
    #: The wave that needs the uplink most, its seeding hours against the time allowed.
    busiest: str
    #: The uplink that busiest wave needs, and its share of the site's uplink.
    needed: str
    per_wave: str
    fits: str
    #: yes, no or unknown (a CSS class).
    fits_key: str


@dataclass
class GroupRow:
    group: str
    name: str
    servers: str
    wave: str
    reason: str
    edited: bool


@dataclass
class CrossingRow:
    source: str
    target: str
    port: str
    waves: str
    why: str


@dataclass
class ScenarioRow:
    scenario: str
    waves: str
    weeks: str
    end: str
    accepted: str
    labour: str
    planned: bool


@dataclass
class PlanSection:
    """The migration plan: waves, their calendar, what the uplinks carry, the move groups,
    links left across waves, the timeline and how it moves with throughput."""

    intro: str
    waves: list[WaveRow]
    waves_more: str
    gantt: Chart | None
    seeding_intro: str
    sites: list[SiteSeeding]
    groups_intro: str
    groups: list[GroupRow]
    groups_more: str
    crossing_intro: str
    crossing: list[CrossingRow]
    crossing_more: str
    #: False when no crossing link names a port: the table leaves the column out.
    crossing_ports: bool
    notes: list[str]
    timeline: list[Stat]
    timeline_text: str
    sensitivity: list[ScenarioRow]


@dataclass
class CostRow:
    """A labelled row with one value per provider shown (primary first)."""

    label: str
    values: list[str]
    servers: str = ""
    total: bool = False


@dataclass
class ServerCost:
    name: str
    site: str
    wave: str
    size: str
    values: list[str]
    missing: str


@dataclass
class PriceSource:
    title: str
    url: str
    as_of: str
    confidence: str


@dataclass
class SourceGroup:
    provider: str
    sources: list[PriceSource]


@dataclass
class VerdictRow:
    name: str
    first: str
    first_label: str
    second: str
    second_label: str
    rules: str
    first_says: str
    second_says: str


@dataclass
class CostsSection:
    """Monthly costs per provider (primary first, the compared one beside it), where they
    fall by site and wave, the costliest servers, and what the prices rest on."""

    intro: str
    #: Display names of the providers in the columns, primary first.
    providers: list[str]
    #: Estate totals, priced servers, parallel run and (with a comparison) readiness.
    overview: list[CostRow]
    #: Why servers are unpriced, per provider, in words.
    unpriced: list[str]
    by_site: list[CostRow]
    by_site_more: str
    by_wave: list[CostRow]
    by_wave_more: str
    top: list[ServerCost]
    policy: str
    sources: list[SourceGroup]
    #: The compared provider's name; None without a comparison.
    compared: str | None
    verdicts_intro: str
    verdicts: list[VerdictRow]
    verdicts_more: str


@dataclass
class ReportModel:
    title: str
    customer: str
    date: str
    generator: str
    theme: Theme
    cover: Cover
    summary: Summary
    scope: ScopeSection
    areas: list[AreaSection]
    quiet_areas: list[str]
    connectivity: Connectivity
    data_quality: DataQuality
    methodology: Methodology
    #: False when no server has a site: tables leave the site column out.
    has_sites: bool = True
    appendix: list[AppendixRow] | None = None
    sections: list[tuple[str, str]] = field(default_factory=list)
    #: The migration plan and the costs; None when the assessment carries no plan.
    plan: PlanSection | None = None
    costs: CostsSection | None = None
    #: Questions for the customer and the closing next steps (see section_questions and
    #: section_next_steps).
    questions: QuestionsSection | None = None
    next_steps: NextSteps | None = None

    def for_pdf(self) -> ReportModel:
        """A copy with the finding tables cut to the rows the PDF shows (`in_pdf`): the
        model goes to the PDF process pickled, and the HTML's full lists need not travel."""
        areas = [
            replace(a, rules=[replace(r, rows=[s for s in r.rows if s.in_pdf]) for r in a.rules])
            for a in self.areas
        ]
        groups = [replace(g, rows=[r for r in g.rows if r.in_pdf]) for g in self.scope.groups]
        return replace(self, areas=areas, scope=replace(self.scope, groups=groups))


# --- questions for the customer and next steps ------------------------------------------------


@dataclass
class QuestionItem:
    """One question for the customer as the report prints it."""

    topic: str
    question: str
    #: "62 servers".
    count: str
    #: The first servers by name, then "and N more" (the workbook lists all).
    servers: str
    #: (code, anchor) of the rules whose unknown verdicts the answer settles.
    rules: list[tuple[str, str]]


@dataclass
class QuestionsSection:
    intro: str
    items: list[QuestionItem]


@dataclass
class Decision:
    """A decision the customer must take before or during the first waves."""

    title: str
    text: str
    #: Where the report explains it ("" when nowhere in particular).
    anchor: str = ""


@dataclass
class NextSteps:
    intro: str
    decisions: list[Decision]
    #: The pilot or first wave in a few lines; without a plan, what comes instead.
    first_wave_title: str
    first_wave: list[str]
