"""Routes and stops read from GPX and GeoJSON files (geodata.tracks): no database, real files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from shapely.geometry import LineString

from geodata.tracks import (
    MAX_FILE_BYTES,
    MAX_ROUTE_POINTS,
    TrackError,
    far_points,
    file_kind,
    read_stops,
    read_track,
    route_from_text,
)

#: A short walk in Amiens Nord, (lon, lat).
ROUTE = [(2.2950, 49.9180), (2.2990, 49.9195), (2.3030, 49.9210)]


def gpx(body: str, version: str = "1.1") -> bytes:
    ns = "http://www.topografix.com/GPX/1/1" if version == "1.1" else "http://www.topografix.com/GPX/1/0"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="OsmAnd" xmlns="{ns}">'
        f"{body}</gpx>"
    ).encode()


def trk(points, name: str = "Marche du 12 mars", segments: int = 1) -> str:
    per = math.ceil(len(points) / segments)
    chunks = [points[i : i + per] for i in range(0, len(points), per)]
    segs = "".join(
        "<trkseg>"
        + "".join(f'<trkpt lat="{lat}" lon="{lon}"><ele>30</ele></trkpt>' for lon, lat in chunk)
        + "</trkseg>"
        for chunk in chunks
    )
    return f"<trk><name>{name}</name>{segs}</trk>"


def test_a_gpx_track_written_to_a_file_gives_the_route_in_order(tmp_path: Path):
    path = tmp_path / "trace.gpx"
    path.write_bytes(gpx('<wpt lat="49.918" lon="2.295"><name>Départ</name></wpt>' + trk(ROUTE, segments=2)))
    track = read_track(path.read_bytes(), path.name)
    assert track.kind == "gpx"
    assert track.name == "Marche du 12 mars"
    assert LineString(track.points).equals_exact(LineString(ROUTE), 1e-9)
    assert track.waypoints == [("Départ", (2.295, 49.918))]


def test_gpx_1_0_and_a_route_without_track_are_read():
    rte = "<rte><name>Prévu</name>" + "".join(f'<rtept lat="{a}" lon="{o}"/>' for o, a in ROUTE) + "</rte>"
    track = read_track(gpx(rte, version="1.0"), "prevu.gpx")
    assert LineString(track.points).equals_exact(LineString(ROUTE), 1e-9)
    assert track.name == "Prévu"


def test_a_gpx_with_only_waypoints_has_no_track():
    with pytest.raises(TrackError) as caught:
        read_track(gpx('<wpt lat="49.918" lon="2.295"><name>A</name></wpt>'), "points.gpx")
    assert caught.value.code == "no_track"
    assert caught.value.params == {"waypoints": 1}


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"<html><body>hello</body></html>", "page.gpx", "not_gpx"),
        (b"<gpx><trk>", "cut.gpx", "not_xml"),
        (b"PK\x03\x04 zipped", "trace.zip", "wrong_kind"),
        (b"   ", "vide.gpx", "empty"),
        (b'{"type": "Point", "coordinates": [2.29, 49.91]}', "point.geojson", "no_line"),
        (b"{not json", "x.geojson", "not_json"),
    ],
)
def test_files_that_are_not_tracks_are_refused_with_a_reason(data: bytes, name: str, code: str):
    with pytest.raises(TrackError) as caught:
        read_track(data, name)
    assert caught.value.code == code


def test_an_xml_entity_bomb_is_refused_without_expansion():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b"<gpx><trk><name>&b;</name></trk></gpx>"
    )
    with pytest.raises(TrackError) as caught:
        read_track(bomb, "bomb.gpx")
    assert caught.value.code == "not_xml"


def test_a_file_too_big_is_refused_before_parsing():
    with pytest.raises(TrackError) as caught:
        read_track(b" " * (MAX_FILE_BYTES + 1) + b"<gpx/>", "big.gpx")
    assert caught.value.code == "too_big"


def test_a_track_of_one_point_is_too_short():
    with pytest.raises(TrackError) as caught:
        read_track(gpx(trk([ROUTE[0], ROUTE[0]])), "un-point.gpx")
    assert caught.value.code == "too_short"


def test_swapped_coordinates_name_the_point():
    with pytest.raises(TrackError) as caught:
        read_track(gpx(trk([(49.918, 2.295), (49.919, 2.299)])), "inverse.gpx")
    assert caught.value.code == "bad_coordinates"
    assert caught.value.params["where"] == "trk 1 / trkseg 1 / trkpt 1"


def test_geojson_line_feature_and_multiline_are_read(tmp_path: Path):
    feature = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "départ"},
                "geometry": {"type": "Point", "coordinates": [2.29, 49.91]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Parcours"},
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in ROUTE]},
            },
        ],
    }
    path = tmp_path / "trace.geojson"
    path.write_text(json.dumps(feature))
    track = read_track(path.read_bytes(), path.name)
    assert track.kind == "geojson" and track.name == "Parcours"
    assert LineString(track.points).equals_exact(LineString(ROUTE), 1e-9)
    multi = {"type": "MultiLineString", "coordinates": [[list(p) for p in ROUTE[:2]], [list(ROUTE[2])]]}
    assert read_track(json.dumps(multi).encode(), "").points == ROUTE


def test_the_kind_comes_from_the_content_when_the_name_says_nothing():
    assert file_kind("", gpx(trk(ROUTE))) == "gpx"
    assert file_kind("export", b'\xef\xbb\xbf {"type": "LineString"}') == "geojson"
    with pytest.raises(TrackError):
        file_kind("photo.jpg", b"\xff\xd8\xff")


def test_a_long_phone_track_is_simplified_but_keeps_its_shape():
    # 3,000 points a second apart along a gently curving street, with centimetre jitter.
    points = [(2.29 + i * 0.00001, 49.91 + 0.001 * math.sin(i / 500) + (i % 3) * 1e-7) for i in range(3000)]
    path = {"type": "LineString", "coordinates": [list(p) for p in points]}
    track = read_track(json.dumps(path).encode(), "long.geojson")
    assert track.original_count == 3000
    assert 2 <= len(track.points) <= MAX_ROUTE_POINTS
    assert track.points[0] == points[0] and track.points[-1] == (
        round(points[-1][0], 7),
        round(points[-1][1], 7),
    )
    # No vertex strays more than 10 m from the recorded track.
    from shapely.geometry import Point

    from geodata.shapes import distance_m

    original = LineString(points)
    assert max(distance_m(Point(p), original) for p in track.points[::10]) < 10


def test_stops_come_in_order_with_their_names():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Maison de quartier"},
                "geometry": {"type": "Point", "coordinates": [2.295, 49.918]},
            },
            {
                "type": "Feature",
                "properties": {"nom": "Arrêt de bus"},
                "geometry": {"type": "Point", "coordinates": [2.303, 49.921]},
            },
        ],
    }
    assert read_stops(json.dumps(doc).encode()) == [
        ("Maison de quartier", (2.295, 49.918)),
        ("Arrêt de bus", (2.303, 49.921)),
    ]


@pytest.mark.parametrize(
    ("feature", "code"),
    [
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [2.295, 49.918]},
            },
            "stop_without_name",
        ),
        (
            {
                "type": "Feature",
                "properties": {"name": "A"},
                "geometry": {"type": "LineString", "coordinates": []},
            },
            "stop_not_point",
        ),
        (
            {
                "type": "Feature",
                "properties": {"name": "A"},
                "geometry": {"type": "Point", "coordinates": [200, 49]},
            },
            "bad_coordinates",
        ),
    ],
)
def test_bad_stops_are_refused(feature, code):
    with pytest.raises(TrackError) as caught:
        read_stops(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode())
    assert caught.value.code == code


def test_typed_coordinates_are_a_route():
    text = "2.2950, 49.9180\n\n2.2990 49.9195\n2,3030; 49,9210\n"
    assert route_from_text(text) == ROUTE
    with pytest.raises(TrackError) as caught:
        route_from_text("2.29, 49.91\nici\n")
    assert caught.value.code == "not_text" and caught.value.params["line"] == 2


def test_far_points_are_those_beyond_the_distance_from_every_area():
    from shapely.geometry import box

    area = box(2.29, 49.91, 2.31, 49.93)
    points = [(2.30, 49.92), (2.32, 49.92), (2.60, 49.92)]  # inside, ~700 m east, ~21 km east
    assert far_points(points, [area], 2000) == [2]
    assert far_points(points, [], 2000) == []


def test_typed_stops_keep_order_and_commas_in_names():
    from geodata.tracks import stops_from_text, stops_to_text

    stops = [("Maison de quartier, entrée", (2.295, 49.918)), ("Arrêt de bus", (2.303, 49.921))]
    assert stops_from_text(stops_to_text(stops)) == stops
    with pytest.raises(TrackError) as caught:
        stops_from_text("2.295, 49.918\n")
    assert caught.value.code == "stop_without_name"
