"""A zone drawn on a map by a facilitator: read the GeoJSON the page posts and check it is a usable zone.

The page posts what the drawing plugin made: a GeoJSON Feature (or bare geometry, or a
FeatureCollection holding one feature) whose geometry is a Polygon or MultiPolygon in WGS84
lon/lat. :func:`read_drawn_zone` returns the zone as a valid MultiPolygon with its area, or
raises :class:`DrawnZoneError` whose ``reason`` is a stable key (the caller words the message):

* ``empty``: nothing was posted;
* ``not_geojson``: not JSON, or not a GeoJSON geometry/feature;
* ``not_polygon``: a point or a line, or more than one feature;
* ``too_few_points``: a ring of fewer than three distinct points;
* ``out_of_range``: coordinates that are not lon/lat degrees (or NaN);
* ``invalid``: a ring crossing itself whose repair leaves no area;
* ``too_small`` / ``too_large``: under :data:`MIN_AREA_M2` or over :data:`MAX_AREA_KM2`.

``params`` carries the numbers a message needs (``area_m2``, ``limit``…). A self-crossing ring is
repaired (``repaired`` is then True) rather than refused when an area is left.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geodata.convert import GeometryError, as_multipolygon, geojson_to_shape
from geodata.crs import to_metric
from geodata.shapes import distance_m, repair_polygon

__all__ = [
    "MAX_AREA_KM2",
    "MIN_AREA_M2",
    "NEAR_M",
    "DrawnZone",
    "DrawnZoneError",
    "distance_to_places",
    "read_drawn_zone",
]

#: Largest zone accepted: a city-centre or a neighbourhood, never a département.
MAX_AREA_KM2 = 200.0
#: Smallest zone accepted: below this it is a slip of the mouse, not a place.
MIN_AREA_M2 = 100.0
#: A zone farther than this from the project's known places (its QPV, zones, routes) gets a warning.
NEAR_M = 5_000.0
#: Largest GeoJSON text accepted from the page (a hand-drawn polygon is a few kilobytes).
MAX_TEXT_BYTES = 2_000_000


@dataclass(frozen=True)
class DrawnZone:
    """A drawn zone ready to store."""

    geometry: MultiPolygon  #: valid, lon/lat (EPSG:4326)
    area_m2: float
    repaired: bool = False


@dataclass
class DrawnZoneError(ValueError):
    """The posted drawing is not a usable zone; ``reason`` is a stable key (see the module docstring)."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.reason} {self.params}" if self.params else self.reason


def _geometry_of(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise DrawnZoneError("not_geojson")
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list) or not features:
            raise DrawnZoneError("empty")
        if len(features) > 1:
            raise DrawnZoneError("not_polygon", {"features": len(features)})
        doc = features[0]
        if not isinstance(doc, dict):
            raise DrawnZoneError("not_geojson")
    if doc.get("type") == "Feature":
        geometry = doc.get("geometry")
        if not isinstance(geometry, dict):
            raise DrawnZoneError("empty")
        return geometry
    return doc


def read_drawn_zone(text: str) -> DrawnZone:
    """Read and check a drawn zone posted as GeoJSON text; raises DrawnZoneError."""
    if not text or not text.strip():
        raise DrawnZoneError("empty")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise DrawnZoneError("too_large", {"bytes": len(text.encode("utf-8")), "limit": MAX_AREA_KM2})
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise DrawnZoneError("not_geojson") from error
    raw = _geometry_of(doc)
    if raw.get("type") not in ("Polygon", "MultiPolygon"):
        if raw.get("type") in ("Point", "MultiPoint", "LineString", "MultiLineString"):
            raise DrawnZoneError("not_polygon", {"type": raw.get("type")})
        raise DrawnZoneError("not_geojson")
    try:
        geom: BaseGeometry = geojson_to_shape(raw)
    except (GeometryError, ValueError) as error:
        # Shapely refuses rings of fewer than four positions when it builds them.
        raise DrawnZoneError("too_few_points") from error
    if geom.is_empty:
        raise DrawnZoneError("empty")
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.ravel()):
        raise DrawnZoneError("out_of_range")
    lons, lats = coords[:, 0], coords[:, 1]
    if lons.min() < -180 or lons.max() > 180 or lats.min() < -90 or lats.max() > 90:
        raise DrawnZoneError("out_of_range")
    polygons = as_multipolygon(geom)
    for polygon in polygons.geoms:
        if len({tuple(c) for c in polygon.exterior.coords}) < 3:
            raise DrawnZoneError("too_few_points")
    repaired = False
    try:
        polygons, note = repair_polygon(polygons)
        repaired = note is not None
    except GeometryError as error:
        raise DrawnZoneError("invalid") from error
    area = float(to_metric(polygons).area)
    if area < MIN_AREA_M2:
        raise DrawnZoneError("too_small", {"area_m2": round(area), "limit": MIN_AREA_M2})
    if area > MAX_AREA_KM2 * 1e6:
        raise DrawnZoneError("too_large", {"area_km2": round(area / 1e6, 1), "limit": MAX_AREA_KM2})
    return DrawnZone(geometry=polygons, area_m2=area, repaired=repaired)


def distance_to_places(zone: BaseGeometry, places: list[BaseGeometry]) -> float | None:
    """Metres from ``zone`` to the nearest of the project's known places; None when there are none."""
    known = [p for p in places if p is not None and not p.is_empty]
    if not known:
        return None
    return min(distance_m(zone, place) for place in known)
