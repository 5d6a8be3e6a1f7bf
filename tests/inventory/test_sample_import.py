"""The bundled sample estate, freshly generated, imports in all three formats and keeps the
evidence later rules need: planted problems must survive the import, not just exist in Excel."""

from __future__ import annotations

import pandas as pd
import pytest

from advisor.inventory import load_inventory

FILES = {
    "acme-rvtools.xlsx": ("rvtools", "4.7.1.4"),
    "acme-inventory.xlsx": ("generic", None),
    "acme-azure-migrate.csv": ("azure-migrate", None),
}


@pytest.fixture(scope="module")
def rv(generated_samples):
    return load_inventory(generated_samples / "acme-rvtools.xlsx")


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_format_imports_cleanly(generated_samples, name):
    inv = load_inventory(generated_samples / name)
    fmt, version = FILES[name]
    assert (inv.source.format, inv.source.format_version) == (fmt, version)
    assert not inv.source.problems, inv.source.problems[:3]
    assert not [m for m in inv.source.mapping if m.status == "unmapped"]
    assert inv.servers["id"].is_unique


def test_formats_agree_on_the_estate(generated_samples):
    rv = load_inventory(generated_samples / "acme-rvtools.xlsx").servers
    sheet = load_inventory(generated_samples / "acme-inventory.xlsx").servers
    azure = load_inventory(generated_samples / "acme-azure-migrate.csv").servers
    servers = set(rv.loc[~rv["is_template"].astype(bool), "name"])
    assert set(sheet["name"]) == servers
    assert {n.split(".")[0] for n in azure["name"]} == servers
    merged = rv.merge(sheet, on="name", suffixes=("_rv", "_sheet"))
    assert (merged["vcpus_rv"] == merged["vcpus_sheet"]).all()
    assert (merged["memory_gib_rv"] == merged["memory_gib_sheet"]).all()


def test_counts(rv):
    s = rv.servers
    assert len(s) == 80
    assert int(s["is_template"].sum()) == 3
    off = s["power_state"].eq("off").fillna(False) & ~s["is_template"].astype(bool)
    assert set(s.loc[off, "name"]) == {
        "bsl-crm-01",
        "bsl-ftp-01",
    }
    assert list(s.loc[s["power_state"].eq("suspended").fillna(False), "name"]) == ["bsl-dev-02"]


def _by_name(inv, table: str) -> pd.DataFrame:
    names = inv.servers.set_index("id")["name"]
    frame = getattr(inv, table)
    return frame.assign(server=frame["server_id"].map(names))


def test_planted_evidence_survives_import(rv):
    s = rv.servers.set_index("name")
    # P03: multi-TB file server
    assert s.loc["bsl-fs-01", "largest_disk_gib"] >= 6000
    assert s.loc["bsl-fs-01", "used_gib"] > 5000
    # P09: licence server with a USB dongle
    devices = _by_name(rv, "devices")
    assert "bsl-lic-01" in set(devices.loc[devices["kind"] == "usb", "server"])
    # P10/P11: manual MAC addresses
    nics = _by_name(rv, "nics")
    manual = set(nics.loc[nics["mac_type"] == "manual", "server"])
    assert {"bsl-cam-01", "bsl-rdgw-01", "bsl-rdgw-02"} <= manual
    # P16/P17: old snapshots, a deep chain on bsl-sql-02
    snaps = _by_name(rv, "snapshots")
    assert (snaps["server"] == "bsl-sql-02").sum() >= 3
    assert snaps["created"].min() < pd.Timestamp("2025-06-01", tz="UTC")
    # P18: shared and raw disks on the failover cluster
    disks = _by_name(rv, "disks")
    clustered = disks[disks["server"].isin(["bsl-sqlclu-01a", "bsl-sqlclu-01b"])]
    assert clustered["raw"].fillna(False).any()
    assert (
        clustered["sharing"].eq("sharingMultiWriter").any()
        or clustered["shared_bus"].eq("physicalSharing").any()
    )
    # P24: too large for any instance
    assert s.loc["bsl-analytics-01", "vcpus"] == 96
    assert s.loc["bsl-analytics-01", "memory_gib"] == 1024
    # P25: clear-text password in a note
    assert "pw" in s.loc["bsl-print-01", "annotation"].lower()
    # P15/P28: pets without owner or backup
    for pet in ("gandalf", "zeus", "pluto"):
        assert pd.isna(s.loc[pet, "owner"]) and pd.isna(s.loc[pet, "backup_method"])
    # P23: end-of-life OS text reaches os_name
    assert "2008" in s.loc["gandalf", "os_name"]
    # Custom attributes fill the customer fields
    assert s["owner"].notna().sum() >= 70


def test_spreadsheet_keeps_customer_knowledge(generated_samples):
    s = load_inventory(generated_samples / "acme-inventory.xlsx").servers.set_index("name")
    assert s.loc["bsl-dc-01", "users"] > 0
    assert s["site"].notna().all()
    assert s["role"].notna().sum() >= 70
    assert "attr.Patch group" in s.columns


def test_utilisation_survives_import_in_every_format(generated_samples):
    """Right-sizing needs CPU and memory in use: RVTools from vCPU and vInfo's active
    memory, Azure Migrate and the customer's sheet from their utilisation columns. Only
    running servers were measured; the sheet leaves out the unmonitored pets."""
    expected = {"acme-rvtools.xlsx": 74, "acme-azure-migrate.csv": 74, "acme-inventory.xlsx": 71}
    for name, measured in expected.items():
        s = load_inventory(generated_samples / name).servers.set_index("name")
        s.index = s.index.str.split(".").str[0]
        for column in ("cpu_usage_pct", "memory_usage_pct"):
            assert s[column].notna().sum() == measured, (name, column)
        for stopped in ("bsl-crm-01", "bsl-ftp-01", "bsl-dev-02"):
            assert pd.isna(s.loc[stopped, "cpu_usage_pct"]), (name, stopped)
        # The busiest and the idlest servers read alike in all three formats.
        assert s.loc["bsl-analytics-01", "cpu_usage_pct"] == pytest.approx(44, abs=0.5)
        assert s.loc["bsl-hana-01", "memory_usage_pct"] == pytest.approx(93, abs=0.5)
        assert s.loc["bsl-sqlclu-01b", "cpu_usage_pct"] < 2
        assert s.loc["bsl-tst-sap-01", "memory_usage_pct"] < 5


def test_the_spreadsheet_carries_a_dependency_table(generated_samples):
    deps = load_inventory(generated_samples / "acme-inventory.xlsx").dependencies
    assert len(deps) == 104
    assert deps["port"].notna().all()
    assert ("bsl-erp-01", "bsl-ora-01", 1521) in set(
        zip(deps["source"], deps["target"], deps["port"], strict=True)
    )
    # The other formats carry none; the sheet can be given to them with --dependencies.
    for name in ("acme-rvtools.xlsx", "acme-azure-migrate.csv"):
        assert load_inventory(generated_samples / name).dependencies.empty, name
