"""Walks: planning (route, stops, group, form), join codes, status (planned → open → closed) and copies.

Every function adds and flushes; the request or the command commits (``webapp.transaction``).

**Status.** A walk is *planned*, then *open* (participants join and record), then *closed*. A closed
walk can be reopened. Only a planned walk without observations can be deleted.

**Grace period.** Phones that were offline during the walk deliver later. After the close, an
observation *captured before the close* is still accepted for ``CLOSE_GRACE_HOURS`` hours (setting
``ARPENTEUR_CLOSE_GRACE_HOURS``); one captured after the close, or arriving after the grace period,
is refused with a structured error (:func:`check_accepts_observation`). During that period the
participant's token also works for that delivery after its own 24 hours are over, so a phone that
comes back online the next evening is not turned away.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, Point
from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.orm import defer, undefer
from sqlalchemy.types import NullType

from geodata.shapes import lonlat_issue
from geodata.tracks import TrackError, check_route, far_points
from webapp.errors import Bilingual, Conflict, Forbidden, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import FormVersion, Observation, Project, Stop, Walk, Zone
from webapp.models.base import utcnow
from webapp.models.enums import TimeSlot, WalkStatus, ZoneKind

#: Letters and digits that cannot be confused when read aloud or on a small screen (no 0/O, 1/I/L, 5/S, 2/Z).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
JOIN_CODE_LENGTH = 6
#: A walk starting at or after this hour is an evening walk…
EVENING_FROM = time(18, 0)
#: …and at or after this one (or before NIGHT_UNTIL) a night walk.
NIGHT_FROM = time(21, 0)
NIGHT_UNTIL = time(6, 0)
#: A stop further than this from every zone of the project gets a warning (a walk may cross the
#: city centre, which is in no QPV: only a stop in another town is "far").
FAR_STOP_M = 2000.0
#: Largest expected group.
MAX_GROUP_SIZE = 500
#: Stops per walk, at most.
MAX_STOPS = 50
#: Default grace period after a close, in hours (the setting overrides it).
DEFAULT_CLOSE_GRACE_HOURS = 48


def new_join_code() -> str:
    """A random join code, unique among walks."""
    for _ in range(20):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(select(Walk.id).where(Walk.join_code == code)) is None:
            return code
    raise Conflict(_l("Impossible de générer un code unique, réessayez."))


def normalise_join_code(raw: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def slot_for(starts_at: time | None) -> str:
    """The time slot a start time falls in: day before 18:00, evening until 21:00, night after (and
    before 06:00). Without a start time: day."""
    if starts_at is None:
        return TimeSlot.DAY
    if starts_at >= NIGHT_FROM or starts_at < NIGHT_UNTIL:
        return TimeSlot.NIGHT
    if starts_at >= EVENING_FROM:
        return TimeSlot.EVENING
    return TimeSlot.DAY


#: What each refusal of ``geodata.tracks`` means (catalogue entries; ``%(…)s`` are its parameters).
TRACK_MESSAGES = {
    "too_big": _l("Fichier trop lourd : %(max_mb)s Mo au plus."),
    "empty": _l("Le fichier est vide."),
    "wrong_kind": _l(
        "Type de fichier non accepté (%(extension)s) : envoyez une trace GPX (.gpx) ou GeoJSON (.geojson)."
    ),
    "not_xml": _l("Ce fichier GPX est illisible (XML invalide)."),
    "not_gpx": _l("Ce fichier n'est pas une trace GPX."),
    "no_track": _l(
        "Ce fichier GPX ne contient aucune trace (trk) ni aucun itinéraire (rte) : "
        "enregistrez le parcours comme une trace sur le téléphone."
    ),
    "not_json": _l("Ce fichier GeoJSON est illisible (JSON invalide)."),
    "no_line": _l("Ce fichier GeoJSON ne contient aucune ligne (LineString) : %(found)s."),
    "too_short": _l("Un itinéraire a au moins deux points distincts."),
    "bad_coordinates": _l("Coordonnées invalides (%(where)s) : longitude et latitude en degrés (WGS84)."),
    "no_stops": _l("Le fichier d'arrêts doit être une FeatureCollection GeoJSON de points."),
    "too_many_stops": _l("%(count)s arrêts : %(max)s au plus."),
    "stop_not_point": _l("L'arrêt n° %(feature)s n'est pas un point."),
    "stop_without_name": _l("L'arrêt n° %(feature)s n'a pas de nom."),
    "stop_name_too_long": _l("Le nom de l'arrêt n° %(feature)s est trop long (%(max)s caractères au plus)."),
    "not_text": _l("Ligne %(line)s illisible : « %(text)s » (attendu : longitude, latitude)."),
}


def describe_track_error(error: TrackError) -> str:
    """The sentence for a refused route or stops file, in the language in force (French by default)."""
    params = dict(error.params)
    if "max_bytes" in params:
        params["max_mb"] = params["max_bytes"] // 2**20
    try:
        return str(TRACK_MESSAGES[error.code]) % params
    except (KeyError, TypeError, ValueError):
        return str(TRACK_MESSAGES.get(error.code, _l("Fichier illisible."))).split("%(")[0].rstrip(" (:")


# --- checks --------------------------------------------------------------------------------------


def _route_geometry(route: Sequence[tuple[float, float]] | None) -> Any:
    if not route:
        return None
    try:
        points = check_route(route)
    except TrackError as error:
        if error.code == "too_short":
            raise ValidationError(
                _l("Un itinéraire a au moins deux points distincts : ajoutez-en sur la carte."),
                details={"route": "too_short"},
            ) from None
        raise ValidationError(
            _l("Point de l'itinéraire invalide (%(where)s).", where=error.params.get("where", "?")),
            details={"route": error.code},
        ) from None
    return from_shape(LineString(points), srid=4326)


def _stop_rows(stops: Sequence[tuple[str, tuple[float, float]]]) -> list[Stop]:
    if len(stops) > MAX_STOPS:
        raise ValidationError(_l("%(max)s arrêts au plus.", max=MAX_STOPS), details={"stops": "too_many"})
    rows = []
    for position, (name, (lon, lat)) in enumerate(stops, start=1):
        name = (name or "").strip()
        if not name:
            raise ValidationError(
                _l("L'arrêt n° %(feature)s n'a pas de nom.", feature=position), details={"stops": position}
            )
        if len(name) > 200:
            raise ValidationError(
                _l(
                    "Le nom de l'arrêt n° %(feature)s est trop long (%(max)s caractères au plus).",
                    feature=position,
                    max=200,
                ),
                details={"stops": position},
            )
        if lonlat_issue(lon, lat) is not None:
            raise ValidationError(
                _l("Position de l'arrêt n° %(feature)s invalide.", feature=position),
                details={"stops": position},
            )
        rows.append(Stop(position=position, name=name, location=from_shape(Point(lon, lat), srid=4326)))
    return rows


def _check_times(starts_at: time | None, ends_at: time | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at and starts_at < EVENING_FROM:
        # A night walk may end after midnight (21:30 → 00:30); a day walk may not end before it starts.
        raise ValidationError(
            _l("L'heure de fin précède l'heure de début."), details={"ends_at": "before_start"}
        )


def _check_size(expected_size: int | None) -> None:
    if expected_size is not None and not 1 <= expected_size <= MAX_GROUP_SIZE:
        raise ValidationError(
            _l("La taille du groupe va de 1 à %(max)s personnes.", max=MAX_GROUP_SIZE),
            details={"expected_size": "range"},
        )


def _resolve_form(form_key: str | None, form_version: int | None) -> FormVersion:
    from webapp.services import forms

    if form_key is not None and form_version is not None:
        return forms.get_form(form_key, form_version)
    return forms.latest_form(form_key or forms.DEFAULT_FORM_KEY)


def set_form(walk: Walk, form_key: str | None, form_version: int | None) -> None:
    """Make the walk use this form version (the newest of ``form_key`` when no version is given).

    The rule (refused once the walk has observations) is ``services.forms.set_walk_form``'s.
    """
    from webapp.services import forms

    form = _resolve_form(form_key, form_version)
    forms.set_walk_form(walk, form.key, form.version)


def parse_form_choice(raw: str) -> tuple[str | None, int | None]:
    """``KEY`` or ``KEY:VERSION`` (as the form picker and the command line give it)."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    key, _sep, version = raw.partition(":")
    if version and not version.isdigit():
        raise ValidationError(
            _l("Version de formulaire invalide : « %(version)s ».", version=version), details={"form": raw}
        )
    return key.strip() or None, int(version) if version else None


