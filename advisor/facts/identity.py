"""Who a server is: its roles (with the evidence used), its name against the estate's own
naming convention, documentation, ownership and age.

Roles combine several sources, because no inventory says everything, and each source is
read for what it can say:

- the VM name and the DNS name, separately and only their host label (a `.mx` domain is
  not a mail server, a `sql.corp` zone not a database). Names are read as runs of letters
  between separators and digits, with random fragments (`-a8f3`, UUID parts) dropped: a
  role code counts as a whole run (`srv-ad03`, `ch-lab-dc01-a8f3`), and a few strong codes
  also at the end of a run right before its number (`XYZDC05`, `CRESTDB01`) or anywhere
  in it (`wsqltest`), see `Codes`;
- mount points (`/u01`, `/var/lib/pgsql`, `/hana/data`, `E:\\TempDB`), which also say which
  database engine runs;
- the customer's role and application columns, the notes (less the clauses that name
  another server) and the folder, by what they say in words;
- custom attributes only where the header says they hold a role or an application
  (`Function`, `Application`, ...), never backup, date or policy attributes;
- never the operating system: "Oracle Linux" is not an Oracle Database.

Each role fact is true when any source matches and false otherwise (absence of evidence is
not unknown here: a role nobody mentions is treated as absent), and `role_evidence` names
the source and the value that matched. All matching is vectorised regex over whole columns,
each distinct value searched once.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.facts.base import Fact, FactContext
from advisor.text import arrow, first, found, labels, member, mentioned, replace, search

#: Environment words a name may put between a role code and its number ('ntmdbdev01').
_ENV = r"test|tst|dev|devl|prod|prd|qa|uat|beta|stg|dr"


@dataclass(frozen=True)
class Codes:
    """How a role shows in a host name, matched lower-case on `name_text` (separators as
    spaces), where a letter run is delimited by anything that is not a letter:

    - `tokens`: a whole letter run ('srv-ad03': ad; 'gr-pvw-v-sql01': sql). Weak two-letter
      codes (fs, ps, ts, lb, cl, ...) only count this way: 'apps01' is no print server,
      'hosts01' no terminal server, 'api01' not SAP, 'hotel01' not telephony;
    - `glued`: strong codes that also count at the end of a letter run right before its
      number, with an optional environment word between ('xyzdc05', 'crestdb01',
      'ntmdbdev01'): site or application prefixes glued to the role code;
    - `inside`: spellings no ordinary word contains, anywhere in a run ('wsqltest',
      'sqlsvrteam', 'avayasbc');
    - `extra`: a pattern of its own (the domain controller's prefix rule, 'f5', '3cx').
    """

    tokens: str
    glued: str = ""
    inside: str = ""
    extra: str = ""

    @property
    def name(self) -> str:
        """Pattern on a host label (`name_text`)."""
        parts = [rf"(?:^|[^a-z])(?:{self.tokens})(?:[^a-z]|$)"]
        if self.glued:
            parts.append(rf"(?:{self.glued})(?:{_ENV})?[0-9]")
        parts += [p for p in (self.inside, self.extra) if p]
        return "|".join(f"(?:{p})" for p in parts)

    @property
    def label(self) -> str:
        """Pattern on a role column that holds a single code ('DC', 'SQL', 'db01'); a label
        of several words ('Web Proxy', 'File Transfer') is read by its words instead."""
        return _single_code(self.name)


def _single_code(pattern: str) -> str:
    """`pattern` where the whole text is one letter run (with digits or punctuation)."""
    return rf"^(?=[^a-z]*[a-z]+[^a-z]*$).*?(?:{pattern})"


#: Role codes in names. Strong codes (glued/inside) are those whose letters end no common
#: word before a number: dc (not after 'v' as in ovdc, and not the three-letter site codes
#: kdc/mdc/idc), db, ora, sql, and long product or function words. Two-letter codes and
#: everyday words stay whole-run only.
NAME_CODES: dict[str, Codes] = {
    "domain_controller": Codes(
        "dc|addc|adc|pdc|bdc|rodc|adds|ad|dcsrv|dcserver|domaincontroller",
        inside="domaincontroller",
        # 'xyzdc05', 'addsdc01': at least two letters before dc, the last not v (ovdc, pvdc)
        extra=r"[a-z][a-uw-z]dc[0-9]",
    ),
    "file_server": Codes(
        "fs|file|files|filer|fileserver|fileshare|filesrv|nas|dfs",
        glued="file|files|filer|fileserver",
        inside="fileserver|fileshare|filesrv",
        # 'sinm1bdfs04', not 'wadfs1' (AD FS)
        extra=rf"(?:^|[^a-z]|[b-z])dfs(?:{_ENV})?[0-9]",
    ),
    "print_server": Codes(
        "prt|print|printer|printers|prn|ps|printsrv|printserver",
        glued="print|printer|printsrv",
        inside="printserver|printsrv",
    ),
    "database": Codes(
        "db|dbs|sql|ora|orcl|oradb|pg|pgsql|postgres|postgresql|maria|mariadb|mongo|mongodb|"
        "hana|sybase|informix|appdb|dbserver|dbsrv",
        glued="db|ora|orcl|hana|mongo",
        inside="sql|postgres|oracle|mongodb|mariadb|sybase|informix",
    ),
    "web_server": Codes(
        "web|www|iis|nginx|apache|http|https|httpd|wfe|webserver|websrv|webfarm",
        glued="web|www|iis|wfe|httpd",
        inside="iis|nginx|apache|tomcat|webserver|websrv",
    ),
    "load_balancer": Codes(
        "lb|lbs|haproxy|netscaler|kemp|bigip|ltm|loadbalancer",
        glued="haproxy|netscaler",
        inside="haproxy|netscaler|loadbalanc|bigip",
        extra=r"(?:^|[^a-z])f5(?:[^0-9]|$)",
    ),
    "queue": Codes(
        "mq|mqm|rabbit|rabbitmq|kafka|amq|activemq|msmq|queue|ibmmq",
        glued="rabbit|rabbitmq|kafka|queue|msmq|activemq",
        inside="rabbitmq|kafka|activemq|msmq",
    ),
    "remote_desktop": Codes(
        "rds|rdsh|ts|citrix|ctx|xa|xd|vdi|rdgw|rdweb|horizon|xenapp|termserv|terminalserver",
        glued="vdi|rdsh|citrix|xenapp|ctx",
        inside="citrix|xenapp|xendesktop|terminalserver|termserv",
        # 'mspm1brds0070', not 'records01': rds after a consonant
        extra=rf"(?:^|[^a-z]|[b-df-hj-np-tv-z])rds(?:{_ENV})?[0-9]",
    ),
    "voip": Codes(
        "voip|pbx|cucm|sip|tel|telephony|asterisk|sbc|avaya|skype|lync",
        glued="pbx|sbc|voip|cucm",
        inside="avaya|asterisk|freepbx|cucm|skype|lync|telephon",
        extra=r"(?:^|[^a-z0-9])3cx(?:[^a-z]|$)",
    ),
    "license_server": Codes(
        "lic|license|licence|licenses|licences|flexlm|lm|lmgrd|flexnet|rlm|licsrv",
        glued="license|licence|flexlm|flexnet|lmgrd",
        inside="flexlm|flexnet|lmgrd|licserv|licsrv|licenseserver|licenceserver",
    ),
    "cluster_node": Codes(
        "clu|cluster|cl|node|wsfc|sqlclu|fci",
        glued="clu|cluster|wsfc",
    ),
    "sap": Codes(
        # SAP is a strong claim (production SAP needs certified IaaS): whole runs, and 'sap'
        # opening a run with a usual SAP suffix ('sapprd01'), never 'sap' inside a word.
        "sap|hana|s4|s4hana|s4h|sapmnt|netweaver|abap|ascs",
        inside=r"(?:^|[^a-z])sap(?:app|erp|prd|prod|dev|qas|tst|test|db|ci|pas|aas|ascs|scs|"
        r"gw|router|web|bw|ecc|pi|po|srm|crm|solman|hana)(?:[^a-z]|$)",
        extra=r"(?:^|[^a-z])s4(?:hana|[^a-z0-9]|$)",
    ),
    "backup_server": Codes(
        "bkp|bkup|backup|veeam|vbr|commvault|netbackup|avamar|cohesity|networker|dpm",
        glued="backup|bkup|bkp|veeam|vbr",
        inside="veeam|commvault|netbackup|avamar|cohesity",
    ),
}

#: role -> pattern on what people wrote (role and application columns, notes, folder,
#: role attributes), lower-case regex.
ROLE_TEXT: dict[str, str] = {
    "domain_controller": (
        r"domain controller|active directory|\bad ?ds\b|\bfsmo\b|\bpdc emulator|global catalog"
    ),
    "file_server": r"file ?server|file shares?|\bdfs\b|smb shares?|home drives?|fileservice",
    "print_server": r"print ?server|printers?\b|print spooler|printing",
    "database": (
        r"sql server|\bmssql|\boracle\b|postgres|\bmysql|mariadb|\bhana\b|\bdb2\b|mongodb|"
        r"database|\bsybase|informix"
    ),
    "web_server": r"web ?server|\biis\b|nginx|apache|tomcat|web ?farm|web front",
    "load_balancer": r"load ?balanc|haproxy|netscaler|citrix adc|big-?ip|\bkemp\b|reverse proxy",
    "queue": r"rabbitmq|activemq|\bkafka\b|message queue|message broker|\bibm mq\b|msmq|\bjms\b",
    "remote_desktop": (
        r"remote desktop|\brds\b|terminal ?server|citrix|xenapp|xendesktop|\bvdi\b|horizon view|"
        r"session host|rd gateway|rdp gateway|virtual desktop"
    ),
    "voip": (
        r"\bvoip\b|telephon|asterisk|\b3cx\b|call ?manager|cucm|\bpbx\b|\bsip\b|"
        r"skype for business|\blync\b|contact cent|call cent"
    ),
    "license_server": (
        r"licen[cs]e server|flexlm|flexnet|\brlm\b|\bhasp\b|sentinel|dongle|codemeter|"
        r"licen[cs]e manager"
    ),
    "cluster_node": (
        r"failover cluster|\bwsfc\b|cluster node|\bmscs\b|always ?on|pacemaker|"
        r"\bnlb\b|network load balancing|shared (quorum|disk)"
    ),
    "sap": r"\bsap\b|netweaver|s/4 ?hana|\bhana\b|\babap\b|\bsap erp\b",
    # Not 'Veeam Backup' alone in notes: 'backed up by Veeam Backup' describes a client.
    "backup_server": (
        r"backup server|backup repository|backup proxy|media server|netbackup master|"
        r"commserve|veeam (b&r|backup (&|and) replication) (server|console)"
    ),
}

#: What a server's own role or application column names as the software it runs, beyond
#: ROLE_TEXT (in notes these words usually name the tool that protects the server).
OWN_TEXT: dict[str, str] = {
    "backup_server": (
        r"veeam backup|\bveeam b&r|commvault|netbackup|avamar|networker|cohesity|rubrik|"
        r"backup exec|data protection manager"
    ),
}

#: role -> (pattern on the host label, pattern on the text). Kept for modules that confirm
#: a role by name or own words (topology).
ROLES: dict[str, tuple[str, str]] = {r: (NAME_CODES[r].name, ROLE_TEXT[r]) for r in NAME_CODES}

#: Mount points that show what runs on a server: Oracle's OFA (/u01, /u02, ...), the data
#: directories of the database engines, SAP's and HANA's directories. Lower-case, on the
#: mount point as the inventory gives it ('/var/lib/pgsql', 'E:\TempDB\Disk1\').
_DIR = r"(?:^|[\\/])"
_END = r"[^\\/]*(?:[\\/]|$)"
MOUNT_ENGINES: dict[str, str] = {
    "oracle": (
        rf"^/u[0-9]{{2}}(?:/|$)|"
        rf"{_DIR}(?:oracle|ora(?:data|arch|redo|log|bin|base|home|back)){_END}"
    ),
    "sqlserver": rf"{_DIR}(?:sql|tempdb|[^\\/]*mssql){_END}",
    "hana": r"^/hana(?:/|$)",
    "postgresql": rf"{_DIR}(?:pgsql|postgres|pgdata|pg_data){_END}",
    "mysql": rf"{_DIR}(?:mysql|mariadb){_END}",
    "db2": rf"{_DIR}(?:db2|db2inst){_END}",
    "mongodb": rf"{_DIR}mongo(?:db)?(?:[\\/]|$)",
}
MOUNT_ROLES: dict[str, str] = {
    "database": "|".join(f"(?:{p})" for p in MOUNT_ENGINES.values()),
    "sap": r"^/usr/sap(?:/|$)|^/sapmnt(?:/|$)|^/hana(?:/|$)|^[a-z]:\\usr\\sap(?:\\|$)",
}

#: Database engines by name (on the host label), in what people wrote, in that order of
#: precedence (the first found is `db_engine`).
_ENGINE_NAME: dict[str, str | tuple[str, str]] = {
    "oracle": rf"oracle|orcl|oradb|(?:^|[^a-z])ora(?:[^a-z]|$)|ora(?:{_ENV})?[0-9]",
    # sql, but not where the name spells another engine (mysql, postgresql, nosql, ...)
    "sqlserver": (r"sql", r"mysql|pgsql|postgresql|psql|nosql|sqlite"),
    "hana": r"hana",
    "postgresql": r"postgres|pgsql|psql|(?:^|[^a-z])pg(?:[^a-z]|$)",
    "mysql": r"mysql|maria",
    "db2": "",  # 'srv-db2' is database number 2 as often as IBM Db2
    "mongodb": r"mongo",
}
_ENGINE_TEXT: dict[str, str] = {
    "oracle": r"\boracle\b|\b19c\b|\b12c\b|\brman\b",
    "sqlserver": r"sql server|\bmssql|sqlclu",
    "hana": r"\bhana\b",
    "postgresql": r"postgres|pgsql",
    "mysql": r"\bmysql|mariadb",
    "db2": r"\bdb2\b",
    "mongodb": r"mongo",
}
ENGINES = tuple(_ENGINE_TEXT)

#: Words that look like a role but are something else, blanked before matching: Oracle's
#: operating system and other products, the AD services that are no domain controller,
#: and ordinary words that end in a code ('fedora38' is no Oracle database).
_NOT_A_ROLE = (
    r"oracle ?(?:enterprise ?|unbreakable ?)?linux|\boel ?[0-9]|"
    r"oracle (?:vm|virtualbox|solaris|java|jdk|jre|instant ?client|client|weblogic|fusion|"
    r"e-?business|ebs|peoplesoft|jd ?edwards|hyperion|cloud)|"
    r"active directory (?:federation|certificate|rights|lightweight|connect|sync)|"
    r"(?:azure|entra) (?:active directory|ad)|"
    r"(?:fed|fl|ag|aur|pand|ang|diasp|men)ora"
)
#: 'ad-connect', 'ad fs', 'ad-cs': one product word, not the code 'ad' (a domain controller).
_AD_SERVICES = (
    r" ad (connect|conn|sync|fs|cs|ca|rms|lds|fed|mgmt|tools|admin|proxy|cert|certs|sso|"
    r"health|audit|bridge|join|app|apps)([^a-z]|$)"
)
#: A UUID anywhere in a name, with the brackets Cloud Director puts around it
#: ('web01 (3f2a1c4e-...)').
_UUID = r"\(?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)?"
#: A generated name fragment after a separator (never the first token): hex with letters
#: between digits or digits between letters ('a8f3', '5e1a', 'b88c'), letters and digits
#: alternating twice ('bk9c9', 'x2x7q'), a digit then letters, five long or more ('8srgn',
#: '62dps': Kubernetes pod suffixes), or eight hex characters and more; not a word with its
#: number ('node01', 'sql01a', 's4hana'), not a plain number, not '3par' or 'k8s'.
_GENERATED = (
    r"(?:[0-9a-f]*[0-9][a-f]+[0-9][0-9a-f]*|[a-f][0-9]+[a-f][0-9a-f]*|"
    r"[a-z]+[0-9]+[a-z]+[0-9][a-z0-9]*|"
    r"[0-9]{3,}[a-z][a-z0-9]*|[0-9]{2}[a-z][a-z0-9]{2,}|[0-9][a-z][a-z0-9]{3,}|[0-9a-f]{8,})"
)
_SEPARATOR = r"[-_. ]+"


def drop_generated(names: pd.Series) -> pd.Series:
    """Lower-case names without UUIDs and generated fragments (random suffixes that tools
    such as Cloud Director, Kubernetes or clone jobs add), separators kept: what a person
    named the server. 'k8s-node-02-8srgn' -> 'k8s-node-02', 'web01 (3f2a...)' -> 'web01'."""
    text = replace(names.astype("string").str.lower(), _UUID, "")
    for _ in range(3):  # neighbouring fragments share a separator: a pass drops every other one
        text = replace(text, rf"({_SEPARATOR}){_GENERATED}({_SEPARATOR}|$)", r"\2")
    return replace(text, r"[-_. ]+$", "").str.strip().astype("string")


#: A copy of another server ('wbei01-bkp1' beside 'wbei01'): its 'bkp' is no backup role.
_COPY_SUFFIX = r"[-_. ]+(?:bkp|bak|backup|old|copy|clone|orig)[0-9]*$"
#: A numbered name with a copy suffix after its number ('xyz01-bkp1', 'app7_backup'): a
#: backup server names its role before the number ('bkp01', 'mspm1bbkup20').
_COPY_NAME = r"[0-9][a-z]?[-_. ]+(?:bkp|bak|backup|old|copy|clone|orig)[0-9]*$"

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

#: Custom attribute headers that hold a role or an application, and those that do not even
#: when they name one ('Backup Application', 'App Owner', 'Service Level').
_ROLE_HEADER = (
    r"\b(?:role|roles|rolle|function|funktion|purpose|zweck|application|applications|"
    r"applikation|anwendung|app|apps|service|services|dienst|workload|workloads|"
    r"description|beschreibung|usage|verwendung|notes?|comments?|remarks?|bemerkung|kommentar)\b"
)
_NOT_ROLE_HEADER = (
    r"backup|sicherung|restore|snapshot|replica|\blast\b|date|datum|time|zeit|policy|schedule|"
    r"owner|contact|manager|responsible|cost|billing|level|\bsla\b|tier|window|\bid\b|number|"
    r"version|status|state|\bos\b|operating|patch|monitor"
)

_ROLE_INPUTS = (
    "name",
    "dns_name",
    "partitions.mount",
    "role",
    "application",
    "annotation",
    "folder",
    "attr.* (role or application headers)",
)

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ()

FACTS: tuple[Fact, ...] = (
    *(
        Fact(
            f"is_{role}",
            "bool",
            f"Evidence says the server is a {role.replace('_', ' ')}.",
            _ROLE_INPUTS,
        )
        for role in NAME_CODES
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
        'Per role, each source that matched and the value it holds: "domain controller: '
        "name 'XYZDC05'; database: mount point '/u01', application 'sql server'\".",
        _ROLE_INPUTS,
    ),
    Fact(
        "db_engine",
        "text",
        "Database engine detected (oracle, sqlserver, hana, ...); the first of ENGINES when "
        "several are.",
        _ROLE_INPUTS,
    ),
    Fact(
        "db_engines",
        "text",
        "Every database engine detected, comma separated.",
        _ROLE_INPUTS,
    ),
    Fact(
        "db_engine_evidence",
        "text",
        "Per engine, each source that named it and the value: \"oracle: mount point '/u01'\".",
        _ROLE_INPUTS,
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
        "Most common name shape in the server's segment (the estate without segment_by; "
        "letters a, digits 9), e.g. 'a-a-9'.",
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
    sources = evidence_sources(ctx)
    out: dict[str, pd.Series] = {}
    roles = find(sources.items, _role_patterns())
    # A copy of another server ('wbei01-bkp1') is named after its original, not a role.
    roles["backup_server"] = roles["backup_server"].only(~_copy_of_another(s), ("name", "DNS name"))
    # A load balancer pair is not a cluster node.
    roles["cluster_node"] = roles["cluster_node"].only(~roles["load_balancer"].any_hit)
    for role, got in roles.items():
        out[f"is_{role}"] = pd.Series(got.any_hit, index=s.index, dtype="boolean")
    out.update(_role_labels(roles, s.index))
    is_db = roles["database"].any_hit
    engines = {k: v.only(is_db) for k, v in find(sources.items, _engine_patterns()).items()}
    on = {k: v.any_hit for k, v in engines.items()}
    first_engine = np.select(list(on.values()), list(on), default=None)
    out["db_engine"] = pd.Series(first_engine, index=s.index, dtype="string")
    out["db_engines"] = labels(on, s.index)
    out["db_engine_evidence"] = evidence_text(engines, s.index)
    realtime = search(sources.said, r"real-?time|\bscada\b|trading|video ?conferenc|streaming")
    out["is_latency_sensitive"] = (out["is_remote_desktop"] | out["is_voip"] | realtime).astype(
        "boolean"
    )
    out["is_office_service"] = (
        out["is_domain_controller"] | out["is_file_server"] | out["is_print_server"]
    ).astype("boolean")
    out.update(_naming(s["name"], s["segment"]))
    out.update(_ownership(s, ctx.attrs_text()))
    age = (ctx.as_of - s["created"]).dt.days
    out["age_days"] = age.astype("Float64").mask(age < 0)
    out["is_production"] = _production(ctx)
    return out


# --- names ---------------------------------------------------------------------------------


def host_label(values: pd.Series) -> pd.Series:
    """The host part of names and DNS names as written ('SRV-DC-01.corp.mx' -> 'SRV-DC-01');
    a dot followed by a digit is no domain ('rhel8.4-tmpl' stays)."""
    text = values.astype("string")
    return replace(text, r"\.[A-Za-z][-A-Za-z0-9]*(?:\.[-A-Za-z0-9]+)*\.?$", "").replace("", pd.NA)


def name_text(labels: pd.Series) -> pd.Series:
    """A host label as role codes are matched: lower case, separators as single spaces,
    random fragments ('a8f3', UUID parts) dropped, look-alike words blanked; padded with a
    space at both ends."""
    text = drop_generated(labels)
    text = " " + replace(text, r"[^a-z0-9]+", " ") + " "
    text = replace(text, _AD_SERVICES, r" ad\1\2")
    # 'dc1-web01': a one-digit datacentre prefix before more of the name, not a DC.
    text = replace(text, r"^ +dc([0-9]) +([a-z])", r" site\1 \2")
    return replace(text, _NOT_A_ROLE, "_").astype("string")


def _copy_of_another(s: pd.DataFrame) -> np.ndarray:
    """Servers named as a copy: '<another server><copy suffix>' ('bowbei04-bkp1' beside
    'bowbei04'), or a numbered name with a copy suffix ('wbei01-bkp1')."""
    name = s["name"].astype("string").str.lower()
    base = replace(name, _COPY_SUFFIX, "")
    copy = member(base, name) & base.ne(name).fillna(False).to_numpy()
    return copy | search(name, _COPY_NAME)


# --- sources of evidence --------------------------------------------------------------------

#: A pattern, or (pattern, unless): matches of the first where the second does not match.
Pattern = str | tuple[str, str]

_TEXT = pa.large_string()
_NONE = pa.scalar(None, _TEXT)
#: Joins evidence parts; blanks where a part is missing are squeezed out afterwards
#: (pyarrow's join that skips missing parts loses rows where all are missing).
_GLUE = "\x1f"


def as_arrow(values: pd.Series) -> pa.Array:
    arr = arrow(values.astype("string"))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(_TEXT)


class Source:
    """One place evidence comes from, searched once per distinct value: the label it is
    reported under, the lower-case text searched, and what a match shows (`shown`: the
    value as written, e.g. a name; else the words that matched)."""

    def __init__(
        self,
        label: str,
        text: pd.Series,
        shown: pd.Series | None = None,
        negations: bool = False,
    ):
        self.label = label
        self.text = text
        codes, uniques = pd.factorize(text.astype("string"), use_na_sentinel=True)
        self.codes = np.where(codes < 0, len(uniques), codes)  # missing: one past the end
        self.values = pd.Series(pd.array(uniques, dtype="string[pyarrow]"))
        self.shown = None if shown is None else as_arrow(shown)
        self.negations = negations  # notes: 'no Veeam', 'Oracle never installed'

    def hits(self, pattern: Pattern) -> np.ndarray:
        if not pattern or not len(self.values):
            return np.zeros(len(self.codes), dtype=bool)
        match, unless = (pattern, "") if isinstance(pattern, str) else pattern
        if self.negations:
            distinct = mentioned(self.values, match).to_numpy()
        else:
            distinct = search(self.values, match)
        if unless:
            distinct &= ~search(self.values, unless)
        return np.append(distinct, False)[self.codes]

    def evidence(self, pattern: Pattern, hit: np.ndarray) -> pa.Array:
        """ "label 'value'" where `hit`, null elsewhere."""
        if self.shown is not None:
            value = self.shown
        else:
            used = np.unique(self.codes[hit])
            match = pattern if isinstance(pattern, str) else pattern[0]
            words = first(self.values.iloc[used], match).str.lower()
            words = replace(words, r"^[^a-z0-9]+|[^a-z0-9]+$", "")
            lookup = np.full(len(self.values) + 1, None, dtype=object)
            lookup[used] = words.astype(object).where(words.notna(), None).to_numpy()
            value = pa.array(lookup, type=_TEXT).take(pa.array(self.codes))
        return _labelled(self.label, value, hit)


def _labelled(label: str, value: pa.Array, hit: np.ndarray) -> pa.Array:
    value = pc.if_else(pa.array(hit), pc.replace_substring(value, "'", ""), _NONE)
    return pc.binary_join_element_wise(
        pa.scalar(f"{label} '", _TEXT), value, pa.scalar("'", _TEXT), pa.scalar("", _TEXT)
    )


class MountSource:
    """Mount points: a server matches when any of its partitions does, and the first matching
    mount point is shown."""

    label = "mount point"

    def __init__(self, partitions: pd.DataFrame, index: pd.Index):
        mounts = partitions[["server_id", "mount"]].dropna()
        mounts = mounts[member(mounts["server_id"], index.astype("string"))]
        self.mounts = mounts.reset_index(drop=True)
        self.distinct = Source(self.label, self.mounts["mount"].astype("string").str.lower())
        self.position = pd.Series(np.arange(len(index)), index=index.astype("string"))

        self.cache: dict[Pattern, pa.Array] = {}

    def hits(self, pattern: Pattern) -> np.ndarray:
        if not pattern or not len(self.mounts):
            return np.zeros(len(self.position), dtype=bool)
        return np.asarray(pc.is_valid(self._first(pattern)))

    def evidence(self, pattern: Pattern, hit: np.ndarray) -> pa.Array:
        return _labelled(self.label, self._first(pattern), hit)

    def _first(self, pattern: Pattern) -> pa.Array:
        if pattern not in self.cache:
            out = np.full(len(self.position), None, dtype=object)
            rows = self.mounts[self.distinct.hits(pattern)].drop_duplicates("server_id")
            at = self.position.reindex(rows["server_id"].astype("string")).to_numpy()
            out[at] = rows["mount"].astype(object).to_numpy()
            self.cache[pattern] = pa.array(out, type=_TEXT)
        return self.cache[pattern]


@dataclass
class Sources:
    """Every source of role evidence of a context, in the order evidence names them."""

    items: list[tuple[str, Source | MountSource]]  # (kind, source): kind picks the pattern
    said: pd.Series  # role, application, notes and role attributes, for other words


def role_attributes(servers: pd.DataFrame) -> list[str]:
    """The attr.* columns whose header says they hold a role or an application ('Function',
    'Application', 'Purpose'), not backup, date, owner or policy attributes."""
    out = []
    for column in servers.columns:
        if not column.startswith("attr."):
            continue
        header = re.sub(r"([a-z])([A-Z])", r"\1 \2", column.removeprefix("attr."))
        header = re.sub(r"[^a-z0-9]+", " ", header.lower())
        if re.search(_ROLE_HEADER, header) and not re.search(_NOT_ROLE_HEADER, header):
            out.append(column)
    return out


#: Sources already built for a context (licensing and security read the same ones as the
#: roles): id of the context -> (weak reference to it, sources by kind).
_BUILT: dict[tuple[int, str], tuple[weakref.ref, object]] = {}


def _per_context(ctx: FactContext, key: str, make):
    """`make(ctx)` once per context; dropped with the context."""
    slot = (id(ctx), key)
    held = _BUILT.get(slot)
    if held is not None and held[0]() is ctx:
        return held[1]
    value = make(ctx)
    _BUILT[slot] = (weakref.ref(ctx, lambda _, slot=slot: _BUILT.pop(slot, None)), value)
    return value


def name_sources(ctx: FactContext) -> list[Source]:
    """The VM name and the DNS name as sources (their host labels, matched by `name_text`);
    the DNS name only where its host label differs from the VM name's."""
    return _per_context(ctx, "names", _name_sources)


def _name_sources(ctx: FactContext) -> list[Source]:
    s = ctx.servers
    name = host_label(s["name"])
    dns = host_label(s["dns_name"])
    dns = dns.mask(dns.str.lower().eq(name.str.lower()).fillna(False))
    return [Source("name", name_text(name), name), Source("DNS name", name_text(dns), dns)]


def text_sources(ctx: FactContext) -> list[tuple[str, Source]]:
    """(kind, source) for what people wrote: the role column ('role column'), application
    and role attributes ('own': the software they name runs here), notes less the clauses
    that name another server, and the folder ('text')."""
    return _per_context(ctx, "texts", _text_sources)


def _text_sources(ctx: FactContext) -> list[tuple[str, Source]]:
    s = ctx.servers
    # "Database on bsl-sql-01" describes a dependency, not this server's role.
    notes = _without_references(ctx.text("annotation"), s["name"])
    items = [
        ("role column", Source("role", said(s["role"]))),
        ("own", Source("application", said(s["application"]))),
        ("text", Source("notes", said(notes), negations=True)),
        ("text", Source("folder", said(s["folder"]))),
    ]
    for column in role_attributes(s):
        label = f"custom attribute '{column.removeprefix('attr.')}'"
        items.append(("own", Source(label, said(s[column]), negations=True)))
    return items


def evidence_sources(ctx: FactContext) -> Sources:
    """The sources of role evidence: names, mount points, then what people wrote."""
    items: list[tuple[str, Source | MountSource]] = [("name", src) for src in name_sources(ctx)]
    items.append(("mount", MountSource(ctx.inventory.partitions, ctx.servers.index)))
    written = text_sources(ctx)
    items += written
    said_all = pd.Series("", index=ctx.servers.index, dtype="string")
    for _, src in written:
        said_all = said_all + " | " + src.text.fillna("")
    return Sources(items, said_all)


def said(values: pd.Series) -> pd.Series:
    """Lower-case text with look-alike words blanked (Oracle Linux, AD FS, ...)."""
    text = values.astype("string").str.lower()
    return replace(text, _NOT_A_ROLE, "_").astype("string")


def _role_patterns() -> dict[str, dict[str, str]]:
    """role -> {source kind: pattern}."""
    out = {}
    for role, codes in NAME_CODES.items():
        text = ROLE_TEXT[role]
        own = "|".join(p for p in (text, OWN_TEXT.get(role, "")) if p)
        out[role] = {
            "name": codes.name,
            "mount": MOUNT_ROLES.get(role, ""),
            "role column": f"{own}|{codes.label}",
            "own": own,
            "text": text,
        }
    return out


def _engine_patterns() -> dict[str, dict[str, Pattern]]:
    out: dict[str, dict[str, Pattern]] = {}
    for engine, text in _ENGINE_TEXT.items():
        name = _ENGINE_NAME[engine]
        match, unless = (name, "") if isinstance(name, str) else name
        column = f"{text}|{_single_code(match)}" if match else text
        out[engine] = {
            "name": name,
            "mount": MOUNT_ENGINES[engine],
            "role column": (column, unless) if unless else column,
            "own": text,
            "text": text,
        }
    return out


@dataclass
class Found:
    """Where one role (or engine) was found: per source label, the servers it matched and
    the evidence shown for them (None where the source matched nothing)."""

    hits: dict[str, np.ndarray]
    evidence: dict[str, pa.Array | None]

    @property
    def any_hit(self) -> np.ndarray:
        return np.logical_or.reduce(list(self.hits.values()))

    def only(self, keep: np.ndarray, labels: tuple[str, ...] | None = None) -> Found:
        """The same, kept only where `keep` (for the sources `labels`, all by default)."""
        hits, evidence = dict(self.hits), dict(self.evidence)
        for label in labels or tuple(hits):
            hits[label] = hits[label] & keep
            if evidence[label] is not None:
                evidence[label] = pc.if_else(pa.array(keep), evidence[label], _NONE)
        return Found(hits, evidence)


def find(
    sources: list[tuple[str, Source | MountSource]], patterns: dict[str, dict[str, Pattern]]
) -> dict[str, Found]:
    """For each key of `patterns` ({source kind: pattern}), where each (kind, source)
    matched; a kind without a pattern is not searched."""
    out = {}
    for key, by_kind in patterns.items():
        hits, evidence = {}, {}
        for kind, source in sources:
            pattern = by_kind.get(kind, "")
            hit = source.hits(pattern)
            hits[source.label] = hit
            evidence[source.label] = source.evidence(pattern, hit) if hit.any() else None
        out[key] = Found(hits, evidence)
    return out


def join_evidence(parts: list[pa.Array | None], sep: str = ", ") -> pa.Array | None:
    """The non-missing parts joined with `sep`, row by row (null where all are missing);
    None when no part has anything. Only the rows with something are joined."""
    parts = [p for p in parts if p is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None
    valid = np.logical_or.reduce([np.asarray(pc.is_valid(p)) for p in parts])
    if not valid.any():
        return None
    rows = pa.array(np.flatnonzero(valid))
    joined = pc.binary_join_element_wise(
        *(p.take(rows) for p in parts),
        pa.scalar(_GLUE, _TEXT),
        null_handling="replace",
        null_replacement="",
    )
    joined = pc.replace_substring_regex(joined, f"{_GLUE}+", _GLUE)
    joined = pc.replace_substring_regex(joined, f"^{_GLUE}|{_GLUE}$", "")
    joined = pc.replace_substring(joined, _GLUE, sep)
    at = pa.array(np.maximum(np.cumsum(valid) - 1, 0))
    return pc.if_else(pa.array(valid), joined.take(at), _NONE)


def evidence_text(
    found: dict[str, Found | pa.Array | None], index: pd.Index, names: dict[str, str] | None = None
) -> pd.Series:
    """ "key: label 'value', label 'value'; key: ..." over `found` (where each key was found,
    or its evidence already joined) in its order; `names` spells the keys."""
    pieces = []
    for key, got in found.items():
        piece = join_evidence(list(got.evidence.values())) if isinstance(got, Found) else got
        if piece is not None:
            label = (names or {}).get(key, key)
            pieces.append(
                pc.binary_join_element_wise(
                    pa.scalar(f"{label}: ", _TEXT), piece, pa.scalar("", _TEXT)
                )
            )
    return as_series(join_evidence(pieces, "; "), index)


def as_series(values: pa.Array | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(pd.NA, index=index, dtype="string")
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=index)


def evidence_of(evidence: pd.Series, key: str) -> pd.Series:
    """The part of an evidence text ("a: name 'x'; b: notes 'y'") about `key` ("name 'x'"),
    NA where it says nothing about it."""
    part = first(evidence.astype("string"), rf"(?:^|; ){re.escape(key)}: [^;]*")
    return replace(part, rf"^(?:; )?{re.escape(key)}: ", "").astype("string")


def _role_labels(found: dict[str, Found], index: pd.Index) -> dict[str, pd.Series]:
    """role, roles and role_evidence, roles in ROLE_PRIORITY order."""
    ordered = {r: found[r] for r in ROLE_PRIORITY}
    roles = labels({r: f.any_hit for r, f in ordered.items()}, index)
    primary = roles.str.split(",").str[0].fillna("other").astype("string")
    names = {r: r.replace("_", " ") for r in ordered}
    return {
        "role": primary,
        "roles": roles,
        "role_evidence": evidence_text(ordered, index, names),
    }


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
    known = pd.concat([lowered, short])
    known = known[known.str.len().ge(3).to_numpy()]
    candidate = search(notes, rf"\b(?:{_REFERENCE_WORDS})\s+[a-z0-9]") if len(known) else None
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


def name_shape(name: pd.Series) -> pd.Series:
    """'bsl-web-01' -> 'a-a-9': letters and digits collapsed, separators kept."""
    lowered = name.astype("string").str.lower().str.replace(r"\.[a-z0-9.-]*$", "", regex=True)
    shape = lowered.str.replace(r"[a-z]+", "a", regex=True).str.replace(r"[0-9]+", "9", regex=True)
    return shape


def _naming(name: pd.Series, segment: pd.Series) -> dict[str, pd.Series]:
    """Naming convention facts, judged inside each segment: two tenants of one vCenter
    each have a convention of their own."""
    shape = name_shape(name)
    seg = segment.astype("string").fillna("").to_numpy()

    def size_in(values: pd.Series) -> pd.Series:
        """How many servers of the same segment share each value."""
        return values.groupby([seg, values.fillna("")]).transform("size").where(values.notna())

    # A node letter after the number ('bsl-sqlclu-01a') keeps the name in its convention.
    coarse = shape.str.replace(r"9a$", "9", regex=True)
    counts = size_in(shape)
    coarse_counts = size_in(coarse)
    total = shape.notna().groupby(seg).transform("sum").clip(lower=1)
    shared = (counts.ge(0.05 * total) | coarse_counts.ge(0.05 * total)) & coarse_counts.ge(2)
    follows = shared & shape.ne("a")
    dominant = _mode_per(shape, seg)
    single_word_share = shape.eq("a").fillna(False).groupby(seg).transform("mean")
    short = name.astype("string").str.lower().str.replace(r"\..*$", "", regex=True)
    mythic = short.str.replace(r"[-_.0-9]+$", "", regex=True).isin(PET_WORDS)
    # A lone word is a pet only where words are rare and nobody else shares its first
    # letters: 'BOWLVCPRD' among 385 'BOW...' names is a convention, 'gandalf' is not.
    prefix_shared = size_in(short.str[:3]).ge(3)
    # 'wwebtest', 'wasgdbtest' spell out a function: systematic, only without separators.
    functional = found(short, _FUNCTION_TOKENS)
    lonely_word = (
        shape.eq("a")
        & (single_word_share < 0.25)
        & short.str.len().ge(3)
        & ~prefix_shared.fillna(False).astype(bool)
        & ~functional
    )
    return {
        "naming_convention": dominant,
        "follows_naming_convention": follows.fillna(False).astype("boolean"),
        "pet_name": (mythic | lonely_word).fillna(False).astype("boolean"),
    }


def _mode_per(values: pd.Series, seg: np.ndarray) -> pd.Series:
    """The most common value of each segment (ties: the first in sort order), per server."""
    frame = pd.DataFrame({"seg": seg, "v": values.to_numpy()}).dropna()
    if frame.empty:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    counts = frame.value_counts(["seg", "v"]).reset_index(name="n")
    counts = counts.sort_values(["seg", "n", "v"], ascending=[True, False, True], kind="stable")
    top = counts.drop_duplicates("seg").set_index("seg")["v"]
    return pd.Series(pd.Series(seg).map(top).to_numpy(), index=values.index, dtype="string")


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
    out.loc[nonprod.to_numpy()] = False
    out.loc[prod.to_numpy()] = True
    return out
