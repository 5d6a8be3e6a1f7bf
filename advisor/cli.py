"""The `advisor` command line: parses, calls, prints. No logic of its own.

Exit codes: 0 done; 1 a --fail-on threshold was reached (or, for `score`, some inputs
failed); 2 bad input or usage, with a one-line reason and no traceback; 3 internal error;
130 interrupted (Ctrl-C).

What is printed from a file, a path, a profile or an error message is data: it reaches Rich
as `Text` or with markup off, never as markup, so `[/red]` in a VM name prints as itself
instead of crashing the command. Styling lives only in the constant parts of a line.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from advisor import __version__, forking
from advisor.cli_help import PlainCommand, PlainGroup
from advisor.errors import InputError
from advisor.output_guard import (
    Input,
    Output,
    folder_files,
    refuse_overwrite,
    written_by_score,
)

app = typer.Typer(
    name="advisor",
    help="Migration assessment and lift-and-shift advice from server inventories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainGroup,
)
#: Every command shows FILE, FOLDER or nothing where typer would show a Python type.
command = functools.partial(app.command, cls=PlainCommand)
# emoji=False: `:fire:` in a server name is text, not a glyph to substitute.
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Map errors to exit codes: InputError -> 2 with one line, Ctrl-C -> 130, anything
    else -> 3. Exit 1 stays free for --fail-on, so CI never mistakes a crash for a verdict."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _complain("error:", str(exc))
            raise typer.Exit(2) from None
        except typer.Exit:
            raise
        except (typer.Abort, KeyboardInterrupt):
            _complain("interrupted", "")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("ADVISOR_DEBUG"):
                raise
            _complain("internal error:", _internal_message(exc))
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def _internal_message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc} (set ADVISOR_DEBUG=1 for the traceback)"


def _complain(label: str, message: str) -> None:
    """One red-labelled line on stderr. The message is data (it may quote a file name with
    `[` in it), so it is never parsed as markup; if Rich still fails, plain text goes out,
    because a failing error handler would turn exit 2 or 3 into Python's exit 1."""
    try:
        line = Text.assemble((label, "red"), f" {message}" if message else "")
        err.print(line, highlight=False, soft_wrap=True)
    except Exception:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"{label} {message}".rstrip() + "\n")


def _say(text: object) -> None:
    """Print a line of data (a path, a profile line, a rule text) exactly as it is."""
    out.print(Text(str(text)))


def _heading(text: str) -> None:
    """A bold section title of a constant text."""
    out.print(Text(text, style="bold"))


def _version(value: bool) -> None:
    if value:
        out.print(f"advisor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Migration assessment and lift-and-shift advice from server inventories."""


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Input format: rvtools, rvtools-csv, azure-migrate, generic or template "
        "(detected when omitted).",
    ),
]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping", "-m", metavar="FILE", help="YAML file mapping source headers to fields."
    ),
]
InventoryArgument = Annotated[
    Path,
    typer.Argument(metavar="INVENTORY", help="Inventory file, or folder of RVTools CSV files."),
]
#: How -o/--output reads in every command that writes one file.
OUTPUT_HELP = "File to write"
#: How -o/--out reads in every command that writes a folder of outputs.
OUT_HELP = "Folder to write the outputs into (created when missing)."


def _refuse_existing(path: Path, force: bool) -> None:
    """A file a command writes from scratch is never replaced without --force: it may be
    the one a customer already filled in."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")


ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]


@command()
@guarded
def inspect(
    inventory: InventoryArgument,
    fmt: FormatOption = None,
    mapping: MappingOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every column and every rejected value.")
    ] = False,
) -> None:
    """Show what was read from an inventory, how it was mapped, and what was not."""
    from advisor.inspect_view import render_inspect
    from advisor.inventory import load_inventory
    from advisor.inventory.summary import inspect_summary

    inv = load_inventory(inventory, fmt=fmt, mapping=mapping)
    _settled()
    summary = inspect_summary(inv)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    else:
        render_inspect(summary, out, show_all=show_all)


@command()
@guarded
def template(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help=f"{OUTPUT_HELP}: the workbook (.xlsx)."
        ),
    ],
    force: ForceOption = False,
) -> None:
    """Write the inventory workbook to hand to a customer: a README addressed to them, a
    Servers sheet with an example row and dropdowns, and a Dependencies sheet."""
    from advisor.inventory.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise InputError(f"{output}: the template is an .xlsx workbook; name it FILE.xlsx")
    _refuse_existing(output, force)
    write_template(output)
    _say(f"wrote {output}")


ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        "-p",
        metavar="FILE",
        help="Engagement profile (YAML); defaults when omitted.",
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="CODE.param=value",
        help="Override a rule setting (repeatable); CODE.enabled=false turns a rule off.",
    ),
]
SEVERITY_CHOICES = ("info", "low", "medium", "high", "blocker")


def _load_profile(path: Path | None):
    from advisor.profile import default_profile, load_profile

    return load_profile(path) if path else default_profile()


def _check_settings(prof: Any, sets: list[str] | None) -> None:
    """Check --set values and the profile's rule overrides once, before any inventory is
    read: `score` would otherwise fail every input on the same bad value, one by one, and
    end with exit 1 ("inputs failed") instead of exit 2 (bad usage)."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import resolve_settings

    resolve_settings(load_catalog_rules(), prof.rules, sets or [])


