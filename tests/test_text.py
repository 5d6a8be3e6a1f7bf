"""The shared text-evidence helpers: RE2 first, Python's re for what RE2 lacks, the same
answers either way, and missing text never matching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor import text


def col(*values: str | None, dtype: str = "string") -> pd.Series:
    return pd.Series(list(values), dtype=dtype, index=[f"s{i}" for i in range(len(values))])


@pytest.mark.parametrize("dtype", ["string", "object", "str"])
def test_search_any_case_missing_is_false(dtype):
    got = text.search(col("Domain Controller", None, "file server", dtype=dtype), "domain contr")
    assert got.dtype == np.bool_
    assert got.tolist() == [True, False, False]


def test_search_can_be_case_sensitive():
    assert text.search(col("SQL", "sql"), "sql", ignore_case=False).tolist() == [False, True]


def test_lookarounds_fall_back_to_python_re():
    values = col("x86 server", "x86-64 server", None, "i386")
    got = text.search(values, r"\bx86\b(?![-_ ]?64)|\bi[3-6]86\b")
    assert got.tolist() == [True, False, False, True]


def test_first_returns_the_whole_match_with_groups_and_escaped_brackets():
    values = col("Windows (32-bit)", "Oracle RAC on two nodes", None, "nothing")
    assert text.first(values, r"\(32-bit\)").tolist()[0] == "(32-bit)"
    got = text.first(values, r"(oracle|db2) (rac|dataguard)")
    assert got.tolist()[1] == "Oracle RAC"
    assert got.isna().tolist() == [True, False, True, True]
    assert list(got.index) == list(values.index)


def test_first_falls_back_for_lookarounds():
    got = text.first(col("dhcp relay", "dhcp server"), r"dhcp(?! relay)")
    assert got.isna().tolist() == [True, False]


def test_replace_uses_re2_backreferences():
    got = text.replace(col("dhcp client here", None), r"dhcp (client)", r"dhcp_\1")
    assert got.tolist()[0] == "dhcp_client here"
    assert pd.isna(got.tolist()[1])


def test_mentioned_ignores_negated_mentions_on_both_sides():
    values = col("keepalived VIP", "no keepalived", "keepalived was never set up", None)
    assert text.mentioned(values, "keepalived").tolist() == [True, False, False, False]


def test_quoted_only_where_asked():
    values = col("Uses a HASP dongle", "hasp key", "none")
    got = text.quoted(values, r"hasp|dongle", where=pd.Series([True, False, True], values.index))
    assert got.tolist()[0] == "'hasp'"
    assert got.isna().tolist() == [False, True, True]


def test_flag_each_matches_each_pattern_separately():
    values = col("oracle and sap", "sap only", None)
    got = text.flag_each(values, {"oracle": r"\boracle\b", "sap": r"\bsap\b"})
    assert got["oracle"].tolist() == [True, False, False]
    assert got["sap"].tolist() == [True, True, False]


def test_labels_keep_the_order_of_the_flags_and_treat_na_as_false():
    idx = pd.Index(["a", "b", "c", "d"])
    flags = {
        "oracle": pd.Series([True, False, True, False], index=idx),
        "sap": pd.Series([True, True, pd.NA, False], index=idx, dtype="boolean"),
    }
    got = text.labels(flags, idx)
    assert got.tolist()[:3] == ["oracle, sap", "sap", "oracle"]
    assert pd.isna(got["d"])
    assert text.labels({}, idx).isna().all()


@pytest.mark.parametrize("keys", [3, 62, 63, 70])
def test_labels_spell_every_combination_whatever_the_number_of_flags(keys):
    """Up to 62 flags a row's combination is packed into one integer; beyond, rows are
    compared whole: both spell each row as its flags say."""
    rng = np.random.default_rng(keys)
    idx = pd.RangeIndex(300)
    flags = {f"f{k}": pd.Series(rng.random(300) < 0.2, index=idx) for k in range(keys)}
    flags["f1"] = flags["f1"].astype("boolean").mask(pd.Series(rng.random(300) < 0.3))
    got = text.labels(flags, idx, sep="|").tolist()
    for row in range(300):
        on = [k for k, v in flags.items() if v.iloc[row] is not pd.NA and bool(v.iloc[row])]
        if on:
            assert got[row] == "|".join(on), row
        else:
            assert pd.isna(got[row]), row


def test_member_compares_as_text_against_any_collection():
    ids = pd.Index(["vm-1", "vm-2", None], dtype="string")
    assert text.member(ids, {"vm-2"}).tolist() == [False, True, False]
    assert text.member(col("vm-1", "vm-9"), ids).tolist() == [True, False]
    assert text.member(pd.Series([1, 2]), [2]).tolist() == [False, True]
    assert text.member(col("a"), []).tolist() == [False]


def test_short_list_names_up_to_the_limit_and_counts_the_rest():
    assert text.short_list([], 3) is None
    assert text.short_list(["a", "b"], 3) == "a, b"
    assert text.short_list(["a", "b", "c", "d", "e"], 3) == "a, b, c and 2 more"
