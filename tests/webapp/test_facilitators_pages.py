"""Facilitators' pages: maps and summaries with filters, no outside host, CSP nonces, bad input handled."""

from __future__ import annotations

import re

import pytest

from geodata.assets import find_external_urls
from tests.webapp.factories_debrief import build_world, login


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _pages(w) -> list[str]:  # type: ignore[no-untyped-def]
    slug = w.project.slug
    return [
        "/facilitators/",
        f"/facilitators/{slug}/",
        f"/facilitators/{slug}/?theme=eclairage&time_slot=night&moderation=all",
        f"/facilitators/{slug}/walks/{w.day.id}/",
        f"/facilitators/{slug}/walks/{w.day.id}/moderation?status=all",
        f"/facilitators/{slug}/walks/{w.day.id}/debrief",
        f"/facilitators/{slug}/report",
        f"/facilitators/{slug}/report?walk_id={w.night.id}",
        "/auth/login",
    ]


def test_no_rendered_page_references_an_outside_host(world, client):
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert find_external_urls(response.get_data(as_text=True)) == [], url


def test_every_script_carries_the_nonce_of_the_csp(world, client):
    response = client.get(f"/facilitators/{world.project.slug}/")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_participant_text_is_escaped_in_pages(world, client):
    for url in _pages(world)[1:]:
        body = client.get(url + ("&" if "?" in url else "?") + "moderation=all").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, url
    assert "Projet &lt;débrief&gt;" in client.get(f"/facilitators/{world.project.slug}/").get_data(
        as_text=True
    )


def test_filters_select_what_the_map_and_summary_show(world, client):
    slug = world.project.slug
    body = client.get(f"/facilitators/{slug}/?theme=eclairage&time_slot=night").get_data(as_text=True)
    assert "<strong>2</strong> observations" in body
    body = client.get(f"/facilitators/{slug}/?theme=harcelement").get_data(as_text=True)
    assert "<strong>2</strong> observations" in body
    assert "heatLayer" in body  # harassment heatmap


def test_unknown_filter_values_give_a_clear_page(world, client):
    response = client.get(
        f"/facilitators/{world.project.slug}/?theme=%3Cx%3E&polarity=nope&walk_id=99999&date_to=x"
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Thème inconnu ignoré" in body and "Marche inconnue ignorée" in body and "Date invalide" in body


def test_empty_walk_shows_its_route_and_a_message(world, client):
    from datetime import date

    from webapp.services import walks

    empty = walks.create_walk(
        world.project,
        title="Vide",
        walk_date=date(2026, 4, 1),
        route=[(2.29, 49.89), (2.30, 49.90)],
        stops=[("A", (2.29, 49.89))],
    )
    for url in (
        f"/facilitators/{world.project.slug}/walks/{empty.id}/",
        f"/facilitators/{world.project.slug}/walks/{empty.id}/debrief",
        f"/facilitators/{world.project.slug}/walks/{empty.id}/moderation",
        f"/facilitators/{world.project.slug}/report?walk_id={empty.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Aucune observation" in client.get(
        f"/facilitators/{world.project.slug}/walks/{empty.id}/"
    ).get_data(as_text=True)


def test_walk_of_another_project_is_not_found(world, client):
    other = build_world(facilitator_email="x@example.org")
    assert client.get(f"/facilitators/{world.project.slug}/walks/{other.day.id}/").status_code == 404


def test_tiles_setting_none_keeps_data_layers(world, client, app):
    app.config["TILES"] = "none"
    try:
        body = client.get(f"/facilitators/{world.project.slug}/walks/{world.day.id}/").get_data(as_text=True)
    finally:
        app.config["TILES"] = "osm"
    assert "L.tileLayer" not in body and "L.geoJSON(" in body


def test_project_page_opens_on_walks_with_pending_counts_and_actions(app, client):
    from tests.webapp.factories_debrief import build_world, login
    from tests.webapp.forms_support import url

    world = build_world()
    login(client)
    html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    walks_at, exports_at, map_at = (
        html.index('id="marches"'),
        html.index('id="exports"'),
        html.index('id="carte"'),
    )
    assert walks_at < exports_at < map_at
    moderate = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id)
    assert f'href="{moderate}">Modérer (1)</a>' in html  # the day walk's pending observation
    assert (
        url("facilitators.report", slug=world.project.slug, walk_id=world.day.id).replace("&", "&amp;")
        in html
    )


def test_open_walk_page_shows_its_pending_observations_by_default(app, client):
    from tests.webapp.factories_debrief import build_world, login
    from tests.webapp.forms_support import url
    from webapp.extensions import db

    world = build_world()
    login(client)
    page = url("facilitators.walk_page", slug=world.project.slug, walk_id=world.day.id)
    world.day.status = "closed"
    db.session.flush()
    assert "Jardin partag" not in client.get(page).get_data(as_text=True)
    world.day.status = "open"
    db.session.flush()
    assert "Jardin partag" in client.get(page).get_data(as_text=True)
    assert "Jardin partag" not in client.get(page + "?moderation=validated").get_data(as_text=True)
