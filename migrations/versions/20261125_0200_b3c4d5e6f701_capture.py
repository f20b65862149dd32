"""capture: shared rate-limit counters, and the hash of each uploaded photo

Revision ID: b3c4d5e6f701
Revises: ad4f55551f96
Create Date: 2026-11-25 01:25:10.655415

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3c4d5e6f701"
down_revision = "ad4f55551f96"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_counters",
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counters_window_start"), ["window_start"], unique=False)

    with op.batch_alter_table("photos", schema=None) as batch_op:
        # Existing photos get an empty hash: a retry of their upload is then accepted as the same photo.
        batch_op.add_column(
            sa.Column("upload_sha256", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_column("upload_sha256")

    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_window_start"))

    op.drop_table("rate_counters")
