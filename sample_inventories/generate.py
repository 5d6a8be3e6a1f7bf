#!/usr/bin/env python3
"""Generate the bundled sample estate of the fictional company Acme AG.

Usage::

    python sample_inventories/generate.py [--out DIR]

Writes into DIR (default: the folder this script lives in):

    acme-rvtools.xlsx        RVTools 4.7-shaped export of vcenter01.acme.local
    acme-inventory.xlsx      the same estate as a customer's hand-made server list
    acme-azure-migrate.csv   the same estate as an Azure Migrate CSV import (UTF-8 with BOM)
    acme-profile.yaml        an example engagement profile for this customer

The script is deterministic: every value derives from the catalogue below, "random"
variation comes from a hash of SEED, all dates are fixed (the export is dated
EXPORT_TIME) and the xlsx containers are written with fixed timestamps, so running it
again reproduces the committed files. It uses only the standard library, openpyxl and
PyYAML and deliberately does not import the advisor package: the samples must not be
shaped by the code that reads them. README.md in this folder lists the planted problems.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

SEED = "acme-sample-estate-v1"
EXPORT_TIME = dt.datetime(2026, 9, 30, 14, 23, 11)  # when "RVTools ran"; the estate's "today"
VCENTER = "vcenter01.acme.local"
DOMAIN = "acme.local"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, DOMAIN)
VI_SDK_UUID = str(uuid.uuid5(NAMESPACE, VCENTER))

RVTOOLS_FILE = "acme-rvtools.xlsx"
INVENTORY_FILE = "acme-inventory.xlsx"
AZURE_FILE = "acme-azure-migrate.csv"
PROFILE_FILE = "acme-profile.yaml"
OUTPUT_FILES = (RVTOOLS_FILE, INVENTORY_FILE, AZURE_FILE, PROFILE_FILE)

# fmt: off
# Header names and order as RVTools 4.x writes them (taken from a real 4.6.1 export). The
# vCenter custom attributes of this estate (Backup, Owner, Application) sit between
# Annotation and Datacenter, as real custom attributes do.
HEADERS: dict[str, list[str]] = {
    'vInfo': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Config status', 'DNS Name', 'Connection state', 'Guest state', 'Heartbeat', 'Consolidation Needed', 'PowerOn', 'Suspended To Memory', 'Suspend time', 'Suspend Interval', 'Creation date', 'Change Version', 'CPUs', 'Overall Cpu Readiness', 'Memory', 'Active Memory', 'NICs', 'Disks', 'Total disk capacity MiB', 'Fixed Passthru HotPlug', 'min Required EVC Mode Key', 'Latency Sensitivity', 'Op Notification Timeout', 'EnableUUID', 'CBT', 'Primary IP Address', 'Network #1', 'Network #2', 'Network #3', 'Network #4', 'Network #5', 'Network #6', 'Network #7', 'Network #8', 'Num Monitors', 'Video Ram KiB', 'Resource pool', 'Folder ID', 'Folder', 'vApp', 'DAS protection', 'FT State', 'FT Role', 'FT Latency', 'FT Bandwidth', 'FT Sec. Latency', 'Vm Failover In Progress', 'Provisioned MiB', 'In Use MiB', 'Unshared MiB', 'HA Restart Priority', 'HA Isolation Response', 'HA VM Monitoring', 'Cluster rule(s)', 'Cluster rule name(s)', 'Boot Required', 'Boot delay', 'Boot retry delay', 'Boot retry enabled', 'Boot BIOS setup', 'Reboot PowerOff', 'EFI Secure boot', 'Firmware', 'HW version', 'HW upgrade status', 'HW upgrade policy', 'HW target', 'Path', 'Log directory', 'Snapshot directory', 'Suspend directory', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'OS according to the configuration file', 'OS according to the VMware Tools', 'Customization Info', 'Guest Detailed Data', 'VM ID', 'SMBIOS UUID', 'VM UUID', 'VI SDK Server type', 'VI SDK API Version', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vCPU': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'CPUs', 'Sockets', 'Cores p/s', 'Max', 'Overall', 'Level', 'Shares', 'Reservation', 'Entitlement', 'DRS Entitlement', 'Limit', 'Hot Add', 'Hot Remove', 'Numa Hotadd Exposed', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vMemory': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Size MiB', 'Memory Reservation Locked To Max', 'Overhead', 'Max', 'Consumed', 'Consumed Overhead', 'Private', 'Shared', 'Swapped', 'Ballooned', 'Active', 'Entitlement', 'DRS Entitlement', 'Level', 'Shares', 'Reservation', 'Limit', 'Hot Add', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vDisk': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Disk', 'Disk Key', 'Disk UUID', 'Disk Path', 'Capacity MiB', 'Raw', 'Disk Mode', 'Sharing mode', 'Thin', 'Eagerly Scrub', 'Split', 'Write Through', 'Level', 'Shares', 'Reservation', 'Limit', 'Controller', 'Label', 'SCSI Unit #', 'Unit #', 'Shared Bus', 'Path', 'Raw LUN ID', 'Raw Comp. Mode', 'Internal Sort Column', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vPartition': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Disk Key', 'Disk', 'Capacity MiB', 'Consumed MiB', 'Free MiB', 'Free %', 'Internal Sort Column', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vNetwork': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'NIC label', 'Adapter', 'Network', 'Switch', 'Connected', 'Starts Connected', 'Mac Address', 'Type', 'IPv4 Address', 'IPv6 Address', 'Direct Path IO', 'Internal Sort Column', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vCD': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Device Node', 'Connected', 'Starts Connected', 'Device Type', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VMRef', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vUSB': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Device Node', 'Device Type', 'Connected', 'Family', 'Speed', 'EHCI enabled', 'Auto connect', 'Bus number', 'Unit number', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware tools', 'VMRef', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vSnapshot': ['VM', 'Powerstate', 'Name', 'Description', 'Date / time', 'Filename', 'Size MiB (vmsn)', 'Size MiB (total)', 'Quiesced', 'State', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vHost': ['Host', 'Datacenter', 'Cluster', 'Config status', 'Compliance Check State', 'in Maintenance Mode', 'in Quarantine Mode', 'vSAN Fault Domain Name', 'CPU Model', 'Speed', 'HT Available', 'HT Active', '# CPU', 'Cores per CPU', '# Cores', 'CPU usage %', '# Memory', 'Memory Tiering Type', 'Memory usage %', 'Console', '# NICs', '# HBAs', '# VMs total', '# VMs', 'VMs per Core', '# vCPUs', 'vCPUs per Core', 'vRAM', 'VM Used memory', 'VM Memory Swapped', 'VM Memory Ballooned', 'VMotion support', 'Storage VMotion support', 'Current EVC', 'Max EVC', 'Assigned License(s)', 'ATS Heartbeat', 'ATS Locking', 'Current CPU power man. policy', 'Supported CPU power man.', 'Host Power Policy', 'ESX Version', 'Boot time', 'DNS Servers', 'DHCP', 'Domain', 'Domain List', 'DNS Search Order', 'NTP Server(s)', 'NTPD running', 'Time Zone', 'Time Zone Name', 'GMT Offset', 'Vendor', 'Model', 'Serial number', 'Service tag', 'OEM specific string', 'BIOS Vendor', 'BIOS Version', 'BIOS Date', 'Certificate Issuer', 'Certificate Start Date', 'Certificate Expiry Date', 'Certificate Status', 'Certificate Subject', 'Object ID', 'AutoDeploy.MachineIdentity', 'UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vTools': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'VM Version', 'Tools', 'Tools Version', 'Required Version', 'Upgradeable', 'Upgrade Policy', 'Sync time', 'App status', 'Heartbeat status', 'Kernel Crash state', 'Operation Ready', 'State change support', 'Interactive Guest', 'Annotation', 'Backup', 'Owner', 'Application', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VMRef', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vMetaData': ['RVTools major version', 'RVTools version', 'xlsx creation datetime', 'Server'],
}

AZURE_HEADERS = [
    "*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
    "OS architecture", "Server type", "Hypervisor", "CPU utilization percentage",
    "Memory utilization percentage", "Network adapters", "Network In throughput",
    "Network Out throughput", "Boot type", "Number of disks", "Storage in use (In GB)",
] + [
    f"Disk {n} {what}"
    for n in (1, 2, 3)
    for what in (
        "size (In GB)", "read throughput (MB per second)", "write throughput (MB per second)",
        "read ops (operations per second)", "write ops (operations per second)",
    )
]

INVENTORY_HEADERS = [
    "Hostname", "Role", "Application", "Environment", "Owner", "vCPU", "RAM (GB)", "OS",
    "Disk (GB)", "Used (GB)", "CPU usage %", "RAM usage %", "Backup", "Site", "Users", "Notes",
    "Patch group",
]
DEPENDENCY_HEADERS = ["Source", "Target", "Port", "Service"]
# fmt: on


# --------------------------------------------------------------------------- helpers


def _hash(*parts: object) -> int:
    text = "|".join(str(p) for p in (SEED, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def frac(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for the given key."""
    return _hash(*parts) / 2**64


def pick(lo: int, hi: int, *parts: object) -> int:
    """A stable pseudo-random integer in [lo, hi] for the given key."""
    return lo + _hash(*parts) % (hi - lo + 1)


def uid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def tf(flag: bool) -> str:
    """RVTools writes booleans as the text True / False."""
    return "True" if flag else "False"


def day(text: str, *key: object) -> dt.datetime:
    """'YYYY-MM-DD' (or 'YYYY-MM-DD HH:MM') to a datetime; a stable time of day if none."""
    if " " in text:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    base = dt.datetime.strptime(text, "%Y-%m-%d")
    return base + dt.timedelta(hours=pick(8, 17, text, *key), minutes=pick(0, 59, *key, text))


def assigned_mac(name: str, nic: int) -> str:
    """vCenter-generated MACs live in 00:50:56:80:00:00 - 00:50:56:bf:ff:ff."""
    h = _hash("mac", name, nic)
    return f"00:50:56:{0x80 | (h >> 16) & 0x3F:02x}:{(h >> 8) & 0xFF:02x}:{h & 0xFF:02x}"


# ------------------------------------------------------------------ operating systems


@dataclass(frozen=True)
class OS:
    cfg: str  # "OS according to the configuration file"
    detail: str  # Guest Detailed Data; '' where the old VMware Tools do not report it
    sheet: str  # how the customer wrote it in the spreadsheet
    az_name: str  # *OS name in the Azure Migrate CSV
    az_version: str
    windows: bool


def _win(build: str, pretty: str) -> str:
    return (
        f"architecture='X86' bitness='64' buildNumber='{build.split('.')[0]}' "
        f"distroName='Windows' distroVersion='10.0' familyName='Windows' "
        f"kernelVersion='{build}' prettyName='{pretty}, 64-bit (Build {build})'"
    )


def _lin(distro: str, version: str, kernel: str, pretty: str) -> str:
    return (
        f"architecture='X86' bitness='64' distroName='{distro}' distroVersion='{version}' "
        f"familyName='Linux' kernelVersion='{kernel}' prettyName='{pretty}'"
    )


