"""Directory facts: domain controllers per site and estate, FSMO holders, and DC backups
judged from the backup module's facts (read defensively): a DC the inventory says nothing
about is unknown, not at risk."""

from __future__ import annotations

import pandas as pd
from fact_helpers import by_name, run_modules

from advisor.facts import backup as backup_module
from advisor.facts import compute_facts, directory, identity, inventory_facts, location
from advisor.facts.base import FactContext
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile, load_profile, parse_profile

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
PROFILE = {
    "sites": [
        {
            "name": "HQ",
            "lat": 47.56,
            "lon": 7.59,
            "uplink_mbps": 100,
            "users": 250,
            "datacenters": ["DC-HQ"],
        },
        {
            "name": "Branch",
            "lat": 46.95,
            "lon": 7.45,
            "uplink_mbps": 50,
            "users": 35,
            "datacenters": ["DC-BR"],
        },
    ]
}


def run(inv, prof, modules, backup_facts=None) -> FactContext:
    """Compute `modules` in order; `backup_facts` stand in for the backup module's facts,
    joined just before `directory` runs."""
    before = tuple(m for m in modules if m is not directory)
    ctx = run_modules(inv, before, profile=prof, as_of=AS_OF)
    if backup_facts is not None:
        ctx.facts = ctx.facts.join(pd.DataFrame(backup_facts, index=ctx.servers.index))
    return compute_facts(ctx, (directory,)) if directory in modules else ctx


def build(servers, *, backup_facts=None):
    rows = [{"is_template": False, "power_state": "on", **s} for s in servers]
    for s in rows:
        s.setdefault("id", s["name"])
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)), source=Source(path="test", format="rvtools")
    )
    modules = (inventory_facts, identity, location, directory)
    return run(inv, parse_profile(PROFILE), modules, backup_facts).facts


SERVERS = [
    {
        "name": "hq-dc-01",
        "datacenter": "DC-HQ",
        "application": "Active Directory",
        "annotation": "PDC emulator, all FSMO roles. DNS, DHCP.",
    },
    {"name": "hq-dc-02", "datacenter": "DC-HQ", "application": "Active Directory"},
    {
        "name": "hq-dc-03",
        "datacenter": "DC-HQ",
        "application": "Active Directory",
        "power_state": "off",
    },
    {"name": "br-dc-01", "datacenter": "DC-BR", "application": "Active Directory"},
    {"name": "br-fs-01", "datacenter": "DC-BR", "role": "File server"},
    {
        "name": "tpl-dc",
        "datacenter": "DC-BR",
        "application": "Active Directory",
        "is_template": True,
    },
    {"name": "nowhere-dc", "application": "Active Directory"},
]


def test_counts_per_site_and_estate():
    f = build(SERVERS)
    assert f.loc["hq-dc-01", "dc_count_site"] == 2  # the powered-off DC does not count
    assert f.loc["br-dc-01", "dc_count_site"] == 1  # nor does the template
    assert f.loc["br-fs-01", "dc_count_site"] == 1
    assert pd.isna(f.loc["nowhere-dc", "dc_count_site"])
    assert (f["dc_count_estate"] == 4).all()


def test_fsmo_holder():
    f = build(SERVERS)
    assert f.loc["hq-dc-01", "fsmo_holder"]
    assert not f.loc["hq-dc-02", "fsmo_holder"]
    assert not f.loc["br-fs-01", "fsmo_holder"]


def test_without_backup_facts_dc_backup_is_unknown():
    f = build(SERVERS)
    assert pd.isna(f.loc["br-dc-01", "dc_backup_at_risk"])
    assert f.loc["br-dc-01", "dc_backup_evidence"] == "the inventory says nothing about its backup"
    assert not f.loc["br-fs-01", "dc_backup_at_risk"]  # not a DC: false, never unknown
    assert pd.isna(f.loc["br-fs-01", "dc_backup_evidence"])


