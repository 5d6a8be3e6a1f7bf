"""Hostile input at the command line itself: Rich markup in data, outputs that would replace
an input, and nonsense `--set` values.

Markup: whatever comes from a file, a path, a profile or an error message is printed as it
is; `[/red]` in a VM name once crashed `inspect` with rich.errors.MarkupError and exit 1.
Outputs: `score in.xlsx -o in.xlsx` once replaced the customer's inventory; every spelling
of that (another path, a symbolic link, a hard link) is refused before anything is read.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from harness import assert_clean, assert_refused, invoke

from advisor.errors import InputError
from advisor.output_guard import Input, Output, refuse_overwrite

#: Markup-looking text of every kind: a style, a bare close, a link, an unbalanced close,
#: an unclosed tag.
MARKUP = ["[bold]", "[/]", "[link=file:///x]", "[/red]", "[red"]
SHEET = "[/red] notes [bold"
HEADER = "[/red] custom"


def markup_workbook(folder: Path) -> Path:
    """An RVTools-like workbook named `[bold]x[/].xlsx` whose VM names, folder, annotation,
    owner, a header, a rejected value and a sheet name all look like markup."""
    header = [*VINFO_4X, "Folder", HEADER]
    rows = [
        [*vinfo_row(f"srv{m}", Annotation=f"note {m}", Owner=m), f"/Prod/{m}", m] for m in MARKUP
    ]
    rows.append([*vinfo_row("srv[/red]", CPUs="[red"), "/x", "dup"])  # duplicate, bad number
    # "[/]" holds a slash: the file `].xlsx` sits in a folder called `[bold]x[`.
    (folder / "[bold]x[").mkdir()
    path = write_xlsx(folder / "[bold]x[/].xlsx", {"vInfo": [header, *rows], "Notes": [["a"]]})
    _rename_sheet(path, "Notes", SHEET)  # openpyxl refuses '[' in a title; Excel files may not
    return path


def _rename_sheet(path: Path, old: str, new: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            dst.writestr(item, data)
    shutil.move(tmp, path)


PROFILE = """\
customer:
  name: "[bold]Acme[/] [link=file:///x]AG[/link] [/red] [red"
target:
  provider: exoscale
  zone: ch-gva-2
sites:
  - name: "[/red] HQ [bold]"
    lat: 47.56
    lon: 7.59
    uplink_mbps: 100
    users: 250
    datacenters: ["DC[/]"]
