"""A first real project, end to end, in headless Chromium: what issue 9's « Done when » asks for.

From a database that holds only an administrator account (made with ``arpenteur users create``), the
administrator signs in, creates a project for Amiens, imports the ANCT QPV file through the zones page,
draws « Centre-ville », installs a form from an XLSForm workbook, plans a walk with that form by clicking a
route and three stops on the map, opens it, shows the join screen and downloads the walk kit. A phone
(360 × 740, touch, standing in a QPV) opens the link the QR code encodes, joins and records an observation
answering the imported form's own question. The facilitator closes the walk and finds the observation,
with that answer, in moderation and in the debrief.

Each step leaves a screenshot in ``test-artifacts/first-project-NN-*.png`` (1366 px for staff screens,
360 px for the phone). Every request is watched: none may leave the live server's loopback address.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import segno
from flask import url_for
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import DATA_DIR
from tests.xlsform_builder import write_walk_grid_workbook

pytestmark = pytest.mark.browser

ADMIN = ("premiere@example.org", "un-mot-de-passe-solide")
SLUG = "amiens-premier"
#: Corners of the city centre (lat, lon), clicked in this order on the zones map.
CENTRE = [(49.8915, 2.2965), (49.8915, 2.3075), (49.8975, 2.3075), (49.8975, 2.2965)]
#: The route through Amiens Nord (lat, lon), clicked on the planner map; the stops are its first three points.
ROUTE = [(49.9090, 2.2990), (49.9104, 2.3048), (49.9120, 2.3090), (49.9131, 2.3121)]
STOPS = ["Place Vogel", "Collège Arthur Rimbaud", "Maison de quartier Nord"]
#: The phone stands at the ANCT file's inside point of Amiens Nord (QN08003M), by the second stop.
PHONE = {"latitude": 49.91037, "longitude": 2.304816, "accuracy": 8}
#: Records every Leaflet map a page makes, so the test can turn a latitude and longitude into a pixel.
CATCH_MAPS = """(() => {
  let leaflet;
  window.__maps = [];
  Object.defineProperty(window, 'L', {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (value && value.Map && !value.__caught) {
        value.__caught = true;
        value.Map.addInitHook(function () { window.__maps.push(this); });
      }
    },
  });
})();"""


@pytest.fixture(scope="module")
def site(live_server):  # type: ignore[no-untyped-def]
    """An empty site whose only account is the administrator the README tells you to create first."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Project, User

    created = live_server.app.test_cli_runner().invoke(
        args=["users", "create", "--email", ADMIN[0], "--role", "admin", "--name", "Nadia Admin"],
        input=f"{ADMIN[1]}\n{ADMIN[1]}\n",
    )
    assert created.exit_code == 0, created.output
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Project)) == 0
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    with live_server.app.test_request_context():
        return {
            "login": url_for("auth.login"),
            "index": url_for("facilitators.index"),
            "project": url_for("facilitators.project_page", slug=SLUG),
        }


def _guarded(browser: Browser, server, outside: list[str], **options) -> BrowserContext:  # type: ignore[no-untyped-def]
    """A context whose requests to any host but the live server are aborted and recorded."""
    context = browser.new_context(locale="fr-FR", **options)
    context.set_default_timeout(15_000)
    own = urlsplit(server.url).netloc

    def guard(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return context


def _prove_guard(context: BrowserContext, outside: list[str]) -> None:
    """The guard does see a request to another host (so an empty record at the end means something)."""
    probe = context.new_page()
    with pytest.raises(PlaywrightError):
        probe.goto("https://tile.openstreetmap.org/0/0/0.png")
    assert outside == ["https://tile.openstreetmap.org/0/0/0.png"]
    outside.clear()
    probe.close()


@pytest.fixture
def outside() -> list[str]:
    return []


@pytest.fixture
def staff(browser: Browser, live_server, outside) -> Iterator[BrowserContext]:  # type: ignore[no-untyped-def]
    context = _guarded(
        browser, live_server, outside, viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.add_init_script(CATCH_MAPS)
    _prove_guard(context, outside)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server, outside) -> Iterator[BrowserContext]:  # type: ignore[no-untyped-def]
    context = _guarded(
        browser,
        live_server,
        outside,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        geolocation=PHONE,
        permissions=["geolocation"],
        service_workers="allow",
    )
    _prove_guard(context, outside)
    yield context
    context.close()


def _shot(page: Page, artifacts: Path, step: int, name: str, *, full: bool = True) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(artifacts / f"first-project-{step:02d}-{name}-{width}.png"), full_page=full)


