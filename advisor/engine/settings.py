"""Effective settings per rule: defaults < profile `rules:` < `--set CODE.param=value`.

Rules are addressed by code (DSK001) or name (disk-transfer-window) anywhere. Unknown
rules or params are input errors that suggest the nearest valid name, so a typo in a
threshold never silently keeps the default.

Values from the profile and from `--set` pass the same checks: the type of the param's
default, a finite number, and no negative number where the default is 0 or more (see
`_check_number`).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.rules import SEVERITIES, Rule
from advisor.errors import InputError
from advisor.yaml_input import parse_yaml


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
    """`value` for `rule`'s `param` if it fits the param, else an InputError naming `where`."""
    if param not in rule.spec.params:
        allowed = ", ".join(sorted(rule.spec.params)) or "none"
        raise InputError(f"{where}: rule {rule.code} has no param '{param}' (params: {allowed})")
    spec = rule.spec.params[param]
    default = spec.default
    if _is_number(default) and _is_number(value):
        return _check_number(rule, param, value, where)
    ok = (
        (isinstance(default, bool) and isinstance(value, bool))
        or (isinstance(default, str) and isinstance(value, str))
        or (isinstance(default, list) and isinstance(value, list))
    )
    if not ok:  # wording kept: tests/engine/test_scoring.py matches "must be a int"
        raise InputError(
            f"{where}: {rule.code}.{param} must be a {type(default).__name__} like "
            f"{default!r}, got {_shown(value)}"
        )
    return value


def _is_number(value: Any) -> bool:
    """An int or a float; YAML's true/false are bools, which Python counts as ints."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_number(rule: Rule, param: str, value: float, where: str) -> float:
    """A finite number, and not negative when the param's default is 0 or more.

    Param specs declare a default, a unit and a meaning but no bounds. Every numeric param
    of the catalog is a size, a duration, a count, a share or a bandwidth whose default is
    0 or more; a negative one has no meaning and would make its rule fail or pass for every
    server without saying why. NaN compares false with everything (the rule would silently
    never fire) and infinity silences a threshold, so neither is a setting.
    """
    spec = rule.spec.params[param]
    if not _finite(value):
        got = _shown(value)
        raise InputError(f"{where}: {rule.code}.{param} must be a finite number, got {got}")
    if value < 0 <= spec.default:
        raise InputError(
            f"{where}: {rule.code}.{param} cannot be negative (a value in {spec.unit}), "
            f"got {_shown(value)}"
        )
    return value


def _shown(value: Any, quote: bool = True, limit: int = 60) -> str:
    """A value for a one-line message: its repr (or text), cut short when it is long."""
    text = repr(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _finite(value: float) -> bool:
    """False for NaN, infinities and integers too large for a float (YAML reads any digits)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _cli_value(rule: Rule, param: str, raw: str, where: str) -> Any:
    """The value of `--set CODE.param=raw`, read as YAML; for a numeric param also as a
    number Python reads ('1e3', 'nan', 'inf'), which YAML 1.1 would leave a string, so that
    the message is about the number, not its spelling."""
    # The same bounded reader as the profile: huge numbers, impossible dates, alias bombs
    # and deep nesting are one-line input errors here too.
    value = parse_yaml(raw, where, single_value=True).data
    spec = rule.spec.params.get(param)
    if spec is not None and _is_number(spec.default) and isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
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
        where = f"--set {_shown(item, quote=False)}"
        if not sep or not dot or not param:
            raise InputError(f"{where}: write --set CODE.param=value (e.g. DSK001.window_hours=24)")
        rule = find_rule(index, code.strip(), where)
        param = param.strip()
        value = _cli_value(rule, param, raw, where)
        s = out[rule.code]
        if param == "enabled":
            if not isinstance(value, bool):  # bool("abc") would turn the rule on
                raise InputError(f"{where}: enabled is true or false")
            s.enabled = value
        elif param == "severity":
            if value not in SEVERITIES:
                raise InputError(f"{where}: severity is one of {', '.join(SEVERITIES)}")
            s.severity = value
        else:
            s.params[param] = _coerce(rule, param, value, where)
            s.origin[param] = "command line"
    return out


def _model_dump(override: Any) -> dict[str, Any]:
    dump = getattr(override, "model_dump", None)
    return dump() if dump else dict(override)
