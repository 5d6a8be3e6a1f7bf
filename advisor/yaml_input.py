"""The one way advisor reads a YAML file a user hands it (engagement profile, `--mapping`).

A consultant's YAML is small and hand-written, but the same reader also sees whatever file
is passed by mistake or on purpose. Plain `yaml.safe_load` already refuses Python tags, yet
it still lets a file take the process down: a folder or FIFO given as the file, a file of
gigabytes, nesting that exhausts Python's recursion, anchors that expand exponentially once
the data is walked ("billion laughs"), numbers Python refuses to convert or that are
infinite, dates that do not exist, and explicit tags on values they cannot describe.

`read_yaml_file` guards each of these in order, before the next step can be hurt by it:

1. the file: a regular file of at most `MAX_BYTES`, UTF-8;
2. composition: nesting deeper than `MAX_DEPTH` stops the composer before it recurses far;
3. the node graph: counted with aliases expanded (memoised, so a bomb costs its size on
   disk, not its expansion) and refused above `MAX_NODES` or beyond `MAX_DEPTH`; a loop of
   aliases, an over-long or non-finite number and an unconstructable scalar are refused
   with the key path they sit under;
4. construction with `SafeLoader` rules, where a key given twice is an error.

Every refusal is one `InputError` line naming the file, the YAML line and the key path, and
for a bound, what was found and the limit.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from advisor.errors import InputError, short_error

try:  # libyaml turns text into events in C, several times faster than PyYAML's Python parser
    from yaml._yaml import CParser
except ImportError:  # a PyYAML built without libyaml: the pure Python parser does the same
    CParser = None

#: Largest file read. A profile or mapping is a few KB; a megabyte is already absurd.
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists. The profile's deepest key is four levels down.
MAX_DEPTH = 50
#: Most values (mapping keys, values and list items) once aliases are expanded.
MAX_NODES = 100_000
#: Longest number as written. A 64-bit integer has 19 digits; Python refuses to convert
#: integers of more than 4,300 digits, so the bound also keeps that error out.
MAX_NUMBER_CHARS = 50

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
#: Scalar tags whose construction can fail on a value that matches no form of the type
#: (`!!int abc`, a date with month 13): tried during the check so the error names the key.
_TYPED = {
    _INT: "a whole number",
    _FLOAT: "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date or time",
}
#: What a special file is called in messages ("is a FIFO, not a regular file").
_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True)
class YamlDocument:
    """A checked YAML file: the data, the text (to point at lines later) and the nodes."""

    data: Any
    text: str
    root: yaml.Node | None


class _Refused(yaml.MarkedYAMLError):
    """A bound or value this reader refuses, carrying the line and the key path."""

    def __init__(self, path: str, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.path = path


def _path_text(path: tuple[Any, ...]) -> str:
    """('sites', 0, 'name') -> 'sites[0].name'; very deep paths are cut to stay one line."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            name = str(item) if len(str(item)) <= 40 else str(item)[:37] + "..."
            out += f".{name}" if out else name
    return out if len(out) <= 120 else out[:117] + "..."


