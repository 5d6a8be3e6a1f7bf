"""The `advisor` command line: parses, calls, prints. No logic of its own.

Exit codes: 0 done; 1 a --fail-on threshold was reached; 2 bad input or usage, with a
one-line reason and no traceback; 3 internal error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from advisor import __version__
from advisor.errors import InputError

app = typer.Typer(
    name="advisor",
    help="Migration assessment and lift-and-shift advice from server inventories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Map errors to exit codes: InputError -> 2 with one line, anything else -> 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("ADVISOR_DEBUG"):
                raise
            err.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc} "
                "(set ADVISOR_DEBUG=1 for the traceback)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


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
        help="Input format: rvtools, rvtools-csv, azure-migrate, generic or template "
        "(detected when omitted).",
    ),
]
MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", "-m", help="YAML file mapping source headers to fields."),
]


@app.command()
@guarded
def inspect(
    inventory: Annotated[Path, typer.Argument(help="Inventory file or folder of CSV files.")],
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

    summary = inspect_summary(load_inventory(inventory, fmt=fmt, mapping=mapping))
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    else:
        render_inspect(summary, out, show_all=show_all)


@app.command()
@guarded
def template(
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
) -> None:
    """Write a blank inventory workbook to hand to a customer."""
    from advisor.inventory.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise InputError(f"{output}: the template is an .xlsx workbook; name it FILE.xlsx")
    write_template(output)
    out.print(f"wrote {output}")


ProfileOption = Annotated[
    Path | None,
    typer.Option("--profile", "-p", help="Engagement profile (YAML); defaults when omitted."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a rule setting: CODE.param=value (repeatable)."),
]
SEVERITY_CHOICES = ("info", "low", "medium", "high", "blocker")


def _load_profile(path: Path | None):
    from advisor.profile import default_profile, load_profile

    return load_profile(path) if path else default_profile()


@app.command()
@guarded
def assess(
    inventory: Annotated[Path, typer.Argument(help="Inventory file or folder of CSV files.")],
    profile: ProfileOption = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for assessment.json and the reports.")
    ] = Path("out"),
    sets: SetOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 when a rule of this severity or worse fails."),
    ] = None,
    fmt: FormatOption = None,
    mapping: MappingOption = None,
    appendix: Annotated[
        bool, typer.Option("--appendix", help="Add per-server detail pages to the report.")
    ] = False,
) -> None:
    """Assess an inventory; writes OUT/assessment.pdf, .html, .xlsx and .json."""
    from advisor.assess_view import render_summary
    from advisor.engine.assess import assess as run_assessment
    from advisor.inventory import load_inventory
    from advisor.report import PdfWorker, write_reports

    if fail_on is not None and fail_on not in SEVERITY_CHOICES:
        raise InputError(f"--fail-on: '{fail_on}' is not one of {', '.join(SEVERITY_CHOICES)}")
    prof = _load_profile(profile)
    with PdfWorker() as worker, _stage("Reading the inventory") as stage:
        inv = load_inventory(inventory, fmt=fmt, mapping=mapping)
        stage(f"Assessing {len(inv.servers):,} servers")
        result = run_assessment(inv, prof, cli_sets=sets or [])
        stage("Writing the report, workbook and JSON")
        paths = write_reports(result, out_dir, appendix=appendix, worker=worker)
    render_summary(result, out, paths)
    if fail_on is not None and _reached(result, fail_on):
        raise typer.Exit(1)


@contextlib.contextmanager
def _stage(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the running stage (big estates take a minute); nothing
    when stderr is not a terminal, so logs and pipes stay clean."""
    if not err.is_terminal:
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


