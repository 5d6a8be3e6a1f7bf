"""`assessment.json`: the stable, machine-readable contract of a run (DESIGN.md, Outputs)."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.engine.assess import Assessment
from advisor.errors import InputError


def write_json(assessment: Assessment, folder: Path) -> Path:
    """Write `assessment.json` into `folder` (created if needed) and return its path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "assessment.json"
        data = assessment.to_json()
        # Indented for people up to a few thousand servers; compact above, where json's
        # C encoder (unavailable with indent) writes large estates in a fraction of the time.
        indent = 2 if len(data["servers"]) <= 2000 else None
        text = json.dumps(data, indent=indent, ensure_ascii=False, default=str)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the assessment ({exc.strerror or exc})") from exc
    return path
