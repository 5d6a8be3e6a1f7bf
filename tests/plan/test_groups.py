"""Move groups: what joins servers, what must not glue the estate together, readable and
stable names and ids, and the Groups sheet round trip."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from advisor.engine.assess import Assessment, assess
from advisor.errors import InputError
from advisor.inventory import load_inventory
from advisor.inventory.groups_file import read_group_edits
from advisor.plan.groups import (
    EDGE_COLUMNS,
    GROUP_COLUMNS,
    connected_labels,
    group_edges,
    groups_and_edges,
    groups_sheet_frame,
    move_groups,
)
from advisor.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_inventories"

SERVER_COLS = ("application", "vapp", "folder", "annotation", "dns_name", "primary_ip")
FACT_DEFAULTS: dict[str, object] = {
    "site": "Basel",
    "role": "other",
    "application_key": None,
    "name_stem": None,
    "dc_domain": None,
    "is_cluster_node": False,
    "nlb_member": False,
    "shared_disk": False,
    "virtual_ip": False,
    "is_production": True,
}


def estate(*rows: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Servers and facts frames from one dict per server: inventory columns (name,
    application, vapp, folder, annotation, ...) and facts (site, role, application_key, ...).
    The id is the name unless given; the application key defaults to the application in
    lower case, the name stem to the name without its trailing digits."""
    servers, facts = [], []
    for row in rows:
        name = str(row["name"])
        sid = str(row.get("id", name))
        servers.append({"id": sid, "name": name, **{c: row.get(c) for c in SERVER_COLS}})
        fact = {k: row.get(k, v) for k, v in FACT_DEFAULTS.items()}
        if fact["application_key"] is None:
            app = row.get("application")
            fact["application_key"] = str(app).lower() if app else name.split("-")[0]
        if fact["name_stem"] is None:
            fact["name_stem"] = name.rstrip("0123456789ab").rstrip("-")
        facts.append({"id": sid, "name": name, **fact})
    s = pd.DataFrame(servers).astype({c: "string" for c in ("id", "name", *SERVER_COLS)})
    f = pd.DataFrame(facts).set_index("id").rename_axis(None)
    f = f.astype({"is_production": "boolean", "is_cluster_node": "boolean"})
    return s, f


