"""INSEE commune codes and zones drawn on a map: pure checks, no database."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box, mapping

from geodata.communes import departement_of, insee_issue, split_insee
from geodata.drawn import DrawnZoneError, distance_to_places, read_drawn_zone


@pytest.mark.parametrize(
    "code", ["80021", "80001", "2A004", "2b033", "97411", "97101", "97611", "01004", "95690"]
)
def test_real_commune_codes_are_accepted(code):
    assert insee_issue(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("8002", "length"),
        ("800211", "length"),
        ("", "length"),
        ("8O021", "characters"),
        ("2C004", "characters"),
        ("20004", "corsica"),
        ("00123", "departement"),
        ("96001", "departement"),
        ("97900", "departement"),
        ("98735", "departement"),
        ("80000", "number"),
        ("2A000", "number"),
        ("97400", "number"),
    ],
)
def test_codes_that_cannot_be_communes_say_why(code, reason):
    assert insee_issue(code) == reason


def test_codes_are_split_normalised_and_deduplicated():
    assert split_insee(" 80021, 2a004;97411 80021\n") == ["80021", "2A004", "97411"]
    assert [departement_of(c) for c in ("80021", "2A004", "97411")] == ["80", "2A", "974"]


CENTRE = box(2.296, 49.891, 2.308, 49.898)


def test_a_drawn_polygon_is_read_with_its_area():
    zone = read_drawn_zone(json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(CENTRE)}))
    assert zone.geometry.equals(CENTRE) and not zone.repaired
    assert 640_000 < zone.area_m2 < 700_000  # about 860 m × 780 m


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("[1, 2]", "not_geojson"),
        ('{"type": "FeatureCollection", "features": []}', "empty"),
        ('{"type": "Point", "coordinates": [2.3, 49.9]}', "not_polygon"),
        ('{"type": "Polygon", "coordinates": [[[2.3, 49.9], [2.31, 49.9], [2.3, 49.9]]]}', "too_few_points"),
        (
            '{"type": "Polygon", "coordinates": [[[2.3, 49.9], [2.31, 49.9], [2.31, 49.9], [2.3, 49.9]]]}',
            "too_few_points",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[2.3, 99], [2.31, 49.9], [2.31, 49.91], [2.3, 99]]]}',
            "out_of_range",
        ),
        (json.dumps(mapping(box(2.3, 49.9, 2.30005, 49.90005))), "too_small"),
        (json.dumps(mapping(box(1.0, 48.0, 3.0, 50.0))), "too_large"),
    ],
)
def test_drawings_that_are_not_zones_are_refused_with_a_reason(text, reason):
    with pytest.raises(DrawnZoneError) as caught:
        read_drawn_zone(text)
    assert caught.value.reason == reason


def test_a_self_crossing_ring_is_repaired():
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[2.296, 49.891], [2.308, 49.898], [2.308, 49.891], [2.296, 49.898], [2.296, 49.891]]
        ],
    }
    zone = read_drawn_zone(json.dumps(bowtie))
    assert zone.repaired and zone.geometry.is_valid and len(zone.geometry.geoms) == 2


def test_distance_to_the_project_places():
    assert distance_to_places(CENTRE, []) is None
    assert distance_to_places(CENTRE, [box(2.30, 49.89, 2.31, 49.90)]) == 0
    assert 750_000 < distance_to_places(box(5.36, 43.29, 5.38, 43.30), [CENTRE]) < 790_000  # Marseille
