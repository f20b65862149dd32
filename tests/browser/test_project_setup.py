"""A real project from zero in headless Chromium: an administrator signs in to an empty site, creates a
project, imports the Amiens QPV file through the zones page, leaves one QPV out, draws « Centre-ville » on
the map by clicking, and finds it listed.

Staff screens (1366 and 1920 px) and phone screens (360 px) are saved to ``test-artifacts/``; axe-core
(npm, test-only) must find no serious or critical problem on the pages this flow adds; no request may
leave the server's host.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.support import axe_violations as _axe
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.browser

ADMIN = ("admin@example.org", "un-mot-de-passe-solide")
#: Corners of the city centre around the cathedral (lat, lon), clicked on the map in this order.
CENTRE = [(49.8915, 2.2965), (49.8915, 2.3075), (49.8975, 2.3075), (49.8975, 2.2965)]
#: Records every text the upload status shows, so the test can see "sending" then "processing".
WATCH_STATUS = """() => {
  window.__statusTexts = [];
  for (const el of document.querySelectorAll('.upload-text')) {
    new MutationObserver(() => window.__statusTexts.push(el.textContent))
      .observe(el, {childList: true, characterData: true, subtree: true});
  }
}"""


@pytest.fixture(scope="module")
def site(live_server):  # type: ignore[no-untyped-def]
    """The empty site with one administrator account, and the URLs the test visits."""
    from webapp.extensions import db
    from webapp.services import accounts, projects

    with live_server.app.app_context():
        assert projects.count_projects() == 0
        accounts.create_user(email=ADMIN[0], password=ADMIN[1], display_name="Admin", is_admin=True)
        db.session.commit()
    with live_server.app.test_request_context():
        urls = {
            "login": url_for("auth.login"),
            "index": url_for("facilitators.index"),
            "new": url_for("facilitators.new_project"),
            "zones": url_for("facilitators.zones_page", slug="amiens-2027"),
            "edit": url_for("facilitators.edit_project", slug="amiens-2027"),
        }
    return {key: live_server.url + path for key, path in urls.items()}


@pytest.fixture
def staff(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, list[str]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
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


def _no_sideways_scroll(page: Page, width: int) -> None:
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
          .filter((el) => !el.closest('.leaflet-container') && el.getBoundingClientRect().right > width + 1)
          .slice(0, 8).map((el) => el.tagName + '#' + el.id + ' ' + el.getBoundingClientRect().right)""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide


def _click_on_map(page: Page, lat: float, lon: float) -> None:
    point = page.evaluate(
        """([lat, lon]) => {
          const el = document.querySelector('.zones-map .folium-map');
          const p = window[el.id].latLngToContainerPoint([lat, lon]);
          const box = el.getBoundingClientRect();
          return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [lat, lon],
    )
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(100)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(400)  # Leaflet.draw reads two quick clicks as a double-click


