"""Moderation on a map, in headless Chromium at 1920×1080 and 1366×768.

The queue sits beside the walk's map; three cards are validated at once; a card's point is shown
and moved by dragging its pin (the zone is re-assigned and the journal says so in French); axe-core
finds no serious or critical violation. Screenshots: ``test-artifacts/moderation-<width>*.png``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.support import axe_violations as _axe

pytestmark = pytest.mark.browser


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def setup(browser: Browser, live_server, request) -> Iterator[tuple[BrowserContext, dict]]:  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import build_world
    from webapp.extensions import db
    from webapp.services import observations

    width, height = request.param
    email = f"moderation-{width}@example.org"
    app = live_server.app
    with app.app_context():
        w = build_world(facilitator_email=email)
        pending = []
        for i, (lon, lat) in enumerate([(2.2951, 49.9052), (2.2962, 49.9061), (2.2943, 49.8961)]):
            pending.append(
                observations.record_observation(
                    w.day,
                    client_uuid=uuid.uuid4(),
                    lon=lon,
                    lat=lat,
                    theme="proprete",
                    polarity="negative",
                    form_key="marche_exploratoire",
                    form_version=1,
                    note=f"Dépôt sauvage {i}",
                    moderation_status="pending",
                    captured_at=datetime(2026, 3, 12, 18, 30 + i, tzinfo=UTC),
                ).id
            )
        w.observations[4].out_of_area = True  # its « Hors périmètre » badge must pass contrast
        db.session.commit()
        with app.test_request_context():
            urls = {
                "login": url_for("auth.login"),
                "queue": url_for("facilitators.moderation_queue", slug=w.project.slug, walk_id=w.day.id),
            }
        info = {**urls, "email": email, "pending": pending, "all": [*pending, w.observations[4].id]}
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    own = urlsplit(live_server.url).netloc
    outside: list[str] = []

    def guard(route):  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc in (own, "") or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    info["outside"] = outside
    yield context, info
    context.close()


def _status(app, obs_id: int) -> tuple[str, float, float, int | None]:  # type: ignore[no-untyped-def]
    from geoalchemy2.shape import to_shape

    from webapp.extensions import db
    from webapp.models import Observation

    with app.app_context():
        o = db.session.get(Observation, obs_id)
        p = to_shape(o.location)
        return o.moderation_status, p.x, p.y, o.zone_id


def test_queue_beside_its_map_validates_three_at_once_and_moves_a_point_by_dragging(  # type: ignore[no-untyped-def]
    setup, live_server, artifacts: Path
) -> None:
    context, info = setup
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    width = page.viewport_size["width"]
    base = live_server.url
    page.goto(base + info["login"])
    page.get_by_label("Adresse électronique").fill(info["email"])
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base + info["queue"])
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    queue_box = page.locator(".mod-queue").bounding_box()
    map_box = page.locator(".mod-map").bounding_box()
    assert queue_box["x"] + queue_box["width"] <= map_box["x"]  # side by side
    expect(page.locator(".card.obs")).to_have_count(4)
    assert _axe(page) == []
    page.screenshot(path=str(artifacts / f"moderation-{width}.png"))

    # Three at once.
    for obs_id in info["pending"]:
        page.get_by_label(f"Cocher l'observation {obs_id}").check()
    expect(page.locator("#bulk-count")).to_have_text("3")
    page.get_by_role("button", name="Valider la sélection").click()
    expect(page.locator(".flash.ok")).to_contain_text("3 observations validées.")
    assert [_status(live_server.app, i)[0] for i in info["pending"]] == ["validated"] * 3
    expect(page.locator(".card.obs")).to_have_count(1)

    # Show the remaining card's point, drag its pin north into the other quartier.
    card = page.locator(".card.obs").first
    obs_id = int(card.get_attribute("data-observation"))
    _, lon0, lat0, zone0 = _status(live_server.app, obs_id)
    card.get_by_role("button", name="Voir sur la carte").click()
    pin = page.locator(".leaflet-marker-icon")
    expect(pin).to_be_visible()
    # Zoom out so that the other quartier is on screen, then drop the pin 0.008° further north.
    target = page.evaluate(
        """([lon, lat]) => { const el = document.querySelector('.folium-map'); const map = window[el.id];
        map.setView([lat + 0.004, lon], 15, {animate: false});
        const r = el.getBoundingClientRect(); const p = map.latLngToContainerPoint([lat + 0.008, lon]);
        return [r.left + p.x, r.top + p.y]; }""",
        [lon0, lat0],
    )
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + (target[0] - x) * step / 10, y + (target[1] - y) * step / 10)
    page.mouse.up()
    expect(page.locator(".flash.ok")).to_contain_text("Déplacée")
    _, lon1, lat1, zone1 = _status(live_server.app, obs_id)
    assert lat1 > lat0 + 0.0005 and (lon1, lat1) != (lon0, lat0)
    assert zone1 != zone0
    page.goto(base + info["queue"] + "?status=all")
    journal = page.get_by_role("region", name="Journal de modération").locator("table")
    expect(journal).to_contain_text("Déplacée")
    expect(journal).to_contain_text("Zone : Sud → Nord")
    page.screenshot(path=str(artifacts / f"moderation-{width}-moved.png"), full_page=True)
    assert _axe(page) == []
    assert info["outside"] == [] and errors == [], (info["outside"], errors)