"""


def markup_profile(folder: Path) -> Path:
    path = folder / "profile.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def no_traceback(run) -> str:
    both = run.stdout + run.stderr
    assert "Traceback" not in both and "MarkupError" not in both, both
    return both


# --- Rich markup in data ----------------------------------------------------------------------


@pytest.mark.parametrize("show_all", [False, True])
def test_inspect_prints_markup_in_the_workbook_as_text(hostile_dir, show_all):
    path = markup_workbook(hostile_dir)
    run = invoke(["inspect", path, *(["--all"] if show_all else [])], timeout=20)
    assert_clean(run)
    both = no_traceback(run)
    for text in (str(path), SHEET, HEADER, "'[red'", "duplicate server name 'srv[/red]'"):
        assert text in both, text


def test_assess_summary_prints_markup_from_profile_and_workbook(hostile_dir, monkeypatch):
    """The terminal summary, with the report writers stubbed out (they are tested on their
    own; the PDF alone would take seconds)."""
    import advisor.report

    class NoWorker:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    written = hostile_dir / "[/red]out"

    def fake_reports(result, out_dir, **_):
        return [written / "assessment.json"]

    monkeypatch.setattr(advisor.report, "PdfWorker", NoWorker)
    monkeypatch.setattr(advisor.report, "write_reports", fake_reports)
    path = markup_workbook(hostile_dir)
    profile = markup_profile(hostile_dir)
    run = invoke(["assess", path, "-p", profile, "-o", hostile_dir / "out"], timeout=30)
    assert_clean(run)
    both = no_traceback(run)
    name = "[bold]Acme[/] [link=file:///x]AG[/link] [/red] [red"
    for text in (f"{name}: 6 servers from {path}", f"wrote {written / 'assessment.json'}"):
        assert text in both, text


def test_profile_check_prints_markup_names_as_text(hostile_dir):
    run = invoke(["profile", "check", markup_profile(hostile_dir)], timeout=10)
    assert_clean(run)
    both = no_traceback(run)
    assert "Customer: [bold]Acme[/] [link=file:///x]AG[/link] [/red] [red" in both
    assert "  [/red] HQ [bold]: 47.56, 7.59" in both and "datacenter DC[/]" in both


def test_a_missing_file_named_like_markup_is_one_error_line(hostile_dir):
    missing = hostile_dir / "[/red].xlsx"
    line = assert_refused(invoke(["inspect", missing], timeout=10), "file not found")
    assert line == f"error: {missing}: file not found"


def test_an_input_error_quoting_markup_is_printed_as_is(hostile_dir):
    bad = hostile_dir / "bad.yaml"
    bad.write_text('customer: {name: X}\n"[/red]oops": 1\n', encoding="utf-8")
    assert_refused(invoke(["profile", "check", bad], timeout=10), "[/red]oops")


def test_score_prints_markup_file_names_failures_and_progress(hostile_dir, monkeypatch):
    """On a terminal `score` names the file being scored in its progress bar and reports a
    failed input above it. A file name cannot hold the `/` of a closing tag, but `[bold]`
    would be eaten as a style."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    import advisor.cli

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=300, emoji=False)
    monkeypatch.setattr(advisor.cli, "err", terminal)
    update = Progress.update

    def update_and_draw(self, *args, **kwargs):  # draw every state, not only on the timer
        update(self, *args, **kwargs)
        self.refresh()

    monkeypatch.setattr(Progress, "update", update_and_draw)
    good = markup_workbook(hostile_dir).rename(hostile_dir / "[bold]y.xlsx")
    broken = hostile_dir / "[red.xlsx"
    broken.write_bytes(b"")
    run = invoke(["score", good, broken, "-o", hostile_dir / "s.xlsx"], timeout=30)
    assert_clean(run, code=1)  # the documented "some inputs failed"
    no_traceback(run)
    assert str(good) in run.stdout  # the table of scored inputs
    shown = screen.getvalue()
    for text in ("scoring [bold]y.xlsx", f"{broken}: the file is empty", "1 of 2 inputs failed"):
        assert text in shown, text


def test_an_internal_error_quoting_markup_exits_3(hostile_dir, monkeypatch):
    import advisor.inventory.summary

    def broken(_inventory):
        raise RuntimeError("[/red] boom [bold")

    monkeypatch.setattr(advisor.inventory.summary, "inspect_summary", broken)
    run = invoke(["inspect", markup_workbook(hostile_dir)], timeout=20)
    no_traceback(run)
    assert run.code == 3
    assert run.lines == [
        "internal error: RuntimeError: [/red] boom [bold (set ADVISOR_DEBUG=1 for the traceback)"
    ]


def test_a_markup_error_while_printing_is_never_exit_1(hostile_dir, monkeypatch):
    """Should any print still parse data as markup, the run ends as an internal error (3),
    never as exit 1, which CI reads as "--fail-on threshold reached"."""
    from rich.console import Console

    import advisor.inspect_view

    def render(*_args, **_kwargs):
        Console().print("[/red]")

    monkeypatch.setattr(advisor.inspect_view, "render_inspect", render)
    run = invoke(["inspect", markup_workbook(hostile_dir)], timeout=20)
    assert run.code == 3 and "internal error: MarkupError" in run.stderr
    assert "[/red]" in run.stderr


def test_the_error_line_survives_a_failing_console(hostile_dir, monkeypatch):
    from rich.errors import MarkupError

    import advisor.cli

    class Broken:
        def print(self, *_args, **_kwargs):
            raise MarkupError("closing tag '[/red]' doesn't match any open tag")

    monkeypatch.setattr(advisor.cli, "err", Broken())
    missing = hostile_dir / "[/red].xlsx"
    assert_refused(invoke(["inspect", missing], timeout=10), f"{missing}: file not found")


# --- Outputs never replace inputs -------------------------------------------------------------


