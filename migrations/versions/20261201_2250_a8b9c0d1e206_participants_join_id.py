"""participants: the phone's join id, so a join resent after a lost answer finds the same participant

Revision ID: a8b9c0d1e206
Revises: 95a7fcf157df
Create Date: 2026-12-01 22:50:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Plain ADD COLUMN and a unique index, never a batch rebuild: on SQLite a rebuild drops `participants`,
and with foreign keys on that would clear every observation's participant.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a8b9c0d1e206"
down_revision = "95a7fcf157df"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("participants", sa.Column("join_uuid", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_participants_join_uuid"), "participants", ["join_uuid"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_participants_join_uuid"), table_name="participants")
    op.drop_column("participants", "join_uuid")
