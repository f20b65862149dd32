"""The facilitator flow in headless Chromium: moderate, filter, replay, vote, recommend, get the PDF.

Runs on a laptop-sized screen against the live server of ``tests/browser/conftest.py`` (tiles off:
the map must show its data without them). Every request to a host other than the server is
aborted and recorded: the test fails if there is any. Screenshots and the first PDF pages go to
``test-artifacts/``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.support import axe_violations, sign_out_in_another_tab
from tests.webapp.support import url

pytestmark = pytest.mark.browser

COUNT_MARKERS = """() => {
  const el = document.querySelector('.folium-map');
  const map = window[el.id];
  let n = 0;
  map.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker && layer.feature && !layer.feature.properties._tp) { n += 1; }
  });
  return n;
}"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import build_world

    with live_server.app.app_context():
        w = build_world(facilitator_email="navigateur@example.org")
        return {"slug": w.project.slug, "day": w.day.id, "pending": w.observations[4].id}


@pytest.fixture
def laptop(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, list[str], list[str]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 860}, accept_downloads=True
    )
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
    errors: list[str] = []
    yield context, outside, errors
    context.close()


def _login(page: Page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + url("auth.login", app=server.app))
    page.get_by_label("Adresse électronique").fill("navigateur@example.org")
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()


