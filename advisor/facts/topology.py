"""Application tiers and where they stand: which servers form one application, how many
sites it spans, whether it has a database, and which other servers a server's notes name.

Tightly coupled tiers (an application and its database) must not end up on both sides of
a WAN: a loop of sequential queries is bounded by one round trip per query (domain-facts
4.3). Two honest, simple signals:

- **Application groups.** The application column, cleaned of versions, environment words
  and tier words ("Customer Portal backend (Java)" -> `customer portal`); a part in brackets
  that names another group joins it ("PostgreSQL 15 (Customer Portal)"). Without an
  application, the first significant word of the server name, after a site prefix and
  environment words (`bsl-tst-web-01` -> `web`, `crm-db-01` -> `crm`).
- **Named servers.** Server names written in another server's notes ("database on
  bsl-ora-01") or listed in the dependency table. "Replaces X" is not a dependency.

A database server is one whose name, role or application says database (identity's
patterns), not one whose notes merely mention a database elsewhere.
"""

from __future__ import annotations

import re

import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.facts.identity import ROLES
from advisor.facts.network import join_by
from advisor.text import member

#: Words that say which copy or tier of an application a server is, not which application.
_NOISE_WORDS = frozenset(
    "test tst prod prd production dev development qa uat staging stage sandbox old retired "
    "legacy new backend frontend back front end web app application server servers service "
    "services node nodes cluster instance vm the and for of".split()
)
_ENV_TOKENS = frozenset(
    "test tst prod prd dev qa uat stg stage staging int dr old new bak backup tmp temp".split()
)
_NOISE_RX = r"\b(?:" + "|".join(sorted(_NOISE_WORDS)) + r")\b"
_ENV_RX = r"(?:^|(?<=[-_\s]))(?:" + "|".join(sorted(_ENV_TOKENS)) + r")(?=$|[-_\s])"
_MIN_NAME = 4  # shorter server names ('dc', 'fs') are too ambiguous to find in free text
_REPLACES = r"(?:replace[sd]?|replacing|successor of|instead of)(?: by)?\s+[a-z0-9][a-z0-9_.-]*"
_LIST_MAX = 6

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts", "identity")

