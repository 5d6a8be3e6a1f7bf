"""The report model's shortcuts for large estates give what the plain way gives.

The model of the PDF skips work a large estate makes expensive: it sorts only the findings
a names line can start with, counts servers from their positions, and groups the customer
questions without sorting their rows. Each shortcut is checked here against the plain
computation on data made to catch it out (ties at the cut, accepted findings, servers
without a score, findings of a server the report does not list).
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from advisor.report.model_context import positions, servers_per
from advisor.report.model_types import MINOR_NAMES
from advisor.report.pdf_report import LAYOUT_GC_THRESHOLD, layout_pdf
from advisor.report.questions import _per_topic
from advisor.report.section_areas import _server_rows


def _findings(n: int, seed: int) -> pd.DataFrame:
    """Findings of three rules over `n` servers with few distinct scores (many ties at
    any cut), some accepted, some without a score, messages naming their server."""
    rng = np.random.default_rng(seed)
    names = [f"srv{i:04d}" for i in rng.permutation(n)]
    score = rng.choice([10.0, 20.0, 20.0, 30.0, 55.0], n)
    score[::17] = np.nan
    return pd.DataFrame(
        {
            "server_id": [f"id-{i}" for i in range(n)],
            "code": rng.choice(["AAA001", "BBB002", "CCC003"], n),
            "status": rng.choice(["fail", "fail", "fail", "accepted"], n),
            "score": score,
            "server": pd.array(names, dtype="string"),
            "site": "Zurich",
            "readiness": "not_ready",
            "message": [
                f"{name} lacks a backup" if i % 3 else "shared text" for i, name in enumerate(names)
            ],
            "reason": None,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pdf_rows_and_names_lines_as_from_the_whole_sort(seed):
    f = _findings(300, seed)
    limits = {"AAA001": 5, "BBB002": 0, "CCC003": 0}
    rows, lines = _server_rows(f, limits)
    pdf_rows, pdf_lines = _server_rows(f, limits, pdf_only=True)
    assert pdf_lines == lines
    assert all(len(line.split(", ")) >= 2 for line in lines.values())
    shown = {code: [r for r in listed if r.in_pdf] for code, listed in rows.items()}
    assert pdf_rows == {code: listed for code, listed in shown.items() if listed}
    assert set(pdf_rows) == {"AAA001"}


def test_a_names_line_with_ties_beyond_its_length():
    """Every server of the rule has the same score: the names decide the line, so all of
    them are candidates, and the line is the alphabetical first ones."""
    f = _findings(40, 4).assign(code="BBB002", score=20.0, status="fail")
    _, lines = _server_rows(f, {"BBB002": 0}, pdf_only=True)
    first = sorted(f["server"].astype(str))[:MINOR_NAMES]
    assert lines["BBB002"] == f"{', '.join(first)} and {40 - MINOR_NAMES} more"


def test_servers_per_counts_as_a_group_by():
    f = _findings(500, 5)
    f = pd.concat([f, f.iloc[:50]], ignore_index=True)  # a server twice under a rule
    positions = {sid: i for i, sid in enumerate(dict.fromkeys(f["server_id"]))}
    f["server_at"] = f["server_id"].map(positions)
    expected = f.groupby("code")["server_id"].nunique()
    assert servers_per(f, "code").to_dict() == expected.to_dict()
    assert list(servers_per(f, "code").index) == list(expected.index)
    # A finding of a server the report does not have (-1): told apart by its id.
    f.loc[0, "server_at"] = -1
    assert servers_per(f, "code").to_dict() == expected.to_dict()


def test_positions_with_and_without_a_look_up():
    servers = pd.Index(["a", "b", "c"])
    assert positions(pd.Index(["a", "b", "c"]), servers).tolist() == [0, 1, 2]
    assert positions(pd.Index(["c", "x", "a"]), servers).tolist() == [2, -1, 0]


def test_per_topic_lists_each_item_once_in_item_order():
    topic = np.array([0, 0, 2, 0, 2, 2])
    item = np.array([3, 1, 1, 3, 0, 1])
    items = ["a", "b", "c", "d"]
    assert _per_topic(topic, item, items, 3) == [("b", "d"), (), ("a", "b")]
    assert _per_topic(np.zeros(0, dtype=int), np.zeros(0, dtype=int), items, 0) == []


def test_the_layout_runs_the_collector_less_often_and_restores_it(monkeypatch):
    import weasyprint

    from advisor.report.fetcher import ReportFetcher
    from advisor.report.html_report import reports_dir

    seen = []

    def write_pdf(self, *args, **kwargs):
        seen.append(gc.get_threshold())
        raise RuntimeError("layout failed")

    before = gc.get_threshold()
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)
    with pytest.raises(RuntimeError):
        layout_pdf("<p>x</p>", ReportFetcher(reports_dir(), []))
    assert seen == [(max(before[0], LAYOUT_GC_THRESHOLD), *before[1:])]
    assert gc.get_threshold() == before
