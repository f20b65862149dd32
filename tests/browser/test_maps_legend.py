"""Maps whose data shows, in headless Chromium at 1920×1080 and 1366×768.

On the project, walk, partner, public and embed maps, at first display: the legend's box does not
intersect the bounding box of the observation points, the legend is folded below 1400 px, the
scale is metric, the zoom and layer controls are named in French, quartier names are on the map;
axe-core finds no serious or critical violation. Screenshots go to ``test-artifacts/maps-*.png``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.support import axe_violations as _axe
from tests.browser.support import open_popup

pytestmark = pytest.mark.browser

STAFF = "anim-cartes@example.org"
PARTNER = "partenaire-a@example.org"

#: Legend box and the bounding box of the observation points, both in page pixels.
BOXES = """() => {
  const el = document.querySelector('.folium-map');
  const map = window[el.id];
  const frame = el.getBoundingClientRect();
  let xs = [], ys = [];
  map.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker && layer.feature && !layer.feature.properties._tp) {
      const p = map.latLngToContainerPoint(layer.getLatLng());
      xs.push(frame.left + p.x); ys.push(frame.top + p.y);
    }
  });
  const legend = el.querySelector('.map-legend').getBoundingClientRect();
  return {
    points: xs.length
      ? {left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys)}
      : null,
    legend: {left: legend.left, right: legend.right, top: legend.top, bottom: legend.bottom},
    open: el.querySelector('.map-legend').open,
    n: xs.length,
  };
}"""


#: The maps' permanent labels as drawn: each one's shadow, and the stops' shape and size.
LABELS = """() => ({
  labels: [...document.querySelectorAll('.leaflet-tooltip.map-label')]
    .map((t) => getComputedStyle(t).boxShadow),
  stops: [...document.querySelectorAll('.leaflet-tooltip.stop-label')].map((t) => ({
    radius: getComputedStyle(t).borderTopLeftRadius, width: t.offsetWidth, height: t.offsetHeight,
  })),
})"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.test_partners import build_partner_world
    from webapp.extensions import db
    from webapp.services import observations

    app = live_server.app
    with app.app_context():
        pw = build_partner_world(facilitator_email=STAFF, prefix="cartes-")
        pw.world.project.public_map = True
        # Points far west and in the south-east corner, where the legend sits: data wider than tall.
        for lon, lat in ((2.250, 49.915), (2.3125, 49.8885)):
            observations.record_observation(
                pw.world.day,
                client_uuid=uuid.uuid4(),
                lon=lon,
                lat=lat,
                theme="eclairage",
                polarity="negative",
                form_key="marche_exploratoire",
                form_version=1,
                note="Coin sud-est",
                moderation_status="validated",
                captured_at=datetime(2026, 3, 12, 19, 0, tzinfo=UTC),
            )
        db.session.commit()
        slug, walk = pw.slug, pw.world.day.id
        with app.test_request_context():
            return {
                "staff": {
                    "project": url_for("facilitators.project_page", slug=slug),
                    "walk": url_for("facilitators.walk_page", slug=slug, walk_id=walk),
                },
                "partner": {"partner": url_for("partners.project_page", slug=slug)},
                "public": {
                    "public": url_for("public.project_map", slug=slug),
                    "embed": url_for("public.project_map_embed", slug=slug),
                },
                "login": url_for("auth.login"),
            }


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def screen(browser: Browser, live_server, request) -> Iterator[tuple[BrowserContext, list[str]]]:  # type: ignore[no-untyped-def]
    width, height = request.param
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    outside: list[str] = []
    own = urlsplit(live_server.url).netloc

    def guard(route):  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc in (own, "") or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context, outside
    context.close()


def _login(page: Page, base: str, url: str, email: str) -> None:
    page.goto(base + url)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()


def _check_map(page: Page, name: str, width: int, artifacts: Path) -> None:
    page.wait_for_function("() => document.querySelector('.folium-map .map-legend') !== null")
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    boxes = page.evaluate(BOXES)
    assert boxes["n"] > 0, name
    pts, leg = boxes["points"], boxes["legend"]
    apart = (
        leg["left"] > pts["right"]
        or leg["right"] < pts["left"]
        or leg["top"] > pts["bottom"]
        or leg["bottom"] < pts["top"]
    )
    assert apart, (name, boxes)
    assert boxes["open"] is (width >= 1400), (name, boxes)
    scale = page.locator(".leaflet-control-scale-line").first.inner_text()
    assert scale.endswith((" m", " km")), scale
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoomer"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Dézoomer"
    assert page.locator(".leaflet-control-layers-toggle").get_attribute("title") == "Couches de la carte"
    expect(page.locator(".leaflet-tooltip.zone-label").first).to_be_visible()
    # The app's label styles win over Leaflet's tooltip (loaded after them): no tooltip shadow, and a
    # stop's number drawn as a ringed disc the size of its marker.
    labels = page.evaluate(LABELS)
    assert labels["labels"] and all(shadow == "none" for shadow in labels["labels"]), (name, labels)
    if name == "walk":
        assert labels["stops"], (name, labels)
    for stop in labels["stops"]:
        assert stop["radius"] == "50%" and abs(stop["width"] - stop["height"]) < 1, (name, stop)
        assert stop["width"] <= 30, (name, stop)
    page.locator(".folium-map").screenshot(path=str(artifacts / f"maps-{name}-{width}.png"))
    assert _axe(page) == [], name


def test_every_map_shows_its_data_clear_of_the_legend(screen, live_server, world, artifacts) -> None:  # type: ignore[no-untyped-def]
    context, outside = screen
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    width = page.viewport_size["width"]
    base = live_server.url
    for name, url in world["public"].items():
        page.goto(base + url)
        _check_map(page, name, width, artifacts)
    _login(page, base, world["login"], STAFF)
    for name, url in world["staff"].items():
        page.goto(base + url)
        _check_map(page, name, width, artifacts)
        page.screenshot(path=str(artifacts / f"maps-page-{name}-{width}.png"), full_page=True)
    partner = context.browser.new_context(locale="fr-FR", viewport=page.viewport_size)
    try:
        ppage = partner.new_page()
        _login(ppage, base, world["login"], "cartes-" + PARTNER)
        ppage.goto(base + world["partner"]["partner"])
        _check_map(ppage, "partner", width, artifacts)
    finally:
        partner.close()
    assert outside == [] and errors == [], (outside, errors)


def test_a_popup_names_walk_date_and_links_to_moderation(live_server, world, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], STAFF)
        page.goto(live_server.url + world["staff"]["walk"])
        page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
        open_popup(page, polarity="negative")
        expect(page.locator(".leaflet-popup-content .obs-popup .walk")).to_be_visible()
        html = page.locator(".leaflet-popup-content .obs-popup").inner_html()
        assert "Marche de jour" in html and "12/03/2026" in html
        assert "en modération" in html and "moderation" in html
    finally:
        context.close()
