"""The ingest hot path: statements per new observation (counted, never timed) and what it caches.

A new observation from a phone costs three statements: the token's participant with its walk's facts,
stops and project stamp in one, the ``INSERT … RETURNING`` (whose triggers make the observation's facts
row and give the project a new data stamp, which keeps every instance's summary cache true), then its
zone into that facts row; nothing is read back. Zones come from
each process's in-memory index, rebuilt when ``Project.zones_version`` moves; the out-of-area test from
the walk's metric area kept per route and stops as stored; the form's parsed definition per stored
(key, version). Each is checked against what another process may have changed (simulated here by
writing to the tables without the session's help): the next observation sees it.
"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, MultiPolygon, Point, box

from tests.webapp.capture_support import ZONE_NAME, make_walk, payload
from tests.webapp.support import statements, url
from webapp.extensions import db
from webapp.models import FormVersion, Project, Stop, Walk, Zone
from webapp.services import observations

#: Statements the test harness adds around a request (its transaction is a savepoint of the test's).


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


@pytest.fixture
def auth(client, walk):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/join", json={"code": walk.join_code})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


def _post(client, auth, body):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/observations", json=body, headers=auth)


def test_a_new_observation_costs_three_statements(client, auth, walk):
    stamp = sa.select(Project.data_version).where(Project.id == walk.project_id)
    assert _post(client, auth, payload()).status_code == 201  # the process builds its zone index
    db.session.expunge_all()  # the next request starts like any other: nothing loaded yet
    before = db.session.scalar(stamp)
    with statements() as seen:
        response = _post(client, auth, payload())
    assert response.status_code == 201
    assert response.json["zone_name"] == ZONE_NAME
    # the issue allows three: the token's row, the insert and the zone
    assert len(seen) == 3, "\n".join(seen)
    assert seen[-1].lstrip().upper().startswith("UPDATE OBSERVATION_FACTS"), seen[-1]
    assert db.session.scalar(stamp) != before  # stamped by the insert's trigger
    stored = observations.get_by_client_uuid(uuid.UUID(response.json["client_uuid"]))
    assert stored.zone is not None and stored.zone.name == ZONE_NAME
    assert not any(
        s.lstrip().upper().startswith("SELECT") and "observations" in s.split("FROM")[1][:40]
        for s in seen
        if "FROM" in s
    ), "the new row was read back"


def test_a_resend_still_answers_the_stored_row(client, auth, walk):
    body = payload()
    first = _post(client, auth, body)
    db.session.expunge_all()
    again = _post(client, auth, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json  # the new row's answer, made without reading it, is the stored row's
    stored = client.get(url("api.get_observation", client_uuid=body["client_uuid"]), headers=auth)
    assert stored.json == first.json


def _cover_with_new_zone(project: Project, name: str) -> None:
    """Another process adds a zone over the route: rows written without this session's flush hooks."""
    zone_area = MultiPolygon([box(2.2, 49.9, 2.4, 49.95)])
    db.session.execute(
        sa.insert(Zone.__table__).values(
            kind="custom",
            code="aaa-autre",
            name=name,
            project_id=project.id,
            area=from_shape(zone_area, srid=4326),
        )
    )
    db.session.execute(
        sa.update(Project.__table__)
        .where(Project.__table__.c.id == project.id)
        .values(zones_version=Project.__table__.c.zones_version + 1)
    )


def test_zones_changed_by_another_process_are_seen_through_the_version_stamp(client, auth, walk):
    assert _post(client, auth, payload()).json["zone_name"] == ZONE_NAME
    _cover_with_new_zone(walk.project, "Zone d'un autre processus")
    db.session.expunge_all()
    response = _post(client, auth, payload())
    # both zones are custom zones of the project: the smaller code wins ("aaa-autre" < "nord-test")
    assert response.json["zone_name"] == "Zone d'un autre processus"


