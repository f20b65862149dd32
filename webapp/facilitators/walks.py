"""Walk planning pages of the facilitators: plan, edit, duplicate, open, close, delete; join screen and kit.

Handlers parse the request with the Flask-WTF forms of :mod:`webapp.facilitators.walk_forms`, check who
may act (the project's facilitators and administrators), call ``services.walks`` and render. A refused
plan is shown again with its message and status 422; the request is then rolled back, so nothing
already stored changes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from geodata.tracks import (
    MAX_FILE_BYTES,
    TrackError,
    read_track,
    route_from_text,
    route_to_text,
    stops_from_text,
    stops_to_text,
)
from webapp.auth import links
from webapp.errors import Conflict, DomainError, ValidationError
from webapp.facilitators.blueprint import _project, _walk, bp
from webapp.facilitators.walk_forms import AUTO_SLOT, ConfirmForm, DuplicateForm, OpenWalkForm, WalkForm
from webapp.local_time import localtime
from webapp.models import Walk
from webapp.residents.blueprint import TILE_URLS
from webapp.security import TILE_HOSTS
from webapp.services import concurrent_edits, forms, walk_kits, walks


def join_url(walk: Walk) -> str:
    """The link a phone opens to join this walk (``ARPENTEUR_PUBLIC_URL`` when set, else this site)."""
    return links.shown_link("residents.join", code=walk.join_code)


def _form_choices() -> list[tuple[str, str]]:
    return [(f"{f.key}:{f.version}", f"{f.title} — {f.key} v{f.version}") for f in forms.list_forms()]


def _default_form_choice() -> str:
    form = forms.latest_form()
    return f"{form.key}:{form.version}"


def _plan(form: WalkForm) -> dict[str, Any]:
    """The service arguments of a submitted plan; a route file replaces the typed route."""
    waypoints: list[tuple[str, tuple[float, float]]] = []
    try:
        upload = form.route_file.data
        if upload is not None and getattr(upload, "filename", ""):
            track = read_track(upload.read(MAX_FILE_BYTES + 1), upload.filename)
            route = track.points
            waypoints = track.waypoints
            form.route.data = route_to_text(route)
        else:
            route = route_from_text(form.route.data or "")
        stops = stops_from_text(form.stops.data or "")
    except TrackError as error:
        raise ValidationError(walks.describe_track_error(error), details={"route": error.code}) from None
    if not stops and waypoints:
        # A phone's GPX often marks the stops as waypoints: take them when none were typed.
        stops = waypoints[: walks.MAX_STOPS]
        form.stops.data = stops_to_text(stops)
    if len(route) == 1:
        raise ValidationError(
            _("Un itinéraire a au moins deux points distincts : ajoutez-en sur la carte."),
            details={"route": "too_short"},
        )
    form_key, form_version = walks.parse_form_choice(form.form_choice.data or "")
    return {
        "title": form.title.data or "",
        "walk_date": form.walk_date.data,
        "starts_at": form.starts_at.data,
        "ends_at": form.ends_at.data,
        "time_slot": form.time_slot.data or None,
        "meeting_point": form.meeting_point.data or "",
        "group_description": form.group_description.data or "",
        "expected_size": form.expected_size.data,
        "form_key": form_key,
        "form_version": form_version,
        "route": route or None,
        "stops": stops,
    }


def _editor_config(project) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    tiles = current_app.config.get("TILES", "osm")
    url, attribution = TILE_URLS.get(tiles, ("", ""))
    return {
        "zones": walks.project_zones_geojson(project),
        "tiles": {"url": url, "attribution": attribution} if tiles in TILE_HOSTS and url else None,
        "slots": {
            "evening": walks.EVENING_FROM.strftime("%H:%M"),
            "night": walks.NIGHT_FROM.strftime("%H:%M"),
            "night_until": walks.NIGHT_UNTIL.strftime("%H:%M"),
        },
        "text": {
            "mode_route": _("Ajouter des points d'itinéraire"),
            "mode_stop": _("Ajouter des arrêts"),
            "undo": _("Annuler le dernier changement"),
            "clear": _("Effacer l'itinéraire"),
            "stop": _("Arrêt"),
            "new_stop": _("Arrêt %(n)s"),
            "rename": _("Nom de l'arrêt %(n)s"),
            "up": _("Monter l'arrêt %(n)s"),
            "down": _("Descendre l'arrêt %(n)s"),
            "remove": _("Supprimer l'arrêt %(n)s"),
            "no_stops": _("Aucun arrêt : choisissez « Ajouter des arrêts » puis cliquez sur la carte."),
            "points": _("%(n)s point(s) d'itinéraire"),
            "text_error": _("Coordonnées illisibles : corrigez le texte (longitude, latitude par ligne)."),
            "vertex": _("Point %(n)s de l'itinéraire (glisser pour déplacer, cliquer pour retirer)"),
            "insert": _("Glisser pour insérer un point ici"),
        },
    }


def _render_plan(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


@bp.route("/projets/<slug>/marches/nouvelle", methods=["GET", "POST"])
def new_walk(slug: str) -> Response | tuple[str, int]:
    """Plan a walk: schedule, meeting point, group, form, route on the map (or a track file) and stops."""
    project, _user = _project(slug)
    form = WalkForm()
    form.form_choice.choices = _form_choices()
    if request.method == "GET":
        form.form_choice.data = _default_form_choice()
        form.time_slot.data = AUTO_SLOT
    error = None
    if form.validate_on_submit():
        try:
            walk = walks.create_walk(project, **_plan(form))
        except DomainError as problem:
            error = problem.message
        else:
            for warning in walks.planning_warnings(project, walks.stop_points(walk)):
                flash(warning, "warning")
            flash(
                _("Marche « %(title)s » planifiée. Code : %(code)s.", title=walk.title, code=walk.join_code),
                "ok",
            )
            return redirect(url_for("facilitators.walk_page", slug=slug, walk_id=walk.id), 303)
    return _render_plan(
        "facilitators/walks/form.html",
        422 if request.method == "POST" else 200,
        project=project,
        walk=None,
        form=form,
        error=error,
        editor=_editor_config(project),
    )


@bp.route("/projets/<slug>/marches/<int:walk_id>/modifier", methods=["GET", "POST"])
def edit_walk(slug: str, walk_id: int) -> Response | tuple[str, int]:
    """Change a walk's plan (the form is fixed once the walk has observations)."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    form = WalkForm(obj=None if request.method == "POST" else walk)
    form.form_choice.choices = _form_choices()
    if request.method == "GET":
        form.form_choice.data = (
            f"{walk.form_key}:{walk.form_version}" if walk.form_key else _default_form_choice()
        )
        form.time_slot.data = walk.time_slot
        form.route.data = route_to_text(walks.route_points(walk))
        form.stops.data = stops_to_text(walks.stop_points(walk))
        form.seen.data = concurrent_edits.marks(walks.plan_values(walk))
    error = None
    status = 422
    form_locked = walks.count_observations(walk) > 0
    if form.validate_on_submit():
        try:
            plan = _plan(form)
            stored = walks.plan_values(walk)
            merged = concurrent_edits.merge(
                concurrent_edits.parse_marks(form.seen.data),
                stored,
                walks.plan_values_of(plan),
                left_alone={"form"} if form_locked else (),
            )
            if merged.conflicts:
                # Nothing saved; the form keeps its words and now stands on the stored plan, so
                # saving again keeps them, knowingly.
                form.seen.data = concurrent_edits.marks(stored)
                status = 409
                raise Conflict(
                    _(
                        "Pendant que vous modifiiez cette marche, quelqu'un d'autre a changé : %(fields)s."
                        " Rien n'a été enregistré. Vos saisies sont restées ci-dessous : comparez avec la"
                        " marche (ouvrez-la dans un autre onglet), puis enregistrez à nouveau pour garder"
                        " les vôtres.",
                        fields=_plan_fields(merged.conflicts),
                    ),
                    details={"seen": merged.conflicts},
                )
            walks.update_walk(walk, **walks.plan_arguments(merged.values))
        except DomainError as problem:
            error = problem.message
        else:
            if merged.kept:
                flash(
                    _(
                        "Entre-temps, quelqu'un d'autre a changé : %(fields)s. Ses changements sont gardés"
                        " avec les vôtres.",
                        fields=_plan_fields(merged.kept),
                    ),
                    "warning",
                )
            for warning in walks.planning_warnings(project, walks.stop_points(walk)):
                flash(warning, "warning")
            flash(_("Marche « %(title)s » enregistrée.", title=walk.title), "ok")
            return redirect(url_for("facilitators.walk_page", slug=slug, walk_id=walk.id), 303)
    return _render_plan(
        "facilitators/walks/form.html",
        status if request.method == "POST" else 200,
        project=project,
        walk=walk,
        form=form,
        error=error,
        editor=_editor_config(project),
        form_locked=form_locked,
    )


