"""What keeps a 100,000-server run inside its memory budget, checked on the sample where it
is cheap: the findings table shares one string object per distinct text (most rows of a big
estate are unknown verdicts whose message and evidence repeat), the status matrix is
categorical, and the HTML written piece by piece is the page rendered whole."""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.engine.evaluate import STATUSES
from advisor.report.html_report import model_html, write_model_html
from advisor.report.model import build_report_model


def test_equal_finding_texts_are_one_object(acme_planned: Any) -> None:
    findings = acme_planned.evaluation.findings
    assert len(findings) > 100
    for column in ("server_id", "code", "name", "area", "severity", "status", "message",
                   "evidence", "disposition"):  # fmt: skip
        values = findings[column]
        assert values.dtype == object, column
        distinct = values.dropna()
        assert len({id(v) for v in distinct}) == distinct.nunique(), column


def test_the_status_matrix_is_categorical_over_the_outcomes(acme_planned: Any) -> None:
    status = acme_planned.evaluation.status
    assert all(isinstance(t, pd.CategoricalDtype) for t in status.dtypes)
    assert all(tuple(t.categories) == STATUSES for t in status.dtypes)
    findings = acme_planned.evaluation.findings
    row = findings.iloc[0]
    assert status.loc[row["server_id"], row["code"]] == row["status"]
    # every non-pass outcome of the matrix is a row of the findings table, and only those
    long = status.stack()
    assert int((long != "pass").sum()) == len(findings)


def test_the_streamed_html_is_the_page_rendered_whole(acme_planned: Any, tmp_path) -> None:
    model = build_report_model(acme_planned, date=pd.Timestamp("2026-10-05").date())
    path = write_model_html(model, tmp_path / "a.html")
    assert path.read_text(encoding="utf-8") == model_html(model)
