"""Observations: recording one (the zone is assigned on arrival) and reading them back.

Phones submit through :func:`submit_observation`, which is idempotent on the UUID the phone made: the
database's unique constraint decides (``INSERT … ON CONFLICT DO NOTHING``), never a check-then-insert,
so parallel resends from several server processes store one row. The stored payload hash then tells a
resend (same content: 200) from a clash (other content under the same UUID: 409).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKBElement, WKTElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import GeometryCollection, Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, func, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from geodata.crs import STORAGE_SRID, from_metric, metric_srid_for, to_metric, transformer
from geodata.shapes import CoordinateError, check_lonlat, distance_m, lonlat_issue
from mobile_forms import AnswerErrors, FormDefinition, NormalisedAnswers, validate_answers
from webapp.errors import Conflict, Forbidden, NotFound, ValidationError
from webapp.extensions import db
from webapp.i18n import in_languages
from webapp.ids import is_canonical_uuid
from webapp.models import Observation, ObservationFacts, Participant, Photo, Walk
from webapp.models.base import utcnow
from webapp.models.enums import CoordinateProblem, LocationSource, ModerationStatus, Polarity
from webapp.services import forms, participants, prebuilt, walks, zones
from webapp.services.participants import Sender
from webapp.services.walks import WalkFacts


def record_observation(
    walk: Walk,
    *,
    client_uuid: uuid.UUID,
    lon: float,
    lat: float,
    theme: str,
    polarity: str,
    form_key: str,
    form_version: int,
    participant: Participant | None = None,
    subtheme: str | None = None,
    feeling: int | None = None,
    note: str = "",
    proposal: str = "",
    answers: dict[str, Any] | None = None,
    accuracy_m: float | None = None,
    location_source: str = LocationSource.GPS,
    captured_at: datetime | None = None,
    moderation_status: str = ModerationStatus.PENDING,
) -> Observation:
    """Store an observation and give it its zone."""
    try:
        check_lonlat(lon, lat)
    except CoordinateError as error:
        raise ValidationError(coordinate_message(error), details={"location": "invalid"}) from error
    if polarity not in _POLARITIES:
        raise ValidationError(_l("Polarité inconnue."), details={"polarity": "unknown_choice"})
    observation = Observation(
        client_uuid=client_uuid,
        walk=walk,
        participant=participant,
        location=from_shape(Point(lon, lat), srid=4326),
        accuracy_m=accuracy_m,
        location_source=location_source,
        zone_id=zones.find_zone_id(walk.project, lon, lat),
        theme=theme,
        subtheme=subtheme,
        polarity=polarity,
        feeling=feeling,
        note=note,
        proposal=proposal,
        answers=answers or {},
        form_key=form_key,
        form_version=form_version,
        moderation_status=moderation_status,
        captured_at=captured_at or utcnow(),
    )
    db.session.add(observation)
    db.session.flush()
    return observation


def count_observations(walk: Walk | None = None) -> int:
    """How many observations (of one walk, or in all)."""
    stmt = select(func.count(Observation.id))
    if walk is not None:
        stmt = stmt.where(Observation.walk_id == walk.id)
    return db.session.scalar(stmt) or 0


# --- submissions from phones -------------------------------------------------------------------------------

#: A point further than this from the walk's route and stops is kept but flagged for the facilitator.
OUT_OF_AREA_M = 1000.0
#: A phone clock may be off; a capture time further ahead than this is refused.
FUTURE_TOLERANCE = timedelta(hours=12)
#: The polarities, as a set made once (each ``set(Polarity)`` walks the enum: about a microsecond).
_POLARITIES = frozenset(Polarity)
#: The payload hash's JSON (what ``json.dumps(…, sort_keys=True, ensure_ascii=False)`` makes, its
#: encoder made once).
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
#: Fields stored in their own columns rather than in ``answers``.
_COLUMN_FIELDS = ("polarity", "feeling", "note", "proposal")
#: Keys of a submission; any other is reported.
_SUBMISSION_KEYS = {"client_uuid", "form", "captured_at", "location", "answers"}


@dataclass(frozen=True)
class Submission:
    """A checked submission, ready to store."""

    client_uuid: uuid.UUID
    form_key: str
    form_version: int
    lon: float
    lat: float
    accuracy_m: float | None
    location_source: str
    captured_at: datetime
    theme: str
    subtheme: str | None
    polarity: str
    feeling: int | None
    note: str
    proposal: str
    answers: dict[str, Any]
    payload_hash: str


def coordinate_message(error: CoordinateError) -> str:
    """What is wrong with a position, for people (in the current language)."""
    return CoordinateProblem(error.reason).describe(error.issue.pair)


def _problem(code: str, fr: str, en: str, **params: Any) -> list[dict[str, Any]]:
    return [{"code": code, "message": {"fr": fr, "en": en}, "params": params}]


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_client_uuid(raw: object) -> uuid.UUID:
    """The phone's UUID for an observation or a photo, or a ValidationError naming the field."""
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError):
        raise ValidationError(
            _l("Identifiant d'observation invalide."),
            details={"client_uuid": _problem("invalid_uuid", "Identifiant invalide.", "Invalid identifier.")},
        ) from None


