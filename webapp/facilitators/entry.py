"""Facilitator entry pages: type in observations for the group or from paper sheets, or import a template.

The entry form works without JavaScript (a list of stops, or longitude and latitude typed in); a
small module adds the map where a click places the pin. After each save the form comes back empty,
keeping the stop, the time and the profile (the same paper sheet), with the latest entries below.
The facilitator's session remembers which anonymous participant the kept profile stands for, so
the next entries of the same sheet count one person; « Autre personne » forgets it.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.errors import ImportFailed, NotFound, ValidationError
from webapp.facilitators.blueprint import _project, _walk, bp
from webapp.facilitators.entry_forms import (
    WHERE_PIN,
    WHERE_STOP,
    EntryForm,
    ImportForm,
    build_entry_form,
)
from webapp.local_time import localtime
from webapp.models.base import utcnow
from webapp.models.enums import Polarity, ProfileField, WalkStatus
from webapp.residents.blueprint import TILE_URLS, profile_choices
from webapp.security import TILE_HOSTS
from webapp.services import entry, forms, participants

#: Session key: per walk, what the next entry keeps (stop, time, profile, the participant it stands for).
KEEP = "entry_keep"
#: What the form keeps between entries.
KEPT_FIELDS = ("where", "stop", "captured_at", "age_band", "gender", "status")
TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _column_help() -> dict[str, str]:
    """What each fixed column of a template holds (column descriptions and header comments)."""
    return {
        "sheet": _(
            "Numéro de la feuille papier (une par personne) : les lignes d'une même feuille comptent "
            "pour une seule personne. Facultatif."
        ),
        "stop": _(
            "Numéro de l'arrêt le plus proche (voir l'onglet des codes). Ou bien longitude et latitude."
        ),
        "lon": _("Longitude en degrés décimaux (WGS84), par exemple 2,2955. Seulement sans numéro d'arrêt."),
        "lat": _("Latitude en degrés décimaux (WGS84), par exemple 49,9196. Seulement sans numéro d'arrêt."),
        "captured_at": _(
            "Date et heure, par exemple 12/03/2026 18:30 (heure de Paris). Vide : le jour de la marche, "
            "à son heure de début."
        ),
        "theme": _("Code du thème (obligatoire, voir l'onglet des codes)."),
        "subtheme": _("Code du sous-thème, qui doit appartenir au thème. Facultatif."),
        "profile": _(
            "Profil de la personne, par code. Facultatif : sans profil ni feuille, la ligne ne compte "
            "personne."
        ),
    }


def _field_type_help(column: entry.TemplateColumn) -> str:
    """What a question's column holds, by the question's type."""
    texts = {
        "single_choice": _("Un code de la liste."),
        "multiple_choice": _("Un ou plusieurs codes de la liste, séparés par des virgules."),
        "rating": _("Un nombre entier de %(min)s à %(max)s.", min=column.minimum, max=column.maximum),
        "short_text": _("Texte libre sur une ligne."),
        "long_text": _("Texte libre."),
    }
    return texts.get(column.field_type, "")


def _lang() -> str:
    return str(g.get("lang", "fr"))


def _user():  # type: ignore[no-untyped-def]
    from flask_login import current_user

    return current_user._get_current_object()  # type: ignore[attr-defined]


def _kept(walk_id: int) -> dict[str, Any]:
    return dict(session.get(KEEP, {}).get(str(walk_id), {}))


def _keep(walk_id: int, values: dict[str, Any]) -> None:
    kept = dict(session.get(KEEP, {}))
    # Only the latest few walks: the session is a signed cookie.
    kept = {k: v for k, v in list(kept.items())[-4:] if k != str(walk_id)}
    kept[str(walk_id)] = values
    session[KEEP] = kept


def _tiles() -> dict[str, str] | None:
    tiles = current_app.config.get("TILES", "osm")
    url, attribution = TILE_URLS.get(tiles, ("", ""))
    return {"url": url, "attribution": attribution} if tiles in TILE_HOSTS and url else None


def _page_config(walk) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "walk": participants.walk_outline(walk),
        "tiles": _tiles(),
        "text": {
            "stop": _("Arrêt"),
            "you_are_here": _("Repère de l'observation"),
            "pin_placed": _("Repère placé : {lon}, {lat}"),
        },
    }


def _local(value) -> str:  # type: ignore[no-untyped-def]
    return localtime(value)


def _default_when(walk) -> str:  # type: ignore[no-untyped-def]
    now = utcnow()
    default = entry.default_captured_at(walk, now=now)
    return _("maintenant") if default == now else _local(default)


def _render(project, walk, form: EntryForm, status: int = 200):  # type: ignore[no-untyped-def]
    definition = form.definition
    lang = _lang()
    kept = _kept(walk.id)
    page = render_template(
        "facilitators/entry/form.html",
        project=project,
        walk=walk,
        form=form,
        definition=definition,
        lang=lang,
        themes=definition.themes,
        profile=profile_choices(),
        polarity_labels={p.value: p.label for p in Polarity},
        entries=entry.list_entries(walk, _user(), lang=lang),
        kept_person=bool(kept.get("person")),
        default_when=_default_when(walk),
        local=_local,
        closed=walk.status == WalkStatus.CLOSED,
        config=_page_config(walk),
        has_errors=bool(form.errors),
    )
    return page, status


@bp.route("/projets/<slug>/marches/<int:walk_id>/saisie", methods=["GET", "POST"])
def entry_form(slug: str, walk_id: int):  # type: ignore[no-untyped-def]
    """Type in one observation for the group or from a paper sheet; the form comes back for the next."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    definition = forms.walk_definition(walk)
    if request.method == "POST":
        return _save_entry(project, walk, user, build_entry_form(walk, definition))
    kept = _kept(walk.id)
    if request.args.get("personne") == "nouvelle":
        for name in ("age_band", "gender", "status", "person"):
            kept.pop(name, None)
        _keep(walk.id, kept)
        return redirect(url_for("facilitators.entry_form", slug=slug, walk_id=walk.id) + "#profil", 303)
    form = build_entry_form(walk, definition, formdata=None)
    for name in KEPT_FIELDS:
        if kept.get(name) and name != "captured_at":
            form[name].process_data(kept[name])
    if not kept.get("where"):
        form.where.data = WHERE_STOP if walk.stops else WHERE_PIN
    if kept.get("captured_at"):
        form.captured_at.raw_data = [kept["captured_at"]]
    form.client_uuid.data = str(uuid.uuid4())
    return _render(project, walk, form)


