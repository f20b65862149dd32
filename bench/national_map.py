"""National map, first frame with data at the national view: 1,000,000 observations (100,000 quick).

For each database (SQLite + SpatiaLite, PostGIS) a fresh database is filled with observations spread
over twelve French cities (``bench/_national_data.py``), the app is served on loopback, and headless
Chromium (Debian's, tiles off, every outside request aborted) opens ``/administration/carte`` as an
administrator. Time: from the start of navigation to the first animation frame after the cells are on
the map. Every product run starts with the server's cell cache emptied, as after any change of the data
(the worst case: a warm cache only costs the version check).

Anchor (``bench/anchors/national_map.py``): a bare Leaflet page that fetches one precomputed answer —
the same GROUP BY over the same observations, computed once before timing — and draws it as
canvas circle markers. It is what any map of a million points must at least do (one page, one
fetch, draw the cells), with the database's work done for free; interleaved A, P, A, P.

    .venv/bin/python -m bench.national_map [--scale quick|full] [--runs 5] [--databases sqlite postgis]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from bench._debrief_data import drop_postgis_database, make_app, postgis_database
from bench._national_data import PASSWORD, admin_email, fill
from bench._table import Line, interleave, render

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 900}
#: The product page has drawn its cells (the module sets ``data-drawn`` after drawing).
PRODUCT_DRAWN = "() => Number(document.getElementById('national-map')?.dataset.drawn || 0) > 0"
ANCHOR_DRAWN = "() => window.drawn > 0"
GOAL_S = 2.0


@contextmanager
def _served(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _first_frame(page: Any, target: str, drawn: str) -> float:
    start = time.perf_counter()
    page.goto(target, wait_until="commit", timeout=300_000)
    page.wait_for_function(drawn, timeout=300_000, polling="raf")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
    return time.perf_counter() - start


def _measure(app: Any, n: int, runs: int) -> tuple[float, float, dict[str, Any]]:
    """Medians of (product, anchor) first frames, interleaved, and details for the note."""
    from playwright.sync_api import sync_playwright

    from bench.anchors import national_map as anchor
    from webapp.services import national_map

    notes: dict[str, Any] = {}
    with _served(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS, headless=True)
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        page = context.new_page()
        page.goto(f"{base}/connexion")
        page.fill("#email", admin_email(n))
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        target = f"{base}/administration/carte"
        _first_frame(page, target, PRODUCT_DRAWN)  # warm the static cache (Leaflet, the module)
        zoom = int(page.evaluate("() => document.getElementById('national-map').dataset.zoom"))
        notes["zoom"] = zoom
        notes["cells"] = int(page.evaluate("() => document.getElementById('national-map').dataset.drawn"))
        with app.app_context():
            started = time.perf_counter()
            body, cell = anchor.precompute(zoom)
            notes["anchor_group_by_s"] = time.perf_counter() - started
        with _served(anchor.make_app(body)) as anchor_base:
            context.route(
                f"{anchor_base}/**", lambda r: r.continue_()
            )  # the anchor's own server is on loopback too
            anchor_page = context.new_page()
            anchor_target = f"{anchor_base}/"
            _first_frame(anchor_page, anchor_target, ANCHOR_DRAWN)

            def product() -> float:
                national_map.clear_cache()  # as after any change of the data
                return _first_frame(page, target, PRODUCT_DRAWN)

            def anchor_run() -> float:
                return _first_frame(anchor_page, anchor_target, ANCHOR_DRAWN)

            product_s, anchor_s = interleave(anchor_run, product, runs)
        # Server side alone: the JSON of the national view, cold (cache emptied) and from the cache.
        notes.update(_server_times(app, n, zoom))
        browser.close()
    return product_s, anchor_s, notes


def _server_times(app: Any, n: int, zoom: int) -> dict[str, float]:
    from webapp.services import national_map

    client = app.test_client()
    client.post("/connexion", data={"email": admin_email(n), "password": PASSWORD})
    query = f"/api/v1/national-map?bbox=-5.2,41.3,9.6,51.1&zoom={zoom}"
    cold, warm = [], []
    for _ in range(5):
        national_map.clear_cache()
        cold.append(_timed(lambda: client.get(query)))
        warm.append(_timed(lambda: client.get(query)))
    return {"api_cold_s": statistics.median(cold), "api_warm_s": statistics.median(warm)}


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    response = fn()
    assert getattr(response, "status_code", 200) == 200
    return time.perf_counter() - start


def _line(database: str, n: int, product: float, anchor: float, notes: dict[str, Any]) -> Line:
    ratio = product / anchor if anchor else float("inf")
    note = (
        f"ratio {ratio:.2f}× the anchor; zoom {notes['zoom']}, {notes['cells']} cells; "
        f"API cold {notes['api_cold_s'] * 1000:.0f} ms, cached {notes['api_warm_s'] * 1000:.0f} ms; "
        f"the anchor's GROUP BY over the observations (not timed in its frame): "
        f"{notes['anchor_group_by_s']:.2f} s"
    )
    return Line(
        f"national map, first frame with data, {n:,} obs, {database}",
        product,
        anchor,
        "s",
        ratio,
        f"≤ {GOAL_S:g} s",
        product <= GOAL_S,
        note,
    )


def _run(database: str, url: str, tmp: Path, n: int, runs: int) -> Line:
    app = make_app(url, tmp, WTF_CSRF_ENABLED=False)
    fill(app, n)
    try:
        product, anchor, notes = _measure(app, n, runs)
    finally:
        from webapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    return _line(database, n, product, anchor, notes)


def lines(
    scale: str = "quick", runs: int | None = None, *, databases: tuple[str, ...] = ("sqlite", "postgis")
) -> list[Line]:
    """The national view's first frame against the anchor, on SpatiaLite and PostGIS."""
    n = 1_000_000 if scale == "full" else 100_000
    runs = runs or 5
    out: list[Line] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "sqlite" in databases:
            out.append(_run("SpatiaLite", f"sqlite:///{tmp / 'national.sqlite'}", tmp, n, runs))
            print(render(out[-1:]), file=sys.stderr, flush=True)  # a long run shows each line at once
        if "postgis" in databases:
            name = f"arpenteur_bench_national_{n}"
            url = postgis_database(name)
            try:
                out.append(_run("PostGIS", url, tmp, n, runs))
                print(render(out[-1:]), file=sys.stderr, flush=True)
            finally:
                drop_postgis_database(name)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["quick", "full"], default="quick")
    parser.add_argument("--runs", type=int, default=5)
    kinds = ["sqlite", "postgis"]
    parser.add_argument("--databases", nargs="+", choices=kinds, default=kinds)
    args = parser.parse_args(argv)
    print(render(lines(args.scale, args.runs, databases=tuple(args.databases))))


if __name__ == "__main__":
    main()
