"""Topology facts: application groups (application column or name stem), the sites they
span, databases in them, and servers named in other servers' notes."""

from __future__ import annotations

import pandas as pd
from fact_helpers import run_modules

from advisor.facts import identity, inventory_facts, location, topology
from advisor.facts.base import FactContext
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import load_profile, parse_profile

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
PROFILE = {
    "sites": [
        {
            "name": "Basel HQ",
            "lat": 47.56,
            "lon": 7.59,
            "uplink_mbps": 100,
            "users": 250,
            "datacenters": ["Basel-DC"],
        },
        {
            "name": "Bern office",
            "lat": 46.95,
            "lon": 7.45,
            "uplink_mbps": 50,
            "users": 35,
            "datacenters": ["Bern-Office"],
        },
    ]
}
MODULES = (inventory_facts, identity, location, topology)


def run(inv, prof) -> FactContext:
    return run_modules(inv, MODULES, profile=prof, as_of=AS_OF)


def build(servers, dependencies=None, profile=PROFILE):
    rows = [{"is_template": False, "power_state": "on", **s} for s in servers]
    for s in rows:
        s.setdefault("id", s["name"])
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)), source=Source(path="test", format="rvtools")
    )
    if dependencies:
        inv.dependencies = conform("dependencies", pd.DataFrame(dependencies))
    ctx = run(inv, parse_profile(profile))
    return ctx.facts.set_index(ctx.servers["name"].astype(str).to_numpy())


def test_application_column_is_cleaned_and_brackets_join_groups():
    f = build(
        [
            {
                "name": "web1",
                "datacenter": "Basel-DC",
                "application": "Customer Portal (nginx/PHP)",
            },
            {
                "name": "app1",
                "datacenter": "Basel-DC",
                "application": "Customer Portal backend (Java)",
            },
            {
                "name": "pg1",
                "datacenter": "Basel-DC",
                "application": "PostgreSQL 15 (Customer Portal)",
            },
            {"name": "tst1", "datacenter": "Basel-DC", "application": "Customer Portal (test)"},
            {"name": "ora1", "datacenter": "Basel-DC", "application": "Oracle Database 19c"},
            {"name": "erp1", "datacenter": "Basel-DC", "application": "ERP (Infor LN) test"},
        ]
    )
    assert set(f.loc[["web1", "app1", "pg1", "tst1"], "application_key"]) == {"customer portal"}
    assert f.loc["web1", "application_servers"] == 4
    assert f.loc["web1", "application_has_database"]  # pg1 is a database by its application
    assert f.loc["ora1", "application_key"] == "oracle database"
    assert f.loc["erp1", "application_key"] == "erp"


def test_name_stem_without_application():
    f = build(
        [
            {"name": "bsl-web-01.acme.local", "datacenter": "Basel-DC"},
            {"name": "bsl-tst-web-02", "datacenter": "Basel-DC"},
            {"name": "brn-web-01", "datacenter": "Bern-Office"},
            {"name": "crm-app-01", "datacenter": "Basel-DC"},
            {"name": "crm-db-01", "datacenter": "Bern-Office"},
            {"name": "bsl-sqlclu-01a", "datacenter": "Basel-DC"},
            {"name": "zeus", "datacenter": "Basel-DC"},
        ]
    )
    assert f.loc["bsl-web-01.acme.local", "application_key"] == "web"
    assert f.loc["bsl-tst-web-02", "application_key"] == "web"
    assert f.loc["brn-web-01", "application_key"] == "web"
    assert f.loc["bsl-sqlclu-01a", "application_key"] == "sqlclu"
    assert f.loc["zeus", "application_key"] == "zeus"
    crm = f.loc[["crm-app-01", "crm-db-01"]]
    assert set(crm["application_key"]) == {"crm"}
    assert (crm["application_sites"] == 2).all()
    assert crm["application_site_names"].iloc[0] == "Basel HQ, Bern office"
    # The app server's database stands at the other site; the database itself is not split.
    assert f.loc["crm-app-01", "application_db_elsewhere"]
    assert not f.loc["crm-db-01", "application_db_elsewhere"]
    # Three web servers over two sites, but no database among them.
    assert f.loc["brn-web-01", "application_sites"] == 2
    assert not f.loc["brn-web-01", "application_db_elsewhere"]


