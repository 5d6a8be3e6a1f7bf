"""Azure Migrate CSV import template.

Headers carry a `*` on mandatory columns (`*Server name`, `*Cores`, `*Memory (In MB)`,
`*OS name`), in either case; several IP addresses share one cell, separated by `;`; disks
come as `Disk N size (In GB)` columns and become rows of the disks table.
"""

from __future__ import annotations

import pandas as pd

from advisor.inventory.convert import Rejects, to_size
from advisor.inventory.fields import USAGE_FIELDS, Field, match_headers
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable
from advisor.inventory.schema import Inventory, Source, conform
from advisor.inventory.tabular import missing_fields, read_servers

AZURE_FIELDS = (
    Field("name", ("servername",)),
    Field("_ips", ("ipaddresses", "ipaddress")),
    Field("vcpus", ("cores",), "int"),
    Field("memory_gib", ("memory",), "size", unit="mb"),
    Field("os_name", ("osname",)),
    Field("nics", ("networkadapters",), "int"),
    Field("firmware", ("boottype",)),
    Field("disk_count", ("numberofdisks",), "int"),
    Field("used_gib", ("storageinuse",), "size", unit="gb"),
    Field("_uuid", ("serverid", "uuid")),
    *USAGE_FIELDS,
)

#: Header keys that identify the template (mandatory columns without their `*`).
SIGNATURE = frozenset({"servername", "cores", "memory", "osname"})


def looks_like_azure_migrate(headers: list[object]) -> bool:
    """True when a header row holds the template's mandatory columns."""
    keys = {header_key(h).key for h in headers}
    starred = sum(str(h).lstrip().startswith("*") for h in headers if h is not None)
    return keys >= SIGNATURE and starred >= 2


def read_azure_migrate(table: RawTable, source: Source) -> Inventory:
    """Servers, disks and NICs from an Azure Migrate import table."""
    matched = match_headers(table.headers, AZURE_FIELDS)
    disk_headers = _disk_size_headers(table.headers)
    known = frozenset(header_key(h).key for h in disk_headers)
    servers, conv = read_servers(
        table, AZURE_FIELDS, source, "azure-migrate", known=known, matched=matched
    )
    servers["firmware"] = (
        servers["firmware"].str.lower().replace({"uefi": "efi", "legacy": "bios"}).astype("string")
    )
    for column in missing_fields(AZURE_FIELDS, matched):
        source.notes.append(f"{table.name}: no column for {column}")

    survived = table.rows.isin(servers["source_row"].astype("int64")).to_numpy()
    disks = _disks(table, disk_headers, survived, servers["id"], source)
    nics = _nics(conv.get("_ips"), servers["id"])
    if not disks.empty:
        by = disks.groupby("server_id")["capacity_gib"]
        s = servers.set_index("id", drop=False)
        s["provisioned_gib"] = s["provisioned_gib"].fillna(by.sum())
        s["largest_disk_gib"] = s["largest_disk_gib"].fillna(by.max())
        s["disk_count"] = s["disk_count"].fillna(by.size().astype("Int64"))
        servers = s.reset_index(drop=True)
    if not nics.empty:
        first = nics.groupby("server_id")["ipv4"].first()
        s = servers.set_index("id", drop=False)
        s["primary_ip"] = s["primary_ip"].fillna(first)
        s["nics"] = s["nics"].fillna(nics.groupby("server_id").size().astype("Int64"))
        servers = s.reset_index(drop=True)
    return Inventory(
        servers=conform("servers", servers),
        source=source,
        disks=conform("disks", disks),
        nics=conform("nics", nics),
    )


def _disk_size_headers(headers: list[str]) -> list[str]:
    """'Disk 1 size (In GB)', 'Disk 2 size (In GB)', ... in disk order."""
    found = []
    for h in headers:
        key = header_key(h)
        if key.words[:1] == ("disk",) and key.words[-1:] == ("size",) and len(key.words) == 3:
            found.append((int(key.words[1]) if key.words[1].isdigit() else 0, h))
    return [h for _, h in sorted(found)]


def _disks(
    table: RawTable, headers: list[str], survived, ids: pd.Series, source: Source
) -> pd.DataFrame:
    """One row per filled 'Disk N size' cell."""
    frames = []
    rejects = Rejects(table.name, table.rows[survived].reset_index(drop=True))
    for n, h in enumerate(headers, start=1):
        raw = table.frame.loc[survived, h].reset_index(drop=True)
        unit = header_key(h).unit or "gb"
        size = to_size(raw, rejects, h, scale=1.0 if unit in ("gb", "gib") else 1 / 1024)
        frames.append(
            pd.DataFrame({"server_id": ids.to_numpy(), "label": f"Disk {n}", "capacity_gib": size})
        )
    source.problems.extend(rejects.problems)
    if not frames:
        return pd.DataFrame()
    disks = pd.concat(frames, ignore_index=True)
    return disks[disks["capacity_gib"].notna()].reset_index(drop=True)


def _nics(ips: pd.Series | None, ids: pd.Series) -> pd.DataFrame:
    """One NIC row per address in the 'IP addresses' cell (split on ';' or ',')."""
    if ips is None:
        return pd.DataFrame()
    exploded = (
        pd.DataFrame({"server_id": ids.to_numpy(), "ip": ips.to_numpy()})
        .assign(ip=lambda d: d["ip"].astype("string").str.split(r"\s*[;,]\s*", regex=True))
        .explode("ip")
    )
    exploded["ip"] = exploded["ip"].astype("string").str.strip()
    exploded = exploded[exploded["ip"].notna() & exploded["ip"].ne("")]
    v6 = exploded["ip"].str.contains(":", regex=False)
    return pd.DataFrame(
        {
            "server_id": exploded["server_id"].to_numpy(),
            "label": "IP " + (exploded.groupby("server_id").cumcount() + 1).astype(str).to_numpy(),
            "ipv4": exploded["ip"].where(~v6).to_numpy(),
            "ipv6": exploded["ip"].where(v6).to_numpy(),
        }
    )
