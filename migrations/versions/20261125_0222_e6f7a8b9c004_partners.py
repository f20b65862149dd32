"""partners: invitations by link, two-factor secret and password-change time on users, re-walk links

Revision ID: e6f7a8b9c004
Revises: d5e6f7a8b903
Create Date: 2026-11-25 02:22:22.377136

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e6f7a8b9c004"
down_revision = "d5e6f7a8b903"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'facilitator', 'partner')", name=op.f("ck_invitations_role")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invitations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_invitations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_project_id"), ["project_id"], unique=False)

    op.create_table(
        "rewalks",
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("original_walk_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["users.id"], name=op.f("fk_rewalks_linked_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["original_walk_id"],
            ["walks.id"],
            name=op.f("fk_rewalks_original_walk_id_walks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["walk_id"], ["walks.id"], name=op.f("fk_rewalks_walk_id_walks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("walk_id", name=op.f("pk_rewalks")),
    )
    with op.batch_alter_table("rewalks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rewalks_original_walk_id"), ["original_walk_id"], unique=False)

    # Plain ADD COLUMN, never a batch rebuild: on SQLite a rebuild drops `users`, and with foreign
    # keys on that would cascade to every membership.
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite >= 3.35 drops a column in place (no rebuild, memberships untouched).
    op.drop_column("users", "password_changed_at")
    op.drop_column("users", "totp_secret")

    with op.batch_alter_table("rewalks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rewalks_original_walk_id"))

    op.drop_table("rewalks")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_project_id"))

    op.drop_table("invitations")
