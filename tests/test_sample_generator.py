"""The bundled Acme AG sample estate (sample_inventories/).

Checks that the committed files are exactly what generate.py produces, that the three
inventory formats describe the same servers, that the RVTools workbook is shaped like a
real RVTools 4.x export, and that every planted problem listed in the README table is
really present in the data.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_inventories"
GENERATOR = SAMPLES / "generate.py"
README = SAMPLES / "README.md"
RVTOOLS = "acme-rvtools.xlsx"
INVENTORY = "acme-inventory.xlsx"
AZURE = "acme-azure-migrate.csv"
PROFILE = "acme-profile.yaml"
OUTPUTS = (RVTOOLS, INVENTORY, AZURE, PROFILE)
REAL_RVTOOLS = ROOT.parent / "shared" / "inventories" / "rvtools-4.6.1-anon-339vms.xlsx"

EXPORT_DATE = dt.datetime(2026, 9, 30, 14, 23, 11)
RVTOOLS_TABS = [
    "vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vNetwork", "vCD", "vUSB", "vSnapshot",
    "vTools", "vHost", "vMetaData",
]  # fmt: skip
PER_VM_TABS = [
    "vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vNetwork", "vCD", "vUSB", "vSnapshot",
    "vTools",
]  # fmt: skip
CUSTOM_ATTRIBUTES = ["Backup", "Owner", "Application"]


# ----------------------------------------------------------------------------- helpers


def run_generator(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in OUTPUTS:
        assert (out / name).is_file(), name


def workbook_values(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def records(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


class Estate:
    """The committed sample files, read the way an importer would read them."""

    def __init__(self, folder: Path) -> None:
        self.tabs = workbook_values(folder / RVTOOLS)
        self.rv = {tab: records(rows) for tab, rows in self.tabs.items()}
        self.vinfo = {r["VM"]: r for r in self.rv["vInfo"]}
        sheet = workbook_values(folder / INVENTORY)
        self.sheet_raw = sheet
        self.servers = {r["Hostname"]: r for r in records(sheet["Servers"][2:])}
        self.dependencies = records(sheet["Dependencies"])
        self.azure = {r["*Server name"]: r for r in records(csv_rows(folder / AZURE))}
        self.profile = yaml.safe_load((folder / PROFILE).read_text(encoding="utf-8"))

    def rows(self, tab: str, vm: str) -> list[dict]:
        return [r for r in self.rv[tab] if r["VM"] == vm]

    def vms_where(self, predicate) -> set[str]:
        return {name for name, row in self.vinfo.items() if predicate(row)}

    @property
    def non_templates(self) -> set[str]:
        return self.vms_where(lambda r: r["Template"] == "False")


@cache
def estate() -> Estate:
    return Estate(SAMPLES)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("acme")
    run_generator(out)
    return out


# ------------------------------------------------------------ generator and committed files


def test_committed_files_exist():
    for name in (*OUTPUTS, "README.md", "generate.py"):
        assert (SAMPLES / name).is_file(), name


@pytest.mark.parametrize("name", [RVTOOLS, INVENTORY])
def test_generated_workbook_matches_committed(generated, name):
    fresh, committed = workbook_values(generated / name), workbook_values(SAMPLES / name)
    assert list(fresh) == list(committed)
    for sheet in committed:
        assert fresh[sheet] == committed[sheet], f"{name}/{sheet} differs: rerun generate.py"


def test_generated_csv_matches_committed(generated):
    assert csv_rows(generated / AZURE) == csv_rows(SAMPLES / AZURE)


def test_generated_profile_matches_committed(generated):
    fresh = (generated / PROFILE).read_text(encoding="utf-8")
    committed = (SAMPLES / PROFILE).read_text(encoding="utf-8")
    assert yaml.safe_load(fresh) == yaml.safe_load(committed)
    assert fresh == committed  # the comments are part of the example


def test_generator_is_deterministic(generated, tmp_path):
    run_generator(tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (generated / name).read_bytes(), name


def test_generator_uses_only_allowed_imports():
    tree = ast.parse(GENERATOR.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= {"openpyxl", "yaml"}, third_party
    assert "advisor" not in modules


def test_generator_never_reads_the_clock_or_a_random_source():
    tree = ast.parse(GENERATOR.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in {"now", "today", "utcnow", "time", "uuid4"}, node.lineno
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not {"random", "time", "secrets"} & set(names), node.lineno


# ------------------------------------------------------------------ RVTools workbook shape


def test_rvtools_tabs_and_headers():
    tabs = estate().tabs
    assert list(tabs) == RVTOOLS_TABS
    for tab in PER_VM_TABS:
        header = tabs[tab][0]
        i = header.index("Annotation")
        assert header[i + 1 : i + 5] == [*CUSTOM_ATTRIBUTES, "Datacenter"], tab
        assert not any(h.endswith(" MB") or "MB (" in h for h in header), tab
    assert "Capacity MiB" in tabs["vDisk"][0]
    assert "In Use MiB" in tabs["vInfo"][0]
    assert {"IPv4 Address", "IPv6 Address", "Type"} <= set(tabs["vNetwork"][0])
    assert tabs["vMetaData"][0] == [
        "RVTools major version", "RVTools version", "xlsx creation datetime", "Server",
    ]  # fmt: skip


@pytest.mark.skipif(not REAL_RVTOOLS.is_file(), reason="shared inventory corpus not present")
def test_rvtools_headers_follow_a_real_export():
    """Same names and order as RVTools 4.6.1, with this estate's custom attributes."""
    real = CalamineWorkbook.from_path(str(REAL_RVTOOLS))
    own = estate().tabs
    for tab in RVTOOLS_TABS:
        expected = []
        for name in real.get_sheet_by_name(tab).to_python()[0]:
            if name == "NB_LAST_BACKUP":
                expected += CUSTOM_ATTRIBUTES
            elif name != "Rubrik_LastBackup":  # the real export's other custom attribute
                expected.append(name)
        assert own[tab][0] == expected, tab


