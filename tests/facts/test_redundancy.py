"""Redundancy and snowflake facts: peers per role and group, farms and balancers, cluster
partners, criticality, hand-built evidence; on small spreadsheets, the sample estate and
real exports."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from test_identity import by_name, context, export_facts, sheet

from advisor.facts import identity, inventory_facts, redundancy
from advisor.facts.redundancy import name_stem
from advisor.inventory import load_inventory

MODULES = (inventory_facts, identity, redundancy)


def facts(tmp_path, rows, **kw):
    return by_name(context(sheet(tmp_path, rows), MODULES, **kw))


def row(
    name,
    role=None,
    app=None,
    env="Production",
    site="Basel",
    power=None,
    notes=None,
    created=None,
    criticality=None,
    owner="IT",
):
    return (name, role, app, env, owner, notes, site, power, created, criticality)


@cache
def _sample(folder: Path) -> tuple[pd.DataFrame, dict]:
    ctx = context(folder / "acme-rvtools.xlsx", MODULES, profile=folder / "acme-profile.yaml")
    return by_name(ctx), ctx.portfolio


@pytest.fixture(scope="module")
def sample(generated_samples):
    return _sample(generated_samples)


# --- peers -------------------------------------------------------------------------------


def test_peers_by_application_across_sites_and_by_environment(tmp_path):
    f = facts(
        tmp_path,
        [
            row("db-a", "Database", "Orders DB", site="Basel"),
            row("db-b", "Database", "Orders DB", site="Bern"),  # standby in a second site
            row("db-c", "Database", "Billing DB"),
            row("db-test", "Database", "Billing DB", env="Test"),
            row("web-1", "Web Server", "Shop"),
            row("web-2", "Web Server", "Shop", power="poweredOff"),
        ],
    )
    assert f.loc["db-a", "role_peer_count"] == 1 and not f.loc["db-a", "single_of_role"]
    assert f.loc["db-b", "role_group_size"] == 2
    # a test copy is no peer of production
    assert f.loc["db-c", "role_peer_count"] == 0 and f.loc["db-c", "single_of_role"]
    assert f.loc["db-test", "single_of_role"]
    assert f.loc["db-c", "role_group"] == "application 'Billing DB', production"
    # a powered-off server stands in for nobody, and is itself no single point
    assert f.loc["web-1", "single_of_role"]
    assert not f.loc["web-2", "peer_eligible"] and not f.loc["web-2", "single_of_role"]


def test_office_services_count_peers_per_site_and_without_application_by_site(tmp_path):
    f = facts(
        tmp_path,
        [
            row("fs-bsl", "File Server", "File services", site="Basel"),
            row("fs-brn", "File Server", "File services", site="Bern"),
            row("dc-1", "Domain Controller", "Active Directory", site="Basel"),
            row("dc-2", "Domain Controller", "Active Directory", site="Basel"),
            row("lb-1", "Load Balancer", None, site="Basel"),
            row("lb-2", "Load Balancer", None, site="Bern"),
            row("app-1", None, "Portal", site="Basel"),
        ],
    )
    assert f.loc["fs-bsl", "single_of_role"] and f.loc["fs-brn", "single_of_role"]
    assert "at site 'Basel'" in f.loc["fs-bsl", "role_group"]
    assert f.loc["dc-1", "role_peer_count"] == 1
    assert f.loc["lb-1", "single_of_role"] and f.loc["lb-1", "role_group"].startswith("site")
    assert pd.isna(f.loc["app-1", "role_peer_count"]) and not f.loc["app-1", "single_of_role"]


def test_farms_and_balancers_per_site_and_environment(tmp_path):
    f = facts(
        tmp_path,
        [
            row("lb-1", "Load Balancer", "HAProxy (Portal)"),
            *[row(f"web-{i}", "Web Server", "Portal") for i in (1, 2, 3)],
            row("web-t", "Web Server", "Portal", env="Test"),
            row("web-brn", "Web Server", "Intranet", site="Bern"),
        ],
    )
    assert f.loc["lb-1", "web_farm_size_site"] == 3
    assert f.loc["lb-1", "load_balancer_count_site"] == 1
    assert f.loc["web-t", "web_farm_size_site"] == 1
    assert f.loc["web-brn", "load_balancer_count_site"] == 0


def test_cluster_partners_by_name_stem(tmp_path):
    f = facts(
        tmp_path,
        [
            row("sqlclu-01a", None, None, notes="WSFC node A"),
            row("sqlclu-01b", None, None, notes="WSFC node B"),
            row("sqlclu-02a", None, None, notes="WSFC node A of the second cluster"),
            row("rdgw-01", None, "RD Gateway", notes="Windows NLB cluster"),
            row("rdgw-02", None, "RD Gateway", notes="Windows NLB cluster"),
            row("app-9", None, "ERP"),
            row("pg-a", None, None, notes="Pacemaker cluster node"),
            row("pg-b", None, None, notes="Pacemaker cluster node"),
        ],
    )
    assert f.loc["pg-a", "cluster_partner_count"] == 1
    assert f.loc["sqlclu-01a", "cluster_partner_count"] == 1
    assert f.loc["sqlclu-02a", "cluster_partner_count"] == 0
    assert f.loc["rdgw-01", "cluster_partner_count"] == 1
    assert pd.isna(f.loc["app-9", "cluster_partner_count"])


def test_name_stems_ignore_node_numbers_letters_and_generated_fragments():
    names = {
        "k8s-node-01": "k8s-node",
        "k8s-node-04.corp.local": "k8s-node",
        "kube-worker-1-a8f3": "kube-worker",
        "kube-worker-3-5d8f7c9b4-x2x7q": "kube-worker",
        "sqlclu-01a": "sqlclu-01",  # the number names the cluster, the letter the node
        "sqlclu-02a": "sqlclu-02",
        "sql-b": "sql",
        "rdgw-02": "rdgw",
        "node01": "node",
        "app-db01": "app-db",  # 'db01' is a word and a number, not a generated fragment
        "w7vmb09": "w7vmb",  # the first token is never taken for a generated fragment
        "vCLS-4c4c4544-0050-4d10-8052-b4c04f4b4d32": "vcls",
        "k8s-node-02-8srgn": "k8s-node",  # Kubernetes' five-character pod-style suffixes
        "k8s-node-03-62dps": "k8s-node",
        "k8s-node-04-9jxd6": "k8s-node",
        "web01 (3f2a1c4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b)": "web",  # Cloud Director's UUID
        "x-s4hana-01": "x-s4hana",  # a product name with a digit is no fragment
        "lab-node-b88c": "lab-node",  # a clone job's hex suffix
        "lab-node-9932": "lab-node",  # a number
    }
    stems = name_stem(pd.Series(list(names), dtype="string"))
    assert dict(zip(names, stems, strict=True)) == names


def test_cluster_partners_ignore_numbering_and_random_suffixes(tmp_path):
    """Four Kubernetes nodes, numbered or with generated suffixes, are each other's
    partners; a lone node of another cluster is still found."""
    k8s = "Kubernetes cluster node"
    f = facts(
        tmp_path,
        [
            *[row(f"k8s-node-0{i}", None, None, notes=k8s) for i in (1, 2, 3, 4)],
            row("kube-worker-1-a8f3", None, None, notes=k8s),
            row("kube-worker-2-b7c1", None, None, notes=k8s),
            row("kube-worker-3-5d8f7c9b4-x2x7q", None, None, notes=k8s),
            row("mq-node-01", None, None, notes="RabbitMQ cluster node"),
        ],
    )
    assert (f.loc[[f"k8s-node-0{i}" for i in (1, 2, 3, 4)], "cluster_partner_count"] == 3).all()
    assert f.loc["k8s-node-02", "name_stem"] == "k8s-node"
    assert f.loc["kube-worker-1-a8f3", "cluster_partner_count"] == 2
    assert f.loc["mq-node-01", "cluster_partner_count"] == 0


def test_real_export_name_stems_pair_lettered_nodes(corpus):
    """Names of the 805-VM export: 'BOWABJS03a' and 'BOWABJS03b' share a stem, the lone
    'BOWABJS01b' and 'BOWABJS02b' each have their own, and numbered VDI desktops of the
    655-VM export share theirs."""
    inv = load_inventory(corpus / "rvtools-3.x-trimmed-3tabs.xlsx")
    stem = dict(zip(inv.servers["name"], name_stem(inv.servers["name"]), strict=True))
    assert stem["BOWABJS03a"] == stem["BOWABJS03b"] == "bowabjs03"
    assert len({stem["BOWABJS01b"], stem["BOWABJS02b"], stem["BOWABJS03a"]}) == 3
    vdi = load_inventory(corpus / "rvtools-4.6.1-anon-655vms.xlsx").servers["name"]
    stems = dict(zip(vdi, name_stem(vdi), strict=True))
    assert stems["elf67"] == stems["elf106"] == "elf"


# --- criticality -------------------------------------------------------------------------


def test_business_critical_from_criticality_notes_and_environment(tmp_path):
    f = facts(
        tmp_path,
        [
            row("a", env=None, criticality="High"),
            row("b", env="Production", criticality="low"),
            row("c", env=None, notes="Business-critical: order intake"),
            row("d", env="Production"),
            row("e", env="Test"),
            row("f", env=None),
        ],
    )
    assert f.loc["a", "business_critical"] and f.loc["c", "business_critical"]
    assert not f.loc["b", "business_critical"]
    assert f.loc["d", "business_critical"] and not f.loc["e", "business_critical"]
    assert pd.isna(f.loc["f", "business_critical"])


# --- snowflake facts ---------------------------------------------------------------------


def test_hand_built_from_names_and_notes(tmp_path):
    rows = [row(f"bsl-app-{i:02d}", None, "App") for i in range(1, 11)]
    rows += [
        row("gandalf", owner=None, created="2012-01-01"),
        row("bsl-app-90", None, "App", notes="Installed manually in 2014, do not touch"),
        row("bsl-app-91", None, "App", notes="Built by hand, config now in Ansible"),
        row("bsl-app-92", None, "App", notes="MAC address set manually for the licence"),
        row("bsl-app-93", None, "App", owner=None),
    ]
    f = facts(tmp_path, rows)
    assert f.loc["gandalf", "hand_built"]
    assert "outside the estate's convention" in f.loc["gandalf", "hand_built_evidence"]
    assert "bsl-app-01" in f.loc["gandalf", "hand_built_evidence"]
    assert f.loc["gandalf", "age_years"] == pytest.approx(14.7, abs=0.1)
    assert f.loc["bsl-app-90", "hand_built"]
    assert "installed manually" in f.loc["bsl-app-90", "hand_built_evidence"]
    assert f.loc["bsl-app-91", "automation_evidence"] and not f.loc["bsl-app-91", "hand_built"]
    assert not f.loc["bsl-app-92", "hand_built"]
    assert not f.loc["bsl-app-01", "hand_built"]
    assert pd.isna(f.loc["bsl-app-01", "hand_built_evidence"])
    assert f.loc["bsl-app-01", "naming_convention_example"] == "bsl-app-01"
    assert f.loc["gandalf", "identity_gaps"] == "no owner and no documented purpose"
    assert f.loc["bsl-app-93", "identity_gaps"] == "no owner"
    assert f.loc["bsl-app-01", "identity_gaps"] == ""


def test_no_name_evidence_where_the_estate_has_no_convention(tmp_path):
    names = ["Kings", "Warriors", "Anthem", "barrage", "web01", "db7"]
    f = facts(tmp_path, [row(n, None, "App") for n in names])
    assert not f["hand_built"].any()
    assert (f["naming_convention_example"] == "no common pattern").all()


def test_agent_vms_are_no_workload(tmp_path):
    f = facts(tmp_path, [row("vCLS-4c4c4544-0050"), row("vCLS (1)"), row("bsl-app-01")])
    assert f.loc["vCLS-4c4c4544-0050", "is_agent_vm"] and f.loc["vCLS (1)", "is_agent_vm"]
    assert not f.loc["vCLS (1)", "peer_eligible"]
    assert not f.loc["bsl-app-01", "is_agent_vm"]


def test_target_anti_affinity_limit_comes_from_the_catalog(tmp_path):
    path = sheet(tmp_path, [row("web-1", "Web Server", "Portal")])
    exo = by_name(context(path, MODULES, provider="exoscale"))
    scw = by_name(context(path, MODULES, provider="scaleway"))
    assert exo.loc["web-1", "target_anti_affinity_max_instances"] == 8
    assert pd.isna(scw.loc["web-1", "target_anti_affinity_max_instances"])


# --- the sample estate -------------------------------------------------------------------


def test_sample_single_points_are_the_planted_ones(sample):
    f, portfolio = sample
    live_critical = f["single_of_role"] & f["business_critical"].fillna(False)
    singles = set(f.index[live_critical & f["role"].isin(["load_balancer", "queue", "web_server"])])
    assert singles == {"bsl-lb-01", "bsl-mq-01"}
    assert f.loc["bsl-appdb-01", "single_of_role"]
    web = [f"bsl-web-0{i}" for i in (1, 2, 3)]
    assert not f.loc[web, "single_of_role"].any()
    assert (f.loc[web, "role_peer_count"] == 2).all()
    assert f.loc["bsl-lb-01", "web_farm_size_site"] == 3
    assert f.loc["bsl-lb-01", "load_balancer_count_site"] == 1
    assert portfolio["estate_load_balancers"] == 1


def test_sample_domain_controllers_and_clusters(sample):
    f, _ = sample
    assert (f.loc[["bsl-dc-01", "bsl-dc-02"], "role_peer_count"] == 1).all()
    assert f.loc[["brn-dc-01", "vie-dc-01"], "single_of_role"].all()
    assert (f.loc[["bsl-sqlclu-01a", "bsl-sqlclu-01b"], "cluster_partner_count"] == 1).all()
    assert (f.loc[["bsl-rdgw-01", "bsl-rdgw-02"], "cluster_partner_count"] == 1).all()
    # a test broker is no peer of the production one, and is not critical
    assert not f.loc["bsl-tst-mq-01", "business_critical"]


def test_sample_snowflakes(sample):
    f, _ = sample
    templates = f["is_template"].astype(bool)
    assert sorted(f.index[f["hand_built"]]) == ["gandalf", "pluto", "zeus"]
    assert not f.loc[templates, "hand_built"].any()
    assert (f.loc[["gandalf", "pluto", "zeus"], "age_years"] > 5).all()
    pets = f.loc[["gandalf", "pluto", "zeus"], "identity_gaps"]
    assert (pets == "no owner and no documented purpose").all()
    assert f.loc["bsl-web-01", "identity_gaps"] == ""


@pytest.mark.parametrize(
    "export",
    [
        "rvtools-4.6.1-anon-339vms.xlsx",
        "rvtools-4.6.1-anon-655vms.xlsx",
        "rvtools-subset-100vms.xlsx",
        "azure-migrate-90servers.csv",
    ],
)
def test_real_exports_compute_plausibly(corpus, export):
    f = export_facts(corpus / export, MODULES)
    assert f["single_of_role"].notna().all()
    assert f["single_of_role"].mean() < 0.2
    assert f["hand_built"].mean() < 0.5