OnlyOption = Annotated[
    str | None,
    typer.Option(
        "--only",
        metavar="pdf,html,xlsx,json",
        help="Write only these outputs (comma list; default all four). Outputs of other "
        "kinds already in the folder are left as they are.",
    ),
]
ProviderOption = Annotated[
    str | None,
    typer.Option(
        "--provider",
        metavar="exoscale|scaleway",
        help="Target provider, instead of the profile's target.provider.",
    ),
]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--zone",
        metavar="ZONE",
        help="Target zone (e.g. ch-gva-2, fr-par-1), instead of the profile's target.zone.",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print nothing but errors; the exit code still counts."),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print the summary as one JSON object on stdout, and nothing else there.",
    ),
]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="|".join(SEVERITY_CHOICES),
        help="Exit 1 when a rule of this severity or worse fails.",
    ),
]
OutOption = Annotated[Path, typer.Option("--out", "-o", metavar="FOLDER", help=OUT_HELP)]


@command()
@guarded
def assess(
    inventory: InventoryArgument,
    profile: ProfileOption = None,
    out_dir: OutOption = Path("out"),
    only: OnlyOption = None,
    provider: ProviderOption = None,
    zone: ZoneOption = None,
    sets: SetOption = None,
    fail_on: FailOnOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    fmt: FormatOption = None,
    mapping: MappingOption = None,
    appendix: Annotated[
        bool, typer.Option("--appendix", help="Add per-server detail pages to the report.")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            metavar="exoscale|scaleway",
            help="Also assess on this provider and show both side by side; overrides the "
            "profile's target.compare.",
        ),
    ] = None,
    groups: Annotated[
        Path | None,
        typer.Option(
            "--groups",
            metavar="FILE",
            help="Move groups as edited in a workbook's Groups sheet (server, group); "
            "they replace the groups advisor derives for the servers listed.",
        ),
    ] = None,
    dependencies: Annotated[
        Path | None,
        typer.Option(
            "--dependencies",
            metavar="FILE",
            help="Dependency table (CSV or a sheet named Dependencies: source, target, "
            "port); linked servers move in one group.",
        ),
    ] = None,
) -> None:
    """Assess an inventory and plan the move; writes assessment.pdf, .html, .xlsx and .json
    into the --out folder (or those named by --only)."""
    _assess(
        inventory,
        profile=profile,
        out_dir=out_dir,
        only=only,
        provider=provider,
        zone=zone,
        sets=sets,
        fail_on=fail_on,
        quiet=quiet,
        as_json=as_json,
        fmt=fmt,
        mapping=mapping,
        appendix=appendix,
        compare=compare,
        groups=groups,
        dependencies=dependencies,
    )


