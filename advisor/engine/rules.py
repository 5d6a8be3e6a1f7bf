"""The rule file format, and loading the catalog from `rules/<area>/<CODE>-<name>.yaml`.

Each file is validated on load: its fields by pydantic, its `when` expression by the safe
expression compiler (only declared facts and the rule's own params may be named), and its
`message` template (only plain `{name}` or `{name:format}` fields of known names). Errors
name the file, the field and the problem. Loading never executes anything from a file.
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

try:  # libyaml parses the 89 shipped rule files about ten times faster than pure Python
    from yaml import CSafeLoader as _RuleLoader
except ImportError:  # a PyYAML built without libyaml: same result, slower
    from yaml import SafeLoader as _RuleLoader  # type: ignore[assignment]

from advisor.engine.expr import Expression, ExpressionError, compile_expression
from advisor.errors import InputError

Severity = Literal["info", "low", "medium", "high", "blocker"]
Disposition = Literal["rehost", "replatform", "refactor", "retain", "retire"]
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "blocker")
DISPOSITIONS: tuple[str, ...] = ("rehost", "replatform", "refactor", "retain", "retire")

#: Area -> code prefix. Area names are fixed (reports group by them); codes never change.
AREAS: dict[str, str] = {
    "snowflake": "SNW",
    "large-disks": "DSK",
    "backup": "BKP",
    "bandwidth": "BWD",
    "latency": "LAT",
    "licensing": "LIC",
    "domain-controllers": "ADC",
    "network": "NET",
    "storage": "STO",
    "redundancy": "RED",
    "platform": "PLT",
    "sizing": "SIZ",
    "security": "SEC",
    "lifecycle": "LCY",
}
#: The seven areas lift-and-shift projects founder on; reports list them first.
CORE_AREAS = (
    "snowflake",
    "large-disks",
    "backup",
    "bandwidth",
    "latency",
    "licensing",
    "domain-controllers",
)
AREA_TITLES = {
    "snowflake": "Snowflake servers",
    "large-disks": "Large disks",
    "backup": "Backups",
    "bandwidth": "Bandwidth",
    "latency": "Latency",
    "licensing": "Licensing",
    "domain-controllers": "Domain controllers",
    "network": "Network",
    "storage": "Storage",
    "redundancy": "Redundancy",
    "platform": "Platform",
    "sizing": "Sizing",
    "security": "Security",
    "lifecycle": "Lifecycle",
}
#: Names a message may use besides facts and params.
MESSAGE_EXTRAS = frozenset({"name"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict):
    """A tunable threshold: its default, unit and meaning."""

    default: float | int | str | bool | list[Any]
    unit: str = Field(min_length=1)
    description: str = Field(min_length=3)


#: Where a provider's own documents live: a reference to one of these addresses is about
#: that provider and is shown only to engagements that target it.
PROVIDER_HOSTS: dict[str, tuple[str, ...]] = {
    "exoscale": ("exoscale.com", "github.com/exoscale/"),
    "scaleway": ("scaleway.com", "github.com/scaleway/"),
}
#: Shown where a rule has no public document left for the target provider: its numbers
#: and reasoning are advisor's own, and the Methodology section says how they are made.
OWN_REASONING = "advisor's estimate, see Methodology"


class Reference(_Strict):
    """A public document a rule cites: its real title and an address anyone can open.

    `provider` says which target cloud the document is about (taken from the address when
    not given: an exoscale.com page is Exoscale's); a report for another provider leaves it
    out. `note` keeps advisor's internal provenance (a section of the fact sheet, a handbook
    copy) for maintainers; no report, workbook or generated page shows it."""

    title: str = Field(min_length=3)
    url: str = Field(min_length=8, pattern=r"^https?://[^\s/]+\.[^\s/]+")
    provider: str | None = None
    note: str | None = None

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, v: str | None) -> str | None:
        from advisor.targets import PROVIDERS

        if v is not None and v not in PROVIDERS:
            raise ValueError(f"provider '{v}' is not one of {', '.join(PROVIDERS)}")
        return v

    @property
    def about(self) -> str | None:
        """The provider the document is about, or None for a provider-neutral source."""
        if self.provider is not None:
            return self.provider
        address = self.url.split("://", 1)[-1].lower()
        host = address.split("/", 1)[0]
        for provider, hosts in PROVIDER_HOSTS.items():
            for h in hosts:
                if "/" in h and address.startswith(h):
                    return provider
                if "/" not in h and (host == h or host.endswith("." + h)):
                    return provider
        return None

    def applies_to(self, provider: str) -> bool:
        """Whether an engagement on `provider` should see this reference."""
        about = self.about
        return about is None or about == provider


def shown_references(spec: RuleSpec, provider: str) -> list[Reference]:
    """The references of `spec` (its texts for `provider` already applied, see
    `RuleSpec.for_provider`) that an engagement on `provider` sees: none about another
    provider's services. Empty when only such references were left; callers then say the
    reasoning is advisor's own (`OWN_REASONING`). The report and the workbook's Rules sheet
    both call this, so the two always cite the same documents."""
    return [r for r in spec.for_provider(provider).references if r.applies_to(provider)]


class ProviderTexts(_Strict):
    """A rule's explanation for one target provider, where the default text (written for
    Exoscale, the first target) names services or limits that differ there. Each field given
    replaces the rule's own for engagements on that provider."""

    rationale: str | None = Field(default=None, min_length=40)
    remediation: str | None = Field(default=None, min_length=40)
    references: list[Reference] | None = Field(default=None, min_length=1)