def test_rvtools_value_types():
    e = estate()
    assert e.tabs["vMetaData"][1] == [4.7, "4.7.1.4", EXPORT_DATE, "vcenter01.acme.local"]
    assert isinstance(e.tabs["vMetaData"][1][1], str)
    assert 75 <= len(e.vinfo) <= 85
    for name, r in e.vinfo.items():
        assert r["Powerstate"] in {"poweredOn", "poweredOff", "suspended"}, name
        assert r["Template"] in {"True", "False"} and r["EnableUUID"] in {"True", "False"}
        assert isinstance(r["Creation date"], dt.datetime), name
        assert r["Creation date"] < EXPORT_DATE
        assert isinstance(r["CPUs"], int | float) and isinstance(r["Memory"], int | float)
        assert r["Firmware"] in {"bios", "efi"}
        assert isinstance(r["HW version"], int | float)
        assert r["DNS Name"] in ("", f"{name}.acme.local")
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", r["VM UUID"])
        tools = e.rows("vTools", name)[0]["Tools"]
        if r["Powerstate"] == "poweredOn":
            assert isinstance(r["PowerOn"], dt.datetime)
            assert r["Creation date"] < r["PowerOn"] < EXPORT_DATE, name
        if r["Powerstate"] == "poweredOn" and tools != "toolsNotInstalled":
            assert r["Primary IP Address"] and r["DNS Name"]
        else:  # guest addresses and names come from the VMware Tools of a running VM
            assert r["Primary IP Address"] == "" and r["DNS Name"] == "", name
    assert len({r["VM UUID"] for r in e.vinfo.values()}) == len(e.vinfo)
    for snap in e.rv["vSnapshot"]:
        assert isinstance(snap["Date / time"], dt.datetime)
        assert e.vinfo[snap["VM"]]["Creation date"] < snap["Date / time"] < EXPORT_DATE
        assert snap["Quiesced"] in {"True", "False"}
    for disk in e.rv["vDisk"]:
        assert disk["Disk Mode"] in {"persistent", "independent_persistent"}
        assert disk["Sharing mode"] in {"sharingNone", "sharingMultiWriter"}
        assert disk["Shared Bus"] in {"noSharing", "physicalSharing"}
        assert disk["Raw"] in {"True", "False"}
    for nic in e.rv["vNetwork"]:
        assert nic["Type"] in {"assigned", "manual"}
        assert re.fullmatch(r"00:50:56(:[0-9a-f]{2}){3}", nic["Mac Address"])


