"""privacy: retention period and public opt-ins per project, purge marker, minors' consent per walk

Revision ID: d5e6f7a8b903
Revises: c4d5e6f7a802
Create Date: 2026-11-25 02:20:00.000000

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "d5e6f7a8b903"
down_revision = "c4d5e6f7a802"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with constant defaults, never a batch rebuild: on SQLite a rebuild drops and
    # re-creates `projects`, and with foreign keys on, dropping it would cascade to every walk.
    op.add_column(
        "projects", sa.Column("retention_months", sa.Integer(), server_default="24", nullable=False)
    )
    op.add_column(
        "projects", sa.Column("public_map", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "projects", sa.Column("public_followup", sa.Boolean(), server_default=sa.false(), nullable=False)
    )

    # A plain ADD COLUMN: SQLite supports it in place, so the spatial table is not rebuilt.
    op.add_column("observations", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "walk_consents",
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("minors_count", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_walk_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["walk_id"], ["walks.id"], name=op.f("fk_walk_consents_walk_id_walks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("walk_id", name=op.f("pk_walk_consents")),
    )


def downgrade():
    op.drop_table("walk_consents")
    # SQLite >= 3.35 drops a column in place; the spatial table keeps its registration and index.
    op.drop_column("observations", "purged_at")
    op.drop_column("projects", "public_followup")
    op.drop_column("projects", "public_map")
    op.drop_column("projects", "retention_months")
