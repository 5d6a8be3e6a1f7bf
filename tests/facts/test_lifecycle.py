"""Lifecycle facts: OS end of support from the vendor table, powered-off and suspended VMs
(with the switch-off date the notes give), and the evidence for and against retiring a
server (notes, names, notes that say to keep it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.engine.assess import fact_scopes
from advisor.engine.evaluate import evaluate
from advisor.engine.rules import load_rule
from advisor.engine.settings import resolve_settings
from advisor.facts import (
    compute_facts,
    fact_context,
    identity,
    inventory_facts,
    licensing,
    lifecycle,
    location,
    network,
)
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform
from advisor.profile import default_profile
from advisor.resources import data_path
from advisor.scope import decide_scope
from advisor.targets import load_catalog

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"
AS_OF = pd.Timestamp("2026-09-30 14:00", tz="UTC")
MODULES = (inventory_facts, identity, location, network, licensing, lifecycle)


def _run(inv: Inventory, as_of: pd.Timestamp = AS_OF) -> pd.DataFrame:
    return by_name(run_modules(inv, MODULES, as_of=as_of))


def _facts(servers: list[dict]) -> pd.DataFrame:
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="generic"),
    )
    return _run(inv)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    inv = load_inventory(SAMPLES / "acme-rvtools.xlsx")
    return _run(inv, pd.Timestamp(inv.source.exported_at))


def _names(frame: pd.DataFrame, fact: str) -> set[str]:
    return set(frame.index[frame[fact].fillna(False).astype(bool)])


def test_sample_planted_lifecycle_problems(sample):
    eol = {
        "gandalf", "bsl-ftp-01", "bsl-print-01", "vie-app-01", "zeus", "bsl-crm-01",
        "bsl-ci-01", "brn-tt-01", "bsl-tst-sap-01", "pluto",
    }  # fmt: skip
    assert _names(sample, "os_eol") == eol
    assert _names(sample, "is_powered_off") == {"bsl-crm-01", "bsl-ftp-01"}
    assert _names(sample, "is_suspended") == {"bsl-dev-02"}
    assert sample.loc["bsl-crm-01", "powered_off_days"] == 369  # "Powered off 2025-09-26"
    assert sample.loc["bsl-crm-01", "powered_off_note"].startswith("off since 2025-09-26")
    assert _names(sample, "retire_hint") == {"bsl-crm-01", "bsl-ftp-01"}
    # Windows Server 2016 leaves support on 2027-01-12: close, but not yet.
    assert not sample.loc["bsl-sql-02", "os_eol"]
    assert sample.loc["gandalf", "os_eol_date"] == "2020-01-14"
    assert sample.loc["gandalf", "os_eol_source"].startswith("https://learn.microsoft.com")


@pytest.mark.parametrize(
    ("os_name", "eol", "date"),
    [
        ("Microsoft Windows Server 2012 R2 Standard", True, "2023-10-10"),
        ("Win 2012 R2", True, "2023-10-10"),
        ("Microsoft Windows Server 2008 (32-bit)", True, "2020-01-14"),
        ("Microsoft Windows Server 2022 (64-bit)", False, "2031-10-14"),
        ("Microsoft Windows Server 2016 or later (64-bit)", False, None),
        ("Microsoft Windows XP Professional (32-bit)", True, "2014-04-08"),
        ("Microsoft Windows 10 (64-bit)", True, "2025-10-14"),
        ("RHEL 8.10", False, "2029-05-31"),
        ("Red Hat Enterprise Linux 7 (64-bit)", True, "2024-06-30"),
        ("CentOS 4/5/6/7 (64-bit)", True, "2024-06-30"),
        ("SLES for SAP 15 SP5", False, "2031-07-31"),
        ("SUSE Linux Enterprise 11 (64-bit)", True, "2019-03-31"),
        ("Ubuntu 22.04.4 LTS", False, "2027-04-30"),
        ("Ubuntu 18.04 LTS", True, "2023-05-31"),
        ("Debian GNU/Linux 12 (64-bit)", False, "2028-06-30"),
        ("Debian GNU/Linux 11 (64-bit)", True, "2026-08-31"),
        ("Oracle Linux 7 (64-bit)", True, "2024-12-01"),
        ("Other 3.x or later Linux (64-bit)", None, None),
        ("Ubuntu Linux (64-bit)", None, None),
    ],
)
def test_end_of_support_table(os_name, eol, date):
    out = lifecycle._eol(pd.Series([os_name], dtype="string"), AS_OF)
    got = out["os_eol"].iloc[0]
    assert (None if pd.isna(got) else bool(got)) == eol
    got_date = out["os_eol_date"].iloc[0]
    assert (None if pd.isna(got_date) else got_date) == date


def test_days_past_and_left():
    out = lifecycle._eol(pd.Series(["Windows Server 2016", "CentOS 7"], dtype="string"), AS_OF)
    assert out["os_support_days_left"].tolist() == [104, -822]
    assert out["os_eol_days"].tolist() == [-104, 822]


def test_power_state_from_notes_when_not_exported():
    f = _facts(
        [
            {"annotation": "switched off since 26.09.2025 (old CRM)"},
            {"annotation": "switched off 10/2025, replaced by the new portal"},
            {"annotation": "to be switched off next month"},
            {"annotation": "suspended since end of June"},
            {"power_state": "off", "annotation": "shut down 2026-09-20 for tests"},
            {"power_state": "on", "annotation": "was switched off in 2020 once"},
            {"power_state": "off", "is_template": True},
        ]
    )
    assert f["is_powered_off"].tolist()[:2] == [True, True]
    assert pd.isna(f["is_powered_off"].iloc[2])  # future tense: still unknown
    assert not f["is_powered_off"].iloc[3] and f["is_suspended"].iloc[3]
    assert f["powered_off_days"].iloc[0] == 369
    assert f["powered_off_days"].iloc[1] == 334  # 10/2025 read as 2025-10-31
    assert f["powered_off_days"].iloc[4] == 10
    assert not f["is_powered_off"].iloc[5]  # the power state wins over old notes
    assert pd.isna(f["powered_off_days"].iloc[5])
    assert not f["is_powered_off"].iloc[6]  # templates are not powered-off servers
    assert f["retire_hint"].tolist()[:3] == [False, True, False]


def test_retire_hint_negation():
    f = _facts(
        [
            {"application": "CRM (retired)"},
            {"annotation": "not retired, still used by finance"},
            {"annotation": "Can it be deleted?"},
            {"annotation": "Don't delete this VM"},
        ]
    )
    assert f["retire_hint"].tolist() == [True, False, True, False]


def test_retire_and_keep_evidence_in_notes_and_names():
    f = _facts(
        [
            {"annotation": "To be decommissioned, leaving down after ESX patching. JMM"},
            {"annotation": "Don't Delete this VM- Will be powered on for Legacy use when needed"},
            {"annotation": "DO NOT DELETE OR POWER ON. Blocks RAM for failover tests"},
            {"name": "app01-deleteby-20250310"},
            {"name": "crm01-old"},
            {"name": "crm01"},
            {"name": "lonely_old"},  # nothing named 'lonely' beside it: no evidence
            {"annotation": "not retired, still used by finance"},
            {"annotation": "replaced by crm02 in 2024", "power_state": "on"},
            {"annotation": "Jay Brown (brownja) Linux: 100elf77 Windows: elf100"},
        ]
    )
    assert f["retire_hint"].tolist() == [
        True, False, False, True, True, False, False, False, True, False,
    ]  # fmt: skip
    assert f["keep_hint"].tolist() == [
        False, True, True, False, False, False, False, True, False, False,
    ]  # fmt: skip
    ev = f["retire_evidence"]
    assert ev.loc["srv-00"] == "notes 'to be decommissioned'"
    assert ev.loc["app01-deleteby-20250310"] == "VM name 'app01-deleteby-20250310'"
    assert ev.loc["crm01-old"] == "VM name 'crm01-old' beside 'crm01'"
    assert ev.loc["srv-01"] == "keep note 'don't delete'"
    assert ev.loc["srv-08"] == "running; notes 'replaced by'"


LCY002 = data_path("rules") / "lifecycle" / "LCY002-powered-off-vm.yaml"


def _verdicts(ctx) -> pd.Series:
    """LCY002's verdict per server name."""
    rule = load_rule(LCY002, fact_scopes())
    settings = resolve_settings([rule], default_profile().rules, [])
    ev = evaluate([rule], settings, ctx.facts, ctx.portfolio, [], ctx.servers["name"])
    return ev.status.set_index(ctx.servers["name"].to_numpy())["LCY002"]