def test_rvtools_tabs_are_consistent():
    e = estate()
    names = set(e.vinfo)
    for tab in PER_VM_TABS:
        assert {r["VM"] for r in e.rv[tab]} <= names, tab
    hosts = {h["Host"]: h for h in e.rv["vHost"]}
    for name, r in e.vinfo.items():
        disks = e.rows("vDisk", name)
        nics = e.rows("vNetwork", name)
        parts = e.rows("vPartition", name)
        snaps = e.rows("vSnapshot", name)
        assert r["Disks"] == len(disks) and r["NICs"] == len(nics), name
        assert r["Total disk capacity MiB"] == sum(d["Capacity MiB"] for d in disks)
        snap_mib = sum(s["Size MiB (total)"] for s in snaps)
        assert r["Provisioned MiB"] == r["Total disk capacity MiB"] + snap_mib
        assert len(e.rows("vCD", name)) == 1
        assert r["Host"] in hosts and hosts[r["Host"]]["Datacenter"] == r["Datacenter"]
        assert r["Network #1"] == nics[0]["Network"]
        if r["Powerstate"] != "poweredOn":
            assert not parts, name
            continue
        assert parts, name
        assert r["Primary IP Address"] == nics[0]["IPv4 Address"].split(",")[0]
        keys = {d["Disk Key"]: d for d in disks}
        in_use = snap_mib
        for key, disk in keys.items():
            on_disk = [p for p in parts if p["Disk Key"] == key]
            assert sum(p["Capacity MiB"] for p in on_disk) <= disk["Capacity MiB"]
            if disk["Raw"] == "True":
                continue
            if disk["Thin"] == "True":
                assert on_disk, (name, key)
                in_use += sum(p["Consumed MiB"] for p in on_disk)
            else:
                in_use += disk["Capacity MiB"]
        assert {p["Disk Key"] for p in parts} <= set(keys), name
        assert r["In Use MiB"] == in_use, name
        for p in parts:
            assert p["Free MiB"] == p["Capacity MiB"] - p["Consumed MiB"] >= 0
        windows = "Windows" in r["OS according to the configuration file"]
        mounts = {p["Disk"] for p in parts}
        assert ("C:\\" in mounts) if windows else ({"/", "/boot"} <= mounts), name
    for host, h in hosts.items():
        on_host = [r for r in e.vinfo.values() if r["Host"] == host]
        assert h["# VMs total"] == len(on_host)
        assert h["# VMs"] == sum(r["Powerstate"] == "poweredOn" for r in on_host)


def test_primary_ips_follow_the_site_plan():
    prefixes = {"Basel-DC": "10.10.", "Bern-Office": "10.20.", "Vienna-Office": "10.30."}
    for name, r in estate().vinfo.items():
        if r["Primary IP Address"]:
            assert r["Primary IP Address"].startswith(prefixes[r["Datacenter"]]), name


# ------------------------------------------------------------ the three formats agree


def test_formats_describe_the_same_servers():
    e = estate()
    servers = e.non_templates
    assert set(e.servers) == servers
    assert {n.removesuffix(".acme.local") for n in e.azure} == servers
    assert all(n.endswith(".acme.local") for n in e.azure)