def _hover_at(page: Page, selector: str, lat: float, lon: float, expression: str) -> tuple[float, float]:
    """Move the mouse over the map under ``selector`` at (lat, lon); ``expression`` names the Leaflet map."""
    page.locator(selector).scroll_into_view_if_needed()
    point = page.evaluate(
        f"""([lat, lon]) => {{
          const el = document.querySelector({selector!r});
          const p = ({expression}).latLngToContainerPoint([lat, lon]);
          const box = el.getBoundingClientRect();
          return {{x: box.left + p.x, y: box.top + p.y}};
        }}""",
        [lat, lon],
    )
    page.mouse.move(point["x"], point["y"])
    return point["x"], point["y"]


def _click_at(page: Page, selector: str, lat: float, lon: float, expression: str) -> None:
    """Click the map under ``selector`` at (lat, lon); ``expression`` names the Leaflet map in the page."""
    x, y = _hover_at(page, selector, lat, lon, expression)
    page.wait_for_timeout(100)
    page.mouse.click(x, y)
    page.wait_for_timeout(400)  # Leaflet.draw reads two quick clicks as a double-click


def _qr_modules(png: bytes, size: int) -> list[list[bool]]:
    """The dark modules of a screenshot of a QR code of ``size`` modules with a 2-module margin."""
    image = Image.open(io.BytesIO(png)).convert("L")
    step = image.width / (size + 4)
    return [
        [image.getpixel((int((x + 2.5) * step), int((y + 2.5) * step))) < 128 for x in range(size)]
        for y in range(size)
    ]


