"""The debrief on a projector (1920×1080) and a laptop (1366×768), in headless Chromium.

The room view steps through every stop with the keyboard, and the map beside the cards follows the
stop; no pending observation and no text of a sensitive theme is on the screen; type is at least
24 px at 1920; the stop navigation stays in view; axe-core finds no serious or critical violation.
Screenshots go to ``test-artifacts/debrief-projector-<width>*.png``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.support import axe_violations as _axe

pytestmark = pytest.mark.browser

EMAIL = "projecteur@example.org"
SCREENS = [(1920, 1080), (1366, 768)]

MAP_VIEW = """() => {
  const el = document.querySelector('#debrief .folium-map');
  const map = window[el.id];
  const c = map.getCenter();
  return {lat: c.lat, lng: c.lng, zoom: map.getZoom()};
}"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import ROWS, build_world

    with live_server.app.app_context():
        w = build_world(facilitator_email=EMAIL)
        with live_server.app.test_request_context():
            urls = {
                "login": url_for("auth.login"),
                "debrief": url_for("facilitators.debrief", slug=w.project.slug, walk_id=w.day.id),
                "prepare": url_for(
                    "facilitators.debrief", slug=w.project.slug, walk_id=w.day.id, preparation=1
                ),
                "report": url_for("facilitators.report", slug=w.project.slug, walk_id=w.day.id),
            }
        day = [row for row in ROWS if row[0] == "day"]
        return {
            **urls,
            "pending_note": next(r[9] for r in day if r[8] == "pending"),
            "sensitive_note": next(r[9] for r in day if r[3] == "harcelement"),
            "stops": len(w.day.stops),
        }


@pytest.fixture
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


def _login(page: Page, base: str, world) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + world["login"])
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()


def _inside(view: dict, bounds: list[list[float]], slack: float = 1e-4) -> bool:
    (south, west), (north, east) = bounds
    return south - slack <= view["lat"] <= north + slack and west - slack <= view["lng"] <= east + slack


