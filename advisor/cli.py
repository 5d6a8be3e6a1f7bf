"""The `advisor` command line: parses, calls, prints. No logic of its own.

Exit codes: 0 done; 1 a --fail-on threshold was reached; 2 bad input or usage, with a
one-line reason and no traceback; 3 internal error.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
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


@app.command()
@guarded
def demo() -> None:
    """Inspect the bundled sample estate (works from any install)."""
    from advisor.resources import sample_inventory

    inspect.__wrapped__(sample_inventory())  # type: ignore[attr-defined]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
