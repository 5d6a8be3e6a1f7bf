"""Hostile YAML: the engagement profile (`profile check`, `assess --profile`) and the mapping
file (`--mapping`), held to the promise for bad input: exit 2, one line naming the file and
the key, no traceback, within a time bound.

Every file is generated here, in `tmp_path`. The cases once ended in exit 3 (a directory as
the profile, a date that does not exist, a 5,000-digit number), in RecursionError (nesting)
or never ended at all (an alias bomb, a customer name of 100,000 characters), or embedded
/etc/passwd in the HTML report through a logo symlink.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import VINFO_4X, vinfo_row, write_csv, write_xlsx
from harness import assert_clean, assert_refused, invoke

from advisor.errors import InputError
from advisor.yaml_input import MAX_NODES, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
#: A real (tiny) PNG: the signature, then an IHDR chunk; enough for the signature check.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-server RVTools workbook: `assess` needs an inventory to reach the profile."""
    folder = tmp_path_factory.mktemp("inventory")
    rows = [VINFO_4X, vinfo_row("web01"), vinfo_row("db01")]
    return write_xlsx(folder / "rvtools.xlsx", {"vInfo": rows})


def write(folder: Path, text: str | bytes, name: str = "profile.yaml") -> Path:
    """A file in `folder` holding `text` (bytes as they are, text as UTF-8)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check(path: Path):
    """`advisor profile check FILE`, bounded."""
    return invoke(["profile", "check", path], timeout=10)


def assess(inventory: Path, path: Path, out: Path):
    """`advisor assess INV --profile FILE`, bounded; a refused profile stops it first."""
    return invoke(["assess", inventory, "--profile", path, "--out", out], timeout=20)


def refused_by_both(inventory: Path, path: Path, *fragments: str) -> str:
    """The profile is refused the same way by `profile check` and by `assess`."""
    line = assert_refused(check(path), str(path.name), *fragments)
    assert_refused(assess(inventory, path, path.parent / "out"), str(path.name), *fragments)
    assert not (path.parent / "out").exists(), "assess wrote outputs for a refused profile"
    return line


# --- profile shape ---------------------------------------------------------------------------


def malformed_profiles() -> list[tuple[str, str, tuple[str, ...]]]:
    """(case, YAML text, fragments the one-line message must hold): wrong shapes at every
    level of the profile, each of which once reached a type error deep inside."""
    return [
        ("list-as-customer", "customer: [a, b]\n", ("customer", "mapping")),
        ("list-as-name", "customer: {name: [x]}\n", ("customer.name", "text")),
        ("mapping-as-name", "customer: {name: {first: x}}\n", ("customer.name", "text")),
        ("mapping-as-sites", "sites: {name: Basel}\n", ("sites", "list")),
        ("number-as-sites", "sites: 5\n", ("sites", "list")),
        ("text-as-site", "sites: [Basel]\n", ("sites[0]", "mapping")),
        ("list-as-uplink", "sites: [{name: a, uplink_mbps: [1]}]\n", ("sites[0].uplink_mbps",)),
        ("mapping-as-dcs", "sites: [{name: a, datacenters: {x: 1}}]\n", ("datacenters",)),
        ("top-level-list", "- a\n- b\n", ("top level", "mapping")),
        ("top-level-text", "just some text\n", ("top level", "mapping")),
        ("list-as-override", "rules: {LAT001: [1]}\n", ("rules.LAT001", "mapping")),
        ("list-as-rules", "rules: [LAT001]\n", ("rules", "mapping")),
        ("list-as-params", "rules: {DSK001: {params: [1]}}\n", ("rules.DSK001.params",)),
        ("mapping-as-exceptions", "exceptions: {rule: X}\n", ("exceptions", "list")),
        ("text-as-exception", "exceptions: [BKP001]\n", ("exceptions[0]", "mapping")),
        ("text-as-include", "scope: {include: 'web*'}\n", ("scope.include", "list")),
        ("list-as-scope", "scope: [1]\n", ("scope", "mapping")),
        ("list-as-segment", "segment_by: [1, 2]\n", ("segment_by",)),
        ("list-as-logo", "branding: {logo: [a.png]}\n", ("branding.logo", "file path")),
        ("text-as-window", "migration: {window_hours: soon}\n", ("migration.window_hours",)),
        ("list-as-provider", "target: {provider: [exoscale]}\n", ("target.provider",)),
        ("number-key", "1: 2\n", ("key 1", "not text")),
        ("null-key", "~: 2\n", ("key none", "not text")),
        ("unknown-key", "custmer: {name: A}\n", ("custmer", "did you mean 'customer'")),
        ("unhashable-key", "rules: {[a]: 1}\n", ("line 1", "unhashable")),
        ("two-documents", "customer: {name: A}\n---\nsites: []\n", ("line 2", "single document")),
        ("bad-date", "migration: {start_date: 2026-13-45}\n", ("migration.start_date", "date")),
        ("bad-int-tag", "sites: [{name: a, users: !!int many}]\n", ("sites[0].users",)),
        ("bad-bool-tag", "rules: {DSK001: {enabled: !!bool maybe}}\n", ("rules.DSK001.enabled",)),
        ("syntax", "customer:\n  name: [A\n", ("line", "YAML syntax error")),
        ("control-char", 'customer: {name: "a\x01b"}\n', ("control characters",)),
    ]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=case) for case, text, fragments in malformed_profiles()],
)
def test_malformed_profile_is_one_line(tmp_path, inventory, text, fragments):
    refused_by_both(inventory, write(tmp_path, text), *fragments)


def test_python_tags_are_refused_not_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"customer: !!python/object/apply:os.system ['touch {marker}']\n"
    assert_refused(check(write(tmp_path, text)), "line 1", "python/object")
    assert not marker.exists()


def test_empty_profile_means_every_default(tmp_path):
    for text in ("", "# nothing decided yet\n", "~\n"):
        run = check(write(tmp_path, text))
        assert_clean(run)
        assert "Customer name not given" in run.stdout


# --- bounds of the reader --------------------------------------------------------------------


def alias_bomb(levels: int, width: int = 10) -> str:
    """Anchors that each hold `width` aliases of the previous one: width**levels values."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ncustomer: {{name: *l{levels - 1}}}\n"


