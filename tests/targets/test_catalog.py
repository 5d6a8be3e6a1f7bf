"""Target catalogs: the data files load and carry sources; lookups and fitting behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import BaseModel

from advisor.errors import InputError
from advisor.targets import PROVIDERS, Catalog, CatalogError, great_circle_km, load_catalog
from advisor.targets.catalog import read_catalog
from advisor.targets.sections import LicenceFact, Source, Sourced

GENEVA = (46.20, 6.14)
FRANKFURT = (50.11, 8.68)
VIENNA = (48.21, 16.37)
CATALOG_DIR = Path(__file__).resolve().parents[2] / "advisor" / "targets"


@pytest.fixture(params=PROVIDERS)
def catalog(request) -> Catalog:
    return load_catalog(request.param)


@pytest.fixture
def exoscale() -> Catalog:
    return load_catalog("exoscale")


@pytest.fixture
def scaleway() -> Catalog:
    return load_catalog("scaleway")


# --- loading and sources ------------------------------------------------------------------


def test_both_catalogs_load_and_are_cached() -> None:
    assert PROVIDERS == ("exoscale", "scaleway")
    for provider in PROVIDERS:
        catalog = load_catalog(provider)
        assert catalog.provider == provider
        assert load_catalog(provider.upper()) is catalog


def test_unknown_provider_names_it_and_the_choices() -> None:
    with pytest.raises(InputError, match=r"'aws'.*exoscale, scaleway"):
        load_catalog("aws")


def _sourced_parts(model: BaseModel, path: str = ""):
    """Every section or list item that should carry a source, with its path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            where = f"{path}{name}" + (f"[{i}]" if isinstance(value, tuple) else "")
            if isinstance(item, Sourced | LicenceFact):
                yield where, item
            if isinstance(item, BaseModel) and not isinstance(item, Source):
                yield from _sourced_parts(item, where + ".")


def test_every_section_has_a_source(catalog: Catalog) -> None:
    parts = dict(_sourced_parts(catalog))
    sections = {
        name
        for name, info in Catalog.model_fields.items()
        if name not in {"provider", "display_name", "as_of", "sources"}
    }
    covered = {where.split("[")[0].split(".")[0] for where in parts}
    assert sections <= covered
    for where, part in parts.items():
        assert part.source.url, where
        assert part.source.as_of[:2] in {"19", "20"}, where
    assert catalog.sources


def test_unverified_values_say_so(catalog: Catalog) -> None:
    """A null licensing verdict must explain itself; the fact sheet has no number for it."""
    for name in type(catalog.licensing).model_fields:
        fact = getattr(catalog.licensing, name)
        if fact.value is None:
            assert fact.note and "not found" in fact.note.lower(), name


# --- zones and distances ------------------------------------------------------------------


def test_zone_lookup_is_case_insensitive(exoscale: Catalog) -> None:
    assert exoscale.zone(" CH-GVA-2 ").city == "Geneva"
    assert "hr-zag-1" in exoscale.zone_names()


def test_unknown_zone_suggests_the_nearest_names(exoscale: Catalog) -> None:
    with pytest.raises(InputError, match=r"did you mean ch-gva-2") as info:
        exoscale.zone("ch-gva-3")
    assert "\n" not in str(info.value)


def test_scaleway_has_nine_zones(scaleway: Catalog) -> None:
    assert scaleway.zone_names() == tuple(
        f"{region}-{n}" for region in ("fr-par", "nl-ams", "pl-waw") for n in (1, 2, 3)
    )
    assert scaleway.zone("pl-waw-2").region == "pl-waw"


