#!/usr/bin/env python3
"""Generate an RVTools 4.7-shaped export of a multi-tenant provider vCenter.

Usage::

    python sample_inventories/provider_estate.py --out DIR

Writes DIR/provider-rvtools.xlsx: the vCenter vc-prov01.cloud.example of a fictional cloud
provider that runs VMware Cloud Director for three tenants (Orion, Vega, Lyra), about 200 VMs.
Cloud Director shapes what vCenter shows: VM names carry the Cloud Director UUID
(`web01 (uuid)`) or a short suffix (`web01-3fa2`), every tenant has its own folder, resource
pool (an org VDC under a provider VDC) and vApps, networks are named `<tenant>-net-<uuid>`
and VM MAC addresses come from Cloud Director's pool and are reported as `manual`.

The estate reproduces patterns that real assessments got wrong, each on named VMs listed in
PATTERNS (VM name -> one line: the pattern group, then what it shows), so tests can assert
verdicts per VM. The groups are: scope (what is no workload), appliance, retire, backup,
mac, role, cluster, storage, size, guest (desktop and 32-bit) and ready (plain healthy
servers). VMs not in PATTERNS are ordinary tenant workloads.

Deterministic: every value derives from the catalogue below and a hash of SEED, and the
export is dated EXPORT_TIME, so two runs give the same values (not necessarily the same
bytes). Only the standard library and openpyxl are used; like generate.py, this script does
not import the advisor package, so the data is not shaped by the code that reads it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

SEED = "provider-estate-v1"
EXPORT_TIME = dt.datetime(2025, 6, 16, 7, 42, 18)  # when "RVTools ran"; the estate's "today"
VCENTER = "vc-prov01.cloud.example"
DOMAIN = "cloud.example"
DATACENTER = "DC-Provider"
VCD = "vcd-prov01"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, VCENTER)
VI_SDK_UUID = str(uuid.uuid5(NAMESPACE, "vcenter"))
RVTOOLS_FILE = "provider-rvtools.xlsx"

#: vCenter custom attributes of this estate, written between Annotation and Datacenter.
ATTRIBUTES = ["Backup", "Backup Policy", "NB_LAST_BACKUP", "Last Backup (Rubrik)", "Tenant"]

_ANN = "<attributes>"  # where the custom attributes go in each header list

# fmt: off
# Header names and order as RVTools 4.x writes them.
HEADERS: dict[str, list[str]] = {
    'vInfo': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Config status', 'DNS Name', 'Connection state', 'Guest state', 'Heartbeat', 'Consolidation Needed', 'PowerOn', 'Suspended To Memory', 'Suspend time', 'Suspend Interval', 'Creation date', 'Change Version', 'CPUs', 'Overall Cpu Readiness', 'Memory', 'Active Memory', 'NICs', 'Disks', 'Total disk capacity MiB', 'Fixed Passthru HotPlug', 'min Required EVC Mode Key', 'Latency Sensitivity', 'Op Notification Timeout', 'EnableUUID', 'CBT', 'Primary IP Address', 'Network #1', 'Network #2', 'Network #3', 'Network #4', 'Network #5', 'Network #6', 'Network #7', 'Network #8', 'Num Monitors', 'Video Ram KiB', 'Resource pool', 'Folder ID', 'Folder', 'vApp', 'DAS protection', 'FT State', 'FT Role', 'FT Latency', 'FT Bandwidth', 'FT Sec. Latency', 'Vm Failover In Progress', 'Provisioned MiB', 'In Use MiB', 'Unshared MiB', 'HA Restart Priority', 'HA Isolation Response', 'HA VM Monitoring', 'Cluster rule(s)', 'Cluster rule name(s)', 'Boot Required', 'Boot delay', 'Boot retry delay', 'Boot retry enabled', 'Boot BIOS setup', 'Reboot PowerOff', 'EFI Secure boot', 'Firmware', 'HW version', 'HW upgrade status', 'HW upgrade policy', 'HW target', 'Path', 'Log directory', 'Snapshot directory', 'Suspend directory', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'OS according to the configuration file', 'OS according to the VMware Tools', 'Customization Info', 'Guest Detailed Data', 'VM ID', 'SMBIOS UUID', 'VM UUID', 'VI SDK Server type', 'VI SDK API Version', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vCPU': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'CPUs', 'Sockets', 'Cores p/s', 'Max', 'Overall', 'Level', 'Shares', 'Reservation', 'Entitlement', 'DRS Entitlement', 'Limit', 'Hot Add', 'Hot Remove', 'Numa Hotadd Exposed', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vMemory': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Size MiB', 'Memory Reservation Locked To Max', 'Overhead', 'Max', 'Consumed', 'Consumed Overhead', 'Private', 'Shared', 'Swapped', 'Ballooned', 'Active', 'Entitlement', 'DRS Entitlement', 'Level', 'Shares', 'Reservation', 'Limit', 'Hot Add', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vDisk': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Disk', 'Disk Key', 'Disk UUID', 'Disk Path', 'Capacity MiB', 'Raw', 'Disk Mode', 'Sharing mode', 'Thin', 'Eagerly Scrub', 'Split', 'Write Through', 'Level', 'Shares', 'Reservation', 'Limit', 'Controller', 'Label', 'SCSI Unit #', 'Unit #', 'Shared Bus', 'Path', 'Raw LUN ID', 'Raw Comp. Mode', 'Internal Sort Column', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vPartition': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Disk Key', 'Disk', 'Capacity MiB', 'Consumed MiB', 'Free MiB', 'Free %', 'Internal Sort Column', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vNetwork': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'NIC label', 'Adapter', 'Network', 'Switch', 'Connected', 'Starts Connected', 'Mac Address', 'Type', 'IPv4 Address', 'IPv6 Address', 'Direct Path IO', 'Internal Sort Column', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vSnapshot': ['VM', 'Powerstate', 'Name', 'Description', 'Date / time', 'Filename', 'Size MiB (vmsn)', 'Size MiB (total)', 'Quiesced', 'State', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vTools': ['VM', 'Powerstate', 'Template', 'SRM Placeholder', 'VM Version', 'Tools', 'Tools Version', 'Required Version', 'Upgradeable', 'Upgrade Policy', 'Sync time', 'App status', 'Heartbeat status', 'Kernel Crash state', 'Operation Ready', 'State change support', 'Interactive Guest', 'Annotation', _ANN, 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file', 'OS according to the VMware Tools', 'VMRef', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vHost': ['Host', 'Datacenter', 'Cluster', 'Config status', 'Compliance Check State', 'in Maintenance Mode', 'in Quarantine Mode', 'vSAN Fault Domain Name', 'CPU Model', 'Speed', 'HT Available', 'HT Active', '# CPU', 'Cores per CPU', '# Cores', 'CPU usage %', '# Memory', 'Memory Tiering Type', 'Memory usage %', 'Console', '# NICs', '# HBAs', '# VMs total', '# VMs', 'VMs per Core', '# vCPUs', 'vCPUs per Core', 'vRAM', 'VM Used memory', 'VM Memory Swapped', 'VM Memory Ballooned', 'VMotion support', 'Storage VMotion support', 'Current EVC', 'Max EVC', 'Assigned License(s)', 'ATS Heartbeat', 'ATS Locking', 'Current CPU power man. policy', 'Supported CPU power man.', 'Host Power Policy', 'ESX Version', 'Boot time', 'DNS Servers', 'DHCP', 'Domain', 'Domain List', 'DNS Search Order', 'NTP Server(s)', 'NTPD running', 'Time Zone', 'Time Zone Name', 'GMT Offset', 'Vendor', 'Model', 'Serial number', 'Service tag', 'OEM specific string', 'BIOS Vendor', 'BIOS Version', 'BIOS Date', 'Certificate Issuer', 'Certificate Start Date', 'Certificate Expiry Date', 'Certificate Status', 'Certificate Subject', 'Object ID', 'AutoDeploy.MachineIdentity', 'UUID', 'VI SDK Server', 'VI SDK UUID'],  # noqa: E501
    'vMetaData': ['RVTools major version', 'RVTools version', 'xlsx creation datetime', 'Server'],
}
# fmt: on


def headers(tab: str) -> list[str]:
    """The header row of a tab, custom attributes in place."""
    out: list[str] = []
    for h in HEADERS[tab]:
        out.extend(ATTRIBUTES if h == _ANN else [h])
    return out


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


def mib(gib: float) -> int:
    return round(gib * 1024)


def day(text: str, *key: object) -> dt.datetime:
    """'YYYY-MM-DD' (or 'YYYY-MM-DD HH:MM') to a datetime; a stable time of day if none."""
    if " " in text:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    base = dt.datetime.strptime(text, "%Y-%m-%d")
    return base + dt.timedelta(hours=pick(7, 18, text, *key), minutes=pick(0, 59, *key, text))


def netbackup_stamp(when: dt.datetime, policy: str) -> str:
    """NetBackup's NB_LAST_BACKUP value: ctime with the UTC offset, master server, policy."""
    return f"{when:%a %b %d %H:%M:%S %Y} -0700,nbu-master01,{policy}"


