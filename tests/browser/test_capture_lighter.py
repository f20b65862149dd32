"""The capture page made lighter (issue 13), in Debian Chromium at 360 px.

The pin map's files load only when the person opens the map (the service worker keeps them anyway, so
the map opens offline later); with the worker in control a reload asks the server for nothing but the
API; a deploy (a changed file, hence a new derived version) installs a new worker that takes over,
drops the old caches and tells the page, without losing what waits in the outbox.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import axe_violations
from tests.webapp.capture_support import make_walk

pytestmark = pytest.mark.browser

PIN_MAP_FILES = ("/static/js/pinmap.js", "/static/css/pinmap.css")
OPEN_MAP = "Placer le repère sur une carte"


def _url(server, endpoint: str, **values: Any) -> str:  # type: ignore[no-untyped-def]
    from flask import url_for

    with server.app.test_request_context():
        return server.url + url_for(endpoint, **values)


def _join(page: Page, server, code: str) -> None:  # type: ignore[no-untyped-def]
    with server.app.app_context():
        make_walk(code=code, slug=f"p-{code.lower()}")
    page.goto(_url(server, "residents.join", code=code))
    page.get_by_role("button", name="Rejoindre la marche").click()
    page.wait_for_url(f"**/m/{code}")
    page.wait_for_selector("body[data-ready='1']")
    # the worker is installed, controls the page and keeps a copy of it
    page.wait_for_selector("body[data-offline-ready='1']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


class ServerLog:
    """Paths of the requests that reach the server (the page's and the service worker's alike)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.inner, self.paths = app, app.wsgi_app, []

    def __enter__(self) -> ServerLog:
        def logged(environ, start_response):  # type: ignore[no-untyped-def]
            self.paths.append(environ["PATH_INFO"])
            return self.inner(environ, start_response)

        self.app.wsgi_app = logged
        return self

    def __exit__(self, *exc: object) -> None:
        self.app.wsgi_app = self.inner


CACHES = "() => caches.keys().then((keys) => keys.sort())"
TOKEN = "() => JSON.parse(document.getElementById('capture-config').textContent).token"


def _caches_become(page: Page, expected: list[str]) -> None:
    for _ in range(50):
        if page.evaluate(CACHES) == expected:
            return
        page.wait_for_timeout(200)
    assert page.evaluate(CACHES) == expected


def test_the_pin_map_loads_only_when_opened_and_is_kept_by_the_worker_from_the_start(
    page: Page, live_server, artifacts: Path
) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    _join(page, live_server, "KWMP4K")
    page.wait_for_load_state("networkidle")
    assert not [u for u in asked if u.endswith(PIN_MAP_FILES)], asked
    expect(page.locator("#map")).to_be_hidden()
    expect(page.locator("#geo-status")).to_contain_text("± 12 m")  # the GPS needs no map
    # ... but the worker already keeps them, for a map opened later without network
    kept = page.evaluate(
        "(files) => Promise.all(files.map((f) => caches.match(f).then(Boolean)))", list(PIN_MAP_FILES)
    )
    assert kept == [True, True]
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "capture-360-map-closed.png"), full_page=True)

    toggle = page.get_by_role("button", name=OPEN_MAP)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.locator("#map .pm-stop")).to_have_count(2)
    expect(page.locator("#map .pm-pin")).to_be_visible()  # the GPS position, shown at once
    assert {u for u in asked if u.endswith(PIN_MAP_FILES)} == {live_server.url + f for f in PIN_MAP_FILES}
    close = page.get_by_role("button", name="Fermer la carte")
    expect(close).to_have_attribute("aria-expanded", "true")
    assert axe_violations(page) == []
    page.locator("fieldset.where").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "capture-360-map-open.png"), full_page=False)

    # a pin dropped on the map is what gets saved; closing the map keeps it
    box = page.locator("#map").bounding_box()
    page.locator("#map").click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.7})
    expect(page.locator("#geo-status")).to_have_text("Repère placé à la main.")
    close.click()
    expect(page.locator("#map")).to_be_hidden()
    page.locator(".theme", has_text="Propreté").click()
    page.locator(".choice", has_text="Ça va bien").first.click()
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#mine .item[data-state='sent']")).to_have_count(1)
    from webapp.extensions import db
    from webapp.models import Observation

    with live_server.app.app_context():
        sources = [o.location_source for o in db.session.query(Observation).all() if o.theme == "proprete"]
    assert sources == ["pin"]


