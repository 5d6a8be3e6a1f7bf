"""Who could take over, and who could be rebuilt: facts of the redundancy and snowflake areas.

A server is a single point of failure when nothing else in the estate does its job. "Its
job" is its primary role (`role`, from identity) within a group of servers that could stand
in for each other:

- servers of the same application (the customer's application column, normalised), in
  the same environment (production, non-production, unknown). Application groups span
  sites, because a standby in a second site is a peer; office services (domain
  controllers, file and print servers) serve one site's users and data, so their groups
  also stay within the site;
- where no application is known: servers of the same site and environment.

Only running workloads count (`peer_eligible`): templates, powered-off and suspended VMs
stand in for nobody. Cluster nodes also find their partners by name: the name stem
(`name_stem`) drops what tells the nodes of one cluster apart, namely the trailing node
number ('k8s-node-01'..'04'), a node letter ('sql-a'/'sql-b', 'sqlclu-01a' where the
number names the cluster) and generated fragments ('kube-worker-1-a8f3', UUID pieces).
Peer groups of single-of-role facts use no names. Snowflake facts (hand-built, who could
rebuild it) sit here too: they read the naming, ownership and age facts of `identity` and
this module's peer counts.
Runs last, so it may read every other module's facts; it reads only identity's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.identity import _meaningful, drop_generated, name_shape
from advisor.text import found, replace

#: Roles whose peers must sit in the same site: they serve that site's users and data.
SITE_SCOPED_ROLES = ("domain_controller", "file_server", "print_server")

#: A criticality column saying high / low (Tier 0-1 / 3+, P1 / P3, gold / bronze, ...).
_CRIT_HIGH = (
    r"^\s*(high|critical|crit\b|mission|business.critical|very high|tier ?[01]\b|p[01]\b|"
    r"[01]\b|gold|platinum|hoch|sehr hoch|kritisch)"
)
_CRIT_LOW = (
    r"^\s*(low|none|non-?critical|not critical|tier ?[3-9]|p[3-9]\b|[3-9]\b|bronze|niedrig|"
    r"gering|unkritisch)"
)
_CRIT_NOTES = r"business.critical|mission.critical|gesch(ä|ae)ftskritisch"

#: Notes that say the server was built or is kept by hand (evidence, never a guess).
_HAND_BUILT = (
    r"manually (installed|built|configured|set up|setup|compiled|patched|maintained)|"
    r"installed (by hand|manually)|hand-?(built|made|crafted|installed|configured)|"
    r"\bby hand\b|do not touch|don'?t touch|never touch|nicht anfassen|\blegacy\b|"
    r"nobody knows|no documentation|undocumented|snowflake"
)
#: Notes that say the server comes from a repeatable process.
_AUTOMATION = (
    r"ansible|terraform|puppet|\bchef\b|saltstack|\bsalt (state|minion)|packer|cloud-init|"
    r"customi[sz]ation spec|from (a |the )?template|golden image|\bdsc\b|kickstart|autoyast|"
    r"preseed|\bsccm\b|\bmdt\b|gitops|infrastructure as code|\biac\b|\bvra\b|aria automation"
)

_ROLE_INPUTS = ("role", "application", "site", "is_production", "power_state", "is_template")

_SEP = r"[-_ ]"

#: A name shape counts as the estate's convention when at least this share follows one.
CONVENTION_SHARE = 0.5

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("identity",)

FACTS: tuple[Fact, ...] = (
    Fact(
        "is_agent_vm",
        "bool",
        "A VM the virtualisation platform creates and removes by itself (vSphere Cluster "
        "Services 'vCLS' agents): no workload, never migrated.",
        ("name",),
    ),
    Fact(
        "peer_eligible",
        "bool",
        "A running workload that can stand in for another: not a template or agent VM, not "
        "powered off or suspended (an unknown power state counts as running).",
        ("is_template", "power_state", "is_agent_vm"),
    ),
    Fact(
        "business_critical",
        "bool",
        "Criticality column high/tier 0-1 or notes say business critical, or production; "
        "false for low criticality or non-production; unknown when nothing says.",
        ("criticality", "annotation", "is_production"),
    ),
    Fact(
        "role_group",
        "text",
        "The group peers are counted in: application (and site for office services) or site, "
        "with the environment.",
        _ROLE_INPUTS,
    ),
    Fact(
        "role_group_size",
        "count",
        "Running servers with this server's primary role in its group, itself included "
        "(unknown for role 'other').",
        _ROLE_INPUTS,
    ),
    Fact(
        "role_peer_count",
        "count",
        "Other running servers with the same primary role in the same group (application, "
        "else site; same environment); unknown for role 'other'.",
        _ROLE_INPUTS,
    ),
    Fact(
        "single_of_role",
        "bool",
        "A running server with a known role and no peer in its group: a single point of "
        "failure for that role.",
        ("role_peer_count", "peer_eligible"),
    ),
    Fact(
        "name_stem",
        "text",
        "The server's name without what tells cluster nodes apart: domain, trailing node "
        "number ('k8s-node-01' -> 'k8s-node'), node letter ('sql-a', 'sqlclu-01a' -> "
        "'sqlclu-01') and generated fragments ('kube-worker-1-a8f3' -> 'kube-worker').",
        ("name",),
    ),
    Fact(
        "cluster_partner_count",
        "count",
        "Other running cluster nodes of the same cluster: same name stem ('sqlclu-01a/b', "
        "'rdgw-01/02', 'k8s-node-01..04') or same application group; unknown for servers "
        "that are no cluster node.",
        ("is_cluster_node", "name_stem", "application", "power_state", "is_template"),
    ),
    Fact(
        "web_farm_size_site",
        "count",
        "Running web servers (primary role) in the server's site and environment.",
        ("role", "site", "is_production", "power_state", "is_template"),
    ),
    Fact(
        "load_balancer_count_site",
        "count",
        "Running load balancers (primary role) in the server's site and environment.",
        ("role", "site", "is_production", "power_state", "is_template"),
    ),
    Fact(
        "target_anti_affinity_max_instances",
        "count",
        "Most instances one anti-affinity (placement) group of the target may hold; unknown "
        "when the catalog does not say.",
        ("catalog.anti_affinity",),
    ),
    Fact(
        "automation_evidence",
        "bool",
        "Notes or attributes name a build process (Ansible, Terraform, Packer, template, "
        "customization spec, ...).",
        ("annotation", "attr.*"),
    ),
    Fact(
        "hand_built",
        "bool",
        "Evidence the server was built by hand: a name outside the estate's convention (only "
        "where at least half the estate follows one) or notes saying so (manually, by hand, "
        "legacy, do not touch), and no automation evidence. Templates are never hand-built.",
        ("follows_naming_convention", "annotation", "automation_evidence", "is_template"),
    ),
    Fact(
        "hand_built_evidence",
        "text",
        "What says the server is hand-built (the name, the words in the notes).",
        ("follows_naming_convention", "annotation"),
    ),
    Fact(
        "identity_gaps",
        "text",
        "What is missing of owner and documented purpose ('owner', 'documented purpose', "
        "both); empty when both are recorded, unknown when the export cannot tell.",
        ("has_owner", "has_documentation"),
    ),
    Fact("role_label", "text", "The primary role in words ('file server').", ("role",)),
    Fact("age_years", "years", "Years since the server was created.", ("age_days",)),
    Fact(
        "naming_convention_example",
        "text",
        "A server name in the estate's most common systematic name shape, e.g. 'bsl-web-01', "
        "or 'no common pattern' where fewer than half the servers follow one.",
        ("name", "follows_naming_convention"),
    ),
    Fact(
        "estate_naming_convention_share",
        "share",
        "Share of the estate's servers whose name follows its naming convention.",
        ("follows_naming_convention",),
        "portfolio",
    ),
    Fact(
        "estate_load_balancers",
        "count",
        "Running load balancers in the estate.",
        ("role", "power_state", "is_template"),
        "portfolio",
    ),
    Fact(
        "estate_web_servers",
        "count",
        "Running web servers in the estate.",
        ("role", "power_state", "is_template"),
        "portfolio",
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    role = ctx.fact("role").astype("string").fillna("other")
    agent = _agent_vm(s)
    live = _peer_eligible(s) & ~agent
    critical = _business_critical(ctx)
    out: dict[str, pd.Series] = {"is_agent_vm": agent.astype("boolean")}
    out["peer_eligible"] = live.astype("boolean")
    out["business_critical"] = critical

    env = ctx.fact("is_production").map({True: "production", False: "non-production"})
    env = env.astype("string").fillna("unknown environment")
    site = s["site"].astype("string").str.strip().replace("", pd.NA)
    app = s["application"].astype("string").str.strip().str.lower()
    app = app.str.replace(r"\s+", " ", regex=True).where(_meaningful(s["application"]))
    has_app = app.notna().to_numpy()
    scoped = role.isin(SITE_SCOPED_ROLES).to_numpy()
    site_key = site.fillna("(no site)")
    # Peers are counted inside a segment (tenant, business unit) only.
    segment = s["segment"].astype("string")
    seg_key = segment.fillna("")

    app_key = app.fillna("") + pd.Series(np.where(scoped, " @ " + site_key, ""), index=s.index)
    app_key = app_key + " | " + env + " | " + seg_key
    site_group_key = site_key + " | " + env + " | " + seg_key
    live_n = live.astype(int)
    size_app = live_n.groupby([app_key, role]).transform("sum")
    size_site = live_n.groupby([site_group_key, role]).transform("sum")
    size = pd.Series(np.where(has_app, size_app, size_site), index=s.index).astype("Int64")
    known_role = role.ne("other")
    out["role_group_size"] = size.where(known_role)
    out["role_peer_count"] = (size - live_n).where(known_role).astype("Int64")
    out["single_of_role"] = (known_role & live & (size - live_n).eq(0)).astype("boolean")
    spelled = s["application"].astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
    label = _group_label(spelled.where(has_app), site, env, scoped, has_app)
    out["role_group"] = label.where(segment.isna(), label + ", segment '" + segment + "'")

    stem = name_stem(s["name"])
    out["name_stem"] = stem
    stem_key = stem.fillna("") + " | " + seg_key
    out["cluster_partner_count"] = _cluster_partners(ctx, stem_key, live, app_key, has_app)

    site_env = site_group_key
    web = (role.eq("web_server") & live).astype(int)
    lbs = (role.eq("load_balancer") & live).astype(int)
    out["web_farm_size_site"] = web.groupby(site_env).transform("sum").astype("Int64")
    out["load_balancer_count_site"] = lbs.groupby(site_env).transform("sum").astype("Int64")
    ctx.portfolio["estate_load_balancers"] = int(lbs.sum())
    ctx.portfolio["estate_web_servers"] = int(web.sum())

    out["target_anti_affinity_max_instances"] = pd.Series(
        _anti_affinity_max(ctx.catalog), index=s.index, dtype="Int64"
    )
    follows = ctx.fact("follows_naming_convention").fillna(False).astype(bool)
    share = float(follows.mean()) if len(follows) else 0.0
    ctx.portfolio["estate_naming_convention_share"] = round(share, 3)
    example = _convention_example(s["name"], follows, share)
    out["naming_convention_example"] = example
    out.update(_hand_built(ctx, example, share >= CONVENTION_SHARE))
    out["identity_gaps"] = _identity_gaps(ctx)
    out["role_label"] = role.str.replace("_", " ", regex=False)
    out["age_years"] = (ctx.fact("age_days").astype("Float64") / 365.25).round(1)
    return out


def _agent_vm(s: pd.DataFrame) -> pd.Series:
    name = s["name"].astype("string").str.lower().str.strip()
    return name.str.match(r"^vcls[-_ (]").fillna(False).astype(bool)


def _peer_eligible(s: pd.DataFrame) -> pd.Series:
    template = s["is_template"].fillna(False).astype(bool)
    power = s["power_state"].astype("string").str.lower()
    stopped = power.isin(["off", "suspended"]).fillna(False).astype(bool)
    return ~template & ~stopped


def _business_critical(ctx: FactContext) -> pd.Series:
    s = ctx.servers
    crit = s["criticality"].astype("string").str.lower()
    high = found(crit, _CRIT_HIGH) | found(ctx.text("annotation"), _CRIT_NOTES)
    low = found(crit, _CRIT_LOW)
    prod = ctx.fact("is_production")
    out = prod.astype("boolean").copy()
    out.loc[low.to_numpy()] = False
    out.loc[high.to_numpy()] = True
    return out


def _group_label(
    app: pd.Series, site: pd.Series, env: pd.Series, scoped: np.ndarray, has_app: np.ndarray
) -> pd.Series:
    where = ("site '" + site + "'").fillna("servers without a site")
    at_site = pd.Series(np.where(scoped, " at " + where, ""), index=app.index).fillna("")
    by_app = "application '" + app.fillna("") + "'" + at_site
    label = pd.Series(np.where(has_app, by_app, where), index=app.index, dtype="string")
    return label + ", " + env


def name_stem(names: pd.Series) -> pd.Series:
    """Names without domain, generated fragments, node letter or node number (see the
    `name_stem` fact): the part the nodes of one cluster share. The first token is never
    taken for a generated fragment, so 'w7vmb09' keeps its name."""
    short = replace(names.astype("string").str.strip().str.lower(), r"\.[a-z].*$", "")
    short = replace(drop_generated(short), rf"{_SEP}+$", "")
    lettered = found(short, r"(?:[0-9]|[-_ ])[a-z]$")
    stem = pd.Series(
        np.where(
            lettered,
            replace(short, r"[a-z]$", ""),  # 'sqlclu-01a' -> 'sqlclu-01': 01 names the cluster
            replace(short, r"[0-9]+$", ""),  # 'k8s-node-01' -> 'k8s-node-'
        ),
        index=names.index,
    ).astype("string")
    return replace(stem, rf"{_SEP}+$", "").where(names.notna()).astype("string")


def _cluster_partners(
    ctx: FactContext, stem: pd.Series, live: pd.Series, app_key: pd.Series, has_app: np.ndarray
) -> pd.Series:
    """Running cluster nodes sharing this node's name stem or application group."""
    node = ctx.fact("is_cluster_node").fillna(False).astype(bool)
    running_node = (node & live).astype(int)
    by_stem = running_node.groupby(stem.fillna("").to_numpy()).transform("sum") - running_node
    by_app = running_node.groupby(app_key).transform("sum") - running_node
    partners = np.where(has_app, np.maximum(by_stem, by_app), by_stem)
    return pd.Series(partners, index=stem.index).astype("Int64").where(node)