def test_formats_agree_on_sizes_and_ips():
    e = estate()
    for name in e.non_templates:
        r, s, a = e.vinfo[name], e.servers[name], e.azure[f"{name}.acme.local"]
        assert r["CPUs"] == s["vCPU"] == int(a["*Cores"]), name
        assert r["Memory"] == s["RAM (GB)"] * 1024 == int(a["*Memory (In MB)"]), name
        ips = [
            ip.strip()
            for nic in e.rows("vNetwork", name)
            for ip in nic["IPv4 Address"].split(",")
            if ip.strip()
        ]
        tools = e.rows("vTools", name)[0]["Tools"]
        if r["Powerstate"] == "poweredOn" and tools != "toolsNotInstalled":
            assert a["IP addresses"].split(";") == ips, name
        else:  # vCenter knows no guest address without running tools
            assert not ips, name
        assert int(a["Number of disks"]) == r["Disks"]
        for i, disk in enumerate(e.rows("vDisk", name)[:3], start=1):
            assert int(a[f"Disk {i} size (In GB)"]) * 1024 == disk["Capacity MiB"]


def cpu_pct(e: Estate, name: str) -> float | None:
    """CPU in use at export as RVTools gives it: vCPU 'Overall' against 'Max'."""
    (row,) = e.rows("vCPU", name)
    return 100 * row["Overall"] / row["Max"] if row["Max"] else None


def memory_pct(e: Estate, name: str) -> float | None:
    r = e.vinfo[name]
    return 100 * r["Active Memory"] / r["Memory"] if r["Powerstate"] == "poweredOn" else None


def test_utilisation_is_consistent_across_tabs_and_formats():
    e = estate()
    speed = {h["Host"]: h["Speed"] for h in e.rv["vHost"]}
    for name, r in e.vinfo.items():
        (cpu,) = e.rows("vCPU", name)
        (mem,) = e.rows("vMemory", name)
        assert cpu["CPUs"] == r["CPUs"] == cpu["Sockets"] * cpu["Cores p/s"], name
        assert mem["Size MiB"] == r["Memory"] and mem["Active"] == r["Active Memory"], name
        if r["Powerstate"] != "poweredOn":  # a stopped VM uses nothing and reports nothing
            assert cpu["Max"] == cpu["Overall"] == mem["Active"] == mem["Consumed"] == 0, name
            continue
        assert cpu["Max"] == r["CPUs"] * speed[r["Host"]], name
        assert 0 < cpu["Overall"] < cpu["Max"], name
        assert 0 < mem["Active"] <= mem["Consumed"] <= mem["Size MiB"], name
        assert mem["Private"] + mem["Shared"] == mem["Consumed"], name
    for host in e.rv["vHost"]:
        assert 0 < host["CPU usage %"] <= 100, host["Host"]
    # The other two formats carry the same measurement: Azure Migrate to one decimal, the
    # customer's sheet in whole per cent (and not for the pets, which nobody monitors).
    for name in e.non_templates:
        a, s = e.azure[f"{name}.acme.local"], e.servers[name]
        cpu, mem = cpu_pct(e, name), memory_pct(e, name)
        if cpu is None:
            assert a["CPU utilization percentage"] == a["Memory utilization percentage"] == ""
            assert s["CPU usage %"] == s["RAM usage %"] == "", name
            continue
        assert float(a["CPU utilization percentage"]) == pytest.approx(cpu, abs=0.06), name
        assert float(a["Memory utilization percentage"]) == pytest.approx(mem, abs=0.06), name
        if name in PROBLEMS["P15"]:
            assert s["CPU usage %"] == s["RAM usage %"] == "", name
        else:
            assert s["CPU usage %"] == pytest.approx(max(1, round(cpu)), abs=1), name
            assert s["RAM usage %"] == pytest.approx(mem, abs=0.6), name


