"""Crafted requests answer as faults of the request (4xx with the usual message), never a 500 or a leak."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.webapp.factories_debrief import build_world, csrf_token, login
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
            action="validate",
        )
    for target in ("//evil.example/x", "/\t/evil.example/x"):
        response = client.post(
            action, data={"csrf_token": csrf_token(client, "/auth/compte"), "next": target}
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
            f"/facilitators/{slug}/walks/{raw}/",
            f"/facilitators/{slug}/walks/{raw}/moderation",
            f"/partenaires/{slug}/preconisations/{raw}",
        ):
            assert client.get(path).status_code == 404, path


def test_unicode_digits_in_staff_forms_are_refused_as_input(app, client):
    world = _staff(app, client)
    slug = world.project.slug
    observation = world.observations[4]
    token = csrf_token(client, "/auth/compte")
    with app.test_request_context():
        merge = url_for(
            "facilitators.moderate",
            slug=slug,
            walk_id=observation.walk_id,
            observation_id=observation.id,
            action="merge",
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
