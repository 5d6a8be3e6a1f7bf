"""Platform facts: guest OS support on the target, 32-bit guests, Windows desktops, vendor
appliances, USB/serial devices, connected CD/ISO, UEFI requirements and VMware Tools."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.engine.assess import fact_scopes
from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rule
from advisor.engine.settings import resolve_settings
from advisor.facts import (
    compute_facts,
    fact_context,
    identity,
    inventory_facts,
    licensing,
    lifecycle,
    location,
    network,
    platform,
    storage,
)
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile
from advisor.resources import data_path
from advisor.scope import decide_scope
from advisor.targets import load_catalog

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"
AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
MODULES = (inventory_facts, identity, location, storage, network, licensing, platform)


def _run(inv: Inventory, provider: str = "exoscale") -> pd.DataFrame:
    return by_name(run_modules(inv, MODULES, provider=provider, as_of=AS_OF))


def _facts(
    servers,
    *,
    devices=None,
    disks=None,
    partitions=None,
    provider="exoscale",
    tabs=("vInfo", "vUSB", "vCD"),
):
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools", tabs_read=list(tabs)),
        devices=conform("devices", pd.DataFrame(devices or [])),
        disks=conform("disks", pd.DataFrame(disks or [])),
        partitions=conform("partitions", pd.DataFrame(partitions or [])),
    )
    return _run(inv, provider)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return _run(load_inventory(SAMPLES / "acme-rvtools.xlsx"))


def _names(frame: pd.DataFrame, fact: str) -> set[str]:
    return set(frame.index[frame[fact].fillna(False).astype(bool)])


def test_sample_platform(sample):
    assert _names(sample, "has_connected_iso") == {"bsl-sql-01"}
    assert "SW_DVD9_SQL" in sample.loc["bsl-sql-01", "connected_media"]
    # The only USB device is bsl-lic-01's licence dongle: licensing's finding, not platform's.
    assert sample["other_usb_device_count"].sum() == 0
    assert not _names(sample, "serial_device_in_notes")
    assert sample["os_supported_on_target"].all()
    assert not _names(sample, "uefi_required")  # Exoscale: legacy boot allowed below 1.6 TB
    # vTools: old or missing tools on the pets, fine on every other running VM; a VM that
    # is off cannot say (its tools are simply not running).
    ok = sample["tools_ok"]
    assert set(ok[ok.eq(False).fillna(False)].index) == {"gandalf", "zeus", "pluto"}
    assert sample.loc["pluto", "vmware_tools_status"] == "toolsNotInstalled"
    assert sample.loc["pluto", "tools_state"] == "not installed"
    assert sample.loc["gandalf", "tools_state"] == "outdated"
    assert sample.loc["tpl-rhel9", "tools_state"] == "not running"
    assert sample.loc["bsl-dc-01", "tools_state"] == "current and running"
    assert set(ok[ok.isna()].index) == {
        "bsl-crm-01", "bsl-dev-02", "bsl-ftp-01", "tpl-rhel9", "tpl-win2019", "tpl-win2022",
    }  # fmt: skip
    assert ok.eq(True).sum() == 80 - 3 - 6


def test_scaleway_needs_uefi_everywhere():
    f = _facts([{"firmware": "bios"}, {"firmware": "efi"}], provider="scaleway")
    assert f["uefi_required"].all()
    assert "UEFI only" in f["uefi_reason"].iloc[0]


def test_exoscale_uefi_from_boot_disk_size():
    f = _facts(
        [
            {"firmware": "bios"},
            {"firmware": "bios"},
            {"firmware": "bios", "largest_disk_gib": 500},
            {},
        ],
        disks=[
            {"server_id": "vm-0", "label": "Hard disk 1", "capacity_gib": 2000.0},
            {"server_id": "vm-1", "label": "Hard disk 1", "capacity_gib": 80.0},
            {"server_id": "vm-1", "label": "Hard disk 2", "capacity_gib": 4000.0},
        ],
    )
    assert f["uefi_required"].tolist()[:3] == [True, False, False]
    assert pd.isna(f["uefi_required"].iloc[3])  # nothing known about its disks


# Windows desktops and 32-bit guests boot on KVM: they used to be called unable to run
# (PLT001, a blocker, on 75 % of one real estate); their questions are licensing (LIC010)
# and support (PLT007). What cannot run is what lacks VirtIO drivers or is not x86.
OS_SUPPORT = [
    ("Microsoft Windows Server 2019 (64-bit)", True),
    ("Microsoft Windows Server 2008 R2 (64-bit)", True),
    ("Microsoft Windows Server 2003 Standard (32-bit)", True),  # drivers frozen in 2019
    ("Microsoft Windows XP Professional (32-bit)", True),
    ("Microsoft Windows 7 (64-bit)", True),
    ("Microsoft Windows 10 (64-bit)", True),
    ("Microsoft Windows 2000 Server", False),  # no VirtIO driver was ever built
    ("Microsoft Windows NT", False),
    ("VMware Photon CRX (64-bit)", False),
    ("VMware ESXi 7.0 or later", False),
    ("Oracle Solaris 11 (64-bit)", False),
    ("Red Hat Enterprise Linux 3 (32-bit)", False),
    ("Other 2.4.x Linux (32-bit)", False),
    ("Debian GNU/Linux 4 (64-bit)", False),
    ("Red Hat Enterprise Linux 4 (64-bit)", None),  # VirtIO from 4.8: minor unknown
    ("Red Hat Enterprise Linux 5 (64-bit)", True),
    ("CentOS 4/5/6/7 (64-bit)", True),
    ("Red Hat Enterprise Linux 8 (64-bit)", True),
    ("Other 3.x or later Linux (64-bit)", True),
    ("Ubuntu Linux (64-bit)", True),
    ("Other (64-bit)", None),
]
OS_BITS = [
    ("Microsoft Windows 10 (64-bit)", False, True),
    ("Microsoft Windows 11 (64-bit)", False, True),
    ("Microsoft Windows 7 (32-bit)", True, True),
    ("Microsoft Windows XP Professional (32-bit)", True, True),
    ("Microsoft Windows Server 2003 Standard (32-bit)", True, False),
    ("Microsoft Windows Server 2008 (32-bit)", True, False),
    ("Microsoft Windows Server 2008 R2", False, False),  # exists only as 64-bit
    ("Microsoft Windows Server 2008 Standard", None, False),  # bitness not stated
    ("Red Hat Fedora (32-bit)", True, False),
    ("CentOS 7 (64-bit)", False, False),
    ("Red Hat Enterprise Linux 8", False, False),
]


@pytest.fixture(scope="module")
def os_facts() -> pd.DataFrame:
    """Every OS name of the cases below, classified in one run."""
    names = [n for n, _ in OS_SUPPORT] + [n for n, _, _ in OS_BITS]
    f = _facts([{"os_name": n} for n in names]).set_index(pd.Index(names))
    return f[~f.index.duplicated()]


def _value(v):
    return None if pd.isna(v) else bool(v)


@pytest.mark.parametrize(("os_name", "supported"), OS_SUPPORT)
def test_os_support(os_facts, os_name, supported):
    assert _value(os_facts.loc[os_name, "os_supported_on_target"]) == supported


@pytest.mark.parametrize(("os_name", "bits32", "desktop"), OS_BITS)
def test_32_bit_and_windows_desktop(os_facts, os_name, bits32, desktop):
    assert _value(os_facts.loc[os_name, "os_32bit"]) == bits32
    assert _value(os_facts.loc[os_name, "windows_desktop"]) == desktop


def test_unknown_os_is_unknown_not_a_verdict():
    f = _facts([{}])
    assert pd.isna(f["os_supported_on_target"].iloc[0])
    assert pd.isna(f["os_32bit"].iloc[0])
    assert pd.isna(f["windows_desktop"].iloc[0])


def test_architecture_column_marks_32_bit():
    rows = [
        {"os_name": "Microsoft Windows Server 2008 Standard", "attr.OS architecture": "x86"},
        {"os_name": "Microsoft Windows Server 2008 Standard", "attr.OS architecture": "x64"},
    ]
    f = _facts(rows)
    assert f["os_32bit"].tolist() == [True, False]
    assert f["os_supported_on_target"].all()  # both boot on KVM


def test_vendor_appliances_from_notes_names_and_mounts():
    f = _facts(
        [
            {"annotation": "PA-VM-10.1.3", "os_name": "CentOS 4/5/6/7 (64-bit)"},
            {"name": "fw-fortigate-01"},
            {"annotation": "Copyright (C) 2010-2024 Nasuni Corporation"},
            {"annotation": "F5 BIG-IP Virtual Edition 16.1"},
            {"os_name": "Other 3.x Linux (64-bit)"},  # identified by its mount points
            {"annotation": "IBM Appliance"},
            {"annotation": "VMware vCenter Server Appliance"},  # the scope stage's
            {"annotation": "web server behind the load balancer; no fortigate here"},
            {"annotation": "Palo Alto office file server"},  # the city, not the vendor
            {},
        ],
        partitions=[
            {"server_id": "vm-4", "mount": "/opt/panlogs"},
            {"server_id": "vm-4", "mount": "/opt/pancfg"},
            {"server_id": "vm-9", "mount": "/opt/app"},
        ],
    )
    product = f["vendor_appliance"]
    assert product.iloc[0].startswith("Palo Alto Networks")
    assert f["vendor_appliance_evidence"].iloc[0] == "notes 'pa-vm-10.1.3'"
    assert product.iloc[1].startswith("Fortinet")
    assert f["vendor_appliance_evidence"].iloc[1] == "VM name 'fw-fortigate-01'"
    assert product.iloc[2].startswith("Nasuni")
    assert product.iloc[3] == "F5 BIG-IP"
    assert product.iloc[4].startswith("Palo Alto Networks")
    assert f["vendor_appliance_evidence"].iloc[4] == "mount point /opt/pancfg"
    assert product.iloc[5].startswith("IBM virtual appliance")
    assert f["is_vendor_appliance"].tolist() == [True] * 6 + [False] * 4
    assert product.iloc[6:].isna().all()


def test_devices_usb_serial_and_cd():
    f = _facts(
        [
            {"annotation": "Fax modem on COM1"},
            {"annotation": "No modem any more"},
            {"annotation": "HASP dongle passed through"},
            {},
        ],
        devices=[
            {"server_id": "vm-2", "kind": "usb", "device": "USB device", "connected": True},
            {"server_id": "vm-3", "kind": "usb", "device": "Card reader", "connected": True},
            {"server_id": "vm-3", "kind": "cdrom", "device": "Client Device", "connected": False},
            {"server_id": "vm-0", "kind": "cdrom", "device": "[ds1] iso/x.iso", "connected": True},
        ],
    )
    assert f["serial_device_in_notes"].tolist() == [True, False, False, False]
    # vm-2's only USB device is the dongle its notes describe; vm-3's reader is another one.
    assert f["other_usb_device_count"].tolist() == [0, 0, 0, 1]
    assert f.loc["srv-03", "passthrough_devices"] == "USB: Card reader"
    assert f["has_connected_iso"].tolist() == [True, False, False, False]


def test_devices_unknown_without_their_tabs():
    f = _facts([{}], tabs=("vInfo",))
    assert pd.isna(f["other_usb_device_count"].iloc[0])
    assert pd.isna(f["has_connected_iso"].iloc[0])


def test_tools_status():
    f = _facts(
        [
            {"tools_status": "toolsOk", "power_state": "on"},
            {"tools_status": "toolsOld", "power_state": "on"},
            {"tools_status": "toolsNotInstalled", "power_state": "off"},
            {"tools_status": "toolsNotRunning", "power_state": "on"},
            {"tools_status": "toolsNotRunning", "power_state": "off"},
            {"tools_status": "guestToolsUnmanaged", "power_state": "on"},
            {},
        ]
    )
    ok = [None if pd.isna(v) else bool(v) for v in f["tools_ok"]]
    assert ok == [True, False, False, False, None, True, None]
    words = [None if pd.isna(v) else v for v in f["tools_state"]]
    assert words == [
        "current and running",
        "outdated",
        "not installed",
        "not running",
        "not running",
        "installed from the guest OS (open-vm-tools)",
        None,
    ]


# --- real exports: facts and the verdicts of the rules that read them ---------------------

RULES = data_path("rules")
MY_RULES = (
    *sorted(RULES.glob("platform/*.yaml")),
    RULES / "licensing" / "LIC010-windows-desktop-licensing.yaml",
    RULES / "lifecycle" / "LCY001-os-end-of-life.yaml",
    RULES / "lifecycle" / "LCY005-os-end-of-life-soon.yaml",
)


def _real(corpus: Path, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Facts and rule verdicts (both by server name) of one real export, in scope only."""
    inv = load_inventory(corpus / name)
    profile = default_profile()
    when = inv.source.exported_at or AS_OF
    catalog = load_catalog("exoscale")
    ctx = fact_context(inv, profile, catalog, when, decide_scope(inv, profile))
    ctx = compute_facts(ctx, (*MODULES[:-1], lifecycle, platform))
    rules = [load_rule(p, fact_scopes()) for p in MY_RULES]
    settings = resolve_settings(rules, profile.rules, [])
    ev = evaluate(rules, settings, ctx.facts, ctx.portfolio, [], ctx.servers["name"])
    return by_name(ctx), ev.status.set_index(ctx.servers["name"].to_numpy())


