"""Participants: joining a walk without an account, with an opaque token."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import LargeBinary, Text, bindparam, cast, func, literal_column, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.types import NullType

from webapp.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, ValidationError
from webapp.extensions import db
from webapp.models import Participant, Project, Stop, Walk
from webapp.models.base import utcnow
from webapp.models.enums import AgeBand, Gender, ParticipantStatus, WalkStatus
from webapp.services import ratelimit
from webapp.services.prebuilt import Prebuilt
from webapp.services.walks import WalkFacts, in_grace_period

#: A token works this long after joining if the walk is not closed before.
TOKEN_LIFETIME = timedelta(hours=24)


def hash_token(token: str) -> str:
    """The stored form of a participant token."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_participant(
    walk: Walk,
    *,
    age_band: str = AgeBand.UNDISCLOSED,
    gender: str = Gender.UNDISCLOSED,
    status: str = ParticipantStatus.UNDISCLOSED,
    joined_at: datetime | None = None,
    join_uuid: uuid.UUID | None = None,
) -> tuple[Participant, str]:
    """Register a participant on a walk; returns it and the token to give to the phone (shown once)."""
    problems = {}
    if age_band not in set(AgeBand):
        problems["age_band"] = "unknown_choice"
    if gender not in set(Gender):
        problems["gender"] = "unknown_choice"
    if status not in set(ParticipantStatus):
        problems["status"] = "unknown_choice"
    if problems:
        raise ValidationError(_l("Profil invalide."), details=problems)
    if walk.status == WalkStatus.CLOSED:
        raise Forbidden(_l("Cette marche est terminée : on ne peut plus la rejoindre."))
    token = secrets.token_urlsafe(24)
    joined_at = joined_at or utcnow()
    participant = Participant(
        walk=walk,
        token_hash=hash_token(token),
        age_band=age_band,
        gender=gender,
        status=status,
        created_at=joined_at,
        expires_at=joined_at + TOKEN_LIFETIME,
        join_uuid=join_uuid,
    )
    db.session.add(participant)
    db.session.flush()
    return participant, token


def _check_token(
    expires_at: datetime | None, walk: Walk | WalkFacts, *, allow_closed_walk: bool, delivering: bool
) -> None:
    """Refuse an expired token or a closed walk (the rules of :func:`get_participant_by_token`)."""
    now = utcnow()
    if expires_at is not None and expires_at < now and not (delivering and in_grace_period(walk, now)):
        raise Unauthorized(_l("Votre participation a expiré : rejoignez à nouveau la marche avec son code."))
    if walk.status == WalkStatus.CLOSED and not (allow_closed_walk or delivering):
        raise Forbidden(_l("Cette marche est terminée."))


def get_participant_by_token(
    token: str, *, allow_closed_walk: bool = False, delivering: bool = False
) -> Participant:
    """The participant holding this token, if it is still valid.

    Unknown token: NotFound; expired token: Unauthorized (both mean "join again"). A closed walk
    refuses the token (Forbidden) unless ``allow_closed_walk``: a participant may still export or
    delete their own data after the walk closed, for as long as the token has not expired.

    ``delivering``: the caller sends an observation and checks it with
    ``walks.check_accepts_observation``; the token then also works on a closed walk, and after its
    own expiry while the walk's grace period runs (a phone that was offline delivers late).
    """
    # The walk, its stops and its project come along: the capture page without JavaScript submits
    # through :func:`sender_of`, which needs all of them, and must not lazy-load them one by one.
    walk = joinedload(Participant.walk)
    participant = (
        db.session.execute(
            select(Participant)
            .where(Participant.token_hash == hash_token(token))
            .options(walk.joinedload(Walk.project), walk.joinedload(Walk.stops))
        )
        .unique()
        .scalar_one_or_none()
    )
    if participant is None:
        raise NotFound(_l("Jeton de participation inconnu : rejoignez la marche avec son code."))
    _check_token(
        participant.expires_at, participant.walk, allow_closed_walk=allow_closed_walk, delivering=delivering
    )
    return participant


@dataclass(frozen=True)
class Sender:
    """A participant delivering an observation, with what the submission needs of their walk."""

    participant_id: int
    walk: WalkFacts


_participants, _walks, _projects, _stops = (
    Participant.__table__,
    Walk.__table__,
    Project.__table__,
    Stop.__table__,
)
#: Separates the stops' values in the column that packs them (neither hex digits nor EWKB text have it).
_STOP_SEPARATOR = ","
_SEPARATOR_SQL = literal_column(f"'{_STOP_SEPARATOR}'")


