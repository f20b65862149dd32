"""The ingest's fast path (``webapp/api/fast_ingest.py``): a new observation answered beside Flask's
request machinery gets the answer Flask's view gives, and every request it cannot finish is handed to
Flask with nothing of its attempt kept. On both databases; counted, never timed.

Each comparison posts the same kind of request with the layer on and off (``FAST_INGEST``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.webapp.capture_support import ZONE_NAME, make_walk, payload
from webapp.api.fast_ingest import FastIngest
from webapp.extensions import db
from webapp.models import Observation
from webapp.services import forms, observations, zones

#: Headers whose value differs from one answer to the next whoever makes it.
_PER_ANSWER = {"Content-Security-Policy", "Content-Length"}
#: Fields of the answer that differ between two observations.
_PER_OBSERVATION = {"client_uuid", "received_at", "updated_at", "captured_at"}


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


@pytest.fixture
def token(client, walk):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/join", json={"code": walk.join_code})
    assert response.status_code == 201
    return response.json["token"]


@pytest.fixture
def layer(app) -> FastIngest:  # type: ignore[no-untyped-def]
    assert isinstance(app.wsgi_app, FastIngest)
    return app.wsgi_app


@pytest.fixture
def warm(client, token, layer):  # type: ignore[no-untyped-def]
    """The walk's first observation in this process, taken by Flask: the layer steps aside
    (``observations.NotPlain``) until the walk's form and its project's zones have been read once."""
    forms._by_version.clear()  # noqa: SLF001 (the process's caches, as a new process has them)
    zones._indexes.clear()  # noqa: SLF001
    handed, served = layer.handed_back, layer.served
    assert _post(client, token, payload()).status_code == 201
    assert (layer.handed_back, layer.served) == (handed + 1, served)
    return token


def _post(client, token, body, **kwargs):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return client.post("/api/v1/observations", json=body, headers=headers, **kwargs)


def _both(app, client, token, make_body, **kwargs):  # type: ignore[no-untyped-def]
    """(the layer's answer, Flask's answer) to the same kind of request."""
    fast = _post(client, token, make_body(), **kwargs)
    app.config["FAST_INGEST"] = False
    try:
        slow = _post(client, token, make_body(), **kwargs)
    finally:
        app.config["FAST_INGEST"] = True
    return fast, slow


def _headers(response):  # type: ignore[no-untyped-def]
    return sorted((k, v) for k, v in response.headers.items() if k not in _PER_ANSWER)


def _same_answer(fast, slow) -> None:  # type: ignore[no-untyped-def]
    assert fast.status_code == slow.status_code
    assert _headers(fast) == _headers(slow)
    policy = [r.headers["Content-Security-Policy"].split("'nonce-")[0] for r in (fast, slow)]
    assert policy[0] == policy[1]
    assert fast.headers["Content-Security-Policy"] != slow.headers["Content-Security-Policy"]  # new nonce
    if fast.is_json and isinstance(fast.json, dict) and "client_uuid" in fast.json:
        strip = lambda body: {k: v for k, v in body.items() if k not in _PER_OBSERVATION}  # noqa: E731
        assert strip(fast.json) == strip(slow.json)
        # the same bytes but for the fields that differ: same key order, same separators, same newline
        assert fast.data.endswith(b"}\n") and slow.data.endswith(b"}\n")
        assert len(fast.data) == len(slow.data)
    else:
        assert fast.json == slow.json


def test_a_new_observation_is_answered_by_the_layer_as_flask_answers_it(app, client, warm, walk, layer):
    served = layer.served
    fast, slow = _both(app, client, warm, payload)
    assert layer.served == served + 1  # the first one: the second went through Flask
    assert fast.status_code == 201 and fast.json["zone_name"] == ZONE_NAME
    _same_answer(fast, slow)
    assert observations.count_observations(walk) == 3  # with the one that warmed the caches


def test_a_new_process_s_first_observation_is_flask_s_then_the_layer_takes_the_next(
    client, token, walk, layer
):
    """Nothing on the layer's path reads through the session: a form or zones not yet read by this
    process send the request to Flask, which reads them; the answers are the same."""
    forms._by_version.clear()  # noqa: SLF001
    zones._indexes.clear()  # noqa: SLF001
    handed, served = layer.handed_back, layer.served
    first = _post(client, token, payload())
    assert (layer.handed_back, layer.served) == (handed + 1, served)
    second = _post(client, token, payload())
    assert (layer.handed_back, layer.served) == (handed + 1, served + 1)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["zone_name"] == second.json["zone_name"] == ZONE_NAME
    _same_answer(second, first)
    # the zones change (a new stamp): the next one is Flask's again, and the one after the layer's
    zones._indexes.clear()  # noqa: SLF001
    assert _post(client, token, payload()).status_code == 201
    assert (layer.handed_back, layer.served) == (handed + 2, served + 1)
    assert observations.count_observations(walk) == 3


def test_a_resend_is_answered_by_flask_with_the_stored_row(client, warm, walk, layer):
    body = payload()
    first = _post(client, warm, body)
    walk_id = walk.id
    db.session.expunge_all()  # the stored row is read afresh, as by another request
    served, handed = layer.served, layer.handed_back
    again = _post(client, warm, body)
    # its stored row is read back through the session: the layer steps aside, keeping nothing
    assert (layer.served, layer.handed_back) == (served, handed + 1)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    # and the one that warmed the caches
    assert db.session.scalar(select(func.count()).where(Observation.walk_id == walk_id)) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "Hors zone"),
        ({"Accept-Language": "en-GB,en;q=0.8"}, "Outside any zone"),
        ({"Accept-Language": "en", "Cookie": "lang=fr"}, "Hors zone"),
        ({"Cookie": "session=abc; lang=en"}, "Outside any zone"),
    ],
)
def test_outside_the_zones_is_said_in_the_language_flask_would_choose(
    app, client, warm, walk, layer, headers, expected
):
    # a point far from the zone (and the route): its answer names no zone, in the request's language
    far = lambda: payload(location={"lon": 2.2600, "lat": 49.8900})  # noqa: E731
    for name, value in headers.items():
        if name == "Cookie":
            for part in value.split("; "):
                key, _, val = part.partition("=")
                client.set_cookie(key, val)
    extra = {k: v for k, v in headers.items() if k != "Cookie"}
    served = layer.served
    fast, slow = _both(app, client, warm, far, headers=extra)
    assert layer.served == served + 1
    assert fast.status_code == 201 and fast.json["zone"] is None
    assert fast.json["zone_name"] == slow.json["zone_name"]
    assert fast.json["zone_name"] == expected, fast.json["zone_name"]
    _same_answer(fast, slow)


def _closed(walk):  # type: ignore[no-untyped-def]
    from webapp.services import walks

    walks.close_walk(walk)
    db.session.commit()


@pytest.mark.parametrize(
    "case",
    ["unknown_token", "refused_answer", "not_an_object", "not_json", "clash", "closed_walk", "query_string"],
)
def test_what_the_layer_cannot_finish_flask_answers_as_before(app, client, warm, walk, layer, case):
    """Every refusal comes from Flask's view, word for word, and keeps nothing."""
    token = warm
    kwargs: dict = {}
    make_body = payload
    who = token
    if case == "unknown_token":
        who = "pas-un-jeton"
    elif case == "refused_answer":
        make_body = lambda: payload(answers={"feeling": 9})  # noqa: E731
    elif case == "not_an_object":
        make_body = lambda: [payload()]  # noqa: E731
    elif case == "not_json":
        kwargs = {"data": b"{pas du json", "content_type": "application/json"}
    elif case == "clash":
        taken = payload()
        assert _post(client, token, taken).status_code == 201
        make_body = lambda: {**taken, "answers": {**taken["answers"], "note": "Autre chose"}}  # noqa: E731
    elif case == "closed_walk":
        _closed(walk)
        # seen after the close (one captured before it would still be taken, during the grace period)
        make_body = lambda: payload(captured_at=(datetime.now(UTC) + timedelta(minutes=1)).isoformat())  # noqa: E731
    elif case == "query_string":
        kwargs = {"query_string": {"lang": "en"}}
    before = observations.count_observations(walk)
    served, handed = layer.served, layer.handed_back
    if "data" in kwargs:
        data = kwargs.pop("data")
        fast = client.post(
            "/api/v1/observations", data=data, headers={"Authorization": f"Bearer {who}"}, **kwargs
        )
        app.config["FAST_INGEST"] = False
        slow = client.post(
            "/api/v1/observations", data=data, headers={"Authorization": f"Bearer {who}"}, **kwargs
        )
        app.config["FAST_INGEST"] = True
    else:
        fast, slow = _both(app, client, who, make_body, **kwargs)
    assert layer.served == served
    if case == "query_string":
        assert layer.handed_back == handed  # not even tried: ?lang= sets a cookie, Flask's work
        assert fast.status_code == 201 and "lang=en" in fast.headers.get("Set-Cookie", "")
        assert observations.count_observations(walk) == before + 2
        return
    assert layer.handed_back == handed + 1
    assert fast.status_code >= 400
    _same_answer(fast, slow)
    assert observations.count_observations(walk) == before


