"""The customer report as HTML: the report model rendered by the templates in `reports/`.

One Jinja2 environment, autoescaping everything, undefined names are errors, templates only
from the reports folder. Inventory values reach the templates as data in the model and are
escaped on output; no inventory text is ever compiled as a template. The same HTML feeds
WeasyPrint for the PDF (`pdf_report.py`), which differs only in how the logo is referenced.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

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


def render_model(model: ReportModel, *, logo_src: str | None) -> str:
    """HTML of a report model; `logo_src` is how the page refers to the logo, if any."""
    return environment().get_template(TEMPLATE).render(m=model, logo_src=logo_src)


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
    return render_model(model, logo_src=logo_data_uri(model.cover.logo))


def render_html(assessment: Any, appendix: bool = False, *, date: dt.date | None = None) -> str:
    """The self-contained HTML report of an assessment (charts and logo embedded)."""
    return model_html(build_report_model(assessment, appendix, date=date))


def write_html(
    assessment: Any, path: Path, appendix: bool = False, *, date: dt.date | None = None
) -> Path:
    """Write the HTML report to `path` (its folder is created) and return the path."""
    return write_model_html(build_report_model(assessment, appendix, date=date), path)


def write_model_html(model: ReportModel, path: Path) -> Path:
    """Write the self-contained HTML of a report model to `path` and return the path."""
    return write_report_file(Path(path), model_html(model), "the HTML report")


def write_report_file(path: Path, data: str | bytes, what: str) -> Path:
    """Write a finished report file, creating its folder, under a temporary name renamed
    over `path` (so a stopped run never leaves half a file); a failing write is an input
    error naming the file (a full disk, a folder without write access)."""
    try:
        with replacing(path) as tmp:
            if isinstance(data, bytes):
                tmp.write_bytes(data)
            else:
                tmp.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write {what} ({exc.strerror or exc})") from exc
    return path
