"""How each server is protected today: what the inventory says about its backup, the
backup tools named anywhere, when the last backup ran, snapshot-only "backups", snapshot
age and depth, whether databases are backed up consistently, and the backup
infrastructure that stays behind.

Evidence comes from every place an inventory may carry it: the backup column
(`backup_method`, also filled from a vCenter `Backup` attribute), every custom attribute
whose header is about backups (`NB_LAST_BACKUP`, `Rubrik_LastBackup`, `Last Backup`), a
"Backup: ..." line in the notes, tools named in the notes, application or other
attributes, and the names of snapshots that backup products leave behind (`RUBRIK-...`,
`VEEAM BACKUP TEMPORARY SNAPSHOT`, `__GX_BACKUP__`).

What the inventory says decides, and silence stays unknown: a statement of "none", "no",
"n/a", "nein" or "-" says there is no backup; a tool named or any other statement says
there is one; an empty cell says nothing (`backup_state` is unknown: a question for the
customer, never "no backup"). Last-backup dates are parsed from the backup attributes
(several formats and time zones, once per distinct value) and aged to the export date,
or, when the export date is unknown, to the newest backup date of the same inventory.
Snapshot facts are unknown when the inventory has no snapshot list at all (only RVTools'
vSnapshot tab carries one), and their ages count to `ctx.as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.facts.base import Fact, FactContext
from advisor.text import arrow, first, flag_each, found, labels, member, replace, short_list

#: Backup products and native backups -> pattern on lower-case text.
TOOLS: dict[str, str] = {
    "Veeam": r"\bveeam|\bvbr\b|\bb&r\b",
    "Commvault": r"commvault|\bsimpana\b|__gx_backup__",
    "NetBackup": r"netbackup|\bnbu\b|\bnbu_|\bnb_(?:last|policy|backup)",
    "Backup Exec": r"backup ?exec",
    "Rubrik": r"rubrik",
    "Cohesity": r"cohesity",
    "Avamar": r"avamar",
    "NetWorker": r"networker",
    "PowerProtect": r"powerprotect",
    "Data Protector": r"data ?protector",
    "Arcserve": r"arcserve",
    "Spectrum Protect (TSM)": r"\btsm\b|spectrum ?protect|storage ?protect|tivoli storage",
    "Bacula/Bareos": r"bacula|bareos",
    "Borg": r"\bborg(?:backup)?\b",
    "restic": r"\brestic\b",
    "Acronis": r"acronis",
    "Nakivo": r"nakivo",
    "Altaro": r"altaro",
    "Druva": r"druva",
    "Unitrends": r"unitrends",
    "HYCU": r"\bhycu\b",
    "Zerto": r"zerto",
    "Vembu": r"vembu",
    "Windows Server Backup": r"windows server backup|\bwbadmin\b|\bwsb\b",
    "RMAN": r"\brman\b",
    "SQL Server native backup": r"sql (?:server )?(?:native )?backup|native (?:sql )?backup|"
    r"maintenance plan|hallengren",
    "PostgreSQL dump": r"pg_dump|pg_basebackup|pgbackrest|\bbarman\b",
    "MySQL dump": r"mysqldump|xtrabackup|mariabackup",
    "HANA backint": r"backint|plug-?in for sap hana",
}

#: Backups made inside the guest by the database or OS itself, never at the hypervisor.
NATIVE_TOOLS = frozenset(
    {
        "RMAN",
        "SQL Server native backup",
        "PostgreSQL dump",
        "MySQL dump",
        "HANA backint",
        "Windows Server Backup",
    }
)

#: Names that say "this is about backups" in a column header (custom attributes).
BACKUP_LABEL = (
    r"backup|sicherung|\bbkp\b|\bnb_|netbackup|veeam|rubrik|commvault|cohesity|avamar|"
    r"networker|\btsm\b|arcserve|bacula"
)
#: Headers of backup attributes that hold when the last backup ran.
LAST_LABEL = r"last|letzte|zuletzt|recent|date|datum|time|zeit|when|completed|success"
#: A statement value that says there is no backup, on purpose or not.
DECLINED = (
    r"^(?:none|no|n/?a|nein|keine?|never|nie|nicht|false|off|disabled|deaktiviert|0)\b|"
    r"^-+(?:\s|$)|\bno[ _-]?backup|not backed up|kein(?:e)? (?:backup|sicherung)|without backup|"
    r"excluded from backup|nicht gesichert|ohne (?:backup|sicherung)|not applicable|"
    r"unprotected|do[ _]not[ _]protect|not protected|ungesichert"
)
#: A value that says nothing (treated like an empty cell).
SILENT = r"^(?:unknown|unbekannt|tbd|\?+|1/1/1970.*|1970-01-01.*|01\.01\.1970.*)$"
#: "Backup: USB disk weekly" in the notes: a statement, like a backup column.
NOTES_LABEL = r"\b(?:daten)?(?:backup|sicherung)\s*[:=]"
NOTES_STATEMENT = r"(?i)\b(?:daten)?(?:backup|sicherung)\s*[:=]\s*(?P<value>[^;|\n]+)"
#: Notes that say there is no backup without a "Backup:" label.
NOTES_DECLINED = (
    r"\bno[ _-]?backup|not backed up|kein(?:e)? (?:backup|sicherung)|without backup|"
    r"excluded from backup|nicht gesichert"
)
#: Words in a value that introduce the last backup's date ("Last Backup successfully
#: completed at <date>", Veeam's "Time: [<date>]" notes).
LAST_VALUE = (
    r"last (?:successful |good |completed |full )?(?:backup|run|job)|"
    r"letzte (?:erfolgreiche )?sicherung|zuletzt gesichert|last backed up|backed up (?:on|at)|"
    r"completed at|veeam backup:.*?time:"
)
#: A negation and the words after it up to the end of the clause, removed from free-text
#: notes before tools are looked for ("No Veeam licence left for this VM").
NEGATED = r"\b(?:no|not|without|never|excluded|kein\w*|ohne|nicht)\b[^.;|\n]{0,40}"
#: Application-consistent protection: native database backups, agents, VSS, plug-ins.
APP_AWARE_TOOLS = (
    r"\brman\b|pg_dump|pg_basebackup|pgbackrest|\bbarman\b|mysqldump|xtrabackup|mariabackup|"
    r"mongodump|backint|hallengren|maintenance plan|sql (?:server )?native backup"
)
APP_AWARE_WORDS = (
    r"application[- ]aware|app[- ]aware|application[- ]consistent|app[- ]consistent|\bvss\b|"
    r"quiesc|\bagent\b|plug-?in|native|log backup|transaction log"
)
#: Backups taken at the hypervisor (vSphere APIs), which do not follow a server to a cloud.
IMAGE_LEVEL = (
    r"\bb&r\b|backup ?(?:&|and) ?replication|\bvbr\b|\bvadp\b|vsphere|vmware|image[- ]level|"
    r"\bvm[- ]level|hypervisor|flashbackup|\bvm_|nb_last_backup|rubrik_?last"
)
#: Snapshot names backup products leave behind while (or after) they run.
TOOL_SNAPSHOT = (
    r"^rubrik-|veeam backup temporary|__gx_backup__|\bnbu_snapshot|cohesity|avamar|"
    r"networker|vdp-|\bvembu|nakivo|arcserve"
)
#: A last-backup attribute that a backup product still writes is fresh for the servers it
#: backs up; when even its newest value is older than this, nothing refreshes it any more.
STALE_SOURCE_DAYS = 7
#: The scope stage's category for backup proxies and appliances.
BACKUP_INFRASTRUCTURE = "backup infrastructure"

_TEXT = ("backup_method", "annotation", "application", "attr.*", "snapshots.name")
_STATED = ("backup_method", "attr.*", "annotation")

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ()

FACTS: tuple[Fact, ...] = (
    Fact(
        "backup_tool",
        "text",
        "Backup products or native backups named anywhere (backup column, notes, "
        "application, custom attributes, backup-made snapshots), comma separated; a backup "
        "attribute whose value says 'none' names no tool.",
        _TEXT,
    ),
    Fact("has_backup_tool", "bool", "Some backup product or native backup is named.", _TEXT),
    Fact(
        "backup_statement",
        "text",
        "What the backup column, backup custom attributes and a 'Backup: ...' line in the "
        "notes say, lower case ('label: value' for attributes and notes); unknown when they "
        "say nothing.",
        _STATED,
    ),
    Fact(
        "backup_evidence",
        "text",
        "Where the backup evidence comes from and what it says: each stated column or "
        "attribute with its value, and the tools named in notes, other attributes or "
        "snapshot names; unknown when the inventory says nothing about the server's backup.",
        _TEXT,
    ),
    Fact(
        "backup_state",
        "text",
        "What the inventory says about the server's backup, in words: 'backup product "
        "named', 'backup stated' (a statement without a product), 'stated as none' or "
        "'snapshots only'; unknown when it says nothing.",
        ("has_backup_tool", "backup_statement", "snapshot_count"),
    ),
    Fact(
        "backup_stated",
        "bool",
        "The inventory states something about this server's backup (backup column, a "
        "backup custom attribute or a 'Backup: ...' note has a value, even 'none'); false "
        "when those are empty for it; unknown when the inventory has no backup column at all.",
        _STATED,
    ),
    Fact(
        "backup_declined",
        "bool",
        "The inventory states there is no backup ('none', 'no', 'n/a', 'nein', '-') and "
        "names no tool or other backup; false when a tool, a backup or snapshots are "
        "stated; unknown when it says nothing about the server's backup.",
        _STATED,
    ),
    Fact(
        "snapshot_only_backup",
        "bool",
        "The only protection is VM snapshots: the backup statement says snapshots and no "
        "tool is named (a statement of no backup at all is backup_declined). Unknown when the "
        "inventory says nothing about the backup and the VM has snapshots (or the snapshot "
        "list is missing); false when a tool or other backup is stated, or nothing is "
        "stated and there are no snapshots.",
        ("backup_statement", "has_backup_tool", "snapshot_count"),
    ),
    Fact(
        "last_backup_date",
        "date",
        "Date (UTC, YYYY-MM-DD) of the newest backup a backup column, backup attribute or "
        "note records; unknown when none records one.",
        _STATED,
    ),
    Fact(
        "last_backup_age_days",
        "days",
        "Days from the last recorded backup to the reference date (backup_age_reference).",
        ("last_backup_date", "backup_age_reference"),
    ),
    Fact(
        "last_backup_source",
        "text",
        "The column, attribute or note the last backup date was read from.",
        _STATED,
    ),
    Fact(
        "backup_age_reference",
        "text",
        "What backup ages count to: the export date when the inventory has one, else the "
        "newest backup date recorded in the same inventory (said so).",
        ("last_backup_date",),
    ),
    Fact(
        "last_backup_source_note",
        "text",
        f"Whether the attribute the date came from is still maintained: if even its newest "
        f"value in the estate is more than {STALE_SOURCE_DAYS} days before the reference, "
        f"nothing refreshes it any more.",
        ("last_backup_source", "last_backup_date"),
    ),
    Fact(
        "snapshot_count",
        "count",
        "VM snapshots; unknown when the inventory carries no snapshot list.",
        ("snapshots",),
    ),
    Fact(
        "oldest_snapshot_days",
        "days",
        "Age of the oldest snapshot at the export date; unknown without snapshots.",
        ("snapshots.created",),
    ),
    Fact(
        "snapshot_gib",
        "GiB",
        "Size of all snapshot files (delta disks) of the server.",
        ("snapshots.size_gib",),
    ),
    Fact(
        "app_consistent_backup",
        "bool",
        "Evidence of application-consistent protection: a native database backup, an "
        "agent, plug-in or VSS/app-aware backup, or snapshots that were all quiesced.",
        (*_TEXT, "snapshots.quiesced"),
    ),
    Fact(
        "image_level_backup",
        "bool",
        "Backed up at the hypervisor (VMware layer: Veeam B&R, vSphere/VADP jobs, backup "
        "products' VM snapshots or vCenter backup attributes).",
        _TEXT,
    ),
    Fact(
        "estate_image_backup_servers",
        "count",
        "Servers (not templates) backed up at the hypervisor layer; unknown when no server "
        "says so but backup proxies or appliances were left out of scope (they back up "
        "VMs at the hypervisor layer, which ones is not known).",
        ("image_level_backup", "is_template", "excluded"),
        "portfolio",
    ),
    Fact(
        "estate_image_backup_tools",
        "text",
        "Backup products behind the hypervisor-level backups of the estate.",
        ("image_level_backup", "backup_tool"),
        "portfolio",
    ),
    Fact(
        "estate_snapshot_gib",
        "GiB",
        "Snapshot data of the estate (templates excluded); unknown without a snapshot list.",
        ("snapshot_gib",),
        "portfolio",
    ),
    Fact(
        "estate_backup_infra_count",
        "count",
        "Backup proxies and backup appliances the scope stage left out of the assessment "
        "(category 'backup infrastructure'): they stay behind with VMware.",
        ("excluded",),
        "portfolio",
    ),
    Fact(
        "estate_backup_infra_names",
        "text",
        "Names of those backup proxies and appliances (the first few, then a count).",
        ("excluded",),
        "portfolio",
    ),
)


@dataclass
class _Part:
    """One place a server's backup may be stated (a column, an attribute, the notes)."""

    label: str  # lower-case label in backup_statement ('' for the backup column)
    where: str  # how evidence names it: "column 'Backup'", "attribute 'NB_LAST_BACKUP'"
    says: str  # "says", or "say" for the notes
    value: pd.Series  # the stated text (whitespace collapsed), NA where nothing is stated
    date: pd.Series  # the last backup date it records (UTC), NaT where none


