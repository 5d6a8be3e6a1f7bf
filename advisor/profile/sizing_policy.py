"""The profile's `sizing:` section: how the plan turns today's servers into target sizes.

An RVTools export is one moment in time, so right-sizing from it is a judgement call the
consultant must be able to state and change: how much headroom over the measured use, how
far a server may be cut at most, whether storage keeps its provisioned size or shrinks to
what is used, and how many hours a month costs are counted for. The defaults are cautious
(20 % headroom, never below half the allocation, disks as provisioned, 730 h), and
`describe()` says the policy in words so the report can print exactly what was applied.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from advisor.profile.sections import _Section

SizingBasis = Literal["measured", "allocated"]
StorageBasis = Literal["provisioned", "used"]

#: Hours in an average month (8,760 h a year / 12): the usual basis of a monthly cloud price.
HOURS_PER_MONTH = 730.0


def _share(low: float, high: float) -> Any:
    """A finite number between `low` and `high` (NaN and infinity are refused)."""
    return Field(ge=low, le=high, allow_inf_nan=False)


class SizingPolicy(_Section):
    """How servers are sized and costed on the target clouds.

    `basis: measured` (the default) sizes a server from the utilisation the inventory
    measured, where it measured any, and keeps the allocation elsewhere; `basis: allocated`
    keeps every server's vCPUs and memory as they are. Right-sizing never grows a server:
    it only cuts, and never below `floor_share` of the allocation, `min_vcpus` and
    `min_memory_gib`.
    """

    basis: SizingBasis = "measured"
    #: Added on top of the measured use before choosing a size (0.2 = 20 %).
    headroom: Annotated[float, _share(0, 2)] = 0.2
    #: Which percentile of a utilisation series to size from. Today's inventory formats
    #: give one value per server (taken at export), so it only applies where a series exists.
    percentile: Annotated[float, _share(50, 100)] = 95
    #: The deepest cut: a right-sized server keeps at least this share of its allocation.
    floor_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.5
    min_vcpus: Annotated[int, Field(ge=1, le=64)] = 1
    min_memory_gib: Annotated[float, Field(gt=0, le=64, allow_inf_nan=False)] = 1.0
    #: Disk sizes on the target: as provisioned today (a lift keeps them) or used + headroom.
    storage: StorageBasis = "provisioned"
    storage_headroom: Annotated[float, _share(0, 2)] = 0.2
    hours_per_month: Annotated[float, Field(gt=0, le=744, allow_inf_nan=False)] = HOURS_PER_MONTH

    @field_validator("basis", "storage", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        """'Measured' and 'measured' are the same choice."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "headroom",
        "percentile",
        "floor_share",
        "min_memory_gib",
        "storage_headroom",
        "hours_per_month",
        mode="before",
    )
    @classmethod
    def _finite(cls, value: Any) -> Any:
        """YAML reads `.nan` and `.inf` as numbers; a size or a cost cannot use them."""
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError(
                "profile", "is {value}; give a finite number", {"value": str(value)}
            )
        return value

    def describe(self) -> str:
        """The policy in plain sentences, as the report prints it beside the sizes."""
        if self.basis == "measured":
            sizing = (
                "Servers are right-sized from the utilisation the inventory measured, plus "
                f"{_pct(self.headroom)} headroom, but never below {_pct(self.floor_share)} of "
                f"their allocation (at least {self.min_vcpus} vCPU and "
                f"{_num(self.min_memory_gib)} GiB) and never above it; a server without a "
                "measurement keeps its allocation. An inventory export measures one moment, "
                f"not a peak: where a utilisation series exists its {_nth(self.percentile)} "
                "percentile is used, but today's formats give one value per server."
            )
        else:
            sizing = (
                "Servers are sized as allocated: today's vCPUs and memory, whatever their "
                "measured use."
            )
        if self.storage == "provisioned":
            storage = "Disks keep their provisioned sizes"
        else:
            storage = (
                f"Disks shrink to the space in use plus {_pct(self.storage_headroom)} headroom "
                "(never above their provisioned size)"
            )
        costs = (
            f"; monthly costs count {_num(self.hours_per_month)} hours. Windows licences are "
            "costed where the provider charges them; other licences are the customer's own "
            "(BYOL) and not included."
        )
        return f"{sizing} {storage}{costs}"


def _pct(share: float) -> str:
    """0.2 -> '20 %'."""
    return f"{_num(share * 100)} %"


def _num(value: float) -> str:
    """12.0 -> '12', 0.5 -> '0.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _nth(value: float) -> str:
    """95 -> '95th', 51 -> '51st'."""
    number = _num(value)
    if not float(value).is_integer():
        return number
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{number}{suffix}"
