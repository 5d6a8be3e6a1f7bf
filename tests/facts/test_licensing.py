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


def _facts(servers, *, devices=None, nics=None, provider="exoscale", tabs=("vInfo", "vUSB")):
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools", tabs_read=list(tabs)),
        devices=conform("devices", pd.DataFrame(devices or [])),
        nics=conform("nics", pd.DataFrame(nics or [])),
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
