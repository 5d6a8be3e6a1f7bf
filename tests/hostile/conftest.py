"""The hostile-input suite's folder on the import path, so its tests import their helpers
(`harness`, `make_containers`, `make_text`, `strategies`) by name, and its fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A folder for one case's generated files."""
    return tmp_path