def test_with_the_worker_in_control_a_reload_asks_the_server_for_nothing_but_the_api(
    page: Page, live_server
) -> None:
    _join(page, live_server, "RPTXB4")
    page.wait_for_load_state("networkidle")
    with ServerLog(live_server.app) as log:
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_load_state("networkidle")
        time.sleep(2)  # the browser checks the worker for an update after a navigation
    assert log.paths and all(p.startswith("/api/") for p in log.paths), log.paths
    expect(page.locator(".theme")).to_have_count(12)


def test_the_pin_map_opens_offline_after_a_first_visit_that_never_opened_it(
    page: Page, context: BrowserContext, live_server
) -> None:
    _join(page, live_server, "FFM4PX")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.get_by_role("button", name=OPEN_MAP).click()
    expect(page.locator("#map .pm-stop")).to_have_count(2)
    assert page.locator("#map").bounding_box()["height"] > 150  # its style sheet came too
    box = page.locator("#map").bounding_box()
    page.locator("#map").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    expect(page.locator("#geo-status")).to_have_text("Repère placé à la main.")


@pytest.fixture
def deployable(live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app serving a copy of its static files, which a test may change as a deploy would."""
    from webapp.residents import offline

    static = tmp_path / "static"
    shutil.copytree(
        offline.STATIC_DIR,
        static,
        ignore=lambda folder, names: ["vendor"] if folder == str(offline.STATIC_DIR) else [],
    )
    (static / "vendor").symlink_to(offline.STATIC_DIR / "vendor")
    monkeypatch.setattr(offline, "STATIC_DIR", static)
    monkeypatch.setattr(offline, "SERVICE_WORKER", static / "js" / "sw.js")
    before = live_server.app.static_folder
    live_server.app.static_folder = str(static)
    try:
        yield static
    finally:
        live_server.app.static_folder = before


def test_a_deploy_brings_a_new_worker_that_takes_over_drops_the_old_caches_and_keeps_the_outbox(
    page: Page, context: BrowserContext, live_server, deployable: Path
) -> None:
    from webapp.residents import offline

    _join(page, live_server, "DPKQY7")
    first = offline.manifest().version
    assert page.evaluate(CACHES) == [f"arpenteur-assets-{first}", f"arpenteur-pages-{first}"]

    # two observations wait in the outbox: the API cannot be reached for them
    def refuse(route, request):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**/api/v1/observations", refuse)
    for theme in ("Transports", "Éclairage"):
        page.locator(".theme", has_text=theme).click()
        page.locator(".choice", has_text="Ça ne va pas").first.click()
        page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(2)

    # the deploy: one kept file changes, so does the version the server derives
    with (deployable / "js" / "capture.js").open("a", encoding="utf-8") as changed:
        changed.write("\nconst deployedAgain = 'deployed again';\n")  # code: comments are not served
    second = offline.manifest().version
    assert second != first

    page.reload()  # served by the old worker; the API's answer names the new one
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#update")).to_be_visible(timeout=15_000)
    expect(page.locator("#update")).to_contain_text("Une nouvelle version de cette page est prête")
    # the page hears of the new worker as it activates; the old caches go during its activation
    _caches_become(page, [f"arpenteur-assets-{second}", f"arpenteur-pages-{second}"])
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith(f"?v={second}")
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(2)

    page.get_by_role("button", name="Mettre à jour").click()
    page.wait_for_selector("body[data-ready='1']")
    kept = page.evaluate("() => caches.match('/static/js/capture.js').then((r) => r.text())")
    assert kept.rstrip().endswith("const deployedAgain = 'deployed again';")
    expect(page.locator("#update")).to_be_hidden()
    expect(page.locator("#mine .item[data-state='waiting']")).to_have_count(2)

    context.unroute("**/api/v1/observations")
    page.get_by_role("button", name="Réessayer l'envoi").click()
    expect(page.locator("#mine .item[data-state='sent']")).to_have_count(2, timeout=15_000)
    from webapp.services import observations, participants

    with live_server.app.app_context():
        assert observations.count_observations(participants.get_walk_by_code("DPKQY7")) == 2


def test_joining_again_on_the_phone_shows_the_new_capture_page_not_the_kept_one(
    page: Page, live_server
) -> None:
    _join(page, live_server, "RJQN4K")
    token = page.evaluate(TOKEN)
    page.goto(_url(live_server, "residents.join", code="RJQN4K"))  # the worker serves this page too
    page.get_by_role("button", name="Rejoindre la marche").click()
    page.wait_for_url("**/m/RJQN4K")
    page.wait_for_selector("body[data-ready='1']")
    again = page.evaluate(TOKEN)
    assert again != token  # the page of the new participant, not the copy kept for the previous one
    page.reload()  # and that is the copy the phone keeps now
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate(TOKEN) == again