def deep_via_aliases(levels: int) -> str:
    """Each anchor nests the previous one a level deeper: shallow as written, deep as data."""
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def bounded_cases() -> list[tuple[str, Callable[[], str | bytes], tuple[str, ...]]]:
    """(case, file content, fragments): files that hung, recursed or crashed the reader."""
    digits = "9" * 5_000
    return [
        ("alias-bomb", lambda: alias_bomb(12), ("l4", "100,000")),
        ("alias-loop", lambda: "sites: &s [*s]\n", ("sites[0]", "loop")),
        ("deep-via-aliases", lambda: deep_via_aliases(60), ("a49", "50 levels")),
        ("deep-block", lambda: "".join(" " * i + "a:\n" for i in range(200)), ("a.a.a", "50")),
        ("deep-flow", lambda: "customer: " + "[" * 5_000 + "]" * 5_000, ("line 1", "depth")),
        ("huge-int", lambda: f"migration: {{window_hours: {digits}}}\n", ("window_hours", "50")),
        ("huge-int-param", lambda: f"rules: {{DSK001: {{params: {{w: {digits}}}}}}}\n", ("w",)),
        ("inf", lambda: "migration: {window_hours: .inf}\n", ("window_hours", "finite")),
        ("minus-inf", lambda: "sites: [{name: a, lat: -.inf}]\n", ("sites[0].lat", "finite")),
        ("nan", lambda: "scoring: {base_effort_hours: .nan}\n", ("base_effort_hours", "finite")),
        ("overflow", lambda: "migration: {window_hours: 1.0e+999}\n", ("window_hours", "finite")),
        ("inf-as-text", lambda: "migration: {window_hours: 1e999}\n", ("window_hours", "finite")),
        ("inf-param", lambda: "rules: {DSK001: {params: {w: .inf}}}\n", ("params.w", "finite")),
        (
            "big-param",
            lambda: "rules: {DSK001: {params: {w: 10000000000000000000000}}}\n",
            ("rules.DSK001.params.w", "9,223,372,036,854,775,807"),
        ),
        (
            "big-users",
            lambda: "sites: [{name: a, users: 100000000000000000000}]\n",
            ("sites[0].users", "10000000"),
        ),
        ("too-big", lambda: "# " + "x" * 1_000_000 + "\n", ("1,000,003 bytes", "1,000,000")),
        ("not-utf8", lambda: b"customer: {name: M\xfcller}\n", ("UTF-8", "byte 19")),
    ]


@pytest.mark.parametrize(
    ("content", "fragments"),
    [pytest.param(make, fragments, id=case) for case, make, fragments in bounded_cases()],
)
def test_reader_bounds(tmp_path, content, fragments):
    assert_refused(check(write(tmp_path, content())), "profile.yaml", *fragments)


