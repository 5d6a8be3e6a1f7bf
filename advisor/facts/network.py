"""Network facts: layer-2 tricks the target cannot carry, NICs and networks, addresses
others depend on, clones that share addresses, and what each site's uplink gives its users.

Layer 2 on the target (domain-facts 1.9, the Exoscale connectivity handbook): a private
network is a classic layer-2 segment, but an instance may only send with the MAC address
the platform assigned, so manually set MACs, Windows NLB, VRRP-style virtual MACs, bridges
and layer-2 VPNs (a stretched VLAN) do not work. Evidence comes from the NIC table (MAC
type, MAC, network, IPs) and from the text customers write (role, application, notes,
custom attributes); a text match that is negated nearby ("keepalived never set up") does
not count.

A MAC is hand-set when the export says so (type 'manual', or VMware's static range
00:50:56:00-3F when the type is not exported; domain-facts 3.6) or when a VM carries a
physical card vendor's prefix (IEEE registry, `mac_vendors`): someone copied a physical
machine's address, the strong sign of a MAC-bound licence. A manual MAC inside VMware's own
blocks is the platform's doing, not a person's, where VMware Cloud Director manages the VM
(its names carry Cloud Director's UUID suffixes) or where a quarter of the estate's adapters
carry one (`_PLATFORM_SHARE`); the fact `manual_mac_discounted` says which and why.

Shared addresses: running Windows Server VMs that share a MAC on one network are an NLB
cluster; other VMs that share a MAC, or hold the same address as an adapter's only address
on one network, are clones (`duplicate_mac_with`, `duplicate_ip_with`); an address an
adapter holds on top of its own, shared with another VM on the same network, is a virtual
IP. A MAC or address held by more than `_MAX_COPIES` VMs on one network is a stand-in of
the export (an anonymiser's or a default), not evidence of anything.

Sites: per-user uplink, which sites' users reach a server (its own site plus sites its
notes name), the worst round trip among them, and estate-wide seeding and uplink gaps
(the bandwidth rules read these).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.facts.base import Fact, FactContext
from advisor.facts.mac_vendors import HYPERVISOR_OUIS, PHYSICAL_OUI_VENDOR, VMWARE_OUIS
from advisor.text import (
    arrow,
    first,
    found,
    member,
    mentioned,
    network_name,
    network_names,
    replace,
    search,
    short_list,
)

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
#: VMware's range for manually set (static) MACs (domain-facts 3.6).
_VMWARE_STATIC_MAC = r"^00:50:56:[0-3][0-9a-f]:"
#: MAC types as exports spell them: set by hand, or by vCenter / the host.
_MAC_TYPES = {"manual": "manual", "static": "manual", "assigned": "auto", "generated": "auto"}
#: Cloud Director names what it creates with its object's UUID: 'web01 (3f2a1c4e-...)' for
#: VMs, vApps, folders and resource pools (org VDCs); networks 'net-...-<uuid>' or
#: 'dvs.VCDVS<name>-<uuid>' (NSX-V backed org networks).
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_VCD_NAME = r"\(" + _UUID + r"\)"
_VCD_NETWORK = r"-" + _UUID + r"\s*$|^dvs\.vcdvs"
#: Share of the estate's adapters (with a known MAC) carrying a manual MAC in VMware's
#: blocks from which a platform, not a person, set them, when at least
#: `_PLATFORM_MIN_SERVERS` VMs do. People pin a MAC for one server at a time (a licence,
#: an NLB pair, a replica): the real 339-VM export has 2 manual MACs among 344 adapters
#: (0.6 %). Cloud Director, vRealize Automation or a replication product set hundreds: in
#: a provider vCenter run by Cloud Director 1,052 of 1,288 VMs (82 %) had them. A quarter
#: sits far from both.
_PLATFORM_SHARE = 0.25
_PLATFORM_MIN_SERVERS = 10
#: More VMs than this holding one MAC or one address on one network cannot all work: the
#: value is a stand-in of the export (the 100-VM RVTools subset carries 00:50:56:00:00:01
#: on 95 adapters and 10.0.1.2 on 25), not a cluster and not clones. Clones and NLB
#: clusters sharing a MAC come in pairs or small groups.
_MAX_COPIES = 4
_IPV4 = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"
#: Addresses that never identify a server: loopback, 'this network', link-local.
_NOT_A_HOST = r"^(?:127|0)\.|^169\.254\."
#: IPv4 ranges that are not globally routable (first, last address as integers): 'this
#: network' 0/8, RFC 1918 10/8, 172.16/12 and 192.168/16, CGNAT 100.64/10 (RFC 6598),
#: loopback 127/8, link-local 169.254/16, IETF protocol assignments 192.0.0/24,
#: documentation 192.0.2/24, 198.51.100/24 and 203.0.113/24 (RFC 5737), 6to4 relay
#: 192.88.99/24, benchmarking 198.18/15 (RFC 2544), multicast 224/4 and reserved 240/4
#: (IANA IPv4 special-purpose address registry, RFC 6890).
_NOT_GLOBAL = (
    ("0.0.0.0", 8),
    ("10.0.0.0", 8),
    ("100.64.0.0", 10),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
    ("172.16.0.0", 12),
    ("192.0.0.0", 24),
    ("192.0.2.0", 24),
    ("192.88.99.0", 24),
    ("192.168.0.0", 16),
    ("198.18.0.0", 15),
    ("198.51.100.0", 24),
    ("203.0.113.0", 24),
    ("224.0.0.0", 3),
)
#: A DHCP mention that is not a DHCP server.
_NOT_DHCP_SERVER = r"\bdhcp[ -]?(client|relay|helper|reservation|snooping)"
#: Words of a site name that say what kind of site it is, not where it is.
_GENERIC_SITE_WORDS = frozenset(
    "office offices sales site branch head headquarters main plant factory server room rooms "
    "data datacenter datacentre center centre campus building warehouse store shop remote "
    "home north south east west production colocation colo".split()
)
_LIST_MAX = 8

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts", "location")

FACTS: tuple[Fact, ...] = (
    Fact(
        "manual_mac",
        "bool",
        "A network adapter has a hand-set MAC address: MAC type 'manual' (or VMware's static "
        "range 00:50:56:00-3F when the type is not exported), unless the address lies in "
        "VMware's blocks and Cloud Director or a platform set it (manual_mac_discounted); or "
        "a VM's adapter carries a physical card vendor's prefix (physical_macs).",
        ("nics.mac_type", "nics.mac", "nics", "name", "folder", "resource_pool", "vapp"),
    ),
    Fact(
        "manual_mac_count",
        "count",
        "Network adapters with a hand-set MAC address.",
        ("nics.mac_type", "nics.mac"),
    ),
    Fact(
        "manual_macs",
        "text",
        "The hand-set MAC addresses (with the card vendor where the prefix is a physical one).",
        ("nics.mac",),
    ),
    Fact(
        "manual_mac_discounted",
        "text",
        "MACs the export calls manual that are not counted as hand-set, and why: in VMware's "
        "blocks (00:50:56, 00:0C:29, 00:05:69, 00:1C:14) and set by Cloud Director (the VM's "
        "names carry its UUIDs) or by a platform (a quarter or more of the estate's adapters "
        "carry such MACs).",
        ("nics.mac_type", "nics.mac", "name", "folder", "resource_pool", "vapp", "nics.network"),
    ),
    Fact(
        "physical_mac_vendor",
        "text",
        "Physical network-card vendors (IEEE registry) whose prefix a VM's MAC carries: a "
        "physical machine's address copied onto the VM, the sign of a MAC-bound licence. NA "
        "when none, or when the server is not known to be a VM.",
        ("nics.mac", "source.format", "hw_version"),
    ),
    Fact(
        "physical_macs",
        "text",
        "The MACs with a physical card vendor's prefix (see physical_mac_vendor).",
        ("nics.mac",),
    ),
    Fact(
        "nic_networks",
        "count",
        "Distinct networks the server's adapters connect to: port groups where exported, "
        "else /24 subnets of its IPv4 addresses (at most one per adapter); 1 for a single "
        "adapter. Adapters a running VM has disconnected do not count.",
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
        "IPv4 addresses an adapter holds on top of its own address that another server also "
        "holds on the same network (a cluster or virtual IP); disconnected adapters left out.",
        ("nics.ipv4", "nics.network", "nics.connected", "datacenter"),
    ),
    Fact(
        "duplicate_mac_with",
        "text",
        "Other servers (not templates) with the same MAC address, and the MAC: clones. NLB "
        "partners are not listed; a MAC held by more than four servers on one network is an "
        "export's placeholder and not listed either.",
        ("nics.mac", "nics.network", "datacenter", "power_state", "os_name"),
    ),
    Fact(
        "duplicate_ip_with",
        "text",
        "Other servers holding the same IPv4 address as an adapter's only address on the same "
        "network, with the address and network: a conflict or a clone, not a virtual IP.",
        ("nics.ipv4", "nics.network", "nics.connected", "datacenter"),
    ),
    Fact(
        "duplicate_address",
        "bool",
        "The server shares its MAC or an only address with another VM (duplicate_mac_with, "
        "duplicate_ip_with); unknown when neither its MACs nor its addresses are known.",
        ("nics.mac", "nics.ipv4", "nics"),
    ),
    Fact(
        "duplicate_address_with",
        "text",
        "The servers it shares a MAC or an address with, and what they share.",
        ("duplicate_mac_with", "duplicate_ip_with"),
    ),
    Fact(
        "nlb_member",
        "bool",
        "Windows Network Load Balancing: a Windows guest whose role, application or notes say "
        "NLB, or a running Windows Server VM sharing a MAC with another one on the same "
        "network. Unknown where that depends on an unknown guest OS.",
        ("role", "application", "annotation", "attr.*", "nics.mac", "nics.network", "os_name"),
    ),
    Fact(
        "virtual_ip",
        "bool",
        "A failover or virtual IP: notes say VRRP, keepalived, CARP, virtual/floating/cluster "
        "IP, or an adapter holds, on top of its own address, one another server holds too "
        "(shared_ipv4).",
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
        "public_ipv4",
        "text",
        "Globally routable IPv4 addresses of the server's adapters in use (else its primary "
        "IP), outside the public blocks the organisation numbers its internal network from: "
        "not RFC 1918, CGNAT 100.64/10, loopback, link-local, documentation, benchmarking, "
        "multicast or reserved ranges.",
        ("nics.ipv4", "nics.connected", "primary_ip"),
    ),
    Fact(
        "has_public_ipv4",
        "bool",
        "The server holds a globally routable IPv4 address the internet may reach it by "
        "(public_ipv4); unknown when no IPv4 address of it is known.",
        ("nics.ipv4", "nics.connected", "primary_ip", "nics"),
    ),
    Fact(
        "internal_public_ipv4",
        "text",
        "Public addresses of the server inside a block the organisation numbers its own "
        "network from (one /16 spread over 4 or more /24s in use by 16 or more servers).",
        ("nics.ipv4", "nics.connected", "primary_ip"),
    ),
    Fact(
        "public_ipv4_block_servers",
        "count",
        "Servers of the estate holding public addresses in the same /16 as this server's: "
        "hundreds mean the organisation numbers its own network from a public block.",
        ("public_ipv4",),
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
        "estate_internal_public_blocks",
        "text",
        "Public /16 blocks the estate numbers its internal network from, with their servers.",
        ("internal_public_ipv4",),
        "portfolio",
    ),
    Fact(
        "estate_internal_public_servers",
        "count",
        "Servers holding addresses of such internal public blocks.",
        ("internal_public_ipv4",),
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

    Keys and values become sorted integer codes (`pd.factorize`), so the sort and the
    dropping of repeated pairs are integer work, and each key's texts are joined by one
    concatenating reduce: no Python call per group, and a dozen NumPy steps instead of
    as many pandas ones (a dozen calls per run at 655 servers cost a fifth of the network
    facts)."""
    k = np.asarray(keys.to_numpy(), dtype=object)
    v = values.astype("string").to_numpy(dtype=object, na_value=None)
    ok = ~(pd.isna(k) | pd.isna(v))
    if not ok.any():
        return pd.Series(pd.NA, index=index, dtype="string")
    k_codes, k_names = pd.factorize(k[ok], sort=True)
    v_codes, v_texts = pd.factorize(v[ok], sort=True)
    order = np.lexsort((v_codes, k_codes))
    k_codes, v_codes = k_codes[order], v_codes[order]
    new = np.r_[True, (k_codes[1:] != k_codes[:-1]) | (v_codes[1:] != v_codes[:-1])]
    k_codes, v_codes = k_codes[new], v_codes[new]  # each (key, value) pair once
    starts = np.flatnonzero(np.r_[True, k_codes[1:] != k_codes[:-1]])
    total = np.diff(np.r_[starts, len(k_codes)])
    group_keys = np.asarray(k_names, dtype=object)[k_codes[starts]]
    texts = np.asarray(v_texts, dtype=object)[v_codes] + sep
    if limit:  # the first `limit` values of each key, then how many more
        rank = np.arange(len(k_codes)) - np.repeat(starts, total)
        texts = texts[rank < limit]
        starts = np.r_[0, np.cumsum(np.minimum(total, limit))[:-1]]
    joined = [t[: len(t) - len(sep)] for t in np.add.reduceat(texts, starts)]
    if limit:
        more = total - limit
        joined = [t + f" and {m} more" if m > 0 else t for t, m in zip(joined, more, strict=True)]
    out = pd.Series(joined, index=group_keys, dtype="string")
    return out.reindex(index).astype("string")


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    live = ~ctx.fact("is_template").fillna(False).astype(bool)
    out: dict[str, pd.Series] = {}
    nics = _nic_rows(ctx, live)
    ips = _ipv4_rows(nics)

    out.update(_mac_facts(ctx, nics))
    out.update(_network_facts(ctx, nics, ips))
    out.update(_shared_ipv4(ctx, ips))

    text = ctx.text("role", "application", "annotation") + " | " + ctx.attrs_text()
    text = replace(text, _NOT_DHCP_SERVER, r"dhcp_\1")
    said = {key: mentioned(text, PATTERNS[key]) for key in ("nlb", "virtual_ip", "multicast")}
    family = s["os_family"].astype("string").str.lower()
    # NLB is a Windows feature: notes that say NLB count on Windows guests only.
    said_nlb = said["nlb"].astype("boolean") & family.eq("windows").astype("boolean")
    nlb_by_mac, nlb_macs, clones = _shared_macs(ctx, nics)
    out["duplicate_mac_with"] = clones
    out.update(_duplicates(ctx, nics, ips, clones, out["duplicate_ip_with"]))
    out["nlb_member"] = said_nlb | nlb_by_mac
    out["virtual_ip"] = (said["virtual_ip"] | out["shared_ipv4"].notna()).astype("boolean")
    out["multicast_cluster"] = said["multicast"].astype("boolean")
    out["serves_dhcp"] = mentioned(text, PATTERNS["dhcp"]).astype("boolean")
    said["nlb"] = said_nlb.fillna(True).astype(bool)  # the evidence shows notes not ruled out
    out["layer2_evidence"] = _layer2_evidence(out, said, nlb_macs, text, idx)
    public = mentioned(text, PATTERNS["public_ip"])
    out["public_ip_dependency"] = public.astype("boolean")
    out["public_ip_evidence"] = first(text, PATTERNS["public_ip"]).where(public)
    out.update(_public_ipv4(ctx, ips, live))

    pn = ctx.catalog.private_network
    out["target_custom_mac_allowed"] = pd.Series(pn.custom_mac_allowed, index=idx, dtype="boolean")
    out["target_private_multicast"] = pd.Series(pn.multicast, index=idx, dtype="boolean")

    users = ctx.fact("site_users").astype("Float64")
    per_user = ctx.fact("site_uplink_mbps").astype("Float64") / users.mask(users <= 0)
    out["site_mbps_per_user"] = per_user.round(3)
    out.update(_served_sites(ctx))

    _portfolio(ctx, nics, ips, live, out)
    return out