def _anti_affinity_max(catalog) -> object:
    section = getattr(catalog, "anti_affinity", None)
    if section is None or not section.available:
        return pd.NA
    value = section.max_instances_per_group
    return pd.NA if value is None else int(value)


def _hand_built(ctx: FactContext, example: pd.Series, has_convention: bool) -> dict[str, pd.Series]:
    s = ctx.servers
    notes = ctx.text("annotation")
    evidence_text = notes + " | " + ctx.attrs_text()
    automation = found(evidence_text, _AUTOMATION)
    phrase = notes.str.extract("(" + _HAND_BUILT.replace("(", "(?:") + ")", expand=False)
    phrase = phrase.astype("string")
    follows = ctx.fact("follows_naming_convention").fillna(True).astype(bool)
    template = s["is_template"].fillna(False).astype(bool)
    odd_name = ~follows & ~template & has_convention
    hand = (odd_name | phrase.notna()) & ~automation & ~template
    name_part = pd.Series(
        "a name outside the estate's convention, which looks like '" + example + "'",
        index=s.index,
    ).where(odd_name)
    note_part = ("notes saying '" + phrase + "'").where(phrase.notna())
    both = (name_part + "; " + note_part).fillna(name_part).fillna(note_part)
    return {
        "automation_evidence": automation.astype("boolean"),
        "hand_built": hand.astype("boolean"),
        "hand_built_evidence": both.where(hand).astype("string"),
    }


def _identity_gaps(ctx: FactContext) -> pd.Series:
    """'no owner and no documented purpose', one of them, '' (both recorded) or unknown."""
    owner = ctx.fact("has_owner").astype("boolean")
    doc = ctx.fact("has_documentation").astype("boolean")
    no_owner = owner.eq(False).fillna(False).to_numpy()
    no_doc = doc.eq(False).fillna(False).to_numpy()
    text = np.select(
        [no_owner & no_doc, no_owner, no_doc],
        ["no owner and no documented purpose", "no owner", "no documented purpose"],
        default="",
    )
    out = pd.Series(text, index=owner.index, dtype="string")
    return out.mask(out.eq("") & (owner.isna() | doc.isna()))


def _convention_example(names: pd.Series, follows: pd.Series, share: float) -> pd.Series:
    """The first name (sorted) of the most common shape among names that follow the
    convention; 'no common pattern' where the estate has none."""
    example: object = "no common pattern"
    if share >= CONVENTION_SHARE:
        shape = name_shape(names)[follows]
        systematic = shape[shape.ne("a")]
        if len(systematic):
            top = systematic.value_counts().index[0]
            example = names[follows][shape.eq(top)].sort_values().iloc[0]
    return pd.Series(example, index=names.index, dtype="string")
