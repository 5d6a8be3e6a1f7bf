"""The parts of the engagement profile: one pydantic model per YAML section.

Customer, consultant, target, sites, migration, rule overrides, accepted exceptions, branding
and scoring each validate their own keys here, on a shared strict base (`_Section`) that
rejects unknown keys and reads an empty key as "not given". The constants these sections
default to (zones, route factor, logo types) live beside them. The whole `Profile` that
combines the sections is in `advisor.profile.model`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
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

LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")

# Length bounds of what a consultant types. They keep one hostile or pasted-by-mistake value
# (a customer name of 100,000 characters) from slowing every report page that prints it;
# real values are far below them.

#: One-line names printed on a report: customer, consultant, site, city, datacenter, zone.
NAME_MAX = 200
#: Names and patterns matched against inventory values (server names, folder paths), which
#: can be longer than a display name.
PATTERN_MAX = 1_000
#: Free text in the consultant's words: the reason for an exception or a scope entry.
TEXT_MAX = 2_000
#: Entries of a list or mapping the profile repeats (sites, exceptions, datacenters, rules).
LIST_MAX = 10_000

Name = Annotated[str, StringConstraints(max_length=NAME_MAX)]
Pattern = Annotated[str, StringConstraints(max_length=PATTERN_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]


def _clip(value: Any, limit: int = 60) -> str:
    """A value echoed in a message, cut so the message stays one readable line."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    """Base of every profile section: unknown keys are errors, empty keys mean 'not given',
    and no number may be infinite or NaN (`.inf`, "1e999"): no setting means that, and one
    would poison every sum and comparison it enters."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, allow_inf_nan=False)

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

    name: Name = "Customer"