def test_retire_needs_evidence_of_disuse_never_the_creation_date():
    rows = [
        # Off for years by its creation date, but nobody recorded when it was switched off:
        # that is a question for the owner, not a retirement (was: fail on creation date).
        {"power_state": "off", "created": pd.Timestamp("2012-01-01", tz="UTC")},
        {"power_state": "off", "annotation": "switched off 26.09.2025, CRM"},
        {"power_state": "off", "annotation": "shut down 2026-09-20 for tests"},
        {"power_state": "off", "annotation": "To be decommissioned"},
        {"power_state": "off", "annotation": "Don't delete - will be powered on when needed"},
        {"power_state": "on", "annotation": "replaced by the new portal"},
        {"power_state": "on", "created": pd.Timestamp("2012-01-01", tz="UTC")},
    ]
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **r} for i, r in enumerate(rows)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="generic"),
    )
    verdict = _verdicts(run_modules(inv, MODULES, as_of=AS_OF))
    assert verdict.tolist() == ["unknown", "fail", "pass", "fail", "pass", "fail", "pass"]


@pytest.fixture(scope="module")
def real_339(corpus):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    profile = default_profile()
    ctx = fact_context(
        inv, profile, load_catalog("exoscale"), inv.source.exported_at, decide_scope(inv, profile)
    )
    ctx = compute_facts(ctx, MODULES)
    return by_name(ctx), _verdicts(ctx)


