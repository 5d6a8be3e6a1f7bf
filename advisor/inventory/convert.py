"""Vectorised conversion of raw cell values into canonical, typed columns.

Spreadsheets hold numbers as text with thousands separators, booleans in any case, dates as
datetimes or strings, and 1970 for "unknown". Each converter takes a raw object Series (as
read from the file), returns a typed nullable Series, and records every value it could not
accept in a `Rejects` collector with its sheet, row and column, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.inventory.schema import Problem

#: Multipliers to GiB for size units found in headers. Inventories write "GB" and "MB" for
#: what are binary units in practice (RVTools' "MB" is MiB, a "16 GB" VM has 16 GiB), so the
#: decimal spellings are read as their binary twins; docs/inventory.md states this.
UNIT_TO_GIB: dict[str, float] = {
    "bytes": 1 / 1024**3,
    "kb": 1 / 1024**2,
    "kib": 1 / 1024**2,
    "mb": 1 / 1024,
    "mib": 1 / 1024,
    "gb": 1.0,
    "gib": 1.0,
    "tb": 1024.0,
    "tib": 1024.0,
}

_TRUE = {"true", "yes", "y", "1", "x", "ja", "oui", "wahr", "on"}
_FALSE = {"false", "no", "n", "0", "nein", "non", "falsch", "off", ""}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[,' \u00a0\u202f]\d{3})+(?:\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass
class Rejects:
    """Collects values that could not be accepted, with where they came from."""

    sheet: str
    rows: pd.Series  # source row number per frame row (1-based)
    problems: list[Problem] = field(default_factory=list)

    def add(self, mask: pd.Series, raw: pd.Series, column: str, reason: str) -> None:
        """Record every row where `mask` is true (vectorised mask, loop over bad cells only)."""
        if not bool(mask.any()):
            return
        idx = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        rows = self.rows.to_numpy()[idx]
        values = raw.to_numpy()[idx]
        for row, value in zip(rows, values, strict=True):
            self.problems.append(
                Problem(self.sheet, int(row), reason, column=column, value=_show(value))
            )


def _show(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw cell holds nothing: None, NaN, "" (whitespace-only cells are handled
    where they fail to parse, which keeps this check cheap)."""
    if raw.dtype != object:
        return raw.isna()
    return raw.isna() | raw.eq("")


def to_text(raw: pd.Series) -> pd.Series:
    """Raw cells to a string Series; numbers lose a spurious '.0'; blanks become NA."""
    if raw.dtype.kind == "f":
        raw = raw.astype(object)
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) not in (
        "string",
        "empty",
    ):
        floats = raw.map(lambda v: isinstance(v, float) and v.is_integer())
        if bool(floats.any()):
            raw = raw.where(~floats, raw[floats].map(lambda v: str(int(v))))
    s = raw.astype("string").str.strip()
    return s.mask(s.eq(""))


def to_number(
    raw: pd.Series,
    rejects: Rejects | None = None,
    column: str = "",
    *,
    scale: float = 1.0,
    allow_negative: bool = False,
    integer: bool = False,
) -> pd.Series:
    """Raw cells to Float64 (or Int64), multiplied by `scale`.

    Text such as "16,384", "1'024", "16.384,5" or "85 %" is understood. Values that are not
    numbers, and negative values where sizes cannot be negative, become NA and are reported.
    """
    blank = is_blank(raw)
    numeric = pd.to_numeric(raw, errors="coerce")
    if raw.dtype == object:
        text_mask = numeric.isna() & ~blank
        if bool(text_mask.any()):
            text = raw[text_mask].astype(str).str.strip()
            numeric = numeric.astype("float64")
            numeric[text_mask] = _parse_numeric_text(text)
            blank = blank | (text_mask & raw.where(text_mask, "x").astype(str).str.strip().eq(""))
    values = pd.Series(numeric, index=raw.index, dtype="Float64")
    if rejects is not None:
        rejects.add(values.isna() & ~blank, raw, column, "not a number")
    if not allow_negative:
        negative = values.lt(0).fillna(False)
        if rejects is not None:
            rejects.add(negative, raw, column, "negative value read as unknown")
        values = values.mask(negative)
    values = values * scale
    if integer:
        values = values.round().astype("Int64")
    return values


