"""The project map's cluster layer, in headless Chromium: every point is clustered, the legend's theme
check boxes take a theme's points out and back, and the points are given to markercluster only once its
group is on the map — before, markercluster checked each point against every one already waiting
(quadratic: about 50 ms of the first frame at 10,000 points, 200 ms at 20,000).

The cluster threshold is lowered for this module's map (``map_style.MARKERS_UP_TO``), so a dozen points
make a clustered map. Screenshot: ``test-artifacts/map-clusters-1366.png``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask import url_for
from playwright.sync_api import Browser, Route, expect

from geodata import map_style

pytestmark = pytest.mark.browser

STAFF = "anim-clusters@example.org"
#: Appended to markercluster's script in this test's browser: counts the waiting markers each
#: ``hasLayer`` call scans (what made adding a whole layer before the map quadratic).
SCAN_COUNTER = """
;(function () {
  var hasLayer = L.MarkerClusterGroup.prototype.hasLayer;
  window.arpenteurScanned = 0;
  L.MarkerClusterGroup.prototype.hasLayer = function (layer) {
    window.arpenteurScanned += this._needsClustering.length;
    return hasLayer.call(this, layer);
  };
})();
"""
#: The map's cluster group: how many points it holds, for one theme index or all.
CLUSTERED = """(theme) => {
  const map = window[document.querySelector('.folium-map').id];
  let group = null;
  map.eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) group = l; });
  if (!group) return null;
  return group.getLayers().filter((m) => theme === null || m.arpenteurRow[2] === theme).length;
}"""


@pytest.fixture(scope="module")
def world(live_server):  # type: ignore[no-untyped-def]
    from tests.webapp.factories_debrief import build_world
    from webapp.extensions import db
    from webapp.models import Observation
    from webapp.services import observations

    app = live_server.app
    with app.app_context():
        w = build_world(facilitator_email=STAFF)
        for i in range(12):
            observations.record_observation(
                w.day,
                client_uuid=uuid.uuid4(),
                lon=2.2920 + 0.0006 * (i % 4),
                lat=49.8990 + 0.0004 * (i // 4),
                theme=("proprete", "eclairage", "transports")[i % 3],
                polarity="negative",
                form_key="marche_exploratoire",
                form_version=1,
                note=f"Point {i}",
                moderation_status="validated",
                captured_at=datetime(2026, 3, 12, 19, 0, tzinfo=UTC),
            )
        db.session.commit()
        total = db.session.query(Observation).filter_by(moderation_status="validated").count()
        with app.test_request_context():
            return {
                "project": url_for("facilitators.project_page", slug=w.project.slug),
                "login": url_for("auth.login"),
                "total": total,
            }


def test_every_point_is_clustered_once_the_group_is_on_the_map_and_themes_filter_it(
    live_server, world, browser: Browser, artifacts, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(map_style, "MARKERS_UP_TO", 3)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})

    def counted(route: Route) -> None:
        original = route.fetch()
        route.fulfill(response=original, body=original.text() + SCAN_COUNTER)

    context.route("**/leaflet.markercluster.js", counted)
    try:
        page = context.new_page()
        page.goto(live_server.url + world["login"])
        page.get_by_label("Adresse électronique").fill(STAFF)
        page.get_by_label("Mot de passe").fill("correct-horse-battery")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Mes projets")).to_be_visible()
        page.goto(live_server.url + world["project"])
        page.wait_for_function("() => document.querySelector('.marker-cluster') !== null")
        assert page.evaluate(CLUSTERED, None) == world["total"] > 3
        assert page.evaluate("() => window.arpenteurScanned") == 0
        legend = page.locator(".map-legend")
        if legend.get_attribute("open") is None:
            legend.locator("summary").click()  # folded by default below a wide screen
        box = page.get_by_role("checkbox", name="Propreté")
        theme = int(box.get_attribute("data-theme") or "-1")
        of_theme = page.evaluate(CLUSTERED, theme)
        assert of_theme >= 4
        box.uncheck()
        assert page.evaluate(CLUSTERED, theme) == 0
        assert page.evaluate(CLUSTERED, None) == world["total"] - of_theme
        box.check()
        assert page.evaluate(CLUSTERED, theme) == of_theme
        page.locator(".folium-map").scroll_into_view_if_needed()
        page.locator(".folium-map").screenshot(path=str(artifacts / "map-clusters-1366.png"))
    finally:
        context.close()
