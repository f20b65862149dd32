"""Zone assignment: the covers rule, the (rank, code, zone_id) tie-break, and the real QPV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geodata.assign import NO_ZONE, ZoneIndex, ZoneShape
from geodata.perimeters import read_perimeters

# Two adjacent squares in Amiens sharing the edge lon = 2.30.
WEST = box(2.29, 49.89, 2.30, 49.90)
EAST = box(2.30, 49.89, 2.31, 49.90)
ON_SHARED_EDGE = (2.30, 49.895)
ON_SHARED_CORNER = (2.30, 49.90)


@pytest.fixture(scope="module")
def amiens_index(amiens_path: Path) -> ZoneIndex:
    zones = [
        ZoneShape(zone_id=100 + i, rank=0, code=f.code, geometry=f.geometry)
        for i, f in enumerate(read_perimeters(amiens_path))
    ]
    return ZoneIndex(zones)


def _brute_force(zones: list[ZoneShape], lon: float, lat: float) -> int:
    point = Point(lon, lat)
    covering = [z for z in zones if z.geometry.covers(point)]
    return min(covering, key=lambda z: (z.rank, z.code, z.zone_id)).zone_id if covering else NO_ZONE


def test_inside_points_land_in_their_qpv(
    amiens_index: ZoneIndex, inside_points: list[tuple[str, float, float]]
) -> None:
    code_of = {z.zone_id: z.code for z in amiens_index.zones}
    lons = np.array([p[1] for p in inside_points])
    lats = np.array([p[2] for p in inside_points])
    assigned = amiens_index.assign(lons, lats)
    assert [code_of[int(z)] for z in assigned] == [p[0] for p in inside_points]


def test_the_thirteen_places_outside_qpv_land_in_no_zone(
    amiens_index: ZoneIndex, pois: list[tuple[str, float, float]]
) -> None:
    assert len(pois) == 13
    assigned = amiens_index.assign([p[1] for p in pois], [p[2] for p in pois])
    assert assigned.tolist() == [NO_ZONE] * 13
    assert all(amiens_index.assign_one(lon, lat) == NO_ZONE for _, lon, lat in pois)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_point_on_a_shared_boundary_goes_to_the_lower_code_whatever_the_order(order: tuple[int, int]) -> None:
    zones = [ZoneShape(7, 0, "QN08002M", EAST), ZoneShape(9, 0, "QN08001M", WEST)]
    index = ZoneIndex([zones[i] for i in order])
    assert index.assign_one(*ON_SHARED_EDGE) == 9
    assert index.assign_one(*ON_SHARED_CORNER) == 9
    assert [z.zone_id for z in index.zones_at(*ON_SHARED_EDGE)] == [9, 7]


def test_rank_wins_over_code_on_a_shared_boundary() -> None:
    index = ZoneIndex([ZoneShape(1, 1, "A-centre-ville", WEST), ZoneShape(2, 0, "QN08001M", EAST)])
    assert index.assign_one(*ON_SHARED_EDGE) == 2


def test_zone_id_breaks_a_tie_of_rank_and_code() -> None:
    index = ZoneIndex([ZoneShape(5, 1, "gare", EAST), ZoneShape(3, 1, "gare", WEST)])
    assert index.assign_one(*ON_SHARED_EDGE) == 3


def test_boundary_counts_as_inside_but_a_hair_outside_does_not() -> None:
    index = ZoneIndex([ZoneShape(1, 0, "QN08001M", WEST)])
    assert index.assign_one(2.29, 49.895) == 1  # on the western edge
    assert index.assign_one(2.29, 49.89) == 1  # on a vertex
    assert index.assign_one(np.nextafter(2.29, 0.0), 49.895) == NO_ZONE


def test_overlapping_zones_give_the_lower_rank_inside_the_overlap() -> None:
    qpv = ZoneShape(10, 0, "QN08003M", box(2.30, 49.90, 2.32, 49.92))
    custom = ZoneShape(20, 1, "centre", box(2.31, 49.91, 2.33, 49.93))
    index = ZoneIndex([custom, qpv])
    assert index.assign([2.315, 2.325, 2.305, 2.40], [49.915, 49.925, 49.905, 49.95]).tolist() == [
        10,
        20,
        10,
        -1,
    ]


def test_holes_and_multipolygon_parts_are_respected() -> None:
    ring = Polygon(box(0, 0, 10, 10).exterior.coords, [box(4, 4, 6, 6).exterior.coords])
    parts = MultiPolygon([box(20, 0, 21, 1), box(30, 0, 31, 1)])
    index = ZoneIndex([ZoneShape(1, 0, "a", ring), ZoneShape(2, 0, "b", parts)])
    assert index.assign([5, 1, 4, 20.5, 30.5, 25], [5, 1, 5, 0.5, 0.5, 0.5]).tolist() == [-1, 1, 1, 2, 2, -1]


def test_non_finite_positions_are_in_no_zone() -> None:
    index = ZoneIndex([ZoneShape(1, 0, "a", WEST)])
    assert index.assign([np.nan, 2.295, np.inf], [49.895, np.nan, 49.895]).tolist() == [-1, -1, -1]
    assert index.zones_at(np.nan, 49.895) == []


def test_empty_inputs_and_empty_index_give_no_zone() -> None:
    assert ZoneIndex([ZoneShape(1, 0, "a", WEST)]).assign([], []).tolist() == []
    assert ZoneIndex([]).assign([2.295], [49.895]).tolist() == [NO_ZONE]


def test_assign_agrees_with_brute_force_covers_on_random_points(amiens_index: ZoneIndex) -> None:
    rng = np.random.default_rng(2024)
    zones = list(amiens_index.zones)
    # Extra zones overlapping QPV, so the tie-break is exercised away from shared edges too.
    zones += [
        ZoneShape(1, 1, "centre", box(2.28, 49.88, 2.31, 49.91)),
        ZoneShape(2, 1, "nord", box(2.28, 49.91, 2.32, 49.93)),
    ]
    index = ZoneIndex(zones)
    lons = rng.uniform(2.235, 2.345, 3000)
    lats = rng.uniform(49.865, 49.925, 3000)
    # Vertices of the polygons: the boundary cases that matter.
    vertices = shapely.get_coordinates([z.geometry for z in zones])[::7]
    lons = np.concatenate([lons, vertices[:, 0]])
    lats = np.concatenate([lats, vertices[:, 1]])
    got = index.assign(lons, lats)
    expected = [_brute_force(zones, x, y) for x, y in zip(lons, lats, strict=True)]
    assert got.tolist() == expected
    assert (got != NO_ZONE).any() and (got == NO_ZONE).any()


@pytest.mark.parametrize("count", [12, 200])
def test_one_position_at_a_time_agrees_with_brute_force_few_zones_or_many(count: int) -> None:
    """``assign_one`` loops over the boxes of a project's few zones and asks numpy for many: both
    give the covers rule's winner, ranks and codes overlapping, boundaries and holes included."""
    rng = np.random.default_rng(count)
    zones = []
    for i in range(count):
        x, y = rng.uniform(2.24, 2.34), rng.uniform(49.87, 49.92)
        w, h = rng.uniform(0.002, 0.03, 2)
        shape = box(x, y, x + w, y + h)
        if i % 5 == 0:  # a hole: inside the box, covered by no part of this zone
            hole = box(x + w / 4, y + h / 4, x + w / 2, y + h / 2)
            shape = Polygon(shape.exterior.coords, [hole.exterior.coords])
        zones.append(ZoneShape(1000 + i, int(rng.integers(0, 2)), f"Z{int(rng.integers(0, 4))}", shape))
    index = ZoneIndex(zones)
    assert (index._few is None) is (count > 64)  # noqa: SLF001 (each way taken)
    points = np.column_stack([rng.uniform(2.23, 2.38, 800), rng.uniform(49.86, 49.96, 800)])
    points = np.concatenate([points, shapely.get_coordinates([z.geometry for z in zones])])
    got = [index.assign_one(float(x), float(y)) for x, y in points]
    assert got == [_brute_force(zones, float(x), float(y)) for x, y in points]
    assert got == index.assign(points[:, 0], points[:, 1]).tolist()
    assert len(set(got)) > 3 and NO_ZONE in got


