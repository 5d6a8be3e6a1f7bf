"""Location facts about transfer volumes: what each server puts on the uplink, which figure
that rests on (the guest's partitions, VMware's in-use figure, in-guest volumes), and the
site and estate seeding built from it. Distances and round trips are tested with the
network and topology facts."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.facts import inventory_facts, location
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import parse_profile

PROFILE = {
    "sites": [
        {"name": "Basel HQ", "lat": 47.56, "lon": 7.59, "uplink_mbps": 100, "users": 10,
         "datacenters": ["DC-BSL"]},
    ]
}  # fmt: skip


def _facts(servers, disks=(), partitions=(), fmt="rvtools"):
    rows = [{"datacenter": "DC-BSL", "power_state": "on", **s} for s in servers]
    for s in rows:
        s.setdefault("id", s["name"])
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format=fmt),
        disks=conform("disks", pd.DataFrame(list(disks))),
        partitions=conform("partitions", pd.DataFrame(list(partitions))),
    )
    ctx = run_modules(inv, (inventory_facts, location), profile=parse_profile(PROFILE))
    return ctx.facts.set_index(ctx.servers["name"].to_numpy()), ctx.portfolio


def _disk(server, label, gib):
    return {"server_id": server, "label": label, "capacity_gib": gib}


def _part(server, mount, gib, used):
    return {"server_id": server, "mount": mount, "capacity_gib": gib, "consumed_gib": used}


def test_transfer_rests_on_what_the_guest_wrote_where_its_file_systems_cover_the_disks():
    f, portfolio = _facts(
        [
            # thick disk: VMware counts all 500 GiB, the guest wrote 120
            {"name": "thick", "used_gib": 500.0},
            # a 1 TiB disk without any file system the guest shows: keep VMware's figure
            {"name": "rawdb", "used_gib": 900.0},
            # a 1 TiB iSCSI drive in the guest on top of 100 + 500 GiB of disks
            {"name": "iscsi", "used_gib": 269.0},
            {"name": "nolist", "used_gib": 80.0},
            {"name": "blank"},
        ],
        disks=[
            _disk("thick", "Hard disk 1", 500.0),
            _disk("rawdb", "Hard disk 1", 100.0),
            _disk("rawdb", "Hard disk 2", 1024.0),
            _disk("iscsi", "Hard disk 1", 100.0),
            _disk("iscsi", "Hard disk 2", 500.0),
        ],
        partitions=[
            _part("thick", "C:\\", 499.5, 120.0),
            _part("rawdb", "/", 90.0, 20.0),
            _part("iscsi", "C:\\", 99.4, 36.4),
            _part("iscsi", "Z:\\", 500.0, 168.4),
            _part("iscsi", "E:\\", 1024.0, 664.0),
        ],
    )
    assert (f.loc["thick", "transfer_gib"], f.loc["thick", "transfer_basis"]) == (
        120,
        "guest partitions",
    )
    assert f.loc["rawdb", "transfer_basis"] == "VMware in-use"
    assert f.loc["rawdb", "transfer_gib"] == 900
    assert f.loc["iscsi", "transfer_basis"] == "guest partitions + in-guest volumes"
    assert f.loc["iscsi", "transfer_gib"] == pytest.approx(36.4 + 168.4 + 664.0)
    assert f.loc["nolist", "transfer_basis"] == "VMware in-use"
    assert pd.isna(f.loc["blank", "transfer_gib"]) and pd.isna(f.loc["blank", "transfer_basis"])
    # 120 GiB at 100 Mbit/s and 80 %: 3.58 h
    assert f.loc["thick", "transfer_hours"] == pytest.approx(3.58, abs=0.01)
    # the site and the estate sum the data to copy; one unknown server makes them unknown
    assert pd.isna(f.loc["thick", "site_used_gib"])
    assert portfolio["estate_used_gib"] is None
    assert portfolio["estate_transfer_basis"] == (
        "2 guest partitions, 2 VMware in-use, 1 with in-guest volumes, 1 unknown; "
        "664 GiB of it on volumes the guests mount from outside their disks"
    )
    assert portfolio["estate_in_guest_gib"] == 664


def test_in_guest_volumes_add_to_the_in_use_figure_and_site_totals():
    f, portfolio = _facts(
        [{"name": "hera", "used_gib": 108.7}, {"name": "small", "used_gib": 40.0}],
        disks=[_disk("hera", "Hard disk 1", 700.0)],
        partitions=[_part("hera", "C:\\", 199.4, 37.6), _part("hera", "D:\\", 999.9, 699.2)],
    )
    # C: covers 28 % of the disk: VMware's figure, plus the in-guest D:
    assert f.loc["hera", "transfer_basis"] == "VMware in-use + in-guest volumes"
    assert f.loc["hera", "transfer_gib"] == pytest.approx(108.7 + 699.2)
    assert f.loc["small", "site_used_gib"] == pytest.approx(108.7 + 699.2 + 40.0)
    assert portfolio["estate_used_gib"] == pytest.approx(847.9)
    assert portfolio["estate_transfer_basis"] == (
        "2 VMware in-use, 1 with in-guest volumes; "
        "699 GiB of it on volumes the guests mount from outside their disks"
    )


def test_other_sources_name_their_in_use_figure():
    f, _ = _facts([{"name": "a", "used_gib": 50.0}], fmt="azure-migrate")
    assert f.loc["a", "transfer_basis"] == "inventory in-use"


def test_real_export_linked_clones_count_what_the_guest_holds(corpus):
    """The lab clones of the 3.10 export report 27 GiB in use each (their delta disks) while
    their guests hold 39 GiB: a full copy moves the 39."""
    inv = load_inventory(corpus / "rvtools-3.10.1-25tabs.xlsx")
    ctx = run_modules(inv, (inventory_facts, location))
    f = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    clone = f.loc["SQLSvrTeam-1"]
    assert clone["transfer_basis"] == "guest partitions"
    assert clone["transfer_gib"] == pytest.approx(39.2, abs=0.1)
    assert clone["used_gib"] == pytest.approx(27.4, abs=0.1)


def test_real_export_transfer_basis_339(corpus):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    ctx = run_modules(inv, (inventory_facts, location))
    f = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    assert f.loc["Loto", "transfer_basis"] == "guest partitions + in-guest volumes"
    assert f.loc["Loto", "transfer_gib"] == pytest.approx(204.8 + 664.0, abs=0.1)
    assert f.loc["Neelix-New", "transfer_gib"] == pytest.approx(122.5 + 5394.5, abs=0.1)
    assert f.loc["Hera", "transfer_basis"] == "VMware in-use + in-guest volumes"
    # the guest shows no file system on Pink's 1.35 TB disk: VMware's 1,358 GiB stand
    assert f.loc["Pink", "transfer_basis"] == "VMware in-use"
    assert f.loc["Pink", "transfer_gib"] == pytest.approx(1357.5, abs=0.1)
    # /var/named/chroot repeats / ten times: counted once
    assert f.loc["Prakasam", "transfer_gib"] == pytest.approx(20.05, abs=0.01)
    assert ctx.portfolio["estate_in_guest_gib"] == pytest.approx(7161, abs=1)
