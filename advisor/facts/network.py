"""Network facts: layer-2 tricks the target cannot carry, NICs and networks, public
addresses others depend on, and what each site's uplink gives its users.

Layer 2 on the target (domain-facts 1.9, the Exoscale connectivity handbook): a private
network is a classic layer-2 segment, but an instance may only send with the MAC address
the platform assigned, so manually set MACs, Windows NLB, VRRP-style virtual MACs, bridges
and layer-2 VPNs (a stretched VLAN) do not work. Evidence comes from the NIC table (MAC
type, MAC, network, IPs) and from the text customers write (role, application, notes,
custom attributes); a text match that is negated nearby ("keepalived never set up") does
not count. VMware's static MAC range 00:50:56:00:00:00-00:50:56:3F:FF:FF (domain-facts
3.6) marks a manual MAC where the export has no MAC type.

Sites: per-user uplink, which sites' users reach a server (its own site plus sites its
notes name), the worst round trip among them, and estate-wide seeding and uplink gaps
(the bandwidth rules read these).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.text import first, member, mentioned, replace, search, short_list

#: Text evidence per fact (lower-case regex over role, application, notes, custom attributes).
PATTERNS = {
    "nlb": r"\bnlb\b|network load[- ]?balancing|\bwlbs\b",
    "virtual_ip": (
        r"\bvrrp\b|keepalived|\bu?carp\b|virtual ip|\bvip\b|floating ip|cluster ip|shared ip|"
        r"\bhsrp\b|\bexoip\b"
    ),
    "multicast": r"multicast|\bigmp\b",
    "dhcp": r"\bdhcp\b",  # 'DHCP client', 'DHCP relay' are taken out first (_NOT_DHCP_SERVER)
    "public_ip": (
        r"allow-?lists?|white-?lists?|\bnat(?:ed|ted)?\b|public ip|sip trunk|ip filter|"
        r"source ip|fixed (?:public )?ip|static public"
    ),
}
#: VMware's range for manually set (static) MACs.
_VMWARE_STATIC_MAC = r"^00[:-]50[:-]56[:-][0-3][0-9a-f]"
_IPV4 = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"
#: Addresses that never identify a server: loopback, 'this network', link-local.
_NOT_A_HOST = r"^(?:127|0)\.|^169\.254\."
#: A DHCP mention that is not a DHCP server.
_NOT_DHCP_SERVER = r"\bdhcp[ -]?(client|relay|helper|reservation|snooping)"
#: Words of a site name that say what kind of site it is, not where it is.
_GENERIC_SITE_WORDS = frozenset(
    "office offices sales site branch head headquarters main plant factory server room rooms "
    "data datacenter datacentre center centre campus building warehouse store shop remote "
    "home north south east west production colocation colo".split()
)
_LIST_MAX = 8

FACTS: tuple[Fact, ...] = (
    Fact(
        "manual_mac",
        "bool",
        "A network adapter uses a manually set MAC address (MAC type 'manual', or VMware's "
        "static range 00:50:56:00-3F when the type is not exported).",
        ("nics.mac_type", "nics.mac", "nics"),
    ),
    Fact(
        "manual_mac_count",
        "count",
        "Network adapters with a manually set MAC address.",
        ("nics.mac_type", "nics.mac"),
    ),
    Fact("manual_macs", "text", "The manually set MAC addresses.", ("nics.mac",)),
    Fact(
        "nic_networks",
        "count",
        "Distinct networks the server's adapters connect to: port groups where exported, "
        "else /24 subnets of its IPv4 addresses; 1 for a single adapter.",
        ("nics.network", "nics.ipv4", "nics.connected", "nics", "power_state"),
    ),
    Fact(
        "nic_network_names",
        "text",
        "The networks (port groups or /24 subnets).",
        ("nics.network", "nics.ipv4"),
    ),
    Fact(
        "shared_ipv4",
        "text",
        "IPv4 addresses the server holds that another server also holds (a cluster or virtual IP).",
        ("nics.ipv4",),
    ),
    Fact(
        "nlb_member",
        "bool",
        "Windows Network Load Balancing: role, application or notes say NLB, or the server "
        "shares a manual MAC address with another server.",
        ("role", "application", "annotation", "attr.*", "nics.mac"),
    ),
    Fact(
        "virtual_ip",
        "bool",
        "A failover or virtual IP: notes say VRRP, keepalived, CARP, virtual/floating/cluster "
        "IP, or an IPv4 address is held by several servers.",
        ("role", "application", "annotation", "attr.*", "nics.ipv4"),
    ),
    Fact(
        "multicast_cluster",
        "bool",
        "Role, application or notes say multicast or IGMP.",
        ("role", "application", "annotation", "attr.*"),
    ),
    Fact(
        "serves_dhcp",
        "bool",
        "Role, application or notes say the server hands out DHCP.",
        ("role", "application", "annotation", "attr.*"),
    ),
    Fact(
        "layer2_evidence",
        "text",
        "What was found about layer-2 dependencies (manual MAC, NLB, virtual IP, multicast).",
        ("manual_macs", "shared_ipv4", "role", "application", "annotation"),
    ),
    Fact(
        "public_ip_dependency",
        "bool",
        "Notes say others reach or allow the server by its public address: NAT, allow-lists, "
        "SIP trunk, fixed public IP.",
        ("role", "application", "annotation", "attr.*"),
    ),
    Fact(
        "public_ip_evidence",
        "text",
        "The words that showed the public-address dependency.",
        ("annotation", "application", "role", "attr.*"),
    ),
    Fact(
        "target_custom_mac_allowed",
        "bool",
        "The target's private networks accept a MAC the platform did not assign (catalog).",
        ("catalog.private_network.custom_mac_allowed",),
    ),
    Fact(
        "target_private_multicast",
        "bool",
        "The target's private networks carry multicast (catalog).",
        ("catalog.private_network.multicast",),
    ),
    Fact(
        "site_mbps_per_user",
        "Mbit/s",
        "Site uplink divided by the site's office users.",
        ("site_uplink_mbps", "site_users"),
    ),
    Fact(
        "served_sites",
        "text",
        "Sites whose users reach the server: its own site plus profile sites its notes or "
        "application name (by site name words or city).",
        ("site", "annotation", "application", "profile.sites"),
    ),
    Fact("served_sites_count", "count", "Number of served sites.", ("served_sites",)),
    Fact(
        "user_rtt_ms",
        "ms",
        "Worst estimated round trip to the target zone among the served sites.",
        ("served_sites", "rtt_ms", "profile.sites", "catalog.zones"),
    ),
    Fact(
        "estate_networks",
        "count",
        "Distinct networks (port groups, else /24 subnets) of the estate's servers.",
        ("nics.network", "nics.ipv4"),
        "portfolio",
    ),
    Fact(
        "estate_network_names",
        "text",
        "The estate's networks (first few).",
        ("nics.network", "nics.ipv4"),
        "portfolio",
    ),
    Fact(
        "target_layer2_stretch",
        "bool",
        "A layer-2 extension (stretched VLAN, bridge, layer-2 VPN) is possible on the target: "
        "only if its private networks accept foreign MACs (catalog).",
        ("catalog.private_network.custom_mac_allowed",),
        "portfolio",
    ),
    Fact(
        "target_managed_vpn",
        "bool",
        "The target offers a managed site-to-site VPN (else a gateway instance routes).",
        ("catalog.vpn.managed_site_to_site",),
        "portfolio",
    ),
    Fact(
        "servers_without_uplink",
        "count",
        "Servers (not templates) whose site has no uplink in the profile, or no site.",
        ("site_uplink_mbps", "is_template"),
        "portfolio",
    ),
    Fact(
        "sites_without_uplink_names",
        "text",
        "Sites (with servers or users) that have no uplink in the profile.",
        ("site", "profile.sites"),
        "portfolio",
    ),
    Fact(
        "seed_slowest_site",
        "text",
        "The site whose data takes longest to seed.",
        ("site_transfer_hours",),
        "portfolio",
    ),
    Fact(
        "site_seed_summary",
        "text",
        "Seeding hours, data and uplink per site.",
        ("site_transfer_hours", "site_used_gib", "site_uplink_mbps"),
        "portfolio",
    ),
)


def join_by(
    keys: pd.Series, values: pd.Series, index: pd.Index, sep: str = ", ", limit: int = 0
) -> pd.Series:
    """Distinct values per key, sorted and joined with `sep` ('a, b and 3 more' beyond
    `limit` values when a limit is given), reindexed to `index` (NA where a key has none).
    Vectorised: one sort and one concatenating reduce, no Python call per group."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.astype("string").to_numpy()})
    frame = frame.dropna().drop_duplicates().sort_values(["k", "v"], kind="stable")
    if frame.empty:
        return pd.Series(pd.NA, index=index, dtype="string")
    total = frame.groupby("k", sort=False)["v"].transform("size")
    if limit:
        frame = frame[frame.groupby("k", sort=False).cumcount().lt(limit).to_numpy()]
        total = total.loc[frame.index]
    k = frame["k"].to_numpy()
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    joined = np.add.reduceat((frame["v"] + sep).to_numpy(dtype=object), starts)
    out = pd.Series(joined, index=k[starts], dtype="string").str[: -len(sep)]
    more = total.to_numpy()[starts] - (limit or 0)
    if limit:
        out = out.mask(
            more > 0, out + " and " + pd.Series(more, index=out.index).astype(str) + " more"
        )
    return out.reindex(index).astype("string")


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    live = ~ctx.fact("is_template").fillna(False).astype(bool)
    out: dict[str, pd.Series] = {}
    nics = _nic_rows(ctx)

    out.update(_mac_facts(ctx, nics))
    out.update(_network_facts(ctx, nics))
    shared = _shared_ipv4(ctx, nics, live)
    out["shared_ipv4"] = shared

    text = ctx.text("role", "application", "annotation") + " | " + ctx.attrs_text()
    text = replace(text, _NOT_DHCP_SERVER, r"dhcp_\1")
    shares_manual_mac = _shared_manual_mac(nics, live, idx)
    said = {key: mentioned(text, PATTERNS[key]) for key in ("nlb", "virtual_ip", "multicast")}
    out["nlb_member"] = (said["nlb"] | shares_manual_mac).astype("boolean")
    out["virtual_ip"] = (said["virtual_ip"] | shared.notna()).astype("boolean")
    out["multicast_cluster"] = said["multicast"].astype("boolean")
    out["serves_dhcp"] = mentioned(text, PATTERNS["dhcp"]).astype("boolean")
    out["layer2_evidence"] = _layer2_evidence(out, said, text, idx)
    public = mentioned(text, PATTERNS["public_ip"])
    out["public_ip_dependency"] = public.astype("boolean")
    out["public_ip_evidence"] = first(text, PATTERNS["public_ip"]).where(public)

    pn = ctx.catalog.private_network
    out["target_custom_mac_allowed"] = pd.Series(pn.custom_mac_allowed, index=idx, dtype="boolean")
    out["target_private_multicast"] = pd.Series(pn.multicast, index=idx, dtype="boolean")

    users = ctx.fact("site_users").astype("Float64")
    per_user = ctx.fact("site_uplink_mbps").astype("Float64") / users.mask(users <= 0)
    out["site_mbps_per_user"] = per_user.round(3)
    out.update(_served_sites(ctx))

    _portfolio(ctx, nics, live, out)
    return out


