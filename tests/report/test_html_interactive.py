"""The interactive HTML copy: every row in its table, one inline script, nothing fetched,
and none of it in the HTML that WeasyPrint lays out as the PDF.

The sample is rendered once per module for each medium (HTML only: no PDF is laid out
here). Tables are read with the standard library's HTML parser, so the test checks what a
browser receives, not the model.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest

from advisor.engine.assess import Assessment
from advisor.report import html_report
from advisor.report.formatting import display_text
from advisor.report.html_report import interactive_assets, logo_data_uri, render_model
from advisor.report.model import build_report_model
from advisor.report.model_types import TABLE_ROWS


class _Tables(HTMLParser):
    """Per table: the id of the section around it, its classes, header texts, and per body
    row the text of each cell; plus every script element with its attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.sections: list[str] = []
        self.open: list[str] = []  # element stack, for matching section ends
        self.table: dict[str, Any] | None = None
        self.in_head = self.in_body = False
        self.cell: list[str] | None = None
        self.raw: tuple[str, dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self.raw = (tag, a, [])
            return
        if tag == "section":
            self.sections.append(a.get("id") or "")
        if tag == "table":
            self.table = {
                "section": next((s for s in reversed(self.sections) if s), ""),
                "classes": set((a.get("class") or "").split()),
                "head": [],
                "rows": [],
            }
            self.tables.append(self.table)
        elif self.table is not None:
            if tag == "thead":
                self.in_head = True
            elif tag == "tbody":
                self.in_body = True
            elif tag == "tr" and self.in_body:
                self.table["rows"].append([])
            elif tag in ("td", "th"):
                self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.raw is not None and tag == self.raw[0]:
            kind, a, text = self.raw
            if kind == "script":
                self.scripts.append((a, "".join(text)))
            self.raw = None
        elif tag == "section" and self.sections:
            self.sections.pop()
        elif tag == "table":
            self.table = None
        elif self.table is not None:
            if tag == "thead":
                self.in_head = False
            elif tag == "tbody":
                self.in_body = False
            elif tag in ("td", "th") and self.cell is not None:
                text = " ".join("".join(self.cell).split())
                if self.in_head:
                    self.table["head"].append(text)
                elif self.in_body and self.table["rows"]:
                    self.table["rows"][-1].append(text)
                self.cell = None

    def handle_data(self, data: str) -> None:
        if self.raw is not None:
            self.raw[2].append(data)
        elif self.cell is not None:
            self.cell.append(data)


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def model(acme_sample: Assessment) -> Any:
    return build_report_model(acme_sample)


@pytest.fixture(scope="module")
def html(model: Any) -> str:
    return render_model(model, logo_src=logo_data_uri(model.cover.logo), medium="html")


@pytest.fixture(scope="module")
def pdf_html(model: Any) -> str:
    return render_model(model, logo_src=None, medium="pdf")


def _finding_names(a: Assessment) -> dict[str, list[str]]:
    """Per rule, the names of the servers it failed or whose failure was accepted."""
    f = a.evaluation.findings
    f = f[f["status"].isin(["fail", "accepted"])]
    names = f["server_id"].map(a.servers["name"]).astype(str).map(display_text)
    return {code: sorted(part) for code, part in names.groupby(f["code"])}


def _rule_tables(parsed: _Tables) -> dict[str, dict[str, Any]]:
    tables = [t for t in parsed.tables if "servers" in t["classes"]]
    by_rule = {t["section"].removeprefix("rule-").upper(): t for t in tables}
    assert len(by_rule) == len(tables), "one server table per rule section"
    return by_rule


def test_every_server_of_a_finding_is_in_its_table(acme_sample, html):
    expected = _finding_names(acme_sample)
    tables = _rule_tables(_parse(html))
    per_server = {c: names for c, names in expected.items() if c in tables}
    assert per_server, "the sample has no rule with a server table"
    assert max(len(n) for n in per_server.values()) > TABLE_ROWS, (
        "the sample must have a rule longer than the PDF's cut, or this test proves nothing"
    )
    for code, names in per_server.items():
        rows = tables[code]["rows"]
        assert sorted(r[0] for r in rows) == names, code
    # every rule with a failing server has its table
    assert set(expected) - set(tables) <= {c for c in expected if not expected[c]}


def test_the_pdf_copy_lists_fewer_rows_than_the_html(acme_sample, html, pdf_html):
    """The cut is the PDF's alone: at most TABLE_ROWS rows of each kind (failed, accepted),
    fewer than the HTML where a rule has more servers than that."""
    expected = _finding_names(acme_sample)
    full, cut = _rule_tables(_parse(html)), _rule_tables(_parse(pdf_html))
    long = [code for code, names in expected.items() if len(names) > TABLE_ROWS and code in cut]
    assert long
    for code in long:
        assert len(cut[code]["rows"]) <= 2 * TABLE_ROWS, code
        assert len(cut[code]["rows"]) < len(full[code]["rows"]), code


def test_every_out_of_scope_server_is_in_the_html(acme_sample, html):
    out = acme_sample.out_of_scope
    scope_tables = [t for t in _parse(html).tables if "scope-table" in t["classes"]]
    listed = sorted(r[0] for t in scope_tables for r in t["rows"])
    assert listed == sorted(out["name"].astype(str).map(display_text))


def test_the_script_is_inline_once_and_fetches_nothing(html):
    parsed = _parse(html)
    assert len(parsed.scripts) == 1
    attrs, text = parsed.scripts[0]
    assert "src" not in attrs
    assert text.strip() == str(interactive_assets()[1]).strip()
    assert len(text.encode()) < 8 * 1024, "the table script stays small"
    # the script fetches nothing and writes no markup: cell text is read as text
    for word in ("fetch(", "XMLHttpRequest", "innerHTML", "outerHTML", "insertAdjacentHTML",
                 "document.write", "eval(", "import(", "http:", "https:"):  # fmt: skip
        assert word not in text, word
    assert "textContent" in text
    # nothing in the page is loaded from the network
    assert not re.search(
        r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="(?:https?:)?//', html
    )
    assert not re.search(r'url\(\s*["\']?(?:https?:)?//', html)


def test_the_screen_styles_are_screen_only(html):
    css = str(interactive_assets()[0])
    assert css in html
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S).strip()
    assert body.startswith("@media screen {")
    depth, closes = 0, []
    for i, ch in enumerate(body):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "}" and depth == 0:
            closes.append(i)
    assert closes == [len(body) - 1], "every rule is inside the one @media screen block"


