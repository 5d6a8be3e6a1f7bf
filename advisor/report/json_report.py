"""`assessment.json`: the stable, machine-readable contract of a run (DESIGN.md, Outputs).

The file is strict JSON: NaN and Infinity, which Python's json module would write for
non-finite floats, are refused by JavaScript's JSON.parse, jq and most other parsers, so a
division by zero somewhere upstream would make the whole file unreadable to the customer's
tools. Such values are written as null (unknown), as everywhere else in the contract.

The plan (`Assessment.plan`, set by the plan stage) adds a top-level `plan` object and, per
in-scope server, its `sizing` on every provider, its `group` and its `wave`; see
`plan_json`. A run without a plan (engine `assess` called directly) writes `"plan": null`
and those per-server keys as null, so a consumer sees one shape either way. Dates are ISO
texts; money is rounded to cents exactly as the workbook shows it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import orjson
import pandas as pd

from advisor.engine.assess import Assessment
from advisor.errors import InputError
from advisor.report.atomic import replacing

#: The keys every server carries for the plan (null when out of scope or without a plan).
SERVER_PLAN_KEYS = ("sizing", "group", "wave")


def write_json(assessment: Assessment, folder: Path) -> Path:
    """Write `assessment.json` into `folder` (created if needed) and return its path.

    Indented for people up to `INDENT_UP_TO` servers. Above that it is compact and written
    part by part (`stream_json`): the whole document of 100,000 servers would take about
    2 GB more as Python objects, text and bytes at once. Both forms hold the same JSON."""
    path = Path(folder) / "assessment.json"
    try:
        with replacing(path) as tmp:
            if _server_count(assessment) <= INDENT_UP_TO:
                text = dumps_strict(assessment_json(assessment), indent=2)
                tmp.write_text(text + "\n", encoding="utf-8")
            else:
                with tmp.open("w", encoding="utf-8") as fh:
                    for chunk in stream_json(assessment):
                        fh.write(chunk)
                    fh.write("\n")
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the assessment ({exc.strerror or exc})") from exc
    return path


#: Servers up to which the file is indented (and built whole before it is written). Above
#: it, people read the file with a tool (jq, the workbook) rather than by eye, and a
#: compact document can be streamed.
INDENT_UP_TO = 300
#: Servers encoded per part when streaming.
PART_SERVERS = 5000


def _server_count(assessment: Assessment) -> int:
    return len(assessment.facts) + len(assessment.out_of_scope)


def stream_json(assessment: Assessment, size: int = PART_SERVERS) -> Iterator[str]:
    """The compact `assessment.json` text in pieces, identical to
    `dumps_strict(assessment_json(assessment))`: the document without its servers is
    encoded once around a placeholder, and the servers go in between, `size` at a time."""
    marker = f"advisor-servers-{uuid.uuid4().hex}"
    head, tail = dumps_strict(_document(assessment, marker)).split(json.dumps(marker), 1)
    yield head + "["
    plan = getattr(assessment, "plan", None)
    first = True
    for part in assessment.server_json(size):
        _add_plan(part, plan)
        text = dumps_strict(part)[1:-1]
        if text:
            yield text if first else "," + text
            first = False
    yield "]" + tail


def dumps_strict(data: Any, *, indent: int | None = None) -> str:
    """`data` as strict JSON text (`indent` 2 or none), non-finite numbers as null.

    Encoded by orjson: at 20,000 servers the standard library's encoder took 0.85 s of
    the two seconds the file cost, orjson a tenth of that. Its options keep the text what
    the contract says: numpy numbers as numbers, NaN and infinities as null (orjson's own
    rule), and dates, dataclasses and anything else unknown through `_default` (ISO dates,
    not orjson's date-times)."""
    if indent not in (None, 2):
        raise ValueError(f"indent {indent}: only 2 or None")
    option = _OPTIONS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(data, default=_default, option=option).decode("utf-8")


_OPTIONS = (
    orjson.OPT_SERIALIZE_NUMPY
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _default(value: Any) -> Any:
    """Values the encoder leaves to us: pandas' missing values (NA, NaT) and non-finite
    numpy numbers as null, numpy numbers as numbers; anything else (dates, paths) as its
    text."""
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value) if np.isfinite(value) else None
    return str(value)


# --- the plan ---------------------------------------------------------------------------------


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """`Assessment.to_json()` with the plan added: the top-level `plan` object and the
    per-server `sizing`, `group` and `wave` (all null when the run made no plan). The
    input is named by its file name only: the folder it sits in on the machine that ran
    the assessment is nobody else's business and would differ between two runs."""
    plan = getattr(assessment, "plan", None)
    servers = [s for part in assessment.server_json(PART_SERVERS) for s in _add_plan(part, plan)]
    return _document(assessment, servers)


def _document(assessment: Assessment, servers: Any) -> dict[str, Any]:
    """The whole document with `servers` as its list of servers (or a placeholder)."""
    data = assessment.to_json(servers=servers)
    data["input"]["path"] = _file_name(data["input"]["path"])
    plan = getattr(assessment, "plan", None)
    data["plan"] = None if plan is None else plan_json(plan, assessment.servers["name"])
    return data


def _file_name(path: Any) -> Any:
    """'/home/me/estate/export.xlsx' -> 'export.xlsx' (and a folder of CSV files by its
    own name); None stays None."""
    return None if path is None else PurePath(str(path)).name


def _add_plan(servers: list[dict[str, Any]], plan: Any) -> list[dict[str, Any]]:
    """Give each server of `servers` (in place) its `sizing`, `group` and `wave`."""
    ids = [s["id"] for s in servers if s["scope"]["in_scope"]]
    mine = server_plan_json(plan, ids) if plan is not None and ids else {}
    for server in servers:
        entry = mine.get(server["id"]) if server["scope"]["in_scope"] else None
        for key in SERVER_PLAN_KEYS:
            server[key] = entry[key] if entry is not None else None
    return servers


def plan_json(plan: Any, names: pd.Series) -> dict[str, Any]:
    """The `plan` object: policy, providers and their costs, groups, waves, timeline,
    sensitivity, notes and (with a comparison) the verdicts that differ by provider.

    Per provider, `totals` has one block per basis (`allocated`, `rightsized`):
    `total_monthly` is the estate's monthly cost, null unless every server is priced;
    `complete_servers_monthly` adds the servers that are fully priced and
    `priced_monthly` the priced parts of every server (a floor of the real cost); the
    servers without a full price are counted with the reasons. `names` is the server name
    per in-scope id (groups and waves list their servers by name).
    """
    names = names.astype("string")
    waves = plan.waves
    return {
        "policy": plan.policy,
        "primary": plan.primary,
        "compared": plan.compared,
        "readiness": plan.readiness,
        "providers": {p: _provider_json(cost) for p, cost in plan.providers.items()},
        "groups": _groups_json(plan, names),
        "edited_groups": int(plan.edited_groups),
        "waves": _waves_json(waves, names),
        "site_seeding": records(waves.site_seeding),
        "crossing": records(waves.crossing),
        "timeline": _timeline_json(plan.timeline),
        "sensitivity": records(plan.sensitivity),
        "notes": list(waves.notes),
        "verdicts": _verdicts_json(plan),
    }


def server_plan_json(plan: Any, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per in-scope server id (all, or those of `ids` the plan has): `sizing` (provider ->
    sizing and cost on both bases), `group` (id, name, why this server is in it, edited)
    and `wave` (number, null outside the plan, and the plan's word for it: 'wave 3',
    'outside the plan: retire')."""
    g = plan.groups
    if ids is not None:
        g = g.loc[[sid for sid in ids if sid in g.index]]
    ids = list(g.index)
    per_provider = {p: _sizing_json(cost, g.index) for p, cost in plan.providers.items()}
    providers = list(per_provider)
    columns = zip(*per_provider.values(), strict=True)
    sizing = [dict(zip(providers, row, strict=True)) for row in columns]
    groups = [
        {"id": gid, "name": name, "reason": reason, "edited": edited}
        for gid, name, reason, edited in zip(
            _values(g["group_id"]),
            _values(g["group_name"]),
            _values(g["reason"]),
            _values(g["edited"].astype(bool)),
            strict=True,
        )
    ]
    w = plan.waves.servers.reindex(g.index)
    wave_rows = [
        {"number": number, "plan": text}
        for number, text in zip(_values(w["wave"]), _values(w["plan"]), strict=True)
    ]
    if not sizing:
        sizing = [{} for _ in ids]
    return {
        sid: {"sizing": s, "group": grp, "wave": wave}
        for sid, s, grp, wave in zip(ids, sizing, groups, wave_rows, strict=True)
    }


#: Per-basis sizing keys of a server's `sizing` entry -> the cost frame's column
#: (`{basis}` is `allocated` or `rightsized`).
_BASIS_KEYS: dict[str, str] = {
    "instance_type": "{basis}_type",
    "vcpus": "{vcpus}",
    "memory_gib": "{memory}",
    "type_vcpus": "{basis}_type_vcpus",
    "type_memory_gib": "{basis}_type_memory_gib",
    "type_note": "{basis}_type_note",
    "instance_monthly": "{basis}_instance_monthly",
    "licence_monthly": "{basis}_licence_monthly",
    "monthly_total": "{basis}_total_monthly",
    "priced_monthly": "{basis}_priced_monthly",
    "unpriced": "{basis}_unpriced",
}
#: The allocation, and the right-sized need, each basis sizes from.
_NEEDS = {
    "allocated": {"vcpus": "vcpus", "memory": "memory_gib"},
    "rightsized": {"vcpus": "rightsized_vcpus", "memory": "rightsized_memory_gib"},
}
#: Keys of a server's `sizing` entry shared by both bases -> the cost frame's column.
_SHARED_KEYS: dict[str, str] = {
    "basis": "basis",
    "basis_reason": "basis_reason",
    "storage_basis": "storage_basis",
    "storage_gib": "storage_gib",
    "root_gib": "root_gib",
    "data_gib": "data_gib",
    "data_volumes": "data_volumes",
    "storage_note": "storage_note",
    "storage_monthly": "storage_monthly",
    "price_confidence": "price_confidence",
    "price_as_of": "price_as_of",
}


def _sizing_json(cost: Any, ids: pd.Index) -> list[dict[str, Any]]:
    """One dict per server of `ids` (in that order): how `cost`'s provider sizes and
    prices it, on both bases. Built column-wise: each column becomes a list once, and the
    rows are zipped from those lists (the currency is the provider's, given once there)."""
    rows = cost.servers.reindex(ids)

    def dicts(keys: dict[str, str]) -> list[dict[str, Any]]:
        names = list(keys)
        columns = [_values(rows[c]) for c in keys.values()]
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    sides = {
        basis: dicts({k: c.format(basis=basis, **_NEEDS[basis]) for k, c in _BASIS_KEYS.items()})
        for basis in ("allocated", "rightsized")
    }
    out = dicts(_SHARED_KEYS)
    for entry, allocated, rightsized in zip(
        out, sides["allocated"], sides["rightsized"], strict=True
    ):
        entry["allocated"] = allocated
        entry["rightsized"] = rightsized
    return out


def _provider_json(cost: Any) -> dict[str, Any]:
    t = cost.totals
    rows = cost.servers
    totals: dict[str, Any] = {"servers": _plain(t.get("servers"))}
    for basis in ("allocated", "rightsized"):
        unpriced = int(_plain(t.get(f"{basis}_unpriced_servers")) or 0)
        complete = _plain(t.get(f"{basis}_total_monthly"))
        totals[basis] = {
            "total_monthly": complete if unpriced == 0 else None,
            "complete_servers_monthly": complete,
            "priced_monthly": _plain(t.get(f"{basis}_priced_monthly")),
            "complete_servers": _plain(t.get(f"{basis}_complete_servers")),
            "unpriced_servers": unpriced,
            "unpriced_reasons": unpriced_reasons(rows[f"{basis}_unpriced"]),
        }
    totals["price_confidence"] = _plain(t.get("price_confidence"))
    totals["price_as_of"] = _plain(t.get("price_as_of"))
    return {
        "name": cost.display_name,
        "currency": cost.currency,
        "totals": totals,
        "sources": [dict(s) for s in cost.sources],
        "zones": records(cost.zones),
        "parallel_run_cost": cost.parallel_run_cost,
    }


def unpriced_reasons(unpriced: pd.Series) -> list[dict[str, Any]]:
    """[{reason, servers}] most frequent first, from the per-server '; '-joined reasons
    (a handful of distinct combinations, counted once each, then split)."""
    counts: dict[str, int] = {}
    for combination, n in unpriced.dropna().astype(str).value_counts().items():
        for reason in str(combination).split("; "):
            counts[reason] = counts.get(reason, 0) + int(n)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"reason": reason, "servers": n} for reason, n in ranked]


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end positions of the runs of equal values in sorted `keys`."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


def _groups_json(plan: Any, names: pd.Series) -> list[dict[str, Any]]:
    """One entry per group, by id: its servers by name and the reason most of them share
    (each server's own reason is on the server). One sort, then a slice per group."""
    g = plan.groups
    frame = pd.DataFrame(
        {
            "group_id": g["group_id"].astype(str).to_numpy(),
            "name": names.reindex(g.index).fillna("").astype(str).to_numpy(),
            "group_name": _values(g["group_name"]),
            "reason": _values(g["reason"]),
            "edited": g["edited"].astype(bool).to_numpy(),
        }
    ).sort_values(["group_id", "name"], kind="stable")
    keys = frame["group_id"].to_numpy()
    starts, ends = _runs(keys)
    members = frame["name"].tolist()
    common = (
        frame.groupby(["group_id", "reason"], dropna=False, sort=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["group_id", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("group_id")
        .set_index("group_id")["reason"]
    )
    ids = keys[starts].tolist()
    return [
        {
            "group_id": gid,
            "name": name,
            "servers": members[a:b],
            "reason": reason,
            "edited": bool(edited),
        }
        for gid, name, a, b, reason, edited in zip(
            ids,
            frame["group_name"].to_numpy()[starts].tolist(),
            starts.tolist(),
            ends.tolist(),
            _values(common.reindex(ids)),
            frame["edited"].to_numpy()[starts].tolist(),
            strict=True,
        )
    ]


def _waves_json(waves: Any, names: pd.Series) -> list[dict[str, Any]]:
    """One entry per wave: its numbers, dates, group ids and server names."""
    w = waves.waves
    moving = waves.servers[waves.servers["wave"].notna()]
    order = pd.DataFrame(
        {
            "wave": moving["wave"].astype("int64").to_numpy(),
            "name": names.reindex(moving.index).fillna("").astype(str).to_numpy(),
        }
    ).sort_values(["wave", "name"], kind="stable")
    keys = order["wave"].to_numpy()
    starts, ends = _runs(keys)
    listed = order["name"].tolist()
    by_wave = {
        int(keys[a]): listed[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    }
    first = ("wave", "kind", "weeks", "start", "end")
    rest = [c for c in w.columns if c not in (*first, "group_ids", "groups", "servers")]
    out = []
    for row in records(w, dates=("start", "end")):
        number = row["wave"]
        out.append(
            {
                "number": number,
                **{k: row[k] for k in first[1:]},
                "groups": _split_ids(row["group_ids"]),
                "group_count": row["groups"],
                "servers": by_wave.get(number, []),
                "server_count": row["servers"],
                **{k: row[k] for k in rest},
            }
        )
    return out


def _split_ids(text: Any) -> list[str]:
    return [] if not text else [part.strip() for part in str(text).split(",") if part.strip()]


def _timeline_json(timeline: Any) -> dict[str, Any]:
    data = dataclasses.asdict(timeline)
    return {k: _iso(v) for k, v in data.items()}


def _verdicts_json(plan: Any) -> list[dict[str, Any]]:
    """Servers whose readiness differs between the two providers, with the rules that make
    the difference and each provider's messages."""
    v = plan.verdicts
    if plan.compared is None or v is None or not len(v):
        return []
    first, second = plan.primary, plan.compared
    return [
        {
            "server_id": sid,
            "server": name,
            "readiness": {first: a, second: b},
            "rules": _split_ids(rules),
            "messages": {first: says_a or None, second: says_b or None},
        }
        for sid, name, a, b, rules, says_a, says_b in zip(
            *(_values(v[c]) for c in ("server_id", "name", "first", "second", "rules",
                                      "first_says", "second_says")),
            strict=True,
        )
    ]  # fmt: skip


# --- values -------------------------------------------------------------------------------


def records(frame: pd.DataFrame, *, dates: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The frame's rows as dicts of plain values: NA as None, dates as ISO text (every
    date or timestamp cell, and the columns named in `dates` whatever their type)."""
    if frame is None or not len(frame.columns):
        return []
    columns = list(frame.columns)
    values = [_values(frame[c], iso=c in dates) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _values(series: pd.Series, *, iso: bool = False) -> list[Any]:
    """A column as plain Python values; dates (object columns of them) as ISO text."""
    values = series.to_numpy(dtype=object, na_value=None).tolist()
    if iso or series.dtype == object or pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = [_iso(v) for v in values]
    return values


def _iso(value: Any) -> Any:
    if isinstance(value, date | datetime):  # pd.Timestamp is a datetime
        return value.isoformat()
    return value


def _plain(value: Any) -> Any:
    """A scalar as a plain JSON value: NA and non-finite numbers as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _iso(value)
