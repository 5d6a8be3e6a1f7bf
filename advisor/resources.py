"""Where advisor's data folders are: beside the package in a checkout, inside it when installed.

`rules/`, `reports/` and `sample_inventories/` are data read at run time. The wheel carries
them under `advisor/_data/` (hatch force-include); a source checkout has them at the top.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA_FOLDERS = ("rules", "reports", "sample_inventories")


def data_path(folder: str) -> Path:
    """Path of one data folder, installed copy first, then the source checkout."""
    if folder not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}")
    for candidate in (_PACKAGE / "_data" / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"advisor data folder '{folder}' is missing from this install")


def sample_inventory() -> Path:
    """The bundled sample RVTools export used by `advisor demo`."""
    return data_path("sample_inventories") / "acme-rvtools.xlsx"