def test_an_administrator_sets_up_a_project_and_its_zones(
    staff, browser, live_server, site, artifacts, tmp_path
):  # type: ignore[no-untyped-def]
    context, outside = staff
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # 1. Sign in; "Mes projets" is empty and offers « Nouveau projet ».
    page.goto(site["login"])
    page.get_by_label("Adresse électronique").fill(ADMIN[0])
    page.get_by_label("Mot de passe").fill(ADMIN[1])
    page.get_by_role("button", name="Se connecter").click()
    page.goto(site["index"])
    expect(page.get_by_text("Aucun projet pour l'instant")).to_be_visible()
    page.get_by_role("link", name="Nouveau projet").click()

    # 2. The project: a wrong INSEE code first (refused, named), then the right one.
    expect(page.get_by_role("heading", name="Nouveau projet")).to_be_visible()
    assert _axe(page) == []
    page.get_by_label("Nom du projet").fill("Marches exploratoires — Amiens 2027")
    page.get_by_label("Identifiant court").fill("amiens-2027")
    page.get_by_label("Description").fill("Marches de femmes, de collégiens et de seniors.")
    page.get_by_label("Communes (codes INSEE)").fill("80021 8002")
    page.get_by_label("Début").fill("2027-01-11")
    page.get_by_label("Fin").fill("2027-12-17")
    page.get_by_role("button", name="Créer le projet").click()
    expect(page.locator("#communes-erreur")).to_contain_text("« 8002 » n'est pas un code commune INSEE")
    assert _axe(page) == []
    page.screenshot(path=str(artifacts / "project-new-error-1366.png"), full_page=True)
    page.get_by_label("Communes (codes INSEE)").fill("80021")
    page.get_by_role("button", name="Créer le projet").click()

    # 3. The zones page says how to get the official perimeters; the administrator uploads them.
    expect(page.locator(".flash.ok")).to_contain_text("Projet « Marches exploratoires — Amiens 2027 » créé")
    expect(page.locator("#qpv-absents")).to_contain_text("Importing official QPV perimeters")
    assert page.url.startswith(site["zones"])
    page.screenshot(path=str(artifacts / "zones-empty-1366.png"), full_page=True)
    page.evaluate(WATCH_STATUS)
    page.locator("#qpv-fichier").set_input_files(str(DATA_DIR / "geodata" / "qpv2024_amiens.geojson"))
    page.get_by_role("button", name="Importer les QPV").click()
    expect(page.locator(".flash.ok")).to_contain_text("Import terminé : 7 zone(s) créée(s)")
    boxes = page.locator("input[name=keep]")
    expect(boxes).to_have_count(7)
    assert all(boxes.nth(i).is_checked() for i in range(7))

    # 4. Leave Etouvie out (its box, then save): it is drawn dashed and no longer a zone.
    page.get_by_role("checkbox", name="Etouvie").uncheck()
    page.get_by_role("button", name="Enregistrer le choix des QPV").click()
    expect(page.locator(".flash.ok")).to_contain_text("6 QPV retenu(s)")
    # the page comes back to its QPV section, and the message with it (it was out of sight at the top)
    assert page.url.endswith("#qpv")
    expect(page.locator("#qpv .flash.ok")).to_be_in_viewport()
    expect(page.get_by_role("checkbox", name="Etouvie")).not_to_be_checked()

    # 5. Draw « Centre-ville » by clicking its corners, then close it on the first one.
    page.locator(".zones-map").scroll_into_view_if_needed()
    page.locator(".leaflet-draw-draw-polygon").click()
    expect(page.locator(".leaflet-draw-tooltip")).to_contain_text("premier point de la zone")
    vertices = page.locator(".leaflet-editing-icon")
    for n, (lat, lon) in enumerate(CENTRE, start=1):
        _click_on_map(page, lat, lon)
        expect(vertices).to_have_count(n)
    _click_on_map(page, *CENTRE[0])
    expect(page.locator("#drawn-status")).to_contain_text("Zone dessinée (4 points)")
    expect(page.get_by_label("Nom de la zone")).to_be_focused()
    page.get_by_label("Nom de la zone").fill("Centre-ville")
    page.get_by_role("button", name="Enregistrer la zone").click()
    expect(page.locator(".flash.ok")).to_contain_text("Zone « Centre-ville » enregistrée")
    expect(page.locator(".zone-list")).to_contain_text("Centre-ville")
    assert page.locator(".flash.warning").count() == 0  # drawn where the project is
    assert _axe(page) == []
    page.screenshot(path=str(artifacts / "zones-1366.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(artifacts / "zones-1920.png"), full_page=True)

    # 6. A zone file with a problem: the upload shows its progress, then "processing", then the problem
    #    named in place (a successful import reloads the page instead).
    page.set_viewport_size({"width": 1366, "height": 900})
    bad = tmp_path / "zones-bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "Gare"},'
        ' "geometry": {"type": "Point", "coordinates": [2.309, 49.89]}}]}',
        encoding="utf-8",
    )
    page.evaluate(WATCH_STATUS)
    page.locator("#zones-fichier").set_input_files(str(bad))
    page.get_by_role("button", name="Importer les zones").click()
    expect(page.locator(".upload-problems")).to_contain_text("élément n° 1 (gare) : géométrie de type Point")
    texts = page.evaluate("window.__statusTexts")
    assert any(t.startswith("Envoi du fichier") for t in texts) and any(
        t.startswith("Traitement") for t in texts
    ), texts
    expect(page.locator(".zone-list > li")).to_have_count(1)

    # 7. The project page lists it; the database agrees with what the pages said.
    page.goto(site["index"])
    expect(page.locator("#projet-amiens-2027")).to_contain_text("0 observation(s) à modérer")
    assert _axe(page) == []
    page.goto(site["edit"])
    expect(page.get_by_label("Communes (codes INSEE)")).to_have_value("80021")
    assert _axe(page) == []
    with live_server.app.app_context():
        from webapp.services import projects, zones

        project = projects.get_project("amiens-2027")
        assert project.excluded_qpv_codes == ["QN08001M"]
        assert [z.name for z in zones.list_custom_zones(project)] == ["Centre-ville"]
        assert len([z for z in zones.list_zones(project) if z.kind == "qpv"]) == 6

    # 8. The same pages on a phone: no sideways scrolling.
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        for cookie in context.cookies():
            phone.add_cookies([cookie])
        small = phone.new_page()
        for name in ("index", "new", "zones", "edit"):
            small.goto(site[name])
            small.wait_for_load_state("load")
            _no_sideways_scroll(small, 360)
            small.screenshot(path=str(artifacts / f"project-{name}-360.png"), full_page=True)
    finally:
        phone.close()

    assert outside == [], outside
    # The two refusals above (a wrong INSEE code, a bad zone file) answer 422 on purpose.
    assert [e for e in errors if "status of 422" not in e] == [], errors