def test_a_failure_after_the_insert_keeps_nothing_of_the_attempt(
    client, warm, walk, layer, monkeypatch, caplog
):
    """The zone's write fails once, after the row went in (a locked database, say): the layer rolls its
    attempt back and Flask does the work again — one row, answered as new."""
    real = observations._SET_ZONE.execute
    calls = {"n": 0}

    def once(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("UPDATE observation_facts", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(observations._SET_ZONE, "execute", once)
    handed = layer.handed_back
    with caplog.at_level("INFO", logger="webapp.api.fast_ingest"):
        response = _post(client, warm, payload())
    assert calls["n"] == 2 and layer.handed_back == handed + 1
    assert response.status_code == 201
    assert observations.count_observations(walk) == 2  # and the warm one
    # the detour is logged by the error's class alone (its text would quote the statement's values)
    assert [r.getMessage() for r in caplog.records] == ["fast ingest: handed to Flask after OperationalError"]


def test_the_layer_s_work_begins_no_session_transaction(client, warm, walk, layer):
    """The layer works on a connection and transaction of its own: the session's machinery (its begin,
    commit and close, a sixth of the path's time) is not run at all for a new observation — not even
    when the walk's area must be read again (a route edited elsewhere): on SpatiaLite that reads the
    stored shapes through the database, on the layer's connection."""
    begun: list[object] = []

    def count(session, transaction, connection):  # type: ignore[no-untyped-def]
        begun.append(session)

    client.get("/api/v1/openapi.json")  # the test's own set-up is committed before the count
    served = layer.served
    observations._areas.clear()  # noqa: SLF001 (as after an edit of the route: a new key)
    event.listen(Session, "after_begin", count)
    try:
        response = client.post(
            "/api/v1/observations", json=payload(), headers={"Authorization": f"Bearer {warm}"}
        )
    finally:
        event.remove(Session, "after_begin", count)
    assert response.status_code == 201 and layer.served == served + 1
    assert begun == []
    assert observations.count_observations(walk) == 2


def test_the_out_of_area_answer_near_its_limit_is_the_exact_distance_s(walk, monkeypatch):
    """A point near the walk is answered from a region in lon/lat surely within the limit (no point
    projected, no distance computed); any other by the exact distance. Points spread across the limit
    (985 to 1,015 m from the route and stops) get :func:`observations.is_out_of_area`'s answer."""
    import numpy as np
    import shapely

    from geodata.crs import from_metric, metric_srid_for, to_metric

    observations._areas.clear()  # noqa: SLF001
    area = observations._walk_area(walk)  # noqa: SLF001
    assert area is not None
    srid = metric_srid_for(*area.centroid.coords[0])
    projected = to_metric(area, srid)
    rng = np.random.default_rng(13)
    points = []
    for distance in rng.uniform(985.0, 1015.0, 150):
        ring = projected.buffer(float(distance), quad_segs=64).exterior
        points.append(from_metric(ring.interpolate(float(rng.uniform(0.0, 1.0)), normalized=True), srid))
    points += [shapely.Point(xy) for xy in shapely.get_coordinates(area)]  # on the route and stops
    cached = [observations.is_out_of_area_cached(walk, p.x, p.y) for p in points]
    exact = [observations.is_out_of_area(walk, p.x, p.y) for p in points]
    assert cached == exact
    assert True in exact and False in exact

    def no_point(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a point near the walk was projected")

    monkeypatch.setattr(observations, "Point", no_point)
    lon, lat = shapely.get_coordinates(area)[0]
    assert observations.is_out_of_area_cached(walk, float(lon) + 0.001, float(lat)) is False


def test_the_payload_hash_is_the_sha256_of_the_documented_canonical_json(walk):
    """Stored hashes are compared with resends, across server versions: a phone resending after an
    upgrade must not be told its observation conflicts. The hash is the SHA-256 of the canonical JSON —
    keys sorted, non-ASCII text as itself — of the documented fields, computed here by hand."""
    import hashlib
    import json

    body = payload(
        answers={"note": "Lampadaire éteint, rue Saint-Leu 🌙", "proposal": "Réparer « vite »"},
        location={"lon": 2.29912345678, "lat": 49.9196, "accuracy_m": 8.04},
        captured_at="2026-11-25T18:30:00+01:00",
    )
    submission = observations.parse_submission(body, walk=walk, json_client=True)
    canonical = {
        "form": ["marche_exploratoire", 2],
        "location": [2.2991235, 49.9196, 8.0, "gps"],
        "captured_at": "2026-11-25T17:30:00+00:00",
        "theme": "eclairage",
        "subtheme": None,
        "polarity": "negative",
        "feeling": 2,
        "note": "Lampadaire éteint, rue Saint-Leu 🌙",
        "proposal": "Réparer « vite »",
        "answers": submission.answers,
    }
    expected = hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert submission.payload_hash == expected