@pytest.fixture(scope="module")
def real_339(corpus):
    return _real(corpus, "rvtools-4.6.1-anon-339vms.xlsx")


def test_real_339_vendor_appliances(real_339):
    f, status = real_339
    appliances = set(f.index[f["is_vendor_appliance"].fillna(False).astype(bool)])
    assert {"PAN-VM-100-AH", "Panorama-AH", "AHGate", "Clumbsy", "Bluejackets-dr"} <= appliances
    pan = f.loc["PAN-VM-100-AH"]
    assert pan["vendor_appliance"].startswith("Palo Alto Networks")
    # The OVA's notes, the VM name and PAN-OS's own mount points all say so.
    assert pan["vendor_appliance_evidence"] == (
        "notes 'pa-vm-8.1.2'; VM name 'PAN-VM-100-AH'; mount point /opt/pancfg"
    )
    assert f.loc["Panorama-AH", "vendor_appliance_evidence"].startswith("notes 'panorama-10.1.9'")
    assert f.loc["AHGate", "vendor_appliance"].startswith("Nasuni")
    assert f.loc["Clumbsy", "vendor_appliance"].startswith("NetApp")
    assert f.loc["Bluejackets-dr", "vendor_appliance"].startswith("IBM")
    for name in ("PAN-VM-100-AH", "Panorama-AH", "AHGate", "Clumbsy"):
        assert status.loc[name, "PLT008"] == "fail", name
    # PAN-OS calls itself CentOS 4/5/6/7 to VMware: its support is the vendor's, not CentOS'.
    assert bool(f.loc["Panorama-AH", "os_eol"])
    assert status.loc["Panorama-AH", "LCY001"] == "pass"
    # Ordinary servers are not appliances; the backup appliances are out of scope.
    assert not f.loc["bracknell01", "is_vendor_appliance"]
    assert status.loc["bracknell01", "PLT008"] == "pass"
    assert "dayton-rubrik" not in f.index


