"""Walk routes and stops from files a phone or a GIS records: GPX tracks and GeoJSON lines and points.

Pure functions, no Flask and no database: bytes in, (lon, lat) lists out. Every refusal is a
:class:`TrackError` with a stable ``code`` and its ``params``; the web app turns the code into a
sentence. Recognised inputs:

- GPX 1.0 or 1.1: the track (``trk`` / ``trkseg`` / ``trkpt``, segments joined in file order), or,
  when the file has no track, its route (``rte`` / ``rtept``). Waypoints alone are not a route.
- GeoJSON: a ``LineString`` or ``MultiLineString`` (parts joined in order), bare or as a Feature, or
  the first such Feature of a FeatureCollection.
- Stops (:func:`read_stops`): a GeoJSON FeatureCollection of ``Point`` features, each with a ``name``
  property (``nom`` is accepted too), in walking order.

Phones record a point every second or so: a long track is simplified (a few metres of tolerance,
measured in the local metric projection) so the route stays editable on a map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from shapely.geometry import LineString, Point

from geodata.crs import from_metric, metric_srid_for, to_metric
from geodata.shapes import distance_m, lonlat_issue

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROUTE_POINTS",
    "MAX_STOPS",
    "Track",
    "TrackError",
    "far_points",
    "file_kind",
    "read_stops",
    "read_track",
    "route_from_text",
    "route_to_text",
    "stops_from_text",
    "stops_to_text",
]

#: Largest track or stops file accepted, in bytes (an afternoon's GPX at 1 point/s is about 1 MB).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: A route keeps at most this many vertices (a longer track is simplified until it fits).
MAX_ROUTE_POINTS = 500
#: First simplification tolerance, in metres; doubled until the route fits MAX_ROUTE_POINTS.
SIMPLIFY_M = 3.0
#: A walk has at most this many stops.
MAX_STOPS = 50
#: A stop name is at most this long (the database column).
MAX_STOP_NAME = 200

_EXTENSIONS = {".gpx": "gpx", ".geojson": "geojson", ".json": "geojson"}


class TrackError(ValueError):
    """A file that gives no usable route or stops; ``code`` says why, ``params`` with what."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code if not params else f"{code} {params}")
        #: ``too_big``, ``empty``, ``wrong_kind``, ``not_xml``, ``not_gpx``, ``no_track``, ``not_json``,
        #: ``no_line``, ``too_short``, ``bad_coordinates``, ``no_stops``, ``too_many_stops``,
        #: ``stop_not_point``, ``stop_without_name``, ``stop_name_too_long``, ``not_text``
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Track:
    """A route read from a file: its vertices (lon, lat), where it came from, how much was simplified."""

    points: list[tuple[float, float]]
    #: ``gpx`` or ``geojson``
    kind: str
    #: The track's name in the file, when it has one.
    name: str = ""
    #: How many points the file had before simplification.
    original_count: int = 0
    #: Waypoints of a GPX file (name, (lon, lat)), which may serve as stops.
    waypoints: list[tuple[str, tuple[float, float]]] = field(default_factory=list)


def file_kind(filename: str, data: bytes) -> str:
    """``gpx`` or ``geojson`` from the file's name, else from its first bytes; TrackError otherwise."""
    lower = (filename or "").lower()
    for ext, kind in _EXTENSIONS.items():
        if lower.endswith(ext):
            return kind
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "gpx"
    if head.startswith(b"{"):
        return "geojson"
    dot = lower.rfind(".")
    raise TrackError("wrong_kind", extension=lower[dot:] if dot >= 0 else "", allowed=".gpx, .geojson")


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise TrackError("too_big", size=len(data), max_bytes=MAX_FILE_BYTES)
    if not data.strip():
        raise TrackError("empty")


def _checked(lon: float, lat: float, where: str) -> tuple[float, float]:
    if lonlat_issue(lon, lat) is not None:
        raise TrackError("bad_coordinates", where=where, lon=lon, lat=lat)
    return (round(lon, 7), round(lat, 7))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: Any, name: str) -> str:
    for child in _children(element, name):
        return (child.text or "").strip()
    return ""


def _gpx_point(element: Any, where: str) -> tuple[float, float]:
    try:
        lon, lat = float(element.get("lon", "")), float(element.get("lat", ""))
    except ValueError:
        raise TrackError(
            "bad_coordinates", where=where, lon=element.get("lon"), lat=element.get("lat")
        ) from None
    return _checked(lon, lat, where)


