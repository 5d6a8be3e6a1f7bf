"""What each in-scope server becomes on each target cloud: vCPUs, memory, instance type and
disks, as allocated today and right-sized from measured use.

Both providers are sized whatever the profile's target, so the report can compare them. Two
bases sit side by side on every row:

- **allocated**: today's vCPUs and memory, on the smallest type that holds them (the
  catalog's own `fit_instance_types`, the fitting the facts use; Windows servers only on
  types that may run licence-included Windows).
- **right-sized**: under `basis: measured`, the use the inventory measured (CPU and memory
  in use at export: RVTools vCPU/vMemory, Azure Migrate and generic utilisation columns, all
  read on import as `cpu_usage_pct` / `memory_usage_pct`) plus headroom, cut at most to
  `floor_share` of the allocation and to the minimums, never above the allocation. A
  dimension without a measurement keeps its allocation; a server without any (or powered
  off, or under `basis: allocated`) keeps both, and `basis_reason` says why.

Storage follows the policy too: the disks as provisioned (a lift keeps them), or the space in
use plus headroom, spread over the disks in proportion to their size. The first disk in the
hypervisor's order ('Hard disk 1') becomes the root disk, every other disk a block volume,
each at least the provider's smallest volume. Without disk rows, a server known to have one
disk keeps it all on the root disk; for any other the split stays unknown (only the total is
known) and `storage_note` says so. Limits the layout breaks (volumes per instance, volume
size, root disk of the planned type) are named in `storage_note`, not fixed silently: the
catalog's fitting chooses by vCPUs and memory only.

Percentile: the policy's `percentile` applies to utilisation series; every inventory format
read today gives one value per server (taken at export), so that value is used as it is.

Output of `size_estate`: one row per (provider, server_id), in that MultiIndex, with the
columns of `SIZING_COLUMNS`. Unknown stays NA; every NA type or size carries its reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.profile.sizing_policy import SizingPolicy
from advisor.targets.catalog import Catalog
from advisor.text import arrow

#: Columns of `size_estate`, in order, with what each holds.
SIZING_COLUMNS: dict[str, str] = {
    "windows": "True for Windows servers (Windows-capable types only); NA when the OS is unknown.",
    "vcpus": "vCPUs allocated today.",
    "memory_gib": "Memory allocated today, GiB.",
    "cpu_used_pct": "CPU in use at export, % of the allocation, where the sizing used it.",
    "memory_used_pct": "Memory in use at export, % of the allocation, where the sizing used it.",
    "basis": "What the right-sized figures rest on: measured or allocated.",
    "basis_reason": "Why: which measurements were used, or why none could be.",
    "rightsized_vcpus": "vCPUs after right-sizing (the allocation where nothing was measured).",
    "rightsized_memory_gib": "Memory after right-sizing, GiB.",
    "allocated_type": "Smallest instance type holding the allocation; NA when none does.",
    "allocated_type_vcpus": "vCPUs of allocated_type.",
    "allocated_type_memory_gib": "Memory of allocated_type, GiB.",
    "allocated_type_note": "Why allocated_type is NA; NA when a type was found.",
    "rightsized_type": "Smallest instance type holding the right-sized need.",
    "rightsized_type_vcpus": "vCPUs of rightsized_type.",
    "rightsized_type_memory_gib": "Memory of rightsized_type, GiB.",
    "rightsized_type_note": "Why rightsized_type is NA; NA when a type was found.",
    "storage_basis": "provisioned or used, as the policy says.",
    "storage_gib": "All disks on the target, GiB.",
    "root_gib": "Root (boot) disk on the target, GiB; NA when the disk sizes are unknown.",
    "data_gib": "Data volumes on the target, GiB; NA when the disk sizes are unknown.",
    "data_volumes": "Number of data volumes (disks after the first).",
    "storage_note": "What the inventory lacks or which provider limit the disks break.",
}

#: Slack so that 2.0000001 vCPUs from float arithmetic still rounds up to 2, not 3.
_EPS = 1e-9

#: Why the right-sized figures rest on what they rest on (`basis_reason`), by code.
REASONS: tuple[str, ...] = (
    "vCPUs or memory unknown",
    "policy: sized as allocated",
    "CPU and memory measured at export",
    "CPU measured at export; memory as allocated",
    "memory measured at export; vCPUs as allocated",
    "powered off: use not measured",
    "suspended: use not measured",
    "no utilisation in the inventory",
    "use not measured for this server",
)
_BASES: tuple[str, ...] = ("measured", "allocated")
_COUNTS = ("vcpus", "rightsized_vcpus", "allocated_type_vcpus", "rightsized_type_vcpus",
           "data_volumes")  # fmt: skip


def size_estate(
    servers: pd.DataFrame,
    catalogs: Mapping[str, Catalog],
    policy: SizingPolicy,
    disks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Size every server on every provider of `catalogs`, as allocated and right-sized.

    `servers` is indexed by unique server id and carries the inventory columns `vcpus`,
    `memory_gib`, `os_family`, `power_state`, `cpu_usage_pct`, `memory_usage_pct`,
    `provisioned_gib`, `used_gib` and `disk_count` (a missing column counts as unknown).
    `disks` is the inventory's disk table (`server_id`, `label`, `capacity_gib`); without
    it, or for servers it has no rows for, the disk layout comes from the server columns.
    Returns one row per (provider, server_id) with the columns of `SIZING_COLUMNS`.
    """
    need = _needs(servers, policy)
    volumes = _volumes(servers, disks, policy)
    shared = _shared_columns(need, len(servers), policy)
    frames = {
        provider: _on_provider(need, shared, volumes, catalog, servers.index)
        for provider, catalog in catalogs.items()
    }
    if not frames:
        empty = pd.MultiIndex.from_arrays([[], []], names=["provider", "server_id"])
        return pd.DataFrame(columns=list(SIZING_COLUMNS), index=empty)
    return pd.concat(frames, names=["provider", "server_id"])