#: Cases also run through `assess` (the same reader; one of each kind keeps the suite fast).
THROUGH_ASSESS = ("alias-bomb", "deep-block", "huge-int", "inf", "not-utf8")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        pytest.param(make, fragments, id=case)
        for case, make, fragments in bounded_cases()
        if case in THROUGH_ASSESS
    ],
)
def test_assess_stops_at_the_reader_bounds(tmp_path, inventory, content, fragments):
    refused_by_both(inventory, write(tmp_path, content()), *fragments)


def test_alias_expansion_below_the_bound_is_accepted():
    # 10**4 values through aliases is a big but legitimate file; 10**5 + 1 is not.
    assert parse_yaml(alias_bomb(4), "ok.yaml").data["customer"]["name"][0][0][0] == ["x"] * 10
    with pytest.raises(InputError, match=f"{MAX_NODES:,}"):
        parse_yaml(alias_bomb(5), "bomb.yaml")


def test_folder_device_and_missing_file_as_profile(tmp_path):
    assert_refused(check(tmp_path), "is a folder")
    assert_refused(check(Path("/dev/null")), "/dev/null", "device")
    assert_refused(check(tmp_path / "nope.yaml"), "nope.yaml", "not found")


def test_fifo_as_profile_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    # In this process: SIGALRM interrupts a blocked open(), so a regression fails, not hangs.
    assert_refused(invoke(["profile", "check", fifo], timeout=5), "profile.yaml", "FIFO")


# --- text length bounds ----------------------------------------------------------------------


def long_text_cases() -> list[tuple[str, Callable[[], str], tuple[str, ...]]]:
    """(case, profile text, fragments): one value far longer than any real one."""
    return [
        (
            "customer",
            lambda: f"customer: {{name: {'x' * 100_000}}}\n",
            ("customer.name", "100,000", "200"),
        ),
        (
            "company",
            lambda: f"consultant: {{company: {'c' * 201}}}\n",
            ("consultant.company", "201", "200"),
        ),
        ("site", lambda: f"sites: [{{name: {'s' * 300}}}]\n", ("sites[0].name", "300", "200")),
        (
            "datacenter",
            lambda: f"sites: [{{name: a, datacenters: [{'d' * 201}]}}]\n",
            ("sites[0].datacenters[0]", "201"),
        ),
        (
            "reason",
            lambda: f"exceptions: [{{rule: BKP001, server: a, reason: {'r' * 2_001}}}]\n",
            ("exceptions[0].reason", "2,001", "2,000"),
        ),
        (
            "scope-reason",
            lambda: f"scope: {{exclude: [{{name: a, reason: {'r' * 5_000}}}]}}\n",
            ("scope.exclude[0].reason", "5,000", "2,000"),
        ),
        (
            "pattern",
            lambda: f"scope: {{exclude: [{{folder: {'f' * 1_001}}}]}}\n",
            ("scope.exclude[0].folder", "1,001", "1,000"),
        ),
        (
            "param-text",
            lambda: f"rules: {{DSK001: {{params: {{w: {'p' * 2_001}}}}}}}\n",
            ("rules.DSK001.params.w", "2,001", "2,000"),
        ),
        (
            "logo-path",
            lambda: f"branding: {{logo: {'l' * 5_000}.png}}\n",
            ("branding.logo", "5,004", "1,000"),
        ),
    ]


@pytest.mark.parametrize(
    ("content", "fragments"),
    [pytest.param(make, fragments, id=case) for case, make, fragments in long_text_cases()],
)
def test_long_values_are_refused_with_length_and_limit(tmp_path, content, fragments):
    line = assert_refused(check(write(tmp_path, content())), "profile.yaml", *fragments)
    assert len(line) < 400  # the value itself is not echoed


def test_assess_refuses_a_customer_name_of_100000_characters(tmp_path, inventory):
    # Once: `assess` ran past 300 s laying out a cover with this name.
    profile = write(tmp_path, f"customer: {{name: {'x' * 100_000}}}\n")
    refused_by_both(inventory, profile, "customer.name", "100,000", "200")


def repeated(key: str, first: str, count: int) -> str:
    """`key:` holding `count` entries: `first` under an anchor, then aliases of it.

    Aliases keep the file small and quick to parse while the data holds every entry, which
    is what the bounds count.
    """
    return f"{key}: [&e {first}" + ", *e" * (count - 1) + "]\n"


