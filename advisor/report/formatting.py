"""How the report writes numbers, dates and text: the `fmt_*` helpers and a few text tools.

Every number the report prints goes through one of these, so a GiB, an hour count or a
rule parameter reads the same in every section. `_na` is the one test for a missing value
that they (and the section builders) share.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from advisor.text import plural_words as plural_words  # re-exported: sections use it


def _na(value: Any) -> bool:
    if type(value) is str:  # the common case, never missing: no call into pandas
        return False
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: Any) -> str:
    return "unknown" if _na(value) else f"{round(float(value)):,}"


def fmt_gib(value: Any) -> str:
    """GiB for humans: TiB from 1,024 GiB on, one decimal."""
    if _na(value):
        return "unknown"
    v = float(value)
    if 0 < v < 0.95:  # a 128 MiB appliance VM must not read as '0 GiB RAM'
        return f"{v:.1f} GiB" if v >= 0.05 else "under 0.1 GiB"
    return f"{v / 1024:,.1f} TiB" if v >= 1024 else f"{v:,.0f} GiB"


def fmt_hours(value: Any) -> str:
    if _na(value):
        return "unknown"
    h = float(value)
    if h < 1:
        return "under 1 h"
    if h < 10:
        return f"{h:.1f} h"
    return f"{h:,.0f} h"


def fmt_days(hours: Any) -> str:
    if _na(hours):
        return ""
    d = float(hours) / 24
    return f"{d:,.1f} days" if d < 10 else f"{d:,.0f} days"


def fmt_share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def fmt_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def fmt_param(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = f"{int(value):,}"
    elif isinstance(value, int | float):
        text = f"{value:,}"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) or "none"
    else:
        text = str(value)
    unit = unit.strip()
    if unit == "roles":  # role keys ('file_server') in words
        text = text.replace("_", " ")
    if unit == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.0%}"
    if not unit or unit in ("-", "count", "version", "roles", "flag", "text", "list", "names"):
        return text
    return f"{text} {unit}"


def param_words(name: str) -> str:
    """A rule parameter's name as a reader sees it ('window_hours' -> 'window hours'); the
    profile key stays recognisable, the report shows no field names."""
    return name.replace("_", " ")


def fmt_ms(value: Any) -> str:
    return "unknown" if _na(value) else f"{float(value):,.1f} ms"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s+[A-Z(])")


def first_sentence(text: str, limit: int = 260) -> str:
    """The first sentence of a rule text, for the summary; long ones are cut at a word."""
    text = " ".join(str(text).split())
    m = _SENTENCE_END.search(text)
    out = text[: m.end()] if m else text
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return out


def _capital(text: str, name: str = "") -> str:
    """Capitalise a message unless it starts with a name (server names keep their case)."""
    if not text or (name and text.startswith(name)) or not re.match(r"[a-z]+[ ,:;]", text):
        return text
    return text[:1].upper() + text[1:]


#: Longest name the report prints for a server, site, customer or location. Inventory values
#: can be far longer (a name of 100,000 characters imports); the JSON and the workbook keep
#: them whole, the report shows this much and an ellipsis.
NAME_LIMIT = 120
#: Longest text of any kind the report prints (the longest rule text is under 900).
TEXT_LIMIT = 4000
#: A run of characters without a place to break a line longer than this gets one every
#: BREAK_EVERY characters (a zero-width space). WeasyPrint's layout of an unbreakable word
#: grows with the square of its length in table cells: a 2,000-character customer name took
#: 30 s, 5,000 characters several minutes. The longest link a rule cites is under 200.
RUN_LIMIT = 300
BREAK_EVERY = 60
_LONG_RUN = re.compile(rf"\S{{{RUN_LIMIT + 1},}}")
_ZWSP = "\u200b"


def display_text(value: Any, limit: int = NAME_LIMIT) -> str:
    """`value` as the report shows it: cut to `limit` characters with an ellipsis, and with
    a break opportunity in every very long unbreakable run, so that no inventory or profile
    value can stall the PDF layout (see RUN_LIMIT) or fill pages."""
    text = "" if _na(value) else str(value)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if len(text) > RUN_LIMIT and _LONG_RUN.search(text):
        text = _LONG_RUN.sub(_break_run, text)
    return text


def _break_run(match: re.Match[str]) -> str:
    run = match.group()
    return _ZWSP.join(run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY))


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


def fmt_money(value: Any, currency: str) -> str:
    """An amount as the report prints it: whole units from 10 on ('7,272 EUR'), cents below
    (a server at 4.38 EUR a month must not read as 4 or 0); 'unknown' for a missing amount,
    never 0."""
    if _na(value):
        return "unknown"
    v = float(value)
    return f"{v:,.0f} {currency}" if abs(v) >= 10 else f"{v:,.2f} {currency}"


def fmt_span(start: dt.date, end: dt.date) -> str:
    """A period of days, its shared month and year written once: '5–18 October 2026',
    '19 October – 1 November 2026', '28 December 2026 – 10 January 2027'."""
    if start.year != end.year:
        return f"{fmt_date(start)} – {fmt_date(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {fmt_date(end)}"
    return f"{start.day}–{fmt_date(end)}"


def fmt_as_of(text: Any) -> str:
    """A source's date as written in a catalog ('2026-11-01', '2022-12') in words ('1
    November 2026', 'December 2022'); anything else as it is."""
    s = "" if _na(text) else str(text).strip()
    try:
        if len(s) == 7:
            return f"{dt.date.fromisoformat(s + '-01'):%B %Y}"
        return fmt_date(dt.date.fromisoformat(s))
    except ValueError:
        return s


