"""RVTools xlsx and CSV: every quirk real exports have, each with a fixture that shows it."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest
from builders import (
    VINFO_4X,
    declare_million_rows,
    prefix_xml,
    vinfo_row,
    write_csv,
    write_xlsx,
)

from advisor.inventory import load_inventory


def _vinfo(n: int = 3, **over) -> list[list[object]]:
    return [VINFO_4X] + [vinfo_row(f"vm{i:02d}", **over) for i in range(n)]


def test_units_normalised_to_gib_and_custom_attributes(tmp_path):
    inv = load_inventory(write_xlsx(tmp_path / "r.xlsx", {"vInfo": _vinfo()}))
    s = inv.servers
    assert inv.source.format == "rvtools"
    assert s["memory_gib"].tolist() == [8.0] * 3
    assert s["provisioned_gib"].tolist() == [100.0] * 3
    assert s["used_gib"].tolist() == [50.0] * 3
    assert s["hw_version"].tolist() == [19] * 3
    assert s["os_family"].tolist() == ["windows"] * 3
    assert s["id"].tolist() == ["uuid-vm00", "uuid-vm01", "uuid-vm02"]
    # "Owner" and "Backup Tool" custom attributes fill the customer fields.
    assert s["owner"].tolist() == ["ops"] * 3
    assert s["backup_method"].tolist() == ["Veeam"] * 3


def test_3x_mb_headers_and_text_version(tmp_path):
    header = [h.replace("MiB", "MB") for h in VINFO_4X]
    path = write_xlsx(
        tmp_path / "r3.xlsx",
        {
            "vInfo": [header, vinfo_row("a"), vinfo_row("b")],
            "vMetaData": [["RVTools major version", "RVTools version"], ["3.10", "3.10.1.0"]],
        },
    )
    inv = load_inventory(path)
    assert inv.servers["provisioned_gib"].tolist() == [100.0, 100.0]
    assert inv.source.format_version == "3.10.1.0"


def test_major_version_text_is_not_a_float(tmp_path):
    path = write_xlsx(
        tmp_path / "v.xlsx",
        {"vInfo": _vinfo(1), "vMetaData": [["RVTools major version"], ["3.10"]]},
    )
    assert load_inventory(path).source.format_version == "3.10"


def test_custom_attribute_anywhere_is_kept(tmp_path):
    header = ["Cost Allocation", *VINFO_4X, "NB_LAST_BACKUP"]
    rows = [header] + [["CC-1", *vinfo_row(f"v{i}"), "2025-01-01"] for i in range(2)]
    inv = load_inventory(write_xlsx(tmp_path / "c.xlsx", {"vInfo": rows}))
    assert inv.servers["attr.Cost Allocation"].tolist() == ["CC-1", "CC-1"]
    assert inv.servers["attr.NB_LAST_BACKUP"].tolist() == ["2025-01-01"] * 2
    kept = {m.header for m in inv.source.mapping if m.status == "kept"}
    assert kept == {"Cost Allocation", "NB_LAST_BACKUP"}


def test_booleans_as_text_in_any_case(tmp_path):
    rows = [
        VINFO_4X,
        vinfo_row("a", Template="TRUE"),
        vinfo_row("b", Template="false"),
        vinfo_row("c", Template="True"),
    ]
    inv = load_inventory(write_xlsx(tmp_path / "b.xlsx", {"vInfo": rows}))
    assert inv.servers["is_template"].tolist() == [True, False, True]


def test_dates_as_datetimes_strings_and_1970(tmp_path):
    rows = [
        VINFO_4X,
        vinfo_row("a", **{"Creation date": dt.datetime(2024, 2, 26, 12, 0)}),
        vinfo_row("b", **{"Creation date": "2018/03/19 14:46:51"}),
        vinfo_row("c", **{"Creation date": dt.datetime(1970, 1, 1)}),
    ]
    created = load_inventory(write_xlsx(tmp_path / "d.xlsx", {"vInfo": rows})).servers["created"]
    assert created.iloc[0] == pd.Timestamp("2024-02-26 12:00", tz="UTC")
    assert created.iloc[1] == pd.Timestamp("2018-03-19 14:46:51", tz="UTC")
    assert pd.isna(created.iloc[2])


def test_x_prefixed_xml_and_million_row_declaration(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"vInfo": _vinfo(9)})
    declare_million_rows(path)
    prefix_xml(path)
    with zipfile.ZipFile(path) as zf:
        assert b"<x:worksheet" in zf.read("xl/worksheets/sheet1.xml")
    inv = load_inventory(path)
    assert len(inv.servers) == 9
    assert inv.source.servers_read == 9


def test_detail_tabs_fill_disks_snapshots_nics_devices(tmp_path):
    vdisk = [
        ["VM", "Disk", "Capacity MiB", "Raw", "Disk Mode", "Sharing mode", "Shared Bus", "VM UUID"],
        [
            "vm00",
            "Hard disk 1",
            102400,
            "False",
            "persistent",
            "sharingNone",
            "noSharing",
            "uuid-vm00",
        ],
        [
            "vm00",
            "Hard disk 2",
            6291456,
            "True",
            "independent_persistent",
            "sharingMultiWriter",
            "physicalSharing",
            "uuid-vm00",
        ],
        ["ghost", "Hard disk 1", 1024, "False", "persistent", "sharingNone", "noSharing", ""],
    ]
    vsnap = [
        ["VM", "Name", "Date / time", "Size MiB (total)", "Quiesced"],
        ["vm01", "before patch", dt.datetime(2024, 1, 1), 2048, "False"],
    ]
    vnet = [
        ["VM", "NIC label", "Mac Address", "Type", "IPv4 Address", "IPv6 Address", "Connected"],
        ["vm02", "Network adapter 1", "00:11:22:33:44:55", "manual", "10.0.0.5", "", "True"],
    ]
    vusb = [["VM", "Device Type", "Connected"], ["vm02", "SafeNet Sentinel dongle", "True"]]
    path = write_xlsx(
        tmp_path / "detail.xlsx",
        {"vInfo": _vinfo(), "vDisk": vdisk, "vSnapshot": vsnap, "vNetwork": vnet, "vUSB": vusb},
    )
    inv = load_inventory(path)
    assert len(inv.disks) == 2
    big = inv.disks[inv.disks["label"] == "Hard disk 2"].iloc[0]
    assert big["capacity_gib"] == 6144.0 and bool(big["raw"]) is True
    assert big["sharing"] == "sharingMultiWriter"
    assert inv.servers.set_index("name").loc["vm00", "largest_disk_gib"] == 6144.0
    skipped = [p for p in inv.source.problems if p.kind == "skip"]
    assert [(p.sheet, p.row) for p in skipped] == [("vDisk", 4)]
    assert "ghost" in skipped[0].reason
    assert inv.snapshots.iloc[0]["size_gib"] == 2.0
    assert inv.snapshots.iloc[0]["server_id"] == "uuid-vm01"
    assert inv.nics.iloc[0]["mac_type"] == "manual"
    assert inv.devices.iloc[0]["kind"] == "usb"


def test_duplicate_names_kept_and_flagged(tmp_path):
    rows = [VINFO_4X, vinfo_row("web"), vinfo_row("web", **{"VM UUID": "other"}), vinfo_row("db")]
    inv = load_inventory(write_xlsx(tmp_path / "dup.xlsx", {"vInfo": rows}))
    assert len(inv.servers) == 3
    assert inv.servers["duplicate_name"].tolist() == [True, True, False]
    flags = [p for p in inv.source.problems if p.kind == "flag"]
    assert len(flags) == 2 and "duplicate server name 'web'" in flags[0].reason


def test_bad_sizes_become_unknown_with_row_and_column(tmp_path):
    rows = [
        VINFO_4X,
        vinfo_row("a", Memory="lots"),
        vinfo_row("b", **{"In Use MiB": -5}),
        vinfo_row("c"),
    ]
    inv = load_inventory(write_xlsx(tmp_path / "bad.xlsx", {"vInfo": rows}))
    assert pd.isna(inv.servers["memory_gib"].iloc[0])
    assert pd.isna(inv.servers["used_gib"].iloc[1])
    got = {(p.row, p.column, p.reason) for p in inv.source.problems if p.kind == "value"}
    assert got == {
        (2, "Memory", "not a number"),
        (3, "In Use MiB", "negative value read as unknown"),
    }


def test_rows_without_name_are_rejected_and_counted(tmp_path):
    rows = [VINFO_4X, vinfo_row("a"), vinfo_row(""), list(VINFO_4X), vinfo_row("b")]
    inv = load_inventory(write_xlsx(tmp_path / "n.xlsx", {"vInfo": rows}))
    src = inv.source
    assert src.servers_read == 4
    assert len(inv.servers) == 2
    assert [(p.row, p.reason) for p in src.rejected_rows] == [
        (3, "no server name"),
        (4, "repeated header row"),
    ]


# --- RVTools CSV --------------------------------------------------------------------------


def _csv_tabs() -> dict[str, list[list[object]]]:
    vinfo = [VINFO_4X] + [
        vinfo_row(f"vm{i}", Memory="16,384", Annotation="line one\nline two") for i in range(3)
    ]
    vdisk = [["VM", "Disk", "Capacity MiB"], ["vm0", "Hard disk 1", "1,048,576"]]
    return {"RVTools_tabvInfo.csv": vinfo, "RVTools_tabvDisk.csv": vdisk}


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("utf-16", ";"), ("cp1252", ";")],
)
def test_rvtools_csv_folder_in_any_encoding(tmp_path, encoding, delimiter):
    for name, rows in _csv_tabs().items():
        write_csv(tmp_path / name, rows, delimiter=delimiter, encoding=encoding)
    inv = load_inventory(tmp_path)
    assert inv.source.format == "rvtools-csv"
    assert inv.servers["memory_gib"].tolist() == [16.0] * 3
    assert inv.servers["annotation"].iloc[0] == "line one\nline two"
    assert inv.disks["capacity_gib"].tolist() == [1024.0]


def test_rvtools_csv_zip_with_cp1252_text(tmp_path):
    folder = tmp_path / "tabs"
    folder.mkdir()
    tabs = _csv_tabs()
    tabs["RVTools_tabvInfo.csv"][1][VINFO_4X.index("Annotation")] = "Büro Zürich"
    for name, rows in tabs.items():
        write_csv(folder / name, rows, encoding="cp1252")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, p.name)
    inv = load_inventory(archive)
    assert inv.source.format == "rvtools-csv"
    assert inv.servers["annotation"].iloc[0] == "Büro Zürich"


def test_rvtools_export_all_csv_prefixed_headers(tmp_path):
    rows = [
        [
            "vInfoVMName",
            "vInfoPowerstate",
            "vInfoTemplate",
            "vInfoCPUs",
            "vInfoMemory",
            "vInfoProvisionedMiB",
            "vInfoInUseMiB",
        ],
        ["app01", "poweredOn", "False", "4", "8192", "204800", "102400"],
    ]
    inv = load_inventory(write_csv(tmp_path / "RVTools_tabvInfo.csv", rows))
    s = inv.servers.iloc[0]
    assert (s["name"], s["vcpus"], s["memory_gib"], s["used_gib"]) == ("app01", 4, 8.0, 100.0)


def test_single_vinfo_csv_detected_by_headers(tmp_path):
    path = write_csv(tmp_path / "export.csv", _csv_tabs()["RVTools_tabvInfo.csv"])
    inv = load_inventory(path)
    assert inv.source.format == "rvtools-csv"
    assert len(inv.servers) == 3


def test_custom_attributes_repeated_in_detail_tabs_are_read_once(tmp_path):
    vdisk = [["VM", "Disk", "Capacity MiB", "Owner", "Backup Tool"], ["vm00", "d1", 1024, "x", "y"]]
    # vDisk before vInfo in the workbook: order of tabs must not matter.
    path = write_xlsx(tmp_path / "order.xlsx", {"vDisk": vdisk, "vInfo": _vinfo(1)})
    inv = load_inventory(path)
    assert inv.source.tabs_read[0] == "vInfo"
    assert not [m for m in inv.source.mapping if m.status == "unmapped"]
    repeated = [m for m in inv.source.mapping if m.sheet == "vDisk" and m.header == "Owner"]
    assert repeated[0].status == "ignored" and "kept once" in repeated[0].note
