"""Licensing facts: vendors with cloud rules (Oracle, Microsoft, SAP, IBM, Red Hat), licences
bound to hardware (dongles, MAC addresses, host IDs) and the target's licensing verdicts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.facts import identity, inventory_facts, licensing, location, network
from advisor.facts.base import FactContext
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"
AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
MODULES = (inventory_facts, identity, location, network, licensing)


def _run(inv: Inventory, provider: str = "exoscale") -> FactContext:
    return run_modules(inv, MODULES, provider=provider, as_of=AS_OF)


def _facts(
    servers,
    *,
    devices=None,
    nics=None,
    partitions=(),
    provider="exoscale",
    tabs=("vInfo", "vUSB"),
):
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    mounts = [{"server_id": f"vm-{i}", "mount": m} for i, m in partitions]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools", tabs_read=list(tabs)),
        devices=conform("devices", pd.DataFrame(devices or [])),
        nics=conform("nics", pd.DataFrame(nics or [])),
        partitions=conform("partitions", pd.DataFrame(mounts)),
    )
    ctx = _run(inv, provider)
    return ctx, ctx.facts.set_index(ctx.servers["name"].to_numpy())


@pytest.fixture(scope="module")
def sample():
    ctx = _run(load_inventory(SAMPLES / "acme-rvtools.xlsx"))
    return ctx, ctx.facts.set_index(ctx.servers["name"].to_numpy())


def _names(frame: pd.DataFrame, fact: str) -> set[str]:
    return set(frame.index[frame[fact].fillna(False).astype(bool)])


def test_sample_planted_licensing_problems(sample):
    _, f = sample
    assert _names(f, "oracle_database") == {"bsl-ora-01", "bsl-tst-ora-01"}
    assert f.loc["bsl-ora-01", "oracle_edition"] == "enterprise"
    assert _names(f, "usb_dongle") == {"bsl-lic-01"}
    assert _names(f, "mac_bound_license") == {"bsl-cam-01"}  # not the NLB pair's manual MACs
    assert _names(f, "hostid_bound_license") == {"bsl-lic-01"}
    assert _names(f, "sap_system") == {"bsl-sap-01", "bsl-hana-01", "bsl-tst-sap-01"}
    assert _names(f, "sap_production") == {"bsl-sap-01", "bsl-hana-01"}
    sql = {"bsl-sql-01", "bsl-sql-02", "bsl-sqlclu-01a", "bsl-sqlclu-01b"}
    assert _names(f, "has_microsoft_server_product") == sql | {"bsl-exch-01"}
    assert f.loc["bsl-tst-sql-01", "sql_server_edition"] == "developer"  # free edition
    assert f.loc["bsl-lic-01", "license_binding"] == "USB dongle, host ID"
    assert "SafeNet Sentinel HL dongle" in f.loc["bsl-lic-01", "dongle_evidence"]
    assert not _names(f, "has_ibm_product")
    assert f.loc["bsl-ora-01", "license_vendor"] == "oracle"
    assert f.loc["bsl-sql-01", "license_vendor"] == "microsoft"


def test_sample_targets_and_portfolio(sample):
    ctx, f = sample
    assert set(f["target_oracle_authorized"]) == {"no"}
    assert set(f["target_red_hat_cloud_access"]) == {"unverified"}
    assert set(f["target_custom_mac_status"]) == {"no"}
    assert set(f["target_usb_passthrough"]) == {"no"}
    assert ctx.portfolio["target_windows_licence_included"] == "unverified"
    live_windows = f["windows_server"].fillna(False).astype(bool) & ~f["is_template"]
    assert ctx.portfolio["estate_windows_servers"] == int(live_windows.sum()) > 30


def test_scaleway_verdicts():
    ctx, f = _facts([{"os_name": "Red Hat Enterprise Linux 9 (64-bit)"}], provider="scaleway")
    assert f["target_red_hat_cloud_access"].iloc[0] == "yes"
    assert f["target_custom_mac_status"].iloc[0] == "unverified"
    assert ctx.portfolio["target_windows_licence_included"] == "yes"


def test_products_from_notes():
    _, f = _facts(
        [
            {"application": "Oracle Database 19c", "annotation": "Standard Edition 2, 4 vCPU"},
            {"application": "SQL Server 2019 Express", "annotation": "local tools DB"},
            {"application": "SharePoint Server 2019"},
            {"application": "Intranet portal", "annotation": "IBM WebSphere 9 and Db2 11.5"},
            {"application": "Supplier exchange (SFTP)"},
            {"application": "Firewall logs", "annotation": "Microsoft Sentinel agent"},
            {"annotation": "IBM appliance"},
        ]
    )
    assert bool(f.loc["srv-00", "oracle_database"])
    assert f.loc["srv-00", "oracle_edition"] == "standard"
    assert pd.isna(f.loc["srv-01", "microsoft_server_product"])  # Express is free
    assert f.loc["srv-02", "microsoft_server_product"] == "sharepoint"
    assert f.loc["srv-03", "ibm_product"] == "websphere, db2"
    assert pd.isna(f.loc["srv-04", "microsoft_server_product"])  # 'exchange' of files
    assert not f.loc["srv-05", "usb_dongle"]  # Sentinel the SIEM, not a dongle
    assert f.loc["srv-06", "ibm_product"] == "ibm"


def test_hardware_bindings_and_negation():
    _, f = _facts(
        [
            {"annotation": "Licence dongle (CodeMeter) on the host"},
            {"annotation": "No dongle any more: network licence since 2024"},
            {"annotation": "CAD licence is tied to MAC 00:50:56:aa:bb:cc"},
            {"role": "Licence server", "annotation": "FlexLM for Ansys"},
            {"application": "Ansys client", "annotation": "uses FlexLM on lic-01"},
            {"role": "Licence server"},
            {"annotation": "node-locked licence"},
            {},
        ],
        devices=[{"server_id": "vm-7", "kind": "usb", "device": "Aladdin HASP HL 3.21"}],
        nics=[{"server_id": "vm-5", "mac": "00:50:56:01:02:03", "mac_type": "manual"}],
    )
    assert f["usb_dongle"].tolist() == [True, False, False, False, False, False, False, True]
    assert f["mac_bound_license"].tolist() == [False, False, True, False, False, True, False, False]
    assert f.loc["srv-05", "mac_licence_evidence"] == "manual MAC on a licence server"
    hostid = f["hostid_bound_license"].tolist()
    assert hostid == [False, False, False, True, False, False, True, False]
    assert f.loc["srv-07", "usb_device_count"] == 1
    assert f.loc["srv-00", "usb_device_count"] == 0
    assert bool(f.loc["srv-00", "hardware_bound_license"])


def test_usb_count_unknown_without_usb_data():
    _, f = _facts([{"annotation": "web server"}], tabs=("vInfo",))
    assert pd.isna(f["usb_device_count"].iloc[0])
    assert not f["usb_dongle"].iloc[0]


def test_windows_server_and_rhel():
    _, f = _facts(
        [
            {"os_name": "Win 2012 R2", "os_family": "other"},
            {"os_name": "Microsoft Windows 10 (64-bit)", "os_family": "windows"},
            {"os_name": "RHEL 8.10", "os_family": "linux"},
            {},
        ]
    )
    assert f["windows_server"].tolist()[:3] == [True, False, False]
    assert pd.isna(f["windows_server"].iloc[3])  # no OS: unknown, not false
    assert f["rhel_server"].tolist()[:3] == [False, False, True]


def test_sap_production_from_notes_when_estate_is_silent():
    _, f = _facts(
        [
            {"application": "SAP S/4HANA (PRD)"},
            {"application": "SAP ECC sandbox"},
            {"application": "SAP BW"},
            {"application": "ERP (Infor LN)", "name": "erp-01"},
        ]
    )
    assert f["sap_production"].iloc[0]
    assert not f["sap_production"].iloc[1]
    assert pd.isna(f["sap_production"].iloc[2])  # SAP, environment unknown
    assert not f["sap_system"].iloc[3]


def test_oracle_linux_is_no_oracle_database():
    """The OS is never evidence of a product: 'Oracle Linux' is no Oracle Database, wherever
    it is written."""
    _, f = _facts(
        [
            {"os_name": "Oracle Linux 8 (64-bit)", "os_family": "linux"},
            {"annotation": "Vulnerability scanner, runs on Oracle Linux 8"},
            {"application": "Oracle Enterprise Linux 7 jump host"},
        ]
    )
    assert not f["oracle_database"].any()
    assert f["oracle_evidence"].isna().all()
    assert f["license_vendor"].isna().all()


def test_products_from_names_mount_points_and_attributes():
    _, f = _facts(
        [
            {"name": "SRVSQL01"},
            {"name": "app-01"},
            {"name": "sap-01"},
            {"name": "EXCHAP01"},
            {"attr.NB_LAST_BACKUP": "2021-05-24, master01, MSSQL_Policy"},
            {"attr.Application": "SQL Server 2019 Standard"},
            {"name": "sql01", "application": "SQL Server 2019 Express"},
            {"name": "db2-reports", "annotation": "IBM WebSphere 9"},
        ],
        partitions=[(1, "/u01"), (1, "/"), (2, "/usr/sap"), (2, "/sapmnt")],
    )
    assert f.loc["SRVSQL01", "microsoft_server_product"] == "sqlserver"
    assert f.loc["SRVSQL01", "microsoft_product_evidence"] == "sqlserver: name 'SRVSQL01'"
    assert f.loc["app-01", "oracle_database"]
    assert f.loc["app-01", "oracle_evidence"] == "mount point '/u01'"
    assert f.loc["app-01", "license_vendor"] == "oracle"
    assert f.loc["sap-01", "sap_system"]
    assert f.loc["sap-01", "sap_evidence"] == "name 'sap-01', mount point '/usr/sap'"
    assert f.loc["EXCHAP01", "microsoft_product_evidence"] == "exchange: name 'EXCHAP01'"
    assert pd.isna(f.loc["srv-04", "microsoft_server_product"])  # a backup policy's name
    assert f.loc["srv-05", "microsoft_product_evidence"] == (
        "sqlserver: custom attribute 'Application' 'sql server'"
    )
    assert pd.isna(f.loc["sql01", "microsoft_server_product"])  # Express is free
    assert f.loc["db2-reports", "ibm_product"] == "websphere"  # 'db2' in a name: database no. 2
    assert f.loc["db2-reports", "ibm_evidence"] == "websphere: notes 'websphere'"


def test_real_export_products(corpus):
    ctx = run_modules(
        load_inventory(corpus / "rvtools-3.x-trimmed-5tabs.xlsx"), MODULES, as_of=AS_OF
    )
    f = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    # two Avaya appliances run Oracle Linux: no Oracle Database anywhere in this estate
    assert not f["oracle_database"].any()
    assert not f["license_vendor"].str.contains("oracle").fillna(False).any()
    exchange = {"EXCHAP01", "EXCHAP02", "EXCHAP03"}
    assert _names(f, "has_microsoft_server_product") == exchange | {"SCCMAP01"}
    # 'SCCMBC01' runs Windows 10: a test client of SCCM, not its server
    assert not f.loc["SCCMBC01", "has_microsoft_server_product"]
    ctx = run_modules(
        load_inventory(corpus / "rvtools-3.x-trimmed-3tabs.xlsx"), MODULES, as_of=AS_OF
    )
    g = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    assert g.loc["BOWSQL14", "microsoft_product_evidence"] == "sqlserver: name 'BOWSQL14'"
    assert g.loc["BOWSAPWTS2", "microsoft_product_evidence"] == (
        "sqlserver: mount point 'E:\\TempDB\\Disk1\\'"
    )
    assert g.loc["BOWEXCHSVC1", "microsoft_server_product"] == "exchange"
    assert not _names(g, "sap_system") & {"wsapdn3", "BOWSAPFTP", "BOWFLEXNETSAP1"}


def test_a_physical_makers_mac_on_a_vm_binds_a_licence():
    """A VM whose adapter carries an Intel card's MAC had it copied from the machine it
    replaced: the licence is MAC-bound, whatever the notes say; a VMware MAC is not."""
    _, f = _facts(
        [{"power_state": "on"}, {"power_state": "on"}],
        nics=[
            {"server_id": "vm-0", "mac": "00:1b:21:3a:4b:5c", "mac_type": "manual"},
            {"server_id": "vm-1", "mac": "00:50:56:aa:bb:cc", "mac_type": "assigned"},
        ],
        tabs=("vInfo", "vNetwork"),
    )
    assert f["mac_bound_license"].tolist() == [True, False]
    assert f.loc["srv-00", "mac_licence_evidence"].startswith("MAC 00:1b:21:3a:4b:5c of Intel")


def test_fedora_needs_no_red_hat_subscription():
    _, f = _facts(
        [{"os_name": "Red Hat Fedora (32-bit)"}, {"os_name": "Red Hat Enterprise Linux 9 (64-bit)"}]
    )
    assert f["rhel_server"].tolist() == [False, True]