@pytest.mark.parametrize("screen", SCREENS, indirect=True, ids=["1920", "1366"])
def test_room_view_steps_through_stops_with_its_map_and_hides_what_the_room_must_not_see(  # type: ignore[no-untyped-def]
    screen, live_server, world, artifacts: Path
) -> None:
    context, outside = screen
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    width = page.viewport_size["width"]
    _login(page, live_server.url, world)
    page.goto(live_server.url + world["debrief"])
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    # Once loaded (the browser's own scroll to the step in the address included), the overview's
    # heading shows below the sticky stop navigation, not under it.
    clear = _heading_clear(page)
    assert clear["step"] == "overview" and clear["heading"] >= clear["nav"], clear
    # The overview shows the walk's data as large as the map allows beside its legend, not a level
    # further out.
    first = page.evaluate(OVERVIEW)
    assert first["zoom"] >= first["fits"], first

    # Full width, map beside the cards.
    stage = page.locator(".debrief-stage").bounding_box()
    assert stage["width"] >= width - 80
    map_box = page.locator(".debrief-map").bounding_box()
    steps_box = page.locator(".debrief-steps").bounding_box()
    assert map_box["x"] + map_box["width"] <= steps_box["x"]
    assert map_box["width"] >= 0.3 * width

    seen = []
    for i in range(world["stops"]):
        page.keyboard.press("ArrowRight")
        step = page.locator(f"#step-{i + 1}")
        expect(step).to_be_visible()
        expect(page.locator("#debrief")).to_have_attribute("data-map-step", f"step-{i + 1}")
        clear = _heading_clear(page)
        assert clear["step"] == f"step-{i + 1}" and clear["heading"] >= clear["nav"], clear
        bounds = json.loads(step.get_attribute("data-bounds"))
        view = _settled_view(page, bounds)
        assert _inside(view, bounds), (i + 1, view, bounds)
        seen.append(view)
        text = page.locator("#debrief").inner_text()
        assert world["pending_note"] not in text
        assert world["sensitive_note"] not in text
        if step.locator(".obs-card .note").count():
            size = step.locator(".obs-card .note").first.evaluate(
                "e => parseFloat(getComputedStyle(e).fontSize)"
            )
            if width >= 1920:
                assert size >= 24
        page.screenshot(path=str(artifacts / f"debrief-projector-{width}-stop{i + 1}.png"))
    assert len({(v["lat"], v["lng"], v["zoom"]) for v in seen}) == world["stops"]  # the map moved each time

    # Back to the overview: the first view again.
    page.keyboard.press("Home")
    expect(page.locator("#debrief")).to_have_attribute("data-map-step", "overview")
    again = page.evaluate(OVERVIEW)
    assert (again["zoom"], again["center"]) == (first["zoom"], first["center"]), (first, again)

    # Stop 1: the harassment report is counted, not quoted; one problem reads in the singular.
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    first = page.locator("#step-1")
    expect(first.locator(".card-group.sensitive")).to_contain_text("1 signalement")
    expect(first.locator(".card-group.sensitive .obs-card")).to_have_count(0)
    expect(first.locator(".card-group h3").first).to_contain_text("1 problème")
    expect(first.locator(".card-group h3").first).not_to_contain_text("1 problèmes")
    before = int(first.locator("output.votes").first.inner_text())
    first.get_by_role("button", name="+1 gommette pour l'observation").first.click()
    expect(first.locator("output.votes").first).to_have_text(str(before + 1))

    # The stop navigation stays in view at the bottom of a long page.
    page.keyboard.press("End")
    page.mouse.wheel(0, 5000)
    nav = page.locator(".steps-nav").bounding_box()
    assert 0 <= nav["y"] < 80
    assert _axe(page) == []
    page.keyboard.press("Home")
    assert _axe(page) == []
    page.screenshot(path=str(artifacts / f"debrief-projector-{width}-overview.png"))

    # A link to one stop (as the address bar keeps it) opens on that stop, its heading in view; an
    # address changed in place shows the stop it names.
    page.goto("about:blank")
    page.goto(live_server.url + world["debrief"] + "#step-2")
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    clear = _heading_clear(page)
    assert clear["step"] == "step-2" and clear["heading"] >= clear["nav"], clear
    page.evaluate("() => { location.hash = '#step-1'; }")
    expect(page.locator("#debrief")).to_have_attribute("data-map-step", "step-1")
    clear = _heading_clear(page)
    assert clear["step"] == "step-1" and clear["heading"] >= clear["nav"], clear

    # The team's preparation view shows what waits for moderation, marked so.
    page.goto(live_server.url + world["prepare"])
    for _ in range(world["stops"]):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    expect(page.get_by_text(world["pending_note"])).to_have_count(1)

    # The walk's restitution report, as the room would print it.
    page.goto(live_server.url + world["report"])
    page.screenshot(path=str(artifacts / f"report-{width}.png"), full_page=True)
    assert outside == [] and errors == [], (outside, errors)


#: The map's view, and the zoom at which the walk's route and points fit with room for the legend.
OVERVIEW = """() => {
  const el = document.querySelector('.folium-map');
  const map = window[el.id];
  let data = null;
  const add = (b) => { data = data ? data.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); };
  map.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker) {
      const p = layer.feature && layer.feature.properties;
      if (!(p && p._tc)) add(L.latLngBounds(layer.getLatLng(), layer.getLatLng()));  // not a label
    } else if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
      add(layer.getBounds());
    }
  });
  const legend = el.querySelector('.map-legend');
  const room = L.point(legend.offsetWidth + 44, legend.offsetHeight + 44);
  const c = map.getCenter();
  const fits = map.getBoundsZoom(data, false, room);
  return {zoom: map.getZoom(), center: [c.lat.toFixed(6), c.lng.toFixed(6)], fits: fits};
}"""


def _heading_clear(page: Page) -> dict:  # type: ignore[type-arg]
    """The step shown, the bottom of the stop navigation and the top of the step's heading (pixels)."""
    return page.evaluate(
        """() => {
          const step = [...document.querySelectorAll('section.step')].find((s) => !s.hidden);
          return {
            step: step.id,
            nav: document.querySelector('.steps-nav').getBoundingClientRect().bottom,
            heading: step.querySelector('h2').getBoundingClientRect().top,
          };
        }"""
    )


def _settled_view(page: Page, bounds, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    """The map's view once it shows the stop, or the last one seen after ``seconds`` (a busy machine
    may deliver a late resize that Leaflet answers after the key press)."""
    deadline = time.monotonic() + seconds
    view = page.evaluate(MAP_VIEW)
    while not _inside(view, bounds) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        view = page.evaluate(MAP_VIEW)
    return view
