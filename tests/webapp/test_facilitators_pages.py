"""Facilitators' pages: maps and summaries with filters, no outside host, CSP nonces, bad input handled."""

from __future__ import annotations

import re

import pytest

from geodata.assets import find_external_urls
from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _pages(w) -> list[str]:  # type: ignore[no-untyped-def]
    slug = w.project.slug
    return [
        url("facilitators.index"),
        url("facilitators.project_page", slug=slug),
        url("facilitators.project_page", slug=slug, theme="eclairage", time_slot="night", moderation="all"),
        url("facilitators.walk_page", slug=slug, walk_id=w.day.id),
        url("facilitators.moderation_queue", slug=slug, walk_id=w.day.id, status="all"),
        url("facilitators.debrief", slug=slug, walk_id=w.day.id),
        url("facilitators.report", slug=slug),
        url("facilitators.report", slug=slug, walk_id=w.night.id),
        url("auth.login"),
    ]


def test_no_rendered_page_references_an_outside_host(world, client):
    for path in _pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        assert find_external_urls(response.get_data(as_text=True)) == [], path


def test_every_script_carries_the_nonce_of_the_csp(world, client):
    response = client.get(url("facilitators.project_page", slug=world.project.slug))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_participant_text_is_escaped_in_pages(world, client):
    for path in _pages(world)[1:]:
        body = client.get(path + ("&" if "?" in path else "?") + "moderation=all").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, path
    assert "Projet &lt;débrief&gt;" in client.get(
        url("facilitators.project_page", slug=world.project.slug)
    ).get_data(as_text=True)


def test_filters_select_what_the_map_and_summary_show(world, client):
    slug = world.project.slug
    body = client.get(
        url("facilitators.project_page", slug=slug, theme="eclairage", time_slot="night")
    ).get_data(as_text=True)
    assert "<strong>2</strong> observations" in body
    body = client.get(url("facilitators.project_page", slug=slug, theme="harcelement")).get_data(as_text=True)
    assert "<strong>2</strong> observations" in body
    assert "heatLayer" in body  # harassment heatmap


def test_unknown_filter_values_give_a_clear_page(world, client):
    response = client.get(
        url(
            "facilitators.project_page",
            slug=world.project.slug,
            theme="<x>",
            polarity="nope",
            walk_id="99999",
            date_to="x",
        )
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
    for path in (
        url("facilitators.walk_page", slug=world.project.slug, walk_id=empty.id),
        url("facilitators.debrief", slug=world.project.slug, walk_id=empty.id),
        url("facilitators.moderation_queue", slug=world.project.slug, walk_id=empty.id),
        url("facilitators.report", slug=world.project.slug, walk_id=empty.id),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Aucune observation" in client.get(
        url("facilitators.walk_page", slug=world.project.slug, walk_id=empty.id)
    ).get_data(as_text=True)


def test_walk_of_another_project_is_not_found(world, client):
    other = build_world(facilitator_email="x@example.org")
    assert (
        client.get(url("facilitators.walk_page", slug=world.project.slug, walk_id=other.day.id)).status_code
        == 404
    )


def test_tiles_setting_none_keeps_data_layers(world, client, app):
    app.config["TILES"] = "none"
    try:
        body = client.get(
            url("facilitators.walk_page", slug=world.project.slug, walk_id=world.day.id)
        ).get_data(as_text=True)
    finally:
        app.config["TILES"] = "osm"
    assert "L.tileLayer" not in body and "L.geoJSON(" in body


def test_staff_pages_load_staff_css_and_only_the_debrief_loads_debrief_css(world, client):
    slug = world.project.slug
    debrief = url("facilitators.debrief", slug=slug, walk_id=world.day.id)
    others = [
        url("facilitators.index"),
        url("facilitators.project_page", slug=slug),
        url("facilitators.walk_page", slug=slug, walk_id=world.day.id),
        url("facilitators.moderation_queue", slug=slug, walk_id=world.day.id),
        url("facilitators.settings", slug=slug),
        url("auth.account"),
        url("partners.project_page", slug=slug),
    ]
    for path in [debrief, *others]:
        page = client.get(path).get_data(as_text=True)
        assert "css/staff.css" in page, path
        assert ("css/debrief.css" in page) == (path == debrief), path


def test_project_page_opens_on_walks_with_pending_counts_and_actions(app, client):
    from tests.webapp.factories_debrief import build_world
    from tests.webapp.support import login, url

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
    from sqlalchemy import select

    from tests.webapp.factories_debrief import build_world
    from tests.webapp.support import login, map_rows, url
    from webapp.extensions import db
    from webapp.models import Observation

    world = build_world()
    login(client)
    pending = db.session.scalar(select(Observation.id).where(Observation.note.like("Jardin partag%")))
    page = url("facilitators.walk_page", slug=world.project.slug, walk_id=world.day.id)

    def ids(path: str) -> set[int]:
        return {row[4] for row in map_rows(client.get(path).get_data(as_text=True))}

    world.day.status = "closed"
    db.session.flush()
    assert pending not in ids(page)
    world.day.status = "open"
    db.session.flush()
    assert pending in ids(page)
    assert pending not in ids(page + "?moderation=validated")
