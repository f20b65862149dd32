"""The one converter between GeoJSON dicts, Shapely geometries, WKB and EWKT.

Other modules never call ``shapely.geometry.shape`` or ``shapely.to_wkb`` themselves, so a
change of convention (coordinate rounding, ring orientation, SRID handling) happens here once.
GeoJSON follows RFC 7946: WGS84 lon/lat, no ``crs`` member, exterior rings counter-clockwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import GeometryCollection, MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from geodata.crs import STORAGE_SRID

__all__ = [
    "GeometryError",
    "as_multipolygon",
    "ewkt_to_shape",
    "feature",
    "feature_collection",
    "geojson_to_shape",
    "is_finite_geometry",
    "shape_to_ewkt",
    "shape_to_geojson",
    "shape_to_wkb",
    "wkb_to_shape",
]

_EWKT = re.compile(r"^\s*SRID=(\d+)\s*;\s*(.+)$", re.IGNORECASE | re.DOTALL)


class GeometryError(ValueError):
    """A geometry cannot be read, converted or used as asked."""


def geojson_to_shape(obj: Mapping[str, Any]) -> BaseGeometry:
    """Return the Shapely geometry of a GeoJSON geometry or Feature dict (2D)."""
    if not isinstance(obj, Mapping):
        raise GeometryError(f"expected a GeoJSON object, got {type(obj).__name__}")
    if obj.get("type") == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            raise GeometryError("the feature has no geometry")
        obj = geometry
    try:
        geom = shape(obj)
    # shape() surfaces malformed input as whichever error the constructor hits first.
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(f"malformed GeoJSON geometry: {exc}") from exc
    return shapely.force_2d(geom)


def _listify(coords: Any, ndigits: int | None) -> Any:
    # mapping() gives nested tuples; JSON wants lists, and rounding happens at the leaves.
    if isinstance(coords, (tuple, list)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(c, ndigits) if ndigits is not None else c for c in coords]
        return [_listify(c, ndigits) for c in coords]
    return coords


def shape_to_geojson(geom: BaseGeometry, *, precision: int | None = None) -> dict[str, Any]:
    """Return the RFC 7946 GeoJSON geometry dict of a WGS84 geometry (optionally rounded)."""
    if isinstance(geom, (Polygon, MultiPolygon, GeometryCollection)):
        # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
        geom = shapely.orient_polygons(geom)
    data = dict(mapping(geom))
    if "coordinates" in data:
        data["coordinates"] = _listify(data["coordinates"], precision)
    else:
        data["geometries"] = [shape_to_geojson(part, precision=precision) for part in geom.geoms]  # type: ignore[attr-defined]
    return data


def feature(
    geom: BaseGeometry | None,
    properties: Mapping[str, Any] | None = None,
    *,
    id: str | int | None = None,
    precision: int | None = None,
) -> dict[str, Any]:
    """Return a GeoJSON Feature dict for a geometry and its properties."""
    data: dict[str, Any] = {
        "type": "Feature",
        "geometry": None if geom is None else shape_to_geojson(geom, precision=precision),
        "properties": dict(properties or {}),
    }
    if id is not None:
        data["id"] = id
    return data


def feature_collection(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection dict holding the given Feature dicts."""
    return {"type": "FeatureCollection", "features": [dict(f) for f in features]}


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Return the polygonal part of a geometry as a MultiPolygon (possibly empty).

    A Polygon is wrapped, a MultiPolygon returned as is, and a GeometryCollection (what
    ``make_valid`` returns when repair leaves stray lines or points) keeps only its polygons.
    Points and lines alone raise GeometryError.
    """
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon() if geom.is_empty else MultiPolygon([geom])
    if isinstance(geom, GeometryCollection):
        polygons: list[Polygon] = []
        for part in geom.geoms:
            if isinstance(part, (Polygon, MultiPolygon, GeometryCollection)):
                polygons.extend(p for p in as_multipolygon(part).geoms if not p.is_empty)
        return MultiPolygon(polygons)
    raise GeometryError(f"expected a polygon, got a {geom.geom_type}")


def shape_to_wkb(geom: BaseGeometry, *, srid: int | None = None, hex: bool = False) -> bytes | str:
    """Return 2D WKB of a geometry; with ``srid``, PostGIS extended WKB carrying that SRID."""
    geom = shapely.force_2d(geom)
    if srid is not None:
        geom = shapely.set_srid(geom, srid)
    return shapely.to_wkb(geom, hex=hex, output_dimension=2, include_srid=srid is not None)


def wkb_to_shape(data: bytes | bytearray | memoryview | str) -> BaseGeometry:
    """Return the geometry of a WKB or EWKB value, binary or hex (any embedded SRID is dropped)."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    try:
        geom = shapely.from_wkb(data)
    except (shapely.errors.ShapelyError, TypeError, ValueError) as exc:
        raise GeometryError(f"malformed WKB: {exc}") from exc
    return shapely.set_srid(geom, 0)


def shape_to_ewkt(geom: BaseGeometry, srid: int = STORAGE_SRID, *, precision: int = 7) -> str:
    """Return ``SRID=<srid>;<WKT>`` for a geometry (7 decimals of a degree is about 1 cm)."""
    return f"SRID={srid};{shapely.to_wkt(geom, rounding_precision=precision, trim=True, output_dimension=2)}"


def ewkt_to_shape(text: str) -> tuple[BaseGeometry, int | None]:
    """Return (geometry, srid) from EWKT or plain WKT (srid is None for plain WKT)."""
    match = _EWKT.match(text)
    srid = int(match.group(1)) if match else None
    wkt = match.group(2) if match else text
    try:
        geom = shapely.from_wkt(wkt)
    except (shapely.errors.ShapelyError, TypeError, ValueError) as exc:
        raise GeometryError(f"malformed WKT: {exc}") from exc
    return geom, srid


def is_finite_geometry(geom: BaseGeometry) -> bool:
    """Tell whether every coordinate of a geometry is a finite number (no NaN, no infinity)."""
    return bool(np.isfinite(shapely.get_coordinates(geom)).all())
