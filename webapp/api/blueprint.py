"""URL rules and handlers of the JSON API used by the capture page (documented in ``openapi.py``).

Participants authenticate with ``Authorization: Bearer <token>``, never with cookies, so the
blueprint is exempt from CSRF. Writes are idempotent on UUIDs made by the phone: a resend returns
200 with the stored resource, a first write 201, other content under a used UUID 409.

An unknown or expired token gets 401; a valid token on a closed walk gets 403 for capture, but still
reaches the participant's own data (``/me/export``, ``DELETE /me``, deleting an observation) until
it expires. After a close, observations captured before it (and their corrections and photos) are
still accepted during the grace period (``services.walks``); others get 403 with a structured
``details.walk`` problem (``captured_after_close``, ``grace_period_over``, ``walk_not_open``).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError, NotFound, Unauthorized, ValidationError
from webapp.extensions import csrf
from webapp.ids import is_canonical_uuid
from webapp.models import Observation, Participant, Photo, Walk
from webapp.models.base import utcnow
from webapp.photo_responses import photo_response
from webapp.services import forms, observations, participants, photos, privacy
from webapp.services.zones import OUTSIDE_LABEL

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="arpenteur"')
    return response


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_l("Rejoignez d'abord une marche avec son code."))
    return token.strip()


def current_participant(*, allow_closed_walk: bool = False, delivering: bool = False) -> Participant:
    """The participant whose token the request carries (401 when missing, unknown or expired).

    ``delivering``: the request sends an observation or a photo, which the service checks against
    the walk's status and grace period (``walks.check_accepts_observation``).
    """
    token = _bearer_token()
    try:
        return participants.get_participant_by_token(
            token, allow_closed_walk=allow_closed_walk, delivering=delivering
        )
    except NotFound as error:
        raise Unauthorized(error.message) from None


def current_sender() -> participants.Sender:
    """The participant delivering an observation, as :func:`current_participant` with ``delivering``
    would find them, read with their walk's facts in one statement (the ingest's hot path)."""
    token = _bearer_token()
    try:
        return participants.get_sender_by_token(token)
    except NotFound as error:
        raise Unauthorized(error.message) from None


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError(
            _l("Le contenu envoyé n'est pas du JSON valide."),
            details={
                "_payload": [
                    {"code": "wrong_type", "message": {"fr": "JSON attendu.", "en": "JSON expected."}}
                ]
            },
        )
    return body


def _uuid(raw: str, field: str) -> uuid.UUID:
    if not is_canonical_uuid(raw):
        raise NotFound(_l("Identifiant inconnu."), details={field: raw[:64]})
    return uuid.UUID(raw)


def form_reference(walk: Walk) -> dict[str, Any]:
    """Which form the walk uses, and where to fetch it."""
    form = forms.walk_form(walk)
    return {
        "key": form.key,
        "version": form.version,
        "url": url_for("api.form", key=form.key, version=form.version),
    }


def walk_to_dict(walk: Walk) -> dict[str, Any]:
    """What a phone needs to know about its walk (route and stops as GeoJSON, and its form)."""
    return {**participants.walk_outline(walk), "form": form_reference(walk)}


def photo_to_dict(photo: Photo) -> dict[str, Any]:
    return {
        "client_uuid": str(photo.client_uuid),
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
        "created_at": photo.created_at.isoformat(),
    }


def observation_to_dict(observation: Observation | observations.NewObservation) -> dict[str, Any]:
    """The JSON shape of an observation, as its author sees it (times in UTC, with their zone)."""
    lon, lat = observations.observation_lonlat(observation)
    return {
        "client_uuid": str(observation.client_uuid),
        "walk_id": observation.walk_id,
        "form": {"key": observation.form_key, "version": observation.form_version},
        "theme": observation.theme,
        "subtheme": observation.subtheme,
        "polarity": observation.polarity,
        "feeling": observation.feeling,
        "note": observation.note,
        "proposal": observation.proposal,
        "answers": observation.answers,
        "location": {
            "lon": lon,
            "lat": lat,
            "accuracy_m": observation.accuracy_m,
            "source": observation.location_source,
        },
        "zone": {"id": observation.zone.id, "name": observation.zone.name} if observation.zone else None,
        "zone_name": observation.zone.name if observation.zone else str(OUTSIDE_LABEL),
        "out_of_area": observation.out_of_area,
        "moderation_status": observation.moderation_status,
        "captured_at": observation.captured_at.isoformat(),
        "received_at": observation.received_at.isoformat(),
        "updated_at": observation.updated_at.isoformat(),
        "photos": [photo_to_dict(p) for p in observation.photos],
    }


@bp.post("/join")
def join() -> tuple[Response, int]:
    """Join an open walk by its code; returns the participant token.

    Idempotent with ``join_id`` (a UUID made by the phone): 201 for a new participant, 200 when the
    same join is sent again (same participant, new token). Wrong codes are rate-limited per address.
    """
    body = _json_body()
    # JSON types as the published schema says (the join form of the pages sends text)
    wrong: dict[str, Any] = {
        name: "wrong_type"
        for name in ("code", "join_id", "age_band", "gender", "status")
        if name in body and not isinstance(body[name], str)
    }
    if isinstance(body.get("join_id"), str) and not is_canonical_uuid(body["join_id"]):
        wrong["join_id"] = "invalid_uuid"
    if wrong:
        raise ValidationError(_l("Certaines réponses sont à corriger."), details=wrong)
    participant, token, created = participants.join_walk_limited(
        str(body.get("code") or ""),
        client=request.remote_addr or "-",
        join_uuid=participants.parse_join_uuid(body.get("join_id")),
        age_band=body.get("age_band") or "undisclosed",
        gender=body.get("gender") or "undisclosed",
        status=body.get("status") or "undisclosed",
    )
    return jsonify(
        {
            "token": token,
            "expires_at": participant.expires_at.isoformat() if participant.expires_at else None,
            "walk": walk_to_dict(participant.walk),
        }
    ), 201 if created else 200


@bp.get("/walk")
def my_walk() -> Response:
    """The walk the token belongs to."""
    return jsonify(walk_to_dict(current_participant().walk))


@bp.get("/forms/<key>")
@bp.get("/forms/<key>/<int:version>")
def form(key: str, version: int | None = None) -> Response:
    """A stored form version as the capture page renders it (``?lang=fr|en``); the newest without one."""
    stored = forms.latest_form(key) if version is None else forms.get_form(key, version)
    return jsonify(forms.parsed(stored).to_dict(request.args.get("lang") or g.get("lang", "fr")))


@bp.post("/observations")
def create_observation() -> tuple[Response, int]:
    """Create an observation, idempotent on ``client_uuid`` (201 new, 200 resend, 409 clash)."""
    sender = current_sender()
    observation, created = observations.submit_observation(sender, _json_body(), json_client=True)
    return jsonify(observation_to_dict(observation)), 201 if created else 200


@bp.get("/observations")
def list_observations() -> Response:
    """The participant's own observations on their walk."""
    participant = current_participant()
    items = observations.list_own_observations(participant)
    response = jsonify({"observations": [observation_to_dict(o) for o in items]})
    # The capture page asks this at each load, and is otherwise served by the phone's service worker:
    # this is how it learns that a deploy brought a new version of it (the worker's URL changed).
    from webapp.residents import offline  # (residents imports this module: import when used)

    response.headers["X-Arpenteur-Worker"] = offline.worker_url()
    return response