# --- vCPUs and memory ------------------------------------------------------------------


def _needs(servers: pd.DataFrame, policy: SizingPolicy) -> dict[str, np.ndarray]:
    """Per server: allocation, measurements used, basis and right-sized vCPUs and memory."""
    n = len(servers)
    vcpus = _floats(servers, "vcpus")
    memory = _floats(servers, "memory_gib")
    known = (vcpus > 0) & (memory > 0)
    vcpus = np.where(known, vcpus, np.nan)
    memory = np.where(known, memory, np.nan)
    cpu = np.clip(_floats(servers, "cpu_usage_pct"), 0, 100)
    mem = np.clip(_floats(servers, "memory_usage_pct"), 0, 100)
    off = _equals(servers, "power_state", "off")
    suspended = _equals(servers, "power_state", "suspended")

    # A stopped server's figures are not its use: only running (or unknown) ones count.
    usable = known & ~off & ~suspended & (policy.basis == "measured")
    cpu_ok = usable & ~np.isnan(cpu)
    mem_ok = usable & ~np.isnan(mem)
    grow = 1 + policy.headroom
    cut_vcpus = np.maximum(np.ceil(vcpus * policy.floor_share - _EPS), policy.min_vcpus)
    cut_memory = np.maximum(memory * policy.floor_share, policy.min_memory_gib)
    want_vcpus = np.ceil(np.maximum(vcpus * cpu / 100 * grow, cut_vcpus) - _EPS)
    want_memory = np.ceil(np.maximum(memory * mem / 100 * grow, cut_memory) - _EPS)

    everywhere = np.ones(n, dtype=bool)
    measured_any = bool((~np.isnan(cpu) | ~np.isnan(mem)).any())
    conditions = [
        ~known,
        everywhere & (policy.basis == "allocated"),
        cpu_ok & mem_ok,
        cpu_ok,
        mem_ok,
        off,
        suspended,
        everywhere & (not measured_any),
    ]
    reason = np.select(conditions, range(len(conditions)), len(conditions))
    windows, os_unknown = _equals(servers, "os_family", "windows"), _missing(servers, "os_family")
    return {
        "windows": windows,
        "os_unknown": os_unknown,
        "vcpus": vcpus,
        "memory_gib": memory,
        "cpu_used_pct": np.where(cpu_ok, cpu, np.nan),
        "memory_used_pct": np.where(mem_ok, mem, np.nan),
        "basis": np.where(cpu_ok | mem_ok, 0, 1),
        "basis_reason": reason,
        "rightsized_vcpus": np.where(cpu_ok, np.minimum(want_vcpus, vcpus), vcpus),
        "rightsized_memory_gib": np.where(mem_ok, np.minimum(want_memory, memory), memory),
    }


