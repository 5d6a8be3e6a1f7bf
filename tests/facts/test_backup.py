"""Backup facts: what the inventory says about each server's backup (and silence staying
unknown), tools named anywhere, last-backup dates and their age, snapshot-only protection,
snapshot age and depth, application consistency, hypervisor-level backups and the backup
infrastructure left out of scope."""

from __future__ import annotations

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.engine.assess import assess, fact_scopes
from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rule
from advisor.engine.settings import resolve_settings
from advisor.facts import (
    backup,
    compute_facts,
    directory,
    fact_context,
    identity,
    inventory_facts,
    location,
)
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Mapping, Source, conform
from advisor.profile import default_profile, load_profile
from advisor.resources import data_path
from advisor.targets import load_catalog

AS_OF = pd.Timestamp("2026-09-30 12:00", tz="UTC")


def _inventory(servers, snapshots=None, *, backup_column=True, snapshot_tab=True, exported=None):
    frame = conform("servers", pd.DataFrame(servers))
    mapping = [Mapping("vInfo", "Backup", "backup_method", "mapped")] if backup_column else []
    tabs = ["vInfo", "vDisk"] + (["vSnapshot"] if snapshot_tab else [])
    source = Source(
        path="test", format="rvtools", tabs_read=tabs, mapping=mapping, exported_at=exported
    )
    return Inventory(
        servers=frame, source=source, snapshots=conform("snapshots", pd.DataFrame(snapshots or []))
    )


def _context(servers, snapshots=None, **kw):
    return run_modules(_inventory(servers, snapshots, **kw), (inventory_facts,), as_of=AS_OF)


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
    assert (
        (f.loc[["col", "note", "nb", "rubrik", "snap"], "backup_state"])
        .eq("backup product named")
        .all()
    )
    assert f.loc["note", "backup_evidence"] == "Commvault named in the notes or application"
    assert f.loc["snap", "backup_evidence"] == "Rubrik named in snapshot names"
    assert f.loc["col", "backup_evidence"] == "column 'Backup' says 'Veeam B&R daily'"


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
    assert f.loc["sql", "backup_state"] == "snapshots only"
    assert f.loc["sql", "snapshot_count"] == 2
    assert f.loc["sql", "oldest_snapshot_days"] == 400
    assert f.loc["sql", "snapshot_gib"] == 20


def test_statements_say_none_or_something_and_silence_stays_unknown():
    ctx = _context(
        [
            _srv("declined", backup_method="none (test system)"),
            _srv("declined-snap", backup_method="No"),
            _srv("nein", **{"attr.Sicherung": "nein"}),
            _srv("dash", **{"attr.Backup Policy": "-"}),
            _srv("stated-snap", backup_method="Snapshots"),
            _srv("empty-with-snap"),
            _srv("empty"),
            _srv("tape", backup_method="daily to tape"),
            _srv("bkp-server", backup_method="n/a (backup server)", annotation="Veeam B&R 12"),
            _srv("nb-never", **{"attr.NB_LAST_BACKUP": "never"}),
            _srv("usb", annotation="File shares. Backup: USB disk, weekly. Owner: office"),
            _srv("note-none", annotation="Scratch VM, no backup needed"),
        ],
        [_snap("declined-snap", 12), _snap("empty-with-snap", 600), _snap("tape", 3)],
    )
    f = _facts(ctx)
    state = f["backup_state"]
    for sid in ("declined", "nein", "dash", "bkp-server", "nb-never", "note-none"):
        assert f.loc[sid, "backup_declined"], sid
        assert state[sid] == "stated as none", sid
        assert not f.loc[sid, "snapshot_only_backup"], sid  # no snapshots
    assert f.loc["nein", "backup_evidence"] == "attribute 'Sicherung' says 'nein'"
    assert f.loc["nb-never", "backup_evidence"] == "attribute 'NB_LAST_BACKUP' says 'never'"
    assert not f.loc["nb-never", "has_backup_tool"]  # the header alone names no backup
    # The backup server's notes name its own product: that does not overrule "n/a".
    assert f.loc["bkp-server", "has_backup_tool"]
    # "No" while a snapshot exists: one missing backup, found once (BKP001, which names the
    # snapshots), not a second time as "snapshots only".
    assert f.loc["declined-snap", "backup_declined"]
    assert not f.loc["declined-snap", "snapshot_only_backup"]
    assert state["declined-snap"] == "stated as none"
    assert (
        f.loc["stated-snap", "snapshot_only_backup"] and not f.loc["stated-snap", "backup_declined"]
    )
    # Nothing said: unknown, never "no backup".
    for sid in ("empty", "empty-with-snap"):
        assert pd.isna(state[sid]) and pd.isna(f.loc[sid, "backup_declined"]), sid
        assert pd.isna(f.loc[sid, "backup_evidence"]), sid
        assert not f.loc[sid, "backup_stated"], sid  # a backup column exists, but is empty
    assert pd.isna(f.loc["empty-with-snap", "snapshot_only_backup"])  # has snapshots
    assert not f.loc["empty", "snapshot_only_backup"]  # no snapshots at all
    assert state["tape"] == "backup stated" and not f.loc["tape", "snapshot_only_backup"]
    assert state["usb"] == "backup stated"
    assert f.loc["usb", "backup_evidence"] == "the notes say 'USB disk, weekly'"
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
    assert pd.isna(f.loc["a", "backup_state"]) and pd.isna(f.loc["a", "backup_declined"])
    assert pd.isna(f.loc["a", "snapshot_count"])
    assert pd.isna(f.loc["a", "snapshot_only_backup"])
    assert not f.loc["b", "snapshot_only_backup"]  # a tool is named: known false
    assert f.loc["b", "backup_state"] == "backup product named"
    assert not f.loc["a", "has_backup_tool"]
    assert pd.isna(f.loc["a", "last_backup_date"])
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