@bp.get("/observations/<client_uuid>")
def get_observation(client_uuid: str) -> Response:
    participant = current_participant()
    observation = observations.get_own_observation(participant, _uuid(client_uuid, "client_uuid"))
    return jsonify(observation_to_dict(observation))


@bp.put("/observations/<client_uuid>")
def update_observation(client_uuid: str) -> Response:
    """Replace the content of one's own observation (idempotent)."""
    participant = current_participant(delivering=True)
    observation = observations.update_observation(
        participant, _uuid(client_uuid, "client_uuid"), _json_body(), json_client=True
    )
    return jsonify(observation_to_dict(observation))


@bp.delete("/observations/<client_uuid>")
def delete_observation(client_uuid: str) -> tuple[str, int]:
    """Delete one's own observation and its photos (also after the walk closed, token permitting)."""
    participant = current_participant(allow_closed_walk=True)
    # Its photo files are deleted once the deletion is committed.
    observations.delete_observation(participant, _uuid(client_uuid, "client_uuid"))
    return "", 204


@bp.get("/observations/<client_uuid>/photos/<photo_uuid>")
def get_photo(client_uuid: str, photo_uuid: str) -> Response:
    """One of the participant's own photos (the stored, metadata-free JPEG)."""
    participant = current_participant(allow_closed_walk=True)
    observation = observations.get_own_observation(participant, _uuid(client_uuid, "client_uuid"))
    wanted = _uuid(photo_uuid, "photo_uuid")
    photo = next((p for p in observation.photos if p.client_uuid == wanted), None)
    if photo is None:
        raise NotFound(_l("Photo introuvable."), details={"photo_uuid": str(wanted)})
    response = photo_response(photo.stored_name, photo.content_type, lambda: photos.read(photo))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the participant's own data (RGPD: access and erasure) ------------------------------------------


