"""Reading an engagement profile: YAML file in, validated `Profile` out.

The strict YAML reader (duplicate keys are errors), `load_profile` for a file, `parse_profile`
for data already parsed, `default_profile` for when no profile is given, and
`profile_template` for the commented example `advisor profile init` writes. Every failure
becomes a one-line `InputError`, worded by `advisor.profile.messages`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import InputError
from advisor.profile.messages import _explain
from advisor.profile.model import Profile


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