def rubrik_stamp(when: dt.datetime) -> str:
    return f"Last Backup successfully completed at {when:%a %b %d %H:%M:%S} UTC {when:%Y}"


# Last-backup values relative to EXPORT_TIME (2025-06-16): recent ones, and stale ones.
NB_STALE = netbackup_stamp(dt.datetime(2021, 5, 24, 23, 30, 52), "VM_Backups_Gold")
RUBRIK_STALE = rubrik_stamp(dt.datetime(2022, 9, 22, 3, 0, 20))


def nb_fresh(name: str, policy: str) -> str:
    when = EXPORT_TIME - dt.timedelta(hours=pick(7, 30, "nb", name), minutes=pick(0, 59, name))
    return netbackup_stamp(when, policy)


def rubrik_fresh(name: str) -> str:
    when = EXPORT_TIME - dt.timedelta(hours=pick(4, 28, "rbk", name), minutes=pick(0, 59, name))
    return rubrik_stamp(when)


# ------------------------------------------------------------------ operating systems


@dataclass(frozen=True)
class OS:
    cfg: str  # "OS according to the configuration file"
    tools: str  # "OS according to the VMware Tools" ('' = as configured)
    windows: bool = False
    scsi: str = "VMware paravirtual SCSI"
    adapter: str = "Vmxnet3"

    @property
    def reported(self) -> str:
        return self.tools or self.cfg


_PHOTON = "VMware Photon OS (64-bit)"
_OTHER_LINUX = "Other 3.x or later Linux (64-bit)"

OSES: dict[str, OS] = {
    "w2016": OS("Microsoft Windows Server 2016 or later (64-bit)", "", True, "LSI Logic SAS"),
    "w2019": OS("Microsoft Windows Server 2019 (64-bit)", "", True, "LSI Logic SAS"),
    "w2022": OS("Microsoft Windows Server 2022 (64-bit)", "", True, "LSI Logic SAS"),
    "w10": OS("Microsoft Windows 10 (64-bit)", "", True, "LSI Logic SAS", "E1000E"),
    "w2008x86": OS(
        "Microsoft Windows Server 2008 (32-bit)", "", True, "LSI Logic Parallel", "E1000"
    ),
    "rhel6x86": OS("Red Hat Enterprise Linux 6 (32-bit)", "", False, "LSI Logic Parallel", "E1000"),
    "rhel7": OS("Red Hat Enterprise Linux 7 (64-bit)", ""),
    "rhel8": OS("Red Hat Enterprise Linux 8 (64-bit)", ""),
    "rhel9": OS("Red Hat Enterprise Linux 9 (64-bit)", ""),
    "rocky9": OS("Rocky Linux (64-bit)", ""),
    "ol8": OS("Oracle Linux 8 (64-bit)", ""),
    "ubu2204": OS("Ubuntu Linux (64-bit)", ""),
    "deb12": OS("Debian GNU/Linux 12 (64-bit)", ""),
    "sles12": OS("SUSE Linux Enterprise 12 (64-bit)", ""),
    "sles15": OS("SUSE Linux Enterprise 15 (64-bit)", ""),
    "photon": OS(_PHOTON, ""),
    "vcls": OS(_PHOTON, "VMware Photon CRX"),
    "nsx": OS("Ubuntu Linux (64-bit)", ""),
    "fortigate": OS(_OTHER_LINUX, ""),
    "panos": OS("CentOS 4/5 or later (64-bit)", "Palo Alto Networks PAN-OS"),
    "bigip": OS("CentOS 7 (64-bit)", ""),
    "gaia": OS(_OTHER_LINUX, "Check Point Gaia R81.20"),
    "qradar": OS("Red Hat Enterprise Linux 8 (64-bit)", ""),
}

#: VMware Tools as vTools shows them: (status, version); 2147483647 = guest managed.
TOOLS = {
    "ok": ("toolsOk", 12421),
    "guest": ("toolsOk", 2147483647),
    "old": ("toolsOld", 10346),
    "none": ("toolsNotInstalled", 0),
}


# ------------------------------------------------------------------------- the model


@dataclass
class Disk:
    gib: float
    used: float  # written inside the guest
    mount: str = ""  # partition on this disk ('' = default: C:\ D:\ ... or / /data ...)
    sharing: str = "sharingNone"
    shared_bus: str = "noSharing"
    mode: str = "persistent"
    thin: bool = True
    controller: int = 0
    owner: str = ""  # another VM's disk, hot-added by a backup proxy
    owner_index: int = 0


@dataclass
class Nic:
    network: str
    ip: str = ""  # ', '-separated for several addresses
    mac: str = ""  # '' = allocated: Cloud Director pool for tenant VMs, vCenter otherwise
    mac_type: str = ""
    connected: bool = True


@dataclass
class Part:
    """A guest file system that is not the default partition of a virtual disk."""

    mount: str
    gib: float = 0
    used: float = 0
    same_as: str = ""  # a bind mount: reports what this mount point reports


@dataclass
class Snap:
    name: str
    description: str
    when: str  # 'YYYY-MM-DD HH:MM'
    total_mib: int


@dataclass
class Tenant:
    key: str
    org: str
    cluster: str
    style: str  # VM names: 'paren' -> 'name (uuid)', 'suffix' -> 'name-1a2b', 'mixed'
    prefix: str  # first two octets of the tenant's address space
    datastores: tuple[str, ...]
    domain: str
    _next: dict[str, int] = field(default_factory=dict)

    @property
    def org_id(self) -> str:
        return uid("org", self.key)

    @property
    def ovdc(self) -> str:
        return f"{self.org}-OVDC-01 ({uid('ovdc', self.key)})"

    @property
    def pool(self) -> str:
        pvdc = uid("pvdc", self.cluster)
        return f"/{DATACENTER}/{self.cluster}/Resources/System vDC ({pvdc})/{self.ovdc}"

    @property
    def folder(self) -> str:
        return f"{VCD} ({uid('vcd')})/{self.org} ({self.org_id})/{self.ovdc}"

    def net(self, tier: str) -> str:
        return f"{self.key}-net-{uid('net', self.key, tier)}"

    def ip(self, tier: str) -> str:
        n = self._next.get(tier, 11)
        self._next[tier] = n + 1
        return f"{self.prefix}.{TIERS[tier]}.{n}"

    def nic(self, tier: str) -> Nic:
        return Nic(self.net(tier), self.ip(tier))

    def vapp(self, name: str) -> str:
        return f"{name} ({uid('vapp', self.key, name)})"

    def name(self, base: str, salt: str = "", style: str = "") -> str:
        style = style or self.style
        if style == "mixed":
            style = "paren" if pick(0, 1, "style", base) else "suffix"
        ident = uid("vm", self.key, base, salt)
        return f"{base} ({ident})" if style == "paren" else f"{base}-{ident[:4]}"


TIERS = {"web": 10, "app": 20, "db": 30}
PUBLIC_NET = "185.12.64"  # the provider's public range (fictional use)
MGMT_NET, BACKUP_NET, UPLINK_NET = "Mgmt-VLAN10", "Backup-VLAN20", "Uplink-VLAN100"


@dataclass
class VM:
    name: str
    os: str
    cpu: int
    ram_gib: float
    disks: list[Disk]
    nics: list[Nic]
    tenant: Tenant | None = None
    pattern: str = ""
    power: str = "poweredOn"
    template: bool = False
    srm: bool = False
    state: str = "connected"
    created: str = "2022-03-01"
    note: str = ""
    attrs: dict[str, str] | None = None  # None = the tenant's usual attributes
    snaps: list[Snap] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)  # in-guest storage, bind mounts
    cluster: str = ""
    folder: str = ""
    pool: str = ""
    vapp: str = ""
    cpu_pct: float | None = None
    mem_pct: float | None = None
    tools: str = "ok"
    dns: str = ""
    has_uuid: bool = True
    # filled in by finish()
    host: str = ""
    datastore: str = ""
    vm_id: int = 0

    @property
    def running(self) -> bool:
        return self.power == "poweredOn"

    @property
    def osinfo(self) -> OS:
        return OSES[self.os]

    @property
    def readable(self) -> bool:
        """vCenter can read the VM's configuration (not inaccessible or invalid)."""
        return self.state in ("connected", "orphaned")

    @property
    def guest(self) -> bool:
        """The guest reports through VMware Tools."""
        return self.running and self.readable and self.tools != "none"

    @property
    def uuid(self) -> str | None:
        return uid("vm-instance", self.name) if self.has_uuid else None

    def own_dir(self) -> str:
        return f"[{self.datastore}] {self.name}/"


