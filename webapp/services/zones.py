"""Zones: importing perimeters (official QPV or a project's own) and assigning observations to them.

The rule, the same in SQL and in process (``geodata.assign``): a point belongs to every candidate zone
whose polygon *covers* it (boundary included); the winner is the smallest ``(rank, code, id)``, rank 0
for the QPV of the project's list year and rank 1 for the project's custom zones. A point on a boundary
shared by two zones therefore always gets the same answer. No covering zone means "hors zone" (NULL).

A single new observation is assigned by one indexed query (R*Tree on SpatiaLite, GiST on PostGIS);
re-assigning many observations after a perimeter import loads the project's zones once into a Shapely
STRtree, which is orders of magnitude faster than one query per point (see bench/zone_assignment.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from geoalchemy2 import WKTElement
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import ColumnElement, and_, bindparam, case, column, func, or_, select, table, update

from geodata.assign import ZoneIndex, ZoneShape
from geodata.perimeters import PerimeterFeature, PerimeterSet
from webapp.errors import ImportFailed
from webapp.extensions import db
from webapp.models import Observation, Project, Walk, Zone
from webapp.models.enums import ZoneKind

#: Rank of each kind of zone when several cover a point (smaller wins).
RANKS = {ZoneKind.QPV: 0, ZoneKind.CUSTOM: 1}
#: Label for observations in no zone.
OUTSIDE_LABEL = "Hors zone"

_spatial_index = table(
    "SpatialIndex",
    column("f_table_name"),
    column("f_geometry_column"),
    column("search_frame"),
    column("rowid"),
)


@dataclass
class ImportReport:
    """What an import changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reassigned: int = 0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


def _candidates(project: Project) -> ColumnElement[bool]:
    return or_(
        and_(Zone.kind == ZoneKind.QPV, Zone.list_year == project.qpv_year),
        and_(Zone.kind == ZoneKind.CUSTOM, Zone.project_id == project.id),
    )


def _rank() -> ColumnElement[int]:
    return case((Zone.kind == ZoneKind.QPV, RANKS[ZoneKind.QPV]), else_=RANKS[ZoneKind.CUSTOM])


def find_zone_id(project: Project, lon: float, lat: float) -> int | None:
    """The id of the zone a point falls in for this project, by one indexed query; None if outside."""
    point = WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    dialect = db.session.get_bind().dialect.name
    # Codes compare by code point, as in Python (geodata.assign); PostgreSQL's locale order differs.
    code_order = Zone.code if dialect == "sqlite" else Zone.code.collate("C")
    stmt = (
        select(Zone.id)
        .where(_candidates(project), func.ST_Covers(Zone.area, point))
        .order_by(_rank(), code_order, Zone.id)
        .limit(1)
    )
    if dialect == "sqlite":
        # SpatiaLite does not use its R*Tree by itself: ask the SpatialIndex table for the candidates.
        stmt = stmt.where(
            Zone.id.in_(
                select(_spatial_index.c.rowid).where(
                    _spatial_index.c.f_table_name == "zones",
                    _spatial_index.c.f_geometry_column == "area",
                    _spatial_index.c.search_frame == func.ST_GeomFromText(point.data, 4326),
                )
            )
        )
    return db.session.scalar(stmt)


def find_zone(project: Project, lon: float, lat: float) -> Zone | None:
    """The zone a point falls in for this project (see the module's rule), or None."""
    zone_id = find_zone_id(project, lon, lat)
    return db.session.get(Zone, zone_id) if zone_id is not None else None


def build_zone_index(project: Project) -> ZoneIndex:
    """An in-process index of the project's candidate zones."""
    rows = db.session.execute(
        select(Zone.id, Zone.kind, Zone.code, Zone.area).where(_candidates(project))
    ).all()
    return ZoneIndex(
        [
            ZoneShape(zone_id=r.id, rank=RANKS[ZoneKind(r.kind)], code=r.code, geometry=to_shape(r.area))
            for r in rows
        ]
    )


def assign_points_in_process(project: Project, points: Sequence[tuple[float, float]]) -> list[int | None]:
    """Zone ids for many (lon, lat) points at once, with an STRtree; None for "hors zone"."""
    if not points:
        return []
    coords = np.asarray(points, dtype=float)
    ids = build_zone_index(project).assign(coords[:, 0], coords[:, 1])
    return [None if zone_id < 0 else int(zone_id) for zone_id in ids]