def test_nearest_zone(exoscale: Catalog, scaleway: Catalog) -> None:
    zone, km = exoscale.nearest_zone(*VIENNA)
    assert zone.name in {"at-vie-1", "at-vie-2"}
    assert km < 1
    assert exoscale.nearest_zone(*GENEVA)[0].name == "ch-gva-2"
    assert scaleway.nearest_zone(48.85, 2.30)[0].name == "fr-par-1"


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (float("nan"), 0)])
def test_nearest_zone_rejects_bad_coordinates(exoscale: Catalog, lat: float, lon: float) -> None:
    with pytest.raises(InputError, match="invalid coordinates"):
        exoscale.nearest_zone(lat, lon)


def test_great_circle_km() -> None:
    assert great_circle_km(*GENEVA, *FRANKFURT) == pytest.approx(473, abs=10)
    assert great_circle_km(*GENEVA, *GENEVA) == 0
    many = great_circle_km(np.array([GENEVA[0], VIENNA[0]]), [GENEVA[1], VIENNA[1]], *FRANKFURT)
    assert isinstance(many, np.ndarray)
    assert many[0] == pytest.approx(great_circle_km(*GENEVA, *FRANKFURT))
    assert load_catalog("exoscale").distance_km(*GENEVA, *FRANKFURT) == pytest.approx(many[0])


# --- instance types -----------------------------------------------------------------------


def test_smallest_fitting_exoscale(exoscale: Catalog) -> None:
    chosen = exoscale.smallest_fitting(4, 16)
    assert chosen is not None
    assert chosen.name == "standard.extra-large"
    assert chosen.vcpus >= 4 and chosen.memory_gib >= 16
    smaller = [
        t
        for t in exoscale.instance_types
        if t.gpus == 0
        and t.vcpus >= 4
        and t.memory_gib >= 16
        and (t.memory_gib, t.vcpus) < (chosen.memory_gib, chosen.vcpus)
    ]
    assert smaller == []


def test_nothing_fits_96_vcpus_and_1_tib(catalog: Catalog) -> None:
    assert catalog.smallest_fitting(96, 1024) is None


def test_gpu_types_are_not_general_targets(exoscale: Catalog) -> None:
    assert exoscale.max_vcpus == 40  # gpu3.huge has 96 but is not a lift-and-shift target
    assert exoscale.max_memory_gib == 320
    assert exoscale.largest_instance().name == "standard.colossus"
    assert exoscale.smallest_fitting(41, 1) is None
    assert exoscale.max_root_disk_gib == 15360


def test_windows_fitting_on_scaleway_needs_pop2_win(scaleway: Catalog) -> None:
    chosen = scaleway.smallest_fitting(4, 16, windows=True)
    assert chosen is not None and chosen.family == "POP2-WIN" and chosen.windows is True
    assert scaleway.smallest_fitting(4, 16).windows is False
    assert scaleway.smallest_fitting(64, 256, windows=True) is None


def test_instance_type_lookup(exoscale: Catalog) -> None:
    assert exoscale.instance_type("Standard.Medium").memory_gib == 4
    with pytest.raises(InputError, match=r"did you mean standard\.medium"):
        exoscale.instance_type("standard.meduim")


@pytest.mark.parametrize("windows", [False, True])
def test_fit_instance_types_agrees_with_smallest_fitting(catalog: Catalog, windows: bool) -> None:
    rng = np.random.default_rng(7)
    n = 400
    vcpus = pd.Series(rng.integers(1, 100, n), dtype="Int64", index=np.arange(n) * 3)
    memory = pd.Series(rng.choice([0.5, 1, 2, 3.5, 8, 16, 60, 128, 300, 500, 700], n))
    memory = memory.astype("Float64").set_axis(vcpus.index)
    vcpus[vcpus.index[::17]] = pd.NA
    memory[memory.index[::13]] = pd.NA

    result = catalog.fit_instance_types(vcpus, memory, windows=windows)

    assert result.index.equals(vcpus.index)
    assert str(result["instance_type"].dtype) == "string"
    assert str(result["fits"].dtype) == "boolean"
    for idx in vcpus.index:
        v, m = vcpus[idx], memory[idx]
        row = result.loc[idx]
        if pd.isna(v) or pd.isna(m):
            assert pd.isna(row["fits"]) and pd.isna(row["instance_type"])
            continue
        expected = catalog.smallest_fitting(int(v), float(m), windows=windows)
        assert bool(row["fits"]) is (expected is not None)
        assert (None if pd.isna(row["instance_type"]) else row["instance_type"]) == (
            expected.name if expected else None
        )


