"""The project maps ahead, in headless Chromium: popups fetched on click, theme filters on one layer.

On the team's project map, a click on a point asks the server for its fields (one small JSON
request) and the popup shows them; the legend's check box of a theme takes that theme's points off
the one observation layer and back. The partner map (fields in the page, popup built in the
browser) is checked at 360 px. Screenshots: ``test-artifacts/maps-ahead-*.png``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import pytest
from flask import url_for
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import MARKERS, axe_violations, open_popup

pytestmark = pytest.mark.browser

STAFF = "anim-ahead@example.org"
PARTNER = "ahead-partenaire-a@example.org"


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.test_partners import build_partner_world
    from webapp.extensions import db
    from webapp.services import observations

    app = live_server.app
    with app.app_context():
        pw = build_partner_world(facilitator_email=STAFF, prefix="ahead-")
        for i, (lon, lat) in enumerate(((2.2935, 49.9005), (2.2965, 49.9015), (2.2990, 49.8990))):
            observations.record_observation(
                pw.world.day,
                client_uuid=uuid.uuid4(),
                lon=lon,
                lat=lat,
                theme="proprete",
                polarity="positive",
                form_key="marche_exploratoire",
                form_version=1,
                feeling=4,
                note=f"Trottoir propre n° {i}",
                moderation_status="validated",
                captured_at=datetime(2026, 3, 12, 19, 0, tzinfo=UTC),
            )
        db.session.commit()
        with app.test_request_context():
            return {
                "project": url_for("facilitators.project_page", slug=pw.slug),
                "walk": url_for("facilitators.walk_page", slug=pw.slug, walk_id=pw.world.day.id),
                "partner": url_for("partners.project_page", slug=pw.slug),
                "login": url_for("auth.login"),
                "popup": url_for("facilitators.map_popup", slug=pw.slug, observation_id=0)[:-1],
            }


def _login(page: Page, base: str, url: str, email: str) -> None:
    page.goto(base + url)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()


@pytest.fixture(scope="module")
def staff_state(live_server, world, browser: Browser):  # type: ignore[no-untyped-def]
    """The team member's signed-in browser state, signed in once for the whole module: sign-ins are
    limited to 10 per account in 15 minutes, and the module's tests would go past it one by one."""
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], STAFF)
        return context.storage_state()
    finally:
        context.close()


def _settled(page: Page) -> None:
    page.wait_for_function("() => document.querySelector('.folium-map .map-legend') !== null")
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")


@pytest.mark.parametrize(("width", "where"), [(1366, "project"), (1920, "project"), (1366, "walk")])
def test_a_point_popup_is_fetched_when_clicked(
    live_server, world, staff_state, browser: Browser, artifacts, width, where
):  # type: ignore[no-untyped-def]
    """On the project page and on a walk's page (whose points come without any text in the page)."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 900}, storage_state=staff_state
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url + world[where])
        _settled(page)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if world["popup"] in r.url else None)
        open_popup(page, polarity="positive")
        # The fields arrive from the server: the walk's name and date, the feeling, the note.
        expect(page.locator(".leaflet-popup-content .obs-popup .walk")).to_be_visible()
        text = page.locator(".leaflet-popup-content .obs-popup").inner_text()
        assert len(asked) == 1, asked  # one small request, on click
        assert "Marche de jour" in text and "Ressenti" in text, text
        link = page.locator(".leaflet-popup-content .obs-popup a")
        assert "/moderation" in (link.get_attribute("href") or "")
        page.locator(".folium-map").screenshot(path=str(artifacts / f"maps-ahead-popup-{where}-{width}.png"))
        assert errors == []
    finally:
        context.close()


def test_a_theme_check_box_hides_its_points_and_brings_them_back(
    live_server, world, staff_state, browser: Browser, artifacts
):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1920, "height": 1080}, storage_state=staff_state
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + world["project"])
        _settled(page)
        box = page.get_by_role("checkbox", name="Propreté")
        theme = int(box.get_attribute("data-theme") or "-1")
        before = page.evaluate(MARKERS, [theme, None])
        others = page.evaluate(MARKERS, [None, None])
        assert len(before) >= 3
        box.uncheck()
        assert page.evaluate(MARKERS, [theme, None]) == []
        assert len(page.evaluate(MARKERS, [None, None])) == len(others) - len(before)
        page.locator(".folium-map").screenshot(path=str(artifacts / "maps-ahead-filtered-1920.png"))
        box.check()
        assert len(page.evaluate(MARKERS, [theme, None])) == len(before)
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_partner_map_at_360px_builds_popups_from_the_page(
    live_server, world, browser: Browser, artifacts
):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], PARTNER)
        page.goto(live_server.url + world["partner"])
        _settled(page)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/carte/observations/" in r.url else None)
        page.locator(".folium-map").scroll_into_view_if_needed()
        text = open_popup(page, polarity="positive")
        assert asked == []  # partner maps carry the fields, no id to ask for
        assert "Atout" in text and ("Trottoir propre" in text or "Ressenti" in text), text
        page.screenshot(path=str(artifacts / "maps-ahead-partner-360.png"), full_page=False)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


#: Every static file the page loaded: (URL, bytes that came over the network, headers included).
STATIC_LOADED = """() => performance.getEntriesByType('resource')
  .filter((r) => new URL(r.name).pathname.startsWith('/static/'))
  .map((r) => [new URL(r.name).pathname, r.transferSize])"""


def test_a_map_page_seen_again_asks_nothing_for_its_files(
    live_server, world, staff_state, browser: Browser, artifacts, caplog
):  # type: ignore[no-untyped-def]
    """Seen again — at 1366 and 1920 px, then on a phone's 360 px —, the project page takes every style
    sheet, script and image from the browser's cache without asking the server (before, each was
    checked again: seven to ten round trips per page)."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1366, "height": 900}, storage_state=staff_state
    )
    try:
        page = context.new_page()
        target = live_server.url + world["project"]
        page.goto(target)
        _settled(page)
        first = page.evaluate(STATIC_LOADED)
        assert first and all("/static/v/" in path for path, _size in first), first
        for width in (1366, 1920, 360):
            page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
            with caplog.at_level(logging.INFO, logger="werkzeug"):
                caplog.clear()
                page.goto(target)
                _settled(page)
                # what the live server was asked (its access log), not what the browser's cache answered;
                # not the favicon, which Chromium fetches on its own schedule, outside the page (the
                # first visit's can arrive during the second: seen once in a fresh clone's run)
                asked = [
                    r.getMessage()
                    for r in caplog.records
                    if "/static/" in r.getMessage() and "favicon" not in r.getMessage()
                ]
            again = page.evaluate(STATIC_LOADED)
            names = {path.rsplit("/", 1)[-1] for path, _size in again}
            # the map's scripts and style sheets, and an image a style sheet names by a relative URL
            assert {"leaflet.js", "leaflet.css", "staff.css"} <= names, names
            assert names & {"layers.png", "icon-fullscreen.svg"}, names
            assert all("/static/v/" in path for path, _size in again), again
            assert [(path, size) for path, size in again if size != 0] == [], width
            assert asked == [], (width, asked)
            page.screenshot(path=str(artifacts / f"maps-ahead-seen-again-{width}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_summary_below_the_map_is_shown_after_its_first_frame_or_without_javascript(
    live_server, world, staff_state, browser: Browser, artifacts, javascript
):  # type: ignore[no-untyped-def]
    """The summary and recommendations wait for the map's first frame (``.waits-for-map``), then show;
    without JavaScript they show at once; axe finds nothing serious once they are shown."""
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 360, "height": 740},
        java_script_enabled=javascript,
        storage_state=staff_state,
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + world["project"])
        if javascript:
            _settled(page)
            page.wait_for_function("() => document.querySelectorAll('.waits-for-map').length === 0")
        summary = page.locator("#synthese-section")
        summary.scroll_into_view_if_needed()
        expect(summary.get_by_role("heading", name="Synthèse thématique")).to_be_visible()
        expect(page.locator("#theme-table")).to_be_visible()
        page.screenshot(path=str(artifacts / f"maps-ahead-summary-360-js-{javascript}.png"), full_page=False)
        if javascript:
            assert axe_violations(page) == []
    finally:
        context.close()


