"""URL rules and handlers of the facilitators' pages: maps, summaries, moderation, debrief, exports."""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from geodata import map_style
from geodata.assets import MapParts, render_map_parts
from webapp.auth import role_required
from webapp.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from webapp.facilitators.journal import describe_changes
from webapp.facilitators.staff_forms import (
    MODERATION_FORMS,
    BulkModerationForm,
    ConsentForm,
    EditTextForm,
    MergeForm,
    ModerationForm,
    MoveForm,
    ReasonForm,
    RecommendationForm,
    RewalkForm,
    SettingsForm,
    VoteForm,
)
from webapp.ids import parse_id
from webapp.map_text import map_text
from webapp.models import Observation, Photo, Project, Walk
from webapp.models.enums import ModerationAction, ModerationStatus, Polarity, Role, WalkStatus
from webapp.photo_responses import THUMBNAIL, THUMBNAIL_SIDE, asked_size, photo_response
from webapp.security import csp_nonce
from webapp.services import (
    charts,
    concurrent_edits,
    debriefs,
    exports,
    forms,
    map_data,
    moderation,
    observation_filter,
    observations,
    photos,
    privacy,
    projects,
    reports,
    rewalks,
    summaries,
    teams,
    themes,
    walks,
    zones,
)

bp = Blueprint("facilitators", __name__)

STAFF = (Role.FACILITATOR, Role.ADMIN)


def _project(slug: str):  # type: ignore[no-untyped-def]
    project = projects.get_project_or_404(slug)
    user = role_required(project, *STAFF)
    return project, user


def _walk(project, walk_id: int):  # type: ignore[no-untyped-def]
    walk = walks.get_walk(walk_id)
    if walk.project_id != project.id:
        raise NotFound(_l("Marche introuvable."), details={"walk": walk_id})
    return walk


def _photo_url(stored_name: str) -> str:
    return url_for("facilitators.photo", name=stored_name)


def _thumbnail_url(stored_name: str) -> str:
    """The photo for a small place (popup, card, before/after): its thumbnail."""
    return url_for("facilitators.photo", name=stored_name, taille=THUMBNAIL)


def _photo_srcset(photo: Photo) -> str:
    """The photo's two sizes for a page that shows it about 400 pixels wide (the report): browsers
    take the thumbnail unless the screen's density asks for more. Empty when there is one size."""
    side = max(photo.width or 0, photo.height or 0)
    if side <= THUMBNAIL_SIDE:
        return ""
    small = round(photo.width * THUMBNAIL_SIDE / side)
    return f"{_thumbnail_url(photo.stored_name)} {small}w, {_photo_url(photo.stored_name)} {photo.width}w"


def _embed(fmap: Any) -> dict[str, str]:
    parts = render_map_parts(fmap, url_for("static", filename="vendor/"), csp_nonce())
    from geodata import maps  # folium is loaded by the first page that draws a map

    return {"header": maps.tidy_header(parts.header), "html": parts.html, "script": parts.script}


def _moderation_link(slug: str) -> Any:
    """``link(walk_id, observation_id)``: the observation's card in its walk's moderation queue."""

    def link(walk_id: int, observation_id: int) -> str:
        return (
            url_for("facilitators.moderation_queue", slug=slug, walk_id=walk_id, status="all")
            + f"#obs-{observation_id}"
        )

    return link


def _tiles() -> str:
    return str(current_app.config.get("TILES", "osm"))


@bp.get("/projets/")
@login_required
def index() -> Any:
    """The projects this person runs, each with its walks and what waits for moderation.

    A partner only (the site footer's « Espace équipe ») goes to the partners' pages: nothing here is
    theirs.
    """
    if current_user.partner_only:
        return redirect(url_for("partners.index"))
    return render_template(
        "facilitators/index.html",
        projects=projects.list_staff_projects(current_user),
        is_admin=bool(current_user.is_admin),
        manages_forms=forms.may_manage_forms(current_user),
        status_label=WalkStatus.label_of,
    )