#: RFC 3339 date-time (what the API's schema calls ``date-time``), years 2000 to 2099.
_RFC3339 = re.compile(
    r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_LOCATION_KEYS = {"lon", "lat", "accuracy_m", "source"}
_FORM_KEYS = {"key", "version", "url"}


def _json_type_problems(payload: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What a JSON client sent with another type than the API's schema says (plain forms send text)."""
    errors: dict[str, list[dict[str, Any]]] = {}

    def wrong(field: str) -> None:
        errors[field] = _problem("wrong_type", "Format inattendu.", "Unexpected format.")

    raw_uuid = payload.get("client_uuid")
    if raw_uuid is not None and not is_canonical_uuid(raw_uuid):
        errors["client_uuid"] = _problem("invalid_uuid", "Identifiant invalide.", "Invalid identifier.")
    for name in ("form", "captured_at"):
        if name in payload and payload[name] is None:
            wrong(name)  # optional means "leave it out", not null, in the published schema
    form = payload.get("form")
    if form is not None and (
        not isinstance(form, Mapping)
        or not isinstance(form.get("key"), str)
        or not set(form) <= _FORM_KEYS
        or ("version" in form and (isinstance(form["version"], bool) or not isinstance(form["version"], int)))
        or ("url" in form and not isinstance(form["url"], str))
    ):
        wrong("form")
    location = payload.get("location")
    if isinstance(location, Mapping):
        if not set(location) <= _LOCATION_KEYS:
            wrong("location")
        for name in ("lon", "lat"):
            value = location.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                wrong("location")
        accuracy = location.get("accuracy_m")
        if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, int | float)):
            wrong("location.accuracy_m")
        if "source" in location and location["source"] not in (LocationSource.GPS, LocationSource.PIN):
            errors["location.source"] = _problem("unknown_choice", "Origine inconnue.", "Unknown source.")
    captured = payload.get("captured_at")
    if captured is not None and not (isinstance(captured, str) and _RFC3339.match(captured)):
        errors["captured_at"] = _problem("wrong_type", "Date invalide.", "Invalid date.")
    answers = payload.get("answers")
    if not isinstance(answers, Mapping):
        wrong("answers")
    return errors


def _form_for(
    payload: Mapping[str, Any], walk: Walk | WalkFacts | None
) -> tuple[FormDefinition | None, list[dict]]:
    """The definition answers are checked against, and the problems with the ``form`` the phone named.

    With a walk, its form: a submission naming another form (another key or version) is refused, so
    an observation always answers its walk's questions. Without one (scripts), the form named, or the
    default grid's newest stored version.
    """
    form_raw = payload.get("form")
    named: tuple[str, Any] | None = None
    if isinstance(form_raw, Mapping) and form_raw:
        named = (str(form_raw.get("key", "")), form_raw.get("version"))
    elif form_raw not in (None, {}):
        return None, _problem("wrong_type", "Formulaire inconnu.", "Unknown form.")
    if walk is not None:
        expected = forms.walk_definition(walk)
        if named is not None and (
            named[0] != expected.key or (named[1] is not None and str(named[1]) != str(expected.version))
        ):
            return None, _problem(
                "wrong_form",
                "Cette observation a été faite avec un autre formulaire que celui de la marche : "
                "rechargez la page de saisie.",
                "This observation was made with another form than the walk's: reload the capture page.",
                expected={"key": expected.key, "version": expected.version},
                got={"key": named[0][:64], "version": named[1] if isinstance(named[1], int) else None},
            )
        return expected, []
    key, version = named if named is not None else (forms.DEFAULT_FORM_KEY, None)
    try:
        stored = forms.latest_form(key) if version is None else forms.get_form(key, int(version))
    except (NotFound, ValueError, TypeError):
        return None, _problem("unknown_form", "Formulaire inconnu.", "Unknown form.")
    return forms.parsed(stored), []