def compute(ctx: FactContext) -> dict[str, object]:
    s = ctx.servers
    index = s.index
    parts = _parts(ctx)
    snaps = _snapshot_table(ctx)

    # What each statement says.
    none = pd.Series(False, index=index)
    stated_any, declined_any, snap_any, other_any = none, none, none, none
    statement_all: list[pd.Series] = []
    positive: list[pd.Series] = []
    for part in parts:
        value = part.value.str.lower()
        stated = value.notna().to_numpy()
        declines = found(value, DECLINED).to_numpy() & stated
        snapshot = found(value, r"snap").to_numpy() & stated & ~declines
        stated_any = stated_any | stated
        declined_any = declined_any | declines
        snap_any = snap_any | snapshot
        other_any = other_any | (stated & ~declines & ~snapshot)
        labelled = (part.label + ": " + value) if part.label else value
        statement_all.append(labelled)
        positive.append(labelled.where(~declines))
    statement = _join(statement_all, index, " | ")
    positive_text = _join(positive, index, " | ").fillna("")

    # Tools named anywhere: in positive statements, notes, other attributes, snapshots.
    notes = replace(ctx.text("annotation", "application"), NEGATED, " ")
    other_attrs = _other_attrs_text(ctx)
    snap_text = snaps["text"].reindex(index).astype("string").fillna("")
    sources = {
        "statement": positive_text,
        "notes": notes,
        "attributes": other_attrs,
        "snapshots": snap_text,
    }
    per_source = {key: flag_each(text, TOOLS) for key, text in sources.items()}
    named = {
        tool: np.logical_or.reduce([per_source[k][tool].to_numpy() for k in sources])
        for tool in TOOLS
    }
    listed = labels({t: named[t] for t in TOOLS}, index)
    has_tool = pd.Series(listed.notna().to_numpy(), index=index, dtype="boolean")
    tool = has_tool.to_numpy(dtype=bool)

    # Snapshots, then what the statements amount to.
    snapshot_count = snaps["count"].reindex(index).astype("Float64")
    if snaps.attrs["known"]:
        snapshot_count = snapshot_count.fillna(0.0)
    has_snapshots = (snapshot_count > 0).astype("boolean")
    # An explicit "none" stands unless a statement names a tool or a backup, or a backup
    # product left its snapshot: a tool merely mentioned in the notes does not overrule it
    # (the backup server's own notes name its product).
    stmt_tool = np.logical_or.reduce([per_source["statement"][t].to_numpy() for t in TOOLS])
    tool_snapshot = snaps["tool_snapshot"].reindex(index).fillna(False).to_numpy(dtype=bool)
    other = other_any.to_numpy()
    declined = declined_any.to_numpy() & ~other & ~snap_any.to_numpy() & ~stmt_tool
    declined &= ~tool_snapshot
    backed = (tool & ~declined) | other
    says_snapshot = snap_any.to_numpy() & ~backed
    nothing = ~stated_any.to_numpy() & ~tool

    # Stated as none: BKP001's finding, which names the snapshots too; counting the same
    # missing backup again as "snapshots only" would charge the server twice for one fact.
    snapshot_only = pd.Series(False, index=index, dtype="boolean")
    snapshot_only.loc[nothing] = has_snapshots[nothing].mask(has_snapshots[nothing].fillna(True))
    snapshot_only.loc[says_snapshot] = True
    snapshot_only.loc[backed] = False

    state = pd.Series(pd.NA, index=index, dtype="string")
    state.loc[other & ~tool] = "backup stated"
    state.loc[tool & ~declined] = "backup product named"
    state.loc[declined] = "stated as none"
    state.loc[snapshot_only.fillna(False).to_numpy(dtype=bool)] = "snapshots only"

    backup_declined = pd.Series(declined, index=index, dtype="boolean").mask(nothing)
    stated_fact = pd.Series(stated_any.to_numpy(), index=index, dtype="boolean")
    if not _statement_source(ctx):
        stated_fact = stated_fact.mask(~stated_fact.to_numpy(dtype=bool))

    evidence = _evidence(parts, per_source, index)

    # Consistency and layer of the backups.
    everything = positive_text + " | " + notes + " | " + other_attrs + " | " + snap_text
    stated_attrs = positive_text + " | " + other_attrs
    all_quiesced = snaps["all_quiesced"].reindex(index).fillna(False).astype(bool)
    app_consistent = (
        found(everything, APP_AWARE_TOOLS)
        | found(stated_attrs, APP_AWARE_WORDS)
        | (all_quiesced & has_snapshots.fillna(False).astype(bool))
    ).astype("boolean")
    hinted = found(stated_attrs, IMAGE_LEVEL).to_numpy()
    image_level = pd.Series((tool & hinted) | tool_snapshot, index=index, dtype="boolean")

    oldest = snaps["oldest"].reindex(index)
    age_days = ((ctx.as_of - oldest).dt.total_seconds() / 86400).round(1).astype("Float64")
    snapshot_gib = snaps["gib"].reindex(index).astype("Float64")
    if snaps.attrs["known"]:
        snapshot_gib = snapshot_gib.fillna(0.0)

    _portfolio(ctx, image_level, listed, snapshot_gib, snaps.attrs["known"])

    return {
        "backup_tool": listed,
        "has_backup_tool": has_tool,
        "backup_statement": statement,
        "backup_evidence": evidence,
        "backup_state": state,
        "backup_stated": stated_fact,
        "backup_declined": backup_declined,
        "snapshot_only_backup": snapshot_only.astype("boolean"),
        **_last_backup(ctx, parts),
        "snapshot_count": snapshot_count,
        "oldest_snapshot_days": age_days,
        "snapshot_gib": snapshot_gib,
        "app_consistent_backup": app_consistent,
        "image_level_backup": image_level,
    }


