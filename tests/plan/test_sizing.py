"""Sizing: right-sizing from measured use (headroom, floor, cap on the cut, minimums), the
fallback to the allocation with its reason, instance types on both providers, disks within
the providers' limits, and the `sizing:` policy of the profile."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from advisor.errors import InputError
from advisor.plan.sizing import SIZING_COLUMNS, size_estate
from advisor.profile import parse_profile
from advisor.profile.sizing_policy import SizingPolicy
from advisor.targets import load_catalog

CATALOGS = {p: load_catalog(p) for p in ("exoscale", "scaleway")}
DEFAULT = SizingPolicy()


def servers(*rows: dict) -> pd.DataFrame:
    """Servers in the inventory's dtypes, indexed by id; unlisted values are unknown."""
    frame = pd.DataFrame(list(rows)).set_index("id")
    dtypes = {
        "vcpus": "Int64",
        "memory_gib": "Float64",
        "cpu_usage_pct": "Float64",
        "memory_usage_pct": "Float64",
        "provisioned_gib": "Float64",
        "used_gib": "Float64",
        "disk_count": "Int64",
        "largest_disk_gib": "Float64",
        "os_family": "string",
        "power_state": "string",
    }
    for column, dtype in dtypes.items():
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        frame[column] = values.astype("object").where(values.notna(), None).astype(dtype)
    return frame


def disks(*rows: tuple[str, str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "server_id": pd.array([r[0] for r in rows], dtype="string"),
            "label": pd.array([r[1] for r in rows], dtype="string"),
            "capacity_gib": pd.array([r[2] for r in rows], dtype="Float64"),
        }
    )


def linux(id_: str, vcpus: int, memory: float, cpu=None, mem=None, **more) -> dict:
    base = {"id": id_, "vcpus": vcpus, "memory_gib": memory, "os_family": "linux"}
    base |= {"power_state": "on", "cpu_usage_pct": cpu, "memory_usage_pct": mem}
    return base | {"provisioned_gib": 50.0, "disk_count": 1} | more


def sized(frame: pd.DataFrame, policy: SizingPolicy = DEFAULT, disk_rows=None) -> pd.DataFrame:
    return size_estate(frame, CATALOGS, policy, disk_rows)


# --- right-sizing ------------------------------------------------------------------------


def test_headroom_is_added_to_measured_use():
    # 8 vCPU at 60 %: 4.8 used, +20 % = 5.76 -> 6; 64 GiB at 75 %: 48, +20 % = 57.6 -> 58.
    row = sized(servers(linux("a", 8, 64, cpu=60, mem=75))).loc[("exoscale", "a")]
    assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (6, 58)
    assert row["basis"] == "measured"
    assert row["basis_reason"] == "CPU and memory measured at export"
    assert (row["cpu_used_pct"], row["memory_used_pct"]) == (60, 75)
    assert row["rightsized_type"] == CATALOGS["exoscale"].smallest_fitting(6, 58).name
    assert row["allocated_type"] == CATALOGS["exoscale"].smallest_fitting(8, 64).name


def test_the_cut_stops_at_half_the_allocation():
    # 5 % use would need 1 vCPU and 2 GiB; the floor keeps half: 4 vCPU and 16 GiB.
    row = sized(servers(linux("a", 8, 32, cpu=5, mem=5))).loc[("exoscale", "a")]
    assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (4, 16)
    assert row["rightsized_type"] == "standard.extra-large"
    assert row["allocated_type"] == "standard.huge"


def test_floor_share_and_minimums_follow_the_policy():
    frame = servers(linux("a", 8, 32, cpu=5, mem=5), linux("b", 4, 4, cpu=1, mem=1))
    deeper = sized(frame, SizingPolicy(floor_share=0.25)).loc["scaleway"]
    assert (deeper.loc["a", "rightsized_vcpus"], deeper.loc["a", "rightsized_memory_gib"]) == (
        2,
        8,
    )
    minimums = sized(frame, SizingPolicy(floor_share=0.1, min_vcpus=2, min_memory_gib=2))
    row = minimums.loc[("scaleway", "b")]
    assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (2, 2)


