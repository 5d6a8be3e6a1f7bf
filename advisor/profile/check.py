"""What `advisor profile check` prints: the profile as it was read, then its assumptions.

Lets a consultant confirm that the file says what they meant (sites located, uplinks and
overrides picked up) before running an assessment with it.
"""

from __future__ import annotations

from pathlib import Path

from advisor.errors import InputError
from advisor.profile.loading import load_profile
from advisor.profile.messages import ProfileProblems
from advisor.profile.model import Profile
from advisor.profile.sections import RuleOverride


def _override_text(code: str, override: RuleOverride) -> str:
    """One rule override as a readable phrase."""
    parts = []
    if override.enabled is not None:
        parts.append("enabled" if override.enabled else "disabled")
    if override.severity is not None:
        parts.append(f"severity {override.severity}")
    parts += [f"{k} = {v}" for k, v in override.params.items()]
    return f"{code}: {', '.join(parts) or 'no change'}"


def rule_problems(profile: Profile, source: str) -> list[str]:
    """Each rule override the catalog refuses (an unknown rule or param, a value of the wrong
    kind), one line per override: the profile's schema cannot know the rules, so `assess`
    would otherwise stop at the first of them, one run per typo."""
    from advisor.engine.assess import load_catalog_rules
    from advisor.engine.settings import resolve_settings

    if not profile.rules:
        return []
    rules = load_catalog_rules()
    problems = []
    for code, override in profile.rules.items():
        try:
            resolve_settings(rules, {code: override}, [])
        except InputError as exc:
            problems.append(f"{source}: {str(exc).removeprefix('profile ')}")
    return problems


def check_profile(path: str | Path) -> list[str]:
    """What `advisor profile check` prints: what was read, then the assumptions in effect.

    Every problem found is raised at once as `ProfileProblems`: those of the file's keys and
    values, else those of its rule overrides (checked against the rule catalog)."""
    profile = load_profile(path)
    problems = rule_problems(profile, str(path))
    if problems:
        raise ProfileProblems(problems)
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
    scope = profile.scope
    lines.append(
        "Scope: built-in exclusions only"
        if not (scope.include or scope.exclude)
        else f"Scope: {len(scope.include)} include and {len(scope.exclude)} exclude entries"
    )
    lines += [f"  include {e.criteria()}" for e in scope.include]
    lines += [
        f"  exclude {e.criteria()}" + (f" ({e.reason})" if e.reason else "") for e in scope.exclude
    ]
    segments = profile.segment_by
    lines.append(f"Segments: by {segments.label()}" if segments else "Segments: one estate")
    lines.append(f"Accepted exceptions: {len(profile.exceptions) or 'none'}")
    lines += [f"  {e.rule} on {e.server}: {e.reason}" for e in profile.exceptions]
    b = profile.branding
    colours = ", ".join(x for x in (b.primary_color, b.secondary_color) if x) or "default colours"
    lines.append(f"Branding: {b.logo or 'no logo'}; {colours}")
    pen = ", ".join(f"{k} {v}" for k, v in profile.scoring.penalties.model_dump().items())
    lines.append(
        f"Scoring: penalties {pen}; base effort {profile.scoring.base_effort_hours:g} h per "
        f"server, {profile.scoring.decommission_hours:g} h per server to retire"
    )
    assumptions = profile.assumptions()
    if assumptions:
        lines.append("Assumptions:")
        lines += [f"  - {a}" for a in assumptions]
    return lines
