"""A partner in headless Chromium: sign in, read the project map, answer a recommendation; then the
public follow-up page shows the new status.

Runs on a phone-sized screen against the live server of ``tests/browser/conftest.py`` (tiles off: the
map must show its data without them). Any request to another host is aborted and fails the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import CONTEXT_ARGS
from tests.webapp.support import url

pytestmark = pytest.mark.browser

#: Markers of observations (circle markers of a GeoJSON layer, not the stops' labels).
COUNT_MARKERS = """() => {
  const map = window[document.querySelector('.folium-map').id];
  let n = 0;
  map.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker && layer.feature && !layer.feature.properties._tp) { n += 1; }
  });
  return n;
}"""
#: Squares of harassment reports, with their counts.
CELL_COUNTS = """() => {
  const map = window[document.querySelector('.folium-map').id];
  const out = [];
  map.eachLayer((layer) => {
    if (layer instanceof L.Polygon && layer.feature && layer.feature.properties.cell) {
      out.push(layer.feature.properties.count);
    }
  });
  return out;
}"""
#: Three harassment reports in one 200 m cell (Lambert-93 x 649000-649200, y 6978400-6978600).
CLUSTER = [(2.291152, 49.903554), (2.292829, 49.902684), (2.292568, 49.903818)]


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.test_partners import build_partner_world
    from webapp.extensions import db
    from webapp.services import observations

    with live_server.app.app_context():
        pw = build_partner_world(facilitator_email="anim-partenaires@example.org")
        pw.world.project.public_followup = True
        pw.world.project.public_map = True
        for lon, lat in CLUSTER:
            observations.record_observation(
                pw.world.night,
                client_uuid=uuid.uuid4(),
                lon=lon,
                lat=lat,
                theme="harcelement",
                polarity="negative",
                form_key="marche_exploratoire",
                form_version=1,
                note="Ne doit jamais apparaître",
                moderation_status="validated",
                captured_at=datetime(2026, 3, 20, 21, 0, tzinfo=UTC),
            )
        db.session.commit()
        return {"slug": pw.slug, "rec": pw.rec_a.id, "title": pw.rec_a.title, "org": pw.org_a.name}


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, list[str]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(**CONTEXT_ARGS)
    context.set_default_timeout(15_000)
    outside: list[str] = []
    own = urlsplit(live_server.url).netloc

    def guard(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).netloc in (own, "") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    yield context, outside
    context.close()


def test_a_partner_answers_and_the_public_follow_up_shows_it(phone, browser, live_server, world, artifacts):  # type: ignore[no-untyped-def]
    context, outside = phone
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base, slug = live_server.url, world["slug"]

    # 1. Sign in: the partner space asks for it and comes back afterwards.
    page.goto(base + url("partners.index", app=live_server.app))
    page.get_by_label("Adresse électronique").fill("partenaire-a@example.org")
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()

    # 2. The project map: validated observations as markers, harassment only as a counted square.
    page.get_by_role("link", name="Projet <débrief>").click()
    expect(page.locator(".map-legend")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    assert page.evaluate(COUNT_MARKERS) == 5
    assert page.evaluate(CELL_COUNTS) == [3]
    expect(page.locator("#partner-map .leaflet-tooltip")).to_contain_text(["3"])
    assert "Ne doit jamais apparaître" not in page.content()
    page.locator("#partner-map").screenshot(path=str(artifacts / "partner-map.png"))
    page.screenshot(path=str(artifacts / "partner-project.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # 3. Answer the recommendation addressed to the partner's organisation.
    page.get_by_role("link", name="Préconisations").first.click()
    page.get_by_role("link", name=world["title"]).click()
    expect(page.locator("#status")).to_contain_text("Proposée")
    page.get_by_label("Nouveau statut").select_option(label="Acceptée")
    page.get_by_label("Commentaire").fill("Les lampadaires seront changés en mai.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.locator(".flash.ok")).to_contain_text("réponse est enregistrée")
    expect(page.locator("#status")).to_contain_text("Acceptée")
    expect(page.locator(".timeline")).to_contain_text("Les lampadaires seront changés en mai.")
    page.screenshot(path=str(artifacts / "partner-recommendation.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # 4. Anyone (no account) sees the new status on the project's public follow-up page.
    public = browser.new_context(**CONTEXT_ARGS)
    try:
        visitor = public.new_page()
        visitor.goto(base + url("public.followup", app=live_server.app, slug=slug))
        card = visitor.locator(f"#preconisation-{world['rec']}")
        expect(card.locator(".reco-status")).to_contain_text("Acceptée")
        expect(card).to_contain_text(world["org"])
        expect(card.locator(".timeline")).to_contain_text("Les lampadaires seront changés en mai.")
        assert "partenaire-a@example.org" not in visitor.content()
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
        visitor.screenshot(path=str(artifacts / "public-followup.png"), full_page=True)
        # The public map follows the same rules.
        visitor.goto(base + url("public.project_map", app=live_server.app, slug=slug))
        visitor.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
        assert visitor.evaluate(COUNT_MARKERS) == 5
        assert visitor.evaluate(CELL_COUNTS) == [3]
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        public.close()

    assert outside == [], outside
    assert errors == [], errors
