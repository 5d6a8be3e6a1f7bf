"""Network facts: manual MACs, networks per server, shared and virtual IPs, NLB, multicast,
DHCP, public-address dependencies, per-user uplink, served sites and estate networks."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.facts import identity, inventory_facts, location, network
from advisor.facts.base import FactContext
from advisor.facts.text import mentioned
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile, load_profile, parse_profile

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")

SITES = {
    "target": {"provider": "exoscale", "zone": "ch-gva-2"},
    "sites": [
        {
            "name": "Basel HQ",
            "lat": 47.56,
            "lon": 7.59,
            "uplink_mbps": 100,
            "users": 250,
            "datacenters": ["DC-BSL"],
        },
        {
            "name": "Vienna sales office",
            "lat": 48.21,
            "lon": 16.37,
            "uplink_mbps": 20,
            "users": 40,
            "datacenters": ["DC-VIE"],
        },
        {"name": "Zurich office", "city": "Zurich", "users": 30},
    ],
}


def run(inv, prof, provider, modules) -> FactContext:
    """Compute `modules` in order over an inventory (the product's compute_facts)."""
    return run_modules(inv, modules, profile=prof, provider=provider, as_of=AS_OF)


def build(servers, nics=(), *, profile=None, modules=(network,)):
    """Facts of inventory_facts, identity, location and `modules` over hand-built tables."""
    rows = [{"is_template": False, "power_state": "on", **s} for s in servers]
    for s in rows:
        s.setdefault("id", s["name"])
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools"),
        nics=conform("nics", pd.DataFrame(list(nics))),
    )
    prof = parse_profile(profile) if profile is not None else default_profile()
    return run(inv, prof, None, (inventory_facts, identity, location, *modules))


def sample(folder, modules=(network,)):
    """Facts of the generated sample estate (RVTools flavour) with its profile."""
    inv = load_inventory(folder / "acme-rvtools.xlsx")
    prof = load_profile(folder / "acme-profile.yaml")
    ctx = run(inv, prof, None, (inventory_facts, identity, location, *modules))
    ctx.facts.index = ctx.servers["name"].astype(str).to_numpy()
    return ctx.facts


def nic(server, network="LAN", ipv4=None, mac=None, mac_type="assigned", connected=True):
    return {
        "server_id": server,
        "label": "Network adapter",
        "network": network,
        "ipv4": ipv4,
        "mac": mac,
        "mac_type": mac_type,
        "connected": connected,
    }


def test_declared_facts_are_returned():
    ctx = build([{"name": "a", "nics": 1}], [nic("a")])
    portfolio = {f.name for f in network.FACTS if f.scope == "portfolio"}
    assert portfolio == set(ctx.portfolio) - {
        f.name for f in location.FACTS if f.scope == "portfolio"
    }


def test_manual_mac_from_type_and_from_vmware_static_range():
    ctx = build(
        [
            {"name": "typed", "nics": 1},
            {"name": "range", "nics": 1},
            {"name": "generated", "nics": 1},
            {"name": "no-nic", "nics": 0},
            {"name": "unknown", "nics": 2},
            {"name": "no-evidence", "nics": 1},
        ],
        [
            nic("typed", mac="00:50:56:1a:2b:3c", mac_type="manual"),
            nic("range", mac="00:50:56:3e:10:21", mac_type=None),
            nic("generated", mac="00:50:56:86:c1:69", mac_type=None),
            nic("no-evidence", mac=None, mac_type=None),
        ],
    )
    f = ctx.facts
    assert f.loc["typed", "manual_mac"] and f.loc["typed", "manual_macs"] == "00:50:56:1a:2b:3c"
    assert f.loc["range", "manual_mac"]
    assert not f.loc["generated", "manual_mac"]
    assert not f.loc["no-nic", "manual_mac"] and f.loc["no-nic", "manual_mac_count"] == 0
    assert pd.isna(f.loc["unknown", "manual_mac"])
    assert pd.isna(f.loc["no-evidence", "manual_mac"])


