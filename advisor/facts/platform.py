"""What the target platform can run: guest OS, attached devices, firmware and guest tools,
and what must be redeployed rather than lifted (vendor appliances).

A lift-and-shift turns a VMware VM into a KVM instance built from a QCOW2 image (Exoscale
custom templates, Scaleway snapshot import), so the guest needs VirtIO disk and network
drivers, a boot mode the target accepts (Exoscale: legacy or UEFI, GPT and UEFI from 1.6 TB
of local storage; Scaleway: UEFI only) and no physical devices: there is no USB, serial or
PCI pass-through on a public cloud. OS names are classified once per distinct name.

What truly cannot run (`os_supported_on_target` false) is kept apart from what runs but
needs other work: a Windows desktop boots on KVM, its problem is the licence
(`windows_desktop`, rule LIC010); a 32-bit guest boots too, outside the provider's 64-bit
images and current drivers (`os_32bit`, rule PLT007). Windows XP and Server 2003 (NT 5.1
and 5.2) run with the VirtIO drivers virtio-win built for them until the end of 2019 and
still ships, and virt-v2v converts them; Windows 2000 and NT never had VirtIO drivers.
Linux got VirtIO in 2.6.24/2.6.25 and in backports (RHEL 4.8, RHEL 5.3): releases older
than that cannot see a VirtIO disk, and for RHEL 4 the export does not say which minor
release runs, so it stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.licensing import DONGLE, device_flags
from advisor.text import (
    REFERENCED,
    flag_each,
    found,
    joined,
    member,
    mentioned,
    quoted,
    search,
)

#: (pattern on the lower-case OS name and architecture, runs on the target? (None: cannot
#: tell), reason), first match wins.
OS_SUPPORT: tuple[tuple[str, bool | None, str], ...] = (
    (
        r"\baix\b|hp-?ux|z/os|openvms|os/400|\bi5/os\b",
        False,
        "not an x86 operating system: the target runs x86-64 KVM instances only",
    ),
    (
        r"solaris|sunos|os/2|netware|ms-?dos|freedos|\bsco\b|unixware",
        False,
        "no VirtIO disk and network drivers exist for this operating system, and the target's "
        "KVM instances offer no other disk or network device",
    ),
    (
        r"vmware (esxi?\b|esx server)",
        False,
        "nested hypervisor: the target offers no nested virtualisation",
    ),
    (
        r"vmware (photon crx|vcls)",
        False,
        "VMware cluster agent VM: part of vSphere, it has no role on the target",
    ),
    (
        r"\bwin(dows)?\b.*\b(2000|nt)\b|\bwin(dows)? ?nt\b",
        False,
        "Windows 2000 or NT: VirtIO drivers were never built for it",
    ),
    (
        r"other 2\.[024]\.x|(red ?hat|\brhel\b|centos)[^0-9]*\b[23]\b(?:[^/]|$)|"
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b(8|9)\b|debian[^0-9]*\b[2-4]\b",
        False,
        "Linux release from before VirtIO (kernel older than 2.6.25, no backport): it cannot "
        "see a VirtIO disk",
    ),
    (
        r"(red ?hat|\brhel\b|centos|oracle (enterprise )?linux)[^0-9]*\b4\b(?:[^/]|$)",
        None,
        "VirtIO drivers came to this release with its update 4.8: whether it runs depends on the "
        "minor release installed, which the inventory does not say",
    ),
    (r"\bwin(dows)?\b", True, ""),
    (
        r"red ?hat|\brhel\b|centos|rocky|alma|oracle (enterprise )?linux|suse|\bsles\b|ubuntu|"
        r"debian|fedora|amazon linux|photon|\blinux\b|freebsd",
        True,
        "",
    ),
)

#: Bitness as OS names and architecture columns state it; 32-bit before 64-bit markers.
_BITS_32 = r"\(32-bit\)|\b32-?bit\b|\bx86\b(?:$|[^-_ 6]|[-_ ][^6])|\bi[3-6]86\b"
_BITS_64 = r"64-?bit|\bx64\b|x86[-_ ]?64|\bamd64\b|\bwin64\b"
#: Releases that exist only as 64-bit, so a name without bitness still settles it.
_ONLY_64 = (
    r"\bwin(dows)?\b.*(server)?.*\b(2008 ?r2|2012|2016|2019|2022|2025)\b|\bwin(dows)? ?11\b|"
    r"(red ?hat|\brhel\b|centos|oracle (enterprise )?linux|rocky|alma)[^0-9]*\b([7-9]|10)\b|"
    r"(suse linux enterprise|\bsles\b)[^0-9]*\b1[2-6]\b|ubuntu[^0-9]*\b(2[0-9])\.\d"
)

#: Windows desktop editions (the server editions say 'server').
_DESKTOP = (
    r"windows (xp|vista|7|8(\.1)?|10|11)\b|\bwin ?(xp|7|8|10|11)\b|2000 professional|"
    r"nt workstation"
)

#: Serial ports, modems and PCI pass-through, as notes describe them.
SERIAL = (
    r"serial (port|console|line|device|interface|cable|connection)|\bcom ?[1-9]\b|com port|"
    r"rs-?(232|422|485)|null[- ]modem|\bmodem\b|pcie? pass-?through|directpath|\bsr-?iov\b|"
    r"gpu pass-?through|\bvgpu\b|\bisdn (card|board|adapter)|fax (card|board)"
)


@dataclass(frozen=True)
class Appliance:
    """One vendor appliance family and how it shows in an inventory."""

    product: str  # vendor and product, for messages
    text: str  # pattern on notes, attributes and the OS name (descriptive text)
    name: str | None = None  # pattern safe on VM and DNS names (short tokens are not)
    mount: str | None = None  # pattern on guest mount points (vPartition)


#: Vendor appliances: sealed images a vendor supports only on the hypervisors it lists. OVA
#: descriptors copy the product into the VM's notes ('PA-VM-8.1.2', 'Copyright ... Nasuni
#: Corporation'); the guest type is whatever the vendor picked ('CentOS 4/5/6/7' for PAN-OS).
#: First match wins. VMware's own appliances and backup appliances are the scope stage's.
APPLIANCES: tuple[Appliance, ...] = (
    Appliance(
        "Palo Alto Networks PAN-OS (PA-VM firewall or Panorama)",
        r"palo ?alto networks|pan-?os\b|\bpa-?vm(-[\d.]*\d)?\b|vm-series|\bpanorama[- ]?\d[\d.]*",
        r"\bpan?-?vm\b|palo-?alto",
        r"^/opt/(pancfg|panrepo|panlogs)(/|$)",
    ),
    Appliance(
        "Fortinet (FortiGate or another Forti appliance)",
        r"\bforti(gate|manager|analyzer|web|mail|siem|authenticator|sandbox|adc|proxy|nac)\b",
        r"forti(gate|manager|analyzer|web|mail|siem|auth|sandbox|adc|nac)|\bfgt-?vm|\bfgvm"
        r"|\bfaz-?vm|\bfmg-?vm",
    ),
    Appliance(
        "F5 BIG-IP",
        r"big-?ip|\bbig-?iq\b|\bf5 (ltm|gtm|apm|asm|virtual edition)\b|\btmos\b",
        r"big-?ip|big-?iq|\bf5-?(ltm|gtm|apm|asm|lb|ve)\b",
    ),
    Appliance(
        "Check Point (CloudGuard or Gaia gateway)",
        r"cloudguard|\bgaia (os|r\d)|check ?point (security |management |smart-?1 )?"
        r"(gateway|firewall|management server|smartcenter|appliance|vsec|gaia)",
        r"check-?point|\bchkp",
    ),
    Appliance("IBM QRadar (SIEM)", r"q-?radar", r"q-?radar"),
    Appliance(
        "IBM virtual appliance (DataPower, Guardium or other)",
        r"\bibm (virtual |security )?appliance\b|datapower|guardium",
        r"datapower|guardium",
    ),
    Appliance(
        "Citrix ADC / NetScaler",
        r"netscaler|citrix (adc|sd-?wan)|\bns-?vpx\b",
        r"netscaler|citrix-?adc|\bns-?vpx",
    ),
    Appliance(
        "Cisco virtual appliance (ASAv, Firepower, ISE, SD-WAN or other)",
        r"\basav\b|adaptive security (virtual )?appliance|firepower|\bftdv\b|\bfmcv\b"
        r"|identity services engine|\bcisco (ise|umbrella|stealthwatch|secure (firewall|email|web)"
        r"|prime|dna center|csr ?1000v|c8000v|vwlc)\b|\bcsr1000v\b|\bc8000v\b|\bvmanage\b"
        r"|\bvsmart\b|\bvbond\b",
        r"\basav|firepower|\bftdv|\bfmcv|cisco-?ise|\bcsr1000v|\bc8000v|\bvwlc|\bvmanage"
        r"|\bvsmart|\bvbond",
    ),
    Appliance(
        "Sophos appliance (firewall, UTM or virtual-environment scanner)",
        r"sophos (utm|xg|sg|firewall|for virtual environments|email appliance|web appliance)"
        r"|sophos[^|]{0,40}appliance",
        r"sophos-?(utm|xg|sg|fw|svm|sve)",
    ),
    Appliance(
        "Barracuda appliance",
        r"barracuda (networks|cloudgen|nextgen|ng firewall|web application|waf|email|spam"
        r"|load balancer|message archiver|firewall)",
        r"barracuda|\bcuda-?(fw|waf|esg)",
    ),
    Appliance(
        "Infoblox NIOS (DNS, DHCP, IPAM)",
        r"\bv?nios\b|infoblox (grid|appliance|member|dns|ddi)",
        r"infoblox|\bv?nios",
    ),
    Appliance("Nasuni edge appliance (file storage gateway)", r"nasuni( corporation)?", r"nasuni"),
    Appliance(
        "NetApp appliance (ONTAP Select, Active IQ Unified Manager, StorageGRID or other)",
        r"ontap (select|deploy|simulator|tools)|cloud volumes ontap|active ?iq unified manager"
        r"|\baiqum\b|storagegrid (appliance|node|gateway|admin)",
        r"ontap|aiqum|activeiq|storagegrid",
    ),
    Appliance(
        "Riverbed WAN optimiser (SteelHead or other)",
        r"steelhead|steelfusion|steelconnect|riverbed (appliance|interceptor|appresponse)",
        r"riverbed|steelhead|steelfusion",
    ),
    Appliance("Kemp LoadMaster (load balancer)", r"loadmaster", r"\bkemp|loadmaster"),
    Appliance("A10 Networks vThunder", r"vthunder", r"vthunder"),
    Appliance(
        "Zscaler connector or service edge",
        r"zscaler (app |cloud |branch )?connector|zscaler[^|]{0,20}service edge"
        r"|\bzpa (app )?connector|private service edge",
        r"zscaler",
    ),
    Appliance("Juniper vSRX or other Junos appliance", r"\bvsrx\b|\bjunos\b", r"vsrx"),
    Appliance("Aruba ClearPass", r"clearpass", r"clearpass"),
    Appliance(
        "Forcepoint or Symantec/Blue Coat web security appliance",
        r"forcepoint (appliance|v\d+|ngfw|web)|websense (appliance|v\d+)|proxysg",
        r"forcepoint|proxysg|bluecoat",
    ),
    Appliance(
        "SonicWall or WatchGuard firewall",
        r"sonicwall (nsv|nsa|tz|firewall)|\bnsv\b|firebox",
        r"sonicwall|watchguard|firebox",
    ),
    Appliance(
        "Silver Peak / Aruba EdgeConnect (SD-WAN)",
        r"silver ?peak|edgeconnect",
        r"silverpeak|edgeconnect",
    ),
    Appliance("Imperva appliance", r"securesphere|imperva (gateway|waf|das|appliance)", r"imperva"),
    Appliance("pfSense or OPNsense firewall", r"pfsense|opnsense", r"pfsense|opnsense"),
)

#: Notes that call the VM an appliance without naming one of the vendors above; VMware's own
#: and backup appliances are left to the scope stage.
_GENERIC_APPLIANCE = r"\b(virtual|vendor|security|network) appliance\b|\bappliance (vm|image|ova)\b"
_NOT_THIRD_PARTY = (
    r"vmware|vcenter|vcsa|vsphere|\bnsx|vrealize|\baria\b|horizon|backup|veeam|rubrik|cohesity"
    r"|commvault|avamar|data ?domain|zerto"
)

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts", "storage", "licensing")

FACTS: tuple[Fact, ...] = (
    Fact(
        "os_supported_on_target",
        "bool",
        "The OS can boot as a KVM instance on the target: false for non-x86 systems, systems "
        "without VirtIO drivers (Windows 2000/NT, Linux before VirtIO, Solaris, NetWare, ...), "
        "nested hypervisors and VMware agent VMs; unknown for an OS not recognised. Windows "
        "desktops and 32-bit guests do boot (see windows_desktop, os_32bit).",
        ("os_name", "attr.OS architecture"),
    ),
    Fact(
        "os_unsupported_reason",
        "text",
        "Why the OS cannot run on the target, or why that cannot be told.",
        ("os_name",),
    ),
    Fact(
        "os_32bit",
        "bool",
        "A 32-bit guest OS, from the OS name or an architecture column (unknown when neither "
        "states the bitness and the release also existed as 32-bit).",
        ("os_name", "attr.OS architecture"),
    ),
    Fact(
        "windows_desktop",
        "bool",
        "A Windows desktop edition (XP, Vista, 7, 8, 10, 11): it boots on KVM, but its licence "
        "does not come with a cloud instance (unknown without an OS name).",
        ("os_name",),
    ),
    Fact(
        "vendor_appliance",
        "text",
        "Vendor appliance the server is (firewall, SIEM, load balancer, WAN optimiser, storage "
        "gateway, ...), recognised from notes, OS name, VM name or mount points.",
        ("annotation", "application", "attr.*", "os_name", "name", "dns_name", "partitions"),
    ),
    Fact(
        "vendor_appliance_evidence",
        "text",
        "What identified the vendor appliance: the words in the notes or OS name, the VM name, "
        "the mount point.",
        ("vendor_appliance",),
    ),
    Fact(
        "is_vendor_appliance",
        "bool",
        "The server is a vendor appliance (false when nothing says so).",
        ("vendor_appliance",),
    ),
    Fact(
        "other_usb_device_count",
        "count",
        "USB devices other than licence dongles attached to the VM (unknown without USB data).",
        ("devices", "usb_dongle"),
    ),
    Fact(
        "serial_device_in_notes",
        "bool",
        "Notes mention a serial/COM port, modem, or PCI/GPU pass-through.",
        ("annotation", "application", "attr.*"),
    ),
    Fact(
        "passthrough_devices",
        "text",
        "The attached USB devices and devices the notes name.",
        ("devices", "annotation"),
    ),
    Fact(
        "has_connected_iso",
        "bool",
        "A CD/DVD drive is connected to an ISO image or a drive (unknown without CD data).",
        ("devices",),
    ),
    Fact("connected_media", "text", "What the connected CD/DVD drive holds.", ("devices",)),
    Fact(
        "uefi_required",
        "bool",
        "The target needs UEFI boot for this server: custom images boot with UEFI only, or the "
        "boot disk is above the size from which GPT and UEFI are required.",
        ("os_disk_gib", "largest_disk_gib", "catalog.custom_template"),
    ),
    Fact(
        "uefi_reason", "text", "Why the target needs UEFI boot for this server.", ("uefi_required",)
    ),
    Fact(
        "vmware_tools_status",
        "text",
        "VMware Tools status as reported (toolsOk, toolsOld, ...).",
        ("tools_status",),
    ),
    Fact(
        "tools_state",
        "text",
        "The VMware Tools status in words: current and running, outdated, not installed, "
        "not running, ...",
        ("tools_status",),
    ),
    Fact(
        "tools_ok",
        "bool",
        "VMware Tools are installed, current and running (unknown when not reported, or "
        "'not running' on a VM that is off).",
        ("tools_status", "power_state"),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    out: dict[str, pd.Series] = {}
    out.update(_os_support(ctx))
    out.update(_appliances(ctx))
    out.update(_devices(ctx))
    out.update(_uefi(ctx))

    raw = s["tools_status"].astype("string")
    tools = raw.str.lower().str.replace(r"[^a-z]", "", regex=True)
    on = s["power_state"].astype("string").eq("on").fillna(False).astype(bool)
    ok = pd.Series(pd.NA, index=idx, dtype="boolean")
    ok = ok.mask(
        found(tools, r"old|needupgrade|notinstalled|toonew|blacklisted|unsupported"), False
    )
    ok = ok.mask(found(tools, r"notrunning") & on, False)
    ok = ok.mask(found(tools, r"ok$|unmanaged|current"), True)
    out["vmware_tools_status"] = raw
    hits = [found(tools, pattern).to_numpy() for pattern, _ in _TOOLS_STATES]
    state = np.select(hits, [words for _, words in _TOOLS_STATES], default=None)
    out["tools_state"] = pd.Series(state, index=idx, dtype="string")
    out["tools_ok"] = ok
    return out


#: VMware Tools states as vCenter names them (letters only, lower case) -> plain words;
#: the first pattern that matches wins ('toolsnotinstalled' before anything 'installed').
_TOOLS_STATES = (
    (r"notinstalled", "not installed"),
    (r"old|needupgrade", "outdated"),
    (r"toonew", "newer than the host supports"),
    (r"blacklisted|unsupported", "a version VMware no longer supports"),
    (r"notrunning", "not running"),
    (r"unmanaged", "installed from the guest OS (open-vm-tools)"),
    (r"ok$|current", "current and running"),
)


def _classify(text: str) -> tuple[bool | None, str] | None:
    for pattern, supported, reason in OS_SUPPORT:
        if re.search(pattern, text):
            return supported, reason
    return None


def _bits_32(text: str) -> bool | None:
    if re.search(_BITS_32, text):
        return True
    if re.search(_BITS_64, text) or re.search(_ONLY_64, text):
        return False
    return None


def _os_support(ctx: FactContext) -> dict[str, pd.Series]:
    """Classify each distinct OS name (with its architecture columns) once."""
    s = ctx.servers
    arch_cols = [c for c in s.columns if c.startswith("attr.") and "architecture" in c.lower()]
    os_name = s["os_name"].astype("string").str.lower()
    key = os_name
    for c in arch_cols:
        key = key + (" | " + s[c].astype("string").str.lower()).fillna("")
    keys = key.dropna().unique()
    verdicts = {k: _classify(k) for k in keys}
    supported = {k: v[0] for k, v in verdicts.items() if v is not None and v[0] is not None}
    reason = {k: v[1] for k, v in verdicts.items() if v is not None and v[1]}
    bits = {k: _bits_32(k) for k in keys}
    desktop = found(os_name, _DESKTOP) & ~found(os_name, r"\bserver\b")
    return {
        "os_supported_on_target": key.map(supported).astype("boolean"),
        "os_unsupported_reason": key.map(reason).astype("string"),
        "os_32bit": key.map({k: v for k, v in bits.items() if v is not None}).astype("boolean"),
        "windows_desktop": desktop.astype("boolean").mask(os_name.isna()),
    }


def _appliances(ctx: FactContext) -> dict[str, pd.Series]:
    """The first vendor appliance each server shows, and the evidence for it. All patterns
    search each column in one pass; evidence is spelled only for the servers it concerns."""
    s = ctx.servers
    idx = s.index
    notes = ctx.text("annotation", "application") + " | " + ctx.attrs_text()
    os_name = ctx.text("os_name")
    names = s["name"].astype("string")
    name_text = ctx.text("name", "dns_name")
    parts = ctx.inventory.partitions
    mounts = parts["mount"].astype("string")
    third_party = ~found(notes, _NOT_THIRD_PARTY).to_numpy()
    # Appliances do not run Windows: on a Windows guest a product in the notes is something
    # the server talks to or manages.
    windows = found(os_name, r"windows").to_numpy()

    # One pass per haystack with all patterns at once; each pattern then runs on its hits only.
    none = np.zeros(len(idx), dtype=bool)
    texts = {i: app.text for i, app in enumerate(APPLIANCES)}
    by_notes = flag_each(notes, texts)
    by_os = flag_each(os_name, texts)
    by_name = flag_each(name_text, {i: a.name for i, a in enumerate(APPLIANCES) if a.name})
    flags: list[np.ndarray] = []
    evidence: list[pd.Series | None] = []
    for i, app in enumerate(APPLIANCES):
        in_notes = by_notes[i].to_numpy() & ~windows
        if in_notes.any():  # drop negated mentions ('no fortigate here') and references
            rows = np.flatnonzero(in_notes)  # ('RADIUS for the Fortigate VPN')
            some = notes.iloc[rows]
            in_notes[rows] = mentioned(some, app.text).to_numpy() & ~search(
                some, f"{REFERENCED}(?:{app.text})"
            )
        in_os = by_os[i].to_numpy()
        in_name = by_name[i].to_numpy() if i in by_name else none
        in_mount, first_mount = none, None
        if app.mount and len(parts):
            hit = found(mounts, app.mount).to_numpy()
            if hit.any():
                rows = parts[hit].sort_values("mount")
                in_mount = member(idx, rows["server_id"])
                first_mount = rows.groupby("server_id")["mount"].first().astype("string")
        flag = in_notes | in_os | in_name | in_mount
        flags.append(flag)
        if not flag.any():
            evidence.append(None)
            continue
        mount_words = (
            "mount point " + first_mount.reindex(idx).where(in_mount)
            if first_mount is not None
            else pd.Series(pd.NA, index=idx, dtype="string")
        )
        evidence.append(
            joined(
                "notes " + quoted(notes, app.text, pd.Series(in_notes, index=idx)),
                "OS name " + quoted(os_name, app.text, pd.Series(in_os, index=idx)),
                "VM name '" + names.where(in_name) + "'",
                mount_words,
            )
        )
    generic = mentioned(notes, _GENERIC_APPLIANCE).to_numpy() & third_party
    flags.append(generic)
    evidence.append("notes " + quoted(notes, _GENERIC_APPLIANCE, pd.Series(generic, index=idx)))
    products = [app.product for app in APPLIANCES] + ["virtual appliance of a vendor not named"]
    product = np.select(flags, products, default=None)
    chosen = np.select(flags, list(range(len(flags))), default=-1)
    proof = pd.Series(pd.NA, index=idx, dtype="string")
    for i, ev in enumerate(evidence):
        if ev is not None:
            proof = proof.mask(chosen == i, ev)
    is_app = chosen >= 0
    return {
        "vendor_appliance": pd.Series(product, index=idx, dtype="string"),
        "vendor_appliance_evidence": proof.where(is_app),
        "is_vendor_appliance": pd.Series(is_app, index=idx, dtype="boolean"),
    }


def _devices(ctx: FactContext) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    out: dict[str, pd.Series] = {}
    usb, usb_known = device_flags(ctx, "usb")
    named_dongle = found(usb["device"], DONGLE).to_numpy()
    other = usb[~named_dongle].groupby("server_id").size().reindex(idx, fill_value=0)
    has_named = member(idx, usb[named_dongle]["server_id"])
    # A dongle the notes describe is one of the VM's generic USB devices, not an extra one.
    noted_dongle = ctx.fact("usb_dongle").fillna(False).astype(bool).to_numpy() & ~has_named
    other = (other - noted_dongle.astype(int)).clip(lower=0).astype("Float64")
    out["other_usb_device_count"] = (
        other if usb_known else pd.Series(pd.NA, index=idx, dtype="Float64")
    )
    notes = ctx.text("annotation", "application") + " | " + ctx.attrs_text()
    serial = mentioned(notes, SERIAL)
    out["serial_device_in_notes"] = serial.astype("boolean")
    names = usb["device"].astype("string").fillna("USB device")
    listed = names.groupby(usb["server_id"]).agg(lambda v: "USB: " + "; ".join(v))
    listed = listed.reindex(idx).astype("string")
    serial_text = pd.Series("serial port, modem or pass-through device in the notes", index=idx)
    both = listed.fillna("") + (" + " + serial_text).where(serial & listed.notna(), "")
    both = both.mask(serial & listed.isna(), serial_text)
    out["passthrough_devices"] = both.astype("string").mask(both.eq(""))

    cds, cd_known = device_flags(ctx, "cdrom")
    connected = cds[cds["connected"].fillna(False).astype(bool).to_numpy()]
    media = connected["device"].astype("string").fillna("CD/DVD drive")
    media = media.groupby(connected["server_id"]).agg("; ".join).reindex(idx).astype("string")
    has = pd.Series(member(idx, connected["server_id"]), index=idx).astype("boolean")
    out["has_connected_iso"] = has if cd_known else pd.Series(pd.NA, index=idx, dtype="boolean")
    out["connected_media"] = media
    return out


def _uefi(ctx: FactContext) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    tpl = ctx.catalog.custom_template
    limit = tpl.gpt_uefi_above_gib
    if "legacy" not in tpl.boot_modes:
        required = pd.Series(True, index=idx, dtype="boolean")
        reason = pd.Series(
            "the target boots imported images with UEFI only", index=idx, dtype="string"
        )
    elif limit is None:
        required = pd.Series(pd.NA, index=idx, dtype="boolean")
        reason = pd.Series(pd.NA, index=idx, dtype="string")
    else:
        # Without a numbered boot disk, a largest disk under the limit still settles it.
        largest = ctx.fact("largest_disk_gib").astype("Float64")
        size = ctx.fact("os_disk_gib").astype("Float64").fillna(largest.where(largest <= limit))
        required = (size > limit).astype("boolean")
        reason = pd.Series(
            f"a boot disk above {limit:,.0f} GiB needs GPT and UEFI boot on the target",
            index=idx,
            dtype="string",
        ).where(required.fillna(False).astype(bool))
    return {"uefi_required": required, "uefi_reason": reason}
