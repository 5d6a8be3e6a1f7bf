"""Help screens speak the user's language: no Python type names, the same -o everywhere."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    """Every command and group of the app, as the words that name it."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(group, prefix: list[str]) -> None:
        for name, cmd in getattr(group, "commands", {}).items():
            paths.append([*prefix, name])
            walk(cmd, [*prefix, name])

    walk(root, [])
    return paths


PATHS = _command_paths()


def _help(path: list[str]) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_covered():
    names = {" ".join(p) for p in PATHS}
    assert {"assess", "demo", "score", "template", "profile init", "rules docs"} <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "advisor")
def test_help_shows_no_python_types(path):
    text = _help(path)
    for word in ("<bool>", "<path>", "<text>", "<str>", "<int>", "list[", "Path]"):
        assert word not in text, f"{word} in the help of {path}"
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (["assess"], r"--out\s+-o\s+FOLDER"),
        (["demo"], r"--out\s+-o\s+FOLDER"),
        (["score"], r"--output\s+-o\s+FILE"),
        (["template"], r"--output\s+-o\s+FILE"),
        (["profile", "init"], r"--output\s+-o\s+FILE"),
        (["rules", "docs"], r"--output\s+-o\s+FILE"),
        (["assess"], r"--only\s+pdf,html,xlsx,json"),
        (["assess"], r"--provider\s+exoscale\|scaleway"),
        (["assess"], r"--quiet\s+-q\s+Print nothing"),
    ],
)
def test_output_options_read_the_same_everywhere(path, line):
    assert re.search(line, _help(path)), f"{line} not in the help of {path}"