# --- planning ------------------------------------------------------------------------------------


def create_walk(
    project: Project,
    *,
    title: str,
    walk_date: date,
    time_slot: str | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    description: str = "",
    route: Sequence[tuple[float, float]] | None = None,
    stops: Sequence[tuple[str, tuple[float, float]]] = (),
    join_code: str | None = None,
    form_key: str | None = None,
    form_version: int | None = None,
    meeting_point: str = "",
    group_description: str = "",
    expected_size: int | None = None,
) -> Walk:
    """Plan a walk; ``route`` and stop positions are (lon, lat) pairs; flushes.

    The time slot follows the start time unless given. The walk uses form ``form_key`` at
    ``form_version`` (default: the newest version of the form, or of the default grid).
    """
    time_slot = time_slot or slot_for(starts_at)
    if time_slot not in set(TimeSlot):
        raise ValidationError(_l("Créneau inconnu."), details={"time_slot": time_slot})
    if not title.strip():
        raise ValidationError(_l("Le titre est obligatoire."), details={"title": "required"})
    _check_times(starts_at, ends_at)
    _check_size(expected_size)
    form = _resolve_form(form_key, form_version)
    route_geometry = _route_geometry(route)
    stop_rows = _stop_rows(stops)
    if join_code is not None:
        join_code = normalise_join_code(join_code)
        if any(ch not in JOIN_CODE_ALPHABET for ch in join_code) or len(join_code) < 4:
            raise ValidationError(_l("Code de marche invalide."), details={"join_code": join_code})
        if db.session.scalar(select(Walk.id).where(Walk.join_code == join_code)) is not None:
            raise Conflict(
                _l("Ce code est déjà utilisé par une autre marche."), details={"join_code": join_code}
            )
    walk = Walk(
        project=project,
        title=title.strip(),
        description=description,
        walk_date=walk_date,
        time_slot=time_slot,
        starts_at=starts_at,
        ends_at=ends_at,
        status=WalkStatus.PLANNED,
        join_code=join_code or new_join_code(),
        form_key=form.key,
        form_version=form.version,
        meeting_point=meeting_point.strip(),
        group_description=group_description.strip(),
        expected_size=expected_size,
    )
    walk.route = route_geometry
    walk.stops.extend(stop_rows)
    db.session.add(walk)
    db.session.flush()
    return walk


