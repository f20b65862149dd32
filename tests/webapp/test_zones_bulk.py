"""Bulk re-assignment read straight into arrays and written set-based: the same answers as the
indexed per-point query, on SpatiaLite and PostGIS, and the project gets a new data stamp."""

from __future__ import annotations

import random

import sqlalchemy as sa
from shapely.geometry import MultiPolygon, box

from tests.factories import ObservationFactory, ProjectFactory, WalkFactory
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts
from webapp.services import data_stamps, zones


def test_bulk_reassignment_equals_the_per_point_query_on_random_and_boundary_points(app):
    rng = random.Random(13)
    project = ProjectFactory()
    walk = WalkFactory(project=project)
    for code, cell in (("a", box(2.30, 49.90, 2.31, 49.91)), ("b", box(2.31, 49.90, 2.32, 49.91))):
        zones.save_custom_zone(project, code=code, name=code.upper(), geometry=MultiPolygon([cell]))
    points = [(rng.uniform(2.295, 2.325), rng.uniform(49.895, 49.915)) for _ in range(120)]
    points += [(2.31, 49.905), (2.30, 49.90), (2.32, 49.91), (2.315, 49.91)]  # on edges and corners
    made = [ObservationFactory(walk=walk, lon=lon, lat=lat) for lon, lat in points]
    # every observation starts in the wrong zone (or none): all of those inside a zone must move
    db.session.execute(sa.update(ObservationFacts).values(zone_id=None))
    db.session.flush()
    before = data_stamps.current(project.id)
    expected = {
        o.id: zones.find_zone_id(project, lon, lat) for o, (lon, lat) in zip(made, points, strict=True)
    }
    moved = zones.reassign_observations([project])
    assert moved == sum(z is not None for z in expected.values()) > 0
    got = dict(db.session.execute(sa.select(Observation.id, Observation.zone_id)).all())
    assert got == expected
    assert data_stamps.current(project.id) != before
    if db.session.get_bind().dialect.name == "sqlite":  # so few moves: the commit checkpoints as usual
        assert db.session.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    assert zones.reassign_observations([project]) == 0  # nothing left to move: nothing written
    # back to "hors zone": a zone deleted leaves its observations in the other zone or in none
    zones.delete_custom_zone(zones.list_custom_zones(project)[0])
    db.session.expire_all()
    assert {o.zone_id for o in db.session.scalars(sa.select(Observation))} <= {
        None,
        *(z.id for z in zones.list_custom_zones(project)),
    }


def test_note_length_is_kept_with_the_note(app):
    walk = WalkFactory()
    observation = ObservationFactory(walk=walk, note="Une note de vingt-huit lettres")
    db.session.flush()
    assert observation.note_length == len("Une note de vingt-huit lettres")
    observation.note = "Courte"
    db.session.flush()
    stored = db.session.execute(
        sa.select(Observation.note_length, sa.func.length(Observation.note)).where(
            Observation.id == observation.id
        )
    ).one()
    assert stored[0] == stored[1] == 6


def test_positions_read_in_bulk_equal_those_the_database_functions_give(app, dialect):
    """The re-assignment reads every observation's id, zone and coordinates as a few aggregated values
    (SpatiaLite: decimal lists and the points' blobs in hex); the same as one row per observation
    through ``ST_X``/``ST_Y``, zones included and « none » kept apart."""
    project = ProjectFactory()
    walk = WalkFactory(project=project)
    zone = zones.save_custom_zone(
        project, code="a", name="A", geometry=MultiPolygon([box(2.30, 49.90, 2.31, 49.91)])
    )
    points = [(2.3051, 49.9049), (2.2901, 49.9102), (-0.5, 44.84), (2.30999, 49.90001)]
    for lon, lat in points:
        ObservationFactory(walk=walk, lon=lon, lat=lat)
    zones.reassign_observations([project])
    ids, current, lons, lats = zones._read_positions(project.id, [])
    assert sorted(zip(lons.tolist(), lats.tolist(), strict=True)) == sorted(points)
    assert sorted(current.tolist()) == sorted([zone.id, zone.id, zones.NO_ZONE, zones.NO_ZONE])
    if dialect == "sqlite":
        where = "o.walk_id IN (SELECT id FROM walks WHERE project_id = :project_id) AND o.purged_at IS NULL"
        by_function = zones._read_positions_by_function(where, {"project_id": project.id})
        order, function_order = ids.argsort(), by_function[0].argsort()
        assert ids[order].tolist() == by_function[0][function_order].tolist()
        assert lons[order].tolist() == by_function[2][function_order].tolist()
        assert lats[order].tolist() == by_function[3][function_order].tolist()