# --- NICs -------------------------------------------------------------------------------


def _nic_rows(ctx: FactContext, live: pd.Series) -> pd.DataFrame:
    """NIC rows of known servers: a cleaned MAC (NA where missing, malformed or an export's
    stand-in) and MAC type, the network segment (datacenter and port group), the adapter,
    whether the server is live (not a template) and whether the adapter counts as in use."""
    nics = ctx.inventory.nics
    nics = nics[member(nics["server_id"], ctx.servers.index)].reset_index(drop=True)
    sid = nics["server_id"]
    pos = ctx.servers.index.get_indexer(sid)  # each NIC's server, looked up once

    def of_server(values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(pos), index=nics.index)

    kind = nics["mac_type"].astype("string").str.strip().str.lower()
    nics["type_l"] = kind.map(_MAC_TYPES).astype("string")
    nics["live"] = live.to_numpy(dtype=bool)[pos]
    place = of_server(ctx.servers["datacenter"].astype("string")).fillna("?")
    nics["segment"] = place + "|" + nics["network"].astype("string").fillna("?")
    mac = _clean_mac(nics["mac"])
    nics["mac_l"] = mac.mask(_crowded(mac, nics))
    key = nics["mac_l"].fillna(nics["network"].astype("string")).fillna("")
    nics["adapter"] = sid.astype("string") + "|" + key
    running = of_server(ctx.servers["power_state"].astype("string")).eq("on").fillna(False)
    # A powered-off VM reports its adapters as disconnected; only a running VM's state counts.
    unplugged = nics["connected"].eq(False).fillna(False) & running
    nics["in_use"] = ~unplugged.astype(bool)
    return nics


