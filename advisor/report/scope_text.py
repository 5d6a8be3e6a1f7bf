"""The scope in words: what each out-of-scope category means, and the sentence that counts them.

Every output says what was left out of the assessment the same way (the report's summary
and Scope section, the workbook's Scope sheet, the command line), so the wording lives here
once. The categories are the scope stage's (`advisor.scope.CATEGORY_NAMES`); a category
this module does not know still reads sensibly ("2 servers (new category)").
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.report.formatting import plural

#: Per category: the servers as a noun (singular, plural) and why they are not moved.
CATEGORY_TEXT: dict[str, tuple[str, str, str]] = {
    "template": (
        "VMware template",
        "VMware templates",
        "Templates are not running servers: the target gets its own images instead.",
    ),
    "vSphere agent": (
        "vSphere agent VM",
        "vSphere agent VMs",
        "VMs vSphere creates for its own services (cluster services, pods); they have no "
        "workload and disappear with vSphere.",
    ),
    "VMware infrastructure": (
        "VMware infrastructure appliance",
        "VMware infrastructure appliances",
        "vCenter, NSX, HCX, Aria and the like run today's platform; they stay behind when "
        "the workloads leave.",
    ),
    "SRM placeholder": (
        "Site Recovery Manager placeholder",
        "Site Recovery Manager placeholders",
        "Shadows of VMs protected at another site; the protected VM itself is assessed.",
    ),
    "orphaned or inaccessible": (
        "orphaned or inaccessible VM",
        "orphaned or inaccessible VMs",
        "vCenter cannot read these VMs' files: there is nothing to copy until they are "
        "repaired or removed.",
    ),
    "invalid configuration": (
        "VM with an invalid configuration",
        "VMs with an invalid configuration",
        "Configured without processors or memory, they cannot run as they are.",
    ),
    "backup infrastructure": (
        "backup appliance or proxy",
        "backup appliances and proxies",
        "Infrastructure of today's backup product; the backup is designed anew for the target.",
    ),
    "placeholder without disks": (
        "VM without disks",
        "VMs without disks",
        "Entries with no virtual disk: nothing to migrate; ask whether they can be deleted.",
    ),
    "excluded by the profile": (
        "server excluded for this engagement",
        "servers excluded for this engagement",
        "Left out on purpose by the engagement's scope, with the reason it gives.",
    ),
}


def category_noun(category: str, n: int) -> str:
    """'3 VMware templates', '1 vSphere agent VM'; unknown categories: '2 servers (x)'."""
    known = CATEGORY_TEXT.get(category)
    if known is None:
        return f"{plural(n, 'server')} ({category})"
    return f"{n:,} {known[0] if n == 1 else known[1]}"


def category_title(category: str) -> str:
    """The category as a heading: 'VMware templates'."""
    known = CATEGORY_TEXT.get(category)
    return known[1][:1].upper() + known[1][1:] if known else category[:1].upper() + category[1:]


def category_meaning(category: str) -> str:
    """Why servers of this category are not part of the move, in a sentence."""
    known = CATEGORY_TEXT.get(category)
    return known[2] if known else "Left out of the assessment."


def join_words(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def left_out(counts: Mapping[str, int]) -> str:
    """'44 VMware templates, 17 vSphere agent VMs and 4 backup appliances and proxies'."""
    return join_words([category_noun(c, n) for c, n in counts.items() if n])


def scope_sentence(
    scope: Mapping[str, object],
    where: str,
    rejected_where: str = "the data quality section says why",
) -> str:
    """The scope of a run in a few sentences: read, assessed, left out (by category, saying
    `where` they are listed) and rejected (saying `rejected_where` the reasons are).
    `scope` is `Assessment.summary()["scope"]`."""
    read = int(scope["servers_read"])  # type: ignore[arg-type]
    inside = int(scope["in_scope"])  # type: ignore[arg-type]
    rejected = int(scope["rejected"])  # type: ignore[arg-type]
    counts: Mapping[str, int] = scope["out_of_scope_by_category"]  # type: ignore[assignment]
    out = sum(counts.values())
    text = f"The inventory lists {plural(read, 'server')}; {inside:,} of them "
    text += f"{'is' if inside == 1 else 'are'} in scope and assessed."
    if out:
        verb = "is" if out == 1 else "are"
        text += f" {_capital(left_out(counts))} {verb} not part of the move; {where}."
    if rejected:
        text += (
            f" {plural(rejected, 'row')} of the inventory could not be read as a server; "
            f"{rejected_where}."
        )
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = [
    "CATEGORY_TEXT",
    "category_meaning",
    "category_noun",
    "category_title",
    "join_words",
    "left_out",
    "scope_sentence",
]
