"""Facilitator entry in headless Chromium at 1366 px: one observation by pin, one by stop, then an import.

Against the live server of ``tests/browser/conftest.py`` (tiles off). Every request to another host is
aborted and recorded; axe-core (npm, test-only) must find no serious or critical violation on the
entry and import pages; the pages reflow at 320 px. Screenshots at 1366, 1920 and 360 px go to
``test-artifacts/entry-*.png``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.support import axe_violations as _axe
from tests.browser.support import focus_covered, sign_out_in_another_tab

pytestmark = pytest.mark.browser

EMAIL = "saisie@example.org"


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import build_world

    app = live_server.app
    with app.app_context():
        w = build_world(facilitator_email=EMAIL)
        values = {"slug": w.project.slug, "walk_id": w.day.id}
        with app.test_request_context():
            return {
                "walk_id": w.day.id,
                "login": url_for("auth.login"),
                "index": url_for("facilitators.index"),
                "walk": url_for("facilitators.walk_page", **values),
                "entry": url_for("facilitators.entry_form", **values),
                "import": url_for("facilitators.entry_import", **values),
            }


@pytest.fixture
def laptop(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, list[str]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
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


def _stored(app, walk_id: int) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Observation

    with app.app_context():
        rows = db.session.execute(
            select(Observation.location_source, Observation.theme, Observation.participant_id)
            .where(Observation.walk_id == walk_id, Observation.location_source == "facilitator")
            .order_by(Observation.id)
        ).all()
        return [tuple(r) for r in rows]


def test_facilitator_enters_two_observations_then_imports_a_sheet(  # type: ignore[no-untyped-def]
    laptop, live_server, world, artifacts: Path
) -> None:
    context, outside = laptop
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url

    page.goto(base + world["login"])
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base + world["walk"])
    page.get_by_role("link", name="Saisir des observations").click()
    expect(page.get_by_role("heading", name="Saisir des observations")).to_be_visible()
    assert page.url.endswith(world["entry"])
    assert _axe(page) == []
    # The map is the phones' pin map, with its styles: route stroked (not a filled black shape),
    # numbered stops, zoom buttons on the map; no map library loaded for it.
    drawn = page.evaluate(PIN_MAP)
    assert drawn["stops"] > 0 and drawn["labels"] == [str(n) for n in range(1, drawn["stops"] + 1)], drawn
    assert (drawn["zoom_inside"], drawn["route_fill"], drawn["position"], drawn["leaflet"]) == (
        True,
        "none",
        "relative",
        "undefined",
    ), drawn

    # Nothing chosen: every problem is named, nothing is stored.
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#erreurs")).to_be_focused()
    expect(page.locator("#err-stop")).to_have_text("Choisissez l'arrêt le plus proche.")
    expect(page.locator("#err-theme")).to_have_text("Cette réponse est obligatoire.")
    page.screenshot(path=str(artifacts / "entry-errors-1366.png"), full_page=True)
    assert _axe(page) == []
    assert _stored(live_server.app, world["walk_id"]) == []

    # 1. By pin: a click on the map places it and fills the coordinates.
    page.locator("#entry-map").click(position={"x": 420, "y": 150})
    expect(page.locator("#f-lon")).not_to_have_value("")
    expect(page.locator("input[name=where][value=pin]")).to_be_checked()
    page.locator("label.theme", has_text="Éclairage").click()
    page.locator("#f-subtheme").select_option(label="Lampadaire en panne")
    page.locator("label.choice", has_text="Ça ne va pas").click()
    page.locator("#f-theme ~ #comment label.choice", has_text="2").first.click()
    page.get_by_label("Qu'est-ce que vous remarquez ?").fill("Lampadaire éteint devant l'école")
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator(".flash.ok")).to_contain_text("enregistrée")
    expect(page.locator(".entry-list li")).to_have_count(1)
    expect(page.locator(".entry-list")).to_contain_text("Lampadaire éteint devant l'école")
    # Ready for the next sheet: the keyboard starts on the themes.
    expect(page.locator("input[name=theme]").first).to_be_focused()

    # 2. By stop, with a profile, typed from a paper sheet.
    page.locator("#f-stop").select_option(label="2. Place")
    expect(page.locator("input[name=where][value=stop]")).to_be_checked()
    page.locator("label.theme", has_text="Propreté").click()
    page.locator("label.choice", has_text="Ça ne va pas").click()
    page.get_by_label("Genre").select_option("woman")
    page.get_by_label("Tranche d'âge").select_option("65+")
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator(".entry-list li")).to_have_count(2)
    expect(page.locator(".entry-list li").first).to_contain_text("Arrêt 2. Place")
    expect(page.locator(".kept")).to_be_visible()
    expect(page.locator("#f-stop")).to_have_value(
        page.locator("#f-stop option", has_text="2. Place").get_attribute("value")
    )
    page.screenshot(path=str(artifacts / "entry-1366.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(artifacts / "entry-1920.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / "entry-360.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 740})
    # the map resizes itself after the resize event: give the layout a moment, then judge it
    _reflows_at_320(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    stored = _stored(live_server.app, world["walk_id"])
    assert [(source, theme) for source, theme, _p in stored] == [
        ("facilitator", "eclairage"),
        ("facilitator", "proprete"),
    ]
    assert stored[0][2] is None and stored[1][2] is not None

    # 3. Import: a sheet with a bad row is refused with its row, then the corrected one is stored.
    page.get_by_role("link", name="Importer des feuilles (modèle rempli)").click()
    expect(page.get_by_role("heading", name="Importer des feuilles")).to_be_visible()
    assert _axe(page) == []
    bad = "\ufeff" + "\r\n".join(
        ["feuille;arret;theme;polarite;ressenti", "1;1;eclairage;negative;2", "1;3;proprete;negative;9", ""]
    )
    page.get_by_label("Fichier rempli (.xlsx ou .csv)").set_input_files(
        files=[{"name": "feuilles.csv", "mimeType": "text/csv", "buffer": bad.encode("utf-8")}]
    )
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.locator("#problemes")).to_contain_text(
        "ligne 3, colonne « ressenti » : choisissez une note de 1 à 5."
    )
    page.screenshot(path=str(artifacts / "entry-import-errors-1366.png"), full_page=True)
    assert _axe(page) == []
    assert len(_stored(live_server.app, world["walk_id"])) == 2
    good = bad.replace(";9\r\n", ";1\r\n")
    page.get_by_label("Fichier rempli (.xlsx ou .csv)").set_input_files(
        files=[{"name": "feuilles.csv", "mimeType": "text/csv", "buffer": good.encode("utf-8")}]
    )
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("2 observation(s) importée(s)")
    assert len(_stored(live_server.app, world["walk_id"])) == 4
    page.set_viewport_size({"width": 320, "height": 740})
    # the map resizes itself after the resize event: give the layout a moment, then judge it
    _reflows_at_320(page)

    assert outside == [], outside
    # The refused form and file answer 422, which Chromium logs; nothing else may be.
    assert [e for e in errors if "status of 422" not in e] == [], errors


#: How the entry page's map is drawn: its stops' numbers, where its zoom buttons sit, its route's fill.
PIN_MAP = """() => {
  const map = document.getElementById('entry-map');
  const box = map.getBoundingClientRect();
  const zoom = map.querySelector('.pm-zoom').getBoundingClientRect();
  return {
    stops: map.querySelectorAll('.pm-stop').length,
    labels: [...map.querySelectorAll('.pm-stop text')].map((t) => t.textContent),
    zoom_inside: zoom.top >= box.top && zoom.bottom <= box.bottom
      && zoom.left >= box.left && zoom.right <= box.right,
    route_fill: getComputedStyle(map.querySelector('.pm-route')).fill,
    position: getComputedStyle(map).position,
    leaflet: typeof window.L,
  };
}"""


def _reflows_at_320(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # a timeout: the assertion reports the width that stayed
        page.wait_for_function("() => document.documentElement.scrollWidth <= 320", timeout=5_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_an_entry_whose_session_ended_gives_back_its_words_and_the_way_back(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, world, artifacts: Path
) -> None:
    # Signed out in another tab while a paper sheet was being typed: the save says why nothing was
    # saved (it said « La requête est mal formée. »), shows the words typed, and leads back through
    # the sign-in to the same form.
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        base = live_server.url
        page.goto(base + world["login"] + "?next=" + world["entry"])
        page.get_by_label("Adresse électronique").fill(EMAIL)
        page.get_by_label("Mot de passe").fill("correct-horse-battery")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Saisir des observations")).to_be_visible()
        words = "Le passage sous la voie ferrée : trois lampadaires éteints, on y court le soir."
        page.get_by_label("Qu'est-ce que vous remarquez ?").fill(words)

        sign_out_in_another_tab(context, base + world["index"])

        page.get_by_role("button", name="Enregistrer l'observation").click()
        expect(
            page.get_by_role("heading", name="Ce formulaire n'est plus valable : rien n'a été enregistré.")
        ).to_be_visible()
        assert page.get_by_label("Texte 1").input_value() == words
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert _axe(page) == []
        page.screenshot(path=str(artifacts / "entry-stale-form-360.png"), full_page=True)

        page.get_by_role("link", name="Rouvrir la page").click()
        page.get_by_label("Adresse électronique").fill(EMAIL)
        page.get_by_label("Mot de passe").fill("correct-horse-battery")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Saisir des observations")).to_be_visible()
        assert urlsplit(page.url).path == world["entry"]
    finally:
        context.close()


@pytest.mark.parametrize("size", [(360, 740), (1366, 768)])
def test_the_keyboard_never_lands_under_the_save_button(browser: Browser, live_server, world, size) -> None:  # type: ignore[no-untyped-def]
    # The save button sticks to the bottom: the sub-theme, the stop, the feeling, the time and the
    # profile lists, reached with Tab, were scrolled just into view — under it.
    context = browser.new_context(locale="fr-FR", viewport={"width": size[0], "height": size[1]})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(live_server.url + world["login"] + "?next=" + world["entry"])
        page.get_by_label("Adresse électronique").fill(EMAIL)
        page.get_by_label("Mot de passe").fill("correct-horse-battery")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Saisir des observations")).to_be_visible()
        page.locator("h1").focus()
        assert focus_covered(page, 60) == []
    finally:
        context.close()
