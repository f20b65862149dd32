"""photo_blobs: the bytes of photos kept in the database, so several app servers share them

Revision ID: d1e2f3a4b509
Revises: c0d1e2f3a408
Create Date: 2026-12-02 03:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

A new table on both databases (used by default on PostgreSQL only, ``PHOTO_STORE``). Downgrading
drops the bytes: move them back to files first (`arpenteur photos to-disk`) if any are stored.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d1e2f3a4b509"
down_revision = "c0d1e2f3a408"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "photo_blobs",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_photo_blobs_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("photo_id", name=op.f("pk_photo_blobs")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # JPEG does not compress: keep the bytes out of line without trying (TOAST's EXTERNAL).
        op.execute("ALTER TABLE photo_blobs ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table("photo_blobs")
