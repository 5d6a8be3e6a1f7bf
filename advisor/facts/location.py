"""Where servers and their users are, relative to the target zone: round trips and copy times.

Physics from domain-facts 4.1-4.5: light in fibre covers about 200 km per millisecond; real
routes are longer than the great circle by a route factor (1.3 best private fibre, 1.5
typical carrier path, 2.1 public internet; Bozkurt et al. 2018); a VPN and its equipment add
a couple of milliseconds. A copy over an uplink achieves only part of the line rate (80 %
is the common planning figure). Sites are few, so distances are computed per site and then
mapped onto servers.

What a server puts on the uplink (`transfer_gib`) is what its guest has written, where the
guest's partitions say so: the space in use on the file systems of its virtual disks
(each file system once), plus the volumes it mounts from a NAS or SAN, which have to be
copied separately. VMware's in-use figure is the fallback: it also counts the VM's swap
file, snapshots and blocks the guest has freed but the thin disk still holds, and it misses
the base disk of a linked clone. The guest's figure is used only where its file systems
cover most of the virtual disks (GUEST_COVERAGE_MIN): a disk the guest shows no file system
for (a raw database disk, an unmounted volume) may hold data the guest's figure misses.
`transfer_basis` names the figure each server's estimate rests on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.storage import guest_storage

BITS_PER_GIB = 8 * 1024**3

#: Share of the virtual disks the guest's file systems must cover before the guest's own
#: figure of what it has written is used as the data to copy (Ubuntu's default leaves
#: half of the volume group free, common layouts with swap cover about 85 %).
GUEST_COVERAGE_MIN = 0.75

#: The figures a transfer estimate can rest on.
BASIS_GUEST = "guest partitions"
BASIS_IN_USE = {"rvtools": "VMware in-use", "rvtools-csv": "VMware in-use"}
BASIS_IN_USE_OTHER = "inventory in-use"
BASIS_IN_GUEST = " + in-guest volumes"
_TRANSFER = ("guest_written_gib", "guest_fs_coverage", "in_guest_gib", "used_gib")

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ()

FACTS: tuple[Fact, ...] = (
    Fact(
        "site_uplink_mbps",
        "Mbit/s",
        "Internet/WAN uplink of the server's site (profile).",
        ("site", "profile.sites.uplink_mbps"),
    ),
    Fact(
        "site_users",
        "count",
        "Office users at the server's site (profile).",
        ("site", "profile.sites.users"),
    ),
    Fact(
        "site_has_location",
        "bool",
        "The server's site has a known location (profile).",
        ("site", "profile.sites.lat/lon/city"),
    ),
    Fact(
        "target_zone",
        "text",
        "Zone the estate moves to (profile target).",
        ("profile.target.zone",),
    ),
    Fact(
        "site_zone_km",
        "km",
        "Great-circle distance from the server's site to the target zone.",
        ("site", "profile.sites", "catalog.zones"),
    ),
    Fact(
        "rtt_ms",
        "ms",
        "Estimated round trip site <-> target zone: 2 x distance x route factor / 200 km/ms "
        "+ VPN overhead.",
        ("site_zone_km", "profile.migration.route_factor", "profile.migration.vpn_overhead_ms"),
    ),
    Fact(
        "nearest_zone",
        "text",
        "The provider's zone nearest to the server's site.",
        ("site", "catalog.zones"),
    ),
    Fact(
        "nearest_zone_rtt_ms",
        "ms",
        "Estimated round trip from the site to the nearest zone.",
        ("nearest_zone", "profile.migration"),
    ),
    Fact(
        "link_efficiency",
        "share",
        "Share of the uplink a bulk copy achieves (profile).",
        ("profile.migration.link_efficiency",),
    ),
    Fact(
        "transfer_gib",
        "GiB",
        "Data to copy for the server: what the guest has written on its virtual disks "
        "(partitions, each file system once) where its file systems cover at least 75 % of "
        "the disks, else the in-use figure of the inventory (VMware in-use); plus the data "
        "on volumes the guest mounts from outside its disks.",
        _TRANSFER,
    ),
    Fact(
        "transfer_basis",
        "text",
        "The figure transfer_gib rests on: 'guest partitions', 'VMware in-use' (or "
        "'inventory in-use' for other sources), with ' + in-guest volumes' where volumes "
        "outside the virtual disks add to it; unknown when nothing says.",
        _TRANSFER,
    ),
    Fact(
        "transfer_hours",
        "h",
        "Hours to copy the server's data (transfer_gib) over its site uplink at the link "
        "efficiency.",
        ("transfer_gib", "site_uplink_mbps", "link_efficiency"),
    ),
    Fact(
        "site_used_gib",
        "GiB",
        "Data to copy (transfer_gib) of all servers (not templates) at the same site.",
        ("transfer_gib", "site"),
    ),
    Fact("site_servers", "count", "Servers (not templates) at the same site.", ("site",)),
    Fact(
        "site_transfer_hours",
        "h",
        "Hours to seed all data of the server's site over its uplink at the link efficiency.",
        ("site_used_gib", "site_uplink_mbps", "link_efficiency"),
    ),
    Fact(
        "estate_used_gib",
        "GiB",
        "Data to copy (transfer_gib) of the whole estate (templates excluded).",
        ("transfer_gib",),
        "portfolio",
    ),
    Fact(
        "estate_transfer_basis",
        "text",
        "How many servers' data to copy rests on each figure ('600 guest partitions, "
        "28 VMware in-use, 4 with in-guest volumes'), and the data on volumes mounted from "
        "outside the guests' disks where there is any.",
        ("transfer_basis",),
        "portfolio",
    ),
    Fact(
        "estate_in_guest_gib",
        "GiB",
        "Data on volumes the guests mount from outside their virtual disks, estate-wide "
        "(templates excluded): copied separately, and part of the seeding.",
        ("in_guest_gib",),
        "portfolio",
    ),
    Fact(
        "estate_transfer_hours",
        "h",
        "Hours to seed the whole estate, sites copying in parallel over their own uplinks "
        "(the slowest site decides); unknown if any site with data has no uplink.",
        ("site_transfer_hours",),
        "portfolio",
    ),
    Fact(
        "estate_servers",
        "count",
        "Servers in the estate (templates excluded).",
        ("is_template",),
        "portfolio",
    ),
    Fact(
        "sites_without_location",
        "count",
        "Profile sites with no location.",
        ("profile.sites",),
        "portfolio",
    ),
    Fact(
        "servers_without_site",
        "count",
        "Servers (not templates) mapped to no site.",
        ("site",),
        "portfolio",
    ),
)


def hours_to_copy(gib: pd.Series | float, mbps: pd.Series | float, efficiency: float):
    """Copy time in hours of `gib` GiB over `mbps` Mbit/s at `efficiency` of line rate."""
    return gib * BITS_PER_GIB / (mbps * 1e6 * efficiency) / 3600


def rtt_ms(km: pd.Series | float, route_factor: float, overhead_ms: float, km_per_ms: float):
    """Round trip over fibre: there and back along a route `route_factor` times the distance."""
    return 2 * km * route_factor / km_per_ms + overhead_ms


def compute(ctx: FactContext) -> dict[str, object]:
    s = ctx.servers
    migration = ctx.profile.migration
    physics = ctx.catalog.network_physics
    km_per_ms = float(physics.fibre_km_per_ms)
    sites = _site_table(ctx)
    site = s["site"].astype("string")

    zone = ctx.catalog.zone(ctx.profile.target.zone)
    per_site = sites.assign(
        km=[
            _km(row.lat, row.lon, zone.lat, zone.lon, ctx) for row in sites.itertuples()
        ],  # sites are few: a loop over sites, not servers
    )
    nearest = [
        ctx.catalog.nearest_zone(row.lat, row.lon) if pd.notna(row.lat) else (None, np.nan)
        for row in sites.itertuples()
    ]
    per_site["nearest"] = [z.name if z is not None else pd.NA for z, _ in nearest]
    per_site["nearest_km"] = [km for _, km in nearest]
    per_site = per_site.set_index("name")

    def by_site(column: str, dtype: str) -> pd.Series:
        return (
            site.map(per_site[column]).astype(dtype)
            if len(per_site)
            else pd.Series(pd.NA, index=s.index, dtype=dtype)
        )

    out: dict[str, object] = {}
    out["site_uplink_mbps"] = by_site("uplink_mbps", "Float64")
    out["site_users"] = by_site("users", "Float64")
    out["site_has_location"] = by_site("lat", "Float64").notna().astype("boolean")
    out["target_zone"] = pd.Series(zone.name, index=s.index, dtype="string")
    out["site_zone_km"] = by_site("km", "Float64")
    out["rtt_ms"] = rtt_ms(
        out["site_zone_km"], migration.route_factor, migration.vpn_overhead_ms, km_per_ms
    ).round(1)
    out["nearest_zone"] = by_site("nearest", "string")
    out["nearest_zone_rtt_ms"] = rtt_ms(
        by_site("nearest_km", "Float64"),
        migration.route_factor,
        migration.vpn_overhead_ms,
        km_per_ms,
    ).round(1)
    eff = float(migration.link_efficiency)
    out["link_efficiency"] = pd.Series(eff, index=s.index, dtype="Float64")
    guest = guest_storage(ctx)
    used, basis = transfer_volume(ctx, guest)
    out["transfer_gib"] = used.round(2)
    out["transfer_basis"] = basis
    out["transfer_hours"] = hours_to_copy(used, out["site_uplink_mbps"], eff).round(2)

    live = ~s["is_template"].fillna(False).astype(bool)
    grouped = used[live].groupby(site[live])
    site_used = grouped.sum(min_count=1)
    site_unknown = used[live].isna().groupby(site[live]).any()
    site_used = site_used.mask(site_unknown.reindex(site_used.index, fill_value=False))
    out["site_used_gib"] = site.map(site_used).astype("Float64")
    out["site_servers"] = site.map(site[live].value_counts()).astype("Float64")
    out["site_transfer_hours"] = hours_to_copy(
        out["site_used_gib"], out["site_uplink_mbps"], eff
    ).round(2)

    ctx.portfolio["estate_used_gib"] = _sum_or_na(used[live])
    in_guest = guest["in_guest_gib"][live]
    ctx.portfolio["estate_in_guest_gib"] = round(float(in_guest.fillna(0).sum()), 1)
    summary = _basis_summary(basis[live])
    if summary and ctx.portfolio["estate_in_guest_gib"] > 0:
        summary += (
            f"; {ctx.portfolio['estate_in_guest_gib']:,.0f} GiB of it on volumes the guests "
            "mount from outside their disks"
        )
    ctx.portfolio["estate_transfer_basis"] = summary
    per_site_hours = out["site_transfer_hours"][live]
    ctx.portfolio["estate_transfer_hours"] = (
        None if per_site_hours.isna().any() or per_site_hours.empty else float(per_site_hours.max())
    )
    ctx.portfolio["estate_servers"] = int(live.sum())
    ctx.portfolio["sites_without_location"] = int(sites["lat"].isna().sum())
    ctx.portfolio["servers_without_site"] = int((site.isna() & live).sum())
    return out


def transfer_volume(ctx: FactContext, guest: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """GiB to copy per server and the figure it rests on (see the module docstring), from
    the guest's file systems laid onto its disks (`storage.guest_storage`)."""
    s = ctx.servers
    in_use = s["used_gib"].astype("Float64")
    in_guest = guest["in_guest_gib"]
    covered = (guest["coverage"] >= GUEST_COVERAGE_MIN).fillna(False).astype(bool)
    covered &= guest["written_gib"].notna()
    extra = in_guest.fillna(0.0)
    gib = in_use.where(~covered, guest["written_gib"]) + extra
    fmt = str(ctx.inventory.source.format)
    in_use_label = BASIS_IN_USE.get(fmt, BASIS_IN_USE_OTHER)
    label = np.where(covered, BASIS_GUEST, in_use_label)
    label = np.where(extra.gt(0).to_numpy(), np.char.add(label, BASIS_IN_GUEST), label)
    basis = pd.Series(label, index=s.index, dtype="string").where(gib.notna())
    return gib.astype("Float64"), basis