def export_document(data: privacy.ParticipantData) -> dict[str, Any]:
    """Everything stored about a participant, as one JSON document (observations also as GeoJSON)."""
    items = []
    features = []
    for observation in data.observations:
        item = observation_to_dict(observation)
        item["purged_at"] = observation.purged_at.isoformat() if observation.purged_at else None
        for photo, ref in zip(observation.photos, item["photos"], strict=True):
            ref["url"] = url_for(
                "api.get_photo", client_uuid=str(observation.client_uuid), photo_uuid=str(photo.client_uuid)
            )
        item["moderation_history"] = [
            {"action": step.action, "at": step.at.isoformat(), "reason": step.reason, "changes": step.changes}
            for step in data.history.get(observation.id, [])
        ]
        items.append(item)
        location = item["location"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [location["lon"], location["lat"]]},
                "properties": {k: v for k, v in item.items() if k not in ("location", "moderation_history")},
            }
        )
    participant, walk = data.participant, data.walk
    return {
        "exported_at": utcnow().isoformat(),
        "walk": {
            "id": walk.id,
            "title": walk.title,
            "date": walk.walk_date.isoformat(),
            "project": walk.project.name,
        },
        "participant": {
            "joined_at": participant.created_at.isoformat(),
            "token_expires_at": participant.expires_at.isoformat() if participant.expires_at else None,
            "profile": {
                "age_band": participant.age_band,
                "gender": participant.gender,
                "status": participant.status,
            },
            "token": "Le jeton n'est pas conservé : seule son empreinte (SHA-256) l'est.",
        },
        "observations": items,
        "observations_geojson": {"type": "FeatureCollection", "features": features},
    }


@bp.get("/me/export")
def export_me() -> Response:
    """Everything stored about the token's participant (``?format=geojson``: the observations only)."""
    participant = current_participant(allow_closed_walk=True)
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "geojson"):
        raise ValidationError(_l("Format d'export inconnu."), details={"format": "unknown_choice"})
    document = export_document(privacy.participant_data(participant))
    if wanted == "geojson":
        response = jsonify(document["observations_geojson"])
        response.mimetype = "application/geo+json"
        response.headers["Content-Disposition"] = 'attachment; filename="mes-observations.geojson"'
        return response
    response = jsonify(document)
    response.headers["Content-Disposition"] = 'attachment; filename="mes-donnees-arpenteur.json"'
    return response


def _erasure_response(erasure: privacy.Erasure) -> Response:
    return jsonify(
        {
            "deleted": {
                "observations": erasure.observations,
                "photos": erasure.photos,
                "profile": erasure.profile,
            }
        }
    )


@bp.delete("/me")
def delete_me() -> Response:
    """Erase the participant: observations, photos (files too) and profile; the token stops working."""
    participant = current_participant(allow_closed_walk=True)
    return _erasure_response(privacy.erase_participant_data(participant))


@bp.delete("/me/observations")
def delete_my_observations() -> Response:
    """Erase all the participant's observations and photos; the profile and token stay (idempotent)."""
    participant = current_participant(allow_closed_walk=True)
    return _erasure_response(privacy.erase_participant_data(participant, keep_profile=True))


@bp.put("/observations/<client_uuid>/photos/<photo_uuid>")
def put_photo(client_uuid: str, photo_uuid: str) -> tuple[Response, int]:
    """Upload a photo (the request body is the image), idempotent on the photo's UUID."""
    participant = current_participant(delivering=True)
    photo, created = photos.add_photo(
        participant,
        _uuid(client_uuid, "client_uuid"),
        _uuid(photo_uuid, "photo_uuid"),
        request.get_data(cache=False),
    )
    return jsonify(photo_to_dict(photo)), 201 if created else 200


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API described as OpenAPI 3.1; with a participant's token, for that walk's form exactly."""
    from webapp.api.openapi import document

    if request.headers.get("Authorization"):
        try:
            walk = current_participant(allow_closed_walk=True).walk
        except (Unauthorized, DomainError):
            pass
        else:
            definition = forms.walk_definition(walk)
            return jsonify(
                document(answers=definition.answers_json_schema(), form=(definition.key, definition.version))
            )
    return jsonify(document())
