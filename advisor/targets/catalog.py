"""Target cloud catalogs: provider facts as validated data, plus the lookups rules need.

The numbers live in `<provider>.yaml` beside this module so that a consultant can read, cite
and update them without touching code; this module only checks their shape and answers
questions about them (which zone, how far, which instance type fits). A broken data file fails
loudly, naming the file and the field, because a silently dropped limit would turn into a
wrong recommendation.
"""

from __future__ import annotations

import difflib
import math
import numbers
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, ValidationError, model_validator

from advisor.errors import InputError
from advisor.targets.geo import great_circle_km
from advisor.targets.sections import (
    AntiAffinity,
    AsOf,
    BlockVolume,
    CustomTemplate,
    ElasticIp,
    InstanceType,
    Licensing,
    NetworkPhysics,
    Pricing,
    PrivateLink,
    PrivateNetwork,
    RootDisk,
    SecurityGroups,
    Snapshots,
    SourceRef,
    Strict,
    UsbPassthrough,
    Vpn,
    Zone,
)

PROVIDERS: tuple[str, ...] = ("exoscale", "scaleway")

#: Slack when comparing a server's size with a type's size (GiB from MB conversions).
_FIT_TOLERANCE = 1e-6
#: Rows per broadcast block in `fit_instance_types`: bounds memory to ~rows x types bytes.
_FIT_CHUNK_ROWS = 200_000


class CatalogError(InputError):
    """A catalog data file is unreadable or does not match the schema."""


