"""Storage facts: boot disk, data disks and volumes, shared / raw / independent disks,
and the target limits they are compared with."""

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


def _context(servers: list[dict], disks: list[dict], provider: str = "exoscale"):
    frame = conform("servers", pd.DataFrame(servers))
    inv = Inventory(
        servers=frame,
        source=Source(path="test", format="rvtools"),
        disks=conform("disks", pd.DataFrame(disks)) if disks else conform("disks", pd.DataFrame()),
    )
    return run_modules(inv, (inventory_facts,), provider=provider)


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
