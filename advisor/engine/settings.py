"""Effective settings per rule: defaults < profile `rules:` < `--set CODE.param=value`.

Rules are addressed by code (DSK001) or name (disk-transfer-window) anywhere. Unknown
rules or params are input errors that suggest the nearest valid name, so a typo in a
threshold never silently keeps the default.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml

from advisor.engine.rules import SEVERITIES, Rule
from advisor.errors import InputError


@dataclass
class RuleSettings:
    enabled: bool
    severity: str
    params: dict[str, Any]
    #: Where each param value came from: default, profile or command line.
    origin: dict[str, str] = field(default_factory=dict)


def find_rule(rules: dict[str, Rule], key: str, where: str) -> Rule:
    """The rule with this code or name (index of both), or an input error with a hint."""
    if key in rules:
        return rules[key]
    hint = difflib.get_close_matches(key, sorted(rules), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else ""
    raise InputError(f"{where}: unknown rule '{key}'{tip}")


def _coerce(rule: Rule, param: str, value: Any, where: str) -> Any:
    if param not in rule.spec.params:
        allowed = ", ".join(sorted(rule.spec.params)) or "none"
        raise InputError(f"{where}: rule {rule.code} has no param '{param}' (params: {allowed})")
    default = rule.spec.params[param].default
    ok = (
        (isinstance(default, bool) and isinstance(value, bool))
        or (
            isinstance(default, int | float)
            and not isinstance(default, bool)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        )
        or (isinstance(default, str) and isinstance(value, str))
        or (isinstance(default, list) and isinstance(value, list))
    )
    if not ok:
        raise InputError(
            f"{where}: {rule.code}.{param} must be a {type(default).__name__} like "
            f"{default!r}, got {value!r}"
        )
    return value


def resolve_settings(
    rules: list[Rule],
    profile_rules: dict[str, Any],
    cli_sets: list[str],
    engagement: dict[str, Any] | None = None,
) -> dict[str, RuleSettings]:
    """Settings per rule code after the profile and the command line have had their say.

    `engagement` holds engagement-wide values from the profile (e.g. `window_hours` from
    `migration`); they set the param of that name in every rule that has one, before
    per-rule overrides: defaults < engagement < profile rules < --set.
    """
    index: dict[str, Rule] = {}
    for r in rules:
        index[r.code] = r
        index[r.name] = r
    out = {
        r.code: RuleSettings(
            True,
            r.spec.severity,
            {k: p.default for k, p in r.spec.params.items()},
            {k: "default" for k in r.spec.params},
        )
        for r in rules
    }
    for param, value in (engagement or {}).items():
        for r in rules:
            if param in r.spec.params and value is not None:
                out[r.code].params[param] = _coerce(r, param, value, f"profile ({param})")
                out[r.code].origin[param] = "profile"
    for key, override in (profile_rules or {}).items():
        where = f"profile rules.{key}"
        rule = find_rule(index, str(key), where)
        data = override if isinstance(override, dict) else _model_dump(override)
        s = out[rule.code]
        if data.get("enabled") is not None:
            s.enabled = bool(data["enabled"])
        if data.get("severity") is not None:
            if data["severity"] not in SEVERITIES:
                raise InputError(
                    f"{where}.severity: '{data['severity']}' is not one of {', '.join(SEVERITIES)}"
                )
            s.severity = data["severity"]
        for param, value in (data.get("params") or {}).items():
            s.params[param] = _coerce(rule, param, value, f"{where}.params")
            s.origin[param] = "profile"
    for item in cli_sets:
        key, sep, raw = item.partition("=")
        code, dot, param = key.partition(".")
        where = f"--set {item}"
        if not sep or not dot or not param:
            raise InputError(f"{where}: write --set CODE.param=value (e.g. DSK001.window_hours=24)")
        rule = find_rule(index, code.strip(), where)
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise InputError(f"{where}: cannot read the value {raw!r}") from exc
        s = out[rule.code]
        if param == "enabled":
            s.enabled = bool(value)
        elif param == "severity":
            if value not in SEVERITIES:
                raise InputError(f"{where}: severity is one of {', '.join(SEVERITIES)}")
            s.severity = value
        else:
            s.params[param.strip()] = _coerce(rule, param.strip(), value, where)
            s.origin[param.strip()] = "command line"
    return out


def _model_dump(override: Any) -> dict[str, Any]:
    dump = getattr(override, "model_dump", None)
    return dump() if dump else dict(override)
