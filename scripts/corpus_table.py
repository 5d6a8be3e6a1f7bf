#!/usr/bin/env python3
"""How advisor reads the real exports: regenerate the table in docs/assessment.md.

Usage (from the project root)::

    .venv/bin/python scripts/corpus_table.py           # rewrite the table in the doc
    .venv/bin/python scripts/corpus_table.py --check   # exit 1 when the doc is stale

Every file in ../shared/inventories (exports nobody here wrote) is assessed with the default
profile. Per file the table shows the servers read, in and out of scope (and why), rejected,
readiness, confidence and every rule's failure rate among the servers in scope. A rule that
fails on more than a third of a real estate is usually reading the wrong evidence: each such
rule needs a reason in REASONS below, said in words after looking at the servers it fails
on, or the check fails. The tests run the check, so the table can never drift from the code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "inventories"
DOC = ROOT / "docs" / "assessment.md"
START = "<!-- corpus-table:start (scripts/corpus_table.py writes this part) -->"
END = "<!-- corpus-table:end -->"
#: A rule failing on more than this share of a file's servers in scope needs a reason.
SHARE = 1 / 3
SUFFIXES = (".xlsx", ".csv")

#: Why a rule that fails on more than a third of a real estate is right there, per file.
_TEMPLATE_LIMIT = (
    "above the 100 GB an OS image imported into Exoscale may be (custom templates), so the "
    "boot disk must be shrunk before conversion or the server rebuilt"
)
_W2016 = (
    "Windows Server 2016 leaves extended support on 2027-01-12; the file records no export "
    "date, so the one-year horizon counts from today"
)
_OLD_HW = (
    "an old vSphere estate (virtual hardware 4 to 9); info only, as the version matters only "
    "while the VM stays on VMware"
)
_EOL = "past their vendors' end of support"
REASONS: dict[str, dict[str, str]] = {
    "azure-migrate-10servers.csv": {
        "DSK003": "the first disk of each server, its OS disk in the Azure Migrate template, is "
        "500 GB or more: " + _TEMPLATE_LIMIT,
    },
    "azure-migrate-90servers.csv": {
        "DSK003": "most OS disks (the template's first disk) are 120 GB or more: "
        + _TEMPLATE_LIMIT,
        "LCY005": _W2016,
        "LCY001": "RHEL 7, SLES 12 and Windows Server 2008 R2 are " + _EOL,
    },
    "azure-migrate-template.csv": {
        "LCY005": _W2016,
        "DSK003": "Azure's 128 GB default OS disk is " + _TEMPLATE_LIMIT,
    },
    "odd-synthetic-partial-headers.xlsx": {
        "LCY001": "CentOS 7, Windows 10 and Ubuntu 20.04 are " + _EOL + " (three of five servers)",
    },
    "rvtools-3.10.1-25tabs.xlsx": {
        "LIC002": "all 25 VMs in scope are named SQLSvrTeam-n, SQL Server by their names (the "
        "finding shows that evidence); SQL Server licences reach a shared cloud only with "
        "Software Assurance or a subscription",
        "RED006": "info: those 25 SQL servers form one group (the file gives no site or "
        "environment), more than the 8 instances one Exoscale anti-affinity group holds",
    },
    "rvtools-3.x-tabvInfo.csv": {
        "PLT006": _OLD_HW,
        "LCY001": "RHEL 6, Windows Server 2012 and SLES 11 are " + _EOL,
        "LIC005": "info: two of the five servers run RHEL, whose subscriptions move under Red "
        "Hat Cloud Access",
    },
    "rvtools-3.x-trimmed-3tabs.xlsx": {
        "LCY001": "an old export of a Windows Server 2003 / 2008 R2 / 2012 estate, all " + _EOL,
    },
    "rvtools-3.x-trimmed-5tabs.xlsx": {
        "LCY001": "Windows Server 2003, 2008 R2 and 2012 are " + _EOL,
        "PLT006": _OLD_HW,
    },
    "rvtools-4.6.1-anon-339vms.xlsx": {
        "DSK003": "boot disks of 104 GiB and more (build images, 500 GiB build VMs): "
        + _TEMPLATE_LIMIT
        + "; where the guest reports its system volume, the message says how much is in use",
    },
    "rvtools-4.6.1-anon-655vms.xlsx": {
        "DSK003": "a VDI estate whose desktops have 120 GiB to 1 TiB system disks: "
        + _TEMPLATE_LIMIT,
        "LIC010": "the same VDI estate: Windows 10 and 11 desktops, which Microsoft lets run on a "
        "shared cloud only under the customer's own licences with Software Assurance or a "
        "subscription",
        "LCY005": "Windows 10 left support on 2025-10-14, 167 days after this export",
        "NET005": "low: the lab VMs each have two connected adapters with addresses, on two "
        "port groups (VM Trunk 108 and 196), so the target needs both networks",
    },
    "rvtools-4.7-libreoffice-6tabs.xlsx": {
        "LIC005": "info: four of the nine VMs run RHEL, whose subscriptions move under Red Hat "
        "Cloud Access",
    },
    "rvtools-subset-100vms.xlsx": {"LCY005": _W2016},
}


def corpus_files(folder: Path = CORPUS) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)


def assess_corpus(folder: Path = CORPUS) -> dict[str, Any]:
    """Each real export assessed with the default profile, by file name."""
    from advisor.engine.assess import assess, load_catalog_rules
    from advisor.inventory import load_inventory
    from advisor.profile import default_profile

    rules = load_catalog_rules()
    return {
        p.name: assess(load_inventory(p), default_profile(), rules=rules)
        for p in corpus_files(folder)
    }


def failure_rates(assessment: Any) -> dict[str, float]:
    """Share of the servers in scope each server rule fails on (rules that fail at all)."""
    findings = assessment.evaluation.findings
    failed = findings[findings["status"] == "fail"]
    n = max(len(assessment.facts), 1)
    per_rule = failed.groupby("code")["server_id"].nunique() / n
    return {code: float(share) for code, share in per_rule.sort_values(ascending=False).items()}


def unexplained(assessments: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """Rules failing on more than a third of a file's servers with no stated reason."""
    out = []
    for name, a in assessments.items():
        for code, share in failure_rates(a).items():
            if share > SHARE and code not in REASONS.get(name, {}):
                out.append((name, code, share))
    return out


