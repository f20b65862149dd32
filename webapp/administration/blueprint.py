"""URL rules of the administrators' area: the national map page and the JSON cells it draws."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from webapp.errors import Forbidden, Unauthorized
from webapp.extensions import login_manager
from webapp.residents.blueprint import TILE_URLS
from webapp.services import national_map

bp = Blueprint("administration", __name__)


def _admin(*, api: bool = False) -> None:
    """Let site administrators in: visitors go to the login page (401 on the API), others get 403."""
    if not current_user.is_authenticated:
        if api:
            raise Unauthorized(_("Connectez-vous avec un compte d'administrateur."))
        abort(login_manager.unauthorized())
    if not current_user.is_admin:
        raise Forbidden(_("Seuls les administrateurs du site voient la carte nationale."))


@bp.get("/administration/carte")
def national_map_page() -> str:
    """The national map: cells of every project's validated observations, finer as one zooms in."""
    _admin()
    projects, themes = national_map.filter_options(str(g.get("lang", "fr")))
    tile_url, attribution = TILE_URLS.get(str(current_app.config.get("TILES", "osm")), ("", ""))
    return render_template(
        "administration/national_map.html",
        projects=projects,
        themes=themes,
        tile_url=tile_url,
        tile_attribution=attribution,
        texts={
            "loading": _("Chargement de la carte…"),
            "cells": _("%(n)s observations validées dans la vue, en carrés de %(size)s."),
            "points": _("%(n)s observations dans la vue, une à une."),
            "masked": _("non détaillé"),
            "empty": _("Aucune observation validée dans la vue."),
            "failed": _("Les données de la carte n'ont pas pu être chargées. Réessayez."),
            "observation": _("Observation"),
            "sensitive": _("Signalements sensibles : %(n)s dans ce carré de 200 m"),
            "cell": _("%(n)s observations dans ce carré"),
            "cellMasked": _("Moins de 3 observations dans ce carré"),
            "themes": {t.value: t.label for t in themes},
        },
        limits={
            "minZoom": national_map.MIN_ZOOM,
            "maxZoom": national_map.MAX_ZOOM,
            "pointsFrom": national_map.POINTS_FROM_ZOOM,
        },
    )


@bp.get("/api/v1/national-map")
def national_map_cells() -> Response:
    """Cells (or points) of the viewport ``bbox`` at ``zoom``, as compact JSON; 400 on bad parameters."""
    _admin(api=True)
    viewport = national_map.parse_viewport(request.args)
    body = national_map.cells_json(viewport)
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
