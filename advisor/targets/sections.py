"""The shape of a target cloud catalog: one pydantic model per section of the YAML file.

Provider limits drift, and a recommendation is only as good as the number behind it, so every
section carries the source it came from and the date that source showed. Unknown facts are
`None` with a note, never a guess: rules must treat `None` as "unverified", not as "no".
Models are frozen because `load_catalog` hands the same cached object to every caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


def _date_to_text(value: object) -> object:
    """YAML reads 2026-11-01 as a date; keep as_of as text so "2024-09" (no day) also fits."""
    return value.isoformat() if isinstance(value, dt.date) else value


#: A date as the source shows it: YYYY-MM-DD, or YYYY-MM when the source gives no day.
AsOf = Annotated[
    str,
    BeforeValidator(_date_to_text),
    StringConstraints(pattern=r"^\d{4}-\d{2}(-\d{2})?$"),
]
Gib = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
Confidence = Literal["primary", "third_party", "inference", "general_knowledge", "not_found"]


class Strict(BaseModel):
    """Base: unknown keys are errors (a typo must not silently drop a limit); immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a value comes from: URL or `owner/repo:path@commit`, the date it showed, trust."""

    url: str = Field(min_length=3)
    as_of: AsOf
    confidence: Confidence = "primary"
    note: str | None = None


class SourceRef(Strict):
    """An entry of the catalog-level reading list."""

    title: str
    url: str


class Sourced(Strict):
    """A section backed by one main source, plus any others that back single values."""

    source: Source
    more_sources: tuple[Source, ...] = ()
    note: str | None = None


class Zone(Sourced):
    """A zone (datacentre) and the coordinates of its city, used for latency estimates."""

    name: str = Field(pattern=r"^[a-z]{2}-[a-z]{2,4}-\d+$")
    city: str
    country: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    region: str | None = None


class InstanceType(Sourced):
    """One instance size. `windows` None means: not verified whether licence-included works."""

    name: str
    family: str
    vcpus: int = Field(gt=0)
    memory_gib: float = Field(gt=0)
    root_disk_min_gib: Gib
    root_disk_max_gib: Gib
    gpus: Count = 0
    windows: bool | None = False
    #: Dedicated vCPU (one host thread per vCPU) vs shared; None when the source is silent.
    dedicated_vcpu: bool | None = None
    price_per_hour: float | None = Field(default=None, ge=0)
    #: True when the size was derived from a documented range, not read from a size list.
    representative: bool = False


class RootDisk(Sourced):
    """Limits of the instance's root (boot) disk across all types."""

    min_gib: Gib
    max_gib: Gib


class BlockVolume(Sourced):
    """Network block storage; `max_per_instance` counts data volumes besides the root disk."""

    available: bool
    min_gib: Gib | None
    max_gib: Gib | None
    max_per_instance: Count | None
    max_read_iops: Count | None = None
    max_write_iops: Count | None = None
    max_iops: Count | None = None
    max_mib_s: float | None = None
    block_size_bytes: Count | None = None


class CustomTemplate(Sourced):
    """Bring-your-own OS image: how big and in which format a lifted OS disk may be."""

    min_gib: Gib | None
    max_gib: Gib | None
    formats: tuple[str, ...]
    boot_modes: tuple[Literal["legacy", "uefi"], ...]
    gpt_uefi_above_gib: Gib | None


class Snapshots(Sourced):
    """What a platform snapshot is worth as a backup."""

    deleted_with_instance: bool | None
    exportable: bool | None
    application_consistent_option: bool | None
    crash_consistent_by_default: bool | None
    max_per_instance: Count | None = None
    max_per_volume: Count | None = None


class PrivateNetwork(Sourced):
    """Layer-2 behaviour that decides whether clusters, VRRP or MAC-bound licences survive."""

    layer2: bool | None
    custom_mac_allowed: bool | None
    multicast: bool | None
    broadcast: bool | None
    spans_zones: bool | None
    security_groups_apply: bool | None
    max_per_instance: Count | None


class ElasticIp(Sourced):
    """Movable public IPs (keeping a public address across a migration or failover)."""

    available: bool | None
    managed_mode: bool | None
    health_check: bool | None
    outgoing_uses_native_ip: bool | None
    zone_bound: bool | None
    price_per_hour: float | None = Field(default=None, ge=0)


class Vpn(Sourced):
    """Managed site-to-site VPN, or the fact that a gateway instance must be run instead."""

    managed_site_to_site: bool | None
    routing: str | None


class PrivateLink(Sourced):
    """Dedicated private connectivity to on-premises (Private Connect, InterLink)."""

    name: str
    available: bool | None


class SecurityGroups(Sourced):
    """Default firewall stance: decides which ports must be opened explicitly."""

    default_inbound: Literal["allow", "deny"] | None
    default_outbound: Literal["allow", "deny"] | None
    smtp_outbound_restricted: bool | None


class AntiAffinity(Sourced):
    """Spreading cluster members over hosts."""

    available: bool | None
    max_instances_per_group: Count | None


class UsbPassthrough(Sourced):
    """Physical USB devices (licence dongles) attached to a VM."""

    available: bool | None


class LicenceFact(Strict):
    """One licensing verdict about the provider, with its reason."""

    value: bool | None
    note: str | None = None
    source: Source
    more_sources: tuple[Source, ...] = ()


class Licensing(Strict):
    """Where licences that are tied to named clouds can or cannot go."""

    oracle_authorized_cloud: LicenceFact
    microsoft_listed_provider: LicenceFact
    microsoft_authorized_outsourcer: LicenceFact
    microsoft_mobility_partner: LicenceFact
    windows_license_included: LicenceFact
    red_hat_cloud_access: LicenceFact
    sap_certified: LicenceFact
    ibm_eligible_public_cloud: LicenceFact


class NetworkPhysics(Sourced):
    """Constants for RTT ~ 2 x distance x route factor / fibre speed + equipment overhead."""

    fibre_km_per_ms: float = Field(gt=0)
    default_route_factor: float = Field(ge=1)
    private_fibre_route_factor: float = Field(ge=1)
    internet_route_factor: float = Field(ge=1)
    equipment_overhead_ms: float = Field(ge=0)


class Pricing(Sourced):
    """Unit prices that are not per instance type; instance prices sit on the types."""

    currency: str | None
    instance_price_includes_root_disk: bool | None
    root_disk_per_gib_hour: float | None
    block_volume_per_gib_hour: float | None
    snapshot_per_gib_hour: float | None
    template_per_gib_hour: float | None
    egress_per_gb: float | None
