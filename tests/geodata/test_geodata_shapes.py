"""Coordinate checks, polygon repair, metric buffers and distances."""

from __future__ import annotations

import math
from typing import Any

import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from geodata.convert import GeometryError
from geodata.crs import to_metric
from geodata.shapes import CoordinateError, check_lonlat, distance_m, in_france, metric_buffer, repair_polygon

AMIENS_CATHEDRAL = (2.3021, 49.8945)


def test_valid_french_positions_are_returned_as_floats() -> None:
    assert check_lonlat(2, 49) == (2.0, 49.0)
    assert check_lonlat("2.3021", "49.8945") == AMIENS_CATHEDRAL
    for lon, lat in [(55.45, -20.88), (-61.53, 16.24), (-52.33, 4.93), (45.23, -12.78), (9.45, 42.70)]:
        assert check_lonlat(lon, lat, require_france=True) == (lon, lat)


@pytest.mark.parametrize(
    ("lon", "lat", "reason"),
    [
        (math.nan, 49.9, "not_finite"),
        (2.3, math.inf, "not_finite"),
        ("deux", 49.9, "not_finite"),
        (49.8945, 2.3021, "swapped"),  # Amiens read lat-first: off Somalia, near 2°N
        (-20.88, 55.45, "swapped"),  # La Réunion read lat-first
        (10.0, 120.0, "swapped"),  # a latitude over 90 that fits as a longitude
        (649_000.0, 6_977_000.0, "projected"),  # Lambert-93 metres
        (200.0, 10.0, "out_of_range"),
    ],
)
def test_unusable_positions_raise_a_coordinate_error(lon: Any, lat: Any, reason: str) -> None:
    with pytest.raises(CoordinateError) as excinfo:
        check_lonlat(lon, lat)
    assert excinfo.value.reason == reason
    # A code and the pair, no sentence: people read it through the app's label of the code.
    assert excinfo.value.issue.pair == f"({lon!r}, {lat!r})"
    assert str(excinfo.value) == f"{reason}: ({lon!r}, {lat!r})"


def test_positions_abroad_are_accepted_unless_france_is_required() -> None:
    berlin = (13.40, 52.52)
    assert check_lonlat(*berlin) == berlin
    with pytest.raises(CoordinateError) as excinfo:
        check_lonlat(*berlin, require_france=True)
    assert excinfo.value.reason == "outside_france"


def test_in_france_covers_metropole_corsica_and_overseas() -> None:
    assert in_france(*AMIENS_CATHEDRAL) and in_france(9.15, 41.9) and in_france(55.45, -20.88)
    assert not in_france(13.40, 52.52) and not in_france(49.8945, 2.3021)


def test_distance_in_metres_matches_the_published_figure(
    pois: list[tuple[str, float, float]], amiens_path: Any
) -> None:
    from geodata.perimeters import read_perimeters

    qpv = {f.name: f.geometry for f in read_perimeters(amiens_path)}
    place = {name: Point(lon, lat) for name, lon, lat in pois}
    # SOURCES.md: 34 m from Lafleur to Les Parcheminiers, 83 m from the Saint-Acheul garden.
    assert distance_m(place["Lafleur"], qpv["Les Parcheminiers"]) == pytest.approx(34, abs=1)
    assert distance_m(place["Jardin archéologique de Saint-Acheul"], qpv["Condorcet - Philéas Lebesgue"]) == (
        pytest.approx(83, abs=1)
    )


def test_distance_between_two_points_a_kilometre_apart() -> None:
    # 1 km north is 1000 / 111_200 degrees of latitude, to 0.1 % on the sphere.
    a, b = Point(2.30, 49.90), Point(2.30, 49.90 + 1000 / 111_200)
    assert distance_m(a, b) == pytest.approx(1000, rel=0.005)
    assert distance_m(a, a) == 0.0
    with pytest.raises(GeometryError):
        distance_m(a, Point())


def test_metric_buffer_of_a_point_has_the_area_of_the_disc() -> None:
    disc = metric_buffer(Point(*AMIENS_CATHEDRAL), 100.0, quad_segs=64)
    assert to_metric(disc).area == pytest.approx(math.pi * 100**2, rel=0.002)
    assert disc.contains(Point(*AMIENS_CATHEDRAL))


def test_metric_buffer_overseas_uses_a_local_projection() -> None:
    disc = metric_buffer(Point(55.45, -20.88), 50.0, quad_segs=64)
    assert to_metric(disc, 2975).area == pytest.approx(math.pi * 50**2, rel=0.002)


def test_negative_metric_buffer_shrinks_a_polygon() -> None:
    square = box(2.29, 49.89, 2.30, 49.90)
    assert metric_buffer(square, -10.0).area < square.area
    assert metric_buffer(Polygon(), 10.0).is_empty


def test_valid_polygon_is_returned_as_a_multipolygon_without_note() -> None:
    square = box(2.29, 49.89, 2.30, 49.90)
    repaired, note = repair_polygon(square)
    assert note is None
    assert isinstance(repaired, MultiPolygon)
    assert repaired.equals_exact(MultiPolygon([square]), 0.0)


def test_bowtie_is_repaired_into_two_triangles_with_a_note() -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    repaired, note = repair_polygon(bowtie)
    expected = MultiPolygon([Polygon([(0, 0), (1, 1), (0, 2)]), Polygon([(2, 0), (2, 2), (1, 1)])])
    assert shapely.normalize(repaired).equals_exact(shapely.normalize(expected), 1e-12)
    assert note is not None and note.startswith("Self-intersection[1 1]")


def test_overlapping_polygons_of_a_collection_are_merged() -> None:
    collection = GeometryCollection([box(0, 0, 2, 2), box(1, 1, 3, 3)])
    repaired, note = repair_polygon(collection)
    assert note is not None and repaired.is_valid
    assert repaired.equals(box(0, 0, 2, 2).union(box(1, 1, 3, 3)))


def test_polygon_with_a_dangling_spike_keeps_only_its_area() -> None:
    spiked = Polygon([(0, 0), (2, 0), (2, 1), (3, 1), (2, 1), (2, 2), (0, 2), (0, 0)])
    repaired, note = repair_polygon(spiked)
    assert note is not None
    # make_valid keeps the spike's root (2 1) as a vertex: compare as point sets.
    assert repaired.equals(box(0, 0, 2, 2))
    assert repaired.area == 4.0


def test_polygon_without_area_cannot_be_repaired() -> None:
    with pytest.raises(GeometryError, match="no area"):
        repair_polygon(Polygon([(0, 0), (1, 0), (2, 0), (0, 0)]))
    with pytest.raises(GeometryError, match="empty"):
        repair_polygon(Polygon())
    with pytest.raises(GeometryError, match="polygon"):
        repair_polygon(LineString([(0, 0), (1, 1)]))
