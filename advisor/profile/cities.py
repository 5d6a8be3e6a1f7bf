"""The table of business cities a site may name instead of giving lat/lon.

A consultant usually knows the office is "in Basel", not its coordinates. This module holds
the approximate city coordinates, the local spellings customers use for them, and the lookup
that folds case and accents; the `Site` model uses it to place a site by its city.
"""

from __future__ import annotations

import unicodedata

#: Approximate coordinates (2 decimals, general geographic knowledge) of business cities a
#: consultant is likely to name instead of looking up lat/lon. Good enough for latency
#: estimates, where the route factor dominates the error anyway.
CITIES: dict[str, tuple[float, float]] = {
    "Basel": (47.56, 7.59),
    "Bern": (46.95, 7.45),
    "Zurich": (47.37, 8.54),
    "Geneva": (46.20, 6.14),
    "Lausanne": (46.52, 6.63),
    "Lugano": (46.00, 8.95),
    "St. Gallen": (47.42, 9.37),
    "Lucerne": (47.05, 8.31),
    "Vienna": (48.21, 16.37),
    "Graz": (47.07, 15.44),
    "Linz": (48.31, 14.29),
    "Salzburg": (47.80, 13.04),
    "Innsbruck": (47.27, 11.40),
    "Munich": (48.14, 11.58),
    "Frankfurt": (50.11, 8.68),
    "Berlin": (52.52, 13.40),
    "Hamburg": (53.55, 9.99),
    "Cologne": (50.94, 6.96),
    "Stuttgart": (48.78, 9.18),
    "Dusseldorf": (51.23, 6.77),
    "Paris": (48.86, 2.35),
    "Lyon": (45.76, 4.84),
    "Marseille": (43.30, 5.37),
    "Amsterdam": (52.37, 4.90),
    "Rotterdam": (51.92, 4.48),
    "Brussels": (50.85, 4.35),
    "Luxembourg": (49.61, 6.13),
    "Warsaw": (52.23, 21.01),
    "Prague": (50.08, 14.44),
    "Milan": (45.46, 9.19),
    "Rome": (41.90, 12.50),
    "Madrid": (40.42, -3.70),
    "Barcelona": (41.39, 2.17),
    "Lisbon": (38.72, -9.14),
    "London": (51.51, -0.13),
    "Dublin": (53.35, -6.26),
    "Copenhagen": (55.68, 12.57),
    "Stockholm": (59.33, 18.07),
    "Oslo": (59.91, 10.75),
    "Helsinki": (60.17, 24.94),
    "Sofia": (42.70, 23.32),
    "Zagreb": (45.81, 15.98),
    "Ljubljana": (46.06, 14.51),
    "Budapest": (47.50, 19.04),
    "Bucharest": (44.43, 26.10),
}

#: Local spellings customers write in their own documents, mapped to the names above.
CITY_ALIASES: dict[str, str] = {
    "basle": "Basel",
    "berne": "Bern",
    "zuerich": "Zurich",
    "geneve": "Geneva",
    "genf": "Geneva",
    "st gallen": "St. Gallen",
    "sankt gallen": "St. Gallen",
    "luzern": "Lucerne",
    "wien": "Vienna",
    "munchen": "Munich",
    "muenchen": "Munich",
    "frankfurt am main": "Frankfurt",
    "koln": "Cologne",
    "koeln": "Cologne",
    "duesseldorf": "Dusseldorf",
    "bruxelles": "Brussels",
    "brussel": "Brussels",
    "warszawa": "Warsaw",
    "praha": "Prague",
    "milano": "Milan",
    "roma": "Rome",
    "lisboa": "Lisbon",
    "kobenhavn": "Copenhagen",
    "bucuresti": "Bucharest",
}


def _city_key(name: str) -> str:
    """Fold case, accents and spacing, so 'Zürich', 'zurich ' and 'ZURICH' are one city."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace(".", " ").split()).casefold()


_CITY_INDEX: dict[str, str] = {_city_key(city): city for city in CITIES} | {
    _city_key(alias): city for alias, city in CITY_ALIASES.items()
}


def lookup_city(name: str) -> tuple[str, float, float] | None:
    """Canonical name and coordinates of a known city, or None when the table lacks it."""
    city = _CITY_INDEX.get(_city_key(name))
    if city is None:
        return None
    lat, lon = CITIES[city]
    return city, lat, lon