def _shared_columns(need: dict[str, np.ndarray], n: int, policy: SizingPolicy) -> dict:
    """The provider-independent output columns, typed once for every provider."""
    windows = pd.array(need["windows"], dtype="boolean")
    windows[need["os_unknown"]] = pd.NA
    out: dict[str, object] = {"windows": windows}
    for name in ("vcpus", "memory_gib", "cpu_used_pct", "memory_used_pct"):
        out[name] = _numbers(name, need[name])
    out["basis"] = coded_text(need["basis"], _BASES)
    out["basis_reason"] = coded_text(need["basis_reason"], REASONS)
    for name in ("rightsized_vcpus", "rightsized_memory_gib"):
        out[name] = _numbers(name, need[name])
    out["storage_basis"] = coded_text(np.zeros(n, dtype=np.int32), (policy.storage,))
    return out


# --- disks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Volumes:
    """The target disks of every server, provider-independent: one entry per volume.

    `server` is the position of the owning server in the servers' index; servers whose
    disk sizes are unknown have no entries and keep only `total` (NaN when unknown too).
    """

    server: np.ndarray
    size: np.ndarray
    root: np.ndarray
    total: np.ndarray
    split_known: np.ndarray
    note: np.ndarray
    data_count: np.ndarray


def _volumes(servers: pd.DataFrame, disks: pd.DataFrame | None, policy: SizingPolicy) -> _Volumes:
    """Each server's disks on the target, sized as the storage policy says."""
    n = len(servers)
    provisioned = _floats(servers, "provisioned_gib")
    count = _floats(servers, "disk_count")

    server, size, root = _disk_rows(servers.index, disks)
    listed = np.bincount(server, minlength=n) > 0
    # A disk row without a size makes the whole server's layout unknown.
    holes = np.bincount(server, weights=np.isnan(size), minlength=n) > 0
    keep = ~holes[server]
    server, size, root = server[keep], size[keep], root[keep]
    listed &= ~holes

    # Without disk rows the server's columns tell a one-disk server (one disk, or the
    # largest disk holds all of it); for any other the root/data split stays unknown.
    largest = _floats(servers, "largest_disk_gib")
    one_disk = (count == 1) | (np.isnan(count) & np.isclose(largest, provisioned, rtol=0.01))
    single = ~listed & ~np.isnan(provisioned) & one_disk
    rows = np.flatnonzero(single)
    server = np.concatenate([server, rows])
    size = np.concatenate([size, provisioned[rows]])
    root = np.concatenate([root, np.ones(len(rows), dtype=bool)])
    split_known = listed | single
    unsplit = ~split_known & ~np.isnan(provisioned)

    note = np.full(n, "", dtype=object)
    factor = np.ones(n)
    if policy.storage == "used":
        # Every disk shrinks by the server's share of space in use, plus headroom.
        share = _floats(servers, "used_gib") / np.where(provisioned > 0, provisioned, np.nan)
        grown = np.minimum(np.clip(share, 0, 1) * (1 + policy.storage_headroom), 1)
        factor = np.where(np.isnan(share), 1.0, grown)
        lost = np.isnan(share) & (split_known | unsplit)
        note = _join(note, lost, "space in use unknown: provisioned size kept")

    size = np.ceil(size * factor[server] - _EPS)
    total = np.where(split_known, np.bincount(server, weights=size, minlength=n), np.nan)
    total[unsplit] = np.ceil(provisioned[unsplit] * factor[unsplit] - _EPS)
    data_count = np.bincount(server, weights=~root, minlength=n)
    data_count = np.where(split_known, data_count, np.where(count > 1, count - 1, np.nan))
    note = _join(note, unsplit, "disk sizes not in the inventory: root and data split unknown")
    note = _join(note, ~split_known & ~unsplit, "storage size unknown")
    return _Volumes(server, size, root, total, split_known, note, data_count)