# --- last backup dates ------------------------------------------------------------------

DATED = [
    _srv("nb", **{"attr.NB_LAST_BACKUP": "Mon Sep 28 23:30:52 2026 -0700,master,VM_Policy"}),
    _srv("nb-old", **{"attr.NB_LAST_BACKUP": "Tue May 25 23:31:11 2021 -0700,master,VM_Old"}),
    _srv(
        "rubrik",
        **{
            "attr.Rubrik_LastBackup": "Last Backup successfully completed at "
            "Thu Sep 22 03:00:20 UTC 2022"
        },
    ),
    _srv("us", **{"attr.Last Backup": "8/27/2026 8:06:36 PM"}),
    _srv("de", **{"attr.Letzte Sicherung": "29.09.2026 22:15"}),
    _srv(
        "veeam-notes",
        annotation="Veeam Backup: Job name: [Daily], Time: [2026-09-29 23:00:13], "
        "Backup host: [vbr01]",
    ),
    _srv("column", backup_method="Veeam, last backup 2026-09-20"),
    _srv("none", backup_method="none"),
    _srv("silent"),
]


def test_last_backup_dates_in_several_formats_and_zones():
    ctx = _context(DATED, exported=pd.Timestamp("2026-09-30 08:00", tz="UTC"))
    f = _facts(ctx)
    dates = f["last_backup_date"]
    assert dates["nb"] == "2026-09-29"  # 23:30 at -07:00 is 06:30 UTC the next day
    assert dates["nb-old"] == "2021-05-26"
    assert dates["rubrik"] == "2022-09-22"
    assert dates["us"] == "2026-08-27"
    assert dates["de"] == "2026-09-29"
    assert dates["veeam-notes"] == "2026-09-29"
    assert dates["column"] == "2026-09-20"
    assert dates[["none", "silent"]].isna().all()
    age = f["last_backup_age_days"]
    assert age["nb"] == pytest.approx(1.1, abs=0.05)  # 06:30 UTC to the export at 08:00
    assert age["us"] == pytest.approx(33.5, abs=0.1)
    assert f.loc["rubrik", "last_backup_source"] == "attribute 'Rubrik_LastBackup'"
    assert f.loc["veeam-notes", "last_backup_source"] == "the notes"
    assert f.loc["column", "last_backup_source"] == "column 'Backup'"
    assert (f["backup_age_reference"].dropna() == "export date 2026-09-30").all()
    # NB_LAST_BACKUP is fresh for 'nb': 'nb-old' lost its job, the attribute still works.
    assert "other servers have newer values" in f.loc["nb-old", "last_backup_source_note"]
    # Even the newest Rubrik_LastBackup is years old: the attribute is abandoned.
    assert "no longer maintained" in f.loc["rubrik", "last_backup_source_note"]
    assert f.loc["us", "backup_state"] == "backup stated"  # a date is a statement


