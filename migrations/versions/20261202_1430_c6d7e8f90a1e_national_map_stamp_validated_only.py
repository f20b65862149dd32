"""national map stamp: bumped only when a validated observation is written, not for every observation received

Revision ID: c6d7e8f90a1e
Revises: b5c6d7e8f90d
Create Date: 2026-12-02 14:30:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

The observations' data version (``webapp/models/data_version.py``) tells every server process whether
its cached national map is still good. The national map shows validated observations only, yet the
stamp moved with every observation a phone sent (pending until moderated): during a walk each new
observation emptied every process's national map cache, and on SQLite each one also wrote the
``data_versions`` row. Now the stamp moves when a validated observation is inserted or deleted, and
when a watched column (status, theme, place, walk) of an observation that is or becomes validated
changes — what the national map can show. On PostgreSQL the statement trigger becomes row triggers with
the same conditions in their ``WHEN`` (an AFTER row trigger whose ``WHEN`` is false queues nothing;
``nextval`` takes no lock, as before). Form versions still bump it on both databases.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c6d7e8f90a1e"
down_revision = "b5c6d7e8f90d"
branch_labels = None
depends_on = None

#: Columns of observations whose change may change what the national map shows (as in f3a4b5c6d70b).
WATCHED = "moderation_status, theme, location, walk_id"
NEW_SHOWN = "NEW.moderation_status = 'validated'"
OLD_SHOWN = "OLD.moderation_status = 'validated'"
SQLITE_BUMP = "UPDATE data_versions SET version = version + 1 WHERE name = 'observations'"

SQLITE_BEFORE = {
    "observations_version_insert": f"AFTER INSERT ON observations BEGIN {SQLITE_BUMP}; END",
    "observations_version_update": f"AFTER UPDATE OF {WATCHED} ON observations BEGIN {SQLITE_BUMP}; END",
    "observations_version_delete": f"AFTER DELETE ON observations BEGIN {SQLITE_BUMP}; END",
}
SQLITE_AFTER = {
    "observations_version_insert": f"AFTER INSERT ON observations WHEN {NEW_SHOWN} BEGIN {SQLITE_BUMP}; END",
    "observations_version_update": (
        f"AFTER UPDATE OF {WATCHED} ON observations WHEN {OLD_SHOWN} OR {NEW_SHOWN} BEGIN {SQLITE_BUMP}; END"
    ),
    "observations_version_delete": f"AFTER DELETE ON observations WHEN {OLD_SHOWN} BEGIN {SQLITE_BUMP}; END",
}

PG_BEFORE = {
    "observations_version": (
        f"AFTER INSERT OR UPDATE OF {WATCHED} OR DELETE ON observations FOR EACH STATEMENT"
    ),
}
PG_AFTER = {
    "observations_version_insert": f"AFTER INSERT ON observations FOR EACH ROW WHEN ({NEW_SHOWN})",
    "observations_version_update": (
        f"AFTER UPDATE OF {WATCHED} ON observations FOR EACH ROW WHEN ({OLD_SHOWN} OR {NEW_SHOWN})"
    ),
    "observations_version_delete": f"AFTER DELETE ON observations FOR EACH ROW WHEN ({OLD_SHOWN})",
}


def _replace(drop, create):
    if op.get_bind().dialect.name == "postgresql":
        for name in drop:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON observations")
        for name, when in create.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION bump_observations_version()")
    else:
        for name in drop:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name, body in create.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace(PG_BEFORE, PG_AFTER)
    else:
        _replace(SQLITE_BEFORE, SQLITE_AFTER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace(PG_AFTER, PG_BEFORE)
    else:
        _replace(SQLITE_AFTER, SQLITE_BEFORE)
