"""The report's URL fetcher: report assets and data: URIs only, nothing from the network."""

from __future__ import annotations

import socket

import pytest

from advisor.report.fetcher import FetchRefused, ReportFetcher
from advisor.report.html_report import reports_dir


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("the report fetcher tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def assets(tmp_path):
    root = tmp_path / "reports"
    (root / "fonts").mkdir(parents=True)
    (root / "report.css").write_text("body { color: black }", encoding="utf-8")
    (root / "fonts" / "a.ttf").write_bytes(b"\x00\x01font")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return root


def test_serves_files_inside_the_assets_folder(assets):
    fetcher = ReportFetcher(assets)
    response = fetcher.fetch((assets / "report.css").as_uri())
    assert response.read() == b"body { color: black }"
    assert response.content_type == "text/css"
    assert fetcher.fetch((assets / "fonts" / "a.ttf").as_uri()).read() == b"\x00\x01font"
    assert fetcher.refused == []


def test_serves_data_uris(assets):
    fetcher = ReportFetcher(assets)
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/font.ttf",
        "HTTP://EXAMPLE.COM/x.png",
        "ftp://example.com/x.png",
        "//example.com/x.png",
        "gopher://example.com/",
        "javascript:alert(1)",
        "file://example.com/etc/passwd",
    ],
)
def test_refuses_network_and_other_schemes(assets, url):
    fetcher = ReportFetcher(assets)
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_refuses_files_outside_the_folder(assets):
    fetcher = ReportFetcher(assets)
    outside = assets.parent / "secret.txt"
    base = assets.as_uri()
    for url in (
        outside.as_uri(),
        "file:///etc/passwd",
        f"{base}/../secret.txt",
        f"{base}/fonts/../../secret.txt",
        f"{base}/%2e%2e/secret.txt",
        f"{base}/missing.css",
        f"{base}/fonts",  # a folder, not a file
        f"{base}/report.css%00.png",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8


def test_refuses_a_symlink_that_leads_outside(assets):
    link = assets / "escape.css"
    link.symlink_to(assets.parent / "secret.txt")
    with pytest.raises(FetchRefused):
        ReportFetcher(assets).fetch(link.as_uri())


def test_serves_an_explicitly_allowed_logo_and_nothing_beside_it(assets, tmp_path):
    logo = tmp_path / "brand" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(b"\x89PNG logo")
    (logo.parent / "other.png").write_bytes(b"\x89PNG other")
    fetcher = ReportFetcher(assets, [logo])
    assert fetcher.fetch(logo.as_uri()).read() == b"\x89PNG logo"
    with pytest.raises(FetchRefused):
        fetcher.fetch((logo.parent / "other.png").as_uri())


def test_weasyprint_goes_through_the_fetcher_and_keeps_rendering(assets):
    from weasyprint import HTML

    html = (
        '<link rel="stylesheet" href="report.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        '<style>@import url("http://example.com/a.css"); '
        '@font-face { font-family: X; src: url("file:///etc/passwd") }</style>'
        '<img src="http://example.com/x.png"><img src="../secret.txt">'
        '<p style="background: url(ftp://example.com/b.png)">text</p>'
    )
    fetcher = ReportFetcher(assets)
    pdf = HTML(string=html, base_url=assets.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert (assets / "report.css").as_uri() in fetcher.requested
    refused = set(fetcher.refused)
    assert "https://example.com/evil.css" in refused
    assert "http://example.com/x.png" in refused
    assert "file:///etc/passwd" in refused
    assert (assets.parent / "secret.txt").as_uri() in refused
    served = set(fetcher.requested) - refused
    assert all(u.startswith((assets.as_uri(), "data:")) for u in served)


def test_the_shipped_assets_folder_has_the_fonts_and_their_licence():
    root = reports_dir()
    fonts = sorted(p.name for p in (root / "fonts").glob("*.ttf"))
    assert "DejaVuSans.ttf" in fonts and "DejaVuSans-Bold.ttf" in fonts
    assert (root / "fonts" / "LICENSE-DejaVu.txt").is_file()
    fetcher = ReportFetcher(root)
    assert fetcher.fetch((root / "fonts" / "DejaVuSans.ttf").as_uri()).read()[:4] in (
        b"\x00\x01\x00\x00",
        b"true",
    )