def parse_submission(
    payload: Mapping[str, Any],
    *,
    client_uuid: uuid.UUID | None = None,
    walk: Walk | WalkFacts | None = None,
    json_client: bool = False,
) -> Submission:
    """Check a submission from a phone against its walk's form; every problem is reported with its field.

    A submission naming another form than the walk's is refused (422, ``form``: ``wrong_form``).
    ``json_client`` (the API): the payload is held to the types of the published schema as well; the
    plain HTML form sends text. A capture time in the future (a phone clock ahead) is stored as the
    receipt time rather than refused: refusing would strand the observation on the phone.
    """
    if not isinstance(payload, Mapping):
        raise ValidationError(
            _l("Le contenu envoyé n'est pas une observation."),
            details={"_payload": _problem("wrong_type", "Format inattendu.", "Unexpected format.")},
        )
    errors: dict[str, list[dict[str, Any]]] = {}
    for key in payload:
        if key not in _SUBMISSION_KEYS:
            errors[str(key)[:64]] = _problem("unknown_field", "Champ inconnu.", "Unknown field.")
    if json_client:
        errors.update(_json_type_problems(payload))
        if errors:
            raise ValidationError(_l("Certaines réponses sont à corriger."), details=errors)

    if client_uuid is None:
        try:
            client_uuid = parse_client_uuid(payload.get("client_uuid"))
        except ValidationError as error:
            errors.update(error.details)  # type: ignore[arg-type]

    definition, form_problem = _form_for(payload, walk)
    if form_problem:
        # answers to another form's questions cannot be checked against this one: say only that
        raise ValidationError(
            _l("Cette observation ne correspond pas au formulaire de la marche."),
            details={"form": form_problem},
        )

    location = payload.get("location")
    lon = lat = accuracy = None
    source = LocationSource.GPS.value
    if not isinstance(location, Mapping):
        errors["location"] = _problem("required", "Indiquez où vous êtes.", "Say where you are.")
    else:
        lon, lat = _number(location.get("lon")), _number(location.get("lat"))
        problem = location_problem(lon, lat)
        if problem is not None:
            errors["location"] = problem
        if location.get("accuracy_m") is not None:
            accuracy = _number(location.get("accuracy_m"))
            if accuracy is None or accuracy < 0 or accuracy > 100_000:
                errors["location.accuracy_m"] = _problem(
                    "out_of_range", "Précision invalide.", "Invalid accuracy.", min=0, max=100_000
                )
        source = str(location.get("source") or LocationSource.GPS.value)
        if source not in {LocationSource.GPS.value, LocationSource.PIN.value}:
            errors["location.source"] = _problem("unknown_choice", "Origine inconnue.", "Unknown source.")

    captured_at = utcnow()
    sent_future: datetime | None = None
    sent_time = payload.get("captured_at") is not None
    if sent_time:
        try:
            # RFC 3339 allows "t" and "z" (the shape check above accepts them); fromisoformat does not
            text = str(payload["captured_at"]).upper()
            captured_at = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if captured_at.tzinfo is None:
                captured_at = captured_at.replace(tzinfo=UTC)
            captured_at = captured_at.astimezone(UTC)
            if captured_at_problem(captured_at) is not None:
                sent_future, captured_at = captured_at, utcnow()
        except (ValueError, OverflowError):
            # OverflowError: an offset of ±23:59 on 0001-01-01 or 9999-12-31 leaves the calendar
            errors["captured_at"] = _problem("wrong_type", "Date invalide.", "Invalid date.")

    normalised = None
    if definition is not None:
        answers = payload.get("answers")
        try:
            normalised = validate_answers(
                definition, answers if isinstance(answers, Mapping) else {}, json_client=json_client
            )
        except AnswerErrors as error:
            errors.update(error.to_dict())
    if (
        errors
        or normalised is None
        or definition is None
        or lon is None
        or lat is None
        or client_uuid is None
    ):
        raise ValidationError(_l("Certaines réponses sont à corriger."), details=errors)

    return make_submission(
        definition,
        normalised,
        client_uuid=client_uuid,
        lon=lon,
        lat=lat,
        accuracy_m=accuracy,
        location_source=source,
        captured_at=captured_at,
        time_sent=sent_time,
        hashed_time=sent_future,
    )


def location_problem(lon: float | None, lat: float | None) -> list[dict[str, Any]] | None:
    """What is wrong with a position (missing, not a number, outside the world), or None."""
    if lon is None or lat is None:
        return _problem("wrong_type", "Position invalide.", "Invalid position.")
    issue = lonlat_issue(lon, lat)
    if issue is not None:
        message = in_languages(lambda: CoordinateProblem(issue.reason).describe(issue.pair))
        return _problem(issue.reason, message["fr"], message["en"])
    return None


def captured_at_problem(captured_at: datetime) -> list[dict[str, Any]] | None:
    """A capture time too far in the future (a phone clock may be a little ahead), or None."""
    if captured_at > utcnow() + FUTURE_TOLERANCE:
        return _problem("in_future", "La date est dans le futur.", "The date is in the future.")
    return None