def _clean_mac(mac: pd.Series) -> pd.Series:
    """'aa:bb:cc:dd:ee:ff' from any usual spelling ('AA-BB-..', 'aabb.ccdd.eeff'); NA where
    missing or not a MAC, and for the all-zero and broadcast addresses."""
    digits = replace(mac.astype("string").str.strip().str.lower(), r"[:\-. ]", "")
    ok = search(digits, r"^[0-9a-f]{12}$") & ~search(digits, r"^(?:0{12}|f{12})$")
    spelled = replace(digits, r"^(..)(..)(..)(..)(..)(..)$", r"\1:\2:\3:\4:\5:\6")
    return spelled.where(ok).astype("string")


def _crowded(values: pd.Series, rows: pd.DataFrame) -> np.ndarray:
    """Rows whose value more than `_MAX_COPIES` live servers hold on one network segment:
    an export's stand-in, not an address anybody uses."""
    frame = pd.DataFrame({"v": values, "seg": rows["segment"], "sid": rows["server_id"]})
    frame = frame[rows["live"].to_numpy()].dropna().drop_duplicates()
    holders = frame.groupby(["v", "seg"])["sid"].size()
    crowded = holders[holders > _MAX_COPIES].index.get_level_values("v").unique()
    return member(values, crowded) if len(crowded) else np.zeros(len(values), dtype=bool)


