"""Identity facts: roles and their evidence, naming convention and pets, owner and
documentation, age and production, on small spreadsheets, the sample estate and real exports.

The helpers at the top (also used by test_redundancy) compute only the fact modules a test
needs, the way `compute_facts` does, so a test of one module never fails because an
unrelated module breaks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from builders import write_csv
from fact_helpers import run_modules

from advisor.facts import FactContext, identity, inventory_facts
from advisor.inventory import load_inventory
from advisor.profile import default_profile, load_profile

MODULES = (inventory_facts, identity)

AS_OF = pd.Timestamp("2026-09-30", tz="UTC")

#: Header of the hand-built spreadsheets the fact tests use (generic import).
HEADER = (
    "Server",
    "Role",
    "Application",
    "Environment",
    "Owner",
    "Notes",
    "Site",
    "Power state",
    "Created",
    "Criticality",
)


def context(
    path: Path,
    modules: tuple[ModuleType, ...],
    *,
    profile: Path | None = None,
    provider: str | None = None,
    as_of: pd.Timestamp | None = AS_OF,
) -> FactContext:
    """Import `path` and compute `modules` in order (the product's compute_facts)."""
    inventory = load_inventory(path)
    prof = load_profile(profile) if profile else default_profile()
    when = as_of if as_of is not None else inventory.source.exported_at
    return run_modules(inventory, modules, profile=prof, provider=provider, as_of=when)


@cache
def export_facts(path: Path, modules: tuple[ModuleType, ...] = MODULES) -> pd.DataFrame:
    """Facts of a real export (dated by the export itself), by name; cached per session."""
    return by_name(context(path, modules, as_of=None))


def sheet(tmp_path: Path, rows: list[tuple], name: str = "servers.csv") -> Path:
    """A generic CSV inventory with HEADER and the given rows (None = empty cell)."""
    return write_csv(tmp_path / name, [HEADER, *rows])


def by_name(ctx: FactContext) -> pd.DataFrame:
    """The facts table indexed by server name (names are unique in these tests)."""
    return ctx.facts.set_index(ctx.servers["name"].astype(str).to_numpy())


def facts(tmp_path, rows):
    return by_name(context(sheet(tmp_path, rows), MODULES))


# --- roles -------------------------------------------------------------------------------


def test_roles_from_name_role_column_application_and_notes(tmp_path):
    f = facts(
        tmp_path,
        [
            ("bsl-web-01", None, "Portal (nginx)", None, "IT", None, None, None, None, None),
            ("srv-0042", "Domain Controller", None, None, "IT", None, None, None, None, None),
            ("srv-0043", None, "Oracle Database 19c", None, "IT", None, None, None, None, None),
            ("srv-0044", None, None, None, "IT", "RabbitMQ broker", None, None, None, None),
        ],
    )
    assert f.loc["bsl-web-01", "role"] == "web_server"
    assert "web server (name+application)" in f.loc["bsl-web-01", "role_evidence"]
    assert f.loc["srv-0042", "role"] == "domain_controller"
    assert "role column" in f.loc["srv-0042", "role_evidence"]
    assert f.loc["srv-0043", "role"] == "database"
    assert f.loc["srv-0043", "db_engine"] == "oracle"
    assert f.loc["srv-0044", "role"] == "queue"
    assert "notes" in f.loc["srv-0044", "role_evidence"]


def test_notes_naming_another_server_are_a_dependency_not_a_role(tmp_path):
    """'sessions in PostgreSQL on bsl-appdb-01' says what the web node uses, not what it is."""
    f = facts(
        tmp_path,
        [
            (
                "bsl-web-01",
                None,
                "Portal (nginx)",
                None,
                "IT",
                "Web node 1 behind bsl-lb-01. Stateless; sessions in PostgreSQL on bsl-appdb-01.",
                None,
                None,
                None,
                None,
            ),
            (
                "bsl-hr-01",
                None,
                "HR (Sage 200)",
                None,
                "IT",
                "Sage 200 application server, database on bsl-sql-02.",
                None,
                None,
                None,
                None,
            ),
            (
                "bsl-appdb-01",
                None,
                "PostgreSQL 15",
                None,
                "IT",
                "The portal database.",
                None,
                None,
                None,
                None,
            ),
            ("bsl-sql-02", None, "SQL Server 2019", None, "IT", None, None, None, None, None),
            ("bsl-lb-01", None, "HAProxy", None, "IT", None, None, None, None, None),
            (
                "app-7",
                None,
                None,
                None,
                "IT",
                "SQL Server 2019 on this box; replicates to bsl-sql-02",
                None,
                None,
                None,
                None,
            ),
        ],
    )
    assert f.loc["bsl-web-01", "role"] == "web_server"
    assert not f.loc["bsl-web-01", "is_database"]
    assert f.loc["bsl-hr-01", "role"] == "other"
    assert f.loc["bsl-appdb-01", "role"] == "database"
    # its own words still count; only the clause naming another server is dropped
    assert f.loc["app-7", "is_database"]


def test_erp_in_a_name_is_not_sap(tmp_path):
    f = facts(
        tmp_path,
        [
            ("bsl-erp-01", None, "ERP (Infor LN)", None, "IT", None, None, None, None, None),
            ("bsl-sap-01", None, "SAP S/4HANA", None, "IT", None, None, None, None, None),
        ],
    )
    assert not f.loc["bsl-erp-01", "is_sap"]
    assert f.loc["bsl-sap-01", "is_sap"]


# --- naming convention and pets ------------------------------------------------------------


def _estate(names):
    return [(n, None, "App", None, "IT", None, None, None, None, None) for n in names]


def test_pets_against_the_convention(tmp_path):
    names = [f"bsl-app-{i:02d}" for i in range(1, 21)] + ["bsl-sqlclu-01a", "bsl-sqlclu-01b"]
    f = facts(tmp_path, _estate([*names, "gandalf", "kermitbox", "zeus-2"]))
    assert f.loc["bsl-app-01", "naming_convention"] == "a-a-9"
    assert f.loc["bsl-app-01", "follows_naming_convention"]
    # a node letter after the number keeps the name in its convention
    assert f.loc["bsl-sqlclu-01a", "follows_naming_convention"]
    assert f.loc["gandalf", "pet_name"] and f.loc["zeus-2", "pet_name"]
    assert f.loc["kermitbox", "pet_name"]  # a lone word in an estate of systematic names
    assert not f.loc["gandalf", "follows_naming_convention"]
    assert not f.loc[names, "pet_name"].any()


def test_lone_words_sharing_a_prefix_or_a_function_are_a_convention(tmp_path):
    names = [f"BOW{w}" for w in ("LVCPRD", "FILECHECK", "TSMOC", "EXTMEDIA")]
    names += [f"srv{i:03d}" for i in range(1, 40)] + ["wwebtest", "wasgdbtest", "gandalf"]
    f = facts(tmp_path, _estate(names))
    assert not f.loc[names[:4], "pet_name"].any()
    assert not f.loc[["wwebtest", "wasgdbtest"], "pet_name"].any()
    assert f.loc["gandalf", "pet_name"]


def test_no_pets_where_single_words_are_the_norm(tmp_path):
    """In an estate of sports teams and cities there is no convention to deviate from;
    only names from the pet lists (myth, fiction) still count."""
    names = ["Kings", "Warriors", "Anthem", "barrage", "umbro", "lostcity", "Teal", "Sari"]
    f = facts(tmp_path, _estate([*names, "Hera", "web01", "web02"]))
    assert not f.loc[names, "pet_name"].any()
    assert f.loc["Hera", "pet_name"]


def test_fqdn_names_are_judged_by_their_host_part(tmp_path):
    names = [f"bsl-app-{i:02d}.acme.local" for i in range(1, 10)] + ["gandalf.acme.local"]
    f = facts(tmp_path, _estate(names))
    assert f.loc["gandalf.acme.local", "pet_name"]
    assert f.loc["bsl-app-01.acme.local", "follows_naming_convention"]


def test_sample_pets_are_exactly_the_planted_ones(generated_samples):
    ctx = context(
        generated_samples / "acme-rvtools.xlsx",
        MODULES,
        profile=generated_samples / "acme-profile.yaml",
    )
    f = by_name(ctx)
    assert sorted(f.index[f["pet_name"]]) == ["gandalf", "pluto", "zeus"]
    templates = f["is_template"].astype(bool)
    odd = f.index[~f["follows_naming_convention"] & ~templates]
    assert sorted(odd) == ["gandalf", "pluto", "zeus"]
    web = [f"bsl-web-0{i}" for i in (1, 2, 3)]
    assert (f.loc[web, "role"] == "web_server").all()
    assert not f.loc[web, "is_database"].any()
    for n in ("bsl-dms-01", "bsl-hr-01", "bsl-intranet-01", "bsl-erp-01", "bsl-tst-erp-01"):
        assert f.loc[n, "role"] == "other", n
    assert f.loc["bsl-sap-01", "role"] == "sap"
    assert f.loc["bsl-appdb-01", "role"] == "database"


@pytest.mark.parametrize(
    ("export", "max_pet_share", "min_follow_share"),
    [
        ("rvtools-4.6.1-anon-339vms.xlsx", 0.02, 0.0),
        ("rvtools-subset-100vms.xlsx", 0.02, 0.9),  # MSPM7AAPPS0010: no separators
        ("rvtools-4.6.1-anon-655vms.xlsx", 0.02, 0.8),  # 36010VJ01
        ("rvtools-3.x-trimmed-3tabs.xlsx", 0.02, 0.8),  # BOWLVCPRD, wwebtest
    ],
)
def test_real_exports_do_not_call_the_estate_pets(corpus, export, max_pet_share, min_follow_share):
    f = export_facts(corpus / export)
    assert f["pet_name"].notna().all()
    assert f["pet_name"].mean() <= max_pet_share
    assert f["follows_naming_convention"].mean() >= min_follow_share


def test_names_without_separators_follow_their_convention(corpus):
    f = export_facts(corpus / "rvtools-4.6.1-anon-655vms.xlsx")
    assert f.loc["100elf77", "follows_naming_convention"]
    assert not f.loc["100elf77", "pet_name"]
    g = export_facts(corpus / "rvtools-subset-100vms.xlsx")
    row = g.loc[["MSPM7AAPPS0010"]].iloc[0]
    assert row["follows_naming_convention"] and not row["pet_name"]
    h = export_facts(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    assert not h.loc["36010VJ01", "pet_name"]  # digits and letters: a code, not a pet


# --- owner, documentation ----------------------------------------------------------------


def test_owner_and_documentation(tmp_path):
    rows = [
        (f"srv-{i:02d}", None, "App", None, "IT", "notes", None, None, None, None) for i in range(6)
    ]
    rows += [
        ("srv-50", "?", None, None, None, "??? - nobody knows", None, None, None, None),
        ("srv-51", "n/a", None, None, "-", None, None, None, None, None),
        (
            "srv-52",
            None,
            None,
            None,
            "Facility",
            "old Linux box, maybe used by production?",
            None,
            None,
            None,
            None,
        ),
    ]
    f = facts(tmp_path, rows)
    assert f.loc["srv-00", "has_owner"] and f.loc["srv-00", "has_documentation"]
    assert not f.loc["srv-50", "has_owner"] and not f.loc["srv-50", "has_documentation"]
    assert not f.loc["srv-51", "has_owner"] and not f.loc["srv-51", "has_documentation"]
    assert f.loc["srv-52", "has_owner"] and not f.loc["srv-52", "has_documentation"]


def test_owner_unknown_where_the_export_has_no_owner_field(tmp_path):
    rows = [
        (f"srv-{i:02d}", None, "App", None, None, None, None, None, None, None) for i in range(4)
    ]
    f = facts(tmp_path, rows)
    assert f["has_owner"].isna().all()
    assert f["has_documentation"].all()


def test_missing_notes_say_nothing_where_notes_are_rare(tmp_path):
    rows = [
        (f"srv-{i:02d}", None, None, None, "IT", None, None, None, None, None) for i in range(9)
    ]
    rows.append(("srv-99", None, None, None, "IT", "Print server", None, None, None, None))
    f = facts(tmp_path, rows)
    assert f.loc["srv-99", "has_documentation"]
    assert f.loc["srv-00", "has_documentation"] is pd.NA


# --- age and production --------------------------------------------------------------------


def test_age_and_production(tmp_path):
    f = facts(
        tmp_path,
        [
            ("bsl-app-01", None, "App", "Production", "IT", None, None, None, "2016-09-30", None),
            ("bsl-tst-app-01", None, "App", None, "IT", None, None, None, "2030-01-01", None),
            ("bsl-app-02", None, "App", None, "IT", None, None, None, None, None),
        ],
    )
    assert f.loc["bsl-app-01", "age_days"] == 3652
    assert pd.isna(f.loc["bsl-tst-app-01", "age_days"])  # created after the export: unknown
    assert f.loc["bsl-app-01", "is_production"]
    assert not f.loc["bsl-tst-app-01", "is_production"]
    assert pd.isna(f.loc["bsl-app-02", "is_production"])