def _assess(
    inventory: Path,
    *,
    profile: Path | None,
    out_dir: Path,
    only: str | None = None,
    provider: str | None = None,
    zone: str | None = None,
    sets: list[str] | None = None,
    fail_on: str | None = None,
    quiet: bool = False,
    as_json: bool = False,
    fmt: str | None = None,
    mapping: Path | None = None,
    appendix: bool = False,
    compare: str | None = None,
    groups: Path | None = None,
    dependencies: Path | None = None,
) -> None:
    """`assess` and `demo`: every check that needs no inventory first (a usage error costs
    nothing), then read, assess, plan, write and say what happened."""
    from advisor.assess_view import render_summary, summary_json
    from advisor.inventory import load_inventory
    from advisor.inventory.dependencies import read_dependencies
    from advisor.inventory.groups_file import read_group_edits
    from advisor.plan.stage import PROVIDERS, assess_and_plan
    from advisor.profile.loading import with_target
    from advisor.report import PdfWorker, earlier_others, output_names, parse_only, write_reports

    kinds = parse_only(only)
    if fail_on is not None and fail_on not in SEVERITY_CHOICES:
        raise InputError(f"--fail-on: '{fail_on}' is not one of {', '.join(SEVERITY_CHOICES)}")
    if compare is not None:
        compare = compare.strip().lower()
        if compare not in PROVIDERS:
            raise InputError(f"--compare: '{compare}' is not one of {', '.join(PROVIDERS)}")
    reports = [Output("--out", out_dir / name, "folder") for name in output_names(kinds)]
    side = _side_inputs(profile=profile, mapping=mapping, groups=groups, dependencies=dependencies)
    inputs = _inventory_inputs([inventory]) + side
    refuse_overwrite(reports, inputs)
    prof = with_target(_load_profile(profile), provider, zone)
    refuse_overwrite(reports, _logo_input(prof))
    _check_settings(prof, sets)
    if compare is not None and compare == prof.target.provider:
        raise InputError(f"--compare {compare}: is already the target provider")
    edits = read_group_edits(groups) if groups is not None else None
    # The PDF process costs a second and a half of imports: started only for a PDF.
    worker = PdfWorker() if "pdf" in kinds else contextlib.nullcontext()
    with worker as running, _stage("Reading the inventory", quiet=quiet) as stage:
        inv = load_inventory(inventory, fmt=fmt, mapping=mapping)
        if dependencies is not None:
            inv.dependencies = _joined_dependencies(
                inv.dependencies, read_dependencies(dependencies)
            )
        _settled()
        stage(f"Assessing {len(inv.servers):,} servers")
        result = assess_and_plan(inv, prof, cli_sets=sets or [], group_edits=edits, compare=compare)
        stage("Writing the outputs")
        removed = earlier_others(out_dir, kinds)
        paths = write_reports(result, out_dir, appendix=appendix, worker=running, only=kinds)
    reached = fail_on is not None and _reached(result, fail_on)
    if as_json:
        data = summary_json(result, out_dir, paths, removed)
        if fail_on is not None:
            data["fail_on"] = {"severity": fail_on, "reached": reached}
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    elif not quiet:
        render_summary(result, out, paths, removed=removed)
    if reached:
        raise typer.Exit(1)


def _joined_dependencies(own: Any, extra: Any) -> Any:
    """The inventory's dependency rows followed by those of --dependencies."""
    import pandas as pd

    return extra if own is None or own.empty else pd.concat([own, extra], ignore_index=True)


#: The files `assess` writes into --out (advisor.report.write_reports, OUTPUT_NAMES there).
REPORT_EXTS = ("json", "xlsx", "html", "pdf")


def _inventory_inputs(paths: list[Path]) -> list[Input]:
    """The inventories as inputs; a folder (RVTools CSV export) counts with every file in it."""
    found: list[Input] = []
    for path in paths:
        found.append(Input("the input inventory", path))
        if path.is_dir():
            found += [Input("the input file", f, path) for f in folder_files(path)]
    return found


def _side_inputs(**options: Path | None) -> list[Input]:
    """The other files a run reads (--profile, --mapping, --into), named by their option."""
    return [Input(f"the --{name} file", path) for name, path in options.items() if path]


def _logo_input(prof: Any) -> list[Input]:
    """The profile's logo, read into the reports; known only once the profile is loaded."""
    logo = prof.branding.logo
    return [Input("the profile's logo", Path(logo))] if logo else []