def _is_vm(ctx: FactContext, nics: pd.DataFrame) -> pd.Series:
    """Servers known to be virtual machines: every row of an RVTools export, else a server
    with a virtual hardware version or an adapter in a hypervisor's MAC block."""
    idx = ctx.servers.index
    if ctx.inventory.source.format == "rvtools":
        return pd.Series(True, index=idx)
    hypervisor = nics.loc[member(nics["mac_l"].str[:8], HYPERVISOR_OUIS), "server_id"]
    return pd.Series(ctx.servers["hw_version"].notna().to_numpy() | member(idx, hypervisor), idx)


def _cloud_director(ctx: FactContext, nics: pd.DataFrame) -> pd.Series:
    """Per server, the first name that shows Cloud Director manages it (a UUID suffix on
    its VM, vApp, resource pool or folder name, or on a network it connects to); NA where
    none does."""
    s = ctx.servers
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    labels = (
        ("name", "VM"),
        ("vapp", "vApp"),
        ("resource_pool", "resource pool"),
        ("folder", "folder"),
    )
    for col, label in labels:  # a few columns, each searched over all servers at once
        if col in s:
            value = s[col].astype("string")
            out = out.fillna((label + " '" + value + "'").where(found(value, _VCD_NAME)))
    net = nics[search(nics["network"].astype("string"), _VCD_NETWORK)]
    net = net.drop_duplicates("server_id").set_index("server_id")["network"].astype("string")
    return out.fillna(("network '" + net + "'").reindex(s.index)).astype("string")


