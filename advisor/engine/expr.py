"""Rule expressions: a small, safe language evaluated over all servers at once.

A rule's `when` is parsed with Python's `ast` module and checked node by node against a
whitelist: names, numbers, strings, lists, comparisons, `in`, arithmetic, `and`/`or`/`not`
and a few named functions. Anything else (attribute access, subscripts, lambdas,
comprehensions, keyword arguments, names starting with `_`, any function not listed) is
refused when the rule file is loaded, so a rule file can never run code.

Evaluation is vectorised: each node becomes a closure returning a pandas Series over all
servers (or a scalar) and logic is three-valued (Kleene): `unknown and false` is false,
`unknown or true` is true, anything else touching an unknown stays unknown. A rule whose
outcome depends on an unknown fact is therefore `unknown`, never `pass`.
"""

from __future__ import annotations

import ast
import difflib
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Value = Any  # a pandas Series aligned with the facts index, or a plain scalar/list
Env = Mapping[str, Value]
Node = Callable[[Env], Value]

#: Literal names YAML authors reach for; they mean what they say.
_LITERALS = {"true": True, "false": False, "null": None, "none": None}


class ExpressionError(ValueError):
    """An expression that is not allowed or not well formed; the message says why."""


def _as_bool(v: Value) -> Value:
    """A boolean Series with NA (Kleene logic), or a bool/None scalar."""
    if isinstance(v, pd.Series):
        if v.dtype == "boolean":
            return v
        if pd.api.types.is_bool_dtype(v.dtype) or v.dtype == object:
            return v.astype("boolean")
        return v.astype("Float64").ne(0).astype("boolean")  # NA stays NA
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return bool(v)


def _scalar_na(v: Value) -> bool:
    return not isinstance(v, pd.Series | list | tuple) and (v is None or v is pd.NA)


def _clean_numeric(v: Value) -> Value:
    """Division by zero and overflow give inf; an infinite quantity is unknown here."""
    if isinstance(v, pd.Series) and pd.api.types.is_float_dtype(v.dtype):
        return v.mask(np.isinf(v.astype("float64").fillna(0.0)))
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def _binop(op: Callable[[Any, Any], Any]) -> Callable[[Value, Value], Value]:
    def apply(a: Value, b: Value) -> Value:
        if _scalar_na(a) or _scalar_na(b):
            return None
        if isinstance(a, pd.Series) and a.dtype == "boolean":
            a = a.astype("Int64")
        if isinstance(b, pd.Series) and b.dtype == "boolean":
            b = b.astype("Int64")
        try:
            return _clean_numeric(op(a, b))
        except ZeroDivisionError:
            return None

    return apply


def _compare(op: Callable[[Any, Any], Any]) -> Callable[[Value, Value], Value]:
    def apply(a: Value, b: Value) -> Value:
        if _scalar_na(a) or _scalar_na(b):
            return None
        result = op(a, b)
        return result.astype("boolean") if isinstance(result, pd.Series) else bool(result)

    return apply


def _membership(item: Value, container: Value) -> Value:
    """`x in [..]` tests membership; `'text' in fact` tests a substring, case-insensitively."""
    if isinstance(container, list | tuple):
        values = list(container)
        if isinstance(item, pd.Series):
            out = item.isin(values).astype("boolean")
            return out.mask(item.isna())
        return None if _scalar_na(item) else item in values
    if isinstance(container, pd.Series):
        if _scalar_na(item):
            return pd.Series(pd.NA, index=container.index, dtype="boolean")
        text = container.astype("string").str.lower()
        if isinstance(item, pd.Series):
            pairs = zip(item.astype("string").str.lower(), text, strict=True)
            data = [pd.NA if pd.isna(i) or pd.isna(t) else i in t for i, t in pairs]
            return pd.Series(data, index=container.index, dtype="boolean")
        return text.str.contains(str(item).lower(), regex=False).astype("boolean")
    if isinstance(container, str):
        return None if _scalar_na(item) else str(item).lower() in container.lower()
    raise ExpressionError("'in' needs a list or a text on its right")


_COMPARE_OPS: dict[type, Callable[[Value, Value], Value]] = {
    ast.Lt: _compare(operator.lt),
    ast.LtE: _compare(operator.le),
    ast.Gt: _compare(operator.gt),
    ast.GtE: _compare(operator.ge),
    ast.Eq: _compare(operator.eq),
    ast.NotEq: _compare(operator.ne),
}
_BIN_OPS: dict[type, Callable[[Value, Value], Value]] = {
    ast.Add: _binop(operator.add),
    ast.Sub: _binop(operator.sub),
    ast.Mult: _binop(operator.mul),
    ast.Div: _binop(operator.truediv),
    ast.FloorDiv: _binop(operator.floordiv),
    ast.Mod: _binop(operator.mod),
}


def _kleene_and(a: Value, b: Value) -> Value:
    a, b = _as_bool(a), _as_bool(b)
    if not isinstance(a, pd.Series) and not isinstance(b, pd.Series):
        if a is False or b is False:
            return False
        return None if a is None or b is None else True
    if not isinstance(a, pd.Series):
        a, b = b, a
    if b is None:
        return a.mask(a.fillna(True), pd.NA).astype("boolean")
    return a & b


