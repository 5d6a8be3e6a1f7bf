"""assessment.json of a large estate is written part by part (a 100,000-server document would
take gigabytes as one object); the text must be the same JSON as the whole document encoded
at once, strict, and free of the machine's local paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.engine.rules import SEVERITIES
from advisor.report import json_report
from advisor.report.json_report import assessment_json, dumps_strict, stream_json, write_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"


@pytest.fixture(scope="module")
def planned(acme_compared):
    return acme_compared


@pytest.fixture(scope="module")
def whole(planned) -> str:
    return dumps_strict(assessment_json(planned))


@pytest.mark.parametrize("size", [1, 7, 5000])
def test_the_streamed_text_is_the_whole_document_whatever_the_part_size(planned, whole, size):
    assert "".join(stream_json(planned, size=size)) == whole


def test_parts_hold_every_server_once_in_the_contract_order(planned):
    parts = list(planned.server_json(size=10))
    assert all(0 < len(p) <= 10 for p in parts)
    servers = [s for p in parts for s in p]
    ids = [s["id"] for s in servers]
    assert len(ids) == len(set(ids)) == len(planned.inventory.servers)
    inside = [s for s in servers if s["scope"]["in_scope"]]
    assert servers[: len(inside)] == inside  # in scope first, then the servers left out
    assert [s["name"] for s in inside] == sorted(s["name"] for s in inside)
    assert any(s["findings"] for s in inside)
    for s in inside:
        ranks = [SEVERITIES.index(f["severity"]) for f in s["findings"]]
        assert ranks == sorted(ranks, reverse=True), s["name"]


def test_a_large_estate_is_written_compact_and_parses_to_the_indented_document(
    planned, tmp_path, monkeypatch, strict_json
):
    small = (write_json(planned, tmp_path / "small")).read_text(encoding="utf-8")
    assert small.startswith('{\n  "tool"')  # indented for people
    monkeypatch.setattr(json_report, "INDENT_UP_TO", 10)  # the sample now counts as large
    monkeypatch.setattr(json_report, "PART_SERVERS", 3)
    large = (write_json(planned, tmp_path / "large")).read_text(encoding="utf-8")
    assert "\n" not in large.rstrip("\n") and large.endswith("}\n")
    assert strict_json(large) == strict_json(small)


@pytest.mark.parametrize("large", [False, True])
def test_the_input_is_named_by_its_file_name_only(
    planned, tmp_path, monkeypatch, large, strict_json
):
    if large:
        monkeypatch.setattr(json_report, "INDENT_UP_TO", 0)
    text = write_json(planned, tmp_path).read_text(encoding="utf-8")
    assert strict_json(text)["input"]["path"] == "acme-rvtools.xlsx"
    assert str(SAMPLE.parent) not in text and str(ROOT) not in text


def test_non_finite_numbers_in_a_part_are_null(planned, monkeypatch, strict_json):
    real = type(planned).server_json

    def with_nan(self, size=1000):
        for i, part in enumerate(real(self, size)):
            if i == 1:
                part[0]["effort_hours"] = float("nan")
                part[-1]["effort_hours"] = float("inf")
            yield part

    monkeypatch.setattr(type(planned), "server_json", with_nan)
    doc = strict_json("".join(stream_json(planned, size=4)))
    assert doc["servers"][4]["effort_hours"] is None
    assert doc["servers"][7]["effort_hours"] is None
    assert doc["servers"][5]["effort_hours"] is not None


def test_empty_parts_and_an_estate_without_servers_still_make_a_list(
    planned, monkeypatch, strict_json
):
    real = type(planned).server_json
    monkeypatch.setattr(
        type(planned), "server_json", lambda self, size=1000: iter([[], *real(self, size), []])
    )
    assert (
        strict_json("".join(stream_json(planned, size=50)))["servers"]
        == strict_json(dumps_strict(assessment_json(planned)))["servers"]
    )
    monkeypatch.setattr(type(planned), "server_json", lambda self, size=1000: iter([[], []]))
    assert strict_json("".join(stream_json(planned)))["servers"] == []