def _mac_facts(ctx: FactContext, nics: pd.DataFrame) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    sid = nics["server_id"]
    mac, kind = nics["mac_l"], nics["type_l"]
    oui = mac.str[:8]
    in_vmware_block = member(oui, VMWARE_OUIS)
    vendor = oui.map(PHYSICAL_OUI_VENDOR).astype("string")
    on_vm = sid.map(_is_vm(ctx, nics)).fillna(False).astype(bool).to_numpy()
    physical = vendor.notna().to_numpy(dtype=bool) & on_vm
    typed = kind.eq("manual").fillna(False).to_numpy(dtype=bool)
    claims = typed | (kind.isna().to_numpy() & search(mac, _VMWARE_STATIC_MAC))
    # The platform, not a person, set manual MACs in VMware's blocks: under Cloud Director,
    # or wherever a quarter of the estate's adapters carry one.
    platform_block = (in_vmware_block | mac.isna().to_numpy()) & ~physical
    vcd = _cloud_director(ctx, nics)
    by_vcd = claims & platform_block & member(sid, vcd.dropna().index)
    live = nics["live"].to_numpy()
    pattern = claims & in_vmware_block & live
    with_mac = int((mac.notna().to_numpy() & live).sum())
    share = pattern.sum() / with_mac if with_mac else 0.0
    n_servers = sid[pattern].nunique()
    widespread = share >= _PLATFORM_SHARE and n_servers >= _PLATFORM_MIN_SERVERS
    by_pattern = claims & platform_block & ~by_vcd & widespread
    discounted = by_vcd | by_pattern
    manual = (claims & ~discounted) | physical

    evidence = kind.notna() | mac.notna()
    count = pd.Series(manual).groupby(sid.to_numpy()).sum().reindex(idx)
    known = evidence.groupby(sid).any().reindex(idx, fill_value=False)
    no_nics = ctx.servers["nics"].astype("Float64").eq(0).fillna(False).astype(bool)
    count = count.astype("Float64").where(known, pd.NA)
    count = count.mask(no_nics & ~member(idx, sid), 0.0)

    shown = mac.where(~physical, mac + " (" + vendor + ")")
    sel = nics[manual]
    gone = nics[discounted]
    why = pd.Series(
        f"set by a platform: {int(pattern.sum()):,} of {with_mac:,} adapters "
        f"({share:.0%}) in the estate carry manual MACs in VMware's blocks",
        index=idx,
        dtype="string",
    )
    why = ("set by Cloud Director (" + vcd + ")").fillna(why)
    gone_macs = join_by(gone["server_id"], gone["mac_l"], idx).fillna("MAC type 'manual'")
    phys = nics[physical]
    return {
        "manual_mac": count.gt(0).astype("boolean"),
        "manual_mac_count": count,
        "manual_macs": join_by(sel["server_id"], shown[manual], idx),
        "manual_mac_discounted": (gone_macs + ": " + why).where(member(idx, gone["server_id"])),
        "physical_mac_vendor": join_by(phys["server_id"], vendor[physical], idx),
        "physical_macs": join_by(phys["server_id"], phys["mac_l"], idx),
    }


