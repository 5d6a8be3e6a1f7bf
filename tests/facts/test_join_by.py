"""`join_by` (distinct values per key, sorted and joined, optionally cut after a few) is
used by the network, topology and wave facts; it works on sorted integer codes, so it is
checked against the plain definition on arbitrary keys, values and gaps."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.facts.network import join_by

KEYS = st.sampled_from(["a", "b", "vm-10", "vm-9", "É", None])
VALUES = st.one_of(
    st.none(),
    st.sampled_from(["x", "y", "10.0.0.1", "10.0.0.10", "Ä", "a b", ""]),
    st.integers(0, 3),
)


def _expected(keys: list, values: list, index: list, sep: str, limit: int) -> list:
    out = []
    for key in index:
        seen = sorted(
            {str(v) for k, v in zip(keys, values, strict=True) if k == key and v is not None}
        )
        if not seen:
            out.append(pd.NA)
            continue
        shown = seen[:limit] if limit else seen
        text = sep.join(shown)
        if limit and len(seen) > limit:
            text += f" and {len(seen) - limit} more"
        out.append(text)
    return out


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(KEYS, VALUES), max_size=30),
    sep=st.sampled_from([", ", "; ", "|"]),
    limit=st.integers(0, 3),
)
def test_join_by_is_the_sorted_distinct_values_of_each_key(pairs, sep, limit):
    keys = [k for k, _ in pairs]
    values = [v for _, v in pairs]
    index = pd.Index(["a", "b", "vm-10", "vm-9", "É", "none"], dtype=object)
    got = join_by(
        pd.Series(keys, dtype=object),
        pd.Series(values, dtype=object),
        index,
        sep=sep,
        limit=limit,
    )
    assert str(got.dtype) == "string"
    assert got.index.equals(index)
    assert got.tolist() == _expected(keys, values, list(index), sep, limit)
