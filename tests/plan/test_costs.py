"""Costs: three servers per provider priced by hand from the catalogs, unpriced parts that
say what is missing (never 0), cents that add up, and the sources a report cites."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pandas as pd
import pytest

from advisor.plan import costs
from advisor.plan.costs import COST_COLUMNS, cost_estate, cost_totals
from advisor.plan.prices import CONFIDENCE_ORDER, price_sources
from advisor.plan.sizing import size_estate
from advisor.profile.sizing_policy import SizingPolicy
from advisor.targets import load_catalog
from advisor.targets.sections import Confidence
from plan.test_sizing import disks, linux, servers

CATALOGS = {p: load_catalog(p) for p in ("exoscale", "scaleway")}
POLICY = SizingPolicy()


def costed(frame, disk_rows=None, policy=POLICY, catalogs=CATALOGS) -> pd.DataFrame:
    return cost_estate(size_estate(frame, catalogs, policy, disk_rows), catalogs, policy)


# --- Exoscale: third-party price list, local root disk 0.00014/GiB-h, no block price ----

EXOSCALE = servers(
    # standard.medium 0.04666 x 730 = 34.0618; 50 GiB x 0.00014 x 730 = 5.11.
    linux("web", 2, 4, provisioned_gib=50.0),
    # standard.huge 0.37334 x 730 = 272.5382; right-sized (20 % CPU, 25 % memory: the floor,
    # 4 vCPU / 16 GiB) standard.extra-large 0.18667 x 730 = 136.2691; 100 GiB: 10.22.
    linux("app", 8, 32, cpu=20, mem=25, provisioned_gib=100.0),
    # Windows with a data disk: standard.large 0.09333 x 730 = 68.1309; no block volume
    # price and no Windows licence charge in the catalog.
    linux("win", 4, 8, os_family="windows", provisioned_gib=240.0, disk_count=2),
)
EXOSCALE_DISKS = disks(("win", "Hard disk 1", 40), ("win", "Hard disk 2", 200))


def test_exoscale_costs_equal_hand_computed_values():
    out = costed(EXOSCALE, EXOSCALE_DISKS).loc["exoscale"]
    web, app, win = out.loc["web"], out.loc["app"], out.loc["win"]

    assert web["allocated_type"] == "standard.medium"
    assert (web["allocated_instance_monthly"], web["storage_monthly"]) == (34.06, 5.11)
    assert web["allocated_licence_monthly"] == 0
    assert web["allocated_total_monthly"] == web["rightsized_total_monthly"] == 39.17
    assert pd.isna(web["allocated_unpriced"])
    assert (web["price_confidence"], web["price_as_of"]) == ("third_party", "2026-11-01")
    assert web["currency"] == "EUR"

    assert (app["allocated_type"], app["rightsized_type"]) == (
        "standard.huge",
        "standard.extra-large",
    )
    assert app["allocated_instance_monthly"] == 272.54
    assert app["rightsized_instance_monthly"] == 136.27
    assert app["storage_monthly"] == 10.22
    assert (app["allocated_total_monthly"], app["rightsized_total_monthly"]) == (282.76, 146.49)

    assert win["allocated_instance_monthly"] == 68.13
    assert pd.isna(win["storage_monthly"]) and pd.isna(win["allocated_licence_monthly"])
    assert pd.isna(win["allocated_total_monthly"])
    assert win["allocated_priced_monthly"] == 68.13
    assert win["allocated_unpriced"] == (
        "block volume price not in the catalog; Windows licence charge not in the catalog"
    )
    assert win["price_confidence"] == "not_found"
    assert win["licence_note"].startswith("Windows licence charge not in the catalog")
    assert pd.isna(web["licence_note"])


# --- Scaleway: POP2-WIN prices with Windows included, block storage 0.000118/GiB-h -------

SCALEWAY = servers(
    # POP2-4C-16G-WIN 0.3637 x 730 = 265.501; 100 GiB x 0.000118 x 730 = 8.614.
    linux("dc", 4, 16, os_family="windows", provisioned_gib=100.0),
    # POP2-8C-32G-WIN 0.7233 x 730 = 528.009; right-sized to the floor (4 / 16):
    # POP2-4C-16G-WIN 265.50; root 60 + data 140 GiB: 200 x 0.000118 x 730 = 17.228.
    linux("sql", 8, 32, cpu=30, mem=40, os_family="windows", provisioned_gib=200.0),
    # Linux lands on a type without a price in the catalog; its 50 GiB disk costs 4.307.
    linux("lnx", 2, 8, provisioned_gib=50.0),
)
SCALEWAY_DISKS = disks(("sql", "Hard disk 1", 60), ("sql", "Hard disk 2", 140))


def test_scaleway_costs_equal_hand_computed_values():
    out = costed(SCALEWAY, SCALEWAY_DISKS).loc["scaleway"]
    dc, sql, lnx = out.loc["dc"], out.loc["sql"], out.loc["lnx"]

    assert dc["allocated_type"] == "POP2-4C-16G-WIN"
    assert (dc["allocated_instance_monthly"], dc["storage_monthly"]) == (265.50, 8.61)
    assert dc["allocated_licence_monthly"] == 0  # in the POP2-WIN price
    assert (
        dc["licence_note"] == "Windows licence included in the price of the Windows instance types"
    )
    assert dc["allocated_total_monthly"] == 274.11
    # POP2-WIN of 2024-09, storage of 2022-12, both Scaleway's own tables.
    assert (dc["price_confidence"], dc["price_as_of"]) == ("primary", "2022-12")

    assert (sql["allocated_type"], sql["rightsized_type"]) == ("POP2-8C-32G-WIN", "POP2-4C-16G-WIN")
    assert sql["allocated_instance_monthly"] == 528.01
    assert sql["rightsized_instance_monthly"] == 265.50
    assert (sql["root_gib"], sql["data_gib"], sql["storage_monthly"]) == (60, 140, 17.23)
    assert (sql["allocated_total_monthly"], sql["rightsized_total_monthly"]) == (545.24, 282.73)

    assert pd.isna(lnx["allocated_instance_monthly"]) and lnx["storage_monthly"] == 4.31
    assert pd.isna(lnx["allocated_total_monthly"]) and lnx["allocated_priced_monthly"] == 4.31
    assert lnx["allocated_unpriced"] == "instance price not in the catalog"
    assert lnx["price_confidence"] == "not_found"


def test_totals_add_the_rounded_rows_and_count_the_unpriced():
    frame = pd.concat([EXOSCALE, SCALEWAY])
    rows = pd.concat([EXOSCALE_DISKS, SCALEWAY_DISKS], ignore_index=True)
    out = costed(frame, rows)
    totals = cost_totals(out)
    scw = totals.loc["scaleway"]
    assert scw["servers"] == 6 and scw["currency"] == "EUR"
    # Complete: dc 274.11 + sql 545.24; the others add only their priced parts.
    expected = out.loc["scaleway", "allocated_total_monthly"].sum()
    assert scw["allocated_total_monthly"] == pytest.approx(round(expected, 2), abs=1e-9)
    assert scw["allocated_complete_servers"] + scw["allocated_unpriced_servers"] == 6
    assert "instance price not in the catalog" in scw["allocated_unpriced_reasons"]
    exo = totals.loc["exoscale"]
    # web, app and, on Exoscale, lnx (standard.large 68.13 + 5.11) are complete.
    assert exo["allocated_total_monthly"] == pytest.approx(39.17 + 282.76 + 73.24, abs=1e-9)
    assert exo["rightsized_total_monthly"] == pytest.approx(39.17 + 146.49 + 73.24, abs=1e-9)
    assert (exo["allocated_complete_servers"], exo["allocated_unpriced_servers"]) == (3, 3)
    assert exo["price_confidence"] == "not_found" and exo["price_as_of"] == "2026-11-01"


def test_every_row_adds_up_to_the_cent():
    frame = pd.concat([EXOSCALE, SCALEWAY])
    rows = pd.concat([EXOSCALE_DISKS, SCALEWAY_DISKS], ignore_index=True)
    out = costed(frame, rows)
    assert list(out.columns[-len(COST_COLUMNS) :]) == list(COST_COLUMNS)
    for basis in ("allocated", "rightsized"):
        parts = out[[f"{basis}_instance_monthly", "storage_monthly", f"{basis}_licence_monthly"]]
        complete = out[f"{basis}_total_monthly"].notna()
        cents = (parts.sum(axis=1, skipna=False) * 100).round()
        assert ((out[f"{basis}_total_monthly"] * 100).round()[complete] == cents[complete]).all()
        assert (out[f"{basis}_unpriced"].isna() == complete).all()
        money = out[f"{basis}_priced_monthly"] * 100
        assert ((money - money.round()).abs() < 1e-6).all()


def test_unknown_os_leaves_the_licence_open():
    out = costed(servers(linux("x", 2, 4, os_family=None))).loc["exoscale"]
    assert pd.isna(out.loc["x", "allocated_licence_monthly"])
    assert out.loc["x", "allocated_unpriced"] == (
        "OS unknown, so whether a Windows licence is needed"
    )


def test_no_instance_type_is_unpriced_not_zero():
    out = costed(servers(linux("big", 64, 1024))).loc["exoscale"]
    assert pd.isna(out.loc["big", "allocated_instance_monthly"])
    assert out.loc["big", "allocated_unpriced"] == "no instance type"
    assert out.loc["big", "allocated_priced_monthly"] == 5.11  # the disk is still priced


def test_hours_per_month_follow_the_policy():
    policy = SizingPolicy(hours_per_month=720)
    out = costed(servers(linux("web", 2, 4)), policy=policy).loc["exoscale"]
    # 0.04666 x 720 = 33.5952; 50 x 0.00014 x 720 = 5.04.
    assert (out.loc["web", "allocated_instance_monthly"], out.loc["web", "storage_monthly"]) == (
        33.60,
        5.04,
    )


def test_catalog_price_rules_are_followed():
    exo = CATALOGS["exoscale"]
    priced = exo.model_copy(
        update={"pricing": exo.pricing.model_copy(update={"block_volume_per_gib_hour": 0.0001})}
    )
    out = costed(EXOSCALE, EXOSCALE_DISKS, catalogs={"exoscale": priced}).loc["exoscale"]
    # Root 40 x 0.00014 x 730 = 4.088 plus data 200 x 0.0001 x 730 = 14.6.
    assert out.loc["win", "storage_monthly"] == 18.69
    unknown = exo.model_copy(
        update={
            "pricing": exo.pricing.model_copy(update={"instance_price_includes_root_disk": None})
        }
    )
    out = costed(EXOSCALE, EXOSCALE_DISKS, catalogs={"exoscale": unknown}).loc["exoscale"]
    assert pd.isna(out.loc["web", "storage_monthly"])
    assert out.loc["web", "allocated_unpriced"] == (
        "whether the instance price includes its root disk is not known"
    )


def test_a_per_core_windows_charge_is_costed(monkeypatch):
    real = costs.unit_prices

    def per_core(catalog):
        units = real(catalog)
        return dataclasses.replace(
            units, windows=dataclasses.replace(units.windows, per_core_hour=0.01)
        )

    monkeypatch.setattr(costs, "unit_prices", per_core)
    out = costed(servers(linux("w", 4, 8, os_family="windows"))).loc["exoscale"]
    # standard.large: 4 vCPU x 0.01 x 730 = 29.20.
    assert out.loc["w", "allocated_licence_monthly"] == 29.2
    assert out.loc["w", "licence_note"] == "Windows licence charged per vCPU and hour"
    assert out.loc["w", "allocated_total_monthly"] == pytest.approx(102.44, abs=1e-9)


def test_confidence_levels_are_the_catalogs():
    assert set(CONFIDENCE_ORDER) == set(get_args(Confidence))


def test_price_sources_name_every_price_with_date_and_confidence():
    for provider, catalog in CATALOGS.items():
        sources = price_sources(catalog)
        assert sources and all(
            set(s) == {"title", "url", "as_of", "confidence"} and s["url"] and s["as_of"]
            for s in sources
        ), provider
    exo = price_sources(CATALOGS["exoscale"])
    assert exo[0]["confidence"] == "third_party"
    assert "instance prices (32 of 36 types)" in exo[0]["title"]
    assert exo[1]["title"] == (
        "Exoscale disk prices: root disk 0.1022 EUR per GiB-month, block volumes not in the catalog"
    )
    scw = price_sources(CATALOGS["scaleway"])
    disk = next(s for s in scw if s["title"].startswith("Scaleway disk prices"))
    assert disk["as_of"] == "2022-12" and "block volumes 0.08614 EUR per GiB-month" in disk["title"]


def test_a_total_of_nothing_priced_is_unknown_not_zero():
    totals = cost_totals(costed(servers(linux("big", 64, 1024, provisioned_gib=None))))
    exo = totals.loc["exoscale"]
    assert exo["allocated_total_monthly"] is None and exo["allocated_priced_monthly"] is None
    assert (exo["allocated_complete_servers"], exo["allocated_unpriced_servers"]) == (0, 1)
    assert exo["allocated_unpriced_reasons"] == "no instance type: 1; storage size unknown: 1"


def test_empty_estate_has_no_costs():
    out = costed(servers(linux("a", 2, 4)).iloc[:0])
    assert out.empty
    assert cost_totals(out).empty
