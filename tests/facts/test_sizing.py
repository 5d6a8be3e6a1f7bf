"""Sizing facts: the smallest instance type that holds a server, and the target's largest."""

from __future__ import annotations

import pandas as pd
from fact_helpers import run_modules

from advisor.facts import inventory_facts, sizing
from advisor.inventory.schema import Inventory, Source, conform
from advisor.targets import load_catalog


def _facts(servers: list[dict], provider: str = "exoscale") -> pd.DataFrame:
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(servers)),
        source=Source(path="test", format="generic"),
    )
    return run_modules(inv, (inventory_facts, sizing), provider=provider).facts


SERVERS = [
    {"id": "small", "name": "small", "vcpus": 4, "memory_gib": 16.0, "os_family": "linux"},
    {"id": "huge", "name": "huge", "vcpus": 96, "memory_gib": 1024.0, "os_family": "linux"},
    {"id": "hana", "name": "hana", "vcpus": 16, "memory_gib": 256.0, "os_family": "linux"},
    {"id": "nomem", "name": "nomem", "vcpus": 4, "memory_gib": None, "os_family": "linux"},
    {"id": "win", "name": "win", "vcpus": 4, "memory_gib": 16.0, "os_family": "windows"},
]


def test_smallest_fitting_type_and_blockers():
    f = _facts(SERVERS)
    assert f.loc["small", "instance_type"] == "standard.extra-large"
    assert f.loc["small", "fits_instance"]
    assert (f.loc["small", "instance_vcpus"], f.loc["small", "instance_memory_gib"]) == (4, 16)
    assert f.loc["hana", "instance_type"] == "standard.jumbo"
    assert not f.loc["huge", "fits_instance"]
    assert pd.isna(f.loc["huge", "instance_type"])


def test_unknown_size_stays_unknown():
    f = _facts(SERVERS)
    assert pd.isna(f.loc["nomem", "fits_instance"])
    assert pd.isna(f.loc["nomem", "instance_type"])
    assert not f.loc["nomem", "size_known"]
    assert f.loc["small", "size_known"]


def test_maxima_are_the_catalog_non_gpu_maxima():
    f = _facts(SERVERS)
    exo = load_catalog("exoscale")
    assert (f["target_max_vcpus"] == exo.max_vcpus).all()
    assert (f["target_max_memory_gib"] == exo.max_memory_gib).all()


def test_windows_uses_windows_capable_types_on_scaleway():
    f = _facts(SERVERS, provider="scaleway")
    scw = load_catalog("scaleway")
    windows_types = {t.name for t in scw.fit_candidates(windows=True)}
    assert f.loc["win", "instance_type"] in windows_types
    assert f.loc["win", "target_max_memory_gib"] == max(
        t.memory_gib for t in scw.fit_candidates(windows=True)
    )
    assert f.loc["small", "target_max_memory_gib"] == scw.max_memory_gib
