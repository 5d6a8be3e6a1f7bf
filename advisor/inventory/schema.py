"""The canonical inventory: the tables every importer fills and every later stage reads.

Each column is declared once here with its dtype, unit and meaning, so that importers,
`advisor inspect`, the blank template and the docs all agree. Units are normalised on import:
sizes and memory in GiB, times as UTC datetimes, booleans as real booleans and anything
unknown as NA (never 0 or an empty string).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Dtype = Literal["string", "Int64", "Float64", "boolean", "datetime"]

#: pandas dtype used for each schema dtype; nullable types keep NA distinct from 0/False.
PANDAS_DTYPES: dict[str, object] = {
    "string": pd.StringDtype(),
    "Int64": pd.Int64Dtype(),
    "Float64": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "datetime": pd.DatetimeTZDtype(tz="UTC"),
}


@dataclass(frozen=True)
class Column:
    """One canonical column: name, dtype, unit and what it means to a consultant."""

    name: str
    dtype: Dtype
    description: str
    unit: str = ""
    #: Fixed values, for validation lists in the template and for docs.
    choices: tuple[str, ...] = ()


POWER_STATES = ("on", "off", "suspended")
OS_FAMILIES = ("windows", "linux", "other")
FIRMWARE = ("bios", "efi")
ENVIRONMENTS = ("production", "test", "development", "staging", "dr")
CRITICALITY = ("low", "medium", "high", "critical")

SERVER_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", "Stable identifier: the VM UUID when known, else format and name."),
    Column("name", "string", "Server or VM name as the customer knows it."),
    Column("dns_name", "string", "Fully qualified DNS name reported by the guest."),
    Column("power_state", "string", "Power state.", choices=POWER_STATES),
    Column("is_template", "boolean", "True for VM templates (not running workloads)."),
    Column("vcpus", "Int64", "Virtual CPUs.", "count"),
    Column("memory_gib", "Float64", "Configured memory.", "GiB"),
    Column("nics", "Int64", "Network adapters.", "count"),
    Column("disk_count", "Int64", "Virtual disks.", "count"),
    Column("provisioned_gib", "Float64", "Storage provisioned to the server.", "GiB"),
    Column("used_gib", "Float64", "Storage actually used (what has to be copied).", "GiB"),
    Column("largest_disk_gib", "Float64", "Capacity of the largest single disk.", "GiB"),
    Column("os_name", "string", "Operating system as reported (guest tools first)."),
    Column("os_family", "string", "Operating system family.", choices=OS_FAMILIES),
    Column("firmware", "string", "Boot firmware.", choices=FIRMWARE),
    Column("hw_version", "Int64", "VMware virtual hardware version (vmx-NN).", "version"),
    Column("primary_ip", "string", "Primary IP address."),
    Column("datacenter", "string", "Datacenter (vCenter) or server room the server runs in."),
    Column("cluster", "string", "Cluster the server runs in."),
    Column("host", "string", "Physical host the server runs on."),
    Column("folder", "string", "vCenter folder or grouping."),
    Column("resource_pool", "string", "vCenter resource pool (path) the VM draws resources from."),
    Column("vapp", "string", "vApp the VM belongs to (vCenter or Cloud Director)."),
    Column("annotation", "string", "Free-text notes and annotations."),
    Column("created", "datetime", "When the server was created (UTC).", "UTC"),
    Column("powered_on_at", "datetime", "Last power-on time (UTC).", "UTC"),
    Column("tools_status", "string", "Guest tools status (toolsOk, toolsNotInstalled, ...)."),
    Column("connection_state", "string", "vCenter connection state (connected, orphaned, ...)."),
    Column(
        "srm_placeholder",
        "boolean",
        "True for Site Recovery Manager placeholders: shadow VMs of a protected site's VMs.",
    ),
    Column(
        "cpu_usage_pct",
        "Float64",
        "CPU in use as a share of the allocated vCPUs, as measured when the inventory was taken.",
        "%",
    ),
    Column(
        "memory_usage_pct",
        "Float64",
        "Memory actively used as a share of the configured memory, when the inventory was taken.",
        "%",
    ),
    Column("site", "string", "Customer site; set by the profile or a site column."),
    Column("role", "string", "Role stated by the customer (domain controller, web, ...)."),
    Column("application", "string", "Application or service the server belongs to."),
    Column("environment", "string", "Environment (production, test, ...).", choices=ENVIRONMENTS),
    Column("owner", "string", "Responsible person or team."),
    Column("criticality", "string", "Business criticality.", choices=CRITICALITY),
    Column("backup_method", "string", "How the server is backed up, as stated."),
    Column("users", "Int64", "Office users who depend on the server.", "count"),
    Column("duplicate_name", "boolean", "True when another server in the file has this name."),
    Column("source_sheet", "string", "Sheet or file the row was read from."),
    Column("source_row", "Int64", "Row number in the source (1-based, as a spreadsheet shows)."),
)

DISK_COLUMNS: tuple[Column, ...] = (
    Column("server_id", "string", "Server the disk belongs to."),
    Column("label", "string", "Disk label (Hard disk 1, ...)."),
    Column("capacity_gib", "Float64", "Disk capacity.", "GiB"),
    Column("thin", "boolean", "Thin provisioned."),
    Column("raw", "boolean", "Raw device mapping (RDM) rather than a virtual disk file."),
    Column("raw_mode", "string", "RDM compatibility mode (physicalMode, virtualMode)."),
    Column("disk_mode", "string", "persistent, independent_persistent, independent_nonpersistent."),
    Column("sharing", "string", "Sharing mode: sharingNone or sharingMultiWriter."),
    Column("shared_bus", "string", "SCSI bus sharing: noSharing, virtualSharing, physicalSharing."),
    Column("controller", "string", "Disk controller."),
    Column("path", "string", "Datastore path of the disk file."),
)

PARTITION_COLUMNS: tuple[Column, ...] = (
    Column("server_id", "string", "Server the partition belongs to."),
    Column("mount", "string", "Drive letter or mount point."),
    Column("capacity_gib", "Float64", "Partition capacity.", "GiB"),
    Column("consumed_gib", "Float64", "Space used in the partition.", "GiB"),
    Column("free_gib", "Float64", "Free space in the partition.", "GiB"),
)

SNAPSHOT_COLUMNS: tuple[Column, ...] = (
    Column("server_id", "string", "Server the snapshot belongs to."),
    Column("name", "string", "Snapshot name."),
    Column("description", "string", "Snapshot description."),
    Column("created", "datetime", "When the snapshot was taken (UTC).", "UTC"),
    Column("size_gib", "Float64", "Total size of the snapshot files.", "GiB"),
    Column("quiesced", "boolean", "Taken with the guest file system quiesced."),
)

NIC_COLUMNS: tuple[Column, ...] = (
    Column("server_id", "string", "Server the adapter belongs to."),
    Column("label", "string", "Adapter label (Network adapter 1, ...)."),
    Column("adapter", "string", "Adapter type (VMXNET3, E1000, ...)."),
    Column("network", "string", "Port group or network name."),
    Column("connected", "boolean", "Adapter connected."),
    Column("mac", "string", "MAC address."),
    Column("mac_type", "string", "How the MAC was set: assigned, generated or manual."),
    Column("ipv4", "string", "IPv4 addresses, comma separated."),
    Column("ipv6", "string", "IPv6 addresses, comma separated."),
)

DEVICE_COLUMNS: tuple[Column, ...] = (
    Column("server_id", "string", "Server the device is attached to."),
    Column("kind", "string", "Device kind.", choices=("usb", "cdrom")),
    Column("device", "string", "Device type or node as reported."),
    Column("connected", "boolean", "Device connected."),
)

HOST_COLUMNS: tuple[Column, ...] = (
    Column("name", "string", "Host name."),
    Column("datacenter", "string", "Datacenter of the host."),
    Column("cluster", "string", "Cluster of the host."),
    Column("cpu_model", "string", "CPU model."),
    Column("sockets", "Int64", "CPU sockets.", "count"),
    Column("cores", "Int64", "Physical cores.", "count"),
    Column("memory_gib", "Float64", "Physical memory.", "GiB"),
    Column("esx_version", "string", "Hypervisor version."),
    Column("vendor", "string", "Hardware vendor."),
    Column("model", "string", "Hardware model."),
)

DEPENDENCY_COLUMNS: tuple[Column, ...] = (
    Column("source", "string", "Server that opens the connection."),
    Column("target", "string", "Server that is connected to."),
    Column("port", "Int64", "Destination port.", "port"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "servers": SERVER_COLUMNS,
    "disks": DISK_COLUMNS,
    "partitions": PARTITION_COLUMNS,
    "snapshots": SNAPSHOT_COLUMNS,
    "nics": NIC_COLUMNS,
    "devices": DEVICE_COLUMNS,
    "hosts": HOST_COLUMNS,
    "dependencies": DEPENDENCY_COLUMNS,
}

SERVER_FIELDS: dict[str, Column] = {c.name: c for c in SERVER_COLUMNS}

#: Prefix of columns kept verbatim from the source (custom attributes, extra columns).
ATTR_PREFIX = "attr."


def empty_table(table: str, rows: int = 0) -> pd.DataFrame:
    """A table with every canonical column typed and all values NA."""
    return pd.DataFrame(
        {c.name: pd.Series([pd.NA] * rows, dtype=PANDAS_DTYPES[c.dtype]) for c in TABLES[table]}
    )


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give `frame` every canonical column of `table`, in schema order, with schema dtypes.

    Missing columns become NA; `attr.*` columns are kept after the canonical ones. Importers
    call this last, so every later stage can rely on the columns being there.
    """
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for col in TABLES[table]:
        dtype = PANDAS_DTYPES[col.dtype]
        if col.name in frame.columns:
            out[col.name] = frame[col.name].astype(dtype).reset_index(drop=True)
        else:
            out[col.name] = pd.Series([pd.NA] * n, dtype=dtype)
    extras = [c for c in frame.columns if c.startswith(ATTR_PREFIX)]
    for c in extras:
        out[c] = frame[c].astype(pd.StringDtype()).reset_index(drop=True)
    return pd.DataFrame(out)


