"""Shapely helpers: coordinate checks, polygon repair, metric buffers and distances.

Pure functions on WGS84 geometries. Metres are computed in a projected CRS chosen for the
place (Lambert-93 in metropolitan France, the local UTM projection overseas), never in degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geodata.convert import GeometryError, as_multipolygon
from geodata.crs import from_metric, metric_srid_for, to_metric

__all__ = [
    "FRANCE_BOXES",
    "CoordinateError",
    "check_lonlat",
    "distance_m",
    "in_france",
    "lonlat_issue",
    "metric_buffer",
    "repair_polygon",
]

#: Lon/lat boxes (west, south, east, north) of the places where a French walk can happen:
#: metropolitan France with Corsica, then the overseas départements and collectivities with QPV.
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "metropole": (-5.5, 41.0, 10.0, 51.5),
    "antilles-nord": (-63.2, 15.7, -60.8, 18.2),  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "martinique": (-61.3, 14.3, -60.7, 15.0),
    "guyane": (-54.7, 2.0, -51.5, 6.0),
    "reunion": (55.1, -21.5, 55.9, -20.8),
    "mayotte": (44.9, -13.1, 45.4, -12.5),
    "saint-pierre-et-miquelon": (-56.5, 46.7, -56.1, 47.2),
}


@dataclass(frozen=True, slots=True)
class CoordinateIssue:
    """Why a lon/lat pair is unusable: a stable code and the pair (people read it through a label)."""

    reason: str  #: "not_finite", "out_of_range", "projected", "swapped" or "outside_france"
    lon: object
    lat: object

    @property
    def pair(self) -> str:
        """The pair as it was given, for messages: ``(lon, lat)``."""
        return f"({self.lon!r}, {self.lat!r})"


class CoordinateError(GeometryError):
    """A longitude/latitude pair is not a usable WGS84 position (``issue`` says why)."""

    def __init__(self, issue: CoordinateIssue) -> None:
        super().__init__(f"{issue.reason}: {issue.pair}")
        self.issue = issue
        self.reason = issue.reason


def in_france(lon: float, lat: float) -> bool:
    """Tell whether a lon/lat position lies in metropolitan or overseas France (coarse boxes)."""
    return any(w <= lon <= e and s <= lat <= n for w, s, e, n in FRANCE_BOXES.values())


def lonlat_issue(lon: float, lat: float, *, require_france: bool = False) -> CoordinateIssue | None:
    """Return what is wrong with a lon/lat pair, or None when it is usable.

    The swap rule is deliberately simple. A pair is reported as swapped when
    (a) the latitude is out of range but the pair read the other way round is in range
    (|lat| > 90, |lat| <= 180, |lon| <= 90), or
    (b) it is in range, outside every box of FRANCE_BOXES, and (lat, lon) falls inside one.
    Rule (b) works because a French position read with axes swapped lands off Somalia, in the
    Indian Ocean or near 0°N, where no walk takes place. With ``require_france`` a pair
    outside every box is refused too.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return CoordinateIssue("not_finite", lon, lat)
    if abs(lon) > 180 or abs(lat) > 90:
        if abs(lat) <= 180 and abs(lon) <= 90:
            return CoordinateIssue("swapped", lon, lat)
        if abs(lon) >= 1000 or abs(lat) >= 1000:
            return CoordinateIssue("projected", lon, lat)
        return CoordinateIssue("out_of_range", lon, lat)
    if not in_france(lon, lat):
        if in_france(lat, lon):
            return CoordinateIssue("swapped", lon, lat)
        if require_france:
            return CoordinateIssue("outside_france", lon, lat)
    return None


def check_lonlat(lon: float, lat: float, *, require_france: bool = False) -> tuple[float, float]:
    """Return (lon, lat) as floats, or raise CoordinateError saying what is wrong (see lonlat_issue)."""
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise CoordinateError(CoordinateIssue("not_finite", lon, lat)) from exc
    issue = lonlat_issue(lon_f, lat_f, require_france=require_france)
    if issue is not None:
        raise CoordinateError(issue)
    return lon_f, lat_f


def _metric_srid(geom: BaseGeometry) -> int:
    minx, miny, maxx, maxy = geom.bounds
    return metric_srid_for((minx + maxx) / 2, (miny + maxy) / 2)


def metric_buffer(geom: BaseGeometry, metres: float, *, quad_segs: int = 8) -> BaseGeometry:
    """Return a WGS84 geometry buffered by a distance in metres (negative shrinks polygons)."""
    if geom.is_empty:
        return geom
    srid = _metric_srid(geom)
    return from_metric(shapely.buffer(to_metric(geom, srid), metres, quad_segs=quad_segs), srid)


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Return the shortest distance in metres between two WGS84 geometries (0 if they touch)."""
    if a.is_empty or b.is_empty:
        raise GeometryError("distance to an empty geometry is undefined")
    srid = _metric_srid(a)
    return float(shapely.distance(to_metric(a, srid), to_metric(b, srid)))


def repair_polygon(geom: BaseGeometry) -> tuple[MultiPolygon, str | None]:
    """Return (valid MultiPolygon, note); the note says what was repaired, None if nothing was.

    Uses ``make_valid`` with the "structure" method (GEOS >= 3.10): shells are unioned and
    holes subtracted, so overlapping parts merge, a bowtie becomes two triangles and a
    spike is cut off. The PostGIS equivalent is
    ``ST_MakeValid(geom, 'method=structure keepcollapsed=false')``; the default "linework"
    method would instead turn overlaps into holes. Raises GeometryError when no area is left.
    """
    if geom.is_empty:
        raise GeometryError("empty geometry")
    # Judge validity as a MultiPolygon: polygons overlapping inside a GeometryCollection are
    # "valid" as a collection but not once stored in a MultiPolygon column.
    geom = as_multipolygon(geom)
    if geom.is_empty:
        raise GeometryError("no polygon in the geometry")
    if geom.is_valid:
        return geom, None
    reason = shapely.is_valid_reason(geom)
    repaired = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    # A ring without area repairs into lines: nothing of a zone is left.
    polygonal = repaired.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection")
    polygons = as_multipolygon(repaired) if polygonal else MultiPolygon()
    # Slivers of zero area are what make_valid leaves of a collapsed ring: not a zone.
    polygons = MultiPolygon([p for p in polygons.geoms if p.area > 0])
    if polygons.is_empty:
        raise GeometryError(f"invalid polygon ({reason}) has no area left after repair")
    dropped = "" if repaired.geom_type in ("Polygon", "MultiPolygon") else "; non-polygonal parts dropped"
    parts = len(polygons.geoms)
    return polygons, f"{reason}: repaired with make_valid (structure) into {parts} polygon(s){dropped}"