class Estate:
    """Builds the VM list; one instance per run, so counters restart."""

    def __init__(self) -> None:
        self.vms: list[VM] = []
        self.tenants = {
            "orion": Tenant(
                "orion", "Orion", "Resource-01", "paren", "10.11",
                ("SP-Gold-DS01", "SP-Gold-DS02"), "orion.local",
            ),
            "vega": Tenant(
                "vega", "Vega", "Resource-01", "suffix", "10.21", ("SP-Silver-DS01",), "vega.local"
            ),
            "lyra": Tenant(
                "lyra", "Lyra", "Resource-02", "mixed", "10.31", ("SP-Gold-DS03",), "lyra.local"
            ),
        }  # fmt: skip
        self.fillers: dict[str, list[VM]] = {}
        self._ip: dict[str, int] = {}

    def add(self, vm: VM) -> VM:
        if vm.tenant:
            t = vm.tenant
            vm.cluster = vm.cluster or t.cluster
            vm.folder = vm.folder or t.folder
            vm.pool = vm.pool or t.pool
            vm.dns = vm.dns or f"{vm.name.split(' ')[0].lower()}.{t.domain}"
        else:
            vm.cluster = vm.cluster or "Mgmt-Cluster"
            vm.folder = vm.folder or "Management"
            vm.pool = vm.pool or f"/{DATACENTER}/{vm.cluster}/Resources"
            vm.dns = vm.dns or f"{vm.name.lower()}.{DOMAIN}"
        if vm.template:
            vm.pool = ""  # templates belong to no resource pool
        self.vms.append(vm)
        return vm

    def pip(self, net: str, start: int = 11) -> str:
        """Next address of a provider network or of the public range."""
        n = self._ip.get(net, start)
        self._ip[net] = n + 1
        return f"{net}.{n}"


# ------------------------------------------------------------------------ the estate

_VCLS_NOTE = (
    "vSphere Cluster Service VM is deployed from an OVA with a minimal installed profile of "
    "PhotonOS. vSphere Cluster Service manages the resources, power state and availability "
    "of these VMs."
)
#: The vCenter appliance's disks (GiB) and the file system on each.
_VCSA_DISKS = [
    (48, ""),
    (5.5, "/storage/swap"),
    (25, "/storage/core"),
    (25, "/storage/log"),
    (10, "/storage/db"),
    (10, "/storage/dblog"),
    (15, "/storage/seat"),
    (10, "/storage/netdump"),
    (1, "/storage/autodeploy"),
    (10, "/storage/imagebuilder"),
    (10, "/storage/updatemgr"),
    (100, "/storage/archive"),
    (50, "/storage/vtsdb"),
    (10, "/storage/vtsdblog"),
    (5, "/storage/lifecycle"),
    (100, "/storage/lvm_snapshot"),
    (150, "/storage/vstats"),
]


def provider_vms(e: Estate) -> None:
    """Management cluster, vCLS agents, backup infrastructure, SRM placeholder, templates."""
    mgmt = lambda: Nic(MGMT_NET, e.pip("10.0.10"))  # noqa: E731
    for cluster in ("Mgmt-Cluster", "Resource-01", "Resource-02"):
        for n in range(3):
            e.add(VM(
                f"vCLS-{uid('vcls', cluster, n)}", "vcls", 1, 0.125, [Disk(2, 0.6)], [],
                cluster=cluster, folder="vCLS", note=_VCLS_NOTE, created="2023-11-04",
                tools="guest", cpu_pct=0.5, mem_pct=30,
                pattern="scope: vCLS agent VM (vSphere Cluster Services, VMware Photon CRX), "
                        "no workload",
            ))  # fmt: skip
    e.add(VM(
        "vc-prov01", "photon", 8, 30, [Disk(g, round(g * 0.4, 1), mount=m) for g, m in _VCSA_DISKS],
        [mgmt()], note="VMware vCenter Server Appliance", created="2023-11-02",
        tools="guest", dns=VCENTER,
        pattern="scope: vCenter Server appliance (Photon OS, annotation), platform management",
    ))  # fmt: skip
    for n in (1, 2, 3):
        e.add(VM(
            f"nsx-mgr-0{n}", "nsx", 6, 24, [Disk(300, 96)], [mgmt()],
            note="NSX Manager 4.1.2 (NSX Unified Appliance)", created="2023-11-06", tools="guest",
            pattern="scope: NSX manager node, platform management",
        ))  # fmt: skip
    for n in (1, 2):
        e.add(VM(
            f"nsx-edge-0{n}", "nsx", 8, 32, [Disk(200, 31)],
            [mgmt(), Nic(UPLINK_NET, e.pip(PUBLIC_NET, 2)), Nic("Overlay-TEP")],
            note="NSX Edge node, edge cluster ec-tenants (tier-0 gateway for Cloud Director)",
            created="2023-11-07", tools="guest",
            pattern="scope: NSX edge node (tier-0 for the tenants, public uplink), platform",
        ))  # fmt: skip
    for n in (1, 2):
        e.add(VM(
            f"vcd-cell-0{n}", "photon", 4, 16, [Disk(120, 38)], [mgmt()],
            note="VMware Cloud Director appliance 10.5.1 (primary cell)" if n == 1 else
                 "VMware Cloud Director appliance 10.5.1 (standby cell)",
            created="2023-11-09", tools="guest",
            pattern="scope: Cloud Director cell appliance, platform management",
        ))  # fmt: skip

    # Backup infrastructure: the proxies hot-add tenant disks, filled in by hot_add().
    e.add(VM(
        "veeam-vbr-01", "w2022", 8, 32, [Disk(120, 61), Disk(500, 212)],
        [mgmt(), Nic(BACKUP_NET, e.pip("10.0.20"))], folder="Backup", created="2023-12-01",
        note="Veeam Backup & Replication 12 server; tenant self-service through the Cloud "
             "Director plug-in.",
        attrs={"Backup": "n/a (backup server)"},
        pattern="role: Veeam Backup & Replication server: runs the jobs and may well stay, so "
        "it is assessed (its proxies and appliances are left out of scope)",
    ))  # fmt: skip
    for n in (1, 2):
        e.add(VM(
            f"veeam-proxy-0{n}", "w2022", 8, 16, [Disk(100, 38)],
            [mgmt(), Nic(BACKUP_NET, e.pip("10.0.20"))], folder="Backup", created="2023-12-02",
            note="Veeam VMware backup proxy, transport mode hot-add.",
            attrs={"Backup": "n/a (backup proxy)"},
            pattern="scope: Veeam backup proxy; vDisk lists hot-added disks from other VMs' "
                    "folders",
        ))  # fmt: skip
    e.add(VM(
        "cv-vsa-01", "w2019", 4, 16, [Disk(100, 44)],
        [mgmt(), Nic(BACKUP_NET, e.pip("10.0.20"))], folder="Backup", created="2021-02-15",
        note="Commvault Virtual Server Agent proxy (HotAdd) for the legacy backup of Vega.",
        pattern="scope: Commvault VSA backup proxy; a hot-added disk of a tenant VM left "
                "attached",
    ))  # fmt: skip
    e.add(VM(
        "ave-01", "sles12", 4, 16, [Disk(250, 71)] + [Disk(1024, 790) for _ in range(3)],
        [mgmt(), Nic(BACKUP_NET, e.pip("10.0.20"))], folder="Backup", created="2020-09-08",
        note="Dell EMC Avamar Virtual Edition 19.8 (AVE), 3 x 1 TB GSAN.", tools="guest",
        pattern="scope: backup appliance (Avamar Virtual Edition)",
    ))  # fmt: skip

    e.add(VM(
        "billing-app02", "w2019", 4, 16, [], [Nic("DR-Placeholder-Net", connected=False)],
        power="poweredOff", srm=True, cluster="Resource-02", folder="SRM Placeholders",
        pool=f"/{DATACENTER}/Resource-02/Resources/DR-Placeholders", created="2024-02-20",
        note="Protected by Site Recovery Manager (recovery plan RP-Billing).",
        pattern="scope: SRM placeholder VM (SRM Placeholder True), shadow of a protected VM",
    ))  # fmt: skip
    e.add(VM(
        "tpl-win2022-std", "w2022", 2, 4, [Disk(80, 19)], [Nic(MGMT_NET)], power="poweredOff",
        template=True, folder="Templates", created="2024-03-11",
        note="Windows Server 2022 Standard template, patched 2025-05.",
        pattern="scope: VMware template",
    ))  # fmt: skip