@dataclass
class Problem:
    """A row that was rejected or a value that was not accepted, with where and why."""

    sheet: str
    row: int | None
    reason: str
    column: str | None = None
    value: str | None = None
    #: row: a server row rejected; skip: a detail row (disk, NIC, ...) skipped;
    #: value: a cell not accepted (read as unknown); flag: kept but worth a look.
    kind: Literal["row", "skip", "value", "flag"] = "value"

    def where(self) -> str:
        parts = [self.sheet]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


@dataclass
class Mapping:
    """How one source header was used: mapped to a canonical column, kept, or not used."""

    sheet: str
    header: str
    column: str | None
    status: Literal["mapped", "kept", "ignored", "unmapped"]
    note: str = ""


@dataclass
class Source:
    """Where an inventory came from and everything the import did to it."""

    path: str
    format: str
    format_version: str | None = None
    sha256: str | None = None
    tabs_seen: list[str] = field(default_factory=list)
    tabs_read: list[str] = field(default_factory=list)
    mapping: list[Mapping] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Assumptions the importer had to make (units inferred, columns missing, ...).
    notes: list[str] = field(default_factory=list)
    servers_read: int = 0
    #: When the export was made (RVTools vMetaData), the reference time for ages.
    exported_at: pd.Timestamp | None = None

    @property
    def rejected_rows(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "row"]


@dataclass
class Inventory:
    """All tables of one imported inventory plus the record of how it was read."""

    servers: pd.DataFrame
    source: Source
    disks: pd.DataFrame = field(default_factory=lambda: empty_table("disks"))
    partitions: pd.DataFrame = field(default_factory=lambda: empty_table("partitions"))
    snapshots: pd.DataFrame = field(default_factory=lambda: empty_table("snapshots"))
    nics: pd.DataFrame = field(default_factory=lambda: empty_table("nics"))
    devices: pd.DataFrame = field(default_factory=lambda: empty_table("devices"))
    hosts: pd.DataFrame = field(default_factory=lambda: empty_table("hosts"))
    dependencies: pd.DataFrame = field(default_factory=lambda: empty_table("dependencies"))