def long_lists() -> list[tuple[str, str, tuple[str, ...]]]:
    """(case, profile text, fragments): lists one entry past their bound."""
    exception = "{rule: BKP001, server: web01, reason: r}"
    return [
        ("sites", repeated("sites", "{name: a}", 10_001), ("sites", "10,001", "10,000")),
        ("exceptions", repeated("exceptions", exception, 10_001), ("exceptions", "10,001")),
        (
            "datacenters",
            "sites: [{name: a, datacenters: " + repeated("x", "d", 10_001)[3:-1] + "}]",
            ("sites[0].datacenters", "10,001", "10,000"),
        ),
        ("values", repeated("x", "1", 100_001), ("x[", "more than 100,000 values")),
    ]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=case) for case, text, fragments in long_lists()],
)
def test_long_lists_are_refused_with_length_and_limit(tmp_path, text, fragments):
    assert_refused(check(write(tmp_path, text)), "profile.yaml", *fragments)


def test_values_at_the_limit_are_accepted(tmp_path):
    text = (
        f"customer: {{name: {'n' * 200}}}\n"
        f"exceptions: [{{rule: BKP001, server: web01, reason: {'r' * 2_000}}}]\n"
    )
    assert_clean(check(write(tmp_path, text)))


# --- logo ------------------------------------------------------------------------------------


def logo_profile(folder: Path, logo: str) -> Path:
    """A profile in `folder` whose branding names `logo`."""
    return write(folder, f"branding: {{logo: '{logo}'}}\n")


def test_logo_symlink_to_a_system_file_is_refused(tmp_path, inventory):
    (tmp_path / "logo.png").symlink_to("/etc/passwd")
    line = refused_by_both(inventory, logo_profile(tmp_path, "logo.png"), "branding.logo")
    assert "outside the profile's folder" in line


def test_logo_outside_the_profile_folder_is_refused(tmp_path):
    write(tmp_path, PNG, "elsewhere/logo.png")
    profile = logo_profile(tmp_path / "engagement", "../elsewhere/logo.png")
    assert_refused(check(profile), "branding.logo", "outside the profile's folder")
    absolute = logo_profile(tmp_path / "engagement", str(tmp_path / "elsewhere" / "logo.png"))
    assert_refused(check(absolute), "branding.logo", "outside the profile's folder")


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        pytest.param("logo.png", b"just text, not an image\n", ("not a PNG image",), id="text"),
        pytest.param("logo.jpg", PNG, ("not a JPEG image",), id="png-named-jpg"),
        pytest.param(
            "logo.png", PNG + bytes(3_000_000), ("3,000,033 bytes", "2,000,000"), id="3mb"
        ),
        pytest.param(
            "logo.svg",
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG,
            ("<!entity",),
            id="svg-entity",
        ),
        pytest.param(
            "logo.svg",
            SVG.replace("<rect", "<script>alert(1)</script><rect"),
            ("<script",),
            id="svg-script",
        ),
        pytest.param("logo.svg", "<html><svg/></html>", ("not an SVG image",), id="svg-html"),
        pytest.param("logo.txt", b"text", ("not an image the report can embed",), id="suffix"),
    ],
)
def test_logo_that_is_not_a_small_image_is_refused(tmp_path, name, content, fragments):
    write(tmp_path, content, name)
    assert_refused(check(logo_profile(tmp_path, name)), "branding.logo", *fragments)


def test_logo_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "logo.png").mkdir()
    assert_refused(check(logo_profile(tmp_path, "logo.png")), "branding.logo", "regular file")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", PNG),
        ("brand/logo.svg", SVG),
        ("logo.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(8)),
        ("logo.gif", b"GIF89a" + bytes(10)),
        ("logo.jpeg", b"\xff\xd8\xff\xe0" + bytes(10)),
    ],
)
def test_real_logos_in_the_profile_folder_are_accepted(tmp_path, name, content):
    write(tmp_path, content, name)
    assert_clean(check(logo_profile(tmp_path, name)))


def test_logo_symlink_inside_the_folder_is_followed(tmp_path):
    write(tmp_path, PNG, "brand/v2.png")
    (tmp_path / "logo.png").symlink_to(tmp_path / "brand" / "v2.png")
    run = check(logo_profile(tmp_path, "logo.png"))
    assert_clean(run)
    assert str((tmp_path / "brand" / "v2.png").resolve()) in run.stdout


