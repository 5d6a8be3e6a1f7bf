"""The sample estate assessed once for all report tests, and the finding its profile accepts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.engine.assess import Assessment, assess
from advisor.inventory import load_inventory
from advisor.plan.stage import assess_and_plan
from advisor.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
REAL_655 = "rvtools-4.6.1-anon-655vms.xlsx"
#: The date the shared sample PDF carries.
ACME_DAY = dt.date(2026, 10, 5)


@pytest.fixture(scope="session")
def acme_sample() -> Assessment:
    """The sample estate assessed with its profile."""
    return assess(load_inventory(SAMPLE), load_profile(PROFILE))


@pytest.fixture(scope="session")
def acme_planned() -> Any:
    """The sample estate assessed and planned as `advisor demo` does."""
    return assess_and_plan(load_inventory(SAMPLE), load_profile(PROFILE))


@pytest.fixture(scope="session")
def acme_planned_pdf(acme_planned: Any) -> bytes:
    """Its PDF report dated 5 October 2026, laid out once for every module that reads it
    (the layout is the slow part of the report tests)."""
    from advisor.report.fetcher import ReportFetcher
    from advisor.report.html_report import reports_dir
    from advisor.report.pdf_report import render_pdf

    return render_pdf(acme_planned, date=ACME_DAY, fetcher=ReportFetcher(reports_dir()))


@pytest.fixture(scope="session")
def acme_compared() -> Any:
    """The sample with its plan, compared with Scaleway: every per-server key is filled."""
    return assess_and_plan(load_inventory(SAMPLE), load_profile(PROFILE), compare="scaleway")


@pytest.fixture(scope="session")
def real_655(corpus: Path) -> Any:
    """The 655-VM real export (../shared/inventories) assessed and planned without a
    profile, as a consultant's first run would."""
    from advisor.profile import default_profile

    path = corpus / REAL_655
    if not path.is_file():
        pytest.skip(f"{REAL_655} is not in the corpus")
    return assess_and_plan(load_inventory(path), default_profile())


@pytest.fixture(scope="session")
def strict_json() -> Any:
    """`json.loads` that fails the test on NaN or Infinity: assessment.json is strict JSON."""

    def parse(text: str) -> Any:
        def refuse(name: str) -> None:
            raise AssertionError(f"assessment.json holds {name}")

        return json.loads(text, parse_constant=refuse)

    return parse


@pytest.fixture(scope="session")
def accepted(acme_sample: Assessment) -> dict[str, Any]:
    """The exception the sample profile accepts ({rule, server, reason}); it must accept a
    finding that fails, or the reports would have no accepted finding to show."""
    exception = dict(yaml.safe_load(PROFILE.read_text(encoding="utf-8"))["exceptions"][0])
    f = acme_sample.evaluation.findings
    names = f["server_id"].map(acme_sample.servers["name"])
    hit = f[(f["code"] == exception["rule"]) & (names == exception["server"])]
    assert hit["status"].tolist() == ["accepted"], "the sample profile accepts no failed finding"
    return exception