rules_app = typer.Typer(help="The rule catalog: list, show, facts, docs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
@guarded
def rules_list(
    area: Annotated[str | None, typer.Option("--area", help="Only this area.")] = None,
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
        t.add_row(*row.values())
    out.print(t)


@rules_app.command("show")
@guarded
def rules_show(code: Annotated[str, typer.Argument(help="Rule code or name.")]) -> None:
    """Everything about one rule: condition, params, rationale, remediation, references."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import find_rule

    index = {key: r for r in load_catalog_rules() for key in (r.code, r.name)}
    rule = find_rule(index, code, "rules show")
    s = rule.spec
    out.print(f"[bold]{rule.code}[/bold] {rule.name}: {s.title}")
    out.print(
        f"area {s.area}, severity {s.severity}, disposition {s.disposition}, "
        f"effort {s.effort_hours:g} h, scope {s.scope}"
    )
    out.print(f"condition: {' '.join(s.when.split())}", highlight=False)
    out.print(f"message:   {' '.join(s.message.split())}", highlight=False)
    if s.params:
        out.print("params:")
        for name, p in s.params.items():
            out.print(f"  {name} = {p.default!r} {p.unit}: {p.description}", highlight=False)
    out.print(f"\n[bold]Why[/bold]\n{' '.join(s.rationale.split())}", highlight=False)
    out.print(f"\n[bold]What to do[/bold]\n{' '.join(s.remediation.split())}", highlight=False)
    out.print("\n[bold]References[/bold]")
    for ref in s.references:
        out.print(f"  - {ref.title}: {ref.url}", highlight=False)
    for provider, texts in s.providers.items():
        name = provider.capitalize()
        if texts.rationale:
            why = " ".join(texts.rationale.split())
            out.print(f"\n[bold]Why, on {name}[/bold]\n{why}", highlight=False)
        if texts.remediation:
            todo = " ".join(texts.remediation.split())
            out.print(f"\n[bold]What to do, on {name}[/bold]\n{todo}", highlight=False)
        for ref in texts.references or []:
            out.print(f"  - ({name}) {ref.title}: {ref.url}", highlight=False)
    out.print("\n[bold]Examples[/bold]")
    for ex in s.examples:
        out.print(f"  - {ex.name}: {ex.facts} {ex.params or ''} -> {ex.expect}", highlight=False)
    out.print(f"\nfile: {rule.path}")


@rules_app.command("facts")
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
        t.add_row(f.name, f.scope, f.unit, f.description, ", ".join(f.inputs))
    out.print(t)


@rules_app.command("docs")
@guarded
def rules_docs(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path(
        "docs/rules.md"
    ),
) -> None:
    """Write the rule reference (docs/rules.md) from the rule files."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.docs import rules_markdown

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(rules_markdown(load_catalog_rules()), encoding="utf-8")
    out.print(f"wrote {output}")


profile_app = typer.Typer(help="Engagement profiles: init, check.", no_args_is_help=True)
app.add_typer(profile_app, name="profile")


@profile_app.command("init")
@guarded
def profile_init(
    output: Annotated[Path, typer.Argument(help="Profile to write.")] = Path("profile.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example profile to adapt."""
    from advisor.profile import profile_template

    if output.exists() and not force:
        raise InputError(f"{output}: already exists (use --force to overwrite)")
    output.write_text(profile_template(), encoding="utf-8")
    out.print(f"wrote {output}")


@profile_app.command("check")
@guarded
def profile_check(path: Annotated[Path, typer.Argument(help="Profile to check.")]) -> None:
    """Validate a profile and show what it says."""
    from advisor.profile import check_profile

    for line in check_profile(path):
        out.print(line, highlight=False)


@app.command()
@guarded
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "out/demo"
    ),
) -> None:
    """Assess the bundled sample estate with its profile (works from any install)."""
    from advisor.resources import data_path, sample_inventory

    profile = data_path("sample_inventories") / "acme-profile.yaml"
    assess.__wrapped__(sample_inventory(), profile, out_dir)  # type: ignore[attr-defined]


@app.command()
@guarded
def score(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Inventory files and folders (folders are searched for inventories).",
            metavar="INPUT",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    profile: ProfileOption = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="The customer's workbook (one INPUT, read from it): write a copy with score, "
            "readiness, disposition and top finding added to its server sheet.",
        ),
    ] = None,
    into_output: Annotated[
        Path | None,
        typer.Option(
            "--into-output", help="The scored copy (default: STEM-scored.xlsx beside --output)."
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
    prof = _load_profile(profile)
    paths = expand_inputs(inputs, skip=[output] + ([copy] if copy else []))
    if into is not None and len(paths) != 1:
        raise InputError(f"--into takes one inventory; {inputs[0]} holds {len(paths)}")

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("scoring", total=len(paths))

        def started(path: Path) -> None:
            bar.update(task, description=f"scoring {path.name}")

        def done(result) -> None:
            bar.advance(task)
            if not result.ok:
                bar.console.print(
                    f"[red]failed:[/red] {result.error}", highlight=False, soft_wrap=True
                )

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
        t.add_row(str(r.path), *(f"{row[k]:,}" for k in keys), mean)
    out.print(t)
    out.print(f"wrote {written}", highlight=False)
    if copy is not None and good:
        out.print(f"wrote {write_scored_copy(good[0].assessment, into, copy)}", highlight=False)
    if any(r.internal for r in results):
        raise typer.Exit(3)
    if len(good) < len(results):
        err.print(f"{len(results) - len(good)} of {len(results)} inputs failed", highlight=False)
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