@bp.get("/projets/<slug>/")
def project_page(slug: str) -> str:
    """Project map with its filters, and the thematic summary of what the filters select.

    The map gets compact rows from the database (cells counted by it beyond the cluster threshold),
    popups are fetched on click (:func:`map_popup`), charts are images of their own
    (:func:`project_chart`). The rendered map is kept per project data stamp and filter
    (:func:`map_data.cached_map`): a repeat visit reads no observation and draws nothing.
    """
    project, _user = _project(slug)
    f, problems = observation_filter.parse_filter(request.args, project=project, allow_pending=True)
    summary = summaries.summarise(f)
    project_walks = walks.list_walks(project, routes=False)  # read below only to draw a new map
    shown = project_walks
    if f.walk_id is not None:
        shown = [w for w in project_walks if w.id == f.walk_id] or [walks.get_walk(f.walk_id)]
    routes = walks.route_stamps([w.id for w in shown])
    layer_kind = map_style.point_layer_kind(summary.total)
    popup_url = _popup_url(slug)
    vendor = url_for("static", filename="vendor/")
    # What the map shows besides the observations the data stamp follows.
    key = (
        layer_kind,
        project.zones_version,
        tuple((w.id, w.title, routes.get(w.id)) for w in shown),
        themes.page_language(),
        _tiles(),
        popup_url,
        vendor,
    )
    parts = map_data.cached_map(
        f, key, lambda: _project_map(project, f, shown, layer_kind, popup_url, vendor)
    )
    chart_key = charts.chart_key(summary)
    return render_template(
        "facilitators/project.html",
        project=project,
        filter=f,
        problems=problems,
        choices=summaries.list_filter_choices(project),
        summary=summary,
        layer_kind=layer_kind,
        has_theme_chart=any(r.total for r in summary.themes),
        comparison_charts=[
            name
            for name, c in zip(charts.chart_names(summary)[1:], summary.comparisons, strict=True)
            if any(g.count for g in c.groups)
        ],
        chart_key=chart_key,
        map=parts.for_response(csp_nonce()),
        walks=project_walks,
        pending=moderation.pending_by_walk(project.id),
        walk_status_label=WalkStatus.label_of,
        recommendations=debriefs.list_recommendations(project),
        args=request.args,
    )


def _project_map(project, f, shown, layer_kind: str, popup_url: str, vendor: str) -> MapParts:  # type: ignore[no-untyped-def]
    """The project page's map, rendered without a nonce (the parts are shared between requests)."""
    styles = themes.theme_styles(project)
    sensitive = frozenset(key for key, style in styles.items() if style.sensitive)
    routes = map_data.routes_geojson(walks.with_routes(shown))
    zones_fc = map_data.zones_geojson(project, f)
    points: map_style.PointSet | map_style.CellSet
    if layer_kind == "cells":
        area = map_style.bounds_of([zones_fc, routes])
        lat0 = (area[1] + area[3]) / 2 if area else 46.5
        points = map_data.cell_rows(f, list(styles), lat0=lat0)
    else:
        points = map_data.point_rows(f, list(styles), sensitive)
    from geodata import maps  # folium is loaded by the first page that draws a map

    fmap = maps.build_project_map(
        observations=points,
        themes=list(styles.values()),
        routes=routes,
        zones=zones_fc,
        heat=map_data.sensitive_heat(f, sensitive),
        popup_url=popup_url,
        tiles=_tiles(),
        text=map_text(),
    )
    parts = render_map_parts(fmap, vendor)
    return MapParts(header=maps.tidy_header(parts.header), html=parts.html, script=parts.script)


def _popup_url(slug: str) -> str:
    """The URL of a point's popup fields on the team's maps, ``{id}`` standing for the observation."""
    return url_for("facilitators.map_popup", slug=slug, observation_id=0).rsplit("/", 1)[0] + "/{id}"


@bp.get("/projets/<slug>/carte/observations/<int:observation_id>")
def map_popup(slug: str, observation_id: int) -> Response:
    """The fields of one observation's popup on the team's maps (JSON), fetched when it is clicked.

    ``?salle=1``: asked by the debrief room's map, on the projector. Its page showed validated
    observations of themes the room may read; one hidden since (it named a neighbour) or put back to
    pending is not read out in the room because its point is still on a page drawn before.
    """
    project, _user = _project(slug)
    room = request.args.get("salle") == "1"
    details = map_data.observation_details(
        project,
        observation_id,
        photo_url=_thumbnail_url,
        moderation_url=_moderation_link(slug),
        statuses=debriefs.room_statuses(preparation=False) if room else None,
        hidden_themes=forms.project_sensitive_themes(project.id) if room else (),
    )
    if details is None:
        if room:
            raise NotFound(
                _l("Cette observation n'est plus montrée en salle."), details={"observation": observation_id}
            )
        raise NotFound(_l("Observation introuvable."), details={"observation": observation_id})
    response = jsonify({"d": details})
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/projets/<slug>/graphiques/<name>")
def project_chart(slug: str, name: str) -> Response:
    """One chart of the project page's summary, for the same filters, as an SVG image of its own.

    ``?v=`` is the key of what the chart draws (``charts.chart_key``): a response whose key matches
    may be kept by the browser, and a revalidation with that key as ETag costs no query.
    """
    project, _user = _project(slug)
    asked = request.args.get("v", "")
    if asked and asked in request.if_none_match:
        response = Response(status=304)
        response.set_etag(asked)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response
    f, _problems = observation_filter.parse_filter(request.args, project=project, allow_pending=True)
    summary = summaries.summarise(f, quotes=False)
    svg = charts.chart_by_name(summary, name)
    if not svg:
        raise NotFound(_l("Graphique introuvable."), details={"chart": name})
    key = charts.chart_key(summary)
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(key)
    fresh = asked == key
    response.headers["Cache-Control"] = (
        "private, max-age=31536000, immutable" if fresh else "private, no-cache"
    )
    return response.make_conditional(request)


