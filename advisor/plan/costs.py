"""Monthly cost of each sized server on each provider, and the estate's totals, from the
target catalogs' prices alone.

Per row of `size_estate` (one per provider and server), on both bases (as allocated and
right-sized): the instance (hourly price x `hours_per_month`), its disks (root disk and
block volumes per GiB-hour; Exoscale prices the instance's local root disk, Scaleway bills
the boot volume as a block volume) and the Windows licence (included in the price of
licence-included types such as Scaleway's POP2-WIN; a per-instance or per-core charge
where the catalog has one). Other licences are the customer's own (BYOL) and not costed.

Nothing is guessed. A price the catalog lacks leaves its part NA, the row's total NA and
`*_unpriced` names what is missing; `*_priced_monthly` adds the parts that are priced, a
floor for the real cost. `price_confidence` is the weakest confidence of the prices used
(`not_found` when one is missing) and `price_as_of` the oldest date among them, so a
third-party transcription or a dated table is visible on every row.

Money: each part is rounded to cents, a row's total is the sum of its rounded parts and
`cost_totals` adds rounded rows, so a workbook built from these frames adds up to the cent.
The currency is the catalog's (`pricing.currency`).

Columns added by `cost_estate` (`COST_COLUMNS`), beside those of `size_estate`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.plan.prices import CONFIDENCE_ORDER, UnitPrices, instance_prices, unit_prices
from advisor.plan.sizing import coded_text, positions
from advisor.profile.sizing_policy import SizingPolicy
from advisor.targets.catalog import Catalog

BASES: tuple[str, ...] = ("allocated", "rightsized")

COST_COLUMNS: dict[str, str] = {
    "currency": "Currency of every amount on the row, as the catalog gives it.",
    "allocated_instance_monthly": "Instance price per month, as allocated; NA when unpriced.",
    "rightsized_instance_monthly": "Instance price per month, right-sized; NA when unpriced.",
    "storage_monthly": "Root disk and data volumes per month; NA when a needed price is missing.",
    "allocated_licence_monthly": "Windows licence per month on the allocated type (0 when "
    "included in the instance price or not Windows); NA when the charge is not known.",
    "rightsized_licence_monthly": "Windows licence per month on the right-sized type.",
    "licence_note": "How Windows is licensed on this provider, for Windows (or unknown) OSes.",
    "allocated_total_monthly": "Instance + storage + licence, as allocated; NA unless all priced.",
    "rightsized_total_monthly": "Instance + storage + licence, right-sized; NA unless all priced.",
    "allocated_priced_monthly": "Sum of the priced parts, as allocated (a floor of the cost); "
    "NA when neither the instance nor its disks are priced.",
    "rightsized_priced_monthly": "Sum of the priced parts, right-sized (a floor of the cost).",
    "allocated_unpriced": "What is missing from the allocated total; NA when complete.",
    "rightsized_unpriced": "What is missing from the right-sized total; NA when complete.",
    "price_confidence": "Weakest confidence of the prices used: primary, third_party, ..., "
    "not_found (a price is missing).",
    "price_as_of": "Oldest date of the prices used (YYYY-MM or YYYY-MM-DD).",
}

#: Why a part has no price, in the words `*_unpriced` uses; a row's reasons are kept as
#: bits of an integer (bit i = `UNPRICED[i]`) and turned into text once per combination.
UNPRICED: tuple[str, ...] = (
    "no instance type",
    "instance price not in the catalog",
    "storage size unknown",
    "whether the instance price includes its root disk is not known",
    "root disk price not in the catalog",
    "block volume price not in the catalog",
    "root and data split unknown",
    "OS unknown, so whether a Windows licence is needed",
    "Windows licence charge not in the catalog",
)
(NO_TYPE, NO_INSTANCE_PRICE, NO_STORAGE_SIZE, NO_ROOT_RULE, NO_ROOT_PRICE, NO_BLOCK_PRICE,
 NO_SPLIT, NO_OS, NO_WINDOWS_PRICE) = (1 << i for i in range(len(UNPRICED)))  # fmt: skip

_STRONGEST = len(CONFIDENCE_ORDER) - 1
#: Date codes: 2024-09 -> 20240900, 2026-11-01 -> 20261101, so the oldest is the minimum.
_NO_DATE = 99_999_999


def cost_estate(
    sized: pd.DataFrame, catalogs: Mapping[str, Catalog], policy: SizingPolicy
) -> pd.DataFrame:
    """`sized` (from `size_estate`) with the monthly cost columns of `COST_COLUMNS` added.

    Every provider in `sized` must have its catalog in `catalogs`.
    """
    parts = [_costs(block, catalogs[name], policy) for name, block in _provider_blocks(sized)]
    if not parts:
        return sized.reindex(columns=[*sized.columns, *COST_COLUMNS])
    costs = pd.concat(parts) if len(parts) > 1 else parts[0]
    return pd.concat([sized, costs], axis=1)


def cost_totals(costed: pd.DataFrame) -> pd.DataFrame:
    """Estate totals per provider (index), from the rounded rows of `cost_estate`.

    Columns: `currency`, `servers`, and per basis (`allocated_`, `rightsized_`):
    `total_monthly` (sum of the fully priced servers' totals), `priced_monthly` (sum of
    the priced parts of all servers: a floor of the estate's cost; both None when nothing
    is priced), `complete_servers`,
    `unpriced_servers` (never hidden: a server with a missing price is counted here, not
    as 0) and `unpriced_reasons` ('block volume price not in the catalog: 40; ...');
    then `price_confidence` (weakest of all rows) and `price_as_of` (oldest).
    """
    rows = []
    for provider, group in _provider_blocks(costed):
        row: dict[str, object] = {
            "provider": provider,
            "currency": pc.min(_arrow_text(group["currency"])).as_py(),
            "servers": len(group),
        }
        for basis in BASES:
            total = group[f"{basis}_total_monthly"]
            row[f"{basis}_total_monthly"] = _sum(total)
            row[f"{basis}_priced_monthly"] = _sum(group[f"{basis}_priced_monthly"])
            row[f"{basis}_complete_servers"] = int(total.notna().sum())
            row[f"{basis}_unpriced_servers"] = int(total.isna().sum())
            row[f"{basis}_unpriced_reasons"] = _reason_counts(group[f"{basis}_unpriced"])
        confidence = pd.Series(CONFIDENCE_ORDER, dtype="string")
        ranks = positions(group["price_confidence"], confidence)
        row["price_confidence"] = CONFIDENCE_ORDER[int(ranks.min())] if len(ranks) else None
        row["price_as_of"] = pc.min(_arrow_text(group["price_as_of"])).as_py()
        rows.append(row)
    return pd.DataFrame(rows).set_index("provider") if rows else pd.DataFrame()


# --- one provider ------------------------------------------------------------------------


def _costs(rows: pd.DataFrame, catalog: Catalog, policy: SizingPolicy) -> pd.DataFrame:
    """The cost columns for one provider's rows."""
    n = len(rows)
    hours = float(policy.hours_per_month)
    table = instance_prices(catalog)
    units = unit_prices(catalog)
    is_windows = rows["windows"].to_numpy(dtype=bool, na_value=False)
    unknown_os = rows["windows"].isna().to_numpy()

    storage, weakest, storage_missing = _storage_costs(rows, units, hours)
    oldest = np.where(np.isnan(storage), _NO_DATE, _date_code(catalog.pricing.source.as_of))
    out: dict[str, object] = {
        "currency": coded_text(np.zeros(n, dtype=np.int32), (units.currency,))
        if units.currency
        else coded_text(np.full(n, -1), ()),
        "storage_monthly": storage,
    }
    names = pd.Series(table.index, dtype="string")
    price_per_hour = table["price_per_hour"].to_numpy(dtype="float64")
    rank_of = table["rank"].to_numpy(dtype="int64")
    date_of = np.array([_date_code(d) for d in table["as_of"]], dtype=np.int64)
    licence_date = _date_code(units.windows.source.as_of)
    included = np.flatnonzero(table.index.isin(list(units.windows.included_types)))
    for basis in BASES:
        at = positions(rows[f"{basis}_type"], names)
        price = np.where(at >= 0, price_per_hour[np.maximum(at, 0)], np.nan)
        priced = ~np.isnan(price)
        instance = _cents(price * hours)
        weakest = np.minimum(weakest, np.where(priced, rank_of[np.maximum(at, 0)], 0))
        oldest = np.minimum(oldest, np.where(priced, date_of[np.maximum(at, 0)], _NO_DATE))

        type_vcpus = rows[f"{basis}_type_vcpus"].to_numpy(dtype="float64", na_value=np.nan)
        licence, licence_missing = _licence_costs(
            is_windows, unknown_os, at, np.isin(at, included), type_vcpus, units, hours
        )
        charged = is_windows & ~np.isnan(licence)
        weakest = np.where(is_windows & np.isnan(licence), 0, weakest)
        weakest = np.where(charged, np.minimum(weakest, units.windows.rank), weakest)
        weakest = np.where(unknown_os, 0, weakest)
        oldest = np.where(charged, np.minimum(oldest, licence_date), oldest)

        missing = np.where(at < 0, NO_TYPE, np.where(priced, 0, NO_INSTANCE_PRICE))
        missing = missing | storage_missing | licence_missing
        parts = np.vstack([instance, storage, licence])
        out[f"{basis}_instance_monthly"] = instance
        out[f"{basis}_licence_monthly"] = licence
        out[f"{basis}_total_monthly"] = _cents(parts.sum(axis=0))
        # A row where neither the instance nor its disks are priced has no floor either.
        nothing = np.isnan(instance) & np.isnan(storage)
        out[f"{basis}_priced_monthly"] = np.where(nothing, np.nan, _cents(np.nansum(parts, axis=0)))
        out[f"{basis}_unpriced"] = _reason_text(missing)

    note = np.where(is_windows | unknown_os, 0, -1)
    out["licence_note"] = coded_text(note, (_licence_text(units),))
    out["price_confidence"] = coded_text(weakest, CONFIDENCE_ORDER)
    out["price_as_of"] = _date_text(oldest, catalog)
    return _typed(out, rows.index)