def test_the_pdf_html_has_no_script_and_no_screen_styles(pdf_html):
    parsed = _parse(pdf_html)
    assert parsed.scripts == []
    assert "<script" not in pdf_html.lower()
    assert str(interactive_assets()[0]) not in pdf_html
    assert "max-width: 1400px" not in pdf_html


def test_data_tables_have_a_header_the_script_can_sort_by(html):
    """The script makes a table sortable from its thead: each server table has one, with
    one header per column of its rows, and readiness cells carry their order."""
    tables = _rule_tables(_parse(html))
    for code, t in tables.items():
        assert t["head"][0] == "Server", code
        assert all(len(r) == len(t["head"]) for r in t["rows"]), code
    assert html.count('data-order="not_ready"') + html.count('data-order="conditional"') > 0


def test_render_model_refuses_an_unknown_medium(model):
    with pytest.raises(ValueError, match="medium"):
        render_model(model, logo_src=None, medium="print")  # type: ignore[arg-type]


def test_assets_with_a_closing_tag_are_refused(tmp_path, monkeypatch):
    (tmp_path / "screen.css").write_text("@media screen {}", encoding="utf-8")
    (tmp_path / "interactive.js").write_text('var a = "</script><b>";', encoding="utf-8")
    monkeypatch.setattr(html_report, "reports_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match="</script"):
        interactive_assets()


def test_out_of_scope_tables_list_every_server_in_the_html_and_cut_in_the_pdf(real_655):
    """The 655-VM export sets aside more machines of one kind than the PDF lists: the HTML
    names each of them, the PDF the first few with how many more."""
    model = build_report_model(real_655)
    out = real_655.out_of_scope
    by_kind = out.groupby("category").size()
    assert int(by_kind.max()) > 8, "the export no longer has a large out-of-scope category"
    html = render_model(model, logo_src=None, medium="html")
    pdf = render_model(model.for_pdf(), logo_src=None, medium="pdf")
    scope_html = html[html.index('id="scope"') : html.index('id="findings"')]
    scope_pdf = pdf[pdf.index('id="scope"') : pdf.index('id="findings"')]
    for name in out["name"].astype(str):
        assert f'<td class="name">{escape(display_text(name))}</td>' in scope_html, name
    assert scope_pdf.count('<td class="name">') < len(out)
    assert "more, listed in the workbook" in scope_pdf
