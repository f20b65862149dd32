"""The capture page in headless Chromium on a phone-sized screen: join, record, offline, lost responses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import focus_covered
from tests.webapp.capture_support import jpeg_with_gps, make_walk

pytestmark = pytest.mark.browser


def _count(server, code: str) -> int:
    from webapp.services import observations, participants

    with server.app.app_context():
        return observations.count_observations(participants.get_walk_by_code(code))


def _rows(server, code: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Observation
    from webapp.services import participants

    with server.app.app_context():
        walk = participants.get_walk_by_code(code)
        rows = db.session.scalars(select(Observation).where(Observation.walk_id == walk.id)).all()
        return [(r.client_uuid, r.location_source, r.theme, [p.stored_name for p in r.photos]) for r in rows]


def _walk(server, code: str) -> None:
    with server.app.app_context():
        make_walk(code=code, slug=f"p-{code.lower()}")


def _join(page: Page, server, code: str) -> None:
    page.goto(f"{server.url}/rejoindre")
    page.get_by_label("Code de la marche").fill(code.lower())
    page.get_by_label("Âge").select_option("15-17")
    page.get_by_role("button", name="Rejoindre la marche").click()
    page.wait_for_url(f"**/m/{code}")
    page.wait_for_selector("body[data-ready='1']")


def _record(page: Page, theme: str, polarity: str | None = "Ça ne va pas", note: str = "") -> None:
    page.locator(".theme", has_text=theme).click()
    if polarity:
        page.locator(".choice", has_text=polarity).first.click()
    if note:
        page.locator("details.more summary").click()
        page.locator("textarea[name=note]").fill(note)
    page.get_by_role("button", name="Enregistrer l'observation").click()


def test_newcomer_joins_and_records_with_gps_then_with_a_pin_and_a_photo(
    page: Page, context: BrowserContext, live_server, artifacts
) -> None:
    _walk(live_server, "KQ7M3P")
    _join(page, live_server, "KQ7M3P")
    expect(page.locator("#geo-status")).to_contain_text("± 12 m")
    page.screenshot(path=str(artifacts / "capture-empty.png"), full_page=True)

    _record(page, "Éclairage", note="<b>Lampadaire</b> éteint")
    first = page.locator("#mine .item").first
    expect(first).to_have_attribute("data-state", "sent")
    expect(first.locator(".zone")).to_have_text("· Nord — secteur test")  # the quartier, no jargon
    expect(first.locator(".time")).to_have_text(re.compile(r"^à \d\d:\d\d$"))
    expect(first.locator(".note")).to_have_text("<b>Lampadaire</b> éteint")  # shown as text, not markup

    # Second observation: the pin dropped by hand on the map, with a photo carrying GPS tags.
    page.locator(".theme", has_text="Propreté").click()
    page.locator(".choice", has_text="Ça va bien").first.click()
    page.locator("details.more summary").click()
    page.set_input_files(
        "#photo-input", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    expect(page.locator("#photo-previews img")).to_have_count(1)
    page.get_by_role("button", name="Placer le repère sur une carte").click()  # the map loads on demand
    expect(page.locator("#map .pm-stop")).to_have_count(2)
    box = page.locator("#map").bounding_box()
    page.locator("#map").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.4})
    expect(page.locator("#geo-status")).to_contain_text("Repère placé à la main")
    assert page.locator("select[name=stop] option").count() == 3  # the stops, also usable without the map
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#mine .item[data-state='sent']")).to_have_count(2)
    expect(page.locator("#mine .item", has_text="en attente")).to_have_count(0)
    page.screenshot(path=str(artifacts / "capture-two-sent.png"), full_page=True)

    rows = _rows(live_server, "KQ7M3P")
    assert len(rows) == 2
    sources = sorted(r[1] for r in rows)
    assert sources == ["gps", "pin"]
    with_photo = [r for r in rows if r[3]]
    assert len(with_photo) == 1 and with_photo[0][1] == "pin"

    from PIL import Image

    photo_dir = live_server.app.config["PHOTO_DIR"]
    with Image.open(f"{photo_dir}/{with_photo[0][3][0]}") as stored:
        assert max(stored.size) <= 1600
        assert not stored.getexif()

    # The participant edits their first observation, then deletes the second.
    lighting = page.locator("#mine .item", has_text="Éclairage")
    lighting.get_by_role("button", name="Modifier").click()
    expect(page.locator("#editing")).to_have_text("Modification de l'observation")
    page.locator("textarea[name=note]").fill("Lampadaire réparé")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(lighting.locator(".note")).to_have_text("Lampadaire réparé")
    expect(lighting).to_have_attribute("data-state", "sent")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#mine .item", has_text="Propreté").get_by_role("button", name="Supprimer").click()
    expect(page.locator("#mine .item")).to_have_count(1)
    expect(page.locator("#mine .item").first).to_have_attribute("data-state", "sent")
    assert _count(live_server, "KQ7M3P") == 1
    assert [r[2] for r in _rows(live_server, "KQ7M3P")] == ["eclairage"]


def test_offline_observations_survive_a_reload_and_are_sent_once_back_online(
    page: Page, context: BrowserContext, live_server, artifacts
) -> None:
    _walk(live_server, "WX4N9R")
    context.set_geolocation({"latitude": 49.9196, "longitude": 2.2991, "accuracy": 150})
    _join(page, live_server, "WX4N9R")
    expect(page.locator("#geo-status")).to_have_text(
        "Position imprécise (± 150 m) : attendez quelques secondes ou placez le repère sur la carte."
    )
    # Wait for the service worker to be active (a flag set when its promise resolves: an expression
    # returning the promise itself would be truthy at once), then for it to control the page.
    page.evaluate("() => { navigator.serviceWorker.ready.then(() => { window.swReady = true; }); }")
    page.wait_for_function("() => window.swReady === true")
    page.reload()  # the service worker now controls the page and has cached it
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_selector("body[data-ready='1']")

    context.set_offline(True)
    for theme in ("Transports", "Signalétique", "Éclairage"):
        _record(page, theme)
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(3)
    page.screenshot(path=str(artifacts / "capture-offline-waiting.png"), full_page=True)
    assert _count(live_server, "WX4N9R") == 0

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(3)
    expect(page.locator(".theme")).to_have_count(12)

    layer = live_server.app.wsgi_app  # the ingest's fast path (webapp/api/fast_ingest.py)
    served, handed = layer.served, layer.handed_back
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#mine .item[data-state='sent']")).to_have_count(3, timeout=15000)
    assert _count(live_server, "WX4N9R") == 3
    # what the page sends is the plain case the fast path answers (not a detour through Flask), once
    # this server has read the walk's form and its project's zones (the first one may do it)
    assert (layer.served - served, layer.handed_back - handed) in ((3, 0), (2, 1))
    served, handed = layer.served, layer.handed_back
    pending = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('arpenteur');
           r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').count();
           q.onsuccess = () => ok(q.result); }; })"""
    )
    assert pending == 0

    # A response lost after the server stored the row: the phone retries, the server answers 200.
    lost = {"count": 0}

    def drop_first_response(route, request):  # type: ignore[no-untyped-def]
        if request.method == "POST" and lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # the server stores the observation...
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.continue_()

    context.route("**/api/v1/observations", drop_first_response)
    _record(page, "Harcèlement", polarity=None, note="Réponse perdue")  # no good/bad question there
    expect(page.locator("#mine .item").first).to_have_attribute("data-state", "waiting")
    expect(page.locator("#mine .item").first.locator(".why")).to_contain_text("pas de réseau")
    assert _count(live_server, "WX4N9R") == 4
    page.get_by_role("button", name="Réessayer l'envoi").click()
    expect(page.locator("#mine .item").first).to_have_attribute("data-state", "sent", timeout=15000)
    assert lost["count"] == 1
    assert _count(live_server, "WX4N9R") == 4
    # the lost answer's 201 from the fast path; the resend's 200 from Flask, which reads the stored row
    assert (layer.served - served, layer.handed_back - handed) == (1, 1)
    page.screenshot(path=str(artifacts / "capture-after-retry.png"), full_page=True)


def test_the_keyboard_never_lands_under_the_save_bar(page: Page, live_server) -> None:
    # The « Enregistrer » bar sticks to the bottom of the screen: the nearest-stop list, reached with
    # Tab, was scrolled just into view — under the bar, where nobody could see it.
    _walk(live_server, "KB4R7T")
    _join(page, live_server, "KB4R7T")
    page.locator("h1").focus()
    assert focus_covered(page, 30) == []
