"""The engagement profile: what only the customer knows, in one YAML file per engagement.

An inventory says what servers exist; it does not say where the users sit, how fast the
internet uplink is, which cloud zone the servers go to, or which findings the customer has
already accepted. The profile adds exactly that. Every section is optional, because a first
assessment is often run before the customer has answered any questions: whatever the profile
leaves out falls back to a documented default or stays unknown, and `Profile.assumptions()`
says which, so a report never hides a guess.

Consultants edit the file by hand, so validation is strict (`extra="forbid"` everywhere: a
misspelt key is an error, not a silently ignored setting) and every problem is reported as one
`InputError` line naming the file, the YAML line, the key path, the bad value and what is
allowed, with the nearest valid key for a typo.
"""

from __future__ import annotations

import difflib
import re
import types
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import annotated_types
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from advisor.errors import InputError

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

#: Approximate coordinates (2 decimals, general geographic knowledge) of business cities a
#: consultant is likely to name instead of looking up lat/lon. Good enough for latency
#: estimates, where the route factor dominates the error anyway.
CITIES: dict[str, tuple[float, float]] = {
    "Basel": (47.56, 7.59),
    "Bern": (46.95, 7.45),
    "Zurich": (47.37, 8.54),
    "Geneva": (46.20, 6.14),
    "Lausanne": (46.52, 6.63),
    "Lugano": (46.00, 8.95),
    "St. Gallen": (47.42, 9.37),
    "Lucerne": (47.05, 8.31),
    "Vienna": (48.21, 16.37),
    "Graz": (47.07, 15.44),
    "Linz": (48.31, 14.29),
    "Salzburg": (47.80, 13.04),
    "Innsbruck": (47.27, 11.40),
    "Munich": (48.14, 11.58),
    "Frankfurt": (50.11, 8.68),
    "Berlin": (52.52, 13.40),
    "Hamburg": (53.55, 9.99),
    "Cologne": (50.94, 6.96),
    "Stuttgart": (48.78, 9.18),
    "Dusseldorf": (51.23, 6.77),
    "Paris": (48.86, 2.35),
    "Lyon": (45.76, 4.84),
    "Marseille": (43.30, 5.37),
    "Amsterdam": (52.37, 4.90),
    "Rotterdam": (51.92, 4.48),
    "Brussels": (50.85, 4.35),
    "Luxembourg": (49.61, 6.13),
    "Warsaw": (52.23, 21.01),
    "Prague": (50.08, 14.44),
    "Milan": (45.46, 9.19),
    "Rome": (41.90, 12.50),
    "Madrid": (40.42, -3.70),
    "Barcelona": (41.39, 2.17),
    "Lisbon": (38.72, -9.14),
    "London": (51.51, -0.13),
    "Dublin": (53.35, -6.26),
    "Copenhagen": (55.68, 12.57),
    "Stockholm": (59.33, 18.07),
    "Oslo": (59.91, 10.75),
    "Helsinki": (60.17, 24.94),
    "Sofia": (42.70, 23.32),
    "Zagreb": (45.81, 15.98),
    "Ljubljana": (46.06, 14.51),
    "Budapest": (47.50, 19.04),
    "Bucharest": (44.43, 26.10),
}

#: Local spellings customers write in their own documents, mapped to the names above.
CITY_ALIASES: dict[str, str] = {
    "basle": "Basel",
    "berne": "Bern",
    "zuerich": "Zurich",
    "geneve": "Geneva",
    "genf": "Geneva",
    "st gallen": "St. Gallen",
    "sankt gallen": "St. Gallen",
    "luzern": "Lucerne",
    "wien": "Vienna",
    "munchen": "Munich",
    "muenchen": "Munich",
    "frankfurt am main": "Frankfurt",
    "koln": "Cologne",
    "koeln": "Cologne",
    "duesseldorf": "Dusseldorf",
    "bruxelles": "Brussels",
    "brussel": "Brussels",
    "warszawa": "Warsaw",
    "praha": "Prague",
    "milano": "Milan",
    "roma": "Rome",
    "lisboa": "Lisbon",
    "kobenhavn": "Copenhagen",
    "bucuresti": "Bucharest",
}


