"""Statements run through ``services.prebuilt`` (the ingest's insert and data stamp): same transaction,
same listeners, same errors as through SQLAlchemy, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.webapp.support import statements
from webapp.extensions import db
from webapp.models import Project
from webapp.services import projects
from webapp.services.prebuilt import Prebuilt

_projects = Project.__table__
RENAME = Prebuilt(
    sa.update(_projects).where(_projects.c.id == sa.bindparam("pid")).values(slug=sa.bindparam("new_slug"))
)
STAMP = Prebuilt(sa.select(_projects.c.data_version).where(_projects.c.id == sa.bindparam("pid")))


@pytest.fixture
def two_projects(app, db_session):  # type: ignore[no-untyped-def]
    first = projects.create_project(slug="premier", name="Premier", territory=["80021"])
    second = projects.create_project(slug="second", name="Second", territory=["80021"])
    db.session.flush()
    return first.id, second.id


def test_it_writes_in_the_sessions_transaction_and_tells_the_listeners(two_projects):
    _, second = two_projects
    with statements() as seen:
        assert RENAME.execute(db.session.connection(), {"pid": second, "new_slug": "renomme"}) is None
    assert [s.split()[0].upper() for s in seen] == ["UPDATE"]
    # the session's own transaction sees it (nothing committed in between)
    assert db.session.scalar(sa.select(_projects.c.slug).where(_projects.c.id == second)) == "renomme"
    assert STAMP.execute(db.session.connection(), {"pid": second}) is not None


def test_driver_errors_come_out_as_sqlalchemy_errors(two_projects):
    first, second = two_projects
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        RENAME.execute(db.session.connection(), {"pid": second, "new_slug": "premier"})
    assert db.session.scalar(sa.select(_projects.c.slug).where(_projects.c.id == first)) == "premier"


def test_rows_come_out_as_sqlalchemy_gives_them(app, db_session):
    """The token's select (times, geometries, the stops packed in one value) read by hand equals
    SQLAlchemy's rows."""
    from tests.webapp.capture_support import make_walk
    from webapp.services import participants

    walk = make_walk()
    _, token = participants.add_participant(walk)
    db.session.flush()
    params = {"token_hash": participants.hash_token(token)}
    connection = db.session.connection()
    sender = participants._SENDER[connection.dialect.name]
    ours = sender.rows(connection, params)
    theirs = connection.execute(sender.statement, params).all()
    assert len(ours) == len(theirs) == 1  # one row, whatever the number of stops

    def comparable(row):  # type: ignore[no-untyped-def]
        return {key: str(value) if hasattr(value, "desc") else value for key, value in row._asdict().items()}

    assert [comparable(r) for r in ours] == [comparable(r) for r in theirs]
    assert ours[0].expires_at == theirs[0].expires_at and ours[0].expires_at.tzinfo is not None
    assert type(ours[0].stops) is type(theirs[0].stops) is str
