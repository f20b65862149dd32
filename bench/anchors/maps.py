"""Anchor of the project map page: a bare folium map of the same points, nothing else.

The honest simple program: read the project's validated points (one plain SELECT of their
coordinates), put them on a folium map and serve it — a ``GeoJson`` layer of canvas circle markers
(``prefer_canvas``) up to 10,000 points, a ``FastMarkerCluster`` beyond, as the issue's table says —
with no tiles, legend, zones, routes, summary or popups. Its scripts come from the same vendor folder
and carry the page's CSP nonce, so it runs in the same app and browser as the product.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

#: Up to this many points the anchor draws one GeoJson canvas layer; beyond, a FastMarkerCluster.
GEOJSON_UP_TO = 10_000


def points(connection: sa.Connection, project_id: int) -> list[tuple[float, float]]:
    """``[(lon, lat)]`` of the project's validated observations."""
    return [
        (x, y)
        for x, y in connection.execute(
            sa.text(
                "SELECT ST_X(location), ST_Y(location) FROM observations "
                "WHERE walk_id IN (SELECT id FROM walks WHERE project_id = :project_id) "
                "AND moderation_status = 'validated'"
            ),
            {"project_id": project_id},
        )
    ]


def folium_map(coords: list[tuple[float, float]]) -> Any:
    """The bare folium map of ``coords``."""
    import folium
    from folium import plugins

    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    fmap = folium.Map(tiles=None, prefer_canvas=True, maxZoom=19)
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    if len(coords) <= GEOJSON_UP_TO:
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": c}}
                    for c in coords
                ],
            },
            marker=folium.CircleMarker(radius=6, fill=True),
        ).add_to(fmap)
    else:
        plugins.FastMarkerCluster([[y, x] for x, y in coords]).add_to(fmap)
    return fmap


def page(coords: list[tuple[float, float]], vendor_url: str, nonce: str) -> str:
    """The anchor's whole HTML page: folium's header, map and script, nothing else."""
    from geodata.assets import render_map_parts

    parts = render_map_parts(folium_map(coords), vendor_url, nonce)
    return (
        f"<!doctype html><html><head>{parts.header}</head><body>{parts.html}"
        f'<script nonce="{nonce}">{parts.script}</script></body></html>'
    )


def register(app: Any, project_id: int, path: str = "/bench-anchor") -> str:
    """Serve the anchor page of ``project_id`` at ``path`` in ``app`` (before its first request)."""
    from flask import url_for

    from webapp.extensions import db
    from webapp.security import csp_nonce

    def anchor() -> str:
        with db.engine.connect() as connection:
            coords = points(connection, project_id)
        return page(coords, url_for("static", filename="vendor/"), csp_nonce())

    app.add_url_rule(path, "bench_anchor", anchor)
    return path