def reassign_observations(projects: Iterable[Project] | None = None) -> int:
    """Recompute the zone of every observation of these projects (all by default); returns how many changed.

    Called after perimeters change. Does not commit: the caller's transaction decides. Purged
    observations keep their zone: their point is only a grid-cell centre, which may lie in another zone.
    """
    if projects is None:
        projects = db.session.scalars(select(Project)).all()
    changed: list[dict[str, int | None]] = []
    for project in projects:
        rows = db.session.execute(
            select(
                Observation.id,
                Observation.zone_id,
                func.ST_X(Observation.location),
                func.ST_Y(Observation.location),
            )
            .join(Observation.walk)
            .where(Walk.project_id == project.id, Observation.purged_at.is_(None))
            .order_by(Observation.id)
        ).all()
        if not rows:
            continue
        new_ids = assign_points_in_process(project, [(r[2], r[3]) for r in rows])
        changed.extend(
            {"obs_id": row[0], "new_zone": new}
            for row, new in zip(rows, new_ids, strict=True)
            if row[1] != new
        )
    if changed:
        db.session.execute(
            update(Observation.__table__)
            .where(Observation.__table__.c.id == bindparam("obs_id"))
            .values(zone_id=bindparam("new_zone")),
            changed,
        )
    return len(changed)


def _communes(feature: PerimeterFeature) -> str | None:
    return ",".join(feature.communes) or feature.insee_com or None


def import_zones(
    perimeters: PerimeterSet,
    *,
    project: Project | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Create or update zones from a file already read by ``geodata.perimeters``; all or nothing.

    QPV are matched on (list year, code), custom zones on (project, code): importing the same file
    twice updates, never duplicates. Zones missing from the file are left alone (a file filtered to a
    few communes must not delete the others). Observations are re-assigned in the same transaction.
    """
    kind = ZoneKind.CUSTOM if project is not None else ZoneKind.QPV
    report = ImportReport(notes=[f.repaired_note for f in perimeters.features if f.repaired_note])
    try:
        if kind == ZoneKind.QPV:
            years = {f.list_year for f in perimeters.features}
            existing = {
                (z.list_year, z.code): z
                for z in db.session.scalars(
                    select(Zone).where(Zone.kind == ZoneKind.QPV, Zone.list_year.in_(years))
                )
            }
        else:
            existing = {
                (None, z.code): z
                for z in db.session.scalars(select(Zone).where(Zone.project_id == project.id))
            }
        total = len(perimeters.features)
        for done, feature in enumerate(perimeters.features, start=1):
            key = (feature.list_year if kind == ZoneKind.QPV else None, feature.code)
            zone = existing.get(key)
            if zone is None:
                zone = Zone(
                    kind=kind,
                    code=feature.code,
                    list_year=feature.list_year if kind == ZoneKind.QPV else None,
                    project_id=project.id if project is not None else None,
                )
                db.session.add(zone)
                report.created.append(feature.code)
            elif (
                zone.name == feature.name
                and (zone.insee_com or None) == _communes(feature)
                and to_shape(zone.area).equals_exact(feature.geometry, 1e-9)
            ):
                report.unchanged.append(feature.code)
                if progress:
                    progress(done, total)
                continue
            else:
                report.updated.append(feature.code)
            zone.name = feature.name
            zone.insee_com = _communes(feature)
            zone.area = from_shape(feature.geometry, srid=4326)
            zone.source = source or zone.source or ""
            if progress:
                progress(done, total)
        db.session.flush()
        if report.created or report.updated:
            if kind == ZoneKind.QPV:
                affected = db.session.scalars(select(Project).where(Project.qpv_year.in_(years))).all()
            else:
                affected = [project]
            report.reassigned = reassign_observations(affected)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        if isinstance(error, ImportFailed):
            raise
        raise ImportFailed(f"Import annulé, rien n'a été modifié : {error}") from error
    return report


def reassign_all(projects: Iterable[Project] | None = None, *, dry_run: bool = False) -> int:
    """Re-assign observations and commit (or roll back for a dry run); returns how many changed."""
    changed = reassign_observations(projects)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return changed


def list_zones(project: Project) -> list[Zone]:
    """The zones observations of this project can fall in, QPV first."""
    return list(db.session.scalars(select(Zone).where(_candidates(project)).order_by(_rank(), Zone.name)))


def zone_shape(zone: Zone):  # type: ignore[no-untyped-def]
    """The zone's perimeter as a Shapely geometry."""
    return to_shape(zone.area)


def save_custom_zone(project: Project, *, code: str, name: str, geometry, source: str = "") -> Zone:  # type: ignore[no-untyped-def]
    """Create or replace one custom zone of a project (drawn by a facilitator); does not commit."""
    zone = db.session.scalar(select(Zone).where(Zone.project_id == project.id, Zone.code == code))
    if zone is None:
        zone = Zone(kind=ZoneKind.CUSTOM, code=code, project_id=project.id)
        db.session.add(zone)
    zone.name = name
    zone.area = from_shape(geometry, srid=4326)
    zone.source = source
    db.session.flush()
    return zone
