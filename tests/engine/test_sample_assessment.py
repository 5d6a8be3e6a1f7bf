"""The bundled sample estate, assessed with its profile: every planted problem is found by
the rule of the intended area on the intended servers, and the whole assessment.json is a
reviewed snapshot."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from advisor.engine.assess import assess, load_catalog_rules
from advisor.inventory import load_inventory
from advisor.inventory.dependencies import read_dependencies
from advisor.plan.stage import assess_and_plan
from advisor.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "acme-assessment.json"

# planted problem (sample_inventories/README.md) -> rule code, area, servers that must fail
PLANTED = {
    "P01 domain controllers": (
        "ADC001",
        "domain-controllers",
        {"bsl-dc-01", "bsl-dc-02", "brn-dc-01", "vie-dc-01"},
    ),
    "P02 single DC on its site": ("ADC002", "domain-controllers", {"brn-dc-01", "vie-dc-01"}),
    "P03 multi-TB file server": ("DSK005", "large-disks", {"bsl-fs-01"}),
    "P04 branch file servers": ("BWD002", "bandwidth", {"bsl-fs-01", "brn-fs-01", "vie-fs-01"}),
    "P05 Oracle": ("LIC001", "licensing", {"bsl-ora-01", "bsl-tst-ora-01"}),
    "P06 SQL Server": (
        "LIC002",
        "licensing",
        {"bsl-sql-01", "bsl-sql-02", "bsl-sqlclu-01a", "bsl-sqlclu-01b", "bsl-exch-01"},
    ),
    "P07 SQL snapshot-only": ("BKP005", "backup", {"bsl-sql-02"}),
    "P08 SAP": ("LIC004", "licensing", {"bsl-sap-01", "bsl-hana-01"}),
    "P09 USB dongle": ("LIC007", "licensing", {"bsl-lic-01"}),
    "P10 licence bound to a MAC": ("LIC008", "licensing", {"bsl-cam-01"}),
    "P11 manual MACs": ("NET001", "network", {"bsl-cam-01", "bsl-rdgw-01", "bsl-rdgw-02"}),
    "P12 single load balancer": ("RED001", "redundancy", {"bsl-lb-01"}),
    "P13 single RabbitMQ": ("RED004", "redundancy", {"bsl-mq-01"}),
    "P14 single app database": (
        "RED003",
        "redundancy",
        {"bsl-appdb-01", "bsl-ora-01", "bsl-hana-01"},
    ),
    "P15 pets": ("SNW001", "snowflake", {"gandalf", "zeus", "pluto"}),
    "P16 snapshot-only backups": (
        "BKP002",
        "backup",
        {"bsl-sql-02", "bsl-cam-01", "bsl-voip-01", "brn-tt-01"},  # zeus: see QUESTIONS
    ),
    "P17 deep snapshot chain": ("BKP004", "backup", {"bsl-sql-02"}),
    "P18 shared cluster disks": ("STO001", "storage", {"bsl-sqlclu-01a", "bsl-sqlclu-01b"}),
    "P19 Windows NLB": ("NET002", "network", {"bsl-rdgw-01", "bsl-rdgw-02"}),
    "P20 powered off": ("LCY002", "lifecycle", {"bsl-crm-01", "bsl-ftp-01"}),
    "P21 suspended": ("LCY003", "lifecycle", {"bsl-dev-02"}),
    "P23 end-of-life OS": (
        "LCY001",
        "lifecycle",
        {
            "gandalf",
            "bsl-ftp-01",
            "bsl-print-01",
            "vie-app-01",
            "zeus",
            "bsl-crm-01",
            "bsl-ci-01",
            "brn-tt-01",
            "bsl-tst-sap-01",
            "pluto",
        },
    ),
    "P24 too large for any instance": ("SIZ001", "sizing", {"bsl-analytics-01"}),
    "P25 clear-text password": ("SEC001", "security", {"bsl-print-01"}),
    "P26 independent disks": ("STO003", "storage", {"bsl-mon-01", "bsl-bkp-01"}),
    "P27 connected ISO": ("PLT003", "platform", {"bsl-sql-01"}),
    "P37 Vienna far from Geneva": (
        "LAT004",
        "latency",
        {"vie-app-01", "vie-dc-01", "vie-fs-01", "vie-print-01"},
    ),
    "P38 VMware Tools outdated or missing": ("PLT005", "platform", {"gandalf", "zeus", "pluto"}),
}


# planted problem -> rule code and the servers it is unknown on: where the inventory says
# nothing (an empty backup cell), the verdict is a question for the customer, not a failure.
QUESTIONS = {
    "P16 snapshots, nothing stated": ("BKP002", {"zeus"}),
    "P28 no backup recorded": ("BKP001", {"gandalf", "zeus", "pluto"}),
}


@pytest.fixture(scope="module")
def assessment(generated_samples):
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    return assess(inv, load_profile(ROOT / "sample_inventories" / "acme-profile.yaml"))


def _failing(a, code: str, status: str = "fail") -> set[str]:
    f = a.evaluation.findings
    hit = f[(f["code"] == code) & (f["status"] == status)]
    return set(a.facts.loc[hit["server_id"], "name"])


@pytest.mark.parametrize("problem", sorted(PLANTED))
def test_planted_problem_found_by_intended_area(assessment, problem):
    code, area, servers = PLANTED[problem]
    rule = next(r for r in assessment.rules if r.code == code)
    assert rule.spec.area == area
    assert _failing(assessment, code) == servers


@pytest.mark.parametrize("problem", sorted(QUESTIONS))
def test_silent_inventory_leaves_planted_problems_unknown(assessment, problem):
    code, servers = QUESTIONS[problem]
    assert _failing(assessment, code, "unknown") == servers
    assert not _failing(assessment, code) & servers


def test_planted_templates_are_out_of_scope(assessment):
    """P22: templates are rebuilt on the target, so they leave the assessment with their
    reason instead of being scored."""
    out = assessment.out_of_scope.set_index("name")
    assert set(out.index) == {"tpl-rhel9", "tpl-win2019", "tpl-win2022"}
    assert set(out["category"]) == {"template"}
    assert not set(out["id"]) & set(assessment.facts.index)


def test_accepted_exception_is_shown_not_hidden(assessment):
    assert _failing(assessment, "BKP001", "accepted") == {"bsl-ci-01"}


def test_estate_wide_findings(assessment):
    estate = assessment.evaluation.portfolio.set_index("code")
    for code in ("DSK004", "BWD003", "NET006"):
        assert estate.loc[code, "status"] == "fail", code


def test_readiness_of_landmark_servers(assessment):
    s = assessment.scores.join(assessment.facts["name"]).set_index("name")
    assert s.loc["bsl-analytics-01", "readiness"] == "not_ready"
    assert s.loc["bsl-analytics-01", "disposition"] == "retain"
    assert s.loc["bsl-crm-01", "disposition"] == "retire"
    assert s.loc["bsl-sap-01", "readiness"] == "not_ready"


def _normalised(data: dict) -> dict:
    data = json.loads(json.dumps(data, default=str))
    data["tool"]["version"] = "<version>"
    data["input"]["path"] = Path(data["input"]["path"]).name
    # The generated workbook's bytes depend on the XML writer openpyxl finds (lxml or not);
    # its values, and so the assessment, do not.
    data["input"]["sha256"] = "<sha256 of the generated sample>"
    return data


def test_assessment_json_snapshot(assessment):
    """A reviewed snapshot. After a deliberate change: UPDATE_SNAPSHOTS=1 pytest, then
    read the diff of tests/engine/snapshots/acme-assessment.json before committing it."""
    got = _normalised(assessment.to_json())
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    want = json.loads(SNAPSHOT.read_text())
    assert got["summary"] == want["summary"]
    assert [s["name"] for s in got["servers"]] == [s["name"] for s in want["servers"]]
    for g, w in zip(got["servers"], want["servers"], strict=True):
        assert g == w, f"server {g['name']} changed"
    assert got == want


@pytest.fixture(scope="module")
def scaleway_profile(tmp_path_factory):
    text = (ROOT / "sample_inventories" / "acme-profile.yaml").read_text(encoding="utf-8")
    text = text.replace("provider: exoscale", "provider: scaleway")
    path = tmp_path_factory.mktemp("profile") / "scaleway.yaml"
    path.write_text(text.replace("zone: ch-gva-2", "zone: fr-par-1"), encoding="utf-8")
    return load_profile(path)


def test_a_scaleway_assessment_speaks_scaleway(generated_samples, scaleway_profile):
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    scw = assess(inv, scaleway_profile)
    assert scw.catalog.provider == "scaleway"
    for rule in scw.rules:
        assert "Exoscale" not in rule.spec.rationale + rule.spec.remediation, rule.code
    assert not any("written for Exoscale" in a for a in scw.assumptions)


def test_a_rule_without_a_scaleway_text_is_named_in_the_assumptions(
    generated_samples, scaleway_profile
):
    rules = load_catalog_rules()
    bkp = next(r for r in rules if r.code == "BKP002")
    bare = replace(bkp, spec=bkp.spec.model_copy(update={"providers": {}}))
    rules = [bare if r.code == "BKP002" else r for r in rules]
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    scw = assess(inv, scaleway_profile, rules=rules)
    notes = [a for a in scw.assumptions if "written for Exoscale" in a]
    assert len(notes) == 1
    assert "The explanation of 1 rule (BKP002) is written for Exoscale" in notes[0]
    assert "Scaleway equivalent" in notes[0]


def test_an_exoscale_assessment_needs_no_such_note(assessment):
    assert not any("written for Exoscale" in a for a in assessment.assumptions)


@pytest.fixture(scope="module")
def planned(generated_samples):
    """The demo's estate with the customer's dependency table (as `--dependencies
    acme-inventory.xlsx` gives it), assessed and planned."""
    inv = load_inventory(generated_samples / "acme-rvtools.xlsx")
    inv.dependencies = read_dependencies(generated_samples / "acme-inventory.xlsx")
    profile = load_profile(ROOT / "sample_inventories" / "acme-profile.yaml")
    return assess_and_plan(inv, profile)


def test_the_sample_plan_right_sizes_from_measured_use(planned):
    names = planned.inventory.servers.set_index("id")["name"]
    sized = planned.plan.primary_cost.servers
    sized = sized.set_axis(names.reindex(sized.index).to_numpy())
    reasons = sized["basis_reason"].value_counts()
    assert reasons["CPU and memory measured at export"] == 74
    assert sized.loc["bsl-crm-01", "basis_reason"] == "powered off: use not measured"
    # Idle: cut to the floor, half the allocation. Busy: most of it stays.
    assert (
        sized.loc["bsl-bi-01", "rightsized_vcpus"],
        sized.loc["bsl-bi-01", "rightsized_memory_gib"],
    ) == (2, 16)
    assert sized.loc["bsl-sql-01", "rightsized_memory_gib"] == 32  # never above the allocation
    assert sized.loc["bsl-rds-01", "rightsized_vcpus"] == 7
    assert (sized["rightsized_vcpus"] <= sized["vcpus"]).all()


def test_the_sample_plan_groups_by_dependencies_not_by_shared_services(planned):
    names = planned.inventory.servers.set_index("id")["name"]
    groups = planned.plan.groups.set_axis(names.reindex(planned.plan.groups.index).to_numpy())
    members = groups.groupby("group_id").apply(lambda g: set(g.index))

    def group_of(server: str) -> set[str]:
        return members[groups.loc[server, "group_id"]]

    assert group_of("bsl-erp-01") == {"bsl-erp-01", "bsl-ora-01", "bsl-edi-01"}
    assert {"bsl-lb-01", "bsl-web-01", "bsl-app-01", "bsl-appdb-01", "bsl-mq-01"} <= group_of(
        "bsl-web-02"
    )
    # Links to domain controllers, backup and monitoring do not glue the estate together.
    assert group_of("bsl-dc-01") == {"bsl-dc-01", "bsl-dc-02"}
    assert group_of("bsl-bkp-01") == {"bsl-bkp-01"}
    assert group_of("bsl-mon-01") == {"bsl-mon-01"}
    edges = planned.plan.edges
    blocked = edges.loc[~edges["joins"], "why"]
    assert blocked.str.startswith("shared service: bsl-dc-01 is a domain controller").sum() >= 20
    assert blocked.str.startswith("hub: bsl-mon-01 has ").any()


def test_the_sample_plan_has_waves_a_timeline_and_a_labour_cost(planned):
    plan = planned.plan
    waves = plan.waves.waves
    assert len(waves) >= 5
    assert waves["start"].iloc[0] == date(2027, 1, 4)  # the profile's start date
    t = plan.timeline
    assert t.labour_rate == 120 and t.currency == "EUR"
    assert t.labour_cost == pytest.approx(t.engineer_hours * 120)
    assert t.parallel_run_weeks == 2
