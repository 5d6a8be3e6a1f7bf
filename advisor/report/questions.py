"""Questions for the customer: what the consultant asks for after the first workshop.

Every verdict the data left open (a rule that came out `unknown`, a confidence topic nobody
could answer, a server the plan could not price or place on an uplink) is a question only
the customer can answer. Listing them one per rule and server would bury the few requests
that matter, so they are grouped by *topic*: the missing facts of each unknown verdict are
mapped to the request that would supply them ("which backup product protects these
servers"), and each topic becomes one concrete question that names every server it covers.

Everything is built from long (server, topic) arrays, servers as positions; the only
Python loops run over rules, topics and distinct lists, never over servers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor.engine.rules import AREA_TITLES
from advisor.report.formatting import display_text
from advisor.report.model_context import positions


@dataclass(frozen=True)
class CustomerQuestion:
    """One request to the customer, with the servers it concerns and what raised it."""

    #: Short topic title, e.g. "Backup".
    topic: str
    #: The concrete request, in plain words, with the number of servers.
    question: str
    #: Display names of all servers concerned, sorted.
    servers: tuple[str, ...]
    #: Codes of the rules whose unknown verdict raised it (may be empty when only the plan
    #: or the confidence rating raised it).
    codes: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.servers)


def _these(n: int) -> str:
    return "this server" if n == 1 else f"these {n:,} servers"


def _each(n: int) -> str:
    return "this server" if n == 1 else f"each of these {n:,} servers"


@dataclass(frozen=True)
class _Topic:
    """A kind of missing information and the request that supplies it."""

    key: str
    title: str
    #: Facts whose absence this topic's request fills.
    facts: tuple[str, ...]
    #: The request for n servers.
    ask: Callable[[int], str]
    #: Confidence topics (advisor.engine.confidence) the same request answers.
    confidence: tuple[str, ...] = ()


_ROLE_FACTS = (
    "role",
    "role_group_size",
    "single_of_role",
    "peer_eligible",
    "is_database",
    "is_file_server",
    "is_remote_desktop",
    "is_voip",
    "is_latency_sensitive",
    "is_office_service",
    "is_cluster_node",
    "cluster_partner_count",
    "is_vendor_appliance",
    "is_agent_vm",
)

TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "backup",
        "Backup",
        (
            "backup_declined",
            "snapshot_only_backup",
            "last_backup_age_days",
            "has_backup_tool",
            "app_consistent_backup",
            "dc_backup_at_risk",
            "snapshot_count",
            "oldest_snapshot_days",
            "dc_snapshot_count",
            "estate_image_backup_servers",
            "estate_backup_infra_count",
        ),
        lambda n: (
            f"Which backup product protects {_each(n)}, and when did its last backup succeed? "
            "An export of the backup jobs (server, product, last good run) is enough."
        ),
        ("backup",),
    ),
    _Topic(
        "sites",
        "Sites and uplinks",
        (
            "transfer_hours",
            "user_rtt_ms",
            "rtt_ms",
            "nearest_zone",
            "nearest_zone_rtt_ms",
            "site_users",
            "site_mbps_per_user",
            "estate_transfer_hours",
            "servers_without_uplink",
            "dc_count_site",
            "load_balancer_count_site",
            "web_farm_size_site",
            "linked_elsewhere_count",
        ),
        lambda n: (
            f"At which site does {_each(n)} stand, and what internet uplink (Mbit/s) and how "
            "many office users does that site have?"
        ),
        ("copy time", "users' round trip"),
    ),
    _Topic(
        "owners",
        "Owners and purpose",
        (
            "has_owner",
            "has_documentation",
            "business_critical",
            "hand_built",
            "pet_name",
            "age_days",
            "sap_production",
            *_ROLE_FACTS,
        ),
        lambda n: (
            f"Who owns {_each(n)}, what does it run and how critical is it to the business? "
            "A list of server, owner, application and criticality is enough."
        ),
        ("owner", "purpose"),
    ),
    _Topic(
        "os",
        "Operating systems",
        (
            "os_eol",
            "os_support_days_left",
            "os_supported_on_target",
            "os_32bit",
            "rhel_server",
            "windows_desktop",
            "nlb_member",
        ),
        lambda n: (
            f"Which operating system, with version and edition, runs on {_each(n)}? Without "
            "it, support dates, target support and licences stay open."
        ),
        ("OS version",),
    ),
    _Topic(
        "disks",
        "Disks and volumes",
        (
            "used_gib",
            "provisioned_gib",
            "largest_disk_gib",
            "largest_data_disk_gib",
            "os_disk_gib",
            "os_volume_gib",
            "volumes_needed",
            "in_guest_volumes",
            "uefi_required",
            "shared_disk_count",
            "independent_disk_count",
            "rdm_disk_count",
        ),
        lambda n: (
            f"How large is each disk of {_these(n)}, how much of it is in use, and which "
            "volumes does the guest mount itself (iSCSI, NFS, SMB)?"
        ),
        ("storage in use", "disk layout"),
    ),
    _Topic(
        "size",
        "Size",
        ("vcpus", "memory_gib", "size_known", "fits_instance", "fits_measured_need"),
        lambda n: (
            f"How many vCPUs and how much memory does {_each(n)} have, and how busy is it at "
            "peak? Both decide the instance type."
        ),
        ("size",),
    ),
    _Topic(
        "network",
        "Addresses and networks",
        (
            "has_public_ipv4",
            "public_ipv4",
            "duplicate_address",
            "duplicate_address_with",
            "nic_networks",
            "manual_mac",
            "manual_macs",
            "virtual_ip",
            "multicast_cluster",
            "serves_dhcp",
            "estate_internal_public_servers",
            "estate_servers",
        ),
        lambda n: (
            f"Which IP addresses and networks does {_each(n)} use? The inventory lists none, "
            "so public addresses and network changes cannot be checked."
        ),
        ("networks",),
    ),
    _Topic(
        "dependencies",
        "Application links",
        ("linked_database_count", "application_db_elsewhere"),
        lambda n: (
            f"Which other servers does {_each(n)} talk to, and on which ports? A table of "
            "source, target and port lets linked servers move in the same wave."
        ),
    ),
    _Topic(
        "dependency_table",
        "Dependencies",
        (),
        lambda n: (
            "No dependency table came with the inventory: which servers does "
            f"{_each(n)} talk to, and on which ports? A table of source, target and port, "
            "from a flow monitor or the application owners, lets linked servers move in the "
            "same wave."
        ),
    ),
    _Topic(
        "licences",
        "Licences",
        (
            "has_ibm_product",
            "has_microsoft_server_product",
            "oracle_database",
            "hostid_bound_license",
            "mac_bound_license",
            "usb_dongle",
            "estate_windows_servers",
        ),
        lambda n: (
            f"Which licensed products (Oracle, SAP, IBM, Microsoft server products) run on "
            f"{_these(n)}, and is any licence tied to a host ID, MAC address or dongle?"
        ),
    ),
    _Topic(
        "power",
        "Switched-off servers",
        ("powered_off_days", "retire_hint", "keep_hint", "is_powered_off", "is_suspended"),
        lambda n: (
            f"Since when has {_each(n)} been switched off, and may it be retired instead of moved?"
        ),
    ),
    _Topic(
        "tools",
        "VMware Tools",
        ("tools_ok",),
        lambda n: (
            f"Are VMware Tools installed and running on {_these(n)}? Without them the copy "
            "is only crash-consistent."
        ),
    ),
    _Topic(
        "hardware",
        "Virtual hardware",
        (
            "firmware",
            "hw_version",
            "has_connected_iso",
            "other_usb_device_count",
            "serial_device_in_notes",
        ),
        lambda n: (
            f"Which firmware (BIOS or UEFI) and attached devices (USB, CD images, serial "
            f"ports) does {_each(n)} have?"
        ),
    ),
    _Topic(
        "exposure",
        "Internet exposure",
        (
            "internet_facing",
            "public_ip_dependency",
            "sends_mail_outbound",
            "password_in_notes",
            "token_in_notes",
        ),
        lambda n: (
            f"Which of {_these(n)} are reached from the internet or send mail out "
            "themselves, and by which public address?"
        ),
    ),
    _Topic(
        "directory",
        "Active Directory",
        ("is_domain_controller", "dc_count_domain", "fsmo_holder"),
        lambda n: (
            f"Which domain does {_each(n)} serve, and which domain controller holds the FSMO roles?"
        ),
    ),
)
_BY_KEY = {t.key: t for t in TOPICS}
#: Fact name -> topic key; facts not listed fall back to the rule's area.
FACT_TOPIC: dict[str, str] = {f: t.key for t in TOPICS for f in t.facts}
#: Confidence topic name -> topic key.
CONFIDENCE_TOPIC: dict[str, str] = {c: t.key for t in TOPICS for c in t.confidence}
#: Why a server has no price, as the plan's cost rows say it, when only the customer can fix
#: it (a price missing from our catalog is no question for them).
UNPRICED_TOPIC: dict[str, str] = {
    "storage size unknown": "disks",
    "root and data split unknown": "disks",
    "OS unknown, so whether a Windows licence is needed": "os",
}

#: A source's (server, topic) rows: the server as its position in the servers table (-1
#: for a server that is not in it) and the topic key.
_Rows = tuple[np.ndarray, np.ndarray]


def customer_questions(assessment: Any) -> list[CustomerQuestion]:
    """One question per topic the data left open, the topic touching most servers first."""
    servers = assessment.servers
    rules = {r.code: r for r in assessment.rules}
    # (server, topic) rows from every source, servers as positions throughout (the
    # unknown verdicts alone are a hundred thousand rows at 20,000 servers: made into
    # tables of server ids and looked up again, the rows cost 60 ms); the rules that raised
    # each topic come with the unknown verdicts' rows, as (topic, rule) pairs.
    unknown, raised_by = _from_unknown_findings(assessment, rules)
    parts = [unknown, _from_confidence(assessment), *_from_plan(assessment)]
    pos, topics = (np.concatenate([part[i] for part in parts]) for i in range(2))
    estate_codes = _from_estate_unknowns(assessment, rules)
    out: list[CustomerQuestion] = []
    known = pos >= 0
    pos, topics = pos[known], topics[known]
    if not len(pos) and not estate_codes:
        return out
    # Each server as the rank of its shown name among the distinct names, and each topic as
    # a number (first-seen order): a topic's servers come out sorted and once per name,
    # from a table of the pairs that occur.
    names = servers["name"].astype("string").tolist()
    distinct, name_rank = np.unique(
        np.array([display_text(v) for v in names], dtype=object), return_inverse=True
    )
    topic_no, topic_of = pd.factorize(topics, sort=False)
    concerned_by = _per_topic(topic_no, name_rank[pos], distinct, len(topic_of))
    server_sets = dict(zip(topic_of, concerned_by, strict=True))
    code_sets: dict[str, set[str]] = {}
    for topic, code in raised_by:
        code_sets.setdefault(topic, set()).add(code)
    everyone = tuple(distinct.tolist())
    keys = list(server_sets) + [k for k in estate_codes if k not in server_sets]
    for topic in keys:
        concerned = server_sets.get(topic, ()) or everyone
        raised = tuple(sorted(code_sets.get(topic, set()) | estate_codes.get(topic, set())))
        title, question = _words(topic, len(concerned), rules, raised)
        out.append(CustomerQuestion(title, question, concerned, raised))
    # Most servers first; between equals, the order of TOPICS (areas last, by title).
    order = {t.key: i for i, t in enumerate(TOPICS)}
    ranked = sorted(
        zip(out, keys, strict=True),
        key=lambda qk: (-qk[0].count, order.get(qk[1], len(order)), qk[0].topic),
    )
    return [q for q, _ in ranked]


def _per_topic(topic_no: np.ndarray, item_no: np.ndarray, items: Any, topics: int) -> list[tuple]:
    """Per topic number (0 to `topics` - 1), the distinct `items` of its rows in item-number
    order: `item_no` numbers each row's item. A topics x items table of the pairs that occur
    answers it without sorting the rows."""
    items = np.asarray(items, dtype=object)
    seen = np.zeros((topics, len(items)), dtype=bool)
    seen[topic_no, item_no] = True
    return [tuple(items[np.flatnonzero(row)].tolist()) for row in seen]


def _words(topic: str, n: int, rules: dict[str, Any], codes: tuple[str, ...]) -> tuple[str, str]:
    """Title and question of a topic key, or of an area for facts no topic covers."""
    if topic in _BY_KEY:
        t = _BY_KEY[topic]
        return t.title, t.ask(n)
    area = topic.removeprefix("area:")
    titles = [rules[c].spec.title for c in codes if c in rules]
    about = f"“{titles[0]}”" if len(titles) == 1 else "the checks of this area"
    return (
        AREA_TITLES.get(area, area),
        f"The inventory says too little about {_these(n)} to settle {about}: what can you "
        "tell us about them on that point?",
    )


@dataclass(frozen=True)
class UnknownGaps:
    """The servers one rule left unknown and which of the facts it reads each one lacks."""

    code: str
    #: Facts the rule reads that the assessment has, sorted.
    used: list[str]
    #: Position in `assessment.facts` of the server of each unknown finding, finding order.
    servers: np.ndarray
    #: servers x used: True where the fact is missing.
    missing: np.ndarray


def unknown_gaps(assessment: Any) -> list[UnknownGaps]:
    """Per rule with unknown server verdicts (first-seen order), its servers and their
    missing facts: one missing-value matrix (servers x facts the unknown rules read)
    answers every rule, which picks its rows and columns out of it. Made once per
    assessment: the questions and the data-quality section both read it."""
    tables = (assessment.evaluation.findings, assessment.facts, assessment.rules)
    return assessment.made_from("unknown_gaps", tables, lambda: _unknown_gaps(assessment))


def _unknown_gaps(assessment: Any) -> list[UnknownGaps]:
    rules = {r.code: r for r in assessment.rules}
    f = assessment.evaluation.findings
    unknown = f[f["status"] == "unknown"]
    if unknown.empty:
        return []
    facts = assessment.facts
    groups = {c: r for c, r in unknown.groupby("code", sort=False).indices.items() if c in rules}
    columns = sorted({c for code in groups for c in rules[code].facts_used if c in facts.columns})
    missing = facts[columns].isna().to_numpy(dtype=bool)
    column_at = {c: i for i, c in enumerate(columns)}
    at = facts.index.get_indexer(unknown["server_id"])
    out = []
    for code, rows in groups.items():
        used = sorted(c for c in rules[code].facts_used if c in column_at)
        servers = at[rows][at[rows] >= 0]
        gaps = missing[np.ix_(servers, [column_at[c] for c in used])]
        out.append(UnknownGaps(code, used, servers, gaps))
    return out


def _from_unknown_findings(
    assessment: Any, rules: dict[str, Any]
) -> tuple[_Rows, set[tuple[str, str]]]:
    """(server, topic) for every fact missing from an unknown server verdict (a verdict
    unknown though every fact it reads is known asks about the rule itself), and the
    (topic, rule) pairs of those rows whose server the servers table has."""
    where = positions(assessment.facts.index, assessment.servers.index)  # gaps: facts rows
    at: list[np.ndarray] = [np.zeros(0, dtype=np.intp)]
    topic: list[np.ndarray] = [np.zeros(0, dtype=object)]
    pairs: set[tuple[str, str]] = set()
    for g in unknown_gaps(assessment):
        area = f"area:{rules[g.code].spec.area}"
        row, col = np.nonzero(g.missing)
        no_fact = np.flatnonzero(~g.missing.any(axis=1))
        topics = np.array([FACT_TOPIC.get(c, area) for c in g.used] + [area], dtype=object)
        servers = where[np.concatenate([g.servers[row], g.servers[no_fact]])]
        columns = np.concatenate([col, np.full(len(no_fact), len(g.used))])
        at.append(servers)
        topic.append(topics[columns])
        pairs.update((str(t), g.code) for t in topics[np.unique(columns[servers >= 0])])
    return (np.concatenate(at), np.concatenate(topic)), pairs


def _from_confidence(assessment: Any) -> _Rows:
    """(server, topic) for every confidence topic that lowered a server's confidence."""
    gaps = assessment.scores.get("confidence_gaps")
    if gaps is None:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    return _listed_topics(gaps, ", ", CONFIDENCE_TOPIC, assessment.servers.index)