def _read_gpx(data: bytes) -> Track:
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise TrackError("not_xml", detail=str(error)[:120]) from None
    if _local(root.tag) != "gpx":
        raise TrackError("not_gpx", root=_local(root.tag)[:40])
    points: list[tuple[float, float]] = []
    name = ""
    for t, track in enumerate(_children(root, "trk"), start=1):
        name = name or _text(track, "name")
        for s, segment in enumerate(_children(track, "trkseg"), start=1):
            for p, point in enumerate(_children(segment, "trkpt"), start=1):
                points.append(_gpx_point(point, f"trk {t} / trkseg {s} / trkpt {p}"))
    if not points:
        for r, route in enumerate(_children(root, "rte"), start=1):
            name = name or _text(route, "name")
            for p, point in enumerate(_children(route, "rtept"), start=1):
                points.append(_gpx_point(point, f"rte {r} / rtept {p}"))
    waypoints = [
        (_text(w, "name") or f"{i}", _gpx_point(w, f"wpt {i}"))
        for i, w in enumerate(_children(root, "wpt"), start=1)
    ]
    if not points:
        raise TrackError("no_track", waypoints=len(waypoints))
    return Track(points=points, kind="gpx", name=name, original_count=len(points), waypoints=waypoints)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise TrackError("not_json", detail=str(error)[:120]) from None


def _coords(raw: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(raw, list):
        raise TrackError("bad_coordinates", where=where, lon=None, lat=None)
    out = []
    for i, pair in enumerate(raw, start=1):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair[:2])
        ):
            raise TrackError("bad_coordinates", where=f"{where} / {i}", lon=None, lat=None)
        out.append(_checked(float(pair[0]), float(pair[1]), f"{where} / {i}"))
    return out


def _line_of(geometry: Any, where: str) -> list[tuple[float, float]] | None:
    if not isinstance(geometry, Mapping):
        return None
    if geometry.get("type") == "LineString":
        return _coords(geometry.get("coordinates"), where)
    if geometry.get("type") == "MultiLineString":
        parts = geometry.get("coordinates")
        if not isinstance(parts, list):
            raise TrackError("bad_coordinates", where=where, lon=None, lat=None)
        joined: list[tuple[float, float]] = []
        for i, part in enumerate(parts, start=1):
            joined += _coords(part, f"{where} / {i}")
        return joined
    return None


def _read_geojson(data: bytes) -> Track:
    doc = _json(data)
    if not isinstance(doc, Mapping):
        raise TrackError("no_line", found=type(doc).__name__)
    kind = doc.get("type")
    candidates: list[tuple[Any, str, str]] = []
    if kind == "FeatureCollection":
        for i, feature in enumerate(doc.get("features") or [], start=1):
            if isinstance(feature, Mapping):
                props = feature.get("properties") or {}
                name = str(props.get("name") or props.get("nom") or "") if isinstance(props, Mapping) else ""
                candidates.append((feature.get("geometry"), f"feature {i}", name))
    elif kind == "Feature":
        props = doc.get("properties") or {}
        name = str(props.get("name") or props.get("nom") or "") if isinstance(props, Mapping) else ""
        candidates.append((doc.get("geometry"), "feature", name))
    else:
        candidates.append((doc, "geometry", ""))
    for geometry, where, name in candidates:
        line = _line_of(geometry, where)
        if line is not None:
            return Track(points=line, kind="geojson", name=name[:200], original_count=len(line))
    found = sorted(
        {str(g.get("type")) for g, _w, _n in candidates if isinstance(g, Mapping) and g.get("type")}
    )
    raise TrackError("no_line", found=", ".join(found) or str(kind))


def simplify(
    points: Sequence[tuple[float, float]], max_points: int = MAX_ROUTE_POINTS
) -> list[tuple[float, float]]:
    """The route with repeated points dropped and, past ``max_points``, simplified a few metres at a time."""
    deduped: list[tuple[float, float]] = []
    for point in points:
        if not deduped or deduped[-1] != point:
            deduped.append(point)
    if len(deduped) <= max_points:
        return deduped
    srid = metric_srid_for(*deduped[0])
    metric = to_metric(LineString(deduped), srid)
    tolerance = SIMPLIFY_M
    simpler = metric.simplify(tolerance, preserve_topology=False)
    while len(simpler.coords) > max_points:
        tolerance *= 2
        simpler = metric.simplify(tolerance, preserve_topology=False)
    back = from_metric(simpler, srid)
    return [(round(x, 7), round(y, 7)) for x, y in back.coords]


