"""HTTP security headers: a Content-Security-Policy with a per-request nonce for inline scripts.

folium's map script is inline, so it gets the nonce (``g.csp_nonce``). Styles keep ``'unsafe-inline'``:
Leaflet positions every tile, marker and popup with inline styles, and without it maps render at 0 px.
Images may come from the configured tile servers; nothing else is loaded from outside.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

#: Tile servers a map may draw from, by the TILES setting.
TILE_HOSTS = {
    "osm": "https://tile.openstreetmap.org",
    "ign": "https://data.geopf.fr",
    "none": "",
}


#: Where a view asks for another ``frame-ancestors`` for its own response.
FRAME_ANCESTORS_KEY = "arpenteur.frame_ancestors"


def safe_local_path(target: object, fallback: str) -> str:
    r"""``target`` if it is a path on this site, else ``fallback``: the one guard against open redirects.

    Refused: anything with a scheme or a host, ``//host`` and ``/\host`` (browsers read both as
    another site), and control characters (browsers drop tabs and newlines, so ``/<tab>/host``
    would become ``//host``).
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def new_nonce() -> str:
    """A fresh nonce for a Content-Security-Policy."""
    return secrets.token_urlsafe(16)


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = new_nonce()
    return g.csp_nonce


def allow_any_frame_ancestor() -> None:
    """Let any site show this response in an ``<iframe>`` (``frame-ancestors *``).

    Only the public embeddable map calls it; every other page may be framed by this site alone.
    Kept in the request's environ, which lives exactly as long as the request.
    """
    request.environ[FRAME_ANCESTORS_KEY] = "*"


def init_app(app: Flask) -> None:
    """Add the headers to every response and expose ``csp_nonce()`` to templates."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response: Response) -> Response:
        if "Content-Security-Policy" not in response.headers:
            before, after = _policy(
                app.config.get("TILES", "osm"), request.environ.get(FRAME_ANCESTORS_KEY, "'self'")
            )
            response.headers["Content-Security-Policy"] = f"{before}{csp_nonce()}{after}"
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Pages and files made for one person (a staff session, a walk token) are never kept by
            # a shared cache or the browser's back/forward cache; public pages are revalidated.
            personal = "Authorization" in request.headers or bool(request.cookies)
            response.headers["Cache-Control"] = "private, no-store" if personal else "no-cache"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def policy_around_nonce(tiles_setting: str, frame_ancestors: str = "'self'") -> tuple[str, str]:
    """The Content-Security-Policy of a response, as the text before its nonce and the text after."""
    return _policy(tiles_setting, frame_ancestors)


@lru_cache(maxsize=16)
def _policy(tiles_setting: str, frame_ancestors: str) -> tuple[str, str]:
    """The Content-Security-Policy around this request's nonce: (text before it, text after it)."""
    tiles = TILE_HOSTS.get(tiles_setting, "")
    policy = {
        "default-src": "'self'",
        "script-src": "'self' 'nonce-\0'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {tiles}".strip(),
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    before, _, after = "; ".join(f"{k} {v}" for k, v in policy.items()).partition("\0")
    return before, after
