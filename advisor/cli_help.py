"""Help screens in a user's words: no Python type names beside the options.

Typer shows the type of every parameter in `--help`: "<bool>" beside each flag (and beside
--help itself), "<path>" beside files, "<list[str]>" beside --set, and writes a required
argument as "{inventory}". A consultant reads those screens, not Python. The command classes
here drop the type of a flag (a flag takes no value), show an option's or argument's own
metavar (FILE, FOLDER, CODE.param=value, exoscale|scaleway) and write arguments as the
metavar in capitals, the way Unix manuals do. Every command and group of `advisor.cli` uses
them (`cls=`).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _PlainArgument(TyperArgument):
    """An argument shown as its metavar only: INVENTORY in the usage line and the table."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw.upper()
        if self.nargs != 1:
            name += "..."
        return name if self.required else f"[{name}]"


def _plain(params: list[Any]) -> list[Any]:
    """The parameters, changed in place to show no Python type: a flag shows nothing after
    its name, an argument shows its metavar. Idempotent (help can be built twice)."""
    for param in params:
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            if param.metavar is None:
                param.metavar = ""
        elif type(param) is TyperArgument:
            param.__class__ = _PlainArgument
    return params


class PlainCommand(TyperCommand):
    """A command whose help shows FILE, FOLDER or nothing where typer shows a type."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class PlainGroup(TyperGroup):
    """A command group (`advisor`, `advisor rules`) with the same help as PlainCommand."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))