def test_utilisation_has_a_realistic_spread():
    """Most servers idle along; a few are busy at month-end, a few far too big."""
    e = estate()
    running = [n for n, r in e.vinfo.items() if r["Powerstate"] == "poweredOn"]
    cpus = sorted(cpu_pct(e, n) for n in running)
    between = [c for c in cpus if 5 <= c <= 30]
    assert len(between) >= 0.6 * len(cpus)
    assert len(PROBLEMS["P39"]) >= 5 and len(PROBLEMS["P40"]) >= 5


def test_dependency_sheet():
    e = estate()
    deps = e.dependencies
    assert len(deps) >= 80
    links = {(d["Source"], d["Target"], d["Port"]) for d in deps}
    assert len(links) == len(deps)  # no row twice
    for d in deps:
        assert d["Source"] in e.servers and d["Target"] in e.servers, d
        assert d["Source"] != d["Target"] and isinstance(d["Port"], float | int), d
        assert 1 <= d["Port"] <= 65535 and d["Service"], d
    # The tiers of the customer portal and the ERP.
    for tier in (
        ("bsl-lb-01", "bsl-web-01"), ("bsl-web-02", "bsl-app-01"), ("bsl-app-02", "bsl-appdb-01"),
        ("bsl-app-01", "bsl-mq-01"), ("bsl-erp-01", "bsl-ora-01"),
    ):  # fmt: skip
        assert any(d["Source"] == tier[0] and d["Target"] == tier[1] for d in deps), tier
    # Logons and directory lookups: many servers reach the domain controllers on 389 / 88.
    to_dc = [d for d in deps if d["Target"] in PROBLEMS["P01"]]
    assert {d["Port"] for d in to_dc} >= {389, 88}
    assert len({d["Source"] for d in to_dc}) >= 10
    # Backup and monitoring talk to many servers.
    for hub in ("bsl-bkp-01", "bsl-mon-01"):
        peers = {d["Target"] for d in deps if d["Source"] == hub}
        peers |= {d["Source"] for d in deps if d["Target"] == hub}
        assert len(peers) > 8, hub


def test_inventory_sheet_layout():
    raw = estate().sheet_raw
    assert list(raw) == ["Servers", "Dependencies", "Contacts"]
    rows = raw["Servers"]
    assert rows[0][0].startswith("Acme AG - server list (as of 2026-09-30)")
    assert not any(rows[1])
    assert rows[2] == [
        "Hostname", "Role", "Application", "Environment", "Owner", "vCPU", "RAM (GB)", "OS",
        "Disk (GB)", "Used (GB)", "CPU usage %", "RAM usage %", "Backup", "Site", "Users",
        "Notes", "Patch group",
    ]  # fmt: skip
    assert raw["Dependencies"][0] == ["Source", "Target", "Port", "Service"]
    contacts = raw["Contacts"]
    assert "Hostname" not in contacts[0] and len(contacts) > 2