def _ipv4_rows(nics: pd.DataFrame) -> pd.DataFrame:
    """One row per (NIC row, IPv4 address) with its /24 and the NIC's segment, adapter and
    state; `host` is false for loopback, 'this network' and link-local addresses. The cells
    are split by pyarrow in one pass (several addresses per cell, any separator)."""
    cols = ["server_id", "network", "segment", "adapter", "live", "in_use"]
    cells = arrow(nics["ipv4"].astype("string"))
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    parts = pc.split_pattern_regex(cells, r"[,;\s]+")
    parent = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    ips = nics[cols].iloc[parent].reset_index(drop=True)
    flat = pc.list_flatten(parts).cast(pa.large_string())
    ips["ip"] = pd.Series(pd.arrays.ArrowStringArray(flat), dtype="string[pyarrow]")
    ips = ips[search(ips["ip"], _IPV4)].reset_index(drop=True)
    ips["host"] = ~search(ips["ip"], _NOT_A_HOST)
    ips["subnet"] = replace(ips["ip"], r"\.\d+$", ".0/24")
    return ips


def _network_facts(ctx: FactContext, nics: pd.DataFrame, ips: pd.DataFrame) -> dict[str, pd.Series]:
    idx = ctx.servers.index
    used = nics[nics["in_use"]]
    named = used[used["network"].notna()][["server_id", "network"]].drop_duplicates()
    by_name = named.groupby("server_id")["network"]
    ips = ips[ips["in_use"] & ips["host"]]
    by_subnet = ips[["server_id", "subnet"]].drop_duplicates().groupby("server_id")["subnet"]
    adapters = ctx.servers["nics"].astype("Float64")
    # Without port groups, /24s stand in for networks, but one adapter with addresses in
    # two subnets is still one leg: never more networks than adapters.
    subnets = by_subnet.nunique().reindex(idx).astype("Float64")
    subnets = subnets.mask(
        adapters.ge(1).fillna(False) & subnets.gt(adapters).fillna(False), adapters
    )
    count = by_name.nunique().reindex(idx).astype("Float64").fillna(subnets)
    # Names as people read them ('DMZ/Web', not 'DMZ%2fWeb-9a1e...'); counted raw above.
    names = join_by(named["server_id"], network_names(named["network"]), idx)
    names = names.fillna(join_by(ips["server_id"], ips["subnet"], idx))
    count = count.fillna(adapters.where(adapters <= 1))  # 0 or 1 adapter: that many networks
    return {"nic_networks": count, "nic_network_names": names}


def _shared_ipv4(ctx: FactContext, ips: pd.DataFrame) -> dict[str, pd.Series]:
    """Addresses several live servers hold on the same network of the same datacenter,
    from adapters in use (isolated lab copies reuse addresses on separate networks or in
    other datacenters; those do not count). Held by an adapter on top of an address of its
    own, it is a virtual or cluster IP (`shared_ipv4`); as an adapter's only address it is
    a conflict or a clone (`duplicate_ip_with`, unless an export's stand-in)."""
    idx = ctx.servers.index
    rows = ips[ips["live"] & ips["in_use"] & ips["host"]]
    rows = rows[["server_id", "adapter", "ip", "segment", "network"]].drop_duplicates()
    holders = rows.groupby(["ip", "segment"])["server_id"].transform("nunique")
    shared = holders.gt(1)
    own = rows["adapter"].map((~shared).groupby(rows["adapter"]).any()).astype(bool)
    virtual = rows[shared & own]
    dup = rows[shared & ~own & holders.le(_MAX_COPIES)]
    pairs = dup.merge(
        rows[["server_id", "ip", "segment"]], on=["ip", "segment"], suffixes=("", "_o")
    )
    pairs = pairs[pairs["server_id"] != pairs["server_id_o"]]
    other = pairs["server_id_o"].map(ctx.servers["name"]).astype("string")
    network = pairs["network"].astype("string").fillna("an unnamed network")
    label = other + " (" + pairs["ip"] + " on " + network + ")"
    return {
        "shared_ipv4": join_by(virtual["server_id"], virtual["ip"], idx),
        "duplicate_ip_with": join_by(pairs["server_id"], label, idx),
    }


