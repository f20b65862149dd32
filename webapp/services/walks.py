"""Walks: planning (route, stops), join codes, opening and closing."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, time

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point
from sqlalchemy import select

from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Project, Stop, Walk
from webapp.models.base import utcnow
from webapp.models.enums import TimeSlot, WalkStatus

#: Letters and digits that cannot be confused when read aloud or on a small screen (no 0/O, 1/I/L, 5/S, 2/Z).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A random join code, unique among walks."""
    for _ in range(20):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(select(Walk.id).where(Walk.join_code == code)) is None:
            return code
    raise Conflict("Impossible de générer un code unique, réessayez.")


def normalise_join_code(raw: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def create_walk(
    project: Project,
    *,
    title: str,
    walk_date: date,
    time_slot: str = TimeSlot.DAY,
    starts_at: time | None = None,
    ends_at: time | None = None,
    description: str = "",
    route: Sequence[tuple[float, float]] | None = None,
    stops: Sequence[tuple[str, tuple[float, float]]] = (),
    join_code: str | None = None,
    form_key: str | None = None,
    form_version: int | None = None,
    commit: bool = True,
) -> Walk:
    """Plan a walk; ``route`` and stop positions are (lon, lat) pairs.

    The walk uses form ``form_key`` at ``form_version`` (default: the newest version of the form, or of
    the default grid when no key is given).
    """
    from webapp.services import forms

    form = (
        forms.get_form(form_key, form_version)
        if form_key is not None and form_version is not None
        else forms.latest_form(form_key or forms.DEFAULT_FORM_KEY)
    )
    if time_slot not in set(TimeSlot):
        raise ValidationError("Créneau inconnu.", details={"time_slot": time_slot})
    if not title.strip():
        raise ValidationError("Le titre est obligatoire.", details={"title": "required"})
    if join_code is not None:
        join_code = normalise_join_code(join_code)
        if any(ch not in JOIN_CODE_ALPHABET for ch in join_code) or len(join_code) < 4:
            raise ValidationError("Code de marche invalide.", details={"join_code": join_code})
        if db.session.scalar(select(Walk.id).where(Walk.join_code == join_code)) is not None:
            raise Conflict("Ce code est déjà utilisé par une autre marche.", details={"join_code": join_code})
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
    )
    if route:
        if len(route) < 2:
            raise ValidationError("Un itinéraire a au moins deux points.", details={"route": "too_short"})
        walk.route = from_shape(LineString(route), srid=4326)
    for position, (name, (lon, lat)) in enumerate(stops, start=1):
        walk.stops.append(Stop(position=position, name=name, location=from_shape(Point(lon, lat), srid=4326)))
    db.session.add(walk)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return walk


def open_walk(walk: Walk, *, commit: bool = True) -> Walk:
    """Let participants join and record observations."""
    if walk.status == WalkStatus.CLOSED:
        raise Conflict("Cette marche est terminée.", details={"status": walk.status})
    walk.status = WalkStatus.OPEN
    walk.opened_at = walk.opened_at or utcnow()
    if commit:
        db.session.commit()
    return walk


def close_walk(walk: Walk, *, commit: bool = True) -> Walk:
    """Stop accepting participants and observations."""
    walk.status = WalkStatus.CLOSED
    walk.closed_at = utcnow()
    if commit:
        db.session.commit()
    return walk


def get_walk(walk_id: int) -> Walk:
    """The walk with this id, or NotFound."""
    walk = db.session.get(Walk, walk_id)
    if walk is None:
        raise NotFound("Marche introuvable.", details={"walk": walk_id})
    return walk


def list_walks(project: Project) -> list[Walk]:
    """The walks of a project, by date."""
    return list(
        db.session.scalars(
            select(Walk).where(Walk.project_id == project.id).order_by(Walk.walk_date, Walk.id)
        )
    )
