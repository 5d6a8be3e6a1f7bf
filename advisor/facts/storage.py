"""Disks against the target's storage limits: the boot disk, data disks, disks a plain
image copy cannot carry (shared, raw device mappings, independent), and volumes the guest
mounts from outside its virtual disks.

The boot disk is the first disk in the hypervisor's order ('Hard disk 1' in RVTools,
'Disk 1' in Azure Migrate): the lowest-numbered disk label of the server. When the guest's
system volume (C:\\ or /) is larger than that disk, the operating system spans the
following disks too (LVM or a spanned volume: a 1 GiB 'Hard disk 1' holding /boot and a
250 GiB 'Hard disk 2' holding the root volume group), and those disks belong to the OS
image. Every other disk is a data disk, which on the target becomes a block volume (or
several, when it is larger than the largest volume). Per-disk flags are folded per server
with Kleene logic: a server has a shared disk when any disk is shared, has none when every
disk is known not to be, and is unknown otherwise (for example Azure Migrate imports, which
carry sizes only).

The guest's own view (RVTools vPartition: mount, capacity, space in use) says what the
guest has written and which volumes it mounts from elsewhere. One file system often
appears several times (bind mounts, a BIND chroot repeating / under
/var/named/chroot/..., an appliance re-mounting its config volume under /opt/plugins):
entries of one server with the same capacity and space in use to the MiB are one file
system, except distinct Windows drive letters, which are distinct volumes. The file
systems are then laid onto the virtual disks, system volume first and then largest first;
what does not fit lies outside the VM's disks: an iSCSI LUN, NFS export or SMB-hosted
virtual disk the guest attaches itself, which an image copy of the VM leaves behind.

Target limits (largest volume, volumes per instance, template and root disk sizes) come
from the target catalog, so rules never write a provider number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.text import first, search, short_list

_DISK = ("disks.label", "disks.capacity_gib")
_GUEST = ("partitions.mount", "partitions.capacity_gib", "partitions.consumed_gib")
_FIT = (*_GUEST, "disks.capacity_gib", "provisioned_gib")

#: Windows drive letters: distinct letters are distinct volumes, even of equal size.
_DRIVE = r"^[a-z]:\\?$"
#: The guest's system volume: the operating system boots from it, so it lies on the VM's disks.
_ROOT = r"^(?:c:\\?|/)$"
#: System volumes, placed on the virtual disks before any other file system.
_SYSTEM = r"^(?:c:\\?|/|/boot|/boot/efi)$"

#: Rounding and file-system overhead make the guest's sizes differ slightly from the disks':
#: a file system fits when it exceeds the room left by less than this.
FIT_SLACK_GIB = 1.0
FIT_SLACK_SHARE = 0.01
#: Volumes outside the disks named in `in_guest_mounts`; the rest are counted.
MOUNTS_LISTED = 4

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ()

FACTS: tuple[Fact, ...] = (
    Fact(
        "os_disk_gib",
        "GiB",
        "Capacity of the disks the operating system lives on: the lowest-numbered disk "
        "('Hard disk 1'), plus the following disks while the guest's system volume (C:\\ or "
        "/) is larger than the disks before them (a root volume group spanning disks); "
        "unknown without numbered disk labels.",
        (*_DISK, "partitions.mount", "partitions.capacity_gib"),
    ),
    Fact(
        "os_disk_count",
        "count",
        "Disks the operating system lives on (see os_disk_gib): 1, more when the system "
        "volume spans disks.",
        (*_DISK, "partitions.mount", "partitions.capacity_gib"),
    ),
    Fact(
        "os_disk_note",
        "text",
        "What the inventory adds about the boot disk, for messages: the disks it spans and "
        "how much of the system volume is in use; empty where it says nothing.",
        ("os_disk_count", "os_volume_gib", "os_volume_used_gib"),
    ),
    Fact(
        "os_volume_gib",
        "GiB",
        "Capacity of the guest's system volume (C:\\ or /): the boot disk holds at least "
        "this much, which says something where the export lists no disks.",
        _GUEST,
    ),
    Fact(
        "os_volume_used_gib",
        "GiB",
        "Space in use on the guest's system volume (C:\\ or /), as the guest reports it: "
        "the least an image of the boot disk can be shrunk to; unknown without partitions.",
        _GUEST,
    ),
    Fact(
        "largest_data_disk_gib",
        "GiB",
        "Capacity of the largest disk the operating system does not live on; 0 when there is none.",
        _DISK,
    ),
    Fact("data_disk_count", "count", "Disks the operating system does not live on.", _DISK),
    Fact(
        "data_disk_gib",
        "GiB",
        "Total capacity of the disks the operating system does not live on.",
        _DISK,
    ),
    Fact(
        "volumes_needed",
        "count",
        "Block volumes the data disks need when each is split into volumes no larger than "
        "the target's largest volume.",
        (*_DISK, "target_max_volume_gib"),
    ),
    Fact(
        "target_max_volume_gib",
        "GiB",
        "Largest block storage volume of the target (catalog block_volume.max_gib).",
        ("catalog.block_volume",),
    ),
    Fact(
        "target_volumes_per_instance",
        "count",
        "Data volumes one instance can attach (catalog block_volume.max_per_instance).",
        ("catalog.block_volume",),
    ),
    Fact(
        "target_template_max_gib",
        "GiB",
        "Largest virtual size of an imported OS image (catalog custom_template.max_gib); "
        "where the provider documents no import limit, its largest root disk bounds it.",
        ("catalog.custom_template", "catalog.root_disk"),
    ),
    Fact(
        "target_max_root_gib",
        "GiB",
        "Largest root disk any instance type of the target accepts.",
        ("catalog.instance_types",),
    ),
    Fact(
        "shared_disk_count",
        "count",
        "Disks shared with other VMs: multi-writer sharing or SCSI bus sharing "
        "(physical or virtual).",
        ("disks.sharing", "disks.shared_bus"),
    ),
    Fact(
        "shared_disk",
        "bool",
        "The server has at least one shared disk (multi-writer or SCSI bus sharing).",
        ("shared_disk_count",),
    ),
    Fact(
        "rdm_disk_count",
        "count",
        "Raw device mappings: disks that are SAN LUNs, not files in the VM's datastore.",
        ("disks.raw",),
    ),
    Fact(
        "rdm_gib",
        "GiB",
        "Capacity of the raw device mappings.",
        ("disks.raw", "disks.capacity_gib"),
    ),
    Fact(
        "independent_disk_count",
        "count",
        "Disks in independent mode (persistent or non-persistent): left out of VM snapshots.",
        ("disks.disk_mode",),
    ),
    Fact(
        "independent_gib",
        "GiB",
        "Capacity of the independent disks.",
        ("disks.disk_mode", "disks.capacity_gib"),
    ),
    Fact(
        "virtual_disk_gib",
        "GiB",
        "Room the guest's file systems can lie on: the capacity of the VM's virtual disks, "
        "else (no disk rows) its provisioned storage.",
        ("disks.capacity_gib", "provisioned_gib"),
    ),
    Fact(
        "guest_written_gib",
        "GiB",
        "Space in use on the guest's file systems that lie on its virtual disks, each file "
        "system counted once (bind mounts, chroot mounts and other repeats removed); unknown "
        "without partition data or when the partition rows cannot be told apart.",
        _FIT,
    ),
    Fact(
        "guest_fs_coverage",
        "share",
        "Capacity of the guest's file systems on its virtual disks as a share of those disks: "
        "low when disks carry data the guest shows no file system for (raw database disks, "
        "unmounted volumes), so that the guest's figures miss part of what is stored.",
        _FIT,
    ),
    Fact(
        "in_guest_volumes",
        "count",
        "Volumes the guest mounts that do not fit on its virtual disks: iSCSI LUNs, NFS "
        "exports or SMB-hosted virtual disks it attaches itself; 0 when every file system "
        "fits, unknown without partition data or disk sizes.",
        _FIT,
    ),
    Fact(
        "in_guest_capacity_gib",
        "GiB",
        "Capacity of the volumes outside the virtual disks (see in_guest_volumes).",
        _FIT,
    ),
    Fact(
        "in_guest_gib",
        "GiB",
        "Space in use on the volumes outside the virtual disks: data an image copy of the "
        "VM leaves behind, to be copied separately (see in_guest_volumes).",
        _FIT,
    ),
    Fact(
        "in_guest_mounts",
        "text",
        "The volumes outside the virtual disks with their space in use and capacity, "
        "largest first ('E:\\ 664 of 1,024 GiB in use').",
        _FIT,
    ),
)


def compute(ctx: FactContext) -> dict[str, object]:
    index = ctx.servers.index
    n = len(index)
    catalog = ctx.catalog
    disks = ctx.inventory.disks
    # Disk rows are grouped by their server's position in the index (integer codes).
    pos = index.get_indexer(disks["server_id"].astype("string"))
    disks = disks[pos >= 0].reset_index(drop=True)
    pos = pos[pos >= 0]
    cap = disks["capacity_gib"].astype("float64").to_numpy(na_value=np.nan)
    has_disks = np.bincount(pos, minlength=n) > 0

    def per_server(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.bincount(pos[rows], weights=values[rows], minlength=n)

    def series(values: np.ndarray, known: np.ndarray) -> pd.Series:
        return pd.Series(np.where(known, values, np.nan), index=index).astype("Float64")

    out: dict[str, object] = {}

    # --- target limits --------------------------------------------------------------
    volume_max = catalog.block_volume.max_gib if catalog.block_volume.available else None
    volumes_per = catalog.block_volume.max_per_instance if catalog.block_volume.available else None
    template_max = catalog.custom_template.max_gib
    if template_max is None:
        template_max = catalog.root_disk.max_gib
    out["target_max_volume_gib"] = _constant(volume_max, index, "Float64")
    out["target_volumes_per_instance"] = _constant(volumes_per, index, "Float64")
    out["target_template_max_gib"] = _constant(template_max, index, "Float64")
    out["target_max_root_gib"] = _constant(catalog.max_root_disk_gib, index, "Float64")

    # --- guest file systems ---------------------------------------------------------
    guest = guest_storage(ctx)
    out["virtual_disk_gib"] = guest["room_gib"]
    out["guest_written_gib"] = guest["written_gib"]
    out["guest_fs_coverage"] = guest["coverage"].round(3)
    out["in_guest_volumes"] = guest["in_guest_volumes"]
    out["in_guest_capacity_gib"] = guest["in_guest_capacity_gib"]
    out["in_guest_gib"] = guest["in_guest_gib"]
    out["in_guest_mounts"] = guest["in_guest_mounts"]
    out["os_volume_gib"] = guest["root_gib"]
    out["os_volume_used_gib"] = guest["root_used_gib"]

    # --- boot disk(s) and data disks ------------------------------------------------
    digits = first(disks["label"].astype("string"), r"[0-9]+ *$").str.strip()
    number = digits.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    rows = np.lexsort((number, pos))  # by server, then disk number
    rows = rows[~np.isnan(number[rows])]
    at, size = pos[rows], np.nan_to_num(cap[rows])
    lowest = np.r_[True, at[1:] != at[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    # A later disk holds part of the OS while the disks before it are smaller than the
    # system volume (a root volume group spanning 'Hard disk 1' and 'Hard disk 2').
    before = _running_sum(size, at) - size
    root = guest["root_gib"].to_numpy(dtype="float64", na_value=np.nan)[at]
    boot = np.zeros(len(disks), dtype=bool)
    boot[rows[lowest | (before + _slack(before) < root)]] = True
    boot_known = np.bincount(pos[boot], minlength=n) > 0
    boot_cap_na = per_server(np.isnan(cap), boot) > 0
    out["os_disk_gib"] = series(per_server(np.nan_to_num(cap), boot), boot_known & ~boot_cap_na)
    out["os_disk_count"] = series(per_server(np.ones(len(disks)), boot), boot_known)

    data = ~boot & boot_known[pos]
    known = boot_known & ~(per_server(np.isnan(cap), data) > 0)
    largest = np.zeros(n)
    np.maximum.at(largest, pos[data], np.nan_to_num(cap[data]))
    out["data_disk_count"] = series(per_server(np.ones(len(disks)), data), boot_known)
    out["largest_data_disk_gib"] = series(largest, known)
    out["data_disk_gib"] = series(per_server(np.nan_to_num(cap), data), known)
    if volume_max:
        pieces = np.ceil(np.nan_to_num(cap) / float(volume_max))
        out["volumes_needed"] = series(per_server(pieces, data), known)
    else:
        out["volumes_needed"] = pd.Series(pd.NA, index=index, dtype="Float64")

    # --- disks a plain image copy cannot carry --------------------------------------
    sharing = disks["sharing"].astype("string")
    multi_writer = np.where(sharing.isna().to_numpy(), np.nan, search(sharing, "multiwriter"))
    shared = _either(multi_writer, _bus_shared(disks))
    out["shared_disk_count"] = _kleene_count(shared, pos, has_disks, index)
    out["shared_disk"] = (out["shared_disk_count"] > 0).astype("boolean")

    raw = disks["raw"].astype("boolean").to_numpy(dtype="float64", na_value=np.nan)
    out["rdm_disk_count"] = _kleene_count(raw, pos, has_disks, index)
    out["rdm_gib"] = _flagged_gib(raw, cap, pos, out["rdm_disk_count"])

    mode = disks["disk_mode"].astype("string")
    independent = np.where(mode.isna().to_numpy(), np.nan, search(mode, "independent"))
    out["independent_disk_count"] = _kleene_count(independent, pos, has_disks, index)
    out["independent_gib"] = _flagged_gib(independent, cap, pos, out["independent_disk_count"])
    out["os_disk_note"] = _os_disk_note(out)
    return out


def _os_disk_note(out: dict[str, object]) -> pd.Series:
    """' across 2 disks; the system volume holds 62 of 104 GiB': what a message adds about
    the boot disk where the inventory says it ('' where it does not)."""
    count = pd.Series(out["os_disk_count"]).astype("Float64")
    size = pd.Series(out["os_volume_gib"]).astype("Float64")
    used = pd.Series(out["os_volume_used_gib"]).astype("Float64")
    spread = (" across " + count.astype("Int64").astype("string") + " disks").where(count > 1)
    volume = (
        "; the system volume holds "
        + used.round(0).astype("Int64").astype("string")
        + " of "
        + size.round(0).astype("Int64").astype("string")
        + " GiB"
    )
    return (spread.fillna("") + volume.fillna("")).astype("string")


def _slack(room: pd.Series) -> pd.Series:
    """How far file systems may exceed `room` GiB of disk and still be taken to fit."""
    return room * FIT_SLACK_SHARE + FIT_SLACK_GIB


def guest_storage(ctx: FactContext) -> pd.DataFrame:
    """The guest's file systems laid onto its virtual disks, one row per server of `ctx`.

    Columns (GiB unless said): room_gib (virtual disks, else provisioned), written_gib and
    fs_gib (in use / capacity of the file systems on the disks), coverage (fs_gib /
    room_gib), in_guest_volumes, in_guest_capacity_gib, in_guest_gib, in_guest_mounts
    (volumes that do not fit), root_gib and root_used_gib (the system volume C:\\ or /).
    Everything is unknown for servers without partition rows, with a size missing, or whose
    rows repeat one mount point with different sizes (rows of several VMs of one name); the
    split onto and off the disks is unknown where the disk room is.

    Location and storage facts both read it (transfer volumes and in-guest storage): a
    pure function of the inventory, made once per context (`FactContext.once`). Rows are
    grouped by the server's position in the index (integer codes, no string group-bys).
    """
    return ctx.once("guest_storage", lambda: _guest_storage(ctx))


def _guest_storage(ctx: FactContext) -> pd.DataFrame:
    index = ctx.servers.index
    n = len(index)
    parts = ctx.inventory.partitions
    pos = index.get_indexer(parts["server_id"].astype("string"))
    parts = parts[pos >= 0]
    pos = pos[pos >= 0]
    mount = parts["mount"].astype("string").str.strip()
    lower = mount.str.lower()
    fs = pd.DataFrame(
        {
            "pos": pos,
            "mount": mount.to_numpy(),
            "mcode": pd.factorize(lower)[0],
            "cap": parts["capacity_gib"].astype("float64").to_numpy(na_value=np.nan),
            "used": parts["consumed_gib"].astype("float64").to_numpy(na_value=np.nan),
            "drive": search(lower, _DRIVE),
            "root": search(lower, _ROOT),
            "system": search(lower, _SYSTEM),
            "length": lower.str.len().fillna(0).to_numpy(dtype=int),
        }
    )
    fs["cap_mib"] = (fs["cap"] * 1024).round()
    fs["used_mib"] = (fs["used"] * 1024).round()

    # Servers whose rows cannot be read as one guest's file systems.
    listed = np.zeros(n, dtype=bool)
    listed[pos] = True
    unusable = np.zeros(n, dtype=bool)
    missing = fs["cap"].isna() | fs["used"].isna() | fs["mcode"].lt(0)
    unusable[fs.loc[missing, "pos"]] = True
    sizes = fs.drop_duplicates(["pos", "mcode", "cap_mib", "used_mib"])
    unusable[sizes.loc[sizes.duplicated(["pos", "mcode"]), "pos"]] = True
    fs = fs[~unusable[fs["pos"].to_numpy()] & fs["cap"].gt(0).to_numpy()]

    # One file system, several mount points: keep a drive letter, else the system mount,
    # else the shortest path; distinct drive letters stay distinct volumes.
    fs = fs.sort_values(
        ["pos", "drive", "system", "length"], ascending=[True, False, False, True], kind="stable"
    )
    repeat = fs.duplicated(["pos", "cap_mib", "used_mib"]) & ~fs["drive"]
    repeat |= fs.duplicated(["pos", "mcode", "cap_mib", "used_mib"])
    fs = fs[~repeat.to_numpy()]

    # Room on the disks: the virtual disks' capacity, else the provisioned storage.
    disks = ctx.inventory.disks
    dpos = index.get_indexer(disks["server_id"].astype("string"))
    dcap = disks["capacity_gib"].astype("float64").to_numpy(na_value=np.nan)
    dpos, dcap = dpos[dpos >= 0], dcap[dpos >= 0]
    has_disks = np.bincount(dpos, minlength=n) > 0
    disk_na = np.bincount(dpos, weights=np.isnan(dcap), minlength=n) > 0
    disk_total = np.bincount(dpos, weights=np.nan_to_num(dcap), minlength=n)
    provisioned = ctx.servers["provisioned_gib"].astype("float64").to_numpy(na_value=np.nan)
    room = np.where(has_disks, np.where(disk_na, np.nan, disk_total), provisioned)

    # Lay the file systems onto the disks: system volumes first, then largest first; a
    # volume that does not fit in the room left lies outside (the next ones may still fit).
    fs = fs.sort_values(["pos", "system", "cap"], ascending=[True, False, False], kind="stable")
    at = fs["pos"].to_numpy()
    cap = fs["cap"].to_numpy()
    used = fs["used"].to_numpy()
    system = fs["system"].to_numpy(dtype=bool)
    limit = room[at] + _slack(room[at])
    outside = np.zeros(len(fs), dtype=bool)
    while True:  # each round moves the first volume per server that does not fit
        over = (_running_sum(np.where(outside, 0.0, cap), at) > limit) & ~outside & ~system
        if not over.any():
            break
        outside |= over & (_running_sum(over.astype(float), at) == 1)
    # No split where the room is unknown, or the system volumes alone exceed it (the disk
    # rows are incomplete).
    system_gib = np.bincount(at, weights=np.where(system, cap, 0.0), minlength=n)
    split = listed & ~unusable & ~np.isnan(room) & ~(system_gib > room + _slack(room))

    def total(values: np.ndarray, rows: np.ndarray) -> pd.Series:
        got = np.bincount(at[rows], weights=values[rows], minlength=n)
        return pd.Series(np.where(split, got, np.nan), index=index).astype("Float64")

    on = ~outside
    out = pd.DataFrame(index=index)
    out["room_gib"] = pd.Series(room, index=index).astype("Float64")
    out["fs_gib"] = total(cap, on)
    out["written_gib"] = total(used, on)
    out["coverage"] = (out["fs_gib"] / out["room_gib"].mask(out["room_gib"] <= 0)).astype("Float64")
    out["in_guest_volumes"] = total(np.ones(len(fs)), outside)
    out["in_guest_capacity_gib"] = total(cap, outside)
    out["in_guest_gib"] = total(used, outside)
    out["in_guest_mounts"] = _mount_list(fs[outside], index)
    root = fs[fs["root"].to_numpy()].drop_duplicates("pos")  # sorted: the largest first
    for column, values in (("root_gib", root["cap"]), ("root_used_gib", root["used"])):
        got = np.full(n, np.nan)
        got[root["pos"].to_numpy()] = values.to_numpy()
        out[column] = pd.Series(got, index=index).astype("Float64")
    return out


def _running_sum(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative sum of `values` within runs of equal `group` (rows sorted by group)."""
    total = np.cumsum(values)
    if not len(values):
        return total
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before = (total[starts] - values[starts])[np.cumsum(np.r_[True, group[1:] != group[:-1]]) - 1]
    return total - before