# --- NICs -------------------------------------------------------------------------------


def _nic_rows(ctx: FactContext) -> pd.DataFrame:
    """NIC rows of known servers, with a cleaned MAC and the state that counts as in use."""
    nics = ctx.inventory.nics
    nics = nics[member(nics["server_id"], ctx.servers.index)].copy()
    nics["mac_l"] = nics["mac"].astype("string").str.strip().str.lower()
    nics["type_l"] = nics["mac_type"].astype("string").str.strip().str.lower()
    power = nics["server_id"].map(ctx.servers["power_state"]).astype("string")
    # A powered-off VM reports its adapters as disconnected; only a running VM's state counts.
    unplugged = nics["connected"].eq(False).fillna(False) & power.eq("on").fillna(False)
    nics["in_use"] = ~unplugged.astype(bool)
    return nics


def _mac_facts(ctx: FactContext, nics: pd.DataFrame) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    by_type = nics["type_l"].isin(["manual", "static"])
    by_range = nics["type_l"].isna() & search(nics["mac_l"], _VMWARE_STATIC_MAC)
    manual = (by_type | by_range).astype(bool)
    evidence = nics["type_l"].notna() | nics["mac_l"].notna()
    count = manual.groupby(nics["server_id"]).sum().reindex(idx)
    known = evidence.groupby(nics["server_id"]).any().reindex(idx, fill_value=False)
    no_nics = ctx.servers["nics"].astype("Float64").eq(0).fillna(False).astype(bool)
    has_rows = member(idx, nics["server_id"])
    count = count.astype("Float64").where(known, pd.NA)
    count = count.mask(no_nics & ~has_rows, 0.0)
    sel = nics.loc[manual]
    macs = join_by(sel["server_id"], sel["mac_l"], idx)
    return {
        "manual_mac": count.gt(0).astype("boolean"),
        "manual_mac_count": count,
        "manual_macs": macs,
    }