def test_without_export_date_ages_count_to_the_newest_backup():
    ctx = _context(DATED[:2])
    f = _facts(ctx)
    assert f.loc["nb", "last_backup_age_days"] == 0
    assert f.loc["nb-old", "last_backup_age_days"] == pytest.approx(1952.0, abs=0.1)
    assert f.loc["nb-old", "backup_age_reference"] == (
        "newest backup date in this inventory, 2026-09-29 (the export date is unknown)"
    )


def test_date_parser_keeps_unknown_unknown():
    values = pd.Series(
        ["1/1/1970 12:00:00 AM", "never", None, "13/1/2020", "2/1/2020", "Tue May  3, 2022"],
        dtype="string",
    )
    got = backup.parse_dates(values)
    assert got.iloc[:3].isna().all()  # 1970 means unknown in vCenter
    assert got.iloc[3] == pd.Timestamp("2020-01-13", tz="UTC")
    # the same column wrote a day above 12 first: it is day-first throughout
    assert got.iloc[4] == pd.Timestamp("2020-01-02", tz="UTC")
    assert got.iloc[5] == pd.Timestamp("2022-05-03", tz="UTC")


# --- backup infrastructure left out of scope ---------------------------------------------


def test_backup_infrastructure_left_out_of_scope():
    ctx = _context([_srv("app")])
    ctx.excluded = pd.DataFrame(
        {
            "name": ["vbr-proxy-02", "vbr-proxy-01", "tpl-w2022"],
            "category": ["backup infrastructure", "backup infrastructure", "template"],
            "reason": ["backup proxy", "backup proxy", "template"],
        },
        index=["p2", "p1", "t"],
    )
    _facts(ctx)
    assert ctx.portfolio["estate_backup_infra_count"] == 2
    assert ctx.portfolio["estate_backup_infra_names"] == "vbr-proxy-01, vbr-proxy-02"
    # Proxies back VMs up at the hypervisor, but no server says which: unknown, not 0.
    assert ctx.portfolio["estate_image_backup_servers"] is None

    plain = _context([_srv("app")])
    _facts(plain)
    assert plain.portfolio["estate_backup_infra_count"] == 0
    assert plain.portfolio["estate_image_backup_servers"] == 0


# --- the generated sample ----------------------------------------------------------------


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
    # P28: the pets' backup cells are empty: nothing is said, so it is a question, not
    # "no backup" (this test used to count them as failures). vie-fs-01's notes say
    # "Backup: USB disk ...": a stated backup.
    assert _names(sample, live & f["backup_state"].isna()) == {"gandalf", "zeus", "pluto"}
    assert f.set_index("name").loc["vie-fs-01", "backup_state"] == "backup stated"
    old_only = f["snapshot_only_backup"] & (f["oldest_snapshot_days"] > 30)
    # P16: zeus has an old snapshot but says nothing about its backup: unknown, no longer
    # counted as snapshot-only.
    assert _names(sample, old_only) == {"bsl-sql-02", "bsl-cam-01", "bsl-voip-01", "brn-tt-01"}
    assert pd.isna(f.set_index("name").loc["zeus", "snapshot_only_backup"])
    assert _names(sample, f["snapshot_count"] > 3) == {"bsl-sql-02"}  # P17
    assert _names(sample, f["is_database"] & f["snapshot_only_backup"]) == {"bsl-sql-02"}  # P07
    assert f.set_index("name").loc["bsl-dev-01", "oldest_snapshot_days"] < 30  # not old


def test_sample_findings(sample):
    findings = sample.evaluation.findings
    names = sample.facts["name"]
    bkp001 = findings[findings["code"] == "BKP001"]
    by_status = dict(zip(bkp001["server_id"].map(names), bkp001["status"], strict=True))
    # Servers stated as "none" fail; the pets are questions (unknown); vie-fs-01 states a
    # USB backup and passes (its accepted exception is no longer needed).
    assert by_status["bsl-tst-sql-01"] == "fail" and by_status["brn-cctv-01"] == "fail"
    assert {by_status[n] for n in ("gandalf", "zeus", "pluto")} == {"unknown"}
    assert "vie-fs-01" not in by_status
    assert "bsl-fs-01" not in by_status  # Veeam: pass


# --- real exports -------------------------------------------------------------------------

MY_RULES = (
    *sorted(data_path("rules").glob("backup/*.yaml")),
    data_path("rules") / "domain-controllers" / "ADC003-dc-snapshot-restore.yaml",
)


