"""The parts of the engagement profile: one pydantic model per YAML section.

Customer, consultant, target, sites, migration, rule overrides, accepted exceptions, branding
and scoring each validate their own keys here, on a shared strict base (`_Section`) that
rejects unknown keys and reads an empty key as "not given". The constants these sections
default to (zones, route factor, logo types) live beside them. The whole `Profile` that
combines the sections is in `advisor.profile.model`.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from advisor.profile.cities import _CITY_INDEX, CITIES, _city_key, lookup_city

Severity = Literal["info", "low", "medium", "high", "blocker"]
Provider = Literal["exoscale", "scaleway"]

SEVERITIES: tuple[str, ...] = get_args(Severity)
PROVIDERS: tuple[str, ...] = get_args(Provider)

#: Zone used when the profile names a provider but no zone: the provider's main location.
DEFAULT_ZONES: dict[str, str] = {"exoscale": "ch-gva-2", "scaleway": "fr-par-1"}

#: Route factor: how much longer a real network path is than the great circle. 1.5 is a
#: typical carrier/MPLS path (domain-facts 4.2: 1.3 private fibre, 2.1 public internet).
DEFAULT_ROUTE_FACTOR = 1.5

LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif")


def _norm(value: str) -> str:
    """The comparison key for site, datacenter and cluster names (stripped, case-folded)."""
    return value.strip().casefold()


def _error(path: str, message: str) -> PydanticCustomError:
    """A validation error carrying its own key path.

    Model-level validators see the whole model, so pydantic would blame the parent; the path in
    the context lets the error translator name the exact key instead.
    """
    return PydanticCustomError("profile", "{message}", {"key_path": path, "message": message})


class _Section(BaseModel):
    """Base of every profile section: unknown keys are errors, empty keys mean 'not given'."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    #: Keys whose explicit empty value is an error instead of 'not given'.
    NULL_IS_ERROR: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        """Treat `key:` with nothing after it like an absent key.

        A consultant clearing a value in the file ("uplink_mbps:") means "I don't know", and
        the default or unknown should then apply rather than a type error.
        """
        if data is None:
            return {}
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k in cls.NULL_IS_ERROR}
        return data


class Customer(_Section):
    """Who the assessment is for, as printed on the report cover."""

    name: str = "Customer"


class Consultant(_Section):
    """Who wrote the assessment; all optional because internal runs need no byline."""

    name: str | None = None
    company: str | None = None
    email: str | None = None

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        """Catch an obviously broken address before it is printed on a customer report."""
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise PydanticCustomError(
                "profile", "'{value}' is not an e-mail address (name@example.com)", {"value": value}
            )
        return value.strip() if value else value


def _zone_names(provider: str) -> list[str] | None:
    """Zone names of the provider's catalog, or None while `advisor.targets` does not exist.

    The catalog is the single source of zone names; only the absence of the catalog package
    itself is tolerated (an import error inside it is a bug and must surface).
    """
    try:
        from advisor.targets import load_catalog
    except ImportError as exc:
        if exc.name != "advisor.targets":
            raise
        return None
    return list(load_catalog(provider).zone_names())