def _city_key(name: str) -> str:
    """Fold case, accents and spacing, so 'Zürich', 'zurich ' and 'ZURICH' are one city."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace(".", " ").split()).casefold()


_CITY_INDEX: dict[str, str] = {_city_key(city): city for city in CITIES} | {
    _city_key(alias): city for alias, city in CITY_ALIASES.items()
}


def lookup_city(name: str) -> tuple[str, float, float] | None:
    """Canonical name and coordinates of a known city, or None when the table lacks it."""
    city = _CITY_INDEX.get(_city_key(name))
    if city is None:
        return None
    lat, lon = CITIES[city]
    return city, lat, lon


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


class Profile(_Section):
    """The whole engagement profile; `load_profile` builds it from a YAML file."""

    customer: Customer = Field(default_factory=Customer)
    consultant: Consultant = Field(default_factory=Consultant)
    target: Target = Field(default_factory=Target)
    sites: list[Site] = Field(default_factory=list)
    migration: Migration = Field(default_factory=Migration)
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    exceptions: list[AcceptedException] = Field(default_factory=list)
    branding: Branding = Field(default_factory=Branding)
    scoring: Scoring = Field(default_factory=Scoring)

    _source: Path | None = PrivateAttr(None)

    @field_validator("rules", mode="before")
    @classmethod
    def _empty_overrides(cls, value: Any) -> Any:
        """`DSK001:` with nothing under it is a harmless no-op, not a type error."""
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _check_sites(self) -> Profile:
        """Site names, datacenters and clusters must each point to one site only.

        Servers are assigned to sites by these names; a name listed twice would make the
        assignment depend on the order of the file.
        """
        seen: dict[tuple[str, str], int] = {}
        for i, site in enumerate(self.sites):
            entries = [("name", site.name)]
            entries += [("datacenters", dc) for dc in site.datacenters]
            entries += [("clusters", cl) for cl in site.clusters]
            for key, value in entries:
                first = seen.setdefault((key, _norm(value)), i)
                if first != i:
                    what = "site name" if key == "name" else key[:-1]
                    owner = "" if key == "name" else f" (belongs to '{self.sites[first].name}')"
                    raise _error(
                        f"sites[{i}].{key}",
                        f"{what} '{value}' is already used by sites[{first}]{owner}; "
                        f"each {what} may appear only once",
                    )
        return self

    @property
    def source(self) -> Path | None:
        """The file this profile was read from (None for defaults or in-memory data)."""
        return self._source

    def located_sites(self) -> list[Site]:
        """Sites with a known location, the only ones latency estimates can use."""
        return [s for s in self.sites if s.lat is not None]

    def assumptions(self) -> list[str]:
        """Plain-English statements of the defaults in effect and of what stays unknown.

        The report prints these so the customer sees which numbers rest on their answers and
        which on the advisor's defaults; a silent default would look like a measured fact.
        """
        out: list[str] = []
        if "name" not in self.customer.model_fields_set:
            out.append("Customer name not given: reports say 'Customer'.")
        target = self.target
        if "zone" not in target.model_fields_set:
            why = "no target given" if not self.model_fields_set & {"target"} else "no zone given"
            out.append(f"Target: {target.provider} zone {target.zone} (default, {why}).")

        if not self.sites:
            out.append(
                "No sites given: servers belong to a site only through the inventory's own "
                "site column."
            )
        if not self.located_sites():
            out.append(
                "No sites with a location: latency rules cannot be evaluated and stay unknown."
            )
        if not any(s.uplink_mbps is not None for s in self.sites):
            out.append("No site has an uplink: transfer times stay unknown.")
        for site in self.sites:
            if site.located_by is None and self.located_sites():
                out.append(
                    f"No location (lat/lon or city) given for site {site.name}: latency for its "
                    "users stays unknown."
                )
            elif site.located_by == "city":
                out.append(
                    f"Site {site.name} is placed at the centre of {site.city} "
                    f"({site.lat:.2f}, {site.lon:.2f}): distances are approximate."
                )
            if site.uplink_mbps is None and any(s.uplink_mbps is not None for s in self.sites):
                out.append(f"No uplink given for site {site.name}: transfer times stay unknown.")
            if site.users is None:
                out.append(f"Number of users at site {site.name} not given.")
            if not site.datacenters and not site.clusters:
                out.append(
                    f"Site {site.name} lists no datacenters or clusters: only servers whose own "
                    "site column names it belong to it."
                )

        mig, given = self.migration, self.migration.model_fields_set
        if "window_hours" not in given:
            out.append(f"Migration window: {mig.window_hours:g} h (default).")
        if "link_efficiency" not in given:
            out.append(
                f"Link efficiency: {mig.link_efficiency:.0%} of the uplink is usable for copying "
                "(default)."
            )
        if "route_factor" not in given:
            out.append(
                f"Route factor: {mig.route_factor:g} (default: a typical carrier network path is "
                f"about {mig.route_factor:g} times the straight-line distance)."
            )
        if "vpn_overhead_ms" not in given:
            out.append(
                f"VPN and equipment overhead: {mig.vpn_overhead_ms:g} ms added to each round trip "
                "(default)."
            )
        pen = self.scoring.penalties
        if not pen.model_fields_set:
            shown = ", ".join(f"{k} {v}" for k, v in pen.model_dump().items())
            out.append(f"Score penalties per failed rule: {shown} (default).")
        if "base_effort_hours" not in self.scoring.model_fields_set:
            out.append(
                f"Base effort: {self.scoring.base_effort_hours:g} h per server before findings "
                "(default)."
            )
        return out


# --- reading -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, which PyYAML would silently let the last win."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, failing with the line of a key given twice."""
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            keys: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, str | int | float | bool) and key in keys:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"key '{key}' appears twice",
                        key_node.start_mark,
                    )
                keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> tuple[Any, str]:
    """The parsed YAML and its text; every failure becomes a one-line InputError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: profile not found") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder; give the profile's YAML file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text file (save the profile as UTF-8)") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the profile ({exc.strerror})") from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{path}{where}: YAML syntax error: {problem}") from exc
    return data, text


def _node_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the deepest YAML node on the key path, to point the user at it."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for item in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(item)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(item, int):
            if not 0 <= item < len(node.value):
                break
            node = node.value[item]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _format_loc(loc: tuple[Any, ...]) -> str:
    """('sites', 0, 'lat') -> 'sites[0].lat', the way the user sees the file."""
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out or "(top level)"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated so the walker sees the model, list or dict behind it."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(annotation) if a is not type(None)]
            if len(inner) != 1:
                return annotation
            annotation = inner[0]
        else:
            return annotation


def _annotation_at(loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The type expected at a key path, and the field metadata (constraints) of its last key."""
    annotation: Any = Profile
    metadata: Any = []
    for item in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(item))
            if field is None:
                return None, []
            annotation, metadata = field.annotation, field.metadata
            inner = _unwrap(annotation)
            if get_origin(annotation) is not None and inner is not annotation:
                metadata = [*metadata, *_annotated_metadata(annotation)]
        elif origin is list:
            annotation, metadata = get_args(annotation)[0], []
        elif origin is dict:
            annotation, metadata = get_args(annotation)[1], []
        else:
            return None, []
    return annotation, metadata