def tenant_vms(e: Estate) -> None:
    o, v, ly = e.tenants["orion"], e.tenants["vega"], e.tenants["lyra"]

    # --------------------------------------------------------------- scope patterns
    e.add(VM(
        ly.name("ubuntu-22.04-tmpl", style="paren"), "ubu2204", 2, 4, [Disk(40, 5)],
        [Nic(ly.net("app"))], tenant=ly, power="poweredOff", template=True,
        folder=f"{VCD} ({uid('vcd')})/Catalog/Public-Catalog", created="2024-01-15",
        note="Cloud Director catalog item Ubuntu 22.04 LTS",
        pattern="scope: VMware template (Cloud Director catalog item)",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-legacy05"), "w2016", 2, 8, [Disk(80, 41)], [o.nic("app")], tenant=o,
        power="poweredOff", state="orphaned", created="2019-04-11", vapp=o.vapp("legacy"),
        pattern="scope: orphaned VM (Connection state orphaned)",
    ))  # fmt: skip
    e.add(VM(
        v.name("vega-old-app"), "w2016", 0, 0, [], [], tenant=v, power="poweredOff",
        state="inaccessible", created="2018-06-19", has_uuid=False,
        pattern="scope: inaccessible VM (Connection state inaccessible, no configuration)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-ghost01", style="paren"), "rhel7", 0, 0, [], [], tenant=ly,
        power="poweredOff", state="invalid", created="2017-10-02", has_uuid=False,
        pattern="scope: invalid VM (Connection state invalid)",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-broken01"), "rhel8", 0, 8, [Disk(60, 20)], [o.nic("app")], tenant=o,
        power="poweredOff", created="2021-08-30", vapp=o.vapp("legacy"),
        pattern="scope: VM with 0 vCPU (powered off, connected)",
    ))  # fmt: skip
    e.add(VM(
        v.name("vega-import01"), "ubu2204", 2, 0, [Disk(40, 9)], [v.nic("app")], tenant=v,
        power="poweredOff", created="2022-11-14", vapp=v.vapp("imports"),
        pattern="scope: VM with 0 MiB memory (powered off, connected)",
    ))  # fmt: skip
    e.add(VM(
        o.name("PRD-ERP-APP01"), "w2016", 4, 16, [], [o.nic("app")], tenant=o,
        power="poweredOff", created="2013-04-02", vapp=o.vapp("erp"),
        pattern="scope: diskless placeholder (no disk, 0 provisioned) with a production name, "
                "created 2013",
    ))  # fmt: skip
    e.add(VM(
        v.name("PRD-SAP-DB02"), "sles12", 8, 64, [], [v.nic("db")], tenant=v,
        power="poweredOff", created="2014-09-22", vapp=v.vapp("sap"),
        pattern="scope: diskless placeholder (no disk, 0 provisioned) with a production name, "
                "created 2014",
    ))  # fmt: skip

    # ------------------------------------------------------------ vendor appliances
    pub = lambda: e.pip(PUBLIC_NET, 20)  # noqa: E731
    e.add(VM(
        o.name("fgt-edge01"), "fortigate", 2, 4, [Disk(2, 0.4), Disk(30, 3)],
        [Nic(f"orion-ext-net-{uid('ext', 'orion')}", pub()), o.nic("web")], tenant=o,
        vapp=o.vapp("perimeter"), note="FortiGate-VM64 v7.2.8 build1639 (GA)", tools="guest",
        created="2023-03-14",
        pattern="appliance: FortiGate firewall (name, annotation); public IPv4",
    ))  # fmt: skip
    e.add(VM(
        v.name("fw-pavm-01"), "panos", 4, 16, [Disk(60, 11)],
        [Nic(f"vega-mgmt-net-{uid('mgmt', 'vega')}", v.ip("app")),
         Nic(f"vega-ext-net-{uid('ext', 'vega')}", pub()), v.nic("web")], tenant=v,
        vapp=v.vapp("perimeter"), tools="guest", created="2022-05-09",
        pattern="appliance: Palo Alto PA-VM firewall (OS PAN-OS, name)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lb-ext-01"), "bigip", 4, 16, [Disk(82, 21)],
        [Nic(f"lyra-ext-net-{uid('ext', 'lyra')}", pub()), ly.nic("web")], tenant=ly,
        vapp=ly.vapp("perimeter"), note="F5 BIG-IP Virtual Edition 17.1.1.3 (LTM, ASM)",
        tools="guest", created="2023-07-03",
        pattern="appliance: F5 BIG-IP load balancer (annotation only)",
    ))  # fmt: skip
    e.add(VM(
        v.name("cpgw-01"), "gaia", 4, 8, [Disk(100, 18)], [v.nic("web"), v.nic("app")],
        tenant=v, vapp=v.vapp("perimeter"), tools="guest", created="2021-12-06",
        pattern="appliance: Check Point CloudGuard gateway (OS Gaia)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("siem-console-01"), "qradar", 16, 64, [Disk(250, 88), Disk(2048, 1311)],
        [ly.nic("app")], tenant=ly, vapp=ly.vapp("security"), created="2022-02-21",
        note="IBM QRadar SIEM 7.5.0 UP8, All-in-One console",
        pattern="appliance: IBM QRadar SIEM (annotation; OS Red Hat)",
    ))  # fmt: skip

    # --------------------------------------------------------------- retire evidence
    for tenant, base, os_, note, created in (
        (o, "orion-batch07", "rhel8", "Month-end batch jobs.", "2021-06-07"),
        (v, "vega-test03", "w2019", "Test system for the shop.", "2022-01-24"),
        (ly, "lyra-report02", "w2019", "Quarterly reporting (Crystal Reports).", "2020-10-12"),
    ):
        e.add(VM(
            tenant.name(base), os_, 2, 8, [Disk(60, 22)], [tenant.nic("app")], tenant=tenant,
            power="poweredOff", note=note, created=created, vapp=tenant.vapp("apps"),
            pattern="retire: powered off, no switch-off date anywhere: not a retire candidate",
        ))  # fmt: skip
    e.add(VM(
        v.name("vega-intranet-old"), "w2016", 2, 8, [Disk(80, 44)], [v.nic("web")], tenant=v,
        power="poweredOff", created="2016-05-17", vapp=v.vapp("intranet"),
        note="Switched off on 2019-03-14 after the move to SharePoint Online. Keep for audit.",
        pattern="retire: powered off, notes date the switch-off 2019-03-14 (long ago)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-crm-legacy", style="paren"), "w2016", 4, 16, [Disk(100, 57)],
        [ly.nic("app")], tenant=ly, power="poweredOff", created="2017-02-08",
        vapp=ly.vapp("crm"), note="Old CRM - to be decommissioned.",
        pattern="retire: powered off, note says 'to be decommissioned'",
    ))  # fmt: skip

    # ----------------------------------------------------------------------- backups
    e.add(VM(
        o.name("orion-test04"), "ubu2204", 2, 4, [Disk(40, 12)], [o.nic("app")], tenant=o,
        vapp=o.vapp("test"), created="2023-09-12", attrs={"Backup": "none"},
        pattern="backup: Backup attribute 'none'",
    ))  # fmt: skip
    e.add(VM(
        v.name("vega-tmp02"), "deb12", 2, 4, [Disk(40, 8)], [v.nic("app")], tenant=v,
        vapp=v.vapp("test"), created="2024-04-02", attrs={"Backup": "n/a"},
        pattern="backup: Backup attribute 'n/a'",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-crm01"), "w2019", 4, 16, [Disk(100, 47)], [o.nic("app")], tenant=o,
        vapp=o.vapp("crm"), created="2020-11-03",
        attrs={"Backup Policy": "VM_Backups_Gold",
               "NB_LAST_BACKUP": nb_fresh("orion-crm01", "VM_Backups_Gold")},
        pattern="backup: NB_LAST_BACKUP fresh (hours before the export)",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-crm02"), "w2019", 4, 16, [Disk(100, 45)], [o.nic("app")], tenant=o,
        vapp=o.vapp("crm"), created="2020-11-03",
        attrs={"Backup Policy": "VM_Backups_Gold", "NB_LAST_BACKUP": NB_STALE},
        pattern="backup: NB_LAST_BACKUP stale (2021-05-24, four years before the export)",
    ))  # fmt: skip
    e.add(VM(
        v.name("vega-shop01"), "rocky9", 4, 8, [Disk(60, 19)], [v.nic("web")], tenant=v,
        vapp=v.vapp("shop"), created="2023-02-06",
        attrs={"Last Backup (Rubrik)": rubrik_fresh("vega-shop01")},
        pattern="backup: Rubrik last backup fresh (hours before the export)",
    ))  # fmt: skip
    e.add(VM(
        v.name("vega-shop02"), "rocky9", 4, 8, [Disk(60, 18)], [v.nic("web")], tenant=v,
        vapp=v.vapp("shop"), created="2022-03-06",
        attrs={"Last Backup (Rubrik)": RUBRIK_STALE},
        pattern="backup: Rubrik last backup stale (2022-09-22)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-app05", style="paren"), "ubu2204", 4, 8, [Disk(60, 25)], [ly.nic("app")],
        tenant=ly, vapp=ly.vapp("apps"), created="2022-07-19", attrs={},
        snaps=[Snap("before upgrade", "PHP 8.1 upgrade", "2024-11-04 19:12", 18_432),
               Snap("pre-patch", "", "2025-05-28 20:01", 3_584)],
        pattern="backup: snapshots, no backup statement anywhere",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-tools01", style="suffix"), "w2019", 2, 8, [Disk(80, 33)],
        [ly.nic("app")], tenant=ly, vapp=ly.vapp("apps"), created="2021-01-11", attrs={},
        snaps=[Snap("VM Snapshot 2%2f3%2f2025", "", "2025-02-03 11:45", 9_216)],
        pattern="backup: snapshot, no backup statement anywhere",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-files01"), "w2022", 4, 16, [Disk(100, 41), Disk(1024, 618)],
        [o.nic("app")], tenant=o, vapp=o.vapp("files"), created="2023-05-22",
        attrs={"Backup Policy": "VM_Backups_Gold",
               "NB_LAST_BACKUP": nb_fresh("orion-files01", "VM_Backups_Gold")},
        pattern="backup: Backup Policy 'VM_Backups_Gold' like most Orion VMs; not a backup "
                "server",
    ))  # fmt: skip

    # -------------------------------------------------------------------------- MACs
    e.add(VM(
        ly.name("lyra-lic01", style="paren"), "w2019", 2, 4, [Disk(80, 29)],
        [Nic(ly.net("app"), ly.ip("app"), mac="00:1b:21:8a:4c:12", mac_type="manual")],
        tenant=ly, vapp=ly.vapp("engineering"), created="2019-03-25",
        note="FlexNet licence server (engineering tools).",
        pattern="mac: licence server with a physical vendor's MAC (Intel 00:1b:21), manual",
    ))  # fmt: skip
    build = "00:50:56:01:3f:0a"
    for salt, vapp in (("a", "build-vapp"), ("b", "build-vapp-copy")):
        e.add(VM(
            o.name("build01", salt=salt), "ubu2204", 4, 8, [Disk(80, 31)],
            [Nic(o.net("app"), o.ip("app"), mac=build, mac_type="manual")], tenant=o,
            vapp=o.vapp(vapp), created="2024-08-19" if salt == "a" else "2025-01-13",
            pattern="mac: Linux clone in a copied vApp, shares its MAC with the other "
                    "build01, same network",
        ))  # fmt: skip
    lab = "00:50:56:01:3f:1c"
    for salt in ("a", "b"):
        e.add(VM(
            v.name("lab-node", salt=salt), "rhel9", 2, 4, [Disk(40, 9)],
            [Nic(f"lab-isolated-net-{uid('fenced', salt)}", "192.168.100.10", mac=lab,
                 mac_type="manual")], tenant=v, vapp=v.vapp(f"training-lab-{salt}"),
            created="2025-03-03",
            pattern="mac: Linux clone in a fenced vApp, same MAC and address as the other "
                    "lab-node, different network",
        ))  # fmt: skip
    nlb = "02:bf:0a:1f:0a:c8"  # Windows NLB unicast cluster MAC of 10.31.10.200
    for n in (1, 2):
        e.add(VM(
            ly.name(f"lyra-iis0{n}", style="paren"), "w2019", 4, 8, [Disk(100, 38)],
            [Nic(ly.net("web"), f"{ly.ip('web')}, 10.31.10.200", mac=nlb, mac_type="manual"),
             ly.nic("app")], tenant=ly, vapp=ly.vapp("intranet"), created="2020-06-15",
            note="Intranet IIS front end.",
            pattern="mac: Windows NLB pair, running, same port group, sharing a MAC",
        ))  # fmt: skip
    e.add(VM(
        o.name("orion-app09"), "rhel8", 2, 8, [Disk(60, 21)],
        [o.nic("app"), Nic(o.net("db"), o.ip("db"), connected=False)], tenant=o,
        vapp=o.vapp("apps"), created="2022-10-10",
        pattern="mac: address reported on a disconnected adapter",
    ))  # fmt: skip
    for n in (1, 2):
        e.add(VM(
            v.name(f"vega-svc1{n}"), "ubu2204", 2, 4, [Disk(40, 10)],
            [Nic(v.net("app"), "10.21.20.250")], tenant=v, vapp=v.vapp("services"),
            created="2024-10-01",
            pattern="mac: the only address 10.21.20.250 is also the other vega-svc's "
                    "(conflict, same network)",
        ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-mail01", style="paren"), "deb12", 2, 8, [Disk(60, 24)],
        [Nic(f"lyra-ext-net-{uid('ext', 'lyra')}", pub()), ly.nic("app")], tenant=ly,
        vapp=ly.vapp("mail"), created="2021-04-26", note="Postfix mail gateway.",
        pattern="mac: public IPv4 address on a NIC",
    ))  # fmt: skip

    # ------------------------------------------------------------------------- roles
    for tenant, name, os_, dns, created in (
        (o, "XYZDC05", "w2019", "XYZDC05.xyz.local", "2019-09-16"),
        (v, "SRV-AD03", "w2016", "SRV-AD03.vega.local", "2018-02-12"),
        (ly, "ch-lab-DC01-a8f3", "w2022", "DC01.lab.lyra.ch", "2023-06-26"),
        (ly, "dc01-a8f3", "w2019", "dc01.lyra.com.mx", "2020-01-20"),
    ):
        mx = dns.endswith(".mx")
        e.add(VM(
            name, os_, 2, 8, [Disk(80, 34)], [tenant.nic("app")], tenant=tenant, dns=dns,
            vapp=tenant.vapp("infrastructure"), created=created,
            pattern="role: domain controller, DNS domain ends in .mx" if mx else
                    "role: domain controller named without separators or with a suffix",
        ))  # fmt: skip
    e.add(VM(
        v.name("vega-scan01"), "ol8", 4, 8, [Disk(80, 27)], [v.nic("app")], tenant=v,
        vapp=v.vapp("security"), created="2023-01-30", note="Tenable Nessus scanner.",
        pattern="role: security scanner on Oracle Linux (no Oracle database)",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-fin03", style="paren"), "rhel7", 8, 64,
        [Disk(80, 22), Disk(200, 121, mount="/u01"), Disk(1024, 702, mount="/u02")],
        [ly.nic("db")], tenant=ly, vapp=ly.vapp("finance"), created="2018-11-05",
        pattern="role: Oracle database found only by /u01 /u02 mount points",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-cms02"), "ubu2204", 4, 16,
        [Disk(40, 12), Disk(300, 166, mount="/var/lib/mysql")], [o.nic("db")], tenant=o,
        vapp=o.vapp("cms"), created="2022-04-04",
        pattern="role: MySQL server found by /var/lib/mysql",
    ))  # fmt: skip
    e.add(VM(
        "SRVSQL01", "w2019", 8, 32, [Disk(100, 48), Disk(500, 288)], [v.nic("db")], tenant=v,
        vapp=v.vapp("erp"), created="2019-05-13",
        pattern="role: SQL Server named SRVSQL01 (name only)",
    ))  # fmt: skip

    # ---------------------------------------------------------------------- clusters
    for n in (1, 2, 3, 4):
        tail = "".join("bcdfghjklmnpqrstvwxz2456789"[pick(0, 26, "k8s", n, i)] for i in range(5))
        e.add(VM(
            f"k8s-node-0{n}-{tail}", "ubu2204", 8, 32, [Disk(100, 38)], [o.nic("app")],
            tenant=o, vapp=o.vapp("k8s-prod"), created="2024-05-06",
            pattern="cluster: Kubernetes node, one of four",
        ))  # fmt: skip
    e.add(VM(
        v.name("vega-fsclu-n1"), "w2019", 4, 16,
        [Disk(100, 40), Disk(1, 0.1, mount="Q:\\", sharing="sharingMultiWriter",
                            shared_bus="physicalSharing", thin=False, controller=1),
         Disk(2048, 1380, mount="E:\\", sharing="sharingMultiWriter",
              shared_bus="physicalSharing", thin=False, controller=1)],
        [v.nic("app"), Nic(v.net("db"), v.ip("db"))], tenant=v, vapp=v.vapp("files"),
        created="2019-10-21", note="WSFC node 1 of file cluster FSCLU01.",
        pattern="cluster: lone cluster node (shared disks, notes name node 1), partner missing",
    ))  # fmt: skip

    # ------------------------------------------------------------- in-guest storage
    e.add(VM(
        v.name("vega-fs-iscsi01"), "w2019", 4, 16, [Disk(100, 44), Disk(200, 92)],
        [v.nic("app"), Nic(f"vega-iscsi-net-{uid('iscsi', 'vega')}", "10.21.40.21")],
        tenant=v, vapp=v.vapp("files"), created="2020-03-09",
        parts=[Part("E:\\", 8192, 6410), Part("F:\\", 4096, 2977)],
        pattern="storage: in-guest iSCSI, partitions far larger than the virtual disks",
    ))  # fmt: skip
    e.add(VM(
        o.name("orion-sftp01"), "ubu2204", 2, 8, [Disk(50, 14)], [o.nic("web")], tenant=o,
        vapp=o.vapp("exchange"), created="2021-09-20",
        parts=[Part("/mnt/exchange", 10240, 6030),
               Part("/srv/chroot/partner-a/exchange", same_as="/mnt/exchange"),
               Part("/srv/chroot/partner-b/exchange", same_as="/mnt/exchange")],
        pattern="storage: in-guest NFS far larger than the virtual disks, repeated by chroot "
                "bind mounts",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-ns01", style="paren"), "rhel8", 2, 4, [Disk(40, 9)], [ly.nic("app")],
        tenant=ly, vapp=ly.vapp("infrastructure"), created="2020-02-03",
        parts=[Part(m, same_as="/") for m in (
            "/var/named/chroot/etc/named", "/var/named/chroot/var/named",
            "/var/named/chroot/usr/lib64/bind", "/var/named/chroot/etc/named.conf")],
        pattern="storage: bind-chroot mounts repeat / (sum of partitions above the disks, no "
                "in-guest storage)",
    ))  # fmt: skip

    # -------------------------------------------------------------------------- size
    e.add(VM(
        ly.name("lyra-analytics01", style="paren"), "rhel8", 64, 768,
        [Disk(100, 31), Disk(2048, 402)], [ly.nic("app")], tenant=ly,
        vapp=ly.vapp("analytics"), created="2022-08-01", cpu_pct=2, mem_pct=2,
        pattern="size: 64 vCPU / 768 GiB at 2 % CPU and 2 % memory use",
    ))  # fmt: skip

    # ---------------------------------------------------------- desktops and 32-bit
    for n in (1, 2):
        e.add(VM(
            v.name(f"vega-vdi-w10-0{n}"), "w10", 2, 8, [Disk(80, 51)], [v.nic("web")],
            tenant=v, vapp=v.vapp("desktops"), created="2021-05-10",
            pattern="guest: Windows 10 desktop",
        ))  # fmt: skip
    e.add(VM(
        o.name("orion-legacy-x86"), "w2008x86", 1, 2, [Disk(40, 23)], [o.nic("app")], tenant=o,
        vapp=o.vapp("legacy"), created="2012-11-19", tools="old",
        pattern="guest: 32-bit Windows Server 2008",
    ))  # fmt: skip
    e.add(VM(
        ly.name("lyra-rhel6-32", style="paren"), "rhel6x86", 1, 2, [Disk(20, 8)],
        [ly.nic("app")], tenant=ly, vapp=ly.vapp("legacy"), created="2013-08-05", tools="old",
        pattern="guest: 32-bit Red Hat Enterprise Linux 6",
    ))  # fmt: skip

    # ----------------------------------------------------------- plain, healthy ones
    for tenant in (o, v, ly):
        for base, os_, tier in (("web01", "ubu2204", "web"), ("app01", "w2022", "app")):
            e.add(VM(
                tenant.name(f"{tenant.key}-{base}"), os_, 2, 8, [Disk(80, 27)],
                [tenant.nic(tier)], tenant=tenant, vapp=tenant.vapp("portal"),
                created="2024-02-05", cpu_pct=22, mem_pct=41,
                pattern="ready: plain healthy tenant server (backed up, right-sized, current OS)",
            ))  # fmt: skip