class Consultant(_Section):
    """Who wrote the assessment; all optional because internal runs need no byline."""

    name: Name | None = None
    company: Name | None = None
    email: Name | None = None

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        """Catch an obviously broken address before it is printed on a customer report."""
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise PydanticCustomError(
                "profile",
                "'{value}' is not an e-mail address (name@example.com)",
                {"value": _clip(value)},
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
    zone: Name = ""
    #: A second provider to assess side by side (its verdicts and costs beside the target's).
    compare: Provider | None = None

    @field_validator("provider", "compare", mode="before")
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
        if self.compare == self.provider:
            raise _error("target.compare", f"'{self.compare}' is already the target provider")
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

    name: Name
    city: Name | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    uplink_mbps: Annotated[float, Field(gt=0)] | None = None
    users: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    datacenters: list[Name] = Field(default_factory=list, max_length=LIST_MAX)
    clusters: list[Name] = Field(default_factory=list, max_length=LIST_MAX)

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
    """How data moves and how the move is paced: the acceptable cut-over window, what the
    network really delivers, and the calendar, team and labour rate the wave plan uses.

    The wave plan (`advisor.plan.waves`) packs move groups into waves of `weeks_per_wave`
    weeks: each wave seeds its data over the site uplinks, then cuts over inside
    `window_hours`, and both estates run for `parallel_run_weeks` until the wave is
    accepted. `start_date` left empty means the Monday after the assessment date.
    """

    window_hours: Annotated[float, Field(gt=0)] = 48.0
    link_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.8
    route_factor: Annotated[float, Field(ge=1, le=5)] = DEFAULT_ROUTE_FACTOR
    vpn_overhead_ms: Annotated[float, Field(ge=0, le=1000)] = 2.0
    start_date: date | None = None
    weeks_per_wave: Annotated[int, Field(ge=1, le=52)] = 2
    #: Engineer hours the migration team gives per week: 80 is two engineers full time.
    team_hours_per_week: Annotated[float, Field(gt=0, le=100_000)] = 80.0
    #: None: labour cost unknown (the plan says so instead of pricing hours at zero).
    labour_rate_per_hour: Annotated[float, Field(ge=0, le=100_000)] | None = None
    labour_currency: str = "EUR"
    parallel_run_weeks: Annotated[float, Field(ge=0, le=52)] = 2.0
    #: 0: no pilot wave.
    pilot_max_servers: Annotated[int, Field(ge=0, le=1_000)] = 5

    @field_validator("start_date", mode="before")
    @classmethod
    def _parse_start(cls, value: Any) -> Any:
        """Only a calendar date: pydantic would read a bare number as seconds since 1970."""
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        else:
            parsed = None
        if parsed is None:
            raise PydanticCustomError(
                "profile",
                "'{value}' is not a date; write it as YYYY-MM-DD",
                {"value": _clip(value)},
            )
        if not 2000 <= parsed.year <= 2100:
            raise PydanticCustomError(
                "profile",
                "{value} is not a plausible start date (years 2000 to 2100)",
                {"value": parsed.isoformat()},
            )
        return parsed

    @field_validator("labour_currency", mode="before")
    @classmethod
    def _check_currency(cls, value: Any) -> Any:
        """A three-letter code (EUR, CHF): it is printed beside every labour cost."""
        text = str(value).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", text):
            raise PydanticCustomError(
                "profile",
                "'{value}' is not a currency code; use three letters such as EUR or CHF",
                {"value": _clip(value)},
            )
        return text

    @model_validator(mode="after")
    def _window_inside_wave(self) -> Migration:
        """A cut-over window as long as a wave would leave no time to seed the wave's data."""
        wave_hours = self.weeks_per_wave * 7 * 24
        if self.window_hours >= wave_hours:
            raise _error(
                "migration.window_hours",
                f"a cut-over window of {self.window_hours:g} h leaves no time to seed data in "
                f"a wave of {self.weeks_per_wave} week(s) ({wave_hours} h); raise "
                "weeks_per_wave or shorten window_hours",
            )
        return self


class RuleOverride(_Section):
    """A change to one rule; unset fields (None) leave the rule's own default in place."""

    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[Name, Any] = Field(default_factory=dict, max_length=LIST_MAX)

    @field_validator("severity", mode="before")
    @classmethod
    def _lower_severity(cls, value: Any) -> Any:
        """'High' and 'high' are the same severity."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("params")
    @classmethod
    def _check_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Param values are typed per rule later; bound here what no rule could use.

        `Any` escapes pydantic's own number and length checks, so an infinite threshold or a
        number beyond 64 bits would otherwise reach the vectorised rule evaluation.
        """
        for name, item in value.items():
            problem = _param_problem(item)
            if problem is not None:
                raise PydanticCustomError("profile", "{problem}", {"problem": problem, "key": name})
        return value


#: Largest whole number a rule param may be: rules compare params with 64-bit columns.
PARAM_INT_MAX = 2**63 - 1


def _param_problem(value: Any, depth: int = 0) -> str | None:
    """Why a rule param value (or an item inside it) cannot be used, or None when it can."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"is {value}; give a finite number"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > PARAM_INT_MAX:
        return f"is larger than {PARAM_INT_MAX:,}, the largest number a rule param may be"
    if isinstance(value, str) and len(value) > TEXT_MAX:
        return f"is {len(value):,} characters long; the limit is {TEXT_MAX:,} characters"
    if not isinstance(value, list | dict):
        return None
    if depth >= 10:
        return "is nested more than 10 levels deep"
    if len(value) > LIST_MAX:
        return f"has {len(value):,} entries; the limit is {LIST_MAX:,}"
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    return next((p for p in (_param_problem(i, depth + 1) for i in items) if p), None)


class AcceptedException(_Section):
    """A finding the customer has seen and accepted; reports show it as accepted, not hidden."""

    rule: Name
    server: Pattern
    reason: Text

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
                "profile", "'{value}' is not a colour; use #rgb or #rrggbb", {"value": _clip(value)}
            )
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("logo", mode="before")
    @classmethod
    def _logo_length(cls, value: Any) -> Any:
        """A path longer than any file system allows is refused before the OS sees it."""
        if isinstance(value, str) and len(value) > PATTERN_MAX:
            raise PydanticCustomError(
                "profile",
                "is {size} characters long; the limit is {limit} characters",
                {"size": f"{len(value):,}", "limit": f"{PATTERN_MAX:,}"},
            )
        return value

    @field_validator("logo")
    @classmethod
    def _check_logo(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        """Check the logo now, not halfway through rendering a PDF, and embed only an image.

        The report embeds the file's bytes (base64 in the HTML), so whatever the path leads
        to ends up in a document sent to the customer. The path is therefore resolved
        (symlinks and `..`) and the real file must sit in the profile's folder tree, be a
        regular file of at most `LOGO_MAX_BYTES` and start like the image its name says:
        a link named logo.png that leads to /etc/passwd is refused.
        """
        if value is None:
            return None
        base = (info.context or {}).get("base_dir")
        folder = Path(base) if base is not None else Path.cwd()
        path = value.expanduser()
        if not path.is_absolute():
            path = folder / path
        _check_logo_suffix(value, path)
        real = _resolve_logo(path)
        _check_logo_place(value, real, folder)
        _check_logo_suffix(value, real)
        _check_logo_content(value, real)
        return real


#: Largest logo embedded: a cover logo needs tens of KB; megabytes would bloat every report.
LOGO_MAX_BYTES = 2_000_000

#: First bytes of each raster image type a logo may be, by file suffix (WebP is checked
#: apart: its signature has the file size in the middle).
_LOGO_SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("JPEG", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG", (b"\xff\xd8\xff",)),
    ".gif": ("GIF", (b"GIF87a", b"GIF89a")),
}

#: SVG content refused: entity declarations (expansion bombs, reading local files through
#: external entities) and scripts, which have no place in a logo.
_SVG_REFUSED = ("<!entity", "<script", "javascript:")


def _logo_error(message: str, **values: Any) -> PydanticCustomError:
    """A refusal of the logo; paths in it are clipped so the message stays one line."""
    return PydanticCustomError("profile", message, {k: _clip(v, 120) for k, v in values.items()})


def _check_logo_suffix(value: Path, path: Path) -> None:
    """The name must say an image type the report can embed (the HTML labels it by name)."""
    if path.suffix.lower() not in LOGO_SUFFIXES:
        shown = value if path.name == value.name else f"{value}' (leads to '{path.name}"
        raise _logo_error(
            "'{value}' is not an image the report can embed (use {allowed})",
            value=shown,
            allowed=", ".join(LOGO_SUFFIXES),
        )


def _resolve_logo(path: Path) -> Path:
    """The real file behind the path (links and `..` followed), or a refusal saying why."""
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise _logo_error(
            "logo file '{path}' not found (a relative path is read from the profile's folder)",
            path=path,
        ) from None
    except (OSError, RuntimeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _logo_error(
            "logo file '{path}' cannot be read ({why})", path=path, why=reason
        ) from None


def _check_logo_place(value: Path, real: Path, folder: Path) -> None:
    """The real file must be a regular file inside the profile's folder tree.

    A logo belongs to the engagement and travels with its profile; a link or `..` out of
    the folder is how a hostile profile would copy a system file into the report.
    """
    root = folder.resolve()
    if not real.is_relative_to(root):
        raise _logo_error(
            "'{value}' leads to '{real}', outside the profile's folder '{root}'; copy the "
            "logo into the profile's folder",
            value=value,
            real=real,
            root=root,
        )
    if not stat.S_ISREG(os.stat(real).st_mode):
        raise _logo_error("'{value}' is not a regular file", value=value)


def _check_logo_content(value: Path, real: Path) -> None:
    """At most `LOGO_MAX_BYTES`, and content that starts like the image its suffix names."""
    size = real.stat().st_size
    if size > LOGO_MAX_BYTES:
        raise _logo_error(
            "'{value}' is {size} bytes; the limit is {limit} bytes",
            value=value,
            size=f"{size:,}",
            limit=f"{LOGO_MAX_BYTES:,}",
        )
    suffix = real.suffix.lower()
    with real.open("rb") as handle:
        head = handle.read(LOGO_MAX_BYTES if suffix == ".svg" else 16)
    if suffix == ".svg":
        _check_svg(value, head)
        return
    if suffix == ".webp":
        kind, ok = "WebP", head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    else:
        kind, signatures = _LOGO_SIGNATURES[suffix]
        ok = head.startswith(signatures)
    if not ok:
        raise _logo_error(
            "'{value}' is not a {kind} image (its first bytes are not a {kind} signature); "
            "save the logo as PNG, JPEG, GIF, WebP or SVG",
            value=value,
            kind=kind,
        )


def _check_svg(value: Path, data: bytes) -> None:
    """An SVG logo must be UTF-8 XML that starts as an SVG and holds no entity or script."""
    try:
        text = data.decode("utf-8-sig").lstrip().lower()
    except UnicodeDecodeError:
        raise _logo_error("'{value}' is not an SVG image (not UTF-8 text)", value=value) from None
    if not text.startswith(("<?xml", "<svg")) or "<svg" not in text:
        raise _logo_error(
            "'{value}' is not an SVG image (it does not start with <svg or <?xml)", value=value
        )
    found = next((bad for bad in _SVG_REFUSED if bad in text), None)
    if found is not None:
        raise _logo_error(
            "'{value}' holds {what}, which a logo may not; save it without or as PNG",
            value=value,
            what=found,
        )


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
    base_effort_hours: Annotated[float, Field(ge=0, le=10_000)] = 4.0
    #: What a server to retire costs instead: confirming with its owner, archiving, deleting.
    decommission_hours: Annotated[float, Field(ge=0, le=10_000)] = 1.0