def make_submission(
    definition: FormDefinition,
    normalised: NormalisedAnswers,
    *,
    client_uuid: uuid.UUID,
    lon: float,
    lat: float,
    accuracy_m: float | None,
    location_source: str,
    captured_at: datetime,
    time_sent: bool = True,
    hashed_time: datetime | None = None,
) -> Submission:
    """A checked submission from answers already validated against ``definition``.

    ``time_sent`` is false when the sender gave no capture time (``captured_at`` is then the receipt
    time, which does not enter the payload hash); ``hashed_time`` is the time that was sent when it
    differs from the one stored (a time in the future, stored as the receipt time).

    Phones (:func:`parse_submission`) and facilitators (``services.entry``) share it, so both store
    the same columns and the same payload hash for the same content.
    """
    values = dict(normalised.values)
    # Answers that fit the observation's own columns go there; an imported form may use these keys
    # for other kinds of question (a 0-10 "feeling", a choice "note"), which stay in ``answers``.
    raw_polarity = values.get("polarity")
    polarity = (
        values.pop("polarity")
        if isinstance(raw_polarity, str) and raw_polarity in _POLARITIES
        # the good/bad question is not asked about a sensitive theme: a report of harassment or
        # of an incident counts among what is not fine
        else Polarity.NEGATIVE.value
        if definition.theme(normalised.theme).sensitive
        else Polarity.NEUTRAL.value
    )
    feeling = values.pop("feeling") if values.get("feeling") in range(1, 6) else None
    note = values.pop("note") if isinstance(values.get("note"), str) else ""
    proposal = values.pop("proposal") if isinstance(values.get("proposal"), str) else ""
    lon, lat = round(lon, 7), round(lat, 7)
    accuracy = round(accuracy_m, 1) if accuracy_m is not None else None
    canonical = {
        "form": [definition.key, definition.version],
        "location": [lon, lat, accuracy, location_source],
        # Only what was sent: a missing time is stored as the receipt time, but must not make an
        # identical resend (a second later) a conflict.
        "captured_at": (hashed_time or captured_at).isoformat(timespec="seconds") if time_sent else None,
        "theme": normalised.theme,
        "subtheme": normalised.subtheme,
        "polarity": polarity,
        "feeling": feeling,
        "note": note,
        "proposal": proposal,
        "answers": values,
    }
    digest = hashlib.sha256(_CANONICAL_JSON.encode(canonical).encode()).hexdigest()
    return Submission(
        client_uuid=client_uuid,
        form_key=definition.key,
        form_version=definition.version,
        lon=lon,
        lat=lat,
        accuracy_m=accuracy,
        location_source=location_source,
        captured_at=captured_at,
        theme=normalised.theme,
        subtheme=normalised.subtheme,
        polarity=polarity if polarity in _POLARITIES else Polarity.NEUTRAL.value,
        feeling=feeling,
        note=note,
        proposal=proposal,
        answers=values,
        payload_hash=digest,
    )


@dataclass(frozen=True)
class _MetricArea:
    """A walk's route and stops, projected once per metric CRS a point asks for, and the region in
    lon/lat surely within :data:`OUT_OF_AREA_M` of them (prepared), per metric CRS too."""

    area: GeometryCollection
    projected: dict[int, Any]
    near: dict[int, Any] = field(default_factory=dict)


#: How far inside the out-of-area limit the lon/lat region stops: its straight edges between projected
#: vertices stray from the metric ones by far less than this (millimetres for a kilometre's buffer).
_NEAR_MARGIN_M = 10.0


def _near_region(projected: BaseGeometry, srid: int) -> BaseGeometry:
    """The points within ``OUT_OF_AREA_M - _NEAR_MARGIN_M`` of a projected area, in lon/lat, prepared.

    A buffer's vertices lie at exactly its distance and its edges are chords inside it, so every point
    of the region is within the limit: a point in it is not out of area, with no point projected.
    """
    region = from_metric(projected.buffer(OUT_OF_AREA_M - _NEAR_MARGIN_M), srid)
    shapely.prepare(region)
    return region


#: Walks' areas by (walk id, route and stops as stored): an edited route or stop makes a new key.
_areas: dict[tuple[Any, ...], _MetricArea | None] = {}
_AREAS_KEPT = 512
_MISSING = object()


def _stored(element: Any) -> bytes:
    # a geometry element: WKB (bytes, memoryview) as loaded, text when just set in this session; or a
    # value as the database stores it (WalkFacts from the token's statement)
    data = getattr(element, "data", element)
    return data.encode() if isinstance(data, str) else bytes(data)


def _shape(value: Any, connection: Connection | None = None) -> BaseGeometry:
    """A route or stop as a shape: from a geometry element, or from the value the database stores
    (read on ``connection`` if given, else on the session's)."""
    if isinstance(value, WKBElement | WKTElement):
        return to_shape(value)
    on: Any = db.session if connection is None else connection
    dialect = connection.dialect.name if connection is not None else db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return shapely.from_wkb(value)  # hex EWKB text (or its bytes): Shapely reads it as it is
    # a SpatiaLite blob: SpatiaLite writes the WKB of exactly these bytes (nothing is read again)
    wkb = on.execute(select(func.AsBinary(literal(bytes(value))))).scalar_one()
    return shapely.from_wkb(bytes(wkb))


