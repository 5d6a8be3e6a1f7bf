"""Move groups: the servers that must move together, and why each one is in its group.

A move group is cut over in one go: splitting it would leave half an application on each
side of the WAN, where every query between its tiers pays a round trip (domain-facts 4.3).
Servers join a group through these signals, each bounded so that a label the whole estate
shares never glues it into one group:

- **application**: the application the facts derive (`application_key`), per segment and
  environment (production and non-production copies move apart). Office services (file
  and print servers) also stay per site. From the customer's application column at most
  `APPLICATION_MAX` servers; from the first word of server names (no application column)
  at most `NAME_KEY_MAX` servers of one site.
- **vApp**: the servers of one vApp (a container vCenter starts and stops as one unit).
- **folder**: only a folder that is clearly one application: 2 to `FOLDER_MAX` in-scope
  servers, and a word of its name is the application or name of at least half of them
  ('Customer Portal', 'SAP'). A folder of 300 servers, or one named after a site or a
  team, is how the estate is filed, not what must move together.
- **cluster**: nodes with the same name stem (`name_stem`) that show clustering (cluster
  node, NLB, shared disk or virtual IP): a cluster cannot run half here, half there.
- **links**: servers named in each other's notes, and rows of the dependency table.

Domain controllers never join an application: the DCs of one site (and domain) form their
own group. Links to shared services (domain controllers, file, print, backup and licence
servers) and to hubs (more than `HUB_LINKS` linked servers, such as monitoring or a shared
database) do not join groups either: they are dependencies that must stay reachable, and
`group_edges` lists them, so the wave plan can say which links cross waves.

Group ids ('G001') follow the sorted group names, which are unique; the same estate gives
the same groups, names and ids whatever the row order. The consultant may move servers
between groups in the workbook's Groups sheet (`advisor.inventory.groups_file`); `move_groups`
applies those edits and flags every group whose membership they changed.

Inside, servers are numbered by their sorted id and every table works on those numbers: a
text index would be looked up again by every pandas operation that aligns on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from advisor.errors import InputError
from advisor.facts.redundancy import SITE_SCOPED_ROLES
from advisor.facts.topology import _MIN_NAME, _NOISE_WORDS, _REPLACES
from advisor.text import arrow, replace

#: More linked servers than this make a server a hub whose links do not join groups.
HUB_LINKS = 8
#: Largest group the customer's application column may form on its own.
APPLICATION_MAX = 50
#: Largest group the first word of server names may form (per site), without an application.
NAME_KEY_MAX = 25
#: Largest folder that may count as one application.
FOLDER_MAX = 15
#: Roles other servers depend on without moving with them.
SHARED_SERVICE_ROLES = (
    "domain_controller",
    "file_server",
    "print_server",
    "backup_server",
    "license_server",
)
#: Columns of the frame `move_groups` returns (index: server id).
GROUP_COLUMNS = ("group_id", "group_name", "reason", "edited")
#: Columns of the frame `group_edges` returns.
EDGE_COLUMNS = (
    "source",
    "target",
    "source_name",
    "target_name",
    "port",
    "origin",
    "joins",
    "why",
    "blocked_by",
)

_FOLDER_NOISE = _NOISE_WORDS | frozenset(
    "apps applications business infrastructure infra legacy linux windows unix vms virtual "
    "machine machines discovered misc other others general templates template datacenter "
    "site office lab shared common core systems system internal external team dept".split()
)
_LIST = 4  # linked servers named in a reason before 'and N more'
_SERVER_TEXT = ("name", "application", "vapp", "folder", "annotation", "segment", "dns_name",
                "primary_ip")  # fmt: skip
_FACT_TEXT = ("name", "segment", "application_key", "site", "name_stem", "dc_domain", "role")
_FACT_FLAGS = ("is_cluster_node", "nlb_member", "shared_disk", "virtual_ip", "is_production")


@dataclass(frozen=True)
class Signal:
    """One reason servers move together: servers sharing a key (codes; -1 where the signal
    does not apply) join, when the key holds 2 to `limit` servers."""

    codes: np.ndarray
    #: The reason, `text` with '{}' standing for each server's `quoted` value.
    text: str
    quoted: pd.Series
    #: What the group would be called after this signal.
    label: pd.Series
    limit: int
    #: Domain controllers' groups: a lone DC still forms its site's group.
    alone: bool = False

    def applies(self) -> np.ndarray:
        """Servers the signal ties to others (or describes, for `alone` signals)."""
        return self.codes >= 0 if self.alone else _bounded(self.codes, self.limit)

    def reason(self, ok: np.ndarray) -> pd.Series:
        """The reason text where `ok`, NA elsewhere."""
        head, _, tail = self.text.partition("{}")
        quoted = arrow(self.quoted).cast(pa.large_string())
        large = [pa.scalar(s, pa.large_string()) for s in (head, tail, "")]
        text = pc.binary_join_element_wise(large[0], quoted, large[1], large[2])
        out = pc.if_else(pa.array(ok), text, pa.scalar(None, pa.large_string()))
        return pd.Series(pd.arrays.ArrowStringArray(out), index=self.quoted.index)


# --- public API --------------------------------------------------------------------------------


def move_groups(
    servers: pd.DataFrame,
    facts: pd.DataFrame,
    dependencies: pd.DataFrame | None,
    edits: pd.DataFrame | None = None,
    *,
    edges: pd.DataFrame | None = None,
    hub_links: int = HUB_LINKS,
) -> pd.DataFrame:
    """One row per in-scope server (the facts' index; the frame's index is the server id,
    sorted): `group_id`, `group_name`, `reason` (why the server is in its group) and
    `edited` (its group differs from the derived one because of the Groups sheet).

    `servers` is the inventory's server table (an `id` column or an id index; `name`, and
    `application`, `vapp`, `folder`, `annotation`, `segment`, `dns_name`, `primary_ip` where
    present); rows not in `facts` are out of scope and ignored. `edges` may pass the result
    of `group_edges` to avoid reading the notes twice; `edits` is `read_group_edits`'s frame.
    """
    ctx = _frame(servers, facts)
    links = _links(ctx, dependencies, hub_links) if edges is None else _positional(edges, ctx)
    derived = _derive(ctx, links)
    if edits is None or edits.empty:
        return derived
    names = pd.Series(ctx["name"].to_numpy(), index=derived.index, dtype="string")
    return apply_group_edits(derived, names, edits)


def group_edges(
    servers: pd.DataFrame,
    facts: pd.DataFrame,
    dependencies: pd.DataFrame | None,
    *,
    hub_links: int = HUB_LINKS,
) -> pd.DataFrame:
    """The dependency edges between in-scope servers (EDGE_COLUMNS): servers named in notes
    and rows of the dependency table, one row per (source, target, origin, port), sorted.

    `joins` says whether the edge merges its two ends into one group; where it does not,
    `why` says so and `blocked_by` names the end that stops it: a shared service or a hub
    (more than `hub_links` linked servers), whose links must stay reachable across waves.
    """
    ctx = _frame(servers, facts)
    return _edge_frame(ctx, _links(ctx, dependencies, hub_links))


def groups_and_edges(
    servers: pd.DataFrame,
    facts: pd.DataFrame,
    dependencies: pd.DataFrame | None,
    edits: pd.DataFrame | None = None,
    *,
    hub_links: int = HUB_LINKS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`move_groups` and `group_edges` in one go, reading the servers and notes once: what
    the plan stage calls."""
    ctx = _frame(servers, facts)
    links = _links(ctx, dependencies, hub_links)
    derived = _derive(ctx, links)
    edges = _edge_frame(ctx, links)
    if edits is None or edits.empty:
        return derived, edges
    names = pd.Series(ctx["name"].to_numpy(), index=derived.index, dtype="string")
    return apply_group_edits(derived, names, edits), edges