def test_facilitator_flow(laptop, live_server, world, artifacts):  # type: ignore[no-untyped-def]
    context, outside, errors = laptop
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url
    slug = world["slug"]
    _login(page, live_server)
    app = live_server.app

    # 1. Moderate: validate the pending observation of the day walk.
    page.goto(base + url("facilitators.moderation_queue", app=app, slug=slug, walk_id=world["day"]))
    card = page.locator(f"#obs-{world['pending']}")
    card.get_by_role("button", name="Valider").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Observation n° {world['pending']} : Validée.")
    expect(page.locator(f"#obs-{world['pending']}")).to_have_count(0)

    # 2. Project map, then filtered by theme and time slot (server-side).
    page.goto(base + url("facilitators.project_page", app=app, slug=slug))
    expect(page.locator(".map-legend")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    assert page.evaluate(COUNT_MARKERS) == 8
    page.locator("#filters select[name=theme]").select_option("eclairage")
    page.locator("#filters select[name=time_slot]").select_option("night")
    page.locator("#filters").get_by_role("button", name="Filtrer").click()
    expect(page.locator(".summary .figures")).to_contain_text("2 observations")
    page.wait_for_function("() => document.querySelector('.leaflet-overlay-pane canvas') !== null")
    assert page.evaluate(COUNT_MARKERS) == 2
    page.locator("#project-map").screenshot(path=str(artifacts / "debrief-project-map.png"))
    page.goto(base + url("facilitators.project_page", app=app, slug=slug))
    page.locator("#synthese-section").screenshot(path=str(artifacts / "debrief-summary.png"))

    # 3. Debrief: replay with the keyboard, vote, select three observations, create a recommendation.
    page.goto(base + url("facilitators.debrief", app=app, slug=slug, walk_id=world["day"]))
    expect(page.locator("#overview")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#step-1")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    first = page.locator("#step-1 .obs-card").first
    first.locator("button.vote").click()
    expect(first.locator("output.votes")).to_have_text("1")
    first.locator("button.vote").click()
    expect(first.locator("output.votes")).to_have_text("2")
    first.focus()
    page.keyboard.press("-")
    expect(first.locator("output.votes")).to_have_text("1")
    page.screenshot(path=str(artifacts / "debrief-replay.png"))
    selected = 0
    for _ in range(4):
        for box in page.locator("section.step:visible input[name=observation_ids]").all():
            if selected < 3:
                box.check()
                selected += 1
        if selected == 3:
            break
        page.keyboard.press("ArrowRight")
    assert selected == 3
    page.keyboard.press("End")
    expect(page.locator("#preconisations")).to_be_visible()
    expect(page.locator("#selected-count")).to_have_text("3")
    form = page.locator("#reco-form")
    form.get_by_label("Titre").fill("Réparer l'éclairage de la place")
    form.get_by_label("Priorité").select_option("high")
    form.get_by_label("Partenaire sollicité").select_option(index=1)
    form.get_by_role("button", name="Créer la préconisation").click()
    expect(page.locator(".flash.ok")).to_contain_text("créée avec 3 observations")

    # 4. Download the walk's PDF report and render its first pages for a look.
    page.goto(base + url("facilitators.walk_page", app=app, slug=slug, walk_id=world["day"]))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf = artifacts / "debrief-report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(artifacts / "debrief-report")],
        check=True,
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Réparer l'éclairage de la place" in text

    assert outside == [], outside
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == [], errors


def test_a_dot_that_did_not_count_says_so(laptop, live_server, world, artifacts):  # type: ignore[no-untyped-def]
    # The community centre's wifi drops, or the session ends, during the vote: the tap on « +1 »
    # did nothing visible and the room believed the dot counted.
    context, _outside, _errors = laptop
    page = context.new_page()
    _login(page, live_server)
    app = live_server.app
    page.goto(
        live_server.url + url("facilitators.debrief", app=app, slug=world["slug"], walk_id=world["day"])
    )
    page.keyboard.press("ArrowRight")
    card = page.locator("#step-1 .obs-card").first
    votes = card.locator("output.votes")
    before = int(votes.inner_text())
    message = (
        "Gommette non comptée : le réseau ou la session s'est interrompu. "
        "Rechargez la page, puis recommencez."
    )

    context.set_offline(True)
    card.locator("button.vote").click()
    expect(card.get_by_role("alert")).to_have_text(message)
    expect(votes).to_have_text(str(before))
    card.screenshot(path=str(artifacts / "debrief-vote-failed.png"))
    assert axe_violations(page) == []

    context.set_offline(False)
    card.locator("button.vote").click()
    expect(votes).to_have_text(str(before + 1))
    expect(card.get_by_role("alert")).to_have_count(0)

    sign_out_in_another_tab(context, live_server.url + url("facilitators.index", app=app))
    card.locator("button.vote").click()
    expect(card.get_by_role("alert")).to_have_text(message)
    expect(votes).to_have_text(str(before + 1))


def test_a_recommendation_refused_comes_back_as_typed(laptop, live_server, world, artifacts):  # type: ignore[no-untyped-def]
    # At the end of the debrief the group dictates a recommendation; nobody ticked its evidence.
    context, outside, _errors = laptop
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server)
    app = live_server.app
    debrief_url = url("facilitators.debrief", app=app, slug=world["slug"], walk_id=world["day"])
    page.goto(live_server.url + debrief_url + "#preconisations")
    section = page.locator("#preconisations")
    section.get_by_label("Titre").fill("Éclairer l'allée du square")
    section.get_by_label("Texte").fill("Deux lampadaires de plus, allumés jusqu'à minuit.")
    section.get_by_label("Priorité").select_option(label="Haute")
    section.get_by_role("button", name="Créer la préconisation").click()

    alert = page.locator("#reco-problems")
    expect(alert).to_contain_text("Cochez au moins une observation comme preuve")
    expect(section).to_be_visible()
    expect(section.get_by_label("Titre")).to_have_value("Éclairer l'allée du square")
    expect(section.get_by_label("Texte")).to_have_value("Deux lampadaires de plus, allumés jusqu'à minuit.")
    expect(section.get_by_label("Priorité")).to_have_value("high")
    # the debrief's own address again (debrief.js puts it back once it runs; the checks above only
    # waited for the server's HTML): reloading shows the debrief, not a refusal
    page.wait_for_function("path => location.pathname === path", arg=debrief_url)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "debrief-reco-refused.png"))

    # tick one observation of the first stop, come back, create it
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.locator("#step-1 .obs-card").first.get_by_label("Pour une préconisation").check()
    page.keyboard.press("End")
    expect(page.locator("#selected-count")).to_have_text("1")
    section.get_by_role("button", name="Créer la préconisation").click()
    expect(page.locator(".flash.ok")).to_contain_text("Préconisation « Éclairer l'allée du square » créée")
    assert errors == [] and outside == []