def _plan_fields(names: list[str]) -> str:
    """The plan's fields, in words (« l'itinéraire, les arrêts »)."""
    words = {
        "title": _("le titre"),
        "walk_date": _("la date"),
        "starts_at": _("l'heure de début"),
        "ends_at": _("l'heure de fin"),
        "time_slot": _("le créneau"),
        "meeting_point": _("le point de rendez-vous"),
        "group_description": _("la description du groupe"),
        "expected_size": _("le nombre de personnes attendues"),
        "form": _("le formulaire"),
        "route": _("l'itinéraire"),
        "stops": _("les arrêts"),
    }
    return ", ".join(str(words.get(name, name)) for name in names)


@bp.route("/projets/<slug>/marches/<int:walk_id>/dupliquer", methods=["GET", "POST"])
def duplicate_walk(slug: str, walk_id: int) -> Response | tuple[str, int]:
    """A copy of the walk (route and stops), new code, planned; linked as a re-walk when asked."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = DuplicateForm()
    if request.method == "GET":
        form.title.data = _("%(title)s (copie)", title=walk.title)
        form.walk_date.data = walk.walk_date
        form.starts_at.data, form.ends_at.data = walk.starts_at, walk.ends_at
        form.time_slot.data = AUTO_SLOT
    error = None
    if form.validate_on_submit():
        try:
            copy = walks.duplicate_walk(
                walk,
                title=form.title.data or "",
                walk_date=form.walk_date.data,
                time_slot=form.time_slot.data or None,
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                as_rewalk=bool(form.as_rewalk.data),
                actor=user,
            )
        except DomainError as problem:
            error = problem.message
        else:
            flash(
                _("Copie créée : « %(title)s », code %(code)s.", title=copy.title, code=copy.join_code), "ok"
            )
            return redirect(url_for("facilitators.walk_page", slug=slug, walk_id=copy.id), 303)
    return _render_plan(
        "facilitators/walks/duplicate.html",
        422 if request.method == "POST" else 200,
        project=project,
        walk=walk,
        form=form,
        error=error,
    )


def _back(slug: str, walk_id: int) -> Response:
    return redirect(url_for("facilitators.walk_page", slug=slug, walk_id=walk_id) + "#statut", 303)


@bp.post("/projets/<slug>/marches/<int:walk_id>/ouvrir")
def open_walk(slug: str, walk_id: int) -> Response:
    """Open the walk (or reopen a closed one): participants can join with its code."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    reopening = walk.status == "closed"
    if reopening and OpenWalkForm().seen_status.data == "planned":
        # « Ouvrir » from a page shown before a colleague opened and then closed the walk: reopening
        # it would let phones send again after the group went home. Only « Rouvrir » does that.
        flash(
            _(
                "Cette marche a été ouverte puis clôturée entre-temps (le %(date)s à %(time)s) : elle n'a"
                " pas été rouverte. Si c'est voulu, utilisez « Rouvrir la marche ».",
                date=localtime(walk.closed_at, "%d/%m/%Y"),
                time=localtime(walk.closed_at, "%H:%M"),
            ),
            "error",
        )
        return _back(slug, walk.id)
    walks.open_walk(walk)
    for warning in walks.opening_warnings(walk):
        flash(warning, "warning")
    flash(
        _("Marche rouverte : le code %(code)s fonctionne à nouveau.", code=walk.join_code)
        if reopening
        else _(
            "Marche ouverte : les participant·es peuvent la rejoindre avec le code %(code)s.",
            code=walk.join_code,
        ),
        "ok",
    )
    return _back(slug, walk.id)


