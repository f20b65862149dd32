"""URL rules and handlers of the residents' pages: the join page and the capture page.

The capture page works as a plain HTML form first (posted here, with a CSRF token and the
participant cookie); its JavaScript modules then take over: geolocation, the pin map, photos, and
the offline outbox that talks to the JSON API with the participant token.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from mobile_forms import FormDefinition
from webapp.api.blueprint import export_document, observation_to_dict
from webapp.errors import DomainError, ValidationError
from webapp.local_time import LOCAL_TZ
from webapp.models import Participant
from webapp.models.base import utcnow
from webapp.models.enums import AgeBand, Gender, ParticipantStatus, ProfileField
from webapp.residents import offline
from webapp.security import TILE_HOSTS
from webapp.services import forms, observations, participants, privacy

bp = Blueprint("residents", __name__)

#: Cookie holding the participant token for the plain-HTML path (the JSON API takes it as a Bearer token).
COOKIE = "arpenteur_participant"
#: Tile URL templates by the TILES setting (attribution shown on the map).
TILE_URLS = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap"),
    "ign": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2"
        "&STYLE=normal&FORMAT=image/png&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        "© IGN",
    ),
}
#: Times shown on the residents' pages without JavaScript (the phone shows its own local time).


def profile_choices() -> dict[str, list[tuple[str, str]]]:
    """The optional profile questions, each with "prefer not to say" first (labels: the vocabularies)."""
    return {
        field.value: [
            (code.value, code.answer_label)
            for code in sorted(field.vocabulary, key=lambda code: code.value != "undisclosed")
        ]
        for field in (ProfileField.AGE_BAND, ProfileField.GENDER, ProfileField.STATUS)
    }


@bp.get("/rejoindre")
def join() -> str:
    """The join page: a code (typed, or from the QR code's link) and optional profile questions."""
    return render_template(
        "residents/join.html",
        code=request.args.get("code", ""),
        choices=profile_choices(),
        # One id per display of the form: submitting it twice (a double tap, a reload after a lost
        # answer) joins once.
        join_id=uuid.uuid4(),
    )


@bp.post("/rejoindre")
def join_post() -> Response | tuple[str, int]:
    """Join, keep the token in a cookie, and go to the capture page."""
    code = request.form.get("code", "")
    try:
        participant, token, _ = participants.join_walk_limited(
            code,
            client=request.remote_addr or "-",
            join_uuid=participants.parse_join_uuid(request.form.get("join_id")),
            age_band=request.form.get("age_band", ""),
            gender=request.form.get("gender", ""),
            status=request.form.get("status", ""),
        )
    except DomainError as error:
        page = render_template(
            "residents/join.html",
            code=code,
            choices=profile_choices(),
            error=error.message,
            form=request.form,
            join_id=uuid.uuid4(),
        )
        return page, error.status
    # Settle the session now (the staff login layer marks a new session once): the capture page's answer
    # then sets no cookie, so the service worker can keep the copy the browser already holds instead of
    # downloading the page a second time (the page varies on its cookies).
    current_user.is_authenticated  # noqa: B018
    response = redirect(url_for("residents.capture", code=participant.walk.join_code), 303)
    response.set_data(b"")  # (browsers follow a 303 at once: no « you should be redirected » page)
    max_age = (
        int((participant.expires_at - participant.created_at).total_seconds())
        if participant.expires_at
        else None
    )
    response.set_cookie(
        COOKIE, token, max_age=max_age, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
    )
    return response


def _participant_for(
    code: str, *, allow_closed_walk: bool = False, delivering: bool = False
) -> tuple[Participant | None, str]:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None, ""
    try:
        participant = participants.get_participant_by_token(
            token, allow_closed_walk=allow_closed_walk, delivering=delivering
        )
    except DomainError:
        return None, ""
    if participant.walk.join_code != code.upper():
        return None, ""
    return participant, token


def _script_form(form: dict[str, Any]) -> dict[str, Any]:
    """What the capture page's script reads of the walk's form; the page's HTML shows the rest (help,
    colours, descriptions), so the page does not carry it twice."""
    return {
        "key": form["key"],
        "version": form["version"],
        "themes": [
            {
                "key": theme["key"],
                "label": theme["label"],
                "icon": {"emoji": theme["icon"]["emoji"]},
                "sensitive": theme["sensitive"],
                "subthemes": [{"key": sub["key"], "label": sub["label"]} for sub in theme["subthemes"]],
            }
            for theme in form["themes"]
        ],
        "fields": [
            {key: field[key] for key in ("key", "type", "required", "external", "asked")}
            for field in form["fields"]
        ],
    }


def _page_config(participant: Participant, token: str, form: dict[str, Any]) -> dict[str, Any]:
    tiles = current_app.config.get("TILES", "osm")
    url, attribution = TILE_URLS.get(tiles, ("", ""))
    return {
        "token": token,
        "walk": participants.walk_outline(participant.walk),
        "form": _script_form(form),
        "tiles": {"url": url, "attribution": attribution} if tiles in TILE_HOSTS and url else None,
        "api": url_for("api.create_observation"),
        "sw": offline.worker_url(),
        "accuracy_warning_m": 50,
        "text": ui_texts(),
    }


def _lang() -> str:
    from flask import g

    return g.get("lang", "fr")


def ui_texts() -> dict[str, str]:
    """Texts the JavaScript shows, translated here so the modules hold none of their own."""
    return {
        "waiting": _("En attente d'envoi"),
        "sending": _("Envoi…"),
        "sent": _("Envoyée"),
        "failed": _("Échec"),
        "deleting": _("Suppression en attente"),
        "offline": _(
            "Hors connexion : vos observations restent sur le téléphone et partiront dès le retour du réseau."
        ),
        "online": _("Connexion rétablie : envoi des observations en attente."),
        "saved_locally": _("Observation enregistrée sur le téléphone."),
        "theme_required": _("Choisissez un thème."),
        "polarity_required": _("Dites si ça va ou pas."),
        "required": _("Cette réponse est obligatoire."),
        "location_required": _("Position inconnue : choisissez l'arrêt le plus proche ou touchez la carte."),
        "locating": _("Recherche de votre position…"),
        "accuracy": _("Position à ± {m} m près"),
        "inaccurate": _(
            "Position imprécise (± {m} m) : attendez quelques secondes ou placez le repère sur la carte."
        ),
        "geo_denied": _(
            "Position non disponible : choisissez l'arrêt le plus proche "
            "ou touchez la carte pour placer le repère."
        ),
        "pin_placed": _("Repère placé à la main."),
        "pin_kept": _("Repère de l'observation précédente : déplacez-le si vous avez bougé."),
        "stop_placed": _("Repère placé à l'arrêt {n}."),
        "edit": _("Modifier"),
        "delete": _("Supprimer"),
        "confirm_delete": _("Supprimer cette observation ?"),
        "photos_pending": _("{n} photo(s) en attente"),
        "photos_too_many": _("{n} photos au plus."),
        "photo_unreadable": _("Cette photo n'a pas pu être lue."),
        "empty": _("Aucune observation pour l'instant."),
        "editing": _("Modification de l'observation"),
        "save": _("Enregistrer l'observation"),
        "save_changes": _("Enregistrer les modifications"),
        "no_network": _("pas de réseau, nouvel essai automatique"),
        "server_busy": _("serveur occupé, nouvel essai automatique"),
        "refused": _("refusée par le serveur"),
        "positive": _("Ça va"),
        "negative": _("Ça ne va pas"),
        "neutral": _("Neutre"),
        "stop": _("Arrêt"),
        "map_label": _("Carte : touchez pour placer le repère"),
        "map_open": _("Placer le repère sur une carte"),
        "map_close": _("Fermer la carte"),
        "zoom_in": _("Zoomer"),
        "zoom_out": _("Dézoomer"),
        "at": _("à {time}"),
    }


def _local_time(value: str | None) -> str:
    """``HH:MM`` in Paris time, from an ISO timestamp (UTC)."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%H:%M")
    except ValueError:
        return ""


def _capture_page(
    participant: Participant,
    token: str,
    *,
    client_uuid: str,
    errors: dict[str, str],
    values: Any,
) -> str:
    """The capture page of the participant's walk, built from the walk's form."""
    form = forms.walk_definition(participant.walk).to_dict(_lang())
    themes = {theme["key"]: theme for theme in form["themes"]}
    return render_template(
        "residents/capture.html",
        walk=participant.walk,
        form=form,
        themes=themes,
        config=_page_config(participant, token, form),
        mine=[
            {**observation_to_dict(o), "time": _local_time(o.captured_at.isoformat())}
            for o in observations.list_own_observations(participant)
        ],
        client_uuid=client_uuid,
        captured_at=values.get("captured_at") or utcnow().isoformat(timespec="seconds"),
        errors=errors,
        values=values,
        # questions shown at once: the required ones and the quick taps; the rest under "more"
        main_fields=[f for f in form["fields"] if _is_main(f)],
        more_fields=[f for f in form["fields"] if not _is_main(f) and not f["external"]],
        photo_field=next((f for f in form["fields"] if f["type"] == "photo"), None),
    )


def _is_main(field: dict[str, Any]) -> bool:
    """Shown at once: required questions, ratings (a quick tap) and questions only about sensitive themes
    (« vécu / vu »); other questions wait under "more"."""
    return not field["external"] and (
        bool(field["required"]) or field["type"] == "rating" or field["asked"] == "sensitive"
    )


@bp.get("/m/<code>")
def capture(code: str) -> Response | str:
    """The capture page of a walk, for a participant who joined it on this phone."""
    participant, token = _participant_for(code)
    if participant is None:
        return redirect(url_for("residents.join", code=code.upper()))
    response = make_response(
        _capture_page(participant, token, client_uuid=str(uuid.uuid4()), errors={}, values={})
    )
    # The page embeds the token: never store it in a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _plain_payload(form: Any, definition: FormDefinition) -> dict[str, Any]:
    """The no-JavaScript form as an API submission, for the walk's form."""
    location: dict[str, Any] | None = None
    if form.get("stop"):
        lon, _sep, lat = form["stop"].partition(",")
        location = {"lon": lon, "lat": lat, "source": "pin"}
    answers: dict[str, Any] = {
        key: form.get(key) for key in ("theme", "subtheme") if form.get(key) not in (None, "")
    }
    for field in definition.fields:
        if field.kind.external:
            continue
        if field.type == "multiple_choice":
            ticked = [value for value in form.getlist(field.key) if value]
            if ticked:
                answers[field.key] = ticked
        elif form.get(field.key) not in (None, ""):
            answers[field.key] = form.get(field.key)
    payload: dict[str, Any] = {
        "client_uuid": form.get("client_uuid"),
        "form": {"key": definition.key, "version": definition.version},
        "location": location,
        "answers": answers,
    }
    if form.get("captured_at"):
        # set when the page was made: a double tap resends the same observation, not a new one
        payload["captured_at"] = form["captured_at"]
    return payload


@bp.post("/m/<code>")
def capture_post(code: str) -> Response | tuple[str, int]:
    """The capture form without JavaScript: stored at once (idempotent on the form's hidden UUID).

    After the close the service refuses it with a French page (an observation sent from this form is
    made now, so after the close), unless it is a resend of one already stored.
    """
    participant, token = _participant_for(code, delivering=True)
    if participant is None:
        return redirect(url_for("residents.join", code=code.upper()))
    definition = forms.walk_definition(participant.walk)
    try:
        observations.submit_observation(participant, _plain_payload(request.form, definition))
    except ValidationError as error:
        errors = {
            key: problems[0]["message"].get(_lang(), problems[0]["message"]["fr"])
            for key, problems in (error.details or {}).items()
            if isinstance(problems, list)
            and problems
            and isinstance(problems[0], dict)
            and "message" in problems[0]
        }
        page = _capture_page(
            participant,
            token,
            client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()),
            errors=errors,
            values=request.form,
        )
        return page, 422
    flash(_("Observation enregistrée."))
    return redirect(url_for("residents.capture", code=code.upper()), 303)


