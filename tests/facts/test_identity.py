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
from advisor.inventory.schema import Inventory, Source, conform
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
    # The evidence names each source and the value that matched (it used to name only the
    # sources, "web server (name+application)", which a finding could not show as proof).
    assert f.loc["bsl-web-01", "role_evidence"] == (
        "web server: name 'bsl-web-01', application 'nginx'"
    )
    assert f.loc["srv-0042", "role"] == "domain_controller"
    assert f.loc["srv-0042", "role_evidence"] == "domain controller: role 'domain controller'"
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


def estate(servers: list[dict], partitions: list[tuple[int, str]] = ()) -> pd.DataFrame:
    """Facts of servers given as column dicts (id vm-<i>, name srv-<i> unless given), with
    partitions as (server number, mount point)."""
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    parts = [{"server_id": f"vm-{i}", "mount": mount} for i, mount in partitions]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        partitions=conform("partitions", pd.DataFrame(parts)),
        source=Source(path="test", format="rvtools"),
    )
    return by_name(run_modules(inv, MODULES, as_of=AS_OF))


def roles_of(names: list[str]) -> dict[str, str | None]:
    f = estate([{"name": n} for n in names])
    return {n: (None if pd.isna(r) else r) for n, r in f["roles"].items()}


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        # role codes glued to a prefix, before the number: strong codes only
        ("XYZDC05", "domain_controller"),
        ("ADDSDC01", "domain_controller"),
        ("SRVSQL01", "database"),
        ("CRESTDB01", "database"),
        # a Cloud Director UUID is no part of the name: its '-ad21-' is not a DC
        ("analytics01 (35277e10-ad21-502b-814a-bcb88025016a)", None),
        ("ntmdbdev01", "database"),  # an environment word between code and number
        ("erpora01", "database"),
        ("wsqltest", "database"),  # 'sql' anywhere: no ordinary word has it
        # codes as whole letter runs; numbering and random suffixes do not matter
        ("SRV-AD03", "domain_controller"),
        ("ch-lab-DC01-a8f3", "domain_controller"),
        ("dc01-a8f3", "domain_controller"),
        ("srv-fs-01", "file_server"),
        ("MSPM1BRDS0070", "remote_desktop"),
        ("SINM1BDFS04", "file_server"),
        ("sqlclu-01a", "database, cluster_node"),
        ("sapprd01", "sap"),
        ("x-s4hana-01", "database, sap"),
        # weak two-letter codes never count glued
        ("APPS01", None),  # not 'ps' (print)
        ("api01", None),  # not 'pi' (SAP)
        ("HOSTS01", None),  # not 'ts' (terminal server)
        ("hotel01", None),  # not 'tel' (telephony)
        # look-alikes
        ("ovdc01", None),  # a Cloud Director org VDC
        ("kdc01", None),  # a three-letter site code ending in dc
        ("dc1-web01", "web_server"),  # datacentre 1, not a DC
        ("az-ad-connect01", None),  # Azure AD Connect, no DC
        ("srv-adfs-01", None),
        ("wadfs1", None),  # AD FS, not DFS
        ("fedora38", None),
        ("oraclelinux8-tmpl", None),
        ("records01", None),
        ("vm-dc5e1a", None),  # random hex, not 'dc'
        ("wsapdn3", None),  # 'sap' inside a word is too weak for a licensing blocker
    ],
)
def test_roles_from_names(name, roles):
    assert roles_of([name])[name] == roles


def test_dns_name_is_a_source_of_its_own_and_only_its_host_label_counts():
    f = estate(
        [
            {"name": "srv-0001", "dns_name": "xyzdc05.corp.example"},
            {"name": "app-01", "dns_name": "app-01.sql.corp.example"},  # a 'sql' zone
            {"name": "dc01", "dns_name": "dc01.corp.mx"},  # same host as the name
            {"name": "web", "dns_name": "sql01.example"},  # no gluing name and DNS name
        ]
    )
    assert f.loc["srv-0001", "role_evidence"] == "domain controller: DNS name 'xyzdc05'"
    assert not f.loc["app-01", "is_database"]
    assert f.loc["dc01", "role_evidence"] == "domain controller: name 'dc01'"
    assert f.loc["web", "role_evidence"] == ("database: DNS name 'sql01'; web server: name 'web'")