#: Ordinary workloads: (base name, OS, vCPU, GiB, disks, tier).
_FILLER_ROLES = [
    ("web", "ubu2204", 2, 4, [(40, 11)], "web"),
    ("app", "rhel9", 4, 8, [(60, 19), (100, 38)], "app"),
    ("api", "rocky9", 2, 8, [(40, 13)], "app"),
    ("worker", "deb12", 4, 8, [(40, 12)], "app"),
    ("cache", "ubu2204", 2, 8, [(40, 9)], "app"),
    ("mq", "rhel8", 2, 8, [(40, 14), (50, 12)], "app"),
    ("portal", "w2022", 4, 8, [(100, 39)], "web"),
    ("report", "w2019", 4, 16, [(100, 44), (200, 81)], "app"),
    ("int", "sles15", 2, 8, [(60, 21)], "app"),
    ("svc", "w2022", 2, 8, [(80, 30)], "app"),
    ("search", "ubu2204", 4, 16, [(60, 17), (300, 140)], "db"),
    ("stage", "rhel9", 2, 4, [(40, 10)], "app"),
]


def filler_vms(e: Estate, per_tenant: int = 36) -> None:
    for t in e.tenants.values():
        made = e.fillers.setdefault(t.key, [])
        for i in range(per_tenant):
            role, os_, cpu, ram, disks, tier = _FILLER_ROLES[i % len(_FILLER_ROLES)]
            number = 21 + i // len(_FILLER_ROLES)
            base = f"{t.key}-{role}{number:02d}"
            made.append(e.add(VM(
                t.name(base), os_, cpu, ram, [Disk(g, u) for g, u in disks], [t.nic(tier)],
                tenant=t, vapp=t.vapp(f"app-tier-{1 + i % 4}"),
                created=f"{2019 + i % 6}-{1 + i % 12:02d}-{5 + i % 20:02d}",
            )))  # fmt: skip