def _portfolio(
    ctx: FactContext,
    image_level: pd.Series,
    listed: pd.Series,
    snapshot_gib: pd.Series,
    snapshots_known: bool,
) -> None:
    live = ~ctx.servers["is_template"].fillna(False).astype(bool)
    excluded = ctx.excluded
    infra = excluded[excluded["category"].astype("string").eq(BACKUP_INFRASTRUCTURE).fillna(False)]
    names = infra["name"].astype("string").dropna().sort_values().tolist()
    ctx.portfolio["estate_backup_infra_count"] = len(infra)
    ctx.portfolio["estate_backup_infra_names"] = short_list(names, 5)

    image_servers = int((image_level.astype(bool) & live).sum())
    # Proxies say that VMs are backed up at the hypervisor, not which: unknown, not zero.
    unknown = image_servers == 0 and len(infra) > 0
    ctx.portfolio["estate_image_backup_servers"] = None if unknown else image_servers
    tools = listed[image_level.astype(bool) & live].dropna().str.split(", ").explode()
    tools = tools[~tools.isin(NATIVE_TOOLS) & tools.str.len().gt(0)]
    ctx.portfolio["estate_image_backup_tools"] = (
        ", ".join(tools.value_counts().index.tolist()) if len(tools) else None
    )
    ctx.portfolio["estate_snapshot_gib"] = (
        float(snapshot_gib[live].sum()) if snapshots_known else None
    )