def _annotated_metadata(annotation: Any) -> list[Any]:
    """Constraints hidden inside `Annotated[float, Field(gt=0)] | None`."""
    found: list[Any] = []
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Annotated:
            for extra in get_args(arg)[1:]:
                found.extend(getattr(extra, "metadata", [extra]))
    return found


_CONSTRAINT_TEXT: tuple[tuple[type, str], ...] = (
    (annotated_types.Gt, "greater than {}"),
    (annotated_types.Ge, "at least {}"),
    (annotated_types.Lt, "less than {}"),
    (annotated_types.Le, "at most {}"),
)

_TYPE_TEXT: dict[str, str] = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list, e.g. [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "path_type": "a file path",
}


def _show(value: Any) -> str:
    """A user-facing rendering of a bad value, short enough for one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, dict | list):
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _error_loc(err: Any) -> tuple[Any, ...]:
    """The key path an error is about, refined by the validator where pydantic stops short.

    Model validators are blamed on the whole model; they name the exact key in the error
    context, as a full `key_path` or as one `key` below the model.
    """
    loc, ctx = tuple(err["loc"]), err.get("ctx") or {}
    if err["type"] != "profile":
        return loc
    if "key_path" in ctx:
        parts = re.split(r"[.\[\]]+", ctx["key_path"])
        return tuple(int(p) if p.isdigit() else p for p in parts if p)
    if "key" in ctx:
        return (*loc, ctx["key"])
    return loc


def _describe(err: Any) -> str:
    """One pydantic error in a consultant's words: key path, bad value, what is allowed."""
    kind, loc, ctx = err["type"], _error_loc(err), err.get("ctx") or {}
    value = err.get("input")
    if kind == "profile" and "key_path" in ctx:
        return f"{ctx['key_path']}: {ctx['message']}"
    path = _format_loc(loc)
    if kind == "extra_forbidden":
        parent, _ = _annotation_at(loc[:-1])
        parent = _unwrap(parent)
        valid = list(parent.model_fields) if isinstance(parent, type) else []
        hint = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.5)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown key {path}{tip} (valid keys: {', '.join(valid)})"
    if kind == "missing":
        return f"{path} is required but missing"
    if kind == "literal_error":
        annotation, _ = _annotation_at(loc)
        allowed = [str(a) for a in get_args(_unwrap(annotation))] or [ctx.get("expected", "")]
        hint = difflib.get_close_matches(str(value), allowed, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{path} is {_show(value)}, allowed values: {', '.join(allowed)}{tip}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        _, metadata = _annotation_at(loc)
        bounds = [
            text.format(getattr(m, text_cls.__name__.lower()))
            for m in metadata
            for text_cls, text in _CONSTRAINT_TEXT
            if isinstance(m, text_cls)
        ]
        return f"{path} is {_show(value)}; it must be {' and '.join(bounds) or err['msg']}"
    if kind in {"model_type", "dict_type"} and len(loc) == 2 and loc[0] == "rules":
        return (
            f"{path} must be a mapping such as {{enabled: false}}, {{severity: high}} or "
            f"{{params: {{name: value}}}}, got {_show(value)}"
        )
    if kind in _TYPE_TEXT:
        tip = " (put it in quotes)" if kind == "string_type" and isinstance(value, bool) else ""
        return f"{path} must be {_TYPE_TEXT[kind]}, got {_show(value)}{tip}"
    if kind == "profile":
        return f"{path} {err['msg']}" if err["msg"].startswith("is ") else f"{path}: {err['msg']}"
    return f"{path}: {err['msg']} (got {_show(value)})"


def _explain(exc: ValidationError, source: str, text: str | None) -> InputError:
    """The first validation problem as a one-line InputError, with its YAML line if known."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    line = _node_line(text, _error_loc(first)) if text is not None else None
    where = f"{source}, line {line}" if line else source
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InputError(f"{where}: {_describe(first)}{more if len(errors) > 1 else ''}")


def parse_profile(
    data: Any, source: str = "profile", *, base_dir: Path | None = None, text: str | None = None
) -> Profile:
    """Validate already-parsed profile data; errors name `source` like a file name.

    Split from `load_profile` so tests and other tools can build a profile from a dict and get
    the same user-facing errors.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: a profile is a YAML mapping of sections "
            f"({', '.join(Profile.model_fields)}), got {type(data).__name__}"
        )
    try:
        return Profile.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise _explain(exc, source, text) from None


