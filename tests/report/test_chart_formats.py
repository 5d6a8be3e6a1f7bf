"""Charts are SVG in the HTML report and opaque PNG in the PDF (issue 11: WeasyPrint drew
the SVG charts node by node, a third of the PDF's layout time)."""

from __future__ import annotations

import base64
import io
import pickle
import threading

import pytest
from PIL import Image

from advisor.report import charts

PNG_URI = "data:image/png;base64,"
SVG_URI = "data:image/svg+xml;base64,"


@pytest.fixture(scope="module")
def chart() -> charts.Chart:
    rows = [("bsl-fs-01", 5377.0, 6200.0, True), ("vie-fs-01", 571.0, 1100.0, False)]
    return charts.storage_chart(rows, "#0b6e4f")


def test_src_is_svg_unless_asked_for_raster(chart):
    assert chart.src.startswith(SVG_URI)
    with charts.raster_charts():
        assert chart.src.startswith(PNG_URI)
    assert chart.src.startswith(SVG_URI)  # the block ends, SVG again


def test_png_is_opaque_rgb_at_print_resolution(chart):
    with charts.raster_charts():
        data = base64.b64decode(chart.src.removeprefix(PNG_URI))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGB"  # no alpha: no mask in the PDF
    width_in = 6.4  # the storage chart's figure width
    assert image.width == round(width_in * charts.PRINT_DPI)
    # The bars are drawn: the alert red of the flagged server is in the picture.
    assert (0xC0, 0x39, 0x2B) in {c for _, c in image.getcolors(1 << 20)}


def test_each_format_is_drawn_once_and_travels_undrawn():
    fresh = charts.disposition_chart([("Rehost", 5), ("Retire", 2)], "#0b6e4f")
    travelled = pickle.loads(pickle.dumps(fresh))
    assert "png" not in travelled.__dict__ and "svg" not in travelled.__dict__
    first = travelled.png
    assert travelled.png is first  # cached
    assert "svg" not in travelled.__dict__  # the PDF never draws the SVG
    assert travelled.svg.startswith("<svg")


def test_raster_choice_stays_in_its_thread(chart):
    """The PDF worker may render beside another renderer: the choice is a context
    variable, not module state."""
    seen: list[str] = []
    entered, checked = threading.Event(), threading.Event()

    def other() -> None:
        entered.wait(10)
        seen.append(str(chart.src)[: len(SVG_URI)])
        checked.set()

    thread = threading.Thread(target=other)
    thread.start()
    with charts.raster_charts():
        entered.set()
        checked.wait(10)
    thread.join()
    assert seen == [SVG_URI]


def test_pdf_embeds_png_charts_and_the_html_svg(acme_sample, monkeypatch):
    """The HTML the PDF is laid out from carries only PNG charts; the HTML file only SVG."""
    from advisor.report import pdf_report
    from advisor.report.html_report import model_html
    from advisor.report.model import build_report_model

    model = build_report_model(acme_sample)
    laid_out: list[str] = []
    monkeypatch.setattr(pdf_report, "layout_pdf", lambda html, fetcher: laid_out.append(html))
    pdf_report.model_pdf(pickle.loads(pickle.dumps(model)))
    (for_pdf,) = laid_out
    assert for_pdf.count(PNG_URI) >= 2 and SVG_URI not in for_pdf
    for_screen = model_html(model)
    assert for_screen.count(SVG_URI) >= 2 and PNG_URI not in for_screen
