"""A participant's own data through the API (RGPD access and erasure), on both databases.

The walk token reaches ``/me/export`` and the deletions for as long as it has not expired, even once
the walk is closed; an unknown or expired token gets 401. Erasing removes rows and photo files, keeps
the recommendations that cited the observations (without that evidence), and never touches another
participant's data.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.webapp.capture_support import jpeg_with_gps, make_walk, payload
from tests.webapp.support import stored_photo, url
from webapp.extensions import db
from webapp.models import ModerationEvent, Observation, Participant, Photo, Recommendation, Vote
from webapp.models.base import utcnow
from webapp.services import participants, walks


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


def _join(client, walk, **profile):  # type: ignore[no-untyped-def]
    response = client.post(url("api.join"), json={"code": walk.join_code, **profile})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


def _observe(client, auth, note="Lampadaire éteint", photo=False):  # type: ignore[no-untyped-def]
    body = payload(answers={"note": note, "proposal": "Réparer"})
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    if photo:
        path = url("api.get_photo", client_uuid=body["client_uuid"], photo_uuid=uuid.uuid4())
        response = client.put(
            path, data=jpeg_with_gps((640, 480)), headers={**auth, "Content-Type": "image/jpeg"}
        )
        assert response.status_code == 201
    return body["client_uuid"]


@pytest.fixture
def two(client, walk):  # type: ignore[no-untyped-def]
    """Two participants: ``me`` (two observations, one with a photo) and ``other`` (one with a photo)."""
    me = _join(client, walk, age_band="15-17", gender="woman", status="collegien")
    mine = [_observe(client, me, "Ma note", photo=True), _observe(client, me, "Autre note")]
    other = _join(client, walk)
    theirs = _observe(client, other, "Leur note", photo=True)
    return me, mine, other, theirs


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_export_holds_the_profile_observations_answers_and_photo_references(client, two):
    me, mine, _other, theirs = two
    response = client.get(url("api.export_me"), headers=me)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.json
    assert body["participant"]["profile"] == {"age_band": "15-17", "gender": "woman", "status": "collegien"}
    assert body["walk"]["title"] == "Marche de test" and "join_code" not in body["walk"]
    assert {o["client_uuid"] for o in body["observations"]} == set(mine)
    assert theirs not in response.get_data(as_text=True) and "Leur note" not in response.get_data(
        as_text=True
    )
    noted = next(o for o in body["observations"] if o["note"] == "Ma note")
    assert noted["proposal"] == "Réparer" and noted["answers"] is not None
    assert noted["moderation_history"] == [] and noted["purged_at"] is None
    (photo,) = noted["photos"]
    image = client.get(photo["url"], headers=me)
    image.close()
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert client.get(photo["url"], headers=two[2]).status_code == 404  # someone else's token
    assert client.get(photo["url"]).status_code == 401
    features = body["observations_geojson"]["features"]
    assert len(features) == 2 and all(f["geometry"]["type"] == "Point" for f in features)


def test_export_as_geojson_and_moderation_history(client, two, db_session):
    me, mine, *_ = two
    from webapp.services import moderation

    observation = db.session.scalar(select(Observation).where(Observation.client_uuid == uuid.UUID(mine[0])))
    moderation.edit_text(observation, None, note="Note reformulée", proposal="Réparer", reason="nom retiré")
    response = client.get(url("api.export_me", format="geojson"), headers=me)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.json["type"] == "FeatureCollection" and len(response.json["features"]) == 2
    full = client.get(url("api.export_me"), headers=me).json
    edited = next(o for o in full["observations"] if o["client_uuid"] == mine[0])
    (step,) = edited["moderation_history"]
    assert step["action"] == "edit" and step["changes"]["note"] == ["Ma note", "Note reformulée"]
    assert "actor" not in step and "actor_id" not in step


def test_deleting_me_erases_rows_files_and_profile_and_the_token_stops_working(client, app, two):
    me, mine, other, theirs = two
    owner = dict(
        db.session.execute(select(Photo.stored_name, Observation.client_uuid).join(Photo.observation)).all()
    )
    files = {name: str(owner[name]) in mine for name in owner}
    assert sorted(files.values()) == [False, True] and all(stored_photo(n) for n in files)
    participants_before = _count(Participant)

    response = client.delete(url("api.delete_me"), headers=me)

    assert response.status_code == 200
    assert response.json == {"deleted": {"observations": 2, "photos": 1, "profile": True}}
    assert _count(Observation) == 1 and _count(Photo) == 1
    assert _count(Participant) == participants_before - 1
    assert all((stored_photo(name) is not None) != is_mine for name, is_mine in files.items())
    again = client.delete(url("api.delete_me"), headers=me)
    assert again.status_code == 401 and again.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url("api.export_me"), headers=me).status_code == 401
    assert client.get(url("api.get_observation", client_uuid=theirs), headers=other).status_code == 200


def test_deleting_my_observations_keeps_the_token_and_is_idempotent(client, app, two):
    me, *_ = two
    first = client.delete(url("api.delete_my_observations"), headers=me)
    assert first.status_code == 200
    assert first.json["deleted"] == {"observations": 2, "photos": 1, "profile": False}
    second = client.delete(url("api.delete_my_observations"), headers=me)
    assert second.status_code == 200
    assert second.json["deleted"] == {"observations": 0, "photos": 0, "profile": False}
    assert client.get(url("api.list_observations"), headers=me).json == {"observations": []}
    assert client.get(url("api.export_me"), headers=me).json["observations"] == []


def test_own_data_stays_reachable_after_the_walk_closed_but_not_capture(client, walk, two):
    me, mine, *_ = two
    walks.close_walk(walk)
    after_close = (utcnow() + timedelta(minutes=1)).isoformat()
    assert (
        client.post(
            url("api.create_observation"), json=payload(captured_at=after_close), headers=me
        ).status_code
        == 403
    )
    assert client.get(url("api.list_observations"), headers=me).status_code == 403
    assert client.get(url("api.export_me"), headers=me).status_code == 200
    assert client.delete(url("api.delete_observation", client_uuid=mine[0]), headers=me).status_code == 204
    assert (
        client.delete(url("api.delete_observation", client_uuid=mine[0]), headers=me).status_code == 404
    )  # twice
    assert client.delete(url("api.delete_me"), headers=me).json["deleted"]["observations"] == 1


def test_an_expired_or_unknown_token_gets_401(client, walk, db_session):
    participant, token = participants.add_participant(walk)
    participant.expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    for method, path in (
        ("get", url("api.export_me")),
        ("delete", url("api.delete_me")),
        ("delete", url("api.delete_my_observations")),
        ("delete", url("api.delete_observation", client_uuid=uuid.uuid4())),
        ("get", url("api.my_walk")),
    ):
        expired = getattr(client, method)(path, headers=auth)
        assert expired.status_code == 401, path
        assert expired.json["error"] == "unauthorized" and "expiré" in expired.json["message"]
        unknown = getattr(client, method)(path, headers={"Authorization": "Bearer pas-un-jeton"})
        assert unknown.status_code == 401, path
        assert getattr(client, method)(path).status_code == 401, path
    assert db.session.get(Participant, participant.id) is not None  # nothing was erased


def test_recommendations_citing_an_erased_observation_stay_without_that_evidence(client, two, db_session):
    me, mine, _other, theirs = two
    from webapp.models import Project, Walk
    from webapp.services import debriefs, moderation

    rows = db.session.scalars(select(Observation).order_by(Observation.id)).all()
    for row in rows:
        moderation.validate(row, None)
    db.session.add(Vote(walk_id=rows[0].walk_id, observation_id=rows[0].id))
    db.session.commit()
    project = db.session.scalar(select(Project).join(Walk).where(Walk.id == rows[0].walk_id))
    recommendation = debriefs.create_recommendation(
        project, None, observation_ids=[r.id for r in rows], title="Éclairer la rue"
    )
    only_mine = debriefs.create_recommendation(
        project,
        None,
        observation_ids=[r.id for r in rows if str(r.client_uuid) in mine],
        title="Seulement mes observations",
    )

    assert client.delete(url("api.delete_me"), headers=me).status_code == 200

    db.session.expire_all()
    kept = db.session.get(Recommendation, recommendation.id)
    assert [str(o.client_uuid) for o in kept.observations] == [theirs]
    assert db.session.get(Recommendation, only_mine.id).observations == []
    assert _count(Vote) == 0
    remaining_events = db.session.scalars(select(ModerationEvent.observation_id)).all()
    assert set(remaining_events) == {db.session.scalar(select(Observation.id))}


def test_the_openapi_document_describes_the_personal_data_routes(client):
    paths = client.get(url("api.openapi")).json["paths"]
    assert set(paths["/me/export"]) == {"get"}
    assert set(paths["/me"]) == {"delete"} and set(paths["/me/observations"]) == {"delete"}
    assert "401" in paths["/me"]["delete"]["responses"]
    assert "get" in paths["/observations/{client_uuid}/photos/{photo_uuid}"]