#: For each part of the summary rendered on its own (``content-visibility: auto``): whether Chromium
#: renders it now (``checkVisibility`` with ``contentVisibilityAuto``: false while it is skipped).
_PARTS_RENDERED = """() => [...document.querySelectorAll('#synthese-section *')]
  .filter((el) => getComputedStyle(el).contentVisibility === 'auto')
  .map((el) => el.firstElementChild.checkVisibility({ contentVisibilityAuto: true }))"""


def test_the_summary_is_rendered_part_by_part_as_it_nears_the_screen(
    live_server, world, staff_state, browser: Browser
):  # type: ignore[no-untyped-def]
    """Once the map's first frame is out, the summary's parts near the screen are rendered and those
    further down wait until the reader scrolls to them: the frame after the map's renders a table or
    two, not every table, list and quote of the summary (Chromium renders a whole block once any of it
    nears the screen, and the summary starts right below the map). They stay in the page all along."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1366, "height": 600}, storage_state=staff_state
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + world["project"])
        _settled(page)
        page.wait_for_function("() => document.querySelectorAll('.waits-for-map').length === 0")
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        rendered = page.evaluate(_PARTS_RENDERED)
        assert len(rendered) >= 6, rendered  # tables, lists, quotes: each a part
        assert rendered[-1] is False, rendered  # the summary's last part waits
        assert page.locator("#synthese-section .quotes").last.text_content()  # …in the page all the same
        page.locator("#synthese-section .quotes").last.scroll_into_view_if_needed()
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert page.evaluate(_PARTS_RENDERED)[-1] is True
        expect(page.locator("#synthese-section .quotes").last).to_be_visible()
    finally:
        context.close()


#: Elements wider than the viewport, for the failure message of a reflow test.
_OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((el) => !el.closest('.folium-map, .table-scroll'))
  .slice(0, 12)
  .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.')
       + ' ' + Math.round(el.getBoundingClientRect().right))"""


@pytest.mark.parametrize("page_name", ["project", "walk"])
def test_the_project_and_walk_pages_reflow_at_320_px(
    live_server, world, staff_state, browser: Browser, artifacts, page_name
):  # type: ignore[no-untyped-def]
    """WCAG 1.4.10: at 320 CSS px nothing but a data table's own scroll box scrolls sideways."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 320, "height": 740}, storage_state=staff_state
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + world[page_name])
        _settled(page)
        page.wait_for_function("() => document.querySelectorAll('.waits-for-map').length === 0")
        page.screenshot(path=str(artifacts / f"maps-ahead-{page_name}-320.png"), full_page=False)
        if page_name == "project":
            page.locator("#synthese-section").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(artifacts / "maps-ahead-project-summary-320.png"), full_page=False)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, page.evaluate(_OVERFLOWING)
    finally:
        context.close()
