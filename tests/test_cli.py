"""The command line through typer's CliRunner: exit codes and the lines a user reads."""

from __future__ import annotations

import json

from builders import VINFO_4X, vinfo_row, write_xlsx
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()


def _rvtools(tmp_path):
    rows = [
        VINFO_4X,
        vinfo_row("web01"),
        vinfo_row("web01"),
        vinfo_row("db01", Memory="lots"),
        vinfo_row("", Template="True"),
    ]
    return write_xlsx(tmp_path / "estate.xlsx", {"vInfo": rows})


def test_inspect_json_contract(tmp_path):
    result = runner.invoke(app, ["inspect", "--json", str(_rvtools(tmp_path))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("format", "format_version", "servers", "rejected", "mapping", "completeness"):
        assert key in data
    assert data["format"] == "rvtools"
    assert data["servers"] == 4
    assert data["servers_kept"] == 3 and data["servers_rejected"] == 1
    reasons = {(r["row"], r["reason"]) for r in data["rejected"]}
    assert (5, "no server name") in reasons and (4, "not a number") in reasons
    assert any(m["header"] == "Owner" and m["column"] == "owner" for m in data["mapping"])
    assert data["completeness"]["name"] == 1.0


def test_inspect_tables(tmp_path):
    result = runner.invoke(app, ["inspect", str(_rvtools(tmp_path))], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in (
        "format rvtools",
        "servers read (templates included)",
        "Column mapping",
        "Completeness of server fields",
        "duplicate server name 'web01'",
        "no server name",
        "not a number",
    ):
        assert text in result.output


def test_bad_input_exits_2_with_one_line(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "missing.xlsx: file not found" in lines[0]
    assert "Traceback" not in result.output


def test_unknown_format_exits_2(tmp_path):
    result = runner.invoke(app, ["inspect", "--format", "vmware", str(_rvtools(tmp_path))])
    assert result.exit_code == 2
    assert "unknown format 'vmware'" in result.output


def test_template_command(tmp_path):
    target = tmp_path / "blank.xlsx"
    result = runner.invoke(app, ["template", "-o", str(target)])
    assert result.exit_code == 0 and target.exists()
    inspect = runner.invoke(app, ["inspect", "--json", str(target)])
    # A blank template has headers but no servers: that is an empty inventory, not an error.
    assert inspect.exit_code == 0, inspect.output
    assert json.loads(inspect.output)["servers"] == 0


def test_template_needs_xlsx_name(tmp_path):
    result = runner.invoke(app, ["template", "-o", str(tmp_path / "blank.csv")])
    assert result.exit_code == 2


def test_internal_errors_exit_3(tmp_path, monkeypatch):
    import advisor.inventory as inventory

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(inventory, "load_inventory", boom)
    result = runner.invoke(app, ["inspect", str(_rvtools(tmp_path))])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: kaboom" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("advisor ")
