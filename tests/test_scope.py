"""The scope stage: what is never migrated leaves the assessment with its reason, the
profile narrows the scope and names the segments, and every server read is accounted for."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import load_script

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile, parse_profile
from advisor.scope import decide_scope

SAMPLES = Path(__file__).resolve().parents[1] / "sample_inventories"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider estate (Cloud Director, three tenants) and its pattern manifest."""
    module = load_script(SAMPLES / "provider_estate.py", "provider_estate")
    path = module.generate(tmp_path_factory.mktemp("provider"))
    return load_inventory(path), module.PATTERNS


def _short(name: object) -> str:
    """'web01 (uuid)' and 'web01-3fa2' as the manifest writes them: the name itself."""
    return str(name)


def _inventory(servers: list[dict], disks: list[dict] = ()) -> Inventory:
    rows = [{"power_state": "on", "is_template": False, "vcpus": 2, "memory_gib": 4.0,
             "disk_count": 1, **s} for s in servers]  # fmt: skip
    for r in rows:
        r.setdefault("id", r["name"])
    src = Source(path="test", format="rvtools", servers_read=len(rows))
    return Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=src,
        disks=conform("disks", pd.DataFrame(list(disks))),
    )


def test_every_scope_pattern_of_the_provider_estate_is_left_out(provider):
    """Each VM the manifest lists as platform or placeholder is out of scope, with its
    category; nothing else is. The Veeam B&R server stays: a server that *runs* backup jobs
    may well be kept, while its proxies and appliances are today's infrastructure."""
    inv, patterns = provider
    scope = decide_scope(inv, default_profile())
    out = scope.excluded.set_index("name")
    expected = {n for n, p in patterns.items() if p.startswith("scope")}
    vcls = {n for n in inv.servers["name"] if str(n).startswith("vCLS-")}
    assert set(out.index) == expected | vcls
    categories = out["category"]
    assert categories["vc-prov01"] == "VMware infrastructure"
    assert categories["nsx-edge-01"] == "VMware infrastructure"
    assert categories["billing-app02"] == "SRM placeholder"
    assert categories["tpl-win2022-std"] == "template"
    assert categories["veeam-proxy-01"] == "backup infrastructure"
    assert "orion-app21" in out.loc["veeam-proxy-01", "reason"]  # the hot-added disk's owner
    assert categories["ave-01"] == "backup infrastructure"
    assert (categories[list(vcls)] == "vSphere agent").all()
    placeholders = [n for n in out.index if str(n).startswith("PRD-")]
    assert len(placeholders) == 2
    assert (categories[placeholders] == "placeholder without disks").all()
    reasons = out["reason"]
    assert reasons[next(n for n in out.index if n.startswith("orion-legacy05"))].startswith(
        "vCenter reports the VM as orphaned"
    )
    assert "veeam-vbr-01" not in out.index


def test_read_equals_in_scope_plus_out_of_scope_plus_rejected(provider):
    inv, _ = provider
    summary = decide_scope(inv, default_profile()).summary(inv)
    assert (
        summary["servers_read"]
        == summary["in_scope"] + summary["out_of_scope"] + summary["rejected"]
    )
    assert sum(summary["out_of_scope_by_category"].values()) == summary["out_of_scope"]


def test_broken_accounting_is_an_internal_error():
    inv = _inventory([{"name": "a"}])
    inv.source.servers_read = 5  # four servers vanished without a rejection
    with pytest.raises(RuntimeError, match="scope accounting"):
        decide_scope(inv, default_profile())


def test_out_of_scope_servers_get_no_facts_scores_or_effort(provider):
    inv, _ = provider
    a = assess(inv, default_profile())
    out = a.out_of_scope
    assert not set(out.index) & set(a.facts.index)
    assert not set(out.index) & set(a.evaluation.findings["server_id"])
    doc = a.to_json()
    left = [s for s in doc["servers"] if not s["scope"]["in_scope"]]
    assert len(left) == len(out)
    assert all(s["score"] is None and s["effort_hours"] is None for s in left)
    assert all(s["scope"]["reason"] for s in left)
    assert doc["summary"]["servers"] == len(a.facts)


def test_hot_added_disks_make_a_backup_proxy():
    """The proxy holds a disk from app01's folder; app01 itself and a VM with two disks of its
    own folder are workloads."""
    inv = _inventory(
        [{"name": "app01"}, {"name": "db01", "disk_count": 2}, {"name": "bk-07", "disk_count": 2}],
        [
            {"server_id": "app01", "label": "Hard disk 1", "path": "[ds1] app01/app01.vmdk"},
            {"server_id": "db01", "label": "Hard disk 1", "path": "[ds1] db01/db01.vmdk"},
            {"server_id": "db01", "label": "Hard disk 2", "path": "[ds2] db01/db01_1.vmdk"},
            {"server_id": "bk-07", "label": "Hard disk 1", "path": "[ds1] bk-07/bk-07.vmdk"},
            {"server_id": "bk-07", "label": "Hard disk 2", "path": "[ds1] app01/app01.vmdk"},
        ],
    )
    out = decide_scope(inv, default_profile()).excluded
    assert out.index.tolist() == ["bk-07"]
    assert out.loc["bk-07", "reason"].startswith("backup proxy: it has disks of other VMs")
    assert "app01" in out.loc["bk-07", "reason"]


