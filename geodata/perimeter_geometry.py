"""A perimeter's geometry: the file's CRS (declared, or Lambert-93 assumed), coordinate checks, repair.

``check_geometry`` takes one feature's geometry as read, in the file's CRS, and returns it as a valid
MultiPolygon in EPSG:4326 or the problems that keep it out (wrong type, NaN, Lambert-93 declared as
degrees, swapped axes, outside France for a QPV, beyond repair).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geodata.convert import GeometryError
from geodata.crs import STORAGE_SRID, looks_like_lambert93, reproject
from geodata.formats import Source
from geodata.problems import Problem, fail, problem
from geodata.qpv import Kind
from geodata.shapes import CoordinateIssue, lonlat_issue, repair_polygon

__all__ = ["check_geometry", "nan_problem", "resolve_crs"]

#: French and English of ``geodata.shapes.lonlat_issue`` reasons, for this module's problem pairs
#: (the app's own pages label them with ``webapp.models.enums.CoordinateProblem``).
_COORDINATE_TEXT = {
    "not_finite": ("coordonnées non numériques (NaN ou infini)", "coordinates are not finite numbers"),
    "swapped": ("longitude et latitude semblent inversées", "longitude and latitude look swapped"),
    "projected": (
        "valeurs en mètres (Lambert-93 ?) et non en degrés WGS84",
        "values look like metres (Lambert-93?), not WGS84 degrees",
    ),
    "out_of_range": (
        "longitude hors de [-180, 180] ou latitude hors de [-90, 90]",
        "longitude outside [-180, 180] or latitude outside [-90, 90]",
    ),
    "outside_france": (
        "position hors de France métropolitaine et d'outre-mer",
        "position outside metropolitan and overseas France",
    ),
}


def _coordinate_text(issue: CoordinateIssue) -> tuple[str, str]:
    fr, en = _COORDINATE_TEXT[issue.reason]
    return f"{fr} : {issue.pair}", f"{en}: {issue.pair}"


def nan_problem(where: dict[str, Any]) -> Problem:
    return problem(
        "nan_coordinates",
        "coordonnées non numériques (NaN ou infini)",
        "coordinates are not finite numbers (NaN or infinity)",
        **where,
    )


def check_geometry(
    geom: BaseGeometry | None, crs: CRS, kind: Kind, where: dict[str, Any]
) -> tuple[MultiPolygon | None, str | None, list[Problem]]:
    """Return (geometry in EPSG:4326, repair note, problems) for one feature's geometry."""

    def bad(reason: str, fr: str, en: str) -> tuple[None, None, list[Problem]]:
        return None, None, [problem(reason, fr, en, **where)]

    if geom is None:
        return bad("no_geometry", "pas de géométrie", "no geometry")
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return bad(
            "not_polygon",
            f"géométrie de type {geom.geom_type} : un périmètre doit être un Polygon ou un MultiPolygon",
            f"{geom.geom_type} geometry: a perimeter must be a Polygon or MultiPolygon",
        )
    if geom.geom_type == "GeometryCollection" and any(
        g.geom_type not in ("Polygon", "MultiPolygon")
        for g in geom.geoms  # type: ignore[attr-defined]
    ):
        return bad(
            "not_polygon",
            "GeometryCollection contenant autre chose que des polygones",
            "GeometryCollection holding more than polygons",
        )
    if geom.is_empty:
        return bad("empty_geometry", "géométrie vide", "empty geometry")
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, None, [nan_problem(where)]
    geom = shapely.force_2d(geom)
    minx, miny, maxx, maxy = (float(v) for v in geom.bounds)
    if crs.is_geographic and (minx < -180 or maxx > 180 or miny < -90 or maxy > 90):
        if looks_like_lambert93((minx, miny, maxx, maxy)):
            return bad(
                "looks_lambert93",
                "coordonnées en mètres Lambert-93 (EPSG:2154) alors que le fichier est déclaré en WGS84 "
                "(degrés) ; ajoutez le système de coordonnées ou reprojetez en WGS84",
                "coordinates are Lambert-93 (EPSG:2154) metres but the file is declared WGS84 (degrees); "
                "declare the CRS or reproject to WGS84",
            )
        corner = (maxx, maxy) if (maxx > 180 or maxy > 90) else (minx, miny)
        issue = lonlat_issue(*corner)
        reason = "swapped_axes" if issue is not None and issue.reason == "swapped" else "out_of_range"
        if issue is None:
            return bad(reason, "coordonnées hors limites", "coordinates out of range")
        return bad(reason, *_coordinate_text(issue))
    lonlat = reproject(geom, crs, STORAGE_SRID)
    coords = shapely.get_coordinates(lonlat)
    area = crs.area_of_use
    lminx, lminy, lmaxx, lmaxy = lonlat.bounds
    outside_area = (
        crs.is_projected
        and area is not None
        and (
            lminx < area.west - 1 or lmaxx > area.east + 1 or lminy < area.south - 1 or lmaxy > area.north + 1
        )
    )
    if not np.isfinite(coords).all() or outside_area:
        name = crs.name
        return bad(
            "out_of_range",
            f"coordonnées hors du domaine de {name} : sont-elles dans un autre système (degrés ?)",
            f"coordinates fall outside the area of {name}: are they in another CRS (degrees?)",
        )
    issue = lonlat_issue((lminx + lmaxx) / 2, (lminy + lmaxy) / 2, require_france=kind == "qpv")
    if issue is not None:
        reason = {"swapped": "swapped_axes", "outside_france": "outside_france"}.get(
            issue.reason, "out_of_range"
        )
        return bad(reason, *_coordinate_text(issue))
    try:
        repaired, note = repair_polygon(lonlat)
    except GeometryError as exc:
        return bad(
            "invalid_geometry",
            f"polygone invalide et irréparable ({exc})",
            f"invalid polygon that cannot be repaired ({exc})",
        )
    return repaired, note, []


def resolve_crs(source: Source) -> tuple[CRS, bool, list[Problem]]:
    """Return (CRS, assumed?, notes); a file without CRS must look like Lambert-93."""
    if source.crs is not None:
        return source.crs, False, []
    present = [g for g in source.geometries if g is not None and not g.is_empty]
    bounds = shapely.total_bounds(np.array(present, dtype=object)) if present else None
    if bounds is not None and np.isfinite(bounds).all() and looks_like_lambert93(tuple(bounds)):
        note = problem(
            "assumed_crs",
            "pas de fichier .prj : les coordonnées ressemblent à du Lambert-93, EPSG:2154 est supposé",
            "no .prj file: the coordinates look like Lambert-93, EPSG:2154 is assumed",
        )
        return CRS.from_epsg(2154), True, [note]
    raise fail(
        "missing_crs",
        "système de coordonnées absent (pas de fichier .prj) et les coordonnées ne ressemblent pas à du "
        "Lambert-93 ; joignez le fichier .prj",
        "no coordinate reference system (no .prj file) and the coordinates do not look like Lambert-93; "
        "include the .prj file",
    )