def load_profile(path: str | Path) -> Profile:
    """Read and validate an engagement profile; any problem is a one-line InputError."""
    path = Path(path)
    data, text = _read_yaml(path)
    profile = parse_profile(data, str(path), base_dir=path.parent, text=text)
    profile._source = path
    return profile


def default_profile() -> Profile:
    """The profile in effect when the consultant gives none: every default, no sites."""
    return Profile()


def profile_template() -> str:
    """The commented example profile that `advisor profile init` writes for a consultant."""
    return resources.files("advisor").joinpath("profile_template.yaml").read_text("utf-8")


# --- using -------------------------------------------------------------------------------


def _key_map(profile: Profile, attribute: str) -> dict[str, str]:
    """Normalised datacenter/cluster/site name -> site name, for vectorised lookups."""
    out: dict[str, str] = {}
    for site in profile.sites:
        names = [site.name] if attribute == "name" else getattr(site, attribute)
        for name in names:
            out[_norm(name)] = site.name
    return out


def assign_sites(servers: pd.DataFrame, profile: Profile) -> pd.Series:
    """Each server's profile site name, NA when no site claims it.

    Matching is case-insensitive on stripped names. When several rules match, the most
    specific wins: the server's own `site` column, then its cluster, then its datacenter, so
    a per-server answer from the customer overrides the coarse mapping in the profile.
    """
    result = pd.Series(pd.NA, index=servers.index, dtype=pd.StringDtype(), name="site")
    for column, attribute in (("datacenter", "datacenters"), ("cluster", "clusters")):
        result = _lookup(servers, column, _key_map(profile, attribute)).fillna(result)
    result = _lookup(servers, "site", _site_column_keys(profile)).fillna(result)
    return result.rename("site")


def _site_column_keys(profile: Profile) -> dict[str, str]:
    """What a spreadsheet's own site column may say for a profile site: its name, one of its
    datacenters or clusters, its city, or the first word of its name when no other site
    starts with that word ("Basel" for "Basel HQ")."""
    keys: dict[str, str] = {}
    first_words: dict[str, list[str]] = {}
    for site in profile.sites:
        names = [site.name, *site.datacenters, *site.clusters]
        if getattr(site, "city", None):
            names.append(site.city)
        for value in names:
            keys.setdefault(_norm(str(value)), site.name)
        word = _norm(site.name).split(" ")[0]
        first_words.setdefault(word, []).append(site.name)
    for word, owners in first_words.items():
        if len(owners) == 1 and len(word) >= 3:
            keys.setdefault(word, owners[0])
    keys.update({_norm(site.name): site.name for site in profile.sites})
    return keys


