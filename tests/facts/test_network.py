"""Network facts: hand-set and platform-set MACs, physical vendors' MACs, networks per
server, shared, duplicate and virtual IPs, NLB and clones, public addresses, multicast, DHCP,
public-address dependencies, per-user uplink, served sites and estate networks; and the
network rules' verdicts on named servers of the real RVTools exports."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.facts import identity, inventory_facts, location, network
from advisor.facts.base import FactContext
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile, load_profile, parse_profile
from advisor.text import mentioned

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


def build(servers, nics=(), *, profile=None, modules=(network,), fmt="rvtools"):
    """Facts of inventory_facts, identity, location and `modules` over hand-built tables
    (as if imported from a `fmt` file: every row of an RVTools export is a VM)."""
    rows = [{"is_template": False, "power_state": "on", **s} for s in servers]
    for s in rows:
        s.setdefault("id", s["name"])
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format=fmt),
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


WINDOWS_SERVER = {"os_name": "Microsoft Windows Server 2019 (64-bit)", "os_family": "windows"}
WINDOWS_DESKTOP = {"os_name": "Microsoft Windows 10 (64-bit)", "os_family": "windows"}
LINUX = {"os_name": "Red Hat Enterprise Linux 8 (64-bit)", "os_family": "linux"}


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


VCD_UUID = "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


def test_cloud_director_sets_manual_macs_in_vmware_blocks():
    """Cloud Director assigns every VM's MAC and RVTools reports the type as 'manual': on a
    provider vCenter that made NET001 fail on 1,052 of 1,288 VMs. A manual MAC in VMware's
    blocks on a VM Cloud Director manages (its names carry Cloud Director's UUIDs) is the
    platform's, not a person's; a hand-set address outside those blocks still counts."""
    ctx = build(
        [
            {"name": f"web01 ({VCD_UUID})"},
            {"name": "app01", "vapp": f"shop ({VCD_UUID})"},
            {"name": "db01", "resource_pool": f"OrgVDC-Gold ({VCD_UUID})"},
            {"name": "mq01", "folder": f"/DC/vm/shop ({VCD_UUID})"},
            {"name": "lb01"},
            {"name": "nlb01", "vapp": f"rds ({VCD_UUID})"},
            {"name": "own01"},
        ],
        [
            nic(f"web01 ({VCD_UUID})", mac="00:50:56:01:00:0a", mac_type="manual"),
            nic("app01", mac="00:50:56:01:00:0b", mac_type="manual"),
            nic("db01", mac="00:50:56:a1:00:0c", mac_type="manual"),
            nic("mq01", mac="00:0c:29:01:00:0d", mac_type="manual"),
            nic("lb01", f"net-shop-{VCD_UUID}", mac="00:50:56:01:00:0e", mac_type="manual"),
            nic("nlb01", mac="02:bf:0a:0a:1e:14", mac_type="manual"),
            nic("own01", mac="00:50:56:01:00:0f", mac_type="manual"),
        ],
    )
    f = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    for server in (f"web01 ({VCD_UUID})", "app01", "db01", "mq01", "lb01"):
        assert not f.loc[server, "manual_mac"], server
        assert f.loc[server, "manual_mac_count"] == 0
        assert "set by Cloud Director" in f.loc[server, "manual_mac_discounted"]
    assert f.loc["app01", "manual_mac_discounted"] == (
        f"00:50:56:01:00:0b: set by Cloud Director (vApp 'shop ({VCD_UUID})')"
    )
    assert f.loc["lb01", "manual_mac_discounted"].endswith(f"(network 'net-shop-{VCD_UUID}')")
    # A locally administered NLB address is not Cloud Director's: a person set it.
    assert f.loc["nlb01", "manual_mac"] and pd.isna(f.loc["nlb01", "manual_mac_discounted"])
    # Seven servers are too few to call the rest a platform's doing.
    assert f.loc["own01", "manual_mac"] and f.loc["own01", "manual_macs"] == "00:50:56:01:00:0f"


def _estate(manual: int, total: int):
    servers = [{"name": f"vm{i:02d}"} for i in range(total)]
    nics = [
        nic(
            f"vm{i:02d}",
            mac=f"00:50:56:0{i % 4}:00:{i:02x}" if i < manual else f"00:50:56:8{i % 8}:10:{i:02x}",
            mac_type="manual" if i < manual else "assigned",
        )
        for i in range(total)
    ]
    return build(servers, nics).facts


def test_many_manual_vmware_macs_are_a_platforms_doing():
    """Without Cloud Director's names, a quarter of the estate's adapters with manual MACs
    in VMware's blocks (and at least ten VMs) means a platform set them."""
    f = _estate(manual=12, total=40)  # 30 %
    assert not f["manual_mac"].any()
    assert f.loc["vm00", "manual_mac_discounted"] == (
        "00:50:56:00:00:00: set by a platform: 12 of 40 adapters (30%) in the estate carry "
        "manual MACs in VMware's blocks"
    )
    few = _estate(manual=9, total=12)  # 75 %, but nine VMs could be pinned one by one
    assert few["manual_mac"].sum() == 9 and few["manual_mac_discounted"].isna().all()
    rare = _estate(manual=12, total=60)  # 20 %
    assert rare["manual_mac"].sum() == 12


def test_a_physical_vendors_mac_on_a_vm_is_hand_set():
    """A VM's adapter with a physical card maker's prefix (IEEE registry) carries an address
    copied from a physical machine: hand-set whatever the export's MAC type says, even
    under Cloud Director, and the evidence of a MAC-bound licence."""
    ctx = build(
        [
            {"name": "flexlm"},
            {"name": "cad", "vapp": f"eng ({VCD_UUID})"},
            {"name": "vms-emu"},
            {"name": "plain"},
        ],
        [
            nic("flexlm", mac="00-1B-21-3A-4C-5D", mac_type="manual"),
            nic("flexlm", "Backup", mac="00:50:56:81:00:01"),
            nic("cad", mac="0800.2012.3456", mac_type="assigned"),
            nic("vms-emu", mac="AA:00:04:00:4C:04", mac_type="manual"),
            nic("plain", mac="00:50:56:81:00:02"),
        ],
    )
    f = ctx.facts
    assert f.loc["flexlm", "physical_mac_vendor"] == "Intel"
    assert f.loc["flexlm", "physical_macs"] == "00:1b:21:3a:4c:5d"
    assert f.loc["flexlm", "manual_macs"] == "00:1b:21:3a:4c:5d (Intel)"
    assert f.loc["flexlm", "manual_mac_count"] == 1
    assert f.loc["cad", "manual_mac"] and f.loc["cad", "physical_mac_vendor"] == "Sun/Oracle"
    assert pd.isna(f.loc["cad", "manual_mac_discounted"])
    assert f.loc["vms-emu", "physical_mac_vendor"] == "Digital Equipment"  # DECnet address
    assert pd.isna(f.loc["plain", "physical_mac_vendor"]) and not f.loc["plain", "manual_mac"]


def test_a_physical_vendors_mac_on_a_server_not_known_to_be_a_vm():
    """An Azure Migrate or spreadsheet import may list physical servers, whose own cards
    carry their maker's prefix: that is no evidence unless the server is known to be a VM."""
    ctx = build(
        [{"name": "phys"}, {"name": "vm", "hw_version": 19}],
        [nic("phys", mac="00:1b:21:3a:4c:5d", mac_type=None), nic("vm", mac="00:1b:21:3a:4c:5e")],
        fmt="azure-migrate",
    )
    f = ctx.facts
    assert pd.isna(f.loc["phys", "physical_mac_vendor"]) and not f.loc["phys", "manual_mac"]
    assert f.loc["vm", "physical_mac_vendor"] == "Intel" and f.loc["vm", "manual_mac"]


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
            {"name": "secondary", "nics": 1},
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
            nic("secondary", None, "10.0.30.5, 10.0.31.5"),
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
    # One adapter with addresses in two /24s is one leg, not two networks.
    assert f.loc["secondary", "nic_networks"] == 1


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
    # Nothing but the same address: not a cluster but a conflict or a clone. (This test
    # used to call it an anonymised export and let it pass; a stand-in is held by many.)
    assert pd.isna(f.loc["anon1", "shared_ipv4"]) and not f.loc["anon1", "virtual_ip"]
    assert f.loc["anon1", "duplicate_ip_with"] == "anon2 (10.0.1.2 on LAN)"
    assert f.loc["anon1", "duplicate_address"]
    assert pd.isna(f.loc["lab1", "duplicate_ip_with"]) and not f.loc["lab1", "duplicate_address"]


def test_a_virtual_ip_sits_on_top_of_an_adapters_own_address():
    """A failover address is held on top of the adapter's own address, on adapters in use.
    An address on a disconnected adapter is not one; an address that is the only one of
    its adapter on two VMs is a clone's (lab benches: an own LAN leg plus a copied one)."""
    ctx = build(
        [
            {"name": "ka1", "datacenter": "DC1"},
            {"name": "ka2", "datacenter": "DC1"},
            {"name": "old1", "datacenter": "DC1"},
            {"name": "old2", "datacenter": "DC1"},
            {"name": "bench1", "datacenter": "DC1"},
            {"name": "bench2", "datacenter": "DC1"},
        ],
        [
            nic("ka1", "Web", "10.0.5.11, 10.0.5.10"),
            nic("ka2", "Web", "10.0.5.12, 10.0.5.10"),
            nic("old1", "Web", "10.0.5.21"),
            nic("old1", "Web", "10.0.5.30", connected=False),
            nic("old2", "Web", "10.0.5.22, 10.0.5.30"),
            nic("bench1", "LAN", "10.1.0.5", mac="00:50:56:81:00:01"),
            nic("bench1", "Bench", "10.196.12.1", mac="00:50:56:81:00:02"),
            nic("bench2", "LAN", "10.1.0.6", mac="00:50:56:81:00:03"),
            nic("bench2", "Bench", "10.196.12.1", mac="00:50:56:81:00:04"),
        ],
    )
    f = ctx.facts
    assert f.loc["ka1", "shared_ipv4"] == "10.0.5.10" and f.loc["ka1", "virtual_ip"]
    assert pd.isna(f.loc["old2", "shared_ipv4"]) and not f.loc["old2", "virtual_ip"]
    assert not f.loc["old1", "virtual_ip"] and pd.isna(f.loc["old1", "duplicate_ip_with"])
    assert not f.loc["bench1", "virtual_ip"]
    assert f.loc["bench1", "duplicate_ip_with"] == "bench2 (10.196.12.1 on Bench)"
    assert f.loc["bench2", "duplicate_address_with"] == "IP with bench1 (10.196.12.1 on Bench)"


def test_public_addresses():
    """Globally routable IPv4 on adapters in use (else the primary IP); RFC 1918, CGNAT,
    loopback, link-local, documentation, benchmarking and multicast ranges are not."""
    ctx = build(
        [
            {"name": "web", "nics": 1},
            {"name": "private", "nics": 3},
            {"name": "edges", "nics": 1},
            {"name": "unplugged", "nics": 2},
            {"name": "primary-only", "nics": 1, "primary_ip": "195.176.0.41"},
            {"name": "apipa", "nics": 1},
            {"name": "silent", "nics": 1},
            {"name": "none", "nics": 0},
            {"name": "block1", "nics": 1},
            {"name": "block2", "nics": 1},
        ],
        [
            nic("web", "DMZ", "193.5.12.40, 10.0.50.4"),
            nic("private", "A", "10.1.2.3, 172.16.0.1, 172.31.255.254"),
            nic("private", "B", "192.168.1.1, 100.64.0.1, 100.127.255.1"),
            nic("private", "C", "127.0.0.1, 192.0.2.1, 198.51.100.1, 203.0.113.1, 198.19.0.1"),
            nic("edges", "E", "172.32.0.1, 100.128.0.1, 224.0.0.5, 255.255.255.255"),
            nic("unplugged", "A", "10.0.0.9"),
            nic("unplugged", "B", "8.8.4.4", connected=False),
            nic("apipa", "A", "169.254.10.1"),
            nic("silent", "A"),
            nic("block1", "A", "131.101.215.35"),
            nic("block2", "B", "131.101.19.9"),
        ],
    )
    f = ctx.facts
    assert f.loc["web", "public_ipv4"] == "193.5.12.40" and f.loc["web", "has_public_ipv4"]
    assert f.loc["web", "public_ipv4_block_servers"] == 1
    assert not f.loc["private", "has_public_ipv4"] and pd.isna(f.loc["private", "public_ipv4"])
    assert f.loc["edges", "public_ipv4"] == "100.128.0.1, 172.32.0.1"
    assert not f.loc["unplugged", "has_public_ipv4"]  # on a disconnected adapter
    assert f.loc["primary-only", "public_ipv4"] == "195.176.0.41"
    assert not f.loc["apipa", "has_public_ipv4"]  # only a link-local address: none public
    assert pd.isna(f.loc["silent", "has_public_ipv4"]) and not f.loc["none", "has_public_ipv4"]
    assert f.loc["block1", "public_ipv4_block_servers"] == 2  # an own /16 numbers the LAN


def test_text_evidence_and_negation():
    ctx = build(
        [
            {"name": "nlb", "application": "RD Gateway (NLB)", **WINDOWS_SERVER},
            {
                "name": "wnlb",
                "annotation": "Windows Network Load Balancing, multicast mode",
                **WINDOWS_SERVER,
            },
            {"name": "linux-nlb", "annotation": "behind the NLB", **LINUX},
            {"name": "os-unknown-nlb", "annotation": "NLB node"},
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
    # NLB is a Windows feature: on a Linux guest the notes mean something else.
    assert not f.loc["linux-nlb", "nlb_member"]
    assert pd.isna(f.loc["os-unknown-nlb", "nlb_member"])
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


def test_nlb_needs_running_windows_servers_sharing_a_mac_on_one_network():
    """The old fact called any two servers sharing a manual MAC NLB members; on a Cloud
    Director estate cloned vApps share MACs, and half the 'NLB members' were Linux. NLB is
    running Windows Server VMs sharing a MAC on one port group; other sharers are clones."""
    shared = "02:bf:0a:0a:1e:14"
    ctx = build(
        [
            {"name": "n1", **WINDOWS_SERVER},
            {"name": "n2", **WINDOWS_SERVER},
            {"name": "lx1", **LINUX},
            {"name": "lx2", **LINUX},
            {"name": "vdi1", **WINDOWS_DESKTOP},
            {"name": "vdi2", **WINDOWS_DESKTOP},
            {"name": "apart1", **WINDOWS_SERVER},
            {"name": "apart2", **WINDOWS_SERVER},
            {"name": "up", **WINDOWS_SERVER},
            {"name": "down", "power_state": "off", **WINDOWS_SERVER},
            {"name": "os1", **WINDOWS_SERVER},
            {"name": "os2"},
            {"name": "tpl-src", **LINUX},
            {"name": "tpl", "is_template": True, **LINUX},
            {"name": "alone", **WINDOWS_SERVER},
        ],
        [
            nic("n1", "RDS", mac=shared, mac_type="manual"),
            nic("n2", "RDS", mac=shared, mac_type="manual"),
            nic("lx1", "App", mac="00:50:56:01:00:0a", mac_type="manual"),
            nic("lx2", "App", mac="00:50:56:01:00:0a", mac_type="manual"),
            nic("vdi1", "VDI", mac="00:50:56:aa:00:01"),
            nic("vdi2", "VDI", mac="00:50:56:aa:00:01"),
            nic("apart1", "A", mac="00:50:56:01:00:0b", mac_type="manual"),
            nic("apart2", "B", mac="00:50:56:01:00:0b", mac_type="manual"),
            nic("up", "C", mac="00:50:56:01:00:0c", mac_type="manual"),
            nic("down", "C", mac="00:50:56:01:00:0c", mac_type="manual", connected=False),
            nic("os1", "D", mac="00:50:56:01:00:0d", mac_type="manual"),
            nic("os2", "D", mac="00:50:56:01:00:0d", mac_type="manual"),
            nic("tpl-src", "E", mac="00:50:56:aa:00:02"),
            nic("tpl", "E", mac="00:50:56:aa:00:02"),
            nic("alone", "F", mac="00:50:56:aa:00:03"),
        ],
    )
    f = ctx.facts
    assert f.loc["n1", "nlb_member"] and f.loc["n2", "nlb_member"]
    assert f.loc["n1", "layer2_evidence"] == (
        "manual MAC 02:bf:0a:0a:1e:14; MAC 02:bf:0a:0a:1e:14 shared with n2 on RDS"
    )
    assert pd.isna(f.loc["n1", "duplicate_mac_with"])  # NLB partners are not clones
    clones = {
        "lx1": "lx2 (00:50:56:01:00:0a)",
        "vdi1": "vdi2 (00:50:56:aa:00:01)",  # Windows 10 has no NLB
        "apart1": "apart2 (00:50:56:01:00:0b)",  # different port groups
        "up": "down (00:50:56:01:00:0c)",  # one of them is off
        "os1": "os2 (00:50:56:01:00:0d)",
    }
    for server, partner in clones.items():
        assert f.loc[server, "duplicate_mac_with"] == partner, server
        assert f.loc[server, "duplicate_address_with"] == "MAC with " + partner
        assert f.loc[server, "duplicate_address"], server
    for server in ("lx1", "vdi1", "apart1", "up", "down"):
        assert not f.loc[server, "nlb_member"], server
    # Two running servers on one network, one guest OS unknown: NLB cannot be ruled out.
    assert pd.isna(f.loc["os1", "nlb_member"]) and pd.isna(f.loc["os2", "nlb_member"])
    # A template's MAC on a live VM: the template does not move.
    assert pd.isna(f.loc["tpl-src", "duplicate_mac_with"])
    assert not f.loc["tpl-src", "duplicate_address"] and not f.loc["alone", "duplicate_address"]


def test_a_mac_or_address_many_vms_hold_is_a_placeholder():
    """The 100-VM RVTools subset carries 00:50:56:00:00:01 on 95 adapters, 10.0.1.2 on 25,
    and adapter classes in the MAC type column: none of that is evidence of anything."""
    names = [f"vm{i}" for i in range(6)]
    ctx = build(
        [{"name": n, **LINUX} for n in names],
        [
            nic(n, "VM Network", "10.0.1.2", mac="00:50:56:00:00:01", mac_type="VirtualVmxnet3")
            for n in names
        ],
    )
    f = ctx.facts
    assert f["duplicate_mac_with"].isna().all() and f["duplicate_ip_with"].isna().all()
    assert f["duplicate_address"].isna().all()  # neither the MAC nor the address tells
    assert f["manual_mac"].isna().all()  # an unknown MAC type and a stand-in MAC
    assert not f["nlb_member"].any() and f["shared_ipv4"].isna().all()


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


# --- real exports -----------------------------------------------------------------------


def network_rules():
    """The network rules alone: verdicts here depend on no other area's rule files."""
    from advisor.engine.assess import fact_scopes
    from advisor.engine.rules import load_rule
    from advisor.resources import data_path

    folder = data_path("rules") / "network"
    return [load_rule(path, fact_scopes()) for path in sorted(folder.glob("*.yaml"))]


@pytest.fixture(scope="module")
def real(corpus):
    """Per real RVTools file: the network rules' verdicts and the facts, by server name."""
    from advisor.engine.assess import assess

    rules = network_rules()
    out = {}
    for name in (
        "rvtools-4.6.1-anon-339vms.xlsx",
        "rvtools-4.6.1-anon-655vms.xlsx",
        "rvtools-subset-100vms.xlsx",
    ):
        a = assess(load_inventory(corpus / name), default_profile(), rules=rules)
        names = a.servers["name"].reindex(a.evaluation.status.index).to_numpy()
        status = a.evaluation.status.set_axis(names)
        facts = a.facts.reindex(a.evaluation.status.index).set_axis(names)
        out[name] = (status[~status.index.duplicated()], facts[~facts.index.duplicated()])
    return out


def test_real_hand_set_macs(real):
    """339-VM export: two manual MACs among 344 adapters and no Cloud Director, so both
    count. sarekdr-axp runs an Alpha emulator whose adapter carries a DECnet address
    (AA:00:04, Digital Equipment in the IEEE registry): the physical vendor's evidence."""
    status, facts = real["rvtools-4.6.1-anon-339vms.xlsx"]
    assert set(status.index[status["NET001"] == "fail"]) == {"sarekdr-axp", "Bluejackets-dr"}
    axp = facts.loc["sarekdr-axp"]
    assert axp.physical_mac_vendor == "Digital Equipment"
    assert axp.physical_macs == "aa:00:04:00:4c:04"
    assert facts.loc["Bluejackets-dr", "manual_macs"] == "00:50:56:81:49:3e"
    assert pd.isna(facts.loc["Bluejackets-dr", "physical_mac_vendor"])
    assert facts["manual_mac_discounted"].isna().all()


def test_real_clones_are_not_clusters(real):
    """655-VM export: two VDI desktops hold 10.181.132.41 as their only address on 'VM
    Network' (a clone or a conflict, not a virtual IP); lab benches such as 12elf-ah and
    elf12 reuse 10.196.12.1 but in different datacenters; sonawan-W10-VDI's MAC twin is a
    template. No NLB anywhere."""
    status, facts = real["rvtools-4.6.1-anon-655vms.xlsx"]
    for vdi, twin in (
        ("hyattc-UB22-VDI", "nickersm-ub22-vdi"),
        ("nickersm-ub22-vdi", "hyattc-UB22-VDI"),
    ):
        assert status.loc[vdi, "NET010"] == "fail"
        assert status.loc[vdi, "NET003"] == "pass"
        assert facts.loc[vdi, "duplicate_ip_with"] == f"{twin} (10.181.132.41 on VM Network)"
    assert set(status.index[status["NET010"] == "fail"]) == {"hyattc-UB22-VDI", "nickersm-ub22-vdi"}
    assert status.loc["12elf-ah", "NET010"] == status.loc["sonawan-W10-VDI", "NET010"] == "pass"
    assert (status["NET002"] == "pass").all() and (status["NET003"] == "pass").all()


def test_real_multi_homed_lab_benches(real):
    """NET005 fails on 45 % of the 655-VM export, and rightly: the lab benches ('NNelfNN')
    run with two connected adapters on two port groups, each with an address (a LAN leg
    and a bench leg on 'VM Trunk 196'). Disconnected adapters of running VMs and the same
    port group twice already do not count."""
    status, facts = real["rvtools-4.6.1-anon-655vms.xlsx"]
    assert status.loc["100elf77", "NET005"] == "fail"
    assert facts.loc["100elf77", "nic_network_names"] == "VM Trunk 108, VM Trunk 196"
    assert status.loc["sundama-W10-VDI", "NET005"] == "pass"


def test_real_public_addresses(real):
    """The 339-VM estate numbers much of its network from one public /16 (131.101/16, spread
    over many /24s): that is an internal addressing plan, one estate-wide decision (NET011),
    not a public address on every server. Servers with only private addresses pass; servers
    whose addresses are unknown stay unknown."""
    status, facts = real["rvtools-4.6.1-anon-339vms.xlsx"]
    assert status.loc["AHGate", "NET009"] == "pass"
    assert facts.loc["AHGate", "internal_public_ipv4"] == "131.101.215.84"
    assert pd.isna(facts.loc["AHGate", "public_ipv4"])
    assert facts.loc["AHGate", "public_ipv4_block_servers"] == 136
    assert status.loc["barrage", "NET009"] == status.loc["hclpower", "NET009"] == "pass"
    assert (status["NET009"] == "unknown").any()


def test_a_dmz_keeps_its_public_addresses_while_an_internal_block_is_one_decision():
    """Two servers in one public /24 are internet-facing; twenty servers spread over five /24s
    of another /16 are the organisation's own numbering."""
    dmz = [{"name": f"dmz{i}", "primary_ip": f"193.5.12.{40 + i}"} for i in range(2)]
    inside = [
        {"name": f"int{i:02d}", "primary_ip": f"131.101.{10 + i % 5}.{20 + i}"} for i in range(20)
    ]
    ctx = build(dmz + inside)
    facts = ctx.facts.set_index(ctx.servers["name"].to_numpy())
    assert facts.loc["dmz0", "public_ipv4"] == "193.5.12.40"
    assert facts.loc["int03", "has_public_ipv4"] == False  # noqa: E712
    assert facts.loc["int03", "internal_public_ipv4"] == "131.101.13.23"
    assert ctx.portfolio["estate_internal_public_servers"] == 20
    assert ctx.portfolio["estate_internal_public_blocks"] == "131.101.0.0/16 (20 servers)"


def test_real_placeholder_macs(real):
    """The 100-VM subset has one MAC on 95 adapters and adapter classes as MAC types: the
    MAC rules cannot tell anything there, and nobody is called a clone."""
    status, _ = real["rvtools-subset-100vms.xlsx"]
    assert (status["NET001"] == "unknown").all()
    assert not (status["NET010"] == "fail").any() and (status["NET002"] == "pass").all()