def _area_parts(walk: Walk | WalkFacts) -> tuple[Any, tuple[Any, ...]]:
    """The walk's route and its stops' locations (geometry elements, or values as stored)."""
    if isinstance(walk, WalkFacts):
        return walk.route, walk.stops
    return walk.route, tuple(stop.location for stop in walk.stops)


def _area_key(walk: Walk | WalkFacts) -> tuple[Any, ...]:
    route, stops = _area_parts(walk)
    # sorted: the stops' order does not change the area, and a query may give them in any order
    return (walk.id, _stored(route) if route is not None else b"", tuple(sorted(_stored(s) for s in stops)))


def _cached_area(walk: Walk | WalkFacts, connection: Connection | None = None) -> _MetricArea | None:
    key = _area_key(walk)
    cached = _areas.get(key, _MISSING)
    if cached is _MISSING:
        if len(_areas) >= _AREAS_KEPT:
            _areas.clear()
        area = _walk_area(walk, connection)
        cached = _areas[key] = _MetricArea(area, {}) if area is not None else None
    return cached  # type: ignore[return-value]


def is_out_of_area_cached(
    walk: Walk | WalkFacts, lon: float, lat: float, connection: Connection | None = None
) -> bool:
    """:func:`is_out_of_area` against the walk's area projected once (kept in this process).

    The same answer: the metric CRS is chosen from the point, as ``geodata.shapes.distance_m`` does,
    and the walk's area is projected into it once, not for every observation.
    """
    cached = _cached_area(walk, connection)
    if cached is None:
        return False
    srid = metric_srid_for(lon, lat)
    near = cached.near.get(srid)
    if near is None:
        projected = cached.projected.get(srid)
        if projected is None:
            projected = cached.projected[srid] = to_metric(cached.area, srid)
        near = cached.near[srid] = _near_region(projected, srid)
    if shapely.intersects_xy(near, lon, lat):
        return False  # most observations: near the walk, answered without projecting the point
    projected = cached.projected[srid]
    x, y = transformer(STORAGE_SRID, srid).transform(lon, lat)  # the point alone: no geometry to map
    return float(shapely.distance(Point(x, y), projected)) > OUT_OF_AREA_M


def _walk_area(walk: Walk | WalkFacts, connection: Connection | None = None) -> GeometryCollection | None:
    """The walk's route and stops together, or None when it has neither."""
    route, stops = _area_parts(walk)
    parts = [_shape(stop, connection) for stop in stops]
    if route is not None:
        parts.append(_shape(route, connection))
    return GeometryCollection(parts) if parts else None


def is_out_of_area(walk: Walk, lon: float, lat: float) -> bool:
    """Whether a point lies far from the walk's route and stops (walks without either: never)."""
    area = _walk_area(walk)
    return area is not None and distance_m(Point(lon, lat), area) > OUT_OF_AREA_M


def _coordinate(value: float) -> str:
    text = repr(value)  # the shortest text that reads back as the same float
    return text if "e" not in text else f"{value:.25f}"  # WKT readers may not take exponents


def point_element(lon: float, lat: float) -> WKTElement:
    """A point to store, as WKT: the same floats as ``from_shape(Point(lon, lat))``, without the WKB
    round trip GeoAlchemy2 makes on SpatiaLite (WKB read back into Shapely, written out as WKT)."""
    return WKTElement(f"POINT({_coordinate(lon)} {_coordinate(lat)})", srid=4326)


def _located_values(
    walk: Walk | WalkFacts,
    submission: Submission,
    *,
    zone_id: int | None = None,
    out_of_area: bool | None = None,
) -> dict[str, Any]:
    # Imports pass the zone and the out-of-area flag they computed for all their rows at once.
    if out_of_area is None:
        assert isinstance(walk, Walk), "the zone query needs the walk's project"  # noqa: S101
        zone_id = zones.find_zone_id(walk.project, submission.lon, submission.lat)
        out_of_area = is_out_of_area(walk, submission.lon, submission.lat)
    return {
        "location": point_element(submission.lon, submission.lat),
        "accuracy_m": submission.accuracy_m,
        "location_source": submission.location_source,
        "zone_id": zone_id,
        "out_of_area": out_of_area,
        "theme": submission.theme,
        "subtheme": submission.subtheme,
        "polarity": submission.polarity,
        "feeling": submission.feeling,
        "note": submission.note,
        "proposal": submission.proposal,
        "answers": submission.answers,
        "form_key": submission.form_key,
        "form_version": submission.form_version,
        "captured_at": submission.captured_at,
        "payload_hash": submission.payload_hash,
    }


@dataclass(frozen=True)
class ZoneName:
    """A zone as an answer names it."""

    id: int
    name: str


