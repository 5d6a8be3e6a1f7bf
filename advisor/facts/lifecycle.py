"""Where a server is in its life: operating system end of support, powered-off and suspended
VMs, and the evidence that a server is no longer used.

Retiring a server needs evidence that it is unused: a switch-off date older than the
threshold, or notes, attributes or its name saying it is retired, replaced or to be deleted.
RVTools exports no switch-off date: vInfo's `PowerOn` is the last boot of a running VM (empty
once it is off), `Change Version` is the last configuration change (whole estates share one
after a host upgrade), `Creation date` is when the VM was made, and vHealth, vFileInfo and
vMetaData carry no power history. So the date comes from notes ("switched off 26.09.2025")
or stays unknown, and the creation date never stands in for it. Notes that say to keep the
VM ("don't delete", "will be powered on when needed") are evidence against retiring it.

End-of-support dates are general knowledge taken from each vendor's lifecycle page (URL kept
per entry in `os_eol_source`): Microsoft's end of extended support, Red Hat's end of
maintenance support, SUSE's end of general support, Canonical's end of standard support,
Debian's end of LTS, Oracle Linux's end of premier support. The table is matched on distinct
OS names only (a few hundred at most), then mapped onto the servers, so the cost does not
grow with the estate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from advisor.facts.base import Fact, FactContext
from advisor.text import found, joined, member, mentioned, quoted, replace

_MS_SERVER = "https://learn.microsoft.com/windows/release-health/windows-server-release-info"
_MS_LIFECYCLE = "https://learn.microsoft.com/lifecycle/products/"
_RHEL = "https://access.redhat.com/support/policy/updates/errata"
_CENTOS = "https://www.centos.org/centos-linux-eol/"
_ORACLE = "https://www.oracle.com/a/ocom/docs/elsp-lifetime-069338.pdf"
_SUSE = "https://www.suse.com/lifecycle"
_UBUNTU = "https://ubuntu.com/about/release-cycle"
_DEBIAN = "https://wiki.debian.org/LTS"
_ROCKY = "https://wiki.rockylinux.org/rocky/version/"
_ALMA = "https://wiki.almalinux.org/release-notes/"


@dataclass(frozen=True)
class Eol:
    """One row of the end-of-support table."""

    pattern: str  # regex on the lower-case OS name (first matching row wins)
    product: str  # readable name for messages
    date: str | None  # end of support (ISO); None: the OS is known, the date is not
    source: str  # vendor lifecycle page
    or_later: bool = False  # "2016 or later": the date is only a lower bound


def _win(version: str, date: str, url: str) -> Eol:
    v = version.replace(" r2", r"\s*r2")
    return Eol(rf"\bwin(dows)?\b.*\b{v}\b", f"Windows Server {version.upper()}", date, url)


#: Ordered: specific before general ("2008 R2" before "2008", "or later" before plain).
EOL_TABLE: tuple[Eol, ...] = (
    Eol(
        r"\bwin(dows)?\b.*\b2016 or later",
        "Windows Server 2016 or later",
        "2027-01-12",
        _MS_SERVER,
        or_later=True,
    ),
    _win("2025", "2034-10-10", _MS_SERVER),
    _win("2022", "2031-10-14", _MS_SERVER),
    _win("2019", "2029-01-09", _MS_SERVER),
    _win("2016", "2027-01-12", _MS_SERVER),
    _win("2012 r2", "2023-10-10", _MS_LIFECYCLE + "windows-server-2012-r2"),
    _win("2012", "2023-10-10", _MS_LIFECYCLE + "windows-server-2012"),
    _win("2008 r2", "2020-01-14", _MS_LIFECYCLE + "windows-server-2008-r2"),
    _win("2008", "2020-01-14", _MS_LIFECYCLE + "windows-server-2008"),
    _win("2003", "2015-07-14", _MS_LIFECYCLE + "windows-server-2003-"),
    Eol(r"\bwin(dows)?\b.*\b2000\b", "Windows 2000", "2010-07-13", _MS_LIFECYCLE),
    Eol(r"\bwin(dows)? ?nt\b", "Windows NT", "2004-12-31", _MS_LIFECYCLE),
    Eol(r"\bwin(dows)? ?xp\b", "Windows XP", "2014-04-08", _MS_LIFECYCLE + "windows-xp"),
    Eol(r"\bwin(dows)? vista\b", "Windows Vista", "2017-04-11", _MS_LIFECYCLE + "windows-vista"),
    Eol(r"\bwin(dows)? ?7\b", "Windows 7", "2020-01-14", _MS_LIFECYCLE + "windows-7"),
    Eol(r"\bwin(dows)? ?8\.1\b", "Windows 8.1", "2023-01-10", _MS_LIFECYCLE + "windows-81"),
    Eol(r"\bwin(dows)? ?8\b", "Windows 8", "2016-01-12", _MS_LIFECYCLE + "windows-8"),
    Eol(
        r"\bwin(dows)? ?10\b", "Windows 10", "2025-10-14", _MS_LIFECYCLE + "windows-10-home-and-pro"
    ),
    Eol(r"\bwin(dows)? ?11\b", "Windows 11", None, _MS_LIFECYCLE + "windows-11-home-and-pro"),
    Eol(r"centos( linux)? 4/5/6/7", "CentOS 4-7", "2024-06-30", _CENTOS),
    Eol(r"centos( linux)? 4/5( or later)?", "CentOS 4/5 or later", None, _CENTOS, or_later=True),
    Eol(r"centos stream 8", "CentOS Stream 8", "2024-05-31", _CENTOS),
    Eol(r"centos stream 9", "CentOS Stream 9", "2027-05-31", _CENTOS),
    Eol(r"centos( linux)? 8\b", "CentOS 8", "2021-12-31", _CENTOS),
    Eol(r"centos( linux)? 7\b", "CentOS 7", "2024-06-30", _CENTOS),
    Eol(r"centos( linux)? 6\b", "CentOS 6", "2020-11-30", _CENTOS),
    Eol(r"centos( linux)? 5\b", "CentOS 5", "2017-03-31", _CENTOS),
    Eol(r"centos( linux)? [34]\b", "CentOS 3/4", "2012-02-29", _CENTOS),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b10\b", "Red Hat Enterprise Linux 10", "2035-05-31", _RHEL),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b9\b", "Red Hat Enterprise Linux 9", "2032-05-31", _RHEL),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b8\b", "Red Hat Enterprise Linux 8", "2029-05-31", _RHEL),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b7\b", "Red Hat Enterprise Linux 7", "2024-06-30", _RHEL),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b6\b", "Red Hat Enterprise Linux 6", "2020-11-30", _RHEL),
    Eol(r"(red ?hat|\brhel\b)[^0-9]*\b5\b", "Red Hat Enterprise Linux 5", "2017-03-31", _RHEL),
    Eol(
        r"(red ?hat|\brhel\b)[^0-9]*\b[234]\b",
        "Red Hat Enterprise Linux 4 or older",
        "2012-02-29",
        _RHEL,
    ),
    Eol(r"oracle linux 4/5/6/7", "Oracle Linux 4-7", "2024-12-01", _ORACLE),
    Eol(r"oracle (enterprise )?linux[^0-9]*\b9\b", "Oracle Linux 9", "2032-06-30", _ORACLE),
    Eol(r"oracle (enterprise )?linux[^0-9]*\b8\b", "Oracle Linux 8", "2029-07-01", _ORACLE),
    Eol(r"oracle (enterprise )?linux[^0-9]*\b7\b", "Oracle Linux 7", "2024-12-01", _ORACLE),
    Eol(r"oracle (enterprise )?linux[^0-9]*\b6\b", "Oracle Linux 6", "2021-03-01", _ORACLE),
    Eol(
        r"oracle (enterprise )?linux[^0-9]*\b[45]\b",
        "Oracle Linux 5 or older",
        "2017-06-30",
        _ORACLE,
    ),
    Eol(r"rocky( linux)?[^0-9]*\b9\b", "Rocky Linux 9", "2032-05-31", _ROCKY),
    Eol(r"rocky( linux)?[^0-9]*\b8\b", "Rocky Linux 8", "2029-05-31", _ROCKY),
    Eol(r"alma( ?linux)?[^0-9]*\b9\b", "AlmaLinux 9", "2032-05-31", _ALMA),
    Eol(r"alma( ?linux)?[^0-9]*\b8\b", "AlmaLinux 8", "2029-05-31", _ALMA),
    Eol(
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b15\b",
        "SUSE Linux Enterprise 15",
        "2031-07-31",
        _SUSE,
    ),
    Eol(
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b12\b",
        "SUSE Linux Enterprise 12",
        "2024-10-31",
        _SUSE,
    ),
    Eol(
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b11\b",
        "SUSE Linux Enterprise 11",
        "2019-03-31",
        _SUSE,
    ),
    Eol(
        r"(suse linux enterprise|\bsles\b)[^0-9]*\b(8|9|10)\b",
        "SUSE Linux Enterprise 10 or older",
        "2013-07-31",
        _SUSE,
    ),
    Eol(r"ubuntu[^0-9]*\b26\.04", "Ubuntu 26.04 LTS", "2031-04-30", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b24\.04", "Ubuntu 24.04 LTS", "2029-05-31", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b22\.04", "Ubuntu 22.04 LTS", "2027-04-30", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b20\.04", "Ubuntu 20.04 LTS", "2025-05-31", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b18\.04", "Ubuntu 18.04 LTS", "2023-05-31", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b16\.04", "Ubuntu 16.04 LTS", "2021-04-30", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b14\.04", "Ubuntu 14.04 LTS", "2019-04-30", _UBUNTU),
    Eol(r"ubuntu[^0-9]*\b1[0-2]\.(04|10)", "Ubuntu 12.04 or older", "2017-04-28", _UBUNTU),
    Eol(r"debian[^0-9]*\b13\b", "Debian 13", "2030-06-30", _DEBIAN),
    Eol(r"debian[^0-9]*\b12\b", "Debian 12", "2028-06-30", _DEBIAN),
    Eol(r"debian[^0-9]*\b11\b", "Debian 11", "2026-08-31", _DEBIAN),
    Eol(r"debian[^0-9]*\b10\b", "Debian 10", "2024-06-30", _DEBIAN),
    Eol(r"debian[^0-9]*\b9\b", "Debian 9", "2022-06-30", _DEBIAN),
    Eol(r"debian[^0-9]*\b8\b", "Debian 8", "2020-06-30", _DEBIAN),
    Eol(r"debian[^0-9]*\b7\b", "Debian 7", "2018-05-31", _DEBIAN),
    Eol(r"debian[^0-9]*\b[4-6]\b", "Debian 6 or older", "2016-02-29", _DEBIAN),
)

#: Notes that say the VM was switched off / suspended, optionally with a date right after.
_OFF = r"(powered|switched|shut|turned) (off|down)|ausgeschaltet|abgeschaltet|stillgelegt"
_FUTURE = (
    r"(to be|will be|shall be|planned to be|going to be|before being) "
    r"(powered|switched|shut|turned)"
)
_SUSPENDED = r"\bsuspended\b"
_DATE_AFTER = (
    r"(?:powered|switched|shut|turned) (?:off|down)\D{0,24}?"
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})|(?P<dmy>\d{1,2}\.\d{1,2}\.\d{4})|(?P<my>\b\d{1,2}/\d{4}\b))"
)
#: Notes, application or attributes that call the server retired, replaced or to be deleted.
RETIRE_HINT = (
    r"\bretired?\b|(to be )?decommission(ed|ing)?|\bdecomm?\b|replaced by|superseded by|"
    r"(to|can (it|this)|could (it|this)|may|should|can|will) be (deleted|removed|retired)|"
    r"then delete|delete (by|after|on)\b|(marked|scheduled|planned) for (deletion|removal|"
    r"retirement)|no longer (needed|used|in use|required)|obsolete|"
    r"not (needed|used|required) any ?more|au(ss|ß)er betrieb|stillgelegt"
)
#: VM names that say the VM is to be deleted or was decommissioned ('app01-deleteby-0310').
NAME_RETIRE_HINT = r"delete|\bdecomm?(ission(ed)?)?\b|\bretired?\b|obsolete|to be removed"
#: Name suffixes of a superseded copy; evidence only while the plain name exists beside it.
OLD_SUFFIX = r"[-_. ](old|alt|orig)$"
#: Notes that say to keep the VM, however long it has been off.
KEEP_HINT = (
    r"(do not|don'?t|never|must not) (delete|remove|decommission|destroy|power (it )?on|"
    r"power (it )?off|shut (it )?down|switch (it )?off)|"
    r"will be (powered|switched|turned) on|(powered|switched|turned) on (when|if|as) needed|"
    r"keep (this|the|it)|still (needed|required|in use|used)|(needed|required) for|legacy use|"
    r"nicht l(ö|oe)schen"
)

#: The fact modules whose facts this one reads (`FactContext.fact` enforces it).
NEEDS: tuple[str, ...] = ("inventory_facts",)

FACTS: tuple[Fact, ...] = (
    Fact(
        "os_product", "text", "Operating system as named in the end-of-support table.", ("os_name",)
    ),
    Fact(
        "os_eol",
        "bool",
        "The OS was past its vendor's end of support on the inventory date (unknown for an "
        "OS the table does not know).",
        ("os_name", "as_of"),
    ),
    Fact("os_eol_date", "date", "Vendor end of support of the OS (YYYY-MM-DD).", ("os_name",)),
    Fact(
        "os_eol_days",
        "days",
        "Days since the OS left support, at the inventory date (negative: days still left).",
        ("os_eol_date", "as_of"),
    ),
    Fact(
        "os_support_days_left",
        "days",
        "Days until the OS leaves support (negative: days since it left).",
        ("os_eol_date", "as_of"),
    ),
    Fact(
        "os_eol_source",
        "text",
        "Vendor lifecycle page the end-of-support date comes from.",
        ("os_name",),
    ),
    Fact(
        "is_powered_off",
        "bool",
        "Powered off (not a template); from the power state, else from notes that say so.",
        ("power_state", "is_template", "annotation"),
    ),
    Fact(
        "is_suspended",
        "bool",
        "Suspended (memory state saved to disk).",
        ("power_state", "annotation"),
    ),
    Fact(
        "powered_off_days",
        "days",
        "Days since the VM was switched off, from a date the notes give (unknown otherwise).",
        ("annotation", "as_of"),
    ),
    Fact(
        "powered_off_note",
        "text",
        "When the VM was switched off, as the notes date it ('since 2025-09-26, 369 days'), "
        "or that no date is recorded (RVTools exports none).",
        ("annotation", "as_of"),
    ),
    Fact(
        "days_since_power_on",
        "days",
        "Days since the VM was last powered on.",
        ("powered_on_at", "as_of"),
    ),
    Fact(
        "retire_hint",
        "bool",
        "Notes, application or attributes call the server retired, replaced or to be deleted "
        "(not negated), or its name does ('-deleteby-', 'decom', or '-old' beside a server "
        "with the plain name).",
        ("annotation", "application", "attr.*", "name"),
    ),
    Fact(
        "keep_hint",
        "bool",
        "Notes say to keep the VM: 'don't delete', 'will be powered on when needed', 'still "
        "in use'.",
        ("annotation", "application", "attr.*"),
    ),
    Fact(
        "retire_evidence",
        "text",
        "What says whether the server is still used: its power state and switch-off date, "
        "the retire words in its notes or name, and any note to keep it.",
        ("power_state", "powered_off_note", "retire_hint", "keep_hint"),
    ),
)


def compute(ctx: FactContext) -> dict[str, pd.Series]:
    s = ctx.servers
    out: dict[str, pd.Series] = {}
    out.update(_eol(s["os_name"], ctx.as_of))

    notes = ctx.text("annotation", "application")
    state = s["power_state"].astype("string").str.lower()
    template = ctx.fact("is_template").fillna(False).astype(bool)
    said_off = found(notes, _OFF) & ~found(notes, _FUTURE)
    said_suspended = found(notes, _SUSPENDED)
    off = state.eq("off").astype("boolean")
    off = off.mask(state.isna() & said_off, True).mask(state.isna() & said_suspended, False)
    out["is_powered_off"] = (off & ~template).astype("boolean")
    suspended = state.eq("suspended").astype("boolean")
    suspended = suspended.mask(state.isna() & said_suspended, True)
    suspended = suspended.mask(state.isna() & said_off & ~said_suspended, False)
    out["is_suspended"] = suspended.astype("boolean")

    is_off = off.fillna(False).astype(bool)
    when = _off_date(ctx.text("annotation"), said_off)
    off_days = _days(ctx.as_of - when).where(is_off)
    out["powered_off_days"] = off_days
    note = "off since " + when.dt.strftime("%Y-%m-%d").astype("string") + " per the notes ("
    note = note + off_days.astype("Int64").astype("string") + " days)"
    out["powered_off_note"] = note.fillna("no switch-off date recorded").where(is_off)
    out["days_since_power_on"] = _days(ctx.as_of - s["powered_on_at"])
    out.update(_retire(ctx, notes + " | " + ctx.attrs_text(), state, out["powered_off_note"]))
    return out


def _retire(
    ctx: FactContext, notes: pd.Series, state: pd.Series, off_note: pd.Series
) -> dict[str, pd.Series]:
    """Retire and keep evidence from notes and names, and the sentence that shows it."""
    idx = ctx.servers.index
    names = ctx.servers["name"].astype("string")
    lower = ctx.text("name")
    in_notes = mentioned(notes, RETIRE_HINT)
    in_name = found(replace(lower, r"[_.]", " "), NAME_RETIRE_HINT)
    stem = replace(lower, OLD_SUFFIX, "")
    renamed = stem.ne(lower).fillna(False).to_numpy(dtype=bool) & names.notna()
    beside = pd.Series(member(stem, lower), index=idx) & renamed
    keep = found(notes, KEEP_HINT)

    power = state.map({"on": "running", "suspended": "suspended"}).astype("string")
    power = power.mask(off_note.notna(), "powered off, " + off_note)
    evidence = joined(
        power,
        "notes " + quoted(notes, RETIRE_HINT, in_notes),
        ("VM name '" + names + "'").where(in_name),
        ("VM name '" + names + "' beside '" + stem + "'").where(beside),
        "keep note " + quoted(notes, KEEP_HINT, keep),
    )
    return {
        "retire_hint": (in_notes | in_name | beside).astype("boolean"),
        "keep_hint": keep.astype("boolean"),
        "retire_evidence": evidence,
    }


def _days(delta: pd.Series) -> pd.Series:
    days = delta.dt.days.astype("Float64")
    return days.mask(days < 0)


def _match_table(name: str) -> Eol | None:
    text = name.lower()
    for row in EOL_TABLE:
        if re.search(row.pattern, text):
            return row
    return None


def _eol(os_name: pd.Series, as_of: pd.Timestamp) -> dict[str, pd.Series]:
    """Match each distinct OS name once, then map onto the servers."""
    names = os_name.astype("string")
    rows = {n: _match_table(n) for n in names.dropna().unique()}
    as_day = pd.Timestamp(as_of)
    as_day = (as_day.tz_convert(None) if as_day.tzinfo else as_day).normalize()
    product, date, source, eol = {}, {}, {}, {}
    for n, row in rows.items():
        if row is None:
            continue
        product[n], source[n] = row.product, row.source
        bound = pd.Timestamp(row.date) if row.date else None
        if row.or_later:
            # Only a lower bound: not yet out of support before it, unknown after.
            eol[n] = False if bound is not None and as_day < bound else None
            continue
        date[n] = row.date
        eol[n] = None if bound is None else bool(as_day > bound)
    out_date = names.map(date).astype("string")
    parsed = pd.to_datetime(out_date, errors="coerce")
    past = (as_day - parsed).dt.days.astype("Float64")
    return {
        "os_product": names.map(product).astype("string"),
        "os_eol": names.map(eol).astype("boolean"),
        "os_eol_date": out_date,
        "os_eol_days": past,
        "os_support_days_left": -past,
        "os_eol_source": names.map(source).astype("string"),
    }


def _off_date(notes: pd.Series, said_off: pd.Series) -> pd.Series:
    """The date written right after 'switched off' / 'powered off' in the notes, if any:
    2025-09-26, 26.09.2025 or 09/2025 (read as the month's last day, a safe lower bound).
    Only rows whose notes say 'off' are searched."""
    rows = notes[said_off.to_numpy()].str.lower()
    found = rows.str.extract(_DATE_AFTER).reindex(notes.index)
    iso = pd.to_datetime(found["iso"], format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(found["dmy"], format="%d.%m.%Y", errors="coerce")
    my = pd.to_datetime(found["my"], format="%m/%Y", errors="coerce") + pd.offsets.MonthEnd(0)
    when = iso.fillna(dmy).fillna(my)
    return when.dt.tz_localize("UTC")