def test_a_first_project_from_an_empty_site_to_a_debriefed_walk(  # type: ignore[no-untyped-def]
    staff, phone, outside, live_server, site, artifacts, tmp_path
):
    base = live_server.url
    page = staff.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # 1. The administrator signs in: no project yet, « Nouveau projet » is offered.
    page.goto(base + site["login"])
    page.get_by_label("Adresse électronique").fill(ADMIN[0])
    page.get_by_label("Mot de passe").fill(ADMIN[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()
    expect(page.get_by_text("Aucun projet pour l'instant")).to_be_visible()
    _shot(page, artifacts, 1, "mes-projets")

    # 2. The project, for the commune of Amiens.
    page.get_by_role("link", name="Nouveau projet").click()
    page.get_by_label("Nom du projet").fill("Marches exploratoires — Amiens Nord")
    page.get_by_label("Identifiant court").fill(SLUG)
    page.get_by_label("Communes (codes INSEE)").fill("80021")
    _shot(page, artifacts, 2, "nouveau-projet")
    page.get_by_role("button", name="Créer le projet").click()
    expect(page.locator(".flash.ok")).to_contain_text("Projet « Marches exploratoires — Amiens Nord » créé")

    # 3. The zones page says how to get official perimeters; the ANCT file is imported right there.
    expect(page.locator("#qpv-absents")).to_be_visible()
    page.locator("#qpv-fichier").set_input_files(str(DATA_DIR / "geodata" / "qpv2024_amiens.geojson"))
    page.get_by_role("button", name="Importer les QPV").click()
    expect(page.locator(".flash.ok")).to_contain_text("Import terminé : 7 zone(s) créée(s)")
    expect(page.locator("input[name=keep]")).to_have_count(7)
    _shot(page, artifacts, 3, "qpv-importes")

    # 4. « Centre-ville », drawn corner by corner on the zones map.
    page.locator(".leaflet-draw-draw-polygon").click()
    zones_map = "window[document.querySelector('.zones-map .folium-map').id]"
    for lat, lon in CENTRE:
        _click_at(page, ".zones-map .folium-map", lat, lon, zones_map)
    _click_at(page, ".zones-map .folium-map", *CENTRE[0], zones_map)
    expect(page.locator("#drawn-status")).to_contain_text("Zone dessinée (4 points)")
    page.get_by_label("Nom de la zone").fill("Centre-ville")
    page.get_by_role("button", name="Enregistrer la zone").click()
    expect(page.locator(".flash.ok")).to_contain_text("Zone « Centre-ville » enregistrée")
    expect(page.locator(".zone-list")).to_contain_text("Centre-ville")
    _shot(page, artifacts, 4, "centre-ville")

    # 5. The team's own grid, from an XLSForm workbook uploaded on the forms page.
    page.goto(base + site["index"])
    page.get_by_role("link", name=re.compile("Formulaires d'observation")).click()
    page.get_by_label("Classeur XLSForm", exact=True).set_input_files(
        str(write_walk_grid_workbook(tmp_path / "nord.xlsx"))
    )
    page.get_by_role("button", name="Importer le formulaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grille Amiens Nord")
    expect(page.locator(".flash.ok")).to_contain_text("version 1")
    expect(page.locator(".theme-card.sensitive")).to_contain_text("Agression")
    form_key, form_version = re.search(r"/formulaires/([a-z0-9_]+)/v(\d+)", page.url).groups()
    assert (form_key, form_version) == ("grille_nord", "1")
    _shot(page, artifacts, 5, "formulaire")

    # 6. A walk planned for today with that form: a route and three stops clicked on the map.
    page.goto(base + site["project"])
    page.get_by_role("link", name="Planifier une marche").click()
    expect(page.locator("#planner-map.leaflet-container")).to_be_visible()
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    page.get_by_label("Titre").fill("Marche des femmes à Amiens Nord")
    page.get_by_label("Date").fill(today)
    page.get_by_label("Début").fill("18:00")
    page.get_by_label("Fin").fill("20:00")
    page.get_by_label("Point de rendez-vous").fill("Place Vogel")
    page.get_by_label("Groupe (description publique)").fill("femmes du quartier")
    page.get_by_label("Formulaire d'observation").select_option(f"{form_key}:{form_version}")
    planner = "window.__maps.find((m) => m.getContainer().id === 'planner-map')"
    # The map opens on the whole commune: zoom in on Amiens Nord with the mouse wheel, as people do.
    _hover_at(page, "#planner-map", *ROUTE[1], planner)
    start = page.evaluate(f"({planner}).getZoom()")
    page.mouse.wheel(0, -180)  # three zoom levels (Leaflet: 60 px a level)
    page.wait_for_function(
        f"(zoom) => ({planner}).getZoom() >= zoom && !({planner})._animatingZoom", arg=start + 2
    )
    page.wait_for_timeout(300)
    for lat, lon in ROUTE:
        _click_at(page, "#planner-map", lat, lon, planner)
    assert len(page.locator("textarea[name=route]").input_value().splitlines()) == len(ROUTE)
    page.get_by_role("button", name="Ajouter des arrêts").click()
    for lat, lon in ROUTE[:3]:
        _click_at(page, "#planner-map", lat, lon, planner)
    for n, name in enumerate(STOPS, start=1):
        page.get_by_label(f"Nom de l'arrêt {n}").fill(name)
        page.get_by_label(f"Nom de l'arrêt {n}").press("Tab")
    expect(page.locator(".stop-pin")).to_have_count(3)
    _shot(page, artifacts, 6, "planifier")
    page.get_by_role("button", name="Enregistrer la marche").click()
    expect(page.locator(".flash.ok")).to_contain_text("planifiée")
    code = page.locator(".walk-panel .join-code").inner_text().strip()
    walk_url = page.url

    # 7. Open it.
    page.get_by_role("button", name="Ouvrir la marche").click()
    expect(page.locator(".walk-panel .status")).to_have_text("Ouverte")
    _shot(page, artifacts, 7, "marche-ouverte")
    # A full-page capture resizes the window under the canvas map: the map alone, as people see it.
    page.locator(".folium-map").first.screenshot(path=str(artifacts / "first-project-07-carte-1366.png"))

    # 8. « Montrer au groupe »: the code, and a QR code that encodes exactly the link written under it.
    page.get_by_role("link", name="Montrer au groupe").click()
    expect(page.locator(".join-screen .code")).to_have_text(code)
    join_link = page.locator(".join-screen .url").inner_text().strip()
    qr = segno.make(join_link, error="m", micro=False)
    drawn = _qr_modules(page.locator(".qr svg").screenshot(), len(qr.matrix))
    assert drawn == [[bool(m) for m in row] for row in qr.matrix], "the QR code is not the link shown"
    assert join_link.startswith(base) and code in join_link
    _shot(page, artifacts, 8, "montrer-au-groupe", full=False)

    # 9. The walk kit: its text has the code and the three stops.
    page.get_by_role("link", name="Retour à la marche").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Kit de la marche (PDF)").click()
    pdf = artifacts / "first-project-09-kit.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert code[:3] in text and code[3:] in text
    for name in STOPS:
        assert name in text, name
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(artifacts / "first-project-09-kit"),
        ],
        check=True,
    )

    # 10. A phone scans the QR code: the join page has the code already; it joins.
    mobile = phone.new_page()
    mobile.on("pageerror", lambda e: errors.append(f"phone: {e}"))
    mobile.goto(join_link)
    expect(mobile.get_by_label("Code de la marche")).to_have_value(code)
    _shot(mobile, artifacts, 10, "rejoindre")
    mobile.get_by_role("button", name="Rejoindre la marche").click()
    mobile.wait_for_url(f"**/m/{code}")
    mobile.wait_for_selector("body[data-ready='1']")

    # 11. It records an observation with the imported form: its theme and its own question.
    expect(mobile.locator(".theme")).to_have_count(3)
    expect(mobile.locator("#geo-status")).to_contain_text("± 8 m")
    mobile.locator(".theme", has_text="Aires de jeux").click()
    mobile.locator("[data-field='frequence'] .choice", has_text="De temps en temps").click()
    # The save bar at the bottom of the screen stays above the map scrolling under it (pin, zoom buttons).
    mobile.evaluate(
        """() => { const r = document.getElementById('map').getBoundingClientRect();
                   window.scrollBy(0, r.top + r.height / 2 - window.innerHeight); }"""
    )
    covered = mobile.evaluate(
        """() => { const r = document.getElementById('save').getBoundingClientRect();
                   return [0.05, 0.25, 0.5, 0.75, 0.95].map((f) => document.elementFromPoint(
                     r.left + r.width * f, r.top + r.height / 2)).filter((el) => !el.closest('#save'))
                     .map((el) => el.className || el.tagName); }"""
    )
    assert covered == [], covered
    _shot(mobile, artifacts, 11, "saisie", full=False)
    mobile.get_by_role("button", name="Enregistrer l'observation").click()
    sent = mobile.locator("#mine .item.sent")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Aires de jeux")
    expect(sent).to_contain_text("Amiens Nord")
    _shot(mobile, artifacts, 11, "envoyee")

    with live_server.app.app_context():
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import Observation, Zone

        (stored,) = db.session.scalars(select(Observation)).all()
        zone = db.session.get(Zone, stored.zone_id)
        assert (stored.form_key, stored.form_version, stored.theme) == (form_key, int(form_version), "jeux")
        assert stored.answers == {"frequence": "parfois"}
        assert (zone.kind, zone.code) == ("qpv", "QN08003M")
        assert not stored.out_of_area

    # 12. The facilitator closes the walk, after the confirmation.
    page.goto(walk_url)
    page.get_by_role("link", name="Clôturer la marche…").click()
    page.get_by_label("Je confirme").check()
    _shot(page, artifacts, 12, "cloturer")
    page.get_by_role("button", name="Clôturer la marche").click()
    expect(page.locator(".walk-panel .status")).to_have_text("Terminée")

    # 13. Moderation lists the observation with its answer.
    page.get_by_role("link", name="Modérer", exact=True).click()
    card = page.locator(f"#obs-{stored.id}")
    expect(card).to_contain_text("Aires de jeux")
    expect(card).to_contain_text("Vous passez ici… : De temps en temps")
    _shot(page, artifacts, 13, "moderation")

    # 14. So does the debrief's preparation view (the room sees validated observations only), at the
    # stop it was made by, under its theme.
    page.goto(walk_url)
    page.get_by_role("link", name=re.compile("Débriefing")).click()
    page.get_by_role("link", name=re.compile("Préparer avec l'équipe")).click()
    page.get_by_role("link", name=f"2. {STOPS[1]} (1)").click()
    card = page.locator(f"#step-2 #obs-{stored.id}")
    expect(card).to_be_visible()
    expect(page.locator("#step-2")).to_contain_text("Aires de jeux")
    expect(card).to_contain_text("Vous passez ici… : De temps en temps")
    _shot(page, artifacts, 14, "debriefing")

    # 15. « Mes projets » sums it up: the walk, closed, and one observation waiting for moderation.
    page.goto(base + site["index"])
    expect(page.locator(f"#projet-{SLUG}")).to_contain_text("1 observation(s) à modérer")
    expect(page.locator(f"#projet-{SLUG}")).to_contain_text("Marche des femmes à Amiens Nord")
    _shot(page, artifacts, 15, "mes-projets")

    assert outside == [], outside
    assert errors == [], errors
