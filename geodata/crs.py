"""Coordinate reference systems: the storage SRID, metric projections and cached reprojection.

Everything Arpenteur stores is WGS84 longitude/latitude (EPSG:4326, axis order x=lon, y=lat).
Distances and buffers are computed in metres in a projected CRS: Lambert-93 (EPSG:2154) in
metropolitan France and Corsica, the official local UTM projection overseas.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

#: SRID of every geometry column and of every geometry passed between packages.
STORAGE_SRID = 4326
#: Lambert-93, the official projection of metropolitan France; used for metres.
METRIC_SRID = 2154

#: Loose extent of Lambert-93 coordinates over metropolitan France and Corsica, in metres
#: (minx, miny, maxx, maxy); the real extent is about 99,000-1,243,000 by 6,040,000-7,110,000.
LAMBERT93_EXTENT = (-100_000.0, 5_900_000.0, 1_400_000.0, 7_300_000.0)

#: Official projected CRS of each overseas département, by lon/lat box (west, south, east, north).
#: Lambert-93 is meaningless there (kilometres of distortion), so metres come from these instead.
OVERSEAS_METRIC_SRIDS: tuple[tuple[tuple[float, float, float, float], int], ...] = (
    ((-63.2, 15.7, -60.0, 18.2), 5490),  # Guadeloupe, Saint-Martin, Saint-Barthélemy: RGAF09 / UTM 20N
    ((-61.3, 14.3, -60.7, 15.0), 5490),  # Martinique: RGAF09 / UTM 20N
    ((-54.7, 2.0, -51.5, 6.0), 2972),  # Guyane: RGFG95 / UTM 22N
    ((55.1, -21.5, 55.9, -20.8), 2975),  # La Réunion: RGR92 / UTM 40S
    ((44.9, -13.1, 45.4, -12.5), 4471),  # Mayotte: RGM04 / UTM 38S
    ((-56.5, 46.7, -56.1, 47.2), 4467),  # Saint-Pierre-et-Miquelon: RGSPM06 / UTM 21N
)
#: Where Lambert-93 is used for metres: EPSG:2154's own area of use, in lon/lat.
METROPOLE_BOX = (-9.86, 41.15, 10.38, 51.56)

G = TypeVar("G", bound=BaseGeometry)
CrsLike = int | str


def crs_key(crs: CrsLike | CRS) -> str:
    """Return a stable cache key for an SRID, an authority string or a pyproj CRS."""
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    if isinstance(crs, CRS):
        epsg = crs.to_epsg()
        return f"EPSG:{epsg}" if epsg is not None else crs.to_wkt()
    return crs


@lru_cache(maxsize=64)
def _transformer(from_key: str, to_key: str) -> Transformer:
    # Transformer construction costs milliseconds (proj.db lookups); cache per pair.
    return Transformer.from_crs(CRS.from_user_input(from_key), CRS.from_user_input(to_key), always_xy=True)


def transformer(from_crs: CrsLike | CRS, to_crs: CrsLike | CRS) -> Transformer:
    """Return a cached lon/lat-ordered (always_xy) Transformer between two CRS."""
    return _transformer(crs_key(from_crs), crs_key(to_crs))


def reproject(geom: G, from_srid: CrsLike | CRS, to_srid: CrsLike | CRS) -> G:
    """Return ``geom`` reprojected from one CRS to another (x/y order, like GeoJSON)."""
    if crs_key(from_srid) == crs_key(to_srid):
        return geom
    tr = transformer(from_srid, to_srid)
    return shapely.transform(geom, lambda x, y: tr.transform(x, y), interleaved=False)


def to_metric(geom: G, srid: int = METRIC_SRID) -> G:
    """Return a WGS84 geometry projected to a metric CRS (Lambert-93 unless told)."""
    return reproject(geom, STORAGE_SRID, srid)


def from_metric(geom: G, srid: int = METRIC_SRID) -> G:
    """Return a metric geometry (Lambert-93 unless told) back in WGS84."""
    return reproject(geom, srid, STORAGE_SRID)


def _inside(box: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def metric_srid_for(lon: float, lat: float) -> int:
    """Return the projected SRID that gives true metres around a WGS84 position."""
    if _inside(METROPOLE_BOX, lon, lat):
        return METRIC_SRID
    for box, srid in OVERSEAS_METRIC_SRIDS:
        if _inside(box, lon, lat):
            return srid
    # Anywhere else (a custom zone abroad): the WGS84 UTM zone of the point.
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def looks_like_lambert93(bounds: tuple[float, float, float, float]) -> bool:
    """Tell whether (minx, miny, maxx, maxy) fall in the range of Lambert-93 metres."""
    minx, miny, maxx, maxy = bounds
    ext = LAMBERT93_EXTENT
    return ext[0] <= minx and maxx <= ext[2] and ext[1] <= miny and maxy <= ext[3]


def crs_from_name(name: str) -> CRS:
    """Return the CRS a file names (EPSG code, URN, OGC CRS84); CRSError if it is not a usable one."""
    if "CRS84" in name.upper():
        return CRS.from_epsg(STORAGE_SRID)  # OGC CRS84 is WGS84 with lon/lat order, as we read it
    crs = CRS.from_user_input(name)
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(f"{name} is neither geographic nor projected")
    return crs
