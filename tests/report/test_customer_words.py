"""What a customer reads: no internal labels, field names, log plurals or local paths, and
references that are public documents about the provider the report is for.

The HTML report holds the same text as the PDF and is cheap to render, so each estate is
rendered once per module (the sample on Exoscale and on Scaleway, and the 655-VM real export
when the shared corpus is present) and every check reads the visible text: tags stripped,
scripts and styles removed. Links are read from the `href` attributes.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from advisor.engine.assess import assess, load_catalog_rules
from advisor.engine.rules import OWN_REASONING, Reference, shown_references
from advisor.facts import all_facts
from advisor.inventory import load_inventory
from advisor.inventory.schema import SERVER_COLUMNS
from advisor.profile import load_profile
from advisor.report.formatting import METHODOLOGY_ANCHOR, cited, fmt_gib
from advisor.report.html_report import render_html
from advisor.targets import PROVIDERS
from advisor.text import network_name, network_names, plural_words

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inventories" / "acme-rvtools.xlsx"
PROFILE = ROOT / "sample_inventories" / "acme-profile.yaml"
REAL = ROOT.parent / "shared" / "inventories" / "rvtools-4.6.1-anon-655vms.xlsx"
DAY = dt.date(2026, 10, 5)


class Page(NamedTuple):
    text: str
    links: list[str]
    paths: list[str]  # absolute paths of the files the report was made from


class _Visible(HTMLParser):
    """Visible text (script and style dropped) and the targets of links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        href = dict(attrs).get("href")
        if href:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _page(html: str, paths: list[Path]) -> Page:
    parser = _Visible()
    parser.feed(html)
    text = " ".join("".join(parser.parts).replace("\u200b", "").split())
    return Page(text, parser.links, [str(p.resolve()) for p in paths])


def _render(inventory: Path, profile: Path) -> Page:
    a = assess(load_inventory(inventory), load_profile(profile))
    return _page(render_html(a, date=DAY), [inventory, inventory.parent, profile])


@pytest.fixture(scope="module")
def scaleway_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample profile with Scaleway (fr-par-1) as the target and nothing to compare."""
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data["target"] = {"provider": "scaleway", "zone": "fr-par-1"}
    path = tmp_path_factory.mktemp("scaleway") / "acme-scaleway.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exoscale_page() -> Page:
    return _render(SAMPLE, PROFILE)


@pytest.fixture(scope="module")
def scaleway_page(scaleway_profile: Path) -> Page:
    return _render(SAMPLE, scaleway_profile)


@pytest.fixture(scope="module")
def real_page() -> Page:
    if not REAL.exists():
        pytest.skip(f"the shared real-inventory corpus is absent ({REAL.name} not found)")
    return _render(REAL, PROFILE)


PAGES = ("exoscale_page", "scaleway_page", "real_page")


def _internal_names() -> set[str]:
    """Names a reader must never see: facts, rule parameters and inventory columns that are
    written snake_case (a plain word like 'site' is also English)."""
    names = set(all_facts())
    names |= {p for r in load_catalog_rules() for p in r.spec.params}
    names |= {c.name for c in SERVER_COLUMNS}
    return {n for n in names if "_" in n}


INTERNAL = _internal_names()
#: Labels of advisor's own sources; 'seeds/' is the handbook folder ('each site seeds its
#: data' is English and stays allowed).
LABELS = re.compile(r"shared/|seeds/|domain[ -]facts", re.IGNORECASE)
LOCAL_PATH = re.compile(
    r"(?<![\w.:/])/(?:work|tmp|home|Users|root|var|opt|mnt)/|\b[A-Za-z]:\\(?:Users|Documents)",
)


def _around(pattern: re.Pattern[str], text: str) -> list[str]:
    """Each match of `pattern` with some text either side, for a readable failure."""
    return [text[max(m.start() - 40, 0) : m.end() + 20] for m in pattern.finditer(text)]


@pytest.mark.parametrize("which", PAGES)
def test_no_log_plurals(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    hits = re.findall(r".{0,40}\w\(s\).{0,20}", page.text)
    assert not hits, hits[:5]


@pytest.mark.parametrize("which", PAGES)
def test_no_internal_source_labels(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    hits = [
        m.group() for m in re.finditer(rf".{{0,40}}(?:{LABELS.pattern}).{{0,20}}", page.text, re.I)
    ]
    assert not hits, hits[:5]
    assert not [link for link in page.links if LABELS.search(link)]


@pytest.mark.parametrize("which", PAGES)
def test_no_local_paths(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    for path in page.paths:
        assert path not in page.text
    hits = [
        m.group() for m in re.finditer(rf".{{0,30}}(?:{LOCAL_PATH.pattern}).{{0,30}}", page.text)
    ]
    assert not hits, hits[:5]
    assert not [link for link in page.links if LOCAL_PATH.search(link) or "file:" in link]


@pytest.mark.parametrize("which", PAGES)
def test_no_percent_encoded_names(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    assert not re.findall(r".{0,30}%2f.{0,10}", page.text, re.IGNORECASE)


@pytest.mark.parametrize("which", PAGES)
def test_no_internal_field_names(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    words = set(re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", page.text))
    assert not words & INTERNAL, sorted(words & INTERNAL)[:10]


@pytest.mark.parametrize("which", PAGES)
def test_links_are_public_addresses(which: str, request: pytest.FixtureRequest) -> None:
    """Every link is a web address or a place in the report itself."""
    page: Page = request.getfixturevalue(which)
    odd = [u for u in page.links if not u.startswith(("https://", "http://", "#", "mailto:"))]
    assert not odd, odd[:5]


def test_scaleway_report_cites_no_exoscale_document(scaleway_page: Page) -> None:
    assert scaleway_page.links, "the report links no source at all"
    exo = [u for u in scaleway_page.links if "exoscale" in u.lower()]
    assert not exo, exo[:5]
    assert "exoscale.com" not in scaleway_page.text.lower()
    assert "Exoscale" not in scaleway_page.text


def test_exoscale_report_cites_exoscale_documents(exoscale_page: Page) -> None:
    """The filter keeps the target's own documents (it does not drop every provider page)."""
    assert any("community.exoscale.com" in u for u in exoscale_page.links)
    assert not [u for u in exoscale_page.links if "scaleway" in u.lower()]