if CParser is not None:

    class _SafeBase(Composer, CParser, SafeConstructor, Resolver):
        """libyaml's event parser under PyYAML's Python composer and safe constructor.

        Only the events come from C. libyaml's own composer recurses in C once per nesting
        level, where no Python bound can reach it, so composing stays in Python (listed
        first, its methods win over CParser's).
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

else:
    _SafeBase = yaml.SafeLoader  # type: ignore[misc,assignment]


class _Loader(_SafeBase):
    """Safe loading with bounds while composing, and duplicate keys refused.

    PyYAML's composer recurses once per nesting level (twice counting the collection
    method), so a file of ten thousand `[` ends in RecursionError before any check could
    look at the result: the depth bound has to sit inside `compose_node`. The path of keys
    being composed is kept on the way down, so the refusal can name where it happened.
    Nodes are counted too, so a file of a million plain values stops at the bound instead
    of being composed in full first.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._keys: list[Any] = []
        self._composed = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Compose one node, refusing it past `MAX_DEPTH` levels or `MAX_NODES` nodes."""
        key = index.value if isinstance(index, yaml.ScalarNode) else index
        self._keys.append(key)
        self._composed += 1
        try:
            if len(self._keys) > MAX_DEPTH + 1:
                raise self._refuse(
                    f"nested more than {MAX_DEPTH} levels deep; the limit is {MAX_DEPTH}"
                )
            if self._composed > MAX_NODES:
                raise self._refuse(
                    f"the file holds more than {MAX_NODES:,} values; the limit is {MAX_NODES:,}"
                )
            return super().compose_node(parent, index)
        finally:
            self._keys.pop()

    def _refuse(self, problem: str) -> _Refused:
        """A refusal at the node about to be composed, under the key path leading to it."""
        path = tuple(k for k in self._keys if k is not None)
        return _Refused(_path_text(path), problem, self.peek_event().start_mark)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, failing with the line of a key given twice.

        PyYAML lets the last of two equal keys win silently; in a hand-edited file that
        almost always hides a mistake.
        """
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            keys: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool):
                    continue  # unhashable keys are refused by SafeLoader below
                if key in keys:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"key '{key}' appears twice",
                        key_node.start_mark,
                    )
                keys.add(key)
        return super().construct_mapping(node, deep=deep)