# --- where backups are stated ----------------------------------------------------------


def _backup_columns(ctx: FactContext) -> list[str]:
    """Custom-attribute columns whose header says they are about backups."""
    cols = [c for c in ctx.servers.columns if c.startswith("attr.")]
    heads = pd.Series([c.removeprefix("attr.") for c in cols], dtype="string")
    keep = found(heads, BACKUP_LABEL).tolist()
    return [c for c, k in zip(cols, keep, strict=True) if k]


def _clean(values: pd.Series) -> pd.Series:
    """Stated text with whitespace collapsed; NA where it is empty or says nothing."""
    text = replace(values.astype("string"), r"\s+", " ").str.strip()
    silent = found(text, SILENT).to_numpy() | text.str.len().eq(0).fillna(True).to_numpy()
    return text.mask(silent).astype("string")


def _extract(text: pd.Series, pattern: str, where: str) -> pd.Series:
    """The first group of `pattern` (Python regex) in the rows where RE2 finds `where`;
    NA elsewhere. The filter keeps the slow extraction to the few rows that matter."""
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    rows = found(text, where).to_numpy()
    if rows.any():
        got = text[rows].str.extract(pattern, expand=False)
        out[rows] = got.astype("string")
    return out


def _parts(ctx: FactContext) -> list[_Part]:
    """The backup column, each backup attribute and a 'Backup: ...' line in the notes."""
    s = ctx.servers
    header = next(
        (m.header for m in ctx.inventory.source.mapping if m.column == "backup_method"),
        "backup",
    )
    value = _clean(s["backup_method"])
    parts = [_Part("", f"column '{header}'", "says", value, _dates_after_words(value))]
    for col in _backup_columns(ctx):
        head = col.removeprefix("attr.")
        value = _clean(s[col])
        if found(pd.Series([head], dtype="string"), LAST_LABEL).iloc[0]:
            date = parse_dates(value)
        else:
            date = _dates_after_words(value)
        parts.append(_Part(head.lower(), f"attribute '{head}'", "says", value, date))
    notes = replace(s["annotation"].astype("string"), r"\s+", " ")
    said = _extract(notes, NOTES_STATEMENT, NOTES_LABEL).str.replace(r"\. .*$", "", regex=True)
    date = _dates_after_words(notes)
    phrase = _extract(notes, f"(?i)((?:{LAST_VALUE}).{{0,40}})", LAST_VALUE)
    said = said.fillna(phrase.where(date.notna())).fillna(first(notes.fillna(""), NOTES_DECLINED))
    parts.append(_Part("notes", "the notes", "say", _clean(said), date))
    return parts


