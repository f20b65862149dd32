"""Project map page for 1,000 / 10,000 / 100,000 observations: size (gzip) and time until points show.

``lines(scale)`` (for ``make bench``) times the product's project page against the anchor
(``bench/anchors/maps.py``: a bare folium map of the same points, served by the same app), interleaved
A, P, A, P in the same Chromium page, from the start of navigation to the first frame with points.

For each size: a fresh SQLite + SpatiaLite database is filled, the app is served on loopback, and
headless Chromium (Debian's, tiles off, every outside request aborted) opens the project page. The
time is measured from the start of navigation to the first animation frame after the map's point
layer exists (canvas circle markers, cluster icons or aggregated cells, by size), read from the
page's own clock (``performance.now()``, whose origin is the start of the navigation) by a small probe
installed before any script of the page (:data:`FRAME_PROBE`), which tells it through the console.
Not through Playwright's ``wait_for_function``: its injected script (330 kB of JavaScript, 14–16 ms
of the page's main thread) ran in whichever gap the page's parsing left — before the anchor's map
script, which waits for jQuery and Bootstrap, but after the product's, inside the time measured —
so it was timed in one page and not in the other (bench/README.md, tenth pass). Medians of
``--runs`` loads. The page size is the HTML as served, and gzip -6 of it (what a compressing proxy
sends); static files are kept by the browser after the first load and not counted (both pages name
them under the static folder's version, served ``immutable``: ``webapp/static_assets.py``).

    .venv/bin/python -m bench.maps_page [--sizes 1000 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from bench._debrief_data import fill, make_app
from bench._table import Line, slower_ratio

POINTS_SHOWN = """() => {
  const el = document.querySelector('.folium-map');
  if (!el || typeof L === 'undefined' || !(window[el.id] instanceof L.Map)) return false;
  let n = 0;
  window[el.id].eachLayer((l) => { if (l instanceof L.CircleMarker || l instanceof L.Marker) n += 1; });
  return n > 0 && (document.querySelector('.leaflet-overlay-pane canvas, .marker-cluster') !== null);
}"""
#: Installed in every page before its own scripts: on each animation frame until the points are shown,
#: then, at the next frame (the one after the frame that drew them), the page's clock, told through the
#: console — so Playwright evaluates nothing in the page while it loads.
FRAME_PROBE = (
    "(() => { const shown = "
    + POINTS_SHOWN
    + """;
  const tick = () => {
    let ok = false;
    try { ok = shown(); } catch (e) { ok = false; }
    if (ok) {
      requestAnimationFrame(() => { console.log("bench-points-frame " + performance.now()); });
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
)
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
OFFLINE_ARGS = [*ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _measure(url: str, page_url: str, runs: int) -> float:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        context.add_init_script(FRAME_PROBE)
        page = context.new_page()
        page.goto(f"{url}/connexion")
        page.fill("#email", page_url.split("|")[1])
        page.fill("#password", "bench-password")
        page.click("button[type=submit]")
        target = page_url.split("|")[0]
        page.goto(target)  # warm the static cache
        for _ in range(runs):
            times.append(_first_frame(page, target))
        browser.close()
    return statistics.median(times)


def _first_frame(page, target: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the start of navigation to ``target`` until the first frame with its points, as
    the page's clock says (the context has :data:`FRAME_PROBE`)."""
    with page.expect_console_message(
        lambda message: message.text.startswith("bench-points-frame "), timeout=300_000
    ) as message:
        page.goto(target, wait_until="commit", timeout=300_000)
    return float(message.value.text.split()[1]) / 1000


def _paired(base: str, product: str, anchor: str, email: str, runs: int) -> tuple[float, float]:
    """Medians of the product's and the anchor's first frame with points, interleaved A, P, A, P."""
    from playwright.sync_api import sync_playwright

    anchors, products = [], []
    with sync_playwright() as p:
        # No request interception (Playwright turns the HTTP cache off when it routes requests): outside
        # hosts are unresolvable instead, and both pages get their static files from the cache.
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=OFFLINE_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_init_script(FRAME_PROBE)
        page = context.new_page()
        page.goto(f"{base}/connexion")
        page.fill("#email", email)
        page.fill("#password", "bench-password")
        page.click("button[type=submit]")
        _first_frame(page, base + anchor)  # warm the static caches of both
        _first_frame(page, base + product)
        for _ in range(runs):
            anchors.append(_first_frame(page, base + anchor))
            products.append(_first_frame(page, base + product))
        browser.close()
    return statistics.median(products), statistics.median(anchors)


def lines(scale: str = "quick", runs: int | None = None) -> list[Line]:
    """The project map's first frame with points against the bare folium anchor, at 1k, 10k and 100k."""
    import logging

    from bench.anchors import maps as anchor_maps
    from webapp.services import projects

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    runs = runs or 5
    out: list[Line] = []
    for n in (1_000, 10_000, 100_000):
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp), WTF_CSRF_ENABLED=False)
            slug = fill(app, n)
            with app.app_context():
                project_id = projects.get_project(slug).id
            anchor = anchor_maps.register(app, project_id)
            client = app.test_client()
            client.post("/connexion", data={"email": f"bench{n}@example.org", "password": "bench-password"})
            product = f"/projets/{slug}/"
            product_bytes = len(client.get(product).data)
            anchor_bytes = len(client.get(anchor).data)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.server_port}"
            try:
                p, a = _paired(base, product, anchor, f"bench{n}@example.org", runs)
            finally:
                server.shutdown()
            out.append(
                slower_ratio(
                    f"project map, first frame with points, {n:,} obs",
                    p,
                    a,
                    "s",
                    at_most=1.0,
                    note=f"page {product_bytes / 1e6:.2f} MB vs anchor {anchor_bytes / 1e6:.2f} MB",
                )
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markers-up-to", type=int, help="try another threshold for one marker per point")
    args = parser.parse_args(argv)
    from geodata import map_style
    from geodata.map_style import point_layer_kind

    if args.markers_up_to is not None:
        map_style.MARKERS_UP_TO = args.markers_up_to

    print(
        "| observations | layer | page HTML | gzip -6 | server render (median) "
        "| points shown in Chromium (median) |"
    )
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp), WTF_CSRF_ENABLED=False)
            slug = fill(app, n)
            client = app.test_client()
            client.post("/connexion", data={"email": f"bench{n}@example.org", "password": "bench-password"})
            renders = []
            for _ in range(args.runs):
                t = time.perf_counter()
                body = client.get(f"/projets/{slug}/").data
                renders.append(time.perf_counter() - t)
            size, zipped = len(body), len(gzip.compress(body, 6))
            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.server_port}"
            try:
                shown = _measure(base, f"{base}/projets/{slug}/|bench{n}@example.org", args.runs)
            finally:
                server.shutdown()
            print(
                f"| {n:,} | {point_layer_kind(n)} | {size / 1e6:.2f} MB | {zipped / 1e3:.0f} kB | "
                f"{statistics.median(renders):.2f} s | {shown:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