def test_real_339_retire_only_on_evidence(real_339):
    f, verdict = real_339
    # Before: 35 VMs told to retire, most on their creation date alone. Now only those whose
    # notes or name say so; the other powered-off VMs are questions for their owners.
    assert set(verdict[verdict.eq("fail")].index) == {
        "Bracknell01-old",  # 'To be decommissioned', and 'bracknell01' runs beside it
        "imperial2-deleteby-20250310",
    }
    assert f.loc["Bracknell01-old", "retire_evidence"] == (
        "powered off, no switch-off date recorded; notes 'to be decommissioned'; "
        "VM name 'Bracknell01-old' beside 'bracknell01'"
    )
    # 'Don't Delete this VM- Will be powered on for Legacy use when needed'.
    assert f.loc["rh64vmb01", "keep_hint"] and verdict.loc["rh64vmb01"] == "pass"
    # 'DO NOT DELETE OR POWER ON': kept on purpose.
    assert verdict.loc["PORTAL-FAILOVER-RAMBLOCK"] == "pass"
    # Off since an unknown date (and created, per vCenter, in 1969): unknown, not retire.
    assert verdict.loc["AQUA-TEST-TER"] == "unknown"
    assert pd.isna(f.loc["AQUA-TEST-TER", "powered_off_days"])
    assert verdict.loc["iasimov_old"] == "unknown"  # no 'iasimov' beside it
    assert verdict.loc["bracknell01"] == "pass"


def test_real_655_no_retirement_without_evidence(corpus):
    inv = load_inventory(corpus / "rvtools-4.6.1-anon-655vms.xlsx")
    profile = default_profile()
    ctx = fact_context(
        inv, profile, load_catalog("exoscale"), inv.source.exported_at, decide_scope(inv, profile)
    )
    ctx = compute_facts(ctx, MODULES)
    f, verdict = by_name(ctx), _verdicts(ctx)
    assert not verdict.eq("fail").any()  # was 19: creation dates stood in for switch-off dates
    assert verdict.loc["115elf86"] == "unknown"
    assert f.loc["115elf86", "retire_evidence"] == "powered off, no switch-off date recorded"
    assert verdict.loc["100elf77"] == "pass"
    # Windows 10 leaves support on 2025-10-14, 167 days after this export (2025-04-30).
    assert f.loc["10elf-ah", "os_eol_date"] == "2025-10-14"
    assert f.loc["10elf-ah", "os_support_days_left"] == 167
