"""What a fact is, and the context every fact module computes from.

A fact is one column of the facts table (or one estate-wide value), declared once with its
name, unit, meaning and the inputs it reads, so `advisor rules facts` can list it and rule
files can be checked against it. Fact modules are pure: they read the context and return
their columns; they never read files and never reach back into the import.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from advisor.inventory.schema import Inventory

Scope = Literal["server", "portfolio"]


@dataclass(frozen=True)
class Fact:
    """Declaration of one fact."""

    name: str
    unit: str  # bool, text, GiB, h, ms, days, count, Mbit/s, share, ...
    description: str
    inputs: tuple[str, ...]
    scope: Scope = "server"


@dataclass
class FactContext:
    """Everything a fact module may read: the inventory, profile, target catalog, the facts
    computed so far (index = server id) and the estate-wide values so far."""

    inventory: Inventory
    profile: Any  # advisor.profile.Profile
    catalog: Any  # advisor.targets.Catalog
    #: The in-scope servers of the inventory indexed by id, with `site` assigned and
    #: `segment` (the profile's segment_by; NA without it): estate-wide counts are per segment.
    servers: pd.DataFrame
    as_of: pd.Timestamp  # reference time for ages (the export time when known)
    facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    portfolio: dict[str, Any] = field(default_factory=dict)
    #: Facts computed by the modules run so far and not yet in `facts`: `compute_facts`
    #: adds them to the table once, after the last module (a table per module, each joined
    #: to the growing facts table, cost more than some modules did).
    computed: dict[str, pd.Series] = field(default_factory=dict)
    #: What `once` made, by key (the servers do not change while facts are computed).
    _once: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)
    #: While a module computes: the facts it may read, those of the modules its NEEDS
    #: names (`compute_facts` sets it). Two modules whose NEEDS do not link them may then
    #: run in either order, or side by side (`advisor.facts.lanes`), with the same result.
    readable: frozenset[str] | None = field(default=None, repr=False, compare=False)
    #: The name of the module computing now, for the message when it reads beyond NEEDS.
    running: str = field(default="", repr=False, compare=False)

    def once(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """`make()`, a table or column several modules derive from the same inputs, made
        once per context and handed out as a shallow copy (copy-on-write keeps the kept
        one as it was)."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key].copy(deep=False)

    #: Servers the scope stage left out of the assessment (index = server id; columns
    #: name, category, reason). Facts never describe them, but estate-wide facts may count
    #: them: backup proxies left behind say something about today's backup design.
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {c: pd.Series(dtype="string") for c in ("name", "category", "reason")}
        )
    )

    def fact(self, name: str) -> pd.Series:
        """A fact computed by an earlier module, one of those the running module NEEDS."""
        self._may_read(name)
        found = self.computed.get(name)
        return found if found is not None else self.facts[name]

    def fact_or_none(self, name: str) -> pd.Series | None:
        """`fact(name)`, or None where the module that computes it did not run (a test of
        one module without the other)."""
        self._may_read(name)
        found = self.computed.get(name)
        return found if found is not None else self.facts.get(name)

    def _may_read(self, name: str) -> None:
        if self.readable is not None and name not in self.readable:
            raise RuntimeError(
                f"fact module {self.running} read '{name}', which no module in its NEEDS computes"
            )

    def text(self, *columns: str) -> pd.Series:
        """Lower-case text of several server columns joined with ' | ' (NA parts empty):
        the haystack role, vendor and backup detection search in. Made once per set of
        columns (`once`): the modules ask for the same few sets twenty times a run."""
        return self.once(("text", *columns), lambda: self._text(columns))

    def _text(self, columns: tuple[str, ...]) -> pd.Series:
        parts = [
            self.servers[c].astype("string").str.lower().fillna("")
            for c in columns
            if c in self.servers
        ]
        if not parts:
            return pd.Series("", index=self.servers.index, dtype="string")
        out = parts[0]
        for p in parts[1:]:
            out = out + " | " + p
        return out.astype("string")

    def attrs_text(self) -> pd.Series:
        """Lower-case 'header: value' text of every kept attr.* column, for evidence such as
        backup tool columns that only custom attributes carry."""
        cols = [c for c in self.servers.columns if c.startswith("attr.")]
        out = pd.Series("", index=self.servers.index, dtype="string")
        for c in cols:
            v = self.servers[c].astype("string")
            label = c.removeprefix("attr.").lower()
            out = out + (label + ": " + v.str.lower() + " | ").fillna("")
        return out
