"""The only way WeasyPrint may read anything while it renders a report.

WeasyPrint resolves every stylesheet, font and image through a URL fetcher. The default one
follows http(s), ftp and any file:// path, so a hostile value that slipped into the HTML
could make a report phone home or embed a local file. This fetcher serves exactly:

- files inside the report assets folder (`reports/`: CSS, fonts, images), after resolving
  symlinks and `..`, so no path leaves the folder;
- files named explicitly by the caller (the profile's logo), compared by resolved path;
- `data:` URIs (the charts are embedded that way).

Everything else (http, https, ftp, file:// outside the folder, unknown schemes) raises
`FetchRefused`. Every request is recorded in `requested`, refused ones also in `refused`,
so tests can prove that nothing was even attempted.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class FetchRefused(ValueError):
    """A URL the report may not read: network, outside files, unknown schemes."""


class ReportFetcher(URLFetcher):
    """WeasyPrint URL fetcher confined to the report assets and explicitly allowed files."""

    def __init__(self, root: Path, allowed_files: Iterable[Path] = ()) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(root).resolve()
        self.allowed_files = frozenset(Path(p).resolve() for p in allowed_files)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        self.requested.append(url)
        try:
            return self._serve(url)
        except FetchRefused:
            self.refused.append(url)
            raise

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url)
        if scheme != "file":
            raise FetchRefused(f"report assets are local only; refused {url[:200]!r}")
        path = self.resolve_file(url)
        body = path.read_bytes()
        kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(
            path.as_uri(), body, {"Content-Type": kind or "application/octet-stream"}
        )

    def resolve_file(self, url: str) -> Path:
        """The file a file:// URL names, if the report may read it; else FetchRefused."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"file URL on another host refused: {url[:200]!r}")
        raw = unquote(parts.path)
        if "\x00" in raw:
            raise FetchRefused("file URL with a NUL byte refused")
        try:
            path = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FetchRefused(f"no such report asset: {raw[:200]!r}") from exc
        allowed = path in self.allowed_files or (path.is_relative_to(self.root))
        if not allowed or not path.is_file():
            raise FetchRefused(f"outside the report assets, refused: {raw[:200]!r}")
        return path