def update_walk(
    walk: Walk,
    *,
    title: str,
    walk_date: date,
    time_slot: str | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    description: str | None = None,
    route: Sequence[tuple[float, float]] | None = None,
    stops: Sequence[tuple[str, tuple[float, float]]] = (),
    form_key: str | None = None,
    form_version: int | None = None,
    meeting_point: str = "",
    group_description: str = "",
    expected_size: int | None = None,
) -> Walk:
    """Change a walk's plan: every field, the route and the stops are replaced by those given; flushes."""
    time_slot = time_slot or slot_for(starts_at)
    if time_slot not in set(TimeSlot):
        raise ValidationError(_l("Créneau inconnu."), details={"time_slot": time_slot})
    if not title.strip():
        raise ValidationError(_l("Le titre est obligatoire."), details={"title": "required"})
    _check_times(starts_at, ends_at)
    _check_size(expected_size)
    route_geometry = _route_geometry(route)
    new_stops = _stop_rows(stops)
    if form_key is not None:
        set_form(walk, form_key, form_version)
    walk.title = title.strip()
    walk.walk_date = walk_date
    walk.time_slot = time_slot
    walk.starts_at, walk.ends_at = starts_at, ends_at
    if description is not None:
        walk.description = description
    walk.meeting_point = meeting_point.strip()
    walk.group_description = group_description.strip()
    walk.expected_size = expected_size
    walk.route = route_geometry
    if [(s.name, _lonlat(s)) for s in walk.stops] != [(s.name, _lonlat(s)) for s in new_stops]:
        walk.stops.clear()
        db.session.flush()  # the old positions go before the new ones take their numbers
        walk.stops.extend(new_stops)
    db.session.flush()
    return walk


def _lonlat(stop: Stop) -> tuple[float, float]:
    point = to_shape(stop.location)
    return (round(point.x, 7), round(point.y, 7))


def route_points(walk: Walk) -> list[tuple[float, float]]:
    """The route's vertices (lon, lat), empty without a route."""
    if walk.route is None:
        return []
    return [(x, y) for x, y, *_ in to_shape(walk.route).coords]


def stop_points(walk: Walk) -> list[tuple[str, tuple[float, float]]]:
    """The stops in order, as (name, (lon, lat))."""
    return [(s.name, _lonlat(s)) for s in walk.stops]


