"""Zones: importing perimeters (official QPV or a project's own) and assigning observations to them.

The rule, the same in SQL and in process (``geodata.assign``): a point belongs to every candidate zone
whose polygon *covers* it (boundary included); the winner is the smallest ``(rank, code, id)``, rank 0
for the QPV of the project's list year and rank 1 for the project's custom zones. A point on a boundary
shared by two zones therefore always gets the same answer. No covering zone means "hors zone" (NULL).

A project's QPV are the official perimeters of its list year that lie in its communes (the INSEE
codes of the QPV; a 2015 QPV whose file gave commune names instead is matched on the département
of its code), minus those the team left out (``Project.excluded_qpv_codes``). A project without
communes (created before they were asked for) keeps every QPV of its list year.

Services here flush and never commit: the request, or the CLI's unit of work, commits once; an
import that fails raises ImportFailed and the caller's transaction is rolled back (all or nothing).

A new observation from a phone is assigned by :func:`zone_at`, against an in-memory STRtree of the
project's zones that each server process keeps; ``Project.zones_version`` (bumped in the same flush as
any change of zones or of the project's choice of zones) tells every process when to rebuild it, and
it comes with the participant's own query, so the check costs no statement. :func:`find_zone_id`
answers the same by one indexed query (R*Tree on SpatiaLite, GiST on PostGIS). Re-assigning many
observations after a perimeter import loads the project's zones once into the same kind of STRtree
(see bench/zone_assignment.py).

An observation's zone lives in its facts row (``models.observation.ObservationFacts``, the summaries'
own table), not in the observation's row: re-assigning writes those narrow rows only (on PostgreSQL a
heap-only update, the zone being in no index).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKTElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    column,
    event,
    func,
    inspect,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from geodata.assign import NO_ZONE, ZoneIndex, ZoneShape
from geodata.communes import departement_of
from geodata.drawn import NEAR_M, DrawnZoneError, distance_to_places, read_drawn_zone
from geodata.perimeters import (
    DEFAULT_MAX_BYTES,
    PerimeterError,
    PerimeterFeature,
    PerimeterSet,
    read_perimeters,
    slugify,
)
from webapp import wal_checkpoint
from webapp.errors import ImportFailed, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts, Project, Walk, Zone
from webapp.models.enums import OUTSIDE_ZONE, ZoneKind
from webapp.services import data_stamps

_facts = ObservationFacts.__table__

#: Rank of each kind of zone when several cover a point (smaller wins).
RANKS = {ZoneKind.QPV: 0, ZoneKind.CUSTOM: 1}
#: Label for observations in no zone (lazy: ``str()`` it in the current language).
OUTSIDE_LABEL = OUTSIDE_ZONE

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


def _in_communes(communes: Sequence[str]) -> ColumnElement[bool]:
    """QPV lying in one of these communes (``insee_com`` is a comma-separated list of codes)."""
    conditions: list[ColumnElement[bool]] = []
    for code in communes:
        conditions += [
            Zone.insee_com == code,
            Zone.insee_com.like(f"{code},%"),
            Zone.insee_com.like(f"%,{code}"),
            Zone.insee_com.like(f"%,{code},%"),
        ]
    # The 2015 list often names communes instead of coding them: the département in the QPV code decides.
    prefixes = sorted({departement_of(code).rjust(3, "0") for code in communes})
    conditions.append(and_(Zone.insee_com.is_(None), or_(*(Zone.code.like(f"Q_{p}%") for p in prefixes))))
    return or_(*conditions)


def _qpv_of(project: Project, *, with_excluded: bool = False) -> ColumnElement[bool]:
    """The official QPV that are (or, with ``with_excluded``, may be) zones of this project."""
    conditions: list[ColumnElement[bool]] = [Zone.kind == ZoneKind.QPV, Zone.list_year == project.qpv_year]
    if project.territory:
        conditions.append(_in_communes(list(project.territory)))
    if project.excluded_qpv_codes and not with_excluded:
        conditions.append(Zone.code.not_in(list(project.excluded_qpv_codes)))
    return and_(*conditions)


def _candidates(project: Project) -> ColumnElement[bool]:
    return or_(_qpv_of(project), and_(Zone.kind == ZoneKind.CUSTOM, Zone.project_id == project.id))


def _rank() -> ColumnElement[int]:
    return case((Zone.kind == ZoneKind.QPV, RANKS[ZoneKind.QPV]), else_=RANKS[ZoneKind.CUSTOM])


def find_zone_id(project: Project, lon: float, lat: float) -> int | None:
    """The id of the zone a point falls in for this project, by an indexed query; None if outside."""
    point = WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    dialect = db.session.get_bind().dialect.name
    # Codes compare by code point, as in Python (geodata.assign); PostgreSQL's locale order differs.
    code_order = Zone.code if dialect == "sqlite" else Zone.code.collate("C")
    boxed: list[int] | None = None
    if dialect == "sqlite":
        # SpatiaLite does not use its R*Tree by itself: ask the SpatialIndex table for the zones whose
        # box holds the point first (usually none or one), then test only those. Given as a list, they
        # keep the planner on the primary key whatever the project's commune and exclusion filters.
        boxed = list(
            db.session.scalars(
                select(_spatial_index.c.rowid).where(
                    _spatial_index.c.f_table_name == "zones",
                    _spatial_index.c.f_geometry_column == "area",
                    _spatial_index.c.search_frame == func.ST_GeomFromText(point.data, 4326),
                )
            )
        )
        if not boxed:
            return None
    stmt = (
        select(Zone.id)
        .where(_candidates(project), func.ST_Covers(Zone.area, point))
        .order_by(_rank(), code_order, Zone.id)
        .limit(1)
    )
    if boxed is not None:
        stmt = stmt.where(Zone.id.in_(boxed))
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


@dataclass(frozen=True)
class _ProjectIndex:
    """A project's zone index as one process built it, and the stamp it was built from."""

    stamp: tuple[int, int]
    index: ZoneIndex
    names: dict[int, str]