def hot_add(e: Estate) -> None:
    """Backup proxies with other VMs' disks attached (paths in the owners' folders)."""
    by_name = {vm.name: vm for vm in e.vms}
    plan = {
        "veeam-proxy-01": [e.fillers["orion"][1], e.fillers["orion"][5]],
        "veeam-proxy-02": [e.fillers["lyra"][7]],
        "cv-vsa-01": [e.fillers["vega"][10]],
    }
    for proxy, owners in plan.items():
        for owner in owners:
            for k, d in enumerate(owner.disks):
                by_name[proxy].disks.append(
                    Disk(d.gib, 0, owner=owner.name, owner_index=k, controller=1)
                )


def tenant_attrs(vm: VM) -> dict[str, str]:
    """The custom attribute values of a VM: its own, or its tenant's usual ones."""
    out: dict[str, str] = {}
    if vm.attrs is not None:
        out.update(vm.attrs)
    elif vm.tenant and vm.tenant.key == "orion":
        policy = "VM_Backups_Gold" if pick(0, 2, "policy", vm.name) else "VM_Backups_Silver"
        out["Backup Policy"] = policy
        if vm.running:
            out["NB_LAST_BACKUP"] = nb_fresh(vm.name, policy)
    elif vm.tenant and vm.tenant.key == "vega":
        if vm.running:
            out["Last Backup (Rubrik)"] = rubrik_fresh(vm.name)
    elif vm.tenant and vm.tenant.key == "lyra":
        out["Backup"] = "Veeam (Cloud Director self-service, daily)"
    if vm.tenant:
        out["Tenant"] = vm.tenant.org
    return out


HOSTS = {
    "Mgmt-Cluster": [f"esx-m0{n}" for n in (1, 2, 3)],
    "Resource-01": [f"esx-r1-0{n}" for n in range(1, 7)],
    "Resource-02": [f"esx-r2-0{n}" for n in range(1, 7)],
}
HOST_MODEL = {
    "Mgmt-Cluster": ("Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", 2400, 16, 512),
    "Resource-01": ("Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz", 2600, 28, 2048),
    "Resource-02": ("Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz", 2600, 28, 2048),
}


def finish(e: Estate) -> None:
    """Hosts, datastores, ids, MAC addresses; and checks that keep the patterns honest."""
    turn: dict[str, int] = {}
    vcd_mac = 0x0100
    seen_macs: dict[str, str] = {}
    for index, vm in enumerate(e.vms):
        hosts = HOSTS[vm.cluster]
        vm.host = hosts[turn.get(vm.cluster, 0) % len(hosts)]
        turn[vm.cluster] = turn.get(vm.cluster, 0) + 1
        if vm.tenant:
            stores = vm.tenant.datastores
            vm.datastore = stores[pick(0, len(stores) - 1, "ds", vm.name)]
        else:
            vm.datastore = "vsanDatastore-mgmt" if vm.cluster == "Mgmt-Cluster" else "SP-DR-DS01"
        vm.vm_id = 1001 + 3 * index
        for i, nic in enumerate(vm.nics):
            if not nic.mac:
                if vm.tenant:  # Cloud Director's MAC pool, set on the VM as a manual MAC
                    nic.mac = f"00:50:56:01:{vcd_mac >> 8 & 0xFF:02x}:{vcd_mac & 0xFF:02x}"
                    nic.mac_type = "manual"
                    vcd_mac += 1
                else:  # vCenter-generated
                    h = _hash("mac", vm.name, i)
                    nic.mac = (
                        f"00:50:56:{0x80 | h >> 16 & 0x3F:02x}:{h >> 8 & 0xFF:02x}:{h & 0xFF:02x}"
                    )
                    nic.mac_type = "assigned"
                assert nic.mac not in seen_macs, (vm.name, seen_macs.get(nic.mac))
            seen_macs.setdefault(nic.mac, vm.name)
    names = [vm.name for vm in e.vms]
    assert len(names) == len(set(names)), "VM names must be unique"
    assert len({vm.uuid for vm in e.vms if vm.uuid}) == sum(1 for vm in e.vms if vm.uuid)


def build_estate() -> list[VM]:
    e = Estate()
    provider_vms(e)
    tenant_vms(e)
    filler_vms(e)
    hot_add(e)
    finish(e)
    return e.vms


ESTATE: list[VM] = build_estate()

#: VM name -> the pattern it reproduces ("<group>: <what it shows>"), for verdict tests.
PATTERNS: dict[str, str] = {vm.name: vm.pattern for vm in ESTATE if vm.pattern}


# ------------------------------------------------------------------ derived values


def disk_paths(vm: VM, by_name: dict[str, VM]) -> list[str]:
    out = []
    for i, d in enumerate(vm.disks):
        owner = by_name[d.owner] if d.owner else vm
        k = d.owner_index if d.owner else i
        suffix = "" if k == 0 else f"_{k}"
        out.append(f"{owner.own_dir()}{owner.name}{suffix}.vmdk")
    return out


def disk_keys(vm: VM) -> list[int]:
    keys, units = [], {0: 0, 1: 0}
    for d in vm.disks:
        keys.append(2000 + 16 * d.controller + units[d.controller])
        units[d.controller] += 1
    return keys


