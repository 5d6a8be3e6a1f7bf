"""Text evidence: regular expressions over whole text columns, run by pyarrow's RE2 engine.

Shared by the scope stage and the fact modules (both read what people wrote in names,
notes and attributes).

Fact modules search names, notes and attributes with a few hundred patterns per estate.
pandas sends a pattern to Python's `re`, one row at a time, as soon as it holds `\\s`, a
lookaround or (on non-ASCII data) `\\b`; its `isin` on arrow strings converts the values
one by one; and its string `mask`/`where` copy whole columns. At 20,000 servers that made
role detection alone take two seconds. These helpers hand the column to pyarrow as it is
stored (no copy) and return numpy booleans or arrow-backed strings; the evidence helpers
(`mentioned`, `quoted`, `flag_each`, `labels`) are shared by every fact module that reads
what people wrote.

Matching ignores case by default: patterns are written in lower case, text comes in any.
RE2 differs from `re` in two ways that matter here, both accepted: `\\b`, `\\w` and `\\d`
are ASCII-only (our patterns are English words, product names and digits), and lookarounds
do not exist. A pattern RE2 refuses is run by Python's `re` instead, so no pattern is ever
dropped; the few that need a lookaround (32-bit OS names, secrets in notes, environment
tokens in names) take that slower path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Arrow = pa.Array | pa.ChunkedArray


def arrow(text: pd.Series) -> Arrow:
    """The column as an arrow string array, without copying when it is arrow-backed."""
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"):
        text = text.astype("string[pyarrow]")
    return pa.array(text.array)


@lru_cache(maxsize=512)
def _python(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def search(text: pd.Series | Arrow, pattern: str, *, ignore_case: bool = True) -> np.ndarray:
    """Rows of `text` where `pattern` occurs (missing text: False), as a numpy bool array."""
    arr = text if isinstance(text, pa.Array | pa.ChunkedArray) else arrow(text)
    try:
        hit = pc.match_substring_regex(arr, pattern, ignore_case=ignore_case)
    except pa.ArrowInvalid:  # a construct RE2 lacks (lookaround, backreference)
        rx = _python(pattern, ignore_case)
        return np.fromiter(
            (v is not None and rx.search(v) is not None for v in arr.to_pylist()),
            dtype=bool,
            count=len(arr),
        )
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def found(text: pd.Series, pattern: str, *, ignore_case: bool = True) -> pd.Series:
    """`search` as a bool Series on the index of `text`."""
    return pd.Series(search(text, pattern, ignore_case=ignore_case), index=text.index)


def first(text: pd.Series, pattern: str, *, ignore_case: bool = True) -> pd.Series:
    """The first match of `pattern` in each row of `text` (the whole match), NA where none."""
    flags = "(?i)" if ignore_case else ""
    arr = arrow(text)
    try:
        got = pc.extract_regex(arr, f"{flags}(?P<m>{non_capturing(pattern)})")
    except pa.ArrowInvalid:
        rx = _python(pattern, ignore_case)
        values = [None if v is None else _group(rx.search(v)) for v in arr.to_pylist()]
        return pd.Series(values, index=text.index, dtype="string[pyarrow]")
    values = pc.struct_field(got, [0])
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=text.index)


def non_capturing(pattern: str) -> str:
    """`pattern` with its groups made non-capturing: our patterns group only to alternate,
    and RE2's extraction insists that every capturing group is named."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)


def _group(m: re.Match[str] | None) -> str | None:
    return m.group(0) if m else None


def replace(text: pd.Series, pattern: str, repl: str) -> pd.Series:
    """`text` with every match of `pattern` replaced by `repl` (RE2 syntax: `\\1` groups)."""
    arr = arrow(text)
    out = pc.replace_substring_regex(arr, pattern=pattern, replacement=repl)
    return pd.Series(pd.arrays.ArrowStringArray(out), index=text.index)


def member(values: pd.Series | pd.Index, allowed: pd.Series | pd.Index | Iterable) -> np.ndarray:
    """Rows of `values` found in `allowed` (missing: False), compared as text. pandas' `isin`
    on arrow strings turns every allowed value into an arrow scalar one by one, which is too
    slow for an estate's worth of server ids or names."""
    if not isinstance(allowed, pd.Series | pd.Index):
        allowed = pd.Series([str(v) for v in allowed], dtype="string[pyarrow]")
    value_set = pc.unique(_as_text(allowed)).cast(pa.large_string())
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    hit = pc.is_in(_as_text(values).cast(pa.large_string()), value_set=value_set)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def _as_text(values: pd.Series | pd.Index) -> Arrow:
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    return arrow(series)


# --- evidence in what people wrote ------------------------------------------------------

#: Words that negate a mention when they come shortly before or after it.
NEG_BEFORE = r"\b(?:no|not|never|without|kein\w*|ohne)\b[^.;:()!?|]{0,25}"
NEG_AFTER = r"\W{0,3}(?:is |was |has |have |been |got )*(?:never|not)\b"


#: Words before a product or server name that make a note about something the server uses,
#: serves or sits behind ('RADIUS for the Fortigate VPN', 'backed up via the Veeam proxy'),
#: not about what the server is. Put before a pattern: f"{REFERENCED}(?:{pattern})".
REFERENCED = (
    r"\b(?:for|via|uses?|using|to|from|behind|through|with|by|towards?|against)\s+"
    r"(?:the\s+|a\s+|an\s+|our\s+)?"
)


