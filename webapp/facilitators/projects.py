"""Project set-up pages: create a project (administrators), edit it, and choose its zones.

Routes register on the facilitators blueprint. The zones page gathers the three ways a project
gets zones: the official QPV of its communes (each kept unless unchecked), a file of its own zones
(the importer of ``arpenteur geodata import-zones``), and zones drawn on the map. Failed imports
answer 422, so the request's transaction is rolled back: nothing already stored changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from webapp import transaction
from webapp.errors import Conflict, DomainError, Forbidden
from webapp.extensions import login_manager
from webapp.facilitators.blueprint import _embed, _project, _tiles, bp
from webapp.facilitators.project_forms import (
    DrawnZoneForm,
    EditProjectForm,
    KeepQpvForm,
    NewProjectForm,
    RenameZoneForm,
    ZoneFileForm,
)
from webapp.map_text import map_text
from webapp.services import concurrent_edits, projects, zones

#: Largest project zone file accepted from the page (a few neighbourhoods weigh kilobytes).
ZONE_FILE_MAX_BYTES = 10 * 1024 * 1024
#: File kinds the importer reads, as the page accepts them.
ZONE_FILE_SUFFIXES = (".geojson", ".json", ".zip", ".gpkg")
#: Where the README explains how to get the official perimeters.
README_QPV_SECTION = "Importing official QPV perimeters"

#: Form field of each service detail key.
_FIELD_OF = {"territory": "communes", "slug": "slug", "name": "name", "description": "description"}


def _admin():  # type: ignore[no-untyped-def]
    """The signed-in site administrator (login page for visitors, 403 for other accounts)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_admin:
        raise Forbidden(
            _("Seuls les administrateurs du site créent des projets ou importent les QPV officiels.")
        )
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _attach(form: Any, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    details = error.details if isinstance(error.details, dict) else {}
    for key in details:
        field = getattr(form, _FIELD_OF.get(key, key), None)
        if field is not None:
            field.errors = [*list(field.errors or []), error.message]
            return
    form.form_errors.append(error.message)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# --- projects ---------------------------------------------------------------------------------------


@bp.route("/projets/nouveau", methods=["GET", "POST"])
@login_required
def new_project() -> Any:
    """An administrator creates a project; it then needs its zones."""
    user = _admin()
    form = NewProjectForm()
    if request.method == "GET":
        form.qpv_year.data = int(current_app.config.get("DEFAULT_QPV_YEAR", 2024))
        form.retention_months.data = 24
        # An administrator who also runs walks joins the team by default; a site administrator does not.
        form.join_team.data = projects.runs_walks(user)
    if form.validate_on_submit():
        try:
            project = projects.create_project(
                slug=form.slug.data,
                name=form.name.data,
                territory=form.territory(),
                description=form.description.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                qpv_year=form.qpv_year.data,
                retention_months=form.retention_months.data,
                facilitator=user if form.join_team.data else None,
            )
        except DomainError as error:
            _attach(form, error)
        else:
            flash(_("Projet « %(name)s » créé. Étape suivante : ses zones.", name=project.name), "ok")
            return redirect(url_for("facilitators.zones_page", slug=project.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("facilitators/projects/new.html", form=form), status


@bp.route("/projets/<slug>/modifier", methods=["GET", "POST"])
def edit_project(slug: str) -> Any:
    """The project's facilitators (and administrators) change its description, communes, dates, QPV list."""
    project, _user = _project(slug)
    form = EditProjectForm(obj=None if request.method == "POST" else project)
    if request.method == "GET":
        form.communes.data = " ".join(project.territory or [])
        form.seen.data = concurrent_edits.marks(projects.edit_values(project))
    status = 422
    if form.validate_on_submit():
        try:
            stored = projects.edit_values(project)
            merged = concurrent_edits.merge(
                concurrent_edits.parse_marks(form.seen.data),
                stored,
                projects.edit_values_of(
                    {
                        "name": form.name.data,
                        "territory": form.territory(),
                        "description": form.description.data or "",
                        "starts_on": form.starts_on.data,
                        "ends_on": form.ends_on.data,
                        "qpv_year": form.qpv_year.data,
                        "retention_months": form.retention_months.data,
                    }
                ),
            )
            if merged.conflicts:
                form.seen.data = concurrent_edits.marks(stored)  # saving again keeps the form's values
                status = 409
                raise Conflict(
                    _(
                        "Pendant que vous modifiiez ce projet, quelqu'un d'autre a changé : %(fields)s."
                        " Rien n'a été enregistré. Vos saisies sont restées ci-dessous : comparez avec le"
                        " projet (ouvrez-le dans un autre onglet), puis enregistrez à nouveau pour garder"
                        " les vôtres.",
                        fields=_project_fields(form, merged.conflicts),
                    ),
                    details={"changed_meanwhile": merged.conflicts},  # a message for the whole form
                )
            values = merged.values
            moved = projects.update_project(project, **{**values, "territory": list(values["territory"])})
        except DomainError as error:
            _attach(form, error)
        else:
            if merged.kept:
                flash(
                    _(
                        "Entre-temps, quelqu'un d'autre a changé : %(fields)s. Ses changements sont gardés"
                        " avec les vôtres.",
                        fields=_project_fields(form, merged.kept),
                    ),
                    "warning",
                )
            message = _("Projet enregistré.")
            if moved:
                message += " " + _("%(n)s observation(s) ont changé de zone.", n=moved)
            flash(message, "ok")
            return redirect(url_for("facilitators.edit_project", slug=slug), 303)
    status = status if request.method == "POST" else 200
    return render_template("facilitators/projects/edit.html", project=project, form=form), status


def _project_fields(form: EditProjectForm, names: list[str]) -> str:
    """The project's fields by their labels on the page (« Nom du projet, Communes »)."""
    field_of = {"territory": "communes"}
    return ", ".join(
        f"« {getattr(form, field_of.get(name, name)).label.text} »"
        if hasattr(form, field_of.get(name, name))
        else name
        for name in names
    )


# --- zones ------------------------------------------------------------------------------------------


def _draw_texts() -> dict[str, str]:
    return {
        "polygon": _("Dessiner une zone"),
        "cancel": _("Annuler"),
        "cancel_title": _("Annuler le dessin"),
        "finish": _("Terminer"),
        "finish_title": _("Fermer le polygone"),
        "undo": _("Effacer le dernier point"),
        "undo_title": _("Effacer le dernier point placé"),
        "start": _("Cliquez pour placer le premier point de la zone."),
        "cont": _("Cliquez pour continuer le contour."),
        "end": _("Cliquez sur le premier point pour fermer la zone."),
        "error": _("Le contour ne doit pas se croiser."),
    }


def _zones_page(project: Any, *, status: int = 200, problems: list[str] | None = None, **forms: Any) -> Any:
    qpv, custom = zones.zones_page_geojson(project)
    from geodata import maps  # folium is loaded by the first page that draws a map

    fmap = maps.build_zones_map(
        qpv=qpv,
        custom=custom,
        labels={
            "kept": _("QPV retenu"),
            "left_out": _("QPV écarté"),
            "custom": _("Zone du projet"),
            "legend": _("Zones"),
        },
        draw_texts=_draw_texts(),
        tiles=_tiles(),
        text=map_text(),
    )
    max_bytes = min(
        ZONE_FILE_MAX_BYTES, int(current_app.config.get("MAX_CONTENT_LENGTH") or ZONE_FILE_MAX_BYTES)
    )
    page = render_template(
        "facilitators/projects/zones.html",
        project=project,
        map=_embed(fmap),
        candidates=zones.list_qpv_candidates(project),
        official_count=zones.count_official_qpv(project.qpv_year),
        custom_zones=zones.list_custom_zones(project),
        counts=zones.count_observations_by_zone(project),
        is_admin=bool(current_user.is_admin),
        problems=problems or [],
        file_form=forms.get("file_form") or ZoneFileForm(),
        draw_form=forms.get("draw_form") or DrawnZoneForm(),
        rename_form=RenameZoneForm(),
        max_bytes=max_bytes,
        qpv_max_bytes=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0),
        suffixes=ZONE_FILE_SUFFIXES,
        readme_section=README_QPV_SECTION,
    )
    return page, status


def _back(slug: str, anchor: str = "") -> Response:
    return redirect(url_for("facilitators.zones_page", slug=slug) + anchor, 303)


@bp.get("/projets/<slug>/zones")
def zones_page(slug: str) -> Any:
    """The project's zones: official QPV to keep, its own zones (file or drawing), renames, deletions."""
    project, _user = _project(slug)
    return _zones_page(project)


@bp.post("/projets/<slug>/zones/qpv")
def keep_qpv(slug: str) -> Response:
    """Keep the checked QPV, leave the unchecked ones out; observations are re-assigned."""
    project, _user = _project(slug)
    form = KeepQpvForm()
    choice, others = set(form.keep.data), []
    if form.shown.data:
        # a page opened earlier: what a colleague chose meanwhile, and this page left alone, stays
        choice, others = zones.merge_qpv_choice(
            project, form.keep.data, shown=form.shown.data, shown_kept=form.shown_kept.data
        )
    moved = zones.keep_qpv(project, choice)
    kept = sum(1 for c in zones.list_qpv_candidates(project) if c.kept)
    if others:
        flash(
            _(
                "Entre-temps, quelqu'un d'autre a changé le choix de : %(names)s. Ses changements sont"
                " gardés avec les vôtres.",
                names=", ".join(f"« {name} »" for name in others),
            ),
            "warning",
        )
    flash(
        _("%(kept)s QPV retenu(s) ; %(n)s observation(s) ont changé de zone.", kept=kept, n=moved),
        "ok",
    )
    return _back(slug, "#qpv")


def _saved_upload(upload: FileStorage | None, folder: str, max_bytes: int) -> Path:
    """Write the uploaded file into ``folder``, after checking its kind and size (ImportFailed)."""
    from webapp.errors import ImportFailed

    if upload is None or not upload.filename:
        raise ImportFailed(_("Choisissez un fichier à importer."), details={"file": "required"})
    name = Path(upload.filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in ZONE_FILE_SUFFIXES:
        raise ImportFailed(
            _(
                "« %(name)s » n'est pas d'un type lu ici : GeoJSON (.geojson, .json), shapefile zippé (.zip) "
                "ou GeoPackage (.gpkg).",
                name=name,
            ),
            details={"file": "kind"},
        )
    path = Path(folder) / f"import{suffix}"
    upload.save(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFailed(
            _(
                "« %(name)s » fait %(size).1f Mo : %(limit).0f Mo au plus ici.",
                name=name,
                size=size / 1048576,
                limit=max_bytes // 1048576,
            ),
            details={"file": "too_large"},
        )
    if size == 0:
        raise ImportFailed(_("« %(name)s » est vide.", name=name), details={"file": "empty"})
    return path


def _import_answer(slug: str, project: Any, run: Any, anchor: str) -> Any:
    """Run an import; success: report and go back to the page; failure: 422 with every problem listed."""
    form = ZoneFileForm()
    try:
        if not form.validate_on_submit():
            from webapp.errors import ImportFailed

            raise ImportFailed(_("Le formulaire a expiré : rechargez la page et recommencez."))
        with tempfile.TemporaryDirectory(prefix="arpenteur-zones-") as folder:
            report = run(folder, form.file.data)
    except DomainError as error:
        # The request is rolled back (status 422); roll back now so the page can be drawn afresh.
        transaction.rollback()
        problems = [str(p) for p in error.details] if isinstance(error.details, list) else []
        if _wants_json():
            return jsonify({"ok": False, "message": error.message, "problems": problems}), 422
        flash(error.message, "error")
        return _zones_page(project, status=422, problems=problems, file_form=form)
    message = _(
        "Import terminé : %(created)s zone(s) créée(s), %(updated)s mise(s) à jour, "
        "%(unchanged)s inchangée(s) ; %(moved)s observation(s) réaffectée(s).",
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        moved=report.reassigned,
    )
    flash(message, "ok")
    for note in report.notes:
        flash(_("Réparé : %(note)s", note=note), "warning")
    target = url_for("facilitators.zones_page", slug=slug) + anchor
    if _wants_json():
        return jsonify({"ok": True, "message": message, "redirect": target})
    return redirect(target, 303)


@bp.post("/projets/<slug>/zones/qpv/importer")
def import_qpv(slug: str) -> Any:
    """An administrator imports the official QPV file (ANCT), kept to the project's communes."""
    project, _user = _project(slug)
    _admin()
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) or zones.DEFAULT_MAX_BYTES
    return _import_answer(
        slug,
        project,
        lambda folder, upload: zones.import_official_qpv(
            _saved_upload(upload, folder, limit), project, max_bytes=limit * 20
        ),
        "#qpv",
    )


@bp.post("/projets/<slug>/zones/importer")
def upload_zones(slug: str) -> Any:
    """Import a file of the project's own zones: all or nothing, every problem named."""
    project, _user = _project(slug)
    return _import_answer(
        slug,
        project,
        lambda folder, upload: zones.import_project_zones(
            _saved_upload(upload, folder, ZONE_FILE_MAX_BYTES),
            project,
            source=Path(getattr(upload, "filename", None) or "").name[:200],
            max_bytes=ZONE_FILE_MAX_BYTES * 20,
        ),
        "#zones-projet",
    )


@bp.post("/projets/<slug>/zones/dessiner")
def draw_zone(slug: str) -> Any:
    """Store a zone drawn on the map; warn when it lies far from the project's places."""
    project, _user = _project(slug)
    form = DrawnZoneForm()
    if form.validate_on_submit():
        try:
            saved = zones.save_drawn_zone(project, name=form.name.data, geojson=form.geojson.data)
        except DomainError as error:
            form.geojson.errors = [error.message]
        else:
            flash(
                _(
                    "Zone « %(name)s » enregistrée ; %(n)s observation(s) réaffectée(s).",
                    name=saved.zone.name,
                    n=saved.reassigned,
                ),
                "ok",
            )
            for warning in saved.warnings:
                flash(warning, "warning")
            return _back(slug, "#zones-projet")
    transaction.rollback()
    return _zones_page(project, status=422, draw_form=form)


@bp.post("/projets/<slug>/zones/<int:zone_id>/renommer")
def rename_zone(slug: str, zone_id: int) -> Any:
    """Rename one of the project's own zones."""
    project, _user = _project(slug)
    zone = zones.get_custom_zone(project, zone_id)
    form = RenameZoneForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.name.errors) or _("Nom invalide."), "error")
        return _zones_page(project, status=422)
    old = zone.name
    zones.rename_custom_zone(zone, form.name.data)
    flash(_("Zone « %(old)s » renommée « %(new)s ».", old=old, new=zone.name), "ok")
    return _back(slug, "#zones-projet")


@bp.post("/projets/<slug>/zones/<int:zone_id>/supprimer")
def delete_zone(slug: str, zone_id: int) -> Response:
    """Delete one of the project's own zones; its observations are re-assigned."""
    project, _user = _project(slug)
    zone = zones.get_custom_zone(project, zone_id)
    name = zone.name
    moved = zones.delete_custom_zone(zone)
    flash(
        _("Zone « %(name)s » supprimée ; %(n)s observation(s) réaffectée(s).", name=name, n=moved),
        "ok",
    )
    return _back(slug, "#zones-projet")
