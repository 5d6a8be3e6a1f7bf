"""`advisor assess` options for quick iteration: --only, --json, --quiet, --provider, --zone.

Every run here writes no PDF (the PDF process is replaced by one that fails the test if it
is ever started), so the module stays fast; the full set is covered in test_cli_assess.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import advisor.report
from advisor.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
runner = CliRunner()


class NoPdfWorker:
    """Stands in for advisor.report.PdfWorker: a run without pdf must never start it."""

    def __init__(self) -> None:
        raise AssertionError("the PDF process was started for a run without pdf")


@pytest.fixture(scope="module", autouse=True)
def no_pdf_process():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(advisor.report, "PdfWorker", NoPdfWorker)
        yield


def _visible(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def json_run(tmp_path_factory):
    """One run: --only xlsx,json (in another order and case), --json and --fail-on, into a
    folder that holds a PDF and an HTML of an earlier run."""
    out = tmp_path_factory.mktemp("only")
    (out / "assessment.pdf").write_bytes(b"earlier pdf")
    (out / "assessment.html").write_text("earlier html")
    args = ["assess", str(SAMPLE), "-p", str(PROFILE), "-o", str(out)]
    result = runner.invoke(app, [*args, "--only", "XLSX, json", "--json", "--fail-on", "blocker"])
    return result, out


def test_only_writes_exactly_the_named_outputs(json_run):
    result, out = json_run
    assert result.exit_code == 1, result.output  # the sample has blockers: --fail-on holds
    # The kinds not asked for, left by an earlier run, are gone: no mixed set.
    assert _visible(out) == {"assessment.json", "assessment.xlsx"}
    assert json.loads((out / "assessment.json").read_text())["summary"]["servers"] == 77


def test_the_summary_says_which_earlier_outputs_went(tmp_path):
    (tmp_path / "assessment.pdf").write_bytes(b"earlier pdf")
    args = ["assess", str(SAMPLE), "-p", str(PROFILE), "-o", str(tmp_path), "--only", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"removed {tmp_path / 'assessment.pdf'}: an earlier run's" in " ".join(
        result.output.split()
    )
    assert _visible(tmp_path) == {"assessment.json"}


def test_json_is_one_object_alone_on_stdout(json_run):
    result, _ = json_run
    data = json.loads(result.stdout)  # fails on anything else printed to stdout
    assert data["outputs"] == ["assessment.json", "assessment.xlsx"]
    assert data["removed_from_earlier_run"] == ["assessment.html", "assessment.pdf"]
    assert data["servers"] == 77
    assert sum(data["readiness"].values()) == 77
    assert data["scope"]["servers_read"] == 80
    assert data["target"] == {"provider": "exoscale", "zone": "ch-gva-2"}
    assert data["fail_on"] == {"severity": "blocker", "reached": True}
    top = data["top_findings"]
    assert top and {"area", "code", "title", "servers", "worst_severity"} <= set(top[0])
    plan = data["plan"]
    assert plan["waves"] >= 1 and plan["last_wave_ends"] >= plan["start"]
    assert set(plan["monthly_cost"]) == {"exoscale", "scaleway"}
    assert all(c["currency"] == "EUR" for c in plan["monthly_cost"].values())
    assert "/" not in json.dumps(data["outputs"])  # names relative to --out


def test_quiet_prints_nothing_and_provider_zone_override(tmp_path):
    args = ["assess", str(SAMPLE), "-p", str(PROFILE), "-o", str(tmp_path), "--only", "json"]
    result = runner.invoke(app, [*args, "--quiet", "--provider", "Scaleway", "--zone", "nl-ams-1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    assert _visible(tmp_path) == {"assessment.json"}
    data = json.loads((tmp_path / "assessment.json").read_text())
    assert data["target"] == {"provider": "scaleway", "zone": "nl-ams-1"}


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--only", "pdf,docx"], ("--only", "'docx'", "pdf, html, xlsx, json")),
        (["--only", ","], ("--only", "at least one")),
        (["--zone", "ch-gva-9"], ("--zone ch-gva-9", "not a zone of exoscale", "ch-gva-2")),
        (["--provider", "aws"], ("--provider", "'aws'", "exoscale, scaleway")),
        (["--provider", "scaleway", "--zone", "ch-gva-2"], ("not a zone of scaleway",)),
        (["--set", "DSK001.enabled=abc"], ("DSK001.enabled=abc", "true or false")),
    ],
)
def test_bad_options_are_one_line_before_any_work(tmp_path, extra, fragments):
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(SAMPLE), "-o", str(out), *extra])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""
    assert not out.exists()


def test_provider_alone_takes_its_default_zone_and_swaps_the_comparison():
    from advisor.profile import load_profile
    from advisor.profile.loading import with_target

    prof = load_profile(PROFILE)
    assert prof.target.provider == "exoscale"
    moved = with_target(prof, "scaleway", None)
    assert (moved.target.provider, moved.target.zone) == ("scaleway", "fr-par-1")
    assert moved.target.compare in (None, "exoscale")
    assert moved.customer == prof.customer and moved.sites == prof.sites
    assert with_target(prof, None, None) is prof
    assert with_target(prof, None, "de-fra-1").target.zone == "de-fra-1"


def test_set_enabled_takes_only_true_or_false():
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import resolve_settings

    rules = load_catalog_rules()
    assert resolve_settings(rules, {}, ["DSK001.enabled=false"])["DSK001"].enabled is False
    assert resolve_settings(rules, {}, ["DSK001.enabled=true"])["DSK001"].enabled is True
    from advisor.errors import InputError

    with pytest.raises(InputError, match="true or false"):
        resolve_settings(rules, {}, ["DSK001.enabled=1"])