# fmt: off
OSES: dict[str, OS] = {
    "w2008r2": OS(
        "Microsoft Windows Server 2008 R2 (64-bit)", "", "Windows Server 2008 R2",
        "Microsoft Windows Server 2008 R2 Standard", "6.1.7601", True,
    ),
    "w2012r2": OS(
        "Microsoft Windows Server 2012 (64-bit)",
        _win("9600.21620", "Windows Server 2012 R2 Standard").replace("'10.0'", "'6.3'"),
        "Win 2012 R2", "Microsoft Windows Server 2012 R2 Standard", "6.3.9600", True,
    ),
    "w2016": OS(
        "Microsoft Windows Server 2016 or later (64-bit)",
        _win("14393.7336", "Windows Server 2016 Standard"), "Windows Server 2016",
        "Microsoft Windows Server 2016 Standard", "10.0.14393", True,
    ),
    "w2019": OS(
        "Microsoft Windows Server 2019 (64-bit)",
        _win("17763.6293", "Windows Server 2019 Standard"), "Windows Server 2019 Std",
        "Microsoft Windows Server 2019 Standard", "10.0.17763", True,
    ),
    "w2022": OS(
        "Microsoft Windows Server 2022 (64-bit)",
        _win("20348.2700", "Windows Server 2022 Standard"), "Win Server 2022",
        "Microsoft Windows Server 2022 Standard", "10.0.20348", True,
    ),
    "rhel8": OS(
        "Red Hat Enterprise Linux 8 (64-bit)",
        _lin("Red Hat Enterprise Linux", "8.10", "4.18.0-553.16.1.el8_10.x86_64",
             "Red Hat Enterprise Linux 8.10 (Ootpa)"),
        "RHEL 8.10", "Red Hat Enterprise Linux 8 (64-bit)", "8.10", False,
    ),
    "rhel9": OS(
        "Red Hat Enterprise Linux 9 (64-bit)",
        _lin("Red Hat Enterprise Linux", "9.4", "5.14.0-427.33.1.el9_4.x86_64",
             "Red Hat Enterprise Linux 9.4 (Plow)"),
        "RHEL 9.4", "Red Hat Enterprise Linux 9 (64-bit)", "9.4", False,
    ),
    "ol8": OS(
        "Oracle Linux 8 (64-bit)",
        _lin("Oracle Linux Server", "8.9", "5.15.0-204.147.6.2.el8uek.x86_64",
             "Oracle Linux Server 8.9"),
        "Oracle Linux 8.9", "Oracle Linux 8 (64-bit)", "8.9", False,
    ),
    "sles15": OS(
        "SUSE Linux Enterprise 15 (64-bit)",
        _lin("SLES", "15.5", "5.14.21-150500.55.65-default",
             "SUSE Linux Enterprise Server 15 SP5"),
        "SLES for SAP 15 SP5", "SUSE Linux Enterprise Server 15 SP5", "15.5", False,
    ),
    "sles11": OS(
        "SUSE Linux Enterprise 11 (64-bit)", "", "SLES 11 SP4",
        "SUSE Linux Enterprise Server 11 SP4", "11.4", False,
    ),
    "centos7": OS(
        "CentOS 7 (64-bit)",
        _lin("CentOS Linux", "7", "3.10.0-1160.119.1.el7.x86_64", "CentOS Linux 7 (Core)"),
        "CentOS 7.9", "CentOS Linux 7 (64-bit)", "7.9", False,
    ),
    "centos6": OS("CentOS 6 (64-bit)", "", "CentOS 6", "CentOS 6 (64-bit)", "6.10", False),
    "ubu2204": OS(
        "Ubuntu Linux (64-bit)",
        _lin("Ubuntu", "22.04", "5.15.0-119-generic", "Ubuntu 22.04.4 LTS"),
        "Ubuntu 22.04", "Ubuntu 22.04.4 LTS", "22.04", False,
    ),
    "ubu2404": OS(
        "Ubuntu Linux (64-bit)",
        _lin("Ubuntu", "24.04", "6.8.0-45-generic", "Ubuntu 24.04.1 LTS"),
        "Ubuntu 24.04 LTS", "Ubuntu 24.04.1 LTS", "24.04", False,
    ),
    "deb12": OS(
        "Debian GNU/Linux 12 (64-bit)",
        _lin("Debian GNU/Linux", "12", "6.1.0-25-amd64", "Debian GNU/Linux 12 (bookworm)"),
        "Debian 12", "Debian GNU/Linux 12 (64-bit)", "12", False,
    ),
    "deb8": OS(
        "Debian GNU/Linux 8 (64-bit)", "", "Debian 8", "Debian GNU/Linux 8 (64-bit)", "8.11",
        False,
    ),
}
# fmt: on


# ------------------------------------------------------------------------- the model


@dataclass
class Disk:
    gb: int  # capacity in GiB
    used_gb: float  # space used inside the guest
    mount: str = ""  # partition name; default C:\ D:\ ... or / /data ...
    mode: str = "persistent"
    sharing: str = "sharingNone"
    shared_bus: str = "noSharing"
    raw: bool = False
    thin: bool = True
    lun: str = ""
    controller: int = 0
    mounted: bool = True  # False: the guest does not see it (passive cluster node)


@dataclass
class Snap:
    name: str
    description: str
    when: str  # 'YYYY-MM-DD HH:MM'
    total_mib: int
    memory: bool = False
    quiesced: bool = False


@dataclass
class VM:
    name: str
    os: str
    cpu: int
    ram_gb: int
    disks: list[Disk]
    ips: list[str]  # one entry per NIC; ', '-separated for several IPs on one NIC
    role: str
    app: str
    owner: str
    backup: str
    note: str
    created: str
    env: str = "Prod"
    site: str = ""
    cluster: str | None = None
    host: str = ""
    power: str = "poweredOn"
    template: bool = False
    poweron: str = ""
    suspended: str = ""
    snaps: list[Snap] = field(default_factory=list)
    usb: list[str] = field(default_factory=list)
    iso: str = ""
    manual_macs: dict[int, str] = field(default_factory=dict)
    rule: tuple[str, str] = ("", "")
    users: int | None = None
    sheet_note: str = ""
    patch: str = ""
    folder: str = ""
    tools: str = "toolsOk"  # VMware Tools status as vTools reports it for a running VM
    # filled in by finish()
    vm_id: int = 0
    datastore: str = ""

    @property
    def datacenter(self) -> str:
        return SITES[self.site]["datacenter"]

    @property
    def running(self) -> bool:
        return self.power == "poweredOn"

    @property
    def osinfo(self) -> OS:
        return OSES[self.os]

    @property
    def windows(self) -> bool:
        return self.osinfo.windows

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{DOMAIN}"

    def all_ips(self) -> list[str]:
        return [ip.strip() for nic in self.ips for ip in nic.split(",") if is_ip(ip)]


SITES = {
    "bsl": {"datacenter": "Basel-DC", "sheet": "Basel", "store": "BSL-DS-PROD0"},
    "brn": {"datacenter": "Bern-Office", "sheet": "Bern", "store": "BRN-DS-LOCAL01"},
    "vie": {"datacenter": "Vienna-Office", "sheet": "Vienna", "store": "VIE-DS-LOCAL01"},
}

HOSTS = {
    "BSL-Prod": ["bsl-esx01", "bsl-esx02", "bsl-esx03", "bsl-esx04"],
    "BSL-Test": ["bsl-esx05", "bsl-esx06"],
    "brn": ["brn-esx01"],
    "vie": ["vie-esx01"],
}

NETWORKS = {  # first three octets -> port group
    "10.10.10": "VLAN10-Infra",
    "10.10.20": "VLAN20-Servers",
    "10.10.30": "VLAN30-RDS",
    "10.10.40": "VLAN40-Test",
    "10.10.50": "VLAN50-DMZ",
    "10.10.60": "VLAN60-Voice",
    "10.10.99": "VLAN99-ClusterHB",
    "10.10.100": "VLAN100-Backup",
    "10.20.10": "VM Network",
    "10.30.10": "VM Network",
}

ESTATE: list[VM] = []


