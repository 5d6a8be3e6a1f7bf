"""Using the profile's sites: which site each server belongs to, and the sites as a table.

`assign_sites` matches servers to profile sites by their datacenter, cluster or own site
column (name, city or first word of a site's name); `site_table` gives the facts one row of
numbers per site. Both work on pandas frames, vectorised over the whole inventory.
"""

from __future__ import annotations

import pandas as pd

from advisor.profile.model import Profile
from advisor.profile.sections import _norm


def _key_map(profile: Profile, attribute: str) -> dict[str, str]:
    """Normalised datacenter/cluster/site name -> site name, for vectorised lookups."""
    out: dict[str, str] = {}
    for site in profile.sites:
        names = [site.name] if attribute == "name" else getattr(site, attribute)
        for name in names:
            out[_norm(name)] = site.name
    return out


def assign_sites(servers: pd.DataFrame, profile: Profile) -> pd.Series:
    """Each server's profile site name, NA when no site claims it.

    Matching is case-insensitive on stripped names. When several rules match, the most
    specific wins: the server's own `site` column, then its cluster, then its datacenter, so
    a per-server answer from the customer overrides the coarse mapping in the profile.
    """
    result = pd.Series(pd.NA, index=servers.index, dtype=pd.StringDtype(), name="site")
    for column, attribute in (("datacenter", "datacenters"), ("cluster", "clusters")):
        result = _lookup(servers, column, _key_map(profile, attribute)).fillna(result)
    result = _lookup(servers, "site", _site_column_keys(profile)).fillna(result)
    return result.rename("site")


def _site_column_keys(profile: Profile) -> dict[str, str]:
    """What a spreadsheet's own site column may say for a profile site: its name, one of its
    datacenters or clusters, its city, or the first word of its name when no other site
    starts with that word ("Basel" for "Basel HQ")."""
    keys: dict[str, str] = {}
    first_words: dict[str, list[str]] = {}
    for site in profile.sites:
        names = [site.name, *site.datacenters, *site.clusters]
        if getattr(site, "city", None):
            names.append(site.city)
        for value in names:
            keys.setdefault(_norm(str(value)), site.name)
        word = _norm(site.name).split(" ")[0]
        first_words.setdefault(word, []).append(site.name)
    for word, owners in first_words.items():
        if len(owners) == 1 and len(word) >= 3:
            keys.setdefault(word, owners[0])
    keys.update({_norm(site.name): site.name for site in profile.sites})
    return keys


def _lookup(servers: pd.DataFrame, column: str, mapping: dict[str, str]) -> pd.Series:
    """Map one server column through a normalised-name table (NA for misses)."""
    if column not in servers.columns or not mapping:
        return pd.Series(pd.NA, index=servers.index, dtype=pd.StringDtype())
    keys = servers[column].astype(pd.StringDtype()).str.strip().str.casefold()
    return keys.map(mapping).astype(pd.StringDtype())


def site_table(profile: Profile) -> pd.DataFrame:
    """One row per site with its numbers, NA where the profile is silent (for facts)."""
    sites = profile.sites
    return pd.DataFrame(
        {
            "name": pd.array([s.name for s in sites], dtype=pd.StringDtype()),
            "lat": pd.array([s.lat for s in sites], dtype=pd.Float64Dtype()),
            "lon": pd.array([s.lon for s in sites], dtype=pd.Float64Dtype()),
            "uplink_mbps": pd.array([s.uplink_mbps for s in sites], dtype=pd.Float64Dtype()),
            "users": pd.array([s.users for s in sites], dtype=pd.Int64Dtype()),
        }
    )
