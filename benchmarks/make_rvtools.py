"""Generate a synthetic, RVTools 4.7-shaped workbook for import benchmarks.

Usage::

    python benchmarks/make_rvtools.py 20000 benchmarks/.cache/rvtools-20000.xlsx [--seed 0]

or from Python::

    from make_rvtools import write_rvtools
    write_rvtools(Path("out.xlsx"), 20_000, seed=0)

The column headers of every tab (names and order only) were copied from a real
RVTools 4.6.1 export, including the vCenter custom attributes ``NB_LAST_BACKUP`` and
``Rubrik_LastBackup`` that RVTools inserts between ``Annotation`` and ``Datacenter``.
No data value was copied: every value is synthetic (``vm-000123``, ``*.bench.local``,
10.x addresses) and deterministic for a given seed.

By default strings go into a shared-string table, as RVTools writes them; the whole
workbook is held in memory while writing (about 0.6 GB per 20,000 VMs).
``--inline-strings`` (``shared_strings=False``) streams rows with xlsxwriter's
``constant_memory`` mode instead: little memory, but inline strings make the file larger
and about 30% slower for calamine to parse than a real export of the same estate.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from operator import itemgetter
from pathlib import Path

import xlsxwriter

# --------------------------------------------------------------------------------------
# Header lists (names only) of a real RVTools export, in order.
# --------------------------------------------------------------------------------------

VINFO_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "Config status",
    "DNS Name",
    "Connection state",
    "Guest state",
    "Heartbeat",
    "Consolidation Needed",
    "PowerOn",
    "Suspended To Memory",
    "Suspend time",
    "Suspend Interval",
    "Creation date",
    "Change Version",
    "CPUs",
    "Overall Cpu Readiness",
    "Memory",
    "Active Memory",
    "NICs",
    "Disks",
    "Total disk capacity MiB",
    "Fixed Passthru HotPlug",
    "min Required EVC Mode Key",
    "Latency Sensitivity",
    "Op Notification Timeout",
    "EnableUUID",
    "CBT",
    "Primary IP Address",
    "Network #1",
    "Network #2",
    "Network #3",
    "Network #4",
    "Network #5",
    "Network #6",
    "Network #7",
    "Network #8",
    "Num Monitors",
    "Video Ram KiB",
    "Resource pool",
    "Folder ID",
    "Folder",
    "vApp",
    "DAS protection",
    "FT State",
    "FT Role",
    "FT Latency",
    "FT Bandwidth",
    "FT Sec. Latency",
    "Vm Failover In Progress",
    "Provisioned MiB",
    "In Use MiB",
    "Unshared MiB",
    "HA Restart Priority",
    "HA Isolation Response",
    "HA VM Monitoring",
    "Cluster rule(s)",
    "Cluster rule name(s)",
    "Boot Required",
    "Boot delay",
    "Boot retry delay",
    "Boot retry enabled",
    "Boot BIOS setup",
    "Reboot PowerOff",
    "EFI Secure boot",
    "Firmware",
    "HW version",
    "HW upgrade status",
    "HW upgrade policy",
    "HW target",
    "Path",
    "Log directory",
    "Snapshot directory",
    "Suspend directory",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "Customization Info",
    "Guest Detailed Data",
    "VM ID",
    "SMBIOS UUID",
    "VM UUID",
    "VI SDK Server type",
    "VI SDK API Version",
    "VI SDK Server",
    "VI SDK UUID",
)
VDISK_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "Disk",
    "Disk Key",
    "Disk UUID",
    "Disk Path",
    "Capacity MiB",
    "Raw",
    "Disk Mode",
    "Sharing mode",
    "Thin",
    "Eagerly Scrub",
    "Split",
    "Write Through",
    "Level",
    "Shares",
    "Reservation",
    "Limit",
    "Controller",
    "Label",
    "SCSI Unit #",
    "Unit #",
    "Shared Bus",
    "Path",
    "Raw LUN ID",
    "Raw Comp. Mode",
    "Internal Sort Column",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VPARTITION_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "Disk Key",
    "Disk",
    "Capacity MiB",
    "Consumed MiB",
    "Free MiB",
    "Free %",
    "Internal Sort Column",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VSNAPSHOT_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Name",
    "Description",
    "Date / time",
    "Filename",
    "Size MiB (vmsn)",
    "Size MiB (total)",
    "Quiesced",
    "State",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VNETWORK_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "NIC label",
    "Adapter",
    "Network",
    "Switch",
    "Connected",
    "Starts Connected",
    "Mac Address",
    "Type",
    "IPv4 Address",
    "IPv6 Address",
    "Direct Path IO",
    "Internal Sort Column",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VUSB_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "Device Node",
    "Device Type",
    "Connected",
    "Family",
    "Speed",
    "EHCI enabled",
    "Auto connect",
    "Bus number",
    "Unit number",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware tools",
    "VMRef",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VCD_HEADERS: tuple[str, ...] = (
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "Device Node",
    "Connected",
    "Starts Connected",
    "Device Type",
    "Annotation",
    "NB_LAST_BACKUP",
    "Rubrik_LastBackup",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VMRef",
    "VM ID",
    "VM UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VHOST_HEADERS: tuple[str, ...] = (
    "Host",
    "Datacenter",
    "Cluster",
    "Config status",
    "Compliance Check State",
    "in Maintenance Mode",
    "in Quarantine Mode",
    "vSAN Fault Domain Name",
    "CPU Model",
    "Speed",
    "HT Available",
    "HT Active",
    "# CPU",
    "Cores per CPU",
    "# Cores",
    "CPU usage %",
    "# Memory",
    "Memory Tiering Type",
    "Memory usage %",
    "Console",
    "# NICs",
    "# HBAs",
    "# VMs total",
    "# VMs",
    "VMs per Core",
    "# vCPUs",
    "vCPUs per Core",
    "vRAM",
    "VM Used memory",
    "VM Memory Swapped",
    "VM Memory Ballooned",
    "VMotion support",
    "Storage VMotion support",
    "Current EVC",
    "Max EVC",
    "Assigned License(s)",
    "ATS Heartbeat",
    "ATS Locking",
    "Current CPU power man. policy",
    "Supported CPU power man.",
    "Host Power Policy",
    "ESX Version",
    "Boot time",
    "DNS Servers",
    "DHCP",
    "Domain",
    "Domain List",
    "DNS Search Order",
    "NTP Server(s)",
    "NTPD running",
    "Time Zone",
    "Time Zone Name",
    "GMT Offset",
    "Vendor",
    "Model",
    "Serial number",
    "Service tag",
    "OEM specific string",
    "BIOS Vendor",
    "BIOS Version",
    "BIOS Date",
    "Certificate Issuer",
    "Certificate Start Date",
    "Certificate Expiry Date",
    "Certificate Status",
    "Certificate Subject",
    "Object ID",
    "AutoDeploy.MachineIdentity",
    "Rubrik_LastBackup",
    "UUID",
    "VI SDK Server",
    "VI SDK UUID",
)
VMETADATA_HEADERS: tuple[str, ...] = (
    "RVTools major version",
    "RVTools version",
    "xlsx creation datetime",
    "Server",
)

# Tab order as in an RVTools export (only the tabs this generator writes).
TAB_HEADERS: dict[str, tuple[str, ...]] = {
    "vInfo": VINFO_HEADERS,
    "vDisk": VDISK_HEADERS,
    "vPartition": VPARTITION_HEADERS,
    "vNetwork": VNETWORK_HEADERS,
    "vCD": VCD_HEADERS,
    "vUSB": VUSB_HEADERS,
    "vSnapshot": VSNAPSHOT_HEADERS,
    "vHost": VHOST_HEADERS,
    "vMetaData": VMETADATA_HEADERS,
}

# --------------------------------------------------------------------------------------
# Constants and value pools
# --------------------------------------------------------------------------------------

VCENTER = "vcenter.bench.local"
VCENTER_UUID = "3f6c2b1e-8a4d-4c2e-9b7a-5d1e0f2a6c11"
SDK_API_VERSION = "8.0.2.0"
RVTOOLS_MAJOR = 4.7
RVTOOLS_VERSION = "4.7.1.4"
# Fixed "now" so that output is byte-for-byte deterministic for a given seed.
NOW = datetime(2025, 6, 2, 6, 30, 0)
DATE_FORMAT = "yyyy/mm/dd hh:mm:ss"
HOSTS_PER_CLUSTER = 8
VMS_PER_HOST = 30

# (config-file OS, VMware Tools OS, family, guest detailed data, partitions, weight)
_OS_TABLE: tuple[tuple[str, str, str, str, tuple[str, str], int], ...] = (
    (
        "Microsoft Windows Server 2022 (64-bit)",
        "Microsoft Windows Server 2022 (64-bit)",
        "windows",
        "Windows Server 2022, 64-bit (Build 20348.2340)",
        ("C:\\", "D:\\"),
        12,
    ),
    (
        "Microsoft Windows Server 2019 (64-bit)",
        "Microsoft Windows Server 2019 (64-bit)",
        "windows",
        "Windows Server 2019, 64-bit (Build 17763.5458)",
        ("C:\\", "D:\\"),
        18,
    ),
    (
        "Microsoft Windows Server 2016 or later (64-bit)",
        "Microsoft Windows Server 2016 (64-bit)",
        "windows",
        "Windows Server 2016, 64-bit (Build 14393.6709)",
        ("C:\\", "E:\\"),
        14,
    ),
    (
        "Microsoft Windows Server 2012 (64-bit)",
        "Microsoft Windows Server 2012 (64-bit)",
        "windows",
        "Windows Server 2012 R2, 64-bit (Build 9600.21620)",
        ("C:\\", "D:\\"),
        7,
    ),
    (
        "Microsoft Windows Server 2008 R2 (64-bit)",
        "Microsoft Windows Server 2008 R2 (64-bit)",
        "windows",
        "",
        ("C:\\", "D:\\"),
        2,
    ),
    (
        "Microsoft Windows 10 (64-bit)",
        "Microsoft Windows 10 (64-bit)",
        "windows",
        "Windows 10 Enterprise, 64-bit (Build 19045.4046)",
        ("C:\\", "D:\\"),
        1,
    ),
    (
        "Red Hat Enterprise Linux 8 (64-bit)",
        "Red Hat Enterprise Linux 8 (64-bit)",
        "linux",
        "Red Hat Enterprise Linux 8.9 (Ootpa)",
        ("/", "/data"),
        12,
    ),
    (
        "Red Hat Enterprise Linux 7 (64-bit)",
        "Red Hat Enterprise Linux 7 (64-bit)",
        "linux",
        "Red Hat Enterprise Linux Server 7.9 (Maipo)",
        ("/", "/var"),
        7,
    ),
    (
        "Red Hat Enterprise Linux 9 (64-bit)",
        "Red Hat Enterprise Linux 9 (64-bit)",
        "linux",
        "Red Hat Enterprise Linux 9.3 (Plow)",
        ("/", "/data"),
        5,
    ),
    ("CentOS 7 (64-bit)", "CentOS 7 (64-bit)", "linux", "CentOS Linux 7 (Core)", ("/", "/home"), 6),
    (
        "Ubuntu Linux (64-bit)",
        "Ubuntu Linux (64-bit)",
        "linux",
        "Ubuntu 22.04.4 LTS",
        ("/", "/srv"),
        6,
    ),
    (
        "SUSE Linux Enterprise 15 (64-bit)",
        "SUSE Linux Enterprise 15 (64-bit)",
        "linux",
        "SUSE Linux Enterprise Server 15 SP5",
        ("/", "/data"),
        3,
    ),
    (
        "Debian GNU/Linux 11 (64-bit)",
        "Debian GNU/Linux 11 (64-bit)",
        "linux",
        "Debian GNU/Linux 11 (bullseye)",
        ("/", "/var"),
        2,
    ),
    (
        "Oracle Linux 8 (64-bit)",
        "Oracle Linux 8 (64-bit)",
        "linux",
        "Oracle Linux Server 8.9",
        ("/", "/u01"),
        2,
    ),
    (
        "Other 3.x or later Linux (64-bit)",
        "Other 4.x or later Linux (64-bit)",
        "linux",
        "",
        ("/", "/opt"),
        2,
    ),
    (
        "FreeBSD 12 or later versions (64-bit)",
        "FreeBSD 13.2-RELEASE (64-bit)",
        "other",
        "",
        ("/", "/var"),
        1,
    ),
)

_CPU_POOL = (1, 2, 2, 2, 4, 4, 4, 4, 4, 8, 8, 8, 12, 16, 16, 24, 32)
_MEM_POOL = (
    1024,
    2048,
    4096,
    4096,
    8192,
    8192,
    8192,
    12288,
    16384,
    16384,
    24576,
    32768,
    65536,
    131072,
)
_OS_DISK_POOL = (40960, 51200, 61440, 81920, 102400, 102400, 153600)
_DATA_DISK_POOL = tuple(
    [10240, 20480, 51200, 102400, 102400, 204800, 256000, 512000, 1048576, 2097152]
    + [5120 * k for k in range(2, 60, 3)]
)
_EVC_MODES = ("intel-broadwell", "intel-skylake", "intel-cascadelake", "intel-icelake", "")
_FOLDERS = (
    "/Production/Web",
    "/Production/App",
    "/Production/DB",
    "/Production/Middleware",
    "/Test",
    "/Development",
    "/Infrastructure",
    "/Infrastructure/Backup",
    "/DMZ",
    "/Discovered virtual machine",
    "/Templates",
)
_ANNOTATIONS = (
    "Owner: team-payments; App: billing",
    "Managed by Ansible",
    "Decommission Q3",
    "Created by vRA",
    "Do not vMotion during backup window",
    "Ticket CHG-10442 - resized",
    "Legacy app, no vendor support",
    "Contact: ops@bench.local",
    "Clone of gold image 2023-11",
    "PCI scope",
)
_NETWORK_PURPOSES = (
    "App",
    "Web",
    "DB",
    "Mgmt",
    "Backup",
    "DMZ",
    "vMotion-VM",
    "Test",
    "Dev",
    "Storage",
    "Citrix",
    "Legacy",
)
_ADAPTERS = ("Vmxnet3", "Vmxnet3", "Vmxnet3", "Vmxnet3", "E1000E", "E1000")
_SNAPSHOT_NAMES = (
    "Before patching",
    "pre-upgrade",
    "VEEAM BACKUP TEMPORARY SNAPSHOT",
    "before change CHG-2231",
    "Snapshot 1",
    "clean install",
    "_Rubrik_",
)
_SNAPSHOT_DESCRIPTIONS = (
    "",
    "Please do not delete this snapshot",
    "patch Tuesday",
    "taken by automation",
    "",
)
_CUSTOMIZATION = ("TOOLSDEPLOYPKG_IDLE", "TOOLSDEPLOYPKG_IDLE", "TOOLSDEPLOYPKG_SUCCEEDED", "")
_CPU_MODELS = (
    ("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 2993, 24, "intel-cascadelake"),
    ("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 1995, 32, "intel-icelake"),
    ("Intel(R) Xeon(R) Gold 6154 CPU @ 3.00GHz", 2992, 18, "intel-skylake"),
    ("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", 2394, 14, "intel-broadwell"),
)
_HOST_HW = (
    ("Dell Inc.", "PowerEdge R750", "Dell Inc.", "1.11.2"),
    ("Dell Inc.", "PowerEdge R740", "Dell Inc.", "2.19.1"),
    ("HPE", "ProLiant DL380 Gen10", "HPE", "U30"),
    ("Cisco Systems Inc", "UCSB-B200-M5", "Cisco Systems, Inc.", "B200M5.4.2.3c.0"),
)
_ESX_VERSIONS = (
    "VMware ESXi 8.0.2 build-22380479",
    "VMware ESXi 7.0.3 build-21930508",
    "VMware ESXi 8.0.1 build-21495797",
)
_HOST_MEMORY = (393216, 524288, 786432, 1048576, 1572864)


def _tf(flag: bool) -> str:
    return "True" if flag else "False"


def _dt_pool(rng: random.Random, size: int, max_age: timedelta) -> list[datetime]:
    span = int(max_age.total_seconds())
    return [NOW - timedelta(seconds=rng.randrange(60, span)) for _ in range(size)]


def _uuid(bits: int, prefix: str = "") -> str:
    h = prefix + f"{bits:032x}"[len(prefix) :]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _topology(n_vms: int) -> tuple[list[tuple[str, str, str]], dict[str, list[str]]]:
    """Hosts as (host, datacenter, cluster) and datastores per cluster."""
    n_hosts = max(1, round(n_vms / VMS_PER_HOST))
    n_clusters = -(-n_hosts // HOSTS_PER_CLUSTER)
    n_dcs = max(1, min(4, n_clusters // 4))
    hosts = []
    for h in range(n_hosts):
        c = h // HOSTS_PER_CLUSTER
        dc = f"dc-{(c % n_dcs) + 1:02d}"
        hosts.append((f"esx-{h + 1:04d}.bench.local", dc, f"cl-{c + 1:03d}"))
    datastores = {
        f"cl-{c + 1:03d}": [f"cl{c + 1:03d}-vmfs-{k:02d}" for k in range(1, 5)]
        for c in range(n_clusters)
    }
    return hosts, datastores


# --------------------------------------------------------------------------------------
# Writer
# --------------------------------------------------------------------------------------


def write_rvtools(path: Path, n_vms: int, seed: int = 0, *, shared_strings: bool = True) -> None:
    """Write an RVTools 4.7-shaped workbook with ``n_vms`` synthetic VMs to ``path``.

    Rows are streamed to disk (xlsxwriter ``constant_memory``, inline strings) unless
    ``shared_strings`` is true, which keeps the workbook in memory and writes a
    shared-string table as RVTools does.
    """
    if n_vms < 1:
        raise ValueError("n_vms must be >= 1")
    if n_vms > 999_999:
        raise ValueError("n_vms must be < 1,000,000 (VM names are vm-NNNNNN)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rand = rng.random
    choice = rng.choice
    randrange = rng.randrange
    getrandbits = rng.getrandbits

    # ---- pools ------------------------------------------------------------------------
    os_pool = [row[:5] for row in _OS_TABLE for _ in range(row[5])]
    creation_dates = _dt_pool(rng, 2048, timedelta(days=6 * 365))
    poweron_dates = _dt_pool(rng, 2048, timedelta(days=120))
    change_dates = _dt_pool(rng, 2048, timedelta(days=30))
    snapshot_dates = _dt_pool(rng, 2048, timedelta(days=400))
    nb_backups = [d.strftime("%Y-%m-%d %H:%M:%S") for d in _dt_pool(rng, 512, timedelta(7))]
    rubrik_backups = [
        d.strftime("%Y-%m-%dT%H:%M:%S.000Z") for d in _dt_pool(rng, 512, timedelta(days=3))
    ]
    readiness = [f"{rand() * 2:.2f}%" for _ in range(256)]
    hosts, datastores = _topology(n_vms)
    n_hosts = len(hosts)
    dcs = sorted({dc for _, dc, _ in hosts})
    networks = {
        dc: [(f"VLAN{100 + 10 * k + d}-{p}", f"dvs-{dc}") for k, p in enumerate(_NETWORK_PURPOSES)]
        for d, dc in enumerate(dcs)
    }
    folder_ids = {f: f"group-v{1001 + k}" for k, f in enumerate(_FOLDERS)}
    guest_detail_cache: dict[tuple[str, str], str] = {}

    # per-host aggregates for vHost
    host_vms = [0] * n_hosts
    host_vms_on = [0] * n_hosts
    host_vcpus = [0] * n_hosts
    host_vram = [0] * n_hosts
    host_used = [0] * n_hosts

    # ---- workbook ---------------------------------------------------------------------
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": not shared_strings,
            "default_date_format": DATE_FORMAT,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties(
        {
            "title": "RVTools export (synthetic benchmark data)",
            "author": "advisor benchmarks",
            "created": NOW,
        }
    )
    bold = wb.add_format({"bold": True})
    sheets = {}
    getters = {}
    for tab, headers in TAB_HEADERS.items():
        ws = wb.add_worksheet(tab)
        ws.write_row(0, 0, headers, bold)
        ws.freeze_panes(1, 0)
        sheets[tab] = ws
        getters[tab] = itemgetter(*headers)
    w_info = sheets["vInfo"].write_row
    w_disk = sheets["vDisk"].write_row
    w_part = sheets["vPartition"].write_row
    w_net = sheets["vNetwork"].write_row
    w_cd = sheets["vCD"].write_row
    w_usb = sheets["vUSB"].write_row
    w_snap = sheets["vSnapshot"].write_row
    g_info, g_disk, g_part = getters["vInfo"], getters["vDisk"], getters["vPartition"]
    g_net, g_cd, g_usb, g_snap = (
        getters["vNetwork"],
        getters["vCD"],
        getters["vUSB"],
        getters["vSnapshot"],
    )
    r_disk = r_part = r_net = r_usb = r_snap = 1
    nic_counter = 0

    for i in range(n_vms):
        name = f"vm-{i:06d}"
        vmref = 1000 + i
        vm_id = f"vm-{vmref}"
        os_cfg, os_tools, family, pretty, mounts = choice(os_pool)
        windows = family == "windows"
        template = rand() < 0.01
        on = not template and rand() < 0.86
        tools = on and rand() < 0.94
        h = randrange(n_hosts)
        host, dc, cluster = hosts[h]
        ds = choice(datastores[cluster])
        folder = "/Templates" if template else choice(_FOLDERS)
        cpus = choice(_CPU_POOL)
        mem = choice(_MEM_POOL)
        caps = (choice(_OS_DISK_POOL), choice(_DATA_DISK_POOL))
        total_disk = caps[0] + caps[1]
        n_nics = 2 if rand() < 0.2 else 1
        ip = f"10.{16 + (i >> 16)}.{(i >> 8) & 255}.{(i & 255) or 1}" if tools else ""
        vm_uuid = _uuid(getrandbits(128), "50")
        smbios_uuid = _uuid(getrandbits(128), "42")
        efi = windows and rand() < 0.7
        vmdir = f"[{ds}] {name}"
        vmx = f"{vmdir}/{name}.vmx"
        powerstate = "poweredOn" if on else "poweredOff"
        os_tools_val = os_tools if tools else ""
        annotation = choice(_ANNOTATIONS) if rand() < 0.15 else ""
        nets = choice(networks[dc]), choice(networks[dc])

        ctx = {
            "VM": name,
            "Powerstate": powerstate,
            "Template": _tf(template),
            "SRM Placeholder": "False",
            "Annotation": annotation,
            "NB_LAST_BACKUP": choice(nb_backups) if rand() < 0.2 else "",
            "Rubrik_LastBackup": choice(rubrik_backups) if rand() < 0.22 else "",
            "Datacenter": dc,
            "Cluster": cluster,
            "Host": host,
            "Folder": folder,
            "OS according to the configuration file": os_cfg,
            "OS according to the VMware Tools": os_tools_val,
            "OS according to the VMware tools": os_tools_val,
            "VMRef": vmref,
            "VM ID": vm_id,
            "VM UUID": vm_uuid,
            "VI SDK Server": VCENTER,
            "VI SDK UUID": VCENTER_UUID,
        }

        # ---- vInfo ----
        if tools and pretty:
            key = (family, pretty)
            detail = guest_detail_cache.get(key)
            if detail is None:
                fam = "Windows" if windows else "Linux"
                detail = f"architecture='X86' bitness='64' familyName='{fam}' prettyName='{pretty}'"
                guest_detail_cache[key] = detail
        else:
            detail = ""
        in_use = int(total_disk * (0.25 + 0.6 * rand())) + (mem if on else 0)
        info = ctx | {
            "Config status": "green" if rand() < 0.97 else "yellow",
            "DNS Name": f"{name}.corp.bench.local" if tools else "",
            "Connection state": "connected",
            "Guest state": "running" if tools else "notRunning",
            "Heartbeat": "green" if tools else "gray",
            "Consolidation Needed": "True" if rand() < 0.01 else "False",
            "PowerOn": choice(poweron_dates) if on else None,
            "Suspended To Memory": "",
            "Suspend time": None,
            "Suspend Interval": 0,
            "Creation date": choice(creation_dates) if rand() < 0.98 else None,
            "Change Version": choice(change_dates),
            "CPUs": cpus,
            "Overall Cpu Readiness": choice(readiness) if on else "",
            "Memory": mem,
            "Active Memory": int(mem * 0.4 * rand()) if on else 0,
            "NICs": n_nics,
            "Disks": 2,
            "Total disk capacity MiB": total_disk,
            "Fixed Passthru HotPlug": "False",
            "min Required EVC Mode Key": choice(_EVC_MODES) if on else "",
            "Latency Sensitivity": "normal",
            "Op Notification Timeout": 300 if rand() < 0.15 else None,
            "EnableUUID": ("True" if rand() < 0.5 else "False") if rand() < 0.4 else "",
            "CBT": _tf(rand() < 0.7) if rand() < 0.5 else "",
            "Primary IP Address": ip,
            "Network #1": nets[0][0],
            "Network #2": nets[1][0] if n_nics > 1 else "",
            "Network #3": "",
            "Network #4": "",
            "Network #5": "",
            "Network #6": "",
            "Network #7": "",
            "Network #8": "",
            "Num Monitors": 1,
            "Video Ram KiB": 8192 if windows else 4096,
            "Resource pool": "Resources" if rand() < 0.87 else "Resources/Low",
            "Folder ID": folder_ids[folder],
            "vApp": "",
            "DAS protection": "True" if on and rand() < 0.5 else "",
            "FT State": "notConfigured",
            "FT Role": "",
            "FT Latency": "N/A",
            "FT Bandwidth": -1,
            "FT Sec. Latency": -1,
            "Vm Failover In Progress": "",
            "Provisioned MiB": total_disk + mem,
            "In Use MiB": in_use,
            "Unshared MiB": in_use,
            "HA Restart Priority": "clusterRestartPriority",
            "HA Isolation Response": "clusterIsolationResponse",
            "HA VM Monitoring": "vmMonitoringDisabled",
            "Cluster rule(s)": "",
            "Cluster rule name(s)": "",
            "Boot Required": "False",
            "Boot delay": 0,
            "Boot retry delay": 10000,
            "Boot retry enabled": "False",
            "Boot BIOS setup": "False",
            "Reboot PowerOff": "False" if rand() < 0.9 else "",
            "EFI Secure boot": _tf(efi and rand() < 0.5),
            "Firmware": "efi" if efi else "bios",
            "HW version": choice((13, 14, 15, 17, 19, 19, 19, 20, 21)),
            "HW upgrade status": "none",
            "HW upgrade policy": "never",
            "HW target": "",
            "Path": vmx,
            "Log directory": vmdir,
            "Snapshot directory": vmdir,
            "Suspend directory": vmdir,
            "Customization Info": choice(_CUSTOMIZATION),
            "Guest Detailed Data": detail,
            "SMBIOS UUID": smbios_uuid,
            "VI SDK Server type": "VMware vCenter Server",
            "VI SDK API Version": SDK_API_VERSION,
        }
        w_info(i + 1, 0, g_info(info))

        # ---- vDisk (two disks) and vPartition (two partitions) ----
        for d in (0, 1):
            cap = caps[d]
            key = 2000 + d
            w_disk(
                r_disk,
                0,
                g_disk(
                    ctx
                    | {
                        "Disk": f"Hard disk {d + 1}",
                        "Disk Key": key,
                        "Disk UUID": f"6000C29{getrandbits(100):025x}",
                        "Disk Path": f"{vmdir}/{name}{'_1' if d else ''}.vmdk"
                        if rand() < 0.5
                        else "",
                        "Capacity MiB": cap,
                        "Raw": "False",
                        "Disk Mode": "persistent",
                        "Sharing mode": "sharingNone",
                        "Thin": _tf(rand() < 0.6),
                        "Eagerly Scrub": "False",
                        "Split": "False",
                        "Write Through": "False",
                        "Level": "normal",
                        "Shares": 1000,
                        "Reservation": 0,
                        "Limit": -1,
                        "Controller": "SCSI controller 0",
                        "Label": f"Hard disk {d + 1}",
                        "SCSI Unit #": d,
                        "Unit #": d,
                        "Shared Bus": "noSharing",
                        "Path": f"{vmdir}/{name}{'_1' if d else ''}.vmdk",
                        "Raw LUN ID": "",
                        "Raw Comp. Mode": "",
                        "Internal Sort Column": f"{vm_id}-{key}",
                    }
                ),
            )
            r_disk += 1
            part_cap = cap - (1 if windows else 2)
            consumed = int(part_cap * (0.15 + 0.8 * rand()))
            free = part_cap - consumed
            w_part(
                r_part,
                0,
                g_part(
                    ctx
                    | {
                        "Disk Key": key if rand() < 0.75 else None,
                        "Disk": mounts[d],
                        "Capacity MiB": part_cap,
                        "Consumed MiB": consumed,
                        "Free MiB": free,
                        "Free %": round(100 * free / part_cap),
                        "Internal Sort Column": f"{vm_id}-{mounts[d]}",
                    }
                ),
            )
            r_part += 1

        # ---- vNetwork ----
        for n in range(n_nics):
            nic_counter += 1
            manual = rand() < 0.08
            mac = (
                f"00:50:56:{(nic_counter >> 16) & 63:02x}:{(nic_counter >> 8) & 255:02x}:"
                f"{nic_counter & 255:02x}"
            )
            w_net(
                r_net,
                0,
                g_net(
                    ctx
                    | {
                        "NIC label": f"Network adapter {n + 1}",
                        "Adapter": choice(_ADAPTERS),
                        "Network": nets[n][0],
                        "Switch": nets[n][1],
                        "Connected": _tf(on),
                        "Starts Connected": "True",
                        "Mac Address": mac,
                        "Type": "manual" if manual else "assigned",
                        "IPv4 Address": ip if n == 0 else "",
                        "IPv6 Address": f"fe80::250:56ff:fe{nic_counter & 0xFFFF:04x}"
                        if (tools and rand() < 0.12)
                        else "",
                        "Direct Path IO": "False",
                        "Internal Sort Column": f"{vm_id}-{4000 + n}",
                    }
                ),
            )
            r_net += 1

        # ---- vCD (one per VM) ----
        iso = rand() < 0.1
        w_cd(
            i + 1,
            0,
            g_cd(
                ctx
                | {
                    "Device Node": "SATA0:0" if windows else "IDE1:0",
                    "Connected": _tf(iso and on),
                    "Starts Connected": _tf(iso),
                    "Device Type": f"ISO [{ds}] iso/tools.iso" if iso else "Client Device",
                }
            ),
        )

        # ---- vUSB (a few) ----
        if windows and rand() < 0.01:
            w_usb(
                r_usb,
                0,
                g_usb(
                    ctx
                    | {
                        "Device Node": "USB 1",
                        "Device Type": "USB device",
                        "Connected": _tf(on),
                        "Family": choice(("storage", "hid", "smart-card")),
                        "Speed": choice(("full", "high", "super")),
                        "EHCI enabled": "True",
                        "Auto connect": "True",
                        "Bus number": 1,
                        "Unit number": 2,
                    }
                ),
            )
            r_usb += 1

        # ---- vSnapshot (about 1 in 5 VMs, 1-3 snapshots) ----
        if rand() < 0.2:
            for s in range(1 + randrange(3)):
                vmsn = randrange(1, 32) if not on else randrange(16, 4096)
                w_snap(
                    r_snap,
                    0,
                    g_snap(
                        ctx
                        | {
                            "Name": choice(_SNAPSHOT_NAMES),
                            "Description": choice(_SNAPSHOT_DESCRIPTIONS),
                            "Date / time": choice(snapshot_dates),
                            "Filename": f"{vmdir}/{name}-Snapshot{s + 1}.vmsn",
                            "Size MiB (vmsn)": vmsn,
                            "Size MiB (total)": vmsn + randrange(64, 65536),
                            "Quiesced": _tf(rand() < 0.3),
                            "State": powerstate,
                        }
                    ),
                )
                r_snap += 1

        host_vms[h] += 1
        if on:
            host_vms_on[h] += 1
            host_vcpus[h] += cpus
            host_vram[h] += mem
            host_used[h] += mem // 3

    # ---- vHost ----
    ws, g_host = sheets["vHost"], getters["vHost"]
    for h, (host, dc, cluster) in enumerate(hosts):
        cpu_model, speed, cores, evc = _CPU_MODELS[(h // HOSTS_PER_CLUSTER) % len(_CPU_MODELS)]
        vendor, model, bios_vendor, bios_version = _HOST_HW[(h // 16) % len(_HOST_HW)]
        host_mem = _HOST_MEMORY[(h // HOSTS_PER_CLUSTER) % len(_HOST_MEMORY)]
        n_cores = 2 * cores
        boot = NOW - timedelta(days=randrange(3, 400), seconds=randrange(86400))
        cert_start = NOW - timedelta(days=randrange(30, 700))
        row = {
            "Host": host,
            "Datacenter": dc,
            "Cluster": cluster,
            "Config status": "green" if rand() < 0.9 else "yellow",
            "Compliance Check State": "",
            "in Maintenance Mode": "False",
            "in Quarantine Mode": "False",
            "vSAN Fault Domain Name": "",
            "CPU Model": cpu_model,
            "Speed": speed,
            "HT Available": "True",
            "HT Active": "True",
            "# CPU": 2,
            "Cores per CPU": cores,
            "# Cores": n_cores,
            "CPU usage %": randrange(5, 70),
            "# Memory": host_mem,
            "Memory Tiering Type": "No Tiering",
            "Memory usage %": min(99, round(100 * host_used[h] / host_mem) + 8),
            "Console": 0,
            "# NICs": 4,
            "# HBAs": 3,
            "# VMs total": host_vms[h],
            "# VMs": host_vms_on[h],
            "VMs per Core": round(host_vms_on[h] / n_cores, 2),
            "# vCPUs": host_vcpus[h],
            "vCPUs per Core": round(host_vcpus[h] / n_cores, 2),
            "vRAM": host_vram[h],
            "VM Used memory": host_used[h],
            "VM Memory Swapped": 0,
            "VM Memory Ballooned": 0,
            "VMotion support": "True",
            "Storage VMotion support": "True",
            "Current EVC": evc if rand() < 0.2 else "",
            "Max EVC": evc,
            "Assigned License(s)": "VMware vSphere 8 Enterprise Plus",
            "ATS Heartbeat": 1,
            "ATS Locking": 1,
            "Current CPU power man. policy": "Balanced",
            "Supported CPU power man.": "",
            "Host Power Policy": "Balanced",
            "ESX Version": _ESX_VERSIONS[(h // HOSTS_PER_CLUSTER) % len(_ESX_VERSIONS)],
            "Boot time": boot,
            "DNS Servers": "10.0.0.10, 10.0.0.11",
            "DHCP": "False",
            "Domain": "bench.local" if rand() < 0.6 else "",
            "Domain List": "",
            "DNS Search Order": "bench.local",
            "NTP Server(s)": "ntp1.bench.local, ntp2.bench.local",
            "NTPD running": "True",
            "Time Zone": "UTC",
            "Time Zone Name": "UTC",
            "GMT Offset": 0,
            "Vendor": vendor,
            "Model": model,
            "Serial number": f"SN{h + 1:08d}",
            "Service tag": f"ST{h + 1:06d}",
            "OEM specific string": f"{vendor} OEM",
            "BIOS Vendor": bios_vendor,
            "BIOS Version": bios_version,
            "BIOS Date": datetime(2023, 1 + h % 12, 1 + h % 28),
            "Certificate Issuer": f"O=VMware Engineering, CN=CA, DC={VCENTER}",
            "Certificate Start Date": cert_start,
            "Certificate Expiry Date": cert_start + timedelta(days=5 * 365),
            "Certificate Status": "good",
            "Certificate Subject": f"CN={host}",
            "Object ID": f"host-{101 + h}",
            "AutoDeploy.MachineIdentity": "",
            "Rubrik_LastBackup": "",
            "UUID": _uuid(getrandbits(128)),
            "VI SDK Server": VCENTER,
            "VI SDK UUID": VCENTER_UUID,
        }
        ws.write_row(h + 1, 0, g_host(row))

    # ---- vMetaData ----
    sheets["vMetaData"].write_row(1, 0, (RVTOOLS_MAJOR, RVTOOLS_VERSION, NOW, VCENTER))
    wb.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_vms", type=int, help="number of VMs (rows of vInfo)")
    parser.add_argument("out", type=Path, help="output .xlsx path")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--inline-strings",
        action="store_true",
        help="write strings inline (constant_memory, smaller RAM) instead of the shared-string "
        "table RVTools writes",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    write_rvtools(args.out, args.n_vms, seed=args.seed, shared_strings=not args.inline_strings)
    elapsed = time.perf_counter() - t0
    size_mb = args.out.stat().st_size / 2**20
    print(f"wrote {args.out} ({args.n_vms} VMs, {size_mb:.1f} MB) in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