@pytest.fixture
def inventory(hostile_dir: Path) -> Path:
    """The customer's file. The guard refuses before reading, so its content is immaterial;
    every test checks it is left byte for byte."""
    path = hostile_dir / "in.xlsx"
    path.write_bytes(b"customer inventory")
    return path


def untouched(path: Path) -> None:
    assert path.read_bytes() == b"customer inventory"


def test_score_output_is_the_inventory(inventory):
    run = invoke(["score", inventory, "-o", inventory], timeout=10)
    line = assert_refused(run, "choose another file")
    assert line == f"error: --output {inventory}: is the input inventory {inventory}; " + (
        "choose another file"
    )
    untouched(inventory)


def test_score_output_is_the_inventory_spelled_otherwise(inventory, hostile_dir):
    other = hostile_dir / "nowhere" / ".." / "in.xlsx"  # `nowhere` does not exist yet
    assert_refused(invoke(["score", inventory, "-o", other], timeout=10), "input inventory")
    relative = Path(".") / "x" / ".." / "in.xlsx"
    run = invoke(["score", "in.xlsx", "-o", relative], timeout=10, cwd=hostile_dir)
    assert_refused(run, "input inventory")
    assert not (hostile_dir / "nowhere").exists()
    untouched(inventory)


def test_links_either_way_are_the_same_file(inventory, hostile_dir):
    link = hostile_dir / "link.xlsx"
    link.symlink_to(inventory)
    assert_refused(invoke(["score", inventory, "-o", link], timeout=10), "input inventory")
    assert_refused(invoke(["score", link, "-o", inventory], timeout=10), "input inventory")
    hard = hostile_dir / "hard.xlsx"
    os.link(inventory, hard)
    assert_refused(invoke(["score", inventory, "-o", hard], timeout=10), "input inventory")
    assert link.is_symlink()
    untouched(inventory)


def test_a_file_found_in_a_scored_folder_is_an_input(inventory, hostile_dir):
    run = invoke(["score", hostile_dir, "-o", inventory], timeout=10)
    assert_refused(run, f"is the input inventory {inventory} (in the input folder {hostile_dir})")
    untouched(inventory)


def test_score_copy_and_profile_are_inputs_too(inventory, hostile_dir):
    hard = hostile_dir / "copy.xlsx"
    os.link(inventory, hard)
    args = ["score", inventory, "-o", hostile_dir / "s.xlsx", "--into", inventory]
    run = invoke([*args, "--into-output", hard], timeout=10)
    assert_refused(run, f"--into-output {hard}: is the input inventory {inventory}")
    profile = hostile_dir / "p.xlsx"
    profile.write_bytes(b"customer: {name: X}\n")
    run = invoke(["score", inventory, "-o", profile, "-p", profile], timeout=10)
    assert_refused(run, f"--output {profile}: is the --profile file")
    untouched(inventory)


def test_assess_out_folder_holding_the_inputs(hostile_dir):
    out = hostile_dir / "out"
    out.mkdir()
    inv = out / "assessment.xlsx"
    inv.write_bytes(b"customer inventory")
    run = invoke(["assess", inv, "-o", out], timeout=10)
    line = assert_refused(run, "choose another folder")
    assert line.startswith(f"error: --out {inv}: is the input inventory {inv}")
    mapping = out / "assessment.json"
    mapping.write_text("{}", encoding="utf-8")
    other = hostile_dir / "inv.xlsx"
    other.write_bytes(b"x")
    run = invoke(["assess", other, "-o", out, "--mapping", mapping], timeout=10)
    assert_refused(run, "is the --mapping file")
    assert inv.read_bytes() == b"customer inventory" and mapping.read_text() == "{}"


def test_assess_out_folder_is_the_csv_export(hostile_dir):
    export = hostile_dir / "export"
    export.mkdir()
    tab = export / "RVTools_tabvInfo.csv"
    tab.write_text("VM\nweb01\n", encoding="utf-8")
    os.link(tab, export / "assessment.json")  # a hard link: the same file as the tab
    run = invoke(["assess", export, "-o", export], timeout=10)
    assert_refused(run, "is the input file", "(in the input folder")
    assert tab.read_text(encoding="utf-8") == "VM\nweb01\n"