def _other_attrs_text(ctx: FactContext) -> pd.Series:
    """Lower-case 'header: value' text of the attributes that are not about backups."""
    skip = set(_backup_columns(ctx))
    out = pd.Series("", index=ctx.servers.index, dtype="string")
    for col in ctx.servers.columns:
        if col.startswith("attr.") and col not in skip:
            label = col.removeprefix("attr.").lower()
            out = out + (
                label + ": " + ctx.servers[col].astype("string").str.lower() + " | "
            ).fillna("")
    return out


def _statement_source(ctx: FactContext) -> bool:
    """Whether the inventory has anywhere to state a backup (a backup column)."""
    mapped = any(m.column == "backup_method" for m in ctx.inventory.source.mapping)
    return bool(mapped or ctx.servers["backup_method"].notna().any() or _backup_columns(ctx))


def _join(items: list[pd.Series], index: pd.Index, sep: str) -> pd.Series:
    """Join texts row by row, skipping missing ones; NA where all are missing. (pyarrow's
    own null-skipping join drops rows that are missing everywhere, so it is not used.)"""
    separator = pa.scalar(sep, pa.large_string())
    out = None
    for item in items:
        arr = arrow(item.astype("string")).cast(pa.large_string())
        if out is None:
            out = arr
            continue
        both = pc.binary_join_element_wise(out, arr, separator)
        out = pc.if_else(pc.is_null(out), arr, pc.if_else(pc.is_null(arr), out, both))
    if out is None:
        return pd.Series(pd.NA, index=index, dtype="string")
    return pd.Series(pd.arrays.ArrowStringArray(out), index=index, dtype="string")