def _place(walk, form: EntryForm) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    if form.where.data == WHERE_PIN:
        return form.lon.data, form.lat.data  # type: ignore[return-value]
    stop = entry.get_stop(walk, int(form.stop.data))
    if stop is None:  # the form checked the choices
        raise NotFound(_l("Arrêt introuvable."))
    return entry.stop_lonlat(stop)


def _save_entry(project, walk, user, form: EntryForm):  # type: ignore[no-untyped-def]
    """Check and store a posted entry; the form again with every problem, or a redirect for the next."""
    captured_at = entry.local_to_utc(form.captured_at.data) if form.captured_at.data else None
    problems: dict[str, Any] = {}
    if not form.validate():
        # Every problem at once: the answers are checked even when a typed field is wrong.
        problems = entry.check_entry(walk, form.answers(), captured_at=captured_at)
    else:
        lon, lat = _place(walk, form)
        try:
            result = entry.record_entry(
                walk,
                user,
                client_uuid=uuid.UUID(form.client_uuid.data),
                answers=form.answers(),
                lon=lon,
                lat=lat,
                captured_at=captured_at,
                profile=entry.Profile(
                    age_band=form.age_band.data or "",
                    gender=form.gender.data or "",
                    status=form.status.data or "",
                ),
                same_person=_kept(walk.id).get("person"),
                photo_uploads={
                    question.key: [f.read() for f in (field.data or []) if getattr(f, "filename", "")]
                    for question, field in form.photo_fields()
                },
            )
        except ValidationError as error:
            problems = error.details if isinstance(error.details, dict) else {}
    if form.errors or problems:
        for key, found in problems.items():
            field = form.field_for(key)
            if field is not None and isinstance(found, list):
                messages = [p["message"].get(_lang(), p["message"]["fr"]) for p in found if "message" in p]
                field.errors = [*(field.errors or []), *messages]
        if any(getattr(f, "filename", "") for _q, field in form.photo_fields() for f in field.data or []):
            flash(_("Les photos choisies n'ont pas été gardées : choisissez-les à nouveau."), "error")
        return _render(project, walk, form, 422)

    kept = {name: form[name].raw_data[0] if form[name].raw_data else "" for name in KEPT_FIELDS}
    kept["person"] = result.participant.id if result.participant else None
    _keep(walk.id, kept)
    if result.new:
        flash(_("Observation n° %(id)s enregistrée.", id=result.observation.id), "ok")
    else:
        flash(_("Cette observation était déjà enregistrée (n° %(id)s).", id=result.observation.id), "ok")
    return redirect(url_for("facilitators.entry_form", slug=walk.project.slug, walk_id=walk.id), 303)