def partitions(vm: VM) -> list[tuple[int | None, str, int, int]]:
    """(disk key, file system, capacity MiB, consumed MiB) as the guest reports them."""
    out: list[tuple[int | None, str, int, int]] = []
    keys = disk_keys(vm)
    letters = "CDEFGH"
    for i, d in enumerate(vm.disks):
        if d.owner or d.mount == "Q:\\":
            continue  # hot-added disks are not mounted; the quorum disk has no letter
        if vm.osinfo.windows:
            out.append((keys[i], d.mount or f"{letters[i]}:\\", mib(d.gib) - 500, mib(d.used)))
        elif i == 0 and d.gib < 8:  # appliances and agents: one small root file system
            out.append((keys[i], "/", mib(d.gib) - 64, mib(d.used)))
        elif i == 0:
            boot = 300 + pick(0, 60, "boot", vm.name)
            out.append((keys[i], "/boot", 1014, boot))
            out.append((keys[i], "/", mib(d.gib) - 3072, mib(d.used) - boot))
        else:
            out.append((keys[i], d.mount or f"/data{i if i > 1 else ''}", mib(d.gib) - 64,
                        mib(d.used)))  # fmt: skip
    for p in vm.parts:
        if p.same_as:
            key, _, cap, used = next(r for r in out if r[1] == p.same_as)
            out.append((key, p.mount, cap, used))
        else:
            out.append((None, p.mount, mib(p.gib), mib(p.used)))
    for _, name, cap, used in out:
        assert 0 <= used < cap, (vm.name, name)
    return out


def snapshot_mib(vm: VM) -> int:
    return sum(s.total_mib for s in vm.snaps)


def cpu_pct(vm: VM) -> float:
    return vm.cpu_pct if vm.cpu_pct is not None else round(3 + 35 * frac("cpu", vm.name), 1)


def mem_pct(vm: VM) -> float:
    return vm.mem_pct if vm.mem_pct is not None else round(8 + 40 * frac("mem", vm.name), 1)


def cpu_max_mhz(vm: VM) -> int:
    return vm.cpu * HOST_MODEL[vm.cluster][1]


def active_mib(vm: VM) -> int:
    return round(mib(vm.ram_gib) * mem_pct(vm) / 100) if vm.guest else 0


def poweron_time(vm: VM) -> dt.datetime | None:
    if not vm.running:
        return None
    boot = EXPORT_TIME - dt.timedelta(
        days=pick(3, 160, "up", vm.name), minutes=pick(0, 900, vm.name)
    )
    return max(boot, day(vm.created, "created", vm.name) + dt.timedelta(minutes=30))


def hw_version(vm: VM) -> int:
    year = int(vm.created[:4])
    for limit, version in ((2013, 8), (2015, 10), (2017, 11), (2019, 13), (2021, 15)):
        if year < limit:
            return version
    return 19


def firmware(vm: VM) -> str:
    modern = vm.os in ("w2019", "w2022", "w10", "rhel9", "rocky9", "ubu2204", "photon", "vcls")
    return "efi" if modern and vm.created >= "2019" else "bios"


def tools_os(vm: VM) -> str | None:
    return vm.osinfo.reported if vm.guest else None


def ips(nic: Nic) -> list[str]:
    return [ip.strip() for ip in nic.ip.split(",") if ip.strip()]


# ------------------------------------------------------------------ RVTools workbook


def head(vm: VM) -> dict:
    return {
        "VM": vm.name,
        "Powerstate": vm.power,
        "Template": tf(vm.template),
        "SRM Placeholder": tf(vm.srm),
    }


def tail(vm: VM) -> dict:
    row: dict = {"Annotation": vm.note or None}
    row.update({a: tenant_attrs(vm).get(a) for a in ATTRIBUTES})
    row.update(
        {
            "Datacenter": DATACENTER,
            "Cluster": vm.cluster,
            "Host": f"{vm.host}.{DOMAIN}",
            "Folder": vm.folder,
            "OS according to the configuration file": vm.osinfo.cfg if vm.readable else None,
            "OS according to the VMware Tools": tools_os(vm),
            "VM ID": f"vm-{vm.vm_id}",
            "VM UUID": vm.uuid,
            "VI SDK Server": VCENTER,
            "VI SDK UUID": VI_SDK_UUID,
        }
    )
    return row


def vinfo_row(vm: VM) -> dict:
    own = [d for d in vm.disks if not d.owner]
    total = sum(mib(d.gib) for d in vm.disks)
    in_use = sum(mib(d.used) if d.thin else mib(d.gib) for d in own) + snapshot_mib(vm)
    shared = sum(mib(d.gib) for d in own if d.shared_bus != "noSharing")
    created = day(vm.created, "created", vm.name)
    poweron = poweron_time(vm)
    first_ip = next((ip for nic in vm.nics if nic.connected for ip in ips(nic)), None)
    vmx = f"{vm.own_dir()}{vm.name}.vmx"
    row = {
        **head(vm),
        "Config status": "green" if vm.readable else "gray",
        "DNS Name": vm.dns if vm.guest and vm.nics else None,
        "Connection state": vm.state,
        "Guest state": "running" if vm.guest else "notRunning",
        "Heartbeat": "green" if vm.guest else "gray",
        "Consolidation Needed": "False",
        "PowerOn": poweron,
        "Suspended To Memory": "False",
        "Suspend Interval": 0,
        "Creation date": created,
        "Change Version": max(created, poweron or created) - dt.timedelta(hours=2),
        "CPUs": vm.cpu,
        "Overall Cpu Readiness": 0,
        "Memory": mib(vm.ram_gib),
        "Active Memory": active_mib(vm),
        "NICs": len(vm.nics),
        "Disks": len(vm.disks),
        "Total disk capacity MiB": total,
        "Fixed Passthru HotPlug": "False",
        "min Required EVC Mode Key": "intel-icelake" if vm.readable else None,
        "Latency Sensitivity": "normal",
        "EnableUUID": tf(vm.osinfo.windows),
        "CBT": tf(vm.tenant is not None and vm.running),
        "Primary IP Address": first_ip if vm.guest else None,
        "Num Monitors": 1,
        "Video Ram KiB": 8192 if vm.osinfo.windows else 4096,
        "Resource pool": vm.pool or None,
        "Folder ID": f"group-v{100 + pick(0, 900, 'folder', vm.folder)}",
        "Folder": vm.folder,
        "vApp": vm.vapp or None,
        "DAS protection": tf(vm.readable and not vm.template),
        "FT State": "notConfigured",
        "FT Bandwidth": 0,
        "FT Sec. Latency": 0,
        "Vm Failover In Progress": "False",
        "Provisioned MiB": total + snapshot_mib(vm),
        "In Use MiB": in_use,
        "Unshared MiB": in_use - shared,
        "HA Restart Priority": "medium" if vm.readable else None,
        "HA Isolation Response": "none",
        "HA VM Monitoring": "vmMonitoringDisabled",
        "Boot Required": "False",
        "Boot delay": 0,
        "Boot retry delay": 10000,
        "Boot retry enabled": "False",
        "Boot BIOS setup": "False",
        "Reboot PowerOff": "False",
        "EFI Secure boot": tf(firmware(vm) == "efi" and vm.osinfo.windows),
        "Firmware": firmware(vm) if vm.readable else None,
        "HW version": hw_version(vm) if vm.readable else None,
        "HW upgrade status": "none",
        "HW upgrade policy": "never",
        "Path": vmx,
        "Log directory": vm.own_dir(),
        "Snapshot directory": vm.own_dir(),
        "Suspend directory": vm.own_dir(),
        **tail(vm),
        "SMBIOS UUID": uid("smbios", vm.name) if vm.has_uuid else None,
        "VI SDK Server type": "VMware vCenter Server",
        "VI SDK API Version": "8.0.3.0",
    }
    for n, nic in enumerate(vm.nics[:8], start=1):
        row[f"Network #{n}"] = nic.network
    return row


def vcpu_row(vm: VM) -> dict:
    top = cpu_max_mhz(vm)
    used = round(top * cpu_pct(vm) / 100) if vm.guest else 0
    return {
        **head(vm),
        "CPUs": vm.cpu,
        "Sockets": vm.cpu,
        "Cores p/s": 1,
        "Max": top,
        "Overall": used,
        "Level": "normal",
        "Shares": 1000 * vm.cpu,
        "Reservation": 0,
        "Entitlement": used + 40 if vm.running else 0,
        "DRS Entitlement": used,
        "Limit": -1,
        "Hot Add": "False",
        "Hot Remove": "False",
        "Numa Hotadd Exposed": "False",
        **tail(vm),
    }


def vmemory_row(vm: VM) -> dict:
    size = mib(vm.ram_gib)
    active = active_mib(vm)
    consumed = min(size, round(size * (mem_pct(vm) + 35) / 100)) if vm.running else 0
    return {
        **head(vm),
        "Size MiB": size,
        "Memory Reservation Locked To Max": "False",
        "Overhead": 0,
        "Max": size,
        "Consumed": consumed,
        "Consumed Overhead": 40 if vm.running else 0,
        "Private": max(0, consumed - 64),
        "Shared": min(64, consumed),
        "Swapped": 0,
        "Ballooned": 0,
        "Active": active,
        "Entitlement": consumed,
        "DRS Entitlement": active,
        "Level": "normal",
        "Shares": 10 * size,
        "Reservation": 0,
        "Limit": -1,
        "Hot Add": "False",
        **tail(vm),
    }


