"""Main cities per country, for delivery forms and nearest-store assignment.

Coordinates are city centres (WGS84, 4 decimals ≈ 10 m): enough for a straight-line
distance between a delivery city and a store.
"""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

CITIES: dict[str, dict[str, tuple[float, float]]] = {
    "CM": {
        "Douala": (4.0511, 9.7679), "Yaoundé": (3.8480, 11.5021), "Bafoussam": (5.4781, 10.4176),
        "Bamenda": (5.9631, 10.1591), "Garoua": (9.3017, 13.3921), "Maroua": (10.5956, 14.3247),
        "Ngaoundéré": (7.3277, 13.5847), "Bertoua": (4.5774, 13.6846), "Kribi": (2.9404, 9.9101),
        "Limbé": (4.0186, 9.1989), "Buea": (4.1527, 9.2410), "Ebolowa": (2.9000, 11.1500),
        "Nkongsamba": (4.9547, 9.9404), "Edéa": (3.8000, 10.1333), "Kumba": (4.6363, 9.4469),
        "Dschang": (5.4500, 10.0500),
    },
    "CI": {
        "Abidjan": (5.3600, -4.0083), "Bouaké": (7.6906, -5.0300), "Yamoussoukro": (6.8276, -5.2893),
        "Daloa": (6.8774, -6.4502), "San-Pédro": (4.7485, -6.6363), "Korhogo": (9.4580, -5.6296),
        "Man": (7.4125, -7.5538), "Gagnoa": (6.1319, -5.9506), "Grand-Bassam": (5.2118, -3.7388),
        "Abengourou": (6.7297, -3.4964),
    },
    "SN": {
        "Dakar": (14.7167, -17.4677), "Thiès": (14.7910, -16.9359), "Saint-Louis": (16.0179, -16.4896),
        "Touba": (14.8500, -15.8833), "Kaolack": (14.1652, -16.0726), "Ziguinchor": (12.5681, -16.2719),
    },
    "GA": {"Libreville": (0.4162, 9.4673), "Port-Gentil": (-0.7193, 8.7815), "Franceville": (-1.6333, 13.5833)},
    "BJ": {"Cotonou": (6.3703, 2.3912), "Porto-Novo": (6.4969, 2.6289), "Parakou": (9.3372, 2.6303)},
    "TG": {"Lomé": (6.1319, 1.2228), "Kara": (9.5511, 1.1861)},
}


def cities_for(country: str) -> list[str]:
    return sorted(CITIES.get(country, {}))


def city_coordinates(country: str, city: str) -> tuple[float, float] | None:
    return CITIES.get(country, {}).get(city)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))
