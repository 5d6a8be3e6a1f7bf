"""RVTools exports (3.x to 4.7), as an xlsx workbook or as per-tab CSV files.

vInfo gives one server per VM; vDisk, vPartition, vSnapshot, vNetwork, vUSB, vCD, vHost and
vTools fill the detail tables where present, and vMetaData the RVTools version. Any subset of
tabs works: what a missing tab would have said stays unknown. Headers are matched by key,
so 3.x "MB" and 4.x "MiB" spellings, the tab-prefixed headers of RVTools' "export all to
CSV" and custom-attribute columns anywhere are all handled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from advisor.errors import InputError
from advisor.inventory.convert import Rejects, to_datetime, to_text
from advisor.inventory.fields import (
    CUSTOMER_FIELDS,
    Field,
    mapping_records,
    match_headers,
    read_fields,
)
from advisor.inventory.finish import attach_server_ids, finish_servers, key_lookup
from advisor.inventory.headers import header_key
from advisor.inventory.readers import RawTable, iter_tables, open_workbook
from advisor.inventory.rvtools_columns import STANDARD
from advisor.inventory.schema import Inventory, Source, conform

#: Tabs advisor reads, in reading order; everything else in the workbook is left unparsed.
RVTOOLS_TABS = (
    "vInfo",
    "vDisk",
    "vPartition",
    "vSnapshot",
    "vNetwork",
    "vUSB",
    "vCD",
    "vHost",
    "vTools",
    "vCPU",
    "vMemory",
    "vMetaData",
)

# Join keys of the detail tabs stay raw: most tabs match every row by UUID, so the name
# and VM ID are converted only when some rows are still unmatched.
_VM = Field("_vm", ("vm", "vmname", "name"), "raw")
_UUID = Field("_uuid", ("vmuuid",), "raw")
_VMID = Field("_vmid", ("vmid",), "raw")

VINFO_FIELDS = (
    Field("name", ("vm", "vmname")),
    Field("power_state", ("powerstate",), "power"),
    Field("is_template", ("template",), "bool"),
    Field("dns_name", ("dnsname", "guesthostname")),
    Field("connection_state", ("connectionstate",)),
    Field("vcpus", ("cpus", "numcpu", "vcpus"), "int"),
    Field("memory_gib", ("memory",), "size", unit="mib"),
    Field("nics", ("nics",), "int"),
    Field("disk_count", ("disks",), "int"),
    Field("provisioned_gib", ("provisioned",), "size", unit="mib"),
    Field("used_gib", ("inuse",), "size", unit="mib"),
    Field("_total_disk_gib", ("totaldiskcapacity",), "size", unit="mib"),
    Field("os_name", ("osaccordingtothevmwaretools", "guestos", "os")),
    Field("_os_config", ("osaccordingtotheconfigurationfile",)),
    Field("firmware", ("firmware",)),
    Field("_hw_version", ("hwversion",)),
    Field("primary_ip", ("primaryipaddress", "guestip", "ipaddress")),
    Field("datacenter", ("datacenter",)),
    Field("cluster", ("cluster",)),
    Field("host", ("host",)),
    Field("folder", ("folder",)),
    Field("resource_pool", ("resourcepool",)),
    Field("vapp", ("vapp",)),
    Field("srm_placeholder", ("srmplaceholder",), "bool"),
    Field("_active_memory_gib", ("activememory",), "size", unit="mib"),
    Field("annotation", ("annotation", "notes")),
    Field("created", ("creationdate",), "datetime"),
    Field("powered_on_at", ("poweron",), "datetime"),
    _UUID,
    _VMID,
    *CUSTOMER_FIELDS,
)

#: vInfo fields older or trimmed exports legitimately lack; their absence is not news.
_OPTIONAL_VINFO = {
    "connection_state",
    "created",
    "powered_on_at",
    "primary_ip",
    "resource_pool",
    "vapp",
    "srm_placeholder",
}

DETAIL_FIELDS: dict[str, tuple[Field, ...]] = {
    "vDisk": (
        _VM,
        _UUID,
        _VMID,
        Field("label", ("disk",)),
        Field("capacity_gib", ("capacity",), "size", unit="mib"),
        Field("thin", ("thin",), "bool"),
        Field("raw", ("raw",), "bool"),
        Field("raw_mode", ("rawcompmode",)),
        Field("disk_mode", ("diskmode",)),
        Field("sharing", ("sharingmode",)),
        Field("shared_bus", ("sharedbus",)),
        Field("controller", ("controller",)),
        # RVTools 4.6 writes the disk file in 'Path' and leaves 'Disk Path' empty; other
        # versions put the .vmdk in 'Disk Path' and the VM's .vmx in 'Path'.
        Field("path", ("diskpath",)),
        Field("_vm_path", ("path",)),
    ),
    "vPartition": (
        _VM,
        _UUID,
        _VMID,
        Field("mount", ("disk",)),
        Field("capacity_gib", ("capacity",), "size", unit="mib"),
        Field("consumed_gib", ("consumed",), "size", unit="mib"),
        Field("free_gib", ("free",), "size", unit="mib"),
    ),
    "vSnapshot": (
        _VM,
        _UUID,
        _VMID,
        Field("name", ("name", "snapshot")),
        Field("description", ("description",)),
        Field("created", ("datetime",), "datetime"),
        Field("size_gib", ("sizetotal", "size"), "size", unit="mib"),
        Field("quiesced", ("quiesced",), "bool"),
    ),
    "vNetwork": (
        _VM,
        _UUID,
        _VMID,
        Field("label", ("niclabel",)),
        Field("adapter", ("adapter",)),
        Field("network", ("network",)),
        Field("connected", ("connected",), "bool"),
        Field("mac", ("macaddress",)),
        Field("mac_type", ("type",)),
        Field("ipv4", ("ipv4address", "ipaddress")),
        Field("ipv6", ("ipv6address",)),
    ),
    "vUSB": (
        _VM,
        _UUID,
        _VMID,
        Field("device", ("devicetype", "family")),
        Field("connected", ("connected",), "bool"),
    ),
    "vCD": (
        _VM,
        _UUID,
        _VMID,
        Field("device", ("devicetype",)),
        Field("connected", ("connected",), "bool"),
    ),
    "vTools": (_VM, _UUID, _VMID, Field("tools_status", ("tools", "toolsstatus"))),
    # Utilisation at the moment of the export: vCPU 'Overall' is the MHz in use and 'Max'
    # the MHz the allocated vCPUs could use; vMemory 'Active' is the memory touched lately.
    "vCPU": (
        _VM,
        _UUID,
        _VMID,
        Field("cpu_overall_mhz", ("overall",), "float"),
        Field("cpu_max_mhz", ("max",), "float"),
    ),
    "vMemory": (
        _VM,
        _UUID,
        _VMID,
        Field("memory_active_gib", ("active",), "size", unit="mib"),
        Field("memory_size_gib", ("size", "sizemib"), "size", unit="mib"),
    ),
}

HOST_FIELDS = (
    Field("name", ("host", "name", "hostname")),
    Field("datacenter", ("datacenter",)),
    Field("cluster", ("cluster",)),
    Field("cpu_model", ("cpumodel",)),
    Field("sockets", ("numcpu",), "int"),
    Field("cores", ("numcores",), "int"),
    Field("memory_gib", ("nummemory", "memory"), "size", unit="mib"),
    Field("esx_version", ("esxversion", "esxiversion")),
    Field("vendor", ("vendor",)),
    Field("model", ("model",)),
)

#: Detail tab -> canonical table it fills.
_DETAIL_TABLE = {
    "vDisk": "disks",
    "vPartition": "partitions",
    "vSnapshot": "snapshots",
    "vNetwork": "nics",
    "vUSB": "devices",
    "vCD": "devices",
}


def tab_of(name: str) -> str | None:
    """The RVTools tab a sheet or CSV file name stands for ('RVTools_tabvInfo.csv' -> vInfo)."""
    stem = Path(name).stem if name.lower().endswith((".csv", ".txt")) else name
    key = re.sub(r"[^a-z]", "", stem.lower())
    key = key.removeprefix("rvtools").removeprefix("tab")
    return next((t for t in RVTOOLS_TABS if t.lower() == key), None)


def read_rvtools_xlsx(path: Path, source: Source, wb: CalamineWorkbook | None = None) -> Inventory:
    """Read the RVTools tabs of a workbook; only those tabs are parsed."""
    wb = wb or open_workbook(path)
    source.tabs_seen = list(wb.sheet_names)
    chosen: dict[str, str] = {}  # tab -> the first sheet that holds it
    for sheet in wb.sheet_names:
        tab = tab_of(sheet)
        if tab and tab not in chosen:
            chosen[tab] = sheet
    order = build_order(chosen)
    tab_of_sheet = {sheet: tab for tab, sheet in chosen.items()}
    tables = iter_tables(wb, path, [chosen[tab] for tab in order])
    # map, not zip or a generator expression: those keep the previous raw table alive
    # while the next is read.
    return build(chosen, map(lambda item: (tab_of_sheet[item[0]], item[1]), tables), source)


def build_order(tabs: Iterable[str]) -> list[str]:
    """The tabs present, in the order `build` takes them."""
    present = set(tabs)
    return [tab for tab in _BUILD_ORDER if tab in present]


#: vInfo first (the servers every other tab attaches to), then the detail tabs, the hosts
#: and the version: the order of the notes, problems and mapping of an import.
_BUILD_ORDER = ("vInfo", *DETAIL_FIELDS, "vHost", "vMetaData")


def build(
    names: dict[str, str], tables: Iterable[tuple[str, RawTable]], source: Source
) -> Inventory:
    """Turn raw RVTools tabs into an Inventory.

    `names` maps each tab present to its sheet or file name, in the order found; `tables`
    yields (tab, raw table) in `build_order`. Each raw table is used and dropped before the
    next is taken, so a big export never holds all its raw tabs at once (they take several
    times the memory of what is built from them). A tab that cannot be read is reported
    before anything the tabs read would have said, as when all are read first.
    """
    stream = iter(tables)
    try:
        return _build(names, stream, source)
    except InputError:
        for _ in stream:  # a read error of a later tab takes precedence
            pass
        raise


def _build(
    names: dict[str, str], tables: Iterator[tuple[str, RawTable]], source: Source
) -> Inventory:
    if "vInfo" not in names:
        seen = ", ".join(source.tabs_seen) or "none"
        raise InputError(f"{source.path}: no vInfo tab, the list of VMs (tabs seen: {seen})")
    # vInfo first: later steps take tabs_read[0] as the sheet the servers came from.
    source.tabs_read = [names["vInfo"]] + [name for tab, name in names.items() if tab != "vInfo"]
    inv: Inventory | None = None
    keys: dict[str, dict[str, str]] = {}
    details: dict[str, pd.DataFrame] = {}
    hosts: pd.DataFrame | None = None
    for tab, raw in tables:
        table = _strip_tab_prefix(tab, raw)
        if tab == "vInfo":
            servers, keys = _servers(table, source)
            inv = Inventory(servers=servers, source=source)
        elif tab in DETAIL_FIELDS:
            details[tab] = _detail(table, DETAIL_FIELDS[tab], keys, source)
        elif tab == "vHost":
            hosts = _hosts(table, source)
        elif tab == "vMetaData":
            source.format_version = _version(table, source)
        del raw, table  # before the next tab is read
    assert inv is not None  # vInfo comes first
    if "vDisk" in details:
        details["vDisk"] = _disk_paths(details["vDisk"])
    for tab, table_name in _DETAIL_TABLE.items():
        if tab in details:
            frame = details[tab]
            if table_name == "devices":
                frame = frame.assign(kind="usb" if tab == "vUSB" else "cdrom")
                frame = pd.concat([inv.devices, conform(table_name, frame)], ignore_index=True)
            setattr(inv, table_name, conform(table_name, frame))
    if hosts is not None:
        inv.hosts = hosts
    _fill_from_details(inv, details)
    return inv


def _disk_paths(disks: pd.DataFrame) -> pd.DataFrame:
    """The datastore path of each disk file: 'Disk Path' where it names one, else 'Path'
    when that names a disk file (not the VM's .vmx)."""
    if "_vm_path" not in disks:
        return disks
    other = disks["_vm_path"].astype("string")
    other = other.where(other.str.lower().str.endswith(".vmdk"))
    path = disks["path"].astype("string") if "path" in disks else other
    return disks.assign(path=path.fillna(other)).drop(columns=["_vm_path"])


def _strip_tab_prefix(tab: str, table: RawTable) -> RawTable:
    """RVTools' CSV export writes 'vInfoVMName', 'vInfoCPUs', ...: drop the tab prefix."""
    prefix = tab.lower()
    headers = table.headers
    prefixed = [h for h in headers if h.lower().startswith(prefix) and len(h) > len(prefix)]
    if headers and len(prefixed) >= max(2, len(headers) // 2):
        renamed = {h: h[len(prefix) :] for h in prefixed}
        table.frame = table.frame.rename(columns=renamed)
    return table


def _servers(info: RawTable, source: Source) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """Servers from vInfo, and lookups (uuid, vmid, name) -> server id for the detail tabs."""
    matched = match_headers(info.headers, VINFO_FIELDS)
    if "name" not in matched:
        cols = ", ".join(info.headers[:12]) or "none"
        raise InputError(
            f"{source.path}: sheet '{info.name}' has no VM name column 'VM' (columns: {cols})"
        )
    rejects = Rejects(info.name, info.rows)
    conv = read_fields(info, matched, rejects, source.notes)
    if "_os_config" in conv:
        conv["os_name"] = conv.get("os_name", conv["_os_config"]).fillna(conv["_os_config"])
    if "_hw_version" in conv:
        digits = conv["_hw_version"].str.extract(r"(\d+)", expand=False)
        conv["hw_version"] = pd.to_numeric(digits, errors="coerce").astype("Int64")
    if "firmware" in conv:
        conv["firmware"] = conv["firmware"].str.lower()
    if "_total_disk_gib" in conv:
        prov = conv.get("provisioned_gib", conv["_total_disk_gib"])
        conv["provisioned_gib"] = prov.fillna(conv["_total_disk_gib"])
    if "_active_memory_gib" in conv and "memory_gib" in conv:
        conv["memory_usage_pct"] = usage_pct(conv["_active_memory_gib"], conv["memory_gib"])

    records, kept = mapping_records(info, matched, known=STANDARD["vInfo"])
    source.mapping.extend(records)
    if kept:
        source.notes.append(
            f"{info.name}: {len(kept)} custom attribute column(s) kept as attr.*: "
            + ", ".join(kept[:8])
            + (" ..." if len(kept) > 8 else "")
        )
    source.servers_read = len(info.frame)
    customer = {f.column for f in CUSTOMER_FIELDS}
    missing = [
        f.column for f in VINFO_FIELDS if not f.column.startswith("_") and f.column not in customer
    ]
    missing = [c for c in missing if c not in matched and c not in _OPTIONAL_VINFO]
    if missing:
        source.notes.append(f"{info.name}: no column for {', '.join(missing)}")
    if info.blank_rows:
        source.notes.append(f"{info.name}: {info.blank_rows} blank row(s) ignored")
    servers, problems = finish_servers(
        conv.drop(columns=[c for c in conv.columns if c.startswith("_")]),
        fmt="rvtools",
        sheet=info.name,
        rows=info.rows,
        name_header=matched["name"].header,
        attrs=info.frame[kept] if kept else None,
        uuid=conv.get("_uuid", None),
        raw=info.frame,
        values=rejects.problems,
    )
    source.problems.extend(rejects.problems + problems)
    survived = info.rows.isin(servers["source_row"].astype("int64")).to_numpy()
    keys = {
        "_uuid": key_lookup(servers["id"], servers["id"]),
        "_vmid": key_lookup(conv["_vmid"][survived], servers["id"]) if "_vmid" in conv else {},
        "_vm": key_lookup(servers["name"], servers["id"]),
    }
    return servers, keys


def _detail(
    table: RawTable,
    fields: tuple[Field, ...],
    keys: dict[str, dict[str, str]],
    source: Source,
) -> pd.DataFrame:
    matched = match_headers(table.headers, fields)
    tab = tab_of(table.name) or table.name
    attrs = _vinfo_extras(source)
    records, _ = mapping_records(
        table, matched, known=STANDARD.get(tab, frozenset()), repeated=attrs, keep_unknown=False
    )
    source.mapping.extend(records)
    if not {"_vm", "_uuid", "_vmid"} & set(matched):
        source.notes.append(f"{table.name}: no VM, VM UUID or VM ID column; tab not used")
        return pd.DataFrame()
    rejects = Rejects(table.name, table.rows)
    conv = read_fields(table, matched, rejects, source.notes)
    out, problems = attach_server_ids(
        conv.drop(columns=[c for c in ("_vm", "_uuid", "_vmid") if c in conv]),
        sheet=table.name,
        rows=table.rows,
        keys=[(conv.get(k), keys[k]) for k in ("_uuid", "_vmid", "_vm")],
        shown=conv.get("_vm"),
    )
    source.problems.extend(rejects.problems + problems)
    missing = [f.column for f in fields if not f.column.startswith("_") and f.column not in matched]
    if missing:
        source.notes.append(f"{table.name}: no column for {', '.join(missing)}")
    return out


def _vinfo_extras(source: Source) -> frozenset[str]:
    """Keys of vInfo's non-standard columns (custom attributes), which RVTools repeats in
    every detail tab; they are read once, from vInfo."""
    return frozenset(
        header_key(m.header).key
        for m in source.mapping
        if m.sheet == source.tabs_read[0] and header_key(m.header).key not in STANDARD["vInfo"]
    )


def _hosts(table: RawTable, source: Source) -> pd.DataFrame:
    matched = match_headers(table.headers, HOST_FIELDS)
    attrs = _vinfo_extras(source)
    records, _ = mapping_records(
        table, matched, known=STANDARD["vHost"], repeated=attrs, keep_unknown=False
    )
    source.mapping.extend(records)
    if "name" not in matched:
        source.notes.append(f"{table.name}: no host name column; tab not used")
        return conform("hosts", pd.DataFrame())
    rejects = Rejects(table.name, table.rows)
    conv = read_fields(table, matched, rejects, source.notes)
    source.problems.extend(rejects.problems)
    return conform("hosts", conv[conv["name"].notna()])


def _version(table: RawTable, source: Source) -> str | None:
    """RVTools version from vMetaData, always as text: '3.10' must not become 3.1."""
    matched = match_headers(
        table.headers,
        (
            Field("full", ("rvtoolsversion",)),
            Field("major", ("rvtoolsmajorversion",)),
            Field("created", ("xlsxcreationdatetime",), "datetime"),
        ),
    )
    if "created" in matched and len(table.frame):
        created = to_datetime(table.frame[matched["created"].header].iloc[:1])
        source.exported_at = None if pd.isna(created.iloc[0]) else created.iloc[0]
    source.mapping.extend(
        mapping_records(table, matched, known=STANDARD["vMetaData"], keep_unknown=False)[0]
    )
    for key in ("full", "major"):
        if key in matched and len(table.frame):
            value = table.frame[matched[key].header].iloc[0]
            text = to_text(pd.Series([value], dtype=object)).iloc[0]
            if pd.notna(text):
                return str(text)
    source.notes.append(f"{table.name}: RVTools version not found (layout not recognised)")
    return None


def _fill_from_details(inv: Inventory, details: dict[str, pd.DataFrame]) -> None:
    """Fill server columns vInfo lacked from the detail tables (vectorised group-bys)."""
    s = inv.servers.set_index("id", drop=False)
    tools = details.get("vTools")
    if not inv.disks.empty:
        by = inv.disks.groupby("server_id")["capacity_gib"]
        s["largest_disk_gib"] = s["largest_disk_gib"].fillna(by.max())
        s["disk_count"] = s["disk_count"].fillna(by.size().astype("Int64"))
        s["provisioned_gib"] = s["provisioned_gib"].fillna(by.sum())
    if not inv.partitions.empty:
        used = inv.partitions.groupby("server_id")["consumed_gib"].sum(min_count=1)
        s["used_gib"] = s["used_gib"].fillna(used)
    if not inv.nics.empty:
        s["nics"] = s["nics"].fillna(inv.nics.groupby("server_id").size().astype("Int64"))
        first_ip = inv.nics.dropna(subset=["ipv4"]).groupby("server_id")["ipv4"].first()
        first_ip = first_ip.str.split(",").str[0].str.strip()
        s["primary_ip"] = s["primary_ip"].fillna(first_ip)
    if tools is not None and not tools.empty and "tools_status" in tools:
        status = tools.dropna(subset=["tools_status"]).groupby("server_id")["tools_status"].first()
        s["tools_status"] = s["tools_status"].fillna(status)
    _fill_usage(s, details.get("vCPU"), details.get("vMemory"))
    inv.servers = conform("servers", s.reset_index(drop=True))


def usage_pct(used: pd.Series, allocated: pd.Series) -> pd.Series:
    """`used` as a percentage of `allocated` (0-100, one decimal); unknown where either is
    unknown or nothing is allocated."""
    total = allocated.astype("Float64")
    pct = 100 * used.astype("Float64") / total.mask(total <= 0)
    return pct.clip(lower=0, upper=100).round(1)


def _fill_usage(s: pd.DataFrame, cpu: pd.DataFrame | None, memory: pd.DataFrame | None) -> None:
    """CPU and memory in use as a share of what is allocated, from vCPU and vMemory (vInfo's
    'Active Memory' first). Only running VMs report use: a stopped VM's zero is not a
    measurement, so it stays unknown."""
    if cpu is not None and {"cpu_overall_mhz", "cpu_max_mhz"} <= set(cpu.columns):
        first = cpu.groupby("server_id")[["cpu_overall_mhz", "cpu_max_mhz"]].first()
        pct = usage_pct(first["cpu_overall_mhz"], first["cpu_max_mhz"]).reindex(s.index)
        s["cpu_usage_pct"] = s["cpu_usage_pct"].astype("Float64").fillna(pct)
    if memory is not None and "memory_active_gib" in memory.columns:
        active = memory.groupby("server_id")["memory_active_gib"].first().reindex(s.index)
        pct = usage_pct(active, s["memory_gib"])
        s["memory_usage_pct"] = s["memory_usage_pct"].astype("Float64").fillna(pct)
    running = s["power_state"].eq("on").fillna(False).astype(bool)
    for col in ("cpu_usage_pct", "memory_usage_pct"):
        s[col] = s[col].astype("Float64").where(running)


def header_matches_rvtools(headers: list[object]) -> bool:
    """True when a header row looks like an RVTools vInfo tab (VM and Powerstate columns)."""
    keys = {header_key(h).key for h in headers}
    keys |= {k.removeprefix("vinfo") for k in keys}
    return bool(keys & {"vm", "vmname"}) and "powerstate" in keys