def test_right_sizing_never_grows_a_server():
    row = sized(servers(linux("a", 4, 16, cpu=100, mem=100))).loc[("exoscale", "a")]
    assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (4, 16)
    # A minimum above the allocation does not grow a 1 vCPU server either.
    tiny = sized(servers(linux("t", 1, 0.5, cpu=1, mem=1)), SizingPolicy(min_vcpus=2))
    assert tiny.loc[("exoscale", "t"), "rightsized_vcpus"] == 1
    assert tiny.loc[("exoscale", "t"), "rightsized_memory_gib"] == 0.5


def test_one_measured_dimension_keeps_the_other_allocated():
    frame = servers(linux("c", 8, 32, cpu=10), linux("m", 8, 32, mem=10))
    out = sized(frame).loc["exoscale"]
    assert out.loc["c", "basis_reason"] == "CPU measured at export; memory as allocated"
    assert (out.loc["c", "rightsized_vcpus"], out.loc["c", "rightsized_memory_gib"]) == (4, 32)
    assert out.loc["m", "basis_reason"] == "memory measured at export; vCPUs as allocated"
    assert (out.loc["m", "rightsized_vcpus"], out.loc["m", "rightsized_memory_gib"]) == (8, 16)


def test_unknown_utilisation_falls_back_to_the_allocation_and_says_why():
    frame = servers(
        linux("measured", 8, 32, cpu=5, mem=5),
        linux("unmeasured", 8, 32),
        linux("off", 8, 32, power_state="off", cpu=0, mem=0),
        linux("suspended", 8, 32, power_state="suspended"),
    )
    out = sized(frame).loc["scaleway"]
    assert out.loc["unmeasured", "basis_reason"] == "use not measured for this server"
    assert out.loc["off", "basis_reason"] == "powered off: use not measured"
    assert out.loc["suspended", "basis_reason"] == "suspended: use not measured"
    for id_ in ("unmeasured", "off", "suspended"):
        row = out.loc[id_]
        assert row["basis"] == "allocated"
        assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (8, 32)
        assert row["rightsized_type"] == row["allocated_type"]
        assert pd.isna(row["cpu_used_pct"]) and pd.isna(row["memory_used_pct"])
    # An inventory without any utilisation says so for every server.
    bare = sized(servers(linux("a", 8, 32), linux("b", 2, 4))).loc["exoscale"]
    assert set(bare["basis_reason"]) == {"no utilisation in the inventory"}


def test_policy_allocated_keeps_every_allocation():
    out = sized(servers(linux("a", 8, 32, cpu=5, mem=5)), SizingPolicy(basis="allocated"))
    row = out.loc[("exoscale", "a")]
    assert (row["basis"], row["basis_reason"]) == ("allocated", "policy: sized as allocated")
    assert (row["rightsized_vcpus"], row["rightsized_memory_gib"]) == (8, 32)


# --- instance types ----------------------------------------------------------------------


def test_both_providers_are_sized_with_one_row_per_server():
    frame = servers(linux("a", 2, 4), linux("b", 4, 16))
    out = sized(frame)
    assert list(out.columns) == list(SIZING_COLUMNS)
    assert out.index.names == ["provider", "server_id"]
    assert list(out.index) == [
        ("exoscale", "a"),
        ("exoscale", "b"),
        ("scaleway", "a"),
        ("scaleway", "b"),
    ]
    assert out.loc[("exoscale", "a"), "allocated_type"] == "standard.medium"
    assert out.loc[("exoscale", "a"), "allocated_type_vcpus"] == 2
    assert out.loc[("exoscale", "a"), "allocated_type_memory_gib"] == 4