# --- templates and imports ----------------------------------------------------------------------------


def _columns(walk) -> list[entry.TemplateColumn]:  # type: ignore[no-untyped-def]
    # Facilitators read the vocabularies' labels (« Non précisé »), not the residents' answer wording.
    labels = {field.value: field.vocabulary.labels() for field in ProfileField}
    return entry.template_columns(walk, lang=_lang(), profile_labels=labels)


def _help(column: entry.TemplateColumn) -> str:
    if column.kind == "field":
        required = _("Obligatoire.") if column.required else _("Facultatif.")
        return f"{column.label} — {_field_type_help(column)} {required}"
    return _column_help().get(column.kind, "")


@bp.get("/projets/<slug>/marches/<int:walk_id>/saisie/modele.<fmt>")
def entry_template(slug: str, walk_id: int, fmt: str) -> Response:
    """The walk's entry template, generated from its form: XLSX (with codes and lists) or CSV."""
    project, _user_ = _project(slug)
    walk = _walk(project, walk_id)
    if fmt not in TEMPLATE_TYPES:
        raise NotFound(_l("Format de modèle inconnu."))
    columns = _columns(walk)
    name = f"saisie-{project.slug}-marche-{walk.id}.{fmt}"
    if fmt == "csv":
        return Response(
            entry.template_csv(columns),
            mimetype=TEMPLATE_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    buffer = io.BytesIO()
    entry.template_xlsx(
        columns,
        buffer,
        texts={
            "sheet": _("Observations"),
            "columns_sheet": _("Colonnes"),
            "codes_sheet": _("Codes"),
            "column": _("Colonne"),
            "code": _("Code"),
            "label": _("Libellé"),
            "required": _("Obligatoire"),
            "what": _("Ce qu'on y écrit"),
            "yes": _("oui"),
        },
        help_by_header={c.header: _help(c) for c in columns},
    )
    buffer.seek(0)
    return send_file(buffer, mimetype=TEMPLATE_TYPES[fmt], download_name=name, as_attachment=True)


def _form_title(walk) -> str:  # type: ignore[no-untyped-def]
    definition = forms.walk_definition(walk)
    return f"{definition.title.get(_lang())}, version {definition.version}"


def _render_import(project, walk, form: ImportForm, *, problems=None, message="", status: int = 200):  # type: ignore[no-untyped-def]
    columns = _columns(walk)
    page = render_template(
        "facilitators/entry/import.html",
        project=project,
        walk=walk,
        form=form,
        columns=columns,
        help={c.header: _help(c) for c in columns},
        problems=problems or [],
        form_title=_form_title(walk),
        message=message,
        lang=_lang(),
        limits={"rows": entry.MAX_IMPORT_ROWS, "megabytes": entry.MAX_IMPORT_BYTES // 2**20},
    )
    return page, status


@bp.route("/projets/<slug>/marches/<int:walk_id>/saisie/importer", methods=["GET", "POST"])
def entry_import(slug: str, walk_id: int):  # type: ignore[no-untyped-def]
    """Import a filled-in template: all rows or none, every problem with its row and column."""
    project, user = _project(slug)
    walk = _walk(project, walk_id)
    form = ImportForm()
    if request.method == "GET":
        return _render_import(project, walk, form)
    if not form.validate():
        return _render_import(project, walk, form, status=422)
    upload = form.file.data
    try:
        result = entry.import_template(walk, user, filename=upload.filename or "", data=upload.read())
    except ImportFailed as error:
        return _render_import(
            project, walk, form, problems=error.details or [], message=error.message, status=422
        )
    if result.stored:
        flash(
            _(
                "%(stored)s observation(s) importée(s) ; %(skipped)s ligne(s) déjà importée(s) ignorée(s).",
                stored=result.stored,
                skipped=result.skipped,
            ),
            "ok",
        )
    else:
        flash(
            _("Rien de nouveau : les %(n)s lignes de ce fichier étaient déjà importées.", n=result.skipped),
            "ok",
        )
    return redirect(url_for("facilitators.entry_import", slug=slug, walk_id=walk.id), 303)
