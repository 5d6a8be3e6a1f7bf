"""Security findings the inventory itself reveals: secrets written into notes and custom
attributes, servers reached from the internet, and mail servers that need outbound SMTP.

Secrets are reported by the field that holds them, never by value: no fact here contains any
part of a password, key or token. A secret is a password keyword followed by a value, a
credential pair ('root/toor', 'admin / Secr3t!', 'sa:pass'), or a user:password URL.

Internet exposure is taken only from what the notes say (public IP, NAT, port forwarding,
partner allow-lists, gateway roles); the ports to open are derived from the services named.
The target's default firewall stance comes from the catalog's `security_groups` section
(Exoscale: all inbound denied until a rule allows it; outbound SMTP restricted until
requested). Mail servers are known by what people wrote or by the host label of the VM or
DNS name, never by a DNS domain ('dc01.corp.mx' sends no mail).
"""

from __future__ import annotations

import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.identity import Codes, as_series, find, join_evidence, name_sources, text_sources
from advisor.facts.licensing import EXCHANGE_NAME, constant
from advisor.text import found, labels, mentioned, quoted

_KEYWORD = (
    r"(?<![a-z])(password|passwort|passwd|pwd|pw|pass|kennwort|mot de passe|mdp|"
    r"secret|credentials?|zugangsdaten)"
)
#: Values that point to a vault or say nothing: not a clear-text password.
_PLACEHOLDER = (
    r"(see|siehe|voir|in |im |dans|stored|keepass|vault|password ?safe|passbolt|bitwarden|"
    r"1password|lastpass|cyberark|thycotic|secret ?server|\*{2,}|x{3,}|<|\[|n/?a\b|none|null|"
    r"tbd|tba|unknown|-|\?|reset|expired|changed|policy|manager|required|never)"
)
#: Accounts whose name before '/' or ':' starts a credential pair ('root/toor', 'sa:pass',
#: 'CORP\\svc_sql / Summer2020'), and generic words that do so only before a secret-looking
#: value ('user/Welcome1', 'login/password').
_ACCOUNT = (
    r"root|admin|administrator|administrateur|sa|sysadmin|postgres|"
    r"svc[-_.][\w.$-]+|[a-z][\w.-]*\\[\w.$-]+"
)
_GENERIC = r"user|username|login|benutzer|utilisateur"
#: Words after 'admin/' that are no password: 'admin/user roles', 'root/admin access'.
_NOT_A_SECRET = (
    r"(?:users?|groups?|roles?|admins?|administrators?|root|support|operators?|owners?|"
    r"guests?|read|write|rw|ro|full|access|rights|permissions?|domain|local|remote|console|"
    r"ssh|rdp|web|gui|ui|dev|test|prod|app|db|sql|server|client|linux|windows|unix|"
    r"computers?|accounts?|service|services)\b"
)
#: Either side of a pair: '/' with or without spaces, or ':' without spaces ('Admin: IT' is
#: a label, 'sa:pass' a pair).
_PAIR_SEP = r"(?:\s*/\s*|:)"
#: A credential pair; never a path ('/var/log'), a date ('12/2024') or 'N/A'. A default pair
#: ('admin/admin') counts; 'user/password' counts unless it labels a value that follows
#: ('Login/Password: see vault' is judged by what follows).
CREDENTIAL_PAIR = (
    rf"(?<![\w/\\.-])(?:{_ACCOUNT}){_PAIR_SEP}(?!{_PLACEHOLDER}|{_NOT_A_SECRET})[^\s|,;/]{{3,}}|"
    rf"(?<![\w/\\.-])(?P<account>admin|root|sa){_PAIR_SEP}(?P=account)\b|"
    rf"(?<![\w/\\.-])(?:{_GENERIC}){_PAIR_SEP}(?:(?:pass(?:word|wort)?|pwd)\b(?!\s*[:=])|"
    rf"(?!{_PLACEHOLDER}|{_NOT_A_SECRET})(?=[^\s|,;/]*[\d!@#$%^&*+=?])[^\s|,;/]{{3,}})"
)
#: A password keyword, a separator, then a value that is not a placeholder; a credential
#: pair; or user:pw@ URLs.
PASSWORD = (
    rf"{_KEYWORD}\s*(:|=|\bis\b|\bist\b|\best\b)\s*(?!{_PLACEHOLDER})[^\s|,;]{{3,}}|"
    rf"{CREDENTIAL_PAIR}|"
    r"://[^/\s:@|]+:[^/\s@|]+@"
)
#: Private keys and tokens, by kind.
TOKENS: dict[str, str] = {
    "private key": r"-----begin [a-z ]*private key-----",
    "AWS access key": r"\b(akia|asia)[0-9a-z]{16}\b",
    "GitHub token": r"\bgh[pousr]_[0-9a-z]{36}\b",
    "Slack token": r"\bxox[abprs]-[0-9a-z-]{10,}",
    "JSON web token": r"\beyj[0-9a-z_-]{10,}\.[0-9a-z_-]{10,}\.[0-9a-z_-]{10,}",
    "API key or token": (
        r"(api[_ -]?(key|token|secret)|access[_ -]?(key|token)|auth[_ -]?token|bearer|"
        r"private[_ -]?key|secret[_ -]?key|client[_ -]?secret)\s*[:=]\s*[0-9a-z/+_=.-]{16,}"
    ),
}