def vdisk_rows(vm: VM, by_name: dict[str, VM]) -> list[dict]:
    rows = []
    keys = disk_keys(vm)
    units = {0: 0, 1: 0}
    scsi = vm.osinfo.scsi
    for i, (d, path) in enumerate(zip(vm.disks, disk_paths(vm, by_name), strict=True)):
        unit = units[d.controller]
        units[d.controller] += 1
        rows.append(
            {
                **head(vm),
                "Disk": f"Hard disk {i + 1}",
                "Disk Key": keys[i],
                "Disk UUID": "6000C29"
                + uid("disk", d.owner or vm.name, d.owner_index if d.owner else i)[7:],
                "Capacity MiB": mib(d.gib),
                "Raw": "False",
                "Disk Mode": d.mode,
                "Sharing mode": d.sharing,
                "Thin": tf(d.thin),
                "Eagerly Scrub": tf(not d.thin),
                "Split": "False",
                "Write Through": "False",
                "Level": "normal",
                "Shares": 1000,
                "Reservation": 0,
                "Limit": -1,
                "Controller": "LSI Logic SAS" if d.shared_bus != "noSharing" else scsi,
                "Label": f"Hard disk {i + 1}",
                "SCSI Unit #": unit,
                "Unit #": unit,
                "Shared Bus": d.shared_bus,
                "Path": path,
                "Internal Sort Column": f"{vm.name} {keys[i]}",
                **tail(vm),
            }
        )
    return rows


def vpartition_rows(vm: VM) -> list[dict]:
    if not vm.guest:
        return []  # no guest information without running VMware Tools
    rows = []
    for key, name, cap, used in partitions(vm):
        rows.append(
            {
                **head(vm),
                "Disk Key": key,
                "Disk": name,
                "Capacity MiB": cap,
                "Consumed MiB": used,
                "Free MiB": cap - used,
                "Free %": round(100 * (cap - used) / cap),
                "Internal Sort Column": f"{vm.name} {name}",
                **tail(vm),
            }
        )
    return rows


def vnetwork_rows(vm: VM) -> list[dict]:
    rows = []
    for i, nic in enumerate(vm.nics):
        uplink = nic.network in (MGMT_NET, BACKUP_NET, UPLINK_NET, "Overlay-TEP")
        rows.append(
            {
                **head(vm),
                "NIC label": f"Network adapter {i + 1}",
                "Adapter": vm.osinfo.adapter,
                "Network": nic.network,
                "Switch": "DVS-Mgmt" if uplink or vm.cluster == "Mgmt-Cluster" else "DVS-Resource",
                "Connected": tf(nic.connected and vm.running),
                "Starts Connected": tf(nic.connected),
                "Mac Address": nic.mac,
                "Type": nic.mac_type,
                "IPv4 Address": (nic.ip or None) if vm.guest else None,
                "Direct Path IO": "False",
                "Internal Sort Column": f"{vm.name} {4000 + i}",
                **tail(vm),
            }
        )
    return rows


def vsnapshot_rows(vm: VM) -> list[dict]:
    return [
        {
            "VM": vm.name,
            "Powerstate": vm.power,
            "Name": s.name,
            "Description": s.description or None,
            "Date / time": day(s.when),
            "Filename": f"{vm.own_dir()}{vm.name}-Snapshot{n}.vmsn",
            "Size MiB (vmsn)": 1,
            "Size MiB (total)": s.total_mib,
            "Quiesced": "False",
            "State": "poweredOff",
            **tail(vm),
        }
        for n, s in enumerate(vm.snaps, start=1)
    ]


def vtools_row(vm: VM) -> dict:
    status, version = TOOLS[vm.tools]
    if status != "toolsNotInstalled" and not vm.running:
        status = "toolsNotRunning"
    return {
        **head(vm),
        "VM Version": f"vmx-{hw_version(vm)}",
        "Tools": status,
        "Tools Version": version,
        "Required Version": TOOLS["ok"][1],
        "Upgradeable": tf(vm.tools == "old"),
        "Upgrade Policy": "manual",
        "Sync time": "False",
        "App status": "appStatusGray",
        "Heartbeat status": "green" if vm.guest else "gray",
        "Operation Ready": tf(vm.guest),
        "State change support": tf(vm.tools != "none"),
        "Interactive Guest": "False",
        **tail(vm),
        "VMRef": vm.vm_id,
    }


def vhost_rows(vms: list[VM]) -> list[dict]:
    rows = []
    for cluster, hosts in HOSTS.items():
        model, speed, cores_per_cpu, mem_gib = HOST_MODEL[cluster]
        for host in hosts:
            on = [v for v in vms if v.host == host and v.running]
            cores = 2 * cores_per_cpu
            vcpus = sum(v.cpu for v in on)
            vram = sum(mib(v.ram_gib) for v in on)
            rows.append(
                {
                    "Host": f"{host}.{DOMAIN}",
                    "Datacenter": DATACENTER,
                    "Cluster": cluster,
                    "Config status": "green",
                    "in Maintenance Mode": "False",
                    "in Quarantine Mode": "False",
                    "CPU Model": model,
                    "Speed": speed,
                    "HT Available": "True",
                    "HT Active": "True",
                    "# CPU": 2,
                    "Cores per CPU": cores_per_cpu,
                    "# Cores": cores,
                    "CPU usage %": 10 + pick(0, 40, "cpu%", host),
                    "# Memory": mem_gib * 1024,
                    "Memory usage %": min(95, round(100 * vram / (mem_gib * 1024)) + 5),
                    "Console": 0,
                    "# NICs": 4,
                    "# HBAs": 2,
                    "# VMs total": sum(1 for v in vms if v.host == host),
                    "# VMs": len(on),
                    "VMs per Core": round(len(on) / cores, 2),
                    "# vCPUs": vcpus,
                    "vCPUs per Core": round(vcpus / cores, 2),
                    "vRAM": vram,
                    "VM Used memory": round(vram * 0.6),
                    "VM Memory Swapped": 0,
                    "VM Memory Ballooned": 0,
                    "VMotion support": "True",
                    "Storage VMotion support": "True",
                    "Current EVC": "intel-icelake",
                    "Max EVC": "intel-icelake",
                    "Assigned License(s)": "VMware vSphere 8 Enterprise Plus (VCPP)",
                    "ESX Version": "VMware ESXi 8.0.3 build-24022510",
                    "Boot time": dt.datetime(2025, 2, 22, 2, 0)
                    + dt.timedelta(minutes=pick(0, 900, host)),
                    "DNS Servers": "10.0.10.2, 10.0.10.3",
                    "DHCP": "False",
                    "Domain": DOMAIN,
                    "NTP Server(s)": "10.0.10.2",
                    "NTPD running": "True",
                    "Time Zone": "UTC",
                    "Time Zone Name": "UTC",
                    "GMT Offset": 0,
                    "Vendor": "Dell Inc.",
                    "Model": "PowerEdge R750",
                    "Serial number": f"SN{pick(1000000, 9999999, 'serial', host)}",
                    "Object ID": f"host-{100 + pick(0, 899, 'host', host)}",
                    "UUID": uid("host", host),
                    "VI SDK Server": VCENTER,
                    "VI SDK UUID": VI_SDK_UUID,
                }
            )
    return rows


def _sheet(wb: openpyxl.Workbook, title: str, rows: list[dict]) -> None:
    header = headers(title)
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
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy/mm/dd hh:mm:ss"


def build_workbook(vms: list[VM] | None = None) -> openpyxl.Workbook:
    vms = sorted(vms or ESTATE, key=lambda v: v.name.lower())
    by_name = {vm.name: vm for vm in vms}
    listed = [vm for vm in vms if vm.readable]  # what vCenter can describe beyond vInfo
    tabs = {
        "vInfo": [vinfo_row(vm) for vm in vms],
        "vCPU": [vcpu_row(vm) for vm in listed],
        "vMemory": [vmemory_row(vm) for vm in listed],
        "vDisk": [r for vm in listed for r in vdisk_rows(vm, by_name)],
        "vPartition": [r for vm in listed for r in vpartition_rows(vm)],
        "vNetwork": [r for vm in listed for r in vnetwork_rows(vm)],
        "vSnapshot": [r for vm in listed for r in vsnapshot_rows(vm)],
        "vTools": [vtools_row(vm) for vm in listed],
        "vHost": vhost_rows(vms),
        "vMetaData": [
            {
                "RVTools major version": 4.7,
                "RVTools version": "4.7.1.4",
                "xlsx creation datetime": EXPORT_TIME,
                "Server": VCENTER,
            }
        ],
    }
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        _sheet(wb, title, rows)
    wb.properties.creator = "RVTools"
    wb.properties.created = EXPORT_TIME
    wb.properties.modified = EXPORT_TIME
    return wb


def generate(out_dir: Path) -> Path:
    """Write provider-rvtools.xlsx into `out_dir` and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / RVTOOLS_FILE
    build_workbook().save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    print(generate(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