#: Each project's zone index in this process, by project id.
_indexes: dict[int, _ProjectIndex] = {}
_indexes_lock = threading.Lock()
#: Zone changes this process flushed: its own session may still hold a project with the old stamp.
_local_changes = 0


def _project_index(project: Project) -> _ProjectIndex:
    return _index_at(project.id, project.zones_version or 0, lambda: project)


def _index_at(project_id: int, zones_version: int, project: Callable[[], Project]) -> _ProjectIndex:
    """The project's index for this stamp: the one kept, or a new one (``project()`` loads the project)."""
    stamp = (zones_version, _local_changes)
    cached = _indexes.get(project_id)
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = db.session.execute(
        select(Zone.id, Zone.kind, Zone.code, Zone.name, Zone.area).where(_candidates(project()))
    ).all()
    built = _ProjectIndex(
        stamp=stamp,
        index=ZoneIndex(
            [
                ZoneShape(zone_id=r.id, rank=RANKS[ZoneKind(r.kind)], code=r.code, geometry=to_shape(r.area))
                for r in rows
            ]
        ),
        names={r.id: r.name for r in rows},
    )
    with _indexes_lock:
        _indexes[project_id] = built
    return built


def has_index(project_id: int, zones_version: int) -> bool:
    """Whether this process holds the project's index for that stamp (:func:`zone_at_stamp` then
    reads nothing)."""
    cached = _indexes.get(project_id)
    return cached is not None and cached.stamp == (zones_version, _local_changes)


def zone_at(project: Project, lon: float, lat: float) -> tuple[int, str] | None:
    """The (id, name) of the zone a point falls in for this project, or None ("hors zone").

    The same answer as :func:`find_zone_id`, from this process's index of the project's zones: no
    statement at all while ``project.zones_version`` is the one the index was built from.
    """
    return zone_at_stamp(project.id, project.zones_version or 0, lon, lat, project=lambda: project)


def zone_at_stamp(
    project_id: int,
    zones_version: int,
    lon: float,
    lat: float,
    *,
    project: Callable[[], Project] | None = None,
) -> tuple[int, str] | None:
    """:func:`zone_at` from the project's id and its ``zones_version`` as just read (no Project object).

    The project is loaded only when the index must be rebuilt (a new stamp, or a new process).
    """
    entry = _index_at(project_id, zones_version, project or (lambda: db.session.get_one(Project, project_id)))
    zone_id = entry.index.assign_one(lon, lat)
    return None if zone_id < 0 else (zone_id, entry.names[zone_id])


#: Project columns that decide which zones are the project's.
_ZONE_CHOICE = ("territory", "qpv_year", "excluded_qpv_codes")


@event.listens_for(Session, "before_flush")
def _stamp_zone_changes(session: Session, _context: object, _instances: object) -> None:
    """Bump ``zones_version`` in the same flush as a change of zones, so every process sees it.

    A changed zone (official QPV are shared) bumps every project; a changed choice of zones bumps
    the project. Zones are never written by bulk statements, only through the session.
    """
    global _local_changes
    zones_changed = any(isinstance(o, Zone) for o in chain(session.new, session.deleted)) or any(
        isinstance(o, Zone) and session.is_modified(o) for o in session.dirty
    )
    chosen = [
        o
        for o in session.dirty
        if isinstance(o, Project)
        and any(inspect(o).attrs[name].history.has_changes() for name in _ZONE_CHOICE)
    ]
    if not zones_changed and not chosen:
        return
    _local_changes += 1
    projects = Project.__table__
    if zones_changed:
        session.connection().execute(update(projects).values(zones_version=projects.c.zones_version + 1))
    for project in chosen:
        project.zones_version = (project.zones_version or 0) + 1


def assign_points_in_process(project: Project, points: Sequence[tuple[float, float]]) -> list[int | None]:
    """Zone ids for many (lon, lat) points at once, with an STRtree; None for "hors zone"."""
    if not points:
        return []
    coords = np.asarray(points, dtype=float)
    ids = build_zone_index(project).assign(coords[:, 0], coords[:, 1])
    return [None if zone_id < 0 else int(zone_id) for zone_id in ids]


