"""The Questions sheet: what to ask the customer, one row per question and server.

`advisor.report.questions` groups what the data left open into a few requests, each naming
the servers it concerns. The PDF lists each request once; the team needs to filter: by
topic to send one request with its server list to the right person, by server (or site)
to see everything still open about a machine before a workshop. So the sheet has one row
per question and server, the request repeated on each row, with its topic, how many
servers it concerns and the rules whose undecided outcome raised it. A question about
every server in scope has one row, with the server "(every server in scope)".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.report.formatting import display_text
from advisor.report.questions import CustomerQuestion, customer_questions
from advisor.report.xlsx_sheets import Col, Table, table_sheet

#: The one row of a question about every server in scope (a row per server says nothing).
ALL = "(every server in scope)"

QUESTION_COLS: tuple[Col, ...] = (
    Col("topic", "Topic", 22),
    Col("server", "Server", 24),
    Col("site", "Site", 16),
    Col("servers", "Servers asked", 10),
    Col("codes", "Raised by rules", 24),
    Col("question", "Question", 100),
)


def question_frame(
    assessment: Any, questions: list[CustomerQuestion] | None = None
) -> pd.DataFrame:
    """One row per question and server concerned, questions in the module's order (most
    servers first), servers by name; the site is the server's site as the profile set it.
    `questions`: the assessment's `customer_questions`, when the caller has them."""
    if questions is None:
        questions = customer_questions(assessment)
    if not questions:
        return pd.DataFrame({c.key: pd.Series([], dtype=object) for c in QUESTION_COLS})
    heads = pd.DataFrame(
        {
            "topic": [q.topic for q in questions],
            "question": [q.question for q in questions],
            "servers": [q.count for q in questions],
            "codes": [", ".join(q.codes) for q in questions],
            "server": [
                [ALL] if q.count >= len(assessment.servers) else list(q.servers) for q in questions
            ],
        }
    )
    out = heads.explode("server", ignore_index=True)
    servers = assessment.servers
    site = servers["site"].astype("string")
    if "site" in assessment.facts.columns:
        site = assessment.facts["site"].reindex(servers.index).astype("string").fillna(site)
    # The questions name servers as the reports show them (display_text of the name).
    # and the sheet by their names as the Servers sheet has them.
    shown = servers["name"].astype("string").map(display_text).to_numpy()
    by_shown = pd.DataFrame({"name": servers["name"].to_numpy(), "site": site.to_numpy()})
    by_shown = by_shown.set_axis(shown)
    by_shown = by_shown[~by_shown.index.duplicated()]
    out["site"] = out["server"].map(by_shown["site"])
    names = dict(zip(by_shown.index, by_shown["name"], strict=True))
    out["server"] = [names.get(s, s) for s in out["server"]]
    out["codes"] = out["codes"].replace("", None)
    return out[[c.key for c in QUESTION_COLS]]


def write_questions(
    wb: Any, assessment: Any, questions: list[CustomerQuestion] | None = None
) -> Table:
    frame = question_frame(assessment, questions)
    topics = frame["topic"].nunique()
    note = (
        f"{topics} questions for the customer, one row per question and server they concern "
        f"({len(frame):,} rows; a question about every server has one row, '{ALL}'): filter "
        "Topic to send one request with its servers, or Server or Site to see what is "
        "still open about a machine. Each answer turns "
        "unknown outcomes into verdicts and raises confidence."
    )
    return table_sheet(wb, "Questions", note, QUESTION_COLS, frame, freeze_cols=1)


__all__ = ["ALL", "QUESTION_COLS", "question_frame", "write_questions"]