def test_missing_values_do_not_read_as_data(exoscale_page: Page, real_page: Page) -> None:
    for page in (exoscale_page, real_page):
        assert not re.search(r"(?:largest|data) disk 0 GiB", page.text, re.IGNORECASE)
        assert not re.search(r"unknown (?:GiB|TiB|h|ms|days)\b", page.text)
        assert not re.search(r"\b0 GiB RAM|RAM 0 GiB", page.text)  # no disk reads 'no disk'


# --- the helpers behind it ----------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_rule_cites_only_public_documents_of_its_provider(provider: str) -> None:
    others = [p for p in PROVIDERS if p != provider]
    for rule in load_catalog_rules():
        refs = shown_references(rule.spec, provider)
        assert all(r.about in (None, provider) for r in refs), rule.code
        assert not [r for r in refs if any(o in r.url for o in others)], rule.code
        for title, url in cited(rule.spec, provider):
            assert (
                url.startswith("https://")
                or url.startswith("http://")
                or ((title, url) == (OWN_REASONING, METHODOLOGY_ANCHOR))
            ), (rule.code, url)
            assert not LABELS.search(title), (rule.code, title)


def test_provider_documents_say_so() -> None:
    """A reference titled after a provider ('Exoscale SLA ...' on a reseller's site) is
    about that provider, by its address or by its `provider` field."""
    for rule in load_catalog_rules():
        spec = rule.spec
        refs = list(spec.references)
        for texts in spec.providers.values():
            refs += texts.references or []
        for ref in refs:
            for provider in PROVIDERS:
                if ref.title.lower().startswith(provider):
                    assert ref.about == provider, (rule.code, ref.title)


def test_reference_provider_from_address_or_field() -> None:
    assert Reference(title="Docs", url="https://community.exoscale.com/x").about == "exoscale"
    scw = "https://github.com/scaleway/docs-content/blob/main/pages/vpc/faq.mdx"
    assert Reference(title="FAQ", url=scw).about == "scaleway"
    rfc = Reference(title="RFC 1918", url="https://www.rfc-editor.org/rfc/rfc1918")
    assert rfc.about is None and rfc.applies_to("scaleway") and rfc.applies_to("exoscale")
    tagged = Reference(title="A blog", url="https://example.org/a", provider="scaleway")
    assert not tagged.applies_to("exoscale")
    with pytest.raises(ValueError):
        Reference(title="Domain facts", url="shared/domain-facts.md")


def test_rule_without_public_source_for_provider_says_it_is_our_reasoning() -> None:
    """A rule whose only document is another provider's falls back to advisor's own word."""
    spec = next(r.spec for r in load_catalog_rules())
    exo_only = spec.model_copy(
        update={
            "references": [Reference(title="Exo doc", url="https://community.exoscale.com/a")],
            "providers": {},
        }
    )
    assert cited(exo_only, "scaleway") == [(OWN_REASONING, METHODOLOGY_ANCHOR)]
    assert cited(exo_only, "exoscale") == [("Exo doc", "https://community.exoscale.com/a")]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("DMZ%2fWeb", "DMZ/Web"),
        ("VM Network-1f3a4b5c-1234-5678-9abc-def012345678", "VM Network"),
        ("Backend (0123456789abcdef0123)", "Backend"),
        ("Prod VLAN 10", "Prod VLAN 10"),
        ("1f3a4b5c-1234-5678-9abc-def012345678", "1f3a4b5c-1234-5678-9abc-def012345678"),
    ],
)
def test_network_names_for_people(raw: str, shown: str) -> None:
    assert network_name(raw) == shown


def test_network_names_column() -> None:
    import pandas as pd

    col = pd.Series(["a%2Fb, VM Network-1f3a4b5c-1234-5678-9abc-def012345678", None])
    out = network_names(col)
    assert out.iloc[0] == "a/b, VM Network" and pd.isna(out.iloc[1])


def test_plural_words_and_small_sizes() -> None:
    assert plural_words("Oldest of 1 snapshot(s); 3 USB device(s)") == (
        "Oldest of 1 snapshot; 3 USB devices"
    )
    assert fmt_gib(0.125) == "0.1 GiB" and fmt_gib(0) == "0 GiB" and fmt_gib(2048) == "2.0 TiB"