def mentioned(text: pd.Series, pattern: str) -> pd.Series:
    """True where `pattern` occurs in `text` (any case) and is not negated nearby ('no
    keepalived', 'keepalived never set up'). Plain bool, never NA: absence of evidence is
    false. The negation searches only run on the rows that mention the pattern at all."""
    arr = arrow(text)
    hit = search(arr, pattern, ignore_case=True)
    rows = np.flatnonzero(hit)
    if len(rows):
        some = arr.take(pa.array(rows))
        negated = search(some, f"{NEG_BEFORE}(?:{pattern})", ignore_case=True)
        negated |= search(some, f"(?:{pattern}){NEG_AFTER}", ignore_case=True)
        hit[rows[negated]] = False
    return pd.Series(hit, index=text.index)


def quoted(text: pd.Series, pattern: str, where: pd.Series | None = None) -> pd.Series:
    """The first words matching `pattern` (any case), lower-cased and quoted; NA where none
    or outside `where` (so the extraction runs only on rows that are reported)."""
    rows = text if where is None else text[where.fillna(False).astype(bool).to_numpy()]
    words = first(rows, pattern, ignore_case=True).str.lower()
    return ("'" + words + "'").astype("string").reindex(text.index)


def flag_each(text: pd.Series, patterns: dict[str, str]) -> dict[str, pd.Series]:
    """One flag (any case) per pattern; the rows are first filtered with all patterns at
    once, so the per-pattern searches only run where something matched."""
    arr = arrow(text)
    hit = search(arr, "|".join(f"(?:{rx})" for rx in patterns.values()), ignore_case=True)
    rows = np.flatnonzero(hit)
    some = arr.take(pa.array(rows))
    out = {}
    for key, rx in patterns.items():
        flag = np.zeros(len(text), dtype=bool)
        flag[rows] = search(some, rx, ignore_case=True)
        out[key] = pd.Series(flag, index=text.index)
    return out


def labels(flags: dict[str, pd.Series], index: pd.Index, sep: str = ", ") -> pd.Series:
    """'a, b' of the keys whose flag is true, in the order of `flags`; NA where none is.
    Servers share few combinations, so each is spelled once and then spread."""
    if not flags:
        return pd.Series(pd.NA, index=index, dtype="string")
    keys = list(flags)
    matrix = np.column_stack([pd.Series(flags[k]).fillna(False).to_numpy(dtype=bool) for k in keys])
    if len(keys) < 63:  # each row's flags as the bits of one integer: a numeric unique
        packed = matrix.astype(np.int64) @ (np.int64(1) << np.arange(len(keys), dtype=np.int64))
        codes, inverse = np.unique(packed, return_inverse=True)
        combos = (codes[:, None] >> np.arange(len(keys))) & 1
    else:  # rows compared as a whole (slower: numpy sorts them as opaque records)
        combos, inverse = np.unique(matrix, axis=0, return_inverse=True)
    spelled = [
        sep.join(k for k, on in zip(keys, combo, strict=True) if on) or None for combo in combos
    ]
    values = np.array(spelled, dtype=object)[inverse.reshape(-1)]
    return pd.Series(values, index=index, dtype="string")


def joined(*parts: pd.Series) -> pd.Series:
    """Evidence parts joined with '; ', missing parts skipped; NA where none is known."""
    out = parts[0].fillna("")
    for part in parts[1:]:
        out = out + ("; " + part).fillna("")
    out = out.str.removeprefix("; ")
    return out.astype("string").mask(out.eq(""))


def short_list(items: list[str], limit: int) -> str | None:
    """'a, b, c and 4 more': at most `limit` items named, the rest counted; None for none."""
    if not items:
        return None
    head = ", ".join(items[:limit])
    return head if len(items) <= limit else f"{head} and {len(items) - limit} more"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 server', '3 servers': a count with its noun in the right number, for sentences
    people read (never 'server(s)')."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


# --- words for people ---------------------------------------------------------------------

#: A count followed, within two words, by a noun written 'word(s)': '2 more server(s)'.
_COUNTED = re.compile(r"\b(\d[\d,]*)((?:\s+[A-Za-z-]+){0,2}?\s+)([A-Za-z-]+)\(s\)")
_OPTIONAL_S = re.compile(r"\b([A-Za-z-]+)\(s\)")


def plural_words(text: str) -> str:
    """Text written once for every count ('2 server(s)', '1 adapter(s)') as text for people:
    the noun after a count agrees with it ('2 servers', '1 adapter'); one without a count is
    plural. Rule messages, the plan's notes and a few fact texts are worded this way."""

    def agree(m: re.Match[str]) -> str:
        n = int(m.group(1).replace(",", ""))
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{'' if n == 1 else 's'}"

    return _OPTIONAL_S.sub(r"\1s", _COUNTED.sub(agree, str(text)))


#: A generated suffix on a port-group or network name: a UUID or a long hexadecimal run
#: (vSphere distributed switches and NSX append them: 'VM Network-dvs-1f3a...').
_GENERATED_SUFFIX = re.compile(
    r"[-_ ]?\(?(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{16,})\)?(?=$|[\s,;)])",
    re.IGNORECASE,
)


def network_name(value: object) -> str:
    """A network or port-group name as people read it: percent-encoded characters decoded
    (vCenter exports a '/' in a name as '%2f') and a generated UUID or hex suffix dropped
    ('DMZ-9a1e…' -> 'DMZ'). A name that is nothing but such an identifier is kept whole."""
    text = "" if value is None else str(value)
    if "%" in text:
        text = unquote(text)
    short = _GENERATED_SUFFIX.sub("", text).strip(" -_")
    return short or text


def network_names(text: pd.Series) -> pd.Series:
    """`network_name` over a column of names or of name lists ('a, b'); the few distinct
    values are cleaned once each and spread, NA stays NA."""
    values = text.astype("string")
    distinct = values.dropna().unique()
    cleaned = {v: ", ".join(network_name(part) for part in v.split(", ")) for v in distinct}
    return values.map(cleaned, na_action="ignore").astype("string")
