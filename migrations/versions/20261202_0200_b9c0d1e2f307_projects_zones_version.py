"""projects: a zones version stamp, so every server process knows when its zone index is stale

Revision ID: b9c0d1e2f307
Revises: a8b9c0d1e206
Create Date: 2026-12-02 02:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Plain ADD COLUMN with a server default (existing projects start at 0), never a batch rebuild.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b9c0d1e2f307"
down_revision = "a8b9c0d1e206"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("projects", sa.Column("zones_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    op.drop_column("projects", "zones_version")
