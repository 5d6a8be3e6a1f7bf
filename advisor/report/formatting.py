"""How the report writes numbers, dates and text: the `fmt_*` helpers and a few text tools.

Every number the report prints goes through one of these, so a GiB, an hour count or a
rule parameter reads the same in every section. `_na` is the one test for a missing value
that they (and the section builders) share.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd


def _na(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: Any) -> str:
    return "unknown" if _na(value) else f"{round(float(value)):,}"


def fmt_gib(value: Any) -> str:
    """GiB for humans: TiB from 1,024 GiB on, one decimal."""
    if _na(value):
        return "unknown"
    v = float(value)
    return f"{v / 1024:,.1f} TiB" if v >= 1024 else f"{v:,.0f} GiB"


def fmt_hours(value: Any) -> str:
    if _na(value):
        return "unknown"
    h = float(value)
    if h < 1:
        return "under 1 h"
    if h < 10:
        return f"{h:.1f} h"
    return f"{h:,.0f} h"


def fmt_days(hours: Any) -> str:
    if _na(hours):
        return ""
    d = float(hours) / 24
    return f"{d:,.1f} days" if d < 10 else f"{d:,.0f} days"


def fmt_share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def fmt_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def fmt_param(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = f"{int(value):,}"
    elif isinstance(value, int | float):
        text = f"{value:,}"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) or "none"
    else:
        text = str(value)
    unit = unit.strip()
    if unit == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.0%}"
    if not unit or unit in ("-", "count", "version", "roles", "flag", "text", "list", "names"):
        return text
    return f"{text} {unit}"


def fmt_ms(value: Any) -> str:
    return "unknown" if _na(value) else f"{float(value):,.1f} ms"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s+[A-Z(])")


def first_sentence(text: str, limit: int = 260) -> str:
    """The first sentence of a rule text, for the summary; long ones are cut at a word."""
    text = " ".join(str(text).split())
    m = _SENTENCE_END.search(text)
    out = text[: m.end()] if m else text
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return out


def _capital(text: str, name: str = "") -> str:
    """Capitalise a message unless it starts with a name (server names keep their case)."""
    if not text or (name and text.startswith(name)) or not re.match(r"[a-z]+[ ,:;]", text):
        return text
    return text[:1].upper() + text[1:]


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)
