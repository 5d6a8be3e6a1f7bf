"""Azure Migrate CSV, generic spreadsheets with their many spellings, and advisor's template."""

from __future__ import annotations

import pytest
from builders import write_csv, write_xlsx

from advisor.errors import InputError
from advisor.inventory import load_inventory

AZURE_HEADER = [
    "*Server name",
    "IP addresses",
    "*Cores",
    "*Memory (In MB)",
    "*OS name",
    "OS version",
    "Boot type",
    "Number of disks",
    "Storage in use (In GB)",
    "Disk 1 size (In GB)",
    "Disk 1 read ops (operations per second)",
    "Disk 2 size (In GB)",
]


def test_azure_migrate_csv(tmp_path):
    rows = [
        AZURE_HEADER,
        [
            "web01",
            "10.0.0.1;10.0.0.2",
            "4",
            "16384",
            "Microsoft Windows Server 2019",
            "10.0",
            "UEFI",
            "2",
            "120",
            "128",
            "50",
            "512",
        ],
        [
            "db01",
            "10.0.0.3",
            "8",
            "65536",
            "Red Hat Enterprise Linux 8",
            "",
            "BIOS",
            "1",
            "900",
            "1024",
            "",
            "",
        ],
    ]
    inv = load_inventory(write_csv(tmp_path / "am.csv", rows, encoding="utf-8-sig"))
    assert inv.source.format == "azure-migrate"
    s = inv.servers.set_index("name")
    assert s.loc["web01", "memory_gib"] == 16.0
    assert s.loc["web01", "primary_ip"] == "10.0.0.1"
    assert s.loc["web01", "nics"] == 2
    assert s.loc["web01", "provisioned_gib"] == 640.0
    assert s.loc["web01", "largest_disk_gib"] == 512.0
    assert s.loc["web01", "firmware"] == "efi"
    assert s.loc["db01", "os_family"] == "linux"
    assert sorted(inv.nics["ipv4"]) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert "attr.OS version" in inv.servers.columns


def test_azure_migrate_lower_case_star_headers(tmp_path):
    header = [h.lower() for h in AZURE_HEADER]
    rows = [header, ["a", "", "2", "4096", "Ubuntu 22.04", "", "", "", "", "", "", ""]]
    inv = load_inventory(write_csv(tmp_path / "am2.csv", rows))
    assert inv.source.format == "azure-migrate"
    assert inv.servers.iloc[0]["memory_gib"] == 4.0


def test_generic_sheet_with_title_rows_and_units_in_headers(tmp_path):
    rows = [
        ["Acme server list", None, None],
        [],
        [
            "Hostname",
            "vCPU",
            "RAM (GB)",
            "OS",
            "Disk (TB)",
            "Used storage",
            "Role",
            "Owner",
            "Backup",
            "Site",
            "Users",
            "Notes",
            "Patch group",
        ],
        [
            "dc01",
            2,
            8,
            "Windows Server 2022",
            0.1,
            "60 GB",
            "Domain controller",
            "IT",
            "Veeam",
            "Basel",
            250,
            "FSMO roles",
            "A",
        ],
        [
            "fs01",
            4,
            16,
            "Windows Server 2019",
            6,
            "5.2 TB",
            "File server",
            "IT",
            "snapshots",
            "Basel",
            250,
            "",
            "B",
        ],
    ]
    path = write_xlsx(
        tmp_path / "list.xlsx", {"Contacts": [["Name", "Phone"], ["Ann", "1"]], "Servers": rows}
    )
    inv = load_inventory(path)
    assert inv.source.format == "generic"
    assert inv.source.tabs_read == ["Servers"]
    s = inv.servers.set_index("name")
    assert s.loc["fs01", "provisioned_gib"] == 6144.0
    assert s.loc["fs01", "used_gib"] == pytest.approx(5.2 * 1024)
    assert s.loc["dc01", "memory_gib"] == 8.0
    assert s.loc["dc01", "users"] == 250
    assert s.loc["dc01", "site"] == "Basel"
    assert s.loc["fs01", "backup_method"] == "snapshots"
    assert s.loc["dc01", "source_row"] == 4
    assert s.loc["dc01", "attr.Patch group"] == "A"


@pytest.mark.parametrize(
    ("header", "value", "gib"),
    [
        ("Memory (MB)", 8192, 8.0),
        ("Memory GiB", 8, 8.0),
        ("Memory", 16384, 16.0),
        ("Memory", 16, 16.0),
    ],
)
def test_generic_memory_units(tmp_path, header, value, gib):
    path = write_csv(tmp_path / "m.csv", [["Server", header], ["a", value], ["b", value]])
    inv = load_inventory(path)
    assert inv.servers["memory_gib"].tolist() == [gib, gib]
    if header == "Memory":
        assert any("names no unit" in n for n in inv.source.notes)


def test_generic_mapping_file(tmp_path):
    path = write_csv(tmp_path / "odd.csv", [["Kiste", "Kerne", "Arbeitsspeicher"], ["x", 2, 4]])
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns:\n  Kiste: name\n  Kerne: vcpus\n  Arbeitsspeicher: memory_gib\n"
        "units: {memory_gib: GB}\n"
    )
    inv = load_inventory(path, mapping=mapping)
    assert inv.servers.iloc[0][["name", "vcpus", "memory_gib"]].tolist() == ["x", 2, 4.0]


def test_mapping_file_typos_are_explained(tmp_path):
    path = write_csv(tmp_path / "odd.csv", [["Kiste", "Kerne"], ["x", 2]])
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  Kiste: nmae\n")
    with pytest.raises(InputError, match="unknown field 'nmae'; did you mean 'name'"):
        load_inventory(path, mapping=bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text("columns:\n  Box: name\n")
    with pytest.raises(InputError, match="header 'Box' is not in sheet"):
        load_inventory(path, mapping=missing)


def test_no_server_list_names_sheets_and_needed_columns(tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {"Budget": [["Year", "Cost"], [2024, 5]], "People": [["Name", "Phone"], ["Ann", 1]]},
    )
    with pytest.raises(InputError) as info:
        load_inventory(path)
    message = str(info.value)
    assert "no sheet looks like a server list" in message
    assert "Budget, People" in message and "Hostname" in message


def test_cells_beyond_the_header_are_kept_not_dropped(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "Server,vCPU\nweb01,2\ndb01,4\n" + "".join(f"x{i},1\n" for i in range(60)) + "late,8,oops\n"
    )
    inv = load_inventory(path)
    assert len(inv.servers) == 63
    assert inv.servers.set_index("name").loc["late", "attr.column 3"] == "oops"
    assert any(m.header == "column 3" and m.status == "kept" for m in inv.source.mapping)