def _sender_statement(packed_stops: Any) -> Prebuilt:
    """The token's participant, walk, project stamp and stops' locations in one statement and one row,
    built once: a statement object made anew for every request costs more Python than the query itself.

    The route and the stops come as the database stores them (a SpatiaLite blob, PostGIS's hex EWKB):
    they are only the key of the walk's cached area (``observations.is_out_of_area_cached``), turned
    into shapes when that area is not cached yet. Converting them in the query (GeoAlchemy2's ``AsEWKB``)
    cost SpatiaLite about 0.1 ms per 200-point route on every observation received. The stops are
    packed into one value by the database (``packed_stops``, a scalar subquery): joined, they made a
    row per stop, each repeating the route and the walk's columns (a 12-stop walk: 12 rows read and
    converted for every observation).
    """
    return Prebuilt(
        select(
            _participants.c.id,
            _participants.c.expires_at,
            _walks.c.id.label("walk_id"),
            _walks.c.project_id,
            _walks.c.status,
            _walks.c.closed_at,
            _walks.c.form_key,
            _walks.c.form_version,
            type_coerce(_walks.c.route, NullType()).label("route"),
            _projects.c.zones_version,
            select(packed_stops).where(_stops.c.walk_id == _walks.c.id).scalar_subquery().label("stops"),
        )
        .select_from(
            _participants.join(_walks, _walks.c.id == _participants.c.walk_id).join(
                _projects, _projects.c.id == _walks.c.project_id
            )
        )
        .where(_participants.c.token_hash == bindparam("token_hash"))
    )


#: By dialect: SQLite's blobs as hex (read back into the same bytes), PostGIS's hex EWKB text as it is.
_SENDER = {
    "sqlite": _sender_statement(
        func.group_concat(func.hex(type_coerce(_stops.c.location, LargeBinary())), _SEPARATOR_SQL)
    ),
    "postgresql": _sender_statement(
        func.string_agg(cast(type_coerce(_stops.c.location, NullType()), Text()), _SEPARATOR_SQL)
    ),
}


def _unpack_stops(packed: str | None, dialect: str) -> tuple[Any, ...]:
    """The stops' locations as the database stores them, from the value :data:`_SENDER` packs."""
    if not packed:
        return ()
    values = packed.split(_STOP_SEPARATOR)
    return tuple(bytes.fromhex(v) for v in values) if dialect == "sqlite" else tuple(values)


def get_sender_by_token(token: str, *, connection: Connection | None = None) -> Sender:
    """The participant delivering an observation with this token, and their walk's facts, in one statement.

    The rules of :func:`get_participant_by_token` with ``delivering=True`` (the submission then checks
    the walk's status and grace period), without loading ORM objects: the ingest's hot path.
    ``connection``: run on it (the ingest's fast path, ``webapp.api.fast_ingest``) rather than the
    session's.
    """
    if connection is None:
        connection = db.session.connection()
    dialect = connection.dialect.name
    rows = _SENDER[dialect].rows(connection, {"token_hash": hash_token(token)})
    if not rows:
        raise NotFound(_l("Jeton de participation inconnu : rejoignez la marche avec son code."))
    row = rows[0]
    walk = WalkFacts(
        id=row.walk_id,
        project_id=row.project_id,
        status=row.status,
        closed_at=row.closed_at,
        form_key=row.form_key,
        form_version=row.form_version,
        zones_version=row.zones_version or 0,
        route=row.route,
        stops=_unpack_stops(row.stops, dialect),
    )
    _check_token(row.expires_at, walk, allow_closed_walk=False, delivering=True)
    return Sender(participant_id=row.id, walk=walk)


def sender_of(participant: Participant) -> Sender:
    """The :class:`Sender` of a participant already loaded (the capture page without JavaScript)."""
    return Sender(participant_id=participant.id, walk=WalkFacts.of(participant.walk))


def get_walk_by_code(raw_code: str) -> Walk:
    """The walk a typed or scanned code names, if it can be joined now; a clear error otherwise."""
    from webapp.services.walks import normalise_join_code

    code = normalise_join_code(raw_code or "")
    if not code:
        raise ValidationError(_l("Entrez le code de la marche."), details={"code": "required"})
    walk = db.session.scalar(select(Walk).where(Walk.join_code == code))
    if walk is None:
        raise NotFound(
            _l(
                "Ce code ne correspond à aucune marche. Vérifiez-le auprès de l'animatrice ou de l'animateur."
            ),
            details={"code": "unknown"},
        )
    if walk.status == WalkStatus.CLOSED:
        raise Forbidden(
            _l("Cette marche est terminée : on ne peut plus la rejoindre."), details={"code": "closed"}
        )
    if walk.status != WalkStatus.OPEN:
        raise Forbidden(
            _l(
                "Cette marche n'a pas encore commencé : réessayez quand l'animatrice ou l'animateur"
                " l'aura ouverte."
            ),
            details={"code": "not_open"},
        )
    return walk


def parse_join_uuid(raw: object) -> uuid.UUID | None:
    """The phone's id for a join request (optional); a ValidationError if it is not a UUID."""
    if raw is None or raw == "":
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValidationError(
            _l("Identifiant de demande invalide."), details={"join_id": "invalid_uuid"}
        ) from None


