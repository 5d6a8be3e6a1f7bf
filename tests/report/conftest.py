"""The sample estate assessed once for all report tests, and the finding its profile accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.engine.assess import Assessment, assess
from advisor.inventory import load_inventory
from advisor.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"


@pytest.fixture(scope="session")
def acme_sample() -> Assessment:
    """The sample estate assessed with its profile."""
    return assess(load_inventory(SAMPLE), load_profile(PROFILE))


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
