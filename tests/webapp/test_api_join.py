"""Joining a walk by code: no account, clear refusals, and a rate limit counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.webapp.capture_support import make_walk
from tests.webapp.support import url
from webapp.services import ratelimit


def test_joining_by_code_gives_a_token_scoped_to_the_walk_and_expiring(client, app, db_session):
    walk = make_walk()
    response = client.post(
        url("api.join"), json={"code": " k7pm-3q ", "age_band": "15-17", "gender": "undisclosed"}
    )
    assert response.status_code == 201
    body = response.json
    assert len(body["token"]) >= 32
    assert body["walk"]["title"] == "Marche de test" and len(body["walk"]["stops"]) == 2
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)
    me = client.get(url("api.my_walk"), headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json["id"] == walk.id


def test_unknown_closed_and_not_yet_open_codes_get_clear_messages(client, app, db_session):
    make_walk(code="PQAN34", status="planned", slug="a")
    make_walk(code="FYNE34", status="closed", slug="b")
    unknown = client.post(url("api.join"), json={"code": "ZZZZZZ"})
    assert unknown.status_code == 404 and "aucune marche" in unknown.json["message"]
    closed = client.post(url("api.join"), json={"code": "FYNE34"})
    assert closed.status_code == 403 and "terminée" in closed.json["message"]
    planned = client.post(url("api.join"), json={"code": "PQAN34"})
    assert planned.status_code == 403 and "pas encore commencé" in planned.json["message"]
    empty = client.post(url("api.join"), json={"code": ""})
    assert empty.status_code == 422


def test_profile_answers_must_be_known_choices(client, app, db_session):
    make_walk()
    response = client.post(url("api.join"), json={"code": "K7PM3Q", "gender": "licorne"})
    assert response.status_code == 422
    assert response.json["details"] == {"gender": "unknown_choice"}


def test_join_is_rate_limited_per_address(client, app, db_session, monkeypatch):
    make_walk()
    monkeypatch.setitem(app.config, "JOIN_RATE_LIMIT", "3/60")
    codes = [client.post(url("api.join"), json={"code": "ZZZZZZ"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    refused = client.post(url("api.join"), json={"code": "K7PM3Q"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    other_address = client.post(
        url("api.join"), json={"code": "K7PM3Q"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other_address.status_code == 201


def test_a_group_of_60_behind_one_address_joins_while_100_wrong_codes_are_refused(
    client, app, db_session, monkeypatch
):
    walk = make_walk()
    # the default 20 wrong codes per address, over an hour: no window boundary in the middle of a slow run
    monkeypatch.setitem(app.config, "JOIN_RATE_LIMIT", "20/3600")
    answers = [client.post(url("api.join"), json={"code": "K7PM3Q"}).status_code for _ in range(60)]
    assert answers == [201] * 60
    wrong = [client.post(url("api.join"), json={"code": "ZZZZZZ"}).status_code for _ in range(100)]
    assert wrong[:20] == [404] * 20 and wrong[20:] == [429] * 80
    assert len(walk.participants) == 60


def test_a_join_resent_with_the_same_join_id_finds_the_same_participant(client, app, db_session):
    import uuid

    walk = make_walk()
    join_id = str(uuid.uuid4())
    first = client.post(url("api.join"), json={"code": "K7PM3Q", "join_id": join_id, "gender": "woman"})
    again = client.post(url("api.join"), json={"code": "K7PM3Q", "join_id": join_id, "gender": "woman"})
    assert (first.status_code, again.status_code) == (201, 200)
    db_session.refresh(walk)
    assert len(walk.participants) == 1
    # The answer that arrived is the one whose token works (the lost one was never seen by the phone).
    me = client.get(url("api.my_walk"), headers={"Authorization": f"Bearer {again.json['token']}"})
    assert me.status_code == 200
    other = make_walk(code="PQAN34", slug="autre")
    clash = client.post(url("api.join"), json={"code": other.join_code, "join_id": join_id})
    assert clash.status_code == 409
    bad = client.post(url("api.join"), json={"code": "K7PM3Q", "join_id": "pas-un-uuid"})
    assert bad.status_code == 422 and bad.json["details"] == {"join_id": "invalid_uuid"}


def test_the_join_form_submitted_twice_joins_once(client, app, db_session):
    from flask import url_for

    from tests.webapp.support import csrf_token

    walk = make_walk()
    with app.test_request_context():
        join = url_for("residents.join")
    page = client.get(join).get_data(as_text=True)
    import re

    join_id = re.search(r'name="join_id" value="([^"]+)"', page).group(1)
    data = {"code": "K7PM3Q", "join_id": join_id, "csrf_token": csrf_token(client, join)}
    assert [client.post(join, data=data).status_code for _ in range(2)] == [303, 303]
    db_session.refresh(walk)
    assert len(walk.participants) == 1


def test_rate_counter_windows_are_separate_and_old_ones_are_forgotten(app, db_session):
    limit = ratelimit.Limit.parse("2/60")
    start = datetime(2026, 11, 25, 10, 0, 5, tzinfo=UTC)
    assert [ratelimit.hit("t", limit, now=start).allowed for _ in range(3)] == [True, True, False]
    assert ratelimit.hit("t", limit, now=start + timedelta(seconds=60)).allowed is True
    later = start + timedelta(hours=2)
    assert ratelimit.hit("t", limit, now=later).hits == 1
    from sqlalchemy import func, select

    from webapp.models import RateCounter

    assert db_session.scalar(select(func.count()).select_from(RateCounter)) == 1
