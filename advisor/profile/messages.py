"""Turning a pydantic validation error into one line a consultant can act on.

Pydantic reports errors as type codes and tuples of keys. The functions here translate each
error into `InputError` text that names the key path as it looks in the file, the YAML
line it sits on, the bad value and what is allowed, with the nearest valid key or value for a
typo. They walk the `Profile` model's annotations to know what each key expects.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import yaml
from pydantic import BaseModel, ValidationError

from advisor.errors import InputError
from advisor.profile.model import Profile
from advisor.profile.sections import _clip
from advisor.yaml_input import compose_checked, line_of


def _node_line(text: str | None, root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the deepest YAML node on the key path, to point the user at it;
    from the nodes already composed when the caller has them, else from the text."""
    if root is None and text is not None:
        root = compose_checked(text)
    return line_of(root, loc)


def _format_loc(loc: tuple[Any, ...]) -> str:
    """('sites', 0, 'lat') -> 'sites[0].lat', the way the user sees the file.

    A key is cut to 40 characters: a hostile file may use a key of megabytes, and the
    message must stay one readable line.
    """
    out = ""
    for item in loc:
        name = _clip(str(item), 40)
        out += f"[{item}]" if isinstance(item, int) else (f".{name}" if out else name)
    return out or "(top level)"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated so the walker sees the model, list or dict behind it."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(annotation) if a is not type(None)]
            if len(inner) != 1:
                return annotation
            annotation = inner[0]
        else:
            return annotation