def test_large_batches_are_assigned_in_chunks_with_the_same_answers(amiens_index: ZoneIndex) -> None:
    rng = np.random.default_rng(7)
    lons = rng.uniform(2.235, 2.345, 300_000)
    lats = rng.uniform(49.865, 49.925, 300_000)
    got = amiens_index.assign(lons, lats)
    sample = rng.integers(0, lons.size, 200)
    assert [int(got[i]) for i in sample] == [amiens_index.assign_one(lons[i], lats[i]) for i in sample]


def test_index_refuses_duplicate_ids_reserved_id_and_non_polygons() -> None:
    with pytest.raises(ValueError, match="twice"):
        ZoneIndex([ZoneShape(1, 0, "a", WEST), ZoneShape(1, 0, "b", EAST)])
    with pytest.raises(ValueError, match="reserved"):
        ZoneIndex([ZoneShape(NO_ZONE, 0, "a", WEST)])
    with pytest.raises(ValueError, match="polygon"):
        ZoneIndex([ZoneShape(1, 0, "a", Point(2.3, 49.9))])
    with pytest.raises(ValueError, match="1-D"):
        ZoneIndex([ZoneShape(1, 0, "a", WEST)]).assign([1.0, 2.0], [1.0])


def test_zones_of_every_size_and_far_apart_agree_with_brute_force() -> None:
    """The grid behind ``assign``: tiny and huge zones together (the huge one spans more cells than the
    grid keeps), zones an ocean apart, and points exactly on the boxes' edges and corners."""
    rng = np.random.default_rng(13)
    zones = [
        ZoneShape(10 + i, 0, f"q{i:02d}", box(x, y, x + w, y + w))
        for i, (x, y, w) in enumerate(
            zip(
                rng.uniform(2.2, 2.4, 40),
                rng.uniform(49.8, 50.0, 40),
                rng.uniform(0.002, 0.02, 40),
                strict=True,
            )
        )
    ]
    zones += [
        ZoneShape(1, 1, "somme", box(1.3, 49.5, 3.2, 50.4)),  # a whole département among QPV
        ZoneShape(2, 0, "reunion", box(55.2, -21.4, 55.8, -20.8)),  # far from the others
        ZoneShape(3, 0, "sliver", Polygon([(2.3, 49.9), (2.3001, 49.9), (2.3001, 49.90000001)])),
    ]
    index = ZoneIndex(zones)
    corners = shapely.bounds([z.geometry for z in zones])
    lons = np.concatenate(
        [rng.uniform(1.0, 3.5, 4000), corners[:, 0], corners[:, 2], rng.uniform(55.0, 56.0, 200)]
    )
    lats = np.concatenate(
        [rng.uniform(49.4, 50.5, 4000), corners[:, 1], corners[:, 3], rng.uniform(-21.5, -20.7, 200)]
    )
    got = index.assign(lons, lats)
    expected = [_brute_force(zones, x, y) for x, y in zip(lons, lats, strict=True)]
    assert got.tolist() == expected
    assert {1, 2} <= set(got.tolist()) and len(set(got.tolist())) > 10
