"""Staff forms are Flask-WTF classes: views read typed data, bounds and French messages live in the forms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import csrf_token, login, url
from webapp.services import moderation, privacy

ROOT = Path(__file__).resolve().parents[2]
#: The staff blueprints: their handlers read forms through form classes only.
STAFF_PACKAGES = ("webapp/facilitators", "webapp/partners", "webapp/auth")


def _hand_reads(path: Path) -> list[str]:
    """``request.form`` / ``request.files`` / ``request.values`` read directly in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("form", "files", "values")
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_staff_view_reads_the_request_form_by_hand() -> None:
    found = [
        hit
        for folder in STAFF_PACKAGES
        for p in sorted((ROOT / folder).glob("*.py"))
        for hit in _hand_reads(p)
    ]
    assert found == [], "read the form through its Flask-WTF class: " + ", ".join(found)


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _post(client, path: str, page: str, **data):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


@pytest.mark.parametrize("raw", ["0", "501", "²", "12abc", "99999999999999999999", ""])
def test_minors_count_out_of_bounds_is_refused_in_french(world, client, raw) -> None:
    slug, walk = world.project.slug, world.day
    page = url("facilitators.walk_page", slug=slug, walk_id=walk.id)
    answer = _post(
        client, url("facilitators.record_consent", slug=slug, walk_id=walk.id), page, minors_count=raw
    )
    assert answer.status_code == 422  # the walk page again, the count as typed in its consent form
    shown = answer.get_data(as_text=True)
    assert "Indiquez le nombre de mineurs : un nombre entier entre 1 et 500." in shown
    assert f'inputmode="numeric" value="{raw}"' in shown
    assert privacy.get_minors_consent(walk) is None


@pytest.mark.parametrize("raw", ["0", "121", "douze", "1e2"])
def test_retention_out_of_bounds_keeps_the_typed_value_and_the_stored_one(world, client, raw) -> None:
    slug = world.project.slug
    settings = url("facilitators.settings", slug=slug)
    answer = _post(client, settings, settings, retention_months=raw, public_map="1")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "La durée de conservation doit être un nombre entier de mois entre 1 et 120." in page
    assert f'value="{raw}"' in page
    assert world.project.retention_months == 24 and not world.project.public_map


def test_merge_takes_a_number_with_or_without_hash_and_refuses_anything_else(world, client) -> None:
    slug, duplicate, kept = world.project.slug, world.observations[4], world.observations[3]
    queue = url("facilitators.moderation_queue", slug=slug, walk_id=duplicate.walk_id, status="all")
    merge = url(
        "facilitators.moderate",
        slug=slug,
        walk_id=duplicate.walk_id,
        observation_id=duplicate.id,
        action="fusionner",
    )
    refused = _post(client, merge, queue, into="#douze")
    assert "Indiquez le numéro de l&#39;observation à garder." in client.get(refused.location).get_data(
        as_text=True
    )
    assert moderation.events_for(duplicate) == []
    _post(client, merge, queue, into=f"#{kept.id}")
    assert [e.action for e in moderation.events_for(duplicate)] == ["merge"]


def test_a_point_moves_with_a_french_decimal_comma(world, client) -> None:
    slug, obs = world.project.slug, world.observations[0]
    queue = url("facilitators.moderation_queue", slug=slug, walk_id=obs.walk_id, status="all")
    move = url(
        "facilitators.moderate", slug=slug, walk_id=obs.walk_id, observation_id=obs.id, action="deplacer"
    )
    _post(client, move, queue, lon="2,2951", lat="49,9052")
    (event,) = moderation.events_for(obs)
    assert event.changes["location"][1] == [2.2951, 49.9052]
    refused = _post(client, move, queue, lon="est", lat="49,9")
    assert "Coordonnées invalides." in client.get(refused.location).get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_moderation_goes_back_only_to_a_page_of_this_site(world, client, target) -> None:
    slug, obs = world.project.slug, world.observations[4]
    queue = url("facilitators.moderation_queue", slug=slug, walk_id=obs.walk_id, status="pending")
    validate = url(
        "facilitators.moderate", slug=slug, walk_id=obs.walk_id, observation_id=obs.id, action="valider"
    )
    answer = _post(client, validate, queue, next=target)
    assert answer.status_code == 302 and answer.location == queue
