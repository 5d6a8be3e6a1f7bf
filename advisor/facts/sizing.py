"""Which instance type of the target holds each server: the smallest fitting type and the
largest the target offers, as allocated and once right-sized from measured use.

A lift keeps the server's vCPUs and memory, so the smallest non-GPU type with at least as
many of both is the natural landing place (the catalog's `fit_instance_types`, one
vectorised pass). Windows servers only consider types that may run Windows (on Scaleway
the POP2-WIN family), so their fit and their maxima can differ from Linux servers'.

Where the inventory measured use (RVTools: CPU and active memory of running VMs at export
time), a VM far above its use is a right-sizing case rather than a dead end. Two figures
come from the measurement: the measured need (the used share of the allocation plus 20 %
headroom), which decides whether the workload can run on the target at all, and the
right-sized size a first step should take, the measured need but never less than half the
allocation: one export is a single moment, not a peak, and VMware's active memory
undercounts what a guest keeps in its caches. A dimension without a measurement keeps its
allocation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext

_SIZE = ("vcpus", "memory_gib", "os_family", "catalog.instance_types")
_USE = ("cpu_usage_pct", "memory_usage_pct")

#: Right-sizing policy: headroom on top of measured use, and the least share of the
#: allocation a right-sized server keeps.
HEADROOM = 0.2
FLOOR_SHARE = 0.5

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts",)

FACTS: tuple[Fact, ...] = (
    Fact(
        "instance_type",
        "text",
        "Smallest non-GPU instance type with at least the server's vCPUs and memory "
        "(Windows-capable types for Windows); unknown when the size is unknown or none fits.",
        _SIZE,
    ),
    Fact(
        "fits_instance",
        "bool",
        "Some non-GPU instance type holds the server's vCPUs and memory; unknown when the "
        "size is unknown.",
        _SIZE,
    ),
    Fact(
        "instance_vcpus",
        "count",
        "vCPUs of the chosen instance type.",
        ("instance_type", "catalog.instance_types"),
    ),
    Fact(
        "instance_memory_gib",
        "GiB",
        "Memory of the chosen instance type.",
        ("instance_type", "catalog.instance_types"),
    ),
    Fact(
        "target_max_vcpus",
        "count",
        "Most vCPUs of any non-GPU instance type the server could use (Windows-capable "
        "types for Windows).",
        ("os_family", "catalog.instance_types"),
    ),
    Fact(
        "target_max_memory_gib",
        "GiB",
        "Most memory of any non-GPU instance type the server could use (Windows-capable "
        "types for Windows).",
        ("os_family", "catalog.instance_types"),
    ),
    Fact(
        "size_known",
        "bool",
        "Both vCPUs and memory are known and above zero, so an instance type can be chosen.",
        ("vcpus", "memory_gib"),
    ),
    Fact(
        "cpu_used_pct",
        "%",
        "CPU in use as a share of the allocated vCPUs when the inventory was taken (running "
        "VMs only; unknown otherwise).",
        ("cpu_usage_pct",),
    ),
    Fact(
        "memory_used_pct",
        "%",
        "Memory actively used as a share of the configured memory when the inventory was "
        "taken (running VMs only; unknown otherwise).",
        ("memory_usage_pct",),
    ),
    Fact(
        "rightsized_vcpus",
        "count",
        "vCPUs the server needs once right-sized: used share x vCPUs + 20 % headroom, at least "
        "half the allocation, at most all of it; unknown without any measured use.",
        ("vcpus", *_USE),
    ),
    Fact(
        "rightsized_memory_gib",
        "GiB",
        "Memory the server needs once right-sized: used share x memory + 20 % headroom, at "
        "least half the allocation, at most all of it; unknown without any measured use.",
        ("memory_gib", *_USE),
    ),
    Fact(
        "rightsized_instance_type",
        "text",
        "Smallest non-GPU instance type that holds the right-sized need (Windows-capable types "
        "for Windows); unknown without measured use or when none fits.",
        ("rightsized_vcpus", "rightsized_memory_gib", "catalog.instance_types"),
    ),
    Fact(
        "rightsizing_note",
        "text",
        "The right-sizing in words: the measured use, the right-sized need and the type that "
        "holds it, or that no use was measured.",
        ("cpu_used_pct", "memory_used_pct", "rightsized_vcpus", "rightsized_memory_gib"),
    ),
    Fact(
        "fits_rightsized",
        "bool",
        "Some non-GPU instance type holds the right-sized need; unknown without measured use.",
        ("rightsized_vcpus", "rightsized_memory_gib", "catalog.instance_types"),
    ),
    Fact(
        "fits_measured_need",
        "bool",
        "Some non-GPU instance type holds the measured need (use at export plus 20 % headroom, "
        "without the half-allocation floor): the workload can run on the target once sized "
        "from a longer measurement; unknown without measured use.",
        ("vcpus", "memory_gib", *_USE, "catalog.instance_types"),
    ),
)


def compute(ctx: FactContext) -> dict[str, object]:
    s = ctx.servers
    index = s.index
    catalog = ctx.catalog
    vcpus = pd.to_numeric(s["vcpus"], errors="coerce").astype("Float64")
    memory = pd.to_numeric(s["memory_gib"], errors="coerce").astype("Float64")
    windows = (
        ctx.fact("os_family").astype("string").str.lower().eq("windows").fillna(False)
    ).to_numpy(dtype=bool)

    instance_type, fits = _fit(catalog, vcpus, memory, windows)
    types = {t.name: t for t in catalog.instance_types}
    type_vcpus = instance_type.map({n: float(t.vcpus) for n, t in types.items()})
    type_memory = instance_type.map({n: float(t.memory_gib) for n, t in types.items()})

    max_plain = _maxima(catalog.fit_candidates())
    max_win = _maxima(catalog.fit_candidates(windows=True))

    def per_os(pair_index: int) -> pd.Series:
        values = np.where(windows, max_win[pair_index], max_plain[pair_index])
        return pd.Series(values, index=index, dtype="Float64")

    cpu_pct = _pct(s, "cpu_usage_pct")
    memory_pct = _pct(s, "memory_usage_pct")
    measured = (cpu_pct.notna() | memory_pct.notna()).to_numpy(dtype=bool)
    need_vcpus = _rightsized(vcpus, cpu_pct).where(measured)
    need_memory = _rightsized(memory, memory_pct).where(measured)
    small_type, small_fits = _fit(catalog, need_vcpus, need_memory, windows)
    least_vcpus = _rightsized(vcpus, cpu_pct, floor=0.0).where(measured)
    least_memory = _rightsized(memory, memory_pct, floor=0.0).where(measured)
    least_type, least_fits = _fit(catalog, least_vcpus, least_memory, windows)
    note = _note(cpu_pct, memory_pct, need_vcpus, need_memory, small_type)
    # Where even half the allocation fits nothing, say what the measurement itself needs.
    beyond = (small_fits.eq(False) & least_fits.eq(True)).fillna(False).to_numpy(dtype=bool)
    measured_need = (
        "; the measured need, "
        + _size(least_vcpus, least_memory)
        + ", would fit "
        + least_type.astype("string")
        + ": size it from a longer measurement"
    )
    note = note.mask(beyond, note + measured_need)

    return {
        "instance_type": instance_type.astype("string"),
        "fits_instance": fits,
        "instance_vcpus": type_vcpus.astype("Float64"),
        "instance_memory_gib": type_memory.astype("Float64"),
        "target_max_vcpus": per_os(0),
        "target_max_memory_gib": per_os(1),
        "size_known": ((vcpus > 0) & (memory > 0)).fillna(False).astype("boolean"),
        "cpu_used_pct": cpu_pct,
        "memory_used_pct": memory_pct,
        "rightsized_vcpus": need_vcpus.astype("Float64"),
        "rightsized_memory_gib": need_memory.astype("Float64"),
        "rightsized_instance_type": small_type.astype("string"),
        "rightsizing_note": note.astype("string"),
        "fits_rightsized": small_fits,
        "fits_measured_need": least_fits.where(measured).astype("boolean"),
    }


def _size(vcpus: pd.Series, memory: pd.Series) -> pd.Series:
    """'8 vCPU / 64 GiB'."""
    return (
        vcpus.astype("Int64").astype("string")
        + " vCPU / "
        + memory.round(0).astype("Int64").astype("string")
        + " GiB"
    )


def _note(
    cpu_pct: pd.Series,
    memory_pct: pd.Series,
    need_vcpus: pd.Series,
    need_memory: pd.Series,
    small_type: pd.Series,
) -> pd.Series:
    """'at export 12 % CPU and 30 % memory in use: right-sized 8 vCPU / 64 GiB fit
    standard.mega', or why there is no right-sized figure."""

    def pct(v: pd.Series, what: str) -> pd.Series:
        return (v.round(0).astype("Int64").astype("string") + f" % {what}").fillna(
            f"{what} not measured"
        )

    need = _size(need_vcpus, need_memory)
    fit = ("fit " + small_type).fillna("still fit no instance type")
    note = "at export " + pct(cpu_pct, "CPU") + " and " + pct(memory_pct, "memory")
    note = note + " in use: right-sized " + need + " " + fit
    return note.fillna("use not measured (VM off, or no utilisation in the inventory)").astype(
        "string"
    )


