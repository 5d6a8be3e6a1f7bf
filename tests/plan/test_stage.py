"""The plan stage as `advisor assess` runs it: both providers sized and priced, verdicts side
by side with --compare, groups from a dependency sheet, and the same plan for the same input."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx

from advisor.inventory import load_inventory
from advisor.plan.stage import PROVIDERS, assess_and_plan
from advisor.profile import default_profile

LINUX = "Red Hat Enterprise Linux 9 (64-bit)"


def _estate(tmp_path, extra_sheets=None):
    def linux(name, **over):
        os = {"OS according to the configuration file": LINUX,
              "OS according to the VMware Tools": LINUX}  # fmt: skip
        return vinfo_row(name, **{**os, **over})

    rows = [
        VINFO_4X,
        linux("app01"),
        linux("db01", CPUs=4, Memory=16384),
        # 64 vCPUs and 384 GiB: larger than any Exoscale type (40 vCPUs, 320 GiB), within
        # Scaleway's largest (96 vCPUs, 512 GiB).
        linux("bigmem01", CPUs=64, Memory=384 * 1024),
    ]
    sheets = {"vInfo": rows, **(extra_sheets or {})}
    return load_inventory(write_xlsx(tmp_path / "estate.xlsx", sheets))


def test_a_server_that_fits_one_provider_and_not_the_other(tmp_path):
    result = assess_and_plan(_estate(tmp_path), default_profile(), compare="scaleway")
    plan = result.plan
    assert plan.primary == "exoscale" and plan.compared == "scaleway"
    assert list(plan.providers) == list(PROVIDERS)
    names = result.inventory.servers.set_index("id")["name"]
    big = names[names == "bigmem01"].index[0]
    exo = plan.providers["exoscale"].servers.loc[big]
    scw = plan.providers["scaleway"].servers.loc[big]
    assert pd.isna(exo["allocated_type"]) and "Exoscale" in exo["allocated_type_note"]
    assert isinstance(scw["allocated_type"], str)
    differs = plan.verdicts.set_index("name")
    assert "bigmem01" in differs.index
    row = differs.loc["bigmem01"]
    assert row["first"] != row["second"]
    assert row["rules"] and row["first_says"]  # the rule and the limit that decide it
    assert set(plan.readiness) == {"exoscale", "scaleway"}


def test_without_compare_both_providers_are_still_priced(tmp_path):
    plan = assess_and_plan(_estate(tmp_path), default_profile()).plan
    assert plan.compared is None and plan.verdicts.empty
    for cost in plan.providers.values():
        assert len(cost.servers) == 3
        assert cost.currency == "EUR"
        assert cost.sources and all(s["url"] for s in cost.sources)


def test_dependency_sheet_joins_servers_into_one_group(tmp_path):
    deps = {"Dependencies": [["Source", "Target", "Port"], ["app01", "db01", 5432]]}
    result = assess_and_plan(_estate(tmp_path, deps), default_profile())
    plan = result.plan
    names = result.inventory.servers.set_index("id")["name"]
    by_name = plan.groups["group_id"].rename(index=names)
    assert by_name["app01"] == by_name["db01"] != by_name["bigmem01"]
    assert "dependency table" in plan.groups["reason"].rename(index=names)["app01"]
    wave = plan.waves.servers["wave"].rename(index=names)
    assert wave["app01"] == wave["db01"]


@pytest.mark.parametrize("compare", [None, "scaleway"])
def test_same_input_same_plan(tmp_path, compare):
    first = assess_and_plan(_estate(tmp_path), default_profile(), compare=compare).plan
    again = assess_and_plan(_estate(tmp_path), default_profile(), compare=compare).plan
    pd.testing.assert_frame_equal(first.groups, again.groups)
    pd.testing.assert_frame_equal(first.waves.waves, again.waves.waves)
    for p in PROVIDERS:
        pd.testing.assert_frame_equal(first.providers[p].servers, again.providers[p].servers)
