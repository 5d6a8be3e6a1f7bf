"""Disks against the target's storage limits: the boot disk, data disks, and disks a plain
image copy cannot carry (shared, raw device mappings, independent).

The boot disk is the first disk in the hypervisor's order ('Hard disk 1' in RVTools,
'Disk 1' in Azure Migrate): the lowest-numbered disk label of the server. Every other disk
is a data disk, which on the target becomes a block volume (or several, when it is larger
than the largest volume). Per-disk flags are folded per server with Kleene logic: a server
has a shared disk when any disk is shared, has none when every disk is known not to be,
and is unknown otherwise (for example Azure Migrate imports, which carry sizes only).

Target limits (largest volume, volumes per instance, template and root disk sizes) come
from the target catalog, so rules never write a provider number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.text import member

_DISK = ("disks.label", "disks.capacity_gib")

FACTS: tuple[Fact, ...] = (
    Fact(
        "os_disk_gib",
        "GiB",
        "Capacity of the boot disk: the server's lowest-numbered disk ('Hard disk 1'); "
        "unknown without numbered disk labels.",
        _DISK,
    ),
    Fact(
        "largest_data_disk_gib",
        "GiB",
        "Capacity of the largest disk other than the boot disk; 0 when there is none.",
        _DISK,
    ),
    Fact("data_disk_count", "count", "Disks other than the boot disk.", _DISK),
    Fact("data_disk_gib", "GiB", "Total capacity of the disks other than the boot disk.", _DISK),
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
)


def compute(ctx: FactContext) -> dict[str, object]:
    index = ctx.servers.index
    catalog = ctx.catalog
    disks = ctx.inventory.disks
    disks = disks[member(disks["server_id"], index)].reset_index(drop=True)
    sid = disks["server_id"].astype("string")
    cap = disks["capacity_gib"].astype("Float64")
    has_disks = pd.Series(member(index, sid), index=index)

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

    # --- boot disk and data disks ---------------------------------------------------
    number = pd.to_numeric(
        disks["label"].astype("string").str.extract(r"(\d+)\s*$", expand=False),
        errors="coerce",
    )
    numbered = disks.assign(_n=number, _sid=sid)[number.notna()]
    boot_rows = numbered.sort_values(["_sid", "_n"], kind="stable").drop_duplicates("_sid")
    boot_known = pd.Series(member(index, boot_rows["_sid"]), index=index)
    out["os_disk_gib"] = (
        boot_rows.set_index("_sid")["capacity_gib"].astype("Float64").reindex(index)
    )

    is_boot = pd.Series(disks.index.isin(boot_rows.index), index=disks.index)
    data = ~is_boot & member(sid, boot_rows["_sid"])
    data_cap = cap[data]
    data_sid = sid[data]
    cap_unknown = data_cap.isna().groupby(data_sid).any().reindex(index, fill_value=False)

    def per_server(values: pd.Series, how: str, fill: float) -> pd.Series:
        got = getattr(values.groupby(data_sid), how)()
        got = got.reindex(index).astype("Float64").fillna(fill)
        return got.where(boot_known, pd.NA).astype("Float64")

    out["data_disk_count"] = per_server(data_cap.fillna(0), "size", 0.0)
    out["largest_data_disk_gib"] = per_server(data_cap, "max", 0.0).mask(cap_unknown)
    out["data_disk_gib"] = per_server(data_cap, "sum", 0.0).mask(cap_unknown)
    if volume_max:
        pieces = np.ceil(data_cap.astype("float64") / float(volume_max))
        needed = per_server(pd.Series(pieces, index=data_cap.index), "sum", 0.0)
        out["volumes_needed"] = needed.mask(cap_unknown)
    else:
        out["volumes_needed"] = pd.Series(pd.NA, index=index, dtype="Float64")

    # --- disks a plain image copy cannot carry --------------------------------------
    sharing = disks["sharing"].astype("string")
    multi_writer = sharing.str.contains("multiwriter", case=False, regex=False)
    shared = (multi_writer.astype("boolean") | _bus_shared(disks)).astype("boolean")
    out["shared_disk_count"] = _kleene_count(shared, sid, index, has_disks)
    out["shared_disk"] = (out["shared_disk_count"] > 0).astype("boolean")

    raw = disks["raw"].astype("boolean")
    out["rdm_disk_count"] = _kleene_count(raw, sid, index, has_disks)
    out["rdm_gib"] = _flagged_gib(raw, cap, sid, index, out["rdm_disk_count"])

    mode = disks["disk_mode"].astype("string")
    independent = mode.str.contains("independent", case=False, regex=False).astype("boolean")
    out["independent_disk_count"] = _kleene_count(independent, sid, index, has_disks)
    out["independent_gib"] = _flagged_gib(
        independent, cap, sid, index, out["independent_disk_count"]
    )
    return out


def _constant(value: float | int | None, index: pd.Index, dtype: str) -> pd.Series:
    return pd.Series(pd.NA if value is None else float(value), index=index, dtype=dtype)


def _bus_shared(disks: pd.DataFrame) -> pd.Series:
    """SCSI bus sharing per disk: physicalSharing/virtualSharing (RVTools 3.x writes the
    enum as 2/1) is shared, noSharing/0 is not. Disks on NVMe, SATA/AHCI or IDE controllers
    have no bus sharing at all, so a blank value there means not shared."""
    bus = disks["shared_bus"].astype("string").str.strip().str.lower()
    shared = bus.str.match(r"(?:physical|virtual)|[12]$")
    not_scsi = (
        disks["controller"]
        .astype("string")
        .str.contains(r"nvme|ahci|sata|\bide\b", case=False, regex=True)
        .fillna(False)
        .astype(bool)
    )
    return shared.astype("boolean").mask(bus.isna() & not_scsi, False).astype("boolean")


def _kleene_count(
    flags: pd.Series, sid: pd.Series, index: pd.Index, has_disks: pd.Series
) -> pd.Series:
    """Disks flagged per server: the count when any disk is flagged or every flag is
    known; unknown when none is flagged but some flag is unknown, or there are no disks."""
    hits = flags.fillna(False).astype(bool).groupby(sid).sum().reindex(index, fill_value=0)
    unknown = flags.isna().groupby(sid).any().reindex(index, fill_value=False)
    count = hits.astype("Float64")
    count = count.mask((hits == 0) & unknown)
    return count.where(has_disks, pd.NA).astype("Float64")


def _flagged_gib(
    flags: pd.Series, cap: pd.Series, sid: pd.Series, index: pd.Index, count: pd.Series
) -> pd.Series:
    """Capacity of the flagged disks; unknown where the count is unknown."""
    chosen = cap.where(flags.fillna(False).astype(bool), 0.0)
    total = chosen.groupby(sid).sum(min_count=1).reindex(index).astype("Float64")
    return total.fillna(0.0).where(count.notna(), pd.NA).astype("Float64")
