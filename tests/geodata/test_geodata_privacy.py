"""Snapping of sensitive locations: deterministic, never exact, sparse cells hidden (property-based)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geodata.privacy import (
    DEFAULT_MIN_COUNT,
    MAX_CELL_M,
    MIN_CELL_M,
    aggregate,
    cell_id,
    cell_of,
    sensitive_cells_geojson,
)
from geodata.shapes import distance_m

# Metropolitan France, where Lambert-93 is defined.
lons = st.floats(min_value=-4.5, max_value=8.0, allow_nan=False)
lats = st.floats(min_value=42.5, max_value=51.0, allow_nan=False)
sizes = st.integers(min_value=MIN_CELL_M, max_value=MAX_CELL_M)


@given(lons, lats, sizes)
@settings(max_examples=200, deadline=None)
def test_a_point_lies_in_its_cell_and_its_cell_centre_is_within_half_a_diagonal(lon, lat, size):
    cell = cell_of(lon, lat, size)
    assert cell.x0 % size == 0 and cell.y0 % size == 0
    assert cell.polygon().buffer(1e-7).covers(Point(lon, lat))
    centre = Point(*cell.centre())
    assert distance_m(Point(lon, lat), centre) <= size * math.sqrt(2) / 2 + 0.5


@given(lons, lats, sizes)
@settings(max_examples=100, deadline=None)
def test_snapping_is_deterministic_and_shared_by_every_point_of_the_cell(lon, lat, size):
    cell = cell_of(lon, lat, size)
    assert cell_of(lon, lat, size) == cell
    other = cell.polygon().representative_point()
    assert cell_of(other.x, other.y, size) == cell


@given(
    st.lists(st.tuples(st.floats(2.25, 2.33), st.floats(49.87, 49.92)), max_size=60),
    st.integers(min_value=1, max_value=5),
    sizes,
)
@settings(max_examples=100, deadline=None)
def test_aggregation_hides_sparse_cells_and_never_returns_an_exact_point(points, min_count, size):
    cells = aggregate(points, size_m=size, min_count=min_count)
    assert all(c.count >= min_count for c in cells)
    assert sum(c.count for c in cells) <= len(points)
    shown = {c.cell.centre() for c in cells}
    assert not shown & set(points)
    # Every point of a shown cell is counted in it.
    for c in cells:
        assert c.count == sum(1 for lon, lat in points if cell_of(lon, lat, size) == c.cell)


def test_two_reports_in_a_cell_are_hidden_and_three_are_shown():
    a, b, c = (2.2950, 49.8940), (2.2951, 49.8941), (2.2952, 49.8940)
    assert cell_of(*a) == cell_of(*b) == cell_of(*c)
    assert aggregate([a, b]) == []
    (only,) = aggregate([a, b, c])
    assert only.count == 3


@pytest.mark.parametrize("size", [50, 99, 251, 1000])
def test_cell_sizes_outside_100_to_250_m_are_refused(size):
    with pytest.raises(ValueError, match="between 100 and 250"):
        cell_of(2.3, 49.9, size)


def test_non_finite_coordinates_are_refused():
    with pytest.raises(ValueError, match="finite"):
        cell_of(float("nan"), 49.9)


# --- the cells partners and the public see (geodata.privacy.sensitive_cells_geojson) -------------

amiens = st.tuples(st.floats(2.27, 2.31), st.floats(49.88, 49.91))
#: Points drawn with repeats, so that some cells hold three reports or more.
clustered = st.lists(amiens, min_size=1, max_size=8).flatmap(
    lambda base: st.lists(st.sampled_from(base), max_size=40)
)


@given(clustered, sizes)
@settings(max_examples=150, deadline=None)
def test_every_shown_cell_holds_three_reports_and_is_drawn_at_cell_corners_and_centre(points, size):
    fc = sensitive_cells_geojson(points, size_m=size)
    expected = {cell_id(c.cell): c.count for c in aggregate(points, size_m=size)}
    assert {f["properties"]["cell"]: f["properties"]["count"] for f in fc["features"]} == expected
    for feature in fc["features"]:
        p = feature["properties"]
        assert p["count"] >= DEFAULT_MIN_COUNT and p["size_m"] == size
        cell = cell_of(*p["centre"], size)
        # The centre drawn is the centre of its own cell, and the square is that cell.
        assert cell_id(cell) == p["cell"]
        assert p["centre"] == [round(v, 6) for v in cell.centre()]
        (ring,) = feature["geometry"]["coordinates"]
        corners = {(round(x, 6), round(y, 6)) for x, y in cell.polygon().exterior.coords}
        assert {tuple(xy) for xy in ring} == corners
        # It counts exactly the points that fall in it.
        assert p["count"] == sum(1 for pt in points if cell_of(*pt, size) == cell)


@given(clustered, sizes, st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_the_cells_are_deterministic_whatever_the_order(points, size, rnd):
    shuffled = list(points)
    rnd.shuffle(shuffled)
    assert sensitive_cells_geojson(shuffled, size_m=size) == sensitive_cells_geojson(points, size_m=size)


@given(clustered, sizes)
@settings(max_examples=150, deadline=None)
def test_no_reported_point_appears_in_the_cells(points, size):
    fc = sensitive_cells_geojson(points, size_m=size)
    drawn = set()
    for feature in fc["features"]:
        drawn.add(tuple(feature["properties"]["centre"]))
        drawn.update(tuple(xy) for xy in feature["geometry"]["coordinates"][0])
    for lon, lat in points:
        assert (round(lon, 6), round(lat, 6)) not in drawn
    # Sparse cells leave nothing behind, not even their name.
    shown = {f["properties"]["cell"] for f in fc["features"]}
    for lon, lat in points:
        cell = cell_of(lon, lat, size)
        inside = sum(1 for pt in points if cell_of(*pt, size) == cell)
        assert (cell_id(cell) in shown) == (inside >= DEFAULT_MIN_COUNT)


@pytest.mark.parametrize("sensitive_key", ["harcelement", "insecurite"])
def test_the_public_map_builder_never_draws_a_sensitive_point_even_if_handed_one(sensitive_key):
    """Whatever the theme is called: the flag the forms set decides, no theme key is known here."""
    from geodata.map_style import ThemeStyle
    from geodata.maps import build_public_map

    exact = (2.293417, 49.902871)
    observations = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(exact)},
                "properties": {"theme": sensitive_key, "polarity": "negative", "note": "Secret"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.2961, 49.9052]},
                "properties": {"theme": "eclairage", "polarity": "negative", "note": "Lampadaire"},
            },
        ],
    }
    cells = sensitive_cells_geojson([exact] * 3)
    themes = [
        ThemeStyle(sensitive_key, "Signalement", "#C62828", sensitive=True),
        ThemeStyle("eclairage", "Éclairage", "#F9A825"),
    ]
    html = build_public_map(observations=observations, themes=themes, sensitive_cells=cells, tiles="none")
    html = html.get_root().render()
    assert "Lampadaire" in html and "Secret" not in html
    assert "2.293417" not in html and "49.902871" not in html
    assert cells["features"][0]["properties"]["cell"] in html
    assert "HeatMap" not in html and "heatLayer" not in html


# --- small counts in tables: no masked cell can be recomputed -----------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from geodata.privacy import masked_cells, recoverable_cells  # noqa: E402


def _shown(counts, masked):  # type: ignore[no-untyped-def]
    return [None if i in masked else n for i, n in enumerate(counts)]


def test_a_single_small_cell_takes_another_with_it():
    # total 12, zones of 5, 4 and 3 shown and one of 2 masked alone: 12 - 5 - 4 - 3 = the hidden 2
    counts = [5, 4, 3, 2, 0]
    masked = masked_cells(counts)
    assert masked == {3, 2}
    assert recoverable_cells(_shown(counts, masked), sum(counts)) == []


def test_masked_cells_that_can_only_be_ones_are_not_enough():
    counts = [1, 1, 9]  # two masked ones: sum 2 over two cells, so each is 1
    masked = masked_cells(counts)
    assert masked == {0, 1, 2}
    assert recoverable_cells(_shown(counts, masked), sum(counts)) == []


def test_a_table_whose_only_group_is_small_is_not_shown():
    assert masked_cells([0, 2, 0]) is None
    assert masked_cells([1, 1]) is None  # two ones: whatever is masked, each can only be 1


def test_tables_without_small_cells_show_everything():
    assert masked_cells([3, 7, 0, 12]) == frozenset()


@given(st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=9))
def test_no_masked_cell_can_ever_be_recomputed(counts):
    masked = masked_cells(counts)
    if masked is None:
        return  # the table is not shown
    assert all(counts[i] >= 3 or i in masked for i, n in enumerate(counts) if n > 0)
    assert recoverable_cells(_shown(counts, masked), sum(counts)) == []


def test_the_recomputation_check_catches_what_primary_masking_alone_leaves():
    counts = [5, 4, 2]
    primary = {i for i, n in enumerate(counts) if 0 < n < 3}
    assert recoverable_cells(_shown(counts, primary), sum(counts)) == [2]
