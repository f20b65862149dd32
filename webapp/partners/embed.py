"""What the partners' and the public pages share: the rendered map, and sending a checked photo."""

from __future__ import annotations

from flask import Response, current_app, url_for

from geodata.assets import MapParts, render_map_parts
from webapp.map_text import map_text
from webapp.models import Project
from webapp.photo_responses import photo_response
from webapp.security import csp_nonce
from webapp.services import partner_views


def public_map_parts(
    project: Project, f: partner_views.ObservationFilter, *, photo_url: partner_views.PhotoUrl | None
) -> tuple[partner_views.PublicMap, dict[str, str]]:
    """The public shapes of the map and its three rendered parts (``header``, ``html``, ``script``).

    The folium builder receives only what :func:`partner_views.build_map` returns. Both are kept
    (:func:`partner_views.kept_map`): a repeat visit reads no observation and draws nothing, and each
    response puts its own nonce on the kept parts.
    """
    vendor = url_for("static", filename="vendor/")
    tiles = str(current_app.config.get("TILES", "osm"))

    def render(data: partner_views.PublicMap) -> MapParts:
        from geodata import maps  # folium is loaded by the first page that draws a map

        fmap = maps.build_public_map(
            observations=data.observations,
            themes=partner_views.theme_styles(project),
            sensitive_cells=data.sensitive_cells,
            sensitive_label=partner_views.sensitive_label(project),
            routes=data.routes,
            zones=data.zones,
            tiles=tiles,
            text=map_text(),
        )
        parts = render_map_parts(fmap, vendor)  # no nonce: the parts are shared between requests
        return MapParts(header=maps.tidy_header(parts.header), html=parts.html, script=parts.script)

    data, parts = partner_views.kept_map(
        project, f, photo_url=photo_url, page_key=(tiles, vendor), render=render
    )
    return data, parts.for_response(csp_nonce())


def send_photo(photo: partner_views.PublicPhoto, *, private: bool, size: str | None = None) -> Response:
    """The photo's bytes (``size="vignette"``: its thumbnail), from whichever store keeps them; 404 once
    they are gone (purged)."""
    response = photo_response(
        photo.stored_name, photo.content_type, lambda: partner_views.photo_bytes(photo), size=size
    )
    # Revalidated on every view (cheap: the ETag is the stored name, checked before any read), so a
    # photo a moderator hides disappears at once instead of being served from caches for another hour.
    response.cache_control.no_cache = True
    response.cache_control.private = private or None
    response.cache_control.public = (not private) or None
    return response
