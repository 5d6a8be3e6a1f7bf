"""The report's colours, derived from the profile's branding.

`build_theme` validates the branding colours (falling back to the defaults), darkens a
primary colour too pale for headings on white, and mixes the darker and lighter shades
the templates use.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.report.model_types import DEFAULT_PRIMARY, DEFAULT_SECONDARY, Theme

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _hex6(color: str | None, default: str) -> str:
    if not color or not _HEX.fullmatch(color.strip()):
        return default
    h = color.strip().lstrip("#").lower()
    return "#" + (h if len(h) == 6 else "".join(c * 2 for c in h))


def _mix(color: str, other: str, amount: float) -> str:
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def _luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def build_theme(branding: Any) -> Theme:
    primary = _hex6(getattr(branding, "primary_color", None), DEFAULT_PRIMARY)
    if _luminance(primary) > 0.6:  # too pale for headings on white: darken
        primary = _mix(primary, "#000000", 0.45)
    secondary = _hex6(getattr(branding, "secondary_color", None), DEFAULT_SECONDARY)
    return Theme(
        primary=primary,
        primary_dark=_mix(primary, "#000000", 0.35),
        primary_light=_mix(primary, "#ffffff", 0.82),
        primary_tint=_mix(primary, "#ffffff", 0.94),
        secondary=secondary,
    )
