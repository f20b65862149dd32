"""Conversions between GeoJSON, Shapely, WKB and EWKT; SRIDs and reprojection."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from geodata import convert
from geodata.convert import GeometryError, as_multipolygon
from geodata.crs import (
    METRIC_SRID,
    STORAGE_SRID,
    from_metric,
    looks_like_lambert93,
    metric_srid_for,
    reproject,
    to_metric,
    transformer,
)

SQUARE = box(2.29, 49.89, 2.30, 49.90)


def test_srid_constants_are_wgs84_storage_and_lambert93_metres() -> None:
    assert (STORAGE_SRID, METRIC_SRID) == (4326, 2154)


def test_lambert93_projection_origin_is_exact() -> None:
    # Lambert-93 maps 3°E 46.5°N to (700 000, 6 600 000) by definition.
    projected = to_metric(Point(3.0, 46.5))
    assert projected.equals_exact(Point(700_000, 6_600_000), 1e-6)
    assert from_metric(projected).equals_exact(Point(3.0, 46.5), 1e-12)


def test_reprojection_round_trip_keeps_a_polygon_within_a_millimetre() -> None:
    back = reproject(reproject(SQUARE, 4326, 2154), "EPSG:2154", STORAGE_SRID)
    assert back.equals_exact(SQUARE, 1e-8)
    assert reproject(SQUARE, 4326, "EPSG:4326") is SQUARE


def test_transformers_are_cached_and_lon_lat_ordered() -> None:
    assert transformer(4326, 2154) is transformer("EPSG:4326", "EPSG:2154")
    x, y = transformer(4326, 2154).transform(3.0, 46.5)
    assert (round(x), round(y)) == (700_000, 6_600_000)


def test_metric_srid_is_lambert93_in_metropole_and_local_utm_overseas() -> None:
    assert metric_srid_for(2.30, 49.90) == 2154
    assert metric_srid_for(9.15, 41.90) == 2154
    assert metric_srid_for(55.45, -20.88) == 2975
    assert metric_srid_for(-61.53, 16.24) == 5490
    assert metric_srid_for(13.40, 52.52) == 32633


def test_lambert93_ranges_are_recognised() -> None:
    assert looks_like_lambert93(to_metric(SQUARE).bounds)
    assert not looks_like_lambert93(SQUARE.bounds)


def test_geojson_round_trip_is_exact_and_rfc7946_oriented() -> None:
    clockwise = Polygon([(2.29, 49.89), (2.29, 49.90), (2.30, 49.90), (2.30, 49.89)])
    data = convert.shape_to_geojson(clockwise)
    assert data["type"] == "Polygon"
    assert shapely.is_ccw(convert.geojson_to_shape(data).exterior)
    assert convert.geojson_to_shape(data).equals(clockwise)
    json.dumps(data)  # plain lists and floats only


def test_geojson_can_be_rounded_to_six_decimals() -> None:
    data = convert.shape_to_geojson(Point(2.30212345678, 49.8945123456), precision=6)
    assert data == {"type": "Point", "coordinates": [2.302123, 49.894512]}


def test_geojson_feature_gives_its_geometry_and_z_is_dropped() -> None:
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [2.3, 49.9, 35.0]},
    }
    assert convert.geojson_to_shape(feature).equals_exact(Point(2.3, 49.9), 0.0)
    assert not convert.geojson_to_shape(feature).has_z


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
        {"type": "Circle", "coordinates": [0, 0]},
        {"type": "Feature", "geometry": None},
        ["not", "a", "dict"],
    ],
)
def test_malformed_geojson_raises_geometry_error(bad: object) -> None:
    with pytest.raises(GeometryError):
        convert.geojson_to_shape(bad)  # type: ignore[arg-type]


def test_feature_collection_wraps_features() -> None:
    fc = convert.feature_collection([convert.feature(SQUARE, {"code": "QN08001M"}, id="a")])
    assert fc["type"] == "FeatureCollection"
    assert fc["features"][0]["id"] == "a"
    assert fc["features"][0]["properties"] == {"code": "QN08001M"}
    assert convert.feature(None)["geometry"] is None


def test_wkb_and_ewkb_round_trips() -> None:
    plain = convert.shape_to_wkb(SQUARE)
    assert isinstance(plain, bytes)
    assert convert.wkb_to_shape(plain).equals_exact(SQUARE, 0.0)
    ewkb_hex = convert.shape_to_wkb(SQUARE, srid=4326, hex=True)
    assert isinstance(ewkb_hex, str) and ewkb_hex.upper().startswith("0103000020E6100000")
    assert convert.wkb_to_shape(ewkb_hex).equals_exact(SQUARE, 0.0)
    assert convert.wkb_to_shape(memoryview(plain)).equals_exact(SQUARE, 0.0)
    with pytest.raises(GeometryError):
        convert.wkb_to_shape(b"\x00\x01")


def test_ewkt_round_trip_keeps_the_srid() -> None:
    text = convert.shape_to_ewkt(Point(2.3021, 49.8945))
    assert text == "SRID=4326;POINT (2.3021 49.8945)"
    geom, srid = convert.ewkt_to_shape(text)
    assert srid == 4326 and geom.equals_exact(Point(2.3021, 49.8945), 0.0)
    assert convert.ewkt_to_shape("POINT (1 2)")[1] is None
    with pytest.raises(GeometryError):
        convert.ewkt_to_shape("SRID=4326;POINT (1")


def test_as_multipolygon_wraps_polygons_and_keeps_polygonal_parts_of_collections() -> None:
    assert as_multipolygon(SQUARE).equals_exact(MultiPolygon([SQUARE]), 0.0)
    multi = MultiPolygon([SQUARE])
    assert as_multipolygon(multi) is multi
    mixed = GeometryCollection(
        [SQUARE, LineString([(0, 0), (1, 1)]), Point(5, 5), MultiPolygon([box(3, 3, 4, 4)])]
    )
    assert as_multipolygon(mixed).equals_exact(MultiPolygon([SQUARE, box(3, 3, 4, 4)]), 0.0)
    assert as_multipolygon(GeometryCollection([Point(0, 0)])).is_empty
    assert as_multipolygon(Polygon()).is_empty
    with pytest.raises(GeometryError):
        as_multipolygon(Point(0, 0))


def test_finite_geometry_check_spots_nan() -> None:
    assert convert.is_finite_geometry(SQUARE)
    with pytest.warns(RuntimeWarning, match="invalid value"):
        with_nan = LineString([(0, 0), (float("nan"), 1)])
    assert not convert.is_finite_geometry(with_nan)