def test_windows_servers_land_on_windows_types():
    frame = servers(linux("w", 4, 16, os_family="Windows"), linux("x", 4, 16, os_family=None))
    out = sized(frame)
    assert out.loc[("scaleway", "w"), "allocated_type"] == "POP2-4C-16G-WIN"
    assert bool(out.loc[("scaleway", "w"), "windows"]) is True
    assert pd.isna(out.loc[("scaleway", "x"), "windows"])


def test_a_server_no_type_holds_gets_a_reason():
    frame = servers(linux("big", 64, 1024), linux("blank", None, 8))
    out = sized(frame)
    big = out.loc[("exoscale", "big")]
    assert pd.isna(big["allocated_type"]) and pd.isna(big["rightsized_type"])
    assert big["allocated_type_note"] == (
        "no Exoscale type holds 64 vCPU and 1024 GiB (at most 40 vCPU and 320 GiB)"
    )
    blank = out.loc[("scaleway", "blank")]
    assert blank["allocated_type_note"] == "vCPUs or memory unknown"
    assert blank["basis_reason"] == "vCPUs or memory unknown"
    assert pd.isna(out.loc[("exoscale", "blank"), "rightsized_vcpus"])


# --- storage -----------------------------------------------------------------------------


def test_the_first_disk_is_the_root_and_the_others_data_volumes():
    frame = servers(linux("a", 2, 4, provisioned_gib=345.0, disk_count=3))
    rows = disks(("a", "Hard disk 3", 300), ("a", "Hard disk 1", 40), ("a", "Hard disk 2", 5))
    out = sized(frame, disk_rows=rows)
    exo, scw = out.loc[("exoscale", "a")], out.loc[("scaleway", "a")]
    # Each volume is at least the provider's smallest: 10 GiB on Exoscale, 5 on Scaleway.
    assert (exo["root_gib"], exo["data_gib"], exo["data_volumes"]) == (40, 310, 2)
    assert (scw["root_gib"], scw["data_gib"], scw["storage_gib"]) == (40, 305, 345)
    assert exo["storage_basis"] == "provisioned" and pd.isna(exo["storage_note"])


def test_without_disk_rows_the_layout_comes_from_the_server():
    frame = servers(
        linux("one", 2, 4, provisioned_gib=80.0, disk_count=1),
        linux("three", 2, 4, provisioned_gib=300.0, disk_count=3),
        linux("none", 2, 4, provisioned_gib=None, disk_count=None),
        linux("largest", 2, 4, provisioned_gib=90.0, disk_count=None, largest_disk_gib=90.0),
        linux("uncounted", 2, 4, provisioned_gib=90.0, disk_count=None),
    )
    out = sized(frame).loc["exoscale"]
    assert (out.loc["one", "root_gib"], out.loc["one", "data_gib"]) == (80, 0)
    assert (out.loc["largest", "root_gib"], out.loc["largest", "data_volumes"]) == (90, 0)
    assert pd.isna(out.loc["uncounted", "root_gib"]) and pd.isna(
        out.loc["uncounted", "data_volumes"]
    )
    assert out.loc["uncounted", "storage_gib"] == 90
    three = out.loc["three"]
    assert three["storage_gib"] == 300 and pd.isna(three["root_gib"])
    assert three["data_volumes"] == 2
    assert three["storage_note"] == "disk sizes not in the inventory: root and data split unknown"
    assert pd.isna(out.loc["none", "storage_gib"])
    assert out.loc["none", "storage_note"] == "storage size unknown"


def test_a_disk_without_a_size_makes_the_layout_unknown():
    frame = servers(linux("a", 2, 4, provisioned_gib=100.0, disk_count=2))
    out = sized(frame, disk_rows=disks(("a", "Hard disk 1", 40), ("a", "Hard disk 2", None)))
    row = out.loc[("exoscale", "a")]
    assert row["storage_gib"] == 100 and pd.isna(row["root_gib"])


