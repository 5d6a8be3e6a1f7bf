"""Who a server is: its roles (with the evidence used), its name against the estate's own
naming convention, documentation, ownership and age.

Roles combine several sources, because no inventory says everything: the server name
(`bsl-dc-01`), the customer's role column, the OS, notes and annotations, the application
column and vCenter custom attributes. Each role fact is true when any source matches and
false otherwise (absence of evidence is not unknown here: a role nobody mentions is
treated as absent, and `role_evidence` shows what was found). All matching is vectorised
regex over whole columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.text import arrow, found, member, replace, search

#: role -> (pattern on the name, pattern on the free text). Patterns are lower-case regex.
ROLES: dict[str, tuple[str, str]] = {
    "domain_controller": (
        r"(^|[-_.])(dc|addc|adc|pdc|ads)[-_.]?\d*([-_.]|$)|^dc\d",
        r"domain controller|active directory|\bad ?ds\b|\bfsmo\b|\bpdc emulator|global catalog",
    ),
    "file_server": (
        r"(^|[-_.])(fs|file|files|filer|nas)[-_.]?\d*([-_.]|$)|fileserver",
        r"file ?server|file shares?|\bdfs\b|smb shares?|home drives?|fileservice",
    ),
    "print_server": (
        r"(^|[-_.])(prt|print|ps)[-_.]?\d*([-_.]|$)",
        r"print ?server|printers?\b|print spooler|printing",
    ),
    "database": (
        r"(^|[-_.])(sql|db|ora|pg|pgsql|mysql|maria|hana|mongo|appdb|sqlclu)[-_.]?\d*[a-z]?([-_.]|$)",
        r"sql server|\bmssql|\boracle\b|postgres|\bmysql|mariadb|\bhana\b|\bdb2\b|mongodb|"
        r"database|\bsybase|informix",
    ),
    "web_server": (
        r"(^|[-_.])(web|www|iis|nginx|apache|http)[-_.]?\d*([-_.]|$)",
        r"web ?server|\biis\b|nginx|apache|tomcat|web ?farm|web front",
    ),
    "load_balancer": (
        r"(^|[-_.])(lb|haproxy|f5|netscaler|adc|kemp)[-_.]?\d*([-_.]|$)",
        r"load ?balanc|haproxy|netscaler|big-?ip|\bkemp\b|reverse proxy",
    ),
    "queue": (
        r"(^|[-_.])(mq|rabbit|rabbitmq|kafka|amq|msmq|queue)[-_.]?\d*([-_.]|$)",
        r"rabbitmq|activemq|\bkafka\b|message queue|message broker|\bibm mq\b|msmq|\bjms\b",
    ),
    "remote_desktop": (
        r"(^|[-_.])(rds|rdsh|ts|citrix|ctx|xa|vdi|rdgw|rdweb|horizon)[-_.]?\d*([-_.]|$)",
        r"remote desktop|\brds\b|terminal ?server|citrix|xenapp|xendesktop|\bvdi\b|horizon view|"
        r"session host|rd gateway|rdp gateway|virtual desktop",
    ),
    "voip": (
        r"(^|[-_.])(voip|pbx|cucm|sip|tel|telephony|3cx|asterisk)[-_.]?\d*([-_.]|$)",
        r"\bvoip\b|telephon|asterisk|\b3cx\b|call ?manager|cucm|\bpbx\b|\bsip\b|"
        r"skype for business|\blync\b|contact cent|call cent",
    ),
    "license_server": (
        r"(^|[-_.])(lic|license|licence|flexlm|lm)[-_.]?\d*([-_.]|$)",
        r"licen[cs]e server|flexlm|flexnet|\brlm\b|\bhasp\b|sentinel|dongle|codemeter|"
        r"licen[cs]e manager",
    ),
    "cluster_node": (
        r"(^|[-_.])(clu|cluster|cl|node)[-_.]?\d*[a-z]?([-_.]|$)|clu[-_.]?\d",
        r"failover cluster|\bwsfc\b|cluster node|\bmscs\b|always ?on|pacemaker|"
        r"\bnlb\b|network load balancing|shared (quorum|disk)",
    ),
    "sap": (
        r"(^|[-_.])(sap|hana|s4|bw|pi|ecc)[-_.]?\d*([-_.]|$)",
        r"\bsap\b|netweaver|s/4 ?hana|\bhana\b|\babap\b|\bsap erp\b",
    ),
    "backup_server": (
        r"(^|[-_.])(bkp|backup|veeam|vbr)[-_.]?\d*([-_.]|$)",
        r"backup server|veeam backup|backup repository|commvault media|netbackup master",
    ),
}

#: When a server has several roles, the one shown first (most consequential for a move).
ROLE_PRIORITY = (
    "domain_controller",
    "database",
    "sap",
    "file_server",
    "remote_desktop",
    "voip",
    "license_server",
    "load_balancer",
    "queue",
    "web_server",
    "print_server",
    "backup_server",
    "cluster_node",
)

_DB_ENGINES = {
    "oracle": r"\boracle\b|\bora[-_]?\d|oracle database|\b19c\b|\b12c\b|\brman\b",
    "sqlserver": r"sql server|\bmssql|\bsql[-_]?\d|sqlclu",
    "hana": r"\bhana\b",
    "postgresql": r"postgres|\bpg[-_]?\d|pgsql",
    "mysql": r"\bmysql|mariadb",
    "db2": r"\bdb2\b",
    "mongodb": r"mongo",
}

#: Names of pets: myth, fiction and the sky, the classic names of hand-built servers.
PET_WORDS = (
    "zeus hera apollo athena artemis hermes ares poseidon hades hephaestus dionysus demeter "
    "thor odin loki freya frigg baldur gandalf frodo bilbo aragorn legolas gimli sauron "
    "gollum saruman elrond smaug mercury venus earth mars jupiter saturn uranus neptune "
    "pluto titan orion sirius vega pegasus phoenix hydra medusa atlas kronos prometheus "
    "yoda vader skywalker kirk spock picard enterprise homer bart marge lisa simpson batman "
    "joker neo trinity morpheus"
).split()

#: Function words inside a single-word name ('wwebtest'): a made-up code, not a pet.
_FUNCTION_TOKENS = (
    r"test|prod|dev|qa|uat|sql|db|web|app|srv|svr|server|report|file|print|mail|backup|bkp|"
    r"scan|cert|eval|mgmt|admin|proxy|ftp|dns|dhcp|vpn|esx|host|node|clu"
)

_SOURCES = (
    ("name", ("name", "dns_name")),
    ("role column", ("role",)),
    ("application", ("application",)),
    ("notes", ("annotation",)),
    ("OS", ("os_name",)),
    ("folder", ("folder",)),
)

FACTS: tuple[Fact, ...] = (
    *(
        Fact(
            f"is_{role}",
            "bool",
            f"Evidence says the server is a {role.replace('_', ' ')}.",
            ("name", "dns_name", "role", "application", "annotation", "os_name", "attr.*"),
        )
        for role in ROLES
    ),
    Fact(
        "role",
        "text",
        "Most consequential detected role (see ROLE_PRIORITY), or 'other'.",
        ("is_*",),
    ),
    Fact("roles", "text", "All detected roles, comma separated.", ("is_*",)),
    Fact(
        "role_evidence",
        "text",
        "Which sources matched each role (name, notes, OS, ...).",
        ("name", "role", "application", "annotation", "os_name", "folder", "attr.*"),
    ),
    Fact(
        "db_engine",
        "text",
        "Database engine detected (oracle, sqlserver, hana, ...).",
        ("name", "application", "annotation", "os_name", "role", "attr.*"),
    ),
    Fact(
        "is_latency_sensitive",
        "bool",
        "Interactive workload users feel every millisecond of: remote desktop, VDI, VoIP.",
        ("is_remote_desktop", "is_voip", "annotation", "application"),
    ),
    Fact(
        "is_office_service",
        "bool",
        "Reached by office users over the site uplink: domain controller, file or print.",
        ("is_domain_controller", "is_file_server", "is_print_server"),
    ),
    Fact(
        "naming_convention",
        "text",
        "Most common name shape in the estate (letters a, digits 9), e.g. 'a-a-9'.",
        ("name",),
    ),
    Fact(
        "follows_naming_convention",
        "bool",
        "The name has a shape shared by at least 5 % of the estate's servers.",
        ("name",),
    ),
    Fact(
        "pet_name",
        "bool",
        "A hand-picked name (myth, fiction, a single word) where the estate uses a convention.",
        ("name",),
    ),
    Fact("has_owner", "bool", "An owner or responsible team is recorded.", ("owner", "attr.*")),
    Fact(
        "has_documentation",
        "bool",
        "Anything says what the server is for: notes, application or role.",
        ("annotation", "application", "role"),
    ),
    Fact(
        "age_days",
        "days",
        "Days since the server was created (export date as reference).",
        ("created",),
    ),
    Fact(
        "is_production",
        "bool",
        "Production by its environment or its name, folder or cluster (unknown if silent).",
        ("environment", "name", "folder", "cluster"),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    attrs = ctx.attrs_text()
    texts = {label: ctx.text(*cols) for label, cols in _SOURCES}
    # "Database on bsl-sql-01" describes a dependency, not this server's role.
    texts["notes"] = _without_references(texts["notes"], s["name"])
    texts["custom attribute"] = attrs
    name = texts["name"]
    free = texts["role column"] + " | " + texts["application"] + " | " + texts["notes"]
    free = free + " | " + texts["OS"] + " | " + attrs
    out: dict[str, pd.Series] = {}
    codes = _role_codes(name, texts)
    for role, code in zip(ROLES, codes.T, strict=True):
        out[f"is_{role}"] = pd.Series(code > 0, index=s.index, dtype="boolean")
    out["is_cluster_node"] = out["is_cluster_node"] & ~out["is_load_balancer"]
    out.update(_role_labels(codes, s.index))
    out["db_engine"] = _db_engine(name + " | " + free, out["is_database"])
    realtime = search(free, r"real-?time|\bscada\b|trading|video ?conferenc|streaming")
    out["is_latency_sensitive"] = (out["is_remote_desktop"] | out["is_voip"] | realtime).astype(
        "boolean"
    )
    out["is_office_service"] = (
        out["is_domain_controller"] | out["is_file_server"] | out["is_print_server"]
    ).astype("boolean")
    out.update(_naming(s["name"]))
    out.update(_ownership(s, attrs))
    age = (ctx.as_of - s["created"]).dt.days
    out["age_days"] = age.astype("Float64").mask(age < 0)
    out["is_production"] = _production(ctx)
    return out


#: Where role evidence comes from, in the order the evidence names them; bit i of a role's
#: code is set when source i matched (the name by the name pattern, the rest by the text one).
_EVIDENCE = ("name", "role column", "application", "notes", "OS", "folder", "custom attribute")


def _role_codes(name: pd.Series, texts: dict[str, pd.Series]) -> np.ndarray:
    """One row per server, one column per role (ROLES order): a bit mask of the sources
    that matched the role, 0 where none did."""
    codes = np.zeros((len(name), len(ROLES)), dtype=np.int16)
    sources = {label: arrow(texts[label]) for label in _EVIDENCE[1:]}
    name_arr = arrow(name)
    for j, (name_rx, text_rx) in enumerate(ROLES.values()):
        codes[:, j] = search(name_arr, name_rx)
        for bit, label in enumerate(_EVIDENCE[1:], start=1):
            codes[:, j] |= search(sources[label], text_rx).astype(np.int16) << bit
    return codes


def _role_labels(codes: np.ndarray, index: pd.Index) -> dict[str, pd.Series]:
    """role, roles and role_evidence from the role codes. Servers share few combinations of
    roles and sources, so each distinct combination is spelled once and then spread."""
    combos, inverse = np.unique(codes, axis=0, return_inverse=True)
    roles = list(ROLES)
    lb = roles.index("load_balancer")
    primary, all_roles, evidence = [], [], []
    for combo in combos:
        held = {r for r, c in zip(roles, combo, strict=True) if c}
        if combo[lb]:
            held.discard("cluster_node")  # a load balancer pair is not a cluster node
        ordered = [r for r in ROLE_PRIORITY if r in held]
        primary.append(ordered[0] if ordered else "other")
        all_roles.append(", ".join(ordered) or None)
        tags = [
            f"{r.replace('_', ' ')} ({'+'.join(_sources_of(int(c)))})"
            for r, c in zip(roles, combo, strict=True)
            if c
        ]
        evidence.append("; ".join(tags) or None)
    inverse = inverse.reshape(-1)

    def spread(values: list[str | None]) -> pd.Series:
        return pd.Series(np.array(values, dtype=object)[inverse], index=index, dtype="string")

    return {"role": spread(primary), "roles": spread(all_roles), "role_evidence": spread(evidence)}


def _sources_of(code: int) -> list[str]:
    return [label for bit, label in enumerate(_EVIDENCE) if code >> bit & 1]


#: Words that introduce another server a note depends on ("database on X", "talks to X").
_REFERENCE_WORDS = r"on|to|from|via|at|uses?|using|in|with"


def _without_references(notes: pd.Series, names: pd.Series) -> pd.Series:
    """Notes without the clauses that name another server of the estate after a preposition
    ("Database on bsl-sql-01", "sessions in PostgreSQL on bsl-appdb-01"): such a clause says
    what the server uses, not what it is.

    Linear in the size of the notes: only notes with a reference word followed by a word
    are looked at; they are split into clauses, every word after a reference word is looked
    up in the set of the estate's names (a hash lookup, not a regex over thousands of
    names), and clauses with a hit are dropped.
    """
    lowered = names.astype("string").str.lower().str.strip().dropna()
    short = lowered.str.replace(r"\..*$", "", regex=True)
    known = {n for n in pd.concat([lowered, short]) if len(n) >= 3}
    candidate = search(notes, rf"\b(?:{_REFERENCE_WORDS})\s+[a-z0-9]") if known else None
    if candidate is None or not candidate.any():
        return notes
    exploded = notes[candidate].str.split(r"[.;,()|\n]", regex=True).explode()
    owner = exploded.index  # the server each clause belongs to
    clauses = exploded.reset_index(drop=True)  # one position per clause
    clauses = clauses[clauses.notna() & clauses.ne("")]
    words = clauses.str.extractall(
        rf"\b(?:{_REFERENCE_WORDS})\s+(?:(?:the|server|host|vm)\s+)*([a-z0-9][a-z0-9_.-]*)"
    )[0].str.rstrip(".-_")
    hit = member(words, known) | member(words.str.replace(r"\..*$", "", regex=True), known)
    referenced = clauses.index.isin(words.index.get_level_values(0)[hit])
    kept = clauses[~referenced]
    joined = kept.groupby(owner[kept.index]).agg(" ".join).astype("string")
    return notes.mask(candidate, joined.reindex(notes.index).fillna(""))


def _db_engine(haystack: pd.Series, is_db: pd.Series) -> pd.Series:
    # 'Oracle Linux' is an operating system, not the database (RE2 has no lookahead).
    haystack = arrow(replace(haystack, r"oracle linux", "oraclelinux"))
    hits = [search(haystack, pattern) for pattern in _DB_ENGINES.values()]
    engine = np.select(hits, list(_DB_ENGINES), default=None)  # the first engine listed wins
    return pd.Series(engine, index=is_db.index, dtype="string").where(is_db.astype(bool))


def name_shape(name: pd.Series) -> pd.Series:
    """'bsl-web-01' -> 'a-a-9': letters and digits collapsed, separators kept."""
    lowered = name.astype("string").str.lower().str.replace(r"\.[a-z0-9.-]*$", "", regex=True)
    shape = lowered.str.replace(r"[a-z]+", "a", regex=True).str.replace(r"[0-9]+", "9", regex=True)
    return shape


def _naming(name: pd.Series) -> dict[str, pd.Series]:
    shape = name_shape(name)
    # A node letter after the number ('bsl-sqlclu-01a') keeps the name in its convention.
    coarse = shape.str.replace(r"9a$", "9", regex=True)
    counts = shape.map(shape.value_counts())
    coarse_counts = coarse.map(coarse.value_counts())
    total = max(int(shape.notna().sum()), 1)
    shared = (counts.ge(0.05 * total) | coarse_counts.ge(0.05 * total)) & coarse_counts.ge(2)
    follows = shared & shape.ne("a")
    dominant = shape.mode().iloc[0] if shape.notna().any() else pd.NA
    single_word_share = float(shape.eq("a").mean()) if len(shape) else 0.0
    short = name.astype("string").str.lower().str.replace(r"\..*$", "", regex=True)
    mythic = short.str.replace(r"[-_.0-9]+$", "", regex=True).isin(PET_WORDS)
    # A lone word is a pet only where words are rare and nobody else shares its first
    # letters: 'BOWLVCPRD' among 385 'BOW...' names is a convention, 'gandalf' is not.
    prefix = short.str[:3]
    prefix_shared = prefix.map(prefix.value_counts()).ge(3)
    # 'wwebtest', 'wasgdbtest' spell out a function: systematic, only without separators.
    functional = found(short, _FUNCTION_TOKENS)
    lonely_word = (
        shape.eq("a")
        & (single_word_share < 0.25)
        & short.str.len().ge(3)
        & ~prefix_shared
        & ~functional
    )
    return {
        "naming_convention": pd.Series(dominant, index=name.index, dtype="string"),
        "follows_naming_convention": follows.fillna(False).astype("boolean"),
        "pet_name": (mythic | lonely_word).fillna(False).astype("boolean"),
    }


_OWNER_LABEL = r"owner|responsible|contact|verantwortlich"
#: Values that fill a cell without saying anything: '?', 'n/a', 'tbd', '-'.
_PLACEHOLDER = r"^[\s?\-./_*]*(n/?a|none|null|unknown|unbekannt|tbd|tba|todo)?[\s?\-./_*]*$"
#: Notes that admit nobody knows what the server is for are no documentation.
_UNSURE = (
    r"nobody knows|no idea|not sure|unclear|unknown purpose|maybe|perhaps|\?\?|keine ahnung|"
    r"undocumented|not documented"
)


def _meaningful(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    empty = text.isna() | search(text, _PLACEHOLDER)
    return ~empty & ~found(text, _UNSURE)


def _ownership(s: pd.DataFrame, attrs: pd.Series) -> dict[str, pd.Series]:
    """Owner and documentation. True where recorded; false where it is missing, a
    placeholder ('?', 'n/a') or admits nobody knows, but only in an estate that uses the
    field (at least half its servers have it): where notes are rare, or the export has no
    owner field at all (Azure Migrate CSV, most RVTools exports), a missing entry says
    nothing and stays unknown."""
    owner_attr = found(attrs, rf"({_OWNER_LABEL})[^:|]*: [^|]*\w")
    has_owner = _meaningful(s["owner"]) | owner_attr
    fields = ["annotation", "application", "role"]
    has_doc = pd.concat([_meaningful(s[c]) for c in fields], axis=1).any(axis=1)
    return {"has_owner": _where_used(has_owner), "has_documentation": _where_used(has_doc)}


def _where_used(present: pd.Series) -> pd.Series:
    out = present.astype("boolean")
    if len(out) and present.mean() < 0.5:
        out = out.mask(~present)
    return out


def _production(ctx: FactContext) -> pd.Series:
    env = ctx.servers["environment"].astype("string").str.lower()
    hints = ctx.text("name", "folder", "cluster")
    prod = found(env, r"^(prod|prd|production|live)")
    prod |= found(hints, r"(^|[^a-z])(prod|prd)([^a-z]|$)")
    nonprod = found(env, r"^(test|tst|dev|qa|uat|lab|staging|int)")
    nonprod |= found(hints, r"(^|[^a-z])(test|tst|dev|lab|qa|uat)([^a-z]|$)")
    out = pd.Series(pd.NA, index=ctx.servers.index, dtype="boolean")
    out[nonprod.to_numpy()] = False
    out[prod.to_numpy()] = True
    return out