#: How a catalog cites a file of a public GitHub repository: 'owner/repo:path@commit', or
#: 'owner/repo:path' (the file as it is now), and a pull request: 'owner/repo PR #12 (...)'.
_REPO_FILE = re.compile(
    r"(?P<repo>[\w.-]+/[\w.-]+):(?P<path>[^@\s]+)(?:@(?P<commit>[0-9a-f]{7,40}))?"
)
_REPO_PR = re.compile(r"(?P<repo>[\w.-]+/[\w.-]+) PR #(?P<number>\d+)(?: \(.*\))?")


def public_url(ref: Any) -> str:
    """A source as a link a reader can open, or '' when it has none. Catalogs cite some
    files and pull requests of public GitHub repositories in a short form that is no
    address ('owner/repo:path@commit', 'owner/repo PR #12'): those become their GitHub
    pages. A web address stays as it is; anything else (a note of advisor's own, such as
    a path inside its sources) is no public source and is not printed."""
    s = "" if _na(ref) else str(ref).strip()
    if s.startswith(("https://", "http://")):
        return s
    m = _REPO_FILE.fullmatch(s)
    if m is not None:
        return f"https://github.com/{m['repo']}/blob/{m['commit'] or 'HEAD'}/{m['path']}"
    m = _REPO_PR.fullmatch(s)
    if m is not None:
        return f"https://github.com/{m['repo']}/pull/{m['number']}"
    return ""


def sentence(text: Any) -> str:
    """A phrase as a sentence: capitalised unless it starts with a name ('bsl-fs-01 has'
    keeps its case, see `_capital`), ending in a full stop (or the ellipsis of a cut)."""
    s = "" if _na(text) else " ".join(str(text).split())
    if not s:
        return ""
    s = _capital(s)
    return s if s.endswith((".", "!", "?", "…")) else s + "."


#: Where the report's Methodology section starts (its element id); a rule whose reasoning is
#: advisor's own points there instead of to a document.
METHODOLOGY_ANCHOR = "#methodology"


def cited(spec: Any, provider: str) -> list[tuple[str, str]]:
    """The (title, address) pairs a report shows under a rule for an engagement on
    `provider`: the public documents of `shown_references` with internal notes left out,
    or one line saying the reasoning is advisor's own when no such document is left."""
    from advisor.engine.rules import OWN_REASONING, shown_references

    refs = [(r.title, public_url(r.url)) for r in shown_references(spec, provider)]
    refs = [(title, url) for title, url in refs if url]
    return refs or [(OWN_REASONING, METHODOLOGY_ANCHOR)]