def join_walk(
    raw_code: str,
    *,
    age_band: str = AgeBand.UNDISCLOSED,
    gender: str = Gender.UNDISCLOSED,
    status: str = ParticipantStatus.UNDISCLOSED,
    join_uuid: uuid.UUID | None = None,
) -> tuple[Participant, str, bool]:
    """Join the open walk with this code; returns the participant, its token and whether it is new.

    With ``join_uuid`` (made by the phone) the join is idempotent: the same request sent again, after
    an answer that never arrived, finds the same participant and gives it a new token (the first one
    never reached the phone, or is replaced by this answer). The code must be the same.
    """
    walk = get_walk_by_code(raw_code)
    profile = {
        "age_band": age_band or AgeBand.UNDISCLOSED,
        "gender": gender or Gender.UNDISCLOSED,
        "status": status or ParticipantStatus.UNDISCLOSED,
    }
    if join_uuid is not None:
        again = _rejoin(walk, join_uuid)
        if again is not None:
            return again
        try:
            with db.session.begin_nested():
                participant, token = add_participant(walk, join_uuid=join_uuid, **profile)
        except IntegrityError:
            # The same request, answered by another worker a moment ago.
            again = _rejoin(walk, join_uuid)
            if again is None:
                raise
            return again
        return participant, token, True
    participant, token = add_participant(walk, **profile)
    return participant, token, True


def _rejoin(walk: Walk, join_uuid: uuid.UUID) -> tuple[Participant, str, bool] | None:
    participant = db.session.scalar(select(Participant).where(Participant.join_uuid == join_uuid))
    if participant is None:
        return None
    if participant.walk_id != walk.id:
        raise Conflict(
            _l("Cette demande a déjà servi pour une autre marche."),
            details={"join_id": "used_for_another_walk"},
        )
    token = secrets.token_urlsafe(24)
    participant.token_hash = hash_token(token)
    db.session.flush()
    return participant, token, False


def join_walk_limited(
    raw_code: str, *, client: str, join_uuid: uuid.UUID | None = None, **profile: str
) -> tuple[Participant, str, bool]:
    """:func:`join_walk` under the join limits of ``client`` (an address).

    Wrong codes are counted per address (``JOIN_RATE_LIMIT``); once past the limit every join from
    that address is refused until the window ends, right code included, so guessing learns nothing.
    Right codes are not limited by the wrong-code count: a whole group behind one hotspot joins. They
    have a ceiling of their own per address and walk (``JOIN_GROUP_LIMIT``) against floods.
    """
    wrong = ratelimit.Limit.parse(current_app.config["JOIN_RATE_LIMIT"])
    verdict = ratelimit.peek(f"join-wrong:{client}", wrong)
    if not verdict.allowed:
        raise TooManyRequests(
            _l("Trop de codes erronés : réessayez dans une minute."),
            details={"retry_after": verdict.retry_after},
        )
    try:
        participant, token, created = join_walk(raw_code, join_uuid=join_uuid, **profile)
    except (NotFound, ValidationError) as error:
        if isinstance(error, NotFound) or (error.details or {}).get("code") == "required":
            # Counted atomically, then judged by its own count: parallel guesses cannot all slip
            # under the limit between the check above and this count. Counted apart from the
            # request, which fails (404) and is rolled back; nothing was written before.
            counted = ratelimit.hit_separately(f"join-wrong:{client}", wrong)
            if not counted.allowed:
                raise TooManyRequests(
                    _l("Trop de codes erronés : réessayez dans une minute."),
                    details={"retry_after": counted.retry_after},
                ) from error
        raise
    if created:
        group = ratelimit.Limit.parse(current_app.config["JOIN_GROUP_LIMIT"])
        # Counted with the join itself: a refused join is rolled back with its hit.
        verdict = ratelimit.hit(f"join-ok:{client}:{participant.walk_id}", group)
        if not verdict.allowed:
            raise TooManyRequests(
                _l("Trop d'inscriptions depuis cette connexion : réessayez dans une minute."),
                details={"retry_after": verdict.retry_after},
            )
    return participant, token, created


def walk_outline(walk: Walk) -> dict[str, Any]:
    """What a participant's phone needs to know about its walk: title, route and stops as GeoJSON."""
    from geoalchemy2.shape import to_shape

    from geodata.convert import shape_to_geojson

    return {
        "id": walk.id,
        "title": walk.title,
        "date": walk.walk_date.isoformat(),
        "status": walk.status,
        "join_code": walk.join_code,
        "route": shape_to_geojson(to_shape(walk.route), precision=6) if walk.route is not None else None,
        "stops": [
            {
                "position": s.position,
                "name": s.name,
                "location": shape_to_geojson(to_shape(s.location), precision=6),
            }
            for s in walk.stops
        ],
    }