def _evidence(
    parts: list[_Part], per_source: dict[str, dict[str, pd.Series]], index: pd.Index
) -> pd.Series:
    """'column 'Backup' says 'none (test system)'; Veeam named in the notes'."""
    items = []
    for part in parts:
        value = part.value
        short = value.where(value.str.len() <= 80, value.str.slice(0, 77) + "...")
        items.append(f"{part.where} {part.says} '" + short + "'")
    places = {
        "notes": " named in the notes or application",
        "attributes": " named in custom attributes",
        "snapshots": " named in snapshot names",
    }
    for key, words in places.items():
        items.append(labels({t: per_source[key][t] for t in TOOLS}, index) + words)
    return _join(items, index, "; ")


# --- when the last backup ran ---------------------------------------------------------


def _last_backup(ctx: FactContext, parts: list[_Part]) -> dict[str, pd.Series]:
    """The newest recorded backup per server, its age, where it comes from, what the age
    counts to, and whether that attribute is still maintained."""
    index = ctx.servers.index
    dated = [p for p in parts if p.date.notna().any()]
    na_text = pd.Series(pd.NA, index=index, dtype="string")
    if not dated:
        return {
            "last_backup_date": na_text,
            "last_backup_age_days": pd.Series(pd.NA, index=index, dtype="Float64"),
            "last_backup_source": na_text,
            "backup_age_reference": na_text,
            "last_backup_source_note": na_text,
        }
    ns = np.column_stack([p.date.to_numpy(dtype="datetime64[ns]").astype("int64") for p in dated])
    missing = np.iinfo(np.int64).min  # NaT
    which = ns.argmax(axis=1)
    newest_ns = ns[np.arange(len(index)), which]
    known = newest_ns != missing
    newest = pd.Series(pd.to_datetime(np.where(known, newest_ns, missing), utc=True), index=index)
    where = np.array([p.where for p in dated], dtype=object)[which]
    source = pd.Series(where, index=index, dtype="string").where(known)

    exported = ctx.inventory.source.exported_at
    if exported is not None and not pd.isna(exported):
        reference = _utc(pd.Timestamp(exported))
        said = f"export date {reference:%Y-%m-%d}"
    else:
        reference = newest.max()
        said = (
            f"newest backup date in this inventory, {reference:%Y-%m-%d} "
            f"(the export date is unknown)"
        )
    age = ((reference - newest).dt.total_seconds() / 86400).clip(lower=0).round(1)

    note = na_text.copy()
    for part in dated:
        top = part.date.max()
        top_age = (reference - top).total_seconds() / 86400
        if top_age > STALE_SOURCE_DAYS:
            text = (
                f"even the newest value of {part.where} in the estate ({top:%Y-%m-%d}) is "
                f"{top_age:,.0f} days before the reference, so the attribute is probably no "
                f"longer maintained: ask the backup team for current job reports"
            )
        else:
            text = (
                f"other servers have newer values of {part.where} (up to {top:%Y-%m-%d}), so "
                f"this server's backup job is probably failing or no longer includes it: "
                f"check with the backup team"
            )
        note = note.mask(source.eq(part.where).fillna(False).to_numpy(dtype=bool), text)

    return {
        "last_backup_date": newest.dt.strftime("%Y-%m-%d").astype("string").where(known),
        "last_backup_age_days": age.astype("Float64").where(known),
        "last_backup_source": source,
        "backup_age_reference": pd.Series(said, index=index, dtype="string").where(known),
        "last_backup_source_note": note,
    }