def test_azure_csv_format():
    raw = (SAMPLES / AZURE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = csv_rows(SAMPLES / AZURE)[0]
    assert header[:5] == ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"]
    assert header[-5] == "Disk 3 size (In GB)"
    assert header[-1] == "Disk 3 write ops (operations per second)"
    assert len(header) == 17 + 3 * 5


def test_profile_shape():
    e = estate()
    p = e.profile
    assert p["customer"] == {"name": "Acme AG"}
    assert p["target"] == {"provider": "exoscale", "zone": "ch-gva-2"}
    assert p["sites"][0]["name"] == "Basel HQ" and p["sites"][0]["datacenters"] == ["Basel-DC"]
    datacenters = {dc for site in p["sites"] for dc in site["datacenters"]}
    assert datacenters == {r["Datacenter"] for r in e.vinfo.values()}
    assert p["migration"] == {
        "window_hours": 48,
        "link_efficiency": 0.8,
        "start_date": dt.date(2027, 1, 4),
        "weeks_per_wave": 2,
        "team_hours_per_week": 80,
        "labour_rate_per_hour": 120,
        "labour_currency": "EUR",
        "parallel_run_weeks": 2,
    }
    assert p["migration"]["start_date"].weekday() == 0  # a Monday
    # The sizing policy is written out with the values advisor would use anyway.
    assert p["sizing"] == {
        "basis": "measured",
        "headroom": 0.2,
        "percentile": 95,
        "floor_share": 0.5,
        "min_vcpus": 1,
        "min_memory_gib": 1,
        "storage": "provisioned",
        "storage_headroom": 0.2,
        "hours_per_month": 730,
    }
    # The comparison with Scaleway is shown commented out, not switched on.
    assert "compare" not in p["target"]
    assert "  # compare: scaleway" in (SAMPLES / PROFILE).read_text(encoding="utf-8")
    assert p["rules"] == {}
    assert p["branding"] == {"primary_color": "#0b6e4f"}
    (exception,) = p["exceptions"]
    assert exception["rule"] == "BKP001"
    assert exception["server"] in e.non_templates
    # The exception has something to excuse: the inventory states there is no backup.
    assert e.vinfo[exception["server"]]["Backup"].startswith("none")


# -------------------------------------------------------------------- planted problems


def readme_problems() -> dict[str, list[str]]:
    problems = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(P\d\d)\s*\|[^|]*\|([^|]*)\|", line)
        if m:
            problems[m.group(1)] = re.findall(r"`([^`]+)`", m.group(2))
    return problems


PROBLEMS = readme_problems()


def exact(found: set[str], servers: list[str]) -> None:
    assert found == set(servers)


def snapshot_ages(e: Estate, name: str) -> list[int]:
    return [(EXPORT_DATE - s["Date / time"]).days for s in e.rows("vSnapshot", name)]


def os_text(r: dict) -> str:
    return f"{r['OS according to the configuration file']} {r['Guest Detailed Data']}"


EOL_OS = re.compile(r"2008 R2|2012|CentOS|SUSE Linux Enterprise 11|Debian GNU/Linux 8")


def check(e: Estate, pid: str, servers: list[str]) -> None:
    v = e.vinfo
    prod = e.vms_where(lambda r: r["Cluster"] == "BSL-Prod" and r["Template"] == "False")
    if pid == "P01":
        exact(e.vms_where(lambda r: r["Application"] == "Active Directory"), servers)
        assert all(re.search(r"Windows Server 20(19|22)", os_text(v[n])) for n in servers)
    elif pid == "P02":
        dcs = Counter(r["Datacenter"] for r in v.values() if r["Application"] == "Active Directory")
        assert dcs["Basel-DC"] == 2
        exact(
            {n for n, r in v.items() if dcs.get(r["Datacenter"]) == 1 and n in PROBLEMS["P01"]},
            servers,
        )
    elif pid == "P03":
        big = {d["VM"] for d in e.rv["vDisk"] if d["Capacity MiB"] >= 5 * 1024 * 1024}
        exact(big, servers)
        for n in servers:
            assert max(p["Consumed MiB"] for p in e.rows("vPartition", n)) >= 5 * 1024 * 1024
            assert e.servers[n]["Users"] > 0
    elif pid == "P04":
        for n in servers:
            assert e.servers[n]["Role"] == "File Server" and e.servers[n]["Users"] > 0
            assert v[n]["Datacenter"] != "Basel-DC"
    elif pid == "P05":
        exact(e.vms_where(lambda r: "Oracle 19c" in r["Annotation"]), servers)
        assert all("Oracle Linux" in os_text(v[n]) for n in servers)
    elif pid == "P06":
        exact(e.vms_where(lambda r: r["Application"] == "SQL Server 2019"), servers)
        assert all("Windows" in os_text(v[n]) for n in servers)
    elif pid == "P07":
        for n in servers:
            assert v[n]["Application"] == "SQL Server 2019" and v[n]["Backup"] == "snapshot only"
            assert e.rows("vSnapshot", n)
    elif pid == "P08":
        for n in servers:
            assert "SUSE Linux Enterprise 15" in os_text(v[n]) and "SAP" in v[n]["Annotation"]
        assert any("HANA" in v[n]["Application"] for n in servers)
    elif pid == "P09":
        exact({u["VM"] for u in e.rv["vUSB"]}, servers)
        for n in servers:
            assert re.search(r"FlexLM|HASP", v[n]["Annotation"])
            assert any("dongle" in u["Device Type"] for u in e.rows("vUSB", n))
    elif pid == "P10":
        for n in servers:
            manual = [x["Mac Address"] for x in e.rows("vNetwork", n) if x["Type"] == "manual"]
            assert manual and manual[0] in v[n]["Annotation"] and "licen" in v[n]["Annotation"]
    elif pid == "P11":
        exact({x["VM"] for x in e.rv["vNetwork"] if x["Type"] == "manual"}, servers)
    elif pid == "P12":
        lbs = [n for n in servers if "HAProxy" in v[n]["Application"]]
        webs = [n for n in servers if v[n]["Application"].startswith("Customer Portal (nginx")]
        assert len(lbs) == 1 and len(webs) >= 3 and len(servers) == len(lbs) + len(webs)
        assert {n for n in prod if "HAProxy" in v[n]["Application"]} == set(lbs)
        assert all(lbs[0] in v[n]["Annotation"] for n in webs)
    elif pid == "P13":
        exact({n for n in prod if "RabbitMQ" in v[n]["Application"]}, servers)
    elif pid == "P14":
        exact(
            {
                n
                for n in prod
                if "Customer Portal" in v[n]["Application"] and "SQL" in v[n]["Application"]
            },
            servers,
        )
    elif pid == "P15":
        exact(
            e.vms_where(lambda r: not (r["Annotation"] or r["Owner"] or r["Application"])), servers
        )
        assert all(v[n]["Creation date"].year <= 2014 for n in servers)
    elif pid == "P16":
        old = {n for n in v if any(200 <= a <= 700 for a in snapshot_ages(e, n))}
        exact(old, servers)
        assert all(v[n]["Backup"] in ("snapshot only", "") for n in servers)
        assert e.vms_where(lambda r: r["Backup"] == "snapshot only") <= set(servers)
    elif pid == "P17":
        exact(
            {n for n, c in Counter(s["VM"] for s in e.rv["vSnapshot"]).items() if c >= 3}, servers
        )
    elif pid == "P18":
        shared = {
            d["VM"]
            for d in e.rv["vDisk"]
            if d["Raw"] == "True"
            or d["Sharing mode"] == "sharingMultiWriter"
            or d["Shared Bus"] != "noSharing"
        }
        exact(shared, servers)
        for n in servers:
            disks = e.rows("vDisk", n)
            assert any(d["Raw"] == "True" and d["Raw Comp. Mode"] == "physicalMode" for d in disks)
            assert "WSFC" in v[n]["Annotation"] and "Windows" in os_text(v[n])
    elif pid == "P19":
        exact(e.vms_where(lambda r: "NLB" in r["Annotation"]), servers)
        assert all(any(x["Type"] == "manual" for x in e.rows("vNetwork", n)) for n in servers)
    elif pid == "P20":
        off = e.vms_where(lambda r: r["Powerstate"] == "poweredOff" and r["Template"] == "False")
        exact(off, servers)
        assert all("off" in e.servers[n]["Notes"] for n in servers)
    elif pid == "P21":
        exact(e.vms_where(lambda r: r["Powerstate"] == "suspended"), servers)
    elif pid == "P22":
        exact(e.vms_where(lambda r: r["Template"] == "True"), servers)
        for n in servers:
            assert n not in e.servers and f"{n}.acme.local" not in e.azure
    elif pid == "P23":
        exact(e.vms_where(lambda r: bool(EOL_OS.search(os_text(r)))), servers)
    elif pid == "P24":
        exact(e.vms_where(lambda r: r["CPUs"] >= 64 or r["Memory"] >= 512 * 1024), servers)
        assert all(v[n]["CPUs"] == 96 and v[n]["Memory"] == 1024 * 1024 for n in servers)
    elif pid == "P25":
        exact(e.vms_where(lambda r: bool(re.search(r"pw:|passw", r["Annotation"], re.I))), servers)
    elif pid == "P26":
        exact({d["VM"] for d in e.rv["vDisk"] if d["Disk Mode"].startswith("independent")}, servers)
    elif pid == "P27":
        cds = [c for c in e.rv["vCD"] if c["Connected"] == "True"]
        exact({c["VM"] for c in cds}, servers)
        assert all(c["Device Type"].lower().endswith(".iso") for c in cds)
    elif pid == "P28":
        exact(e.vms_where(lambda r: r["Backup"] == ""), servers)
    elif pid == "P29":
        for n in servers:
            assert v[n]["Application"] == "Remote Desktop Session Host"
            assert e.servers[n]["Users"] > 0
    elif pid == "P30":
        assert all(re.search(r"3CX|VoIP|SIP", v[n]["Annotation"]) for n in servers)
    elif pid == "P31":
        exact({n for n, s in e.servers.items() if s["Role"] == "Print Server"}, servers)
    elif pid == "P32":
        assert all("monitoring" in v[n]["Application"].lower() for n in servers)
    elif pid == "P33":
        for n in servers:
            assert "Linux" in os_text(v[n]) and e.servers[n]["Role"] == "Application Server"
    elif pid == "P34":
        exact(e.vms_where(lambda r: r["Cluster"] == "BSL-Test"), servers)
    elif pid == "P35":
        exact(e.vms_where(lambda r: r["NICs"] > 1), servers)
        assert all(";" in e.azure[f"{n}.acme.local"]["IP addresses"] for n in servers)
    elif pid == "P36":
        exact(e.vms_where(lambda r: r["Cluster rule(s)"] == "VM-Host affinity"), servers)
    elif pid == "P37":
        exact(e.vms_where(lambda r: r["Datacenter"] == "Vienna-Office"), servers)
    elif pid == "P38":
        tools = {t["VM"]: t["Tools"] for t in e.rv["vTools"]}
        exact({n for n, t in tools.items() if t in ("toolsOld", "toolsNotInstalled")}, servers)
        running = {n for n, r in v.items() if r["Powerstate"] == "poweredOn"}
        assert all(tools[n] == "toolsOk" for n in running - set(servers))
        assert all(tools[n] == "toolsNotRunning" for n in set(v) - running - set(servers))
    elif pid == "P39":
        running = e.vms_where(lambda r: r["Powerstate"] == "poweredOn")
        idle = {n for n in running if cpu_pct(e, n) < 2.5 and memory_pct(e, n) < 15}
        exact(idle, servers)
    elif pid == "P40":
        running = e.vms_where(lambda r: r["Powerstate"] == "poweredOn")
        exact({n for n in running if cpu_pct(e, n) >= 35 or memory_pct(e, n) >= 50}, servers)
    else:
        pytest.fail(f"README lists {pid} but the tests have no check for it")


def test_readme_lists_planted_problems():
    assert len(PROBLEMS) >= 30
    assert list(PROBLEMS) == sorted(PROBLEMS)
    for pid, servers in PROBLEMS.items():
        assert servers, pid
        assert set(servers) <= set(estate().vinfo), (pid, set(servers) - set(estate().vinfo))


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_planted_problem_is_in_the_data(pid):
    check(estate(), pid, PROBLEMS[pid])


def test_a_wrong_server_list_fails_the_checks():
    """The planted-problem checks must be able to fail."""
    e = estate()
    with pytest.raises(AssertionError):
        check(e, "P09", ["bsl-fs-01"])
    with pytest.raises(AssertionError):
        check(e, "P23", [*PROBLEMS["P23"], "bsl-dc-01"])
    with pytest.raises(AssertionError):
        check(e, "P16", PROBLEMS["P16"][:-1])