@pytest.mark.parametrize(
    ("note", "out"),
    [
        ("VMware vCenter Server Appliance", True),
        ("NSX Manager 4.1", True),
        ("Rubrik Edge", True),
        ("Veeam Backup Proxy", True),
        ("Backups run via the Veeam proxy in Zurich", False),
        ("App server, monitored through vCenter Server alarms", False),
        ("home esxi host = canica", False),
    ],
)
def test_platform_appliances_by_their_notes(note, out):
    inv = _inventory([{"name": "x01", "annotation": note}])
    assert (len(decide_scope(inv, default_profile()).excluded) == 1) is out


def test_zero_sized_and_diskless_vms():
    inv = _inventory(
        [
            {"name": "nocpu", "vcpus": 0},
            {"name": "noram", "memory_gib": 0.0},
            {"name": "shell", "disk_count": 0, "provisioned_gib": 0.0},
            {"name": "unknown-disks", "disk_count": None},  # a sheet without a disk count
        ]
    )
    out = decide_scope(inv, default_profile()).excluded
    assert out["category"].to_dict() == {
        "nocpu": "invalid configuration",
        "noram": "invalid configuration",
        "shell": "placeholder without disks",
    }


def test_profile_include_and_exclude():
    inv = _inventory(
        [
            {"name": "a-web01", "folder": "Tenants/Acme", "attr.Cost Centre": "4711"},
            {"name": "a-lab01", "folder": "Tenants/Acme/Lab", "attr.Cost Centre": "lab"},
            {"name": "b-web01", "folder": "Tenants/Beta", "power_state": "off"},
        ]
    )
    profile = parse_profile(
        {
            "scope": {
                "include": [{"folder": "tenants/acme*"}],
                "exclude": [
                    {"attribute": {"cost centre": "LAB"}, "reason": "The lab is rebuilt"},
                    {"attribute": {"Owner": "*"}},
                ],
            }
        }
    )
    scope = decide_scope(inv, profile)
    out = scope.excluded
    assert list(scope.in_scope) == ["a-web01"]
    assert out.loc["a-lab01", "reason"] == "The lab is rebuilt"
    assert out.loc["b-web01", "reason"] == "outside the servers the profile includes"
    assert set(out["category"]) == {"excluded by the profile"}
    assert any("no custom attribute 'Owner'" in n for n in scope.notes)


def test_power_state_filter_and_default_reason():
    inv = _inventory([{"name": "on01"}, {"name": "off01", "power_state": "off"}])
    scope = decide_scope(inv, parse_profile({"scope": {"exclude": [{"power_state": "Off"}]}}))
    assert scope.excluded.loc["off01", "reason"] == "excluded by the profile (power off)"


def test_segments_by_folder_depth_and_by_attribute(provider):
    inv, _ = provider
    by_attr = decide_scope(inv, parse_profile({"segment_by": "attribute:tenant"}))
    segments = by_attr.table["segment"]
    assert {"Orion", "Vega", "Lyra"} <= set(segments)
    assert segments.notna().all()
    assert by_attr.segment_label == "attribute 'tenant'"
    small = _inventory(
        [
            {"name": "a", "folder": "/DC/vm/Acme/Web"},
            {"name": "b", "folder": "/DC/vm/Acme/DB"},
            {"name": "c", "folder": None},
        ]
    )
    by_folder = decide_scope(small, parse_profile({"segment_by": {"field": "folder", "depth": 3}}))
    assert by_folder.table["segment"].tolist() == ["DC/vm/Acme", "DC/vm/Acme", "(not set)"]


def test_real_exports_leave_out_templates_agents_and_appliances(corpus):
    """Named VMs of two real exports: vCLS agents, templates, a vCenter appliance and Rubrik
    appliances leave; the Nasuni filers and Palo Alto firewalls stay (vendor appliances are
    replatformed, not dropped)."""
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    out = decide_scope(inv, default_profile()).excluded.set_index("name")
    assert out["category"].value_counts().to_dict() == {
        "template": 44,
        "vSphere agent": 17,
        "backup infrastructure": 4,
    }
    assert out.loc["dayton-rubrik", "category"] == "backup infrastructure"
    assert "Drstrange" not in out.index and "AHGate" not in out.index
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-655vms.xlsx")
    out = decide_scope(inv, default_profile()).excluded.set_index("name")
    assert out.loc["nreng8-vcsa", "category"] == "VMware infrastructure"
    assert (out["category"] == "vSphere agent").sum() == 8
    inv = load_inventory(corpus / "rvtools-3.10.1-25tabs.xlsx")
    out = decide_scope(inv, default_profile()).excluded.set_index("name")
    assert out.loc["VCSA", "category"] == "VMware infrastructure"
