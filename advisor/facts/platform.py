"""What the target platform can run: guest OS, attached devices, firmware and guest tools.

A lift-and-shift turns a VMware VM into a KVM instance built from a QCOW2 image (Exoscale
custom templates, Scaleway snapshot import), so the guest needs VirtIO drivers, a 64-bit x86
server OS, a boot mode the target accepts (Exoscale: legacy or UEFI, GPT and UEFI from 1.6 TB
of local storage; Scaleway: UEFI only) and no physical devices: there is no USB, serial or
PCI pass-through on a public cloud. OS names are classified once per distinct name.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.licensing import DONGLE, device_flags
from advisor.facts.text import found, member, mentioned

#: (pattern on the lower-case OS name and architecture, supported?, reason), first match wins.
OS_SUPPORT: tuple[tuple[str, bool, str], ...] = (
    (
        r"solaris|sunos|\baix\b|hp-?ux|os/2|netware|ms-?dos|freedos|openvms|z/os|\bsco\b|unixware",
        False,
        "not an x86 operating system the target's KVM hypervisor runs",
    ),
    (
        r"vmware (esxi?|photon crx|vcls)",
        False,
        "VMware appliance or nested hypervisor (no nested virtualisation on the target)",
    ),
    (
        r"\(32-bit\)|\b32-?bit\b|\bx86\b(?![-_ ]?64)|\bi[3-6]86\b",
        False,
        "32-bit operating system (the target's images and drivers are 64-bit)",
    ),
    (
        r"(windows (xp|vista|7|8(\.1)?|10|11)\b|\bwin ?(xp|7|8|10|11)\b|2000 professional|"
        r"nt workstation)(?!.*server)",
        False,
        "Windows desktop operating system",
    ),
    (
        r"\bwin(dows)?\b.*\b(2000|2003|nt)\b|\bwin(dows)? ?nt\b",
        False,
        "Windows Server 2003 or older (no current VirtIO drivers)",
    ),
    (
        r"other 2\.[024]\.x|(red ?hat|\brhel\b|centos)[^0-9]*\b[2-4]\b(?!/)|"
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b(8|9)\b|debian[^0-9]*\b[2-4]\b",
        False,
        "Linux release older than kernel 2.6.25 (no VirtIO drivers)",
    ),
    (r"\bwin(dows)?\b.*\b(2008|2012|2016|2019|2022|2025)\b", True, ""),
    (
        r"red ?hat|\brhel\b|centos|rocky|alma|oracle (enterprise )?linux|suse|\bsles\b|ubuntu|"
        r"debian|fedora|amazon linux|photon|\blinux\b|freebsd",
        True,
        "",
    ),
)

#: Serial ports, modems and PCI pass-through, as notes describe them.
SERIAL = (
    r"serial (port|console|line|device|interface|cable|connection)|\bcom ?[1-9]\b|com port|"
    r"rs-?(232|422|485)|null[- ]modem|\bmodem\b|pcie? pass-?through|directpath|\bsr-?iov\b|"
    r"gpu pass-?through|\bvgpu\b|\bisdn (card|board|adapter)|fax (card|board)"
)

FACTS: tuple[Fact, ...] = (
    Fact(
        "os_supported_on_target",
        "bool",
        "The OS can run as a KVM instance on the target: false for non-x86, 32-bit, Windows "
        "desktop, Windows 2003 and older, pre-VirtIO Linux, VMware appliances; unknown for "
        "an OS not recognised.",
        ("os_name", "attr.OS architecture"),
    ),
    Fact("os_unsupported_reason", "text", "Why the OS cannot run on the target.", ("os_name",)),
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


def _classify(text: str) -> tuple[bool, str] | None:
    for pattern, supported, reason in OS_SUPPORT:
        if re.search(pattern, text):
            return supported, reason
    return None


def _os_support(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    arch_cols = [c for c in s.columns if c.startswith("attr.") and "architecture" in c.lower()]
    key = s["os_name"].astype("string").str.lower()
    for c in arch_cols:
        key = key + (" | " + s[c].astype("string").str.lower()).fillna("")
    verdicts = {k: _classify(k) for k in key.dropna().unique()}
    supported = {k: v[0] for k, v in verdicts.items() if v is not None}
    reason = {k: v[1] for k, v in verdicts.items() if v is not None and v[1]}
    return {
        "os_supported_on_target": key.map(supported).astype("boolean"),
        "os_unsupported_reason": key.map(reason).astype("string"),
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