def plan_values(walk: Walk) -> dict[str, Any]:
    """The walk's plan as its edit form shows it, field by field (see ``concurrent_edits``)."""
    return {
        "title": walk.title,
        "walk_date": walk.walk_date,
        "starts_at": walk.starts_at,
        "ends_at": walk.ends_at,
        "time_slot": walk.time_slot,
        "meeting_point": walk.meeting_point or "",
        "group_description": walk.group_description or "",
        "expected_size": walk.expected_size,
        "form": (walk.form_key, walk.form_version),
        "route": tuple(route_points(walk)),
        "stops": tuple(stop_points(walk)),
    }


def plan_values_of(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The same fields from :func:`update_walk`'s arguments, as it would store them."""
    return {
        "title": (plan.get("title") or "").strip(),
        "walk_date": plan.get("walk_date"),
        "starts_at": plan.get("starts_at"),
        "ends_at": plan.get("ends_at"),
        "time_slot": plan.get("time_slot") or slot_for(plan.get("starts_at")),
        "meeting_point": (plan.get("meeting_point") or "").strip(),
        "group_description": (plan.get("group_description") or "").strip(),
        "expected_size": plan.get("expected_size"),
        "form": (plan.get("form_key"), plan.get("form_version")),
        "route": tuple(tuple(p) for p in plan.get("route") or ()),
        "stops": tuple(((name or "").strip(), tuple(at)) for name, at in plan.get("stops") or ()),
    }


def plan_arguments(values: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`update_walk`'s arguments from plan values (the inverse of :func:`plan_values_of`)."""
    arguments = {k: v for k, v in values.items() if k not in ("form", "route", "stops")}
    arguments["form_key"], arguments["form_version"] = values["form"]
    arguments["route"] = list(values["route"]) or None
    arguments["stops"] = list(values["stops"])
    return arguments


def duplicate_walk(
    walk: Walk,
    *,
    title: str,
    walk_date: date,
    time_slot: str | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    as_rewalk: bool = False,
    actor: Any = None,
) -> Walk:
    """A new planned walk with the same route, stops, meeting point, group and form, and a new code.

    The night version of a day walk, or a re-walk: with ``as_rewalk`` the copy is linked as a
    re-walk of ``walk`` (which must then be earlier; see ``services.rewalks``).
    """
    from webapp.services import rewalks

    copy = create_walk(
        walk.project,
        title=title,
        walk_date=walk_date,
        time_slot=time_slot,
        starts_at=starts_at if starts_at is not None else walk.starts_at,
        ends_at=ends_at if ends_at is not None else walk.ends_at,
        description=walk.description,
        route=route_points(walk) or None,
        stops=stop_points(walk),
        form_key=walk.form_key,
        form_version=walk.form_version,
        meeting_point=walk.meeting_point,
        group_description=walk.group_description,
        expected_size=walk.expected_size,
    )
    if as_rewalk:
        rewalks.link_rewalk(copy, walk, actor=actor)
    return copy


def planning_warnings(project: Project, stops: Sequence[tuple[str, tuple[float, float]]]) -> list[str]:
    """Warnings (not refusals) about a plan: stops far outside the project's zones."""
    areas = project_areas(project)
    far = far_points([p for _n, p in stops], areas, FAR_STOP_M)
    if not far:
        return []
    names = ", ".join(gettext("n° %(n)s « %(name)s »", n=i + 1, name=stops[i][0]) for i in far)
    return [
        gettext(
            "Arrêt(s) à plus de %(km)s km de toutes les zones du projet : %(names)s. "
            "Vérifiez leur position (enregistré quand même).",
            km=f"{FAR_STOP_M / 1000:g}",
            names=names,
        )
    ]


def list_project_zones(project: Project) -> list[Zone]:
    """The project's zones: the QPV of its communes (its list year, not left out) and its own zones."""
    qpv = (
        (Zone.kind == ZoneKind.QPV)
        & (Zone.list_year == project.qpv_year)
        & Zone.insee_com.in_(project.territory or [""])
    )
    if project.excluded_qpv_codes:
        qpv = qpv & Zone.code.not_in(project.excluded_qpv_codes)
    own = (Zone.kind == ZoneKind.CUSTOM) & (Zone.project_id == project.id)
    return list(db.session.scalars(select(Zone).where(or_(qpv, own)).order_by(Zone.kind.desc(), Zone.name)))


def project_areas(project: Project) -> list[Any]:
    """The perimeters (Shapely, lon/lat) of the project's zones."""
    return [to_shape(zone.area) for zone in list_project_zones(project)]


def project_zones_geojson(project: Project) -> dict[str, Any]:
    """The project's zones as a FeatureCollection (``name``, ``kind``), for planning maps and the kit."""
    from geodata.convert import shape_to_geojson

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(zone.area), precision=5),
                "properties": {"name": zone.name, "kind": zone.kind},
            }
            for zone in list_project_zones(project)
        ],
    }