@contextlib.contextmanager
def _stage(first: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the running stage (big estates take a minute); nothing
    when stderr is not a terminal, so logs and pipes stay clean, nor with --quiet."""
    if quiet or not err.is_terminal:
        yield lambda _text: None
        return
    with err.status(first) as status:
        yield lambda text: status.update(text)


def _reached(result, threshold: str) -> bool:
    """True when a failed (not accepted) finding is at or above `threshold`."""
    worst = set(SEVERITY_CHOICES[SEVERITY_CHOICES.index(threshold) :])
    server = result.evaluation.findings
    estate = result.evaluation.portfolio
    return bool(
        ((server["status"] == "fail") & server["severity"].isin(worst)).any()
        or ((estate["status"] == "fail") & estate["severity"].isin(worst)).any()
    )


rules_app = typer.Typer(
    help="The rule catalog: list, show, facts, docs.", no_args_is_help=True, cls=PlainGroup
)
app.add_typer(rules_app, name="rules")


@rules_app.command("list", cls=PlainCommand)
@guarded
def rules_list(
    area: Annotated[
        str | None, typer.Option("--area", metavar="AREA", help="Only this area.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the rules: code, name, area, severity, title."""
    from rich.table import Table

    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.rules import AREAS

    rules = load_catalog_rules()
    if area is not None:
        if area not in AREAS:
            raise InputError(f"--area: '{area}' is not one of {', '.join(AREAS)}")
        rules = [r for r in rules if r.spec.area == area]
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "area": r.spec.area,
            "severity": r.spec.severity,
            "title": r.spec.title,
        }
        for r in rules
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    t = Table(title=f"{len(rows)} rules", title_justify="left")
    for col in ("code", "name", "area", "severity", "title"):
        t.add_column(col)
    for row in rows:
        t.add_row(*(Text(str(v)) for v in row.values()))
    out.print(t)


@rules_app.command("show", cls=PlainCommand)
@guarded
def rules_show(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Rule code or name.")],
) -> None:
    """Everything about one rule: condition, params, rationale, remediation, references."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import find_rule

    index = {key: r for r in load_catalog_rules() for key in (r.code, r.name)}
    rule = find_rule(index, code, "rules show")
    s = rule.spec
    out.print(Text.assemble((rule.code, "bold"), f" {rule.name}: {s.title}"))
    _say(
        f"area {s.area}, severity {s.severity}, disposition {s.disposition}, "
        f"effort {s.effort_hours:g} h, scope {s.scope}"
    )
    _say(f"condition: {_flat(s.when)}")
    _say(f"message:   {_flat(s.message)}")
    if s.params:
        _say("params:")
        for name, p in s.params.items():
            _say(f"  {name} = {p.default!r} {p.unit}: {p.description}")
    _section("Why", s.rationale)
    _section("What to do", s.remediation)
    _heading("\nReferences")
    for ref in s.references:
        _say(f"  - {ref.title}: {ref.url}")
    for provider, texts in s.providers.items():
        name = provider.capitalize()
        if texts.rationale:
            _section(f"Why, on {name}", texts.rationale)
        if texts.remediation:
            _section(f"What to do, on {name}", texts.remediation)
        for ref in texts.references or []:
            _say(f"  - ({name}) {ref.title}: {ref.url}")
    _heading("\nExamples")
    for ex in s.examples:
        _say(f"  - {ex.name}: {ex.facts} {ex.params or ''} -> {ex.expect}")
    _say(f"\nfile: {rule.path}")


def _flat(text: str) -> str:
    """A rule's folded YAML text on one line."""
    return " ".join(text.split())


def _section(title: str, body: str) -> None:
    """A blank line, a bold title, then the text (a rule's rationale or remediation)."""
    _heading(f"\n{title}")
    _say(_flat(body))


