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

The package is split by job; import from `advisor.profile`, which re-exports the public names:

- `cities`: the city table a site may name instead of lat/lon.
- `sections`: the pydantic model of each YAML section and the defaults they use.
- `scoping`: the `scope:` filters and `segment_by:` (which servers, and which segments).
- `model`: the whole `Profile` and its plain-English assumptions.
- `messages`: validation errors turned into one-line messages with typo hints.
- `loading`: reading and validating a profile file, the default profile, the template.
- `sites`: assigning servers to the profile's sites, and the sites as a table.
- `check`: the summary `advisor profile check` prints.
"""

from __future__ import annotations

from advisor.profile.check import check_profile
from advisor.profile.cities import CITIES, CITY_ALIASES, lookup_city
from advisor.profile.loading import default_profile, load_profile, parse_profile, profile_template
from advisor.profile.model import Profile
from advisor.profile.scoping import ScopeFilter, ScopeSection, SegmentBy
from advisor.profile.sections import (
    DEFAULT_ROUTE_FACTOR,
    DEFAULT_ZONES,
    LOGO_SUFFIXES,
    PROVIDERS,
    SEVERITIES,
    AcceptedException,
    Branding,
    Consultant,
    Customer,
    Migration,
    Penalties,
    Provider,
    RuleOverride,
    Scoring,
    Severity,
    Site,
    Target,
)
from advisor.profile.sites import assign_sites, site_table

__all__ = [
    "CITIES",
    "CITY_ALIASES",
    "DEFAULT_ROUTE_FACTOR",
    "DEFAULT_ZONES",
    "LOGO_SUFFIXES",
    "PROVIDERS",
    "SEVERITIES",
    "AcceptedException",
    "Branding",
    "Consultant",
    "Customer",
    "Migration",
    "Penalties",
    "Profile",
    "Provider",
    "RuleOverride",
    "ScopeFilter",
    "ScopeSection",
    "Scoring",
    "SegmentBy",
    "Severity",
    "Site",
    "Target",
    "assign_sites",
    "check_profile",
    "default_profile",
    "load_profile",
    "lookup_city",
    "parse_profile",
    "profile_template",
    "site_table",
]