def test_backup_facts_decide():
    n = len(SERVERS)
    state = [pd.NA] * n
    snap_only = [False] * n
    evidence = [pd.NA] * n
    snaps = [0] * n
    state[0], evidence[0] = "backup product named", "column 'Backup' says 'Veeam B&R daily'"
    snaps[0] = 2  # hq-dc-01: backed up, but has snapshots
    # hq-dc-02: nothing stated. This used to count as "at risk" (no tool named); the
    # inventory saying nothing is a question for the customer, not a finding.
    snap_only[1] = pd.NA
    state[2], evidence[2] = "stated as none", "attribute 'Backup' says 'none'"  # hq-dc-03
    state[3], snap_only[3] = "snapshots only", True  # br-dc-01
    evidence[3] = "column 'Backup' says 'snapshot only'"
    backup = {
        "backup_state": pd.array(state, dtype="string"),
        "snapshot_only_backup": pd.array(snap_only, dtype="boolean"),
        "backup_evidence": pd.array(evidence, dtype="string"),
        "snapshot_count": pd.array(snaps, dtype="Float64"),
    }
    f = build(SERVERS, backup_facts=backup)
    assert f.loc["br-dc-01", "dc_backup_at_risk"]
    assert f.loc["br-dc-01", "dc_backup_evidence"] == (
        "its only backup is VM snapshots (column 'Backup' says 'snapshot only')"
    )
    assert f.loc["hq-dc-03", "dc_backup_at_risk"]
    assert f.loc["hq-dc-03", "dc_backup_evidence"] == (
        "the inventory states it has no backup (attribute 'Backup' says 'none')"
    )
    assert pd.isna(f.loc["hq-dc-02", "dc_backup_at_risk"])
    assert f.loc["hq-dc-02", "dc_backup_evidence"] == "the inventory says nothing about its backup"
    assert not f.loc["hq-dc-01", "dc_backup_at_risk"]
    assert f.loc["hq-dc-01", "dc_snapshot_count"] == 2
    assert f.loc["hq-dc-01", "dc_backup_evidence"] == (
        "a backup product is recorded (column 'Backup' says 'Veeam B&R daily'); "
        "2 VM snapshots present"
    )
    assert not f.loc["br-fs-01", "dc_backup_at_risk"]
    assert pd.isna(f.loc["br-fs-01", "dc_snapshot_count"])


def test_real_dcs_backed_up_or_unknown(corpus):
    """The CSV's DC has a NetBackup date with a line break in it: backed up. The trimmed
    exports' DCs have no backup column and no snapshot list: unknown, no longer "at risk"."""
    modules = (inventory_facts, identity, location, backup_module, directory)
    inv = load_inventory(corpus / "rvtools-3.x-tabvInfo.csv")
    f = by_name(run_modules(inv, modules))
    assert f.loc["APDC03", "is_domain_controller"]
    assert not f.loc["APDC03", "dc_backup_at_risk"]
    assert "attribute 'NB_LAST_BACKUP'" in f.loc["APDC03", "dc_backup_evidence"]
    inv = load_inventory(corpus / "rvtools-3.x-trimmed-5tabs.xlsx")
    f = by_name(run_modules(inv, modules))
    assert f.loc["ADDSDC01", "is_domain_controller"]
    assert pd.isna(f.loc["ADDSDC01", "dc_backup_at_risk"])
    assert pd.isna(f.loc["ADDSDC01", "dc_snapshot_count"])


def test_sample_estate(generated_samples):
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    prof = load_profile(generated_samples / "acme-profile.yaml")
    f = run(inv, prof, (inventory_facts, identity, location, directory)).facts
    f.index = inv.servers.set_index("id").loc[f.index, "name"].astype(str).to_numpy()
    dcs = f[f["is_domain_controller"].astype(bool)]
    assert set(dcs.index) == {"bsl-dc-01", "bsl-dc-02", "brn-dc-01", "vie-dc-01"}
    assert set(dcs.index[dcs["dc_count_site"] == 1]) == {"brn-dc-01", "vie-dc-01"}
    assert set(f.index[f["fsmo_holder"].astype(bool)]) == {"bsl-dc-01"}
    assert (f["dc_count_estate"] == 4).all()


def test_default_profile_without_sites():
    rows = [{"id": "a", "name": "dc1", "application": "Active Directory", "is_template": False}]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)), source=Source(path="test", format="rvtools")
    )
    f = run(inv, default_profile(), (inventory_facts, identity, location, directory)).facts
    assert pd.isna(f.loc["a", "dc_count_site"]) and f.loc["a", "dc_count_estate"] == 1


def test_domain_controllers_are_counted_per_domain():
    """Six domains in one vCenter: a lone DC of one domain has no partner even though the
    estate holds other DCs; DCs without a DNS domain are counted together."""
    facts = build(
        [
            {"name": "dc01", "dns_name": "dc01.emea.example.com", "datacenter": "DC-HQ"},
            {"name": "dc02", "dns_name": "dc02.emea.example.com", "datacenter": "DC-HQ"},
            {"name": "dc03", "dns_name": "dc03.apac.example.com", "datacenter": "DC-HQ"},
            {"name": "dc04", "datacenter": "DC-BR"},
            {"name": "app01", "dns_name": "app01.apac.example.com", "datacenter": "DC-HQ"},
        ]
    )
    assert facts["dc_domain"].tolist()[:3] == ["emea.example.com"] * 2 + ["apac.example.com"]
    assert facts["dc_count_domain"].tolist()[:4] == [2, 2, 1, 1]
    assert pd.isna(facts["dc_count_domain"].iloc[4])  # not a DC
    assert facts["dc_count_estate"].iloc[0] == 4
