"""observations: drop three single-column indexes the covering ones already serve (theme, moderation, zone)

Revision ID: a4b5c6d7e80c
Revises: f3a4b5c6d70b
Create Date: 2026-12-02 05:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Every new observation wrote an entry in each of them, and every zone re-assignment (PostgreSQL
rewrites every index entry of a changed row) too, for no read that needed them:
- ``moderation_status`` is only ever asked with the walk (the summary index's second column) or with a
  place (the spatial index);
- ``theme`` is the first column of ``ix_observations_quotes``;
- ``zone_id`` is read with the walk (the summary index); deleting a zone, which sets its observations'
  zone to NULL, now scans the observations once — a rare administrative act.
``ix_observations_walk_id`` stays although the summary index starts with the walk too: without it,
SQLite's planner chose plans that made a whole project's summary 2.5 times slower (measured).
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "a4b5c6d7e80c"
down_revision = "f3a4b5c6d70b"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_observations_theme": "theme",
    "ix_observations_moderation_status": "moderation_status",
    "ix_observations_zone_id": "zone_id",
}


def upgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="observations", if_exists=True)


def downgrade():
    for name, column in INDEXES.items():
        op.create_index(name, "observations", [column], if_not_exists=True)
