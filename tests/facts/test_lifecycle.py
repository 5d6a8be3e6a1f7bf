"""Lifecycle facts: OS end of support from the vendor table, powered-off and suspended VMs
(with the switch-off date the notes give), templates' neighbours and retire hints."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.facts import identity, inventory_facts, licensing, lifecycle, location, network
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform

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