def _disk_rows(index: pd.Index, disks: pd.DataFrame | None) -> tuple[np.ndarray, ...]:
    """(server position, capacity, is root) per disk row, the root being each server's
    lowest-numbered disk ('Hard disk 1'; row order where labels carry no number)."""
    if disks is None or disks.empty or "server_id" not in disks:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    ids = pd.Series(index.astype("string"), dtype="string")
    server = positions(disks["server_id"], ids)
    size = _floats(disks, "capacity_gib")
    number = np.full(len(disks), np.inf)
    if "label" in disks:
        found = pc.extract_regex(arrow(disks["label"].astype("string")), r"(?P<n>[0-9]+) *$")
        digits = pc.struct_field(found, [0]).cast(pa.float64())
        number = np.nan_to_num(digits.to_numpy(zero_copy_only=False), nan=np.inf)
    order = np.lexsort((np.arange(len(disks)), number, server))
    order = order[server[order] >= 0]
    server, size = server[order], size[order]
    lowest = np.r_[True, server[1:] != server[:-1]] if len(server) else np.zeros(0, dtype=bool)
    return server.astype(np.int64), size, lowest


# --- one provider ------------------------------------------------------------------------


def _on_provider(
    need: dict[str, np.ndarray],
    shared: dict[str, object],
    volumes: _Volumes,
    catalog: Catalog,
    index: pd.Index,
) -> pd.DataFrame:
    """Instance types on both bases and the disks within this provider's limits."""
    types = catalog.instance_types
    names = [t.name for t in types]
    type_vcpus = np.array([t.vcpus for t in types], dtype="float64")
    type_memory = np.array([t.memory_gib for t in types], dtype="float64")
    windows = need["windows"]
    n = len(index)
    # Both bases in one fitting pass per pool: allocated rows first, right-sized after.
    at = _fit(
        catalog,
        np.concatenate([need["vcpus"], need["rightsized_vcpus"]]),
        np.concatenate([need["memory_gib"], need["rightsized_memory_gib"]]),
        np.concatenate([windows, windows]),
    )
    columns = dict(shared)
    for basis, chosen, vcpus, memory in (
        ("allocated", at[:n], need["vcpus"], need["memory_gib"]),
        ("rightsized", at[n:], need["rightsized_vcpus"], need["rightsized_memory_gib"]),
    ):
        columns[f"{basis}_type"] = coded_text(chosen, names)
        columns[f"{basis}_type_vcpus"] = _numbers("vcpus", _pick(type_vcpus, chosen))
        columns[f"{basis}_type_memory_gib"] = _numbers("", _pick(type_memory, chosen))
        note = _type_note(catalog, chosen, vcpus, memory, windows)
        columns[f"{basis}_type_note"] = text_column(note)
    for name, values in _storage(volumes, catalog, at[n:]).items():
        columns[name] = text_column(values) if name == "storage_note" else _numbers(name, values)
    return pd.DataFrame({c: columns[c] for c in SIZING_COLUMNS}, index=index, copy=False)