def test_networks_by_port_group_else_subnet_and_disconnected_adapters():
    ctx = build(
        [
            {"name": "lb", "nics": 2},
            {"name": "csv", "nics": 2},
            {"name": "same-vlan", "nics": 2},
            {"name": "unplugged", "nics": 2},
            {"name": "off", "nics": 2, "power_state": "off"},
            {"name": "single", "nics": 1},
            {"name": "silent", "nics": 3},
        ],
        [
            nic("lb", "DMZ", "10.0.50.10"),
            nic("lb", "Servers", "10.0.20.10"),
            nic("csv", None, "10.0.10.40"),
            nic("csv", None, "10.0.100.40, 169.254.1.1"),
            nic("same-vlan", "RDS", "10.0.30.21"),
            nic("same-vlan", "RDS", "10.0.30.23"),
            nic("unplugged", "A"),
            nic("unplugged", "B", connected=False),
            nic("off", "A", connected=False),
            nic("off", "B", connected=False),
        ],
    )
    f = ctx.facts
    assert f.loc["lb", "nic_networks"] == 2
    assert f.loc["lb", "nic_network_names"] == "DMZ, Servers"
    assert f.loc["csv", "nic_networks"] == 2  # /24s; the link-local address does not count
    assert f.loc["same-vlan", "nic_networks"] == 1
    assert f.loc["unplugged", "nic_networks"] == 1
    assert f.loc["off", "nic_networks"] == 2  # a powered-off VM reports adapters unplugged
    assert f.loc["single", "nic_networks"] == 1
    assert pd.isna(f.loc["silent", "nic_networks"])


def test_shared_ip_needs_the_same_network_and_datacenter():
    ctx = build(
        [
            {"name": "gw1", "datacenter": "DC1"},
            {"name": "gw2", "datacenter": "DC1"},
            {"name": "lab1", "datacenter": "DC1"},
            {"name": "lab2", "datacenter": "DC2"},
            {"name": "tpl", "datacenter": "DC1", "is_template": True},
            {"name": "anon1", "datacenter": "DC1"},
            {"name": "anon2", "datacenter": "DC1"},
        ],
        [
            nic("gw1", "RDS", "10.0.30.21, 10.0.30.20"),
            nic("gw2", "RDS", "10.0.30.22, 10.0.30.20"),
            nic("lab1", "Lab", "10.9.9.1"),
            nic("lab2", "Lab", "10.9.9.1"),
            nic("tpl", "RDS", "10.0.30.20"),
            nic("anon1", "LAN", "10.0.1.2"),
            nic("anon2", "LAN", "10.0.1.2"),
        ],
    )
    f = ctx.facts
    assert f.loc["gw1", "shared_ipv4"] == "10.0.30.20"
    assert f.loc["gw1", "virtual_ip"] and f.loc["gw2", "virtual_ip"]
    assert pd.isna(f.loc["lab1", "shared_ipv4"]) and not f.loc["lab1", "virtual_ip"]
    assert pd.isna(f.loc["tpl", "shared_ipv4"])
    # Nothing but the same address: an anonymised export, not a cluster.
    assert pd.isna(f.loc["anon1", "shared_ipv4"]) and not f.loc["anon1", "virtual_ip"]


def test_text_evidence_and_negation():
    ctx = build(
        [
            {"name": "nlb", "application": "RD Gateway (NLB)"},
            {"name": "wnlb", "annotation": "Windows Network Load Balancing, multicast mode"},
            {"name": "ka", "annotation": "keepalived VRRP pair with lb2"},
            {
                "name": "no-ka",
                "annotation": "Single HAProxy. No standby (keepalived never set up).",
            },
            {"name": "mc", "annotation": "JGroups cluster discovery via multicast"},
            {"name": "dhcp", "annotation": "Domain controller (DNS, DHCP)"},
            {"name": "dhcp-client", "annotation": "gets its address as DHCP client"},
            {"name": "edi", "annotation": "EDI gateway. Partner IP allow-lists!"},
            {"name": "plain", "annotation": "Intranet web server"},
        ]
    )
    f = ctx.facts
    assert f.loc["nlb", "nlb_member"] and f.loc["wnlb", "nlb_member"]
    assert f.loc["wnlb", "multicast_cluster"]
    assert f.loc["ka", "virtual_ip"] and not f.loc["ka", "nlb_member"]
    assert not f.loc["no-ka", "virtual_ip"]
    assert f.loc["mc", "multicast_cluster"] and "multicast" in f.loc["mc", "layer2_evidence"]
    assert f.loc["dhcp", "serves_dhcp"] and not f.loc["dhcp-client", "serves_dhcp"]
    assert f.loc["edi", "public_ip_dependency"]
    assert f.loc["edi", "public_ip_evidence"] == "allow-lists"
    plain = f.loc["plain"]
    assert not (plain.nlb_member or plain.virtual_ip or plain.multicast_cluster)
    assert not plain.public_ip_dependency and pd.isna(plain.public_ip_evidence)


def test_servers_sharing_a_manual_mac_are_nlb_members():
    ctx = build(
        [{"name": "n1"}, {"name": "n2"}],
        [
            nic("n1", mac="02:bf:0a:0a:1e:14", mac_type="manual"),
            nic("n2", mac="02:bf:0a:0a:1e:14", mac_type="manual"),
        ],
    )
    assert ctx.facts["nlb_member"].all()


