"""Two facilitators moderate the same walk at once, in headless Chromium at 1366×768 and 1920×1080.

Bernadette removes a neighbour's name from a note and hides another observation; Anim, whose queue
was opened before, then corrects the same note and validates the hidden one. Neither of Anim's
actions goes through: the correction comes back on a page with the note as it is now and Anim's words
to copy, the validation as a message naming who hid it; « Revenir à l'observation » leads to the card.
axe-core finds no serious or critical violation. Screenshots: ``test-artifacts/moderation-two-*.png``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import url_for
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def world(live_server, request) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import build_world
    from webapp.extensions import db
    from webapp.services import accounts, observations, teams

    width, height = request.param
    app = live_server.app
    tag = f"{width}-{uuid.uuid4().hex[:6]}"  # one live database for every test of the module
    with app.app_context():
        w = build_world(facilitator_email=f"anim-two-{tag}@example.org")
        other = accounts.create_user(
            email=f"bernadette-{tag}@example.org", password=PASSWORD, display_name="Bernadette"
        )
        teams.add_membership(other, w.project.id, "facilitator")
        ids = [
            observations.record_observation(
                w.day,
                client_uuid=uuid.uuid4(),
                lon=2.2951 + i * 0.001,
                lat=49.9052,
                theme="eclairage",
                polarity="negative",
                form_key="marche_exploratoire",
                form_version=1,
                note=note,
                moderation_status="pending",
                captured_at=datetime(2026, 3, 12, 18, 30 + i, tzinfo=UTC),
            ).id
            for i, note in enumerate(["M. Dupont du 3e laisse la porte ouverte", "Lampadaire éteint"])
        ]
        db.session.commit()
        with app.test_request_context():
            urls = {
                "login": url_for("auth.login"),
                "queue": url_for("facilitators.moderation_queue", slug=w.project.slug, walk_id=w.day.id),
            }
    yield {
        **urls,
        "size": {"width": width, "height": height},
        "anim": f"anim-two-{tag}@example.org",
        "bernadette": f"bernadette-{tag}@example.org",
        "named": ids[0],
        "other": ids[1],
    }


def _signed_in(browser: Browser, base: str, world: dict, email: str) -> Page:
    context = browser.new_context(locale="fr-FR", viewport=world["size"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + world["login"])
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base + world["queue"])
    return page


def _edit(page: Page, obs_id: int, note: str) -> None:
    card = page.locator(f"#obs-{obs_id}")
    card.get_by_text("Modifier le texte").click()
    card.get_by_label("Note").fill(note)
    card.get_by_role("button", name="Enregistrer").click()


def test_a_stale_queue_never_undoes_what_the_other_moderator_did(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, world, artifacts: Path
) -> None:
    base = live_server.url
    width = world["size"]["width"]
    anim = _signed_in(browser, base, world, world["anim"])  # opened first, then left as it is
    errors: list[str] = []
    anim.on("pageerror", lambda e: errors.append(str(e)))
    bernadette = _signed_in(browser, base, world, world["bernadette"])

    _edit(bernadette, world["named"], "Un voisin laisse la porte ouverte")
    expect(bernadette.locator(".flash.ok")).to_contain_text("Texte corrigé")
    other = bernadette.locator(f"#obs-{world['other']}")
    other.get_by_label("Motif").first.fill("hors sujet")
    other.get_by_role("button", name="Masquer", exact=True).click()
    expect(bernadette.locator(".flash.ok")).to_contain_text("Masquée")

    # Anim's page still shows the name; Anim adds a detail to the old text.
    _edit(anim, world["named"], "M. Dupont du 3e laisse la porte ouverte, même la nuit")
    alert = anim.get_by_role("alert")
    expect(alert).to_contain_text("Elle a changé depuis l'affichage de la page (texte corrigé par Bernadette")
    expect(alert).to_contain_text("rien n'a été fait")
    expect(anim.locator("dd").first).to_have_text("Un voisin laisse la porte ouverte")
    expect(anim.locator("textarea").first).to_have_value(
        "M. Dupont du 3e laisse la porte ouverte, même la nuit"
    )
    assert anim.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(anim) == []
    anim.screenshot(path=str(artifacts / f"moderation-two-{width}-conflict.png"), full_page=True)
    anim.set_viewport_size({"width": 320, "height": 640})  # reflow: no sideways scrolling at 320 px
    assert anim.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    anim.set_viewport_size(world["size"])

    anim.get_by_role("link", name="Revenir à l'observation").click()
    card = anim.locator(f"#obs-{world['named']}")
    expect(card.locator(".note")).to_have_text("Un voisin laisse la porte ouverte")
    assert anim.evaluate("location.hash") == f"#obs-{world['named']}"

    # That page is now stale in turn: Bernadette hides the observation, Anim validates it from there.
    bernadette.goto(base + world["queue"] + "?status=all")
    moved = bernadette.locator(f"#obs-{world['named']}")
    moved.get_by_label("Motif").first.fill("identifie une personne")
    moved.get_by_role("button", name="Masquer", exact=True).click()
    expect(bernadette.locator(".flash.ok")).to_contain_text("Masquée")
    anim.locator(f"#obs-{world['named']}").get_by_role("button", name="Valider", exact=True).click()
    refused = f"Observation n° {world['named']} : elle a changé depuis l'affichage de la page"
    expect(anim.locator(".flash.error")).to_contain_text(refused + " (masquée par Bernadette")
    anim.screenshot(path=str(artifacts / f"moderation-two-{width}-refused.png"))
    status = anim.goto(base + world["queue"] + "?status=hidden")
    assert status is not None and status.ok
    expect(anim.locator(f"#obs-{world['named']}")).to_be_visible()
    assert errors == []
    anim.context.close()
    bernadette.context.close()


def test_a_bulk_action_refused_keeps_its_ticks(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, world, artifacts: Path
) -> None:
    base = live_server.url
    width = world["size"]["width"]
    anim = _signed_in(browser, base, world, world["anim"])
    for obs_id in (world["named"], world["other"]):
        anim.get_by_label(f"Cocher l'observation {obs_id}").check()
    anim.get_by_role("button", name="Masquer la sélection").click()  # no reason given
    expect(anim.locator("#bulk-problem")).to_have_text("Indiquez pourquoi les observations sont masquées.")
    for obs_id in (world["named"], world["other"]):
        expect(anim.get_by_label(f"Cocher l'observation {obs_id}")).to_be_checked()
    expect(anim.locator("#bulk-count")).to_have_text("2")
    # the queue's own address again, once moderation.js has run (the checks above may be the server's HTML)
    anim.wait_for_function(
        "address => location.pathname + location.search === address", arg=world["queue"] + "?status=pending"
    )
    assert axe_violations(anim) == []
    anim.screenshot(path=str(artifacts / f"moderation-two-{width}-bulk-refused.png"))
    anim.locator("#bulk-form").get_by_label("Motif").fill("hors sujet")
    anim.get_by_role("button", name="Masquer la sélection").click()
    expect(anim.locator(".flash.ok")).to_contain_text("2 observations masquées.")
    anim.context.close()