def test_rules_docs_never_writes_over_a_rule_file(hostile_dir, monkeypatch):
    """On a copy of one rule, so that a failure cannot touch the shipped catalog."""
    import advisor.engine.assess as engine
    from advisor.resources import data_path

    source = next(data_path("rules").glob("latency/LAT001-*.yaml"))
    catalog = hostile_dir / "rules" / "latency"
    catalog.mkdir(parents=True)
    rule = Path(shutil.copy(source, catalog / source.name))
    real = engine.load_catalog_rules
    monkeypatch.setattr(engine, "load_catalog_rules", lambda: real(hostile_dir / "rules"))
    link = hostile_dir / "rules.md"
    link.symlink_to(rule)
    assert_refused(invoke(["rules", "docs", "-o", link], timeout=10), "is the rule file")
    assert rule.read_bytes() == source.read_bytes()


def test_profile_init_never_writes_over_its_own_example(hostile_dir):
    import advisor

    example = Path(advisor.__file__).resolve().parent / "profile_template.yaml"
    link = hostile_dir / "p.yaml"
    link.symlink_to(example)
    run = invoke(["profile", "init", link, "--force"], timeout=10)
    assert_refused(run, "profile init", "is the bundled example")


def test_the_guard_itself():
    """Distinct files pass; the message names the option, the output and the input."""
    a, b = Path("/nonexistent/a.xlsx"), Path("/nonexistent/b.xlsx")
    refuse_overwrite([Output("--output", a)], [Input("the input inventory", b)])
    with pytest.raises(InputError) as caught:
        refuse_overwrite(
            [Output("--out", Path("/nonexistent/x/../b.xlsx"), "folder")],
            [Input("the --profile file", b)],
        )
    assert str(caught.value) == (
        "--out /nonexistent/x/../b.xlsx: is the --profile file /nonexistent/b.xlsx; "
        "choose another folder"
    )


# --- --set values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "must be a finite number, got nan"),
        ("inf", "must be a finite number, got inf"),
        (".inf", "'.inf' is not a finite number"),
        ("1e999", "must be a finite number, got inf"),
        ("9" * 400, "a number of 400 characters is too long"),
        ("-1", "cannot be negative (a value in ms), got -1"),
        ("-0.5", "cannot be negative (a value in ms), got -0.5"),
        ("abc", "must be a int like 100, got 'abc'"),
        ("[" * 500, "nested more than 50 levels deep"),  # past PyYAML's recursion limit
    ],
)
@pytest.mark.parametrize("command", ["assess", "score"])
def test_bad_set_values_are_refused_before_reading(inventory, hostile_dir, command, value, message):
    """Checked before the inventory is read (here it is not even a workbook): `score` would
    otherwise fail each input on it and exit 1."""
    option = f"LAT001.rdp_max_rtt_ms={value}"
    out = hostile_dir / ("s.xlsx" if command == "score" else "out")
    run = invoke([command, inventory, "-o", out, "--set", option], timeout=10)
    assert_refused(run, "--set LAT001.rdp_max_rtt_ms=", message)
    assert not out.exists()


def test_profile_rule_params_get_the_same_checks(inventory, hostile_dir):
    profile = hostile_dir / "p.yaml"
    profile.write_text(
        "customer: {name: X}\nrules:\n  LAT001: {params: {rdp_max_rtt_ms: -5}}\n",
        encoding="utf-8",
    )
    run = invoke(["score", inventory, "-o", hostile_dir / "s.xlsx", "-p", profile], timeout=10)
    assert_refused(run, "LAT001", "rdp_max_rtt_ms", "cannot be negative")


def test_a_sound_set_value_still_reaches_the_rule():
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import resolve_settings

    rules = load_catalog_rules()
    settings = resolve_settings(rules, {}, ["LAT001.rdp_max_rtt_ms=1e3", "DSK001.window_hours=0"])
    assert settings["LAT001"].params["rdp_max_rtt_ms"] == 1000.0
    assert settings["DSK001"].params["window_hours"] == 0
    assert settings["LAT001"].origin["rdp_max_rtt_ms"] == "command line"
