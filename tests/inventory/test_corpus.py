"""The real-world corpus in ../shared/inventories: counts from its README, and honest reports.

These files were written by other people's tools and hands; nobody on this team made them.
"""

from __future__ import annotations

import pytest

from advisor.inventory import load_inventory
from advisor.inventory.summary import inspect_summary

# file -> (format, servers in vInfo incl. templates, templates, RVTools version or None)
EXPECTED = {
    "rvtools-4.6.1-anon-339vms.xlsx": ("rvtools", 339, 44, "4.6.1.3"),
    "rvtools-4.6.1-anon-655vms.xlsx": ("rvtools", 655, 18, "4.6.1.3"),
    "rvtools-4.7-libreoffice-6tabs.xlsx": ("rvtools", 9, 0, None),
    "rvtools-3.10.1-25tabs.xlsx": ("rvtools", 27, 1, "3.10.1.0"),
    "rvtools-3.x-trimmed-3tabs.xlsx": ("rvtools", 805, 10, None),
    "rvtools-3.x-trimmed-5tabs.xlsx": ("rvtools", 131, 2, None),
    "rvtools-3.x-tabvInfo.csv": ("rvtools-csv", 5, 0, None),
    "rvtools-subset-100vms.xlsx": ("rvtools", 100, 0, None),
    "azure-migrate-template.csv": ("azure-migrate", 10, 0, None),
    "azure-migrate-10servers.csv": ("azure-migrate", 10, 0, None),
    "azure-migrate-90servers.csv": ("azure-migrate", 90, 0, None),
    "odd-synthetic-partial-headers.xlsx": ("rvtools", 5, 0, None),
    "odd-synthetic-3vms.xlsx": ("rvtools", 3, 0, None),
}


def test_corpus_is_complete(corpus):
    present = {p.name for p in corpus.iterdir() if p.suffix in (".xlsx", ".csv")}
    assert present == set(EXPECTED), "the corpus changed: update EXPECTED from its README"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_counts(corpus, name):
    fmt, servers, templates, version = EXPECTED[name]
    summary = inspect_summary(load_inventory(corpus / name))
    assert summary["format"] == fmt
    assert summary["servers"] == servers
    assert summary["servers_kept"] + summary["servers_rejected"] == servers
    assert summary["counts"]["templates"] == templates
    assert summary["format_version"] == version
    # Every server has its name; memory is known nearly everywhere in the real exports.
    assert summary["completeness"]["name"] == 1.0
    assert summary["completeness"]["memory_gib"] > 0.85


def test_blank_cells_stay_unknown_not_zero(corpus):
    inv = load_inventory(corpus / "rvtools-4.7-libreoffice-6tabs.xlsx")
    vm9 = inv.servers.set_index("name").loc["vm-9"]
    assert vm9[["memory_gib", "vcpus"]].isna().all()
    assert not inv.source.problems  # blank is unknown, not a rejected value


@pytest.mark.parametrize("name", ["odd-synthetic-partial-headers.xlsx", "odd-synthetic-3vms.xlsx"])
def test_odd_files_say_what_they_could_not_map(corpus, name):
    summary = inspect_summary(load_inventory(corpus / name))
    assert summary["unmapped"], "odd headers must be listed as unmapped"
    assert any("no column for" in note for note in summary["notes"])


def test_partial_headers_lack_template_and_used_columns(corpus):
    summary = inspect_summary(load_inventory(corpus / "odd-synthetic-partial-headers.xlsx"))
    missing = " ".join(n for n in summary["notes"] if n.startswith("vInfo: no column for"))
    for field in ("is_template", "used_gib", "disk_count"):
        assert field in missing
    assert {m["header"] for m in summary["unmapped"]} >= {"Property", "Value"}


def test_csv_thousands_separators_and_line_breaks(corpus):
    inv = load_inventory(corpus / "rvtools-3.x-tabvInfo.csv")
    first = inv.servers.iloc[0]
    assert first["memory_gib"] == 16.0  # "16,384" MiB
    assert first["provisioned_gib"] == pytest.approx(206057 / 1024)
    assert "attr.NB_LAST_BACKUP" in inv.servers.columns


def test_rvtools_4x_detail_tabs_and_custom_attributes(corpus):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    assert {"attr.NB_LAST_BACKUP", "attr.Rubrik_LastBackup"} <= set(inv.servers.columns)
    assert len(inv.snapshots) == 36 and inv.snapshots["created"].notna().all()
    assert inv.nics["mac_type"].notna().all()
    assert (inv.disks["capacity_gib"] > 0).all()
    # Every detail row belongs to a server that was read.
    for table in (inv.disks, inv.partitions, inv.snapshots, inv.nics, inv.devices):
        assert table["server_id"].isin(inv.servers["id"]).all()


def test_hand_edited_vpartition_header_joins_by_vm_id(corpus):
    inv = load_inventory(corpus / "rvtools-3.x-trimmed-5tabs.xlsx")
    assert len(inv.partitions) > 0
    assert {m.header for m in inv.source.mapping if m.status == "unmapped"} >= {"NEXT Data Center"}