@bp.route("/projets/<slug>/marches/<int:walk_id>/cloturer", methods=["GET", "POST"])
def close_walk(slug: str, walk_id: int) -> Response | tuple[str, int]:
    """Ask for confirmation, then close the walk."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            walks.close_walk(walk)
        except DomainError as problem:
            flash(problem.message, "error")
        else:
            hours = walks.grace_period().total_seconds() / 3600
            flash(
                _(
                    "Marche clôturée. Les téléphones restés hors connexion ont encore %(hours)s h "
                    "pour envoyer les observations faites pendant la marche.",
                    hours=f"{hours:g}",
                ),
                "ok",
            )
        return _back(slug, walk.id)
    page = render_template(
        "facilitators/walks/confirm.html",
        project=project,
        walk=walk,
        form=form,
        action="close",
        grace_hours=f"{walks.grace_period().total_seconds() / 3600:g}",
        observation_count=walks.count_observations(walk),
    )
    return page, 422 if request.method == "POST" else 200


@bp.route("/projets/<slug>/marches/<int:walk_id>/supprimer", methods=["GET", "POST"])
def delete_walk(slug: str, walk_id: int) -> Response | tuple[str, int]:
    """Ask for confirmation, then delete a planned walk without observations."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = walk.title
        try:
            walks.delete_walk(walk)
        except DomainError as problem:
            flash(problem.message, "error")
            return _back(slug, walk.id)
        flash(_("Marche « %(title)s » supprimée.", title=title), "ok")
        return redirect(url_for("facilitators.project_page", slug=slug) + "#marches", 303)
    page = render_template(
        "facilitators/walks/confirm.html",
        project=project,
        walk=walk,
        form=form,
        action="delete",
        observation_count=walks.count_observations(walk),
    )
    return page, 422 if request.method == "POST" else 200


@bp.get("/projets/<slug>/marches/<int:walk_id>/groupe")
def join_screen(slug: str, walk_id: int) -> str:
    """« Montrer au groupe »: the code and the QR code of the join link, big, for a tablet or a projector."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    url = join_url(walk)
    return render_template(
        "facilitators/walks/join_screen.html",
        project=project,
        walk=walk,
        join_url=url,
        qr=Markup(walk_kits.qr_svg(url, title=_("Code QR pour rejoindre la marche"))),  # noqa: S704
        code_groups=walk_kits.code_groups(walk.join_code or ""),
    )


@bp.get("/projets/<slug>/marches/<int:walk_id>/kit.pdf")
def walk_kit(slug: str, walk_id: int) -> Response:
    """The printable A4 walk kit: how to join (QR code, code), map, stops, themes, help numbers."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    pdf = walk_kits.render_kit_pdf(walk_kits.build_kit(walk, join_url(walk)))
    name = f"kit-marche-{walk.id}-{walk.join_code}.pdf"
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