class Example(_Strict):
    """Facts (and optionally params) with the outcome they must give; run as tests."""

    name: str
    facts: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)
    expect: Literal["fail", "pass", "unknown"]


class RuleSpec(_Strict):
    """The fields of a rule file."""

    code: str = Field(pattern=r"^[A-Z]{3}\d{3}$")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    area: Literal[tuple(AREAS)]  # type: ignore[valid-type]
    title: str = Field(min_length=10)
    severity: Severity
    disposition: Disposition
    effort_hours: float = Field(ge=0)
    #: One-off work for the whole estate when the rule fails on any server (designing a
    #: backup service, an AD site plan): counted once, not on every server.
    estate_effort_hours: float = Field(default=0, ge=0)
    scope: Literal["server", "portfolio"] = "server"
    when: str = Field(min_length=1)
    params: dict[str, Param] = Field(default_factory=dict)
    message: str = Field(min_length=10)
    rationale: str = Field(min_length=40)
    remediation: str = Field(min_length=40)
    references: list[Reference] = Field(min_length=1)
    providers: dict[str, ProviderTexts] = Field(default_factory=dict)
    examples: list[Example] = Field(min_length=3)

    @field_validator("providers")
    @classmethod
    def _known_providers(cls, v: dict[str, ProviderTexts]) -> dict[str, ProviderTexts]:
        from advisor.targets import PROVIDERS

        for key, texts in v.items():
            if key not in PROVIDERS:
                raise ValueError(f"provider '{key}' is not one of {', '.join(PROVIDERS)}")
            if not texts.model_fields_set:
                raise ValueError(f"providers.{key} gives no text")
        return v

    def for_provider(self, provider: str) -> RuleSpec:
        """This spec with the texts written for `provider` where the rule has them."""
        texts = self.providers.get(provider)
        if texts is None:
            return self
        given = {k: getattr(texts, k) for k in texts.model_fields_set}
        return self.model_copy(update={k: v for k, v in given.items() if v is not None})

    @field_validator("params")
    @classmethod
    def _param_names(cls, v: dict[str, Param]) -> dict[str, Param]:
        for key in v:
            if not key.isidentifier() or key.startswith("_"):
                raise ValueError(f"param name '{key}' must be a plain identifier")
        return v


@dataclass(frozen=True)
class Rule:
    """A loaded rule: its spec, compiled condition and where it came from."""

    spec: RuleSpec
    expression: Expression
    path: Path
    message_fields: frozenset[str]

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def name(self) -> str:
        return self.spec.name

    def for_provider(self, provider: str) -> Rule:
        """The rule as an engagement on `provider` sees it (its texts for that provider)."""
        spec = self.spec.for_provider(provider)
        return self if spec is self.spec else replace(self, spec=spec)

    @cached_property
    def facts_used(self) -> frozenset[str]:
        """Facts (not params) the condition reads."""
        return frozenset(self.expression.names - set(self.spec.params))


