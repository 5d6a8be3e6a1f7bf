"""Which instance type of the target holds each server: the smallest fitting type and the
largest the target offers.

A lift keeps the server's vCPUs and memory, so the smallest non-GPU type with at least as
many of both is the natural landing place (the catalog's `fit_instance_types`, one
vectorised pass). Windows servers only consider types that may run Windows (on Scaleway
the POP2-WIN family), so their fit and their maxima can differ from Linux servers'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext

_SIZE = ("vcpus", "memory_gib", "os_family", "catalog.instance_types")

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

    plain = catalog.fit_instance_types(vcpus, memory)
    win = catalog.fit_instance_types(vcpus, memory, windows=True)
    instance_type = plain["instance_type"].mask(windows, win["instance_type"])
    fits = plain["fits"].mask(windows, win["fits"]).astype("boolean")

    types = {t.name: t for t in catalog.instance_types}
    type_vcpus = instance_type.map({n: float(t.vcpus) for n, t in types.items()})
    type_memory = instance_type.map({n: float(t.memory_gib) for n, t in types.items()})

    max_plain = _maxima(catalog.fit_candidates())
    max_win = _maxima(catalog.fit_candidates(windows=True))

    def per_os(pair_index: int) -> pd.Series:
        values = np.where(windows, max_win[pair_index], max_plain[pair_index])
        return pd.Series(values, index=index, dtype="Float64")

    return {
        "instance_type": instance_type.astype("string"),
        "fits_instance": fits,
        "instance_vcpus": type_vcpus.astype("Float64"),
        "instance_memory_gib": type_memory.astype("Float64"),
        "target_max_vcpus": per_os(0),
        "target_max_memory_gib": per_os(1),
        "size_known": ((vcpus > 0) & (memory > 0)).fillna(False).astype("boolean"),
    }


def _maxima(types: tuple) -> tuple[float, float]:
    """(most vCPUs, most memory) of a pool of types; NaN for an empty pool."""
    if not types:
        return (np.nan, np.nan)
    return (float(max(t.vcpus for t in types)), float(max(t.memory_gib for t in types)))