def test_fit_instance_types_handles_empty_and_misaligned(exoscale: Catalog) -> None:
    empty = exoscale.fit_instance_types(pd.Series([], dtype="Int64"), pd.Series([], dtype=float))
    assert list(empty.columns) == ["instance_type", "fits"] and len(empty) == 0
    with pytest.raises(ValueError, match="same index"):
        exoscale.fit_instance_types(pd.Series([1]), pd.Series([1.0], index=[5]))


# --- values the rules rely on -------------------------------------------------------------


def test_exoscale_values(exoscale: Catalog) -> None:
    assert exoscale.custom_template.max_gib == 100
    assert exoscale.custom_template.formats == ("qcow2",)
    assert exoscale.custom_template.gpt_uefi_above_gib == 1600
    assert exoscale.block_volume.max_gib == 10240
    assert exoscale.block_volume.max_per_instance == 5
    assert (exoscale.root_disk.min_gib, exoscale.root_disk.max_gib) == (10, 51200)
    assert exoscale.snapshots.deleted_with_instance is True
    assert exoscale.private_network.custom_mac_allowed is False
    assert exoscale.private_network.spans_zones is False
    assert exoscale.anti_affinity.max_instances_per_group == 8
    assert exoscale.security_groups.default_inbound == "deny"
    assert exoscale.elastic_ip.outgoing_uses_native_ip is True
    assert exoscale.vpn.managed_site_to_site is False
    assert exoscale.licensing.microsoft_authorized_outsourcer.value is True
    assert exoscale.licensing.oracle_authorized_cloud.value is False
    assert exoscale.instance_type("standard.micro").memory_gib == 0.5
    assert exoscale.instance_type("storage.jumbo").root_disk_max_gib == 15360


def test_scaleway_values(scaleway: Catalog) -> None:
    assert scaleway.custom_template.boot_modes == ("uefi",)
    assert scaleway.custom_template.max_gib is None and scaleway.custom_template.note
    assert scaleway.block_volume.max_gib == 10240
    assert scaleway.vpn.managed_site_to_site is True and scaleway.vpn.routing == "BGP only"
    assert scaleway.private_network.spans_zones is True
    assert scaleway.licensing.windows_license_included.value is True
    assert {t.family for t in scaleway.instance_types if t.windows} == {"POP2-WIN"}


def test_network_physics_is_the_same_everywhere() -> None:
    physics = {p: load_catalog(p).network_physics for p in PROVIDERS}
    for value in physics.values():
        assert (value.fibre_km_per_ms, value.default_route_factor) == (200, 1.5)
        assert value.equipment_overhead_ms == 2


# --- broken data files --------------------------------------------------------------------


def _broken_copy(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((CATALOG_DIR / "exoscale.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "exoscale.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_broken_field_names_file_and_field(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, lambda d: d["instance_types"][3].update(vcpus="many"))
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    message = str(info.value)
    assert str(path) in message
    assert "instance_types[3] (standard.medium).vcpus" in message


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, lambda d: d["block_volume"].update(max_gb=1))
    with pytest.raises(CatalogError, match=r"block_volume\.max_gb: Extra inputs"):
        read_catalog(path)


def test_duplicate_zone_is_an_error(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, lambda d: d["zones"].append(d["zones"][0]))
    with pytest.raises(CatalogError, match="duplicate zone names: ch-gva-2"):
        read_catalog(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("provider: exoscale\nzones: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml: line \d+ is not valid YAML"):
        read_catalog(path)
