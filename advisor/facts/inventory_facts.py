"""Inventory columns rules read directly, under their own names, as facts.

They are facts like any other (declared, listed by `advisor rules facts`), so rules never
reach into the inventory themselves.
"""

from __future__ import annotations

import pandas as pd

from advisor.facts.base import Fact, FactContext

_PASS = (
    ("name", "text", "Server name as the customer knows it."),
    ("os_name", "text", "Operating system as reported."),
    ("os_family", "text", "windows, linux or other."),
    ("vcpus", "count", "Virtual CPUs."),
    ("memory_gib", "GiB", "Configured memory."),
    ("used_gib", "GiB", "Storage in use: what has to be copied."),
    ("provisioned_gib", "GiB", "Storage provisioned."),
    ("largest_disk_gib", "GiB", "Capacity of the largest single disk."),
    ("disk_count", "count", "Virtual disks."),
    ("nics", "count", "Network adapters."),
    ("power_state", "text", "on, off or suspended."),
    ("is_template", "bool", "The VM is a template, not a running workload."),
    ("firmware", "text", "bios or efi."),
    ("hw_version", "version", "VMware virtual hardware version."),
    ("environment", "text", "Environment as stated (production, test, ...)."),
    ("site", "text", "Customer site, from the profile's datacenters/clusters or a site column."),
)

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ()

FACTS = tuple(Fact(name, unit, text, (name,)) for name, unit, text in _PASS)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    out = {name: s[name] for name, _, _ in _PASS}
    out["is_template"] = s["is_template"].fillna(False).astype("boolean")
    out["environment"] = _environment(s["environment"])
    return out


_ENV = {
    "production": r"^(prod|prd|production|live|produktion|p)$",
    "test": r"^(test|tst|qa|uat|acceptance|int|integration|staging|stage|preprod|pre-prod)$",
    "development": r"^(dev|development|entwicklung|sandbox|lab)$",
    "dr": r"^(dr|disaster recovery)$",
}


def _environment(env: pd.Series) -> pd.Series:
    """Common spellings folded to production / test / development / dr; others kept."""
    text = env.astype("string").str.strip().str.lower()
    out = text.copy()
    for canonical, pattern in _ENV.items():
        out = out.mask(text.str.match(pattern).fillna(False).astype(bool), canonical)
    return out