def test_roles_and_engines_from_mount_points():
    f = estate(
        [{}, {}, {}, {}, {}, {}, {"os_name": "Oracle Linux 8 (64-bit)"}],
        [
            (0, "/"),
            (0, "/u01"),
            (0, "/u02"),
            (1, "/var/lib/pgsql"),
            (2, "E:\\TempDB\\Disk1\\"),
            (2, "C:\\"),
            (3, "/hana/data"),
            (3, "/usr/sap"),
            (4, "/var/log"),
            (4, "/storage/db"),  # the vCenter appliance's own database: not a role
            (5, "/var/lib/mongodb"),
            (6, "/"),
        ],
    )
    assert f.loc["srv-00", "db_engine"] == "oracle"
    assert f.loc["srv-00", "role_evidence"] == "database: mount point '/u01'"
    assert f.loc["srv-00", "db_engine_evidence"] == "oracle: mount point '/u01'"
    assert f.loc["srv-01", "db_engine"] == "postgresql"
    assert f.loc["srv-02", "db_engine"] == "sqlserver"
    assert f.loc["srv-03", "roles"] == "database, sap"
    assert f.loc["srv-03", "db_engine"] == "hana"
    assert "sap: mount point '/hana/data'" in f.loc["srv-03", "role_evidence"]
    assert f.loc["srv-05", "db_engine"] == "mongodb"
    assert not f.loc[["srv-04", "srv-06"], "is_database"].any()


def test_the_operating_system_is_no_role():
    """'Oracle Linux' is an operating system: neither the OS column nor notes that name it
    make a security scanner an Oracle database."""
    f = estate(
        [
            {"name": "scan-01", "os_name": "Oracle Linux 8 (64-bit)"},
            {"name": "scan-02", "annotation": "Nessus scanner on Oracle Linux 8"},
            {"name": "app-03", "os_name": "Microsoft SQL Server 2019 appliance"},
            {"name": "db-04", "annotation": "Oracle 19c on Oracle Linux 8"},
        ]
    )
    assert not f.loc[["scan-01", "scan-02", "app-03"], "is_database"].any()
    assert f.loc[["scan-01", "scan-02", "app-03"], "db_engine"].isna().all()
    assert f.loc["db-04", "role_evidence"] == "database: name 'db-04', notes 'oracle'"
    assert f.loc["db-04", "db_engine_evidence"] == "oracle: notes 'oracle'"


def test_custom_attributes_count_only_under_a_role_or_application_header():
    f = estate(
        [
            {"attr.Function": "SQL Server 2019"},
            {"attr.NB_LAST_BACKUP": "Sat Jan 20 2018, backup server apntbkup01, Policy_DC"},
            {"attr.Backup Policy": "Domain Controller backup (system state)"},
            {"attr.App Owner": "database team"},
            {"attr.Application": "Veeam Backup & Replication 12"},
            {"annotation": "Protected by Veeam Backup & Replication (daily)"},
        ]
    )
    assert f.loc["srv-00", "role_evidence"] == (
        "database: custom attribute 'Function' 'sql server'"
    )
    assert f.loc[["srv-01", "srv-02", "srv-03", "srv-05"], "roles"].isna().all()
    assert f.loc["srv-04", "role"] == "backup_server"


def test_a_role_column_holding_one_code_counts_words_do_not():
    f = estate(
        [
            {"role": "DC"},
            {"role": "SQL"},
            {"role": "Web Proxy"},
            {"role": "File Transfer"},
            {"role": "PostgreSQL"},
        ]
    )
    assert f["role"].tolist() == ["domain_controller", "database", "other", "other", "database"]
    assert f.loc["srv-04", "db_engines"] == "postgresql"  # not SQL Server too


def test_a_copy_of_another_server_is_not_a_backup_server():
    f = estate(
        [{"name": "app01"}, {"name": "app01-bkp1"}, {"name": "crm7_backup"}, {"name": "srv-bkp-01"}]
    )
    assert not f.loc[["app01-bkp1", "crm7_backup"], "is_backup_server"].any()
    assert f.loc["srv-bkp-01", "is_backup_server"]


def test_negated_notes_are_no_evidence():
    f = estate([{"annotation": "No SQL Server here any more, data moved to the cluster"}])
    assert not f["is_database"].iloc[0]


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


# --- roles on real exports -------------------------------------------------------------------


def _with(f: pd.DataFrame, fact: str) -> set[str]:
    return set(f.index[f[fact].fillna(False).astype(bool)])