def test_real_339_32_bit_and_desktops(real_339):
    f, status = real_339
    # Windows XP 32-bit: boots on KVM (no blocker), a desktop licence and a 32-bit guest.
    xp = "36010VJ01"
    assert f.loc[xp, "os_supported_on_target"] and f.loc[xp, "os_32bit"]
    assert f.loc[xp, "windows_desktop"]
    assert [status.loc[xp, c] for c in ("PLT001", "PLT007", "LIC010")] == ["pass", "fail", "fail"]
    # Windows Server 2003 32-bit: 32-bit guest, not a desktop, not a blocker.
    w2003 = "ETS01DVCAM01"
    assert [status.loc[w2003, c] for c in ("PLT001", "PLT007", "LIC010")] == [
        "pass",
        "fail",
        "pass",
    ]
    assert status.loc["bracknell01", "PLT007"] == "pass"  # Windows Server 2022
    assert (status["PLT001"] == "fail").sum() == 0


def test_real_655_windows_10_desktops_are_licensing_not_blockers(corpus):
    f, status = _real(corpus, "rvtools-4.6.1-anon-655vms.xlsx")
    desk = f.loc["10elf-ah"]
    assert desk["os_supported_on_target"] and desk["windows_desktop"] and not desk["os_32bit"]
    assert status.loc["10elf-ah", "PLT001"] == "pass"
    assert status.loc["10elf-ah", "LIC010"] == "fail"
    assert status.loc["100elf77", "LIC010"] == "pass"  # CentOS 7
    # Before, PLT001 failed on three quarters of this estate; nothing in scope fails it now.
    assert (status["PLT001"] == "fail").sum() == 0
    assert (status["LIC010"] == "fail").mean() > 0.7  # a VDI estate: the question is licences
    # Windows 10 left support on 2025-10-14, 167 days after the export of 2025-04-30.
    assert desk["os_support_days_left"] == 167
    assert status.loc["10elf-ah", "LCY005"] == "fail"