class Catalog(Strict):
    """Everything the advisor knows about one target provider, with sources."""

    provider: str = Field(pattern=r"^[a-z]+$")
    display_name: str
    as_of: AsOf
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    zones: tuple[Zone, ...] = Field(min_length=1)
    instance_types: tuple[InstanceType, ...] = Field(min_length=1)
    root_disk: RootDisk
    block_volume: BlockVolume
    custom_template: CustomTemplate
    snapshots: Snapshots
    private_network: PrivateNetwork
    elastic_ip: ElasticIp
    vpn: Vpn
    private_link: PrivateLink
    security_groups: SecurityGroups
    anti_affinity: AntiAffinity
    usb_passthrough: UsbPassthrough
    licensing: Licensing
    network_physics: NetworkPhysics
    pricing: Pricing

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        for label, names in (
            ("zone", [z.name for z in self.zones]),
            ("instance type", [t.name for t in self.instance_types]),
        ):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise ValueError(f"duplicate {label} names: {', '.join(duplicates)}")
        for t in self.instance_types:
            if t.root_disk_min_gib > t.root_disk_max_gib:
                raise ValueError(f"instance type {t.name}: root_disk_min_gib > root_disk_max_gib")
        return self

    # --- zones -------------------------------------------------------------------------

    def zone_names(self) -> tuple[str, ...]:
        """API names of all zones, in catalog order."""
        return tuple(z.name for z in self.zones)

    def zone(self, name: str) -> Zone:
        """The zone called `name` (case-insensitive); InputError suggests near misses."""
        key = str(name).strip().lower()
        for z in self.zones:
            if z.name == key:
                return z
        raise InputError(_unknown(f"{self.display_name} zone", name, self.zone_names()))

    def nearest_zone(self, lat: float, lon: float) -> tuple[Zone, float]:
        """The zone closest to a point and its great-circle distance in km (first on ties)."""
        if not (_finite(lat) and _finite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"invalid coordinates lat={lat!r} lon={lon!r}")
        lats, lons = self._zone_coordinates
        km = np.asarray(great_circle_km(lat, lon, lats, lons))
        best = int(km.argmin())
        return self.zones[best], float(km[best])

    @staticmethod
    def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Great-circle distance in km (haversine); see `great_circle_km`."""
        return float(great_circle_km(lat1, lon1, lat2, lon2))

    @cached_property
    def _zone_coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([z.lat for z in self.zones], dtype="float64"),
            np.array([z.lon for z in self.zones], dtype="float64"),
        )

    # --- instance types ----------------------------------------------------------------

    def instance_type(self, name: str) -> InstanceType:
        """The instance type called `name` (case-insensitive); InputError suggests near misses."""
        key = str(name).strip().lower()
        for t in self.instance_types:
            if t.name.lower() == key:
                return t
        names = tuple(t.name for t in self.instance_types)
        raise InputError(_unknown(f"{self.display_name} instance type", name, names))

    @cached_property
    def _general_types(self) -> tuple[InstanceType, ...]:
        """Types without GPUs: the only sensible targets for a lifted general server."""
        return tuple(t for t in self.instance_types if t.gpus == 0)

    def largest_instance(self) -> InstanceType:
        """Most memory, then most vCPUs; GPU types only when the catalog has nothing else."""
        pool = self._general_types or self.instance_types
        return max(pool, key=lambda t: (t.memory_gib, t.vcpus))

    @property
    def max_vcpus(self) -> int:
        """Most vCPUs of any non-GPU type."""
        return max(t.vcpus for t in self._general_types or self.instance_types)

    @property
    def max_memory_gib(self) -> float:
        """Most memory of any non-GPU type."""
        return max(t.memory_gib for t in self._general_types or self.instance_types)

    @property
    def max_root_disk_gib(self) -> float:
        """Largest root disk any instance type accepts."""
        return max(t.root_disk_max_gib for t in self.instance_types)

    def fit_candidates(self, *, windows: bool = False) -> tuple[InstanceType, ...]:
        """Non-GPU types in preference order: memory, vCPUs, root disk, then price and name.

        With `windows=True` only types that may run licence-included Windows (True or not yet
        verified) remain. Without it, a Windows-only type loses ties to its plain twin.
        """
        pool = [t for t in self._general_types if not windows or t.windows is not False]
        return tuple(
            sorted(
                pool,
                key=lambda t: (
                    t.memory_gib,
                    t.vcpus,
                    t.root_disk_max_gib,
                    t.windows is True,
                    math.inf if t.price_per_hour is None else t.price_per_hour,
                    t.name,
                ),
            )
        )

    def smallest_fitting(
        self, vcpus: float, memory_gib: float, *, windows: bool = False
    ) -> InstanceType | None:
        """The smallest non-GPU type with at least `vcpus` and `memory_gib`, else None."""
        for t in self.fit_candidates(windows=windows):
            if vcpus <= t.vcpus + _FIT_TOLERANCE and memory_gib <= t.memory_gib + _FIT_TOLERANCE:
                return t
        return None

    def fit_instance_types(
        self, vcpus: pd.Series, memory_gib: pd.Series, *, windows: bool = False
    ) -> pd.DataFrame:
        """`smallest_fitting` for whole columns at once, without a Python loop per row.

        Returns a frame on the input index with `instance_type` (string, NA when nothing fits
        or an input is missing) and `fits` (boolean, NA when an input is missing). Each block
        of rows is compared with the small, pre-sorted type table by broadcasting; the first
        True per row is the preferred type.
        """
        if not vcpus.index.equals(memory_gib.index):
            raise ValueError("vcpus and memory_gib must share the same index")
        candidates = self.fit_candidates(windows=windows)
        names = np.array([t.name for t in candidates], dtype=object)
        type_vcpus = np.array([t.vcpus for t in candidates], dtype="float64") + _FIT_TOLERANCE
        type_memory = np.array([t.memory_gib for t in candidates], dtype="float64")
        type_memory += _FIT_TOLERANCE
        need_vcpus = _as_float(vcpus)
        need_memory = _as_float(memory_gib)
        missing = np.isnan(need_vcpus) | np.isnan(need_memory)

        chosen = np.full(len(need_vcpus), -1, dtype="int64")
        if len(candidates):
            for start in range(0, len(chosen), _FIT_CHUNK_ROWS):
                rows = slice(start, start + _FIT_CHUNK_ROWS)
                ok = (need_vcpus[rows, None] <= type_vcpus) & (
                    need_memory[rows, None] <= type_memory
                )
                chosen[rows] = np.where(ok.any(axis=1), ok.argmax(axis=1), -1)
        found = chosen >= 0

        instance_type = np.full(len(chosen), pd.NA, dtype=object)
        instance_type[found] = names[chosen[found]]
        fits = pd.array(found, dtype="boolean")
        fits[missing] = pd.NA
        return pd.DataFrame(
            {"instance_type": pd.array(instance_type, dtype="string"), "fits": fits},
            index=vcpus.index,
        )


def _finite(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _as_float(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _unknown(what: str, given: object, known: tuple[str, ...]) -> str:
    """One-line message for an unknown name, with the closest valid names first."""
    close = difflib.get_close_matches(str(given).strip().lower(), known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"unknown {what} {given!r}{hint} (known: {', '.join(known)})"


# --- loading ---------------------------------------------------------------------------


def load_catalog(provider: str) -> Catalog:
    """The validated catalog of one provider (cached; the same object on every call)."""
    key = str(provider).strip().lower()
    if key not in PROVIDERS:
        raise InputError(
            f"unknown target provider {provider!r}; available providers: {', '.join(PROVIDERS)}"
        )
    return _load_packaged(key)


@cache
def _load_packaged(provider: str) -> Catalog:
    resource = resources.files(__package__).joinpath(f"{provider}.yaml")
    with resources.as_file(resource) as path:
        catalog = read_catalog(path)
    if catalog.provider != provider:
        raise CatalogError(f"{path}: provider: says {catalog.provider!r}, expected {provider!r}")
    return catalog


def read_catalog(path: Path) -> Catalog:
    """Read and validate one catalog file (uncached); CatalogError names file and field."""
    try:
        # advisor's own files: libyaml's safe loader, ten times faster than pure Python
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise CatalogError(f"cannot read target catalog {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise CatalogError(f"{path}:{where} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping of sections at the top level")
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        field = _describe_location(first["loc"], data) or "(top level)"
        raise CatalogError(f"{path}: {field}: {first['msg']}{more}") from exc


def _describe_location(loc: tuple[Any, ...], data: Any) -> str:
    """`instance_types[3] (standard.large).vcpus` from a pydantic error location."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "name" in node:
                text += f" ({node['name']})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text