def _yaml(path: Path) -> dict[str, Any]:
    """A rule file's fields. Rule files are advisor's own catalog (or a test's folder), not
    a customer's input, so they are read with libyaml's safe loader for speed (reading the
    catalog was a third of a small estate's assessment) rather than the bounded reader of
    `advisor.yaml_input` that guards profiles and mappings."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_RuleLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: a rule file is a YAML mapping of fields")
    return data


def _pydantic_message(path: Path, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        allowed = sorted(RuleSpec.model_fields)
        hint = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{path}: field '{loc}' is not a rule field{tip}"
    if err["type"] == "missing":
        return f"{path}: field '{loc}' is missing"
    return f"{path}: field '{loc}': {err['msg']} (got {err.get('input')!r})"


def message_fields(template: str) -> frozenset[str]:
    """Field names of a message template; only `{name}` and `{name:spec}` are allowed."""
    fields: set[str] = set()
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or field.startswith("_"):
            raise ValueError(f"'{{{field}}}' is not allowed; use a plain fact or param name")
        if conversion:
            raise ValueError(f"'{{{field}!{conversion}}}': conversions are not allowed")
        if spec and "{" in spec:
            raise ValueError(f"'{{{field}:{spec}}}': nested fields are not allowed")
        fields.add(field)
    return frozenset(fields)


def load_rule(path: Path, fact_scopes: dict[str, str]) -> Rule:
    """Load and check one rule file against the declared facts (name -> scope)."""
    data = _yaml(path)
    try:
        spec = RuleSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(_pydantic_message(path, exc)) from exc
    expected = f"{spec.code}-{spec.name}.yaml"
    if path.name != expected:
        raise InputError(f"{path}: file name must be {expected} (code and name of the rule)")
    if path.parent.name != spec.area:
        raise InputError(
            f"{path}: area '{spec.area}' but the file is in folder '{path.parent.name}'"
        )
    if not spec.code.startswith(AREAS[spec.area]):
        raise InputError(
            f"{path}: field 'code': {spec.code} must start with {AREAS[spec.area]} in area "
            f"{spec.area}"
        )
    facts = {n for n, scope in fact_scopes.items() if scope == spec.scope}
    clash = set(spec.params) & set(fact_scopes)
    if clash:
        raise InputError(f"{path}: field 'params': {sorted(clash)[0]} is also a fact name")
    known = facts | set(spec.params)
    try:
        expression = compile_expression(spec.when, known)
    except ExpressionError as exc:
        raise InputError(f"{path}: field 'when': {exc}") from exc
    try:
        fields = message_fields(spec.message)
    except ValueError as exc:
        raise InputError(f"{path}: field 'message': {exc}") from exc
    unknown = fields - known - MESSAGE_EXTRAS
    if unknown:
        name = sorted(unknown)[0]
        hint = difflib.get_close_matches(name, sorted(known), n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        raise InputError(f"{path}: field 'message': unknown name '{name}'{tip}")
    for i, example in enumerate(spec.examples):
        bad = set(example.facts) - facts
        if bad:
            raise InputError(f"{path}: field 'examples.{i}.facts': unknown fact '{sorted(bad)[0]}'")
        bad = set(example.params) - set(spec.params)
        if bad:
            raise InputError(
                f"{path}: field 'examples.{i}.params': unknown param '{sorted(bad)[0]}'"
            )
    return Rule(spec, expression, path, fields)


def load_rules(folder: Path, fact_scopes: dict[str, str]) -> list[Rule]:
    """Every rule under `folder`, sorted by code; codes and names must be unique."""
    rules = [load_rule(p, fact_scopes) for p in sorted(folder.glob("*/*.yaml"))]
    seen: dict[str, Path] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise InputError(f"{rule.path}: '{key}' is already used by {seen[key]}")
            seen[key] = rule.path
    stray = [p for p in folder.glob("*.yaml")] + [p for p in folder.glob("*/*.yml")]
    if stray:
        raise InputError(f"{stray[0]}: rule files live in rules/<area>/<CODE>-<name>.yaml")
    return sorted(rules, key=lambda r: r.code)
