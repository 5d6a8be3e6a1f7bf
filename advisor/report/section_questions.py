"""Questions for the customer: the report page the consultant sends after the first workshop.

`_questions` turns `advisor.report.questions.customer_questions` (one question per topic the
data left open, with every server concerned) into the page: each question with its count,
the first servers by name and the rules whose unknown verdicts the answer settles. The
workbook's Questions sheet lists every server; the page stays short.
"""

from __future__ import annotations

from advisor.report.formatting import anchor, plural
from advisor.report.model_context import _Context
from advisor.report.model_types import QuestionItem, QuestionsSection
from advisor.report.questions import CustomerQuestion, customer_questions

#: Servers named per question before "and N more".
QUESTION_NAMES = 8


def _questions(ctx: _Context, questions: list[CustomerQuestion] | None = None) -> QuestionsSection:
    """The questions page; `questions` when the caller has them already."""
    asked = customer_questions(ctx.a) if questions is None else questions
    with_section = _codes_with_section(ctx)
    items = [
        QuestionItem(
            topic=q.topic,
            question=q.question,
            count=plural(q.count, "server"),
            servers=_names(q.servers),
            rules=[(c, anchor("rule", c) if c in with_section else "") for c in q.codes],
        )
        for q in asked
    ]
    if not items:
        intro = (
            "The inventory and the engagement profile answered every question the rules "
            "asked: no verdict waits on the customer."
        )
    else:
        intro = (
            f"The data leaves {plural(len(items), 'topic')} open. Each request below says "
            "what to send and for which servers; the answers settle the verdicts marked "
            "unknown and raise the confidence of the plan. The workbook's Questions sheet "
            "lists every server concerned."
        )
    return QuestionsSection(intro=intro, items=items)


def _names(servers: tuple[str, ...]) -> str:
    shown = ", ".join(servers[:QUESTION_NAMES])
    more = len(servers) - QUESTION_NAMES
    return f"{shown} and {more:,} more" if more > 0 else shown


def _codes_with_section(ctx: _Context) -> set[str]:
    """Rules the findings section describes (a failure, an accepted or an estate-wide one):
    only those have an anchor to link to."""
    shown = set(ctx.listed["code"])
    port = ctx.portfolio
    return shown | set(port.loc[port["status"] == "fail", "code"])