@bp.get("/projets/<slug>/marches/<int:walk_id>/")
def walk_page(slug: str, walk_id: int) -> str:
    """One walk: its map (route, stops, zones, observations), counts and links to moderation and debrief."""
    project, _user = _project(slug)
    return _walk_page(project, _walk(project, walk_id))


def _walk_page(
    project: Project, walk: Walk, *, consent_typed: dict[str, str] | None = None, consent_error: str = ""
) -> str:
    """The walk page; ``consent_typed``/``consent_error``: the minors' consent form refused, as typed."""
    slug = project.slug
    # During an open walk the map would look empty with validated points only: pending ones are shown
    # by default then (``?moderation=validated`` leaves them out); afterwards, on request.
    asked = request.args.get("moderation")
    shown = asked == "all" or (asked is None and walk.status == WalkStatus.OPEN)
    f = observation_filter.ObservationFilter(
        project_id=project.id,
        walk_id=walk.id,
        statuses=(ModerationStatus.VALIDATED, ModerationStatus.PENDING)
        if shown
        else (ModerationStatus.VALIDATED,),
    )
    summary = summaries.summarise(f)
    from geodata import maps  # folium is loaded by the first page that draws a map

    fmap = maps.build_walk_map(
        # positions and themes only: a point's text, photo, walk and moderation link are fetched when
        # it is clicked (popup_url), never written into the page
        observations=map_data.observations_geojson(f, with_text=False),
        themes=list(themes.theme_styles(project).values()),
        route=map_data.routes_geojson([walk]),
        stops=map_data.stops_geojson(walk),
        zones=map_data.zones_geojson(project),
        tiles=_tiles(),
        text=map_text(),
        popup_url=_popup_url(slug),
    )
    from webapp.facilitators.walks import join_url

    return render_template(
        "facilitators/walk.html",
        project=project,
        walk=walk,
        join_url=join_url(walk),
        walk_status_label=WalkStatus.label_of(walk.status),
        grace_hours=f"{walks.grace_period().total_seconds() / 3600:g}",
        summary=summary,
        theme_chart=charts.chart_theme_polarity(summary),
        counts=moderation.count_by_status(walk),
        map=_embed(fmap),
        show_pending=shown,
        consent=privacy.get_minors_consent(walk),
        consent_typed=consent_typed or {},
        consent_error=consent_error,
        original=rewalks.get_original(walk),
        rewalks_of=rewalks.list_rewalks_of(walk),
        candidates=rewalks.list_candidates(walk),
        comparison=rewalks.compare(walk),
        theme_label=themes.theme_labeller(project),
        photo_url=_thumbnail_url,
    )


def _back_to_walk(slug: str, walk_id: int, anchor: str = "") -> Response:
    return redirect(url_for("facilitators.walk_page", slug=slug, walk_id=walk_id) + anchor, 303)


