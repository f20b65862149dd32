"""Walk planning and status through the services, and the grace period after a close (both databases)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from shapely.geometry import LineString, MultiPolygon, box

from tests.webapp.capture_support import ROUTE, STOPS, make_walk, payload
from tests.webapp.support import csrf_from, url
from webapp.errors import Conflict, Forbidden, ValidationError
from webapp.extensions import db
from webapp.models import Rewalk, Stop, Walk
from webapp.models.base import utcnow
from webapp.services import observations, participants, projects, rewalks, walks, zones


@pytest.fixture
def project(app, db_session):  # type: ignore[no-untyped-def]
    project = projects.create_project(slug=f"w-{uuid.uuid4().hex[:6]}", name="Marches", territory=["80021"])
    zones.save_custom_zone(
        project, code="nord", name="Nord", geometry=MultiPolygon([box(2.290, 49.914, 2.308, 49.925)])
    )
    return project


def _plan(project, **kw):  # type: ignore[no-untyped-def]
    values = {"title": "Marche de jour", "walk_date": date(2026, 3, 12), "route": ROUTE, "stops": STOPS}
    values.update(kw)
    return walks.create_walk(project, **values)


@pytest.mark.parametrize(
    ("start", "slot"),
    [
        (None, "day"),
        (time(14, 0), "day"),
        (time(17, 59), "day"),
        (time(18, 0), "evening"),
        (time(20, 59), "evening"),
        (time(21, 0), "night"),
        (time(23, 30), "night"),
        (time(5, 0), "night"),
    ],
)
def test_the_time_slot_follows_the_start_time(start, slot):
    assert walks.slot_for(start) == slot


def test_a_planned_walk_has_its_plan_a_code_and_the_newest_default_form(project):
    walk = _plan(
        project,
        starts_at=time(19, 0),
        ends_at=time(21, 0),
        meeting_point="Devant le centre social",
        group_description="femmes du quartier",
        expected_size=12,
    )
    assert walk.status == "planned" and walk.time_slot == "evening"
    assert len(walk.join_code) == 6 and set(walk.join_code) <= set(walks.JOIN_CODE_ALPHABET)
    assert not set(walk.join_code) & set("0O1IL")
    assert LineString(walks.route_points(walk)).equals_exact(LineString(ROUTE), 1e-7)
    assert [name for name, _ in walks.stop_points(walk)] == ["Maison de quartier", "Arrêt de bus"]
    assert (walk.form_key, walk.form_version) == ("marche_exploratoire", 2)
    assert walk.meeting_point == "Devant le centre social" and walk.expected_size == 12


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"route": [ROUTE[0]]}, "route"),
        ({"route": [ROUTE[0], ROUTE[0]]}, "route"),
        ({"title": "  "}, "title"),
        ({"stops": [("", ROUTE[0])]}, "stops"),
        ({"stops": [("Loin", (200.0, 49.0))]}, "stops"),
        ({"starts_at": time(15, 0), "ends_at": time(14, 0)}, "ends_at"),
        ({"expected_size": 0}, "expected_size"),
        ({"time_slot": "aube"}, "time_slot"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_stored(project, changes, field):
    before = len(walks.list_walks(project))
    with pytest.raises(ValidationError) as caught:
        _plan(project, **changes)
    assert field in caught.value.details
    assert len(walks.list_walks(project)) == before


def test_a_night_walk_may_end_after_midnight(project):
    walk = _plan(project, starts_at=time(21, 30), ends_at=time(0, 30))
    assert walk.time_slot == "night"


def test_stops_far_from_every_zone_of_the_project_get_a_warning_not_a_refusal(project):
    far = [("Maison de quartier", ROUTE[0]), ("Gare de Lille", (3.0708, 50.6366))]
    walk = _plan(project, stops=far)
    warnings = walks.planning_warnings(project, walks.stop_points(walk))
    assert len(warnings) == 1 and "Gare de Lille" in warnings[0] and "Maison" not in warnings[0]
    assert walks.planning_warnings(project, STOPS) == []


def test_updating_replaces_the_route_and_reorders_the_stops(project):
    walk = _plan(project)
    new_stops = [
        ("Arrêt de bus", STOPS[1][1]),
        ("Square", (2.2970, 49.9190)),
        ("Maison de quartier", STOPS[0][1]),
    ]
    walks.update_walk(
        walk, title="Marche modifiée", walk_date=date(2026, 3, 13), route=ROUTE[::-1], stops=new_stops
    )
    db.session.expire_all()
    walk = walks.get_walk(walk.id)
    assert walk.title == "Marche modifiée"
    assert [s.name for s in walk.stops] == ["Arrêt de bus", "Square", "Maison de quartier"]
    assert [s.position for s in walk.stops] == [1, 2, 3]
    assert LineString(walks.route_points(walk)).equals_exact(LineString(ROUTE[::-1]), 1e-7)
    assert db.session.query(Stop).filter_by(walk_id=walk.id).count() == 3


def test_duplicating_copies_route_and_stops_with_a_new_code(project):
    day = _plan(project, meeting_point="Place", group_description="mixte", expected_size=8)
    night = walks.duplicate_walk(day, title="Marche de nuit", walk_date=day.walk_date, starts_at=time(21, 30))
    assert night.id != day.id and night.join_code != day.join_code
    assert night.status == "planned" and night.time_slot == "night"
    assert walks.stop_points(night) == walks.stop_points(day)
    assert LineString(walks.route_points(night)).equals_exact(LineString(walks.route_points(day)), 1e-9)
    assert (night.meeting_point, night.group_description, night.expected_size) == ("Place", "mixte", 8)
    assert (night.form_key, night.form_version) == (day.form_key, day.form_version)
    assert rewalks.get_original(night) is None


def test_duplicating_as_a_rewalk_links_it(project):
    day = _plan(project)
    later = walks.duplicate_walk(day, title="Re-marche", walk_date=date(2026, 9, 1), as_rewalk=True)
    assert rewalks.get_original(later).id == day.id
    assert db.session.get(Rewalk, later.id).original_walk_id == day.id
    with pytest.raises(ValidationError):  # a re-walk must come later
        walks.duplicate_walk(day, title="Trop tôt", walk_date=date(2026, 1, 1), as_rewalk=True)


def test_status_goes_planned_open_closed_and_a_closed_walk_reopens(project):
    walk = _plan(project)
    with pytest.raises(Conflict):
        walks.close_walk(walk)  # never opened
    walks.open_walk(walk)
    assert walk.status == "open" and walk.opened_at is not None
    walks.close_walk(walk)
    assert walk.status == "closed" and walk.closed_at is not None
    participant_join = pytest.raises(Forbidden)
    with participant_join:
        participants.join_walk(walk.join_code)
    walks.open_walk(walk)
    assert walk.status == "open" and walk.closed_at is None
    participant, _token, _ = participants.join_walk(walk.join_code)
    assert participant.walk_id == walk.id


def test_a_planned_walk_without_observations_can_be_deleted(project):
    walk = _plan(project)
    walk_id = walk.id
    walks.delete_walk(walk)
    db.session.expire_all()
    assert db.session.get(Walk, walk_id) is None
    assert db.session.query(Stop).filter_by(walk_id=walk_id).count() == 0


def test_deleting_is_refused_once_the_walk_has_observations_or_was_opened(project):
    walk = _plan(project)
    observations.record_observation(
        walk,
        client_uuid=uuid.uuid4(),
        lon=2.2991,
        lat=49.9196,
        theme="eclairage",
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=2,
    )
    with pytest.raises(Conflict) as caught:
        walks.delete_walk(walk)
    assert "1 observation" in caught.value.message
    assert db.session.get(Walk, walk.id) is not None
    other = _plan(project, title="Ouverte")
    walks.open_walk(other)
    with pytest.raises(Conflict):
        walks.delete_walk(other)


def test_the_form_cannot_change_once_the_walk_has_observations(project):
    walk = _plan(project, form_key="marche_exploratoire", form_version=1)
    walks.set_form(walk, "marche_exploratoire", 2)
    assert walk.form_version == 2
    observations.record_observation(
        walk,
        client_uuid=uuid.uuid4(),
        lon=2.2991,
        lat=49.9196,
        theme="eclairage",
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=2,
    )
    with pytest.raises(Conflict):
        walks.set_form(walk, "marche_exploratoire", 1)
    assert walk.form_version == 2


def test_opening_a_walk_of_a_project_without_zones_warns(app, db_session):
    bare = projects.create_project(slug=f"nz-{uuid.uuid4().hex[:6]}", name="Sans zone", territory=["80021"])
    walk = walks.create_walk(bare, title="Marche", walk_date=date(2026, 3, 1))
    walks.open_walk(walk)
    assert walk.status == "open"
    assert "aucune zone" in walks.opening_warnings(walk)[0]


# --- grace period after the close ------------------------------------------------------------------


@pytest.fixture
def phone(client, app, db_session):  # type: ignore[no-untyped-def]
    walk = make_walk()
    response = client.post(url("api.join"), json={"code": walk.join_code})
    return walk, {"Authorization": f"Bearer {response.json['token']}"}


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _close(walk, hours_ago: float = 0.0) -> datetime:  # type: ignore[no-untyped-def]
    walks.close_walk(walk)
    walk.closed_at = utcnow() - timedelta(hours=hours_ago)
    db.session.flush()
    return walk.closed_at


def test_an_observation_captured_before_the_close_is_accepted_during_the_grace_period(client, phone):
    walk, auth = phone
    closed = _close(walk, hours_ago=47)
    body = payload(captured_at=_at(closed - timedelta(minutes=20)))
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.status_code == 201, response.json
    assert response.json["zone_name"] == "Nord — secteur test"
    # Its photo follows it, and a resend is still a plain 200.
    from tests.webapp.capture_support import jpeg_with_gps

    photo = client.put(
        url("api.get_photo", client_uuid=body["client_uuid"], photo_uuid=uuid.uuid4()),
        data=jpeg_with_gps((400, 300)),
        headers={**auth, "Content-Type": "image/jpeg"},
    )
    assert photo.status_code == 201
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 200


def test_an_observation_captured_after_the_close_is_refused_with_a_structured_error(client, phone):
    walk, auth = phone
    closed = _close(walk, hours_ago=1)
    before = observations.count_observations(walk)
    response = client.post(
        url("api.list_observations"),
        json=payload(captured_at=_at(closed + timedelta(minutes=5))),
        headers=auth,
    )
    assert response.status_code == 403
    problem = response.json["details"]["walk"][0]
    assert problem["code"] == "captured_after_close"
    assert "après la clôture" in problem["message"]["fr"] and problem["message"]["en"]
    assert problem["params"]["closed_at"].startswith(closed.date().isoformat())
    assert observations.count_observations(walk) == before


def test_an_observation_arriving_after_the_grace_period_is_refused(client, phone):
    walk, auth = phone
    closed = _close(walk, hours_ago=49)
    body = payload(captured_at=_at(closed - timedelta(minutes=20)))
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.status_code == 403
    assert response.json["details"]["walk"][0]["code"] == "grace_period_over"
    assert "48 h" in response.json["message"]


def test_the_grace_period_is_a_setting(client, phone, app):
    walk, auth = phone
    closed = _close(walk, hours_ago=2)
    body = payload(captured_at=_at(closed - timedelta(minutes=20)))
    app.config["CLOSE_GRACE_HOURS"] = 1
    try:
        assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 403
        app.config["CLOSE_GRACE_HOURS"] = 3
        assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    finally:
        app.config["CLOSE_GRACE_HOURS"] = 48


def test_an_expired_token_still_delivers_during_the_grace_period_but_reads_nothing(client, phone, db_session):
    walk, auth = phone
    participant = walk.participants[-1]
    closed = _close(walk, hours_ago=2)
    participant.expires_at = closed + timedelta(minutes=30)  # expired 1.5 h ago
    db_session.flush()
    body = payload(captured_at=_at(closed - timedelta(minutes=20)))
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    assert client.get(url("api.export_me"), headers=auth).status_code == 401
    walk.closed_at = utcnow() - timedelta(hours=49)
    db_session.flush()
    late = payload(captured_at=_at(walk.closed_at - timedelta(minutes=20)))
    assert client.post(url("api.create_observation"), json=late, headers=auth).status_code == 401


def test_a_planned_walk_takes_no_observation(phone, db_session):
    walk, _auth = phone
    walk.status = "planned"
    with pytest.raises(Forbidden) as caught:
        walks.check_accepts_observation(walk, utcnow())
    assert caught.value.details["walk"][0]["code"] == "walk_not_open"


def test_the_plain_form_after_the_close_gets_a_french_page_and_stores_nothing(client, app, db_session):
    walk = make_walk(code="PK4NFM")
    page = client.get(url("residents.join", code=walk.join_code))
    assert page.status_code == 200
    client.post(url("residents.join_post"), data={"code": walk.join_code, "csrf_token": csrf_from(page)})
    _close(walk)
    capture = client.post(
        url("residents.capture", code=walk.join_code),
        data={
            "client_uuid": str(uuid.uuid4()),
            "theme": "eclairage",
            "polarity": "negative",
            "stop": f"{ROUTE[0][0]},{ROUTE[0][1]}",
            "csrf_token": csrf_from(page),
        },
    )
    assert capture.status_code == 403
    assert "après la clôture" in capture.get_data(as_text=True)
    assert observations.count_observations(walk) == 0
