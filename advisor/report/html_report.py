"""The customer report as HTML: the report model rendered by the templates in `reports/`.

One Jinja2 environment, autoescaping everything, undefined names are errors, templates only
from the reports folder. Inventory values reach the templates as data in the model and are
escaped on output; no inventory text is ever compiled as a template. The same templates
feed WeasyPrint for the PDF (`pdf_report.py`); the `medium` tells them which copy they
render. The HTML is the interactive copy: every row of every table, screen styles
(`reports/screen.css`) and a small inline script (`reports/interactive.js`) that sorts and
filters the tables without fetching anything. The PDF cuts long tables, refers to the logo
by its file, and carries no script.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from advisor.errors import InputError
from advisor.report.atomic import replacing
from advisor.report.formatting import TEXT_LIMIT, display_text
from advisor.report.model import ReportModel, build_report_model
from advisor.resources import data_path

TEMPLATE = "templates/report.html.j2"


def reports_dir() -> Path:
    """The report assets folder (templates, CSS, fonts), checkout or installed wheel."""
    return data_path("reports")


@lru_cache(maxsize=4)
def _environment(root: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(root),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        finalize=_finalize,
    )


def _finalize(value: Any) -> Any:
    """Every text a template prints, shortened to TEXT_LIMIT with a break opportunity in
    very long unbreakable runs (`display_text`): the model already shortens the names it
    knows, this holds for any other value from the inventory or the profile, in every
    section, present or future. Markup (rendered macros, the data: URIs of images) is the
    report's own and passes unchanged."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return display_text(value, TEXT_LIMIT)
    return value


def environment() -> Environment:
    """The Jinja2 environment of the report templates (cached per folder)."""
    return _environment(str(reports_dir()))


#: What the report is rendered for: the interactive HTML file or the PDF (via WeasyPrint).
Medium = Literal["html", "pdf"]


def render_model(model: ReportModel, *, logo_src: str | None, medium: Medium) -> str:
    """HTML of a report model; `logo_src` is how the page refers to the logo, if any.
    `medium` tells the templates which copy this is: the PDF cuts long tables to their
    first rows, the HTML shows every row and carries the screen styles and the small
    table script (`interactive_assets`), which the PDF never gets."""
    return "".join(_rendered(model, logo_src=logo_src, medium=medium))


def _rendered(model: ReportModel, *, logo_src: str | None, medium: Medium) -> Iterator[str]:
    """The report's HTML piece by piece, as the template produces it (see `render_model`)."""
    if medium not in ("html", "pdf"):
        raise ValueError(f"medium {medium!r}: expected 'html' or 'pdf'")
    screen_css, script = interactive_assets() if medium == "html" else (Markup(""), Markup(""))
    return (
        environment()
        .get_template(TEMPLATE)
        .generate(
            m=model,
            logo_src=logo_src,
            medium=medium,
            screen_css=screen_css,
            interactive_js=script,
        )
    )


#: The screen-only assets of the HTML copy, in the reports folder.
SCREEN_CSS = "screen.css"
INTERACTIVE_JS = "interactive.js"


def interactive_assets() -> tuple[Markup, Markup]:
    """The screen styles and the table script of the HTML copy, inlined in the page so the
    file stays one file that fetches nothing. They are the report's own files, not data,
    hence Markup (printed as they are, never shortened); a closing tag inside either would
    end its element early, so it is refused rather than written."""
    return _assets(str(reports_dir()))


@lru_cache(maxsize=4)
def _assets(root: str) -> tuple[Markup, Markup]:
    css = (Path(root) / SCREEN_CSS).read_text(encoding="utf-8")
    script = (Path(root) / INTERACTIVE_JS).read_text(encoding="utf-8")
    for name, text, tag in ((SCREEN_CSS, css, "</style"), (INTERACTIVE_JS, script, "</script")):
        if tag in text.lower():
            raise ValueError(f"{name} must not contain {tag}")
    return Markup(css), Markup(script)


def logo_data_uri(path: Path | None) -> Markup | None:
    """The logo embedded as a data: URI, so the HTML file stands on its own (Markup: base64
    needs no escaping, and `_finalize` must not shorten it)."""
    if path is None:
        return None
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".svg":
        kind = "image/svg+xml"
    return Markup(f"data:{kind};base64,") + base64.b64encode(path.read_bytes()).decode()


def model_html(model: ReportModel) -> str:
    """The self-contained HTML of a report model (charts and logo embedded)."""
    return render_model(model, logo_src=logo_data_uri(model.cover.logo), medium="html")


def render_html(assessment: Any, appendix: bool = False, *, date: dt.date | None = None) -> str:
    """The self-contained HTML report of an assessment (charts and logo embedded)."""
    return model_html(build_report_model(assessment, appendix, date=date))


def write_html(
    assessment: Any, path: Path, appendix: bool = False, *, date: dt.date | None = None
) -> Path:
    """Write the HTML report to `path` (its folder is created) and return the path."""
    return write_model_html(build_report_model(assessment, appendix, date=date), path)


def write_model_html(model: ReportModel, path: Path) -> Path:
    """Write the self-contained HTML of a report model to `path` and return the path.

    The page goes to the file as the template produces it, never whole in memory: at
    100,000 servers it carries some 700,000 finding rows (hundreds of MiB of text)."""
    pieces = _rendered(model, logo_src=logo_data_uri(model.cover.logo), medium="html")
    return write_report_file(Path(path), pieces, "the HTML report")


def write_report_file(path: Path, data: str | bytes | Iterable[str], what: str) -> Path:
    """Write a finished report file, creating its folder, under a temporary name renamed
    over `path` (so a stopped run never leaves half a file); a failing write is an input
    error naming the file (a full disk, a folder without write access). `data` may be the
    text in pieces, written as they come."""
    try:
        with replacing(path) as tmp:
            if isinstance(data, bytes):
                tmp.write_bytes(data)
            elif isinstance(data, str):
                tmp.write_text(data, encoding="utf-8")
            else:
                with tmp.open("w", encoding="utf-8") as out:
                    out.writelines(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write {what} ({exc.strerror or exc})") from exc
    return path
