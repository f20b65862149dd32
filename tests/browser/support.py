"""What the browser tests share: axe-core's serious and critical violations of a page."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.conftest import REPO_ROOT

#: axe-core, installed from npm (a devDependency, used by the tests only).
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the page, run inside it (the CSP allows evaluate)."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run npm ci (it is a devDependency in package.json)")
    result = page.evaluate(
        AXE.read_text(encoding="utf-8") + "\n;axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


#: Page pixels of the observation markers (the maps' one point layer) whose row matches a test:
#: ``theme`` (an index into the layer's themes) or ``polarity`` code, or any when both are null.
MARKERS = """([theme, polarity]) => {
  const el = document.querySelector('.folium-map');
  const map = window[el.id], frame = el.getBoundingClientRect(), out = [];
  map.eachLayer((l) => {
    const r = l.arpenteurRow;
    if (!r || !(l instanceof L.CircleMarker)) return;
    if (theme !== null && r[2] !== theme) return;
    if (polarity !== null && l.feature.properties._k !== polarity) return;
    const p = map.latLngToContainerPoint(l.getLatLng());
    out.push({x: frame.left + p.x, y: frame.top + p.y, ref: r[4], theme: r[2]});
  });
  return out;
}"""


def open_popup(page: Page, theme: int | None = None, polarity: str | None = None) -> str:
    """Click an observation marker (a real mouse click on the map's canvas) and return the text of the
    popup once its fields are in (fetched from the server on the team's maps)."""
    from playwright.sync_api import expect

    page.locator(".folium-map").scroll_into_view_if_needed()
    frame = page.locator(".folium-map").bounding_box()
    assert frame is not None
    markers = [
        m
        for m in page.evaluate(MARKERS, [theme, polarity])
        if frame["x"] + 40 < m["x"] < frame["x"] + frame["width"] - 40
        and frame["y"] + 40 < m["y"] < frame["y"] + frame["height"] - 40
    ]
    assert markers, "no marker to click"
    page.mouse.click(markers[0]["x"], markers[0]["y"])
    popup = page.locator(".leaflet-popup-content .obs-popup")
    expect(popup).to_be_visible()
    return popup.inner_text()


#: Where the keyboard is, and whether the page covers it: the focused element's centre and two
#: corners, each answered by another element that is not inside it, its label or around it.
_FOCUS_COVERED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const points = [
    [r.left + r.width / 2, r.top + r.height / 2], [r.left + 2, r.top + 2], [r.right - 2, r.bottom - 2],
  ];
  const labels = [...(e.labels || [])];
  const mine = (t) => t && (e.contains(t) || t.contains(e) || labels.some((l) => l.contains(t)));
  const covered = points.every(([x, y]) => !mine(document.elementFromPoint(x, y)));
  const name = e.tagName.toLowerCase() + (e.name ? `[name=${e.name}]` : '') + (e.id ? `#${e.id}` : '');
  return covered ? name : '';
}"""


def focus_covered(page: Page, tabs: int) -> list[str]:
    """The elements that Tab reached (``tabs`` presses from where the focus is) while something else
    on the page — a sticky save bar — covered them entirely (WCAG 2.2, 2.4.11 Focus not obscured)."""
    covered = []
    for _ in range(tabs):
        page.keyboard.press("Tab")
        name = page.evaluate(_FOCUS_COVERED)
        if name:
            covered.append(name)
    return covered


def sign_out_in_another_tab(context: BrowserContext, page_url: str) -> None:
    """The same person signs out in a second tab, which is then closed.

    The tab is closed only once the page the sign-out leads to has loaded: Chromium can acknowledge
    a close that races a navigation's commit and never close the tab, and Playwright's
    `page.close()` then waits for ever (crbug.com/536385539, microsoft/playwright#42366) — one CI
    run spent its ten minutes there.
    """
    other = context.new_page()
    other.goto(page_url)
    with other.expect_navigation(wait_until="load"):
        other.get_by_role("button", name="Se déconnecter").click()
    other.close()