#: A SpatiaLite point blob: 0x00, byte order, SRID, MBR (4 doubles), 0x7C, class (1 = point), x, y,
#: 0xFE. :func:`_read_positions` reads, per row, the blob's tail from the 0x7C mark (1-based offset
#: 39, for ``substr``), little-endian, in hex; the ids and zones (0 for none) come as decimal lists.
_SPATIALITE_TAIL = 39
_SPATIALITE_RECORD = np.dtype([("mark", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])


def _near_condition(dialect: str, boxes: Sequence[tuple[float, float, float, float]]) -> str:
    """SQL keeping the observations whose point lies in one of ``boxes``, by the spatial index."""
    if not boxes:
        return ""
    if dialect == "sqlite":
        frames = " UNION ".join(
            "SELECT rowid FROM SpatialIndex WHERE f_table_name = 'observations' "  # noqa: S608 (numbers and constants only)
            f"AND f_geometry_column = 'location' AND search_frame = BuildMbr({b[0]!r}, {b[1]!r}, {b[2]!r}, "
            f"{b[3]!r}, 4326)"
            for b in boxes
        )
        return f" AND o.id IN ({frames})"
    envelopes = " OR ".join(
        f"o.location && ST_MakeEnvelope({b[0]!r}, {b[1]!r}, {b[2]!r}, {b[3]!r}, 4326)" for b in boxes
    )
    return f" AND ({envelopes})"


def _read_positions(
    project_id: int, boxes: Sequence[tuple[float, float, float, float]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(ids, current zone ids or NO_ZONE, lons, lats) of a project's observations (not purged).

    Straight into arrays: the rows come back as one aggregated value the database packs, never as
    one Python row per observation. PostgreSQL: one ``bytea`` of (id, zone, x, y) records, big-endian;
    SpatiaLite: the ids and zones as text and the points' x and y copied out of their blobs, in hex
    (two doubles at a fixed offset of a SpatiaLite point blob; anything else is read by ``ST_X``/``ST_Y``).
    """
    dialect = db.session.get_bind().dialect.name
    where = (
        "o.walk_id IN (SELECT id FROM walks WHERE project_id = :project_id) AND o.purged_at IS NULL"  # noqa: S608 (numbers and constants only)
        + _near_condition(dialect, boxes)
    )
    params = {"project_id": project_id}
    empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if dialect == "postgresql":
        if boxes:  # a few rows near the zones that changed: their zones joined
            packed = db.session.execute(
                text(
                    "SELECT string_agg(int4send(o.id) || int4send(coalesce(f.zone_id, -1)) "  # noqa: S608 (numbers and constants only)
                    "|| float8send(ST_X(o.location)) || float8send(ST_Y(o.location)), ''::bytea) "
                    f"FROM observations o JOIN observation_facts f ON f.observation_id = o.id WHERE {where}"
                ),
                params,
            ).scalar()
            if not packed:
                return empty_i, empty_i, empty_f, empty_f
            rows = np.frombuffer(packed, dtype=[("id", ">i4"), ("zone", ">i4"), ("x", ">f8"), ("y", ">f8")])
            return (
                rows["id"].astype(np.int64),
                rows["zone"].astype(np.int64),
                rows["x"].astype(np.float64),
                rows["y"].astype(np.float64),
            )
        return _read_whole_project(where, params)
    # three aggregates of one pass over the same rows, in the same order; decimal lists are parsed by
    # NumPy in C (bench/README.md, seventeenth pass: 8 hex digits per number were a printf per row)
    ids_text, zones_text, tails = db.session.execute(
        text(
            "SELECT group_concat(o.id, ','), group_concat(coalesce(f.zone_id, 0), ','), "  # noqa: S608 (numbers and constants only)
            f"group_concat(hex(substr(o.location, {_SPATIALITE_TAIL}, {_SPATIALITE_RECORD.itemsize})), '') "
            f"FROM observations o JOIN observation_facts f ON f.observation_id = o.id WHERE {where}"
        ),
        params,
    ).one()
    if not ids_text:
        return empty_i, empty_i, empty_f, empty_f
    ids = np.fromstring(ids_text, dtype=np.int64, sep=",")
    zone_ids = np.fromstring(zones_text, dtype=np.int64, sep=",")
    raw = bytes.fromhex(tails)
    rows = np.frombuffer(
        raw if len(raw) == len(ids) * _SPATIALITE_RECORD.itemsize else b"", _SPATIALITE_RECORD
    )
    if not (len(ids) == len(zone_ids) == len(rows) and ((rows["mark"] == 0x7C) & (rows["kind"] == 1)).all()):
        # not little-endian 2D point blobs: ask SpatiaLite for the coordinates
        return _read_positions_by_function(where, params)
    zone_ids[zone_ids == 0] = NO_ZONE
    return ids, zone_ids, rows["x"].astype(np.float64), rows["y"].astype(np.float64)


def _read_whole_project(
    where: str, params: dict[str, Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """PostgreSQL, a whole project: the positions and the zones read apart (two sequential reads) and
    matched by id in NumPy — 0.71 against 1.01 s for joining them, at 1,000,000 (bench/README.md,
    twenty-second pass)."""
    packed = db.session.execute(
        text(
            "SELECT string_agg(int4send(o.id) || float8send(ST_X(o.location)) "  # noqa: S608 (numbers and constants only)
            f"|| float8send(ST_Y(o.location)), ''::bytea) FROM observations o WHERE {where}"
        ),
        params,
    ).scalar()
    empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if not packed:
        return empty_i, empty_i, empty_f, empty_f
    rows = np.frombuffer(packed, dtype=[("id", ">i4"), ("x", ">f8"), ("y", ">f8")])
    ids = rows["id"].astype(np.int64)
    zoned = db.session.execute(
        text(
            "SELECT string_agg(int4send(observation_id) || int4send(zone_id), ''::bytea) "
            "FROM observation_facts WHERE walk_id IN (SELECT id FROM walks WHERE project_id = :project_id) "
            "AND zone_id IS NOT NULL"
        ),
        params,
    ).scalar()
    current = np.full(len(ids), NO_ZONE, dtype=np.int64)
    if zoned:
        facts = np.frombuffer(zoned, dtype=[("id", ">i4"), ("zone", ">i4")])
        # every observation has its facts row (a trigger makes it): look each id up in a dense table
        zone_of = np.full(int(max(ids.max(), facts["id"].max())) + 1, NO_ZONE, dtype=np.int64)
        zone_of[facts["id"].astype(np.int64)] = facts["zone"]
        current = zone_of[ids]
    return ids, current, rows["x"].astype(np.float64), rows["y"].astype(np.float64)


def _read_positions_by_function(
    where: str, params: dict[str, Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The same as :func:`_read_positions` through ``ST_X``/``ST_Y``, one row per observation."""
    rows = db.session.execute(
        text(
            "SELECT o.id, coalesce(f.zone_id, -1), ST_X(o.location), ST_Y(o.location) "  # noqa: S608 (numbers and constants only)
            f"FROM observations o JOIN observation_facts f ON f.observation_id = o.id WHERE {where}"
        ),
        params,
    ).all()
    table_ = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return (
        table_[:, 0].astype(np.int64),
        table_[:, 1].astype(np.int64),
        table_[:, 2].copy(),
        table_[:, 3].copy(),
    )


#: SQLite: the one index that holds the zone (the summaries' covering index, on the facts rows).
_ZONE_INDEX = "ix_observation_facts_summary"
#: Share of the observations table a re-assignment must move for SQLite to build that index afresh
#: rather than move one entry per changed row: building it reads and sorts the whole table (≈ 1.2 µs a
#: row, 100,000 rows), keeping it deletes and inserts an entry per move (≈ 1.9 µs each) — bench/README.md,
#: seventeenth pass. About three fifths of the table is where the two meet.
_REBUILD_SHARE = 0.6
#: Fewer moves than this never rebuild it (a change of schema makes every connection prepare its
#: statements again: not worth it for a few rows).
_REBUILD_FLOOR = 1000
#: Moves written by one ``INSERT`` into SQLite's temporary table (two parameters each: far below
#: SQLite's limit of 999 in its oldest builds).
_MOVES_PER_INSERT = 250
#: Where SQLite keeps the planner's statistics of an index (``DROP INDEX`` deletes its rows there).
_STAT_TABLES = ("sqlite_stat1", "sqlite_stat4")


@contextmanager
def _zone_index_set_aside(connection: Connection, moved: int) -> Iterator[None]:
    """SQLite, when most of the table moves: the zone's index dropped for the ``UPDATE`` and built again
    after it, in the same transaction (SQLite's DDL is transactional: a rollback brings the old index
    back; other connections read the old index until the commit, and the new one after it). The
    planner's statistics on it are put back as they were, as a plain update leaves them. PostgreSQL
    keeps its index: dropping one locks the table against every reader until the commit. Should the
    ``UPDATE`` fail, the index stays dropped in a transaction that the caller rolls back, as any error
    here leaves it."""
    if connection.dialect.name != "sqlite" or moved < _REBUILD_FLOOR:
        yield
        return
    rows = connection.exec_driver_sql("SELECT count(*) FROM observation_facts").scalar() or 0
    ddl = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", (_ZONE_INDEX,)
    ).scalar()
    if ddl is None or moved < _REBUILD_SHARE * rows:
        yield
        return
    # the planner's statistics on the index (this SQLite keeps samples too: sqlite_stat4)
    stats: dict[str, list[tuple[Any, ...]]] = {}
    for name in _STAT_TABLES:
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_schema WHERE name = ?", (name,)).scalar():
            found = connection.exec_driver_sql(
                f"SELECT * FROM {name} WHERE idx = ?",  # noqa: S608 (our own constant names)
                (_ZONE_INDEX,),
            ).all()
            if found:
                stats[name] = [tuple(row) for row in found]
    connection.exec_driver_sql(f'DROP INDEX "{_ZONE_INDEX}"')
    yield
    connection.exec_driver_sql(ddl)
    if stats:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        for name, saved in stats.items():
            marks = ", ".join("?" * len(saved[0]))
            raw.executemany(f"INSERT INTO {name} VALUES ({marks})", saved)  # noqa: S608 (constants)
        # the planner reads its statistics when it loads the schema: have it read them again
        connection.exec_driver_sql("ANALYZE sqlite_schema")


def write_zones(ids: npt.NDArray[np.int64], zone_ids: npt.NDArray[np.int64]) -> None:
    """Set these observations' zones (NO_ZONE: none) in their facts rows: a temporary table, filled in
    bulk, then one ``UPDATE … FROM`` (PostgreSQL: binary ``COPY``; SQLite: an ``executemany`` of many
    rows per ``INSERT``, and the zone's index built afresh when most of the table moves:
    :func:`_zone_index_set_aside`)."""
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE tmp_zone_moves (obs_id integer NOT NULL, zone_id integer NOT NULL) "
            "ON COMMIT DROP"
        )
        rows = np.empty(
            len(ids),
            dtype=[("n", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("zone", ">i4")],
        )
        rows["n"], rows["l1"], rows["l2"] = 2, 4, 4
        rows["id"], rows["zone"] = ids, zone_ids
        header = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
        cursor = raw.cursor()
        with cursor.copy("COPY tmp_zone_moves (obs_id, zone_id) FROM STDIN (FORMAT binary)") as copy:  # type: ignore[attr-defined]
            copy.write(header + rows.tobytes() + b"\xff\xff")
        connection.exec_driver_sql("ANALYZE tmp_zone_moves")
    else:
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE tmp_zone_moves (obs_id INTEGER PRIMARY KEY, zone_id INTEGER NOT NULL)"
        )
        # many rows per INSERT: half the time of one row per statement (bench/README.md, seventeenth pass)
        pairs = np.column_stack((ids, zone_ids)).astype(np.int64)
        whole = len(pairs) // _MOVES_PER_INSERT * _MOVES_PER_INSERT
        insert = "INSERT INTO tmp_zone_moves (obs_id, zone_id) VALUES "
        if whole:
            raw.executemany(  # type: ignore[attr-defined]
                insert + ", ".join(["(?, ?)"] * _MOVES_PER_INSERT),
                pairs[:whole].reshape(-1, 2 * _MOVES_PER_INSERT).tolist(),
            )
        if whole < len(pairs):
            rest = pairs[whole:]
            raw.execute(insert + ", ".join(["(?, ?)"] * len(rest)), rest.ravel().tolist())  # type: ignore[attr-defined]
    if len(ids) >= _REBUILD_FLOOR:
        # the commit appends the moved rows' pages to SQLite's WAL; copying them into the database
        # runs after it, in the background (webapp/wal_checkpoint.py, bench/README.md twenty-first pass)
        wal_checkpoint.defer(connection)
    try:
        with _zone_index_set_aside(connection, len(ids)):
            connection.exec_driver_sql(
                f"UPDATE observation_facts SET zone_id = NULLIF(m.zone_id, {NO_ZONE}) FROM tmp_zone_moves m "  # noqa: S608 (numbers and constants only)
                "WHERE observation_facts.observation_id = m.obs_id"
            )
    finally:
        connection.exec_driver_sql("DROP TABLE tmp_zone_moves")


def reassign_observations(
    projects: Iterable[Project] | None = None, *, near: Sequence[BaseGeometry] | None = None
) -> int:
    """Recompute the zone of the observations of these projects (all by default); returns how many changed.

    Called after perimeters change; ``near``: only the observations inside the bounding boxes of
    these geometries (the old and new outlines of the zones that changed) can change, and only they
    are read, through the spatial index. Coordinates are read straight into arrays
    (:func:`_read_positions`), classified with the STRtree, and the changes written set-based: into a
    temporary table, then one ``UPDATE … FROM`` (both databases). The projects whose observations
    moved get a new data stamp (their summaries change). Does not commit: the caller's transaction
    decides. Purged observations keep their zone: their point is only a grid-cell centre, which may
    lie in another zone.
    """
    if projects is None:
        projects = db.session.scalars(select(Project)).all()
    boxes = [g.bounds for g in near or () if not g.is_empty]
    if near is not None and not boxes:
        return 0
    moved_ids: list[npt.NDArray[np.int64]] = []
    moved_zones: list[npt.NDArray[np.int64]] = []
    moved_projects: list[int] = []
    db.session.flush()
    for project in projects:
        ids, current, lons, lats = _read_positions(project.id, boxes)
        if not len(ids):
            continue
        new = _project_index(project).index.assign(lons, lats)
        changed = new != current
        if changed.any():
            moved_ids.append(ids[changed])
            moved_zones.append(new[changed])
            moved_projects.append(project.id)
    if not moved_projects:
        return 0
    all_ids, all_zones = np.concatenate(moved_ids), np.concatenate(moved_zones)
    write_zones(all_ids, all_zones)
    data_stamps.bump(project_ids=moved_projects)
    # Observations loaded in this session must not keep their old zone.
    for obj in db.session.identity_map.values():
        if isinstance(obj, Observation):
            db.session.expire(obj, ["zone_id", "zone"])
    return len(all_ids)


def _communes(feature: PerimeterFeature) -> str | None:
    return ",".join(feature.communes) or feature.insee_com or None


def import_zones(
    perimeters: PerimeterSet,
    *,
    project: Project | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create or update zones from a file already read by ``geodata.perimeters`` (flushes, never commits).

    QPV are matched on (list year, code), custom zones on (project, code): importing the same file
    twice updates, never duplicates. Zones missing from the file are left alone (a file filtered to a
    few communes must not delete the others). Observations are re-assigned in the same transaction.
    A database refusal raises ImportFailed; the caller rolls its transaction back (all or nothing).
    """
    kind = ZoneKind.CUSTOM if project is not None else ZoneKind.QPV
    report = ImportReport(notes=[f.repaired_note for f in perimeters.features if f.repaired_note])
    #: outlines of the zones created or changed, old and new
    outlines: list[BaseGeometry] = []
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
                outlines.append(to_shape(zone.area))
            outlines.append(feature.geometry)
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
            # only observations near an outline that changed (old or new) can change zone
            report.reassigned = reassign_observations(affected, near=outlines)
    except SQLAlchemyError as error:
        raise ImportFailed(
            _l("Import annulé, rien n'a été modifié : la base de données a refusé ces périmètres."),
            details={"database": type(error).__name__},
        ) from error
    return report


def _refused(error: PerimeterError) -> ImportFailed:
    """An importer's refusal as a domain error listing every problem (feature and field named)."""
    from webapp.services.themes import page_language

    lang = "en" if page_language() == "en" else "fr"
    problems = [problem.describe(lang) for problem in error.problems]
    more = [gettext("… et %(n)s autre(s)", n=len(problems) - 20)] if len(problems) > 20 else []
    return ImportFailed(
        _l("Import refusé, rien n'a été importé : %(n)s problème(s).", n=len(problems)),
        details=problems[:20] + more,
    )


def import_official_qpv(
    path: str | Path,
    project: Project,
    *,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Import the official QPV file (ANCT) for a project's list year, kept to its communes (flushes).

    The same reader and importer as ``arpenteur geodata import-qpv``. The 2024 list carries INSEE
    codes, so the file is filtered on the project's communes; the 2015 list usually names communes,
    so it is filtered on their départements. Raises ImportFailed listing every problem.
    """
    communes = list(project.territory or [])
    filters: dict[str, list[str] | None] = {"communes": None, "departements": None}
    if communes and project.qpv_year == 2015:
        filters["departements"] = sorted({departement_of(code) for code in communes})
    elif communes:
        filters["communes"] = communes
    try:
        perimeters = read_perimeters(
            path,
            kind="qpv",
            list_year=project.qpv_year,
            progress=progress,
            max_bytes=max_bytes or DEFAULT_MAX_BYTES,
            **filters,  # type: ignore[arg-type]
        )
    except PerimeterError as error:
        raise _refused(error) from error
    return import_zones(perimeters, source=f"ANCT, {project.qpv_year}")


def import_project_zones(
    path: str | Path,
    project: Project,
    *,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Import a project's own zones from a file (GeoJSON, zipped shapefile, GeoPackage; flushes).

    The same reader and importer as ``arpenteur geodata import-zones``; raises ImportFailed listing
    every problem, each with its feature and field.
    """
    try:
        perimeters = read_perimeters(
            path, kind="custom", progress=progress, max_bytes=max_bytes or DEFAULT_MAX_BYTES
        )
    except PerimeterError as error:
        raise _refused(error) from error
    return import_zones(perimeters, project=project, source=source)


def list_zones(project: Project) -> list[Zone]:
    """The zones observations of this project can fall in, QPV first."""
    return list(db.session.scalars(select(Zone).where(_candidates(project)).order_by(_rank(), Zone.name)))


def list_zone_names(project: Project) -> list[tuple[int, str]]:
    """``[(id, name)]`` of :func:`list_zones`, in its order, without reading any perimeter."""
    stmt = select(Zone.id, Zone.name).where(_candidates(project)).order_by(_rank(), Zone.name)
    return [(zone_id, name) for zone_id, name in db.session.execute(stmt)]


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


# --- the zones page: official QPV to keep, custom zones drawn or imported ------------------------


@dataclass(frozen=True)
class QpvCandidate:
    """An official QPV of the project's communes and list year, and whether the team keeps it."""

    zone_id: int
    code: str
    name: str
    insee_com: str | None
    kept: bool
    source: str


def list_qpv_candidates(project: Project) -> list[QpvCandidate]:
    """Every official QPV of the project's communes and list year (left out or not), by name."""
    excluded = set(project.excluded_qpv_codes or [])
    rows = db.session.execute(
        select(Zone.id, Zone.code, Zone.name, Zone.insee_com, Zone.source)
        .where(_qpv_of(project, with_excluded=True))
        .order_by(Zone.name, Zone.code)
    ).all()
    return [
        QpvCandidate(
            zone_id=r.id,
            code=r.code,
            name=r.name,
            insee_com=r.insee_com,
            kept=r.code not in excluded,
            source=r.source,
        )
        for r in rows
    ]


def count_official_qpv(year: int | None = None) -> int:
    """How many official QPV perimeters are stored (of one list year, or all)."""
    query = select(func.count(Zone.id)).where(Zone.kind == ZoneKind.QPV)
    if year is not None:
        query = query.where(Zone.list_year == year)
    return db.session.scalar(query) or 0


def merge_qpv_choice(
    project: Project, kept_codes: Iterable[str], *, shown: Iterable[str], shown_kept: Iterable[str]
) -> tuple[set[str], list[str]]:
    """The QPV to keep when the page that sent ``kept_codes`` showed ``shown`` (``shown_kept`` ticked).

    Two people on the zones page at once: a box this page left as it showed it keeps the choice stored
    now (a colleague may have changed it since), a box it changed is its own choice, and a QPV it did
    not show (imported since) keeps its stored choice. Returns the codes to keep and the names of the
    QPV whose choice someone else changed meanwhile (kept).
    """
    candidates = list_qpv_candidates(project)
    mine, seen, seen_kept = set(kept_codes), set(shown), set(shown_kept)
    kept: set[str] = set()
    others: list[str] = []
    for c in candidates:
        touched = c.code in seen and (c.code in mine) != (c.code in seen_kept)
        keep = (c.code in mine) if touched else c.kept
        if keep:
            kept.add(c.code)
        if not touched and c.code in seen and c.kept != (c.code in seen_kept):
            others.append(c.name)
    return kept, others


def keep_qpv(project: Project, kept_codes: Iterable[str]) -> int:
    """Keep these QPV among the project's candidates and leave the others out; re-assigns (flushes).

    Codes left out earlier that are not candidates now (another list year, a commune removed) stay
    left out, so switching back restores the team's choice. Returns how many observations changed zone.
    """
    candidates = {c.code for c in list_qpv_candidates(project)}
    kept = set(kept_codes) & candidates
    excluded = (set(project.excluded_qpv_codes or []) - candidates) | (candidates - kept)
    if excluded == set(project.excluded_qpv_codes or []):
        return 0
    project.excluded_qpv_codes = sorted(excluded)
    db.session.flush()
    return reassign_observations([project])


def list_custom_zones(project: Project) -> list[Zone]:
    """The project's own zones, by name."""
    return list(
        db.session.scalars(
            select(Zone)
            .where(Zone.kind == ZoneKind.CUSTOM, Zone.project_id == project.id)
            .order_by(Zone.name, Zone.id)
        )
    )


def get_custom_zone(project: Project, zone_id: int) -> Zone:
    """One of the project's own zones, or NotFound (an official QPV is never edited here)."""
    zone = db.session.get(Zone, zone_id)
    if zone is None or zone.kind != ZoneKind.CUSTOM or zone.project_id != project.id:
        raise NotFound(_l("Zone introuvable dans ce projet."), details={"zone": zone_id})
    return zone


def _zone_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(
            _l("Donnez un nom à la zone (p. ex. « Centre-ville »)."), details={"name": "required"}
        )
    if len(name) > 200:
        raise ValidationError(_l("Le nom de la zone dépasse 200 caractères."), details={"name": "too_long"})
    return name


def rename_custom_zone(zone: Zone, name: str) -> Zone:
    """Give one of a project's own zones a new name (its code, in exports, stays); flushes."""
    zone.name = _zone_name(name)
    db.session.flush()
    return zone


def delete_custom_zone(zone: Zone) -> int:
    """Delete one of a project's own zones, re-assign its observations (flushes); returns how many moved."""
    project = db.session.get(Project, zone.project_id)
    db.session.execute(update(_facts).where(_facts.c.zone_id == zone.id).values(zone_id=None))
    db.session.delete(zone)
    db.session.flush()
    return reassign_observations([project]) if project is not None else 0


#: Why a drawn zone is refused (catalogue entries; ``%(…)s`` are the refusal's parameters, ``limit``
#: already written without decimals).
_DRAWN_MESSAGES = {
    "empty": _l("Dessinez d'abord la zone sur la carte (cliquez le premier point pour fermer le polygone)."),
    "not_geojson": _l("Le tracé envoyé n'est pas un polygone GeoJSON lisible."),
    "not_polygon": _l("Une zone est un polygone : un point ou une ligne ne délimitent pas de zone."),
    "too_few_points": _l("Un polygone a au moins trois points distincts."),
    "out_of_range": _l("Les coordonnées du tracé ne sont pas des longitudes et latitudes valides."),
    "invalid": _l("Le contour se croise lui-même et ne délimite aucune surface : redessinez-le."),
    "too_small": _l("Cette zone est minuscule (%(area_m2)s m²) : sans doute un clic de trop. Redessinez-la."),
    "too_large": _l(
        "Cette zone est bien trop grande (au-delà de %(limit)s km²) : une zone est un quartier "
        "ou un centre-ville, pas un département."
    ),
}


@dataclass(frozen=True)
class SavedZone:
    """A drawn zone as stored, with what the facilitator should know about it."""

    zone: Zone
    warnings: list[str]
    reassigned: int


def _known_places(project: Project) -> list:  # type: ignore[type-arg]
    """Where the project is known to be: its communes' QPV, its own zones and its walks' routes."""
    areas = db.session.scalars(
        select(Zone.area).where(
            or_(
                _qpv_of(project, with_excluded=True),
                and_(Zone.kind == ZoneKind.CUSTOM, Zone.project_id == project.id),
            )
        )
    ).all()
    routes = db.session.scalars(
        select(Walk.route).where(Walk.project_id == project.id, Walk.route.is_not(None))
    ).all()
    return [to_shape(a) for a in [*areas, *routes]]


def save_drawn_zone(project: Project, *, name: str, geojson: str) -> SavedZone:
    """Store a zone drawn on the map (GeoJSON text) as one of the project's own zones; re-assigns (flushes).

    Refuses (ValidationError) what is not a usable polygon; warns, without refusing, when the zone
    lies far from the project's known places (more than ``NEAR_M``).
    """
    name = _zone_name(name)
    try:
        drawn = read_drawn_zone(geojson)
    except DrawnZoneError as error:
        message = _DRAWN_MESSAGES.get(error.reason, _DRAWN_MESSAGES["not_geojson"])
        params = dict(error.params)
        if "limit" in params:
            params["limit"] = f"{params['limit']:.0f}"
        raise ValidationError(str(message) % params, details={"geojson": error.reason}) from error
    warnings = []
    if drawn.repaired:
        warnings.append(
            gettext("Le contour se croisait : il a été corrigé automatiquement. Vérifiez-le sur la carte.")
        )
    distance = distance_to_places(drawn.geometry, _known_places(project))
    if distance is not None and distance > NEAR_M:
        warnings.append(
            gettext(
                "Attention : cette zone est à %(km)s km des zones et des marches du projet. "
                "Vérifiez qu'elle est au bon endroit.",
                km=f"{distance / 1000:.0f}",
            )
        )
    taken = set(db.session.scalars(select(Zone.code).where(Zone.project_id == project.id)))
    base = slugify(name) or "zone"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    zone = Zone(
        kind=ZoneKind.CUSTOM, code=code, project_id=project.id, name=name, source="Dessinée sur la carte"
    )
    zone.area = from_shape(drawn.geometry, srid=4326)
    db.session.add(zone)
    db.session.flush()
    return SavedZone(zone=zone, warnings=warnings, reassigned=reassign_observations([project]))


def zones_page_geojson(project: Project) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The zones page's map data: the QPV candidates (``code``, ``name``, ``kept``) and the project's own
    zones (``id``, ``code``, ``name``), as two FeatureCollections."""
    from geodata.convert import feature_collection, shape_to_geojson

    excluded = set(project.excluded_qpv_codes or [])
    qpv = db.session.execute(
        select(Zone.code, Zone.name, Zone.area)
        .where(_qpv_of(project, with_excluded=True))
        .order_by(Zone.code)
    ).all()
    custom = list_custom_zones(project)
    return (
        feature_collection(
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(r.area), precision=6),
                "properties": {"code": r.code, "name": r.name, "kept": r.code not in excluded},
            }
            for r in qpv
        ),
        feature_collection(
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(z.area), precision=6),
                "properties": {"id": z.id, "code": z.code, "name": z.name},
            }
            for z in custom
        ),
    )


#: Observations per zone, by (project, data stamp): the zones page counted every observation of the
#: project at each visit (28 ms on SQLite, 34 ms on PostgreSQL at 100,000).
_zone_counts = data_stamps.StampedCache(size=64)


def count_observations_by_zone(project: Project) -> dict[int, int]:
    """How many of the project's observations each zone holds (zone id → count)."""
    return dict(_zone_counts.for_project(project.id, lambda: _query_zone_counts(project.id)))


def _query_zone_counts(project_id: int) -> tuple[tuple[int, int], ...]:
    rows = db.session.execute(
        select(ObservationFacts.zone_id, func.count())
        .where(
            ObservationFacts.walk_id.in_(select(Walk.id).where(Walk.project_id == project_id)),
            ObservationFacts.zone_id.is_not(None),
        )
        .group_by(ObservationFacts.zone_id)
    )
    return tuple((int(zone_id), int(n)) for zone_id, n in rows)
