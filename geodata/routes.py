"""Walking routes drawn inside a zone, for demonstrations and tests (pure Shapely, metric maths)."""

from __future__ import annotations

import math
import random

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geodata.crs import from_metric, to_metric


def _inside_sample(area: BaseGeometry, rng: random.Random) -> Point:
    minx, miny, maxx, maxy = area.bounds
    for _ in range(10_000):
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(point):
            return point
    raise ValueError("zone too small to draw a route in")


def plausible_route(
    zone: BaseGeometry, *, stops: int, rng: random.Random, margin_m: float = 25.0
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """A route through ``stops`` points inside ``zone`` (lon/lat), with street-like right-angle legs.

    Returns (route vertices, stop positions), both as (lon, lat). Stops are visited in a
    nearest-neighbour order from the westernmost one; each leg goes along one axis then the other,
    when that corner stays inside the zone, as walks follow streets rather than straight lines.
    """
    metric = to_metric(zone)
    inner = metric.buffer(-margin_m)
    if inner.is_empty:
        inner = metric
    for _attempt in range(200):
        points = [_inside_sample(inner, rng) for _ in range(stops)]
        ordered = [min(points, key=lambda p: p.x)]
        remaining = [p for p in points if p is not ordered[0]]
        while remaining:
            last = ordered[-1]
            nearest = min(remaining, key=lambda p: last.distance(p))
            ordered.append(nearest)
            remaining.remove(nearest)
        vertices = [ordered[0]]
        for a, b in zip(ordered, ordered[1:], strict=False):
            corner = Point(b.x, a.y) if rng.random() < 0.5 else Point(a.x, b.y)
            if metric.contains(LineString([a, corner, b])):
                vertices.append(corner)
            vertices.append(b)
        line = LineString(vertices)
        if metric.buffer(1.0).contains(line) and line.length > 150:
            route = from_metric(line)
            stop_points = [from_metric(p) for p in ordered]
            return [tuple(c) for c in route.coords], [(p.x, p.y) for p in stop_points]  # type: ignore[misc]
    raise ValueError("could not draw a route inside the zone")


def point_near_route(
    route: list[tuple[float, float]], *, rng: random.Random, max_offset_m: float = 20.0
) -> tuple[float, float]:
    """A point a few metres beside a random place on the route (lon, lat)."""
    line = to_metric(LineString(route))
    along = line.interpolate(rng.uniform(0, line.length))
    angle = rng.uniform(0, 2 * math.pi)
    offset = rng.uniform(2.0, max_offset_m)
    moved = Point(along.x + offset * math.cos(angle), along.y + offset * math.sin(angle))
    result = from_metric(moved)
    return (round(result.x, 6), round(result.y, 6))