#: What the notes say when a server is reached from the internet.
PUBLIC = (
    r"public ip|public address|publicly reachable|\bnat(ed)?\b|internet[- ]?facing|"
    r"from the internet|exposed to the internet|port[- ]?forward|allow-?lists?|white-?lists?|"
    r"reverse proxy|\bwaf\b|rd gateway|remote desktop gateway|rd web access|\bowa\b|"
    r"outlook (web|anywhere)|vpn (gateway|concentrator|server)"
)
_DMZ = r"\bdmz\b"
_OUTBOUND_ONLY = r"outgoing|outbound"
#: (port, pattern on the server's text) for the services a public server typically offers.
PORTS: tuple[tuple[str, str], ...] = (
    ("tcp/21", r"(?<![-\w])ftp\b(?!-)"),
    ("tcp/22", r"\bsftp\b|\bssh\b|openssh|\bscp\b"),
    ("tcp/25", r"\bsmtp\b|postfix|sendmail|\bexim\b|mail relay|\bmx\b|exchange (server|20)"),
    ("tcp/80", r"haproxy|nginx|apache|\biis\b|web ?server|portal|\bhttp\b"),
    (
        "tcp/443",
        r"https|\btls\b|\bssl\b|haproxy|nginx|apache|\biis\b|\bweb\b|portal|"
        r"rd gateway|\bowa\b|\bas2\b|ad ?fs|reverse proxy|\bwaf\b",
    ),
    ("udp/500, udp/4500", r"ipsec|vpn (gateway|concentrator|server)"),
    ("udp/3391", r"rd gateway|remote desktop gateway"),
    ("udp/5060, tcp/5061", r"\bsip\b|3cx|asterisk|\bpbx\b"),
)
#: Servers that send mail to the internet themselves (MTAs, relays, Exchange).
MAIL = (
    r"postfix|sendmail|\bexim\b|mail ?relay|smtp ?(relay|gateway|server|for)|smarthost|\bmta\b|"
    r"(microsoft |ms )?exchange (server|20[01]\d)|mail ?server"
)
#: Mail servers in host labels ('mailhost3', 'smtp-gw', 'bowexchsvc1'); the DNS domain is
#: never read ('dc01.corp.mx').
MAIL_NAME = Codes(
    "smtp|mail|mx|relay|exch|exchange|postfix|mta|mailhost|mailgw|mailrelay|mailhub",
    glued="smtp|mail|relay|mta",
    inside="smtp|postfix|sendmail|mailhost|mailrelay|mailgw|mailhub|exim",
    extra=EXCHANGE_NAME,
).name

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("identity", "network")

