"""Anchor of the national map: a bare Leaflet page drawing one precomputed GROUP BY of the observations.

``precompute(zoom)`` runs, once and before any timing, the obvious query — validated observations
grouped on a grid of the zoom's cell size, with their count and mean position — over the same table
the product reads, and keeps the JSON. ``make_app(body)`` serves a page with Leaflet (the same vendored
file) that fetches that JSON and draws one canvas circle per cell, sized by its count: the least any
national map of these observations has to do in the browser, with the database's work done for free.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, send_file
from sqlalchemy import func, select

VENDOR = Path(__file__).resolve().parents[2] / "webapp" / "static" / "vendor" / "leaflet" / "dist"

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Ancre</title>
<link rel="stylesheet" href="/leaflet.css">
<style>body{margin:0;font-family:sans-serif} h1{font-size:1.4rem;margin:.5rem}
#map{height:68vh;margin:.5rem;background:#eef0f3}</style></head><body>
<h1>Carte nationale (ancre)</h1><div id="map"></div>
<script src="/leaflet.js"></script>
<script>
const map = L.map('map', {preferCanvas: true, zoomSnap: 1});
map.fitBounds([[41.3, -5.2], [51.1, 9.6]]);
fetch('/cells.json').then((r) => r.json()).then((cells) => {
  for (const [lon, lat, n] of cells) {
    L.circleMarker([lat, lon], {radius: 9 + 4.5 * Math.log10(Math.max(n, 3))}).addTo(map);
  }
  window.drawn = cells.length;
});
</script></body></html>"""


def precompute(zoom: int) -> tuple[bytes, float]:
    """The JSON of the plain GROUP BY at ``zoom``'s cell size (run inside the product's app context)."""
    from webapp.extensions import db
    from webapp.models import Observation

    size = 360.0 / 2**zoom / 4
    x, y = func.ST_X(Observation.location), func.ST_Y(Observation.location)
    gx, gy = func.floor((x + 180.0) / size), func.floor((y + 90.0) / size)
    rows = db.session.execute(
        select(func.count(), func.avg(x), func.avg(y))
        .where(Observation.moderation_status == "validated")
        .group_by(gx, gy)
    ).all()
    db.session.rollback()
    cells = [[round(float(mx), 5), round(float(my), 5), int(n)] for n, mx, my in rows]
    return json.dumps(cells, separators=(",", ":")).encode(), size


def make_app(body: bytes) -> Flask:
    """The anchor's own tiny server: the page, Leaflet and the precomputed cells."""
    app = Flask(__name__)

    @app.get("/")
    def page() -> Response:
        return Response(PAGE, mimetype="text/html")

    @app.get("/leaflet.js")
    def leaflet_js() -> Response:
        return send_file(VENDOR / "leaflet.js", max_age=3600)

    @app.get("/leaflet.css")
    def leaflet_css() -> Response:
        return send_file(VENDOR / "leaflet.css", max_age=3600)

    @app.get("/cells.json")
    def cells() -> Response:
        return Response(body, mimetype="application/json")

    return app