def _pct(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 else "<1%"


def table(assessments: Mapping[str, Any]) -> str:
    """The markdown that goes between the markers in docs/assessment.md."""
    lines = [
        "| file | read | in scope | out of scope | rejected | ready | conditional | not ready "
        "| unknown | confidence 1/2/3/4/5 |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, a in assessments.items():
        s = a.summary()
        scope, ready, conf = s["scope"], s["readiness"], s["confidence"]
        why = ", ".join(f"{n} {c}" for c, n in scope["out_of_scope_by_category"].items())
        out = f"{scope['out_of_scope']}" + (f" ({why})" if why else "")
        spread = "/".join(str(conf[str(i)]) for i in range(1, 6))
        lines.append(
            f"| {name} | {scope['servers_read']} | {scope['in_scope']} | {out} | "
            f"{scope['rejected']} | {ready['ready']} | {ready['conditional']} | "
            f"{ready['not_ready']} | {ready['unknown']} | {spread} |"
        )
    lines += ["", "Rules that fail, as a share of each file's servers in scope:", ""]
    lines += ["| file | failing rules |", "|---|---|"]
    for name, a in assessments.items():
        rates = failure_rates(a)
        cell = ", ".join(f"{code} {_pct(share)}" for code, share in rates.items()) or "none"
        lines.append(f"| {name} | {cell} |")
    lines += ["", "Rules failing on more than a third of a real estate, and why that is right:", ""]
    explained = [
        (name, code, share, REASONS.get(name, {}).get(code))
        for name, a in assessments.items()
        for code, share in failure_rates(a).items()
        if share > SHARE
    ]
    if not explained:
        lines.append("None.")
    for name, code, share, reason in explained:
        lines.append(f"- **{code}** in {name} ({_pct(share)}): {reason or 'NO REASON STATED'}")
    return "\n".join(lines)


def render(doc: str, body: str) -> str:
    """`doc` with the text between the markers replaced by `body`."""
    if START not in doc or END not in doc:
        raise SystemExit(f"{DOC}: the markers {START!r} and {END!r} are missing")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the doc is stale")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of real exports")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    assessments = assess_corpus(args.corpus)
    doc = DOC.read_text(encoding="utf-8")
    new = render(doc, table(assessments))
    missing = unexplained(assessments)
    for name, code, share in missing:
        print(f"{name}: {code} fails on {_pct(share)} with no stated reason", file=sys.stderr)
    if args.check:
        if new != doc:
            print(f"{DOC} is stale: run scripts/corpus_table.py", file=sys.stderr)
            return 1
        return 1 if missing else 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