FACTS: tuple[Fact, ...] = (
    Fact(
        "password_in_notes",
        "bool",
        "A password-like keyword (password, pw, passwd, Kennwort, mot de passe, secret, "
        "credentials) is followed by a value in the notes or a custom attribute.",
        ("annotation", "attr.*"),
    ),
    Fact(
        "secret_field",
        "text",
        "Which fields hold the clear-text password (never the value).",
        ("annotation", "attr.*"),
    ),
    Fact(
        "token_in_notes",
        "bool",
        "A private key, access key or API token is written in the notes or a custom attribute.",
        ("annotation", "attr.*"),
    ),
    Fact(
        "token_kind",
        "text",
        "What kind of key or token (never the value).",
        ("annotation", "attr.*"),
    ),
    Fact("token_field", "text", "Which fields hold the key or token.", ("annotation", "attr.*")),
    Fact(
        "internet_facing",
        "bool",
        "The notes say the server is reached from the internet: a public-address dependency "
        "(NAT, allow-lists, SIP trunk), port forwarding, gateway roles, DMZ unless outbound "
        "only.",
        ("public_ip_dependency", "annotation", "application", "role", "attr.*"),
    ),
    Fact(
        "internet_facing_evidence",
        "text",
        "The words that say so.",
        ("public_ip_evidence", "annotation", "application", "role", "attr.*"),
    ),
    Fact(
        "inbound_ports",
        "text",
        "Ports an internet-facing server's services need from outside, derived from the "
        "services named (unknown when none is recognised or the server is not public).",
        ("annotation", "application", "role", "is_web_server", "is_load_balancer"),
    ),
    Fact(
        "target_inbound_default",
        "text",
        "Target's default for inbound traffic in security groups: deny, allow or unverified.",
        ("catalog.security_groups.default_inbound",),
    ),
    Fact(
        "sends_mail_outbound",
        "bool",
        "The server delivers mail itself: MTA, mail relay or Exchange, by what people wrote "
        "or the host label of its name (never its DNS domain).",
        ("name", "dns_name", "annotation", "application", "role", "attr.*"),
    ),
    Fact(
        "mail_evidence",
        "text",
        "What shows the mail server: source and value (\"name 'mailhost3'\").",
        ("name", "dns_name", "annotation", "application", "role", "attr.*"),
    ),
    Fact(
        "target_smtp_outbound",
        "text",
        "Target's outbound SMTP (port 25): restricted, open or unverified.",
        ("catalog.security_groups.smtp_outbound_restricted",),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    out: dict[str, pd.Series] = {}
    fields = {"annotation": s["annotation"].astype("string")}
    for c in s.columns:
        if c.startswith("attr."):
            fields[f"custom attribute '{c.removeprefix('attr.')}'"] = (
                c.removeprefix("attr.") + ": " + s[c].astype("string")
            )

    pw = {label: found(text, PASSWORD) for label, text in fields.items()}
    out["secret_field"] = labels(pw, idx)
    out["password_in_notes"] = out["secret_field"].notna().astype("boolean")

    kinds = {}
    where = {label: pd.Series(False, index=idx) for label in fields}
    for kind, pattern in TOKENS.items():
        hits = {label: found(text, pattern) for label, text in fields.items()}
        kinds[kind] = pd.concat(hits.values(), axis=1).any(axis=1)
        for label, hit in hits.items():
            where[label] = where[label] | hit
    out["token_kind"] = labels(kinds, idx)
    out["token_field"] = labels(where, idx)
    out["token_in_notes"] = out["token_kind"].notna().astype("boolean")

    text = ctx.text("application", "annotation", "role") + " | " + ctx.attrs_text()
    dmz = mentioned(text, _DMZ) & ~found(text, _OUTBOUND_ONLY)
    reached = ctx.fact("public_ip_dependency").fillna(False).astype(bool)
    public = mentioned(text, PUBLIC) | dmz | reached
    out["internet_facing"] = public.astype("boolean")
    said = ("'" + ctx.fact("public_ip_evidence").astype("string") + "'").fillna(
        quoted(text, PUBLIC + "|" + _DMZ, public)
    )
    out["internet_facing_evidence"] = said.where(public)
    web = ctx.fact("is_web_server").fillna(False).astype(bool)
    lb = ctx.fact("is_load_balancer").fillna(False).astype(bool)
    ports = {port: found(text, rx) for port, rx in PORTS}
    ports["tcp/80"] = ports["tcp/80"] | web | lb
    ports["tcp/443"] = ports["tcp/443"] | web | lb
    out["inbound_ports"] = labels(ports, idx).where(public)

    sg = ctx.catalog.security_groups
    inbound = "unverified" if sg.default_inbound is None else sg.default_inbound
    out["target_inbound_default"] = constant(ctx, inbound)
    smtp = sg.smtp_outbound_restricted
    out["target_smtp_outbound"] = constant(
        ctx, "unverified" if smtp is None else ("restricted" if smtp else "open")
    )
    sources = [("name", src) for src in name_sources(ctx)]
    sources += [(kind, src) for kind, src in text_sources(ctx) if src.label != "folder"]
    got = find(
        sources, {"mail": {"name": MAIL_NAME, "role column": MAIL, "own": MAIL, "text": MAIL}}
    )
    out["sends_mail_outbound"] = pd.Series(got["mail"].any_hit, index=idx, dtype="boolean")
    out["mail_evidence"] = as_series(join_evidence(list(got["mail"].evidence.values())), idx)
    return out
