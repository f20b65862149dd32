"""The photo store on both databases: files (disk) or the ``photo_blobs`` table (database).

Each store saves, reads and discards within the request's transaction: a rollback leaves neither
bytes nor a file behind, a discarded photo stays until the commit (files) or goes with its row
(database). The default follows the database (disk on SQLite, database on PostgreSQL), and
``arpenteur photos move`` copies existing photos across, one photo per transaction, idempotently.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.factories import ObservationFactory
from webapp import transaction
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import Photo, PhotoBlob
from webapp.services import photo_store

JPEG = b"\xff\xd8\xff\xe0 not really a jpeg \xff\xd9"


def _photo(data: bytes = JPEG) -> Photo:
    photo = Photo(
        client_uuid=uuid.uuid4(),
        observation=ObservationFactory(),
        stored_name=f"{uuid.uuid4()}-0123456789ab.jpg",
        width=1,
        height=1,
        size_bytes=len(data),
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def _blobs() -> int:
    return db.session.scalar(select(func.count()).select_from(PhotoBlob)) or 0


def _files(app) -> list[str]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["PHOTO_DIR"])
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


@pytest.fixture(params=photo_store.KINDS)
def store(request, app, db_session):  # type: ignore[no-untyped-def]
    """Each store, on each database (the table exists on both)."""
    return photo_store.store(request.param, app)


def test_the_default_store_follows_the_database_and_can_be_overridden(app, dialect, tmp_path):
    assert photo_store.configured_kind(app) == ("database" if dialect == "postgresql" else "disk")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for kind in photo_store.KINDS:
        other = make_app(url, tmp_path, PHOTO_STORE=kind)
        assert photo_store.configured_kind(other) == kind
        with other.app_context():
            db.engine.dispose()
    with pytest.raises(ValueError, match="PHOTO_STORE"):
        make_app(url, tmp_path, PHOTO_STORE="s3")


def test_saved_bytes_are_read_back_and_discarded_with_the_commit(store, app):
    photo = _photo()
    store.save(photo, JPEG)
    assert store.read(photo) == JPEG and store.has(photo)
    transaction.commit()

    ref = photo_store.Ref(photo.id, photo.stored_name)
    store.discard([ref])
    db.session.delete(photo)
    db.session.flush()
    # Files wait for the commit (a rollback would keep them); bytes in the database go with the row.
    assert store.has(ref) == (store.kind == photo_store.DISK)
    transaction.commit()
    assert not store.has(ref)
    with pytest.raises(NotFound):
        store.read(ref)


def test_a_rollback_leaves_neither_bytes_nor_file(store, app):
    blobs, files = _blobs(), _files(app)
    photo = _photo()
    store.save(photo, JPEG)
    ref = photo_store.Ref(photo.id, photo.stored_name)
    assert store.has(ref)
    transaction.rollback()
    assert not store.has(ref)
    assert _blobs() == blobs and _files(app) == files


def test_a_rolled_back_discard_keeps_the_bytes(store, app):
    photo = _photo()
    store.save(photo, JPEG)
    transaction.commit()
    store.discard([photo])
    db.session.delete(photo)
    db.session.flush()
    transaction.rollback()
    kept = db.session.get(Photo, photo.id)
    assert kept is not None and store.read(kept) == JPEG


def test_deleting_the_row_by_sql_takes_the_bytes_in_the_database_too(app):
    # Deletions the store does not see (a walk deleted with its observations) go through the cascade.
    photo = _photo()
    database = photo_store.store(photo_store.DATABASE)
    database.save(photo, JPEG)
    db.session.flush()
    before = _blobs()
    db.session.execute(Photo.__table__.delete().where(Photo.id == photo.id))
    assert _blobs() == before - 1


def test_photos_move_into_the_database_one_by_one_and_again_changes_nothing(app, runner):
    disk = photo_store.store(photo_store.DISK, app)
    database = photo_store.store(photo_store.DATABASE, app)
    good, missing, damaged = _photo(), _photo(), _photo()
    disk.save(good, JPEG)
    disk.save(damaged, JPEG[:5])  # shorter than its recorded size: a file cut short
    transaction.commit()

    result = runner.invoke(args=["photos", "move", "--to", "database"])
    assert result.exit_code == 1, result.output
    assert "1 photo(s) déplacée(s) vers database" in result.output
    assert f"photo {missing.id} : missing" in result.output
    assert f"photo {damaged.id} : damaged" in result.output
    assert database.read(good) == JPEG
    assert not database.has(missing) and not database.has(damaged)
    assert disk.has(good), "the files stay unless --remove-source"

    again = runner.invoke(args=["photos", "move", "--to", "database", "--remove-source"])
    assert "0 photo(s) déplacée(s)" in again.output and "1 déjà présente(s)" in again.output
    assert database.read(good) == JPEG and not disk.has(good)

    back = runner.invoke(args=["photos", "move", "--to", "disk", "--remove-source"])
    assert "1 photo(s) déplacée(s) vers disk" in back.output
    assert disk.read(good) == JPEG and not database.has(good)


def test_a_photo_is_served_from_the_store_with_its_etag_and_revalidated_without_its_bytes(client, app):
    from tests.webapp.capture_support import jpeg_with_gps, make_walk, payload
    from tests.webapp.support import url

    walk = make_walk()
    token = client.post(url("api.join"), json={"code": walk.join_code}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = payload()
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    path = url("api.get_photo", client_uuid=body["client_uuid"], photo_uuid=str(uuid.uuid4()))
    put = client.put(path, data=jpeg_with_gps((320, 240)), headers={**auth, "Content-Type": "image/jpeg"})
    assert put.status_code == 201

    served = client.get(path, headers=auth)
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == uuid.UUID(path.rsplit("/", 1)[1])))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == photo_store.current().read(photo)
    assert served.headers["ETag"] == f'"{photo.stored_name}"'
    assert served.headers["Cache-Control"] == "no-store"

    # The client already has it: 304, no bytes sent (nor read: the ETag is checked first).
    again = client.get(path, headers={**auth, "If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "no-store"