# --- status --------------------------------------------------------------------------------------


def open_walk(walk: Walk) -> Walk:
    """Let participants join and record observations; a closed walk is reopened (its close is forgotten)."""
    if walk.status == WalkStatus.OPEN:
        return walk
    walk.status = WalkStatus.OPEN
    walk.opened_at = walk.opened_at or utcnow()
    walk.closed_at = None
    db.session.flush()
    return walk


def opening_warnings(walk: Walk) -> list[str]:
    """What to tell the facilitator who opens this walk (allowed, but worth knowing)."""
    if not project_areas(walk.project):
        return [
            gettext(
                "Ce projet n'a encore aucune zone (QPV ou zone du projet) : les observations seront "
                "enregistrées « hors zone » jusqu'à ce que vous en ajoutiez (elles seront alors réaffectées)."
            )
        ]
    return []


def close_walk(walk: Walk) -> Walk:
    """Stop accepting participants and new observations (late deliveries: see the grace period)."""
    if walk.status == WalkStatus.CLOSED:
        return walk
    if walk.status != WalkStatus.OPEN:
        raise Conflict(_l("Seule une marche ouverte peut être clôturée."), details={"status": walk.status})
    walk.status = WalkStatus.CLOSED
    walk.closed_at = utcnow()
    db.session.flush()
    return walk


def delete_walk(walk: Walk) -> None:
    """Delete a planned walk that has no observation; refused otherwise (nothing changes)."""
    if walk.status != WalkStatus.PLANNED:
        raise Conflict(
            _l("Seule une marche prévue (jamais ouverte) peut être supprimée."),
            details={"status": walk.status},
        )
    count = count_observations(walk)
    if count:
        raise Conflict(
            _l(
                "Cette marche a déjà %(count)s observation(s) : elle ne peut pas être supprimée.", count=count
            ),
            details={"observations": count},
        )
    db.session.delete(walk)
    db.session.flush()


def count_observations(walk: Walk) -> int:
    """How many observations the walk has (any moderation status)."""
    return db.session.scalar(select(func.count(Observation.id)).where(Observation.walk_id == walk.id)) or 0


def grace_period() -> timedelta:
    """How long after a close observations captured before it are still accepted."""
    hours = DEFAULT_CLOSE_GRACE_HOURS
    if has_app_context():
        hours = float(current_app.config.get("CLOSE_GRACE_HOURS", DEFAULT_CLOSE_GRACE_HOURS))
    return timedelta(hours=hours)


@dataclass(frozen=True)
class WalkFacts:
    """What a submission needs of a walk, as plain values read with the token (no ORM object).

    Attribute names are the :class:`Walk`'s, so the rules that read a walk (status, grace period,
    form) read these the same way.
    """

    id: int
    project_id: int
    status: str
    closed_at: datetime | None
    form_key: str | None
    form_version: int | None
    #: ``Project.zones_version`` when the row was read: the stamp of the process's zone index.
    zones_version: int
    #: The route and the stops' locations: geometry elements (:meth:`of`), or the values as the
    #: database stores them (the ingest's token statement: a SpatiaLite blob, PostGIS's hex EWKB). The
    #: out-of-area test's input and the key of its cached metric area.
    route: Any
    stops: tuple[Any, ...]

    @classmethod
    def of(cls, walk: Walk) -> WalkFacts:
        """The facts of a walk already loaded."""
        return cls(
            id=walk.id,
            project_id=walk.project_id,
            status=walk.status,
            closed_at=walk.closed_at,
            form_key=walk.form_key,
            form_version=walk.form_version,
            zones_version=walk.project.zones_version or 0,
            route=walk.route,
            stops=tuple(stop.location for stop in walk.stops),
        )


