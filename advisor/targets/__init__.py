"""Target cloud catalogs (Exoscale, Scaleway): sourced provider facts and lookups over them."""

from advisor.targets.catalog import PROVIDERS, Catalog, CatalogError, load_catalog
from advisor.targets.geo import great_circle_km

__all__ = ["PROVIDERS", "Catalog", "CatalogError", "great_circle_km", "load_catalog"]