def _duplicates(
    ctx: FactContext, nics: pd.DataFrame, ips: pd.DataFrame, macs: pd.Series, addresses: pd.Series
) -> dict[str, pd.Series]:
    """Whether the server shares a MAC or an only address with another VM, and with whom;
    known once any MAC or address of it is (stand-ins of the export do not count)."""
    idx = ctx.servers.index
    usable = ips[ips["host"] & ~_crowded(ips["ip"], ips)]
    seen = member(idx, nics.loc[nics["mac_l"].notna(), "server_id"]) | member(
        idx, usable["server_id"]
    )
    seen |= ctx.servers["nics"].astype("Float64").eq(0).fillna(False).to_numpy()
    found_any = macs.notna() | addresses.notna()
    text = ("MAC with " + macs).fillna("")
    ip_text = ("IP with " + addresses).fillna("")
    text = text.where(ip_text.eq(""), text.where(text.eq(""), text + "; ") + ip_text)
    return {
        "duplicate_address": found_any.astype("boolean").where(found_any | seen, pd.NA),
        "duplicate_address_with": text.mask(text.eq("")).astype("string"),
    }


def _shared_macs(ctx: FactContext, nics: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Live servers sharing a MAC. Running Windows Server VMs sharing one on the same
    network are an NLB cluster (unknown where a guest OS is unknown); any other pair are
    clones. Returns (NLB member, the NLB evidence, the clones and the MAC they share)."""
    s = ctx.servers
    idx = s.index
    rows = nics[nics["live"] & nics["mac_l"].notna()]
    rows = rows[["server_id", "mac_l", "segment", "network"]].drop_duplicates(
        ["server_id", "mac_l", "segment"]
    )
    rows = rows[rows.groupby("mac_l")["server_id"].transform("nunique").gt(1)]
    pairs = rows.merge(rows[["server_id", "mac_l", "segment"]], on="mac_l", suffixes=("", "_o"))
    pairs = pairs[pairs["server_id"] != pairs["server_id_o"]]
    running = s["power_state"].astype("string").eq("on").fillna(False).astype("boolean")
    family = s["os_family"].astype("string").str.lower().eq("windows").astype("boolean")
    os_name = s["os_name"].astype("string")
    server_os = pd.Series(found(os_name, r"\bserver\b"), index=idx).astype("boolean")
    windows_server = family & server_os.mask(os_name.isna())
    node = running & windows_server
    a = pairs["server_id"].map(node).astype("boolean").to_numpy()
    b = pairs["server_id_o"].map(node).astype("boolean").to_numpy()
    same = (pairs["segment"] == pairs["segment_o"]).to_numpy()
    nlb = (
        pd.array(a, dtype="boolean")
        & pd.array(b, dtype="boolean")
        & pd.array(same, dtype="boolean")
    )
    nlb = pd.Series(nlb, index=pairs.index)
    level = nlb.astype("Float64").fillna(0.5).groupby(pairs["server_id"].to_numpy()).max()
    member_ = level.reindex(idx).fillna(0.0)
    nlb_member = member_.eq(1.0).astype("boolean").mask(member_.eq(0.5))
    other = pairs["server_id_o"].map(s["name"]).astype("string")
    yes = nlb.fillna(False).to_numpy(dtype=bool)
    network = pairs["network"].astype("string").fillna("an unnamed network")
    nlb_text = "MAC " + pairs["mac_l"] + " shared with " + other + " on " + network
    clone_text = other + " (" + pairs["mac_l"] + ")"
    return (
        nlb_member,
        join_by(pairs["server_id"][yes], nlb_text[yes], idx),
        join_by(pairs["server_id"][~yes], clone_text[~yes], idx),
    )


#: A public /16 the organisation numbers its own network from, not a DMZ: its servers'
#: addresses spread over this many /24 subnets or more, with at least this many servers.
#: A DMZ or a hosted range sits in one or two /24s; an internal plan uses many.
ORG_BLOCK_SUBNETS = 4
ORG_BLOCK_SERVERS = 16


def _public_ipv4(ctx: FactContext, ips: pd.DataFrame, live: pd.Series) -> dict[str, pd.Series]:
    """Globally routable IPv4 addresses of adapters in use (the primary IP for servers
    whose adapters report none), split into those the internet reaches the server by and
    those of a public block the organisation numbers its internal network from (many /24s
    of one /16 in use inside the estate): the latter are one estate-wide decision, not a
    finding on every server."""
    s = ctx.servers
    idx = s.index
    rows = ips.loc[ips["in_use"], ["server_id", "ip"]]
    primary = s["primary_ip"].astype("string").str.strip()
    primary = primary[search(primary, _IPV4) & ~member(idx, rows["server_id"])]
    rows = pd.concat(
        [rows, pd.DataFrame({"server_id": primary.index, "ip": primary.to_numpy()})],
        ignore_index=True,
    ).drop_duplicates()
    value, valid = _ipv4_value(rows["ip"])
    rows = rows[valid]
    value = value[valid]
    public = rows[_is_global(value)].copy()
    public["block"] = value[_is_global(value)] >> 16
    public["subnet"] = value[_is_global(value)] >> 8
    known = (
        member(idx, rows["server_id"]) | s["nics"].astype("Float64").eq(0).fillna(False).to_numpy()
    )
    in_estate = public[public["server_id"].map(live).fillna(False).astype(bool).to_numpy()]
    per_block = in_estate.groupby("block").agg(
        servers=("server_id", "nunique"), subnets=("subnet", "nunique")
    )
    org = per_block[
        (per_block["subnets"] >= ORG_BLOCK_SUBNETS) & (per_block["servers"] >= ORG_BLOCK_SERVERS)
    ]
    internal = public["block"].isin(org.index).to_numpy()
    facing = public[~internal]
    holds = member(idx, facing["server_id"])
    has = pd.Series(holds, index=idx).astype("boolean").where(known, pd.NA)
    block_servers = (
        public["block"].map(per_block["servers"]).fillna(0).groupby(public["server_id"].to_numpy())
    ).max()
    blocks = [
        f"{b >> 8}.{b & 255}.0.0/16 ({n} servers)"
        for b, n in org["servers"].sort_values(ascending=False).items()
    ]
    ctx.portfolio["estate_internal_public_blocks"] = short_list(blocks, _LIST_MAX)
    inside = public[internal]
    live_inside = inside["server_id"].map(live).fillna(False).astype(bool).to_numpy()
    # No address known anywhere: the export cannot say how the network is numbered.
    ctx.portfolio["estate_internal_public_servers"] = (
        int(inside.loc[live_inside, "server_id"].nunique()) if len(rows) else None
    )
    return {
        "public_ipv4": join_by(facing["server_id"], facing["ip"], idx),
        "has_public_ipv4": has,
        "internal_public_ipv4": join_by(inside["server_id"], inside["ip"], idx),
        "public_ipv4_block_servers": block_servers.reindex(idx).astype("Float64"),
    }


def _ipv4_value(ip: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dotted IPv4 addresses as integers, and which are valid (every octet 0..255)."""
    if ip.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    got = pc.extract_regex(
        arrow(ip), r"^(?P<a>\d{1,3})\.(?P<b>\d{1,3})\.(?P<c>\d{1,3})\.(?P<d>\d{1,3})$"
    )
    octets = [
        pc.fill_null(pc.cast(pc.struct_field(got, [i]), pa.int64()), -1).to_numpy(
            zero_copy_only=False
        )
        for i in range(4)
    ]
    parts = np.column_stack(octets)
    valid = ((parts >= 0) & (parts <= 255)).all(axis=1)
    value = ((parts[:, 0] * 256 + parts[:, 1]) * 256 + parts[:, 2]) * 256 + parts[:, 3]
    return value, valid


def _is_global(value: np.ndarray) -> np.ndarray:
    """Addresses (as integers) outside every range that is not globally routable."""
    out = np.ones(len(value), dtype=bool)
    for network, bits in _NOT_GLOBAL:
        a, b, c, d = (int(x) for x in network.split("."))
        base = ((a * 256 + b) * 256 + c) * 256 + d
        out &= (value >> (32 - bits)) != (base >> (32 - bits))
    return out


def _layer2_evidence(
    out: dict[str, pd.Series],
    said: dict[str, pd.Series],
    nlb_macs: pd.Series,
    text: pd.Series,
    idx: pd.Index,
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
    add(nlb_macs.notna(), nlb_macs)
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
    ctx: FactContext,
    nics: pd.DataFrame,
    ips: pd.DataFrame,
    live: pd.Series,
    out: dict[str, pd.Series],
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
        subnets = ips[ips["live"] & ips["in_use"] & ips["host"]]
        networks = subnets["subnet"].unique().tolist()
    ctx.portfolio["estate_networks"] = len(networks) if networks else None
    shown = sorted({network_name(n) for n in networks})  # distinct names, a handful
    ctx.portfolio["estate_network_names"] = (
        short_list(shown, _LIST_MAX) or "none listed in the inventory"
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