def test_used_storage_shrinks_every_disk_by_the_share_in_use():
    frame = servers(
        linux("a", 2, 4, provisioned_gib=200.0, used_gib=50.0, disk_count=2),
        linux("b", 2, 4, provisioned_gib=100.0, used_gib=None, disk_count=1),
    )
    rows = disks(("a", "Hard disk 1", 100), ("a", "Hard disk 2", 100))
    out = sized(frame, SizingPolicy(storage="used"), rows).loc["scaleway"]
    # 25 % in use + 20 % headroom = 30 % of each disk.
    assert (out.loc["a", "root_gib"], out.loc["a", "data_gib"]) == (30, 30)
    assert out.loc["a", "storage_basis"] == "used"
    assert out.loc["b", "root_gib"] == 100
    assert out.loc["b", "storage_note"] == "space in use unknown: provisioned size kept"


def test_provider_limits_the_disks_break_are_named():
    frame = servers(
        linux("many", 2, 2, provisioned_gib=800.0, disk_count=8),
        linux("huge", 2, 2, provisioned_gib=12100.0, disk_count=2),
        linux("root", 2, 2, provisioned_gib=1000.0, disk_count=1),
    )
    rows = disks(
        *[("many", f"Hard disk {i}", 100) for i in range(1, 9)],
        ("huge", "Hard disk 1", 100),
        ("huge", "Hard disk 2", 12000),
    )
    out = sized(frame, disk_rows=rows).loc["exoscale"]
    assert out.loc["many", "storage_note"] == (
        "7 data disks, more than the 5 volumes Exoscale attaches"
    )
    assert out.loc["huge", "storage_note"] == (
        "a data disk of 12000 GiB, above the 10,240 GiB volume limit"
    )
    assert out.loc["root", "rightsized_type"] == "standard.small"
    assert out.loc["root", "storage_note"] == (
        "root disk of 1000 GiB, above the 400 GiB root disk of standard.small"
    )


def test_empty_estate():
    out = sized(servers(linux("a", 2, 4)).iloc[:0])
    assert out.empty and list(out.columns) == list(SIZING_COLUMNS)


# --- the policy --------------------------------------------------------------------------


def test_policy_defaults_and_description():
    policy = SizingPolicy()
    assert (policy.basis, policy.headroom, policy.floor_share) == ("measured", 0.2, 0.5)
    assert (policy.storage, policy.hours_per_month, policy.percentile) == (
        "provisioned",
        730,
        95,
    )
    text = policy.describe()
    assert "20 % headroom" in text and "never below 50 %" in text and "730 hours" in text
    assert "95th percentile" in text and "one value per server" in text
    assert "BYOL" in text
    allocated = SizingPolicy(basis="allocated", storage="used").describe()
    assert allocated.startswith("Servers are sized as allocated")
    assert "space in use plus 20 % headroom" in allocated


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("{basis: mesured}", "sizing.basis is 'mesured', allowed values: measured, allocated"),
        ("{headroom: .nan}", "sizing.headroom is nan; give a finite number"),
        ("{headroom: 5}", "sizing.headroom is 5; it must be at least 0 and at most 2"),
        ("{floor_share: 0}", "sizing.floor_share is 0; it must be greater than 0"),
        ("{hours_per_month: .inf}", "sizing.hours_per_month is inf; give a finite number"),
        ("{headrom: 0.1}", "unknown key sizing.headrom; did you mean 'headroom'?"),
    ],
)
def test_policy_errors_name_the_key_and_the_value(section, message):
    text = f"sizing: {section}"
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_profile(yaml.safe_load(text), "p.yaml", text=text)


def test_policy_is_read_from_the_profile():
    profile = parse_profile({"sizing": {"basis": "Allocated", "storage": "used"}}, "p.yaml")
    assert (profile.sizing.basis, profile.sizing.storage) == ("allocated", "used")
