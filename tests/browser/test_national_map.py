"""The national map in headless Chromium at 1366 and 1920 px: cells with their counts at the national
view, finer cells fetched when zooming in, no outside request, no serious axe-core violation.
Screenshots go to ``test-artifacts/national-map-*.png``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import axe_violations
from tests.webapp.support import PASSWORD, url

pytestmark = pytest.mark.browser

ADMIN = "admin-nationale@example.org"
#: Cities and how many validated observations each gets (spread over a few kilometres).
CITIES = [("Amiens", 2.30, 49.89, 40), ("Lyon", 4.84, 45.76, 25), ("Marseille", 5.37, 43.30, 12)]
DRAWN = "() => Number(document.getElementById('national-map').dataset.drawn || 0) > 0"
#: Page coordinates of the centre of the cell with the biggest count.
BIGGEST_CELL = """() => {
  const cells = [...document.querySelectorAll('.national-cell span')];
  cells.sort((a, b) => Number(b.textContent) - Number(a.textContent));
  const box = cells[0].parentElement.getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.factories import WalkFactory
    from webapp.extensions import db
    from webapp.services import accounts, observations

    app = live_server.app
    with app.app_context():
        for _name, lon, lat, count in CITIES:
            walk = WalkFactory()
            for i in range(count):
                observations.record_observation(
                    walk,
                    client_uuid=uuid.uuid4(),
                    lon=lon + (i % 7) * 0.03,
                    lat=lat + (i // 7) * 0.02,
                    theme="eclairage",
                    polarity="negative",
                    form_key="marche_exploratoire",
                    form_version=1,
                    note="",
                    moderation_status="validated",
                    captured_at=datetime(2026, 3, 12, 19, 0, tzinfo=UTC),
                )
        accounts.create_user(email=ADMIN, password=PASSWORD, display_name="Admin", is_admin=True)
        db.session.commit()
        return {
            "login": url("auth.login", app=app),
            "page": url("administration.national_map_page", app=app),
            "api": url("administration.national_map_cells", app=app),
        }


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def screen(browser: Browser, live_server, request) -> Iterator[tuple[BrowserContext, list[str], int]]:  # type: ignore[no-untyped-def]
    width, height = request.param
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    outside: list[str] = []
    own = urlsplit(live_server.url).netloc

    def guard(route):  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context, outside, width
    context.close()


def _signed_in(context: BrowserContext, base: str, world: dict[str, str]) -> Page:
    page = context.new_page()
    page.goto(base + world["login"])
    page.get_by_label("Adresse électronique").fill(ADMIN)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


def test_the_national_map_shows_cells_and_zooming_in_fetches_finer_ones(
    screen, live_server, world, artifacts: Path
) -> None:  # type: ignore[no-untyped-def]
    context, outside, width = screen
    page = _signed_in(context, live_server.url, world)
    asked: list[str] = []
    page.on("response", lambda r: asked.append(r.url) if urlsplit(r.url).path == world["api"] else None)
    page.goto(live_server.url + world["page"])
    page.wait_for_function(DRAWN)
    first = context.request.get(asked[0]).json()
    assert first["kind"] == "cells"
    counts = page.locator(".national-cell span").all_inner_texts()
    # Every city is one cell at the national view, with its count written in it.
    assert sorted(int(c) for c in counts) == sorted(n for *_rest, n in CITIES)
    assert "observations validées dans la vue" in page.locator("#national-status").inner_text()
    page.screenshot(path=str(artifacts / f"national-map-{width}.png"), full_page=True)
    assert axe_violations(page) == []

    # Double-click on the biggest cell (Amiens) four times: Leaflet zooms in around that point.
    for step in range(1, 5):
        x, y = page.evaluate(BIGGEST_CELL)
        page.mouse.dblclick(x, y)
        page.wait_for_function(
            f"() => Number(document.getElementById('national-map').dataset.zoom) >= {first['zoom'] + step}"
        )
    assert page.locator(".national-cell").count() >= 2  # Amiens now in several finer cells
    last = context.request.get(asked[-1]).json()
    assert last["zoom"] >= first["zoom"] + 4
    assert last["cell"] <= first["cell"] / 16
    page.screenshot(path=str(artifacts / f"national-map-{width}-zoomed.png"), full_page=True)
    assert outside == []


def test_the_page_reflows_at_320_px(browser: Browser, live_server, world) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    try:
        page = _signed_in(context, live_server.url, world)
        page.goto(live_server.url + world["page"])
        page.wait_for_function(DRAWN)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
