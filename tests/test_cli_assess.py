"""CLI: assess, rules, profile, demo — exit codes and the lines a consultant reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def assessed(tmp_path_factory):
    out = tmp_path_factory.mktemp("assess")
    result = runner.invoke(
        app,
        ["assess", str(SAMPLE), "--profile", str(PROFILE), "--out", str(out)],
        env={"COLUMNS": "160"},
    )
    return result, out


def test_assess_writes_the_json_contract(assessed):
    result, out = assessed
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text())
    assert set(data) >= {"tool", "input", "summary", "servers", "rules"}
    assert data["tool"]["name"] == "advisor"
    assert data["input"]["format"] == "rvtools"
    assert data["input"]["format_version"] == "4.7.1.4"
    assert len(data["input"]["sha256"]) == 64
    # 80 VMs read; the sample's 3 templates are out of scope, listed without a verdict.
    assert data["summary"]["servers"] == 77
    assert data["summary"]["scope"] == {
        "servers_read": 80,
        "in_scope": 77,
        "out_of_scope": 3,
        "rejected": 0,
        "out_of_scope_by_category": {"template": 3},
    }
    assert sum(data["summary"]["readiness"].values()) == 77
    assert sum(data["summary"]["dispositions"].values()) == 77
    assert len(data["servers"]) == 80
    left_out = [s for s in data["servers"] if not s["scope"]["in_scope"]]
    assert sorted(s["name"] for s in left_out) == ["tpl-rhel9", "tpl-win2019", "tpl-win2022"]
    assert all(s["score"] is None and s["scope"]["category"] == "template" for s in left_out)
    server = data["servers"][0]
    assert set(server) >= {
        "id",
        "name",
        "score",
        "readiness",
        "disposition",
        "confidence",
        "effort_hours",
        "findings",
    }
    for f in (f for s in data["servers"] for f in s["findings"]):
        assert set(f) >= {"code", "area", "severity", "status", "message"}
    assert {"code", "area", "title"} <= set(data["rules"][0])


def test_assess_prints_a_summary(assessed):
    result, out = assessed
    for text in (
        "Acme AG",
        "Readiness",
        "Dispositions",
        "Findings by area",
        "Data confidence",
        "wrote",
    ):
        assert text in result.output
    line = "Scope: 80 read, 77 in scope, 3 out of scope (3 VMware templates), 0 rejected"
    assert line in result.output
    data = json.loads((out / "assessment.json").read_text())
    s = data["summary"]
    effort = (
        f"Effort: {s['effort_hours']:,.0f} h = {s['effort_hours_servers']:,.0f} h for the "
        f"servers + {s['effort_hours_estate']:,.0f} h one-off estate work"
    )
    assert effort in result.output
    for row in (r for r in data["portfolio"] if r["status"] == "fail"):
        # The severity in brackets is printed, not taken for console markup.
        assert f"{row['code']} [{row['severity']}]" in result.output


def test_fail_on_threshold_exits_1(tmp_path):
    # --only json: the verdicts decide the exit code, the report kinds do not
    args = ["assess", str(SAMPLE), "-p", str(PROFILE), "-o", str(tmp_path), "--only", "json"]
    assert runner.invoke(app, [*args, "--fail-on", "info"]).exit_code == 1
    bad = runner.invoke(app, [*args, "--fail-on", "severe"])
    assert bad.exit_code == 2 and "--fail-on" in bad.output


def test_set_overrides_and_bad_set(tmp_path):
    args = ["assess", str(SAMPLE), "-p", str(PROFILE), "-o", str(tmp_path), "--only", "json"]
    ok = runner.invoke(app, [*args, "--set", "DSK001.window_hours=1000"])
    assert ok.exit_code == 0, ok.output
    data = json.loads((tmp_path / "assessment.json").read_text())
    dsk = next(r for r in data["rules"] if r["code"] == "DSK001")
    assert dsk["params"]["window_hours"] == 1000
    assert not any(
        f["code"] == "DSK001" and f["status"] == "fail"
        for s in data["servers"]
        for f in s["findings"]
    )
    bad = runner.invoke(app, [*args, "--set", "DSK001.window_hour=1"])
    assert bad.exit_code == 2 and "no param 'window_hour'" in bad.output


def test_rules_list_json_and_show():
    result = runner.invoke(app, ["rules", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {"code", "name", "area", "severity", "title"} <= set(rows[0])
    one = runner.invoke(app, ["rules", "list", "--area", "large-disks", "--json"])
    assert {r["area"] for r in json.loads(one.output)} == {"large-disks"}
    show = runner.invoke(app, ["rules", "show", "disk-transfer-window"])
    assert show.exit_code == 0
    for text in ("DSK001", "window_hours", "Why", "What to do", "References", "Examples"):
        assert text in show.output
    missing = runner.invoke(app, ["rules", "show", "DSK01"])
    assert missing.exit_code == 2 and "did you mean 'DSK001'" in missing.output


def test_rules_facts_lists_units_and_inputs():
    result = runner.invoke(app, ["rules", "facts", "--json"])
    facts = {f["name"]: f for f in json.loads(result.output)}
    assert facts["transfer_hours"]["unit"] == "h"
    assert facts["transfer_hours"]["inputs"]
    assert facts["estate_transfer_hours"]["scope"] == "portfolio"


def test_profile_init_and_check(tmp_path):
    target = tmp_path / "p.yaml"
    assert runner.invoke(app, ["profile", "init", str(target)]).exit_code == 0
    again = runner.invoke(app, ["profile", "init", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
    check = runner.invoke(app, ["profile", "check", str(target)])
    assert check.exit_code == 0, check.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites:\n  - {name: HQ, uplink_mpbs: 100}\n")
    result = runner.invoke(app, ["profile", "check", str(bad)])
    assert result.exit_code == 2 and "did you mean 'uplink_mbps'" in result.output


def test_assess_without_profile_states_assumptions(tmp_path):
    result = runner.invoke(
        app, ["assess", str(SAMPLE), "-o", str(tmp_path), "--only", "json"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "latency rules cannot be evaluated" in result.output
    data = json.loads((tmp_path / "assessment.json").read_text())
    assert any("latency" in a for a in data["assumptions"])


def test_stages_show_on_a_terminal_and_stay_out_of_pipes(monkeypatch):
    import io

    from rich.console import Console

    from advisor import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=80))
    with cli._stage("Reading the inventory") as stage:
        stage("Assessing 3 servers")
    assert "Assessing 3 servers" in screen.getvalue()  # the stage shown last
    pipe = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=pipe, force_terminal=False))
    with cli._stage("Reading the inventory") as stage:
        stage("Assessing 3 servers")
    assert pipe.getvalue() == ""


@pytest.mark.parametrize(
    "rows",
    ["", "tpl1,2,4,true\ntpl2,2,4,true\n"],
    ids=["no rows", "every machine set aside"],
)
def test_nothing_in_scope_is_reported_not_an_internal_error(tmp_path, rows):
    """A header-only file, or one whose machines are all templates, has nothing to plan:
    the outputs say 0 servers in scope and carry no plan."""
    src = tmp_path / "servers.csv"
    src.write_text("Server,vCPU,Memory (GB),Template\n" + rows)
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(src), "-o", str(out), "--only", "json,xlsx,html"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text())
    assert data["summary"]["servers"] == 0 and data["plan"] is None
    assert "0 in scope" in result.output
