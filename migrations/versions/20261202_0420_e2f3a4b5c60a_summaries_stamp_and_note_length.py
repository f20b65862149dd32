"""projects.data_version (summary caches' stamp), observations.note_length and the quotes' index

Revision ID: e2f3a4b5c60a
Revises: d1e2f3a4b509
Create Date: 2026-12-02 04:20:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Plain ADD COLUMN with server defaults (never a batch rebuild), then the stored note lengths of the
rows already there, then a plain CREATE INDEX. On a large PostgreSQL table, create the index by hand
first with CREATE INDEX CONCURRENTLY under the same name to avoid locking writes while it builds.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e2f3a4b5c60a"
down_revision = "d1e2f3a4b509"
branch_labels = None
depends_on = None

QUOTES = [
    "theme",
    sa.text("note_length DESC"),
    "id",
    "moderation_status",
    "walk_id",
    "polarity",
    "participant_id",
]


def upgrade():
    op.add_column("projects", sa.Column("data_version", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("observations", sa.Column("note_length", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE observations SET note_length = length(note) WHERE note <> ''")
    op.create_index("ix_observations_quotes", "observations", QUOTES, if_not_exists=True)


def downgrade():
    op.drop_index("ix_observations_quotes", table_name="observations")
    op.drop_column("observations", "note_length")
    op.drop_column("projects", "data_version")
