"""What is never migrated, whatever the profile says: the VMware platform's own machinery and
what is not a runnable workload.

Each check returns a boolean mask over the servers and the reason per server, from
evidence the inventory holds (template flag, connection state, SRM placeholder flag, disk
list, OS, name, notes). Order matters only for the reason shown: the first category that
matches a server names it (see `CATEGORIES` in `advisor.scope`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.inventory.schema import Inventory
from advisor.text import REFERENCED, first, found, member, short_list

#: vSphere's own agent VMs: vSphere Cluster Services (vCLS) and vSphere Pods run on the
#: 'VMware Photon CRX' kernel and are created and removed by vCenter.
_AGENT_NAME = r"^vcls[-_ (]"
_AGENT_OS = r"photon crx"

#: VMware products that run as appliances (or as Windows services) to manage the platform:
#: they stay with VMware when the workloads leave. Matched on notes and OS names.
_VMWARE_PRODUCTS = (
    r"vmware vcenter(?: server)?(?: appliance)?|vcenter server(?: appliance)?|"
    r"platform services controller|"
    r"\bnsx[- ]?(?:t |v )?(?:manager|edge|controller|unified appliance|global manager)|"
    r"vmware nsx|nsx edge|vsphere replication|vmware hcx|\bhcx (?:manager|connector|"
    r"interconnect|wan)|vmware (?:vrealize|aria)\b[\w -]{0,40}|vrealize [\w ]{0,30}appliance|"
    r"vmware (?:vrealize )?log ?insight|vmware identity manager|"
    r"unified access gateway|vsphere data protection|vmware cloud director|vcloud director|"
    r"site recovery manager appliance|vmware skyline|vsphere management assistant|"
    r"vmware esxi?\b|nested esxi"
)
#: Name tokens of the same appliances ('nreng8-vcsa', 'nsx-edge-01', 'vse-edge-gw-0').
_VMWARE_NAMES = (
    r"(?:^|[-_. ])(?:vcsa|vcenter|vcs-?appliance|psc)(?:\d*)(?:$|[-_. ])|"
    r"(?:^|[-_. ])nsx-?(?:t-?)?(?:mgr|manager|edge|ctrl|controller|node)|"
    r"^vse-|(?:^|[-_. ])(?:vrops|vrli|vrni|vra|vidm|hcx-?(?:mgr|manager|ix|ne))\d*(?:$|[-_. ])"
)
#: Notes and OS names of backup appliances and proxies: infrastructure of today's backup
#: product, replaced by the target's own backup design.
_BACKUP_APPLIANCE = (
    r"rubrik (?:edge|cloud|air|appliance|cdm)|avamar virtual edition|avamar proxy|"
    r"data ?domain virtual edition|\bddve\b|powerprotect dd virtual|cohesity virtual edition|"
    r"netbackup (?:virtual )?appliance|veeam (?:backup )?proxy|backup proxy|\bvbr[- ]?proxy|"
    r"vmware backup proxy|vadp proxy|netbackup (?:vmware )?access host|commvault (?:vsa|proxy)|"
    r"druva (?:phoenix )?(?:backup store|cache)|hycu (?:backup )?controller|nakivo transporter"
)
_BACKUP_NAMES = r"(?:^|[-_. ])(?:vbr|veeam|bkp|backup|vadp|av)-?proxy\d*(?:$|[-_. ])"
_UNREACHABLE_STATES = ("orphaned", "inaccessible", "invalid")


def templates(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    s = inv.servers
    hit = s["is_template"].fillna(False).astype(bool).to_numpy()
    return hit, _text("VMware template: rebuilt as an image on the target, not migrated", s)


def agent_vms(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    s = inv.servers
    hit = found(s["name"], _AGENT_NAME) | found(s["os_name"], _AGENT_OS)
    why = "vSphere agent VM (vSphere Cluster Services or a vSphere Pod): vCenter creates and "
    why += "removes it by itself; it has no workload"
    return hit.to_numpy(), _text(why, s)


def vmware_infrastructure(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    """vCenter, NSX, HCX, Aria and the like, by notes, OS or name."""
    s = inv.servers
    product = _product(s, _VMWARE_PRODUCTS)
    by_name = first(s["name"], _VMWARE_NAMES)
    hit = product.notna() | by_name.notna()
    what = ("'" + product.str.strip() + "' in its notes or OS").fillna(
        "its name '" + s["name"].astype("string") + "'"
    )
    why = "VMware infrastructure (" + what + "): it runs the platform that stays behind"
    return hit.to_numpy(), why.astype("string")


def srm_placeholders(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    s = inv.servers
    hit = s["srm_placeholder"].fillna(False).astype(bool).to_numpy()
    why = "Site Recovery Manager placeholder: the shadow of a VM protected at another site"
    return hit, _text(why, s)


def unreachable(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    s = inv.servers
    state = s["connection_state"].astype("string").str.strip().str.lower()
    hit = member(state, _UNREACHABLE_STATES)
    why = "vCenter reports the VM as " + state.fillna("") + ": its files cannot be read as a VM"
    return hit, why.astype("string")


def invalid_size(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    s = inv.servers
    cpus = s["vcpus"].astype("Float64")
    memory = s["memory_gib"].astype("Float64")
    hit = (cpus.eq(0) | memory.eq(0)).fillna(False).astype(bool)
    why = pd.Series("configured with 0 vCPUs", index=s.index, dtype="string")
    why = why.mask(memory.eq(0).fillna(False).astype(bool), "configured with 0 GiB of memory")
    return hit.to_numpy(), (why + ": not a runnable VM").astype("string")


def backup_infrastructure(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    """Backup proxies (they hot-add other VMs' disks, or say so) and backup appliances."""
    s = inv.servers
    product = _product(s, _BACKUP_APPLIANCE)
    named = found(s["name"], _BACKUP_NAMES).to_numpy()
    guests = _hot_added(inv)
    hot = guests.notna().to_numpy()
    why = pd.Series(pd.NA, index=s.index, dtype="string")
    why = why.mask(named, "backup proxy (by its name '" + s["name"].astype("string") + "')")
    why = why.mask(product.notna(), "backup appliance or proxy ('" + product.str.strip() + "')")
    why = why.mask(hot, "backup proxy: it has disks of other VMs attached (" + guests + ")")
    why = why + ", infrastructure of today's backup product"
    return (hot | named | product.notna().to_numpy()), why.astype("string")


def no_disks(inv: Inventory) -> tuple[np.ndarray, pd.Series]:
    """VMs that hold no virtual disk at all: placeholders (reservations, shells of deleted
    VMs), never retire candidates, since there is nothing to retire but an entry."""
    s = inv.servers
    count = s["disk_count"].astype("Float64")
    listed = member(s["id"], inv.disks["server_id"])
    provisioned = s["provisioned_gib"].astype("Float64").fillna(0).le(0).to_numpy(dtype=bool)
    hit = count.eq(0).fillna(False).to_numpy(dtype=bool) & ~listed & provisioned
    why = "no virtual disk: a placeholder with nothing to migrate (ask whether it can be deleted)"
    return hit, _text(why, s)


def _product(s: pd.DataFrame, pattern: str) -> pd.Series:
    """The product named in a server's notes or OS, NA where none is, or where the notes
    name it as something the server uses ("backed up via the Veeam proxy")."""
    notes = s["annotation"].astype("string").fillna("") + " | "
    notes = notes + s["os_name"].astype("string").fillna("")
    product = first(notes, pattern)
    return product.mask(found(notes, f"{REFERENCED}(?:{pattern})"))


def _hot_added(inv: Inventory) -> pd.Series:
    """Per server, the other VMs whose disks are attached to it, or NA.

    A VM's home is the datastore folder of its first disk; a disk in the home folder of
    another VM belongs to that VM, and is attached here only while a backup proxy reads it
    (VMware's hot-add transport).
    """
    s = inv.servers
    disks = inv.disks[["server_id", "label", "path"]].dropna(subset=["path"])
    empty = pd.Series(pd.NA, index=s.index, dtype="string")
    if disks.empty:
        return empty
    folder = disks["path"].astype("string").str.extract(r"\]\s*(.*)/[^/]*$", expand=False)
    folder = folder.str.strip().str.lower()
    number = pd.to_numeric(
        disks["label"].astype("string").str.extract(r"(\d+)\s*$", expand=False), errors="coerce"
    )
    frame = pd.DataFrame({"sid": disks["server_id"], "folder": folder, "n": number})
    frame = frame.dropna(subset=["folder"])
    homes = frame.sort_values(["sid", "n"], kind="stable").drop_duplicates("sid")
    owner = homes.drop_duplicates("folder", keep=False).set_index("folder")["sid"]
    frame["owner"] = frame["folder"].map(owner)
    foreign = frame[frame["owner"].notna() & frame["owner"].ne(frame["sid"])]
    if foreign.empty:
        return empty
    names = s.set_index("id")["name"].astype("string")
    foreign = foreign.assign(guest=foreign["owner"].map(names)).dropna(subset=["guest"])
    listed = foreign.drop_duplicates(["sid", "guest"]).sort_values(["sid", "guest"])
    joined = listed.groupby("sid")["guest"].agg(lambda g: short_list(list(g), 3))
    return joined.reindex(s["id"]).set_axis(s.index).astype("string")


def _text(text: str, s: pd.DataFrame) -> pd.Series:
    return pd.Series(text, index=s.index, dtype="string")
