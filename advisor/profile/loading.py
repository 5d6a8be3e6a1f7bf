"""Reading an engagement profile: YAML file in, validated `Profile` out.

`load_profile` reads the file through the bounded reader of `advisor.yaml_input` (regular
file, size, nesting, alias expansion and numbers checked; duplicate keys are errors),
`parse_profile` validates data already parsed, `default_profile` is the profile when none is
given, and `profile_template` the commented example `advisor profile init` writes. Every
failure becomes a one-line `InputError`, worded by `advisor.profile.messages`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import InputError
from advisor.profile.messages import _explain, describe_all
from advisor.profile.model import Profile
from advisor.yaml_input import read_yaml_file


def parse_profile(
    data: Any,
    source: str = "profile",
    *,
    base_dir: Path | None = None,
    text: str | None = None,
    root: yaml.Node | None = None,
) -> Profile:
    """Validate already-parsed profile data; errors name `source` like a file name.

    Split from `load_profile` so tests and other tools can build a profile from a dict and get
    the same user-facing errors. `text` (or its composed `root`, which saves composing it
    again) lets an error name the YAML line of the key at fault.

    An empty file (or one holding only comments) is a profile with no answers yet, like a
    fresh engagement: every default applies and `profile check` lists each one as an
    assumption, so nothing is guessed silently.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: (top level) must be a mapping of sections "
            f"({', '.join(Profile.model_fields)}), got {_kind(data)}"
        )
    try:
        return Profile.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise _explain(exc, source, text, root) from None


def _kind(value: Any) -> str:
    """What a YAML value is, in a user's words ("a list"), for the top-level refusal."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text" if len(value) > 40 else f"the text '{value}'"
    return type(value).__name__


def load_profile(path: str | Path) -> Profile:
    """Read and validate an engagement profile; any problem is a one-line InputError."""
    path = Path(path)
    document = read_yaml_file(path, "profile")
    profile = parse_profile(
        document.data, str(path), base_dir=path.parent, text=document.text, root=document.root
    )
    profile._source = path
    return profile


def with_target(profile: Profile, provider: str | None, zone: str | None) -> Profile:
    """`profile` moved to another provider or zone (`advisor assess --provider --zone`).

    Checked like the profile's own `target:` section, with the same messages naming the
    option instead of the key ("--zone ch-gva-9: 'ch-gva-9' is not a zone of exoscale;
    did you mean 'ch-gva-2'? ..."). Without --zone a new provider gets its default zone;
    a comparison provider that becomes the target is replaced by the former target, as
    with two providers the comparison is always with the other one.
    """
    if provider is None and zone is None:
        return profile
    current = profile.target
    name = provider.strip().lower() if provider is not None else current.provider
    target: dict[str, Any] = {"provider": name}
    if zone is not None:
        target["zone"] = zone
    elif name == current.provider and "zone" in current.model_fields_set:
        target["zone"] = current.zone
    compare = current.compare
    if compare == name:
        compare = current.provider if current.provider != name else None
    if compare is not None:
        target["compare"] = compare
    try:
        checked = Profile.model_validate({"target": target}).target
    except ValidationError as exc:
        lines, _ = describe_all(exc, "", None)
        given = {"provider": provider, "zone": zone}
        raise InputError("; ".join(_as_option(line, given) for line in lines)) from None
    return profile.model_copy(update={"target": checked})


def _as_option(line: str, given: dict[str, str | None]) -> str:
    """A problem of `target.provider` or `target.zone` worded for the option that set it:
    'target.zone: ...' -> '--zone ch-gva-9: ...', 'target.provider is ...' -> '--provider
    is ...'."""
    text = line.removeprefix(": ")
    for key, value in given.items():
        if text.startswith(f"target.{key}: "):
            return f"--{key} {value}: {text[len(key) + 9 :]}"
        if text.startswith(f"target.{key} "):
            return f"--{key} {text[len(key) + 8 :]}"
    return text


def default_profile() -> Profile:
    """The profile in effect when the consultant gives none: every default, no sites."""
    return Profile()


def profile_template() -> str:
    """The commented example profile that `advisor profile init` writes for a consultant."""
    return resources.files("advisor").joinpath("profile_template.yaml").read_text("utf-8")
