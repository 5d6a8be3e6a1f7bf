"""The profile's say on scope: which servers the engagement covers, and how the estate splits
into segments (tenants, business units) for estate-wide counts.

Built-in rules already leave out what is never migrated (templates, cluster agents, VMware's
own appliances, placeholders, orphans); these sections add what only the consultant knows:
"the Lab folder stays", "only tenant Acme moves", "count domain controllers per tenant".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from advisor.profile.sections import LIST_MAX, Name, Pattern, Text, _Section

#: Server columns a scope filter may name; each takes a shell-style pattern (`*`, `?`).
FILTER_FIELDS = ("name", "folder", "resource_pool", "cluster", "datacenter", "vapp")
#: Columns the estate may be segmented by (or `attribute`, a custom attribute's header).
SEGMENT_FIELDS = ("folder", "resource_pool", "datacenter", "cluster", "vapp", "attribute")


class ScopeFilter(_Section):
    """One include or exclude entry. Every criterion it gives must match (and); names and
    values are compared case-insensitively with shell-style patterns: `Lab/*`, `*-test-??`."""

    name: Pattern | None = None
    folder: Pattern | None = None
    resource_pool: Pattern | None = None
    cluster: Pattern | None = None
    datacenter: Pattern | None = None
    vapp: Pattern | None = None
    power_state: Literal["on", "off", "suspended"] | None = None
    #: Custom attribute header -> pattern of its value (`{"Cost Allocation": "lab*"}`).
    attribute: dict[Name, Pattern] = Field(default_factory=dict, max_length=LIST_MAX)
    #: Why, in the customer's words; reports show it beside each server it excludes.
    reason: Text | None = None

    @field_validator("power_state", mode="before")
    @classmethod
    def _lower_power(cls, value: Any) -> Any:
        """'Off' and 'off' are the same power state."""
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_criterion(self) -> ScopeFilter:
        """An entry without a criterion would match every server: surely a mistake."""
        given = [f for f in FILTER_FIELDS if getattr(self, f) is not None]
        if not given and self.power_state is None and not self.attribute:
            raise PydanticCustomError(
                "profile",
                "names no criterion; give at least one of {fields}, power_state or attribute",
                {"fields": ", ".join(FILTER_FIELDS)},
            )
        return self

    def criteria(self) -> str:
        """The entry in words, for reasons and assumptions: "folder 'Lab/*' and power off"."""
        parts = [f"{f.replace('_', ' ')} '{getattr(self, f)}'" for f in FILTER_FIELDS]
        parts = [p for f, p in zip(FILTER_FIELDS, parts, strict=True) if getattr(self, f)]
        if self.power_state:
            parts.append(f"power {self.power_state}")
        parts += [f"attribute '{k}' = '{v}'" for k, v in self.attribute.items()]
        return " and ".join(parts)


class ScopeSection(_Section):
    """`scope:` in the profile. With `include`, only servers matching an entry are in scope;
    `exclude` then removes servers matching any of its entries."""

    include: list[ScopeFilter] = Field(default_factory=list, max_length=LIST_MAX)
    exclude: list[ScopeFilter] = Field(default_factory=list, max_length=LIST_MAX)


class SegmentBy(_Section):
    """`segment_by:` in the profile: which column splits the estate into segments."""

    field: Literal["folder", "resource_pool", "datacenter", "cluster", "vapp", "attribute"]
    #: The custom attribute's header when `field` is `attribute`.
    attribute: Name | None = None
    #: For folder and resource pool paths: how many leading path parts name the segment.
    depth: Annotated[int, Field(ge=1, le=20)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`segment_by: folder`, `segment_by: "attribute:Tenant"` and
        `segment_by: {attribute: Tenant}` are accepted as well as the full mapping."""
        if isinstance(data, str):
            text = data.strip()
            if text.lower().startswith("attribute:"):
                return {"field": "attribute", "attribute": text.split(":", 1)[1].strip()}
            return {"field": text.lower().replace(" ", "_")}
        if isinstance(data, dict) and "field" not in data and "attribute" in data:
            return {"field": "attribute", **data}
        return data

    @model_validator(mode="after")
    def _attribute_named(self) -> SegmentBy:
        """Segmenting by an attribute needs its header; other fields take none."""
        if self.field == "attribute" and not (self.attribute or "").strip():
            raise PydanticCustomError(
                "profile", "segmenting by an attribute needs its header: attribute: Tenant", {}
            )
        if self.field != "attribute" and self.attribute:
            raise PydanticCustomError(
                "profile", "'attribute' is only used with field: attribute", {}
            )
        return self

    def label(self) -> str:
        """What the segments are, in words: 'folder', "attribute 'Tenant'"."""
        if self.field == "attribute":
            return f"attribute '{self.attribute}'"
        return self.field.replace("_", " ")