@rules_app.command("facts", cls=PlainCommand)
@guarded
def rules_facts(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every fact rules can use: name, scope, unit, meaning, inputs."""
    from rich.table import Table

    from advisor.facts import all_facts

    facts = list(all_facts().values())
    if as_json:
        rows = [
            {
                "name": f.name,
                "scope": f.scope,
                "unit": f.unit,
                "description": f.description,
                "inputs": list(f.inputs),
            }
            for f in facts
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    t = Table(title=f"{len(facts)} facts", title_justify="left")
    for col in ("fact", "scope", "unit", "meaning", "inputs"):
        t.add_column(col)
    for f in facts:
        cells = (f.name, f.scope, f.unit, f.description, ", ".join(f.inputs))
        t.add_row(*(Text(str(c)) for c in cells))
    out.print(t)


@rules_app.command("docs", cls=PlainCommand)
@guarded
def rules_docs(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help=f"{OUTPUT_HELP}.")
    ] = Path("docs/rules.md"),
) -> None:
    """Write the rule reference (docs/rules.md) from the rule files."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.docs import rules_markdown

    rules = load_catalog_rules()
    refuse_overwrite([Output("--output", output)], [Input("the rule file", r.path) for r in rules])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(rules_markdown(rules), encoding="utf-8")
    _say(f"wrote {output}")


profile_app = typer.Typer(
    help="Engagement profiles: init, check.", no_args_is_help=True, cls=PlainGroup
)
app.add_typer(profile_app, name="profile")


@profile_app.command("init", cls=PlainCommand)
@guarded
def profile_init(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="The same as --output (kept for older scripts)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=f"{OUTPUT_HELP}: the profile (default: profile.yaml).",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write a commented example profile to adapt."""
    from advisor.profile import profile_template

    if path is not None and output is not None and path != output:
        raise InputError(f"profile init: name the file once, as -o {output} or as {path}")
    target = output or path or Path("profile.yaml")
    source = Path(__file__).resolve().parent / "profile_template.yaml"
    named_by = "--output" if output is not None else "profile init"
    refuse_overwrite([Output(named_by, target)], [Input("the bundled example", source)])
    _refuse_existing(target, force)
    target.write_text(profile_template(), encoding="utf-8")
    _say(f"wrote {target}")


@profile_app.command("check", cls=PlainCommand)
@guarded
def profile_check(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Profile to check.")],
) -> None:
    """Validate a profile and show what it says; every problem is listed at once."""
    from advisor.profile import check_profile
    from advisor.profile.messages import ProfileProblems

    try:
        lines = check_profile(path)
    except ProfileProblems as exc:
        for problem in exc.problems:
            _complain("error:", problem)
        if exc.total > 1:
            _complain(f"{exc.total} problems", f"in {path}")
        raise typer.Exit(2) from None
    for line in lines:
        _say(line)


@command()
@guarded
def demo(
    out_dir: OutOption = Path("out/demo"),
    only: OnlyOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Assess the bundled sample estate with its profile (works from any install)."""
    from advisor.resources import data_path, sample_inventory

    profile = data_path("sample_inventories") / "acme-profile.yaml"
    sample = sample_inventory()
    _assess(sample, profile=profile, out_dir=out_dir, only=only, quiet=quiet, as_json=as_json)


@command()
@guarded
def score(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Inventory files and folders (folders are searched for inventories).",
            metavar="INPUT",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help=f"{OUTPUT_HELP}: the workbook (.xlsx)."
        ),
    ],
    profile: ProfileOption = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            metavar="FILE",
            help="The customer's workbook (one INPUT, read from it): write a copy with score, "
            "readiness, disposition and top finding added to its server sheet.",
        ),
    ] = None,
    into_output: Annotated[
        Path | None,
        typer.Option(
            "--into-output",
            metavar="FILE",
            help="The scored copy (default: STEM-scored.xlsx beside --output).",
        ),
    ] = None,
    sets: SetOption = None,
) -> None:
    """Score many inventories with one profile into one workbook (Portfolio, Servers, ...)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from advisor.report.batch import expand_inputs, score_inventories, write_batch
    from advisor.report.xlsx_into import write_scored_copy

    if output.suffix.lower() != ".xlsx":
        raise InputError(f"--output {output}: the scored workbook is an .xlsx file")
    copy = None
    if into_output is not None and into is None:
        raise InputError("--into-output needs --into CUSTOMER.xlsx")
    if into is not None:
        if len(inputs) != 1:
            raise InputError(f"--into takes exactly one INPUT (the inventory read from {into})")
        if into.suffix.lower() not in (".xlsx", ".xlsm"):
            raise InputError(f"--into {into}: needs an .xlsx or .xlsm workbook")
        if not into.is_file():
            raise InputError(f"--into {into}: file not found")
        copy = into_output or output.parent / f"{into.stem}-scored{into.suffix.lower()}"
        if copy.resolve() in (into.resolve(), output.resolve()):
            raise InputError(f"--into-output {copy}: must differ from --into and --output")
    targets = [Output("--output", output)]
    if copy is not None:
        targets.append(Output("--into-output" if into_output else "the scored copy", copy))
    side = _side_inputs(profile=profile, into=into)
    refuse_overwrite(targets, _score_inputs(inputs) + side)
    prof = _load_profile(profile)
    _settled()  # before the inventories: each leaves garbage the collector must find
    _check_settings(prof, sets)
    paths = expand_inputs(inputs, skip=[output] + ([copy] if copy else []))
    if into is not None and len(paths) != 1:
        raise InputError(f"--into takes one inventory; {inputs[0]} holds {len(paths)}")

    # markup=False: the description holds a file name, which may contain "[/red]".
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("scoring", total=len(paths))

        def started(path: Path) -> None:
            bar.update(task, description=f"scoring {path.name}")

        def done(result) -> None:
            bar.advance(task)
            if not result.ok:
                line = Text.assemble(("failed:", "red"), f" {result.error}")
                bar.console.print(line, highlight=False, soft_wrap=True)

        results = score_inventories(
            paths, prof, cli_sets=sets or [], keep=into is not None, on_start=started, on_done=done
        )
        bar.update(task, description="writing the workbook")
        written = write_batch(results, output, prof)

    good = [r for r in results if r.ok]
    t = Table(title=f"{len(good)} of {len(results)} inventories scored", title_justify="left")
    keys = ("in_scope", "out_of_scope", "ready", "conditional", "not_ready", "unknown")
    for col in ("source", "in scope", "out of scope", "ready", "conditional", "not ready",
                "unknown", "score"):  # fmt: skip
        t.add_column(col, justify="left" if col == "source" else "right", overflow="fold")
    for r in good:
        row = r.row
        mean = "-" if row["mean_score"] is None else f"{row['mean_score']:.1f}"
        t.add_row(Text(str(r.path)), *(f"{row[k]:,}" for k in keys), mean)
    out.print(t)
    _say(f"wrote {written}")
    if copy is not None and good:
        _say(f"wrote {write_scored_copy(good[0].assessment, into, copy)}")
    if any(r.internal for r in results):
        raise typer.Exit(3)
    if len(good) < len(results):
        err.print(f"{len(results) - len(good)} of {len(results)} inputs failed", highlight=False)
        raise typer.Exit(1)


def _score_inputs(given: list[Path]) -> list[Input]:
    """Every file `score` may read: the inputs as given and, for a folder, what the walk finds
    in it (a file already there is an input even when named as the output: it may be the
    customer's inventory, and the walk would otherwise skip it and write over it)."""
    from advisor.report.batch import expand_inputs

    found: list[Input] = []
    for path in given:
        found.append(Input("the input inventory", path))
        for item in expand_inputs([path]) if path.is_dir() else []:
            if item != path and not written_by_score(item):
                found.append(Input("the input inventory", item, path))
            if item.is_dir():  # an RVTools CSV export: each of its files is read
                found += [Input("the input file", f, item) for f in folder_files(item)]
    return found


#: Set by the console entry point (`main`): the process ends with its command.
_CONSOLE = False


def _settled() -> None:
    """Called once the long-lived data is loaded (the inventory, or for `score` the
    profile): it, the rules, the profile, the catalogs and the imported modules stay in
    memory until the process ends, yet every full pass of Python's cyclic collector would
    walk them all again. Frozen (`gc.freeze`), they are left out of its passes, and the
    collector, off since the process started (`main`), runs again for what is made after.
    Only in the console process: tests call the app in one long process that must keep
    collecting everything. Measured on the 655-VM export, `assess --only json,xlsx`: the
    freeze took 2.34-2.39 s to 2.28-2.31 s, the collector off until here 2.24-2.31 s to
    2.16-2.22 s (and `inspect` 0.92-0.96 s to 0.87-0.88 s)."""
    if _CONSOLE:
        gc.freeze()
        gc.enable()


def main() -> None:
    """Console-script entry point. Anything escaping the commands' own handling (an error
    while parsing the command line) is still an internal error, exit 3, never Python's 1.
    The process then ends at once (`_leave`)."""
    global _CONSOLE
    _CONSOLE = True
    # Importing pandas, pyarrow and pydantic and building the profile's models makes
    # hundreds of thousands of objects that live as long as the process, and no garbage
    # worth a collector pass: its passes over them cost 0.1 s of a 655-VM assess. Off
    # until the inputs are read (`_settled`); commands that never call it are short.
    gc.disable()
    forking.allow()  # advisor owns this process: facts, rules, plan and JSON may fork
    try:
        app()
    except SystemExit as exc:
        _leave(exc.code)
    except KeyboardInterrupt:
        _complain("interrupted", "")
        _leave(130)
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        _complain("internal error:", _internal_message(exc))
        _leave(3)
    _leave(0)


def _leave(code: object) -> None:
    """End the process with `code` (as `SystemExit` would read it) without Python's
    teardown.

    Once a command has written its files, all that is left is freeing the assessment's
    objects one by one: 0.2 s after a 655-VM run and over a second after 20,000 VMs, for
    memory the operating system takes back anyway. The exit handlers still run (temporary
    folders, logging, child processes) and both streams are flushed first. Only the
    console script and `python -m advisor` come here; tests call the typer app."""
    import atexit

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): Python prints the message and exits 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe has nothing more to take
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
