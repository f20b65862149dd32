"""Forms in headless Chromium: a facilitator imports a workbook; a phone records with the imported form.

Staff pages at 1366 px and 360 px, the capture page at 360 px; screenshots go to ``test-artifacts/``.
axe-core (npm, test-only) runs on every page added here and must find no serious or critical violation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import REPO_ROOT
from tests.webapp.capture_support import make_walk
from tests.webapp.support import url
from tests.xlsform_builder import write_duplicate_name_workbook, write_neighbourhood_workbook

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "formulaires@example.org", "un-mot-de-passe-solide"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page (run through evaluate: the CSP blocks tags)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    results = page.evaluate(AXE.read_text(encoding="utf-8") + "\n;axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def facilitator(live_server):  # type: ignore[no-untyped-def]
    from tests.factories import ProjectFactory
    from webapp.extensions import db
    from webapp.services import accounts, teams

    with live_server.app.app_context():
        user = accounts.create_user(email=EMAIL, password=PASSWORD, display_name="Awa Diallo")
        project = ProjectFactory(slug="formulaires-nav", name="Formulaires")
        teams.add_membership(user, project.id, "facilitator")
        db.session.commit()
    return EMAIL


def _login(page: Page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + url("auth.login", app=server.app))
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 1, f"the page scrolls sideways by {width} px"


@pytest.mark.parametrize("width", [1366, 360])
def test_a_facilitator_imports_a_workbook_and_reads_its_version(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, facilitator, artifacts, tmp_path: Path, width: int
):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server)
    page.get_by_role("link", name="Formulaires d'observation").click()
    expect(page.get_by_role("heading", name="Formulaires d'observation")).to_be_visible()
    _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"forms-list-{width}.png"), full_page=True)

    # a workbook with errors: each problem with its sheet and row, nothing stored
    bad = write_duplicate_name_workbook(tmp_path / "menages.xlsx")
    page.get_by_label("Classeur XLSForm", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Importer le formulaire").click()
    problems = page.locator("#problemes")
    expect(problems).to_contain_text("Import annulé, rien n'a été enregistré.")
    expect(problems).to_contain_text("Feuille « survey », ligne 6")
    _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"forms-import-refused-{width}.png"), full_page=True)

    # a good one: stored, then shown with its themes and questions
    good = write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx")
    page.get_by_label("Classeur XLSForm", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Importer le formulaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic du quartier")
    expect(page.locator(".flash.ok")).to_contain_text("version")
    expect(page.locator(".theme-card.sensitive")).to_contain_text("Insécurité")
    expect(page.locator(".badge-sensitive")).to_have_count(1)
    expect(page.get_by_role("heading", name="Rapport d'import")).to_be_visible()
    _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"forms-version-{width}.png"), full_page=True)
    assert errors == []
    context.close()


def test_a_phone_records_with_the_walks_imported_form(browser: Browser, live_server, artifacts, tmp_path):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Observation
    from webapp.services import forms

    with live_server.app.app_context():
        form = forms.install_xlsform(
            write_neighbourhood_workbook(tmp_path / "quartier.xlsx"), key="quartier_nav"
        ).form
        walk = make_walk(code="QRT7NV", slug="quartier-nav")
        forms.set_walk_form(walk, form.key, form.version)
        db.session.commit()
        walk_id = walk.id
    from tests.browser.conftest import CONTEXT_ARGS

    context = browser.new_context(**CONTEXT_ARGS)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/rejoindre?code=QRT7NV")
    page.get_by_role("button", name="Rejoindre la marche").click()
    page.wait_for_url("**/m/QRT7NV")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".theme")).to_have_count(3)
    note = page.locator(".sensitive-note")
    expect(note).to_be_hidden()
    page.locator(".theme", has_text="Insécurité").click()
    expect(note).to_be_visible()  # the form marks the theme sensitive: the page says what that means
    page.locator(".theme", has_text="Bruit").click()
    expect(note).to_be_hidden()
    page.locator("[data-field='ressenti'] .choice", has_text="4").click()
    page.locator("details.more summary").click()
    page.locator("[data-field='moment'] .choice", has_text="Le soir").click()
    page.get_by_label("Une remarque ?").fill("Scooters tard le soir")
    _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "capture-imported-form-360.png"), full_page=True)
    page.get_by_role("button", name="Enregistrer l'observation").click()
    expect(page.locator("#mine .item.sent")).to_have_count(1)
    expect(page.locator("#mine .item.sent")).to_contain_text("Bruit")
    with live_server.app.app_context():
        (stored,) = db.session.scalars(select(Observation).where(Observation.walk_id == walk_id)).all()
        assert (stored.form_key, stored.form_version, stored.theme) == ("quartier_nav", 1, "bruit")
        assert stored.answers == {"ressenti": 4, "moment": "soir", "remarque": "Scooters tard le soir"}
    context.close()
