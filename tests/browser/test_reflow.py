"""A phone's width with real titles: « Mes projets » at 320 and 360 px with walks named as in the field
(« Marcel Paul - Salamandre — collégiennes et collégiens »…) does not scroll sideways; the walks' table
scrolls in its own region, which the keyboard reaches and a screen reader names.

The accessibility sweep (``test_accessibility_pages.py``) checks every page at 320 px with the matrix's
short titles; a card of the project list grew to its table's width only with long words in them.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for
from playwright.sync_api import Browser

from tests.browser.support import axe_violations

pytestmark = pytest.mark.browser

STAFF = ("animation@example.org", "un-mot-de-passe-solide")
#: Titles of the demo project's walks: long words that a 320 px column cannot break.
TITLES = [
    "Étouvie — collégiennes et collégiens",
    "Marcel Paul - Salamandre — habitantes",
    "Condorcet - Philéas Lebesgue — marche en cours",
    "Elbeuf-Lescouvé — première marche de nuit",
]


@pytest.fixture(scope="module")
def site(live_server):  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from webapp.services import accounts, projects, walks

    with live_server.app.app_context():
        user = accounts.create_user(email=STAFF[0], password=STAFF[1], display_name="Animation")
        project = projects.create_project(
            slug="amiens-qpv", name="Marches exploratoires — Amiens", territory=["80021"], facilitator=user
        )
        for day, title in enumerate(TITLES, start=1):
            walks.create_walk(project, title=title, walk_date=date(2026, 3, day))
        db.session.commit()
    with live_server.app.test_request_context():
        return {"login": url_for("auth.login"), "index": url_for("facilitators.index")}


@pytest.mark.parametrize("width", [320, 360])
def test_the_project_list_fits_a_phone_and_its_walks_table_scrolls_in_its_region(
    browser: Browser, live_server, site, width: int
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 740})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(live_server.url + site["login"])
        page.get_by_label("Adresse électronique").fill(STAFF[0])
        page.get_by_label("Mot de passe").fill(STAFF[1])
        page.get_by_role("button", name="Se connecter").click()
        page.goto(live_server.url + site["index"])
        assert page.get_by_role("link", name=TITLES[0]).is_visible()
        sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert sizes[0] <= sizes[1], f"the page scrolls sideways by {sizes[0] - sizes[1]} px"
        region = page.get_by_role("region", name="Marches de « Marches exploratoires — Amiens »")
        assert region.get_attribute("tabindex") == "0"
        widths = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1], "the table fits: this width does not test the region"
        assert axe_violations(page) == []
    finally:
        context.close()
