"""Residents' pages as they are used on a walk (Debian Chromium, 360×740, touch).

Offline from the first second after joining, honest send states on a slow link, harassment reported
without the good/bad question, a position given by hand that stays between observations, pages that
reflow at 320 px and at 200 % text, and axe-core on each of them. Screenshots at 320 px go to
``test-artifacts/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import CONTEXT_ARGS
from tests.browser.test_forms import axe_violations
from tests.webapp.capture_support import STOPS, make_walk

pytestmark = pytest.mark.browser

#: Records, per observation, the states its item showed (consecutive repeats dropped), and whether
#: « Réessayer » was ever visible. Installed with evaluate (the CSP forbids injected script tags).
WATCH = """() => {
  window.__states = {};
  window.__retrySeen = false;
  const look = () => {
    for (const li of document.querySelectorAll('#mine .item[data-uuid]')) {
      const seen = (window.__states[li.dataset.uuid] ||= []);
      if (seen[seen.length - 1] !== li.dataset.state) seen.push(li.dataset.state);
    }
    if (!document.getElementById('retry').hidden) window.__retrySeen = true;
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  look();
}"""


def _url(server, endpoint: str, **values: Any) -> str:  # type: ignore[no-untyped-def]
    from flask import url_for

    with server.app.test_request_context():
        return server.url + url_for(endpoint, **values)


def _walk(server, code: str) -> None:  # type: ignore[no-untyped-def]
    with server.app.app_context():
        make_walk(code=code, slug=f"p-{code.lower()}")


def _rows(server, code: str) -> list[tuple[str, str, str | None, float, float, str]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Observation
    from webapp.services import observations, participants

    with server.app.app_context():
        walk = participants.get_walk_by_code(code)
        rows = db.session.scalars(select(Observation).where(Observation.walk_id == walk.id)).all()
        out = []
        for r in rows:
            lon, lat = observations.observation_lonlat(r)
            out.append(
                (r.theme, r.polarity, r.answers.get("vecu"), round(lon, 6), round(lat, 6), r.location_source)
            )
        return out


def _join(page: Page, server, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(_url(server, "residents.join", code=code))
    page.get_by_role("button", name="Rejoindre la marche").click()
    page.wait_for_url(f"**/m/{code}")
    page.wait_for_selector("body[data-ready='1']")


def _record(page: Page, theme: str, polarity: str | None = "Ça ne va pas") -> None:
    page.locator(".theme", has_text=theme).click()
    if polarity:
        page.locator(".choice", has_text=polarity).first.click()
    page.get_by_role("button", name="Enregistrer l'observation").click()


def _slow_api(context: BrowserContext, seconds: float) -> None:
    """The API answers after ``seconds`` (a slow mobile link); pages and files are not slowed."""

    def slow(route, request):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            time.sleep(seconds)
        route.continue_()

    context.route("**/api/v1/observations", slow)


def test_joined_then_offline_at_once_the_reload_shows_the_form_and_three_saves_are_sent_once(
    page: Page, context: BrowserContext, live_server, artifacts: Path
) -> None:
    _walk(live_server, "HJ4KQ7")
    _join(page, live_server, "HJ4KQ7")
    # the page reached through the join redirect is kept by the worker before the person walks on
    page.wait_for_selector("body[data-offline-ready='1']")
    expect(page.locator("#offline-ready")).to_be_visible()

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".theme")).to_have_count(12)
    expect(page.locator("#mine")).to_be_visible()
    offline = page.locator("#net-status")
    expect(offline).to_contain_text("Hors connexion")
    page.evaluate(WATCH)

    for theme in ("Transports", "Signalétique", "Éclairage"):
        _record(page, theme)
        expect(page.locator("#save-status")).to_contain_text("Observation enregistrée sur le téléphone")
        expect(offline).to_contain_text("Hors connexion")  # the banner stays while offline
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(3)
    expect(page.locator("#retry")).to_be_hidden()  # nothing failed: it just waits
    page.screenshot(path=str(artifacts / "field-offline-three-waiting.png"), full_page=True)
    assert _rows(live_server, "HJ4KQ7") == []

    _slow_api(context, 0.4)  # so that « Envoi… » is on screen long enough to be seen
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#mine .item[data-state='sent']")).to_have_count(3, timeout=20_000)
    # the reconnection message goes once the outbox is empty
    expect(offline).to_be_hidden()
    assert len(_rows(live_server, "HJ4KQ7")) == 3
    states = page.evaluate("window.__states")
    assert sorted(states.values()) == [["waiting", "sending", "sent"]] * 3
    assert page.evaluate("window.__retrySeen") is False


def test_on_a_slow_link_retry_never_shows_for_a_send_that_succeeds(
    page: Page, context: BrowserContext, live_server
) -> None:
    _walk(live_server, "WTK7M3")
    _join(page, live_server, "WTK7M3")
    page.evaluate(WATCH)
    _slow_api(context, 3)
    _record(page, "Éclairage")
    item = page.locator("#mine .item").first
    expect(item).to_have_attribute("data-state", "sending")
    expect(item.locator(".state")).to_have_text("Envoi…")
    expect(item).to_have_attribute("data-state", "sent", timeout=15_000)
    assert page.evaluate("window.__retrySeen") is False
    assert list(page.evaluate("window.__states").values()) == [["waiting", "sending", "sent"]]
    assert len(_rows(live_server, "WTK7M3")) == 1


def test_harassment_is_saved_without_the_good_bad_question_with_the_help_numbers_shown(
    page: Page, live_server, artifacts: Path
) -> None:
    _walk(live_server, "HRC7MT")
    _join(page, live_server, "HRC7MT")
    polarity = page.locator("[data-field='polarity']")
    expect(polarity).to_be_visible()

    # each theme's explanation opens under its tile with a tap (no tooltip on a touch screen)
    tile = page.locator(".theme-cell", has=page.locator(".theme", has_text="Éclairage"))
    tile.locator("summary").tap()
    expect(tile.locator(".theme-help p")).to_be_visible()
    expect(tile.locator(".theme-help p")).to_contain_text("La lumière le soir")
    tile.locator("summary").tap()
    expect(tile.locator(".theme-help p")).to_be_hidden()

    page.locator(".theme", has_text="Harcèlement").tap()
    expect(polarity).to_be_hidden()
    note = page.locator(".sensitive-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("L'endroit exact ne sera jamais montré en dehors de l'équipe d'animation")
    links = {
        page.locator(".help-numbers a").nth(i).get_attribute("href")
        for i in range(page.locator(".help-numbers a").count())
    }
    assert links == {"tel:17", "tel:112", "sms:114", "tel:3919", "tel:119"}
    for link in page.locator(".help-numbers a").all():
        expect(link).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "field-harassment.png"), full_page=False)

    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#mine .item").first).to_have_attribute("data-state", "sent")
    expect(page.locator(".field-error")).to_have_count(0)
    assert _rows(live_server, "HRC7MT") == [("harcelement", "negative", None, 2.2991, 49.9196, "gps")]

    # another theme asks the question again
    page.locator(".theme", has_text="Propreté").tap()
    expect(polarity).to_be_visible()
    expect(note).to_be_hidden()


def test_the_good_bad_question_is_on_screen_after_any_theme_is_picked_without_scrolling(
    page: Page, live_server
) -> None:
    _walk(live_server, "NXCR4P")
    _join(page, live_server, "NXCR4P")
    for rounds in range(2):  # the first observation, then one after a save (with its message)
        for theme in ("Signalétique", "Lieux qui fonctionnent"):
            page.evaluate("window.scrollTo(0, 0)")
            page.locator(".theme", has_text=theme).click()
            assert page.evaluate("window.scrollY") == 0
            bottom = page.locator("[data-field='polarity'] .choices").evaluate(
                "el => el.getBoundingClientRect().bottom"
            )
            bar_top = page.locator(".actions").evaluate("el => el.getBoundingClientRect().top")
            assert bottom <= bar_top <= 740, (theme, rounds, bottom, bar_top)
        page.locator(".choice", has_text="Ça va bien").first.click()
        page.get_by_role("button", name="Enregistrer l'observation").click()
        expect(page.locator("#mine .item[data-state='sent']")).to_have_count(rounds + 1)


def test_without_geolocation_the_stop_and_the_pin_stay_for_the_next_observations(
    browser: Browser, live_server, artifacts: Path
) -> None:
    _walk(live_server, "NQGP6Y")
    no_gps = {**CONTEXT_ARGS, "permissions": [], "viewport": {"width": 320, "height": 740}}
    context = browser.new_context(**no_gps)
    page = context.new_page()
    try:
        _join(page, live_server, "NQGP6Y")
        geo = page.locator("#geo-status")
        expect(geo).to_contain_text("Position non disponible")
        # stops are numbered alike on the map (opened on demand) and in the list
        page.get_by_role("button", name="Placer le repère sur une carte").click()
        expect(page.locator(".pm-stop")).to_have_count(2)
        assert page.locator(".pm-stop text").all_text_contents() == ["1", "2"]
        options = page.locator("select[name=stop] option").all_text_contents()[1:]
        assert options == [f"{n}. {name}" for n, (name, _pt) in enumerate(STOPS, start=1)]

        _record(page, "Éclairage")  # no position yet: refused on the page, with the reason
        error = page.locator(".js-error[data-for='location']")
        expect(error).to_be_visible()
        page.locator("select[name=stop]").select_option(label="2. Arrêt de bus")
        expect(error).to_have_count(0)  # no stale error once a stop is chosen
        expect(geo).to_have_text("Repère placé à l'arrêt 2.")
        page.get_by_role("button", name="Enregistrer l'observation").click()
        expect(page.locator("#mine .item[data-state='sent']")).to_have_count(1)
        expect(page.locator("select[name=stop]")).to_have_value(f"{STOPS[1][1][0]},{STOPS[1][1][1]}")
        _record(page, "Propreté", "Ça va bien")
        expect(page.locator("#mine .item[data-state='sent']")).to_have_count(2)
        expect(page.locator(".pm-pin")).to_be_visible()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / "field-320-capture-no-gps-two-saves.png"), full_page=True)
        page.locator("section.mine").screenshot(path=str(artifacts / "field-320-mes-observations.png"))

        # a pin dropped on the map stays too
        box = page.locator("#map").bounding_box()
        page.locator("#map").click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.3})
        expect(geo).to_have_text("Repère placé à la main.")
        expect(page.locator("select[name=stop]")).to_have_value("")
        _record(page, "Transports")
        expect(geo).to_contain_text("Repère de l'observation précédente")
        _record(page, "Usages")
        expect(page.locator("#mine .item[data-state='sent']")).to_have_count(4)

        rows = _rows(live_server, "NQGP6Y")
        at_stop = [(r[3], r[4]) for r in rows if r[0] in ("eclairage", "proprete")]
        assert at_stop == [STOPS[1][1]] * 2
        pinned = {(r[3], r[4], r[5]) for r in rows if r[0] in ("transports", "usages")}
        assert len(pinned) == 1 and next(iter(pinned))[2] == "pin"
    finally:
        context.close()


def _no_sideways_scroll(page: Page, what: str) -> None:
    # against the screen's width: a phone widens its layout viewport (innerWidth) to fit what overflows
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    if width > screen:
        wide = page.evaluate(
            f"""() => [...document.querySelectorAll('body *')]
                .filter((el) => !el.closest('svg') && el.getBoundingClientRect().right > {screen} + 0.5)
                .slice(0, 8)
                .map((el) => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right)"""
        )
        raise AssertionError(f"{what}: {width} px of content on a {screen} px screen: {wide}")


def _save_bar_fits(page: Page, what: str) -> None:
    bar = page.evaluate(
        """() => { const el = document.querySelector('.actions'); const r = el.getBoundingClientRect();
                   return { sticky: getComputedStyle(el).position === 'sticky', height: r.height,
                            right: r.right, screen: window.innerHeight, width: window.innerWidth }; }"""
    )
    assert bar["right"] <= page.viewport_size["width"], what
    if bar["sticky"]:
        assert bar["height"] <= 0.15 * bar["screen"], f"{what}: save bar {bar}"


@pytest.mark.parametrize("text_size", [100, 200])
def test_every_resident_page_reflows_at_320_px_and_passes_axe(
    browser: Browser, live_server, artifacts: Path, text_size: int
) -> None:
    code = {100: "RFWT3A", 200: "RFWT3B"}[text_size]
    _walk(live_server, code)
    context = browser.new_context(**{**CONTEXT_ARGS, "viewport": {"width": 320, "height": 740}})
    page = context.new_page()

    def check(what: str, shot: str | None = None) -> None:
        page.evaluate(f"document.documentElement.style.fontSize = '{text_size}%'")
        page.wait_for_timeout(150)  # let the save bar decide whether it still sticks
        _no_sideways_scroll(page, f"{what} at {text_size} %")
        if page.locator(".actions").count():
            _save_bar_fits(page, f"{what} at {text_size} %")
        if text_size == 100:
            assert axe_violations(page) == [], what
        if shot:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(artifacts / f"field-320-{shot}-{text_size}.png"), full_page=True)

    try:
        page.goto(_url(live_server, "public.index"))
        check("home", "home")
        page.goto(_url(live_server, "residents.join", code=code))
        check("join")
        page.evaluate("document.documentElement.style.fontSize = ''")
        page.get_by_role("button", name="Rejoindre la marche").click()
        page.wait_for_selector("body[data-ready='1']")
        check("capture")
        page.locator(".theme", has_text="Harcèlement").click()
        lighting = page.locator(".theme-cell", has=page.locator(".theme", has_text="Éclairage"))
        lighting.locator("summary").click()
        page.locator("details.more summary").click()
        page.get_by_role("button", name="Placer le repère sur une carte").click()
        expect(page.locator("#map .pm-stop")).to_have_count(2)
        page.get_by_role("button", name="Enregistrer l'observation").click()
        expect(page.locator("#mine .item[data-state='sent']")).to_have_count(1)
        check("capture with harassment, a theme's help, more details and the map open", "capture")
        page.goto(_url(live_server, "residents.my_data", code=code))
        check("my data", "mes-donnees")
        page.goto(_url(live_server, "residents.offline_page"))
        check("offline page")
        page.goto(_url(live_server, "residents.my_data", code=code))
        page.get_by_label("Oui, je veux tout effacer").check()
        page.get_by_role("button", name="Effacer définitivement").click()
        expect(page.locator("#erased")).to_be_visible()
        check("after erasing", "effacees")
        expect(page.get_by_role("link", name="Rejoindre à nouveau cette marche")).to_be_visible()
    finally:
        context.close()