def _storage_costs(
    rows: pd.DataFrame, units: UnitPrices, hours: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly disk cost, the confidence rank of the prices it used and the missing-price
    bits, per row. The root disk costs nothing extra when the instance price includes it."""
    root = rows["root_gib"].to_numpy(dtype="float64", na_value=np.nan)
    data = rows["data_gib"].to_numpy(dtype="float64", na_value=np.nan)
    total = rows["storage_gib"].to_numpy(dtype="float64", na_value=np.nan)
    block_price = _per_hour(units.block_volume.per_hour)
    block_rank = units.block_volume.rank
    if units.root_included is True:
        root_price, root_rank = 0.0, _STRONGEST
    elif units.root_included is None:
        root_price, root_rank = np.nan, 0
    else:
        root_price, root_rank = _per_hour(units.root_disk.per_hour), units.root_disk.rank
    split = ~np.isnan(root)
    known = ~np.isnan(total)
    needs_block = ~split | (data > 0)
    # Without the root/data split, one price for both disks still prices the total.
    one_price = units.root_included is False and root_price == block_price

    cost = root * root_price * hours + np.where(data > 0, data * block_price * hours, 0.0)
    cost = np.where(split, cost, total * block_price * hours if one_price else np.nan)
    cost = _cents(cost)
    rank = np.where(needs_block, min(root_rank, block_rank), root_rank)
    rank = np.where(known, rank, 0)

    missing = np.where(known, 0, NO_STORAGE_SIZE)
    if units.root_included is None:
        missing |= np.where(known, NO_ROOT_RULE, 0)
    elif np.isnan(root_price):
        missing |= np.where(known, NO_ROOT_PRICE, 0)
    if np.isnan(block_price):
        missing |= np.where(known & needs_block, NO_BLOCK_PRICE, 0)
    elif not one_price and not np.isnan(root_price):
        missing |= np.where(known & ~split, NO_SPLIT, 0)
    return cost, rank, missing


def _licence_costs(
    is_windows: np.ndarray,
    unknown_os: np.ndarray,
    at: np.ndarray,
    included: np.ndarray,
    type_vcpus: np.ndarray,
    units: UnitPrices,
    hours: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Windows licence per month and the missing-price bits, per row: 0 for other OSes and
    for licence-included types (`included`: the row's type is one), a per-core or
    per-instance charge where the catalog has one, NA otherwise (and wherever the OS, or
    for Windows the type, is unknown)."""
    licence = units.windows
    n = len(at)
    if licence.per_core_hour is not None:
        charge = type_vcpus * licence.per_core_hour * hours
    elif licence.per_instance_hour is not None:
        charge = np.full(n, licence.per_instance_hour * hours)
    else:
        charge = np.full(n, np.nan)
    no_type = at < 0
    cost = np.where(is_windows, np.where(included, 0.0, charge), 0.0)
    cost = _cents(np.where(unknown_os | (is_windows & no_type), np.nan, cost))
    missing = np.where(unknown_os, NO_OS, 0)
    missing |= np.where(is_windows & ~no_type & np.isnan(cost), NO_WINDOWS_PRICE, 0)
    return cost, missing


def _licence_text(units: UnitPrices) -> str:
    """How Windows is licensed on this provider, in one phrase."""
    licence = units.windows
    if licence.included_types:
        return "Windows licence included in the price of the Windows instance types"
    if licence.per_core_hour is not None:
        return "Windows licence charged per vCPU and hour"
    if licence.per_instance_hour is not None:
        return "Windows licence charged per instance and hour"
    reason = UNPRICED[NO_WINDOWS_PRICE.bit_length() - 1]
    return reason + (f": {licence.note}" if licence.note else "")


# --- small helpers ----------------------------------------------------------------------


def _provider_blocks(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(provider, its rows) in order of appearance; `size_estate` writes each provider's
    rows as one block, so a block is a slice, not a copy."""
    providers = frame.index.get_level_values("provider")
    codes, names = pd.factorize(providers)
    out = []
    for code, name in enumerate(names):
        rows = np.flatnonzero(codes == code)
        contiguous = rows[-1] - rows[0] == len(rows) - 1
        out.append((name, frame.iloc[rows[0] : rows[-1] + 1] if contiguous else frame.iloc[rows]))
    return out


def _sum(money: pd.Series) -> float | None:
    """The sum of rounded amounts, to the cent; None when no amount is known (a total of
    nothing priced is unknown, not 0)."""
    return float(_cents(money.sum())) if money.notna().any() else None


def _reason_text(bits: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The reason bits of each row as text ('a; b'), NA for a fully priced row."""
    combos, codes = np.unique(bits, return_inverse=True)
    words = ["; ".join(r for i, r in enumerate(UNPRICED) if combo >> i & 1) for combo in combos]
    return coded_text(np.where(bits == 0, -1, codes.reshape(-1)), words)


def _reason_counts(unpriced: pd.Series) -> str | None:
    """'Windows licence charge not in the catalog: 12; ...' over a provider's rows."""
    counted = pc.value_counts(_arrow_text(unpriced)).to_pylist()
    # Rows share a handful of reason combinations: count those, then split the few.
    counts: dict[str, int] = {}
    for entry in counted:
        if entry["values"] is None:
            continue
        for reason in entry["values"].split("; "):
            counts[reason] = counts.get(reason, 0) + int(entry["counts"])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "; ".join(f"{reason}: {count}" for reason, count in ranked) or None


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as arrow, without copying when it already is."""
    return pa.array(values.astype("string[pyarrow]").array)


def _date_code(as_of: str) -> int:
    parts = [int(p) for p in as_of.split("-")] + [0]
    return parts[0] * 10_000 + parts[1] * 100 + parts[2]


def _date_text(codes: np.ndarray, catalog: Catalog) -> pd.api.extensions.ExtensionArray:
    """Date codes back to the catalog's own date texts (NA where no price was used)."""
    texts = {t.source.as_of for t in catalog.instance_types}
    texts |= {catalog.pricing.source.as_of, catalog.licensing.windows_license_included.source.as_of}
    by_code = {_date_code(t): t for t in texts}
    keys = np.array(sorted(by_code), dtype=np.int64)
    at = np.searchsorted(keys, codes)
    hit = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == codes)
    return coded_text(np.where(hit, at, -1), [by_code[k] for k in keys])


def _per_hour(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _typed(columns: dict[str, object], index: pd.Index) -> pd.DataFrame:
    """The columns of `COST_COLUMNS` in order; money as Float64 (NA, never NaN)."""
    out: dict[str, object] = {}
    for name in COST_COLUMNS:
        values = columns[name]
        if isinstance(values, np.ndarray):
            values = pd.array(values.astype("float64"), dtype="Float64")
        out[name] = values
    return pd.DataFrame(out, index=index, copy=False)


def _cents(values: object) -> np.ndarray:
    """Money rounded to cents, halves away from zero (with a nudge against float error, so
    0.125 held as 0.12499999 still becomes 0.13)."""
    array = np.asarray(values, dtype="float64")
    return np.sign(array) * np.floor(np.abs(array) * 100 + 0.5 + 1e-7) / 100
