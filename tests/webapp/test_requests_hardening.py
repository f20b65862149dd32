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