def _fit(
    catalog: Catalog, vcpus: np.ndarray, memory: np.ndarray, windows: np.ndarray
) -> np.ndarray:
    """Position (in `catalog.instance_types`) of the smallest type holding each need,
    among the Windows-capable types for Windows; -1 where none does or the need is unknown."""
    at = np.full(len(vcpus), -1, dtype=np.int64)
    names = pd.Series([t.name for t in catalog.instance_types], dtype="string")
    for pool, rows in ((False, ~windows), (True, windows)):
        if not rows.any():
            continue
        frame_index = pd.RangeIndex(int(rows.sum()))
        fit = catalog.fit_instance_types(
            pd.Series(vcpus[rows], index=frame_index),
            pd.Series(memory[rows], index=frame_index),
            windows=pool,
        )
        at[rows] = positions(fit["instance_type"], names)
    return at


def _type_note(
    catalog: Catalog, at: np.ndarray, vcpus: np.ndarray, memory: np.ndarray, windows: np.ndarray
) -> np.ndarray:
    """Why no type was chosen: size unknown, or larger than any type of the pool."""
    note = np.full(len(at), None, dtype=object)
    missing = at < 0
    unknown = missing & (np.isnan(vcpus) | np.isnan(memory))
    note[unknown] = "vCPUs or memory unknown"
    for pool, label in ((False, ""), (True, "Windows-capable ")):
        rows = missing & ~unknown & (windows == pool)
        if not rows.any():
            continue
        types = catalog.fit_candidates(windows=pool)
        most = "none listed"
        if types:
            top_vcpus = max(t.vcpus for t in types)
            top_memory = max(t.memory_gib for t in types)
            most = f"at most {top_vcpus} vCPU and {_gib(top_memory)} GiB"
        size = _number_text(vcpus[rows]) + " vCPU and " + _number_text(memory[rows]) + " GiB"
        note[rows] = f"no {catalog.display_name} {label}type holds " + size + f" ({most})"
    return note


def _storage(volumes: _Volumes, catalog: Catalog, planned: np.ndarray) -> dict[str, np.ndarray]:
    """Root and data volumes at this provider's smallest sizes, and the limits they break."""
    n = len(volumes.total)
    block = catalog.block_volume
    at, is_root = volumes.server, volumes.root
    least = np.where(is_root, float(catalog.root_disk.min_gib), float(block.min_gib or 0))
    size = np.maximum(volumes.size, least)
    root = np.bincount(at, weights=np.where(is_root, size, 0), minlength=n)
    data = np.bincount(at, weights=np.where(is_root, 0, size), minlength=n)
    largest = np.zeros(n)
    np.maximum.at(largest, at[~is_root], size[~is_root])
    known = volumes.split_known
    count = volumes.data_count

    note = volumes.note
    display = catalog.display_name
    has_data = np.nan_to_num(count) > 0
    if not block.available:
        note = _join(note, has_data, f"{display} has no block volumes for the data disks")
    elif block.max_per_instance is not None:
        over = np.nan_to_num(count) > block.max_per_instance
        limit = f" data disks, more than the {block.max_per_instance} volumes {display} attaches"
        note = _join(note, over, _number_text(count[over]) + limit)
    if block.available and block.max_gib is not None:
        over = known & (largest > block.max_gib)
        limit = f" GiB, above the {_gib(block.max_gib)} GiB volume limit"
        note = _join(note, over, "a data disk of " + _number_text(largest[over]) + limit)
    # The root disk must fit the planned type's root disk (any type's, when none fits).
    caps = np.array([t.root_disk_max_gib for t in catalog.instance_types], dtype="float64")
    names = np.array([t.name for t in catalog.instance_types], dtype=object)
    cap = np.where(planned >= 0, _pick(caps, planned), float(catalog.root_disk.max_gib))
    over = known & (root > cap)
    if over.any():
        holder = np.where(planned[over] >= 0, names[np.maximum(planned[over], 0)], None)
        holder = np.where(holder == None, f"any {display} type", holder)  # noqa: E711
        text = (
            "root disk of " + _number_text(root[over]) + " GiB, above the "
            + _number_text(cap[over]) + " GiB root disk of " + holder.astype(object)
        )  # fmt: skip
        note = _join(note, over, text)
    return {
        "storage_gib": np.where(known, root + data, volumes.total),
        "root_gib": np.where(known, root, np.nan),
        "data_gib": np.where(known, data, np.nan),
        "data_volumes": count,
        "storage_note": np.where(note == "", None, note),
    }


