"""The provider estate generator (sample_inventories/provider_estate.py).

Generates the multi-tenant Cloud Director workbook, imports it with `load_inventory` and
checks that the import sees every pattern the generator plants: what RVTools would show and
what the importer must carry through (connection states, SRM placeholder, vApps, resource
pools, utilisation, manual MACs, partitions, the backup proxies' hot-added disks, custom
attributes). Verdicts of facts and rules are deliberately not asserted here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from pathlib import Path

import pandas as pd
import pytest
from builders import load_script
from python_calamine import CalamineWorkbook

from advisor.inventory import load_inventory

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "sample_inventories" / "provider_estate.py"
TABS = [
    "vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vNetwork", "vSnapshot", "vTools",
    "vHost", "vMetaData",
]  # fmt: skip
GROUPS = {
    "scope", "appliance", "retire", "backup", "mac", "role", "cluster", "storage", "size",
    "guest", "ready",
}  # fmt: skip
TENANTS = ("Orion", "Vega", "Lyra")
PROXIES = ("veeam-proxy-01", "veeam-proxy-02", "cv-vsa-01")
RUBRIK = "attr.Last Backup (Rubrik)"


def load_generator(name: str = "provider_estate"):
    """The generator as a module (a script beside the samples, not part of the package)."""
    return load_script(GENERATOR, name)


@pytest.fixture(scope="module")
def pe():
    return load_generator()


@pytest.fixture(scope="module")
def workbook(pe, tmp_path_factory) -> Path:
    return pe.generate(tmp_path_factory.mktemp("provider"))


@pytest.fixture(scope="module")
def inv(workbook):
    return load_inventory(workbook)


@pytest.fixture(scope="module")
def servers(inv) -> pd.DataFrame:
    return inv.servers.set_index("name", drop=False)


def sheet_values(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def with_server(inv, table: str) -> pd.DataFrame:
    names = inv.servers.set_index("id")["name"]
    frame = getattr(inv, table)
    return frame.assign(server=frame["server_id"].map(names))


def named(pe, group: str, words: str = "") -> list[str]:
    """VM names whose pattern is in `group` and mentions `words`."""
    return sorted(
        name for name, text in pe.PATTERNS.items() if text.startswith(f"{group}:") and words in text
    )


def one(pe, prefix: str) -> str:
    """The single pattern VM whose name starts with `prefix`."""
    hits = [name for name in pe.PATTERNS if name.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def tenant_of(servers: pd.DataFrame) -> pd.Series:
    return servers["attr.Tenant"]


# ------------------------------------------------------------------- the generator


def test_main_writes_the_workbook(pe, tmp_path):
    assert pe.main(["--out", str(tmp_path)]) == 0
    path = tmp_path / "provider-rvtools.xlsx"
    assert path.is_file()
    assert pe.generate(tmp_path / "again") == tmp_path / "again" / "provider-rvtools.xlsx"


def test_same_values_on_every_run(workbook, tmp_path):
    fresh = load_generator("provider_estate_again")
    assert sheet_values(fresh.generate(tmp_path)) == sheet_values(workbook)


def test_patterns_manifest(pe):
    assert len(pe.PATTERNS) >= 60
    names = {vm.name for vm in pe.ESTATE}
    assert set(pe.PATTERNS) <= names
    groups = set()
    for name, text in pe.PATTERNS.items():
        assert "\n" not in text and text.strip() == text, name
        group, _, what = text.partition(": ")
        assert group in GROUPS and what, (name, text)
        groups.add(group)
    assert groups == GROUPS


def test_tabs_and_headers(workbook, pe):
    tabs = sheet_values(workbook)
    assert list(tabs) == TABS
    info = tabs["vInfo"][0]
    attrs = info[info.index("Annotation") + 1 : info.index("Datacenter")]
    assert attrs == pe.ATTRIBUTES
    for header in (
        "Resource pool", "Folder", "vApp", "SRM Placeholder", "Connection state", "Template",
        "Active Memory", "Provisioned MiB", "In Use MiB",
    ):  # fmt: skip
        assert header in info, header
    wanted = {
        "vCPU": {"Overall", "Max", "CPUs"},
        "vMemory": {"Size MiB", "Active", "Consumed"},
        "vDisk": {"Path", "Disk", "Capacity MiB", "Sharing mode", "Shared Bus"},
        "vPartition": {"Disk", "Capacity MiB", "Consumed MiB", "Free MiB"},
        "vNetwork": {"Mac Address", "Type", "Network", "Connected", "IPv4 Address"},
        "vSnapshot": {"Name", "Date / time", "Size MiB (total)"},
        "vTools": {"Tools", "Tools Version"},
        "vMetaData": {"RVTools version", "xlsx creation datetime"},
    }
    for tab, headers in wanted.items():
        assert headers <= set(tabs[tab][0]), tab
    for tab in ("vCPU", "vMemory", "vDisk", "vPartition", "vNetwork", "vSnapshot", "vTools"):
        row = tabs[tab][0]
        assert row[row.index("Annotation") + 1 : row.index("Datacenter")] == pe.ATTRIBUTES, tab


# --------------------------------------------------------------------- the import


def test_imports_cleanly(inv, pe):
    src = inv.source
    assert (src.format, src.format_version) == ("rvtools", "4.7.1.4")
    assert src.exported_at == pd.Timestamp(pe.EXPORT_TIME, tz="UTC")
    assert not src.problems, src.problems[:3]
    assert not [m for m in src.mapping if m.status == "unmapped"]
    kept = {m.header for m in src.mapping if m.status == "kept"}
    assert kept == {"Backup Policy", "NB_LAST_BACKUP", "Last Backup (Rubrik)", "Tenant"}
    assert inv.servers["id"].is_unique


def test_server_counts(servers, pe):
    assert 150 <= len(servers) <= 250
    assert len(servers) == len(pe.ESTATE)
    assert set(pe.PATTERNS) <= set(servers["name"])
    assert set(servers.loc[servers["is_template"].astype(bool), "name"]) == set(
        named(pe, "scope", "template")
    )
    counts = tenant_of(servers).value_counts()
    assert set(counts.index) == set(TENANTS)
    assert (counts >= 45).all(), counts
    provider = servers[tenant_of(servers).isna()]
    assert set(provider["cluster"]) == {"Mgmt-Cluster", "Resource-01", "Resource-02"}
    assert servers["power_state"].notna().all()


def test_cloud_director_names(servers):
    tenant = servers[tenant_of(servers).notna()]
    shaped = tenant["name"].str.contains(
        r" \([0-9a-f]{8}-[0-9a-f-]{27}\)$|-[0-9a-f]{4}$", regex=True
    )
    assert shaped.mean() > 0.85
    assert tenant["name"].str.endswith(")").sum() >= 40
    assert tenant["name"].str.contains(r"-[0-9a-f]{4}$", regex=True).sum() >= 40


def test_connection_states(servers, pe):
    states = servers["connection_state"].value_counts().to_dict()
    assert states.pop("connected") == len(servers) - 3
    assert states == {"orphaned": 1, "inaccessible": 1, "invalid": 1}
    for state in ("orphaned", "inaccessible", "invalid"):
        (name,) = named(pe, "scope", f"Connection state {state}")
        assert servers.at[name, "connection_state"] == state
    unreadable = servers[servers["connection_state"].isin(["inaccessible", "invalid"])]
    assert (unreadable["vcpus"] == 0).all() and (unreadable["memory_gib"] == 0).all()
    assert unreadable["os_name"].isna().all()


def test_srm_placeholder(servers, pe):
    flagged = servers[servers["srm_placeholder"].fillna(False).astype(bool)]
    assert list(flagged["name"]) == named(pe, "scope", "SRM placeholder")
    assert flagged["power_state"].eq("off").all() and flagged["disk_count"].eq(0).all()


def test_tenant_folders_pools_and_vapps(servers):
    pools = {}
    for org in TENANTS:
        mine = servers[tenant_of(servers).eq(org) & ~servers["is_template"].astype(bool)]
        (pool,) = set(mine["resource_pool"])
        assert pool.startswith("/DC-Provider/Resource-0") and "/Resources/System vDC (" in pool
        assert pool.rsplit("/", 1)[1].startswith(f"{org}-OVDC-01 (")
        (folder,) = set(mine["folder"])
        assert f"/{org} (" in folder
        readable = mine["connection_state"].isin(["connected", "orphaned"])
        assert mine.loc[readable, "vapp"].notna().all()
        assert mine["vapp"].nunique() >= 8
        pools[org] = pool
    assert len(set(pools.values())) == 3
    templates = servers[servers["is_template"].astype(bool)]
    assert templates["resource_pool"].isna().all()
    vcls = servers[servers["name"].str.startswith("vCLS-")]
    assert vcls["resource_pool"].str.endswith("/Resources").all()
    assert vcls["vapp"].isna().all()


def test_utilisation(servers, pe):
    running = servers[servers["power_state"].eq("on")]
    assert running["cpu_usage_pct"].notna().all()
    assert running["memory_usage_pct"].notna().all()
    stopped = servers[~servers["power_state"].eq("on")]
    assert stopped["cpu_usage_pct"].isna().all() and stopped["memory_usage_pct"].isna().all()
    (big,) = named(pe, "size")
    row = servers.loc[big]
    assert (row["vcpus"], row["memory_gib"]) == (64, 768)
    assert row["cpu_usage_pct"] == pytest.approx(2, abs=0.1)
    assert row["memory_usage_pct"] == pytest.approx(2, abs=0.1)
    assert running["cpu_usage_pct"].median() > 10


# ----------------------------------------------------------------- scope patterns


def test_scope_vms(servers, pe):
    vcls = servers[servers["name"].str.match(r"^vCLS-[0-9a-f-]{36}$")]
    assert len(vcls) == 9
    assert set(vcls["os_name"]) == {"VMware Photon CRX"}
    vcsa = servers.loc["vc-prov01"]
    assert vcsa["annotation"] == "VMware vCenter Server Appliance"
    assert "Photon OS" in vcsa["os_name"]
    assert len(named(pe, "scope", "NSX manager")) == 3
    assert len(named(pe, "scope", "NSX edge")) == 2
    zero_cpu = servers.loc[one(pe, "orion-broken01")]
    assert (zero_cpu["vcpus"], zero_cpu["connection_state"]) == (0, "connected")
    zero_mem = servers.loc[one(pe, "vega-import01")]
    assert zero_mem["memory_gib"] == 0 and zero_mem["vcpus"] > 0
    for name in named(pe, "scope", "diskless placeholder"):
        row = servers.loc[name]
        assert row["name"].startswith("PRD-")
        assert (row["disk_count"], row["provisioned_gib"]) == (0, 0)
        assert row["created"].year < 2016
    backup = servers.loc[["ave-01", "veeam-vbr-01", *PROXIES]]
    assert backup["annotation"].str.contains("Avamar|Veeam|Commvault").all()


def test_backup_proxies_list_other_vms_disks(inv, pe):
    disks = with_server(inv, "disks")
    folder = disks["path"].str.extract(r"^\[[^\]]+\] ([^/]+)/", expand=False)
    assert folder.notna().all()
    foreign = disks[folder.ne(disks["server"])]
    assert set(foreign["server"]) == set(PROXIES)
    owners = set(folder[foreign.index])
    assert len(owners) == 4 and owners <= set(inv.servers["name"])
    # The owner lists the same file as its own disk.
    own_paths = set(disks.loc[folder.eq(disks["server"]), "path"])
    assert set(foreign["path"]) <= own_paths
    for proxy in PROXIES:
        assert (disks["server"] == proxy).sum() >= 3


def test_vendor_appliances(servers, pe):
    appliances = named(pe, "appliance")
    assert len(appliances) == 5
    text = servers.loc[appliances, ["name", "os_name", "annotation"]].fillna("")
    joined = text.apply(" ".join, axis=1).str.lower()
    for vendor in (r"forti", r"pa-?vm|pan-os", r"big-ip", r"check point", r"qradar"):
        assert joined.str.contains(vendor, regex=True).sum() == 1, vendor


# ---------------------------------------------------------------- retire, backups


def test_retire_evidence(servers, pe):
    no_date = named(pe, "retire", "no switch-off date")
    assert len(no_date) == 3
    rows = servers.loc[named(pe, "retire")]
    assert rows["power_state"].eq("off").all() and rows["powered_on_at"].isna().all()
    notes = servers.loc[no_date, "annotation"].fillna("")
    assert not notes.str.contains(r"\d{4}-\d\d-\d\d|decommission", regex=True).any()
    (dated,) = named(pe, "retire", "2019-03-14")
    assert "2019-03-14" in servers.at[dated, "annotation"]
    (decom,) = named(pe, "retire", "decommissioned")
    assert "to be decommissioned" in servers.at[decom, "annotation"]


def _nb_time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value.split(",")[0], "%a %b %d %H:%M:%S %Y %z")


def _rubrik_time(value: str) -> dt.datetime:
    stamp = value.removeprefix("Last Backup successfully completed at ")
    return dt.datetime.strptime(stamp, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=dt.UTC)


def test_backup_attributes(servers, pe):
    export = pe.EXPORT_TIME.replace(tzinfo=dt.UTC)
    assert servers.at[one(pe, "orion-test04"), "backup_method"] == "none"
    assert servers.at[one(pe, "vega-tmp02"), "backup_method"] == "n/a"
    fresh = export - _nb_time(servers.at[one(pe, "orion-crm01"), "attr.NB_LAST_BACKUP"])
    stale = export - _nb_time(servers.at[one(pe, "orion-crm02"), "attr.NB_LAST_BACKUP"])
    assert dt.timedelta(0) < fresh < dt.timedelta(days=2) and stale > dt.timedelta(days=3 * 365)
    fresh = export - _rubrik_time(servers.at[one(pe, "vega-shop01"), RUBRIK])
    stale = export - _rubrik_time(servers.at[one(pe, "vega-shop02"), RUBRIK])
    assert dt.timedelta(0) < fresh < dt.timedelta(days=2) and stale > dt.timedelta(days=2 * 365)
    gold = servers["attr.Backup Policy"].eq("VM_Backups_Gold").fillna(False)
    assert gold.sum() >= 25
    assert servers.at[one(pe, "orion-files01"), "attr.Backup Policy"] == "VM_Backups_Gold"


def test_snapshots_without_backup_statement(inv, servers, pe):
    snaps = with_server(inv, "snapshots")
    bare = named(pe, "backup", "no backup statement")
    assert len(bare) == 2
    assert set(snaps["server"]) == set(bare)
    evidence = ["backup_method", "attr.Backup Policy", "attr.NB_LAST_BACKUP", RUBRIK]
    assert servers.loc[bare, evidence].isna().all().all()
    assert servers.loc[bare, "annotation"].isna().all()


# --------------------------------------------------------------------------- MACs


def test_mac_types(inv, servers, pe):
    nics = with_server(inv, "nics")
    tenant = nics["server"].map(tenant_of(servers)).notna()
    assert nics["mac_type"].notna().all()
    assert (nics.loc[tenant, "mac_type"] == "manual").all()
    assert nics.loc[tenant, "mac"].str.startswith("00:50:56:").mean() > 0.95
    assert (nics.loc[~tenant, "mac_type"] == "assigned").all()
    (lic,) = named(pe, "mac", "physical vendor")
    assert nics.loc[nics["server"].eq(lic), "mac"].tolist() == ["00:1b:21:8a:4c:12"]
    nets = nics[tenant & nics["network"].str.match(r"^(orion|vega|lyra)-net-[0-9a-f-]{36}$")]
    assert len(nets) / tenant.sum() > 0.85


def _shared_mac(nics: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    mine = nics[nics["server"].isin(names)]
    shared = mine[mine["mac"].duplicated(keep=False)]
    assert set(shared["server"]) == set(names)
    assert shared["mac"].nunique() == 1
    return shared


def test_shared_macs(inv, servers, pe):
    nics = with_server(inv, "nics")
    clones = _shared_mac(nics, named(pe, "mac", "other build01"))
    assert clones["network"].nunique() == 1
    fenced = _shared_mac(nics, named(pe, "mac", "other lab-node"))
    assert fenced["network"].nunique() == 2 and fenced["ipv4"].nunique() == 1
    for group in (clones, fenced):
        assert servers.loc[list(group["server"]), "os_family"].eq("linux").all()
    nlb_names = named(pe, "mac", "NLB")
    nlb = _shared_mac(nics, nlb_names)
    assert nlb["network"].nunique() == 1
    rows = servers.loc[nlb_names]
    assert rows["os_family"].eq("windows").all() and rows["power_state"].eq("on").all()
    assert nlb["connected"].all()
    # Apart from the planted pairs, every MAC is unique.
    planted = set(clones["mac"]) | set(fenced["mac"]) | set(nlb["mac"])
    rest = nics[~nics["mac"].isin(planted)]
    assert rest["mac"].is_unique


def test_addresses(inv, pe):
    nics = with_server(inv, "nics")
    (disconnected,) = named(pe, "mac", "disconnected adapter")
    off = nics[nics["server"].eq(disconnected) & ~nics["connected"].astype(bool)]
    assert len(off) == 1 and off["ipv4"].notna().all()
    conflict = named(pe, "mac", "conflict")
    mine = nics[nics["server"].isin(conflict)]
    assert len(mine) == 2 and mine["ipv4"].nunique() == 1 and mine["network"].nunique() == 1
    ips = nics.dropna(subset=["ipv4"]).assign(ip=lambda d: d["ipv4"].str.split(","))
    ips = ips.explode("ip").assign(ip=lambda d: d["ip"].str.strip())
    public = ips[ips["ip"].map(lambda a: ipaddress.ip_address(a).is_global)]
    assert set(named(pe, "mac", "public IPv4")) <= set(public["server"])
    assert public["server"].nunique() >= 5


# ------------------------------------------------------------ roles and clusters


def test_roles(inv, servers, pe):
    dcs = named(pe, "role", "domain controller")
    assert set(dcs) == {"XYZDC05", "SRV-AD03", "ch-lab-DC01-a8f3", "dc01-a8f3"}
    assert servers.loc[dcs, "os_family"].eq("windows").all()
    (mx,) = named(pe, "role", ".mx")
    assert servers.at[mx, "dns_name"].endswith(".mx")
    (scanner,) = named(pe, "role", "scanner")
    assert servers.at[scanner, "os_name"].startswith("Oracle Linux")
    assert servers.at["SRVSQL01", "os_family"] == "windows"
    parts = with_server(inv, "partitions")
    (oracle,) = named(pe, "role", "/u01")
    assert {"/u01", "/u02"} <= set(parts.loc[parts["server"].eq(oracle), "mount"])
    assert pd.isna(servers.at[oracle, "annotation"])
    assert "oracle" not in servers.at[oracle, "os_name"].lower()
    (mysql,) = named(pe, "role", "/var/lib/mysql")
    assert "/var/lib/mysql" in set(parts.loc[parts["server"].eq(mysql), "mount"])


def test_clusters(inv, servers, pe):
    k8s = named(pe, "cluster", "Kubernetes")
    assert len(k8s) == 4
    assert all(re.fullmatch(r"k8s-node-0[1-4]-[a-z0-9]{5}", n) for n in k8s)
    assert servers.loc[k8s, "vapp"].nunique() == 1
    (lone,) = named(pe, "cluster", "lone")
    disks = with_server(inv, "disks")
    shared = disks[disks["server"].eq(lone) & disks["shared_bus"].ne("noSharing")]
    assert len(shared) == 2 and shared["sharing"].eq("sharingMultiWriter").all()
    others = disks[disks["server"].ne(lone) & disks["shared_bus"].ne("noSharing")]
    assert others.empty  # the partner is not in the inventory


# -------------------------------------------------------------- in-guest storage


def test_in_guest_storage(inv, servers, pe):
    parts = with_server(inv, "partitions")
    total = parts.groupby("server")["capacity_gib"].sum()
    for name in named(pe, "storage"):
        assert total[name] > servers.at[name, "provisioned_gib"], name
    (iscsi,) = named(pe, "storage", "iSCSI")
    (nfs,) = named(pe, "storage", "NFS")
    (chroot,) = named(pe, "storage", "bind-chroot")
    for name in (iscsi, nfs):
        assert total[name] > 10 * servers.at[name, "provisioned_gib"]
    repeats = parts.groupby(["server", "capacity_gib", "consumed_gib"]).size()
    assert repeats[iscsi].max() == 1
    assert repeats[nfs].max() == 3
    assert repeats[chroot].max() == 5
    assert parts.loc[parts["server"].eq(chroot), "capacity_gib"].max() < 40


# ------------------------------------------------------------- guests and ready


def test_guests_and_ready_servers(inv, servers, pe):
    desktops = named(pe, "guest", "Windows 10")
    assert len(desktops) == 2
    assert servers.loc[desktops, "os_name"].str.contains("Windows 10").all()
    bits32 = named(pe, "guest", "32-bit")
    assert len(bits32) == 2
    assert servers.loc[bits32, "os_name"].str.contains("32-bit").all()
    ready = servers.loc[named(pe, "ready")]
    assert len(ready) == 6 and set(tenant_of(ready)) == set(TENANTS)
    assert ready["power_state"].eq("on").all()
    assert ready["tools_status"].eq("toolsOk").all()
    evidence = ready[["backup_method", "attr.NB_LAST_BACKUP", RUBRIK]].notna()
    assert evidence.any(axis=1).all()
    snaps = with_server(inv, "snapshots")
    assert not set(snaps["server"]) & set(ready["name"])
