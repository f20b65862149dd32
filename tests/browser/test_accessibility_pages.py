"""axe-core on every page: each HTML page of the authorisation matrix (staff, partner, public,
resident), opened in Chromium as the first role it lets in, has no serious or critical violation;
and none scrolls sideways narrowed to 320 CSS px (WCAG 1.4.10 Reflow: a wide table scrolls in its
own region, never the page), nor at 360 px with its text at 200 % (a phone set to large text).

The world is the matrix's own (two projects, an open walk, partners of two organisations, photos,
an invitation, a reset link). Staff sign in through the login form; the participant carries the
walk's cookie, as a phone that joined does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import axe_violations as _axe
from tests.webapp.support import PASSWORD, url
from tests.webapp.test_authorization_matrix import CASES, build_matrix_world
from tests.webapp.test_page_language import _pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def matrix(live_server):  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from webapp.models import User

    app = live_server.app
    with app.app_context():
        world = build_matrix_world(app)
        db.session.commit()
        emails = {role: db.session.get(User, user_id).email for role, user_id in world.users.items()}
        paths = {endpoint: CASES[("GET", endpoint)].path(world) for endpoint, _role in _pages()}
        login = url("auth.login", app=app)
    return world, emails, paths, login


_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
#: How far the page reaches past a 320 px window, and the outermost elements that reach there
#: (nothing inside a scrolling or clipping box counts: a table in its ``.table-scroll`` may be wider).
_SIDEWAYS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const past = el => el.getBoundingClientRect().right > width + 1;
  const inBox = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")]
    .filter(el => past(el) && !inBox(el) && !past(el.parentElement));
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className ? "." + String(el.className).split(" ")[0] : "");
  return `${root.scrollWidth - width} px: ` + wide.slice(0, 3).map(name).join(", ");
}"""


def _context(browser: Browser, live_server, matrix, role: str) -> BrowserContext:  # type: ignore[no-untyped-def]
    from webapp.residents.blueprint import COOKIE

    world, emails, _paths, login = matrix
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    if role == "participant":
        context.add_cookies([{"name": COOKIE, "value": world.token, "url": live_server.url}])
    elif role != "anon":
        page = context.new_page()
        page.goto(live_server.url + login)
        page.get_by_label("Adresse électronique").fill(emails[role])
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path != login, f"{role} could not sign in"
        page.close()
    return context


def test_every_page_has_no_serious_or_critical_axe_violation(browser: Browser, live_server, matrix) -> None:  # type: ignore[no-untyped-def]
    _world, _emails, paths, _login = matrix
    contexts: dict[str, BrowserContext] = {}
    found, checked = [], 0
    try:
        for endpoint, role in _pages():
            if role not in contexts:
                contexts[role] = _context(browser, live_server, matrix, role)
            target = live_server.url + paths[endpoint]
            # files (exports, PDFs, photos, templates) are not pages: ask first, with the same cookies
            head = contexts[role].request.get(target)
            if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
                continue
            page: Page = contexts[role].new_page()
            page.goto(target)
            page.wait_for_load_state("load")
            checked += 1
            found += [f"{endpoint} ({role}): {v}" for v in _axe(page)]
            for width, text, setting in ((320, "", "100%"), (360, " with 200 % text", "200%")):
                # a phone's width; then a phone whose owner set large text (the page's own rem)
                page.set_viewport_size({"width": width, "height": 640})
                page.evaluate(f"document.documentElement.style.fontSize = '{setting}'")
                page.evaluate(_TWO_FRAMES)
                wider = page.evaluate(_SIDEWAYS)
                if wider:
                    found.append(f"{endpoint} ({role}): scrolls sideways at {width} px{text}: {wider}")
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert checked >= 30, checked
    assert found == [], "\n".join(found)
