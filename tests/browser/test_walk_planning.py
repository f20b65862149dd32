"""Planning a walk in headless Chromium: a route and three stops clicked on the map, open, join screen, kit.

A laptop-sized screen (1366 px) against the live server of ``tests/browser/conftest.py`` (tiles off);
every request to another host is aborted and recorded, and the test fails if there is one, or any
script error. axe-core (npm, test-only) must find no serious or critical violation on the new pages.
Screenshots go to ``test-artifacts/`` (planner, walk page, join screen at 1366, 1920×1080 and tablet
size, confirmation page, first page of the kit).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import REPO_ROOT
from tests.webapp.support import url

pytestmark = pytest.mark.browser

EMAIL = "planif@example.org"
PASSWORD = "correct-horse-battery"
AXE = (REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUN = r"""
;axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — '
    + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | ')}`))
"""


@pytest.fixture(scope="module")
def slug(live_server):  # type: ignore[no-untyped-def]
    from shapely.geometry import MultiPolygon, box

    from webapp.extensions import db
    from webapp.services import accounts, projects, teams, zones

    with live_server.app.app_context():
        project = projects.create_project(
            slug="amiens-planif", name="Amiens — planification", territory=["80021"]
        )
        zones.save_custom_zone(
            project,
            code="nord",
            name="Amiens Nord",
            geometry=MultiPolygon([box(2.290, 49.914, 2.308, 49.925)]),
        )
        user = accounts.create_user(email=EMAIL, password=PASSWORD, display_name="Planif")
        teams.add_membership(user, project.id, "facilitator")
        db.session.commit()
        return project.slug


def _guarded(browser: Browser, live_server, **options) -> tuple[BrowserContext, list[str]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", accept_downloads=True, **options)
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
    return context, outside


@pytest.fixture
def laptop(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, list[str]]]:  # type: ignore[no-untyped-def]
    context, outside = _guarded(browser, live_server, viewport={"width": 1366, "height": 900})
    yield context, outside
    context.close()


def _axe(page: Page) -> list[str]:
    return page.evaluate(AXE + AXE_RUN)


def _map_point(page: Page, fx: float, fy: float) -> tuple[float, float]:
    page.locator("#planner-map").scroll_into_view_if_needed()
    box = page.locator("#planner-map").bounding_box()
    assert box is not None
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def test_plan_open_show_and_print_a_walk(laptop, live_server, slug, artifacts, browser):  # type: ignore[no-untyped-def]
    context, outside = laptop
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url

    page.goto(base + url("auth.login", app=live_server.app))
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()

    with live_server.app.test_request_context():
        from flask import url_for

        project_url = base + url_for("facilitators.project_page", slug=slug)
    page.goto(project_url)
    page.get_by_role("link", name="Planifier une marche").click()
    expect(page.get_by_role("heading", name="Planifier une marche")).to_be_visible()

    page.get_by_label("Titre").fill("Marche du soir à Amiens Nord")
    page.get_by_label("Date").fill("2026-03-12")
    page.get_by_label("Début").fill("19:00")
    page.get_by_label("Fin").fill("21:00")
    # The slot follows the start time on the page too.
    expect(page.get_by_label("Créneau").locator("option").first).to_contain_text("Soirée")
    page.get_by_label("Point de rendez-vous").fill("Devant la maison de quartier")
    page.get_by_label("Groupe (description publique)").fill("mixte")
    page.get_by_label("Nombre de personnes attendues").fill("10")

    # Route: four clicks, then undo the last one.
    expect(page.locator("#planner-map.leaflet-container")).to_be_visible()
    assert errors == []
    for fx, fy in ((0.25, 0.6), (0.45, 0.45), (0.65, 0.4), (0.8, 0.2)):
        page.mouse.click(*_map_point(page, fx, fy))
    route = page.locator("textarea[name=route]")
    assert len(route.input_value().splitlines()) == 4
    page.get_by_role("button", name="Annuler", exact=True).click()
    assert len(route.input_value().splitlines()) == 3
    expect(page.locator(".leaflet-editing-icon").first).to_be_visible()

    # Drag the middle vertex: the route text follows.
    before = route.input_value().splitlines()[1]
    vertex = page.locator(".leaflet-editing-icon[aria-label^='Point 2']")
    vertex.scroll_into_view_if_needed()
    vbox = vertex.bounding_box()
    assert vbox is not None
    page.mouse.move(vbox["x"] + vbox["width"] / 2, vbox["y"] + vbox["height"] / 2)
    page.mouse.down()
    page.mouse.move(vbox["x"] + 40, vbox["y"] + 50, steps=5)
    page.mouse.up()
    assert route.input_value().splitlines()[1] != before
    assert len(route.input_value().splitlines()) == 3

    # Three stops, one renamed from the list, then moved to the top.
    page.get_by_role("button", name="Ajouter des arrêts").click()
    for fx, fy in ((0.25, 0.6), (0.45, 0.45), (0.65, 0.4)):
        page.mouse.click(*_map_point(page, fx, fy))
    page.get_by_label("Nom de l'arrêt 1").fill("Maison de quartier")
    page.get_by_label("Nom de l'arrêt 1").press("Tab")
    page.get_by_label("Nom de l'arrêt 3").fill("Arrêt de bus Nemo")
    page.get_by_label("Nom de l'arrêt 3").press("Tab")
    page.get_by_label("Nom de l'arrêt 2").fill("Square Vogel")
    page.get_by_label("Nom de l'arrêt 2").press("Tab")
    page.get_by_role("button", name="Descendre l'arrêt 2").click()
    stops = page.locator("textarea[name=stops]").input_value().splitlines()
    assert [line.split(", ", 2)[2] for line in stops] == [
        "Maison de quartier",
        "Arrêt de bus Nemo",
        "Square Vogel",
    ]
    expect(page.locator(".stop-pin")).to_have_count(3)
    page.locator("details.keyboard summary").click()
    page.screenshot(path=str(artifacts / "walk-plan-1366.png"), full_page=True)
    assert _axe(page) == []

    page.get_by_role("button", name="Enregistrer la marche").click()
    expect(page.get_by_role("heading", name="Marche du soir à Amiens Nord")).to_be_visible()
    expect(page.locator(".flash.ok")).to_contain_text("planifiée")
    code = page.locator(".walk-panel .join-code").inner_text().strip()
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRTUVWXY346789]{6}", code)

    page.get_by_role("button", name="Ouvrir la marche").click()
    expect(page.locator(".walk-panel .status")).to_have_text("Ouverte")
    page.screenshot(path=str(artifacts / "walk-page-1366.png"), full_page=True)
    assert _axe(page) == []

    page.get_by_role("link", name="Montrer au groupe").click()
    expect(page.locator(".join-screen .code")).to_have_text(f"{code[:3]}{code[3:]}")
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    qbox = qr.bounding_box()
    assert qbox is not None and qbox["width"] > 400  # big enough to scan from across a room
    page.screenshot(path=str(artifacts / "walk-join-screen-1366.png"))
    assert _axe(page) == []
    screen_url = page.url
    # Printed to pin on a wall: one A4 page either way round, without the screen's buttons.
    for landscape in (False, True):
        printed = page.pdf(format="A4", landscape=landscape)
        info = subprocess.run(["pdfinfo", "-"], input=printed, check=True, capture_output=True).stdout
        assert re.search(rb"^Pages:\s+1$", info, re.M), (landscape, info)
        words = subprocess.run(["pdftotext", "-", "-"], input=printed, check=True, capture_output=True).stdout
        assert code[3:].encode() in words and "Retour à la marche".encode() not in words

    # The same screen on a projector and on a tablet held up to the group.
    for name, size in (("1920", {"width": 1920, "height": 1080}), ("tablet", {"width": 800, "height": 1280})):
        other = context.new_page()
        other.set_viewport_size(size)
        other.goto(screen_url)
        code_height = other.locator(".join-screen .code").bounding_box()["height"]
        assert (
            code_height >= size["height"] * 0.07
        )  # about 1/7 of the screen height or more: readable from 5 m
        other.screenshot(path=str(artifacts / f"walk-join-screen-{name}.png"))
        scroll = other.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert scroll <= 0
        other.close()

    page.get_by_role("link", name="Retour à la marche").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Kit de la marche (PDF)").click()
    pdf = artifacts / "walk-kit.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert code[:3] in text and code[3:] in text
    for name in ("Maison de quartier", "Arrêt de bus Nemo", "Square Vogel"):
        assert name in text
    assert text.count("\f") == 1  # one A4 sheet
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "2", str(pdf), str(artifacts / "walk-kit")],
        check=True,
    )

    page.get_by_role("link", name="Clôturer la marche…").click()
    expect(page.get_by_role("heading", name=re.compile("Clôturer"))).to_be_visible()
    page.screenshot(path=str(artifacts / "walk-close-confirm-1366.png"))
    assert _axe(page) == []
    # The browser itself holds the form back until the box is ticked (the server checks it too).
    page.get_by_role("button", name="Clôturer la marche").click()
    expect(page.get_by_role("heading", name=re.compile("Clôturer"))).to_be_visible()
    page.get_by_label("Je confirme").check()
    page.get_by_role("button", name="Clôturer la marche").click()
    expect(page.locator(".walk-panel .status")).to_have_text("Terminée")
    expect(page.get_by_role("button", name="Rouvrir la marche")).to_be_visible()

    assert outside == []
    assert errors == []


def test_the_planning_page_reflows_at_320_px(browser, live_server, slug, artifacts):  # type: ignore[no-untyped-def]
    context, outside = _guarded(browser, live_server, viewport={"width": 320, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + url("auth.login", app=live_server.app))
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    with live_server.app.test_request_context():
        from flask import url_for

        page.goto(live_server.url + url_for("facilitators.new_walk", slug=slug))
    expect(page.locator("#planner-map.leaflet-container")).to_be_visible()
    scroll = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(artifacts / "walk-plan-320.png"), full_page=True)
    assert scroll <= 0
    assert outside == []
    context.close()