def _fit(
    catalog, vcpus: pd.Series, memory: pd.Series, windows: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Smallest fitting type and whether one fits, Windows-capable types for Windows."""
    plain = catalog.fit_instance_types(vcpus, memory)
    win = catalog.fit_instance_types(vcpus, memory, windows=True)
    instance_type = plain["instance_type"].mask(windows, win["instance_type"])
    fits = plain["fits"].mask(windows, win["fits"]).astype("boolean")
    return instance_type, fits


def _pct(s: pd.DataFrame, column: str) -> pd.Series:
    """A measured share in percent (0-100), unknown where the inventory has none."""
    if column not in s:
        return pd.Series(pd.NA, index=s.index, dtype="Float64")
    return pd.to_numeric(s[column], errors="coerce").astype("Float64").clip(0, 100)


def _rightsized(allocated: pd.Series, used_pct: pd.Series, floor: float = FLOOR_SHARE) -> pd.Series:
    """Used share plus headroom, between `floor` of the allocation (at least 1) and all of
    it, rounded up to whole vCPUs or GiB; the allocation itself where nothing was measured."""
    least = (allocated * floor).clip(lower=1)
    need = (allocated * used_pct / 100 * (1 + HEADROOM)).clip(lower=least)
    need = np.ceil(need.astype("Float64") - 1e-9)
    return need.where(need < allocated, allocated).fillna(allocated)


def _maxima(types: tuple) -> tuple[float, float]:
    """(most vCPUs, most memory) of a pool of types; NaN for an empty pool."""
    if not types:
        return (np.nan, np.nan)
    return (float(max(t.vcpus for t in types)), float(max(t.memory_gib for t in types)))
