"""Crafted requests answer as faults of the request (4xx with the usual message), never a 500 or a leak."""

from __future__ import annotations

import pytest
from flask import url_for
from flask.testing import FlaskClient

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import csrf_token, login, url
from webapp.security import safe_local_path


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example/x",
        "/\t/evil.example/x",
        "/\n/evil.example",
        "https://evil.example/x",
        "javascript:alert(1)",
        "evil.example",
        "",
        None,
    ],
)
def test_only_same_site_paths_are_followed(target):
    assert safe_local_path(target, "/fallback") == "/fallback"


def test_same_site_paths_are_kept():
    assert safe_local_path("/facilitators/p/?status=all#n3", "/x") == "/facilitators/p/?status=all#n3"


def test_the_moderation_form_never_redirects_off_site(app, client):
    world = build_world()
    login(client)
    observation = world.observations[4]
    with app.test_request_context():
        queue = url_for("facilitators.moderation_queue", slug=world.project.slug, walk_id=observation.walk_id)
        action = url_for(
            "facilitators.moderate",
            slug=world.project.slug,
            walk_id=observation.walk_id,
            observation_id=observation.id,
            action="valider",
        )
    for target in ("//evil.example/x", "/\t/evil.example/x"):
        response = client.post(
            action, data={"csrf_token": csrf_token(client, url("auth.account")), "next": target}
        )
        assert response.status_code == 302
        assert response.headers["Location"].startswith(queue), target


CRAFTED_IDS = ["²", "１２", "9" * 25, str(2**63), "-1", "0x10"]


def _staff(app, client):  # type: ignore[no-untyped-def]
    from webapp.extensions import db

    world = build_world()
    world.project.public_map = True
    db.session.flush()
    login(client)
    return world


def test_crafted_ids_in_filters_are_ignored_with_a_message_not_a_500(app, client):
    world = _staff(app, client)
    slug = world.project.slug
    with app.test_request_context():
        pages = [
            url_for("public.project_map", slug=slug),
            url_for("facilitators.project_page", slug=slug),
            url_for("facilitators.report", slug=slug),
            url_for("partners.project_page", slug=slug),
            url_for("facilitators.export", slug=slug, what="observations", fmt="csv"),
        ]
    for page in pages:
        for raw in CRAFTED_IDS:
            for name in ("walk_id", "zone_id"):
                response = client.get(page, query_string={name: raw})
                response.get_data()  # exports stream: read them through before the next request
                response.close()
                assert response.status_code < 500, (page, name, raw, response.status_code)


def test_ids_beyond_the_database_range_in_paths_are_404(app, client):
    world = _staff(app, client)
    slug = world.project.slug
    for raw in (str(2**31), str(2**63), "9" * 25):
        for path in (
            url("facilitators.walk_page", slug=slug, walk_id=raw),
            url("facilitators.moderation_queue", slug=slug, walk_id=raw),
            url("partners.recommendation", slug=slug, recommendation_id=raw),
        ):
            assert client.get(path).status_code == 404, path


def test_unicode_digits_in_staff_forms_are_refused_as_input(app, client):
    world = _staff(app, client)
    slug = world.project.slug
    observation = world.observations[4]
    token = csrf_token(client, url("auth.account"))
    with app.test_request_context():
        merge = url_for(
            "facilitators.moderate",
            slug=slug,
            walk_id=observation.walk_id,
            observation_id=observation.id,
            action="fusionner",
        )
        vote = url_for("facilitators.vote", slug=slug, walk_id=observation.walk_id)
        recommendation = url_for("facilitators.create_recommendation", slug=slug)
    assert client.post(merge, data={"csrf_token": token, "into": "²"}).status_code < 500
    assert client.post(vote, data={"csrf_token": token, "observation_id": "²"}).status_code == 422
    response = client.post(
        recommendation,
        data={"csrf_token": token, "title": "Éclairer", "walk_id": "²", "observation_ids": ["²", "9" * 25]},
    )
    assert response.status_code < 500


# --- answers that say what they are ------------------------------------------------------------------


def test_405_answers_say_which_methods_are_allowed(app, client):
    with app.test_request_context():
        logout = url_for("auth.logout")
        join = url_for("api.join")
    page = client.get(logout)
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    assert "text/html" in page.content_type
    api = client.get(join)
    assert api.status_code == 405 and "POST" in api.headers["Allow"]
    assert api.get_json()["error"] == "method_not_allowed"


def test_an_html_429_says_when_to_retry(app, client):
    app.config["JOIN_RATE_LIMIT"] = "1/3600"
    try:
        with app.test_request_context():
            join = url_for("residents.join_post")
        token = csrf_token(client, join)
        answers = [client.post(join, data={"code": "ZZZZZZ", "csrf_token": token}) for _ in range(3)]
    finally:
        app.config["JOIN_RATE_LIMIT"] = "20/60"
    refused = answers[-1]
    assert refused.status_code == 429 and "text/html" in refused.content_type
    assert int(refused.headers["Retry-After"]) > 0


def test_personal_pages_and_exports_are_never_cached_and_public_ones_revalidate(app, client):
    world = _staff(app, client)
    slug = world.project.slug
    with app.test_request_context():
        staff_page = url_for("facilitators.project_page", slug=slug)
        export = url_for("facilitators.export", slug=slug, what="observations", fmt="csv")
        public_map = url_for("public.project_map", slug=slug)
    assert client.get(staff_page).headers["Cache-Control"] == "private, no-store"
    response = client.get(export)
    response.get_data()
    response.close()
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    visitor = app.test_client()
    assert visitor.get(public_map).headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"form": {"key": "marche_exploratoire", "version": 1e400}}', "NaN"],
    ids=["nested", "huge-number", "nan"],
)
def test_malformed_json_bodies_get_the_usual_invalid_json_answer(app, client, body):
    from tests.webapp.capture_support import make_walk
    from webapp.services import participants

    _, token = participants.add_participant(make_walk())
    with app.test_request_context():
        path = url_for("api.create_observation")
    response = client.post(
        path, data=body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422, response.status_code
    answer = response.get_json()
    assert answer["error"] == "validation_error"
    assert answer["details"]["_payload"][0]["code"] == "wrong_type"


def test_an_unreachable_database_answers_503_with_retry_after(tmp_path):
    from tests.conftest import make_app

    app = make_app("postgresql+psycopg://nobody:x@127.0.0.1:9/none", tmp_path)
    client = FlaskClient(app, app.response_class, use_cookies=True)
    api = client.get(url("api.my_walk", app=app), headers={"Authorization": "Bearer x"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"] == "service_unavailable"
    page = client.get(url("public.healthz", app=app), headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"


def test_a_database_outage_is_logged_once_not_per_request(tmp_path, caplog):
    import logging

    from tests.conftest import make_app

    app = make_app("postgresql+psycopg://nobody:x@127.0.0.1:9/none", tmp_path)
    client = FlaskClient(app, app.response_class, use_cookies=True)
    with caplog.at_level(logging.INFO):
        statuses = [client.get("/healthz").status_code for _ in range(20)]
    assert statuses == [503] * 20
    lines = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(lines) <= 1, [r.getMessage() for r in lines]
    assert not any(r.exc_info for r in caplog.records), "no traceback for a passing outage"