# --- mapping file ----------------------------------------------------------------------------


@pytest.fixture
def generic_csv(tmp_path: Path) -> Path:
    """A server list whose headers no alias matches, so a mapping file is needed."""
    return write_csv(tmp_path / "odd.csv", [["Kiste", "Kerne"], ["x", 2], ["y", 4]])


def malformed_mappings() -> list[tuple[str, str, tuple[str, ...]]]:
    """(case, mapping YAML, fragments): wrong shapes and values of each key."""
    return [
        ("text-row", 'header_row: "2"\n', ("header_row", "1,048,576", "without quotes")),
        ("negative-row", "header_row: -1\n", ("header_row", "-1")),
        ("zero-row", "header_row: 0\n", ("header_row", "whole number")),
        ("huge-row", f"header_row: {10**30}\n", ("header_row", "1,048,576")),
        ("bool-row", "header_row: true\n", ("header_row", "true/false")),
        ("list-row", "header_row: [1]\n", ("header_row", "a list")),
        ("top-level-list", "- Kiste\n- name\n", ("mapping file", "got a list")),
        ("top-level-text", "Kiste\n", ("mapping file", "got a str")),
        ("empty", "", ("mapping file", "empty")),
        ("list-as-columns", "columns: [Kiste, name]\n", ("columns", "got a list")),
        ("list-as-column", "columns: {Kiste: [name]}\n", ("columns.Kiste", "got a list")),
        ("unknown-field", "columns: {Kiste: nmae}\n", ("Kiste", "did you mean 'name'")),
        ("unknown-key", "columns: {Kiste: name}\nsheets: x\n", ("line 2", "unknown key 'sheets'")),
        ("misspelt-columns", "colums: {Kiste: name}\n", ("colums", "did you mean 'columns'")),
        ("list-as-units", "units: [GB]\n", ("units", "got a list")),
        (
            "list-as-unit",
            "columns: {Kiste: name}\nunits: {memory_gib: [GB]}\n",
            ("units.memory_gib", "a list"),
        ),
        (
            "unknown-unit",
            "columns: {Kiste: name}\nunits: {memory_gib: parsecs}\n",
            ("units.memory_gib", "parsecs"),
        ),
        ("list-as-sheet", "sheet: [a]\n", ("sheet", "got a list")),
        ("duplicate-header", "columns: {Kiste: name, Kiste: vcpus}\n", ("'Kiste' appears twice",)),
        (
            "alias-bomb",
            alias_bomb(12).replace("customer: {name:", "columns: {Kiste:"),
            ("100,000",),
        ),
        ("deep", "columns: " + "{a: " * 100 + "x" + "}" * 100 + "\n", ("columns.a.a", "50")),
        ("inf-row", "header_row: .inf\n", ("header_row", "finite")),
    ]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=case) for case, text, fragments in malformed_mappings()],
)
def test_malformed_mapping_is_one_line(tmp_path, generic_csv, text, fragments):
    mapping = write(tmp_path, text, "map.yaml")
    run = invoke(["inspect", generic_csv, "--mapping", mapping], timeout=10)
    assert_refused(run, "map.yaml", *fragments)


def test_mapping_that_is_a_folder_is_refused(tmp_path, generic_csv):
    run = invoke(["inspect", generic_csv, "--mapping", tmp_path], timeout=10)
    assert_refused(run, "is a folder", "mapping file")


def test_valid_mapping_still_reads(tmp_path, generic_csv):
    mapping = write(tmp_path, "header_row: 1\ncolumns: {Kiste: name, Kerne: vcpus}\n", "map.yaml")
    run = invoke(["inspect", generic_csv, "--mapping", mapping], timeout=20)
    assert_clean(run)
    shorthand = write(tmp_path, "Kiste: name\nKerne: vcpus\n", "short.yaml")
    assert_clean(invoke(["inspect", generic_csv, "--mapping", shorthand], timeout=20))


# --- valid profiles still pass ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sample", sorted((ROOT / "sample_inventories").glob("*.yaml")), ids=lambda p: p.name
)
def test_sample_profiles_check_clean(sample, tmp_path):
    copy = tmp_path / sample.name
    shutil.copy(sample, copy)
    run = check(copy)
    assert_clean(run)
    assert "valid" in run.stdout


def test_template_profile_checks_clean(tmp_path):
    path = tmp_path / "profile.yaml"
    assert_clean(invoke(["profile", "init", path], timeout=10))
    assert_clean(check(path))