def _ipv4_rows(nics: pd.DataFrame) -> pd.DataFrame:
    """One row per (NIC row, IPv4 address) with its /24, link-local and loopback left out."""
    ips = nics[["server_id", "network", "ipv4", "in_use"]].copy()
    ips["ip"] = ips["ipv4"].astype("string").str.split(r"[,; \t\r\n]+")
    ips = ips.explode("ip").reset_index(drop=True)
    ips["ip"] = ips["ip"].astype("string").str.strip()
    ips = ips[search(ips["ip"], _IPV4) & ~search(ips["ip"], _NOT_A_HOST)].copy()
    ips["subnet"] = replace(ips["ip"], r"\.\d+$", ".0/24")
    return ips


def _network_facts(ctx: FactContext, nics: pd.DataFrame) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    used = nics[nics["in_use"]]
    named = used[used["network"].notna()][["server_id", "network"]].drop_duplicates()
    by_name = named.groupby("server_id")["network"]
    ips = _ipv4_rows(used)
    by_subnet = ips[["server_id", "subnet"]].drop_duplicates().groupby("server_id")["subnet"]
    count = by_name.nunique().reindex(idx).astype("Float64")
    count = count.fillna(by_subnet.nunique().reindex(idx).astype("Float64"))
    names = join_by(named["server_id"], named["network"], idx)
    names = names.fillna(join_by(ips["server_id"], ips["subnet"], idx))
    adapters = ctx.servers["nics"].astype("Float64")
    count = count.fillna(adapters.where(adapters <= 1))  # 0 or 1 adapter: that many networks
    return {"nic_networks": count, "nic_network_names": names}