def test_mentioned_is_never_unknown():
    text = pd.Series(["vrrp", None, "no vrrp here"], dtype="string")
    got = mentioned(text, network.PATTERNS["virtual_ip"])
    assert got.tolist() == [True, False, False]


def test_target_facts_from_the_catalog():
    exo = build([{"name": "a"}]).facts
    scw = build([{"name": "a"}], profile={"target": {"provider": "scaleway", "zone": "fr-par-1"}})
    scw = scw.facts
    assert not exo.loc["a", "target_custom_mac_allowed"]
    assert exo.loc["a", "target_private_multicast"]
    assert pd.isna(scw.loc["a", "target_custom_mac_allowed"])


def test_sites_users_and_round_trips():
    ctx = build(
        [
            {
                "name": "bsl-rds-01",
                "datacenter": "DC-BSL",
                "annotation": "Session host for users in Basel, Vienna and Zurich",
            },
            {"name": "bsl-fs-01", "datacenter": "DC-BSL"},
            {"name": "vie-fs-01", "datacenter": "DC-VIE"},
            {"name": "lost", "annotation": "used in Vienna"},
        ],
        profile=SITES,
    )
    f = ctx.facts
    assert f.loc["bsl-fs-01", "site_mbps_per_user"] == pytest.approx(0.4)
    assert f.loc["vie-fs-01", "site_mbps_per_user"] == pytest.approx(0.5)
    rds = f.loc["bsl-rds-01"]
    assert rds.served_sites == "Basel HQ, Vienna sales office, Zurich office"
    assert rds.served_sites_count == 3
    assert rds.user_rtt_ms == pytest.approx(f.loc["vie-fs-01", "rtt_ms"])
    assert rds.user_rtt_ms > f.loc["bsl-fs-01", "user_rtt_ms"] == f.loc["bsl-fs-01", "rtt_ms"]
    # No own site: the worst round trip of its users cannot be known.
    assert pd.isna(f.loc["lost", "user_rtt_ms"])
    assert f.loc["lost", "served_sites"] == "Vienna sales office"


def test_estate_facts():
    ctx = build(
        [
            {"name": "a", "datacenter": "DC-BSL", "used_gib": 500},
            {"name": "b", "datacenter": "DC-VIE", "used_gib": 100},
            {"name": "c", "datacenter": "DC-BSL", "used_gib": 500},
            {"name": "nowhere", "used_gib": 10},
        ],
        [nic("a", "VM Network"), nic("b", "VM Network"), nic("c", "DMZ")],
        profile=SITES,
    )
    p = ctx.portfolio
    assert p["estate_networks"] == 3  # 'VM Network' of two datacenters are two networks
    assert "VM Network @DC-BSL" in p["estate_network_names"]
    assert p["target_layer2_stretch"] is False and p["target_managed_vpn"] is False
    assert p["servers_without_uplink"] == 1
    assert p["sites_without_uplink_names"] == "Zurich office, 1 servers without a site"
    assert p["seed_slowest_site"] == "Basel HQ"  # 1,000 GiB at 100 Mbit/s: 29.8 h
    assert p["site_seed_summary"] == (
        "Basel HQ 30 h (1,000 GiB over 100 Mbit/s); "
        "Vienna sales office 15 h (100 GiB over 20 Mbit/s)"
    )


def test_estate_without_nic_data():
    ctx = build([{"name": "a"}])
    assert ctx.portfolio["estate_networks"] is None
    assert ctx.portfolio["estate_network_names"] == "none listed in the inventory"


def test_sample_estate_planted_problems(generated_samples):
    f = sample(generated_samples)
    assert set(f.index[f.manual_mac.fillna(False).astype(bool)]) == {
        "bsl-cam-01",
        "bsl-rdgw-01",
        "bsl-rdgw-02",
    }
    assert set(f.index[f.nlb_member.astype(bool)]) == {"bsl-rdgw-01", "bsl-rdgw-02"}
    assert set(f.index[f.nic_networks.fillna(0) > 1]) == {
        "bsl-lb-01",
        "bsl-bkp-01",
        "bsl-sqlclu-01a",
        "bsl-sqlclu-01b",
    }
    assert not f.loc["bsl-lb-01", "virtual_ip"]  # "keepalived never set up"
    assert set(f.index[f.serves_dhcp.astype(bool)]) == {"bsl-dc-01", "brn-dc-01", "vie-dc-01"}
    assert f.loc["bsl-voip-01", "served_sites_count"] == 3
    assert f.loc["bsl-voip-01", "user_rtt_ms"] == f.loc["vie-fs-01", "rtt_ms"]