@dataclass(frozen=True)
class NewObservation:
    """An observation just stored, as it was stored (nothing is read back): what the API answers.

    Attribute names are the :class:`Observation`'s, so both are shown the same way.
    """

    id: int
    client_uuid: uuid.UUID
    walk_id: int
    participant_id: int | None
    lon: float
    lat: float
    accuracy_m: float | None
    location_source: str
    zone: ZoneName | None
    out_of_area: bool
    theme: str
    subtheme: str | None
    polarity: str
    feeling: int | None
    note: str
    proposal: str
    answers: dict[str, Any]
    form_key: str
    form_version: int
    moderation_status: str
    captured_at: datetime
    received_at: datetime
    updated_at: datetime
    photos: tuple[Photo, ...] = ()


class NotPlain(Exception):  # noqa: N818 (not an error: the fast path's cue to step aside)
    """A submission on a connection of its own (:func:`submit_observation`) that needs the session: a
    resend, a walk that takes no new observation, zones this process has not indexed yet."""


def submit_observation(
    participant: Participant | Sender,
    payload: Mapping[str, Any],
    *,
    json_client: bool = False,
    connection: Connection | None = None,
) -> tuple[Observation | NewObservation, bool]:
    """Store a phone's submission once; returns the stored observation and whether it is new.

    ``participant``: the API passes the :class:`Sender` read with the token in one statement
    (``participants.get_sender_by_token``); the capture page without JavaScript a loaded participant.
    ``json_client``: sent by the API (held to its schema's types), not by the plain HTML form.

    A resend with the same content returns the stored row; other content under a UUID already used
    (by this participant or anyone else) raises Conflict. A new observation costs one statement (the
    insert): its zone comes from the process's index, its out-of-area test from the walk's cached
    area, and what was stored is answered without reading it back.

    ``connection``: the ingest's fast path (``webapp.api.fast_ingest``) runs the new observation's
    statements on a connection of its own, without the session; whatever would need the session
    raises :class:`NotPlain` instead (nothing is stored: the caller rolls back and Flask's view does it
    all again).
    """
    sender = participant if isinstance(participant, Sender) else participants.sender_of(participant)
    walk = sender.walk
    if connection is not None and not forms.has_walk_definition(walk):
        raise NotPlain
    submission = parse_submission(payload, walk=walk, json_client=json_client)
    try:
        walks.check_accepts_observation(walk, submission.captured_at)
    except Forbidden:
        if connection is not None:
            raise
        # A resend of what is already stored still gets its 200, so the phone empties its outbox.
        stored = get_by_client_uuid(submission.client_uuid)
        if (
            stored is not None
            and stored.participant_id == sender.participant_id
            and stored.payload_hash == submission.payload_hash
        ):
            return stored, False
        raise
    if connection is not None and not zones.has_index(walk.project_id, walk.zones_version):
        raise NotPlain
    zone = zones.zone_at_stamp(walk.project_id, walk.zones_version, submission.lon, submission.lat)
    values = _located_values(
        walk,
        submission,
        zone_id=zone[0] if zone else None,
        out_of_area=is_out_of_area_cached(walk, submission.lon, submission.lat, connection),
    )
    new_id = insert_submission(
        walk, submission, participant_id=sender.participant_id, values=values, connection=connection
    )
    if new_id is None and connection is not None:
        raise NotPlain  # a resend: its stored row is read through the session
    if new_id is not None:
        now = values["received_at"]
        return NewObservation(
            id=new_id,
            client_uuid=submission.client_uuid,
            walk_id=walk.id,
            participant_id=sender.participant_id,
            lon=submission.lon,
            lat=submission.lat,
            accuracy_m=submission.accuracy_m,
            location_source=submission.location_source,
            zone=ZoneName(*zone) if zone else None,
            out_of_area=values["out_of_area"],
            theme=submission.theme,
            subtheme=submission.subtheme,
            polarity=submission.polarity,
            feeling=submission.feeling,
            note=submission.note,
            proposal=submission.proposal,
            answers=submission.answers,
            form_key=submission.form_key,
            form_version=submission.form_version,
            moderation_status=ModerationStatus.PENDING.value,
            captured_at=submission.captured_at,
            received_at=now,
            updated_at=now,
        ), True
    db.session.flush()
    observation = get_by_client_uuid(submission.client_uuid)
    if observation is None:  # deleted between the insert and the read
        raise Conflict(_l("Cette observation vient d'être supprimée."), details={"client_uuid": "deleted"})
    if (
        observation.participant_id != sender.participant_id
        or observation.payload_hash != submission.payload_hash
    ):
        raise Conflict(
            _l("Une autre observation porte déjà cet identifiant."),
            details={
                "client_uuid": _problem("conflict", "Identifiant déjà utilisé.", "Identifier already used.")
            },
        )
    return observation, False


