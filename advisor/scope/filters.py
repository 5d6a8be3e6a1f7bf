"""The profile's scope filters and segments, applied to the inventory's servers.

Patterns are shell-style (`*`, `?`), compared case-insensitively with the whole value.
A filter that names a custom attribute the inventory lacks matches nothing; the stage
reports that as an assumption rather than failing, because the same profile is often run
against several exports of one customer.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from advisor.inventory.schema import ATTR_PREFIX
from advisor.profile.scoping import FILTER_FIELDS, ScopeFilter, SegmentBy
from advisor.text import search


def glob_pattern(pattern: str) -> str:
    """A shell-style pattern as an anchored regular expression (RE2 syntax)."""
    parts = []
    for ch in pattern.strip():
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return "^" + "".join(parts) + "$"


def attribute_column(servers: pd.DataFrame, header: str) -> str | None:
    """The `attr.*` column of a custom attribute, by its header in any case."""
    wanted = header.strip().casefold()
    return next(
        (
            c
            for c in servers.columns
            if c.startswith(ATTR_PREFIX) and c[len(ATTR_PREFIX) :].strip().casefold() == wanted
        ),
        None,
    )


def matches(servers: pd.DataFrame, entry: ScopeFilter, notes: list[str], where: str) -> np.ndarray:
    """Servers matching every criterion of one filter entry."""
    hit = np.ones(len(servers), dtype=bool)
    for field in FILTER_FIELDS:
        pattern = getattr(entry, field)
        if pattern is not None:
            values = servers[field].astype("string").str.strip()
            hit &= search(values, glob_pattern(pattern))
    if entry.power_state is not None:
        power = servers["power_state"].astype("string")
        hit &= power.eq(entry.power_state).fillna(False).to_numpy(dtype=bool)
    for header, pattern in entry.attribute.items():
        column = attribute_column(servers, header)
        if column is None:
            notes.append(
                f"Profile {where}: the inventory has no custom attribute '{header}', so this "
                "entry matched no server."
            )
            hit &= False
            continue
        hit &= search(servers[column].astype("string").str.strip(), glob_pattern(pattern))
    return hit


def segments(servers: pd.DataFrame, segment_by: SegmentBy | None, notes: list[str]) -> pd.Series:
    """The segment of each server (NA without `segment_by`); servers the column says
    nothing about fall in '(not set)', so every server belongs to exactly one segment."""
    if segment_by is None:
        return pd.Series(pd.NA, index=servers.index, dtype="string")
    if segment_by.field == "attribute":
        column = attribute_column(servers, segment_by.attribute or "")
        if column is None:
            notes.append(
                f"Profile segment_by: the inventory has no custom attribute "
                f"'{segment_by.attribute}'; the estate is one segment."
            )
            return pd.Series("(not set)", index=servers.index, dtype="string")
    else:
        column = segment_by.field
    values = servers[column].astype("string").str.strip()
    if segment_by.depth and segment_by.field in ("folder", "resource_pool"):
        parts = values.str.strip("/").str.split("/")
        values = parts.str[: segment_by.depth].str.join("/")
    return values.mask(values.eq("")).fillna("(not set)").astype("string")