def in_grace_period(walk: Walk | WalkFacts, now: datetime | None = None) -> bool:
    """Whether the walk is closed and its grace period still runs."""
    if walk.status != WalkStatus.CLOSED or walk.closed_at is None:
        return False
    return (now or utcnow()) <= walk.closed_at + grace_period()


def _refusal(code: str, fr: str, en: str, **params: Any) -> Forbidden:
    return Forbidden(
        Bilingual(fr, en),
        details={"walk": [{"code": code, "message": {"fr": fr, "en": en}, "params": params}]},
    )


def check_accepts_observation(
    walk: Walk | WalkFacts, captured_at: datetime, *, now: datetime | None = None
) -> None:
    """Raise Forbidden (with a structured ``walk`` detail) unless the walk takes this observation now.

    Open walk: yes. Planned walk: no. Closed walk: only an observation captured before the close,
    delivered within the grace period.
    """
    if walk.status == WalkStatus.OPEN:
        return
    if walk.status != WalkStatus.CLOSED or walk.closed_at is None:
        raise _refusal(
            "walk_not_open",
            "Cette marche n'est pas encore ouverte : l'observation n'a pas été enregistrée.",
            "This walk is not open yet: the observation was not saved.",
        )
    closed = walk.closed_at
    hours = grace_period().total_seconds() / 3600
    if captured_at > closed:
        raise _refusal(
            "captured_after_close",
            f"Cette marche est terminée depuis le {closed:%d/%m/%Y à %H:%M} (UTC) : une observation faite "
            "après la clôture n'est pas acceptée.",
            f"This walk closed on {closed:%Y-%m-%d %H:%M} (UTC): observations made after the close are "
            "not accepted.",
            closed_at=closed.isoformat(),
        )
    if (now or utcnow()) > closed + grace_period():
        raise _refusal(
            "grace_period_over",
            f"Cette marche est terminée et le délai de {hours:g} h pour envoyer les observations faites "
            "hors connexion est passé.",
            f"This walk is closed and the {hours:g} h allowed to send observations made offline are over.",
            closed_at=closed.isoformat(),
            grace_hours=hours,
        )


# --- reading -------------------------------------------------------------------------------------


def get_walk(walk_id: int) -> Walk:
    """The walk with this id, or NotFound."""
    walk = db.session.get(Walk, walk_id)
    if walk is None:
        raise NotFound(_l("Marche introuvable."), details={"walk": walk_id})
    return walk


def list_walks(project: Project, *, routes: bool = True) -> list[Walk]:
    """The walks of a project, by date.

    ``routes=False`` leaves each route unread (it loads if touched): a route drawn in the field has
    hundreds of points, and converting them for a page that only lists the walks cost about 0.2 ms
    per walk on SpatiaLite. :func:`route_stamps` and :func:`with_routes` go with it.
    """
    stmt = select(Walk).where(Walk.project_id == project.id).order_by(Walk.walk_date, Walk.id)
    if not routes:
        stmt = stmt.options(defer(Walk.route))
    return list(db.session.scalars(stmt))


def route_stamps(walk_ids: Sequence[int]) -> dict[int, object]:
    """``{walk id: its route as stored}`` (bytes or text, ``None`` without a route), not converted:
    equal exactly when the stored routes are, for the keys of what is drawn from them."""
    if not walk_ids:
        return {}
    raw = type_coerce(Walk.route, NullType())
    rows = db.session.execute(select(Walk.id, raw).where(Walk.id.in_(list(walk_ids))))
    return {walk_id: route for walk_id, route in rows}


def with_routes(walks: Sequence[Walk]) -> list[Walk]:
    """``walks`` with their routes loaded, in one statement (the same objects, in the same order)."""
    ids = [w.id for w in walks]
    if ids:
        db.session.scalars(select(Walk).options(undefer(Walk.route)).where(Walk.id.in_(ids))).all()
    return list(walks)


@dataclass(frozen=True)
class WalkRow:
    """A walk in a list, with its observation count."""

    walk: Walk
    observations: int


def list_walk_rows(project: Project) -> list[WalkRow]:
    """The walks of a project by date, each with how many observations it has."""
    counts = dict(
        db.session.execute(
            select(Observation.walk_id, func.count(Observation.id))
            .join(Walk, Walk.id == Observation.walk_id)
            .where(Walk.project_id == project.id)
            .group_by(Observation.walk_id)
        ).all()
    )
    return [WalkRow(w, counts.get(w.id, 0)) for w in list_walks(project)]
