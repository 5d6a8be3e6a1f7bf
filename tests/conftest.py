"""Shared fixtures: the real-world corpus, the bundled sample and its generator, and the
console's permission to fork."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "inventories"
SAMPLES = ROOT / "sample_inventories"

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real inventories beside the project; tests skip with the reason when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS} (it lives beside the project)")
    return CORPUS


def load_generator():
    """The sample estate generator as a module (it is a script, not part of the package)."""
    from builders import load_script

    return load_script(SAMPLES / "generate.py", "sample_generate")


@pytest.fixture(scope="session")
def generated_samples(tmp_path_factory) -> Path:
    """A fresh run of the sample generator, so tests use what the generator makes today."""
    out = tmp_path_factory.mktemp("samples")
    load_generator().main(["--out", str(out)])
    return out


@pytest.fixture
def forks(monkeypatch):
    """Forking allowed, as the console allows it (`advisor.forking.allow`), and for any
    estate size, so that small test inventories take the two-process paths too."""
    from advisor import forking

    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "MIN_SERVERS", 1)