def check_route(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Checked, de-duplicated and if need be simplified vertices; a route needs two distinct points."""
    checked = [_checked(float(lon), float(lat), f"{i}") for i, (lon, lat) in enumerate(points, start=1)]
    route = simplify(checked)
    if len(route) < 2:
        raise TrackError("too_short", count=len(route))
    return route


def read_track(data: bytes, filename: str = "") -> Track:
    """The route of a GPX or GeoJSON file (kind from the name, else the content), checked and simplified."""
    _check_size(data)
    kind = file_kind(filename, data)
    track = _read_gpx(data) if kind == "gpx" else _read_geojson(data)
    return Track(
        points=check_route(track.points),
        kind=track.kind,
        name=track.name,
        original_count=track.original_count,
        waypoints=track.waypoints,
    )


def read_stops(data: bytes) -> list[tuple[str, tuple[float, float]]]:
    """Named stops, in order, from a GeoJSON FeatureCollection of points with a ``name`` property."""
    _check_size(data)
    doc = _json(data)
    features = (
        doc.get("features") if isinstance(doc, Mapping) and doc.get("type") == "FeatureCollection" else None
    )
    if not isinstance(features, list) or not features:
        raise TrackError("no_stops")
    if len(features) > MAX_STOPS:
        raise TrackError("too_many_stops", count=len(features), max=MAX_STOPS)
    stops = []
    for i, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
            raise TrackError("stop_not_point", feature=i)
        ((lon, lat),) = _coords([geometry.get("coordinates")], f"feature {i}")
        props = feature.get("properties") or {}
        name = str(
            (props.get("name") or props.get("nom") or "") if isinstance(props, Mapping) else ""
        ).strip()
        if not name:
            raise TrackError("stop_without_name", feature=i)
        if len(name) > MAX_STOP_NAME:
            raise TrackError("stop_name_too_long", feature=i, max=MAX_STOP_NAME)
        stops.append((name, (lon, lat)))
    return stops


def route_from_text(text: str) -> list[tuple[float, float]]:
    """Vertices typed as text, one per line: ``lon, lat`` or ``lon lat``; blank lines are skipped.

    The keyboard fallback of the route editor. With a semicolon between the two numbers
    (``2,2950; 49,9180``) decimal commas are accepted too.
    """
    points = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if ";" in line:
            parts = [p.strip().replace(",", ".") for p in line.split(";")]
        else:
            parts = line.replace(",", " ").split()
        try:
            lon, lat = (float(p) for p in parts)
        except ValueError:
            raise TrackError("not_text", line=number, text=line[:60]) from None
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise TrackError("not_text", line=number, text=line[:60])
        points.append(_checked(lon, lat, f"{number}"))
    return points


def stops_from_text(text: str) -> list[tuple[str, tuple[float, float]]]:
    """Stops typed as text, one per line in walking order: ``lon, lat, name`` (the name may hold commas)."""
    stops: list[tuple[str, tuple[float, float]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",", 2)]
        if len(parts) < 3 or not parts[2]:
            raise TrackError("stop_without_name", feature=number)
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise TrackError("not_text", line=number, text=line[:60]) from None
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise TrackError("not_text", line=number, text=line[:60])
        if len(parts[2]) > MAX_STOP_NAME:
            raise TrackError("stop_name_too_long", feature=number, max=MAX_STOP_NAME)
        stops.append((parts[2], _checked(lon, lat, f"{number}")))
    if len(stops) > MAX_STOPS:
        raise TrackError("too_many_stops", count=len(stops), max=MAX_STOPS)
    return stops


def route_to_text(points: Iterable[tuple[float, float]]) -> str:
    """The route as :func:`route_from_text` reads it."""
    return "\n".join(f"{lon:.6f}, {lat:.6f}" for lon, lat in points)


def stops_to_text(stops: Iterable[tuple[str, tuple[float, float]]]) -> str:
    """The stops as :func:`stops_from_text` reads them."""
    return "\n".join(f"{lon:.6f}, {lat:.6f}, {name}" for name, (lon, lat) in stops)


def far_points(
    points: Iterable[tuple[float, float]], areas: Sequence[Any], max_distance_m: float
) -> list[int]:
    """Indexes (from 0) of the points further than ``max_distance_m`` metres from every area.

    ``areas`` are Shapely geometries in lon/lat; with none, nothing is far.
    """
    if not areas:
        return []
    far = []
    for index, (lon, lat) in enumerate(points):
        point = Point(lon, lat)
        if all(distance_m(point, area) > max_distance_m for area in areas):
            far.append(index)
    return far
