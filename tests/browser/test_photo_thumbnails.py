"""Photos shown small arrive as thumbnails, in headless Chromium: the moderation list (1366 and 1920
px) shows a 640-pixel thumbnail and opens the 1,600-pixel photo; a partner's recommendation on a
phone (360 px) shows the thumbnail; the restitution report's page takes the thumbnail on an ordinary
screen and the photo itself on a dense one. Screenshots: ``test-artifacts/thumbnails-*.png``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CONTEXT_ARGS
from tests.webapp.support import url

pytestmark = pytest.mark.browser

STAFF = "anim-vignettes@example.org"
#: Every image the page loaded: (path and query, natural width, bytes over the network).
IMAGES = """() => [...document.images].filter((i) => i.complete && i.naturalWidth > 0).map((i) => {
  const entry = performance.getEntriesByName(i.currentSrc)[0];
  const u = new URL(i.currentSrc);
  return [u.pathname + u.search, i.naturalWidth, entry ? entry.encodedBodySize : -1];
})"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from tests.webapp.support import photo_like, photos_on_disk, store_photo
    from tests.webapp.test_partners import build_partner_world
    from webapp.extensions import db
    from webapp.models import Photo, PhotoBlob

    app = live_server.app
    with app.app_context():
        pw = build_partner_world(facilitator_email=STAFF, prefix="vignettes-")
        photo = db.session.query(Photo).filter_by(stored_name=pw.photos["validated"]).one()
        photo.width, photo.height = 1600, 1200  # as the photo phones send
        if photos_on_disk():
            store_photo(photo, photo_like())
        else:
            db.session.execute(
                update(PhotoBlob).where(PhotoBlob.photo_id == photo.id).values(data=photo_like())
            )
        db.session.commit()
        with app.test_request_context():
            return {
                "name": pw.photos["validated"],
                "login": url("auth.login"),
                "queue": url(
                    "facilitators.moderation_queue", slug=pw.slug, walk_id=pw.world.day.id, status="validated"
                ),
                "recommendation": url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id),
                "report": url("facilitators.report", slug=pw.slug),
            }


def _login(page: Page, base: str, url_: str, email: str) -> None:
    page.goto(base + url_)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _shown(page: Page, name: str) -> list[list]:  # type: ignore[type-arg]
    page.wait_for_function(
        "(name) => [...document.images]"
        ".some((i) => i.currentSrc.includes(name) && i.complete && i.naturalWidth)",
        arg=name,
    )
    return [row for row in page.evaluate(IMAGES) if name in row[0]]


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_moderation_list_shows_a_thumbnail_and_opens_the_photo(
    live_server, world, browser: Browser, artifacts, width
):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], STAFF)
        page.goto(live_server.url + world["queue"])
        [(src, natural, size)] = _shown(page, world["name"])
        assert src.endswith("?taille=vignette") and natural == 640, (src, natural)
        assert 0 < size < 100_000, size  # the 1,600-pixel photo weighs more than half a megabyte
        thumb = page.locator(f'.mod-photos summary img[src*="{world["name"]}"]')
        thumb.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"thumbnails-moderation-{width}.png"))
        thumb.click()  # opens the photo itself
        large = page.locator(f'.mod-photos img.large[src*="{world["name"]}"]')
        expect(large).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=large.element_handle())
        assert large.evaluate("(img) => img.naturalWidth") == 1600
        page.screenshot(path=str(artifacts / f"thumbnails-moderation-open-{width}.png"))
    finally:
        context.close()


def test_a_partner_on_a_phone_sees_the_thumbnail_of_a_recommendation(
    live_server, world, browser: Browser, artifacts
):  # type: ignore[no-untyped-def]
    context = browser.new_context(**CONTEXT_ARGS)
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], "vignettes-partenaire-a@example.org")
        page.goto(live_server.url + world["recommendation"])
        [(src, natural, size)] = _shown(page, world["name"])
        assert src.endswith("?taille=vignette") and natural == 640 and 0 < size < 100_000, (
            src,
            natural,
            size,
        )
        page.locator(f'img[src*="{world["name"]}"]').scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "thumbnails-recommendation-360.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "density", "small"), [(1366, 1, True), (1920, 1, True), (1366, 2, False)])
def test_the_report_page_takes_the_size_the_screen_needs(
    live_server, world, browser: Browser, artifacts, width, density, small
):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 900}, device_scale_factor=density
    )
    try:
        page = context.new_page()
        _login(page, live_server.url, world["login"], STAFF)
        page.goto(live_server.url + world["report"])
        # (an image taken from a srcset reports its width at the density it was chosen for)
        [(src, _shown_width, size)] = _shown(page, world["name"])
        assert src.endswith("?taille=vignette") == small, src
        assert (0 < size < 100_000) == small, size  # the 1,600-pixel photo weighs over half a megabyte
        photo = page.locator(f'img[src*="{world["name"]}"]')
        photo.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"thumbnails-report-{width}-x{density}.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