def test_a_zone_saved_in_this_process_is_seen_at_once(client, auth, walk):
    from webapp.services import zones

    assert _post(client, auth, payload()).json["zone_name"] == ZONE_NAME
    zones.save_custom_zone(
        walk.project, code="aaa-ici", name="Zone d'ici", geometry=MultiPolygon([box(2.2, 49.9, 2.4, 49.95)])
    )
    db.session.flush()
    assert _post(client, auth, payload()).json["zone_name"] == "Zone d'ici"


def _move_walk(walk_id: int, dlon: float) -> None:
    """Another process moves the walk's route and stops ``dlon`` degrees east (no session hooks)."""
    from tests.webapp.capture_support import ROUTE, STOPS

    db.session.execute(
        sa.update(Walk.__table__)
        .where(Walk.__table__.c.id == walk_id)
        .values(route=from_shape(LineString([(x + dlon, y) for x, y in ROUTE]), srid=4326))
    )
    for position, (_name, (x, y)) in enumerate(STOPS, start=1):
        db.session.execute(
            sa.update(Stop.__table__)
            .where(Stop.__table__.c.walk_id == walk_id, Stop.__table__.c.position == position)
            .values(location=from_shape(Point(x + dlon, y), srid=4326))
        )


def test_a_route_moved_by_another_process_is_seen_by_the_next_observation(client, auth, walk):
    assert _post(client, auth, payload()).json["out_of_area"] is False  # the walk's area is now kept
    assert {stop.position for stop in walk.stops} == {1, 2}
    _move_walk(walk.id, 0.5)  # about 36 km east: the same point is now far from the route and stops
    db.session.expunge_all()
    assert _post(client, auth, payload()).json["out_of_area"] is True
    _move_walk(walk.id, 0.0)
    db.session.expunge_all()
    assert _post(client, auth, payload()).json["out_of_area"] is False


def test_a_long_route_and_many_stops_are_read_as_stored_and_all_count(client, auth, walk):
    """A walk as drawn in the field: a 200-point route and a dozen stops. The token's statement gives
    one row, the stops packed into one value (joined, they made a row per stop, each repeating the
    route); it reads the route and the stops as the database stores them, with no conversion
    function (GeoAlchemy2's ``AsEWKB`` cost SpatiaLite about 0.1 ms per 200-point route, once per stop
    row, for every observation received: 4.5 times the whole request), and the area built from those
    stored values holds every stop."""
    from webapp.services import participants

    route = LineString([(2.2950 + i * 0.00004, 49.9180) for i in range(200)])
    db.session.execute(
        sa.update(Walk.__table__)
        .where(Walk.__table__.c.id == walk.id)
        .values(route=from_shape(route, srid=4326))
    )
    db.session.execute(sa.delete(Stop.__table__).where(Stop.__table__.c.walk_id == walk.id))
    for position in range(1, 13):
        # the last stop 3.5 km north of the route, the others along it
        lat = 49.9500 if position == 12 else 49.9181
        db.session.add(
            Stop(
                walk_id=walk.id,
                position=position,
                name=f"Arrêt {position}",
                location=from_shape(Point(2.2950 + position * 0.0006, lat), srid=4326),
            )
        )
    db.session.flush()
    db.session.expunge_all()
    token = auth["Authorization"].removeprefix("Bearer ")
    connection = db.session.connection()
    rows = participants._SENDER[connection.dialect.name].rows(
        connection, {"token_hash": participants.hash_token(token)}
    )
    assert len(rows) == 1
    stored = db.session.execute(
        sa.select(sa.type_coerce(Stop.__table__.c.location, sa.types.NullType())).where(
            Stop.__table__.c.walk_id == walk.id
        )
    ).scalars()
    assert sorted(participants.get_sender_by_token(token).walk.stops) == sorted(stored)
    with statements() as seen:
        near_last_stop = _post(client, auth, payload(location={"lon": 2.3022, "lat": 49.9504}))
    assert near_last_stop.status_code == 201
    assert near_last_stop.json["out_of_area"] is False  # 50 m from the 12th stop, 3.5 km from the route
    token_statement = seen[0]
    assert "FROM participants" in token_statement, token_statement
    assert not re.search(r"\b(ST_)?(AsEWKB|AsBinary|AsText|AsEWKT)\b", token_statement, re.I), token_statement
    far = _post(client, auth, payload(location={"lon": 2.3022, "lat": 49.9350}))
    assert far.json["out_of_area"] is True  # between the route and the 12th stop, 1.7 km from both