def test_real_export_with_glued_role_codes(corpus):
    """Site and application prefixes glued to the role code ('ADDSDC01', 'CRESTDB01');
    Avaya appliances on Oracle Linux are telephony, not databases."""
    f = export_facts(corpus / "rvtools-3.x-trimmed-5tabs.xlsx")
    assert _with(f, "is_domain_controller") == {"ADDSDC01", "ADDSDC02"}
    databases = {"CRESTDB01", "gtappDB01", "gtappDB02", "gtappDB03", "INTDB01", "SLWDB01"}
    assert databases <= _with(f, "is_database")
    assert f.loc["CRESTDB01", "role_evidence"] == "database: name 'CRESTDB01'"
    # an Avaya manager keeps its own PostgreSQL, which the mount point shows
    assert f.loc["AVAYASMGR01", "db_engine_evidence"] == "postgresql: mount point '/var/lib/pgsql'"
    assert _with(f, "is_database") == databases | {"AVAYASMGR01"}
    for name in ("AVAYAADS01", "AVAYAMM01"):  # Oracle Linux (64-bit)
        assert f.loc[name, "role"] == "voip", name
    assert f.loc["Rapid7VASE", "role"] == "other"  # the scanner: no database
    assert not f.loc[["EXCHAP01", "ADCSCA01", "VEEAMBRAP01"], "is_domain_controller"].any()
    assert f.loc["VEEAMBRAP01", "role"] == "backup_server"


def test_real_export_with_run_together_names(corpus):
    f = export_facts(corpus / "rvtools-3.x-trimmed-3tabs.xlsx")
    assert _with(f, "is_domain_controller") == {"wsptstdc01", "BOWMFGSQADC01", "BOWMGH-PTH-DC"}
    assert not f.loc["BOWDCLOGCOLL1", "is_domain_controller"]  # a DC log collector
    db = _with(f, "is_database")
    assert {"BOWSQL14", "wsql36", "ntsqltst04", "BOWSCOMSQL1", "NTSQLTST17new"} <= db
    assert f.loc["wsqltest510a", "role_evidence"] == (
        "database: name 'wsqltest510a', mount point 'E:\\TempDB\\Disk1\\'"
    )
    # SQL Server's TempDB volume shows the engine where the name does not
    assert (
        f.loc["BOWSAPWTS2", "db_engine_evidence"] == "sqlserver: mount point 'E:\\TempDB\\Disk1\\'"
    )
    assert not f.loc[["BOWSQAADDM1", "wdbsox02", "BOWMFGSQAPROD01"], "is_database"].any()
    assert {"BOWPRINT1", "ntprint2", "NTBOPRINTTEST1"} <= _with(f, "is_print_server")
    assert not _with(f, "is_print_server") & {"BOWAPPS05", "BOWMFGSYSAPPS2"}
    # 'wbei01-bkp1' is a copy of a VM, Veeam ONE sits with the backup tools
    assert _with(f, "is_backup_server") == {"bowveeamone1"}
    assert {"wcilicense1", "BOWDS5LIC01"} <= _with(f, "is_license_server")


def test_real_exports_domain_controllers_and_databases(corpus):
    f = export_facts(corpus / "rvtools-3.x-tabvInfo.csv")
    assert _with(f, "is_domain_controller") == {"APDC03"}
    g = export_facts(corpus / "rvtools-3.10.1-25tabs.xlsx")
    assert g.loc["TechSummit-MSSQLServer", "role_evidence"] == (
        "database: name 'TechSummit-MSSQLServer', DNS name 'MSSQLSERVER'"
    )
    assert g.loc["SQLSvrTeam-1", "db_engine"] == "sqlserver"
    assert not g.loc["VCSA", "is_database"]  # /storage/db is the appliance's own
    h = export_facts(corpus / "rvtools-4.6.1-anon-339vms.xlsx")
    sql = {f"GR-PVW-V-SQL0{i}" for i in range(1, 6)}
    assert sql <= _with(h, "is_database")
    # NB_LAST_BACKUP and Rubrik_LastBackup hold backup times and policies, no roles
    assert not _with(h, "is_backup_server")
    assert not h.loc["dayton-rubrik", "is_database"]
    k = export_facts(corpus / "rvtools-subset-100vms.xlsx")
    assert {"MSPM1BDB1304", "LAXM1BDB541", "mcsflsql1"} <= _with(k, "is_database")
    assert {"MSPM1BBKUP20", "SJUM7ABKUP32"} <= _with(k, "is_backup_server")
    assert k.loc[["MSPM7AAPPS0010", "MSPM1BAPPS1397"], "roles"].isna().all()


def test_real_export_names_with_a_dns_domain(corpus):
    f = export_facts(corpus / "azure-migrate-10servers.csv")
    assert f.loc["SRV-DC-01.contoso.local", "role_evidence"] == (
        "domain controller: name 'SRV-DC-01'"
    )
    assert _with(f, "is_database") == {"SRV-DB-01.contoso.local", "SRV-DB-02.contoso.local"}