def _real(corpus, name, *, scope=False):
    """Facts (by server name), verdicts of the backup rules (by name) and estate findings
    of one real export; only the fact modules these rules read are computed."""
    inv = load_inventory(corpus / name)
    profile = default_profile()
    when = inv.source.exported_at or AS_OF
    modules = (inventory_facts, identity, location, backup, directory)
    if scope:
        from advisor.scope import decide_scope

        ctx = fact_context(inv, profile, load_catalog("exoscale"), when, decide_scope(inv, profile))
        ctx = compute_facts(ctx, modules)
    else:
        ctx = run_modules(inv, modules, profile=profile, as_of=when)
    rules = [load_rule(p, fact_scopes()) for p in MY_RULES]
    settings = resolve_settings(rules, profile.rules, [])
    ev = evaluate(rules, settings, ctx.facts, ctx.portfolio, [], ctx.servers["name"])
    status = ev.status.set_index(ctx.servers["name"].to_numpy())
    return by_name(ctx), status, ev


def test_real_339vms_netbackup_and_rubrik_dates(corpus):
    f, status, ev = _real(corpus, "rvtools-4.6.1-anon-339vms.xlsx", scope=True)
    # Almondvm: NB_LAST_BACKUP (May 2021) and Rubrik_LastBackup (Sep 2022): the newer wins.
    almond = f.loc["Almondvm"]
    assert almond["backup_state"] == "backup product named"
    assert almond["last_backup_date"] == "2022-09-22"
    assert almond["last_backup_source"] == "attribute 'Rubrik_LastBackup'"
    assert almond["backup_age_reference"] == "export date 2025-04-30"
    assert almond["last_backup_age_days"] > 900
    assert "no longer maintained" in almond["last_backup_source_note"]
    assert f.loc["Aquamarine", "last_backup_date"] == "2021-05-26"  # -0700 pushes it a day
    assert status.loc["Almondvm", "BKP001"] == "pass"
    assert status.loc["Almondvm", "BKP008"] == "fail"
    assert status.loc["Aquamarine", "BKP008"] == "fail"
    # Empty attribute cells say nothing: BKP001 was a failure on 58 % of this file.
    assert (status["BKP001"] != "fail").all()
    silent = f["backup_state"].isna() & ~f["is_template"].astype(bool)
    assert silent.sum() > 100
    assert (status.loc[silent.to_numpy(), "BKP001"] == "unknown").all()
    # A VM with snapshots and nothing said is no longer "snapshot-only".
    assert (status["BKP002"] != "fail").all()
    estate = ev.portfolio.set_index("code")
    assert estate.loc["BKP009", "status"] == "fail"
    assert "dayton-rubrik" in estate.loc["BKP009", "message"]
    assert estate.loc["BKP007", "status"] == "fail"


def test_real_trimmed_5tabs_last_backup_column(corpus):
    f, status, _ = _real(corpus, "rvtools-3.x-trimmed-5tabs.xlsx")
    nxt = f.loc["nxtAPPRB02"]
    assert nxt["backup_state"] == "backup stated"
    assert nxt["last_backup_date"] == "2015-08-27"
    assert nxt["last_backup_source"] == "attribute 'Last Backup'"
    # No export date: ages count to the newest date of the same inventory, and say so.
    assert "export date is unknown" in nxt["backup_age_reference"]
    assert status.loc["nxtAPPRB02", "BKP001"] == "pass"
    assert status.loc["nxtAPPRB02", "BKP008"] == "pass"
    # The other servers' Last Backup cells are empty: unknown (was 93 % failures).
    assert (status["BKP001"] != "fail").all()
    assert (status["BKP001"] == "unknown").sum() > 100


def test_real_tabvinfo_csv_netbackup_with_line_break(corpus):
    f, status, _ = _real(corpus, "rvtools-3.x-tabvInfo.csv")
    dc = f.loc["APDC03"]
    assert dc["is_domain_controller"]
    assert dc["backup_tool"] == "NetBackup"
    assert dc["last_backup_date"] == "2018-01-20"
    assert dc["last_backup_source"] == "attribute 'NB_LAST_BACKUP'"
    assert not dc["dc_backup_at_risk"]
    assert status.loc["APDC03", "BKP001"] == "pass"
    # The DC is backed up, but the CSV carries no snapshot list: ADC003 stays open.
    assert status.loc["APDC03", "ADC003"] == "unknown"
    assert status.loc["59", "BKP001"] == "unknown"  # nothing said about this one
