"""The whole engagement profile: the `Profile` model and the assumptions it reports.

`Profile` combines the sections from `advisor.profile.sections`, checks what spans sections
(a site, datacenter or cluster name may belong to one site only) and lists, in plain English,
which defaults are in effect and what stays unknown, so a report never hides a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, field_validator, model_validator

from advisor.profile.scoping import ScopeSection, SegmentBy
from advisor.profile.sections import (
    LIST_MAX,
    AcceptedException,
    Branding,
    Consultant,
    Customer,
    Migration,
    Name,
    RuleOverride,
    Scoring,
    Site,
    Target,
    _error,
    _norm,
    _Section,
)
from advisor.profile.sizing_policy import SizingPolicy


class Profile(_Section):
    """The whole engagement profile; `load_profile` builds it from a YAML file."""

    customer: Customer = Field(default_factory=Customer)
    consultant: Consultant = Field(default_factory=Consultant)
    target: Target = Field(default_factory=Target)
    sites: list[Site] = Field(default_factory=list, max_length=LIST_MAX)
    migration: Migration = Field(default_factory=Migration)
    rules: dict[Name, RuleOverride] = Field(default_factory=dict, max_length=LIST_MAX)
    exceptions: list[AcceptedException] = Field(default_factory=list, max_length=LIST_MAX)
    branding: Branding = Field(default_factory=Branding)
    scoring: Scoring = Field(default_factory=Scoring)
    sizing: SizingPolicy = Field(default_factory=SizingPolicy)
    scope: ScopeSection = Field(default_factory=ScopeSection)
    segment_by: SegmentBy | None = None

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
        if "decommission_hours" not in self.scoring.model_fields_set:
            out.append(
                f"Decommission effort: {self.scoring.decommission_hours:g} h per server to "
                "retire, instead of the base effort and its findings (default)."
            )
        return out