def test_a_walk_without_stops_or_route_is_read_with_none(client, auth, walk):
    """No stop: the token's statement packs nothing (NULL), and the route alone makes the area; no
    route either: no observation is ever out of the area."""
    from webapp.services import participants

    token = auth["Authorization"].removeprefix("Bearer ")
    db.session.execute(sa.delete(Stop.__table__).where(Stop.__table__.c.walk_id == walk.id))
    db.session.expunge_all()
    assert participants.get_sender_by_token(token).walk.stops == ()
    assert _post(client, auth, payload()).json["out_of_area"] is False  # on the route
    far = payload(location={"lon": 2.3022, "lat": 49.9504})  # 3.5 km north of the route
    assert _post(client, auth, far).json["out_of_area"] is True
    db.session.execute(sa.update(Walk.__table__).where(Walk.__table__.c.id == walk.id).values(route=None))
    db.session.expunge_all()
    assert _post(client, auth, payload(location={"lon": 2.3022, "lat": 49.9504})).json["out_of_area"] is False


def test_a_new_form_version_given_to_the_walk_elsewhere_is_used_by_the_next_observation(client, auth, walk):
    assert _post(client, auth, payload()).status_code == 201  # version 2's definition is now kept
    assert _post(client, auth, payload()).json["form"] == {"key": "marche_exploratoire", "version": 2}
    forms = FormVersion.__table__
    row = db.session.execute(
        sa.select(forms).where(forms.c.key == "marche_exploratoire", forms.c.version == 2)
    ).one()
    values = {k: v for k, v in row._mapping.items() if k != "id"}
    definition = {**values["definition"], "version": 3}  # a new version says so in its definition
    db.session.execute(
        sa.insert(forms).values({**values, "version": 3, "definition": definition, "content_hash": "v3"})
    )
    db.session.execute(sa.update(Walk.__table__).where(Walk.__table__.c.id == walk.id).values(form_version=3))
    db.session.expunge_all()
    refused = _post(client, auth, payload())  # still names version 2
    assert refused.status_code == 422
    assert refused.json["details"]["form"][0]["params"]["expected"] == {
        "key": "marche_exploratoire",
        "version": 3,
    }
    body = payload(form={"key": "marche_exploratoire", "version": 3})
    stored = _post(client, auth, body)
    assert stored.status_code == 201
    assert stored.json["form"] == {"key": "marche_exploratoire", "version": 3}


def test_an_expired_token_or_a_planned_walk_is_refused_by_the_one_statement_lookup(client, auth, walk):
    from datetime import timedelta

    from webapp.models import Participant
    from webapp.models.base import utcnow

    participants = Participant.__table__
    db.session.execute(
        sa.update(participants)
        .where(participants.c.walk_id == walk.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.expunge_all()
    assert _post(client, auth, payload()).status_code == 401
    db.session.execute(
        sa.update(participants)
        .where(participants.c.walk_id == walk.id)
        .values(expires_at=utcnow() + timedelta(hours=1))
    )
    db.session.execute(
        sa.update(Walk.__table__).where(Walk.__table__.c.id == walk.id).values(status="planned")
    )
    db.session.expunge_all()
    refused = _post(client, auth, payload())
    assert refused.status_code == 403
    assert refused.json["details"]["walk"][0]["code"] == "walk_not_open"
    unknown = client.post(
        url("api.create_observation"), json=payload(), headers={"Authorization": "Bearer x"}
    )
    assert unknown.status_code == 401