def _edge_frame(ctx: pd.DataFrame, e: pd.DataFrame) -> pd.DataFrame:
    """Edges by server number as the public frame: ids and names of both ends."""
    ids, names = ctx["id"].to_numpy(), ctx["name"]
    blocked = e["blocked_by"].to_numpy()
    out = pd.DataFrame(
        {
            "source": ids[e["src"].to_numpy()],
            "target": ids[e["dst"].to_numpy()],
            "source_name": names.to_numpy()[e["src"].to_numpy()],
            "target_name": names.to_numpy()[e["dst"].to_numpy()],
            "port": e["port"].to_numpy(),
            "origin": e["origin"].to_numpy(),
            "joins": e["joins"].to_numpy(),
            "why": e["why"].to_numpy(),
            "blocked_by": np.where(blocked >= 0, ids[np.maximum(blocked, 0)], None),
        }
    ).astype(
        {
            "source": "string",
            "target": "string",
            "source_name": "string",
            "target_name": "string",
            "port": "Int64",
            "origin": "string",
            "joins": bool,
            "why": "string",
            "blocked_by": "string",
        }
    )
    return out


def groups_sheet_frame(groups: pd.DataFrame, servers: pd.DataFrame) -> pd.DataFrame:
    """The rows of the workbook's Groups sheet: server, group, group name, reason, edited,
    sorted by group id then server. Reading the sheet back with `read_group_edits` and
    applying it changes nothing: a server whose name another in-scope server shares is
    written as 'name [id]', which `apply_group_edits` resolves."""
    ids = pd.Series(groups.index, dtype="string")
    named = rows_for(servers, ids, ("name",))
    if "name" in named:
        name = named["name"].astype("string")
    else:  # a partial frame (tests, other formats): the ids stand in
        name = pd.Series(pd.NA, index=ids.index, dtype="string")
    names = pd.Series(name.fillna(ids).to_numpy(), index=groups.index, dtype="string")
    label = _sheet_labels(names)
    out = pd.DataFrame(
        {
            "server": label.to_numpy(),
            "group": groups["group_id"].to_numpy(),
            "group name": groups["group_name"].to_numpy(),
            "reason": groups["reason"].to_numpy(),
            "edited": groups["edited"].astype(bool).to_numpy(),
        }
    ).astype({"server": "string", "group": "string", "group name": "string", "reason": "string"})
    return out.sort_values(["group", "server"], kind="stable").reset_index(drop=True)


