"""Where the bytes of photos live: one interface, two stores.

- ``disk``: files named after the photo (``Photo.stored_name``) in ``PHOTO_DIR``. The default on
  SQLite, where one server owns the database file anyway.
- ``database``: the ``photo_blobs`` table, one row per photo row. The default on PostgreSQL, so
  several ``arpenteur serve`` on different hosts share every photo without a shared folder (as ODK
  Central keeps its attachments by default).

``PHOTO_STORE=disk|database`` overrides the choice (empty: by the database kind). Every reader and
writer of photo bytes goes through :func:`current`: uploads, the three photo routes, the report's
PDF, the participant's deletions, the retention purge and ``arpenteur photos move``.

Both stores follow the transaction (``webapp.transaction``):

- :meth:`PhotoStore.save` is called once the photo's row is flushed. The database store inserts the
  bytes in the same transaction; the disk store writes the file at once (readers after the commit
  find it) and deletes it again if the transaction is rolled back.
- :meth:`PhotoStore.discard` is called with the photos whose rows go. The database store deletes
  their bytes in the same transaction (the foreign key's cascade also covers deletions made by
  SQL elsewhere); the disk store deletes the files once the transaction is committed, so a
  rollback keeps them for the rows that still point at them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from webapp import transaction
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import Photo, PhotoBlob

DISK = "disk"
DATABASE = "database"
KINDS = (DISK, DATABASE)


class PhotoRef(Protocol):
    """What a store needs to know of a photo: its row id and its stored name (a ``Photo`` is one)."""

    @property
    def id(self) -> int: ...

    @property
    def stored_name(self) -> str: ...


@dataclass(frozen=True)
class Ref:
    """A photo whose row may already be gone (what :meth:`PhotoStore.discard` is given)."""

    id: int
    stored_name: str


class PhotoStore(Protocol):
    kind: str

    def save(self, photo: PhotoRef, data: bytes) -> None:
        """Keep ``data`` for the (flushed) photo row; undone if the transaction is rolled back."""

    def read(self, photo: PhotoRef) -> bytes:
        """The photo's bytes; NotFound when they are gone."""

    def has(self, photo: PhotoRef) -> bool:
        """Whether the photo's bytes are in this store."""

    def discard(self, photos: Iterable[PhotoRef]) -> None:
        """Remove these photos' bytes, for good once the transaction that deletes their rows commits."""


class DiskStore:
    """Photo files in a folder (one server, or a folder every server mounts)."""

    kind = DISK

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, photo: PhotoRef) -> Path:
        # the name comes from our own rows; Path.name keeps any odd one inside the folder
        return self.folder / Path(photo.stored_name).name

    def save(self, photo: PhotoRef, data: bytes) -> None:
        path = self.path(photo)
        write_atomically(path, data)
        transaction.after_rollback(lambda: path.unlink(missing_ok=True))

    def read(self, photo: PhotoRef) -> bytes:
        try:
            return self.path(photo).read_bytes()
        except OSError as error:
            raise NotFound(_l("Photo introuvable.")) from error

    def has(self, photo: PhotoRef) -> bool:
        return self.path(photo).is_file()

    def discard(self, photos: Iterable[PhotoRef]) -> None:
        paths = [self.path(p) for p in photos]
        if paths:
            transaction.after_commit(lambda: _unlink_all(paths))


class DatabaseStore:
    """Photo bytes in the ``photo_blobs`` table, in the same transaction as their rows."""

    kind = DATABASE

    def save(self, photo: PhotoRef, data: bytes) -> None:
        db.session.execute(insert(PhotoBlob).values(photo_id=photo.id, data=data))

    def read(self, photo: PhotoRef) -> bytes:
        data = db.session.scalar(select(PhotoBlob.data).where(PhotoBlob.photo_id == photo.id))
        if data is None:
            raise NotFound(_l("Photo introuvable."))
        return bytes(data)

    def has(self, photo: PhotoRef) -> bool:
        found = db.session.scalar(select(func.count()).where(PhotoBlob.photo_id == photo.id))
        return bool(found)

    def discard(self, photos: Iterable[PhotoRef]) -> None:
        ids = sorted({p.id for p in photos})
        for start in range(0, len(ids), 500):
            db.session.execute(delete(PhotoBlob).where(PhotoBlob.photo_id.in_(ids[start : start + 500])))


#: What :func:`move_photo` did with one photo.
MOVED, ALREADY, MISSING, DAMAGED = "moved", "already", "missing", "damaged"


def photo_ids() -> list[int]:
    """Every photo row, oldest first (what ``arpenteur photos move`` walks through)."""
    return list(db.session.scalars(select(Photo.id).order_by(Photo.id)))


def move_photo(photo_id: int, source: PhotoStore, target: PhotoStore, *, remove_source: bool) -> str:
    """Copy one photo's bytes from ``source`` to ``target``; the caller commits (one photo at a time).

    Idempotent: a photo already in ``target`` is left as it is (``already``). Bytes missing from
    ``source`` (``missing``) or of another size than recorded (``damaged``) are not copied.
    ``remove_source`` removes them from ``source`` with the same commit (files: once it is done).
    """
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        return MISSING
    if target.has(photo):
        outcome = ALREADY
    else:
        try:
            data = source.read(photo)
        except NotFound:
            return MISSING
        if len(data) != photo.size_bytes:
            return DAMAGED
        target.save(photo, data)
        outcome = MOVED
    if remove_source and source.has(photo):
        source.discard([Ref(photo.id, photo.stored_name)])
    return outcome


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def configured_kind(app: Flask) -> str:
    """``disk`` or ``database``: ``PHOTO_STORE`` when set, else by the database kind."""
    chosen = str(app.config.get("PHOTO_STORE") or "").strip().lower()
    if chosen:
        if chosen not in KINDS:
            raise ValueError(f"PHOTO_STORE must be 'disk' or 'database', not {chosen!r}")
        return chosen
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    return DATABASE if url.startswith("postgresql") else DISK


def store(kind: str, app: Flask | None = None) -> PhotoStore:
    """The store of that kind, for this app."""
    if kind == DATABASE:
        return DatabaseStore()
    if kind == DISK:
        return DiskStore((app or current_app).config["PHOTO_DIR"])
    raise ValueError(f"unknown photo store {kind!r}")


def current() -> PhotoStore:
    """The store this app keeps its photos in."""
    return store(configured_kind(current_app))


def discard(photos: Iterable[PhotoRef]) -> None:
    """Remove these photos' bytes from the current store (see :meth:`PhotoStore.discard`)."""
    refs = [Ref(p.id, p.stored_name) for p in photos]  # copies: the rows may be expired or deleted
    if refs:
        current().discard(refs)


__all__ = [
    "ALREADY",
    "DAMAGED",
    "MISSING",
    "MOVED",
    "DATABASE",
    "DISK",
    "KINDS",
    "DatabaseStore",
    "DiskStore",
    "PhotoRef",
    "PhotoStore",
    "Ref",
    "configured_kind",
    "current",
    "discard",
    "move_photo",
    "photo_ids",
    "store",
    "write_atomically",
]
