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