def _shared_ipv4(ctx: FactContext, nics: pd.DataFrame, live: pd.Series) -> pd.Series:
    """Addresses held by several servers on the same network of the same datacenter, on
    top of an address of their own (a virtual or cluster IP). Isolated lab copies reuse
    addresses on separate networks or in other datacenters; those do not count."""
    idx = live.index
    ips = _ipv4_rows(nics)
    ips = ips[ips["server_id"].map(live).fillna(False).astype(bool)]
    place = ips["server_id"].map(ctx.servers["datacenter"]).astype("string").fillna("?")
    ips["segment"] = place + "|" + ips["network"].astype("string").fillna("?")
    pairs = ips[["server_id", "ip", "segment"]].drop_duplicates()
    holders = pairs.groupby(["ip", "segment"])["server_id"].transform("nunique")
    is_shared = holders.gt(1)
    # A virtual IP comes on top of the node's own address; servers that hold nothing but
    # the same address (placeholders, anonymised exports, stale copies) are not a cluster.
    own = (~is_shared).groupby(pairs["server_id"]).any()
    shared = pairs[is_shared & pairs["server_id"].map(own).fillna(False).astype(bool)]
    return join_by(shared["server_id"], shared["ip"], idx)


def _shared_manual_mac(nics: pd.DataFrame, live: pd.Series, idx: pd.Index) -> pd.Series:
    manual = nics[nics["type_l"].isin(["manual", "static"]) & nics["mac_l"].notna()]
    manual = manual[manual["server_id"].map(live).fillna(False).astype(bool)]
    pairs = manual[["server_id", "mac_l"]].drop_duplicates()
    holders = pairs.groupby("mac_l")["server_id"].nunique()
    sharing = pairs.loc[pairs["mac_l"].map(holders).gt(1), "server_id"]
    return pd.Series(member(idx, sharing), index=idx)