@bp.get("/m/<code>/mes-donnees")
def my_data(code: str) -> Response | str:
    """What is stored about this participant, with a download and an erase button (token permitting)."""
    participant, _token = _participant_for(code, allow_closed_walk=True)
    if participant is None:
        return redirect(url_for("residents.join", code=code.upper()))
    data = privacy.participant_data(participant)
    choices = {k: dict(v) for k, v in profile_choices().items()}
    # only what the person answered: "prefer not to say" three times says nothing
    profile = [
        choices[question][answer]
        for question, answer in (
            ("age_band", participant.age_band),
            ("gender", participant.gender),
            ("status", participant.status),
        )
        if answer in choices[question]
        and answer not in (AgeBand.UNDISCLOSED, Gender.UNDISCLOSED)
        and answer != ParticipantStatus.UNDISCLOSED
    ]
    response = make_response(
        render_template(
            "residents/my_data.html",
            profile=profile,
            walk=participant.walk,
            participant=participant,
            observation_count=len(data.observations),
            photo_count=sum(len(o.photos) for o in data.observations),
            expires_at=participant.expires_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
            if participant.expires_at
            else None,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/m/<code>/mes-donnees.json")
def my_data_download(code: str) -> Response:
    """Everything stored about this participant, as a JSON file (same document as the API's export)."""
    participant, _token = _participant_for(code, allow_closed_walk=True)
    if participant is None:
        return redirect(url_for("residents.join", code=code.upper()))
    response = jsonify(export_document(privacy.participant_data(participant)))
    response.headers["Content-Disposition"] = 'attachment; filename="mes-donnees-arpenteur.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/m/<code>/mes-donnees/effacer")
def my_data_erase(code: str) -> Response | tuple[str, int] | str:
    """Erase this participant's observations, photos and profile; the cookie goes too."""
    participant, _token = _participant_for(code, allow_closed_walk=True)
    if participant is None:
        return redirect(url_for("residents.join", code=code.upper()))
    if request.form.get("confirm") != "1":
        flash(_("Cochez la case pour confirmer l'effacement."))
        return redirect(url_for("residents.my_data", code=code.upper()), 303)
    walk = participant.walk
    erasure = privacy.erase_participant_data(participant)
    response = make_response(render_template("residents/my_data.html", walk=walk, erasure=erasure))
    response.delete_cookie(COOKIE, path="/")
    response.headers["Cache-Control"] = "private, no-store"
    # The phone's copies go too: the kept capture page (with the notes) and the outbox's token.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served at the root so its scope covers every page.

    Its manifest (cache version and the files to keep) is derived from the files themselves
    (:mod:`webapp.residents.offline`), so a deploy that changes any of them installs a new worker.
    Pages register it as ``/sw.js?v=<version>`` with ``updateViaCache: 'all'``: that URL is kept a day
    by the browser, so its own update checks cost nothing over the network; a new version reaches the
    page through the API's answer (a new URL). Any other URL (no or an old ``v``) is not kept.
    """
    source = offline.service_worker_source(url_for("static", filename=""), url_for("residents.offline_page"))
    response = Response(source, mimetype="text/javascript")
    current = request.args.get("v") == offline.manifest().version
    response.headers["Cache-Control"] = "max-age=86400" if current else "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/hors-ligne")
def offline_page() -> Response:
    """The page a phone shows for a residents' page it never kept, when there is no network."""
    response = make_response(render_template("residents/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
