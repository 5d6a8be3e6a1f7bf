"""Verdicts on the provider estate (sample_inventories/provider_estate.py): each pattern that
sank real assessments, on named VMs, assessed with the tenants as segments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import load_script

from advisor.engine.assess import assess
from advisor.inventory import load_inventory
from advisor.profile import parse_profile

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    module = load_script(SAMPLES / "provider_estate.py", "provider_estate")
    path = module.generate(tmp_path_factory.mktemp("provider"))
    a = assess(load_inventory(path), parse_profile({"segment_by": "attribute:Tenant"}))
    f = a.evaluation.findings
    names = a.servers["name"].astype(str)
    status = f.pivot_table(index="server_id", columns="code", values="status", aggfunc="first")
    return a, names, status


def _id(estate, name: str) -> str:
    """The server a name stands for: Cloud Director adds ' (uuid)' or a short '-xxxx'."""
    _, names, _ = estate
    hit = names[names.str.fullmatch(rf"{name}(?: \(.*\)|-[0-9a-z]{{4,5}})?")]
    assert len(hit), name
    return hit.index[0]


def _status(estate, name: str, code: str) -> str:
    status = estate[2]
    value = status[code].get(_id(estate, name)) if code in status else None
    return "pass" if value is None or pd.isna(value) else value


def _verdict(estate, name: str) -> pd.Series:
    return estate[0].servers.loc[_id(estate, name)]


def test_plain_servers_come_out_ready(estate):
    for name in ("orion-web01", "orion-app01", "vega-web01", "vega-app01", "lyra-app01"):
        assert _verdict(estate, name)["readiness"] == "ready", name


def test_retire_needs_evidence(estate):
    for name in ("orion-batch07", "vega-test03", "lyra-report02"):  # off since an unknown date
        assert _status(estate, name, "LCY002") == "unknown", name
        assert _verdict(estate, name)["disposition"] != "retire", name
    for name in ("vega-intranet-old", "lyra-crm-legacy"):  # dated long ago / 'decommission'
        assert _status(estate, name, "LCY002") == "fail", name
        assert _verdict(estate, name)["disposition"] == "retire", name
        assert _verdict(estate, name)["effort_hours"] == 1.0  # decommissioning only


def test_backup_statements_dates_and_silence(estate):
    assert _status(estate, "orion-test04", "BKP001") == "fail"  # 'none'
    assert _status(estate, "vega-tmp02", "BKP001") == "fail"  # 'n/a'
    assert _status(estate, "orion-crm02", "BKP008") == "fail"  # NetBackup date years old
    assert _status(estate, "vega-shop02", "BKP008") == "fail"  # Rubrik date years old
    assert _status(estate, "orion-crm01", "BKP008") == "pass"
    assert _status(estate, "lyra-app05", "BKP002") == "unknown"  # snapshots, nothing stated
    assert _verdict(estate, "orion-files01")["role"] == "file_server"  # not a backup server


def test_mac_addresses_nlb_and_clones(estate):
    assert _status(estate, "lyra-lic01", "LIC008") == "fail"  # Intel MAC on a licence server
    assert _status(estate, "lyra-iis01", "NET002") == "fail"  # a real Windows NLB pair
    for name in ("build01", "vega-svc11", "orion-web01"):
        assert _status(estate, name, "NET001") == "pass", name  # Cloud Director's MACs
        assert _status(estate, name, "NET002") == "pass", name
    assert _status(estate, "build01", "NET010") == "fail"  # clones share a MAC
    assert _status(estate, "vega-svc11", "NET010") == "fail"  # one address, two VMs
    assert _status(estate, "orion-app09", "NET003") == "pass"  # disconnected adapter


def test_roles_from_names_and_mount_points(estate):
    for name in ("XYZDC05", "SRV-AD03", "ch-lab-DC01-a8f3", "dc01-a8f3"):
        assert _verdict(estate, name)["role"] == "domain_controller", name
    assert _status(estate, "dc01-a8f3", "SEC004") == "pass"  # a '.mx' domain is no mail
    assert _verdict(estate, "vega-scan01")["role"] == "other"  # Oracle Linux, no database
    assert _status(estate, "lyra-fin03", "LIC001") == "fail"  # Oracle by /u01 and /u02
    assert _verdict(estate, "orion-cms02")["role"] == "database"
    assert _status(estate, "SRVSQL01", "LIC002") == "fail"
    assert _verdict(estate, "lyra-analytics01")["role"] == "other"  # its UUID is no 'ad'


def test_cluster_partners_ignore_generated_suffixes(estate):
    for i in range(1, 5):
        name = f"k8s-node-0{i}"
        assert _status(estate, name, "RED005") == "pass", name
    assert _status(estate, "vega-fsclu-n1", "RED005") == "fail"


def test_storage_size_and_guests(estate):
    assert _status(estate, "vega-fs-iscsi01", "STO005") == "fail"
    assert _status(estate, "lyra-ns01", "STO005") == "pass"  # chroot binds repeat '/'
    assert _status(estate, "lyra-analytics01", "SIZ001") == "pass"
    assert _status(estate, "lyra-analytics01", "SIZ004") == "fail"  # a right-sizing case
    assert _status(estate, "vega-vdi-w10-01", "PLT001") == "pass"  # desktops boot on KVM
    assert _status(estate, "vega-vdi-w10-01", "LIC010") == "fail"  # licensing is the issue
    assert _status(estate, "orion-legacy-x86", "PLT007") == "fail"
    for name in ("fgt-edge01", "fw-pavm-01", "lb-ext-01", "cpgw-01", "siem-console-01"):
        assert _status(estate, name, "PLT008") == "fail", name
        assert _verdict(estate, name)["disposition"] == "replatform", name


def test_estate_work_and_segments(estate):
    a, _, _ = estate
    work = set(a.estate_work["code"])
    assert "BKP009" in work  # today's backup proxies stay behind
    assert a.summary()["effort_hours"] == pytest.approx(
        a.scores["effort_hours"].sum() + a.estate_work["effort_hours"].sum()
    )
    assert set(a.servers["segment"]) >= {"Orion", "Vega", "Lyra"}