def test_real_csv_sophos_virtual_environment_appliance(corpus):
    f, status = _real(corpus, "rvtools-3.x-tabvInfo.csv")
    assert f.loc["APESX01-SCVM", "vendor_appliance"].startswith("Sophos")
    assert status.loc["APESX01-SCVM", "PLT008"] == "fail"
    assert status.loc["APDC03", "PLT008"] == "pass"


def test_tools_and_hardware_version_are_info_only():
    rules = {p.stem[:6]: load_rule(p, fact_scopes()) for p in MY_RULES}
    assert rules["PLT005"].spec.severity == "info"
    assert rules["PLT006"].spec.severity == "info"
    assert "only while the VM is still on VMware" in rules["PLT005"].spec.rationale


def test_a_product_the_server_serves_is_not_what_it_is():
    """A Windows NPS server whose notes name 'RADIUS for the Fortigate VPN' is no FortiGate;
    a Linux VM whose notes name it as itself is."""
    rows = [
        {"id": "nps", "name": "nps01", "os_name": "Microsoft Windows Server 2019 (64-bit)",
         "annotation": "Network Policy Server: RADIUS for the Fortigate VPN"},
        {"id": "relay", "name": "relay01", "os_name": "Other 4.x Linux (64-bit)",
         "annotation": "syslog relay, receives logs from the FortiGate"},
        {"id": "fw", "name": "edge01", "os_name": "Other 4.x Linux (64-bit)",
         "annotation": "FortiGate VM64 perimeter firewall"},
    ]  # fmt: skip
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools"),
    )
    facts = run_modules(inv, MODULES).facts
    assert facts["is_vendor_appliance"].tolist() == [False, False, True]
