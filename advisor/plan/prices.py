"""The prices a cost estimate may use, read from a target catalog with their provenance.

A cost is only as good as the price behind it, and the catalogs mix Exoscale's price list
(a third-party transcription), Scaleway's own historic tables and values nobody found. So
every price here travels with its source, the date that source showed and the catalog's
confidence in it; a price the catalog does not have stays missing (None / NaN), never 0,
and `price_sources` lists what a report must cite.

Windows licences: a type marked `windows: true` in a catalog whose licensing says the
licence is included (Scaleway's POP2-WIN) carries Windows in its own price. A per-instance
or per-core Windows charge would come from `pricing.windows_per_instance_hour` /
`pricing.windows_per_core_hour`; the catalog schema has no such fields yet (no provider's
charge was found), so they read as unknown and a Windows server elsewhere stays unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.profile.sizing_policy import HOURS_PER_MONTH
from advisor.targets.catalog import Catalog
from advisor.targets.sections import Source

#: The catalog's confidence levels, weakest first: a cost is as trustworthy as its weakest
#: price, and a missing price is "not_found".
CONFIDENCE_ORDER: tuple[str, ...] = (
    "not_found",
    "general_knowledge",
    "inference",
    "third_party",
    "primary",
)
CONFIDENCE_RANK: dict[str, int] = {name: rank for rank, name in enumerate(CONFIDENCE_ORDER)}


@dataclass(frozen=True)
class Price:
    """One unit price (per hour, or per GiB-hour for storage) and where it comes from."""

    per_hour: float | None
    source: Source

    @property
    def known(self) -> bool:
        return self.per_hour is not None

    @property
    def rank(self) -> int:
        """Confidence rank (see `CONFIDENCE_ORDER`); a missing price ranks lowest."""
        return CONFIDENCE_RANK[self.source.confidence] if self.known else 0


@dataclass(frozen=True)
class WindowsLicence:
    """How a provider charges for Windows: in the price of licence-included types, per
    instance-hour, per core-hour, or not known."""

    #: Types whose own price includes the Windows licence.
    included_types: frozenset[str]
    per_instance_hour: float | None
    per_core_hour: float | None
    source: Source
    note: str | None

    @property
    def rank(self) -> int:
        return CONFIDENCE_RANK[self.source.confidence]


@dataclass(frozen=True)
class UnitPrices:
    """Everything but instance prices: currency, disks and the Windows licence."""

    currency: str | None
    #: True: the instance price includes its root disk; None: not known.
    root_included: bool | None
    root_disk: Price
    block_volume: Price
    windows: WindowsLicence


def instance_prices(catalog: Catalog) -> pd.DataFrame:
    """One row per instance type (index: name): `price_per_hour` (NaN when the catalog has
    none), `rank` (confidence, 0 when missing), `as_of` and `url` of the type's source."""
    types = catalog.instance_types
    return pd.DataFrame(
        {
            "price_per_hour": np.array(
                [np.nan if t.price_per_hour is None else t.price_per_hour for t in types],
                dtype="float64",
            ),
            "rank": [
                CONFIDENCE_RANK[t.source.confidence] if t.price_per_hour is not None else 0
                for t in types
            ],
            "as_of": [t.source.as_of for t in types],
            "url": [t.source.url for t in types],
        },
        index=pd.Index([t.name for t in types], name="instance_type"),
    )


def unit_prices(catalog: Catalog) -> UnitPrices:
    """The catalog's currency, disk prices and Windows licensing, each with its source."""
    pricing = catalog.pricing
    licence = catalog.licensing.windows_license_included
    included = frozenset(
        t.name for t in catalog.instance_types if t.windows is True and licence.value is True
    )
    windows = WindowsLicence(
        included_types=included,
        per_instance_hour=getattr(pricing, "windows_per_instance_hour", None),
        per_core_hour=getattr(pricing, "windows_per_core_hour", None),
        source=licence.source,
        note=licence.note,
    )
    return UnitPrices(
        currency=pricing.currency,
        root_included=pricing.instance_price_includes_root_disk,
        root_disk=Price(pricing.root_disk_per_gib_hour, pricing.source),
        block_volume=Price(pricing.block_volume_per_gib_hour, pricing.source),
        windows=windows,
    )


def price_sources(
    catalog: Catalog, hours_per_month: float = HOURS_PER_MONTH
) -> list[dict[str, str]]:
    """The sources a cost estimate on this provider rests on, for the report to cite.

    One entry per distinct source: the instance prices (grouped by source, with how many
    types each prices), the disk prices (per GiB-month at `hours_per_month`) and the
    Windows licensing. Each entry has `title`, `url`, `as_of` and `confidence`.
    """
    name = catalog.display_name
    out: list[dict[str, str]] = []
    by_source: dict[Source, int] = {}
    for t in catalog.instance_types:
        if t.price_per_hour is not None:
            by_source[t.source] = by_source.get(t.source, 0) + 1
    unpriced = sum(t.price_per_hour is None for t in catalog.instance_types)
    for source, count in by_source.items():
        title = f"{name} instance prices ({count} of {len(catalog.instance_types)} types)"
        out.append(_entry(title, source))
    if not by_source:
        out.append(_entry(f"{name} instance prices: none in the catalog", catalog.pricing.source))
    elif unpriced:
        out[-1]["title"] += f"; {unpriced} types have no price in the catalog"
    pricing = catalog.pricing
    currency = pricing.currency or "(currency not stated)"

    def monthly(per_hour: float | None) -> str:
        if per_hour is None:
            return "not in the catalog"
        return f"{per_hour * hours_per_month:.4g} {currency} per GiB-month"

    root = monthly(pricing.root_disk_per_gib_hour)
    if pricing.instance_price_includes_root_disk is True:
        root = "included in the instance price"
    disks = f"root disk {root}, block volumes {monthly(pricing.block_volume_per_gib_hour)}"
    out.append(_entry(f"{name} disk prices: {disks}", pricing.source))
    licence = catalog.licensing.windows_license_included
    how = {
        True: "included in the price of the Windows instance types",
        False: "no licence-included Windows; the customer brings the licence",
        None: "charge not in the catalog",
    }[licence.value]
    out.append(_entry(f"{name} Windows licensing: {how}", licence.source))
    return out


def _entry(title: str, source: Source) -> dict[str, str]:
    return {
        "title": title,
        "url": source.url,
        "as_of": source.as_of,
        "confidence": source.confidence,
    }