FACTS: tuple[Fact, ...] = (
    Fact(
        "application_key",
        "text",
        "Application group: the cleaned application column, else the first significant word "
        "of the server name.",
        ("application", "name", "site", "datacenter"),
    ),
    Fact(
        "application_servers",
        "count",
        "Servers (not templates) in the same application group.",
        ("application_key",),
    ),
    Fact(
        "application_sites",
        "count",
        "Sites the application group spans (unknown if a member's site is unknown and the "
        "known ones are a single site).",
        ("application_key", "site"),
    ),
    Fact(
        "application_site_names",
        "text",
        "The sites of the application group.",
        ("application_key", "site"),
    ),
    Fact(
        "application_has_database",
        "bool",
        "A member of the application group is a database server by its name, role or application.",
        ("application_key", "is_database", "name", "role", "application"),
    ),
    Fact(
        "application_db_elsewhere",
        "bool",
        "The server is not a database, its application has one, and no database of the "
        "application stands at this server's site.",
        ("application_key", "application_has_database", "site"),
    ),
    Fact(
        "linked_servers",
        "text",
        "Other servers named in this server's notes or dependency rows.",
        ("annotation", "name", "dependencies"),
    ),
    Fact("linked_servers_count", "count", "Number of linked servers.", ("linked_servers",)),
    Fact(
        "linked_database",
        "text",
        "Linked servers that are database servers.",
        ("linked_servers", "is_database"),
    ),
    Fact(
        "linked_database_count", "count", "Number of linked database servers.", ("linked_database",)
    ),
    Fact(
        "linked_elsewhere",
        "text",
        "Linked servers at another site than this server.",
        ("linked_servers", "site"),
    ),
    Fact(
        "linked_elsewhere_count",
        "count",
        "Linked servers at another site (unknown when none is known to be elsewhere but a "
        "link has an end whose site is unknown).",
        ("linked_servers", "site"),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    live = ~ctx.fact("is_template").fillna(False).astype(bool)
    site = ctx.fact("site").astype("string")
    strict_db = _strict_database(ctx)

    out: dict[str, pd.Series] = {}
    key = _application_key(ctx)
    out["application_key"] = key
    # Two tenants' 'crm' are two applications: groups never cross a segment.
    segment = ctx.servers["segment"].astype("string")
    grouping = key.where(segment.isna(), segment + " / " + key)
    out.update(_groups(grouping, site, live, strict_db))
    out.update(_links(ctx, site, live, strict_db))
    return out


# --- application groups -----------------------------------------------------------------


def _clean(text: pd.Series) -> pd.Series:
    t = text.astype("string").str.lower()
    t = t.str.replace(r"\b(?:v|sp|cu)?\d+(?:[.,]\d+)*[a-z]?\b", " ", regex=True)
    t = t.str.replace(r"[^a-z0-9/&+]+", " ", regex=True)
    t = t.str.replace(_NOISE_RX, " ", regex=True).str.replace(r"\s+", " ", regex=True)
    return t.str.strip().replace("", pd.NA).astype("string")


def _application_key(ctx: FactContext) -> pd.Series:
    app = ctx.servers["application"].astype("string")
    inside = app.str.extract(r"\(([^)]*)\)", expand=False)
    base = _clean(app.str.replace(r"\([^)]*\)", " ", regex=True))
    bracket = _clean(inside)
    key = base.fillna(bracket)
    joins = bracket.notna() & bracket.isin(set(key.dropna())) & bracket.ne(key).fillna(True)
    key = key.mask(joins.fillna(False).astype(bool), bracket)
    return key.fillna(_name_stem(ctx)).astype("string")


def _name_stem(ctx: FactContext) -> pd.Series:
    """First significant token of the short name, after a site prefix and environment words.

    A first token is a site prefix when its letters appear in order in the server's site
    or datacenter name (`bsl` in Basel, `vie` in Vienna), or when a fifth of the estate's
    names start with it, followed by at least four different words.
    """
    s = ctx.servers
    short = s["name"].astype("string").str.lower().str.split(".").str[0]
    first = short.str.extract(r"^([a-z0-9]+)[-_\s]", expand=False)  # NA: a single token
    site = ctx.fact("site").astype("string").fillna("")
    place = (site + " " + s["datacenter"].astype("string").fillna("")).str.lower()
    pairs = pd.DataFrame({"first": first, "place": place}).dropna().drop_duplicates()
    pairs["abbrev"] = [  # unique (token, place) pairs, not servers: a handful
        _abbreviates(f, p) for f, p in zip(pairs["first"], pairs["place"], strict=True)
    ]
    flag = pd.DataFrame({"first": first, "place": place}).merge(
        pairs, on=["first", "place"], how="left"
    )["abbrev"]
    is_site = pd.Series(flag.astype("boolean").fillna(False).to_numpy(dtype=bool), index=s.index)
    # A prefix most of the estate shares, followed by many different words, is a place or
    # company code even where no site says so ('bsl-web', 'bsl-sql', 'bsl-dc', ...).
    second = short.str.extract(r"^[a-z0-9]+[-_\s]+([a-z]+)", expand=False)
    share = first.map(first.value_counts(normalize=True)).fillna(0).astype(float)
    variety = first.map(second.groupby(first).nunique()).fillna(0).astype(float)
    is_site = (is_site | ((share >= 0.2) & (variety >= 4))) & first.notna()
    rest = short.where(~is_site, short.str.replace(r"^[a-z0-9]+[-_\s]+", "", regex=True))
    rest = rest.str.replace(r"\d+[a-z]?(?=$|[-_\s])", "", regex=True)
    rest = rest.str.replace(_ENV_RX, "-", regex=True)
    return rest.str.extract(r"([a-z0-9]*[a-z][a-z0-9]+)", expand=False).astype("string")


def _abbreviates(token: str, place: str) -> bool:
    """'bsl' abbreviates 'basel': same first letter, the letters in order."""
    if len(token) < 2 or not token.isalpha() or not place.strip():
        return False
    for word in re.findall(r"[a-z]+", place):
        if word[0] != token[0]:
            continue
        it = iter(word)
        if all(ch in it for ch in token):
            return True
    return False


def _strict_database(ctx: FactContext) -> pd.Series:
    """is_database, confirmed by the name, role or application (not only by notes)."""
    name_rx, text_rx = (re.sub(r"\((?!\?)", "(?:", rx) for rx in ROLES["database"])
    name = ctx.text("name", "dns_name")
    own = ctx.text("role", "application")
    confirmed = name.str.contains(name_rx, regex=True) | own.str.contains(text_rx, regex=True)
    return ctx.fact("is_database").fillna(False).astype(bool) & confirmed.fillna(False).astype(bool)


def _groups(
    key: pd.Series, site: pd.Series, live: pd.Series, strict_db: pd.Series
) -> dict[str, pd.Series]:
    members = pd.DataFrame({"key": key, "site": site, "db": strict_db})[live & key.notna()]
    grouped = members.groupby("key")
    n = grouped.size()
    known_sites = grouped["site"].nunique()
    unknown_site = members["site"].isna().groupby(members["key"]).any()
    sites = known_sites.astype("Float64").mask(unknown_site & (known_sites < 2))
    names = join_by(members["key"], members["site"], n.index, limit=_LIST_MAX)
    has_db = grouped["db"].any()

    def by_key(series: pd.Series, dtype: str) -> pd.Series:
        return key.map(series).astype(dtype)

    out = {
        "application_servers": by_key(n, "Float64"),
        "application_sites": by_key(sites, "Float64"),
        "application_site_names": by_key(names, "string"),
        "application_has_database": by_key(has_db, "boolean"),
    }
    db_pairs = members.loc[members["db"], ["key", "site"]].dropna().drop_duplicates()
    here = pd.DataFrame({"key": key, "site": site}).merge(
        db_pairs.assign(here=True), on=["key", "site"], how="left"
    )["here"]
    db_here = pd.Series(here.fillna(False).astype(bool).to_numpy(), index=key.index)
    # A database whose own site is unknown might stand here: then only a known one decides.
    db_unsited = members[members["db"] & members["site"].isna()]["key"].unique()
    open_question = key.isin(db_unsited).fillna(False).to_numpy() & ~db_here.to_numpy()
    db_here = db_here.astype("boolean").mask(site.isna() | key.isna() | open_question)
    # A database of the application stands at another site only: the tiers are split.
    elsewhere = out["application_has_database"] & ~db_here
    out["application_db_elsewhere"] = (
        elsewhere.mask(strict_db, False)
        .mask(out["application_has_database"].eq(False), False)
        .astype("boolean")
    )
    return out


# --- named servers ----------------------------------------------------------------------


def _links(
    ctx: FactContext, site: pd.Series, live: pd.Series, strict_db: pd.Series
) -> dict[str, pd.Series]:
    s = ctx.servers
    idx = s.index
    short = s["name"].astype("string").str.lower().str.split(".").str[0]
    targets = pd.DataFrame({"target": idx, "short": short})[live.to_numpy()]
    targets = targets[targets["short"].str.len().fillna(0) >= _MIN_NAME]
    targets = targets.drop_duplicates("short", keep=False)  # ambiguous names name nobody

    notes = s["annotation"].astype("string").str.lower().str.replace(_REPLACES, " ", regex=True)
    words = notes.str.findall(r"[a-z0-9][a-z0-9_.-]*[a-z0-9]").explode().dropna()
    words = words.astype("string").str.split(".").str[0]
    mentions = pd.DataFrame({"source": words.index, "short": words.to_numpy()})
    edges = mentions.merge(targets, on="short")[["source", "target"]]
    edges = pd.concat([edges, _dependency_edges(ctx, short)], ignore_index=True)
    edges = edges[edges["source"] != edges["target"]].drop_duplicates()
    edges = edges[member(edges["source"], idx)]
    edges["name"] = edges["target"].map(s["name"]).astype("string")
    edges["db"] = edges["target"].map(strict_db).fillna(False).astype(bool)
    src_site = edges["source"].map(site).astype("string")
    tgt_site = edges["target"].map(site).astype("string")
    edges["away"] = (src_site.notna() & tgt_site.notna() & src_site.ne(tgt_site)).fillna(False)
    edges["unsure"] = (src_site.isna() | tgt_site.isna()).to_numpy()

    def listed(mask: pd.Series) -> tuple[pd.Series, pd.Series]:
        sub = edges[mask.astype(bool)]
        names = join_by(sub["source"], sub["name"], idx, limit=_LIST_MAX)
        count = sub.groupby("source").size().reindex(idx, fill_value=0).astype("Float64")
        return names.astype("string"), count

    all_names, all_count = listed(pd.Series(True, index=edges.index))
    db_names, db_count = listed(edges["db"])
    away_names, away_count = listed(edges["away"])
    # A link whose two ends are not both placed may or may not leave the site.
    unsure = edges[edges["unsure"]].groupby("source").size().reindex(idx, fill_value=0).gt(0)
    return {
        "linked_servers": all_names,
        "linked_servers_count": all_count,
        "linked_database": db_names,
        "linked_database_count": db_count,
        "linked_elsewhere": away_names,
        "linked_elsewhere_count": away_count.mask(unsure & away_count.eq(0)),
    }


def _dependency_edges(ctx: FactContext, short: pd.Series) -> pd.DataFrame:
    """Dependency rows (source -> target by id or name) as server-id edges."""
    deps = ctx.inventory.dependencies
    if deps is None or deps.empty:
        return pd.DataFrame({"source": [], "target": []}, dtype="object")
    lookup = pd.Series(short.index, index=short.to_numpy())
    lookup = lookup[~lookup.index.duplicated(keep=False)]

    def resolve(col: pd.Series) -> pd.Series:
        text = col.astype("string")
        by_id = text.where(member(text, ctx.servers.index))
        by_name = text.str.lower().str.split(".").str[0].map(lookup)
        return by_id.fillna(by_name)

    out = pd.DataFrame({"source": resolve(deps["source"]), "target": resolve(deps["target"])})
    return out.dropna()