def _lookup(servers: pd.DataFrame, column: str, mapping: dict[str, str]) -> pd.Series:
    """Map one server column through a normalised-name table (NA for misses)."""
    if column not in servers.columns or not mapping:
        return pd.Series(pd.NA, index=servers.index, dtype=pd.StringDtype())
    keys = servers[column].astype(pd.StringDtype()).str.strip().str.casefold()
    return keys.map(mapping).astype(pd.StringDtype())


def site_table(profile: Profile) -> pd.DataFrame:
    """One row per site with its numbers, NA where the profile is silent (for facts)."""
    sites = profile.sites
    return pd.DataFrame(
        {
            "name": pd.array([s.name for s in sites], dtype=pd.StringDtype()),
            "lat": pd.array([s.lat for s in sites], dtype=pd.Float64Dtype()),
            "lon": pd.array([s.lon for s in sites], dtype=pd.Float64Dtype()),
            "uplink_mbps": pd.array([s.uplink_mbps for s in sites], dtype=pd.Float64Dtype()),
            "users": pd.array([s.users for s in sites], dtype=pd.Int64Dtype()),
        }
    )


def _override_text(code: str, override: RuleOverride) -> str:
    """One rule override as a readable phrase."""
    parts = []
    if override.enabled is not None:
        parts.append("enabled" if override.enabled else "disabled")
    if override.severity is not None:
        parts.append(f"severity {override.severity}")
    parts += [f"{k} = {v}" for k, v in override.params.items()]
    return f"{code}: {', '.join(parts) or 'no change'}"


def check_profile(path: str | Path) -> list[str]:
    """What `advisor profile check` prints: what was read, then the assumptions in effect."""
    profile = load_profile(path)
    lines = [f"Profile {path}: valid."]
    lines.append(f"Customer: {profile.customer.name}")
    c = profile.consultant
    who = ", ".join(x for x in (c.name, c.company, c.email) if x)
    lines.append(f"Consultant: {who or 'not given'}")
    lines.append(f"Target: {profile.target.provider}, zone {profile.target.zone}")
    lines.append(f"Sites: {len(profile.sites)}")
    for site in profile.sites:
        if site.located_by == "city":
            where = f"{site.city} ({site.lat:.2f}, {site.lon:.2f})"
        elif site.located_by == "coordinates":
            where = f"{site.lat:.2f}, {site.lon:.2f}"
        else:
            where = "location unknown"
        uplink = (
            f"{site.uplink_mbps:g} Mbit/s" if site.uplink_mbps is not None else "uplink unknown"
        )
        users = f"{site.users} users" if site.users is not None else "users unknown"
        members = [*(f"datacenter {d}" for d in site.datacenters)]
        members += [f"cluster {cl}" for cl in site.clusters]
        lines.append(
            f"  {site.name}: {where}; {uplink}; {users}; {', '.join(members) or 'no datacenters'}"
        )
    m = profile.migration
    lines.append(
        f"Migration: window {m.window_hours:g} h, link efficiency {m.link_efficiency:g}, "
        f"route factor {m.route_factor:g}, VPN overhead {m.vpn_overhead_ms:g} ms"
    )
    lines.append(f"Rule overrides: {len(profile.rules) or 'none'}")
    lines += [f"  {_override_text(k, v)}" for k, v in profile.rules.items()]
    lines.append(f"Accepted exceptions: {len(profile.exceptions) or 'none'}")
    lines += [f"  {e.rule} on {e.server}: {e.reason}" for e in profile.exceptions]
    b = profile.branding
    colours = ", ".join(x for x in (b.primary_color, b.secondary_color) if x) or "default colours"
    lines.append(f"Branding: {b.logo or 'no logo'}; {colours}")
    pen = ", ".join(f"{k} {v}" for k, v in profile.scoring.penalties.model_dump().items())
    lines.append(
        f"Scoring: penalties {pen}; base effort {profile.scoring.base_effort_hours:g} h per server"
    )
    assumptions = profile.assumptions()
    if assumptions:
        lines.append("Assumptions:")
        lines += [f"  - {a}" for a in assumptions]
    return lines
