"""Header normalisation: match columns by what they say, never by where they are.

"Provisioned MB", "Provisioned MiB", "vInfoProvisionedMiB", "*Memory (In MB)" and
"RAM (GB)" all reduce to a key (the words, lower case, without spaces or punctuation) and a
unit taken from the header. Importers compare keys against their alias tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = ("bytes", "kib", "mib", "gib", "tib", "kb", "mb", "gb", "tb")
_CAMEL_UNIT = re.compile(r"(?<=[a-z])(KiB|MiB|GiB|TiB|KB|MB|GB|TB)$")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class HeaderKey:
    """A header reduced to comparable form."""

    key: str  # words joined without separators, unit removed: "provisioned", "memory"
    unit: str | None  # "mib", "gb", ... when the header names one
    words: tuple[str, ...]  # the words, unit removed, for readable messages


def header_key(header: object) -> HeaderKey:
    """Reduce a header to its key and unit.

    >>> header_key("*Memory (In MB)")
    HeaderKey(key='memory', unit='mb', words=('memory',))
    >>> header_key("vInfoProvisionedMiB").unit
    'mib'
    """
    text = "" if header is None else str(header).strip()
    camel = _CAMEL_UNIT.search(text) if " " not in text else None
    unit: str | None = None
    if camel:
        unit = camel.group(1).lower()
        text = text[: camel.start()]
    lowered = text.lower().replace("#", " num ").replace("%", " pct ")
    words = _WORDS.findall(lowered)
    if unit is None:
        for i in range(len(words) - 1, -1, -1):
            if words[i] in _UNITS:
                unit = words.pop(i)
                # "(In MB)": that "in" belongs to the unit, not to the name.
                if i >= 2 and words[i - 1] == "in":
                    words.pop(i - 1)
                break
    return HeaderKey("".join(words), unit, tuple(words))


def unique_headers(headers: list[object]) -> list[str]:
    """Header texts made unique (a repeated header gets ' (2)', ' (3)', ...), blanks named."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        if isinstance(h, float) and h.is_integer():
            text = str(int(h))
        if not text:
            text = f"column {i + 1}"
        n = seen.get(text, 0) + 1
        seen[text] = n
        out.append(text if n == 1 else f"{text} ({n})")
    return out