def _mount_list(volumes: pd.DataFrame, index: pd.Index) -> pd.Series:
    """'E:\\ 664 of 1,024 GiB in use, Z:\\ ...' per server, largest first (few rows: the
    volumes outside the disks)."""
    if volumes.empty:
        return pd.Series(pd.NA, index=index, dtype="string")
    rows = volumes.sort_values(["pos", "cap"], ascending=[True, False])
    used = rows["used"].map("{:,.0f}".format)
    cap = rows["cap"].map("{:,.0f}".format)
    label = rows["mount"].astype(str) + " " + used + " of " + cap + " GiB in use"
    lists = label.groupby(rows["pos"].to_numpy()).agg(lambda x: short_list(list(x), MOUNTS_LISTED))
    got = np.full(len(index), None, dtype=object)
    got[lists.index.to_numpy()] = lists.to_numpy()
    return pd.Series(got, index=index, dtype="string")


def _constant(value: float | int | None, index: pd.Index, dtype: str) -> pd.Series:
    return pd.Series(pd.NA if value is None else float(value), index=index, dtype=dtype)


def _bus_shared(disks: pd.DataFrame) -> np.ndarray:
    """SCSI bus sharing per disk as 1.0 / 0.0 / NaN (unknown): physicalSharing or
    virtualSharing (RVTools 3.x writes the enum as 2/1) is shared, noSharing/0 is not. Disks
    on NVMe, SATA/AHCI or IDE controllers have no bus sharing at all, so a blank value there
    means not shared."""
    bus = disks["shared_bus"].astype("string").str.strip()
    shared = search(bus, r"^(?:physical|virtual)|^[12]$").astype("float64")
    not_scsi = search(disks["controller"].astype("string"), r"nvme|ahci|sata|\bide\b")
    blank = bus.isna().to_numpy()
    return np.where(blank, np.where(not_scsi, 0.0, np.nan), shared)