class _GraphCheck:
    """One walk over the composed nodes, aliases expanded but each node measured once.

    For every node it records how many values it stands for and how deep it reaches once
    expanded; a node reached again through an alias reuses that record, so the walk is
    linear in the file even when the expansion is not. A node met again while it is still
    being measured is an alias inside its own anchor: a loop that no data can represent.
    """

    def __init__(self, loader: _Loader) -> None:
        self._loader = loader
        self._done: dict[int, tuple[int, int]] = {}
        self._open: set[int] = set()

    def measure(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> tuple[int, int]:
        """(values, levels below) of `node` as the data will hold it; refuses past a bound."""
        known = self._done.get(id(node))
        if known is not None:
            return known
        if id(node) in self._open:
            raise _Refused(
                _path_text(path),
                "an alias refers to the anchor it sits in (a loop that never ends)",
                node.start_mark,
            )
        if isinstance(node, yaml.ScalarNode):
            self._check_scalar(node, path)
            result = (1, 0)
        else:
            self._open.add(id(node))
            result = self._measure_children(node, path)
            self._open.discard(id(node))
        self._done[id(node)] = result
        return result

    def _measure_children(self, node: yaml.Node, path: tuple[Any, ...]) -> tuple[int, int]:
        """Sum and depth of a mapping's keys and values or a list's items."""
        total, height = 1, 0
        for child, child_path in _children(node, path):
            count, below = self.measure(child, child_path)
            total += count
            height = max(height, below + 1)
            if total > MAX_NODES:
                raise _Refused(
                    _path_text(path),
                    f"holds more than {MAX_NODES:,} values once its aliases (*name) are "
                    f"expanded; the limit is {MAX_NODES:,}",
                    node.start_mark,
                )
            if len(path) + height > MAX_DEPTH:
                raise _Refused(
                    _path_text(path),
                    f"reaches more than {MAX_DEPTH} levels deep through its aliases; "
                    f"the limit is {MAX_DEPTH}",
                    node.start_mark,
                )
        return total, height

    def _check_scalar(self, node: yaml.ScalarNode, path: tuple[Any, ...]) -> None:
        """Refuse numbers Python cannot hold sensibly and typed values that cannot be built."""
        where = _path_text(path)
        if node.tag in (_INT, _FLOAT) and len(node.value) > MAX_NUMBER_CHARS:
            raise _Refused(
                where,
                f"a number of {len(node.value):,} characters is too long (at most "
                f"{MAX_NUMBER_CHARS}); put it in quotes if it is text",
                node.start_mark,
            )
        expected = _TYPED.get(node.tag)
        if expected is None:
            return
        try:
            value = self._loader.construct_object(node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            raise _Refused(
                where,
                f"'{node.value[:40]}' is not {expected} ({short_error(exc, 80)})",
                node.start_mark,
            ) from exc
        if isinstance(value, float) and not math.isfinite(value):
            raise _Refused(
                where,
                f"'{node.value}' is not a finite number; give a number such as 48 or 0.8",
                node.start_mark,
            )


def _children(node: yaml.Node, path: tuple[Any, ...]) -> list[tuple[yaml.Node, tuple]]:
    """A collection's child nodes with the key path each sits under."""
    if isinstance(node, yaml.SequenceNode):
        return [(item, (*path, i)) for i, item in enumerate(node.value)]
    out: list[tuple[yaml.Node, tuple]] = []
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "(complex key)"
        out += [(key, (*path, name)), (value, (*path, name))]
    return out


def _syntax_error(source: str, exc: yaml.YAMLError, located: bool = True) -> InputError:
    """A PyYAML error (or a refusal of ours) as one line with the file, line and key
    (without line and key for a single value, where they say nothing)."""
    mark = getattr(exc, "problem_mark", None) if located else None
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or short_error(exc)
    context = getattr(exc, "context", None)
    if context and not isinstance(exc, _Refused):
        problem = f"{context}: {problem}"  # "but found another document" needs its start
    if isinstance(exc, _Refused):
        key = f"{exc.path}: " if exc.path else ("(top level): " if located else "")
        return InputError(f"{source}{where}: {key}{problem}")
    return InputError(f"{source}{where}: YAML syntax error: {problem}")


def parse_yaml(text: str, source: str, *, single_value: bool = False) -> YamlDocument:
    """Check and load YAML text; `source` names the file in messages (`single_value`: the
    text is one value, such as a --set option's, so messages name no line or key)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _GraphCheck(loader).measure(root)
            # The check above built typed scalars already; start construction afresh.
            loader.constructed_objects = {}
            data = loader.construct_document(root)
        else:
            data = None
    except yaml.YAMLError as exc:
        raise _syntax_error(source, exc, located=not single_value) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # PyYAML building a value from text it accepted: the file is at fault, not advisor.
        raise InputError(f"{source}: cannot be read as YAML ({short_error(exc, 120)})") from None
    finally:
        loader.dispose()
    return YamlDocument(data, text, root)


def line_of(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the deepest node on a key path, to point the user at it."""
    node, line = root, None
    for item in path:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(item)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(item, int):
            if not 0 <= item < len(node.value):
                break
            node = node.value[item]
            line = node.start_mark.line + 1
        else:
            break
    return line


def compose_checked(text: str) -> yaml.Node | None:
    """The node graph of text already read by `parse_yaml` (to find a key's line), or None.

    Uses the bounded composer, so even text that was never checked cannot recurse deeply.
    """
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _open_regular(path: Path, what: str) -> bytes:
    """At most `MAX_BYTES` + 1 bytes of a regular file; anything else is one clear line.

    The file type is checked before opening (opening a FIFO would block until a writer
    comes) and again on the open descriptor, which is opened non-blocking in case the path
    changed in between.
    """
    try:
        info = path.stat()
        _require_regular(path, info.st_mode, what)
        if info.st_size > MAX_BYTES:
            raise _too_big(path, info.st_size, what)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            _require_regular(path, os.fstat(handle.fileno()).st_mode, what)
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or short_error(exc, 80)
        raise InputError(f"{path}: cannot read the {what} ({reason})") from None


def _require_regular(path: Path, mode: int, what: str) -> None:
    """Refuse a folder, FIFO, device or socket given where a file is expected."""
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder; give the {what}'s YAML file")
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise InputError(f"{path}: is {kind}, not a regular file; give the {what}'s YAML file")


def _too_big(path: Path, size: int, what: str) -> InputError:
    """The refusal of a file above `MAX_BYTES`."""
    return InputError(
        f"{path}: the {what} is {size:,} bytes; the limit is {MAX_BYTES:,} bytes "
        f"(a {what} is a few KB)"
    )


def read_yaml_file(path: str | Path, what: str) -> YamlDocument:
    """Read, check and load a user's YAML file; `what` names it in messages ("profile").

    Every problem is a one-line `InputError`; see the module docstring for the bounds.
    """
    path = Path(path)
    raw = _open_regular(path, what)
    if len(raw) > MAX_BYTES:
        raise _too_big(path, len(raw), what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start + 1:,} cannot be decoded); "
            f"save the {what} as UTF-8"
        ) from None
    return parse_yaml(text, str(path))
