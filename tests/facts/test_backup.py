"""Backup facts: tools named anywhere, snapshot-only protection, snapshot age and depth,
application consistency and hypervisor-level backups."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import run_modules

from advisor.engine.assess import assess
from advisor.facts import backup, compute_facts, inventory_facts
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Mapping, Source, conform
from advisor.profile import load_profile

AS_OF = pd.Timestamp("2026-09-30 12:00", tz="UTC")


def _context(servers, snapshots=None, *, backup_column=True, snapshot_tab=True):
    frame = conform("servers", pd.DataFrame(servers))
    mapping = [Mapping("vInfo", "Backup", "backup_method", "mapped")] if backup_column else []
    tabs = ["vInfo", "vDisk"] + (["vSnapshot"] if snapshot_tab else [])
    inv = Inventory(
        servers=frame,
        source=Source(path="test", format="rvtools", tabs_read=tabs, mapping=mapping),
        snapshots=conform("snapshots", pd.DataFrame(snapshots or [])),
    )
    return run_modules(inv, (inventory_facts,), as_of=AS_OF)


def _facts(ctx) -> pd.DataFrame:
    return compute_facts(ctx, (backup,)).facts


def _snap(server, days_old, gib=10.0, name="manual", quiesced=False):
    return {
        "server_id": server,
        "name": name,
        "created": AS_OF - pd.Timedelta(days=days_old),
        "size_gib": gib,
        "quiesced": quiesced,
    }


def _srv(sid, **cols):
    return {"id": sid, "name": sid, "is_template": False, **cols}


def test_tools_are_found_in_every_source():
    ctx = _context(
        [
            _srv("col", backup_method="Veeam B&R daily"),
            _srv("note", annotation="Nightly Commvault job, retention 30 days"),
            _srv("nb", **{"attr.NB_LAST_BACKUP": "Mon May 24 2021,master01,VM_Backups"}),
            _srv("rubrik", **{"attr.Rubrik_LastBackup": "Last Backup successfully completed"}),
            _srv("snap"),
            _srv("none"),
        ],
        [_snap("snap", 0.2, name="RUBRIK-abc==-123")],
    )
    f = _facts(ctx)
    assert f.loc["col", "backup_tool"] == "Veeam"
    assert f.loc["note", "backup_tool"] == "Commvault"
    assert f.loc["nb", "backup_tool"] == "NetBackup"
    assert f.loc["rubrik", "backup_tool"] == "Rubrik"
    assert f.loc["snap", "backup_tool"] == "Rubrik"
    assert f["has_backup_tool"].tolist() == [True, True, True, True, True, False]
    assert f["has_backup_tool"].notna().all()  # never unknown
    assert f.loc[["nb", "rubrik", "snap"], "image_level_backup"].all()


def test_negated_tool_in_notes_is_not_evidence():
    ctx = _context(
        [
            _srv(
                "sql",
                backup_method="snapshot only",
                annotation="No Veeam licence left for this VM: backup = a VM snapshot.",
            )
        ],
        [_snap("sql", 400), _snap("sql", 10)],
    )
    f = _facts(ctx)
    assert not f.loc["sql", "has_backup_tool"]
    assert f.loc["sql", "snapshot_only_backup"]
    assert f.loc["sql", "snapshot_count"] == 2
    assert f.loc["sql", "oldest_snapshot_days"] == 400
    assert f.loc["sql", "snapshot_gib"] == 20


def test_statements_declined_and_snapshot_only():
    ctx = _context(
        [
            _srv("declined", backup_method="none (test system)"),
            _srv("stated-snap", backup_method="Snapshots"),
            _srv("empty-with-snap"),
            _srv("empty"),
            _srv("tape", backup_method="daily to tape"),
        ],
        [_snap("declined", 12), _snap("empty-with-snap", 600), _snap("tape", 3)],
    )
    f = _facts(ctx)
    assert f.loc["declined", "backup_declined"] and f.loc["declined", "backup_stated"]
    assert not f.loc["declined", "snapshot_only_backup"]  # a decision, not a snapshot backup
    assert f.loc["stated-snap", "snapshot_only_backup"]
    assert f.loc["empty-with-snap", "snapshot_only_backup"]
    assert not f.loc["empty", "snapshot_only_backup"]
    assert not f.loc["empty", "backup_stated"]
    assert not f.loc["tape", "snapshot_only_backup"]  # some other backup is stated
    assert f.loc["empty", "snapshot_count"] == 0 and f.loc["empty", "snapshot_gib"] == 0
    assert pd.isna(f.loc["empty", "oldest_snapshot_days"])


def test_without_backup_column_or_snapshot_list_things_stay_unknown():
    ctx = _context(
        [_srv("a"), _srv("b", annotation="Backed up with Veeam Agent")],
        backup_column=False,
        snapshot_tab=False,
    )
    f = _facts(ctx)
    assert pd.isna(f.loc["a", "backup_stated"])
    assert pd.isna(f.loc["a", "snapshot_count"])
    assert pd.isna(f.loc["a", "snapshot_only_backup"])
    assert not f.loc["b", "snapshot_only_backup"]  # a tool is named: known false
    assert not f.loc["a", "has_backup_tool"]
    assert ctx.portfolio["estate_snapshot_gib"] is None


def test_application_consistency_and_image_level():
    ctx = _context(
        [
            _srv("ora", backup_method="Veeam B&R daily + RMAN"),
            _srv("agent", backup_method="Veeam Agent daily"),
            _srv("image", backup_method="Veeam B&R daily"),
            _srv("quiesced", backup_method="snapshot only"),
            _srv("tpl", backup_method="Veeam B&R daily", is_template=True),
        ],
        [_snap("quiesced", 1, quiesced=True)],
    )
    f = _facts(ctx)
    assert f.loc["ora", "app_consistent_backup"] and f.loc["ora", "image_level_backup"]
    assert f.loc["agent", "app_consistent_backup"] and not f.loc["agent", "image_level_backup"]
    assert not f.loc["image", "app_consistent_backup"] and f.loc["image", "image_level_backup"]
    assert f.loc["quiesced", "app_consistent_backup"]
    assert ctx.portfolio["estate_image_backup_servers"] == 2  # template left out
    assert ctx.portfolio["estate_image_backup_tools"] == "Veeam"  # RMAN is not image-level


@pytest.fixture(scope="module")
def sample(generated_samples):
    a = assess(
        load_inventory(generated_samples / "acme-rvtools.xlsx"),
        load_profile(generated_samples / "acme-profile.yaml"),
    )
    return a


def _names(a, mask) -> set[str]:
    f = a.facts
    return set(f.loc[mask.fillna(False).astype(bool), "name"])


def test_sample_planted_backup_problems(sample):
    f = sample.facts
    live = ~f["is_template"].astype(bool)
    no_evidence = live & ~f["has_backup_tool"] & ~f["backup_stated"]
    assert _names(sample, no_evidence) == {"gandalf", "zeus", "pluto", "vie-fs-01"}  # P28
    old_only = f["snapshot_only_backup"] & (f["oldest_snapshot_days"] > 30)
    assert _names(sample, old_only) == {  # P16
        "bsl-sql-02",
        "bsl-cam-01",
        "bsl-voip-01",
        "brn-tt-01",
        "zeus",
    }
    assert _names(sample, f["snapshot_count"] > 3) == {"bsl-sql-02"}  # P17
    assert _names(sample, f["is_database"] & f["snapshot_only_backup"]) == {"bsl-sql-02"}  # P07
    assert f.set_index("name").loc["bsl-dev-01", "oldest_snapshot_days"] < 30  # not old


def test_sample_findings(sample):
    findings = sample.evaluation.findings
    names = sample.facts["name"]
    bkp001 = findings[findings["code"] == "BKP001"]
    by_status = dict(zip(bkp001["server_id"].map(names), bkp001["status"], strict=True))
    assert by_status == {
        "gandalf": "fail",
        "zeus": "fail",
        "pluto": "fail",
        "vie-fs-01": "accepted",
    }
