"""Files that are not inventories fail with one line naming the file, never a traceback."""

from __future__ import annotations

import io
import zipfile

import pytest
from builders import VINFO_4X, vinfo_row, write_xlsx
from msoffcrypto.format.ooxml import OOXMLFile

from advisor.errors import InputError
from advisor.inventory import load_inventory


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nothere\.xlsx: file not found"):
        load_inventory(tmp_path / "nothere.xlsx")


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        load_inventory(tmp_path / "empty.csv")


def test_whitespace_only_csv(tmp_path):
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    with pytest.raises(InputError, match="empty"):
        load_inventory(tmp_path / "blank.csv")


def test_binary_file_is_not_a_spreadsheet(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
    with pytest.raises(InputError, match="binary content, not a CSV or spreadsheet"):
        load_inventory(tmp_path / "photo.jpg")


def test_text_named_xlsx(tmp_path):
    (tmp_path / "fake.xlsx").write_text("VM,Powerstate\nweb,poweredOn\n")
    with pytest.raises(InputError, match="not a valid spreadsheet"):
        load_inventory(tmp_path / "fake.xlsx")


def test_corrupted_zip(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"vInfo": [VINFO_4X, vinfo_row("a")]})
    data = good.read_bytes()
    (tmp_path / "broken.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"broken\.xlsx: corrupted zip or workbook"):
        load_inventory(tmp_path / "broken.xlsx")


def test_zip_without_workbook_or_csv(tmp_path):
    with zipfile.ZipFile(tmp_path / "misc.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="without a workbook or CSV"):
        load_inventory(tmp_path / "misc.zip")


def test_encrypted_workbook(tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", {"vInfo": [VINFO_4X, vinfo_row("a")]})
    office = OOXMLFile(io.BytesIO(plain.read_bytes()))
    locked = tmp_path / "locked.xlsx"
    with locked.open("wb") as fh:
        office.encrypt("secret", fh)
    with pytest.raises(InputError, match=r"locked\.xlsx: the workbook is encrypted"):
        load_inventory(locked)


def test_workbook_without_vinfo_and_without_server_list(tmp_path):
    path = write_xlsx(tmp_path / "hosts.xlsx", {"vHost": [["Host", "Cluster"], ["esx1", "c1"]]})
    with pytest.raises(InputError, match=r"sheets seen: vHost"):
        load_inventory(path)


def test_rvtools_without_vm_column(tmp_path):
    path = write_xlsx(tmp_path / "novm.xlsx", {"vInfo": [["Powerstate", "CPUs"], ["on", 2]]})
    with pytest.raises(InputError, match="sheet 'vInfo' has no VM name column"):
        load_inventory(path)


def test_unknown_format_option(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"vInfo": [VINFO_4X, vinfo_row("a")]})
    with pytest.raises(InputError, match="unknown format 'vmware'"):
        load_inventory(path, fmt="vmware")