def _parse_numeric_text(text: pd.Series) -> pd.Series:
    s = text.str.strip().str.replace(r"\s*%$", "", regex=True)
    thousands = s.str.match(_THOUSANDS)
    s = s.where(~thousands, s.str.replace(r"[,' \u00a0\u202f]", "", regex=True))
    european = s.str.match(_THOUSANDS_DOT)
    s = s.where(~european, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    decimal_comma = s.str.match(_DECIMAL_COMMA)
    s = s.where(~decimal_comma, s.str.replace(",", ".", regex=False))
    return pd.to_numeric(s, errors="coerce").astype("float64")


def to_bool(raw: pd.Series, rejects: Rejects | None = None, column: str = "") -> pd.Series:
    """Raw cells to a nullable boolean: True/TRUE/true/yes/1 and their opposites."""
    inferred = pd.api.types.infer_dtype(raw, skipna=True) if raw.dtype == object else ""
    if inferred == "boolean":
        return raw.astype("boolean")
    if inferred not in ("", "string", "empty"):
        raw = raw.map(_bool_cell)
    text = to_text(raw).str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out.loc[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = True
    out.loc[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = False
    if rejects is not None:
        rejects.add(out.isna() & ~is_blank(raw), raw, column, "not a yes/no value")
    return out


def _bool_cell(v: object) -> object:
    """Real booleans become their text so one lookup handles every spelling."""
    return str(v) if isinstance(v, bool) else v


def to_datetime(raw: pd.Series, rejects: Rejects | None = None, column: str = "") -> pd.Series:
    """Raw cells to UTC datetimes. Datetime cells are taken as is (read as UTC); strings are
    parsed as ISO first, then in any common spelling. Dates in or before 1970 mean "unknown"
    in vCenter exports and become NA without complaint."""
    blank = is_blank(raw)
    # A bare number in a date column is no date we can read (pandas would soon take it as
    # seconds since 1970): it stays NaT and is reported as "not a date" below.
    numeric = pd.Series(
        [isinstance(v, int | float) and not isinstance(v, bool) for v in raw], index=raw.index
    )
    as_dt = pd.to_datetime(
        raw.where(~blank & ~numeric), errors="coerce", utc=True, format="ISO8601"
    )
    left = as_dt.isna() & ~blank & ~numeric
    if bool(left.any()):
        parsed = pd.to_datetime(
            raw[left].astype(str).str.strip(), errors="coerce", utc=True, format="mixed"
        )
        as_dt[left] = parsed
    # Sentinels such as 0001-01-01 or 9999-12-31 mean "never" or "unknown", and they lie
    # outside what a nanosecond timestamp holds: unknown, like dates in or before 1970.
    years = as_dt.dt.year
    sentinel = ((years <= 1970) | (years > 2261)).fillna(False).astype(bool)
    as_dt = as_dt.mask(sentinel).astype("datetime64[ns, UTC]")
    if rejects is not None:
        rejects.add(as_dt.isna() & ~blank & ~sentinel, raw, column, "not a date")
    return as_dt


_CELL_UNIT = re.compile(r"^\s*(.*?\d)\s*(bytes|[kmgt]i?b)\s*$", re.IGNORECASE)


def to_size(raw: pd.Series, rejects: Rejects | None, column: str, *, scale: float) -> pd.Series:
    """Sizes in GiB. `scale` converts the header's unit; a cell that names its own unit
    ("500 GB", "1.5 TB", "512MiB") is converted by that unit instead."""
    if raw.dtype != object or pd.api.types.infer_dtype(raw, skipna=True) in (
        "floating",
        "integer",
        "mixed-integer-float",
        "empty",
    ):
        return to_number(raw, rejects, column, scale=scale)
    text = raw.map(lambda v: v if isinstance(v, str) else None)
    parts = text.str.extract(_CELL_UNIT) if text.notna().any() else None
    if parts is None or parts[1].isna().all():
        return to_number(raw, rejects, column, scale=scale)
    has_unit = parts[1].notna()
    numbers = raw.where(~has_unit, parts[0])
    values = to_number(numbers, rejects, column)
    factor = parts[1].str.lower().map(UNIT_TO_GIB).astype("Float64").fillna(scale)
    return values * factor