#: ``INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING id`` by dialect, built once: the values
#: travel as parameters, so the statement (and its compiled form) is the same for every row.
_insert_statements: dict[str, Any] = {}

#: The columns one new observation gives (all but ``id`` and ``purged_at``): its prebuilt insert.
_INSERT_COLUMNS = (
    "client_uuid",
    "walk_id",
    "participant_id",
    "location",
    "accuracy_m",
    "location_source",
    "out_of_area",
    "theme",
    "subtheme",
    "polarity",
    "feeling",
    "note",
    "note_length",
    "proposal",
    "answers",
    "form_key",
    "form_version",
    "moderation_status",
    "payload_hash",
    "captured_at",
    "received_at",
    "updated_at",
)
_prebuilt_inserts: dict[str, prebuilt.Prebuilt] = {}
_facts = ObservationFacts.__table__
#: A new observation's zone, into the facts row its insert made (``models.observation.ObservationFacts``).
_SET_ZONE = prebuilt.Prebuilt(
    update(_facts)
    .where(_facts.c.observation_id == bindparam("new_id"))
    .values(zone_id=bindparam("new_zone", type_=_facts.c.zone_id.type))
)


def _insert_statement(dialect: str) -> Any:
    stmt = _insert_statements.get(dialect)
    if stmt is None:
        table = Observation.__table__
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = _insert_statements[dialect] = (
            insert(table).on_conflict_do_nothing(index_elements=[table.c.client_uuid]).returning(table.c.id)
        )
    return stmt


def _prebuilt_insert(dialect: str) -> prebuilt.Prebuilt:
    kept = _prebuilt_inserts.get(dialect)
    if kept is None:
        kept = _prebuilt_inserts[dialect] = prebuilt.Prebuilt(
            _insert_statement(dialect), columns=_INSERT_COLUMNS
        )
    return kept


def insert_submission(
    walk: Walk | WalkFacts,
    submission: Submission,
    *,
    participant_id: int | None,
    values: dict[str, Any] | None = None,
    connection: Connection | None = None,
) -> int | None:
    """Insert a checked submission unless its UUID is already stored; the new row's id, or None.

    The database's unique constraint decides (``INSERT … ON CONFLICT DO NOTHING``), never a
    check-then-insert, so parallel resends store one row. The observation waits for moderation.
    Nothing is committed here. ``connection``: run on it rather than the session's.

    Two statements at most: the insert (whose triggers make the observation's facts row and give the
    project a new data stamp, migration ``e8f90a1b2c3d``), then its zone, when it has one.
    """
    if values is None:
        values = _located_values(walk, submission)
    now = values.setdefault("received_at", utcnow())
    zone_id = values.pop("zone_id", None)
    params = {
        **values,
        "client_uuid": submission.client_uuid,
        "walk_id": walk.id,
        "participant_id": participant_id,
        "moderation_status": ModerationStatus.PENDING.value,
        "updated_at": now,
        # the column's default (``models.observation._note_length``), given: nothing is computed there
        "note_length": len(values.get("note") or ""),
    }
    if connection is None:
        connection = db.session.connection()  # the request's transaction (the session's connection)
    new_id = _prebuilt_insert(connection.dialect.name).execute(connection, params)
    if new_id is not None and zone_id is not None:
        _SET_ZONE.execute(connection, {"new_id": new_id, "new_zone": zone_id})
    return new_id


#: Rows per INSERT statement of :func:`insert_submissions`.
INSERT_BATCH = 500
#: An import of at least this many rows refreshes the planner's statistics.
BULK_ROWS = 5000


def refresh_statistics() -> None:
    """Refresh the planner's statistics on the observations (``ANALYZE``) after a bulk load.

    Without them a table that grew by a large import is planned as it was (SQLite has none until
    the first ``ANALYZE``), and the summaries' covering index may be passed over for a worse one.
    """
    db.session.execute(text("ANALYZE observations"))
    db.session.execute(text("ANALYZE observation_facts"))


