"""Refuse, before any work, a run whose output would replace one of its own inputs.

`advisor score in.xlsx -o in.xlsx` used to replace the customer's only copy of the inventory
with a scored workbook. Paths are compared as files, not as strings: another spelling
(`./x/../in.xlsx`), a symbolic link either way and a hard link (same device and inode) all
name the same file. The check runs before anything is read, so a refused run costs nothing
and leaves every file as it was.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from advisor.errors import InputError


class Output(NamedTuple):
    """A file a command will write, with the option that named it (for the message)."""

    option: str  # "--output", "--out", "profile init"
    path: Path
    instead: str = "file"  # what the user should choose another of: "file" or "folder"


class Input(NamedTuple):
    """A file a command reads, with its role in words ("the input inventory") and, for a
    file met inside a folder given as input, that folder."""

    role: str
    path: Path
    found_in: Path | None = None


def refuse_overwrite(outputs: Iterable[Output], inputs: Iterable[Input]) -> None:
    """Raise InputError naming the option and the input when an output is one of the inputs.

    One line, e.g. "--output in.xlsx: is the input inventory in.xlsx; choose another file".
    Paths that do not exist (yet) still compare by their resolved form, so that
    `-o ./new/../in.xlsx` is refused before a writer creates `new/` and lands on in.xlsx.
    """
    by_key: dict[object, Input] = {}
    for item in inputs:
        for key in _keys(item.path):
            by_key.setdefault(key, item)
    for out in outputs:
        hit = next((by_key[k] for k in _keys(out.path) if k in by_key), None)
        if hit is not None:
            where = f" (in the input folder {hit.found_in})" if hit.found_in else ""
            raise InputError(
                f"{out.option} {out.path}: is {hit.role} {hit.path}{where}; "
                f"choose another {out.instead}"
            )


def _keys(path: Path) -> list[object]:
    """What identifies the file at `path`: its resolved path and, when it exists, its
    (device, inode) pair, which hard links and symbolic links share."""
    keys: list[object] = [("path", _resolved(path))]
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # missing, unreadable folder, embedded NUL
        return keys
    keys.append(("inode", st.st_dev, st.st_ino))
    return keys


def _resolved(path: Path) -> str:
    """The absolute path with links followed; a link loop falls back to the plain absolute
    path, which still catches the same spelling twice."""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(path)


def folder_files(folder: Path) -> list[Path]:
    """The files directly inside an inventory folder (an RVTools CSV export): each one is an
    input. An unreadable folder gives none; the importer reports it with its own message."""
    try:
        return [p for p in Path(folder).iterdir() if p.is_file()]
    except OSError:
        return []


def written_by_score(path: Path) -> bool:
    """True for a workbook `advisor score` wrote earlier (Portfolio its first sheet, and a
    Servers sheet): re-running `score FOLDER -o FOLDER/scored.xlsx` may replace it,
    and the folder walk skips it rather than scoring it as an inventory."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return False
            names = re.findall(rb'<sheet [^>]*name="([^"]*)"', zf.read(info))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False
    return bool(names) and names[0] == b"Portfolio" and b"Servers" in names