def _either(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Kleene 'or' of 1.0 / 0.0 / NaN flags: 1 where either is 1, 0 where both are 0,
    else unknown."""
    return np.where((a == 1) | (b == 1), 1.0, np.where((a == 0) & (b == 0), 0.0, np.nan))


def _kleene_count(
    flags: np.ndarray, pos: np.ndarray, has_disks: np.ndarray, index: pd.Index
) -> pd.Series:
    """Disks flagged (1.0) per server: the count when any disk is flagged or every flag is
    known; unknown when none is flagged but some flag is unknown (NaN), or there are no
    disks."""
    n = len(has_disks)
    hits = np.bincount(pos, weights=(flags == 1.0), minlength=n)
    unknown = np.bincount(pos, weights=np.isnan(flags), minlength=n) > 0
    count = np.where(((hits == 0) & unknown) | ~has_disks, np.nan, hits)
    return pd.Series(count, index=index).astype("Float64")


def _flagged_gib(
    flags: np.ndarray, cap: np.ndarray, pos: np.ndarray, count: pd.Series
) -> pd.Series:
    """Capacity of the flagged disks; unknown where the count is unknown."""
    chosen = np.where(flags == 1.0, np.nan_to_num(cap), 0.0)
    total = np.bincount(pos, weights=chosen, minlength=len(count))
    return pd.Series(total, index=count.index).astype("Float64").where(count.notna(), pd.NA)