def _listed_topics(lists: pd.Series, sep: str, topics: dict[str, str], servers: pd.Index) -> _Rows:
    """(server position in `servers`, topic) for every item of a `sep`-separated text list
    that names a topic, in the order of `lists` and then list order.

    Few servers have a list of their own (most repeat a handful of combinations), so each
    distinct list is split once and its topics spread to the servers that carry it."""
    at, distinct = pd.factorize(lists.astype("string"), use_na_sentinel=True)
    rows: list[np.ndarray] = []
    place: list[np.ndarray] = []
    found: list[np.ndarray] = []
    for k, carriers in pd.Series(at).groupby(at).indices.items():
        if k < 0:
            continue
        named = [topics[w] for w in str(distinct[k]).split(sep) if w in topics]
        for j, topic in enumerate(named):
            rows.append(carriers)
            place.append(np.full(len(carriers), j))
            found.append(np.full(len(carriers), topic, dtype=object))
    if not rows:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    row, j, topic = np.concatenate(rows), np.concatenate(place), np.concatenate(found)
    order = np.lexsort((j, row))
    return positions(lists.index, servers)[row[order]], topic[order]


def _from_plan(assessment: Any) -> list[_Rows]:
    """(server, topic) for plan inputs only the customer can give: an uplink for the site,
    what decides the price, a dependency table."""
    parts = []
    facts = assessment.facts
    servers = assessment.servers.index
    live = ~assessment.servers["is_template"].fillna(False).astype(bool).to_numpy()
    if "site_uplink_mbps" in facts.columns:
        uplink = facts["site_uplink_mbps"]
        known = np.zeros(len(servers), dtype=bool)
        where = positions(uplink.index, servers)
        known[where[(where >= 0) & uplink.notna().to_numpy()]] = True
        parts.append(_topic_rows(np.flatnonzero(~known & live), "sites"))
    plan = getattr(assessment, "plan", None)
    if plan is not None:
        reasons = plan.primary_cost.servers.get("rightsized_unpriced")
        if reasons is not None:
            parts.append(_listed_topics(reasons, "; ", UNPRICED_TOPIC, servers))
    deps = getattr(assessment.inventory, "dependencies", None)
    if deps is None or deps.empty:
        parts.append(_topic_rows(np.flatnonzero(live), "dependency_table"))
    return parts


def _topic_rows(pos: np.ndarray, topic: str) -> _Rows:
    return pos, np.full(len(pos), topic, dtype=object)


def _missing(value: Any) -> bool:
    """True for an unknown estate value (NA or None); lists and tables count as known."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _from_estate_unknowns(assessment: Any, rules: dict[str, Any]) -> dict[str, set[str]]:
    """Topic -> codes of estate-wide rules left unknown by a missing estate fact."""
    port = assessment.evaluation.portfolio
    out: dict[str, set[str]] = {}
    if port.empty:
        return out
    pf = assessment.portfolio_facts
    for code in port.loc[port["status"] == "unknown", "code"]:
        rule = rules.get(code)
        if rule is None:
            continue
        missing = [f for f in rule.facts_used if f in pf and _missing(pf[f])]
        for fact in missing or [None]:
            topic = FACT_TOPIC.get(fact or "", f"area:{rule.spec.area}")
            out.setdefault(topic, set()).add(code)
    return out