def _utc(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
    "dez": 12,
}  # fmt: skip
#: Time-zone abbreviations seen in backup products' dates -> minutes east of UTC.
_ZONES = {
    "utc": 0, "gmt": 0, "ut": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60,
    "cest": 120, "met": 60, "mest": 120, "mez": 60, "mesz": 120, "eet": 120, "eest": 180,
    "msk": 180, "ist": 330, "sgt": 480, "hkt": 480, "jst": 540, "kst": 540, "aest": 600,
    "aedt": 660, "nzst": 720, "nzdt": 780, "est": -300, "edt": -240, "cst": -360,
    "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540,
    "akdt": -480, "hst": -600,
}  # fmt: skip
_MON = r"(?P<mon>" + "|".join(_MONTHS) + r")[a-zä]*\.?"
_TIME = (
    r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?(?:[.,]\d+)?"
    r"(?: ?(?P<ampm>[ap])\.?m\.?)?"
)
_ZONE_WORDS = "|".join(sorted(_ZONES, key=len, reverse=True))


def _zone(group: str) -> str:
    return rf"(?P<{group}>[+-]\d{{2}}:?\d{{2}}|(?:{_ZONE_WORDS})\b)"


#: Date layouts, tried in order on each distinct value still without a date.
_LAYOUTS = (
    # 'Mon May 24 23:30:52 2021 -0700', 'Thu Sep 22 03:00:20 UTC 2022' (ctime, date(1))
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? )?{_MON} (?P<d>\d{{1,2}}),? {_TIME}"
    rf"(?: {_zone('tz')})? (?P<y>\d{{4}})(?: ?{_zone('tz2')})?",
    # '2021-05-24 23:30:52Z', '2021/05/24T23:30'
    rf"(?P<y>\d{{4}})[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})(?:[t ]{_TIME})?(?: ?{_zone('tz')})?",
    # '24 May 2021 23:30', '24. Mai 2021'
    rf"(?P<d>\d{{1,2}})\.? {_MON},? (?P<y>\d{{4}})(?:,? (?:at |um )?{_TIME})?(?: {_zone('tz')})?",
    # 'May 24, 2021 11:30 PM'
    rf"{_MON} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})(?:,? (?:at )?{_TIME})?"
    rf"(?: {_zone('tz')})?",
    # '8/27/2015 8:06:36 AM', '27.08.2015 08:06', '27-08-2015'
    rf"(?:^|[^\d])(?P<a>\d{{1,2}})(?P<sep>[./-])(?P<b>\d{{1,2}})[./-](?P<y>\d{{4}}|\d{{2}})\b"
    rf"(?:,? {_TIME})?(?: {_zone('tz')})?",
)


