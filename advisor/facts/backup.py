"""How each server is protected today: backup tools named anywhere, snapshot-only
"backups", snapshot age and depth, and whether databases are backed up consistently.

Evidence comes from every place an inventory may carry it: the backup column
(`backup_method`, also filled from a vCenter `Backup` attribute), the notes, the
application column, every custom attribute (labels such as `NB_LAST_BACKUP` or
`Rubrik_LastBackup` and their values) and the names of snapshots that backup products
leave behind (`RUBRIK-...`, `VEEAM BACKUP TEMPORARY SNAPSHOT`, `__GX_BACKUP__`). A tool
that is named anywhere counts as backup evidence; nothing found means no evidence (false,
never unknown). Snapshot facts are unknown when the inventory has no snapshot list at all
(only RVTools' vSnapshot tab carries one), and ages count to the export date (`ctx.as_of`).
"""

from __future__ import annotations

import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.text import member

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
#: A backup statement that says there is none, on purpose.
DECLINED = (
    r"(?:^|:)\s*(?:none|no|n/?a|nein|keine?|never|nicht)\b|^\s*-+\s*$|\bno backup|not backed up|"
    r"kein(?:e)? (?:backup|sicherung)|without backup|excluded from backup"
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

_TEXT = ("backup_method", "annotation", "application", "attr.*", "snapshots.name")

FACTS: tuple[Fact, ...] = (
    Fact(
        "backup_tool",
        "text",
        "Backup products or native backups named anywhere (backup column, notes, "
        "application, custom attributes, backup-made snapshots), comma separated.",
        _TEXT,
    ),
    Fact("has_backup_tool", "bool", "Some backup product or native backup is named.", _TEXT),
    Fact(
        "backup_statement",
        "text",
        "What the backup column and backup custom attributes say, lower case ('label: value' "
        "for attributes); unknown when they say nothing.",
        ("backup_method", "attr.*"),
    ),
    Fact(
        "backup_stated",
        "bool",
        "The inventory states something about this server's backup (backup column or a "
        "backup custom attribute has a value, even 'none'); unknown when the inventory has "
        "no such column at all.",
        ("backup_method", "attr.*"),
    ),
    Fact(
        "backup_declined",
        "bool",
        "The backup statement says there is deliberately none ('none (test system)', 'n/a').",
        ("backup_method", "attr.*"),
    ),
    Fact(
        "snapshot_only_backup",
        "bool",
        "The only protection is VM snapshots: the backup statement says snapshots and no "
        "tool is named, or no tool or other backup is stated while snapshots exist.",
        ("backup_stated", "has_backup_tool", "snapshot_count"),
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
        "Servers (not templates) backed up at the hypervisor layer.",
        ("image_level_backup", "is_template"),
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
)


def compute(ctx: FactContext) -> dict[str, object]:
    s = ctx.servers
    index = s.index
    empty = pd.Series("", index=index, dtype="string")

    statement = _statement(ctx)  # backup column + backup-labelled attributes
    attrs = ctx.attrs_text()
    notes = ctx.text("annotation", "application").str.replace(NEGATED, " ", regex=True)
    snaps = _snapshot_table(ctx)
    snap_text = snaps["text"].reindex(index).astype("string").fillna("")
    everything = statement.fillna("") + " | " + notes + " | " + attrs + " | " + snap_text

    tool_hits = {name: _has(everything, pattern) for name, pattern in TOOLS.items()}
    listed = empty.copy()
    for name, hit in tool_hits.items():
        listed = listed + hit.map({True: name + ", ", False: ""}).astype("string")
    listed = listed.str.removesuffix(", ")
    has_tool = listed.str.len().gt(0).astype("boolean")

    statement_known = _statement_source(ctx)
    stated = statement.notna() & statement.str.strip().str.len().gt(0)
    stated = stated.fillna(False).astype("boolean")
    if not statement_known:
        stated = stated.mask(~stated.astype(bool), pd.NA).astype("boolean")
    declined = (
        _has(statement.fillna(""), DECLINED) & ~_has(statement.fillna(""), "|".join(TOOLS.values()))
    ).astype("boolean")
    says_snapshot = _has(statement.fillna(""), r"snap")
    other_backup = (stated & ~declined & ~says_snapshot.astype("boolean")).fillna(False)

    snapshot_count = snaps["count"].reindex(index).astype("Float64")
    if snaps.attrs["known"]:
        snapshot_count = snapshot_count.fillna(0.0)
    has_snapshots = (snapshot_count > 0).astype("boolean")
    snapshot_only = (
        (~has_tool)
        & (~other_backup.astype("boolean"))
        & (says_snapshot.astype("boolean") | (~declined & has_snapshots))
    )

    all_quiesced = snaps["all_quiesced"].reindex(index).fillna(False).astype(bool)
    app_consistent = (
        _has(everything, APP_AWARE_TOOLS)
        | _has(statement.fillna("") + " | " + attrs, APP_AWARE_WORDS)
        | (all_quiesced & has_snapshots.fillna(False).astype(bool))
    ).astype("boolean")
    tool_snapshot = snaps["tool_snapshot"].reindex(index).fillna(False).astype(bool)
    hinted = _has(statement.fillna("") + " | " + attrs, IMAGE_LEVEL).astype(bool)
    image_level = ((has_tool.astype(bool) & hinted) | tool_snapshot).astype("boolean")

    oldest = snaps["oldest"].reindex(index)
    age_days = ((ctx.as_of - oldest).dt.total_seconds() / 86400).round(1).astype("Float64")
    snapshot_gib = snaps["gib"].reindex(index).astype("Float64")
    if snaps.attrs["known"]:
        snapshot_gib = snapshot_gib.fillna(0.0)

    live = ~s["is_template"].fillna(False).astype(bool)
    ctx.portfolio["estate_image_backup_servers"] = int((image_level.astype(bool) & live).sum())
    tools = listed[image_level.astype(bool) & live].dropna().str.split(", ").explode()
    tools = tools[~tools.isin(NATIVE_TOOLS) & tools.str.len().gt(0)]
    ctx.portfolio["estate_image_backup_tools"] = (
        ", ".join(tools.value_counts().index.tolist()) if len(tools) else None
    )
    ctx.portfolio["estate_snapshot_gib"] = (
        float(snapshot_gib[live].sum()) if snaps.attrs["known"] else None
    )

    return {
        "backup_tool": listed.mask(listed.str.len() == 0, pd.NA).astype("string"),
        "has_backup_tool": has_tool,
        "backup_statement": statement,
        "backup_stated": stated,
        "backup_declined": declined.fillna(False).astype("boolean"),
        "snapshot_only_backup": snapshot_only.astype("boolean"),
        "snapshot_count": snapshot_count,
        "oldest_snapshot_days": age_days,
        "snapshot_gib": snapshot_gib,
        "app_consistent_backup": app_consistent,
        "image_level_backup": image_level,
    }


def _has(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive regex search; missing text never matches."""
    return text.astype("string").str.contains(pattern, case=False, regex=True).fillna(False)


def _backup_columns(ctx: FactContext) -> list[str]:
    """Custom-attribute columns whose header says they are about backups."""
    cols = [c for c in ctx.servers.columns if c.startswith("attr.")]
    labels = pd.Series([c.removeprefix("attr.") for c in cols], dtype="string")
    keep = labels.str.contains(BACKUP_LABEL, case=False, regex=True).fillna(False).tolist()
    return [c for c, k in zip(cols, keep, strict=True) if k]


def _statement(ctx: FactContext) -> pd.Series:
    """Lower-case backup statement: the backup column plus backup attributes' values
    ('label: value'); NA when there is none."""
    s = ctx.servers
    out = s["backup_method"].astype("string").str.strip().str.lower()
    out = out.mask(out.str.len() == 0)
    for col in _backup_columns(ctx):
        value = s[col].astype("string").str.strip().str.lower()
        value = value.mask(value.str.len() == 0)
        part = col.removeprefix("attr.").lower() + ": " + value
        out = out.where(part.isna(), out.fillna("").str.cat(part, sep=" | ").str.strip(" |"))
    return out.astype("string")


def _statement_source(ctx: FactContext) -> bool:
    """Whether the inventory has anywhere to state a backup (a backup column)."""
    mapped = any(m.column == "backup_method" for m in ctx.inventory.source.mapping)
    return bool(mapped or ctx.servers["backup_method"].notna().any() or _backup_columns(ctx))


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
            "tool_snapshot": _has(text, TOOL_SNAPSHOT).astype(bool).groupby(sid).any(),
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
