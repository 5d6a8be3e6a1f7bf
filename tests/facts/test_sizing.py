"""Sizing facts: the smallest instance type that holds a server, the target's largest, and
the right-sized need where the inventory measured use; the verdicts of SIZ001 and SIZ004."""

from __future__ import annotations

import pandas as pd
from fact_helpers import by_name, run_modules

from advisor.engine.assess import fact_scopes
from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rule
from advisor.engine.settings import resolve_settings
from advisor.facts import compute_facts, fact_context, inventory_facts, sizing
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile
from advisor.resources import data_path
from advisor.scope import decide_scope
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


RIGHT_SIZED = [
    # 64 vCPU / 512 GiB using little: right-sized it fits standard.colossus (SIZ004, not SIZ001).
    {"id": "idle", "name": "idle", "vcpus": 64, "memory_gib": 512.0, "os_family": "linux",
     "power_state": "on", "cpu_usage_pct": 8.0, "memory_usage_pct": 20.0},
    # Busy: even right-sized it needs more than any type has.
    {"id": "busy", "name": "busy", "vcpus": 96, "memory_gib": 1024.0, "os_family": "linux",
     "power_state": "on", "cpu_usage_pct": 70.0, "memory_usage_pct": 60.0},
    # Switched off: no measurement, so the allocation is the only evidence.
    {"id": "off", "name": "off", "vcpus": 64, "memory_gib": 512.0, "os_family": "linux",
     "power_state": "off"},
    # Idle but tiny: never below half the allocation, never above it.
    {"id": "tiny", "name": "tiny", "vcpus": 1, "memory_gib": 2.0, "os_family": "linux",
     "power_state": "on", "cpu_usage_pct": 1.0, "memory_usage_pct": 95.0},
    # Only CPU measured: memory keeps its allocation.
    {"id": "cpu-only", "name": "cpu-only", "vcpus": 48, "memory_gib": 256.0,
     "os_family": "linux", "power_state": "on", "cpu_usage_pct": 10.0},
]  # fmt: skip


def _verdicts(ctx) -> pd.DataFrame:
    rules = [load_rule(p, fact_scopes()) for p in sorted(data_path("rules").glob("sizing/*.yaml"))]
    settings = resolve_settings(rules, default_profile().rules, [])
    ev = evaluate(rules, settings, ctx.facts, ctx.portfolio, [], ctx.servers["name"])
    return ev.status.set_index(ctx.servers["name"].to_numpy())


def test_right_sized_need_and_verdicts():
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(RIGHT_SIZED)),
        source=Source(path="test", format="generic"),
    )
    ctx = run_modules(inv, (inventory_facts, sizing))
    f = ctx.facts
    # 64 x 8 % x 1.2 = 6.1 -> at least half: 32 vCPU; 512 x 20 % x 1.2 = 123 -> 256 GiB.
    assert (f.loc["idle", "rightsized_vcpus"], f.loc["idle", "rightsized_memory_gib"]) == (32, 256)
    assert f.loc["idle", "rightsized_instance_type"] == "standard.colossus"
    assert f.loc["idle", "fits_rightsized"] and not f.loc["idle", "fits_instance"]
    assert f.loc["idle", "rightsizing_note"] == (
        "at export 8 % CPU and 20 % memory in use: right-sized 32 vCPU / 256 GiB fit "
        "standard.colossus"
    )
    assert not f.loc["busy", "fits_rightsized"]
    assert pd.isna(f.loc["off", "fits_rightsized"]) and pd.isna(f.loc["off", "rightsized_vcpus"])
    assert f.loc["off", "rightsizing_note"].startswith("use not measured")
    assert (f.loc["tiny", "rightsized_vcpus"], f.loc["tiny", "rightsized_memory_gib"]) == (1, 2)
    assert (f.loc["cpu-only", "rightsized_vcpus"], f.loc["cpu-only", "rightsized_memory_gib"]) == (
        24,
        256,
    )
    assert "memory not measured" in f.loc["cpu-only", "rightsizing_note"]
    v = _verdicts(ctx)
    assert v.loc["idle", "SIZ001"] == "pass" and v.loc["idle", "SIZ004"] == "fail"
    assert v.loc["busy", "SIZ001"] == "fail" and v.loc["busy", "SIZ004"] == "pass"
    # Allocation above every type and nothing measured: the blocker stands (the allocation is
    # the only evidence), and whether right-sizing would help stays unknown.
    assert v.loc["off", "SIZ001"] == "fail" and v.loc["off", "SIZ004"] == "unknown"
    assert v.loc["tiny", "SIZ001"] == "pass" and v.loc["tiny", "SIZ004"] == "pass"


def test_real_339_right_sizing(corpus):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    profile = default_profile()
    ctx = fact_context(
        inv, profile, load_catalog("exoscale"), inv.source.exported_at, decide_scope(inv, profile)
    )
    ctx = compute_facts(ctx, (inventory_facts, sizing))
    f, v = by_name(ctx), _verdicts(ctx)
    # Panorama-AH: 16 vCPU / 64 GiB at 3 % CPU and 3 % memory -> half of each.
    pan = f.loc["Panorama-AH"]
    assert (pan["rightsized_vcpus"], pan["rightsized_memory_gib"]) == (8, 32)
    assert pan["rightsized_instance_type"] == "standard.huge"
    # A 400 GiB placeholder that is switched off: no measurement, the blocker stands.
    ram = "PORTAL-FAILOVER-RAMBLOCK"
    assert v.loc[ram, "SIZ001"] == "fail" and v.loc[ram, "SIZ004"] == "unknown"
    assert f.loc[ram, "rightsizing_note"].startswith("use not measured")
    assert (v["SIZ001"] == "fail").sum() == 1


def test_a_vm_far_above_its_use_is_a_right_sizing_case_even_beyond_half():
    """768 GiB and 64 vCPUs at 2 % use: even half the allocation fits no Exoscale type, but
    the measured need does, so it is a right-sizing case (SIZ004), not a blocker (SIZ001)."""
    facts = _facts(
        [
            {"id": "big", "name": "big", "vcpus": 64, "memory_gib": 768.0, "os_family": "linux",
             "cpu_usage_pct": 2.0, "memory_usage_pct": 2.0},
            {"id": "busy", "name": "busy", "vcpus": 64, "memory_gib": 768.0,
             "os_family": "linux", "cpu_usage_pct": 90.0, "memory_usage_pct": 90.0},
        ]
    )  # fmt: skip
    assert facts.loc["big", "fits_rightsized"] == False  # noqa: E712  (half still too big)
    assert facts.loc["big", "fits_measured_need"] == True  # noqa: E712
    assert "the measured need, 2 vCPU / 19 GiB, would fit" in facts.loc["big", "rightsizing_note"]
    assert facts.loc["busy", "fits_measured_need"] == False  # noqa: E712
