"""The ingest hot path: statements per new observation (counted, never timed) and the zone index.

A new observation from a phone costs at most three statements: the token's participant with its walk,
stops and project in one, the ``INSERT … RETURNING``, and nothing read back. Zones come from each
process's in-memory index, rebuilt when ``Project.zones_version`` moves, including when another
process changed the zones (simulated here by writing to the tables without the session's help).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.webapp.capture_support import ZONE_NAME, make_walk, payload
from webapp.extensions import db
from webapp.models import Project, Zone

#: Statements the test harness adds around a request (its transaction is a savepoint of the test's).
HARNESS = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


@pytest.fixture
def auth(client, walk):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/join", json={"code": walk.join_code})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(HARNESS):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _post(client, auth, body):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/observations", json=body, headers=auth)


def test_a_new_observation_costs_at_most_three_statements(client, auth, walk):
    assert _post(client, auth, payload()).status_code == 201  # the process builds its zone index
    db.session.expunge_all()  # the next request starts like any other: nothing loaded yet
    with statements() as seen:
        response = _post(client, auth, payload())
    assert response.status_code == 201
    assert response.json["zone_name"] == ZONE_NAME
    assert len(seen) <= 3, "\n".join(seen)
    assert not any(
        s.lstrip().upper().startswith("SELECT") and "observations" in s.split("FROM")[1][:40]
        for s in seen
        if "FROM" in s
    ), "the new row was read back"


def test_a_resend_still_answers_the_stored_row(client, auth, walk):
    body = payload()
    first = _post(client, auth, body)
    again = _post(client, auth, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json


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