def _basis_summary(basis: pd.Series) -> str | None:
    """'600 guest partitions, 28 VMware in-use, 4 with in-guest volumes, 2 unknown'."""
    if basis.empty:
        return None
    plain = basis.str.replace(BASIS_IN_GUEST, "", regex=False)
    counts = plain.value_counts()
    parts = [f"{n:,} {name}" for name, n in counts.items()]
    with_guest = int(basis.str.endswith(BASIS_IN_GUEST).fillna(False).sum())
    if with_guest:
        parts.append(f"{with_guest:,} with in-guest volumes")
    unknown = int(basis.isna().sum())
    if unknown:
        parts.append(f"{unknown:,} unknown")
    return ", ".join(parts)


def _site_table(ctx: FactContext) -> pd.DataFrame:
    from advisor.profile import site_table

    table = site_table(ctx.profile)
    for col in ("name", "lat", "lon", "uplink_mbps", "users"):
        if col not in table:
            table[col] = pd.NA
    return table


def _km(lat, lon, zlat, zlon, ctx: FactContext) -> float:
    if pd.isna(lat) or pd.isna(lon):
        return np.nan
    from advisor.targets import great_circle_km

    return float(great_circle_km(float(lat), float(lon), float(zlat), float(zlon)))


def _sum_or_na(values: pd.Series) -> float | None:
    if values.empty or values.isna().any():
        return None
    return float(values.sum())