# --- columns: fast typed arrays ----------------------------------------------------------
# pandas converts object arrays to arrow strings one value at a time (~15 ms per 20,000
# rows and column); the plan's texts come from small vocabularies, so they are built as
# codes into a vocabulary and expanded by arrow instead.


def coded_text(codes: np.ndarray, vocabulary: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """Texts given as positions in `vocabulary` (-1 for unknown), as an arrow string array."""
    dictionary = pa.array(list(vocabulary), type=pa.large_string())
    codes = np.asarray(codes)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    text = pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string())
    return pd.arrays.ArrowStringArray(text)


def text_column(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of texts (None for unknown) as an arrow string array, converting
    each distinct text once."""
    values = np.asarray(values, dtype=object)
    present = ~pd.isna(values)
    codes = np.full(len(values), -1, dtype=np.int32)
    uniques: Sequence[str] = ()
    if present.any():
        codes[present], uniques = pd.factorize(values[present])
    return coded_text(codes, [str(u) for u in uniques])


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each value in `keys` (-1 where absent or unknown), compared as text by
    arrow in one pass."""
    found = pc.index_in(arrow(values.astype("string")), value_set=_one_chunk(keys))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _one_chunk(keys: pd.Series) -> pa.Array:
    array = arrow(keys.astype("string"))
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _numbers(name: str, values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Float64, or Int64 for counts: NA, never NaN."""
    numbers = pd.array(np.asarray(values, dtype="float64"), dtype="Float64")
    return numbers.astype("Int64") if name in _COUNTS else numbers


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float64 with NaN for unknown (all NaN when the column is absent)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or values.dtype == bool:
        values = pd.to_numeric(values, errors="coerce")
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _equals(frame: pd.DataFrame, column: str, value: str) -> np.ndarray:
    """Rows whose text in `column` is `value`, ignoring case and spaces (unknown: False)."""
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow(frame[column].astype("string"))))
    return pc.fill_null(pc.equal(text, value), False).to_numpy(zero_copy_only=False)


def _missing(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Rows with no text in `column` (absent, NA or blank)."""
    if column not in frame:
        return np.ones(len(frame), dtype=bool)
    text = pc.utf8_trim_whitespace(arrow(frame[column].astype("string")))
    blank = pc.or_kleene(pc.is_null(text), pc.equal(text, ""))
    return pc.fill_null(blank, True).to_numpy(zero_copy_only=False)


def _pick(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """values[at], NaN where `at` is -1 (no type)."""
    return np.where(at >= 0, values[np.maximum(at, 0)], np.nan)


def _join(note: np.ndarray, rows: np.ndarray, text: object) -> np.ndarray:
    """Append `text` (one string, or one per selected row) to the notes of `rows`."""
    rows = np.asarray(rows, dtype=bool)
    if not rows.any():
        return note
    out = note.copy()
    current = out[rows]
    out[rows] = current + np.where(current == "", "", "; ").astype(object) + text
    return out


def _number_text(values: np.ndarray) -> np.ndarray:
    """Sizes and counts for a sentence, vectorised: 12 -> '12', 0.5 -> '0.5'."""
    numbers = np.asarray(values, dtype="float64")
    if not len(numbers):
        return np.zeros(0, dtype=object)
    whole = np.round(numbers)
    as_int = pa.array(whole.astype(np.int64)).cast(pa.string()).to_numpy(zero_copy_only=False)
    tenths = pa.array(np.round(numbers, 1)).cast(pa.string()).to_numpy(zero_copy_only=False)
    return np.where(whole == numbers, as_int, tenths).astype(object)


def _gib(value: float) -> str:
    """One size for a sentence: 320 -> '320', 0.5 -> '0.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
