"""Submission API: idempotent creation, bad input, own observations (list, edit, delete), on both DBs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.webapp.capture_support import ZONE_NAME, make_walk, payload
from tests.webapp.support import url
from webapp.services import observations, participants


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


@pytest.fixture
def auth(client, walk):  # type: ignore[no-untyped-def]
    response = client.post(url("api.join"), json={"code": walk.join_code})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


def _post(client, auth, body):  # type: ignore[no-untyped-def]
    return client.post(url("api.create_observation"), json=body, headers=auth)


def test_first_submission_is_created_with_its_zone_and_aware_times(client, auth, walk):
    response = _post(client, auth, payload())
    assert response.status_code == 201
    body = response.json
    assert body["zone_name"] == ZONE_NAME
    assert body["out_of_area"] is False
    assert body["captured_at"].endswith("+00:00") and body["received_at"].endswith("+00:00")
    assert body["theme"] == "eclairage" and body["polarity"] == "negative" and body["feeling"] == 2


def test_a_capture_time_in_rfc_3339_lower_case_is_the_same_instant(client, auth, walk):
    """RFC 3339 allows ``t`` and ``z`` (the document's ``date-time``): the fuzzer's schema-valid
    ``…t12:49:37z`` was refused as « Date invalide »."""
    when = (datetime.now(UTC) - timedelta(minutes=7)).replace(microsecond=0)
    response = _post(client, auth, payload(captured_at=when.strftime("%Y-%m-%dt%H:%M:%Sz")))
    assert response.status_code == 201, response.json
    assert datetime.fromisoformat(response.json["captured_at"]) == when


def test_resend_with_the_same_payload_returns_the_stored_row_with_200(client, auth, walk):
    body = payload()
    first = _post(client, auth, body)
    again = _post(client, auth, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["client_uuid"] == first.json["client_uuid"]
    assert again.json["received_at"] == first.json["received_at"]
    assert observations.count_observations(walk) == 1


def test_a_capture_time_in_the_future_is_stored_as_the_receipt_time_and_resends_still_match(
    client, auth, walk
):
    # A phone whose clock is years ahead: refusing would strand the observation in its outbox.
    body = payload(captured_at="2099-01-01T00:00:00Z")
    first = _post(client, auth, body)
    again = _post(client, auth, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["captured_at"][:4] == first.json["received_at"][:4] != "2099"


def test_the_plain_form_may_still_send_numbers_as_text(client, auth, walk):
    # The API holds JSON clients to JSON types; the services still read an HTML form's text.
    from webapp.services.observations import parse_submission

    text = payload(answers={"feeling": "4"}, location={"lon": "2.2991", "lat": "49.9196"})
    assert parse_submission(text, walk=walk).feeling == 4


def test_a_resend_without_captured_at_a_second_later_is_the_same_observation(client, auth, walk):
    import time

    body = payload()
    del body["captured_at"]
    first = client.post(url("api.create_observation"), json=body, headers=auth)
    time.sleep(1.1)  # the server's clock moves on; the content the phone sent does not
    again = client.post(url("api.create_observation"), json=body, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["captured_at"] == first.json["captured_at"]


def test_same_uuid_with_another_payload_is_a_conflict_and_keeps_the_first(client, auth, walk):
    body = payload()
    _post(client, auth, body)
    other = {**body, "answers": {**body["answers"], "note": "Autre chose"}}
    response = _post(client, auth, other)
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert "client_uuid" in response.json["details"]
    stored = client.get(url("api.get_observation", client_uuid=body["client_uuid"]), headers=auth).json
    assert stored["note"] == "Lampadaire éteint"


def test_same_uuid_from_another_participant_is_a_conflict(client, auth, walk):
    body = payload()
    _post(client, auth, body)
    other = client.post(url("api.join"), json={"code": walk.join_code}).json["token"]
    response = _post(client, {"Authorization": f"Bearer {other}"}, body)
    assert response.status_code == 409
    assert observations.count_observations(walk) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"answers": {"theme": None}}, "theme", "required"),
        ({"answers": {"theme": "meteo"}}, "theme", "unknown_theme"),
        ({"answers": {"feeling": 6}}, "feeling", "out_of_range"),
        ({"answers": {"feeling": 0}}, "feeling", "out_of_range"),
        ({"answers": {"note": "x" * 2001}}, "note", "too_long"),
        ({"answers": {"polarity": "peut-être"}}, "polarity", "unknown_choice"),
        ({"answers": {"couleur": "bleu"}}, "couleur", "unknown_field"),
        ({"location": {"lon": 200.0, "lat": 49.9}}, "location", "out_of_range"),
        ({"location": {"lon": 2.3, "lat": 195.0}}, "location", "out_of_range"),
        ({"location": {"lon": 49.9196, "lat": 2.2991}}, "location", "swapped"),
        ({"location": {"lon": "abc", "lat": 49.9}}, "location", "wrong_type"),
        ({"location": None}, "location", "required"),
        ({"location": {"accuracy_m": -3}}, "location.accuracy_m", "out_of_range"),
        ({"client_uuid": "pas-un-uuid"}, "client_uuid", "invalid_uuid"),
        ({"captured_at": "hier"}, "captured_at", "wrong_type"),
        # What the published schema refuses, the API refuses: JSON clients send JSON types.
        ({"location": {"lon": "2.3", "lat": "49.9"}}, "location", "wrong_type"),
        ({"location": {"lon": 2.3, "lat": 49.9, "altitude": 40}}, "location", "wrong_type"),
        ({"location": {"lon": 2.2991, "lat": 49.9196, "source": None}}, "location.source", "unknown_choice"),
        ({"answers": {"feeling": "4"}}, "feeling", "wrong_type"),
        ({"answers": {"theme": " eclairage "}}, "theme", "unknown_theme"),
        ({"client_uuid": "{12345678-1234-1234-1234-123456789abc}"}, "client_uuid", "invalid_uuid"),
        ({"captured_at": "1900-01-01T00:00:00Z"}, "captured_at", "wrong_type"),
        ({"captured_at": "2026-03-12"}, "captured_at", "wrong_type"),
        ({"captured_at": "0001-01-01T00:00:00+23:59"}, "captured_at", "wrong_type"),
        ({"captured_at": "9999-12-31T23:59:59-23:59"}, "captured_at", "wrong_type"),
        ({"form": {"key": "marche_exploratoire", "version": "2"}}, "form", "wrong_type"),
        ({"form": {}}, "form", "wrong_type"),
        ({"form": {"key": "inconnu", "version": 1}}, "form", "wrong_form"),  # not the walk's form
        ({"walk_id": 12}, "walk_id", "unknown_field"),
    ],
)
def test_bad_input_is_refused_with_a_structured_error_naming_the_field(
    client, auth, walk, overrides, field, code
):
    body = payload(**overrides)
    response = _post(client, auth, body)
    assert response.status_code == 422, response.json
    problems = response.json["details"][field]
    assert problems[0]["code"] == code
    assert problems[0]["message"]["fr"]
    assert observations.count_observations(walk) == 0


def test_invalid_json_is_refused(client, auth):
    response = client.post(
        url("api.list_observations"),
        data="{pas du json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json["error"] == "validation_error"


def test_point_far_from_the_walk_is_kept_but_flagged(client, auth, walk):
    response = _post(client, auth, payload(location={"lon": 2.2400, "lat": 49.8700}))
    assert response.status_code == 201
    assert response.json["out_of_area"] is True
    assert response.json["zone"] is None and response.json["zone_name"] == "Hors zone"


def test_requests_without_a_valid_token_are_unauthorized(client, walk):
    assert _post(client, {}, payload()).status_code == 401
    response = _post(client, {"Authorization": "Bearer nimporte-quoi"}, payload())
    assert response.status_code == 401
    assert response.json["message"]


def test_a_closed_walk_refuses_observations_made_after_the_close_and_joins(client, auth, walk, db_session):
    from datetime import UTC, datetime, timedelta

    from webapp.services import walks

    walks.close_walk(walk)
    later = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    response = _post(client, auth, payload(captured_at=later))
    assert response.status_code == 403
    assert "terminée" in response.json["message"]
    joined = client.post(url("api.join"), json={"code": walk.join_code})
    assert joined.status_code == 403


def test_a_token_only_reaches_its_own_walk_and_observations(client, auth, walk, db_session):
    other_walk = make_walk(code="QR9TX4")
    _, token = participants.add_participant(other_walk)
    other = {"Authorization": f"Bearer {token}"}
    mine = _post(client, auth, payload()).json
    assert (
        client.get(url("api.get_observation", client_uuid=mine["client_uuid"]), headers=other).status_code
        == 404
    )
    assert (
        client.delete(
            url("api.delete_observation", client_uuid=mine["client_uuid"]), headers=other
        ).status_code
        == 404
    )
    assert client.get(url("api.list_observations"), headers=other).json == {"observations": []}
    theirs = _post(client, other, payload()).json
    assert theirs["walk_id"] == other_walk.id


def test_participant_lists_edits_and_deletes_their_own_observations(client, auth, walk):
    body = payload()
    _post(client, auth, body)
    listed = client.get(url("api.list_observations"), headers=auth).json["observations"]
    assert [o["client_uuid"] for o in listed] == [body["client_uuid"]]

    edited = {**body, "answers": {**body["answers"], "note": "Réparé depuis", "polarity": "positive"}}
    response = client.put(
        url("api.update_observation", client_uuid=body["client_uuid"]), json=edited, headers=auth
    )
    assert response.status_code == 200
    assert response.json["note"] == "Réparé depuis" and response.json["polarity"] == "positive"
    again = client.put(
        url("api.update_observation", client_uuid=body["client_uuid"]), json=edited, headers=auth
    )
    assert again.status_code == 200

    assert (
        client.delete(
            url("api.delete_observation", client_uuid=body["client_uuid"]), headers=auth
        ).status_code
        == 204
    )
    assert (
        client.get(url("api.get_observation", client_uuid=body["client_uuid"]), headers=auth).status_code
        == 404
    )
    assert observations.count_observations(walk) == 0


def test_unknown_observation_uuid_in_url_is_not_found(client, auth):
    assert client.get(url("api.get_observation", client_uuid=uuid.uuid4()), headers=auth).status_code == 404
    assert client.get(url("api.get_observation", client_uuid="pas-un-uuid"), headers=auth).status_code == 404


def test_form_is_served_in_french_and_english(client):
    fr = client.get(url("api.form", key="marche_exploratoire")).json
    en = client.get(url("api.form", key="marche_exploratoire", version=1, lang="en")).json
    assert fr["title"] == "Marche exploratoire" and en["title"] == "Exploratory walk"
    assert client.get(url("api.form", key="inconnu")).status_code == 404


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get(url("api.openapi")).json
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in document["paths"][path], (method, path)


def test_a_harassment_report_needs_no_good_bad_answer_and_counts_as_a_problem(client, auth, walk):
    body = payload(answers={"theme": "harcelement", "subtheme": "regards_suivi", "polarity": None})
    body["answers"].pop("polarity")
    response = _post(client, auth, body)
    assert response.status_code == 201, response.json
    assert response.json["polarity"] == "negative" and "polarity" not in response.json["answers"]
    # an older page that still asked the question: same row, same hash, so a resend of it is no conflict
    again = payload(answers={"theme": "harcelement", "subtheme": "regards_suivi", "polarity": "positive"})
    again["client_uuid"], again["captured_at"] = body["client_uuid"], body["captured_at"]
    assert _post(client, auth, again).status_code == 200
    # any other theme still needs it
    other = payload()
    other["answers"].pop("polarity")
    refused = _post(client, auth, other)
    assert refused.status_code == 422 and "polarity" in refused.json["details"]


def test_a_refusal_reads_in_the_language_of_the_request(client, auth, walk, db_session):
    """A phone set to English reads why an observation or a join was refused in English (the reason
    used to be French whatever the language); French stays the default."""
    from datetime import UTC, datetime, timedelta

    from webapp.services import walks

    english = {**auth, "Accept-Language": "en-GB,en;q=0.9"}
    body = payload()
    body["client_uuid"] = "pas-un-uuid"
    assert _post(client, auth, body).json["message"] == "Certaines réponses sont à corriger."
    assert _post(client, english, body).json["message"] == "Some answers need correcting."
    unknown = client.post(url("api.join"), json={"code": "ZZZZZZ"}, headers={"Accept-Language": "en"})
    assert unknown.status_code == 404
    assert unknown.json["message"] == "This code matches no walk. Check it with the walk's facilitator."
    walks.close_walk(walk)
    later = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    refused = _post(client, english, payload(captured_at=later))
    assert refused.status_code == 403 and refused.json["message"].startswith("This walk closed on ")
    assert "terminée" in _post(client, auth, payload(captured_at=later)).json["message"]