class Target(_Section):
    """The cloud the servers move to; the zone decides latency and which types exist."""

    provider: Provider = "exoscale"
    zone: str = ""

    @field_validator("provider", mode="before")
    @classmethod
    def _lower_provider(cls, value: Any) -> Any:
        """'Exoscale' and 'exoscale' are the same provider."""
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_zone(self) -> Target:
        """Default the zone per provider and check it against the provider's catalog."""
        if not self.zone.strip():
            self.zone = DEFAULT_ZONES[self.provider]
            self.__pydantic_fields_set__.discard("zone")
        else:
            self.zone = self.zone.strip().lower()
        zones = _zone_names(self.provider)
        if zones is not None and self.zone not in zones:
            hint = difflib.get_close_matches(self.zone, zones, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            raise _error(
                "target.zone",
                f"'{self.zone}' is not a zone of {self.provider}{tip} "
                f"(valid zones: {', '.join(sorted(zones))})",
            )
        return self


def _as_list(value: Any) -> Any:
    """A lone scalar as a one-item list; lists and anything else pass through."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [value]
    return value


class Site(_Section):
    """An office or server room: where users sit and through which uplink data leaves."""

    name: str
    city: str | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    uplink_mbps: Annotated[float, Field(gt=0)] | None = None
    users: Annotated[int, Field(ge=0)] | None = None
    datacenters: list[str] = Field(default_factory=list)
    clusters: list[str] = Field(default_factory=list)

    _located_by: Literal["coordinates", "city"] | None = PrivateAttr(None)

    @field_validator("datacenters", "clusters", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        """Accept `datacenters: Basel-DC` as a one-item list: it is what people write."""
        return _as_list(value)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        """A blank site name cannot be matched or printed."""
        if not value.strip():
            raise PydanticCustomError("profile", "a site needs a name", {})
        return value.strip()

    @model_validator(mode="after")
    def _locate(self) -> Site:
        """Resolve the location: explicit lat/lon win, else the city table."""
        if (self.lat is None) != (self.lon is None):
            missing = "lon" if self.lon is None else "lat"
            raise PydanticCustomError(
                "profile",
                "give both lat and lon (or a city); {missing} is missing",
                {"missing": missing, "key": missing},
            )
        if self.lat is not None:
            self._located_by = "coordinates"
        elif self.city is not None:
            found = lookup_city(self.city)
            if found is None:
                hint = difflib.get_close_matches(
                    _city_key(self.city), list(_CITY_INDEX), n=3, cutoff=0.6
                )
                names = list(dict.fromkeys(_CITY_INDEX[h] for h in hint))
                tip = (
                    f"did you mean {' or '.join(repr(n) for n in names)}?"
                    if names
                    else f"known cities: {', '.join(CITIES)}"
                )
                raise PydanticCustomError(
                    "profile",
                    "unknown city '{city}'; {tip} Or give lat and lon instead.",
                    {"city": self.city, "tip": tip, "key": "city"},
                )
            self.city, self.lat, self.lon = found
            self.__pydantic_fields_set__.difference_update({"lat", "lon"})
            self._located_by = "city"
        return self

    @property
    def located_by(self) -> Literal["coordinates", "city"] | None:
        """How the location was given, so reports can say when it is approximate."""
        return self._located_by


class Migration(_Section):
    """How data moves: the acceptable cut-over window and what the network really delivers."""

    window_hours: Annotated[float, Field(gt=0)] = 48.0
    link_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.8
    route_factor: Annotated[float, Field(ge=1, le=5)] = DEFAULT_ROUTE_FACTOR
    vpn_overhead_ms: Annotated[float, Field(ge=0, le=1000)] = 2.0


class RuleOverride(_Section):
    """A change to one rule; unset fields (None) leave the rule's own default in place."""

    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("severity", mode="before")
    @classmethod
    def _lower_severity(cls, value: Any) -> Any:
        """'High' and 'high' are the same severity."""
        return value.strip().lower() if isinstance(value, str) else value


class AcceptedException(_Section):
    """A finding the customer has seen and accepted; reports show it as accepted, not hidden."""

    rule: str
    server: str
    reason: str

    @field_validator("rule", "server", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """An accepted finding without a reason cannot be defended in a report."""
        if not value.strip():
            raise PydanticCustomError("profile", "must not be empty", {})
        return value.strip()


class Branding(_Section):
    """Report styling: the consultancy's logo and colours."""

    logo: Path | None = None
    primary_color: str | None = None
    secondary_color: str | None = None

    NULL_IS_ERROR: ClassVar[tuple[str, ...]] = ("primary_color", "secondary_color")

    @field_validator("primary_color", "secondary_color", mode="before")
    @classmethod
    def _check_color(cls, value: Any) -> Any:
        """Colours are #rgb or #rrggbb; an unquoted '#...' reads as an empty YAML comment."""
        if value is None:
            raise PydanticCustomError(
                "profile",
                'is empty; write the colour in quotes, e.g. "#0b6e4f" '
                "(without quotes YAML reads # as the start of a comment)",
                {},
            )
        if isinstance(value, str) and not re.fullmatch(
            r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value.strip()
        ):
            raise PydanticCustomError(
                "profile", "'{value}' is not a colour; use #rgb or #rrggbb", {"value": value}
            )
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("logo")
    @classmethod
    def _check_logo(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        """Find the logo beside the profile now, not halfway through rendering a PDF."""
        if value is None:
            return None
        base = (info.context or {}).get("base_dir")
        path = value.expanduser()
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        if path.suffix.lower() not in LOGO_SUFFIXES:
            raise PydanticCustomError(
                "profile",
                "'{value}' is not an image the report can embed (use {allowed})",
                {"value": str(value), "allowed": ", ".join(LOGO_SUFFIXES)},
            )
        if not path.is_file():
            raise PydanticCustomError(
                "profile",
                "logo file '{path}' not found (a relative path is read from the profile's folder)",
                {"path": str(path)},
            )
        return path.resolve()


class Penalties(_Section):
    """Score points a server loses per failed rule, by the rule's severity."""

    info: Annotated[int, Field(ge=0, le=100)] = 0
    low: Annotated[int, Field(ge=0, le=100)] = 3
    medium: Annotated[int, Field(ge=0, le=100)] = 8
    high: Annotated[int, Field(ge=0, le=100)] = 20
    blocker: Annotated[int, Field(ge=0, le=100)] = 45


class Scoring(_Section):
    """How findings turn into a score and an effort estimate."""

    penalties: Penalties = Field(default_factory=Penalties)
    base_effort_hours: Annotated[float, Field(ge=0)] = 4.0
    #: What a server to retire costs instead: confirming with its owner, archiving, deleting.
    decommission_hours: Annotated[float, Field(ge=0)] = 1.0