def _layer2_evidence(
    out: dict[str, pd.Series], said: dict[str, pd.Series], text: pd.Series, idx: pd.Index
) -> pd.Series:
    """What makes the server depend on layer 2: its NIC facts and the notes that mention
    NLB, a virtual IP or multicast (`said`, already searched for the flags)."""
    ev = pd.Series("", index=idx, dtype="string")

    def add(mask: pd.Series, label: pd.Series | str) -> None:
        nonlocal ev
        mask = mask.fillna(False).astype(bool)
        part = label if isinstance(label, str) else label.fillna("")
        ev = ev.mask(mask, ev.where(ev.eq(""), ev + "; ") + part)

    add(out["manual_mac"], "manual MAC " + out["manual_macs"].fillna(""))
    add(out["shared_ipv4"].notna(), "IP shared with another server " + out["shared_ipv4"])
    for key, label in (("nlb", "NLB"), ("virtual_ip", "virtual IP"), ("multicast", "multicast")):
        words = first(text, PATTERNS[key])
        add(said[key], "notes: '" + words.fillna(label) + "'")
    return ev.mask(ev.eq(""))


# --- sites and users --------------------------------------------------------------------


def _site_rtts(ctx: FactContext) -> pd.DataFrame:
    """Every profile site with its match terms and estimated round trip to the target zone."""
    from advisor.facts.location import rtt_ms
    from advisor.targets import great_circle_km

    zone = ctx.catalog.zone(ctx.profile.target.zone)
    migration = ctx.profile.migration
    km_per_ms = float(ctx.catalog.network_physics.fibre_km_per_ms)
    rows = []
    for site in ctx.profile.sites:  # sites are few: a loop over sites, not servers
        words = set(re.findall(r"[a-zà-ÿ]{4,}", site.name.lower())) - _GENERIC_SITE_WORDS
        if site.city:
            words.add(site.city.lower())
        rtt = np.nan
        if site.lat is not None and site.lon is not None:
            km = great_circle_km(site.lat, site.lon, zone.lat, zone.lon)
            rtt = round(rtt_ms(km, migration.route_factor, migration.vpn_overhead_ms, km_per_ms), 1)
        rows.append({"name": site.name, "terms": sorted(words), "rtt": rtt})
    return pd.DataFrame(rows, columns=["name", "terms", "rtt"])


