"""observations: a covering index for the summaries (walk, moderation, theme, polarity, zone, participant, feeling)

Revision ID: c0d1e2f3a408
Revises: b9c0d1e2f307
Create Date: 2026-12-02 02:10:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

A plain CREATE INDEX: the summaries' grouped passes are answered from it without reading the table.
On a large PostgreSQL table, create it by hand first with CREATE INDEX CONCURRENTLY under the same
name to avoid locking writes while it builds.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c0d1e2f3a408"
down_revision = "b9c0d1e2f307"
branch_labels = None
depends_on = None

COLUMNS = ["walk_id", "moderation_status", "theme", "polarity", "zone_id", "participant_id", "feeling"]


def upgrade():
    op.create_index("ix_observations_summary", "observations", COLUMNS, if_not_exists=True)


def downgrade():
    op.drop_index("ix_observations_summary", table_name="observations")