def test_unknown_sites_make_site_counts_unknown():
    f = build(
        [
            {"name": "crm-app-01", "datacenter": "Basel-DC"},
            {"name": "crm-db-01"},
            {"name": "solo"},
        ]
    )
    assert pd.isna(f.loc["crm-app-01", "application_sites"])
    assert not f.loc["crm-db-01", "application_db_elsewhere"]  # a database is never split
    assert pd.isna(f.loc["crm-app-01", "application_db_elsewhere"])
    assert pd.isna(f.loc["solo", "application_sites"])


def test_named_servers_in_notes_and_dependencies():
    f = build(
        [
            {
                "name": "bsl-erp-01",
                "datacenter": "Basel-DC",
                "annotation": "Infor LN application server, database on bsl-ora-01.",
            },
            {"name": "bsl-ora-01", "datacenter": "Basel-DC", "application": "Oracle Database 19c"},
            {
                "name": "bsl-lb-01",
                "datacenter": "Basel-DC",
                "annotation": "HAProxy in front of bsl-web-01..03",
            },
            {
                "name": "bsl-web-01",
                "datacenter": "Basel-DC",
                "annotation": "Sessions in PostgreSQL on bsl-ora-01",
            },
            {
                "name": "brn-app-01",
                "datacenter": "Bern-Office",
                "annotation": "Reads price lists from bsl-fs-01.acme.local",
            },
            {"name": "bsl-fs-01", "datacenter": "Basel-DC", "role": "File server"},
            {"name": "bsl-sftp-01", "datacenter": "Basel-DC", "annotation": "Replaces bsl-ftp-01."},
            {"name": "bsl-ftp-01", "datacenter": "Basel-DC"},
            {"name": "bsl-rpt-01", "datacenter": "Basel-DC"},
            {"name": "bsl-bi-01", "datacenter": "Basel-DC", "annotation": "reads from cloudy-01"},
            {"name": "cloudy-01"},
        ],
        dependencies=[{"source": "bsl-rpt-01", "target": "bsl-ora-01", "port": 1521}],
    )
    assert f.loc["bsl-erp-01", "linked_servers"] == "bsl-ora-01"
    assert f.loc["bsl-erp-01", "linked_database"] == "bsl-ora-01"
    assert f.loc["bsl-erp-01", "linked_elsewhere_count"] == 0
    # bsl-web-01 is a database only by its notes; a link to it is not a database link.
    assert f.loc["bsl-lb-01", "linked_servers"] == "bsl-web-01"
    assert f.loc["bsl-lb-01", "linked_database_count"] == 0
    assert f.loc["brn-app-01", "linked_elsewhere"] == "bsl-fs-01"
    assert f.loc["brn-app-01", "linked_elsewhere_count"] == 1
    assert f.loc["bsl-sftp-01", "linked_servers_count"] == 0  # "replaces" is no dependency
    assert f.loc["bsl-rpt-01", "linked_database"] == "bsl-ora-01"
    assert f.loc["bsl-ora-01", "linked_servers_count"] == 0
    assert pd.isna(f.loc["bsl-bi-01", "linked_elsewhere_count"])  # cloudy-01 has no site


def test_sample_estate(generated_samples):
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    ctx = run(inv, load_profile(generated_samples / "acme-profile.yaml"))
    f = ctx.facts.set_index(ctx.servers["name"].astype(str).to_numpy())
    portal = f[f["application_key"] == "customer portal"]
    assert {"bsl-web-01", "bsl-app-01", "bsl-appdb-01", "bsl-lb-01", "bsl-mq-01"} <= set(
        portal.index
    )
    assert (portal["application_sites"] == 1).all()
    assert f.loc["bsl-sap-01", "linked_database"] == "bsl-hana-01"
    assert f.loc["bsl-erp-01", "linked_database"] == "bsl-ora-01"
    assert f.loc["vie-app-01", "linked_servers"] == "vie-fs-01"
    assert not f["application_db_elsewhere"].fillna(False).astype(bool).any()
    assert (f["linked_elsewhere_count"].fillna(0) == 0).all()