def is_ip(text: str) -> bool:
    return bool(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", text.strip()))


def network(nic: str) -> str:
    """Port group of a NIC given as 'ip[, ip...]' or, without an IP, as the port group."""
    first = nic.split(",")[0].strip()
    return NETWORKS[first.rsplit(".", 1)[0]] if is_ip(first) else first


def add(name: str, os: str, cpu: int, ram_gb: int, disks: list, ips: list[str], **kw) -> VM:
    vm = VM(
        name=name,
        os=os,
        cpu=cpu,
        ram_gb=ram_gb,
        disks=[d if isinstance(d, Disk) else Disk(*d) for d in disks],
        ips=ips,
        **kw,
    )
    ESTATE.append(vm)
    return vm


# fmt: off
# Standard values of the vCenter custom attribute "Backup".
VEEAM = "Veeam B&R daily"
VEEAM_WEEKLY = "Veeam B&R weekly"
SNAP_ONLY = "snapshot only"
NO_TEST = "none (test system)"
NO_RETIRED = "none (retired)"

ITI = "IT Infrastructure"

# ---------------------------------------------------------------- Basel: infrastructure

add("bsl-dc-01", "w2019", 2, 8, [(80, 38)], ["10.10.10.11"],
    role="Domain Controller", app="Active Directory", owner=ITI, backup=VEEAM,
    created="2019-06-12", users=250, folder="Infrastructure",
    note="Domain controller acme.local (PDC emulator, all FSMO roles). DNS, DHCP for Basel.")
add("bsl-dc-02", "w2022", 2, 8, [(80, 31)], ["10.10.10.12"],
    role="Domain Controller", app="Active Directory", owner=ITI, backup=VEEAM,
    created="2023-03-08", users=250, folder="Infrastructure",
    note="Second domain controller acme.local, DNS. Replaced the old 2008 R2 DC in 03/2023.")
add("bsl-fs-01", "w2019", 4, 16, [(100, 52), (6144, 5325)], ["10.10.20.21"],
    role="File Server", app="File services (DFS)", owner=ITI, backup=VEEAM,
    created="2019-09-02", users=250, folder="Infrastructure",
    note="Main file server: home drives, department shares and FSLogix profiles "
         "(\\\\acme.local\\dfs). D: 6 TB with dedup. Used by all office users, incl. "
         "department shares for Bern and Vienna.",
    sheet_note="6 TB data disk, ~5.2 TB used")
add("bsl-print-01", "w2012r2", 2, 4, [(60, 29)], ["10.10.20.25"],
    role="Print Server", app="Print services", owner=ITI, backup=VEEAM_WEEKLY,
    created="2015-04-20", folder="Infrastructure",
    note="Print server Basel, 42 printers (Konica Minolta, HP), follow-me printing.\n"
         "local admin Administrator / pw: Sommer2019!")
add("bsl-mon-01", "ubu2204", 4, 8,
    [(40, 14), Disk(200, 121, mode="independent_persistent")], ["10.10.10.30"],
    role="Monitoring", app="Checkmk monitoring", owner=ITI, backup=VEEAM,
    created="2022-05-17", folder="Infrastructure",
    note="Checkmk 2.2 monitoring (servers, switches, UPS). /data (RRD files) is an "
         "independent disk, so it is excluded from snapshots and from Veeam.")
add("bsl-bkp-01", "w2022", 4, 16,
    [(100, 35), Disk(3072, 2410, mode="independent_persistent")],
    ["10.10.10.40", "10.10.100.40"],
    role="Backup Server", app="Veeam Backup & Replication 12", owner=ITI,
    backup="n/a (backup server)", created="2023-01-24", folder="Infrastructure",
    note="Veeam B&R 12 server and primary repository (D:, independent disk). "
         "Backup copy job to the Synology NAS in Bern every night.",
    sheet_note="not to be migrated 1:1, backup concept for target tbd")
add("bsl-wsus-01", "w2019", 2, 8, [(80, 30), (300, 212)], ["10.10.10.45"],
    role="Patch Management", app="WSUS", owner=ITI, backup=VEEAM,
    created="2020-02-11", folder="Infrastructure",
    note="WSUS for all Windows servers and clients. Content on D:.")
add("bsl-av-01", "w2019", 2, 8, [(80, 35)], ["10.10.10.46"],
    role="Antivirus", app="ESET PROTECT", owner=ITI, backup=VEEAM,
    created="2020-02-12", folder="Infrastructure",
    note="ESET PROTECT console and mirror for ~330 endpoints.")
add("bsl-ca-01", "w2019", 2, 4, [(80, 22)], ["10.10.10.47"],
    role="Certificate Authority", app="AD Certificate Services", owner=ITI, backup=VEEAM,
    created="2019-06-20", folder="Infrastructure",
    note="Enterprise issuing CA (ACME-ISSUING-CA). Offline root CA is on a USB stick in the safe.")
add("bsl-nps-01", "w2019", 2, 4, [(80, 24)], ["10.10.10.48"],
    role="RADIUS", app="NPS (RADIUS for WLAN and VPN)", owner=ITI, backup=VEEAM,
    created="2020-10-01", folder="Infrastructure",
    note="Network Policy Server: 802.1X for WLAN, RADIUS for the Fortigate VPN.")
add("bsl-adfs-01", "w2019", 2, 8, [(80, 27)], ["10.10.10.49"],
    role="Federation Server", app="AD FS (SSO for Microsoft 365)", owner=ITI, backup=VEEAM,
    created="2020-10-05", folder="Infrastructure",
    note="AD FS for Microsoft 365 and the customer portal admin SSO.")
add("bsl-jump-01", "w2022", 2, 8, [(80, 41)], ["10.10.10.50"],
    role="Jump Host", app="Admin jump host", owner=ITI, backup=VEEAM,
    created="2023-06-05", folder="Infrastructure",
    note="Jump host for admins (RDP only from the admin VLAN), MFA via Duo.")
add("bsl-exch-01", "w2019", 8, 64, [(120, 61), (800, 612)], ["10.10.20.30"],
    role="Mail Server", app="Exchange Server 2019", owner=ITI, backup=VEEAM,
    created="2020-03-16", users=275, folder="Infrastructure",
    note="Exchange 2019 CU14, hybrid with Microsoft 365. Shared mailboxes, scanners, "
         "SMTP for applications.")
add("bsl-smtp-01", "ubu2204", 1, 2, [(20, 6)], ["10.10.50.25"],
    role="Mail Relay", app="Postfix mail relay", owner=ITI, backup=VEEAM,
    created="2022-11-08", folder="Infrastructure",
    note="Postfix relay in the DMZ for outgoing application mail.")
add("bsl-proxy-01", "ubu2204", 2, 4, [(40, 12)], ["10.10.50.26"],
    role="Web Proxy", app="Squid web proxy", owner=ITI, backup=VEEAM,
    created="2022-11-09", folder="Infrastructure",
    note="Squid proxy for servers without direct internet access.")

# ------------------------------------------------------------ Basel: business systems

add("bsl-ora-01", "ol8", 8, 64, [(100, 41), Disk(1024, 688, mount="/u01")], ["10.10.20.40"],
    host="bsl-esx01", role="Database Server", app="Oracle Database 19c", owner="Finance IT",
    backup="Veeam B&R daily + RMAN", created="2021-04-12", folder="Business Apps",
    rule=("VM-Host affinity", "ORA-licensed-hosts"), patch="MANUAL (change window)",
    note="Oracle 19c Enterprise Edition, instance ACMEPRD for the ERP (Infor LN).\n"
         "Licensed per processor: must stay on bsl-esx01/02 (DRS rule), do not add vCPUs "
         "without asking Procurement.")
add("bsl-erp-01", "w2019", 8, 32, [(100, 48), (200, 95)], ["10.10.20.41"],
    role="Application Server", app="ERP (Infor LN)", owner="Finance IT", backup=VEEAM,
    created="2021-04-14", folder="Business Apps", users=180,
    note="Infor LN application server, database on bsl-ora-01. 180 named users.")
add("bsl-sql-01", "w2019", 8, 32, [(100, 45), (500, 311)], ["10.10.20.50"],
    role="Database Server", app="SQL Server 2019", owner=ITI, backup=VEEAM,
    created="2020-05-04", folder="Business Apps", patch="MANUAL (change window)",
    iso="[BSL-DS-ISO01] ISO/SW_DVD9_SQL_Svr_Std_Ent_2019_64Bit_English.ISO",
    note="SQL Server 2019 Standard, default instance. Databases: DMS, intranet, PDM, WSUS.")
add("bsl-sql-02", "w2016", 4, 24, [(100, 62), (400, 287)], ["10.10.20.51"],
    role="Database Server", app="SQL Server 2019", owner="HR", backup=SNAP_ONLY,
    created="2018-11-19", folder="Business Apps", patch="MANUAL (change window)",
    snaps=[
        Snap("before CU16", "SQL 2019 CU16 + Windows updates", "2024-11-12 19:04", 151_552),
        Snap("before Sage update 2025", "Sage 200 2025.1", "2025-03-03 18:31", 98_304),
        Snap("pre year-end payroll", "before payroll run 12/2025", "2025-12-18 17:12", 64_512),
        Snap("weekly", "manual weekly snapshot", "2026-09-27 21:00", 5_888),
    ],
    note="SQL Server 2019 Standard for HR/payroll (Sage 200) and time recording. No Veeam "
         "licence left for this VM: backup = a VM snapshot before every change.",
    sheet_note="backup via VM snapshots only")
for _node, _host, _ip, _hb in (
    ("a", "bsl-esx01", "10.10.20.55", "10.10.99.55"),
    ("b", "bsl-esx02", "10.10.20.56", "10.10.99.56"),
):
    _active = _node == "a"
    add(f"bsl-sqlclu-01{_node}", "w2019", 8, 64,
        [
            (100, 40 if _active else 37),
            Disk(1, 0.1, mount="Q:\\", sharing="sharingMultiWriter",
                 shared_bus="physicalSharing", thin=False, controller=1, mounted=_active),
            Disk(1024, 720, mount="E:\\", raw=True, shared_bus="physicalSharing",
                 thin=False, controller=1, mounted=_active,
                 lun="naa.600a098038304437395d4f6a2f6b4d51"),
        ],
        [_ip, _hb], host=_host,
        role="Database Server (cluster node)", app="SQL Server 2019", owner="Finance IT",
        backup="Veeam Agent daily", created="2021-09-06", folder="Business Apps",
        rule=("VM-VM anti-affinity", "SQLCLU01-separate-hosts"), patch="MANUAL (cluster)",
        note=f"WSFC node {_node.upper()} of SQLCLU01 (SQL Server 2019 failover cluster "
             "instance FIN: finance, Abacus reporting). Shared disks on SCSI controller 1 "
             "with physical bus sharing: quorum disk + RDM LUN from the NetApp. Backed up "
             "with Veeam Agent (no image backup possible).",
        sheet_note="Windows failover cluster SQLCLU01, shared RDM 1 TB + quorum")
add("bsl-sap-01", "sles15", 8, 64, [(100, 38), Disk(300, 142, mount="/usr/sap")],
    ["10.10.20.60"],
    role="SAP Application Server", app="SAP S/4HANA 2021 (PRD)",
    owner="SAP Competence Center", backup=VEEAM, created="2022-02-21", folder="SAP",
    patch="MANUAL (SAP basis)",
    note="SAP S/4HANA production S4P: ASCS + primary application server. DB on bsl-hana-01.")
add("bsl-hana-01", "sles15", 16, 256,
    [(100, 30), Disk(768, 412, mount="/hana/data"), Disk(256, 96, mount="/hana/log")],
    ["10.10.20.61"],
    role="SAP HANA Database", app="SAP HANA 2.0 (S4P)", owner="SAP Competence Center",
    backup="Veeam Plug-in for SAP HANA", created="2022-02-21", folder="SAP",
    patch="MANUAL (SAP basis)",
    note="SAP HANA 2.0 SPS07 for S4P. Memory fully reserved. Backint via Veeam plug-in.")
add("bsl-lic-01", "w2016", 2, 4, [(60, 28)], ["10.10.20.70"], host="bsl-esx03",
    role="License Server", app="Licence server (FlexLM, HASP)", owner="Engineering",
    backup=VEEAM, created="2017-08-28", folder="Business Apps",
    usb=["SafeNet Sentinel HL dongle"], rule=("VM-Host affinity", "LIC-pinned-to-esx03"),
    note="Licence server for engineering: FlexLM (Autodesk, Ansys) and Sentinel HASP for "
         "the CNC post-processor. The HASP dongle is a USB passthrough from host "
         "bsl-esx03, the VM is pinned to that host.",
    sheet_note="HASP USB dongle plugged into ESX host 3")
add("bsl-cam-01", "w2016", 4, 16, [(100, 71)], ["10.10.20.72"],
    role="Application Server", app="CAM software (Mastercam)", owner="Engineering",
    backup=SNAP_ONLY, created="2018-03-05", folder="Business Apps",
    manual_macs={0: "00:50:56:1a:2b:3c"},
    snaps=[Snap("before licence transfer", "Mastercam 2023 licence moved from old server",
                "2025-05-21 16:40", 38_912)],
    note="Mastercam 2023 and post-processors for the CNC shop. The vendor licence is "
         "bound to the MAC address 00:50:56:1a:2b:3c: never remove or re-create the "
         "network adapter!",
    sheet_note="licence bound to MAC address")
add("bsl-dms-01", "w2019", 4, 16, [(100, 40), (1024, 508)], ["10.10.20.75"],
    role="Document Management", app="DMS (d.velop documents)", owner="Finance IT",
    backup=VEEAM, created="2020-07-13", folder="Business Apps",
    note="d.velop documents: archive for invoices and contracts (10-year retention). "
         "Database on bsl-sql-01.")
add("bsl-pdm-01", "w2019", 4, 16, [(100, 38), (500, 270)], ["10.10.20.76"],
    role="Application Server", app="SOLIDWORKS PDM", owner="Engineering", backup=VEEAM,
    created="2019-11-04", folder="Business Apps",
    note="SOLIDWORKS PDM archive server (vault on D:), database on bsl-sql-01.")
add("bsl-hr-01", "w2019", 4, 16, [(100, 44)], ["10.10.20.77"],
    role="Application Server", app="HR/Payroll (Sage 200)", owner="HR", backup=VEEAM,
    created="2019-01-15", folder="Business Apps",
    note="Sage 200 HR/payroll application server, database on bsl-sql-02.")
add("bsl-bi-01", "w2022", 4, 32, [(100, 39), (200, 86)], ["10.10.20.78"],
    role="Reporting Server", app="Power BI Report Server", owner="Controlling", backup=VEEAM,
    created="2023-09-11", folder="Business Apps",
    note="Power BI Report Server, reports on ERP and HR data.")
add("bsl-intranet-01", "ubu2204", 2, 8, [(40, 15), (100, 33)], ["10.10.20.80"],
    role="Web Server", app="Intranet (WordPress)", owner="Communications", backup=VEEAM,
    created="2022-08-29", folder="Business Apps",
    note="Intranet (WordPress + LDAP login). Database on bsl-sql-01 via ODBC plug-in.")
add("bsl-wiki-01", "ubu2204", 4, 8, [(40, 16), (150, 64)], ["10.10.20.81"],
    role="Application Server", app="Confluence (wiki)", owner=ITI, backup=VEEAM,
    created="2021-12-01", folder="Business Apps",
    note="Confluence Data Center 8.5, single node. Atlassian licence renewal 03/2027.")
add("bsl-edi-01", "rhel8", 2, 8, [(60, 22)], ["10.10.50.30"],
    role="EDI Gateway", app="EDI gateway (Lobster_data)", owner="Supply Chain", backup=VEEAM,
    created="2021-06-21", folder="Business Apps",
    note="EDI with suppliers and retailers (AS2, SFTP). Partner IP allow-lists!")
add("bsl-sftp-01", "ubu2204", 2, 4, [(40, 9), (200, 61)], ["10.10.50.31"],
    role="File Transfer", app="SFTP server (supplier exchange)", owner="Supply Chain",
    backup=VEEAM, created="2025-09-22", folder="Business Apps",
    note="OpenSSH SFTP for supplier file exchange, replaces bsl-ftp-01. NAT on the firewall.")

# -------------------------------------------------- Basel: customer portal (web farm)

_PORTAL = "E-Commerce"
add("bsl-lb-01", "ubu2204", 2, 4, [(20, 7)], ["10.10.50.10", "10.10.20.10"],
    role="Load Balancer", app="HAProxy (Customer Portal)", owner=_PORTAL, backup=VEEAM,
    created="2021-10-18", folder="Customer Portal",
    note="Single HAProxy 2.4 in front of bsl-web-01..03 (portal.acme.example), TLS "
         "termination. Public IP NATed on the firewall. No standby (keepalived never set up).",
    sheet_note="only load balancer")
for _i in (1, 2, 3):
    add(f"bsl-web-0{_i}", "ubu2204", 4, 8, [(40, 12 + _i), (50, 17 + _i)], [f"10.10.50.1{_i}"],
        role="Web Server", app="Customer Portal (nginx/PHP)", owner=_PORTAL, backup=VEEAM,
        created="2021-10-18", folder="Customer Portal",
        note=f"Customer portal web node {_i} of 3 behind bsl-lb-01. Stateless; sessions in "
             "PostgreSQL on bsl-appdb-01.")
for _i in (1, 2):
    add(f"bsl-app-0{_i}", "rhel8", 4, 16, [(60, 20 + _i), (100, 40 + _i)], [f"10.10.20.9{_i}"],
        role="Application Server", app="Customer Portal backend (Java)", owner=_PORTAL,
        backup=VEEAM, created="2021-10-20", folder="Customer Portal",
        note=f"Portal backend node {_i} (Spring Boot services, order API). Talks to "
             "bsl-mq-01 and bsl-appdb-01.")
add("bsl-mq-01", "rhel8", 2, 8, [(40, 15), (50, 8)], ["10.10.20.95"],
    role="Message Queue", app="RabbitMQ (Customer Portal)", owner=_PORTAL, backup=VEEAM,
    created="2021-10-20", folder="Customer Portal",
    note="Single RabbitMQ 3.12 node (no cluster). Order queue portal -> ERP.",
    sheet_note="single node")
add("bsl-appdb-01", "rhel8", 8, 32, [(60, 19), (500, 231)], ["10.10.20.96"],
    role="Database Server", app="PostgreSQL 15 (Customer Portal)", owner=_PORTAL,
    backup=VEEAM, created="2021-10-20", folder="Customer Portal",
    note="The only database of the customer portal (PostgreSQL 15). Streaming replica "
         "planned since 2023, never done. pg_dump nightly to bsl-fs-01.",
    sheet_note="no replica")

# ------------------------------------------------------------ Basel: remote desktop

for _i in (1, 2, 3):
    add(f"bsl-rds-0{_i}", "w2019", 8, 48, [(150, 90 + 3 * _i)], [f"10.10.30.1{_i}"],
        role="Terminal Server (RDS)", app="Remote Desktop Session Host", owner=ITI,
        backup=VEEAM, created="2020-01-27", folder="RDS", users=60,
        note="RDS session host (Office, ERP client, Sage) for users in Basel, Bern and "
             "Vienna. FSLogix profiles on bsl-fs-01.")
add("bsl-rdcb-01", "w2019", 2, 8, [(80, 30)], ["10.10.30.10"],
    role="RDS Broker", app="Remote Desktop Connection Broker / Licensing", owner=ITI,
    backup=VEEAM, created="2020-01-27", folder="RDS",
    note="RD Connection Broker and RD Licensing (180 user CALs).")
for _i, _mac in ((1, "00:50:56:3e:10:21"), (2, "00:50:56:3e:10:22")):
    add(f"bsl-rdgw-0{_i}", "w2019", 2, 8, [(80, 27 + _i)],
        [f"10.10.30.2{_i}", f"10.10.30.2{2 + _i}, 10.10.30.20"], manual_macs={1: _mac},
        role="RD Gateway", app="RD Gateway / RD Web Access (NLB)", owner=ITI, backup=VEEAM,
        created="2020-02-03", folder="RDS", rule=("VM-VM anti-affinity", "RDGW-separate-hosts"),
        note="RD Gateway + RD Web Access, Windows NLB cluster (multicast) with cluster IP "
             "10.10.30.20 (remote.acme.example). MAC address of the NLB adapter set "
             "manually, static ARP entry on the core switch.",
        sheet_note="Windows NLB with bsl-rdgw-0" + str(3 - _i))

# ----------------------------------------------------------------- Basel: the rest

add("bsl-voip-01", "deb12", 4, 8, [(80, 34)], ["10.10.60.10"],
    role="Telephony", app="3CX Phone System", owner=ITI, backup=SNAP_ONLY,
    created="2021-03-01", folder="Infrastructure", users=325,
    snaps=[Snap("before V20 upgrade", "3CX V18 -> V20", "2025-01-28 20:15", 22_528)],
    note="3CX V20 PBX, 180 extensions, SIP trunk to Swisscom. Desk phones in Basel, Bern "
         "and Vienna register here. Latency sensitive (RTP).")
add("bsl-analytics-01", "rhel8", 96, 1024, [(200, 61), (4096, 2870)], ["10.10.20.120"],
    host="bsl-esx04", role="Analytics Server", app="Analytics (SAS 9.4)",
    owner="Controlling", backup=VEEAM_WEEKLY, created="2022-10-03", folder="Business Apps",
    note="SAS 9.4 compute server for controlling and forecasting. Month-end batch needs "
         "all 96 vCPUs and ~900 GB RAM for in-memory tables.",
    sheet_note="huge - 96 vCPU / 1 TB RAM")
add("bsl-crm-01", "centos7", 4, 16, [(60, 25), (200, 118)], ["10.10.20.130"],
    power="poweredOff", role="Application Server", app="CRM (SugarCRM 6.5) - retired",
    owner="Sales", backup=NO_RETIRED, created="2016-05-09", folder="Legacy",
    note="Old CRM, replaced by Salesforce in 09/2025. Powered off 2025-09-26, keep until "
         "09/2027 (audit), then delete.",
    sheet_note="switched off since 26.09.2025 (old CRM, keep for audit)")
add("bsl-ftp-01", "w2008r2", 2, 4, [(60, 38)], ["10.10.50.40"],
    power="poweredOff", role="FTP Server", app="FTP server (retired)", owner="Supply Chain",
    backup=NO_RETIRED, created="2013-02-11", folder="Legacy",
    note="Old supplier FTP (IIS FTP). Replaced by bsl-sftp-01, switched off 10/2025. "
         "Can it be deleted?",
    sheet_note="switched off (replaced by bsl-sftp-01)")

add("bsl-scan-01", "w2019", 2, 8, [(80, 36), (200, 74)], ["10.10.20.82"],
    role="Scan Server", app="Scan and OCR (Kofax)", owner="Finance IT", backup=VEEAM,
    created="2020-08-24", folder="Business Apps",
    note="Kofax capture: incoming invoices are scanned and OCRed here, then go to bsl-dms-01.")
add("bsl-log-01", "ubu2204", 4, 16, [(40, 13), (500, 318)], ["10.10.10.31"],
    role="Log Server", app="Graylog (central logging)", owner=ITI, backup=VEEAM_WEEKLY,
    created="2023-02-13", folder="Infrastructure",
    note="Graylog 5 + OpenSearch, syslog from firewalls/switches, Windows event forwarding. "
         "90 days retention.")

# Pets: nobody documented them, nobody owns them, they have run for a decade.
add("gandalf", "w2008r2", 2, 4, [(40, 33), (200, 151)], ["10.10.20.201"],
    role="", app="", owner="", backup="", note="", created="2012-03-14",
    poweron="2026-02-10 06:12", folder="Discovered virtual machine",
    sheet_note="??? - nobody knows", patch="none", tools="toolsOld")
add("zeus", "centos6", 2, 4, [(30, 22)], ["10.10.20.202"],
    role="", app="", owner="", backup="", note="", created="2013-07-22",
    poweron="2023-01-14 03:41", folder="Discovered virtual machine",
    snaps=[Snap("vor update", "", "2024-11-13 11:02", 8_448)],
    sheet_note="old Linux box, maybe used by production?", patch="none", tools="toolsOld")
add("pluto", "deb8", 1, 2, [(20, 11)], ["10.10.20.203"],
    role="", app="", owner="", backup="", note="", created="2014-10-02",
    poweron="2024-06-22 09:30", folder="Discovered virtual machine",
    sheet_note="", patch="none", tools="toolsNotInstalled")

# Templates (Template = True in RVTools, absent from the other two formats).
for _name, _os, _disk, _created in (
    ("tpl-win2019", "w2019", (80, 21), "2020-01-20"),
    ("tpl-win2022", "w2022", (80, 18), "2024-02-12"),
    ("tpl-rhel9", "rhel9", (40, 6), "2024-06-03"),
):
    add(_name, _os, 2, 4, [_disk], ["VLAN20-Servers"], template=True, power="poweredOff",
        role="Template", app="Template", owner=ITI, backup="none", created=_created,
        folder="Templates",
        note=f"Template {OSES[_os].sheet}, patched 2026-08. Deploy via customization spec.")

# ---------------------------------------------------------------- Basel: test / dev

for _name, _os, _cpu, _ram, _disks, _ip, _role, _app, _owner, _created, _note in (
    ("bsl-tst-web-01", "ubu2204", 2, 4, [(40, 11)], "10.10.40.11", "Web Server",
     "Customer Portal (test)", _PORTAL, "2021-11-02", "Portal test web node 1."),
    ("bsl-tst-web-02", "ubu2204", 2, 4, [(40, 10)], "10.10.40.14", "Web Server",
     "Customer Portal (test)", _PORTAL, "2021-11-02", "Portal test web node 2 (load tests)."),
    ("bsl-tst-app-01", "rhel8", 2, 8, [(60, 18)], "10.10.40.12", "Application Server",
     "Customer Portal backend (test)", _PORTAL, "2021-11-02", "Portal test backend."),
    ("bsl-tst-mq-01", "rhel8", 2, 4, [(40, 9)], "10.10.40.13", "Message Queue",
     "RabbitMQ (test)", _PORTAL, "2021-11-03", "RabbitMQ for portal test."),
    ("bsl-tst-sql-01", "w2019", 4, 16, [(100, 41), (200, 88)], "10.10.40.20", "Database Server",
     "SQL Server 2019", ITI, "2020-06-08", "SQL Server 2019 Developer, copies of the PRD DBs."),
    ("bsl-tst-ora-01", "ol8", 4, 32, [(100, 35), Disk(500, 210, mount="/u01")], "10.10.40.21",
     "Database Server", "Oracle Database 19c", "Finance IT", "2021-05-03",
     "Oracle 19c test instance ACMETST, refreshed from PRD monthly."),
    ("bsl-tst-erp-01", "w2019", 4, 16, [(100, 42)], "10.10.40.22", "Application Server",
     "ERP (Infor LN) test", "Finance IT", "2021-05-04", "Infor LN test, DB bsl-tst-ora-01."),
    ("bsl-tst-sap-01", "sles11", 4, 32, [(60, 31), (200, 120)], "10.10.40.30",
     "SAP Sandbox", "SAP ECC 6.0 sandbox (old)", "SAP Competence Center", "2014-09-15",
     "Old ECC 6.0 sandbox on SLES 11 SP4 / MaxDB, kept for reference after the S/4 go-live."),
    ("bsl-ci-01", "centos7", 4, 8, [(60, 26), (200, 104)], "10.10.40.50", "Build Server",
     "Jenkins CI", _PORTAL, "2017-10-09", "Jenkins for the portal builds."),
    ("bsl-git-01", "ubu2204", 4, 16, [(60, 21), (300, 143)], "10.10.40.51", "Source Control",
     "GitLab CE", _PORTAL, "2022-04-11", "GitLab CE (source code of the portal!)."),
):
    add(_name, _os, _cpu, _ram, _disks, [_ip], role=_role, app=_app, owner=_owner,
        backup=VEEAM if _name == "bsl-git-01" else NO_TEST, created=_created, env="Test",
        cluster="BSL-Test", folder="Test & Dev", note=_note)
add("bsl-dev-01", "ubu2404", 4, 16, [(100, 44)], ["10.10.40.40"],
    role="Development", app="Development VM", owner=_PORTAL, backup=NO_TEST,
    created="2026-09-17", env="Dev", cluster="BSL-Test", folder="Test & Dev",
    snaps=[Snap("clean install", "Ubuntu 24.04 + toolchain", "2026-09-18 10:05", 4_096)],
    note="Developer VM (Linux).")
add("bsl-dev-02", "w2022", 4, 16, [(100, 52)], ["10.10.40.41"],
    power="suspended", suspended="2026-06-30 18:05", poweron="2026-06-02 08:14",
    role="Development", app="Development VM (Windows)", owner=_PORTAL, backup=NO_TEST,
    created="2024-05-13", env="Dev", cluster="BSL-Test", folder="Test & Dev",
    note="Developer VM (Windows), suspended while the developer is on parental leave.",
    sheet_note="suspended since end of June")

# ------------------------------------------------------------------ Bern branch office

add("brn-dc-01", "w2019", 2, 8, [(80, 33)], ["10.20.10.11"],
    role="Domain Controller", app="Active Directory", owner=ITI, backup=VEEAM,
    created="2019-08-19", users=35, folder="Bern",
    note="Domain controller Bern (DNS, DHCP). The only DC on site.")
add("brn-fs-01", "w2019", 2, 8, [(80, 30), (1024, 612)], ["10.20.10.21"],
    role="File Server", app="File services", owner=ITI, backup=VEEAM,
    created="2019-08-20", users=35, folder="Bern",
    note="Local file server Bern (CAD drawings, scans). Large files, users work on them "
         "directly over SMB.")
add("brn-print-01", "w2016", 2, 4, [(60, 24)], ["10.20.10.25"],
    role="Print Server", app="Print services", owner=ITI, backup=VEEAM_WEEKLY,
    created="2018-02-05", folder="Bern", note="Print server Bern, 9 printers, plotter.")
add("brn-tt-01", "centos7", 2, 4, [(40, 17)], ["10.20.10.30"],
    role="Application Server", app="Time recording (Kaba)", owner="Facility Bern",
    backup=SNAP_ONLY, created="2017-06-12", folder="Bern",
    snaps=[Snap("before kaba update", "", "2025-08-19 07:30", 9_216)],
    note="Kaba exos time recording, terminals at the Bern entrances talk to it.")
add("brn-cctv-01", "w2016", 4, 16, [(100, 38), (2048, 1790)], ["10.20.10.40"],
    role="Video Surveillance", app="Video surveillance (Milestone XProtect)",
    owner="Facility Bern", backup="none (recordings kept 30 days)", created="2018-04-23",
    folder="Bern",
    note="Milestone XProtect, 14 cameras, recordings on D: (30 days retention).")

# ----------------------------------------------------------------- Vienna sales office

add("vie-dc-01", "w2022", 2, 8, [(80, 29)], ["10.30.10.11"],
    role="Domain Controller", app="Active Directory", owner=ITI, backup=VEEAM,
    created="2023-05-22", users=40, folder="Vienna",
    note="The only domain controller in Vienna (DNS, DHCP for the sales office).")
add("vie-fs-01", "w2019", 2, 8, [(80, 31), (1024, 540)], ["10.30.10.21"],
    role="File Server", app="File services", owner="Sales Vienna", backup="",
    created="2019-10-07", users=40, folder="Vienna",
    note="File server of the Vienna sales office (offers, price lists). Backup: USB disk "
         "changed weekly by the office manager.",
    sheet_note="backup: USB disk (manual)")
add("vie-print-01", "w2019", 2, 4, [(60, 22)], ["10.30.10.25"],
    role="Print Server", app="Print services", owner=ITI, backup=VEEAM_WEEKLY,
    created="2019-10-08", folder="Vienna", note="Print server Vienna, 6 printers.")
add("vie-app-01", "w2012r2", 2, 8, [(80, 47)], ["10.30.10.30"],
    role="Application Server", app="Sales configurator (CPQ)", owner="Sales Vienna",
    backup=VEEAM_WEEKLY, created="2015-11-30", folder="Vienna", users=40,
    note="Product configurator for quotes (vendor support ended). Reads price lists "
         "from vie-fs-01, needs low latency to it.")
# fmt: on


# ------------------------------------------------------------ derived, per-VM values


def _site(vm: VM) -> str:
    return vm.site or (vm.name[:3] if vm.name[:3] in SITES else "bsl")


def finish() -> None:
    """Fill in the derived values (site, cluster, host, ids) in a stable way."""
    vms = sorted(ESTATE, key=lambda v: v.name)
    for vm in vms:
        vm.site = _site(vm)
        if vm.cluster is None:
            vm.cluster = "BSL-Prod" if vm.site == "bsl" else ""
    # Place the VMs like DRS would: pinned ones first, then round robin, skipping a host
    # that would go above 75 % memory.
    ram = {host: 0 for hosts in HOSTS.values() for host in hosts}
    for vm in vms:
        if vm.host:
            ram[vm.host] += vm.ram_gb
    turn: dict[str, int] = {}
    for vm in vms:
        if vm.host:
            continue
        key = vm.cluster or vm.site
        pool, limit = HOSTS[key], 0.75 * HOST_MODELS[key]["mem_gb"]
        for attempt in range(len(pool)):
            host = pool[(turn.get(key, 0) + attempt) % len(pool)]
            if ram[host] + vm.ram_gb <= limit:
                break
        vm.host = host
        ram[host] += vm.ram_gb
        turn[key] = turn.get(key, 0) + attempt + 1
    for index, vm in enumerate(vms):
        vm.vm_id = 1001 + index * 3
        if vm.site == "bsl":
            vm.datastore = (
                "BSL-DS-TEST01"
                if vm.cluster == "BSL-Test"
                else f"BSL-DS-PROD0{pick(1, 3, 'ds', vm.name)}"
            )
        else:
            vm.datastore = SITES[vm.site]["store"]
        if not vm.patch:
            if vm.env != "Prod":
                vm.patch = "TEST-AUTO"
            elif vm.site != "bsl":
                vm.patch = "WIN-BRANCH" if vm.windows else "LNX-BRANCH"
            elif vm.windows:
                vm.patch = "WIN-PROD-A" if pick(0, 1, "patch", vm.name) else "WIN-PROD-B"
            else:
                vm.patch = "LNX-PROD"


def hw_version(vm: VM) -> int:
    year = int(vm.created[:4])
    for limit, version in ((2013, 8), (2015, 10), (2017, 11), (2019, 13), (2021, 15)):
        if year < limit:
            return version
    return 19


def firmware(vm: VM) -> str:
    modern = vm.os in ("w2019", "w2022", "rhel9", "ubu2404") and vm.created >= "2019"
    return "efi" if modern else "bios"


def adapter(vm: VM) -> str:
    if vm.os in ("w2008r2", "centos6", "deb8"):
        return "E1000"
    if vm.os == "w2012r2":
        return "E1000E"
    return "Vmxnet3"


def disk_keys(vm: VM) -> list[int]:
    keys, units = [], {0: 0, 1: 0}
    for d in vm.disks:
        keys.append(2000 + 16 * d.controller + units[d.controller])
        units[d.controller] += 1
    return keys


def partitions(vm: VM) -> list[tuple[int, int, str, int, int]]:
    """(disk index, disk key, partition name, capacity MiB, consumed MiB) per partition."""
    out = []
    keys = disk_keys(vm)
    letters = "CDEFG"
    for i, d in enumerate(vm.disks):
        cap, used = d.gb * 1024, round(d.used_gb * 1024)
        if vm.windows:
            name = d.mount or f"{letters[i]}:\\"
            out.append((i, keys[i], name, cap - (550 if i == 0 else 128), used))
        elif i == 0:
            boot_used = 280 + pick(0, 60, "boot", vm.name)
            out.append((i, keys[i], "/boot", 1014, boot_used))
            out.append((i, keys[i], "/", cap - 1024 - 2048, used - boot_used))
        else:
            name = d.mount or ("/data" if i == 1 else f"/data{i}")
            out.append((i, keys[i], name, cap - 64, used))
    for _, _, name, cap, used in out:
        assert 0 <= used < cap, (vm.name, name)
    return out


def disk_in_use(vm: VM, d: Disk) -> int:
    """Datastore space a disk takes: thin = what the guest wrote, thick = capacity."""
    if d.raw:
        return 0  # the data lives on the SAN LUN, not on a datastore
    if d.thin:
        return round(d.used_gb * 1024)
    return d.gb * 1024


def snapshot_mib(vm: VM) -> int:
    return sum(s.total_mib for s in vm.snaps)


def tools_os(vm: VM) -> str:
    return vm.osinfo.cfg if vm.running and vm.tools != "toolsNotInstalled" else ""


#: Tools version numbers as vTools shows them (12.4.5 -> 12421, 10.3.10 -> 10346).
TOOLS_VERSION = {"toolsOk": 12421, "toolsOld": 10346, "toolsNotInstalled": 0}


def tools_status(vm: VM) -> str:
    """vTools' Tools column: a powered-off VM's tools are not running, whatever their state."""
    if vm.tools == "toolsNotInstalled":
        return vm.tools
    return vm.tools if vm.running else "toolsNotRunning"


def poweron_time(vm: VM) -> dt.datetime | None:
    if vm.poweron:
        return day(vm.poweron)
    if not vm.running:
        return None
    if vm.windows:  # patch weekend after the September patch day
        base = dt.datetime(2026, 9, 12 if vm.env != "Prod" else 13, 1, 0)
        return base + dt.timedelta(minutes=pick(0, 240, "boot", vm.name))
    days = pick(9, 190, "uptime", vm.name)
    boot = EXPORT_TIME - dt.timedelta(days=days, minutes=pick(0, 900, "up", vm.name))
    return max(boot, day(vm.created, "created", vm.name) + dt.timedelta(minutes=25))


# ------------------------------------------------------------------------- utilisation

# CPU and memory in use when RVTools ran: 14:23 on the last working day of September, the
# month-end close. Memory is VMware's "active" memory (what the guest touched in the last
# minutes), which stays well below what a guest holds. Most production servers idle along
# at 5-30 % CPU; the servers below are the exceptions, as (CPU %, active memory %).
BUSY = {
    # The month-end forecasting batch: 44 % of 96 vCPUs keeps three quarters of the 56
    # cores of its host busy.
    "bsl-analytics-01": (44, 91),
    "bsl-sql-01": (58, 86),
    "bsl-sqlclu-01a": (44, 82),  # the active node of SQLCLU01: finance closes the month
    "bsl-hana-01": (38, 93),  # an in-memory database touches most of its memory
    "bsl-exch-01": (24, 78),
    "bsl-appdb-01": (61, 58),
    "bsl-rds-01": (63, 74),
    "bsl-rds-02": (57, 71),
    "bsl-rds-03": (49, 69),
}
IDLE = {  # allocated far above what they do
    "bsl-sqlclu-01b": (1.2, 4),  # the passive node waits for a failover
    "bsl-bi-01": (2.1, 6),  # reports run in the morning
    "bsl-tst-sap-01": (0.6, 3),  # kept for reference, nobody logs on
    "bsl-tst-ora-01": (1.4, 7),  # refreshed from production once a month
    "bsl-wsus-01": (0.9, 9),
    "gandalf": (1.8, 11),
    "zeus": (0.7, 8),
    "pluto": (2.4, 14),
}


def usage(vm: VM) -> tuple[float, float] | None:
    """(CPU %, active memory %) at export; None for a VM that is not running."""
    if not vm.running:
        return None
    if vm.name in BUSY:
        return BUSY[vm.name]
    if vm.name in IDLE:
        return IDLE[vm.name]
    cpu, mem = frac("cpu", vm.name), frac("mem", vm.name)
    if vm.env != "Prod":  # test and development: little load in the afternoon
        return round(1.5 + 8.5 * cpu, 1), round(6 + 20 * mem, 1)
    return round(5 + 25 * cpu, 1), round(12 + 30 * mem, 1)


def host_mhz(vm: VM) -> int:
    """Clock speed of the CPUs of the host the VM runs on."""
    pool = next(p for p, hosts in HOSTS.items() if vm.host in hosts)
    return HOST_MODELS[pool]["speed"]


def cpu_mhz(vm: VM) -> tuple[int, int]:
    """vCPU tab 'Max' (what the vCPUs could use) and 'Overall' (what they use), in MHz;
    both 0 when the VM is not running, as RVTools writes them."""
    used = usage(vm)
    if used is None:
        return 0, 0
    top = vm.cpu * host_mhz(vm)
    return top, round(top * used[0] / 100)


def active_mib(vm: VM) -> int:
    used = usage(vm)
    return 0 if used is None else round(vm.ram_gb * 1024 * used[1] / 100)


def consumed_mib(vm: VM) -> int:
    """Host memory backing the guest: Windows touches nearly all of it at boot, Linux
    fills it with caches over time; never below the active memory."""
    if not vm.running:
        return 0
    ram = vm.ram_gb * 1024
    share = (
        (0.86 + 0.13 * frac("consumed", vm.name))
        if vm.windows
        else (0.45 + 0.45 * frac("consumed", vm.name))
    )
    if vm.name == "bsl-hana-01":  # fully reserved
        share = 1.0
    return max(active_mib(vm), round(ram * share))


def common_tail(vm: VM, tools_header: str = "OS according to the VMware Tools") -> dict:
    return {
        "Annotation": vm.note or None,
        "Backup": vm.backup or None,
        "Owner": vm.owner or None,
        "Application": vm.app or None,
        "Datacenter": vm.datacenter,
        "Cluster": vm.cluster or None,
        "Host": f"{vm.host}.{DOMAIN}",
        "Folder": vm.folder,
        "OS according to the configuration file": vm.osinfo.cfg,
        tools_header: tools_os(vm) or None,
        "VM ID": f"vm-{vm.vm_id}",
        "VM UUID": uid("vm-instance", vm.name),
        "VI SDK Server": VCENTER,
        "VI SDK UUID": VI_SDK_UUID,
    }


def common_head(vm: VM) -> dict:
    return {
        "VM": vm.name,
        "Powerstate": vm.power,
        "Template": tf(vm.template),
        "SRM Placeholder": "False",
    }


def vmx_dir(vm: VM) -> str:
    return f"[{vm.datastore}] {vm.name}/"


# ------------------------------------------------------------------ RVTools workbook


def vinfo_row(vm: VM) -> dict:
    guest = vm.running and vm.tools != "toolsNotInstalled"  # what only the tools report
    nets = [network(nic) for nic in vm.ips]
    total = sum(d.gb * 1024 for d in vm.disks)
    in_use = sum(disk_in_use(vm, d) for d in vm.disks) + snapshot_mib(vm)
    shared = sum(disk_in_use(vm, d) for d in vm.disks if d.shared_bus != "noSharing")
    created = day(vm.created, "created", vm.name)
    poweron = poweron_time(vm)
    prod_cluster = vm.cluster == "BSL-Prod"
    row = {
        **common_head(vm),
        "Config status": "green",
        "DNS Name": vm.fqdn if guest else None,
        "Connection state": "connected",
        "Guest state": "running" if guest else "notRunning",
        "Heartbeat": "green" if guest else "gray",
        "Consolidation Needed": "False",
        "PowerOn": poweron,
        "Suspended To Memory": "False",
        "Suspend time": day(vm.suspended) if vm.suspended else None,
        "Suspend Interval": 0,
        "Creation date": created,
        "Change Version": max(created, poweron or created) - dt.timedelta(hours=1),
        "CPUs": vm.cpu,
        "Memory": vm.ram_gb * 1024,
        "Active Memory": active_mib(vm),
        "NICs": len(vm.ips),
        "Disks": len(vm.disks),
        "Total disk capacity MiB": total,
        "Fixed Passthru HotPlug": "False",
        "min Required EVC Mode Key": "intel-cascadelake" if vm.site == "bsl" else "intel-skylake",
        "Latency Sensitivity": "normal",
        "EnableUUID": tf(bool(vm.owner)),
        "CBT": tf("Veeam B&R" in vm.backup or "Veeam Plug-in" in vm.backup),
        "Primary IP Address": vm.all_ips()[0] if guest else None,
        "Num Monitors": 1,
        "Video Ram KiB": 8192 if vm.windows else 4096,
        "Resource pool": "Resources",
        "Folder ID": f"group-v{100 + pick(0, 80, 'folder', vm.folder)}",
        "Folder": vm.folder,
        "DAS protection": tf(prod_cluster) if vm.cluster else None,
        "FT State": "notConfigured",
        "FT Bandwidth": 0,
        "FT Sec. Latency": 0,
        "Vm Failover In Progress": "False",
        "Provisioned MiB": total + snapshot_mib(vm),
        "In Use MiB": in_use,
        "Unshared MiB": in_use - shared,
        "HA Restart Priority": (
            ("high" if vm.role == "Domain Controller" else "medium") if prod_cluster else None
        ),
        "HA Isolation Response": "none" if prod_cluster else None,
        "HA VM Monitoring": "vmMonitoringDisabled" if prod_cluster else None,
        "Cluster rule(s)": vm.rule[0] or None,
        "Cluster rule name(s)": vm.rule[1] or None,
        "Boot Required": "False",
        "Boot delay": 0,
        "Boot retry delay": 10000,
        "Boot retry enabled": "False",
        "Boot BIOS setup": "False",
        "Reboot PowerOff": "False",
        "EFI Secure boot": tf(firmware(vm) == "efi" and vm.windows),
        "Firmware": firmware(vm),
        "HW version": hw_version(vm),
        "HW upgrade status": "none",
        "HW upgrade policy": "never",
        "Path": f"{vmx_dir(vm)}{vm.name}.vmx",
        "Log directory": vmx_dir(vm),
        "Snapshot directory": vmx_dir(vm),
        "Suspend directory": vmx_dir(vm),
        **common_tail(vm),
        "Guest Detailed Data": (vm.osinfo.detail or None) if guest else None,
        "SMBIOS UUID": uid("smbios", vm.name),
        "VI SDK Server type": "VMware vCenter Server",
        "VI SDK API Version": "8.0.2.0",
    }
    for n, net in enumerate(nets, start=1):
        row[f"Network #{n}"] = net
    return row


def vcpu_rows(vm: VM) -> list[dict]:
    # VMs built before 2019 got one socket per vCPU (the old vSphere default); newer ones
    # one socket with all cores, the biggest two sockets (one per NUMA node).
    sockets, cores = (vm.cpu, 1) if vm.created < "2019" else (1, vm.cpu)
    if vm.cpu > 32:
        sockets, cores = 2, vm.cpu // 2
    top, overall = cpu_mhz(vm)
    return [
        {
            **common_head(vm),
            "CPUs": vm.cpu,
            "Sockets": sockets,
            "Cores p/s": cores,
            "Max": top,
            "Overall": overall,
            "Level": "normal",
            "Shares": 1000 * vm.cpu,
            "Reservation": 0,
            "Entitlement": round(overall * 1.3 + 100) if vm.running else 0,
            "DRS Entitlement": overall,
            "Limit": -1,
            "Hot Add": "False",
            "Hot Remove": "False",
            "Numa Hotadd Exposed": "False",
            **common_tail(vm),
        }
    ]


def vmemory_rows(vm: VM) -> list[dict]:
    ram = vm.ram_gb * 1024
    reserved = vm.name == "bsl-hana-01"  # "Memory fully reserved" (its annotation)
    consumed, active = consumed_mib(vm), active_mib(vm)
    shared = round(consumed * 0.02 * frac("shared", vm.name)) if vm.running else 0
    overhead = 30 + ram // 256 if vm.running else 0
    return [
        {
            **common_head(vm),
            "Size MiB": ram,
            "Memory Reservation Locked To Max": tf(reserved),
            "Overhead": 0,
            "Max": ram if vm.running else 0,
            "Consumed": consumed,
            "Consumed Overhead": overhead,
            "Private": consumed - shared,
            "Shared": shared,
            "Swapped": 0,
            "Ballooned": 0,
            "Active": active,
            "Entitlement": min(ram, round(consumed * 1.1)) + overhead if vm.running else 0,
            "DRS Entitlement": round(active * 1.25) + overhead if vm.running else 0,
            "Level": "normal",
            "Shares": 10 * ram,
            "Reservation": ram if reserved else 0,
            "Limit": -1,
            "Hot Add": "False",
            **common_tail(vm),
        }
    ]


def vdisk_rows(vm: VM) -> list[dict]:
    rows = []
    keys = disk_keys(vm)
    units = {0: 0, 1: 0}
    for i, d in enumerate(vm.disks):
        unit = units[d.controller]
        units[d.controller] += 1
        suffix = "" if i == 0 else f"_{i}"
        rows.append(
            {
                **common_head(vm),
                "Disk": f"Hard disk {i + 1}",
                "Disk Key": keys[i],
                "Disk UUID": "6000C29" + uid("disk", vm.name, i)[7:],
                "Disk Path": f"{vmx_dir(vm)}{vm.name}{suffix}.vmdk",
                "Capacity MiB": d.gb * 1024,
                "Raw": tf(d.raw),
                "Disk Mode": d.mode,
                "Sharing mode": d.sharing,
                "Thin": tf(d.thin),
                "Eagerly Scrub": tf(not d.thin and not d.raw),
                "Split": "False",
                "Write Through": "False",
                "Level": "normal",
                "Shares": 1000,
                "Reservation": 0,
                "Limit": -1,
                "Controller": f"SCSI controller {d.controller}",
                "Label": f"Hard disk {i + 1}",
                "SCSI Unit #": unit,
                "Unit #": unit,
                "Shared Bus": d.shared_bus,
                "Path": f"{vmx_dir(vm)}{vm.name}.vmx",
                "Raw LUN ID": d.lun or None,
                "Raw Comp. Mode": "physicalMode" if d.raw else None,
                **common_tail(vm),
            }
        )
    return rows


def vpartition_rows(vm: VM) -> list[dict]:
    if not vm.running:
        return []  # no guest information without running VMware Tools
    rows = []
    for i, key, name, cap, used in partitions(vm):
        if not vm.disks[i].mounted:
            continue
        free = cap - used
        rows.append(
            {
                **common_head(vm),
                "Disk Key": key,
                "Disk": name,
                "Capacity MiB": cap,
                "Consumed MiB": used,
                "Free MiB": free,
                "Free %": round(100 * free / cap),
                **common_tail(vm),
            }
        )
    return rows


def vnetwork_rows(vm: VM) -> list[dict]:
    rows = []
    for i, ips in enumerate(vm.ips):
        net = network(ips)
        manual = vm.manual_macs.get(i)
        rows.append(
            {
                **common_head(vm),
                "NIC label": f"Network adapter {i + 1}",
                "Adapter": adapter(vm),
                "Network": net,
                "Switch": "dvs-BSL" if vm.site == "bsl" else "vSwitch0",
                "Connected": tf(vm.running),
                "Starts Connected": "True",
                "Mac Address": manual or assigned_mac(vm.name, i),
                "Type": "manual" if manual else "assigned",
                # Addresses come from the guest's tools: none without them.
                "IPv4 Address": ips if vm.running and vm.tools != "toolsNotInstalled" else None,
                "Direct Path IO": "False",
                **common_tail(vm),
            }
        )
    return rows


def vcd_rows(vm: VM) -> list[dict]:
    return [
        {
            **common_head(vm),
            "Device Node": "CD/DVD drive 1",
            "Connected": tf(bool(vm.iso)),
            "Starts Connected": tf(bool(vm.iso)),
            "Device Type": vm.iso or "Client Device",
            **common_tail(vm),
            "VMRef": vm.vm_id,
        }
    ]


def vusb_rows(vm: VM) -> list[dict]:
    tools = "OS according to the VMware tools"
    return [
        {
            **common_head(vm),
            "Device Node": f"USB {n}",
            "Device Type": device,
            "Connected": "True",
            "Family": "other",
            "Speed": "full",
            "EHCI enabled": "True",
            "Auto connect": "True",
            "Bus number": 1,
            "Unit number": n + 1,
            **common_tail(vm, tools),
            "VMRef": vm.vm_id,
        }
        for n, device in enumerate(vm.usb, start=1)
    ]


def vtools_rows(vm: VM) -> list[dict]:
    status = tools_status(vm)
    installed = vm.tools != "toolsNotInstalled"
    return [
        {
            **common_head(vm),
            "VM Version": f"vmx-{hw_version(vm)}",
            "Tools": status,
            "Tools Version": TOOLS_VERSION[vm.tools],
            "Required Version": TOOLS_VERSION["toolsOk"],
            "Upgradeable": tf(vm.tools == "toolsOld"),
            "Upgrade Policy": "manual",
            "Sync time": "False",
            "App status": "appStatusGray",
            "Heartbeat status": "green" if vm.running and installed else "gray",
            "Kernel Crash state": None,
            "Operation Ready": tf(vm.running and installed),
            "State change support": tf(installed),
            "Interactive Guest": "False",
            **common_tail(vm),
            "VMRef": vm.vm_id,
        }
    ]


def vsnapshot_rows(vm: VM) -> list[dict]:
    rows = []
    for n, s in enumerate(vm.snaps, start=1):
        row = {
            "VM": vm.name,
            "Powerstate": vm.power,
            "Name": s.name,
            "Description": s.description or None,
            "Date / time": day(s.when),
            "Filename": f"{vmx_dir(vm)}{vm.name}-Snapshot{n}.vmsn",
            "Size MiB (vmsn)": vm.ram_gb * 1024 if s.memory else 1,
            "Size MiB (total)": s.total_mib,
            "Quiesced": tf(s.quiesced),
            "State": "poweredOn" if s.memory else "poweredOff",
            **common_tail(vm),
        }
        rows.append(row)
    return rows


HOST_MODELS = {
    "BSL-Prod": dict(
        cpu="Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz",
        speed=2600,
        sockets=2,
        cores=28,
        mem_gb=1536,
        vendor="Dell Inc.",
        model="PowerEdge R750",
        bios="1.13.2",
        evc="intel-cascadelake",
    ),
    "BSL-Test": dict(
        cpu="Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz",
        speed=2200,
        sockets=2,
        cores=12,
        mem_gb=384,
        vendor="Dell Inc.",
        model="PowerEdge R640",
        bios="2.19.1",
        evc="intel-cascadelake",
    ),
    "brn": dict(
        cpu="Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz",
        speed=2400,
        sockets=1,
        cores=16,
        mem_gb=256,
        vendor="Dell Inc.",
        model="PowerEdge R450",
        bios="1.14.1",
        evc="intel-skylake",
    ),
    "vie": dict(
        cpu="Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz",
        speed=2400,
        sockets=1,
        cores=10,
        mem_gb=192,
        vendor="HPE",
        model="ProLiant DL360 Gen10",
        bios="U32",
        evc="intel-skylake",
    ),
}


def vhost_rows() -> list[dict]:
    rows = []
    for pool, hosts in HOSTS.items():
        spec = HOST_MODELS[pool]
        for host in hosts:
            vms = [v for v in ESTATE if v.host == host]
            on = [v for v in vms if v.running]
            cores = spec["sockets"] * spec["cores"]
            vcpus = sum(v.cpu for v in on)
            vram = sum(v.ram_gb * 1024 for v in on)
            # The VMs' CPU in use plus a little for the hypervisor, against all its cores.
            busy = sum(cpu_mhz(v)[1] for v in on) / (cores * spec["speed"])
            site = host[:3]
            cluster = pool if pool.startswith("BSL") else None
            dns = "10.10.10.11, 10.10.10.12"
            boot = dt.datetime(2026, 4, 18, 3, 0) + dt.timedelta(minutes=pick(0, 600, host))
            rows.append(
                {
                    "Host": f"{host}.{DOMAIN}",
                    "Datacenter": SITES[site]["datacenter"],
                    "Cluster": cluster,
                    "Config status": "green",
                    "in Maintenance Mode": "False",
                    "in Quarantine Mode": "False",
                    "CPU Model": spec["cpu"],
                    "Speed": spec["speed"],
                    "HT Available": "True",
                    "HT Active": "True",
                    "# CPU": spec["sockets"],
                    "Cores per CPU": spec["cores"],
                    "# Cores": cores,
                    "CPU usage %": min(100, round(100 * busy) + 2),
                    "# Memory": spec["mem_gb"] * 1024,
                    "Memory usage %": min(95, round(100 * vram / (spec["mem_gb"] * 1024)) + 4),
                    "Console": 0,
                    "# NICs": 4 if cluster else 2,
                    "# HBAs": 4 if cluster else 2,
                    "# VMs total": len(vms),
                    "# VMs": len(on),
                    "VMs per Core": round(len(on) / cores, 2),
                    "# vCPUs": vcpus,
                    "vCPUs per Core": round(vcpus / cores, 2),
                    "vRAM": vram,
                    "VM Used memory": sum(active_mib(v) for v in on),
                    "VM Memory Swapped": 0,
                    "VM Memory Ballooned": 0,
                    "VMotion support": "True",
                    "Storage VMotion support": "True",
                    "Current EVC": spec["evc"] if cluster else None,
                    "Max EVC": spec["evc"],
                    "Assigned License(s)": (
                        "VMware vSphere 8 Enterprise Plus"
                        if cluster
                        else "VMware vSphere 8 Standard"
                    ),
                    "ATS Heartbeat": 1,
                    "ATS Locking": 1,
                    "Current CPU power man. policy": "Balanced",
                    "Supported CPU power man.": "Balanced, High performance, Low power, Custom",
                    "Host Power Policy": "Balanced",
                    "ESX Version": "VMware ESXi 8.0.2 build-22380479",
                    "Boot time": boot,
                    "DNS Servers": dns,
                    "DHCP": "False",
                    "Domain": DOMAIN,
                    "Domain List": DOMAIN,
                    "DNS Search Order": DOMAIN,
                    "NTP Server(s)": dns,
                    "NTPD running": "True",
                    "Time Zone": "UTC",
                    "Time Zone Name": "UTC",
                    "GMT Offset": 0,
                    "Vendor": spec["vendor"],
                    "Model": spec["model"],
                    "Serial number": f"ACME{pick(100000, 999999, 'serial', host)}",
                    "Service tag": f"ACME{pick(100000, 999999, 'serial', host)}",
                    "BIOS Vendor": spec["vendor"],
                    "BIOS Version": spec["bios"],
                    "BIOS Date": dt.datetime(2024, 3, 12),
                    "Certificate Issuer": f"O=VMware, C=US, CN=CA, DC={VCENTER}",
                    "Certificate Start Date": dt.datetime(2024, 5, 6, 9, 12, 0),
                    "Certificate Expiry Date": dt.datetime(2029, 5, 6, 9, 12, 0),
                    "Certificate Status": "good",
                    "Certificate Subject": f"CN={host}.{DOMAIN}",
                    "Object ID": f"host-{100 + 7 * sum(map(ord, host)) % 900}",
                    "UUID": uid("host", host),
                    "VI SDK Server": VCENTER,
                    "VI SDK UUID": VI_SDK_UUID,
                }
            )
    return rows


def _sheet(wb: openpyxl.Workbook, title: str, header: list[str], rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    known = set(header)
    for row in rows:
        unknown = set(row) - known
        assert not unknown, (title, unknown)
        ws.append([row.get(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for col, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(name) + 4))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy/mm/dd hh:mm:ss"


def build_rvtools() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    vms = sorted(ESTATE, key=lambda v: v.name.lower())
    tabs = {
        "vInfo": [vinfo_row(v) for v in vms],
        "vCPU": [r for v in vms for r in vcpu_rows(v)],
        "vMemory": [r for v in vms for r in vmemory_rows(v)],
        "vDisk": [r for v in vms for r in vdisk_rows(v)],
        "vPartition": [r for v in vms for r in vpartition_rows(v)],
        "vNetwork": [r for v in vms for r in vnetwork_rows(v)],
        "vCD": [r for v in vms for r in vcd_rows(v)],
        "vUSB": [r for v in vms for r in vusb_rows(v)],
        "vSnapshot": [r for v in vms for r in vsnapshot_rows(v)],
        "vTools": [r for v in vms for r in vtools_rows(v)],
        "vHost": vhost_rows(),
        "vMetaData": [
            {
                "RVTools major version": 4.7,
                "RVTools version": "4.7.1.4",
                "xlsx creation datetime": EXPORT_TIME,
                "Server": VCENTER,
            }
        ],
    }
    for title, rows in tabs.items():
        _sheet(wb, title, HEADERS[title], rows)
    return wb


# ------------------------------------------------------- the customer's spreadsheet

SHEET_BACKUP = {
    VEEAM: "Veeam daily",
    VEEAM_WEEKLY: "Veeam weekly",
    "Veeam B&R daily + RMAN": "Veeam + RMAN",
    "Veeam Plug-in for SAP HANA": "Veeam HANA plug-in",
    "Veeam Agent daily": "Veeam Agent",
    SNAP_ONLY: "Snapshots",
    NO_TEST: "none",
    NO_RETIRED: "none",
    "n/a (backup server)": "n/a",
    "none (recordings kept 30 days)": "none",
    "": "",
}

ENV_SHEET = {"Prod": "Production", "Test": "Test", "Dev": "Development"}

CONTACTS = [
    ("Name", "Function", "Phone", "E-Mail"),
    ("Peter Muster", "Head of IT", "+41 61 000 00 10", "peter.muster@acme.example"),
    (
        "Sandra Beispiel",
        "System engineer (VMware, backup)",
        "+41 61 000 00 12",
        "sandra.beispiel@acme.example",
    ),
    (
        "Marco Rossi",
        "Application manager ERP / SQL",
        "+41 61 000 00 15",
        "marco.rossi@acme.example",
    ),
    ("Eva Huber", "Office manager Vienna", "+43 1 000 00 20", "eva.huber@acme.example"),
    ("Urs Keller", "Facility / site Bern", "+41 31 000 00 30", "urs.keller@acme.example"),
]


def _dependencies() -> list[tuple[str, str, int, str]]:
    """Who opens connections to whom (source, target, port, service), as the customer's
    network team exported them from the firewall logs: the tiers of each application,
    and the shared services (directory, backup, monitoring, files, print, licences) that
    nearly everything talks to."""
    rows: list[tuple[str, str, int, str]] = []

    def link(sources, targets, port: int, service: str) -> None:
        for s in [sources] if isinstance(sources, str) else sources:
            for t in [targets] if isinstance(targets, str) else targets:
                rows.append((s, t, port, service))

    webs = ["bsl-web-01", "bsl-web-02", "bsl-web-03"]
    apps = ["bsl-app-01", "bsl-app-02"]
    rds = ["bsl-rds-01", "bsl-rds-02", "bsl-rds-03"]
    # The customer portal: load balancer -> web -> backend -> database and queue.
    link("bsl-lb-01", webs, 80, "HTTP (HAProxy backend)")
    link(webs, apps, 8080, "order API (HTTP)")
    link(webs, "bsl-appdb-01", 5432, "PostgreSQL (sessions)")
    link(apps, "bsl-appdb-01", 5432, "PostgreSQL")
    link(apps, "bsl-mq-01", 5672, "AMQP (RabbitMQ)")
    # Its test copy, and the CI server that builds from GitLab and deploys to it.
    link(["bsl-tst-web-01", "bsl-tst-web-02"], "bsl-tst-app-01", 8080, "order API (HTTP)")
    link("bsl-tst-app-01", "bsl-tst-mq-01", 5672, "AMQP (RabbitMQ)")
    link("bsl-ci-01", "bsl-git-01", 443, "GitLab (HTTPS)")
    link("bsl-ci-01", "bsl-tst-web-01", 22, "deployment (SSH)")
    # ERP on Oracle, the EDI gateway feeding it; SAP on HANA.
    link("bsl-erp-01", "bsl-ora-01", 1521, "Oracle Net")
    link("bsl-edi-01", "bsl-erp-01", 443, "ION API (HTTPS)")
    link("bsl-tst-erp-01", "bsl-tst-ora-01", 1521, "Oracle Net")
    link("bsl-sap-01", "bsl-hana-01", 30015, "HANA SQL")
    # The applications on the SQL Servers.
    link(["bsl-dms-01", "bsl-pdm-01", "bsl-intranet-01", "bsl-wsus-01"], "bsl-sql-01", 1433,
         "SQL Server")  # fmt: skip
    link("bsl-hr-01", "bsl-sql-02", 1433, "SQL Server")
    link("bsl-scan-01", "bsl-dms-01", 443, "document import (HTTPS)")
    # Remote desktop: the gateways reach the session hosts.
    link(["bsl-rdgw-01", "bsl-rdgw-02"], rds, 3389, "RDP")
    # Domain controllers: logons (Kerberos) and directory lookups (LDAP) from everywhere.
    for server in ("bsl-erp-01", "bsl-exch-01", "bsl-adfs-01", *rds, "bsl-intranet-01",
                   "bsl-wiki-01", "bsl-nps-01", "bsl-fs-01", "bsl-dms-01"):  # fmt: skip
        link(server, "bsl-dc-01", 389, "LDAP")
        link(server, "bsl-dc-01", 88, "Kerberos")
    link(["bsl-exch-01", "bsl-adfs-01"], "bsl-dc-02", 389, "LDAP")
    link("brn-fs-01", "brn-dc-01", 88, "Kerberos")
    link(["vie-app-01", "vie-fs-01"], "vie-dc-01", 389, "LDAP")
    link(["brn-dc-01", "vie-dc-01"], "bsl-dc-01", 135, "AD replication (RPC)")
    # Files, print and licences.
    link([*rds, "bsl-appdb-01"], "bsl-fs-01", 445, "SMB")
    link(rds, "bsl-print-01", 445, "print spooler (SMB)")
    link("vie-app-01", "vie-fs-01", 445, "SMB (price lists)")
    link("bsl-cam-01", "bsl-lic-01", 1947, "Sentinel HASP licence")
    link("bsl-pdm-01", "bsl-lic-01", 25734, "SolidNetWork licence")
    # Backup: Veeam's guest processing reaches into the servers; agents and the HANA
    # plug-in send to the repository.
    link("bsl-bkp-01", ["bsl-sql-01", "bsl-exch-01", "bsl-dc-01", "bsl-dc-02", "bsl-fs-01",
                        "bsl-dms-01"], 445, "Veeam guest processing (SMB)")  # fmt: skip
    link("bsl-bkp-01", ["bsl-ora-01", "bsl-appdb-01"], 22, "Veeam guest processing (SSH)")
    link(["bsl-sqlclu-01a", "bsl-sqlclu-01b"], "bsl-bkp-01", 10005, "Veeam Agent")
    link("bsl-hana-01", "bsl-bkp-01", 2500, "Veeam plug-in for SAP HANA")
    # Monitoring: Checkmk polls its agents.
    link("bsl-mon-01", ["bsl-dc-01", "bsl-dc-02", "bsl-fs-01", "bsl-exch-01", "bsl-sql-01",
                        "bsl-ora-01", "bsl-erp-01", "bsl-sap-01", "bsl-hana-01",
                        "bsl-appdb-01", *webs, "bsl-lb-01", "bsl-bkp-01", "brn-fs-01",
                        "vie-fs-01"], 6556, "Checkmk agent")  # fmt: skip
    return rows


DEPENDENCIES = _dependencies()


def inventory_rows() -> list[list]:
    order = {"bsl": 0, "brn": 1, "vie": 2}
    rows = []
    for vm in sorted(ESTATE, key=lambda v: (order[v.site], v.name)):
        if vm.template:
            continue
        notes = vm.sheet_note
        if vm.power == "poweredOff" and "off" not in notes:
            notes = ("switched off. " + notes).strip()
        # Utilisation as the customer copied it from Checkmk, in whole per cent; the pets
        # are not monitored, and a VM that is not running has nothing to show.
        used = usage(vm) if vm.owner else None
        rows.append(
            [
                vm.name,
                vm.role or "?",
                vm.app,
                ENV_SHEET[vm.env],
                vm.owner,
                vm.cpu,
                vm.ram_gb,
                vm.osinfo.sheet,
                sum(d.gb for d in vm.disks if d.shared_bus == "noSharing"),
                round(sum(d.used_gb for d in vm.disks if d.shared_bus == "noSharing")),
                None if used is None else max(1, round(used[0])),
                None if used is None else round(used[1]),
                SHEET_BACKUP[vm.backup],
                SITES[vm.site]["sheet"],
                vm.users,
                notes,
                vm.patch,
            ]
        )
    return rows


def build_inventory() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Servers"
    ws["A1"] = "Acme AG - server list (as of 2026-09-30)"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(INVENTORY_HEADERS))
    ws.append([])
    ws.append(INVENTORY_HEADERS)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for row in inventory_rows():
        ws.append(row)
    widths = [18, 26, 34, 13, 20, 6, 9, 22, 10, 10, 11, 11, 16, 8, 7, 50, 22]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    notes = INVENTORY_HEADERS.index("Notes") + 1
    for row in ws.iter_rows(min_row=4, min_col=notes, max_col=notes):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B4"

    names = {vm.name for vm in ESTATE if not vm.template}
    assert all(s in names and t in names for s, t, _, _ in DEPENDENCIES)
    assert len(set(DEPENDENCIES)) == len(DEPENDENCIES)
    deps = wb.create_sheet("Dependencies")
    deps.append(DEPENDENCY_HEADERS)
    for cell in deps[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for row in DEPENDENCIES:
        deps.append(list(row))
    for col, width in enumerate((18, 18, 7, 30), start=1):
        deps.column_dimensions[get_column_letter(col)].width = width
    deps.freeze_panes = "A2"

    contacts = wb.create_sheet("Contacts")
    for row in CONTACTS:
        contacts.append(list(row))
    for cell in contacts[1]:
        cell.font = Font(bold=True)
    for col, width in enumerate((20, 34, 18, 32), start=1):
        contacts.column_dimensions[get_column_letter(col)].width = width
    wb.properties.creator = "Peter Muster"
    return wb


# ---------------------------------------------------------------- Azure Migrate CSV


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def azure_rows() -> list[list[str]]:
    rows = []
    for vm in sorted(ESTATE, key=lambda v: v.name):
        if vm.template:
            continue
        n = vm.name
        on = vm.running
        used = sum(d.used_gb for d in vm.disks if d.mounted)  # passive node: not its disks
        row = [
            vm.fqdn,
            ";".join(vm.all_ips()),
            str(vm.cpu),
            str(vm.ram_gb * 1024),
            vm.osinfo.az_name,
            vm.osinfo.az_version,
            "x64",
            "Virtual",
            "VMware",
            _fmt(usage(vm)[0]) if on else "",
            _fmt(usage(vm)[1]) if on else "",
            str(len(vm.ips)),
            _fmt(0.2 + 12 * frac("netin", n)) if on else "",
            _fmt(0.1 + 6 * frac("netout", n)) if on else "",
            "UEFI" if firmware(vm) == "efi" else "BIOS",
            str(len(vm.disks)),
            str(round(used)),
        ]
        for i in range(3):
            if i >= len(vm.disks):
                row += [""] * 5
                continue
            scale = min(1.0, vm.disks[i].gb / 500) + 0.1
            row.append(str(vm.disks[i].gb))
            if on:
                row += [
                    _fmt(scale * 20 * frac("rmb", n, i)),
                    _fmt(scale * 10 * frac("wmb", n, i)),
                    str(round(scale * 400 * frac("rio", n, i))),
                    str(round(scale * 200 * frac("wio", n, i))),
                ]
            else:
                row += [""] * 4
        rows.append(row)
    return rows


def write_azure(path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(AZURE_HEADERS)
    writer.writerows(azure_rows())
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


# -------------------------------------------------------------------------- profile

PROFILE = """\
# Engagement profile for the Acme AG sample estate.
#
# One file per customer engagement. It tells the advisor who the customer is, where the
# servers are going, where the users sit, and which findings were discussed and accepted.
# Copy it next to your inventory files and adapt it; every key below is explained.

# The customer, as it should appear in reports.
customer:
  name: Acme AG

# You, as it should appear on the report cover.
consultant:
  name: Jane Doe
  company: Example Consulting

# Where the servers should go: provider and zone (here: Exoscale, Geneva). To see Scaleway
# beside it (its verdicts and monthly costs), uncomment "compare", or run
# "advisor assess ... --compare scaleway": the rules then run once per provider.
target:
  provider: exoscale
  zone: ch-gva-2
  # compare: scaleway

# Where the users work. One entry per office or server room:
#   lat / lon      position, used to estimate latency to the target zone
#   uplink_mbps    internet/WAN bandwidth of the site (used for transfer-time estimates)
#   users          number of people working there
#   datacenters    the vCenter "Datacenter" values (RVTools) whose servers stand there
sites:
  - name: Basel HQ
    lat: 47.56
    lon: 7.59
    uplink_mbps: 100
    users: 250
    datacenters: [Basel-DC]
  - name: Bern office
    lat: 46.95
    lon: 7.45
    uplink_mbps: 50
    users: 35
    datacenters: [Bern-Office]
  - name: Vienna sales office
    lat: 48.21
    lon: 16.37
    uplink_mbps: 20
    users: 40
    datacenters: [Vienna-Office]

# How data gets moved, and how the move is paced:
#   window_hours          the longest acceptable cut-over window (hours of downtime)
#   link_efficiency       share of the uplink really usable for the transfer (0..1)
#   start_date            first day of the first wave (a Monday after the kick-off)
#   weeks_per_wave        each wave copies its data ahead, then cuts over in the window
#   team_hours_per_week   engineer hours the migration team gives per week (two people)
#   labour_rate_per_hour  cost of one engineer hour, in labour_currency
#   parallel_run_weeks    how long old and new servers of a wave both run until accepted
migration:
  window_hours: 48
  link_efficiency: 0.8
  start_date: 2027-01-04
  weeks_per_wave: 2
  team_hours_per_week: 80
  labour_rate_per_hour: 120
  labour_currency: EUR
  parallel_run_weeks: 2

# How the plan sizes and prices the servers on the target (the defaults, written out so
# the customer sees them):
#   basis             measured: size from the CPU and memory in use at export;
#                     allocated: keep today's vCPUs and memory
#   headroom          added on top of the measured use (0.2 = 20 %)
#   percentile        which percentile of a utilisation series to use, where one exists
#   floor_share       a right-sized server keeps at least this share of its allocation
#   min_vcpus / min_memory_gib   the smallest right-sized server
#   storage           provisioned: disks keep their size; used: space in use + headroom
#   storage_headroom  headroom on the space in use when storage is "used"
#   hours_per_month   hours a month is costed for
sizing:
  basis: measured
  headroom: 0.2
  percentile: 95
  floor_share: 0.5
  min_vcpus: 1
  min_memory_gib: 1
  storage: provisioned
  storage_headroom: 0.2
  hours_per_month: 730

# Per-rule overrides (e.g. thresholds or severities). Empty: use the defaults.
rules: {}

# Findings the customer has seen and accepted. Each needs the rule id, the server it
# applies to and a reason that will be printed in the report.
exceptions:
  - rule: BKP001
    server: bsl-ci-01
    reason: CI build server, rebuilt from its pipeline; no backup wanted

# Report styling.
branding:
  primary_color: "#0b6e4f"
"""


def write_profile(path: Path) -> None:
    data = yaml.safe_load(PROFILE)  # must stay valid YAML
    names = {vm.name for vm in ESTATE}
    assert all(e["server"] in names for e in data["exceptions"])
    path.write_text(PROFILE, encoding="utf-8", newline="\n")


# ------------------------------------------------------------------- deterministic xlsx

ZIP_TIME = EXPORT_TIME.timetuple()[:6]


def save_xlsx(wb: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed zip timestamps and document dates, so reruns give identical bytes."""
    wb.properties.created = EXPORT_TIME
    raw = io.BytesIO()
    wb.save(raw)
    stamp = EXPORT_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + stamp + rb"\2",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


# ----------------------------------------------------------------------------- main


def generate(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in OUTPUT_FILES]
    save_xlsx(build_rvtools(), paths[0])
    save_xlsx(build_inventory(), paths[1])
    write_azure(paths[2])
    write_profile(paths[3])
    return paths


finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output folder (default: the folder of this script)",
    )
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
