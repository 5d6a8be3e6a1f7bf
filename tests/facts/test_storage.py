"""Storage facts: boot disk(s), data disks and volumes, shared / raw / independent disks,
the guest's file systems (written space, volumes outside the virtual disks), and the target
limits they are compared with."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.engine.assess import assess
from advisor.facts import compute_facts, inventory_facts, storage
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import load_profile
from advisor.targets import load_catalog


def _context(
    servers: list[dict],
    disks: list[dict],
    provider: str = "exoscale",
    partitions: list[dict] | None = None,
):
    frame = conform("servers", pd.DataFrame(servers))
    inv = Inventory(
        servers=frame,
        source=Source(path="test", format="rvtools"),
        disks=conform("disks", pd.DataFrame(disks)) if disks else conform("disks", pd.DataFrame()),
        partitions=conform("partitions", pd.DataFrame(partitions or [])),
    )
    return run_modules(inv, (inventory_facts,), provider=provider)


def _part(server, mount, gib, used):
    return {"server_id": server, "mount": mount, "capacity_gib": gib, "consumed_gib": used}


def _disk(server, label, gib, **extra):
    row = {
        "server_id": server,
        "label": label,
        "capacity_gib": gib,
        "raw": False,
        "disk_mode": "persistent",
        "sharing": "sharingNone",
        "shared_bus": "noSharing",
        "controller": "SCSI controller 0",
    }
    row.update(extra)
    return row


def _facts(ctx) -> pd.DataFrame:
    return compute_facts(ctx, (storage,)).facts


def test_boot_disk_is_the_lowest_numbered_disk_and_the_rest_are_data():
    ctx = _context(
        [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}, {"id": "c", "name": "c"}],
        [
            _disk("a", "Hard disk 2", 12288.0),  # rows out of order on purpose
            _disk("a", "Hard disk 1", 150.0),
            _disk("a", "Hard disk 10", 20.0),
            _disk("b", "Hard disk 1", 80.0),
            _disk("c", "Data volume", 500.0),  # no number: boot disk unknown
        ],
    )
    f = _facts(ctx)
    assert f.loc["a", "os_disk_gib"] == 150
    assert f.loc["a", "largest_data_disk_gib"] == 12288
    assert f.loc["a", "data_disk_count"] == 2
    assert f.loc["a", "data_disk_gib"] == 12308
    assert f.loc["a", "volumes_needed"] == 3  # 12 TiB needs two 10 TiB volumes, plus one
    assert f.loc["b", "largest_data_disk_gib"] == 0 and f.loc["b", "data_disk_count"] == 0
    assert f.loc["b", "volumes_needed"] == 0
    assert pd.isna(f.loc["c", "os_disk_gib"])
    assert pd.isna(f.loc["c", "largest_data_disk_gib"])
    assert pd.isna(f.loc["c", "volumes_needed"])


def test_servers_without_disk_rows_are_unknown():
    ctx = _context([{"id": "a", "name": "a"}], [])
    f = _facts(ctx)
    for name in ("os_disk_gib", "largest_data_disk_gib", "shared_disk_count", "rdm_gib"):
        assert pd.isna(f.loc["a", name]), name
    assert pd.isna(f.loc["a", "shared_disk"])


def test_target_limits_come_from_the_catalog():
    ctx = _context([{"id": "a", "name": "a"}], [])
    f = _facts(ctx)
    exo = load_catalog("exoscale")
    assert f.loc["a", "target_max_volume_gib"] == exo.block_volume.max_gib
    assert f.loc["a", "target_volumes_per_instance"] == exo.block_volume.max_per_instance
    assert f.loc["a", "target_template_max_gib"] == exo.custom_template.max_gib
    assert f.loc["a", "target_max_root_gib"] == exo.max_root_disk_gib


def test_scaleway_template_limit_falls_back_to_the_root_disk():
    ctx = _context([{"id": "a", "name": "a"}], [], provider="scaleway")
    f = _facts(ctx)
    scw = load_catalog("scaleway")
    assert scw.custom_template.max_gib is None
    assert f.loc["a", "target_template_max_gib"] == scw.root_disk.max_gib
    assert f.loc["a", "target_volumes_per_instance"] == scw.block_volume.max_per_instance


def test_shared_disks_by_multi_writer_and_bus_sharing():
    ctx = _context(
        [{"id": n, "name": n} for n in ("mw", "bus", "v3", "nvme", "blank", "plain")],
        [
            _disk("mw", "Hard disk 1", 100.0),
            _disk("mw", "Hard disk 2", 1.0, sharing="sharingMultiWriter"),
            _disk("bus", "Hard disk 1", 100.0, shared_bus="physicalSharing"),
            _disk("v3", "Hard disk 1", 100.0, sharing=None, shared_bus="2"),  # RVTools 3.x enum
            _disk("nvme", "Hard disk 1", 100.0, shared_bus=None, controller="NVME controller 0"),
            _disk("blank", "Hard disk 1", 100.0, sharing=None, shared_bus=None),
            _disk("plain", "Hard disk 1", 100.0),
        ],
    )
    f = _facts(ctx)
    assert f.loc["mw", "shared_disk_count"] == 1 and f.loc["mw", "shared_disk"]
    assert f.loc["bus", "shared_disk_count"] == 1
    assert f.loc["v3", "shared_disk_count"] == 1
    assert f.loc["nvme", "shared_disk_count"] == 0  # NVMe has no bus sharing
    assert pd.isna(f.loc["blank", "shared_disk_count"])  # nothing known: unknown, not 0
    assert f.loc["plain", "shared_disk_count"] == 0 and not f.loc["plain", "shared_disk"]


def test_raw_and_independent_disks():
    ctx = _context(
        [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}],
        [
            _disk("a", "Hard disk 1", 100.0),
            _disk("a", "Hard disk 2", 1024.0, raw=True, raw_mode="physicalMode"),
            _disk("a", "Hard disk 3", 200.0, disk_mode="independent_persistent"),
            _disk("b", "Hard disk 1", 60.0),
        ],
    )
    f = _facts(ctx)
    assert (f.loc["a", "rdm_disk_count"], f.loc["a", "rdm_gib"]) == (1, 1024)
    assert (f.loc["a", "independent_disk_count"], f.loc["a", "independent_gib"]) == (1, 200)
    assert (f.loc["b", "rdm_disk_count"], f.loc["b", "rdm_gib"]) == (0, 0)
    assert f.loc["b", "independent_disk_count"] == 0


@pytest.fixture(scope="module")
def sample(generated_samples):
    a = assess(
        load_inventory(generated_samples / "acme-rvtools.xlsx"),
        load_profile(generated_samples / "acme-profile.yaml"),
    )
    return a.facts.set_index("name")


def _named(facts: pd.DataFrame, column: str) -> set[str]:
    return set(facts.index[facts[column].fillna(False).astype(bool)])


def test_sample_planted_storage_problems(sample):
    assert _named(sample, "shared_disk") == {"bsl-sqlclu-01a", "bsl-sqlclu-01b"}  # P18
    assert set(sample.index[sample["rdm_disk_count"] > 0]) == {"bsl-sqlclu-01a", "bsl-sqlclu-01b"}
    assert set(sample.index[sample["independent_disk_count"] > 0]) == {"bsl-mon-01", "bsl-bkp-01"}
    assert sample.loc["bsl-fs-01", "largest_data_disk_gib"] == 6144  # P03
    assert sample.loc["bsl-rds-01", "os_disk_gib"] == 150
    assert sample["os_disk_gib"].notna().all()


# --- the guest's file systems --------------------------------------------------------------


def test_root_volume_group_spanning_disks_makes_them_all_os_disks():
    """A 1.6 GiB 'Hard disk 1' (/boot) and a 249 GiB 'Hard disk 2' holding a 233 GiB root
    volume: the OS image needs both disks, and neither is a data disk. Without partitions
    the boot disk stays 'Hard disk 1' alone."""
    ctx = _context(
        [{"id": n, "name": n} for n in ("lvm", "win", "nolist")],
        [
            _disk("lvm", "Hard disk 1", 1.6),
            _disk("lvm", "Hard disk 2", 248.8),
            _disk("win", "Hard disk 1", 100.0),
            _disk("win", "Hard disk 2", 500.0),
            _disk("nolist", "Hard disk 1", 1.0),
            _disk("nolist", "Hard disk 2", 250.0),
        ],
        partitions=[
            _part("lvm", "/boot", 1.0, 0.4),
            _part("lvm", "/", 232.7, 24.5),
            _part("win", "C:\\", 99.4, 36.4),
            _part("win", "D:\\", 499.9, 168.4),
        ],
    )
    f = _facts(ctx)
    assert f.loc["lvm", "os_disk_gib"] == pytest.approx(250.4)
    assert f.loc["lvm", "os_disk_count"] == 2 and f.loc["lvm", "data_disk_count"] == 0
    assert f.loc["lvm", "os_volume_used_gib"] == pytest.approx(24.5)
    assert f.loc["lvm", "os_volume_gib"] == pytest.approx(232.7)
    assert (f.loc["win", "os_disk_gib"], f.loc["win", "os_disk_count"]) == (100, 1)
    assert f.loc["win", "data_disk_gib"] == 500
    assert (f.loc["nolist", "os_disk_gib"], f.loc["nolist", "data_disk_count"]) == (1, 1)
    assert pd.isna(f.loc["nolist", "os_volume_used_gib"])


def test_repeated_mounts_of_one_file_system_count_once():
    """A BIND chroot repeats / under /var/named/chroot/...; an appliance re-mounts its
    config volume: one file system each. Equal drive letters are distinct volumes."""
    chroot = [
        _part("dns", f"/var/named/chroot/{p}", 84.1, 19.7)
        for p in ("etc/named", "etc/localtime", "usr/lib64/bind", "etc/services")
    ]
    ctx = _context(
        [{"id": "dns", "name": "dns"}, {"id": "twins", "name": "twins"}],
        [
            _disk("dns", "Hard disk 1", 100.0),
            _disk("twins", "Hard disk 1", 60.0),
            _disk("twins", "Hard disk 2", 20.0),
            _disk("twins", "Hard disk 3", 20.0),
        ],
        partitions=[
            _part("dns", "/", 84.1, 19.7),
            _part("dns", "/boot", 0.95, 0.36),
            *chroot,
            _part("twins", "C:\\", 59.5, 20.0),
            _part("twins", "E:\\", 19.99, 0.06),
            _part("twins", "F:\\", 19.99, 0.06),
            _part("twins", "C:\\mnt\\e\\", 19.99, 0.06),  # E: again, at a folder mount
        ],
    )
    f = _facts(ctx)
    assert f.loc["dns", "guest_written_gib"] == pytest.approx(20.06)
    assert f.loc["dns", "in_guest_volumes"] == 0 and f.loc["dns", "in_guest_gib"] == 0
    assert f.loc["twins", "guest_written_gib"] == pytest.approx(20.12)
    assert f.loc["twins", "in_guest_volumes"] == 0
    assert f.loc["twins", "guest_fs_coverage"] == pytest.approx(0.995, abs=0.001)


def test_volumes_that_do_not_fit_on_the_virtual_disks_lie_outside():
    """The system volume is placed first, then the largest that fit: a 1 TiB E: on a VM with
    100 + 500 GiB of disks is an in-guest volume; Z: (500 GiB) still fits. A VDI desktop
    whose C: fills its only disk mounts D: from elsewhere."""
    ctx = _context(
        [{"id": n, "name": n} for n in ("iscsi", "vdi", "fits")],
        [
            _disk("iscsi", "Hard disk 1", 100.0),
            _disk("iscsi", "Hard disk 2", 500.0),
            _disk("vdi", "Hard disk 1", 1024.0),
            _disk("fits", "Hard disk 1", 100.0),
        ],
        partitions=[
            _part("iscsi", "E:\\", 1024.0, 664.0),
            _part("iscsi", "C:\\", 99.4, 36.4),
            _part("iscsi", "Z:\\", 500.0, 168.4),
            _part("vdi", "C:\\", 1023.9, 638.5),
            _part("vdi", "D:\\", 500.0, 137.8),
            _part("fits", "/", 87.0, 10.0),
            _part("fits", "/boot", 1.0, 0.4),
        ],
    )
    f = _facts(ctx)
    assert f.loc["iscsi", "in_guest_volumes"] == 1
    assert f.loc["iscsi", "in_guest_capacity_gib"] == 1024
    assert f.loc["iscsi", "in_guest_gib"] == 664
    assert f.loc["iscsi", "in_guest_mounts"] == "E:\\ 664 of 1,024 GiB in use"
    assert f.loc["iscsi", "guest_written_gib"] == pytest.approx(204.8)
    assert f.loc["iscsi", "virtual_disk_gib"] == 600
    assert f.loc["vdi", "in_guest_mounts"] == "D:\\ 138 of 500 GiB in use"
    assert f.loc["vdi", "guest_written_gib"] == pytest.approx(638.5)
    assert f.loc["fits", "in_guest_volumes"] == 0 and pd.isna(f.loc["fits", "in_guest_mounts"])


def test_guest_facts_stay_unknown_without_usable_evidence():
    """No partitions, rows of two VMs under one name (one mount, two sizes), a missing
    size, or no disk room: nothing is concluded. Without disk rows the provisioned storage
    is the room."""
    ctx = _context(
        [
            {"id": "none", "name": "none"},
            {"id": "mixed", "name": "mixed"},
            {"id": "gap", "name": "gap"},
            {"id": "noroom", "name": "noroom"},
            {"id": "prov", "name": "prov", "provisioned_gib": 120.0},
        ],
        [
            _disk("none", "Hard disk 1", 100.0),
            _disk("mixed", "Hard disk 1", 100.0),
            _disk("gap", "Hard disk 1", 100.0),
        ],
        partitions=[
            _part("mixed", "C:\\", 99.0, 30.0),
            _part("mixed", "C:\\", 1600.0, 58.0),
            _part("gap", "/", 80.0, None),
            _part("noroom", "/", 80.0, 10.0),
            _part("noroom", "/data", 4000.0, 1000.0),
            _part("prov", "C:\\", 99.0, 30.0),
            _part("prov", "E:\\", 500.0, 200.0),
        ],
    )
    f = _facts(ctx)
    for name in ("none", "mixed", "gap", "noroom"):
        assert pd.isna(f.loc[name, "in_guest_volumes"]), name
        assert pd.isna(f.loc[name, "guest_written_gib"]), name
    assert pd.isna(f.loc["mixed", "os_volume_used_gib"])
    assert f.loc["noroom", "os_volume_used_gib"] == 10  # the system volume itself is known
    assert f.loc["prov", "virtual_disk_gib"] == 120
    assert f.loc["prov", "in_guest_mounts"] == "E:\\ 200 of 500 GiB in use"


# --- real exports ----------------------------------------------------------------------------


def _export(corpus, name: str) -> pd.DataFrame:
    inv = load_inventory(corpus / name)
    ctx = run_modules(inv, (inventory_facts, storage))
    return ctx.facts.set_index(ctx.servers["name"].astype(str).to_numpy())


def test_real_export_in_guest_volumes_339(corpus):
    """Windows servers whose data drives are far larger than their virtual disks (iSCSI
    LUNs attached in the guest); BIND servers repeating / under their chroot and firewall
    managers re-mounting their config volume are not."""
    f = _export(corpus, "rvtools-4.6.1-anon-339vms.xlsx")
    found = set(f.index[f["in_guest_volumes"].fillna(0) > 0])
    assert found == {"Neelix-New", "Loto", "Hera", "sarekdr-axp"}
    assert f.loc["Neelix-New", "in_guest_volumes"] == 3
    assert f.loc["Neelix-New", "in_guest_mounts"].startswith("H:\\ 2,695 of 3,072 GiB")
    assert f.loc["Loto", "in_guest_mounts"] == "E:\\ 664 of 1,024 GiB in use"
    assert f.loc["sarekdr-axp", "in_guest_gib"] == pytest.approx(403.3, abs=0.1)
    for chrooted in ("Prakasam", "ins5", "papaya", "umbro", "dante", "Panorama-AH"):
        assert f.loc[chrooted, "in_guest_volumes"] == 0, chrooted
    # /, /boot and ten chroot entries of one file system: / and /boot counted once each
    assert f.loc["Prakasam", "guest_written_gib"] == pytest.approx(20.05, abs=0.01)
    # the root volume group of these spans 'Hard disk 1' (/boot) and 'Hard disk 2'
    for spanning in ("barrage", "dante", "dharani"):
        assert f.loc[spanning, "os_disk_count"] == 2, spanning
        assert f.loc[spanning, "data_disk_count"] == 0, spanning
    assert f.loc["barrage", "os_disk_gib"] == pytest.approx(250.5, abs=0.1)
    # a 1.35 TB disk without any file system the guest shows: its figures miss data
    assert f.loc["Pink", "guest_fs_coverage"] < 0.1


def test_real_export_in_guest_volumes_655_and_boot_disks(corpus):
    """VDI desktops with 1 TiB system disks: four mount extra drives from outside their only
    disk. Their boot disk is the 1 TiB 'Hard disk 1', whose system volume alone holds more
    than an Exoscale custom template may (100 GB), so DSK003 fails for them on real
    evidence."""
    f = _export(corpus, "rvtools-4.6.1-anon-655vms.xlsx")
    found = set(f.index[f["in_guest_volumes"].fillna(0) > 0])
    assert found == {"hubbard-ETS-VDI", "krishn-W10-VDI", "torrbyr-W10-VDI", "zhengj2-W10-VDI"}
    assert f.loc["krishn-W10-VDI", "in_guest_volumes"] == 3
    assert f.loc["hubbard-ETS-VDI", "in_guest_mounts"] == "D:\\ 138 of 500 GiB in use"
    vdi = f.loc["hubbard-ETS-VDI"]
    assert (vdi["os_disk_gib"], vdi["os_disk_count"]) == (1024, 1)
    assert vdi["os_volume_used_gib"] > vdi["target_template_max_gib"]


def test_real_export_without_disk_rows_reads_the_system_volume(corpus):
    """The 805-VM export has no vDisk tab: the boot disk is unknown, but a system volume of
    500 GiB says it is over the 100 GB template limit (DSK003 fails on evidence); an 80 GiB
    C: says nothing about the disk under it (DSK003 stays unknown)."""
    f = _export(corpus, "rvtools-3.x-trimmed-3tabs.xlsx")
    assert pd.isna(f.loc["BOWBLDSRV01", "os_disk_gib"])
    assert f.loc["BOWBLDSRV01", "os_volume_gib"] == pytest.approx(500, abs=1)
    assert int((f["os_volume_gib"] > f["target_template_max_gib"]).sum()) == 66


def test_real_export_rows_of_several_vms_under_one_name_are_not_read(corpus):
    """The 100-VM subset lists four VMs named MSPM1BAPPS228 whose partitions all land on
    one server, under one placeholder mount: no in-guest storage is concluded from them."""
    f = _export(corpus, "rvtools-subset-100vms.xlsx")
    assert pd.isna(f.loc["MSPM1BAPPS228", "in_guest_volumes"]).all()
    assert not (f["in_guest_volumes"].fillna(0) > 0).any()


def test_real_export_verdicts_through_the_pipeline(corpus):
    """The whole assessment of the 339-VM export with one site on a 100 Mbit/s uplink:
    STO005 names the four servers with in-guest volumes, DSK001 says what its copy time
    rests on, and DSK003 now fails a root volume group spread over two disks."""
    from advisor.profile import parse_profile

    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    datacenters = sorted(set(inv.servers["datacenter"].dropna().astype(str)))
    site = {"name": "DC", "lat": 47.4, "lon": 8.5, "uplink_mbps": 100, "datacenters": datacenters}
    a = assess(inv, parse_profile({"sites": [site]}))
    names = a.inventory.servers.set_index("id")["name"]
    found = a.evaluation.findings
    failed = found[found["status"] == "fail"].assign(server=lambda x: x["server_id"].map(names))
    sto005 = failed[failed["code"] == "STO005"].set_index("server")
    assert set(sto005.index) == {"Neelix-New", "Loto", "Hera", "sarekdr-axp"}
    assert "E:\\ 664 of 1,024 GiB in use" in sto005.loc["Loto", "message"]
    dsk001 = failed[failed["code"] == "DSK001"].set_index("server")
    assert "from guest partitions + in-guest volumes" in dsk001.loc["Neelix-New", "message"]
    dsk003 = failed[failed["code"] == "DSK003"].set_index("server")
    assert "across 2 disks" in dsk003.loc["barrage", "message"]