def parse_dates(values: pd.Series) -> pd.Series:
    """The first date in each value, as a UTC timestamp (NaT where none), parsed once per
    distinct value. Understands ctime ('Mon May 24 23:30:52 2021 -0700', as NetBackup
    writes it), 'at Thu Sep 22 03:00:20 UTC 2022' (Rubrik), ISO 8601, day-month-year with
    month names (English or German), and numeric dates: '.' and '-' are day first, '/' is
    month first (US, as English Windows writes it) unless a value of the same column has a
    day above 12 first. Offsets and common zone names are applied; dates without a zone
    are taken as UTC. Dates in 1970 or before mean 'unknown' in vCenter and are dropped."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    text = values.astype("string").str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    distinct = pd.Series(text.dropna().unique(), dtype="string")
    if distinct.empty:
        return out
    got = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns, UTC]")
    for layout in _LAYOUTS:
        todo = got.isna()
        if not todo.any():
            break
        fields = distinct[todo].str.extract(layout)
        got[todo] = _assemble(fields)
    got = got.where(got > pd.Timestamp("1971-01-01", tz="UTC"))
    lookup = pd.Series(got.to_numpy(), index=distinct.to_numpy())
    mapped = text.map(lookup)
    return out.fillna(pd.to_datetime(mapped, utc=True)).astype("datetime64[ns, UTC]")


def _assemble(f: pd.DataFrame) -> pd.Series:
    """Timestamps from the fields one layout extracted (UTC; NaT where it did not match)."""

    def num(name: str) -> pd.Series:
        if name not in f:
            return pd.Series(np.nan, index=f.index)
        return pd.to_numeric(f[name], errors="coerce")

    year = num("y")
    year = year.where(year >= 100, year + 2000)
    if "mon" in f:
        month = f["mon"].map(_MONTHS).astype("float64")
        day = num("d")
    elif "a" in f:
        a, b = num("a"), num("b")
        slash = f["sep"].eq("/").fillna(False).to_numpy(dtype=bool)
        # '/' is month first, unless this column writes days above 12 first.
        column_day_first = bool((a[slash] > 12).any() and not (b[slash] > 12).any())
        day_first = ~slash | column_day_first | (a > 12).to_numpy()
        day = a.where(day_first, b)
        month = b.where(day_first, a)
    else:
        month, day = num("m"), num("d")
    hour = num("hh").fillna(0)
    ampm = f["ampm"] if "ampm" in f else pd.Series(pd.NA, index=f.index, dtype="string")
    hour = hour.where(~ampm.eq("p").fillna(False) | (hour >= 12), hour + 12)
    hour = hour.where(~(ampm.eq("a").fillna(False) & (hour == 12)), 0)
    parts = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": num("mi").fillna(0),
            "second": num("ss").fillna(0),
        }
    )
    ok = parts[["year", "month", "day"]].notna().all(axis=1)
    stamp = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    if ok.any():
        stamp[ok] = pd.to_datetime(parts[ok].astype("int64"), errors="coerce")
    zone = f["tz"] if "tz" in f else pd.Series(pd.NA, index=f.index, dtype="string")
    if "tz2" in f:
        zone = zone.fillna(f["tz2"])
    offset = _offset_minutes(zone.astype("string"))
    return (stamp - pd.to_timedelta(offset, unit="m")).dt.tz_localize("UTC")


def _offset_minutes(zone: pd.Series) -> pd.Series:
    """'+0530' / '-07:00' / 'cest' -> minutes east of UTC; 0 where none or unknown."""
    numeric = zone.str.extract(r"^(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})$")
    sign = numeric["sign"].map({"+": 1.0, "-": -1.0})
    minutes = sign * (
        pd.to_numeric(numeric["h"], errors="coerce") * 60
        + pd.to_numeric(numeric["m"], errors="coerce")
    )
    named = zone.map(_ZONES).astype("float64")
    return minutes.astype("float64").fillna(named).fillna(0.0)


def _dates_after_words(values: pd.Series) -> pd.Series:
    """The date that follows 'last backup', 'completed at', Veeam's 'Time:' and the like."""
    return parse_dates(_extract(values.astype("string"), f"(?i)(?:{LAST_VALUE})(.*)", LAST_VALUE))


# --- snapshots ------------------------------------------------------------------------


def _snapshot_table(ctx: FactContext) -> pd.DataFrame:
    """Per server: snapshot count, oldest creation time, size, text of names and
    descriptions, whether all were quiesced and whether a backup product made one.
    `.attrs['known']` says whether the inventory carries a snapshot list at all."""
    inv = ctx.inventory
    snaps = inv.snapshots
    snaps = snaps[member(snaps["server_id"], ctx.servers.index)]
    read = [str(t).lower() for t in inv.source.tabs_read]
    known = bool(len(snaps)) or any("snapshot" in t for t in read)
    sid = snaps["server_id"].astype("string")
    text = (
        snaps["name"].astype("string").fillna("")
        + " "
        + snaps["description"].astype("string").fillna("")
    ).str.lower()
    grouped = pd.DataFrame(
        {
            "count": sid.groupby(sid).size().astype("Float64"),
            "oldest": snaps["created"].groupby(sid).min(),
            "gib": snaps["size_gib"].astype("Float64").groupby(sid).sum(),
            "text": text.groupby(sid).agg(" | ".join),
            "all_quiesced": snaps["quiesced"].fillna(False).astype(bool).groupby(sid).all(),
            "tool_snapshot": found(text, TOOL_SNAPSHOT).astype(bool).groupby(sid).any(),
        }
    )
    if grouped.empty:
        grouped = pd.DataFrame(
            {
                "count": pd.Series(dtype="Float64"),
                "oldest": pd.Series(dtype="datetime64[ns, UTC]"),
                "gib": pd.Series(dtype="Float64"),
                "text": pd.Series(dtype="string"),
                "all_quiesced": pd.Series(dtype=bool),
                "tool_snapshot": pd.Series(dtype=bool),
            }
        )
    grouped.attrs["known"] = known
    return grouped