def apply_group_edits(derived: pd.DataFrame, names: pd.Series, edits: pd.DataFrame) -> pd.DataFrame:
    """The derived groups with the consultant's edits applied: each listed server goes to
    the group its row names (an existing group by name, any case; else a new group of that
    name; or by group id when the name is blank). Group ids are given afresh from the sorted
    names; `edited` marks every group that is not exactly a derived group (same name, same
    members). `names` is the server name per id; `edits` has server, group, group_name, row
    and the file in `attrs['path']`."""
    where = str(edits.attrs.get("path", "groups file"))
    ids = _resolve_servers(edits, names, where)
    derived_names = derived["group_name"].astype("string")
    distinct = derived_names.drop_duplicates()
    canonical = pd.Series(distinct.to_numpy(), index=distinct.str.casefold().to_numpy())
    by_id = derived.drop_duplicates("group_id").set_index("group_id")["group_name"]
    wanted = edits["group_name"].astype("string").str.strip().replace("", pd.NA)
    target = wanted.str.casefold().map(canonical).fillna(wanted)
    from_id = edits["group"].astype("string").str.strip().map(by_id)
    bad_id = target.isna() & from_id.isna()
    if bad_id.any():
        i = int(np.flatnonzero(bad_id.to_numpy())[0])
        raise InputError(
            f"{where}, row {edits['row'].iloc[i]}: group '{edits['group'].iloc[i]}' is not a "
            "group of this estate and no group name is given"
        )
    target = target.fillna(from_id)

    final = derived_names.copy()
    final.loc[ids.to_numpy()] = target.to_numpy()
    moved = final.ne(derived_names)
    reason = (
        derived["reason"]
        .astype("string")
        .mask(moved, "moved here in the Groups sheet (derived group: '" + derived_names + "')")
    )
    out = _numbered(final, reason)
    # A group is unedited when it is a derived group: same name, exactly the same members.
    size_derived = derived_names.value_counts()
    frame = pd.DataFrame({"final": final, "same": ~moved})
    per_group = frame.groupby("final").agg(all_same=("same", "all"), n=("same", "size"))
    intact = per_group["all_same"] & per_group["n"].eq(
        size_derived.reindex(per_group.index).fillna(-1).astype(int)
    )
    out["edited"] = ~final.map(intact).fillna(False).astype(bool).to_numpy()
    return out