def _served_sites(ctx: FactContext) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    own = ctx.fact("site").astype("string")
    own_rtt = ctx.fact("rtt_ms").astype("Float64")
    text = ctx.text("annotation", "application")
    names = own.copy()
    worst = own_rtt.copy()
    count = own.notna().astype("Float64")
    for site in _site_rtts(ctx).itertuples():
        if not site.terms:
            continue
        pattern = r"\b(?:" + "|".join(re.escape(t) for t in site.terms) + r")\b"
        hit = pd.Series(search(text, pattern), index=idx)
        hit &= own.ne(site.name).fillna(True).astype(bool)
        names = names.mask(hit, names.where(names.isna(), names + ", ").fillna("") + site.name)
        count = count.mask(hit, count + 1)
        if pd.notna(site.rtt):
            worst = worst.mask(hit & worst.notna() & (worst < site.rtt), site.rtt)
    return {
        "served_sites": names.astype("string"),
        "served_sites_count": count.mask(names.isna()).astype("Float64"),
        "user_rtt_ms": worst.round(1).reindex(idx),
    }


# --- estate -----------------------------------------------------------------------------


def _portfolio(
    ctx: FactContext, nics: pd.DataFrame, live: pd.Series, out: dict[str, pd.Series]
) -> None:
    in_estate = nics[nics["server_id"].map(live).fillna(False).astype(bool) & nics["in_use"]]
    # Port group names repeat across vCenter datacenters ('VM Network'): count per place.
    place = in_estate["server_id"].map(ctx.servers["datacenter"]).astype("string")
    named = pd.DataFrame({"network": in_estate["network"], "place": place})
    named = named.dropna(subset=["network"]).drop_duplicates()
    repeated = named["network"].duplicated(keep=False)
    labels = named["network"].where(~repeated, named["network"] + " @" + named["place"].fillna("?"))
    networks = labels.tolist()
    if not networks:
        networks = _ipv4_rows(in_estate)["subnet"].unique().tolist()
    ctx.portfolio["estate_networks"] = len(networks) if networks else None
    ctx.portfolio["estate_network_names"] = (
        short_list(sorted(map(str, networks)), _LIST_MAX) or "none listed in the inventory"
    )
    pn, vpn = ctx.catalog.private_network, ctx.catalog.vpn
    ctx.portfolio["target_layer2_stretch"] = pn.custom_mac_allowed
    ctx.portfolio["target_managed_vpn"] = vpn.managed_site_to_site

    site = ctx.fact("site").astype("string")
    uplink = ctx.fact("site_uplink_mbps")
    missing = live & uplink.isna()
    ctx.portfolio["servers_without_uplink"] = int(missing.sum())
    names = set(site[missing].dropna().unique())
    names |= {x.name for x in ctx.profile.sites if x.uplink_mbps is None and (x.users or 0) > 0}
    parts = sorted(names)
    unsited = int((missing & site.isna()).sum())
    if unsited:
        parts.append(f"{unsited} servers without a site")
    ctx.portfolio["sites_without_uplink_names"] = ", ".join(parts) if parts else None

    per_site = pd.DataFrame(
        {
            "site": site,
            "hours": ctx.fact("site_transfer_hours"),
            "gib": ctx.fact("site_used_gib"),
            "mbps": uplink,
        }
    )[live & site.notna()]
    per_site = per_site.groupby("site").first().sort_values("hours", ascending=False)
    known = per_site.dropna(subset=["hours"])
    ctx.portfolio["seed_slowest_site"] = str(known.index[0]) if len(known) else None
    summary = [
        f"{name} {r.hours:,.0f} h ({r.gib:,.0f} GiB over {r.mbps:,.0f} Mbit/s)"
        if pd.notna(r.hours)
        else f"{name} unknown"
        for name, r in per_site.iterrows()  # one row per site
    ]
    ctx.portfolio["site_seed_summary"] = "; ".join(summary) if summary else None
