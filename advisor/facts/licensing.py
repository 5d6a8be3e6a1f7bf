"""Licences that care where a server runs: vendors with cloud rules, and licences bound to
hardware (dongles, MAC addresses, host IDs).

Sources (shared/domain-facts.md section 3): Oracle authorises only named clouds and treats
shared KVM as soft partitioning; Microsoft server products move with Software Assurance or
subscription licences (License Mobility, Flexible Virtualization Benefit); SAP supports
production only on certified IaaS (SAP Note 1380654); IBM sub-capacity needs an Eligible
Public Cloud and ILMT; node-locked licences follow a MAC address, a host ID or a USB dongle.
What the target allows comes from the catalog's `licensing` section, as a status text
('yes', 'no' or 'unverified') so an unverified provider fact never makes a server's own
facts unknown. Product detection is text evidence: true when found, false when not, and
it reads the same evidence as the roles (advisor.facts.identity): database engines from
names, mount points and what people wrote, the SAP role, and custom attributes only where
their header says they hold a role or an application. The operating system is never
evidence of a product: "Oracle Linux" is no Oracle Database. Each product carries its
evidence (`*_evidence`: the source and the value that matched).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.identity import (
    Codes,
    Found,
    as_arrow,
    as_series,
    evidence_of,
    evidence_text,
    find,
    join_evidence,
    name_sources,
    text_sources,
)
from advisor.text import found, labels, member, mentioned, quoted

#: Microsoft server products whose licences move to a hosted cloud only with Software
#: Assurance or subscription licences (License Mobility / Flexible Virtualization Benefit).
MICROSOFT_PRODUCTS: dict[str, str] = {
    "sqlserver": r"sql server|\bmssql|\bsql ?express\b",
    "exchange": r"(microsoft |ms )?exchange (server|20[01]\d|cu ?\d)|\bexchange (hybrid|dag)\b",
    "sharepoint": r"sharepoint",
    "skype-for-business": r"skype for business|\blync\b",
    "system-center": r"system center|\bsccm\b|\bscom\b|\bscvmm\b|\bscsm\b",
    "biztalk": r"biztalk",
    "dynamics": r"dynamics (ax|nav|crm|gp)\b|navision",
    "project-server": r"project server",
}
#: SQL Server editions that carry no licence fee (not production licences).
FREE_SQL_EDITIONS = ("developer", "express", "evaluation")
_SQL_EDITION = (
    r"sql server(?: \d{4})?(?: r2)?(?: sp\d)? "
    r"(standard|enterprise|developer|express|web|workgroup|datacenter|evaluation)"
)

#: IBM products licensed by PVU/VPC, where sub-capacity needs ILMT and an eligible cloud.
IBM_PRODUCTS: dict[str, str] = {
    "websphere": r"websphere",
    "db2": r"\bdb2\b",
    "ibm-mq": r"\bibm mq\b|websphere mq|\bmqseries\b",
    "domino": r"\bdomino\b|lotus notes",
    "cognos": r"\bcognos\b",
    "spss": r"\bspss\b",
    "informix": r"\binformix\b",
    "tivoli": r"\btivoli\b|spectrum protect",
    "filenet": r"filenet",
    "maximo": r"\bmaximo\b",
    "datapower": r"datapower",
    "qradar": r"qradar",
    "guardium": r"guardium",
}
_IBM_OTHER = r"\bibm\b"

#: Exchange in a host name: a letter run opening with 'exch' ('exchap01', 'exch-mbx-01') or
#: 'exch' glued after a prefix ('bowexchsvc1'), but not 'dataexchange'.
EXCHANGE_NAME = r"(?:^|[^a-z])exch|exch(?:[^a]|a[^n]|$)"
#: Microsoft server products a host name shows (only those with a distinctive spelling).
_MICROSOFT_NAMES: dict[str, str] = {
    "exchange": EXCHANGE_NAME,
    "sharepoint": r"sharepoint",
    # 'bowsccmdp01' (a distribution point), 'bowscomtest01'; not 'discom01'
    "system-center": Codes(
        "sccm|scom|scvmm|scsm|scorch", glued="scom|scsm", inside="sccm|scvmm|scorch"
    ).name,
}

#: Hardware licence keys (dongles) by their usual names. Not "sentinel" alone (a SIEM).
DONGLE = (
    r"dongle|\bhasp\b|sentinel (hl|hasp|ldk|superpro|ultrapro|rms|key)|safenet|codemeter|"
    r"\bwibu\b|cmdongle|hardlock|marx crypto|usb[- ]?(licen[cs]e )?key"
)
#: A licence tied to a MAC address, in either word order, within one sentence.
MAC_BOUND = (
    r"licen[cs]\w*[^.|;]{0,80}\bmac\b|\bmac\b[^.|;]{0,80}licen[cs]|"
    r"(hostid|host id)[^.|;]{0,40}\bmac\b"
)
#: A licence tied to a host ID (FlexLM/FlexNet node-locked, hostid lines).
HOSTID_BOUND = (
    r"\bhost ?id\b|node[- ]?locked|\blmhostid\b|"
    r"licen[cs]\w* (bound|tied|locked) to (the )?(host|hostname|server)"
)
#: Licence-server software whose licence file names the server's host ID.
LICENCE_DAEMON = r"flexlm|flexnet|\blmgrd\b|\brlm\b|reprise licen"
#: The server itself is the licence server (not a client that names one).
_LICENCE_HOST_TEXT = r"licen[cs]e ?server|licen[cs]e manager|\blmgrd\b"
_LICENCE_HOST_NAME = Codes(
    "lic|license|licence|flexlm|lm|lmgrd|flexnet", glued="license|licence|flexlm|flexnet"
).name

_PROD_TEXT = r"\bprd\b|\bprod\b|production|productive|produktiv"
_NONPROD_TEXT = r"sandbox|\bsbx\b|\btest\b|\btst\b|\bqas\b|\bdev\b|development|training|\bdemo\b"

_WINDOWS = r"\bwin(dows)?\b|^w2k|microsoft"
_WIN_DESKTOP = (
    r"windows (xp|vista|7|8(\.1)?|10|11)\b|\bwin ?(xp|7|8|10|11)\b|professional|workstation"
)
_RHEL = r"red ?hat|\brhel\b"
#: Red Hat's community releases need no subscription ('Red Hat Fedora' in vCenter's list).
_RHEL_FREE = r"fedora|centos"


def status(value: bool | None) -> str:
    """A catalog verdict as text: 'yes', 'no' or 'unverified' (None: not found in sources)."""
    return "unverified" if value is None else ("yes" if value else "no")


def constant(ctx: FactContext, value: object, dtype: str = "string") -> pd.Series:
    """The same value for every server (target facts)."""
    return pd.Series(value, index=ctx.servers.index, dtype=dtype)


def device_flags(ctx: FactContext, kind: str) -> tuple[pd.DataFrame, bool]:
    """Device rows of one kind (usb, cdrom) and whether the inventory reports that kind at
    all (an RVTools export with its vUSB/vCD tab, or any such row)."""
    dev = ctx.inventory.devices
    rows = dev[dev["kind"].astype("string").eq(kind).fillna(False).to_numpy()]
    tab = {"usb": "vusb", "cdrom": "vcd"}[kind]
    tabs = {t.lower() for t in getattr(ctx.inventory.source, "tabs_read", [])}
    return rows, bool(len(rows)) or tab in tabs


#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts", "identity", "network")

FACTS: tuple[Fact, ...] = (
    Fact(
        "license_vendor",
        "text",
        "Vendors whose licence terms depend on where the server runs, found on it: oracle, "
        "microsoft, sap, ibm, red hat (comma separated).",
        (
            "oracle_database",
            "microsoft_server_product",
            "windows_server",
            "sap_system",
            "ibm_product",
            "rhel_server",
        ),
    ),
    Fact(
        "oracle_database",
        "bool",
        "An Oracle Database runs on the server: a name, mount point (Oracle's OFA /u01, "
        "/oracle) or what people wrote says so; never the OS (Oracle Linux).",
        ("db_engines",),
    ),
    Fact(
        "oracle_evidence",
        "text",
        "What shows the Oracle Database: source and value (\"mount point '/u01'\").",
        ("db_engine_evidence",),
    ),
    Fact(
        "oracle_edition",
        "text",
        "Oracle Database edition named in the notes: enterprise or standard (unknown if silent).",
        ("application", "annotation"),
    ),
    Fact(
        "microsoft_server_product",
        "text",
        "Licensed Microsoft server products found (sqlserver, exchange, sharepoint, ...); "
        "free SQL Server editions (Developer, Express, Evaluation) are left out.",
        ("db_engines", "name", "dns_name", "application", "annotation", "role", "attr.*"),
    ),
    Fact(
        "microsoft_product_evidence",
        "text",
        "What shows each Microsoft server product: \"sqlserver: name 'SRVSQL01'\".",
        ("db_engine_evidence", "name", "dns_name", "application", "annotation", "role", "attr.*"),
    ),
    Fact(
        "has_microsoft_server_product",
        "bool",
        "At least one licensed Microsoft server product runs on the server.",
        ("microsoft_server_product",),
    ),
    Fact(
        "sql_server_edition",
        "text",
        "SQL Server edition named in the notes (standard, enterprise, developer, ...).",
        ("application", "annotation"),
    ),
    Fact(
        "windows_server",
        "bool",
        "Windows Server operating system (not a Windows desktop OS); unknown without an OS.",
        ("os_name", "os_family"),
    ),
    Fact(
        "rhel_server",
        "bool",
        "Red Hat Enterprise Linux (needs a Red Hat subscription).",
        ("os_name",),
    ),
    Fact(
        "sap_system",
        "bool",
        "SAP software (NetWeaver, S/4HANA, ECC, HANA) runs on the server (the SAP role).",
        ("is_sap",),
    ),
    Fact(
        "sap_evidence",
        "text",
        "What shows the SAP system: source and value (\"mount point '/usr/sap'\").",
        ("role_evidence",),
    ),
    Fact(
        "sap_production",
        "bool",
        "The SAP system is production (unknown when neither the estate nor the notes say).",
        ("sap_system", "is_production", "application", "annotation"),
    ),
    Fact(
        "ibm_product",
        "text",
        "IBM products found (websphere, db2, ibm-mq, domino, cognos, spss, ...; 'ibm' for "
        "IBM software not named further).",
        ("db_engines", "application", "annotation", "role", "attr.*"),
    ),
    Fact(
        "ibm_evidence",
        "text",
        "What shows each IBM product: \"websphere: application 'websphere'\".",
        ("db_engine_evidence", "application", "annotation", "role", "attr.*"),
    ),
    Fact(
        "has_ibm_product", "bool", "At least one IBM product runs on the server.", ("ibm_product",)
    ),
    Fact(
        "usb_device_count",
        "count",
        "USB devices attached to the VM (unknown when the inventory has no USB data).",
        ("devices",),
    ),
    Fact(
        "usb_dongle",
        "bool",
        "A licence dongle: a USB device named like one (HASP, Sentinel, CodeMeter, ...) or "
        "notes that mention one.",
        ("devices", "annotation", "application", "attr.*"),
    ),
    Fact(
        "dongle_evidence",
        "text",
        "The dongle's device name, or the words in the notes.",
        ("devices", "annotation", "application", "attr.*"),
    ),
    Fact(
        "mac_bound_license",
        "bool",
        "A licence is bound to a MAC address: the notes say so, a licence server has a "
        "manually set MAC, or a VM carries a physical network card maker's MAC (copied from "
        "the machine it replaced).",
        (
            "annotation",
            "application",
            "attr.*",
            "manual_mac",
            "is_license_server",
            "physical_mac_vendor",
        ),
    ),
    Fact(
        "mac_licence_evidence",
        "text",
        "What shows the MAC binding (notes, manual MAC, a physical maker's MAC).",
        ("annotation", "application", "attr.*", "manual_mac", "physical_macs"),
    ),
    Fact(
        "hostid_bound_license",
        "bool",
        "A licence is bound to a host ID: notes mention hostid/node-locked, or a FlexLM/FlexNet/"
        "RLM licence server (its licence file names the server's host ID).",
        ("annotation", "application", "attr.*", "is_license_server"),
    ),
    Fact(
        "hostid_evidence",
        "text",
        "What shows the host-ID binding (notes, licence daemon).",
        ("annotation", "application", "attr.*", "is_license_server"),
    ),
    Fact(
        "hardware_bound_license",
        "bool",
        "Any licence bound to hardware: USB dongle, MAC address or host ID.",
        ("usb_dongle", "mac_bound_license", "hostid_bound_license"),
    ),
    Fact(
        "license_binding",
        "text",
        "What the hardware-bound licence is tied to (dongle, MAC address, host ID).",
        ("usb_dongle", "mac_bound_license", "hostid_bound_license"),
    ),
    Fact(
        "target_oracle_authorized",
        "text",
        "Target is an Oracle Authorized Cloud Environment: yes, no or unverified.",
        ("catalog.licensing.oracle_authorized_cloud",),
    ),
    Fact(
        "target_sap_certified",
        "text",
        "Target is SAP-certified IaaS for production SAP: yes, no or unverified.",
        ("catalog.licensing.sap_certified",),
    ),
    Fact(
        "target_ibm_eligible",
        "text",
        "Target is an IBM Eligible Public Cloud for sub-capacity BYOSL: yes, no or unverified.",
        ("catalog.licensing.ibm_eligible_public_cloud",),
    ),
    Fact(
        "target_ms_authorized_outsourcer",
        "text",
        "Target is a Microsoft Authorized Outsourcer (Flexible Virtualization Benefit): yes, "
        "no or unverified.",
        ("catalog.licensing.microsoft_authorized_outsourcer",),
    ),
    Fact(
        "target_red_hat_cloud_access",
        "text",
        "Target takes RHEL subscriptions under Red Hat Cloud Access: yes, no or unverified.",
        ("catalog.licensing.red_hat_cloud_access",),
    ),
    Fact(
        "target_usb_passthrough",
        "text",
        "Target passes physical USB devices to instances: yes, no or unverified.",
        ("catalog.usb_passthrough.available",),
    ),
    Fact(
        "target_custom_mac_status",
        "text",
        "Target lets an instance keep a MAC address of its choosing: yes, no or unverified.",
        ("target_custom_mac_allowed",),
    ),
    Fact(
        "estate_windows_servers",
        "count",
        "Windows Server VMs and servers (not templates).",
        ("windows_server", "is_template"),
        "portfolio",
    ),
    Fact(
        "estate_windows_vcpus",
        "count",
        "vCPUs of the estate's Windows Server VMs.",
        ("windows_server", "vcpus"),
        "portfolio",
    ),
    Fact(
        "estate_windows_by_segment",
        "text",
        "The Windows Server count and vCPUs per segment (tenant, business unit) when the "
        "profile segments the estate, as ' (per segment: A 12 with 40 vCPUs; ...)'; empty "
        "otherwise.",
        ("windows_server", "vcpus", "segment"),
        "portfolio",
    ),
    Fact(
        "target_windows_licence_included",
        "text",
        "Target sells Windows Server licence-included instances: yes, no or unverified.",
        ("catalog.licensing.windows_license_included",),
        "portfolio",
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    attrs = ctx.attrs_text()
    # Hardware bindings may be noted anywhere, licence attributes included.
    notes = ctx.text("application", "annotation", "role") + " | " + attrs
    out: dict[str, pd.Series] = {}
    # Products: the role evidence's sources (names, role and application columns, notes
    # less the clauses about other servers, role attributes), never the OS.
    names = [("name", src) for src in name_sources(ctx)]
    written = [(kind, src) for kind, src in text_sources(ctx) if src.label != "folder"]
    engines = ctx.fact("db_engines").astype("string")
    engine_evidence = ctx.fact("db_engine_evidence").astype("string")

    def engine(key: str) -> tuple[pd.Series, pd.Series]:
        on = found(engines, rf"(?:^|, ){key}(?:,|$)")
        return on, evidence_of(engine_evidence, key).where(on)

    oracle, oracle_said = engine("oracle")
    out["oracle_database"] = oracle.astype("boolean")
    out["oracle_evidence"] = oracle_said
    edition = pd.Series(pd.NA, index=idx, dtype="string")
    edition = edition.mask(found(notes, r"standard edition|\bse ?(one|2)\b|\bse2\b"), "standard")
    edition = edition.mask(found(notes, r"enterprise edition|\boracle \S+ ee\b"), "enterprise")
    out["oracle_edition"] = edition.where(oracle)

    sql_text = ctx.text("application", "annotation")
    sql_text = sql_text[sql_text.str.contains("sql server", regex=False).fillna(False).to_numpy()]
    sql_edition = sql_text.str.extract(_SQL_EDITION)[0].reindex(idx)
    out["sql_server_edition"] = sql_edition.astype("string")
    free_sql = out["sql_server_edition"].isin(FREE_SQL_EDITIONS).fillna(False).to_numpy(bool)
    os_name = s["os_name"].astype("string")
    family = s["os_family"].astype("string").str.lower()
    windows = found(os_name, _WINDOWS) | family.eq("windows").fillna(False)
    desktop = found(os_name, _WIN_DESKTOP) & ~found(os_name, r"server")
    os_known = os_name.notna() | family.notna()
    out["windows_server"] = (windows & ~desktop).astype("boolean").where(os_known)
    rhel = found(os_name, _RHEL) & ~found(os_name, _RHEL_FREE)
    out["rhel_server"] = rhel.astype("boolean").where(os_name.notna())

    ms = find(names + written, _patterns(MICROSOFT_PRODUCTS, _MICROSOFT_NAMES))
    # A name alone makes a Windows server product only of a server that may be one: not a
    # Windows desktop or Linux VM called 'SCCMBC01' (a test client).
    may_be_server = out["windows_server"].fillna(True).to_numpy(bool)
    for key in _MICROSOFT_NAMES:
        ms[key] = ms[key].only(may_be_server, ("name", "DNS name"))
    sql_on, sql_said = engine("sqlserver")
    ms_said = _joined(ms, idx)
    ms_said["sqlserver"] = sql_said.fillna(ms_said["sqlserver"])
    ms_on = {k: v.any_hit for k, v in ms.items()}
    ms_on["sqlserver"] = (ms_on["sqlserver"] | sql_on.to_numpy(bool)) & ~free_sql
    out["microsoft_server_product"] = labels(ms_on, idx)
    out["microsoft_product_evidence"] = _keyed(ms_said, ms_on, idx)
    out["has_microsoft_server_product"] = out["microsoft_server_product"].notna().astype("boolean")

    sap = ctx.fact("is_sap").fillna(False).astype(bool)
    out["sap_system"] = sap.astype("boolean")
    out["sap_evidence"] = evidence_of(ctx.fact("role_evidence"), "sap").where(sap)
    prod = ctx.fact("is_production").astype("boolean")
    sap_notes = ctx.text("application", "annotation")
    prod = prod.mask(prod.isna() & found(sap_notes, _PROD_TEXT), True)
    prod = prod.mask(prod.isna() & found(sap_notes, _NONPROD_TEXT), False)
    out["sap_production"] = prod.where(sap, False).astype("boolean")

    ibm = find(written, _patterns({**IBM_PRODUCTS, "ibm": _IBM_OTHER}, {}))
    db2_on, db2_said = engine("db2")
    ibm_said = _joined(ibm, idx)
    ibm_said["db2"] = db2_said.fillna(ibm_said["db2"])
    ibm_on = {k: v.any_hit for k, v in ibm.items()}
    ibm_on["db2"] = ibm_on["db2"] | db2_on.to_numpy(bool)
    named = np.logical_or.reduce([on for k, on in ibm_on.items() if k != "ibm"])
    ibm_on["ibm"] = ibm_on["ibm"] & ~named
    out["ibm_product"] = labels(ibm_on, idx)
    out["ibm_evidence"] = _keyed(ibm_said, ibm_on, idx)
    out["has_ibm_product"] = out["ibm_product"].notna().astype("boolean")

    usb, usb_known = device_flags(ctx, "usb")
    count = usb.groupby("server_id").size().reindex(idx, fill_value=0).astype("Float64")
    out["usb_device_count"] = count if usb_known else pd.Series(pd.NA, index=idx, dtype="Float64")
    named = usb[found(usb["device"], DONGLE).to_numpy()]
    named_list = (
        named["device"].astype("string").groupby(named["server_id"]).agg("; ".join).reindex(idx)
    )
    noted = mentioned(notes, DONGLE)
    dongle = pd.Series(member(idx, named["server_id"]), index=idx) | noted
    out["usb_dongle"] = dongle.astype("boolean")
    out["dongle_evidence"] = (
        ("device '" + named_list.astype("string") + "'")
        .fillna("notes: " + quoted(notes, DONGLE, noted))
        .where(dongle)
    )

    # identity's is_license_server also counts clients that mention FlexLM; a host ID binds
    # the licence server itself, named so or stated in its role, application or notes.
    named_so = np.logical_or.reduce([src.hits(_LICENCE_HOST_NAME) for _, src in names])
    licence_server = ctx.fact("is_license_server").fillna(False).astype(bool) & (
        mentioned(ctx.text("role", "application", "annotation"), _LICENCE_HOST_TEXT) | named_so
    )
    manual_mac = ctx.fact("manual_mac").fillna(False).astype(bool)
    mac_noted = mentioned(notes, MAC_BOUND)
    # A physical card maker's MAC on a VM was copied from the machine it replaced: the
    # classic way to keep a MAC-locked licence running (network module's evidence).
    vendor = ctx.fact("physical_mac_vendor").astype("string")
    copied = vendor.notna().to_numpy()
    physical = "MAC " + ctx.fact("physical_macs").astype("string") + " of " + vendor
    physical = physical + " hardware on a VM"
    mac = mac_noted | (licence_server & manual_mac) | copied
    out["mac_bound_license"] = mac.astype("boolean")
    out["mac_licence_evidence"] = (
        ("notes: " + quoted(notes, MAC_BOUND, mac_noted))
        .where(mac_noted, physical.where(copied, "manual MAC on a licence server"))
        .where(mac)
    )
    hostid_noted = mentioned(notes, HOSTID_BOUND)
    daemon = licence_server & mentioned(notes, LICENCE_DAEMON)
    hostid = hostid_noted | daemon
    out["hostid_bound_license"] = hostid.astype("boolean")
    out["hostid_evidence"] = (
        ("notes: " + quoted(notes, HOSTID_BOUND, hostid_noted))
        .where(hostid_noted, "licence server running " + quoted(notes, LICENCE_DAEMON, daemon))
        .where(hostid)
    )
    bound = {
        "USB dongle": out["usb_dongle"].astype(bool),
        "MAC address": mac,
        "host ID": hostid,
    }
    out["license_binding"] = labels(bound, idx)
    out["hardware_bound_license"] = out["license_binding"].notna().astype("boolean")

    vendors = {
        "oracle": oracle,
        "microsoft": out["has_microsoft_server_product"].astype(bool)
        | out["windows_server"].fillna(False).astype(bool),
        "sap": sap,
        "ibm": out["has_ibm_product"].astype(bool),
        "red hat": out["rhel_server"].fillna(False).astype(bool),
    }
    out["license_vendor"] = labels(vendors, idx)

    lic = ctx.catalog.licensing
    out["target_oracle_authorized"] = constant(ctx, status(lic.oracle_authorized_cloud.value))
    out["target_sap_certified"] = constant(ctx, status(lic.sap_certified.value))
    out["target_ibm_eligible"] = constant(ctx, status(lic.ibm_eligible_public_cloud.value))
    out["target_ms_authorized_outsourcer"] = constant(
        ctx, status(lic.microsoft_authorized_outsourcer.value)
    )
    out["target_red_hat_cloud_access"] = constant(ctx, status(lic.red_hat_cloud_access.value))
    out["target_usb_passthrough"] = constant(ctx, status(ctx.catalog.usb_passthrough.available))
    custom_mac = ctx.fact("target_custom_mac_allowed").astype("boolean")
    out["target_custom_mac_status"] = (
        custom_mac.map({True: "yes", False: "no"}).astype("string").fillna("unverified")
    )

    live_windows = out["windows_server"].fillna(False).astype(bool) & ~ctx.fact(
        "is_template"
    ).fillna(False).astype(bool)
    ctx.portfolio["estate_windows_servers"] = int(live_windows.sum())
    ctx.portfolio["estate_windows_vcpus"] = int(s["vcpus"].where(live_windows).fillna(0).sum())
    ctx.portfolio["estate_windows_by_segment"] = _per_segment(s, live_windows)
    ctx.portfolio["target_windows_licence_included"] = status(lic.windows_license_included.value)
    return out


def _per_segment(s: pd.DataFrame, windows: pd.Series) -> str:
    """' (per segment: Orion 12 with 40 vCPUs; Vega 3 with 8 vCPUs)', or '' without
    segments: each tenant or business unit usually licenses on its own."""
    segment = s["segment"].astype("string")
    if segment.isna().all() or not windows.any():
        return ""
    frame = pd.DataFrame({"seg": segment, "vcpus": s["vcpus"].astype("Float64")})[windows]
    per = frame.groupby("seg").agg(n=("vcpus", "size"), vcpus=("vcpus", "sum"))
    parts = [f"{k} {int(r.n)} with {int(r.vcpus)} vCPUs" for k, r in per.iterrows()]
    return " (per segment: " + "; ".join(parts) + ")"


def _patterns(text: dict[str, str], by_name: dict[str, str]) -> dict[str, dict[str, str]]:
    """{product: {source kind: pattern}}: what people wrote, and names where given."""
    return {
        key: {"name": by_name.get(key, ""), "role column": rx, "own": rx, "text": rx}
        for key, rx in text.items()
    }


def _joined(found_: dict[str, Found], index: pd.Index) -> dict[str, pd.Series]:
    """Per product, "label 'value', ..." of the sources that named it (NA where none)."""
    return {
        k: as_series(join_evidence(list(v.evidence.values())), index) for k, v in found_.items()
    }


def _keyed(said_: dict[str, pd.Series], on: dict[str, np.ndarray], index: pd.Index) -> pd.Series:
    """ "product: label 'value'; ..." of the products that are on."""
    pieces = {k: as_arrow(v.where(on[k])) for k, v in said_.items()}
    return evidence_text(pieces, index)