def _annotation_at(loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The type expected at a key path, and the field metadata (constraints) of its last key."""
    annotation: Any = Profile
    metadata: Any = []
    for item in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(item))
            if field is None:
                return None, []
            annotation, metadata = field.annotation, field.metadata
            inner = _unwrap(annotation)
            if get_origin(annotation) is not None and inner is not annotation:
                metadata = [*metadata, *_annotated_metadata(annotation)]
        elif origin is list:
            annotation, metadata = get_args(annotation)[0], []
        elif origin is dict:
            annotation, metadata = get_args(annotation)[1], []
        else:
            return None, []
    return annotation, metadata


def _annotated_metadata(annotation: Any) -> list[Any]:
    """Constraints hidden inside `Annotated[float, Field(gt=0)] | None`."""
    found: list[Any] = []
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Annotated:
            for extra in get_args(arg)[1:]:
                found.extend(getattr(extra, "metadata", [extra]))
    return found


_CONSTRAINT_TEXT: tuple[tuple[type, str], ...] = (
    (annotated_types.Gt, "greater than {}"),
    (annotated_types.Ge, "at least {}"),
    (annotated_types.Lt, "less than {}"),
    (annotated_types.Le, "at most {}"),
)

_TYPE_TEXT: dict[str, str] = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list, e.g. [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "path_type": "a file path",
    "finite_number": "a finite number (not .inf or .nan)",
}


def _show(value: Any) -> str:
    """A user-facing rendering of a bad value, short enough for one line."""
    if isinstance(value, str):
        return repr(_clip(value, 60))
    if isinstance(value, dict | list):
        text = yaml.safe_dump(_preview(value), default_flow_style=True, width=10_000).strip()
    else:
        text = _clip(str(value), 200)
    return _clip(text, 60)


def _preview(value: Any, depth: int = 3) -> Any:
    """The first few items of a nested value: enough to recognise it in a message.

    Rendering only a preview keeps the cost of a message independent of the value's size
    (a list of ten thousand sites must not be dumped to show sixty characters of it).
    """
    if isinstance(value, str):
        return _clip(value, 60)
    if depth == 0 and isinstance(value, dict | list):
        return "..."
    if isinstance(value, list):
        return [_preview(v, depth - 1) for v in value[:4]] + (["..."] if len(value) > 4 else [])
    if isinstance(value, dict):
        items = list(value.items())[:4]
        out = {_clip(str(k), 40): _preview(v, depth - 1) for k, v in items}
        return out | ({"...": "..."} if len(value) > 4 else {})
    return value if isinstance(value, int | float | bool | type(None)) else _clip(str(value), 60)


def _error_loc(err: Any) -> tuple[Any, ...]:
    """The key path an error is about, refined by the validator where pydantic stops short.

    Model validators are blamed on the whole model; they name the exact key in the error
    context, as a full `key_path` or as one `key` below the model.
    """
    loc, ctx = tuple(err["loc"]), err.get("ctx") or {}
    if err["type"] != "profile":
        return loc
    if "key_path" in ctx:
        parts = re.split(r"[.\[\]]+", ctx["key_path"])
        return tuple(int(p) if p.isdigit() else p for p in parts if p)
    if "key" in ctx:
        return (*loc, ctx["key"])
    return loc


#: Pydantic's errors for a value longer than its field allows.
_LENGTH_KINDS = {"string_too_long", "too_long"}


def _length_text(kind: str, path: str, value: Any, ctx: dict[str, Any]) -> str:
    """A refused length: the key, how long the value is and the limit."""
    limit = ctx.get("max_length")
    if kind == "string_too_long" and isinstance(value, str):
        return f"{path} is {len(value):,} characters long; the limit is {limit:,} characters"
    size = ctx.get("actual_length")
    if size is None and isinstance(value, list | dict):
        size = len(value)
    count = f"{size:,} entries" if isinstance(size, int) else "too many entries"
    return f"{path} has {count}; the limit is {limit:,}"


def _describe(err: Any) -> str:
    """One pydantic error in a consultant's words: key path, bad value, what is allowed."""
    kind, loc, ctx = err["type"], _error_loc(err), err.get("ctx") or {}
    value = err.get("input")
    if kind == "profile" and "key_path" in ctx:
        return f"{ctx['key_path']}: {ctx['message']}"
    path = _format_loc(loc)
    if kind == "extra_forbidden":
        parent, _ = _annotation_at(loc[:-1])
        parent = _unwrap(parent)
        valid = list(parent.model_fields) if isinstance(parent, type) else []
        hint = difflib.get_close_matches(_clip(str(loc[-1]), 60), valid, n=1, cutoff=0.5)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown key {path}{tip} (valid keys: {', '.join(valid)})"
    if kind == "invalid_key":
        parent, _ = _annotation_at(loc[:-1])
        parent = _unwrap(parent)
        valid = list(parent.model_fields) if isinstance(parent, type) else []
        allowed = f" (valid keys: {', '.join(valid)})" if valid else ""
        where = _format_loc(loc[:-1]) if loc[:-1] else "the top level"
        return f"key {_show(value)} under {where} is not text; keys are names{allowed}"
    if kind == "missing":
        return f"{path} is required but missing"
    if kind == "literal_error":
        annotation, _ = _annotation_at(loc)
        allowed = [str(a) for a in get_args(_unwrap(annotation))] or [ctx.get("expected", "")]
        hint = difflib.get_close_matches(_clip(str(_preview(value)), 60), allowed, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{path} is {_show(value)}, allowed values: {', '.join(allowed)}{tip}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        _, metadata = _annotation_at(loc)
        bounds = [
            text.format(getattr(m, text_cls.__name__.lower()))
            for m in metadata
            for text_cls, text in _CONSTRAINT_TEXT
            if isinstance(m, text_cls)
        ]
        return f"{path} is {_show(value)}; it must be {' and '.join(bounds) or err['msg']}"
    if kind in _LENGTH_KINDS:
        if loc and loc[-1] == "[key]":  # pydantic's marker for a mapping's key itself
            path = f"the key {_format_loc(loc[:-1])}"
        return _length_text(kind, path, value, ctx)
    if kind in {"model_type", "dict_type"} and len(loc) == 2 and loc[0] == "rules":
        return (
            f"{path} must be a mapping such as {{enabled: false}}, {{severity: high}} or "
            f"{{params: {{name: value}}}}, got {_show(value)}"
        )
    if kind in _TYPE_TEXT:
        tip = " (put it in quotes)" if kind == "string_type" and isinstance(value, bool) else ""
        return f"{path} must be {_TYPE_TEXT[kind]}, got {_show(value)}{tip}"
    if kind == "profile":
        return f"{path} {err['msg']}" if err["msg"].startswith("is ") else f"{path}: {err['msg']}"
    return f"{path}: {err['msg']} (got {_show(value)})"


#: Problems described one by one; a file with more (a hostile list of ten thousand bad
#: entries) gets a count for the rest, so that the cost of the message stays bounded.
MAX_DESCRIBED = 50


class ProfileProblems(InputError):
    """Every problem pydantic found in a profile. Its message is the first problem and how
    many more there are (one line, as every InputError); `problems` holds them all, one line
    each naming its key, for `advisor profile check`, which lists them at once so that a
    consultant fixes a file in one round instead of one error per run."""

    def __init__(self, problems: list[str], total: int | None = None) -> None:
        total = len(problems) if total is None else total
        more = total - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(problems[0] + tail)
        self.problems = problems
        self.total = total


def describe_all(
    exc: ValidationError, source: str, text: str | None, root: yaml.Node | None = None
) -> tuple[list[str], int]:
    """Each validation problem as one line "SOURCE, line N: what is wrong", in the order
    pydantic found them, repeats dropped, at most MAX_DESCRIBED of them; and how many
    problems there are in all."""
    if root is None and text is not None:
        root = compose_checked(text)
    errors = exc.errors(include_url=False)
    lines: list[str] = []
    seen = 0
    for err in errors:
        seen += 1
        line = _node_line(text, root, _error_loc(err))
        where = f"{source}, line {line}" if line else source
        described = f"{where}: {_describe(err)}"
        if described not in lines:
            lines.append(described)
        if len(lines) == MAX_DESCRIBED:
            break
    # All read: repeats are not counted; cut short: the rest counted as pydantic gave them.
    total = len(lines) if seen == len(errors) else len(lines) + len(errors) - seen
    if total > len(lines):
        lines.append(f"{source}: {total - len(lines):,} more problems not listed")
    return lines, total


def _explain(
    exc: ValidationError, source: str, text: str | None, root: yaml.Node | None = None
) -> ProfileProblems:
    """The validation problems as one InputError: the first in its message (with its YAML
    line if known), all of them in `problems`."""
    lines, total = describe_all(exc, source, text, root)
    return ProfileProblems(lines, total)