def by_name(groups: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    return groups.join(facts["name"]).set_index("name")


def members(groups: pd.DataFrame, facts: pd.DataFrame) -> set[frozenset[str]]:
    g = by_name(groups, facts)
    return {frozenset(ix) for ix in g.groupby("group_id").groups.values()}


@cache
def acme() -> Assessment:
    return assess(
        load_inventory(SAMPLES / "acme-rvtools.xlsx"),
        load_profile(SAMPLES / "acme-profile.yaml"),
    )


def acme_groups() -> pd.DataFrame:
    a = acme()
    servers = a.inventory.servers
    return by_name(move_groups(servers, a.facts, a.inventory.dependencies), a.facts)


# --- what joins servers ----------------------------------------------------------------------


def test_an_application_and_its_database_move_together() -> None:
    s, f = estate(
        {"name": "crm-app-01", "annotation": "Database on crm-sql-01"},
        {"name": "crm-sql-01", "role": "database"},
        {"name": "wiki-01"},
    )
    g = by_name(move_groups(s, f, None), f)
    assert list(g.columns) == list(GROUP_COLUMNS)
    assert g.loc["crm-app-01", "group_id"] == g.loc["crm-sql-01", "group_id"]
    assert g.loc["wiki-01", "group_id"] != g.loc["crm-app-01", "group_id"]
    assert "linked with crm-sql-01 (notes)" in g.loc["crm-app-01", "reason"]
    assert g.loc["wiki-01", "reason"] == "nothing ties it to another server"
    assert not g["edited"].any()


def test_application_vapp_and_cluster_stem_join_servers() -> None:
    s, f = estate(
        {"name": "portal-web-01", "application": "Portal"},
        {"name": "portal-db-01", "application": "Portal"},
        {"name": "batch-01", "vapp": "Nightly"},
        {"name": "batch-02", "vapp": "Nightly"},
        {"name": "sqlclu-01a", "application": "SQL A", "is_cluster_node": True},
        {"name": "sqlclu-01b", "application": "SQL B", "is_cluster_node": True},
    )
    f.loc[["sqlclu-01a", "sqlclu-01b"], "name_stem"] = "sqlclu-01"
    g = by_name(move_groups(s, f, None), f)
    assert members(move_groups(s, f, None), f) == {
        frozenset({"portal-web-01", "portal-db-01"}),
        frozenset({"batch-01", "batch-02"}),
        frozenset({"sqlclu-01a", "sqlclu-01b"}),
    }
    assert g.loc["portal-db-01", "group_name"] == "Portal"
    assert g.loc["batch-01", "group_name"] == "Nightly"
    assert "cluster nodes 'sqlclu-01'" in g.loc["sqlclu-01a", "reason"]


def test_production_and_test_copies_of_an_application_are_two_groups_with_two_names() -> None:
    s, f = estate(
        {"name": "erp-01", "application": "ERP"},
        {"name": "erp-02", "application": "ERP"},
        {"name": "erp-tst-01", "application": "ERP", "is_production": False},
        {"name": "erp-tst-02", "application": "ERP", "is_production": False},
    )
    g = by_name(move_groups(s, f, None), f)
    assert g["group_id"].nunique() == 2
    assert set(g["group_name"]) == {"ERP", "ERP (non-production)"}


def test_only_a_small_folder_named_after_its_application_joins_servers() -> None:
    app = [{"name": f"pay-{i:02d}", "folder": "/DC/vm/Payroll", "application_key": f"pay{i}",
            "name_stem": "payroll"} for i in range(3)]  # fmt: skip
    office = [{"name": f"x{i}-01", "folder": "/DC/vm/Bern"} for i in range(5)]
    big = [{"name": f"big{i}-01", "folder": "/DC/vm/Billing", "name_stem": "billing"}
           for i in range(30)]  # fmt: skip
    s, f = estate(*app, *office, *big)
    g = by_name(move_groups(s, f, None), f)
    assert g.loc[[r["name"] for r in app], "group_id"].nunique() == 1
    assert "folder '/DC/vm/Payroll'" in g.loc["pay-00", "reason"]
    # Named after a site, not after what its servers run: five groups.
    assert g.loc[[r["name"] for r in office], "group_id"].nunique() == 5
    # Named after the application, but 30 servers: how the estate is filed, not a move group.
    assert g.loc[[r["name"] for r in big], "group_id"].nunique() == 30


def test_an_application_column_shared_by_half_the_estate_does_not_make_one_group() -> None:
    s, f = estate(*({"name": f"srv{i:03d}", "application": "Windows Server"} for i in range(80)))
    assert move_groups(s, f, None)["group_id"].nunique() == 80


# --- what must not glue the estate -----------------------------------------------------------


def test_a_monitoring_hub_linked_to_everyone_does_not_merge_the_estate() -> None:
    rows = [{"name": "mon-01", "application": "Monitoring"}]
    rows += [{"name": f"app{i:02d}-01", "application": f"App {i}"} for i in range(30)]
    s, f = estate(*rows)
    deps = pd.DataFrame(
        {"source": [f"app{i:02d}-01" for i in range(30)], "target": "mon-01", "port": 5666}
    )
    edges = group_edges(s, f, deps)
    g = move_groups(s, f, deps, edges=edges)
    assert g["group_id"].nunique() == 31
    assert not edges["joins"].any()
    assert edges["why"].eq("hub: mon-01 has 30 linked servers").all()
    assert set(edges["port"]) == {5666}
    assert "a hub linked with 30 servers" in by_name(g, f).loc["mon-01", "reason"]
    assert "depends on mon-01, moved separately" in by_name(g, f).loc["app00-01", "reason"]


def test_few_links_to_one_server_still_join_its_group() -> None:
    rows = [{"name": "sql-01", "role": "database"}]
    rows += [{"name": f"app{i}-01", "application": f"App {i}"} for i in range(3)]
    s, f = estate(*rows)
    deps = pd.DataFrame({"source": [f"app{i}-01" for i in range(3)], "target": "sql-01"})
    assert move_groups(s, f, deps)["group_id"].nunique() == 1


def test_domain_controllers_form_one_group_per_site_and_never_join_an_application() -> None:
    s, f = estate(
        {"name": "bsl-dc-01", "role": "domain_controller", "application": "Active Directory"},
        {"name": "bsl-dc-02", "role": "domain_controller", "application": "Active Directory"},
        {
            "name": "brn-dc-01",
            "role": "domain_controller",
            "application": "Active Directory",
            "site": "Bern",
        },
        {"name": "adfs-01", "application": "Active Directory", "annotation": "uses bsl-dc-01"},
        {"name": "adsync-01", "application": "Active Directory"},
    )
    groups = move_groups(s, f, None)
    g = by_name(groups, f)
    assert members(groups, f) == {
        frozenset({"bsl-dc-01", "bsl-dc-02"}),
        frozenset({"brn-dc-01"}),
        frozenset({"adfs-01", "adsync-01"}),
    }
    assert g.loc["bsl-dc-01", "group_name"] == "Domain controllers, Basel"
    assert g.loc["brn-dc-01", "group_name"] == "Domain controllers, Bern"
    edge = group_edges(s, f, None).iloc[0]
    assert not edge["joins"]
    assert edge["why"] == "shared service: bsl-dc-01 is a domain controller"


def test_servers_out_of_scope_never_appear() -> None:
    s, f = estate(
        {"name": "app-01", "annotation": "talks to tmpl-01 and app-02"},
        {"name": "app-02"},
        {"name": "tmpl-01"},
    )
    f = f.drop(index="tmpl-01")  # the scope stage left it out: it has no facts
    deps = pd.DataFrame({"source": ["tmpl-01"], "target": ["app-01"]})
    groups = move_groups(s, f, deps)
    assert set(groups.index) == {"app-01", "app-02"}
    assert set(group_edges(s, f, deps)["target_name"]) == {"app-02"}


# --- stable output ---------------------------------------------------------------------------


def test_connected_labels_are_the_smallest_node_whatever_the_edge_order() -> None:
    src, dst = np.array([4, 1, 6, 3, 7]), np.array([3, 0, 5, 4, 6])
    want = [0, 0, 2, 3, 3, 5, 5, 5]
    assert connected_labels(8, src, dst).tolist() == want
    rng = np.random.default_rng(1)
    order = rng.permutation(len(src))
    assert connected_labels(8, dst[order], src[order]).tolist() == want
    assert connected_labels(3, np.array([], dtype=int), np.array([], dtype=int)).tolist() == [
        0,
        1,
        2,
    ]


def test_the_same_estate_in_another_row_order_gives_the_same_groups_and_ids() -> None:
    a = acme()
    servers, facts, deps = a.inventory.servers, a.facts, a.inventory.dependencies
    first = move_groups(servers, facts, deps)
    shuffled = move_groups(
        servers.sample(frac=1, random_state=3), facts.sample(frac=1, random_state=4), deps
    )
    pd.testing.assert_frame_equal(first.sort_index(), shuffled.sort_index())
    assert first["group_id"].str.fullmatch(r"G\d{3}").all()
    names = first.drop_duplicates("group_id")["group_name"]
    assert names.is_unique


def test_groups_and_edges_in_one_go_equal_the_two_calls() -> None:
    a = acme()
    servers, facts, deps = a.inventory.servers, a.facts, a.inventory.dependencies
    groups, edges = groups_and_edges(servers, facts, deps)
    pd.testing.assert_frame_equal(groups, move_groups(servers, facts, deps))
    pd.testing.assert_frame_equal(edges, group_edges(servers, facts, deps))
    pd.testing.assert_frame_equal(groups, move_groups(servers, facts, deps, edges=edges))
    assert list(edges.columns) == list(EDGE_COLUMNS)


def test_the_sample_estate_groups_its_applications_and_keeps_shared_services_apart() -> None:
    g = acme_groups()
    portal = set(g.index[g["group_id"].eq(g.loc["bsl-app-01", "group_id"])])
    assert portal == {
        "bsl-app-01", "bsl-app-02", "bsl-appdb-01", "bsl-lb-01", "bsl-mq-01",
        "bsl-web-01", "bsl-web-02", "bsl-web-03",
    }  # fmt: skip
    assert g.loc["bsl-app-01", "group_name"] == "Customer Portal"
    assert g.loc["bsl-tst-web-01", "group_name"] == "Customer Portal (non-production)"
    assert g.loc["bsl-dc-01", "group_id"] == g.loc["bsl-dc-02", "group_id"]
    assert g.loc["bsl-dc-01", "group_id"] != g.loc["brn-dc-01", "group_id"]
    assert g.loc["bsl-sap-01", "group_id"] == g.loc["bsl-hana-01", "group_id"]
    # The file server the notes of RDS hosts and the portal database name stays on its own.
    assert (g["group_id"] == g.loc["bsl-fs-01", "group_id"]).sum() == 1
    assert g.loc["bsl-rds-01", "group_id"] != g.loc["bsl-appdb-01", "group_id"]


# --- the Groups sheet round trip ---------------------------------------------------------------


def write_sheet(path: Path, frame: pd.DataFrame, sheet: str = "Groups") -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    wb.create_sheet("Servers").append(["name"])
    ws = wb.create_sheet(sheet)
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    wb.save(path)
    return path


def test_the_groups_sheet_read_back_unchanged_changes_nothing(tmp_path: Path) -> None:
    a = acme()
    servers, facts, deps = a.inventory.servers, a.facts, a.inventory.dependencies
    derived = move_groups(servers, facts, deps)
    frame = groups_sheet_frame(derived, servers)
    assert list(frame.columns) == ["server", "group", "group name", "reason", "edited"]
    assert len(frame) == len(facts)
    edits = read_group_edits(write_sheet(tmp_path / "groups.xlsx", frame))
    again = move_groups(servers, facts, deps, edits)
    pd.testing.assert_frame_equal(again, derived)
    assert not again["edited"].any()


def test_a_server_moved_in_the_sheet_follows_the_edit(tmp_path: Path) -> None:
    a = acme()
    servers, facts, deps = a.inventory.servers, a.facts, a.inventory.dependencies
    derived = move_groups(servers, facts, deps)
    frame = groups_sheet_frame(derived, servers)
    row = frame["server"].eq("bsl-mq-01")
    frame.loc[row, "group name"] = "customer portal (NON-PRODUCTION)"  # any case
    frame.loc[frame["server"].eq("bsl-wiki-01"), "group name"] = "Collaboration"
    frame.loc[frame["server"].eq("bsl-git-01"), "group name"] = "Collaboration"
    edited = move_groups(
        servers, facts, deps, read_group_edits(write_sheet(tmp_path / "g.xlsx", frame))
    )
    g = by_name(edited, facts)
    assert g.loc["bsl-mq-01", "group_name"] == "Customer Portal (non-production)"
    assert g.loc["bsl-mq-01", "group_id"] == g.loc["bsl-tst-app-01", "group_id"]
    assert g.loc["bsl-mq-01", "reason"].startswith("moved here in the Groups sheet")
    assert g.loc["bsl-wiki-01", "group_id"] == g.loc["bsl-git-01", "group_id"]
    # The portal lost a member, its test copy gained one, Collaboration is new; the groups
    # of bsl-wiki-01 and bsl-git-01 emptied and are gone.
    edited_groups = set(g.loc[g["edited"], "group_name"])
    assert edited_groups == {"Customer Portal", "Customer Portal (non-production)", "Collaboration"}
    assert "bsl-wiki-01" not in set(g["group_name"])
    assert not g.loc["bsl-dc-01", "edited"]


def test_servers_sharing_a_name_are_written_with_their_id_and_read_back(tmp_path: Path) -> None:
    s, f = estate(
        {"name": "web-01", "id": "u1", "site": "Basel"},
        {"name": "web-01", "id": "u2", "site": "Bern"},
        {"name": "db-01"},
    )
    derived = move_groups(s, f, None)
    frame = groups_sheet_frame(derived, s)
    assert set(frame["server"]) == {"web-01 [u1]", "web-01 [u2]", "db-01"}
    frame.loc[frame["server"].eq("web-01 [u2]"), "group name"] = "db-01"
    edits = read_group_edits(write_sheet(tmp_path / "g.xlsx", frame))
    g = move_groups(s, f, None, edits)
    assert g.loc["u2", "group_id"] == g.loc["db-01", "group_id"]
    assert g.loc["u1", "group_id"] != g.loc["u2", "group_id"]


def test_an_edit_naming_a_server_outside_the_estate_is_refused_with_its_row(
    tmp_path: Path,
) -> None:
    s, f = estate({"name": "app-01"}, {"name": "app-02"})
    path = write_sheet(
        tmp_path / "g.xlsx",
        pd.DataFrame({"server": ["app-01", "old-99"], "group name": ["x", "y"]}),
    )
    with pytest.raises(InputError, match=r"g\.xlsx, row 3: server 'old-99' is not an in-scope"):
        move_groups(s, f, None, read_group_edits(path))
