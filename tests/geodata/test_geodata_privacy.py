"""Snapping of sensitive locations: deterministic, never exact, sparse cells hidden (property-based)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geodata.privacy import MAX_CELL_M, MIN_CELL_M, aggregate, cell_of
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
