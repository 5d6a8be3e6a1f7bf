"""Platform facts: guest OS support on the target, USB/serial devices, connected CD/ISO,
UEFI requirements and VMware Tools."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.facts import (
    identity,
    inventory_facts,
    licensing,
    location,
    network,
    platform,
    storage,
)
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"
AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
MODULES = (inventory_facts, identity, location, storage, network, licensing, platform)


def _run(inv: Inventory, provider: str = "exoscale") -> pd.DataFrame:
    return by_name(run_modules(inv, MODULES, provider=provider, as_of=AS_OF))


def _facts(
    servers, *, devices=None, disks=None, provider="exoscale", tabs=("vInfo", "vUSB", "vCD")
):
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools", tabs_read=list(tabs)),
        devices=conform("devices", pd.DataFrame(devices or [])),
        disks=conform("disks", pd.DataFrame(disks or [])),
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


@pytest.mark.parametrize(
    ("os_name", "supported"),
    [
        ("Microsoft Windows Server 2019 (64-bit)", True),
        ("Microsoft Windows Server 2008 R2 (64-bit)", True),
        ("Microsoft Windows Server 2003 Standard (32-bit)", False),
        ("Microsoft Windows 7 (64-bit)", False),
        ("Microsoft Windows 10 (64-bit)", False),
        ("VMware Photon CRX (64-bit)", False),
        ("Oracle Solaris 11 (64-bit)", False),
        ("Red Hat Enterprise Linux 4 (64-bit)", False),
        ("CentOS 4/5/6/7 (64-bit)", True),
        ("Red Hat Enterprise Linux 8 (64-bit)", True),
        ("Other 3.x or later Linux (64-bit)", True),
        ("Ubuntu Linux (64-bit)", True),
        ("Other (64-bit)", None),
    ],
)
def test_os_support(os_name, supported):
    got = _facts([{"os_name": os_name}])["os_supported_on_target"].iloc[0]
    assert (None if pd.isna(got) else bool(got)) == supported


def test_architecture_column_marks_32_bit():
    rows = [
        {"os_name": "Microsoft Windows Server 2008 Standard", "attr.OS architecture": "x86"},
        {"os_name": "Microsoft Windows Server 2008 Standard", "attr.OS architecture": "x64"},
    ]
    f = _facts(rows)
    assert f["os_supported_on_target"].tolist() == [False, True]
    assert "32-bit" in f["os_unsupported_reason"].iloc[0]


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
