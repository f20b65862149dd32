"""Two facilitators edit one walk's plan at once, in headless Chromium at 1366×900 and 1920×1080.

Bernadette adds a stop while Anim's edit page is open; Anim then changes the meeting point and saves:
both changes are kept, and the walk page says what the other one changed. Then both retitle the walk:
Anim's save is refused with the form as typed and why, and saving again keeps Anim's title. axe-core
finds no serious or critical violation. And both record the minors' consent: the second is told, with
the note she typed kept on the page. Screenshots: ``test-artifacts/walk-two-editors-*.png``,
``walk-two-consent-*.png``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import axe_violations
from tests.webapp.support import url

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
ROUTE = [(2.2950, 49.9180), (2.2990, 49.9195), (2.3030, 49.9210)]


@pytest.fixture(params=[(1366, 900), (1920, 1080)], ids=["1366", "1920"])
def world(live_server, request) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from webapp.services import accounts, projects, teams, walks

    width, height = request.param
    app = live_server.app
    with app.app_context():
        # one server for the module: each test's world has its own project and accounts
        tag = f"{width}-{uuid.uuid4().hex[:6]}"
        project = projects.create_project(slug=f"deux-{tag}", name="Deux éditrices", territory=["80021"])
        emails = [f"anim-{tag}@example.org", f"bernadette-{tag}@example.org"]
        for email, name in zip(emails, ("Anim", "Bernadette"), strict=True):
            user = accounts.create_user(email=email, password=PASSWORD, display_name=name)
            teams.add_membership(user, project.id, "facilitator")
        walk = walks.create_walk(
            project,
            title="Marche du jeudi",
            walk_date=date(2026, 3, 12),
            route=ROUTE,
            stops=[("Maison de quartier", ROUTE[0]), ("Square Vogel", ROUTE[2])],
        )
        db.session.commit()
        with app.test_request_context():
            edit = url("facilitators.edit_walk", slug=project.slug, walk_id=walk.id)
            page = url("facilitators.walk_page", slug=project.slug, walk_id=walk.id)
            login = url("auth.login")
        yield {
            "size": {"width": width, "height": height},
            "emails": emails,
            "edit": edit,
            "page": page,
            "login": login,
            "walk_id": walk.id,
            "errors": [],
        }


def _signed_in(browser: Browser, base: str, world: dict, email: str) -> Page:
    context = browser.new_context(locale="fr-FR", viewport=world["size"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda e: world["errors"].append(f"{email}: {e}"))
    # a warning is a defect too (Leaflet.draw's use of Leaflet's deprecated L.Polyline._flat was one);
    # the refused save's own 409 is the scenario's, which Chromium logs as a failed load
    page.on("console", lambda m: _console(world, email, m))
    page.goto(base + world["login"])
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base + world["edit"])
    expect(page.locator("#planner-map.leaflet-container")).to_be_visible()
    return page


def _console(world: dict, email: str, message) -> None:  # type: ignore[no-untyped-def]
    if message.type in ("error", "warning") and "status of 409" not in message.text:
        world["errors"].append(f"{email}: {message.type}: {message.text}")


def _stored(app, walk_id: int) -> tuple[str, str, list[str]]:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from webapp.models import Walk

    with app.app_context():
        walk = db.session.get(Walk, walk_id)
        return walk.title, walk.meeting_point, [s.name for s in walk.stops]


def test_two_editors_of_one_walk_keep_each_others_changes(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, world, artifacts: Path
) -> None:
    base = live_server.url
    width = world["size"]["width"]
    anim = _signed_in(browser, base, world, world["emails"][0])
    bernadette = _signed_in(browser, base, world, world["emails"][1])
    # the walk's route and stops are on the editor's map, with a handle per route point
    expect(anim.locator(".stop-pin")).to_have_count(2)
    expect(anim.locator(".leaflet-editing-icon[aria-label^='Point ']")).to_have_count(3)
    assert world["errors"] == []
    anim.screenshot(path=str(artifacts / f"walk-two-editors-{width}-edit.png"), full_page=True)

    # Bernadette adds a stop (the keyboard way: the text the map editor keeps in sync).
    bernadette.locator("details.keyboard summary").click()
    stops = bernadette.locator("textarea[name=stops]")
    stops.fill(stops.input_value() + "\n2.301000, 49.920200, Arrêt de bus Nemo")
    stops.blur()  # the map follows the text
    expect(bernadette.locator(".stop-pin")).to_have_count(3)
    expect(bernadette.locator("[data-text-error]")).to_be_hidden()
    bernadette.get_by_role("button", name="Enregistrer la marche").click()
    expect(bernadette.locator(".flash.ok")).to_contain_text("enregistrée")

    # Anim, whose page still shows two stops, changes the meeting point.
    anim.get_by_label("Point de rendez-vous").fill("Devant le centre social")
    anim.get_by_role("button", name="Enregistrer la marche").click()
    expect(anim.locator(".flash.warning").first).to_contain_text(
        "Entre-temps, quelqu'un d'autre a changé : les arrêts. Ses changements sont gardés avec les vôtres."
    )
    assert _stored(live_server.app, world["walk_id"]) == (
        "Marche du jeudi",
        "Devant le centre social",
        ["Maison de quartier", "Square Vogel", "Arrêt de bus Nemo"],
    )
    anim.screenshot(path=str(artifacts / f"walk-two-editors-{width}-kept.png"))

    # Both retitle it: the second save is refused, with Anim's words still in the form.
    anim.goto(base + world["edit"])
    bernadette.goto(base + world["edit"])
    bernadette.get_by_label("Titre").fill("Marche des femmes")
    bernadette.get_by_role("button", name="Enregistrer la marche").click()
    expect(bernadette.locator(".flash.ok")).to_contain_text("enregistrée")
    anim.get_by_label("Titre").fill("Marche du jeudi soir")
    anim.get_by_role("button", name="Enregistrer la marche").click()
    alert = anim.locator("#plan-error")
    expect(alert).to_contain_text("quelqu'un d'autre a changé : le titre. Rien n'a été enregistré.")
    expect(anim.get_by_label("Titre")).to_have_value("Marche du jeudi soir")
    assert _stored(live_server.app, world["walk_id"])[0] == "Marche des femmes"
    assert anim.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(anim) == []
    anim.screenshot(path=str(artifacts / f"walk-two-editors-{width}-conflict.png"))
    anim.get_by_role("button", name="Enregistrer la marche").click()
    expect(anim.locator(".flash.ok")).to_contain_text("enregistrée")
    assert _stored(live_server.app, world["walk_id"])[0] == "Marche du jeudi soir"
    assert world["errors"] == []
    anim.context.close()
    bernadette.context.close()


def test_two_people_recording_the_minors_consent_lose_nothing_typed(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, world, artifacts: Path
) -> None:
    """Bernadette records the group's consent while Anim's walk page is open; Anim, typing hers, is
    told it is already recorded — by whom, with what note — and finds her own note on the page, the
    problem in view and focused (it used to be flashed at the top of a page scrolled elsewhere)."""
    base = live_server.url
    width = world["size"]["width"]
    anim = _signed_in(browser, base, world, world["emails"][0])
    bernadette = _signed_in(browser, base, world, world["emails"][1])
    for page in (anim, bernadette):
        page.goto(base + world["page"] + "#consentement")
    bernadette.locator("#consentement-form input[name=minors_count]").fill("5")
    bernadette.locator("#consentement-form input[name=note]").fill("Classeur vert")
    bernadette.locator("#consentement-form button[type=submit]").click()
    expect(bernadette.locator("#consentement .flash.ok")).to_be_in_viewport()
    anim.locator("#consentement-form input[name=minors_count]").fill("3")
    anim.locator("#consentement-form input[name=note]").fill("Pochette bleue, bureau 2")
    anim.locator("#consentement-form button[type=submit]").click()
    problem = anim.locator("#consentement-erreur")
    expect(problem).to_have_text("Les autorisations de cette marche sont déjà enregistrées.")
    expect(problem).to_be_in_viewport()
    expect(problem).to_be_focused()
    expect(anim.locator("#consentement")).to_contain_text("Enregistrées le")
    expect(anim.locator("#consentement")).to_contain_text("par Bernadette")
    expect(anim.locator("#consentement")).to_contain_text(
        "Votre note, non enregistrée : « Pochette bleue, bureau 2 »"
    )
    assert anim.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(anim) == []
    anim.screenshot(path=str(artifacts / f"walk-two-consent-{width}-refused.png"))
    assert world["errors"] == []
    anim.context.close()
    bernadette.context.close()