def _kleene_or(a: Value, b: Value) -> Value:
    a, b = _as_bool(a), _as_bool(b)
    if not isinstance(a, pd.Series) and not isinstance(b, pd.Series):
        if a is True or b is True:
            return True
        return None if a is None or b is None else False
    if not isinstance(a, pd.Series):
        a, b = b, a
    if b is None:
        return a.mask(~a.fillna(False), pd.NA).astype("boolean")
    return a | b


def _kleene_not(a: Value) -> Value:
    a = _as_bool(a)
    if isinstance(a, pd.Series):
        return ~a
    return None if a is None else not a


# --- functions --------------------------------------------------------------------------


def _text(v: Value) -> Value:
    return v.astype("string") if isinstance(v, pd.Series) else v


def _fn_matches(text: Value, pattern: Value) -> Value:
    """Regular-expression search, case-insensitive; unknown text stays unknown."""
    if not isinstance(pattern, str):
        raise ExpressionError("matches(text, pattern) needs a literal pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ExpressionError(f"matches(): bad pattern {pattern!r} ({exc})") from exc
    if isinstance(text, pd.Series):
        # Groups in rule patterns only group: make them non-capturing for pandas.
        # An inline (?i) keeps the search inside pyarrow's vectorised regex engine; a flags=
        # argument would fall back to Python per value.
        pattern = "(?i)" + re.sub(r"\((?!\?)", "(?:", pattern)
        return _text(text).str.contains(pattern, regex=True).astype("boolean")
    return None if _scalar_na(text) else bool(re.search(pattern, str(text), re.IGNORECASE))


def _fn_known(v: Value) -> Value:
    """True where the value is known. Never unknown itself."""
    if isinstance(v, pd.Series):
        return v.notna().astype("boolean")
    return not _scalar_na(v)


def _fn_unknown(v: Value) -> Value:
    out = _fn_known(v)
    return ~out if isinstance(out, pd.Series) else not out


def _fn_coalesce(*values: Value) -> Value:
    out = values[0]
    for v in values[1:]:
        if isinstance(out, pd.Series):
            out = _fill(out, v) if not _scalar_na(v) else out
        elif _scalar_na(out):
            out = v
    return out


def _fill(series: pd.Series, value: Value) -> pd.Series:
    """`series` with its unknowns replaced by `value`. A column of a different type (an
    all-unknown number column filled with `false`) takes the type of what it now holds."""
    try:
        return series.fillna(value)
    except (TypeError, ValueError):
        mixed = series.astype(object).where(series.notna(), value)
        return mixed.convert_dtypes()


def _elementwise(fn: Callable[..., Any]) -> Callable[..., Value]:
    def apply(*values: Value) -> Value:
        if any(_scalar_na(v) for v in values):
            return None
        series = [v for v in values if isinstance(v, pd.Series)]
        if not series:
            return fn(values)
        frame = pd.concat(
            [
                v if isinstance(v, pd.Series) else pd.Series(v, index=series[0].index)
                for v in values
            ],
            axis=1,
        ).astype("Float64")
        reduced = frame.min(axis=1) if fn is min else frame.max(axis=1)
        return reduced.mask(frame.isna().any(axis=1))

    return apply


def _fn_abs(v: Value) -> Value:
    if _scalar_na(v):
        return None
    return v.abs() if isinstance(v, pd.Series) else abs(v)


def _fn_lower(v: Value) -> Value:
    if _scalar_na(v):
        return None
    return _text(v).str.lower() if isinstance(v, pd.Series) else str(v).lower()


def _fn_between(v: Value, lo: Value, hi: Value) -> Value:
    return _kleene_and(_COMPARE_OPS[ast.GtE](v, lo), _COMPARE_OPS[ast.LtE](v, hi))


FUNCTIONS: dict[str, tuple[Callable[..., Value], str]] = {
    "matches": (_fn_matches, "matches(text, 'regex'): regular-expression search, any case"),
    "known": (_fn_known, "known(x): true where x is known (never unknown itself)"),
    "unknown": (_fn_unknown, "unknown(x): true where x is unknown (never unknown itself)"),
    "coalesce": (_fn_coalesce, "coalesce(a, b, ...): the first known value"),
    "min": (_elementwise(min), "min(a, b, ...): smallest value, unknown if any is unknown"),
    "max": (_elementwise(max), "max(a, b, ...): largest value, unknown if any is unknown"),
    "abs": (_fn_abs, "abs(x): absolute value"),
    "lower": (_fn_lower, "lower(text): lower-case text"),
    "between": (_fn_between, "between(x, lo, hi): lo <= x <= hi"),
}


# --- compilation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A checked expression: its source, the names it reads, and its compiled form."""

    source: str
    names: frozenset[str]
    _node: Node

    def evaluate(self, env: Env, index: pd.Index) -> pd.Series:
        """Outcome per row as a boolean Series with NA for unknown."""
        value = _as_bool(self._node(env))
        if isinstance(value, pd.Series):
            return value.reindex(index) if not value.index.equals(index) else value
        return pd.Series(pd.NA if value is None else value, index=index, dtype="boolean")

    def value(self, env: Env) -> Value:
        """The raw value (not forced to a boolean)."""
        return self._node(env)


def compile_expression(text: str, known_names: set[str] | None = None) -> Expression:
    """Parse and check `text`; `known_names` (facts and params) are the only names allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression ({exc.msg} at column {exc.offset})") from exc
    names: set[str] = set()
    node = _compile(tree.body, names, known_names)
    return Expression(text.strip(), frozenset(names), node)


def _compile(node: ast.AST, names: set[str], known: set[str] | None) -> Node:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float | str | bool | type(None)):
            raise ExpressionError(f"constant {node.value!r} is not allowed")
        value = node.value
        return lambda env: value
    if isinstance(node, ast.Name):
        return _compile_name(node.id, names, known)
    if isinstance(node, ast.List | ast.Tuple):
        items = [_compile(e, names, known) for e in node.elts]
        return lambda env: [item(env) for item in items]
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, names, known) for v in node.values]
        combine = _kleene_and if isinstance(node.op, ast.And) else _kleene_or

        def boolop(env: Env) -> Value:
            acc = parts[0](env)
            for part in parts[1:]:
                acc = combine(acc, part(env))
            return acc

        return boolop
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, names, known)
        if isinstance(node.op, ast.Not):
            return lambda env: _kleene_not(operand(env))
        if isinstance(node.op, ast.USub):
            return lambda env: _binop(operator.mul)(-1, operand(env))
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BIN_OPS:
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        left, right = _compile(node.left, names, known), _compile(node.right, names, known)
        op = _BIN_OPS[type(node.op)]
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.Compare):
        return _compile_compare(node, names, known)
    if isinstance(node, ast.Call):
        return _compile_call(node, names, known)
    raise ExpressionError(f"{_describe(node)} is not allowed in a rule expression")


def _compile_name(name: str, names: set[str], known: set[str] | None) -> Node:
    if name.lower() in _LITERALS:
        value = _LITERALS[name.lower()]
        return lambda env: value
    if name in ("True", "False", "None"):
        value = {"True": True, "False": False, "None": None}[name]
        return lambda env: value
    if name.startswith("_"):
        raise ExpressionError(f"name '{name}' is not allowed (names may not start with '_')")
    if known is not None and name not in known:
        hint = difflib.get_close_matches(name, sorted(known), n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ExpressionError(f"unknown name '{name}'{tip}")
    names.add(name)
    return lambda env: env[name]


def _compile_compare(node: ast.Compare, names: set[str], known: set[str] | None) -> Node:
    operands = [_compile(node.left, names, known)] + [
        _compile(c, names, known) for c in node.comparators
    ]
    ops: list[Callable[[Value, Value], Value]] = []
    for op in node.ops:
        if isinstance(op, ast.In):
            ops.append(_membership)
        elif isinstance(op, ast.NotIn):
            ops.append(lambda a, b: _kleene_not(_membership(a, b)))
        elif type(op) in _COMPARE_OPS:
            ops.append(_COMPARE_OPS[type(op)])
        else:
            raise ExpressionError(f"comparison {type(op).__name__} is not allowed")

    def compare(env: Env) -> Value:
        values = [o(env) for o in operands]
        acc: Value = True
        for i, op in enumerate(ops):
            acc = _kleene_and(acc, op(values[i], values[i + 1]))
        return acc

    return compare


def _compile_call(node: ast.Call, names: set[str], known: set[str] | None) -> Node:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"{_describe(node.func)} cannot be called; only named functions")
    fname = node.func.id
    if fname not in FUNCTIONS:
        allowed = ", ".join(sorted(FUNCTIONS))
        raise ExpressionError(f"function '{fname}' is not allowed (allowed: {allowed})")
    if node.keywords:
        raise ExpressionError(f"{fname}(): keyword arguments are not allowed")
    if any(isinstance(a, ast.Starred) for a in node.args):
        raise ExpressionError(f"{fname}(): starred arguments are not allowed")
    args = [_compile(a, names, known) for a in node.args]
    fn = FUNCTIONS[fname][0]
    if fname == "matches":
        pattern = node.args[1] if len(node.args) == 2 else None
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
            raise ExpressionError("matches(text, 'regex') takes a text and a literal pattern")
        try:
            re.compile(pattern.value)
        except re.error as exc:
            raise ExpressionError(f"matches(): bad pattern {pattern.value!r} ({exc})") from exc
    return lambda env: fn(*[a(env) for a in args])


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "lambda",
        ast.ListComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a generator",
        ast.Dict: "a dict literal",
        ast.Set: "a set literal",
        ast.IfExp: "a conditional expression",
        ast.NamedExpr: "assignment",
        ast.JoinedStr: "an f-string",
        ast.Starred: "unpacking",
        ast.Await: "await",
        ast.Yield: "yield",
    }
    return kinds.get(type(node), type(node).__name__)
