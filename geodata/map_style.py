"""What the map builders share, without folium: theme styles, how many points are drawn how, bounds.

Used by :mod:`geodata.maps` (folium) and :mod:`geodata.static_map` (matplotlib), and by services
that choose or describe a map's layers without drawing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Up to this many observations, one circle marker each (with its popup).
MARKERS_UP_TO = 1_000
#: Up to this many, clustered circle markers; beyond, server-side aggregation into cells.
CLUSTER_UP_TO = 20_000
#: Side of an aggregation cell, in metres.
CELL_M = 150.0
MAX_ZOOM = 19
#: Colour of observations whose theme the form does not know (an older form version).
FALLBACK_COLOR = "#555555"
#: Decimals of a point's coordinates in a page (1e-5 degree: about a metre, under a pixel at zoom 19).
POINT_DECIMALS = 5
#: Decimals of a sensitive report's coordinates in any map (1e-3 degree: about 110 m × 70 m in France):
#: its exact place never reaches a browser, not even on the team's pages.
SENSITIVE_DECIMALS = 3
#: Polarity codes in the order of a point row's polarity index.
POLARITIES = ("negative", "positive", "neutral")


@dataclass
class PointSet:
    """Observations as compact rows for a map: ``[lon, lat, theme index, polarity index, ref]``.

    Coordinates are rounded (:data:`POINT_DECIMALS`, :data:`SENSITIVE_DECIMALS` for sensitive themes).
    ``themes`` gives the theme key of each index. ``ref`` is the observation id when the popup is fetched
    on click (the builder's ``popup_url``), else an index into ``details``: per point
    ``[walk, date, feeling, note, proposal, photo_url, moderation_url, id]`` (plain values, escaped by the
    browser's ``textContent``).
    """

    themes: list[str]
    rows: list[list[Any]]
    details: list[list[Any]] | None = None


@dataclass
class CellSet:
    """Observations counted per square cell of a grid computed in SQL, theme by theme.

    ``rows`` are ``[ix, iy, theme index, count, negatives]``: the cell's centre is
    ``((ix + 0.5) * dlon, (iy + 0.5) * dlat)``, never a point's place.
    """

    themes: list[str]
    dlon: float
    dlat: float
    rows: list[list[int]]
    #: how many observations the rows hold
    total: int = 0


def cell_steps(lat0: float, cell_m: float = CELL_M) -> tuple[float, float]:
    """The grid's steps in degrees (lon, lat) for cells of about ``cell_m`` metres near latitude ``lat0``."""
    import math

    dlat = cell_m / 111_320.0
    return dlat / max(math.cos(math.radians(lat0)), 0.01), dlat


def round_point(lon: float, lat: float, sensitive: bool) -> tuple[float, float]:
    """A point's coordinates as a page gets them."""
    digits = SENSITIVE_DECIMALS if sensitive else POINT_DECIMALS
    return round(lon, digits), round(lat, digits)


@dataclass(frozen=True)
class ThemeStyle:
    """How a theme looks on a map."""

    #: stored with each observation
    key: str
    #: shown in the layer control, legend and popups
    label: str
    #: ``#rrggbb``
    color: str
    #: reports of this theme are never drawn at their place outside the team (the form says so)
    sensitive: bool = False


def theme_map(themes: Iterable[ThemeStyle]) -> dict[str, ThemeStyle]:
    return {theme.key: theme for theme in themes}


def theme_of(key: str, themes: Mapping[str, ThemeStyle]) -> ThemeStyle:
    return themes.get(key) or ThemeStyle(key=key, label=key, color=FALLBACK_COLOR)


def label_point(area: Any) -> Any:
    """Where a zone's name goes (a Shapely point): near its top edge, where points are less likely
    than at its centre; inside the zone in any case."""
    from shapely.geometry import Point

    west, south, east, north = area.bounds
    near_top = Point((west + east) / 2, north - 0.1 * (north - south))
    return near_top if area.contains(near_top) else area.representative_point()


def point_layer_kind(count: int) -> str:
    """How ``count`` observations are drawn: ``markers``, ``clusters`` or ``cells``."""
    if count <= MARKERS_UP_TO:
        return "markers"
    if count <= CLUSTER_UP_TO:
        return "clusters"
    return "cells"


def bounds_of(collections: Iterable[Mapping[str, Any] | None]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        elif isinstance(coords, (list, tuple)):
            for c in coords:
                walk(c)

    for fc in collections:
        for feat in (fc or {}).get("features", []):
            geometry = feat.get("geometry") or {}
            walk(geometry.get("coordinates"))
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def by_theme(features: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for feat in features:
        groups.setdefault(str(feat.get("properties", {}).get("theme")), []).append(feat)
    return groups


def theme_order(groups: Mapping[str, Any], themes: Mapping[str, ThemeStyle]) -> list[str]:
    known = [key for key in themes if key in groups]
    return known + sorted(key for key in groups if key not in themes)