def insert_submissions(walk: Walk, batch: Sequence[tuple[Submission, int | None]]) -> dict[uuid.UUID, int]:
    """Insert many checked submissions (with their participant ids) at once; the new rows' ids by UUID.

    For imports: zones are assigned in process for the whole batch (the same rule as
    :func:`zones.find_zone_id`), the walk's area is built once, and rows go in by several hundred per
    statement. UUIDs already stored are left alone, as in :func:`insert_submission`. Nothing is
    committed here.
    """
    if not batch:
        return {}
    zone_ids = zones.assign_points_in_process(walk.project, [(s.lon, s.lat) for s, _ in batch])
    area = _walk_area(walk)
    now = utcnow()
    rows = [
        {
            "client_uuid": submission.client_uuid,
            "walk_id": walk.id,
            "participant_id": participant_id,
            "moderation_status": ModerationStatus.PENDING.value,
            "received_at": now,
            "updated_at": now,
            **_located_values(
                walk,
                submission,
                zone_id=zone_id,
                out_of_area=area is not None
                and distance_m(Point(submission.lon, submission.lat), area) > OUT_OF_AREA_M,
            ),
        }
        for (submission, participant_id), zone_id in zip(batch, zone_ids, strict=True)
    ]
    table = Observation.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.flush()
    zone_by_uuid = {row["client_uuid"]: row.pop("zone_id") for row in rows}
    new: dict[uuid.UUID, int] = {}
    for start in range(0, len(rows), INSERT_BATCH):
        stmt = (
            insert(table)
            .values(rows[start : start + INSERT_BATCH])
            .on_conflict_do_nothing(index_elements=[table.c.client_uuid])
            .returning(table.c.id, table.c.client_uuid)
        )
        new.update({row.client_uuid: row.id for row in db.session.execute(stmt)})
    # the inserts' triggers made the facts rows and stamped the project; the zones go in as a
    # re-assignment writes them (set-based)
    zoned = [(new_id, zone_by_uuid[client_uuid]) for client_uuid, new_id in new.items()]
    zoned = [(new_id, zone_id) for new_id, zone_id in zoned if zone_id is not None]
    if zoned:
        pairs = np.array(zoned, dtype=np.int64)
        zones.write_zones(pairs[:, 0], pairs[:, 1])
    if len(new) >= BULK_ROWS:
        refresh_statistics()
    return new


def get_by_client_uuid(client_uuid: uuid.UUID) -> Observation | None:
    """The observation stored under this UUID, if any."""
    return db.session.scalar(select(Observation).where(Observation.client_uuid == client_uuid))


def get_own_observation(participant: Participant, client_uuid: uuid.UUID) -> Observation:
    """One of the participant's observations, by its phone UUID; NotFound for anyone else's."""
    observation = db.session.scalar(
        select(Observation).where(
            Observation.client_uuid == client_uuid, Observation.participant_id == participant.id
        )
    )
    if observation is None:
        raise NotFound(_l("Observation introuvable."), details={"client_uuid": str(client_uuid)})
    return observation


def list_own_observations(participant: Participant) -> list[Observation]:
    """The participant's observations on their walk, newest first."""
    return list(
        db.session.scalars(
            select(Observation)
            .where(Observation.participant_id == participant.id, Observation.walk_id == participant.walk_id)
            .order_by(Observation.captured_at.desc(), Observation.id.desc())
        )
    )


def update_observation(
    participant: Participant, client_uuid: uuid.UUID, payload: Mapping[str, Any], *, json_client: bool = False
) -> Observation:
    """Replace the content of one of the participant's observations (same UUID); idempotent."""
    observation = get_own_observation(participant, client_uuid)
    submission = parse_submission(
        payload, client_uuid=client_uuid, walk=participant.walk, json_client=json_client
    )
    # A correction queued offline before the close arrives like the observation itself.
    walks.check_accepts_observation(participant.walk, min(submission.captured_at, observation.captured_at))
    if observation.payload_hash != submission.payload_hash:
        for name, value in _located_values(participant.walk, submission).items():
            setattr(observation, name, value)
        observation.moderation_status = ModerationStatus.PENDING.value
        db.session.flush()
    return observation


def delete_observation(participant: Participant, client_uuid: uuid.UUID) -> list[str]:
    """Delete one of the participant's observations; returns the stored names of its photos, whose
    bytes go with it (files once the deletion is committed).

    Allowed for as long as the participant's token is valid, even once the walk is closed (the
    caller checks the token): it is the participant's right to withdraw what they said. Votes,
    moderation history and evidence links go with it (database cascades); recommendations stay.
    """
    observation = get_own_observation(participant, client_uuid)
    names = [photo.stored_name for photo in observation.photos]
    from webapp.services import photo_store

    photo_store.discard(observation.photos)  # bytes in the database go now, files after the commit
    db.session.delete(observation)
    db.session.flush()
    return names


def observation_lonlat(observation: Observation | NewObservation) -> tuple[float, float]:
    """The observation's position as (lon, lat)."""
    if isinstance(observation, NewObservation):
        return observation.lon, observation.lat
    point = to_shape(observation.location)
    return point.x, point.y


def get_photo_by_name(stored_name: str) -> tuple[Photo, int]:
    """A stored photo by its file name, with the id of the project it belongs to; NotFound otherwise."""
    row = db.session.execute(
        select(Photo, Walk.project_id)
        .join(Observation, Observation.id == Photo.observation_id)
        .join(Walk, Walk.id == Observation.walk_id)
        .where(Photo.stored_name == stored_name)
    ).first()
    if row is None:
        raise NotFound(_l("Photo introuvable."))
    return row[0], row[1]
