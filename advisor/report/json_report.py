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
        text = json.dumps(assessment.to_json(), indent=2, ensure_ascii=False, default=str)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the assessment ({exc.strerror or exc})") from exc
    return path
