"""Anchor of the capture page's weight: a bare HTML form, alone and with Leaflet (JS and CSS).

A bare Flask app with two pages: the walk's themes as radio buttons, a note and a submit button, no
style sheet and no script (« a form alone »), and the same page loading the vendored Leaflet 1.9 files
(« a form plus Leaflet », what a capture page built the obvious way carries). No cache headers of its
own: Flask's defaults, as a page made without thinking about it would have. Served on the same server
and metered the same way as the product: text compressed as the product's server sends it
(``webapp.compression``, the same rules).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

#: The vendored Leaflet files (copied from npm at set-up by scripts/vendor_assets.py).
LEAFLET = Path(__file__).resolve().parents[2] / "webapp" / "static" / "vendor" / "leaflet" / "dist"
THEMES = ["Éclairage", "Propreté", "Transports", "Signalétique", "Usages", "Harcèlement"]


def _page(leaflet: bool) -> str:
    head = (
        '<link rel="stylesheet" href="leaflet/leaflet.css"><script src="leaflet/leaflet.js"></script>'
        if leaflet
        else ""
    )
    choices = "".join(
        f'<label><input type="radio" name="theme" value="{i}"> {name}</label><br>'
        for i, name in enumerate(THEMES)
    )
    body = (
        '<form method="post"><fieldset><legend>Qu\'est-ce que vous voyez ?</legend>'
        f"{choices}</fieldset>"
        '<label>Ça va ? <select name="polarity"><option>Ça va</option>'
        "<option>Ça ne va pas</option></select></label>"
        '<label>Note <textarea name="note"></textarea></label>'
        '<label>Arrêt le plus proche <select name="stop"><option>1. Place</option>'
        "<option>2. Arrêt de bus</option></select></label>"
        '<button type="submit">Enregistrer l\'observation</button></form>'
        + ('<div id="map" style="height:14rem"></div>' if leaflet else "")
    )
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>Observation</title>{head}</head><body><h1>Marche</h1>{body}</body></html>"
    )


def create_app() -> Flask:
    """The anchor's app: ``/form`` and ``/leaflet/form`` (and Leaflet's files under ``/leaflet/``)."""
    from webapp import compression

    app = Flask(__name__, static_folder=None)
    compression.init_app(app)

    @app.get("/form")
    def form() -> str:
        return _page(leaflet=False)

    @app.get("/leaflet/form")
    def form_with_leaflet() -> str:
        return _page(leaflet=True)

    @app.get("/leaflet/leaflet/<path:name>")
    def leaflet_file(name: str):  # type: ignore[no-untyped-def]
        return send_from_directory(LEAFLET, name)

    return app
