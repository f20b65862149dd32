"""A per-project stamp of "what the summaries count", and caches keyed on it, valid across processes.

``Project.data_version`` gets a new random value in the same transaction as any change of what a
project's summaries, theme styles or maps count: observations added (phones, imports, facilitator
entry), edited, moderated, deleted or moved to another zone; participants' profiles; walks' dates,
slots and forms; zones and form versions. Every server process keys its caches on the stamp it reads
from the database (one primary-key lookup), so an instance never serves what another one changed.

The stamp is random, not a counter: a transaction that bumped it and computed a summary, then rolled
back, leaves a cache entry under a stamp no later change will ever write again.

Writers through the ORM are stamped by :func:`_stamp_session_changes` (one statement per flush that
changed something counted); writers that go round the ORM (Core ``UPDATE``/``DELETE``) call
:func:`bump` themselves, in the same transaction: ``zones.reassign_observations``,
``privacy.erase_participant_data``. An observation inserted, however, is stamped by the database: the
insert's trigger gives its project a new random stamp in the same statement (migration
``e8f90a1b2c3d``), so the ingest's hot path and the imports send no statement for it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstanceState, Session

from webapp.extensions import db
from webapp.models import FormVersion, Observation, Participant, Photo, Project, Walk, Zone
from webapp.models.project import new_data_stamp
from webapp.services.prebuilt import Prebuilt

T = TypeVar("T")

#: Walk columns a summary reads (filters, day/night, the forms whose themes it labels).
_WALK_COLUMNS = ("project_id", "walk_date", "time_slot", "form_key", "form_version")
#: Participant columns a summary reads (comparisons and filters).
_PARTICIPANT_COLUMNS = ("walk_id", "gender", "age_band", "status")


new_stamp = new_data_stamp


def database() -> str:
    """Which database the session talks to (caches of one process may serve several, in tests)."""
    return str(db.session.get_bind().engine.url)


_projects = cast(Table, Project.__table__)
#: The bump of one project, built once: a statement made anew costs more Python (building it and its
#: cache key) than the database spends running it.
_BUMP_ONE = Prebuilt(
    update(_projects)
    .where(_projects.c.id == bindparam("project_id"))
    .values(data_version=bindparam("stamp", type_=_projects.c.data_version.type))
)


def bump(
    *,
    project_ids: Iterable[int] = (),
    walk_ids: Iterable[int] = (),
    observation_ids: Iterable[int] = (),
    every: bool = False,
    connection: Connection | None = None,
) -> None:
    """Give these projects (given directly, by their walks or by observations; or ``every`` project) a
    new stamp.

    One ``UPDATE`` in the caller's transaction (``connection``: on that one rather than the session's).
    """
    projects = _projects
    session: Any = db.session if connection is None else connection
    oids = sorted({o for o in observation_ids if o})
    if oids and not every:
        walk_ids = [
            *walk_ids,
            *session.scalars(select(Observation.walk_id).where(Observation.id.in_(oids))),
        ]
    if not every:
        pids, wids = sorted({p for p in project_ids if p}), sorted({w for w in walk_ids if w})
        if not pids and not wids:
            return
        if len(pids) == 1 and not wids:
            bump_project(pids[0], connection=connection)
            return
        where: Any
        if pids and not wids:
            where = projects.c.id.in_(pids)
        else:
            by_walk = projects.c.id.in_(select(Walk.project_id).where(Walk.id.in_(wids)))
            where = by_walk if not pids else projects.c.id.in_(pids) | by_walk
        session.execute(update(projects).values(data_version=new_stamp()).where(where))
    else:
        session.execute(update(projects).values(data_version=new_stamp()))


def bump_project(project_id: int, *, connection: Connection | None = None) -> None:
    """:func:`bump` of one project, without sorting anything out: one prebuilt statement
    (``connection``: on that one rather than the session's)."""
    _BUMP_ONE.execute(connection or db.session.connection(), {"project_id": project_id, "stamp": new_stamp()})


def current(project_id: int) -> tuple[str, int]:
    """The project's stamp as this transaction sees it (after flushing pending ORM changes), with
    the database it comes from: the key of every cache entry of the project."""
    stamp = db.session.scalar(select(Project.data_version).where(Project.id == project_id)) or 0
    return database(), stamp


def _modified(session: Session, obj: object, columns: tuple[str, ...] | None = None) -> bool:
    if not session.is_modified(obj):
        return False
    if columns is None:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _walk_id_of(obj: Observation | Participant) -> int | None:
    """The walk of a row being written (its old walk too, if it moved: both projects change)."""
    state: InstanceState[Any] = inspect(obj)
    walk = state.dict.get("walk")
    walk_id = obj.walk_id if state.persistent or state.deleted else state.dict.get("walk_id")
    return walk_id or (walk.id if walk is not None else None)


def _observation_id_of(photo: Photo) -> int | None:
    """The observation of a photo being written (through its relationship when not yet flushed)."""
    state: InstanceState[Any] = inspect(photo)
    observation = state.dict.get("observation")
    return photo.observation_id or (observation.id if observation is not None else None)


def _old(obj: object, name: str) -> list[Any]:
    """The value a column had before this flush changed it (none when unchanged)."""
    return list(inspect(obj).attrs[name].history.deleted or ())


@event.listens_for(Session, "before_flush")
def _stamp_session_changes(session: Session, _context: object, _instances: object) -> None:
    """New stamps, in the same flush, for the projects whose counted rows the ORM is writing."""
    every = False
    walk_ids: set[int] = set()
    project_ids: set[int] = set()
    observation_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        is_new_or_deleted = obj in session.new or obj in session.deleted
        if isinstance(obj, Photo):
            # Partners' and public maps show each validated observation's photos.
            if is_new_or_deleted or _modified(session, obj, ("observation_id",)):
                observation_ids.update(
                    o for o in (_observation_id_of(obj), *_old(obj, "observation_id")) if o
                )
        elif isinstance(obj, Observation):
            if is_new_or_deleted or _modified(session, obj):
                walk_ids.update(w for w in (_walk_id_of(obj), *_old(obj, "walk_id")) if w)
        elif isinstance(obj, Participant):
            if obj in session.deleted or (
                obj not in session.new and _modified(session, obj, _PARTICIPANT_COLUMNS)
            ):
                walk_ids.update(w for w in (_walk_id_of(obj), *_old(obj, "walk_id")) if w)
        elif isinstance(obj, Walk):
            if is_new_or_deleted or _modified(session, obj, _WALK_COLUMNS):
                project_ids.update(p for p in (obj.project_id, *_old(obj, "project_id")) if p)
                if obj.project_id is None and obj.project is not None and obj.project.id:
                    project_ids.add(obj.project.id)
        elif isinstance(obj, Zone | FormVersion):
            # zone names label the comparisons; forms label the themes (both shared by projects)
            every = every or is_new_or_deleted or _modified(session, obj)
    if every:
        bump(every=True)
    elif walk_ids or project_ids or observation_ids:
        with session.no_autoflush:
            bump(project_ids=project_ids, walk_ids=walk_ids, observation_ids=observation_ids)


class StampedCache:
    """A small in-process LRU cache whose keys start with ``(project id, stamp)``.

    Entries under an old stamp are never read again (the stamp only moves forward to new values)
    and fall out as the cache fills.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[no-any-return]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def for_project(self, project_id: int, compute: Callable[[], T], *rest: Hashable) -> T:
        """``compute()`` for this project as of its current stamp (read in this transaction), kept
        under ``(project id, stamp, *rest)``."""
        return self.get_or_compute((project_id, current(project_id), *rest), compute)

    def for_site(self, compute: Callable[[], T], *rest: Hashable) -> T:
        """``compute()`` over every project's observations, as of every project's current stamp (one
        read of the projects' stamps), kept under ``(database, stamps, *rest)``."""
        stamps = db.session.execute(select(Project.id, Project.data_version).order_by(Project.id))
        key = (database(), tuple((int(project_id), stamp) for project_id, stamp in stamps), *rest)
        return self.get_or_compute(key, compute)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