@bp.post("/projets/<slug>/marches/<int:walk_id>/consentement")
def record_consent(slug: str, walk_id: int) -> Response:
    """Record, at group level, that the minors' parental authorisations were collected."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = ConsentForm()
    try:
        form.check()
        privacy.record_minors_consent(
            walk, minors_count=form.minors_count.data, recorded_by=user, note=form.note.data
        )
    except DomainError as error:
        # the page comes back with what was typed (the note may say where the forms are kept)
        typed = {"minors_count": form.minors_count._value(), "note": form.note.data or ""}
        page = _walk_page(project, walk, consent_typed=typed, consent_error=str(error.message))
        return Response(page, status=error.status, mimetype="text/html")
    flash(_("Autorisations parentales enregistrées pour le groupe."), "ok")
    return _back_to_walk(slug, walk.id, "#consentement")


@bp.post("/projets/<slug>/marches/<int:walk_id>/remarche")
def link_rewalk(slug: str, walk_id: int) -> Response:
    """Link this walk as a re-walk of an earlier walk of the project."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = RewalkForm()
    try:
        form.check()
        original = walks.get_walk(form.original_walk_id.data)
        rewalks.link_rewalk(walk, original, actor=user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Marche liée comme re-marche de « %(title)s ».", title=original.title), "ok")
    return _back_to_walk(slug, walk.id, "#remarche")


@bp.post("/projets/<slug>/marches/<int:walk_id>/remarche/retirer")
def unlink_rewalk(slug: str, walk_id: int) -> Response:
    """Remove the re-walk link (the stops stay)."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    if rewalks.unlink_rewalk(walk):
        flash(_("Lien de re-marche retiré."), "ok")
    else:
        flash(_("Cette marche n'était liée à aucune autre."), "error")
    return _back_to_walk(slug, walk.id, "#remarche")


# --- project settings ------------------------------------------------------------------------------


@bp.route("/projets/<slug>/parametres", methods=["GET", "POST"])
def settings(slug: str) -> Response | tuple[str, int] | str:
    """A project's retention period and its public opt-ins (map, follow-up page).

    Two people on this page at once each keep what only they changed (``concurrent_edits``): a
    retention period saved from a page opened earlier never publishes again the map a colleague had
    just taken offline; both changing one setting differently saves nothing and says so.
    """
    project, _user = _project(slug)
    error = None
    status = 422
    form = SettingsForm()
    stored = privacy.settings_values(project)
    values: dict[str, Any] = {**stored, "retention_months": str(project.retention_months)}
    seen = concurrent_edits.marks(stored)
    if request.method == "POST":
        values = {
            "retention_months": form.retention_months._value(),
            "public_map": form.public_map.data,
            "public_followup": form.public_followup.data,
        }
        seen = form.seen.data or ""
        try:
            form.check()
            merged = concurrent_edits.merge(
                concurrent_edits.parse_marks(form.seen.data),
                stored,
                {
                    "retention_months": form.retention_months.data,
                    "public_map": bool(form.public_map.data),
                    "public_followup": bool(form.public_followup.data),
                },
            )
            if merged.conflicts:
                seen = concurrent_edits.marks(stored)  # saving again keeps the form's values
                status = 409
                raise Conflict(
                    _(
                        "Pendant que vous modifiiez ces paramètres, quelqu'un d'autre a changé : %(fields)s."
                        " Rien n'a été enregistré. Vos choix sont restés ci-dessous : enregistrez à nouveau"
                        " pour les garder.",
                        fields=_settings_fields(form, merged.conflicts),
                    )
                )
            privacy.update_settings(project, **merged.values)
        except (ValidationError, Conflict) as problem:
            error = problem.message
        else:
            if merged.kept:
                flash(
                    _(
                        "Entre-temps, quelqu'un d'autre a changé : %(fields)s. Ses changements sont gardés"
                        " avec les vôtres.",
                        fields=_settings_fields(form, merged.kept),
                    ),
                    "warning",
                )
            flash(_("Paramètres enregistrés."), "ok")
            return redirect(url_for("facilitators.settings", slug=slug), 303)
    page = render_template(
        "facilitators/settings.html",
        project=project,
        values=values,
        seen=seen,
        error=error,
        limits=(privacy.MIN_RETENTION_MONTHS, privacy.MAX_RETENTION_MONTHS),
    )
    return (page, status) if error else page


def _settings_fields(form: SettingsForm, names: list[str]) -> str:
    """The settings by their labels (« Carte publique, Page publique de suivi »)."""
    return ", ".join(f"« {getattr(form, name).label.text} »" for name in names)


# --- moderation --------------------------------------------------------------------------------


@bp.get("/projets/<slug>/marches/<int:walk_id>/moderation")
def moderation_queue(slug: str, walk_id: int) -> str:
    """The queue of a walk's observations beside the walk's map, bulk actions, and the audit log."""
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    return _queue_page(project, walk, request.args.get("status", ModerationStatus.PENDING))


def _queue_page(
    project: Project,
    walk: Walk,
    status: str,
    *,
    checked: Collection[int] = (),
    bulk_reason: str = "",
    bulk_problem: str | None = None,
) -> str:
    """The moderation queue; ``checked``…: a bulk action refused, shown again with its ticks and reason."""
    slug = project.slug
    if status not in {*ModerationStatus, "all"}:
        status = ModerationStatus.PENDING
    queue = moderation.list_queue(walk, status=None if status == "all" else status)
    zone_names = {z.id: z.name for z in zones.list_zones(project)}
    f = observation_filter.ObservationFilter(
        project_id=project.id,
        walk_id=walk.id,
        statuses=tuple(ModerationStatus) if status == "all" else (status,),
    )
    from geodata import maps  # folium is loaded by the first page that draws a map

    fmap = maps.build_walk_map(
        observations=map_data.observations_geojson(f, with_text=False),  # popups are fetched on click
        themes=list(themes.theme_styles(project).values()),
        route=map_data.routes_geojson([walk]),
        stops=map_data.stops_geojson(walk),
        zones=map_data.zones_geojson(project),
        tiles=_tiles(),
        text=map_text(),
        popup_url=_popup_url(slug),
        legend_open=False,
    )
    events = moderation.list_events(walk, limit=50)
    return render_template(
        "facilitators/moderation.html",
        project=project,
        walk=walk,
        status=status,
        observations=queue,
        points=moderation.locations(queue),
        counts=moderation.count_by_status(walk),
        events=events,
        theme_label=themes.theme_labeller(project),
        answers_of=forms.answer_reader(g.get("lang", "fr")),
        zone_names=zone_names,
        describe_changes=describe_changes,
        seen_mark=moderation.seen_mark,
        max_text=moderation.MAX_TEXT,
        checked=frozenset(checked),
        bulk_reason=bulk_reason,
        bulk_problem=bulk_problem,
        status_label=ModerationStatus.label_of,
        action_label=ModerationAction.label_of,
        polarity_label=Polarity.label_of,
        map=_embed(fmap),
    )


#: What the moderation page may do, by the French word of its path (the team's entries are logged
#: by the entry service, not here).
MODERATION_PATHS: dict[str, ModerationAction] = {
    "valider": ModerationAction.VALIDATE,
    "masquer": ModerationAction.HIDE,
    "corriger": ModerationAction.EDIT,
    "fusionner": ModerationAction.MERGE,
    "deplacer": ModerationAction.MOVE,
    "signaler": ModerationAction.FLAG,
    "retirer-signalement": ModerationAction.UNFLAG,
}
#: The path word of each moderation action (for ``url_for('facilitators.moderate', action=…)``).
MODERATION_WORDS: dict[str, str] = {code.value: word for word, code in MODERATION_PATHS.items()}


def _bulk_done(action: str, num: int) -> str:
    """What a bulk action did, in a sentence that agrees with how many observations it touched."""
    if action == ModerationAction.VALIDATE:
        return ngettext("%(num)s observation validée.", "%(num)s observations validées.", num)
    if action == ModerationAction.HIDE:
        return ngettext("%(num)s observation masquée.", "%(num)s observations masquées.", num)
    return ngettext(
        "%(num)s observation enregistrée : %(what)s.",
        "%(num)s observations enregistrées : %(what)s.",
        num,
        what=ModerationAction.label_of(action).lower(),
    )


@bp.post("/projets/<slug>/marches/<int:walk_id>/moderation/plusieurs")
def moderate_many(slug: str, walk_id: int) -> Any:
    """Validate or hide the checked observations at once (all or none)."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = BulkModerationForm()
    form.check()
    action = form.action.data or ""
    try:
        done = moderation.apply_to_many(
            walk,
            form.observation_ids.data,
            action,
            user,
            reason=form.reason.data or "",
            marks=moderation.seen_marks(form.seen.data),
        )
    except DomainError as error:
        # The queue again, its ticks and reason kept (twenty ticks are not lost to a missing reason).
        status = parse_qs(urlsplit(form.next.data or "").query).get("status", [ModerationStatus.PENDING])[0]
        page = _queue_page(
            project,
            walk,
            status,
            checked=form.observation_ids.data,
            bulk_reason=form.reason.data or "",
            bulk_problem=error.message,
        )
        return page, error.status
    flash(_bulk_done(action, len(done)), "ok")
    queue = url_for("facilitators.moderation_queue", slug=slug, walk_id=walk.id, status="pending")
    return redirect(form.next.target(queue), 303)


def _already_done(observation: Observation, action: str, form: ModerationForm) -> bool:
    """Whether the action would leave the observation as it is (validate what is validated…): sent
    from a card that showed an older state, it is no conflict."""
    if action == ModerationAction.VALIDATE:
        return observation.moderation_status == ModerationStatus.VALIDATED
    if action == ModerationAction.HIDE:
        return observation.moderation_status == ModerationStatus.HIDDEN
    if action in (ModerationAction.FLAG, ModerationAction.UNFLAG):
        return observation.out_of_area == (action == ModerationAction.FLAG)
    if isinstance(form, EditTextForm):
        return (form.note.data or "").strip() == (observation.note or "") and (
            form.proposal.data or ""
        ).strip() == (observation.proposal or "")
    return False


def _edit_conflict(
    project: Project, walk: Walk, observation: Observation, form: EditTextForm, message: str
) -> str:
    """The page of a text correction refused (the observation changed since its card showed it, or the
    text is too long); its link leads back to the card, in the queue's tab that now holds it."""
    came_from = request.args.get("status", "pending")
    status = (
        came_from if came_from in ("all", observation.moderation_status) else observation.moderation_status
    )
    back = url_for("facilitators.moderation_queue", slug=project.slug, walk_id=walk.id, status=status)
    return render_template(
        "facilitators/moderation_conflict.html",
        project=project,
        walk=walk,
        observation=observation,
        message=message,
        typed={
            "note": form.note.data or "",
            "proposal": form.proposal.data or "",
            "reason": form.reason.data or "",
        },
        status_label=ModerationStatus.label_of,
        back=f"{back}#obs-{observation.id}",
    )


@bp.post("/projets/<slug>/marches/<int:walk_id>/observations/<int:observation_id>/<action>")
def moderate(slug: str, walk_id: int, observation_id: int, action: str) -> Response:
    """Apply one moderation action, then return to the queue (or JSON for scripts)."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    observation = moderation.get_observation(observation_id, walk)
    if action not in MODERATION_PATHS:
        raise NotFound(_l("Action inconnue."))
    action = MODERATION_PATHS[action]
    form = MODERATION_FORMS[action]()
    try:
        form.check()
        if not _already_done(observation, action, form):
            moderation.check_unchanged(observation, moderation.seen_marks(form.seen.data))
        if isinstance(form, EditTextForm):
            moderation.edit_text(
                observation, user, note=form.note.data, proposal=form.proposal.data, reason=form.reason.data
            )
        elif isinstance(form, ReasonForm) and action == ModerationAction.HIDE:
            moderation.hide(observation, user, form.reason.data)
        elif isinstance(form, ReasonForm):
            moderation.set_out_of_area(observation, user, action == ModerationAction.FLAG, form.reason.data)
        elif isinstance(form, MergeForm):
            moderation.merge(observation, moderation.get_observation(form.into.data, walk), user)
        elif isinstance(form, MoveForm):
            moderation.move(observation, user, lon=form.lon.data, lat=form.lat.data)
        else:
            moderation.validate(observation, user)
    except DomainError as error:
        if isinstance(form, EditTextForm):
            # a correction refused (the text changed meanwhile, or too long): the words typed are
            # given back beside the text as it is now
            return _edit_conflict(project, walk, observation, form, error.message), error.status
        flash(_("Observation n° %(id)s : %(message)s", id=observation_id, message=error.message), "error")
    else:
        flash(
            _(
                "Observation n° %(id)s : %(action)s.",
                id=observation_id,
                action=ModerationAction(action).label,
            ),
            "ok",
        )
    queue = url_for(
        "facilitators.moderation_queue",
        slug=slug,
        walk_id=walk.id,
        status=request.args.get("status", "pending"),
    )
    return redirect(form.next.target(queue))


# --- debrief -----------------------------------------------------------------------------------


@bp.get("/projets/<slug>/marches/<int:walk_id>/debriefing")
def debrief(slug: str, walk_id: int) -> str:
    """Projector view: the walk replayed stop by stop beside its map, dot-votes, recommendations.

    The room sees validated observations only, and sensitive themes as counts; ``?preparation=1``
    (for the team before the session) adds the pending ones and the sensitive texts.
    """
    project, _user = _project(slug)
    walk = _walk(project, walk_id)
    return _debrief_page(project, walk, preparation=request.args.get("preparation") == "1")


def _debrief_page(
    project: Project,
    walk: Walk,
    *,
    preparation: bool,
    draft: RecommendationForm | None = None,
    draft_problems: list[str] | None = None,
) -> str:
    """The debrief page; ``draft``: a recommendation refused, shown again as typed with its problems."""
    statuses = debriefs.room_statuses(preparation)
    steps = debriefs.replay(walk, statuses=statuses)
    by_obs, by_theme = debriefs.vote_counts(walk)
    f = observation_filter.ObservationFilter(project_id=project.id, walk_id=walk.id, statuses=statuses)
    summary = summaries.summarise(f, quotes=False)
    styles = themes.theme_styles(project)
    sensitive = forms.project_sensitive_themes(project.id)
    quiet = frozenset() if preparation else sensitive
    from geodata import maps  # folium is loaded by the first page that draws a map

    fmap = maps.build_walk_map(
        # positions and themes only: popups are fetched on click
        observations=debriefs.room_map_points(map_data.observations_geojson(f, with_text=False), quiet),
        themes=list(styles.values()),
        route=map_data.routes_geojson([walk]),
        stops=map_data.stops_geojson(walk),
        zones=map_data.zones_geojson(project),
        tiles=_tiles(),
        text=map_text(),
        # in the room, only what the room may read now (a point hidden since stays mute)
        popup_url=_popup_url(project.slug) + ("" if preparation else "?salle=1"),
        legend_open=False,
    )
    return render_template(
        "facilitators/debrief.html",
        project=project,
        walk=walk,
        steps=steps,
        groups={s.position: s.groups(list(styles), quiet) for s in steps},
        bounds={s.position: s.bounds(quiet, coarse=sensitive) for s in steps},
        preparation=preparation,
        # what the room may read of a recommendation's evidence (an observation hidden since, or
        # only pending when the team prepared it, is not quoted on the projector)
        room_statuses=frozenset(statuses),
        sensitive=quiet,
        votes_obs=by_obs,
        votes_theme=by_theme,
        summary=summary,
        theme_label=themes.theme_labeller(project),
        theme_styles=styles,
        answers_of=forms.answer_reader(g.get("lang", "fr")),
        partners=debriefs.list_partners(project),
        zones=zones.list_zones(project),
        recommendations=debriefs.list_recommendations(project, walk),
        excerpt=debriefs.excerpt,
        polarity_label=Polarity.label_of,
        photo_url=_thumbnail_url,
        map=_embed(fmap),
        draft=draft,
        draft_problems=draft_problems or [],
    )


@bp.post("/projets/<slug>/marches/<int:walk_id>/votes")
def vote(slug: str, walk_id: int):  # type: ignore[no-untyped-def]
    """Add or remove one dot; answers JSON to the debrief script, or redirects without JS."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = VoteForm()
    form.check()
    obs_id, theme = form.observation_id.data, form.theme.data or None
    if form.remove.data:
        total = debriefs.remove_vote(walk, observation_id=obs_id, theme=None if obs_id else theme)
    else:
        total = debriefs.add_vote(walk, user, observation_id=obs_id, theme=None if obs_id else theme)
    if (
        request.accept_mimetypes.best == "application/json"
        or request.headers.get("X-Requested-With") == "fetch"
    ):
        return jsonify({"observation_id": obs_id, "theme": theme, "votes": total})
    return redirect(
        url_for("facilitators.debrief", slug=slug, walk_id=walk.id) + (f"#obs-{obs_id}" if obs_id else "")
    )


def _recommendation_problems(error: ValidationError) -> list[str]:
    """What a refused recommendation lacks, in sentences (the service names the fields)."""
    details = error.details if isinstance(error.details, dict) else {}
    words = {
        ("title", "required"): _("Donnez un titre à la préconisation."),
        ("observations", "required"): _(
            "Cochez au moins une observation comme preuve (« Pour une préconisation » sur sa carte)."
        ),
        ("observations", "unknown"): _(
            "Une observation cochée n'existe plus (retirée par la personne qui l'avait faite) : rechargez"
            " la page, puis cochez à nouveau."
        ),
        ("zone_id", "unknown"): _("Cette zone n'existe plus : choisissez-en une autre."),
        ("organisation_id", "unknown"): _(
            "Ce partenaire n'est plus celui du projet : choisissez-en un autre."
        ),
        ("priority", "unknown_choice"): _("Choisissez une priorité dans la liste."),
    }
    found = [str(words.get((key, str(value)), error.message)) for key, value in details.items()]
    return list(dict.fromkeys(found)) or [error.message]


@bp.post("/projets/<slug>/preconisations")
def create_recommendation(slug: str) -> Any:
    """Turn the selected observations into a recommendation."""
    project, user = _project(slug)
    form = RecommendationForm()
    form.validate()
    walk = _walk(project, form.walk_id.data) if form.walk_id.data is not None else None
    for problem in form.deadline.errors:  # an unreadable deadline is left out, the rest is saved
        flash(str(problem), "error")
    back = (
        url_for("facilitators.debrief", slug=slug, walk_id=walk.id)
        if walk
        else url_for("facilitators.project_page", slug=slug)
    )
    try:
        recommendation = debriefs.create_recommendation(
            project,
            user,
            observation_ids=form.observation_ids.data,
            title=form.title.data,
            text=form.text.data,
            theme=form.theme.data or None,
            zone_id=form.zone_id.data,
            organisation_id=form.organisation_id.data,
            priority=form.priority.data,
            deadline=form.deadline.data,
            walk=walk,
        )
    except ValidationError as error:
        problems = _recommendation_problems(error)
        if walk is not None:
            # The debrief again, its recommendation as typed and why it was refused: a title and a
            # text written with the group are never lost to a missing tick.
            page = _debrief_page(
                project, walk, preparation=bool(form.preparation.data), draft=form, draft_problems=problems
            )
            return page, 422
        for problem in problems:
            flash(problem, "error")
        return redirect(back)
    flash(
        _(
            "Préconisation « %(title)s » créée avec %(n)s observations.",
            title=recommendation.title,
            n=len(recommendation.observations),
        ),
        "ok",
    )
    return redirect(back + "#preconisations")


# --- photos, exports, report ---------------------------------------------------------------------


@bp.get("/projets/photos/<path:name>")
@login_required
def photo(name: str) -> Response:
    """A stored photo, for the staff (facilitators, admins) of its project only; 404 for unknown names."""
    photo, project_id = observations.get_photo_by_name(name)
    role = teams.project_role(current_user, project_id)
    if role not in STAFF:
        raise Forbidden(_l("Cette photo appartient à un projet auquel vous n'avez pas accès."))
    size = asked_size()
    response = photo_response(photo.stored_name, photo.content_type, lambda: photos.read(photo), size=size)
    response.cache_control.max_age = 3600
    # Private: a shared cache must never hand a participant's photo to someone else.
    response.cache_control.private = True
    response.cache_control.public = False
    return response


EXPORT_TYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


@bp.get("/projets/<slug>/exports/<what>.<fmt>")
def export(slug: str, what: str, fmt: str) -> Response:
    """Download observations (csv, xlsx, geojson, gpkg) or recommendations (csv, xlsx)."""
    project, _user = _project(slug)
    if fmt not in EXPORT_TYPES or what not in ("observations", "preconisations"):
        raise NotFound(_l("Format d'export inconnu."))
    name = f"{project.slug}-{what}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if what == "preconisations":
        if fmt == "csv":
            return Response(
                stream_with_context(exports.recommendations_csv(project)),
                mimetype=EXPORT_TYPES[fmt],
                headers=headers,
            )
        if fmt == "xlsx":
            buffer = _buffer()
            exports.recommendations_xlsx(project, buffer)
            buffer.seek(0)
            return send_file(buffer, mimetype=EXPORT_TYPES[fmt], download_name=name, as_attachment=True)
        raise NotFound(_l("Format d'export inconnu."))
    f, _problems = observation_filter.parse_filter(request.args, project=project, allow_pending=True)
    if fmt == "csv":
        return Response(
            stream_with_context(exports.observations_csv(f)), mimetype=EXPORT_TYPES[fmt], headers=headers
        )
    if fmt == "geojson":
        return Response(
            stream_with_context(exports.observations_geojson(f)), mimetype=EXPORT_TYPES[fmt], headers=headers
        )
    if fmt == "xlsx":
        buffer = _buffer()
        exports.observations_xlsx(f, buffer)
        buffer.seek(0)
        return send_file(buffer, mimetype=EXPORT_TYPES[fmt], download_name=name, as_attachment=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        exports.observations_gpkg(f, path)
        data = path.read_bytes()
    return Response(data, mimetype=EXPORT_TYPES[fmt], headers=headers)


def _buffer():  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO()


def _report(slug: str, *, for_pdf: bool = False):  # type: ignore[no-untyped-def]
    project, _user = _project(slug)
    walk_id = parse_id(request.args.get("walk_id", ""))
    walk = _walk(project, walk_id) if walk_id is not None else None
    return reports.build_report(project, walk, for_pdf=for_pdf)


@bp.get("/projets/<slug>/rapport")
def report(slug: str) -> str:
    """The restitution report as a page (print it, or download the PDF)."""
    data = _report(slug)
    return render_template(
        "reports/report.html",
        report=data,
        pdf=False,
        svg_uri=reports.svg_data_uri,
        photo_src=lambda p: _photo_url(p.stored_name),
        photo_srcset=_photo_srcset,
        theme_label=themes.theme_labeller(data.project),
    )


@bp.get("/projets/<slug>/rapport.pdf")
def report_pdf(slug: str) -> Response:
    """The restitution report as a PDF (WeasyPrint; reads only our static files and photos)."""
    data = _report(slug, for_pdf=True)
    static = Path(current_app.static_folder or "")
    html = render_template(
        "reports/report.html",
        report=data,
        pdf=True,
        svg_uri=reports.svg_data_uri,
        # data: URIs from the photo store (files or database alike); a photo gone since is left out
        photo_src=reports.photo_data_uri,
        theme_label=themes.theme_labeller(data.project),
    )
    pdf = reports.render_pdf(html, base_dir=static, allowed_dirs=[static])
    name = f"restitution-{data.project.slug}{'-marche-' + str(data.walk.id) if data.walk else ''}.pdf"
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