def connected_labels(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Component of each of `n` nodes under the undirected edges src[i]-dst[i], labelled by
    the smallest node in it.

    Vectorised union-find: every pass hooks the larger root of each edge under the smaller
    one, then shortcuts every node to its root (pointer jumping), until no edge joins two
    roots. Roots only ever point lower, so no cycle can form, and a component's smallest
    node is always its root: the labels do not depend on the order of the edges.
    """
    parent = np.arange(n, dtype=np.int64)
    if len(src) == 0:
        return parent
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    while True:
        a, b = parent[src], parent[dst]
        apart = a != b
        if not apart.any():
            return parent
        lo, hi = np.minimum(a[apart], b[apart]), np.maximum(a[apart], b[apart])
        np.minimum.at(parent, hi, lo)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def rows_for(frame: pd.DataFrame, ids: pd.Series, columns: tuple[str, ...]) -> pd.DataFrame:
    """The `columns` `frame` has, for the servers `ids` in that order, on a RangeIndex (NA
    rows for ids it lacks). `frame` is indexed by server id or has an `id` column. The ids
    are matched once, in arrow, for every column."""
    key = frame["id"] if "id" in frame.columns else pd.Series(frame.index)
    pos = pc.fill_null(pc.index_in(arrow(ids), value_set=arrow(key.astype("string"))), -1)
    sub = frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)
    return sub.reindex(pos.to_numpy()).reset_index(drop=True)


# --- the servers and their links ---------------------------------------------------------------


def _frame(servers: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The in-scope servers (facts' index, numbered in id order) with every column grouping
    reads; missing columns are NA, so partial frames (tests, other formats) still group."""
    fid = pd.Series(facts.index, dtype="string")
    ids = fid.iloc[pc.sort_indices(arrow(fid)).to_numpy()].reset_index(drop=True)
    s = rows_for(servers, ids, _SERVER_TEXT)
    f = rows_for(facts, ids, _FACT_TEXT + _FACT_FLAGS)

    def col(frame: pd.DataFrame, name: str, dtype: str = "string") -> pd.Series:
        if name in frame.columns:
            return frame[name].astype(dtype)
        return pd.Series(pd.NA, index=ids.index, dtype=dtype)

    out = pd.DataFrame({"id": ids})
    out["name"] = col(s, "name").fillna(col(f, "name")).fillna(ids)
    for c in _SERVER_TEXT[1:]:
        out[c] = col(s, c)
    out["segment"] = out["segment"].fillna(col(f, "segment"))
    for c in ("application_key", "site", "name_stem", "dc_domain"):
        out[c] = col(f, c)
    out["role"] = col(f, "role").fillna("other")
    for c in _FACT_FLAGS:
        out[c] = col(f, c, "boolean")
    return out


def _links(ctx: pd.DataFrame, deps: pd.DataFrame | None, hub_links: int) -> pd.DataFrame:
    """Dependency edges by server number: src, dst, port, origin, joins, why, blocked_by
    (the number of the end that stops the edge joining groups, -1 when it joins)."""
    notes = _note_links(ctx)
    table = _table_links(ctx, deps)
    e = pd.concat([table, notes], ignore_index=True)
    e = e[(e["src"] != e["dst"]).to_numpy()]
    e = e.drop_duplicates(["src", "dst", "origin", "port"])
    # Notes naming a pair the table already lists add nothing.
    n = len(ctx)
    tabled = np.isin(
        e["src"].to_numpy() * n + e["dst"].to_numpy(),
        table["src"].to_numpy() * n + table["dst"].to_numpy(),
    )
    e = e[~(tabled & e["origin"].eq("notes").to_numpy())]

    degree = _degree(e, n)
    shared = ctx["role"].isin(SHARED_SERVICE_ROLES).to_numpy()
    hub = degree > hub_links
    src, dst = e["src"].to_numpy(), e["dst"].to_numpy()
    stop_dst = shared[dst] | hub[dst]
    stop_src = shared[src] | hub[src]
    blocked_by = np.where(stop_dst, dst, np.where(stop_src, src, -1))
    end = np.maximum(blocked_by, 0)
    name = ctx["name"].to_numpy()[end]
    label = ctx["role"].str.replace("_", " ", regex=False).to_numpy()[end]
    why = np.where(
        shared[end],
        "shared service: " + name.astype(object) + " is a " + label.astype(object),
        "hub: " + name.astype(object) + " has " + degree[end].astype(str) + " linked servers",
    )
    out = pd.DataFrame(
        {
            "src": src,
            "dst": dst,
            "port": e["port"].to_numpy(),
            "origin": e["origin"].to_numpy(),
            "joins": blocked_by < 0,
            "why": np.where(blocked_by >= 0, why, None),
            "blocked_by": blocked_by,
        }
    ).astype({"port": "Int64", "origin": "string", "why": "string"})
    rank = text_codes(ctx["name"], ordered=True)  # sorting codes sorts the names
    order = np.lexsort(
        (
            out["port"].fillna(-1).to_numpy(),
            out["origin"].eq("notes").to_numpy(),
            dst,
            src,
            rank[dst],
            rank[src],
        )
    )
    return out.iloc[order].reset_index(drop=True)


def _positional(edges: pd.DataFrame, ctx: pd.DataFrame) -> pd.DataFrame:
    """`group_edges`'s frame by server number (ends outside `ctx` dropped)."""
    index = pd.Index(ctx["id"])
    src, dst = index.get_indexer(edges["source"]), index.get_indexer(edges["target"])
    blocked = edges["blocked_by"]
    by = np.where(blocked.notna(), index.get_indexer(blocked.fillna("")), -1)
    keep = (src >= 0) & (dst >= 0)
    return pd.DataFrame(
        {
            "src": src[keep],
            "dst": dst[keep],
            "port": edges["port"].to_numpy()[keep],
            "origin": edges["origin"].to_numpy()[keep],
            "joins": edges["joins"].to_numpy(dtype=bool)[keep],
            "why": edges["why"].to_numpy()[keep],
            "blocked_by": by[keep],
        }
    ).astype({"port": "Int64", "origin": "string", "why": "string"})


def _note_links(ctx: pd.DataFrame) -> pd.DataFrame:
    """Servers whose notes name another in-scope server (by a unique short name of at least
    `_MIN_NAME` letters; 'replaces X' names no dependency), as topology's facts read them:
    the words of the notes, trimmed of dots and dashes, cut at their first dot."""
    short = replace(ctx["name"].str.lower(), r"\..*$", "")
    named = short[(short.str.len().ge(_MIN_NAME) & ~short.duplicated(keep=False)).to_numpy()]
    notes = replace(ctx["annotation"].str.lower(), _REPLACES, " ")
    tokens = pc.split_pattern_regex(arrow(notes), r"[^a-z0-9_.-]+")
    parent = pc.list_parent_indices(tokens).to_numpy()
    words = pc.utf8_trim(pc.list_flatten(tokens), characters="._-")
    words = pc.replace_substring_regex(words, pattern=r"\..*$", replacement="")
    hit = pc.fill_null(pc.index_in(words, value_set=arrow(named)), -1).to_numpy()
    found = hit >= 0
    edges = pd.DataFrame(
        {"src": parent[found], "dst": named.index.to_numpy()[hit[found]]}
    ).drop_duplicates()
    return edges.assign(port=pd.Series(pd.NA, index=edges.index, dtype="Int64"), origin="notes")


def _table_links(ctx: pd.DataFrame, deps: pd.DataFrame | None) -> pd.DataFrame:
    """Dependency rows with both ends resolved to in-scope servers: by id, full name, short
    name, DNS name or primary IP (compared in lower case; an ambiguous key names nobody)."""
    if deps is None or deps.empty:
        return pd.DataFrame(
            {
                "src": pd.Series(dtype="int64"),
                "dst": pd.Series(dtype="int64"),
                "port": pd.Series(dtype="Int64"),
                "origin": pd.Series(dtype="string"),
            }
        )
    lower = ctx["name"].str.lower()
    number = np.arange(len(ctx))
    keys = pd.DataFrame(
        {
            "key": pd.concat(
                [
                    ctx["id"].str.lower(),
                    lower,
                    replace(lower, r"\..*$", ""),
                    ctx["dns_name"].str.lower(),
                    ctx["primary_ip"].str.strip(),
                ],
                ignore_index=True,
            ),
            "n": np.tile(number, 5),
        }
    ).dropna()
    keys = keys.drop_duplicates().drop_duplicates("key", keep=False)
    lookup = pd.Series(keys["n"].to_numpy(), index=keys["key"].to_numpy())

    def resolve(col: pd.Series) -> pd.Series:
        return col.astype("string").str.strip().str.lower().map(lookup)

    port = deps["port"] if "port" in deps.columns else pd.Series(pd.NA, index=deps.index)
    out = pd.DataFrame(
        {
            "src": resolve(deps["source"]).to_numpy(),
            "dst": resolve(deps["target"]).to_numpy(),
            "port": pd.to_numeric(port, errors="coerce").astype("Int64").to_numpy(),
            "origin": "dependency table",
        }
    ).dropna(subset=["src", "dst"])
    return out.astype({"src": "int64", "dst": "int64", "origin": "string"})


def _degree(e: pd.DataFrame, n: int) -> np.ndarray:
    """Distinct servers each server is linked with, in either direction."""
    if e.empty:
        return np.zeros(n, dtype=np.int64)
    a = np.concatenate([e["src"].to_numpy(), e["dst"].to_numpy()])
    b = np.concatenate([e["dst"].to_numpy(), e["src"].to_numpy()])
    pairs = np.unique(a * n + b)
    return np.bincount(pairs // n, minlength=n)


# --- groups from the signals -------------------------------------------------------------------


def _derive(ctx: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Groups from the signals, before any edit (index: server id)."""
    n = len(ctx)
    dc = ctx["role"].eq("domain_controller").to_numpy()
    signals = _signals(ctx, dc)
    joining = links[links["joins"].to_numpy(dtype=bool)]
    src = [joining["src"].to_numpy(dtype=np.int64)]
    dst = [joining["dst"].to_numpy(dtype=np.int64)]
    for signal in signals:
        a, b = _key_edges(signal.codes, signal.limit)
        src.append(a)
        dst.append(b)
    comp = connected_labels(n, np.concatenate(src), np.concatenate(dst))

    applies = [signal.applies() for signal in signals]
    reasons = [s.reason(ok) for s, ok in zip(signals, applies, strict=True)]
    reason = _joined(reasons + _link_reasons(links, ctx))
    size = np.bincount(comp, minlength=n)[comp]
    fallback = np.where(size == 1, "nothing ties it to another server", "moves with its group")
    reason = reason.fillna(pd.Series(fallback, dtype="string"))
    names = _group_names(ctx, comp, signals, applies, joining)
    out = _numbered(names, reason)
    return out.set_axis(pd.Index(ctx["id"], name=None))


def _signals(ctx: pd.DataFrame, dc: np.ndarray) -> list[Signal]:
    """The signals, strongest first (the order breaks ties when naming a group). Domain
    controllers only take part in theirs."""
    site = ctx["site"].fillna("(no site)")
    seg, site_code = text_codes(ctx["segment"].fillna("")), text_codes(site)
    app, app_code = ctx["application_key"], text_codes(ctx["application_key"])
    vapp, stem = ctx["vapp"], ctx["name_stem"]
    nonprod = ctx["is_production"].eq(False).fillna(False).to_numpy().astype(np.int64)
    # 0 for most servers; the site (+1) for office services, whose groups stay per site.
    office = np.where(ctx["role"].isin(SITE_SCOPED_ROLES).to_numpy(), site_code + 1, 0)
    explicit = ctx["application"].notna().to_numpy()
    clustered = (
        ctx["is_cluster_node"].fillna(False)
        | ctx["nlb_member"].fillna(False)
        | ctx["shared_disk"].fillna(False)
        | ctx["virtual_ip"].fillna(False)
    ).to_numpy(dtype=bool)
    folder = replace(ctx["folder"].str.strip(), r"/+$", "")
    leaf = replace(folder, r"^.*/", "")
    folder_code = _application_folders(ctx, _key(seg, text_codes(folder), where=~dc), leaf)
    n_all = max(len(ctx), 2)  # no bound: every server of the key moves together
    dc_key = _key(seg, site_code, text_codes(ctx["dc_domain"].fillna("")), where=dc)
    return [
        Signal(
            dc_key,
            "domain controllers of site '{}' move apart from applications",
            site,
            "Domain controllers, " + site,
            n_all,
            alone=True,
        ),
        Signal(
            _key(seg, app_code, nonprod, office, where=explicit & ~dc),
            "application '{}'",
            app,
            _cased_application(ctx),
            APPLICATION_MAX,
        ),
        Signal(_key(seg, text_codes(vapp), where=~dc), "vApp '{}'", vapp, vapp, n_all),
        Signal(
            _key(seg, text_codes(stem), where=clustered & ~dc),
            "cluster nodes '{}'",
            stem,
            stem,
            n_all,
        ),
        Signal(folder_code, "folder '{}'", ctx["folder"], leaf, FOLDER_MAX),
        Signal(
            _key(seg, app_code, nonprod, site_code, where=~explicit & ~dc),
            "name '{}'",
            app + "' at site '" + site,
            app,
            NAME_KEY_MAX,
        ),
    ]


def _key(*parts: np.ndarray, where: np.ndarray) -> np.ndarray:
    """One integer code per distinct combination of the parts' codes (-1 where a part is
    -1, i.e. missing, or `where` is False): integer keys group far faster than text."""
    valid = np.asarray(where, dtype=bool).copy()
    codes = np.zeros(len(valid), dtype=np.int64)
    for part in parts:
        valid &= part >= 0
        codes, _ = pd.factorize(codes * (int(part.max(initial=0)) + 2) + (part + 1))
    return np.where(valid, codes, -1)


def _application_folders(ctx: pd.DataFrame, codes: np.ndarray, leaf: pd.Series) -> np.ndarray:
    """The folder's code where the folder is clearly one application (see the module
    docstring), else -1."""
    small = _bounded(codes, FOLDER_MAX)
    if not small.any():
        return np.full(len(codes), -1)
    own = (ctx["application_key"].fillna("") + " " + ctx["name_stem"].fillna(""))[small]
    hit = _words(leaf[small]).merge(_words(own), on=["row", "word"])["row"].unique()
    matched = np.isin(np.arange(len(ctx)), hit)
    at = np.where(small, codes, 0)
    counts = np.bincount(codes[small], minlength=codes.max() + 1)
    share = np.bincount(codes[small], weights=matched[small], minlength=len(counts))
    return np.where(small & (share[at] >= 0.5 * counts[at]), codes, -1)


def _words(text: pd.Series) -> pd.DataFrame:
    """(row, word) pairs of the significant words of each text."""
    tokens = pc.split_pattern_regex(pc.utf8_lower(arrow(text)), r"[^a-z0-9]+")
    rows = text.index.to_numpy()[pc.list_parent_indices(tokens).to_numpy()]
    words = pd.Series(pd.arrays.ArrowStringArray(pc.list_flatten(tokens).cast(pa.large_string())))
    keep = (words.str.len().ge(3) & ~words.isin(list(_FOLDER_NOISE))).to_numpy()
    return pd.DataFrame({"row": rows[keep], "word": words.to_numpy()[keep]}).drop_duplicates()


def text_codes(key: pd.Series, *, ordered: bool = False) -> np.ndarray:
    """Integer code per row of a text column (-1 where it is NA), encoded in arrow; with
    `ordered`, codes follow the sorted values, so comparing codes compares the texts."""
    text = arrow(key)
    if isinstance(text, pa.ChunkedArray):  # one dictionary for the whole column
        text = text.combine_chunks()
    encoded = pc.dictionary_encode(text)
    codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
    if ordered and len(encoded.dictionary):
        rank = np.empty(len(encoded.dictionary), dtype=np.int64)
        rank[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(rank))
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    return codes


def _bounded(codes: np.ndarray, limit: int) -> np.ndarray:
    """Rows whose key holds between 2 and `limit` rows."""
    valid = codes >= 0
    if not valid.any():
        return valid
    counts = np.bincount(codes[valid])
    size = np.where(valid, counts[np.where(valid, codes, 0)], 0)
    return valid & (size >= 2) & (size <= limit)


def _key_edges(codes: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining each server to the first server of its key, for keys of 2..limit."""
    idx = np.flatnonzero(_bounded(codes, limit))
    if not len(idx):
        return idx.astype(np.int64), idx.astype(np.int64)
    first = np.full(codes.max() + 1, -1)
    rev = idx[::-1]
    first[codes[rev]] = rev  # the last write per code wins: the lowest number
    dst = first[codes[idx]]
    keep = dst != idx
    return idx[keep].astype(np.int64), dst[keep].astype(np.int64)


# --- reasons and names -------------------------------------------------------------------------


def _link_reasons(links: pd.DataFrame, ctx: pd.DataFrame) -> list[pd.Series]:
    """'linked with a, b (notes)' where joining links tie the server to others; for a shared
    service or hub, that the servers linked with it do not join its group; for the others,
    which shared services and hubs they depend on."""
    empty = pd.Series(pd.NA, index=ctx.index, dtype="string")
    if links.empty:
        return [empty]
    n = len(ctx)
    names = ctx["name"].to_numpy(dtype=object)
    rank = text_codes(ctx["name"], ordered=True)
    joins = links["joins"].to_numpy(dtype=bool)
    src, dst = links["src"].to_numpy(), links["dst"].to_numpy()
    a = np.concatenate([src[joins], dst[joins]])
    b = np.concatenate([dst[joins], src[joins]])
    noted = np.tile(links["origin"].eq("notes").to_numpy()[joins], 2)
    from_notes = np.bincount(a[noted], minlength=n) > 0
    from_table = np.bincount(a[~noted], minlength=n) > 0
    origins = np.select(
        [from_notes & from_table, from_notes],
        ["dependency table, notes", "notes"],
        default="dependency table",
    )
    linked = "linked with " + _listed(a, b, names, rank, n) + " (" + origins + ")"

    by = links["blocked_by"].to_numpy()[~joins]
    blocking = np.isin(np.arange(len(ctx)), by)
    shared = ctx["role"].isin(SHARED_SERVICE_ROLES).to_numpy() & blocking
    hub = blocking & ~shared
    label = ctx["role"].str.replace("_", " ", regex=False)
    degree = pd.Series(_degree(links, len(ctx)).astype(str), dtype="string")
    note_shared = ("a " + label + ": servers linked with it do not join its group").where(shared)
    note_hub = ("a hub linked with " + degree + " servers: they do not join its group").where(hub)
    other = np.where(by == src[~joins], dst[~joins], src[~joins])
    note_reaches = "depends on " + _listed(other, by, names, rank, n) + ", moved separately"
    return [linked, note_shared, note_hub, note_reaches]


def _listed(
    keys: np.ndarray, rows: np.ndarray, names: np.ndarray, rank: np.ndarray, n: int
) -> pd.Series:
    """Per server number in `keys`, the names of the servers `rows` beside it, sorted and
    without repeats, 'a, b, c, d and 3 more' beyond `_LIST` (NA where it has none). Sorted
    on name codes, so no text is compared."""
    order = np.lexsort((rank[rows], keys))
    k, r = keys[order], rows[order]
    fresh = np.r_[True, (k[1:] != k[:-1]) | (r[1:] != r[:-1])] if len(k) else np.ones(0, bool)
    k, r = k[fresh], r[fresh]
    out = np.full(n, None, dtype=object)
    if not len(k):
        return pd.Series(out, dtype="string")
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    count = np.diff(np.r_[starts, len(k)])
    nth = np.arange(len(k)) - np.repeat(starts, count)
    shown = nth < _LIST
    ks, texts = k[shown], names[r[shown]] + ", "
    heads = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    joined = np.add.reduceat(texts, heads)
    joined = pc.utf8_slice_codeunits(pa.array(joined, pa.large_string()), 0, -2)
    joined = np.asarray(joined.to_pylist(), dtype=object)
    more = count - _LIST
    joined = np.where(more > 0, joined + " and " + more.astype(str) + " more", joined)
    out[k[starts]] = joined
    return pd.Series(out, dtype="string")


def _joined(parts: list[pd.Series]) -> pd.Series:
    """Reason parts joined with '; ', missing parts skipped; NA where none applies.

    pyarrow's skipping join drops a row whose parts are all missing instead of giving it an
    empty string (seen in pyarrow 26), so an empty first part keeps every row, and the
    separator it leaves in front is removed after."""
    texts = [arrow(p).cast(pa.large_string()) for p in parts]
    lead = pa.array([""] * len(parts[0]), pa.large_string())
    sep = pa.scalar("; ", pa.large_string())
    out = pc.binary_join_element_wise(lead, *texts, sep, null_handling="skip")
    out = pc.replace_substring_regex(out, pattern="^; ", replacement="")
    text = pd.Series(pd.arrays.ArrowStringArray(out), dtype="string")
    return text.mask(text.eq(""))


def _group_names(
    ctx: pd.DataFrame,
    comp: np.ndarray,
    signals: list[Signal],
    applies: list[np.ndarray],
    joining: pd.DataFrame,
) -> pd.Series:
    """A readable, unique name per group (as a per-server series): domain controllers by
    site; else the label of the signal that joined most members (the application as the
    customer spells it, vApp, cluster stem, folder, the name word); else the application of
    the most linked member, or its name and how many are linked; a lone server by its name."""
    n = len(ctx)
    name = np.full(n, None, dtype=object)
    has = np.zeros(n, dtype=bool)
    groups, labels = _best_labels(comp, signals, applies)
    name[groups], has[groups] = labels, True
    has = has[comp]
    name = pd.Series(name[comp], dtype="string")

    size = np.bincount(comp, minlength=n)
    linked = np.flatnonzero((size[comp] > 1) & ~has)
    if len(linked):  # joined by links only: after the most linked member
        lead = pd.DataFrame(
            {
                "comp": comp[linked],
                "deg": _degree(joining, n)[linked],
                "name": ctx["name"].to_numpy()[linked],
                "row": linked,
            }
        ).sort_values(["comp", "deg", "name"], ascending=[True, False, True])
        lead = lead.drop_duplicates("comp")
        rows = lead["row"].to_numpy()
        count = pd.Series((size[lead["comp"].to_numpy()] - 1).astype(str), dtype="string")
        spelled = signals[1].label.iloc[rows].reset_index(drop=True)
        label = spelled.fillna(
            ctx["name"].iloc[rows].reset_index(drop=True) + " + " + count + " linked"
        )
        per_comp = np.full(n, -1)
        per_comp[lead["comp"].to_numpy()] = np.arange(len(lead))
        name.iloc[linked] = label.to_numpy()[per_comp[comp[linked]]]
    name = name.fillna(ctx["name"])
    return _unique_names(name, comp, ctx)


def _best_labels(
    comp: np.ndarray, signals: list[Signal], applies: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per group joined by a signal, the label most of its members share: domain
    controllers first, then the most members, then the stronger signal, then the
    alphabetically first label. Counted on integer codes, not on text. Returns the groups
    (by number) and their labels."""
    parts = []
    for i, (signal, ok) in enumerate(zip(signals, applies, strict=True)):
        codes = text_codes(signal.label, ordered=True)
        rows = np.flatnonzero(ok & (codes >= 0))
        parts.append((comp[rows], np.full(len(rows), i), codes[rows], rows))
    c, r, lab, row = (np.concatenate([p[k] for p in parts]) for k in range(4))
    if not len(c):
        return c, np.array([], dtype=object)
    key = (c * len(signals) + r) * (int(lab.max()) + 1) + lab
    _, first, count = np.unique(key, return_index=True, return_counts=True)
    c, r, lab, row = c[first], r[first], lab[first], row[first]
    order = np.lexsort((lab, r, -count, r != 0, c))
    top = order[np.r_[True, c[order][1:] != c[order][:-1]]]
    labels = np.empty(len(top), dtype=object)
    for i, signal in enumerate(signals):  # six signals: gather each one's labels at once
        mine = r[top] == i
        labels[mine] = signal.label.to_numpy(dtype=object)[row[top][mine]]
    return c[top], labels


def _cased_application(ctx: pd.DataFrame) -> pd.Series:
    """The application key in the customer's own spelling where the application column holds
    it ('Customer Portal' from 'Customer Portal (nginx/PHP)'), else the key itself. Worked
    out once per distinct spelling, not per server."""
    app, key = ctx["application"], ctx["application_key"]
    both = app.notna().to_numpy() & key.notna().to_numpy()
    pair = _key(text_codes(app), text_codes(key), where=both)
    if not both.any():
        return key
    codes, first = np.unique(pair[both], return_index=True)
    rows = np.flatnonzero(both)[first]
    spelled = []
    for a, k in zip(app.iloc[rows].tolist(), key.iloc[rows].tolist(), strict=True):
        at = a.lower().find(k)
        spelled.append(a[at : at + len(k)] if at >= 0 else k)
    lookup = np.empty(int(codes.max()) + 1, dtype=object)
    lookup[codes] = spelled
    out = key.copy()
    out[both] = lookup[pair[both]]
    return out


def _unique_names(name: pd.Series, comp: np.ndarray, ctx: pd.DataFrame) -> pd.Series:
    """Group names made unique: a name two groups share gets the group's environment, then
    its site, then a number (in the order of the groups' smallest server ids)."""
    heads = np.unique(comp)  # a group's number is its smallest server number
    out = name.iloc[heads].reset_index(drop=True)
    folded = pd.Series(pc.utf8_lower(arrow(out)), dtype="string")
    if not folded.duplicated().any():
        return name
    nonprod = ctx["is_production"].eq(False).fillna(False).to_numpy()
    env = np.zeros(len(ctx), dtype=bool)
    np.logical_or.at(env, comp, nonprod)
    # The alphabetically first site of each group, by sorted codes.
    site_rank = text_codes(ctx["site"], ordered=True)
    first = np.full(len(ctx), np.iinfo(np.int64).max)
    np.minimum.at(first, comp, np.where(site_rank >= 0, site_rank, np.iinfo(np.int64).max))
    by_rank = pd.Series(ctx["site"].to_numpy(), index=site_rank).groupby(level=0).first()
    site = by_rank.reindex(first[heads]).reset_index(drop=True).astype("string")
    extras = [pd.Series(np.where(env[heads], "non-production", None), dtype="string"), site]
    for extra in extras:
        clash = folded.duplicated(keep=False)
        if not clash.any():
            break
        out = out.mask(clash & extra.notna(), out + " (" + extra + ")")
        folded = pd.Series(pc.utf8_lower(arrow(out)), dtype="string")
    clash = folded.duplicated(keep=False)
    if clash.any():
        nth = out[clash].groupby(folded[clash]).cumcount() + 1
        out.loc[nth.index] = out.loc[nth.index] + " #" + nth.astype("string")
    per_comp = np.zeros(len(ctx), dtype=np.int64)
    per_comp[heads] = np.arange(len(heads))
    return pd.Series(out.to_numpy()[per_comp[comp]], index=name.index, dtype="string")


def _numbered(names: pd.Series, reason: pd.Series) -> pd.DataFrame:
    """The group frame with ids 'G001'... following the sorted group names (case-blind,
    then exact): one factorize and one arrow sort of the distinct names."""
    names = names.astype("string")
    codes, uniques = pd.factorize(names)
    distinct = arrow(pd.Series(uniques, dtype="string"))
    order = pc.sort_indices(
        pa.table({"folded": pc.utf8_lower(distinct), "name": distinct}),
        sort_keys=[("folded", "ascending"), ("name", "ascending")],
    ).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    width = max(3, len(str(len(order))))
    numbers = np.arange(1, len(order) + 1).astype(str)
    labels = np.char.add("G", np.char.zfill(numbers, width)) if len(order) else np.array([], str)
    return pd.DataFrame(
        {
            "group_id": pd.array(labels[rank[codes]], dtype="string"),
            "group_name": names.array,
            "reason": reason.astype("string").array,
            "edited": False,
        },
        index=names.index,
    )


# --- the Groups sheet --------------------------------------------------------------------------


def _sheet_labels(names: pd.Series) -> pd.Series:
    """A server's name, or 'name [id]' where another listed server has the same name."""
    shared = names.str.casefold().duplicated(keep=False)
    return names.mask(shared, names + " [" + pd.Series(names.index, index=names.index) + "]")


def _resolve_servers(edits: pd.DataFrame, names: pd.Series, where: str) -> pd.Series:
    """Server ids of the edited rows: by name (unique among in-scope servers, any case), or
    'name [id]' as the Groups sheet writes servers whose names repeat."""
    text = edits["server"].astype("string").str.strip()
    tagged = text.str.extract(r"\[([^\[\]]+)\]\s*$", expand=False)
    by_tag = tagged.where(tagged.isin(list(names.index)))
    folded = names.str.casefold()
    unique = folded[~folded.duplicated(keep=False)]
    lookup = pd.Series(unique.index, index=unique.to_numpy())
    by_name = text.str.casefold().map(lookup)
    ids = by_tag.fillna(by_name).astype("string")
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise InputError(
            f"{where}, row {edits['row'].iloc[i]}: server '{text.iloc[i]}' is not an in-scope "
            "server of this inventory (or its name is not unique; write 'name [id]')"
        )
    dup = ids.duplicated(keep=False)
    if dup.any():
        rows = edits["row"][dup.to_numpy()].tolist()
        raise InputError(
            f"{where}, rows {rows[0]} and {rows[1]}: the same server is listed twice "
            f"('{text[dup].iloc[0]}')"
        )
    return ids
